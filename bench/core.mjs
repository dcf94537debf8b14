// The wasm core alone, fed as the CLI feeds it (batches of at most 250 lines and 1 MiB, one
// call each) but without the CLI around it: the counterpart of examples/bench_native.rs.
//
//   node bench/core.mjs [--enrich] FILE
//
// Writes one line of JSON to standard error: events, input bytes, result bytes, and the seconds
// spent in the core's calls (the results' text crossing back into JS included).

import { readFileSync } from 'node:fs';

import { initSync, Engine } from '../js/pkg/cloudtrail_triage.js';
import { batches } from './lines.mjs';

const args = process.argv.slice(2);
const enrich = args.includes('--enrich');
const path = args.find((arg) => !arg.startsWith('--'));

initSync({ module: readFileSync(new URL('../js/pkg/cloudtrail_triage_bg.wasm', import.meta.url)) });
const engine = new Engine({ rules: [{ builtin: 'latest' }], enrich });

let events = 0;
let bytes = 0;
let out = 0;
let seconds = 0;
for (const batch of batches(path)) {
  const started = performance.now();
  const text = engine.run(batch.bytes, events, batch.firstLine - 1);
  seconds += (performance.now() - started) / 1000;
  events += batch.lines;
  bytes += batch.bytes.length;
  out += text.length;
}
process.stderr.write(JSON.stringify({ events, bytes, out, core_seconds: seconds }) + '\n');
