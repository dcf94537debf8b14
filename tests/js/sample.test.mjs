// The bundled sample (examples/sample.ndjson) through the CLI: every verdict shows up, and
// --compare counts what each tuning of the rule changes.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { SAMPLE, parseLines, runCli } from './helpers.mjs';

// Per version: alerts, repeats, matches, non-matches, on the sample's 58 events.
const COUNTS = {
  v1: [8, 30, 38, 20],
  v2: [8, 28, 36, 22],
  v3: [6, 18, 24, 34],
  v4: [5, 12, 17, 41],
  v5: [5, 12, 17, 41],
};

// Each tuning: alerts and matches before and after, the change in matches, and the events
// whose verdict changes as `index:kind:rule that raises it`.
const COMPARE = [
  ['v1', 'v2', [8, 8], [38, 36], -5.3, '22:alert:v1 52:alert:v2 23:match:v1'],
  ['v2', 'v3', [8, 6], [36, 24], -33.3, '24:alert:v2 27:alert:v2 39:alert:v2 54:alert:v2 31:alert:v3 56:alert:v3 25:match:v2 28:match:v2 29:match:v2 30:match:v2 33:match:v2 40:match:v2 43:match:v2 55:match:v2'],
  ['v3', 'v4', [6, 5], [24, 17], -29.2, '14:alert:v3 45:alert:v3 49:alert:v4 15:match:v3 16:match:v3 18:match:v3 26:match:v3 46:match:v3'],
  ['v4', 'v5', [5, 5], [17, 17], 0, ''],
];

test('the sample gives every verdict, with the counts written here', async () => {
  for (const [version, [alerts, repeats, matches, noMatch]] of Object.entries(COUNTS)) {
    const { status, stdout } = await runCli(['--rule', version, '--format', 'ndjson', SAMPLE]);
    assert.equal(status, 0);
    const results = parseLines(stdout);
    assert.equal(results.length, 58);
    const count = (verdict) => results.filter((r) => r.verdict === verdict).length;
    assert.deepEqual(
      [count('alert'), count('repeat'), results.filter((r) => r.match).length, count('no_match')],
      [alerts, repeats, matches, noMatch],
      version,
    );
  }
});

test('--compare on the sample: counts, change and the events that differ', async () => {
  for (const [a, b, alerts, matches, change, differences] of COMPARE) {
    const { status, stdout } = await runCli(['--compare', a, b, '--format', 'json', SAMPLE]);
    assert.equal(status, 0);
    const report = JSON.parse(stdout);
    assert.deepEqual([report.alerts[a], report.alerts[b]], alerts, `${a} ${b} alerts`);
    assert.deepEqual([report.matches[a], report.matches[b]], matches, `${a} ${b} matches`);
    assert.equal(report.matches.change_percent, change, `${a} ${b} change`);
    assert.equal(report.differences.map((d) => `${d.index}:${d.kind}:${d.only}`).join(' '), differences, `${a} ${b}`);
    for (const difference of report.differences) assert.ok(difference.why.length > 0);
  }
});

test('--compare v2 v3 names the clause that v3 added for the AWS-internal calls', async () => {
  const { stdout } = await runCli(['--compare', 'v2', 'v3', SAMPLE]);
  assert.match(stdout, /^v2 and v3 on 58 events from .*sample\.ndjson\n/);
  assert.match(stdout, /\nalerts +8 +6 +-25\.0%\n/);
  assert.match(stdout, /\nmatches +36 +24 +-33\.3%\n/);
  assert.match(stdout, /alerts v2 raises and v3 does not: 4\n +#24 .*\n +v3: fails source\.ip: \* \[got nothing\]/);
  assert.match(stdout, /alerts v3 raises and v2 does not: 2\n +#31 .*\n +v2: repeat: /);
});
