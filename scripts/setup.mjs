#!/usr/bin/env node
// Installs what a fresh machine lacks for the build: the wasm32 target, wasm-bindgen's CLI at
// exactly the version of the crate in Cargo.lock, and the npm packages. Each step is skipped
// when it is already done, so `npm start` and `npm test` can run it every time.
//
//   node scripts/setup.mjs

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

export function setup() {
  wasmTarget();
  bindgenCli();
  npmPackages();
}

function wasmTarget() {
  const installed = capture('rustup', ['target', 'list', '--installed']);
  if (installed === null) {
    log('rustup is not available; assuming the wasm32-unknown-unknown target is installed');
    return;
  }
  if (installed.split('\n').includes('wasm32-unknown-unknown')) return;
  log('installing the wasm32-unknown-unknown target');
  run('rustup', ['target', 'add', 'wasm32-unknown-unknown']);
}

/** The CLI must match the crate exactly, or the glue it writes does not fit the wasm. */
function bindgenCli() {
  const lock = readFileSync(join(ROOT, 'Cargo.lock'), 'utf8');
  const wanted = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  if (wanted === undefined) return;
  const found = capture('wasm-bindgen', ['--version'])?.trim().split(/\s+/)[1];
  if (found === wanted) return;
  log(`installing wasm-bindgen-cli ${wanted} (found ${found ?? 'none'}); this takes a few minutes`);
  run('cargo', ['install', 'wasm-bindgen-cli', '--version', wanted]);
}

function npmPackages() {
  const lock = join(ROOT, 'package-lock.json');
  const installed = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && (!existsSync(lock) || sameDependencies(lock, installed))) return;
  log('installing npm packages');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
}

/**
 * Whether node_modules holds every package the lock file names, at its version; optional
 * packages (builds for other platforms) are left to npm.
 */
function sameDependencies(lockPath, installedPath) {
  const wanted = JSON.parse(readFileSync(lockPath, 'utf8')).packages ?? {};
  const have = JSON.parse(readFileSync(installedPath, 'utf8')).packages ?? {};
  return Object.entries(wanted)
    .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.optional)
    .every(([path, entry]) => have[path]?.version === entry.version);
}

function capture(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout : null;
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error || result.status !== 0) {
    log(`${command} ${args.join(' ')} failed${result.error ? `: ${result.error.message}` : ''}`);
    process.exit(1);
  }
}

function log(message) {
  process.stderr.write(`setup: ${message}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) setup();
