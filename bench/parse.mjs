// The floor: `JSON.parse` of every line and nothing else, read as the baseline reads.
//
//   node bench/parse.mjs FILE

import { textLines } from './lines.mjs';

let events = 0;
let keys = 0;
for (const line of textLines(process.argv[2])) {
  if (line.trim() === '') continue;
  keys += Object.keys(JSON.parse(line)).length;
  events += 1;
}
process.stderr.write(JSON.stringify({ events, keys }) + '\n');
