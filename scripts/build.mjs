#!/usr/bin/env node
// Builds the wasm core into js/pkg/ for Node and the browser: cargo, then wasm-bindgen
// (--target web), then wasm-opt when it makes the file smaller. Does nothing when js/pkg/ is
// newer than every source file, so that `npm start` is quick the second time. Then writes the
// page's single-file build (dist/cloudtrail-triage.html) when it is missing or stale.
//
//   node scripts/build.mjs           build what is missing or stale
//   node scripts/build.mjs --force   build in any case

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { setup } from './setup.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const OUT = join(ROOT, 'js', 'pkg');
const CRATE = 'cloudtrail_triage';
const OUTPUTS = [`${CRATE}.js`, `${CRATE}_bg.wasm`, `${CRATE}.d.ts`].map((f) => join(OUT, f));
const SOURCES = ['Cargo.toml', 'Cargo.lock', 'src', 'build.rs', 'scripts/build.mjs'];

main();
await singleFilePage();

function main() {
  const force = process.argv.includes('--force');
  if (!force && upToDate()) {
    log('js/pkg/ is up to date');
    return;
  }

  // A fresh machine may lack the wasm target, wasm-bindgen's CLI or the npm packages.
  setup();

  const started = performance.now();
  const wasm = cargoBuild();
  const bindgenVersion = checkBindgen();
  const staging = `${OUT}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  run('wasm-bindgen', ['--target', 'web', '--out-dir', staging, wasm]);
  optimize(join(staging, `${CRATE}_bg.wasm`));

  rmSync(OUT, { recursive: true, force: true });
  renameSync(staging, OUT);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  log(`built js/pkg/ with wasm-bindgen ${bindgenVersion} in ${seconds} s`);
}

/** Whether every output exists and is newer than every source. */
function upToDate() {
  let oldestOutput = Infinity;
  for (const output of OUTPUTS) {
    if (!existsSync(output)) return false;
    oldestOutput = Math.min(oldestOutput, statSync(output).mtimeMs);
  }
  return SOURCES.every((source) => newestMtime(join(ROOT, source)) <= oldestOutput);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function cargoBuild() {
  run('cargo', ['build', '--release', '--target', 'wasm32-unknown-unknown', '--lib']);
  const metadata = JSON.parse(
    execFileSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: ROOT }),
  );
  const wasm = join(metadata.target_directory, 'wasm32-unknown-unknown', 'release', `${CRATE}.wasm`);
  if (!existsSync(wasm)) fail(`cargo finished but ${wasm} is missing`);
  return wasm;
}

/**
 * wasm-bindgen's CLI must be exactly the version of the crate in Cargo.lock, or the glue it
 * writes does not fit the wasm.
 */
function checkBindgen() {
  const lock = readFileSync(join(ROOT, 'Cargo.lock'), 'utf8');
  const wanted = /\[\[package\]\]\nname = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
  const found = spawnSync('wasm-bindgen', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    fail(`wasm-bindgen is not installed: run cargo install wasm-bindgen-cli --version ${wanted}`);
  }
  const version = found.stdout.trim().split(/\s+/)[1];
  if (wanted !== undefined && version !== wanted) {
    fail(`wasm-bindgen ${version} is installed but Cargo.lock has ${wanted}: run ` +
      `cargo install wasm-bindgen-cli --version ${wanted}`);
  }
  return version;
}

/**
 * Runs wasm-opt from the npm package binaryen, keeping its output only when smaller.
 *
 * wasm-opt reads the features the wasm may use from the target_features section rustc
 * writes. `--all-features` is not passed: it lets wasm-opt introduce features of its own
 * choosing (stringref among them), which Node 20 cannot compile.
 */
function optimize(wasm) {
  const wasmOpt = join(ROOT, 'node_modules', '.bin', 'wasm-opt');
  if (!existsSync(wasmOpt)) {
    log('wasm-opt not found (run npm install); the wasm is left unoptimized');
    return;
  }
  const optimized = `${wasm}.opt`;
  run(wasmOpt, ['-O3', wasm, '-o', optimized]);
  const before = statSync(wasm).size;
  const after = statSync(optimized).size;
  if (after < before) {
    renameSync(optimized, wasm);
    log(`wasm-opt: ${kib(before)} -> ${kib(after)}`);
  } else {
    rmSync(optimized);
    log(`wasm-opt: no gain (${kib(before)} -> ${kib(after)}); kept the original`);
  }
}

/**
 * The page's single-file build, dist/cloudtrail-triage.html (scripts/page.mjs), when it is
 * missing or older than what it is made of.
 */
async function singleFilePage() {
  const page = await import('./page.mjs');
  try {
    await import('esbuild');
  } catch {
    log('esbuild not found (run npm install); the single-file page was not built');
    return;
  }
  if (!process.argv.includes('--force') && page.singleFileUpToDate()) {
    log(`${page.SINGLE_FILE} is up to date`);
    return;
  }
  const { bytes } = await page.buildSingleFile();
  log(`wrote ${page.SINGLE_FILE} (${kib(bytes)})`);
}

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} failed with status ${result.status}`);
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

function log(message) {
  process.stderr.write(`build: ${message}\n`);
}

function fail(message) {
  log(message);
  process.exit(1);
}
