#!/usr/bin/env bash
# A short fuzzing run of every target in fuzz/ (60 seconds each; FUZZ_SECONDS changes it), one
# after the other, or of the targets named: scripts/fuzz.sh [kql|input|normalize|rule|engine]...
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a C++ compiler for libFuzzer. cargo-fuzz
# passes nightly flags to rustc; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. The
# targets build without a sanitizer (the crate has no unsafe code; FUZZ_SANITIZER=address
# turns ASan back on) but with overflow checks and debug assertions. What a run finds is kept
# in fuzz/corpus/<target>/ and carried on by the next run; a crash is saved in
# fuzz/artifacts/<target>/ and makes the script exit non-zero after the other targets ran.
# Replay one with: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz -s none <target> <file>
set -uo pipefail

cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
sanitizer="${FUZZ_SANITIZER:-none}"
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(kql input normalize rule engine)
fi

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: cargo-fuzz is not installed; run: cargo install cargo-fuzz" >&2
  exit 2
fi

failed=()
for target in "${targets[@]}"; do
  case "$target" in
    kql) dict=kql.dict; max_len=4096 ;;
    rule) dict=toml.dict; max_len=4096 ;;
    normalize) dict=json.dict; max_len=8192 ;;
    input | engine) dict=json.dict; max_len=16384 ;;
    *)
      echo "fuzz: no target $target (targets: kql input normalize rule engine)" >&2
      exit 2
      ;;
  esac
  mkdir -p "fuzz/corpus/$target"
  echo "fuzz: == $target for $seconds s" >&2
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir fuzz -s "$sanitizer" "$target" \
    "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
    -dict="fuzz/dict/$dict" -print_final_stats=1; then
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz: crashed: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds} s without a crash" >&2
