// A prototype of the CLI's ndjson road over the core's byte output (`Engine.runNdjson` and
// `Engine.verdicts`), to measure what the CLI would gain from it: the same reading and
// chunking as the CLI (64 KiB reads, js/chunker.mjs), the same counts for the closing summary,
// but results written out as the bytes the core returns, never decoded into JS strings, split
// and encoded again.
//
//   node bench/bytes.mjs [--enrich] FILE|- > results.ndjson
//
// Not a replacement for the CLI: no filters, tables, several inputs or gzip.

import { once } from 'node:events';
import { createReadStream, readFileSync } from 'node:fs';

import { Chunker } from '../js/chunker.mjs';
import { initSync, Engine } from '../js/pkg/cloudtrail_triage.js';

const VERDICTS = ['alert', 'repeat', 'match', 'no_match', 'error'];

const args = process.argv.slice(2);
const enrich = args.includes('--enrich');
const path = args.find((arg) => !arg.startsWith('--'));

initSync({ module: readFileSync(new URL('../js/pkg/cloudtrail_triage_bg.wasm', import.meta.url)) });
const engine = new Engine({ rules: [{ builtin: 'latest' }], enrich });
const counts = new Array(VERDICTS.length).fill(0);
const chunker = new Chunker();
let next = 0;

async function write(bytes) {
  if (!process.stdout.write(bytes)) await once(process.stdout, 'drain');
}

function run(batch) {
  if (batch.kind === 'oversized') throw new Error('the prototype does not handle oversized lines');
  const bytes = engine.runNdjson(batch.bytes, next, batch.firstLine - 1);
  const verdicts = engine.verdicts();
  for (const code of verdicts) counts[code] += 1;
  next += verdicts.length;
  return bytes;
}

const input = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 16 });
for await (const piece of input) {
  for (const batch of chunker.push(piece)) await write(run(batch));
}
for (const batch of chunker.end()) await write(run(batch));

const tally = Object.fromEntries(VERDICTS.map((verdict, i) => [verdict, counts[i]]));
process.stderr.write(JSON.stringify({ events: next, ...tally }) + '\n');
