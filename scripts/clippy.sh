#!/usr/bin/env bash
# Clippy over every target of the crate (library, tests, examples) natively, and over the
# library for wasm32, where the binding layer (src/wasm.rs) is compiled; any warning fails.
# The library's own attributes deny unwrap, expect, panic and indexing outside tests, so this
# is where those lints are enforced. The fuzz crate in fuzz/ is a workspace of its own and is
# checked with `cargo clippy --manifest-path fuzz/Cargo.toml` when wanted.
set -euo pipefail

cd "$(dirname "$0")/.."
cargo clippy --all-targets -- -D warnings
cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
