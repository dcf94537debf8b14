// The CLI on a terminal: a table by default, coloured verdicts, progress on standard error for
// runs over a second. The terminal comes from util-linux's `script`; without it these tests
// are skipped and say so.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { CLI, EVENTS, ROOT } from './helpers.mjs';

const SCRIPT = '/usr/bin/script';
const NO_SCRIPT = !existsSync(SCRIPT) && `${SCRIPT} is missing: the terminal behaviour was not checked`;

/** Runs a shell command line with its standard streams on a pseudo-terminal. */
function onTerminal(command, env = {}) {
  const result = spawnSync(SCRIPT, ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', COLUMNS: '', ...env },
  });
  return { status: result.status, output: result.stdout.replace(/\r/g, '') };
}

const quote = (text) => `'${text.replace(/'/g, `'\\''`)}'`;

test('on a terminal the table is the default, verdicts coloured', { skip: NO_SCRIPT }, () => {
  const { status, output } = onTerminal(`stty cols 160; ${quote(process.execPath)} ${quote(CLI)} --rule v5 ${quote(EVENTS)}`);
  assert.equal(status, 0);
  assert.match(output, /^ +# +v5 +time +action +user +source +why\n/);
  assert.match(output, /\n +0 +\u001b\[1;31malert +\u001b\[0m +2025-11-03 09:12 +CreateAccessKey /);
  assert.match(output, /cloudtrail-triage: 13 events, 3 errors in/);
  for (const line of output.split('\n')) assert.ok(line.replace(/\u001b\[[0-9;]*m/g, '').length <= 160, line);

  const plain = onTerminal(`stty cols 160; ${quote(process.execPath)} ${quote(CLI)} --rule v5 ${quote(EVENTS)}`, { NO_COLOR: '1' });
  assert.doesNotMatch(plain.output, /\u001b\[1;31m/);
});

test('progress shows on a terminal once a run passes a second, and is cleared', { skip: NO_SCRIPT }, () => {
  const slow = `(head -n 6 ${quote(EVENTS)}; sleep 1.6; tail -n +7 ${quote(EVENTS)})`;
  const cli = `${quote(process.execPath)} ${quote(CLI)} --format ndjson -`;
  const { status, output } = onTerminal(`${slow} | ${cli} > /dev/null`);
  assert.equal(status, 0);
  assert.match(output, /\u001b\[K\d[\d,]* events, [\d,]+ events\/s, [\d.]+ MB read/);
  assert.match(output, /\u001b\[Kcloudtrail-triage: 13 events, 3 errors in [12]\.\d s/);

  const quiet = onTerminal(`${slow} | ${cli} --quiet > /dev/null`);
  assert.equal(quiet.output, '');
});
