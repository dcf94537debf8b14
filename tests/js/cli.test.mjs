// The CLI: the contract ingest scripts rely on, every flag, input shapes, exit statuses.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import * as lib from '../../js/index.mjs';
import { EVENTS, FIXTURES, oddPieces, parseLines, read, record, records, runCli } from './helpers.mjs';

const events = read(EVENTS);
const lines = events.split('\n').filter((line) => line.trim() !== '');
const TMP = mkdtempSync(join(tmpdir(), 'cloudtrail-triage-cli-'));

function tmp(name, content) {
  const path = join(TMP, name);
  writeFileSync(path, content);
  return path;
}

// The fixture's verdicts per built-in version, event by event (see tests/js/fixtures/README.md).
const VERDICTS = {
  v1: 'alert repeat no_match alert alert alert error alert no_match repeat alert error error',
  v2: 'alert repeat no_match alert alert no_match error alert no_match repeat alert error error',
  v3: 'alert repeat no_match alert no_match no_match error alert no_match repeat alert error error',
  v4: 'alert repeat no_match no_match no_match no_match error alert no_match alert alert error error',
  v5: 'alert repeat no_match no_match no_match no_match error alert no_match alert alert error error',
};
VERDICTS.latest = VERDICTS.v5;

test('contract: --rule VERSION --format ndjson FILE gives one object per event, in order', async () => {
  for (const [rule, verdicts] of Object.entries(VERDICTS)) {
    const { status, stdout, stderr } = await runCli(['--rule', rule, '--format', 'ndjson', EVENTS]);
    assert.equal(status, 0, stderr);
    const results = parseLines(stdout);
    assert.deepEqual(results.map((r) => r.index), [...Array(13).keys()], rule);
    assert.equal(results.map((r) => r.verdict).join(' '), verdicts, rule);
    for (const result of results) {
      assert.equal(typeof result.match, 'boolean');
      assert.equal(result.alert, result.verdict === 'alert');
      assert.ok(Array.isArray(result.reasons) && result.reasons.every((r) => typeof r === 'string'));
      if (result.verdict === 'error') {
        assert.equal(result.match, false);
        assert.equal(result.alert, false);
        assert.equal(typeof result.error, 'string');
      } else {
        assert.equal(result.error, undefined);
      }
    }
  }
});

test('contract: the same from standard input with -', async () => {
  const fromFile = await runCli(['--rule', 'v4', '--format', 'ndjson', EVENTS]);
  const fromStdin = await runCli(['--rule', 'v4', '--format', 'ndjson', '-'], { input: events });
  assert.equal(fromStdin.status, 0);
  assert.equal(fromStdin.stdout, fromFile.stdout);
});

test('contract: --rule path/to/rule.toml', async () => {
  const { status, stdout } = await runCli(['--rule', join(FIXTURES, 'iam-session-3d.toml'), '--format', 'ndjson', EVENTS]);
  assert.equal(status, 0);
  const results = parseLines(stdout);
  assert.equal(results[0].rule, 'iam-session-3d');
  // Ten days after alice's last match: outside three days as well.
  assert.equal(results[9].verdict, 'alert');
});

test('contract: --query matches without alerting', async () => {
  const { status, stdout } = await runCli(['--query', 'event.provider: "iam.amazonaws.com" and source.ip: *', '--format', 'ndjson', EVENTS]);
  assert.equal(status, 0);
  const results = parseLines(stdout);
  assert.equal(results.length, 13);
  assert.equal(results.map((r) => (r.error ? 'E' : r.match ? 'M' : '-')).join(''), 'MMMM-MEM-MMEE');
  assert.ok(results.every((r) => r.alert === false));
});

test('contract: --enrich adds the normalized, enriched event, digits intact', async () => {
  const { stdout } = await runCli(['--rule', 'v5', '--enrich', '--format', 'ndjson', EVENTS]);
  const texts = stdout.trimEnd().split('\n');
  const results = texts.map((text) => JSON.parse(text));
  for (const result of results) assert.equal('event' in result, result.error === undefined);
  assert.equal(results[3].event.aws.cloudtrail.session_credential_from_console, 'true');
  assert.equal(results[0].event.source.ip, '203.0.113.10');
  assert.match(texts[7], /"event.sequence":12345678901234567891\}/);

  const plain = parseLines((await runCli(['--rule', 'v5', '--format', 'ndjson', EVENTS])).stdout);
  assert.ok(plain.every((result) => !('event' in result)));
});

test('contract: an invalid query or rule exits 2 with a message, before reading any input', async () => {
  const cases = [
    [['--query', 'event.action: (a or'], /invalid query.*\n.*expected/],
    [['--query', 'a: "unterminated'], /invalid query/],
    [['--rule', join(FIXTURES, 'eql-rule.toml')], /invalid rule .*eql-rule\.toml:\n.*eql/],
    [['--rule', tmp('not-toml.toml', 'rule = [')], /invalid rule/],
    [['--rule', 'v9'], /--rule v9: not a built-in version/],
    [['--rule', 'v5', '--query', 'x: ('], /invalid query/],
  ];
  for (const [args, message] of cases) {
    // Standard input stays open: a CLI that read it first would never exit.
    const { status, stdout, stderr } = await runCli([...args, '--format', 'ndjson', '-'], { keepStdinOpen: true });
    assert.equal(status, 2, args.join(' '));
    assert.equal(stdout, '');
    assert.match(stderr, message);
  }
});

test('a mix of good and broken lines gives one result per event, in order', async () => {
  const mixed = [
    lines[0],
    '{"eventVersion": "1.08", "userIdentity": {',
    '',
    'not json at all',
    '   ',
    '[{"a": 1}, {"b": 2}]',
    '{"no": "known fields"}',
    '42',
    '\u00ff\u00fe',
    lines[1],
    '{"a": "\\ud800 lone surrogate"}',
    lines[2],
  ].join('\n');
  const bytes = Buffer.concat([Buffer.from(mixed), Buffer.from([0x0a, 0xc3, 0x28, 0x0a]), Buffer.from(lines[3])]);
  for (const chunkLines of ['1', '2', '1000']) {
    const { status, stdout } = await runCli(['--format', 'ndjson', '--chunk-lines', chunkLines, '-'], { input: bytes });
    assert.equal(status, 0);
    const results = parseLines(stdout);
    // 13 non-blank lines, each one event.
    assert.deepEqual(results.map((r) => r.index), [...Array(12).keys()], `chunk of ${chunkLines}`);
    assert.deepEqual(
      results.map((r) => (r.error === undefined ? r.verdict : 'error')),
      ['alert', 'error', 'error', 'error', 'error', 'error', 'error', 'repeat', 'error', 'no_match', 'error', 'no_match'],
      `chunk of ${chunkLines}`,
    );
    assert.match(results[1].error, /line 2/);
    assert.match(results[10].error, /^event 10 \(line 13\) is not valid UTF-8/);
  }
});

test('every input shape: NDJSON, JSON array, Records file, single event, gzip of each', async () => {
  const objects = lines.filter((line) => line.startsWith('{"eventVersion') && line.endsWith('}')).map((l) => JSON.parse(l));
  const shapes = {
    ndjson: objects.map((o) => JSON.stringify(o)).join('\n'),
    array: JSON.stringify(objects, null, 2),
    records: JSON.stringify({ Records: objects }),
    prettyRecords: JSON.stringify({ Records: objects }, null, 4),
    recordsLines: [JSON.stringify({ Records: objects.slice(0, 4) }), JSON.stringify({ Records: objects.slice(4) })].join('\n'),
  };
  const expected = parseLines((await runCli(['--format', 'ndjson', '-'], { input: shapes.ndjson })).stdout);
  assert.equal(expected.length, objects.length);
  for (const [name, text] of Object.entries(shapes)) {
    for (const input of [text, gzipSync(text)]) {
      const { status, stdout } = await runCli(['--format', 'ndjson', '-'], { input });
      assert.equal(status, 0, name);
      assert.deepEqual(parseLines(stdout).map((r) => [r.index, r.verdict]), expected.map((r) => [r.index, r.verdict]), name);
    }
  }

  const single = JSON.stringify(objects[0], null, 2);
  const { stdout } = await runCli(['--format', 'ndjson', tmp('single.json', single)]);
  assert.deepEqual(parseLines(stdout).map((r) => r.verdict), ['alert']);
});

test('gzip is known by its magic bytes, not by a file name', async () => {
  const file = tmp('events.txt', gzipSync(events));
  const { status, stdout } = await runCli(['--format', 'ndjson', file]);
  assert.equal(status, 0);
  assert.equal(parseLines(stdout).length, 13);

  // Several gzip members one after another, as `cat a.gz b.gz` makes them.
  const twice = Buffer.concat([gzipSync(lines.slice(0, 3).join('\n') + '\n'), gzipSync(lines.slice(3).join('\n'))]);
  assert.equal(parseLines((await runCli(['--format', 'ndjson', '-'], { input: twice })).stdout).length, 13);
});

test('damaged gzip: the events before the damage, one error for the rest, exit status 1', async () => {
  const whole = gzipSync(records(200));
  const cut = whole.subarray(0, Math.floor(whole.length * 0.6));
  const { status, stdout, stderr } = await runCli(['--format', 'ndjson', '-'], { input: cut });
  assert.equal(status, 1);
  const results = parseLines(stdout);
  assert.ok(results.length > 10 && results.length < 200, `${results.length} results`);
  assert.deepEqual(results.map((r) => r.index), [...Array(results.length).keys()]);
  const last = results.at(-1);
  assert.equal(last.verdict, 'error');
  assert.match(last.error, /the gzip data is damaged or cut off after \d+ bytes/);
  assert.ok(results.slice(0, -1).every((r) => r.error === undefined));
  assert.match(stderr, /standard input: .*gzip data is damaged/);
});

test('output does not depend on how standard input arrives', async () => {
  const input = Buffer.from(records(400, 7) + events + records(50, 3));
  const args = ['--rule', 'v1', '--rule', 'v5', '--enrich', '--format', 'ndjson', '--chunk-lines', '16'];
  const file = tmp('arrival.ndjson', input);
  const fromFile = await runCli([...args, file]);
  assert.equal(fromFile.status, 0);
  assert.equal(parseLines(fromFile.stdout).length, 463);
  for (const max of [1, 7, 333, 70_000]) {
    const pieces = max === 1 ? oddPieces(input.subarray(0, 5000), 1).concat([input.subarray(5000)]) : oddPieces(input, max);
    const fromStdin = await runCli([...args, '-'], { input: pieces });
    assert.equal(fromStdin.stdout, fromFile.stdout, `pieces of up to ${max} bytes`);
  }
  // Gzipped, the decompressed pieces arrive cut elsewhere again.
  const gzipped = await runCli([...args, '-'], { input: oddPieces(gzipSync(input), 100) });
  assert.equal(gzipped.stdout, fromFile.stdout);
});

test('a reader slower than the CLI gets every result as the core wrote it', async () => {
  // Batches of a few MB each, more than a pipe holds: the CLI writes each batch's bytes from
  // one reused buffer, so it must wait for a write to finish before the next batch.
  const input = Buffer.from(records(3000, 7));
  const args = ['--rule', 'v1', '--rule', 'v5', '--enrich', '--format', 'ndjson', '--chunk-lines', '1000', '-'];
  const slow = await runCli(args, { input, slowReader: true });
  assert.equal(slow.status, 0);
  const triage = new lib.Triage({ rules: ['v1', 'v5'], enrich: true });
  let expected = '';
  for await (const batch of triage.stream([input], { limits: { chunkLines: 1000 } })) {
    expected += Buffer.from(batch.ndjson).toString('utf8');
  }
  triage.free();
  assert.equal(parseLines(expected).length, 3000);
  assert.equal(slow.stdout, expected);
});

test('on events in time order the batch size does not change a single verdict', async () => {
  const input = records(300, 11);
  const outputs = [];
  for (const chunkLines of ['1', '7', '100', '1000']) {
    outputs.push((await runCli(['--rule', 'v2', '--format', 'ndjson', '--chunk-lines', chunkLines, '-'], { input })).stdout);
  }
  // Key provenance sums up what the core has read up to the end of a batch, so only the
  // verdicts are compared here.
  const verdicts = outputs.map((output) => parseLines(output).map((r) => `${r.index} ${r.verdict} ${r.reasons.join('|')}`));
  assert.equal(verdicts[0].filter((v) => v.includes(' alert ')).length, 11);
  for (const each of verdicts) assert.deepEqual(each, verdicts[0]);
});

test('--format json writes one array of the same results', async () => {
  const ndjson = (await runCli(['--format', 'ndjson', EVENTS])).stdout;
  const { status, stdout } = await runCli(['--format', 'json', EVENTS]);
  assert.equal(status, 0);
  assert.deepEqual(JSON.parse(stdout), parseLines(ndjson));
  assert.equal((await runCli(['--format', 'json', '-'], { input: '' })).stdout, '[]\n');
});

/** A whole result as its brief form: no reasons, summary, provenance, clause values or notes. */
function briefOf(result) {
  const kept = (object, dropped, change = {}) => Object.fromEntries(Object.entries(object)
    .filter(([key]) => !dropped.includes(key))
    .map(([key, value]) => [key, change[key] ? change[key](value) : value]));
  const verdict = (object, dropped = []) => kept(object, ['reasons', ...dropped], {
    clauses: (clauses) => clauses.map(({ clause, pass }) => ({ clause, pass })),
    rules: (rules) => rules.map((rule) => verdict(rule)),
  });
  return verdict(result, ['summary', 'provenance']);
}

test('--brief writes each whole result without its explanation, in ndjson or json', async () => {
  for (const args of [['--rule', 'v4'], ['--rule', 'v2', '--rule', 'v5', '--enrich']]) {
    const whole = parseLines((await runCli([...args, '--format', 'ndjson', EVENTS])).stdout);
    const { status, stdout } = await runCli([...args, '--brief', EVENTS]);
    assert.equal(status, 0);
    const brief = parseLines(stdout);
    assert.equal(brief.length, 13);
    // Key order too: a brief result is its whole result with members taken out.
    assert.equal(brief.map((r) => JSON.stringify(r)).join('\n'), whole.map((r) => JSON.stringify(briefOf(r))).join('\n'));
    assert.ok(stdout.length < 0.6 * whole.map((r) => JSON.stringify(r)).join('\n').length, args.join(' '));
    assert.ok(brief.every((r) => r.reasons === undefined && r.provenance === undefined));

    const json = await runCli([...args, '--brief', '--format', 'json', EVENTS]);
    assert.deepEqual(JSON.parse(json.stdout), brief);
  }
  const alerts = parseLines((await runCli(['--brief', '--only', 'alerts', EVENTS])).stdout);
  assert.deepEqual(alerts.map((r) => r.index), [0, 7, 9, 10]);
  assert.ok(alerts.every((r) => r.new_term.field === 'aws.cloudtrail.user_identity.arn'));
});

test('--brief names the input of an error result, and refuses what needs the explanation', async () => {
  const a = tmp('brief-a.ndjson', lines.slice(0, 2).join('\n'));
  const b = tmp('brief-b.ndjson', ['{"broken', lines[9]].join('\n'));
  const { status, stdout } = await runCli(['--brief', a, b]);
  assert.equal(status, 0);
  const results = parseLines(stdout);
  assert.deepEqual(results.map((r) => [r.index, r.verdict]), [[0, 'alert'], [1, 'repeat'], [2, 'error'], [3, 'alert']]);
  assert.match(results[2].error, /brief-b\.ndjson: event 2 \(line 1\)/);
  assert.equal(results[2].reasons, undefined);

  for (const args of [['--format', 'table'], ['--format', 'summary'], ['--compare', 'v4', 'v5']]) {
    const refused = await runCli(['--brief', ...args, EVENTS]);
    assert.equal(refused.status, 2, args.join(' '));
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /--brief (applies to --format ndjson and json|does not apply to --compare)/);
  }
});

test('--format table is the default on a terminal only; ndjson otherwise', async () => {
  const piped = await runCli([EVENTS]);
  assert.equal(parseLines(piped.stdout).length, 13);
  const table = await runCli(['--format', 'table', EVENTS]);
  assert.match(table.stdout, /^ +# +latest +time +action +user +source +why\n/);
  // One row per event; the lines under the alerts describe their keys.
  const rows = table.stdout.trimEnd().split('\n').slice(1).filter((line) => /^ +\d+  /.test(line));
  assert.equal(rows.length, 13);
});

test('--format table fits the width it is given', async () => {
  const { stdout } = await runCli(['--format', 'table', EVENTS], { env: { COLUMNS: '100' } });
  for (const line of stdout.trimEnd().split('\n')) assert.ok([...line].length <= 100, line);
  assert.match(stdout, /…/);
});

test('--format summary counts verdicts and the clauses that fail', async () => {
  const { status, stdout } = await runCli(['--rule', 'v3', '--format', 'summary', EVENTS]);
  assert.equal(status, 0);
  assert.match(stdout, /^13 events, 3 errors/);
  assert.match(stdout, /\nv3 +4 +2 +6 +4\n/);
  assert.match(stdout, /source\.ip: \* +1\n/);
});

test('--only keeps alerts, matches or errors; several may be given', async () => {
  const indexes = async (...only) =>
    parseLines((await runCli([...only.flatMap((o) => ['--only', o]), '--rule', 'v1', '--format', 'ndjson', EVENTS])).stdout).map((r) => r.index);
  assert.deepEqual(await indexes('alerts'), [0, 3, 4, 5, 7, 10]);
  assert.deepEqual(await indexes('matches'), [0, 1, 3, 4, 5, 7, 9, 10]);
  assert.deepEqual(await indexes('errors'), [6, 11, 12]);
  assert.deepEqual(await indexes('alerts', 'errors'), [0, 3, 4, 5, 6, 7, 10, 11, 12]);
  assert.deepEqual(await indexes('alerts,errors'), [0, 3, 4, 5, 6, 7, 10, 11, 12]);

  // With several rules an event is kept when any of them says so.
  const both = parseLines((await runCli(['--only', 'alerts', '-r', 'v3', '-r', 'v5', EVENTS])).stdout);
  assert.deepEqual(both.map((r) => r.index), [0, 3, 7, 9, 10]);

  // What is kept are the lines of the whole output, byte for byte, and every event is counted.
  const whole = await runCli(['--rule', 'v1', '--format', 'ndjson', EVENTS]);
  const kept = await runCli(['--only', 'alerts,errors', '--rule', 'v1', '--format', 'ndjson', EVENTS]);
  const wholeLines = whole.stdout.split('\n');
  assert.equal(kept.stdout, [0, 3, 4, 5, 6, 7, 10, 11, 12].map((i) => wholeLines[i] + '\n').join(''));
  const summary = (stderr) => stderr.replace(/ in [0-9.]+ s;/, ';');
  assert.equal(summary(kept.stderr), 'cloudtrail-triage: 13 events, 3 errors; v1: 6 alerts, 8 matches\n');
  assert.equal(summary(kept.stderr), summary(whole.stderr));
});

test('--compare reports counts, the change in percent and each difference with its clause', async () => {
  const { status, stdout } = await runCli(['--compare', 'v2', 'v3', EVENTS]);
  assert.equal(status, 0);
  assert.match(stdout, /^v2 and v3 on 13 events/);
  assert.match(stdout, /\nalerts +5 +4 +-20\.0%\n/);
  assert.match(stdout, /\nmatches +7 +6 +-14\.3%\n/);
  assert.match(stdout, /alerts v2 raises and v3 does not: 1\n +#4 .*GetAccessKeyLastUsed.*\n +v3: fails source\.ip: \* \[got nothing\]/);
  assert.match(stdout, /alerts v3 raises and v2 does not: 0\n/);

  const json = JSON.parse((await runCli(['--compare', 'v2', 'v3', '--format', 'json', EVENTS])).stdout);
  assert.deepEqual(json.alerts, { v2: 5, v3: 4, change_percent: -20 });
  assert.deepEqual(json.differences.map((d) => [d.index, d.kind, d.only]), [[4, 'alert', 'v2']]);

  const ndjson = parseLines((await runCli(['--compare', 'v3', 'v4', '--format', 'ndjson', EVENTS])).stdout);
  assert.deepEqual(ndjson.map((d) => [d.index, d.only, d.not]), [[3, 'v3', 'v4'], [9, 'v4', 'v3']]);
  assert.match(ndjson[1].why, /^repeat: .*inside the 14-day history window/);

  const summary = (await runCli(['--compare', 'v1', 'latest', '--format', 'summary', EVENTS])).stdout;
  assert.equal(summary, '         v1  latest  change\nalerts    6       4  -33.3%\nmatches   8       5  -37.5%\n');
});

test('--compare takes rule files and refuses what does not apply to it', async () => {
  const { status, stdout } = await runCli(['--compare', 'v5', join(FIXTURES, 'iam-session-3d.toml'), EVENTS]);
  assert.equal(status, 0);
  assert.match(stdout, /v5 and iam-session-3d on 13 events/);

  const refused = [
    [['--compare', 'v1'], /--compare needs two rules/],
    [['--compare', 'v1', 'v2', '--rule', 'v3', EVENTS], /--compare takes its two rules itself/],
    [['--compare', 'v1', 'v2', '--only', 'alerts', EVENTS], /--only does not apply to --compare/],
    [['--compare', 'v1', EVENTS], /invalid rule .*events\.ndjson/],
  ];
  for (const [args, message] of refused) {
    const result = await runCli(args, { keepStdinOpen: true });
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, message);
  }
});

test('several files are read in turn, indexes going on, errors naming their file', async () => {
  const a = tmp('a.ndjson', lines.slice(0, 3).join('\n'));
  const b = tmp('b.ndjson.gz', gzipSync(['{"broken', lines[9]].join('\n')));
  const { status, stdout } = await runCli(['--format', 'ndjson', a, b]);
  assert.equal(status, 0);
  const results = parseLines(stdout);
  assert.deepEqual(results.map((r) => [r.index, r.verdict]), [[0, 'alert'], [1, 'repeat'], [2, 'no_match'], [3, 'error'], [4, 'alert']]);
  assert.match(results[3].error, new RegExp(`^${b.replace(/[.]/g, '\\.')}: event 3 \\(line 1\\)`));
  assert.equal(results[3].reasons[0], `error: ${results[3].error}`);
});

test('--chunk-lines and --max-document-size bound what is held at once', async () => {
  const array = tmp('array.json', JSON.stringify(lines.slice(0, 6).map((l) => JSON.parse(l))));
  const small = await runCli(['--max-document-size', '1K', '--format', 'ndjson', array]);
  assert.equal(small.status, 1);
  assert.match(small.stderr, /cannot read .*array\.json: the input is a single JSON document .* larger than 1 KiB/);
  assert.equal(small.stdout, '');

  const large = await runCli(['--max-document-size', '1M', '--format', 'ndjson', array]);
  assert.equal(large.status, 0);
  assert.equal(parseLines(large.stdout).length, 6);

  for (const bad of [['--chunk-lines', '0'], ['--chunk-lines', 'x'], ['--max-document-size', '12Q']]) {
    const result = await runCli([...bad, EVENTS]);
    assert.equal(result.status, 2, bad.join(' '));
  }
});

test('--help and --version follow the usual conventions', async () => {
  const help = await runCli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: cloudtrail-triage \[OPTIONS\] \[FILE \| -\]\.\.\./);
  for (const flag of ['--rule', '--query', '--compare', '--format', '--only', '--enrich', '--quiet', '--chunk-lines', '--max-document-size', '--version']) {
    assert.ok(help.stdout.includes(flag), flag);
  }
  assert.equal((await runCli(['-h'])).stdout, help.stdout);

  const version = await runCli(['--version']);
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `cloudtrail-triage ${pkg.version} (core ${pkg.version})\n`);
  assert.equal((await runCli(['-V'])).stdout, version.stdout);
});

test('exit status 2 on bad usage, 1 on unreadable input', async () => {
  const usage = [
    ['--bogus'],
    ['--format', 'xml'],
    ['--only', 'everything'],
    ['--rule'],
    ['--enrich=yes'],
    ['-', '-'],
  ];
  for (const args of usage) {
    const result = await runCli(args, { input: '' });
    assert.equal(result.status, 2, args.join(' '));
    assert.match(result.stderr, /Try 'cloudtrail-triage --help'/);
  }
  for (const path of [join(TMP, 'missing.ndjson'), TMP]) {
    const result = await runCli(['--format', 'ndjson', path]);
    assert.equal(result.status, 1, path);
    assert.match(result.stderr, /cannot read/);
    assert.equal(result.stdout, '');
  }
});

test('the summary goes to standard error; --quiet silences it', async () => {
  const loud = await runCli(['--rule', 'v3', EVENTS]);
  assert.match(loud.stderr, /^cloudtrail-triage: 13 events, 3 errors in \d+\.\d s; v3: 4 alerts, 6 matches\n$/);
  const quiet = await runCli(['--quiet', '--rule', 'v3', EVENTS]);
  assert.equal(quiet.stderr, '');
  assert.equal(quiet.stdout, loud.stdout);
});

test('options may follow the file and take = values; -- ends the options', async () => {
  const a = await runCli([EVENTS, '--rule=v2', '--format=ndjson', '--only=alerts']);
  const b = await runCli(['--rule', 'v2', '--format', 'ndjson', '--only', 'alerts', '--', EVENTS]);
  assert.equal(a.status, 0);
  assert.equal(a.stdout, b.stdout);
  assert.equal(parseLines(a.stdout).length, 5);
});

test('records made to order alert once per user', async () => {
  const input = [record('ann', '2025-11-01T00:00:00Z'), record('ann', '2025-11-01T00:05:00Z'), record('ben', '2025-11-01T00:06:00Z')]
    .map((r) => JSON.stringify(r))
    .join('\n');
  const results = parseLines((await runCli(['--format', 'ndjson', '-'], { input })).stdout);
  assert.deepEqual(results.map((r) => r.verdict), ['alert', 'repeat', 'alert']);
});

test('a reader that stops early (| head) ends the run quietly with status 0', async () => {
  const file = tmp('many.ndjson', records(3000, 9));
  const { spawnSync } = await import('node:child_process');
  const result = spawnSync('bash', ['-c', `"${process.execPath}" js/cli.mjs --format ndjson "${file}" | head -n 2 > /dev/null; echo "status \${PIPESTATUS[0]}"`], {
    cwd: new URL('../..', import.meta.url),
    encoding: 'utf8',
  });
  assert.equal(result.stdout, 'status 0\n');
  assert.equal(result.stderr, '');
});
