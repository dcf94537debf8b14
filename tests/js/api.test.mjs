// The library API in Node, on the real wasm core, and the browser entry point run in Node.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import * as lib from '../../js/index.mjs';
import { EVENTS, ROOT, read, record, records } from './helpers.mjs';

const events = read(EVENTS);
const lines = events.split('\n');

test('version, built-in rules and query checks', () => {
  assert.match(lib.version(), /^\d+\.\d+\.\d+/);

  const builtins = lib.builtinRules();
  assert.deepEqual(builtins.map((rule) => rule.name), ['v1', 'v2', 'v3', 'v4', 'v5']);
  assert.deepEqual(builtins.filter((rule) => rule.latest).map((rule) => rule.name), ['v5']);
  for (const rule of builtins) {
    assert.equal(rule.type, 'new_terms');
    assert.equal(rule.language, 'kuery');
    assert.deepEqual(rule.new_terms_fields, ['aws.cloudtrail.user_identity.arn']);
  }

  assert.equal(lib.checkQuery('event.provider: "iam.amazonaws.com" and source.ip: *'), null);
  const problem = lib.checkQuery('a: (b or');
  assert.equal(problem.line, 1);
  assert.equal(problem.column, 9);
  assert.match(problem.message, /expected/);
});

test('describeRules reads rules, and refuses bad ones with a RuleError', () => {
  const toml = read(`${ROOT}/tests/js/fixtures/iam-session-3d.toml`);
  const [info] = lib.describeRules([{ toml, name: 'three days' }]);
  assert.equal(info.name, 'three days');
  assert.equal(info.history_window_days, 3);
  assert.equal(info.rule_id, '00000000-0000-4000-8000-000000000003');

  assert.throws(() => lib.describeRules([{ query: 'a: (b' }]), { name: 'RuleError', message: /line 1/ });
  assert.throws(() => lib.describeRules(['v7']), { name: 'RuleError', message: /unknown built-in rule "v7"/ });
  assert.throws(() => lib.describeRules([{ toml: '[rule]\nlanguage = "eql"\nquery = "x"' }]), {
    name: 'RuleError',
    message: /eql/,
  });
  assert.throws(() => lib.describeRules([]), TypeError);
});

test('evaluate gives one result per event, in order, for every input form', () => {
  const one = JSON.parse(lines[0]);
  const forms = [
    ['text', lines.slice(0, 3).join('\n')],
    ['bytes', new TextEncoder().encode(lines.slice(0, 3).join('\n'))],
    ['objects', lines.slice(0, 3).map((line) => JSON.parse(line))],
    ['texts', lines.slice(0, 3)],
    ['Records', JSON.stringify({ Records: lines.slice(0, 3).map((line) => JSON.parse(line)) })],
  ];
  for (const [name, input] of forms) {
    const results = lib.evaluate(input, { rules: ['v5'] });
    assert.deepEqual(results.map((r) => [r.index, r.verdict]), [[0, 'alert'], [1, 'repeat'], [2, 'no_match']], name);
  }
  assert.equal(lib.evaluateEvent(one).verdict, 'alert');
  assert.throws(() => lib.evaluateEvent(lines.slice(0, 2).join('\n')), /expected one event, the input holds 2/);
});

test('a broken event gets an error result and the others go on', () => {
  const results = lib.evaluate([lines[0], '{"broken": ', '[1]', lines[2]]);
  assert.deepEqual(results.map((r) => [r.index, r.verdict]), [[0, 'alert'], [1, 'error'], [2, 'error'], [3, 'no_match']]);
  assert.match(results[1].error, /event 1 \(line 2\) is not valid JSON/);
  assert.equal(results[1].match, false);
  assert.equal(results[1].alert, false);
});

test('several rules: the first at the top, all under rules', () => {
  const [result] = lib.evaluate(lines[3], { rules: ['v3', 'v5'] });
  assert.equal(result.rule, 'v3');
  assert.equal(result.verdict, 'alert');
  assert.deepEqual(result.rules.map((r) => [r.rule, r.verdict]), [['v3', 'alert'], ['v5', 'no_match']]);
});

test('a query rule matches without new terms; alert stays false', () => {
  const results = lib.evaluate(lines.slice(0, 2), { rules: [{ query: 'event.provider: "iam.amazonaws.com"' }] });
  assert.deepEqual(results.map((r) => [r.match, r.alert, r.verdict]), [[true, false, 'match'], [true, false, 'match']]);
});

test('a Triage carries new-terms state and indexes from one batch to the next', () => {
  const triage = new lib.Triage({ rules: ['latest'] });
  const first = triage.evaluate(lines[0]);
  const second = triage.evaluate(lines[1]);
  assert.deepEqual([first[0].index, first[0].verdict], [0, 'alert']);
  assert.deepEqual([second[0].index, second[0].verdict], [1, 'repeat']);

  // The state moves to another Triage as JSON text.
  const other = new lib.Triage({ rules: ['latest'] });
  other.setState(triage.state());
  assert.equal(other.evaluate(lines[1])[0].verdict, 'repeat');
  triage.free();
  other.free();
});

test('brief results: each whole result without its explanation, from every entry point', async () => {
  const whole = lib.evaluate(events, { rules: ['v1', 'v5'], enrich: true });
  const brief = lib.evaluate(events, { rules: ['v1', 'v5'], enrich: true, brief: true });
  assert.equal(brief.length, whole.length);
  brief.forEach((result, i) => {
    assert.deepEqual(result.rules.map((r) => r.verdict), whole[i].rules.map((r) => r.verdict));
    assert.equal(lib.stringifyJson(result.event), lib.stringifyJson(whole[i].event));
    for (const verdict of [result, ...result.rules]) {
      assert.equal(verdict.reasons, undefined);
      assert.ok(verdict.clauses.every((c) => Object.keys(c).join() === 'clause,pass'));
    }
    assert.equal(result.summary, undefined);
    assert.equal(result.provenance, undefined);
  });

  const triage = await lib.Triage.create({ brief: true });
  const streamed = [];
  for await (const batch of triage.stream([events], { limits: { chunkLines: 4 } })) streamed.push(...batch.results);
  assert.deepEqual(streamed.map((r) => [r.index, r.verdict]), whole.map((r) => [r.index, r.rules[1].verdict]));
  triage.free();
});

test('enrich returns the ECS events the rules see, big integers intact', () => {
  const [event] = lib.enrich(lines[0]);
  assert.equal(event.event.provider, 'iam.amazonaws.com');
  assert.equal(event.source.ip, '203.0.113.10');
  assert.equal(JSON.parse(event.event.original).eventName, 'CreateAccessKey');

  const [console] = lib.enrich(lines[3]);
  assert.equal(console.aws.cloudtrail.session_credential_from_console, 'true');

  const [flat] = lib.enrich(lines[8]);
  assert.equal(flat['event.sequence'], 12345678901234567891n);
  assert.match(lib.stringifyJson(flat), /"event.sequence":12345678901234567891\}/);
  assert.throws(() => lib.enrich('{"broken'), { name: 'InputError' });
});

test('evaluateText returns the core text untouched, digits and all', () => {
  const triage = new lib.Triage({ enrich: true });
  const [text] = triage.evaluateText(lines[8]);
  assert.match(text, /"event.sequence":12345678901234567891\}/);
  assert.equal(triage.evaluate(lines[8])[0].event['event.sequence'], 12345678901234567891n);
});

test('createTriageStream: bytes in, results out, in order, gzip or not', async () => {
  for (const input of [Buffer.from(events), gzipSync(events)]) {
    const results = [];
    await pipeline(
      Readable.from(chunks(input, 100)),
      lib.createTriageStream({ rules: ['v5'], limits: { chunkLines: 3 } }),
      async function (source) {
        for await (const result of source) results.push(result);
      },
    );
    assert.deepEqual(results.map((r) => r.index), [...Array(13).keys()]);
    assert.deepEqual(results.map((r) => r.verdict), lib.evaluate(events, { rules: ['v5'] }).map((r) => r.verdict));
  }
});

test('createTriageStream with output "ndjson" writes the exact result texts', async () => {
  let text = '';
  await pipeline(Readable.from([Buffer.from(events)]), lib.createTriageStream({ output: 'ndjson', enrich: true }),
    async function (source) {
      for await (const chunk of source) text += chunk;
    });
  const expected = new lib.Triage({ enrich: true }).evaluateText(events).join('\n') + '\n';
  assert.equal(text, expected);
});

test('a stream batch holds the core bytes and one verdict code per result and rule', async () => {
  // Good events, broken lines and a line past the size limit, under two rules.
  const lineBytes = Math.max(...lines.slice(0, 3).map((line) => Buffer.byteLength(line))) + 16;
  const input = [lines[0], '{"broken', lines[1], 'x'.repeat(lineBytes + 1), lines[2], '42'].join('\n');
  const triage = new lib.Triage({ rules: ['v1', 'v5'] });
  const seen = [];
  for await (const batch of triage.stream([Buffer.from(input)], { limits: { chunkLines: 2, lineBytes } })) {
    assert.ok(batch instanceof lib.ResultBatch);
    assert.equal(batch.rules, 2);
    assert.equal(batch.length, batch.results.length);
    assert.equal(new TextDecoder().decode(batch.ndjson), batch.texts.map((text) => text + '\n').join(''));
    const codes = batch.results.flatMap((result) =>
      result.rules.map((verdict) => lib.VERDICTS.indexOf(verdict.verdict)));
    assert.deepEqual([...batch.verdicts], codes);
    seen.push(...batch.results.map((result) => `${result.index}:${result.rules.map((v) => v.verdict).join('/')}`));
  }
  assert.deepEqual(seen, ['0:alert/alert', '1:error/error', '2:repeat/repeat', '3:error/error', '4:no_match/no_match', '5:error/error']);
});

test('a stream with reuse writes every batch into one buffer, the same bytes as without', async () => {
  const input = Buffer.from(records(300, 4) + events);
  const run = async (reuse) => {
    const triage = new lib.Triage({ rules: ['v1', 'v5'], enrich: true });
    const copies = [];
    const buffers = new Set();
    for await (const batch of triage.stream([input], { limits: { chunkLines: 40 }, reuse })) {
      copies.push(Buffer.from(batch.ndjson));
      buffers.add(batch.ndjson.buffer);
      assert.equal(batch.texts.length, batch.length);
    }
    triage.free();
    return { bytes: Buffer.concat(copies), batches: copies.length, buffers: buffers.size };
  };
  const fresh = await run(false);
  const reused = await run(true);
  assert.ok(fresh.batches > 5);
  assert.equal(fresh.buffers, fresh.batches);
  assert.ok(reused.buffers < 4, `${reused.buffers} buffers for ${reused.batches} batches`);
  assert.equal(reused.batches, fresh.batches);
  assert.ok(reused.bytes.equals(fresh.bytes));

  // One document whose results pass 16 MiB gets a buffer of its own, not one kept for good.
  const document = `[${records(4000, 9).trim().split('\n').join(',')}]`;
  const triage = new lib.Triage({ rules: ['v1', 'v5'], enrich: true });
  const batches = [];
  for await (const batch of triage.stream([document], { reuse: true })) batches.push(batch);
  triage.free();
  assert.equal(batches.length, 1);
  assert.equal(batches[0].length, 4000);
  assert.ok(batches[0].ndjson.length > 16 * 1024 * 1024, `${batches[0].ndjson.length} bytes`);
  assert.equal(batches[0].ndjson.buffer.byteLength, batches[0].ndjson.length);
});

test('createTriageStream refuses a bad rule at once, before any input', () => {
  assert.throws(() => lib.createTriageStream({ rules: [{ query: 'a: (' }] }), { name: 'RuleError' });
  assert.throws(() => lib.createTriageStream({ output: 'xml' }), TypeError);
});

test('createTriageStream holds its writer back while the reader is slow', async () => {
  const stream = lib.createTriageStream({ limits: { chunkLines: 10 } });
  const input = Buffer.from(records(2000));
  let written = 0;
  for (const piece of chunks(input, 4096)) {
    written += piece.length;
    if (!stream.write(piece)) break;
  }
  assert.ok(written < input.length, 'the stream asked its writer to wait before taking every byte');
  stream.destroy();
});

test('the browser entry point gives the same results, fed the wasm bytes', async () => {
  const browser = await import('../../js/browser.mjs');
  assert.throws(() => browser.version(), /call `await init\(\)` first/);
  await browser.init(readFileSync(`${ROOT}/js/pkg/cloudtrail_triage_bg.wasm`));
  assert.equal(browser.version(), lib.version());
  assert.deepEqual(browser.evaluate(events), lib.evaluate(events));

  const results = [];
  const stream = new Blob([gzipSync(events)]).stream().pipeThrough(browser.createTriageStream({ rules: ['v3'] }));
  for await (const result of stream) results.push(result);
  assert.deepEqual(results.map((r) => r.verdict), lib.evaluate(events, { rules: ['v3'] }).map((r) => r.verdict));
});

test('records made by the helpers alert the first time for every built-in version', () => {
  for (const version of ['v1', 'v2', 'v3', 'v4', 'v5']) {
    const [result] = lib.evaluate([record('zoe', '2025-11-01T00:00:00Z')], { rules: [version] });
    assert.equal(result.verdict, 'alert', version);
  }
});

function* chunks(buffer, size) {
  for (let at = 0; at < buffer.length; at += size) yield buffer.subarray(at, at + size);
}
