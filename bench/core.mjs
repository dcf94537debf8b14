// The wasm core alone, fed as the CLI feeds it (batches cut at the CLI's default limits of
// js/chunker.mjs, one call each) but without the CLI around it: the counterpart of
// examples/bench_native.rs.
//
//   node bench/core.mjs [--enrich] [--brief] [--pkg DIR] FILE
//
// --pkg names another wasm-bindgen output directory than js/pkg/ (to compare builds).
//
// Calls the core as the CLI does (`runNdjsonKept`, the results copied into one reused buffer,
// then `verdicts`). Writes one line of JSON to standard error: events, input bytes, result
// bytes, and the seconds spent in the core's calls (the results' bytes crossing back into JS
// included), as wall time and as the process's processor time.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { DEFAULT_LIMITS } from '../js/chunker.mjs';
import { batches } from './lines.mjs';

const args = process.argv.slice(2);
const enrich = args.includes('--enrich');
const brief = args.includes('--brief');
const pkgAt = args.indexOf('--pkg');
const pkg = pkgAt >= 0 ? pathToFileURL(resolve(args[pkgAt + 1]) + '/') : new URL('../js/pkg/', import.meta.url);
const path = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--pkg');

const { initSync, coreMemory, Engine } = await import(new URL('cloudtrail_triage.js', pkg).href);
initSync({ module: readFileSync(new URL('cloudtrail_triage_bg.wasm', pkg)) });
const engine = new Engine({ rules: [{ builtin: 'latest' }], enrich, brief });

let events = 0;
let bytes = 0;
let out = 0;
let seconds = 0;
let cpu = 0;
let output = new Uint8Array(0);
const limits = { lines: DEFAULT_LIMITS.chunkLines, bytes: DEFAULT_LIMITS.chunkBytes };
for (const batch of batches(path, limits)) {
  // The processor time is read outside the wall-clock window: reading it costs a system call.
  const startedCpu = process.cpuUsage();
  const started = performance.now();
  const length = engine.runNdjsonKept(batch.bytes, events, batch.firstLine - 1);
  if (output.length < length) output = new Uint8Array(Math.max(length, 2 * output.length));
  output.set(new Uint8Array(coreMemory().buffer, engine.keptAt(), length));
  engine.verdicts();
  seconds += (performance.now() - started) / 1000;
  const used = process.cpuUsage(startedCpu);
  cpu += (used.user + used.system) / 1e6;
  events += batch.lines;
  bytes += batch.bytes.length;
  out += length;
}
process.stderr.write(JSON.stringify({ events, bytes, out, core_seconds: seconds, cpu_seconds: cpu }) + '\n');
