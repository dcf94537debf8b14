// Memory stays flat however large the input: 200 MB of records streamed through the CLI's
// standard input, made on the fly, with a peak resident set size under 150 MB.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { test } from 'node:test';

import { CLI, ROOT, recordBuffers } from './helpers.mjs';

const INPUT_BYTES = 200 * 1000 * 1000;
const LIMIT_KB = 150 * 1024;

test('200 MB through the CLI with a peak RSS under 150 MB', { timeout: 600_000 }, async (t) => {
  const child = spawn(
    process.execPath,
    ['--import', join(ROOT, 'tests', 'js', 'support', 'report-max-rss.mjs'), CLI, '--format', 'ndjson', '-'],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );

  let lines = 0;
  let alerts = 0;
  let tail = '';
  child.stdout.on('data', (chunk) => {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines += 1;
    // Alerts are rare here (one per user), so counting them by text is cheap enough.
    const text = tail + chunk.toString('latin1');
    alerts += text.split('"verdict":"alert"').length - 1;
    tail = text.slice(-20);
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));

  let written = 0;
  let events = 0;
  for (const buffer of recordBuffers(INPUT_BYTES, { users: 200 })) {
    written += buffer.length;
    for (let at = buffer.indexOf(10); at >= 0; at = buffer.indexOf(10, at + 1)) events += 1;
    if (!child.stdin.write(buffer)) await once(child.stdin, 'drain');
  }
  child.stdin.end();
  const [status] = await once(child, 'close');

  assert.equal(status, 0, stderr);
  assert.ok(written >= INPUT_BYTES);
  assert.equal(lines, events, 'one result per event');
  assert.equal(alerts, 200, 'each user alerts once: the state carried across every batch');
  const peak = Number(/max-rss-kb (\d+)/.exec(stderr)?.[1]);
  assert.ok(peak > 0, `no peak RSS reported: ${stderr}`);
  assert.ok(peak < LIMIT_KB, `peak RSS ${(peak / 1024).toFixed(0)} MB, over 150 MB`);
  t.diagnostic(`${(written / 1e6).toFixed(0)} MB in, ${events} events, peak RSS ${(peak / 1024).toFixed(0)} MB`);
});
