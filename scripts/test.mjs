#!/usr/bin/env node
// Every test: after setting up what a fresh machine lacks (scripts/setup.mjs), the Rust
// workspace (`cargo test`), then the wasm build and the JS suites (tests/js/, and
// tests/browser/ once it holds tests). Runs them all, even after a failure, and exits non-zero
// if any failed.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));

const steps = [
  ['setup', process.execPath, ['scripts/setup.mjs']],
  ['cargo test', 'cargo', ['test', '--workspace']],
  ['wasm build', process.execPath, ['scripts/build.mjs']],
];
for (const dir of ['tests/js', 'tests/browser']) {
  if (hasTests(join(ROOT, dir))) steps.push([`node --test ${dir}/`, process.execPath, ['--test', `${dir}/`]]);
}

const failed = [];
for (const [name, command, args] of steps) {
  // Without the setup nothing else can run; the JS suites need the build as well.
  if (failed.includes('setup') || (failed.includes('wasm build') && name.startsWith('node --test'))) {
    failed.push(name);
    report(name, `skipped: ${failed.includes('setup') ? 'the setup' : 'the wasm build'} failed`);
    continue;
  }
  const started = performance.now();
  report(name, 'running');
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const ok = result.status === 0;
  if (!ok) failed.push(name);
  report(name, `${ok ? 'passed' : 'FAILED'} in ${seconds} s`);
}

if (failed.length > 0) {
  report('all', `failed: ${failed.join(', ')}`);
  process.exit(1);
}
report('all', 'passed');

function hasTests(dir) {
  return existsSync(dir) && readdirSync(dir, { recursive: true }).some((f) => /\.test\.m?js$/.test(f));
}

function report(name, message) {
  process.stderr.write(`test: ${name}: ${message}\n`);
}
