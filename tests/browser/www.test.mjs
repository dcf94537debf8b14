// The page's plain modules, run in Node: cutting a result's event out of its text, CSV fields,
// the comparison of two rules, where a pasted rule's error lies, the result store, and which
// paths the page server hands out.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import * as lib from '../../js/index.mjs';
import { servedPath } from '../../scripts/page.mjs';
import { Comparison, csvField, csvRow, cutMember, deciding } from '../../www/results.mjs';
import {
  caretDisplay,
  indexOfCodePoint,
  indexOfLineColumn,
  lineColumn,
  locateTomlQuery,
  ruleKind,
  tomlErrorIndex,
} from '../../www/rule-text.mjs';
import { ResultStore } from '../../www/store.mjs';
import { formatTime } from '../../www/verdicts.mjs';
import { SAMPLE, parseCsv } from './helpers.mjs';

test('cutMember takes a member out of an object text and leaves the rest as written', () => {
  const cases = [
    ['{"a":1,"event":{"x":[1,{"y":"}"}]},"b":2}', '{"a":1,"b":2}', '{"x":[1,{"y":"}"}]}'],
    ['{"event":"q\\"uote","b":2}', '{"b":2}', '"q\\"uote"'],
    ['{"a":1,"event":null}', '{"a":1}', 'null'],
    ['{ "a" : 1 , "event" : [ 1 , 2 ] }', '{ "a" : 1 }', '[ 1 , 2 ]'],
    ['{"a":{"event":1},"b":"event"}', '{"a":{"event":1},"b":"event"}', null],
    ['{}', '{}', null],
    ['{"n":12345678901234567890,"event":1.0}', '{"n":12345678901234567890}', '1.0'],
  ];
  for (const [text, rest, value] of cases) {
    assert.deepEqual(cutMember(text, 'event'), { rest, value }, text);
  }
});

test('cutMember on the core\'s results gives the results written without --enrich', () => {
  const sample = readFileSync(SAMPLE);
  const plain = new lib.Triage({ rules: ['v2', 'v5'] }).evaluateText(sample);
  const enriched = new lib.Triage({ rules: ['v2', 'v5'], enrich: true }).evaluateText(sample);
  const events = lib.evaluate(sample, { rules: ['latest'], enrich: true }).map((result) => result.event);
  assert.equal(enriched.length, plain.length);
  enriched.forEach((text, i) => {
    const { rest, value } = cutMember(text, 'event');
    assert.equal(rest, plain[i]);
    assert.deepEqual(JSON.parse(value), JSON.parse(JSON.stringify(events[i])));
  });
});

test('CSV fields are quoted as RFC 4180 says, and formulas are defused', () => {
  const cases = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rlf', '"cr\rlf"'],
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['=HYPERLINK("x","y")', '"\'=HYPERLINK(""x"",""y"")"'],
    [null, ''],
    [undefined, ''],
    [12, '12'],
  ];
  for (const [value, field] of cases) assert.equal(csvField(value), field, String(value));

  const line = csvRow({
    index: 3,
    verdict: 'no_match',
    rule: 'v5',
    reasons: ['no match: 1 of 2 clauses fail', 'pass: a', 'fail: b, "c"'],
    summary: { timestamp: 't', arn: 'arn,x', action: 'A', source: '=cmd', key_id: 'K' },
  });
  assert.deepEqual(parseCsv(line), [['3', 'no_match', 'v5', 't', 'arn,x', 'A', "'=cmd", 'K', 'fail: b, "c"']]);
});

test('a comparison counts alerts and matches per rule and finds the deciding clause', () => {
  const sample = readFileSync(SAMPLE);
  const results = lib.evaluate(sample, { rules: ['v2', 'v5'] });
  const comparison = new Comparison(['v2', 'v5']);
  for (const result of results) comparison.add(result);
  const summary = comparison.summary();

  const alerts = [0, 1].map((side) => results.filter((r) => r.rules[side].alert).length);
  const matches = [0, 1].map((side) => results.filter((r) => r.rules[side].match).length);
  assert.deepEqual(summary.alerts.counts, alerts);
  assert.deepEqual(summary.matches.counts, matches);

  const differing = results.filter((r) => r.rules[0].alert !== r.rules[1].alert);
  const listed = [...summary.sections.alert[0].listed, ...summary.sections.alert[1].listed];
  assert.deepEqual(listed.map((item) => item.index).sort((a, b) => a - b), differing.map((r) => r.index));
  for (const item of listed) {
    const { clauses, newTerms } = item.deciding;
    assert.ok(clauses.length > 0 || newTerms !== null, `event ${item.index} has no deciding reason`);
    for (const clause of clauses) assert.equal(typeof clause.clause, 'string');
  }
});

test('deciding: a clause missing in the other rule, and a new-terms difference', () => {
  const raising = {
    match: true,
    clauses: [{ clause: 'a: 1', pass: true, fields: [] }],
    new_term: { window_days: 7 },
  };
  const missing = {
    match: false,
    verdict: 'no_match',
    clauses: [
      { clause: 'a: 1', pass: true, fields: [] },
      { clause: 'not b: 2', pass: false, fields: [{ field: 'b', values: ['2'] }] },
    ],
  };
  assert.deepEqual(deciding(raising, missing), {
    newTerms: null,
    clauses: [{ clause: 'not b: 2', fields: [{ field: 'b', values: ['2'] }], notes: [], inRaising: false }],
  });

  const repeat = {
    match: true,
    verdict: 'repeat',
    reasons: ['match', 'repeat: seen at event 3'],
    clauses: [],
    new_term: { window_days: 14, previous: { index: 3, timestamp: 't' } },
  };
  assert.deepEqual(deciding(raising, repeat), {
    newTerms: { reason: 'repeat: seen at event 3', previous: 3, windowDays: [7, 14] },
    clauses: [],
  });
});

test('a pasted rule is told apart as TOML or KQL, and its error is placed in the box', () => {
  assert.equal(ruleKind('event.provider: iam.amazonaws.com'), 'kql');
  assert.equal(ruleKind('[metadata]\ncreation_date = "2025/01/01"\n[rule]\nquery = "a: b"'), 'toml');
  assert.equal(ruleKind('query = \'a: b\''), 'toml');

  const toml = '[rule]\nname = "x"\nquery = """\nevent.provider: iam.amazonaws.com and\n  (source.ip: * or\n"""\n';
  const found = locateTomlQuery(toml);
  assert.equal(found.query, 'event.provider: iam.amazonaws.com and\n  (source.ip: * or\n');
  assert.equal(toml.slice(found.start, found.start + 5), 'event');
  assert.deepEqual(locateTomlQuery("query = 'a: b'  # comment"), { start: 9, query: 'a: b' });
  assert.equal(locateTomlQuery('name = "x"'), null);

  const message = "the rule's query does not parse: expected a value";
  const index = tomlErrorIndex(toml, message, lib.checkQuery);
  const error = lib.checkQuery(found.query);
  assert.equal(index, found.start + error.offset);
  assert.equal(lineColumn(toml, index).line, 3 + error.line);

  const syntax = 'name = "x\nquery';
  const at = tomlErrorIndex(syntax, 'the rule is not valid TOML: newline in string found at line 1 column 10', lib.checkQuery);
  assert.equal(at, 9);
  assert.equal(tomlErrorIndex(toml, 'the rule has no name', lib.checkQuery), null);
});

test('positions count code points, as the core does', () => {
  assert.equal(indexOfCodePoint('a😀b', 2), 3);
  assert.deepEqual(lineColumn('ab\n😀c', 5), { line: 2, column: 2 });
  assert.equal(indexOfLineColumn('ab\n😀c', 2, 2), 5);
  assert.equal(indexOfLineColumn('ab', 9, 1), 2);
  assert.equal(caretDisplay('first\nsecond line', 13), '  second line\n         ^');

  const text = 'é: (b';
  const error = lib.checkQuery(text);
  assert.equal(indexOfCodePoint(text, error.offset), text.length);
});

test('the result store gives back each event and exports by verdict', async () => {
  const store = new ResultStore();
  store.add(['{"i":0,"event":{"e":0}}', '{"i":1,"error":"x"}'], ['alert', 'error']);
  store.add(['{"i":2,"event":{"e":2}}'], ['no_match']);

  assert.deepEqual(store.get(1), { result: '{"i":1,"error":"x"}', event: null });
  assert.deepEqual(store.get(2), { result: '{"i":2}', event: '{"e":2}' });
  assert.deepEqual(store.get(0), { result: '{"i":0}', event: '{"e":0}' });
  assert.throws(() => store.get(3), /no event 3/);

  const all = ['alert', 'repeat', 'match', 'no_match', 'error'];
  const results = store.export('results', all);
  assert.equal(await results.blob.text(), '{"i":0}\n{"i":1,"error":"x"}\n{"i":2}\n');
  assert.equal(results.count, 3);
  const events = store.export('events', all);
  assert.equal(await events.blob.text(), '{"e":0}\n{"e":2}\n');
  assert.equal(events.count, 2);
  const alerts = store.export('results', ['alert']);
  assert.equal(await alerts.blob.text(), '{"i":0}\n');
});

test('the server hands out the page, the library and the sample, and nothing else', () => {
  const cases = [
    ['/', ''],
    ['/www/', 'www/index.html'],
    ['/www/app.mjs', 'www/app.mjs'],
    ['/js/browser.mjs', 'js/browser.mjs'],
    ['/js/pkg/cloudtrail_triage_bg.wasm', 'js/pkg/cloudtrail_triage_bg.wasm'],
    ['/examples/sample.ndjson', 'examples/sample.ndjson'],
    ['/www/../Cargo.toml', null],
    ['/www/%2e%2e/Cargo.toml', null],
    ['/www%2f..%2fCargo.toml', null],
    ['/js/cli/args.mjs', null],
    ['/src/lib.rs', null],
    ['/.git/config', null],
    ['/examples/make_sample.rs', null],
    ['/www/%00.html', null],
  ];
  for (const [url, path] of cases) assert.equal(servedPath(url), path, url);
});

test('timestamps show to the second in UTC, and as written otherwise', () => {
  assert.equal(formatTime('2026-11-20T09:02:11.000Z'), '2026-11-20 09:02:11');
  assert.equal(formatTime('2026-11-20T09:02:11Z'), '2026-11-20 09:02:11');
  assert.equal(formatTime('2026-11-20T09:02:11+02:00'), '2026-11-20T09:02:11+02:00');
  assert.equal(formatTime(undefined), '');
});
