#!/usr/bin/env node
// `npm start`: builds what is missing, triages the bundled sample events with the latest rule
// and prints the verdicts; then serves the page in www/ on 127.0.0.1 and prints its URL on a
// line of its own, serving until stopped (PORT chooses the port; any free one by default).
//
// scripts/page.mjs exports `serve({root, host})`, which starts a static server and resolves
// to `{url, close}`.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const SAMPLES = ['examples/sample.ndjson', 'tests/js/fixtures/events.ndjson'];

step(process.execPath, ['scripts/build.mjs']);

const sample = SAMPLES.find((path) => existsSync(join(ROOT, path)));
if (sample === undefined) {
  process.stderr.write(`start: no sample events found (looked for ${SAMPLES.join(', ')})\n`);
  process.exit(1);
}
process.stdout.write(`Verdicts of the latest rule on ${sample}:\n\n`);
step(process.execPath, ['js/cli.mjs', '--rule', 'latest', '--format', 'table', sample]);

const serveModule = join(ROOT, 'scripts', 'page.mjs');
if (existsSync(serveModule) && existsSync(join(ROOT, 'www'))) {
  const { serve } = await import(serveModule);
  const { url } = await serve({ root: ROOT, host: '127.0.0.1' });
  process.stdout.write(`\nThe page is served at\n${url}\n`);
}

function step(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
