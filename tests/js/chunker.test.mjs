// The chunker: batches that depend on the bytes only, never on how they arrive.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Chunker, InputError } from '../../js/chunker.mjs';
import { oddPieces } from './helpers.mjs';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Feeds `text` in pieces of at most `max` bytes and returns the batches, bytes as text. */
function batches(text, limits = {}, max = Infinity) {
  const chunker = new Chunker(limits);
  const bytes = encoder.encode(text);
  const pieces = max === Infinity ? [bytes] : oddPieces(bytes, max);
  const out = [];
  for (const piece of pieces) out.push(...chunker.push(piece));
  out.push(...chunker.end());
  return out.map((batch) => ({ ...batch, bytes: batch.bytes && decoder.decode(batch.bytes) }));
}

const LINES = Array.from({ length: 23 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i * 7)}"}`);
const NDJSON = LINES.join('\n') + '\n';

test('one event per line is cut into batches of at most chunkLines lines, at line ends', () => {
  const out = batches(NDJSON, { chunkLines: 5 });
  assert.deepEqual(out.map((b) => [b.kind, b.firstLine, b.lines, b.events]), [
    ['lines', 1, 5, 5],
    ['lines', 6, 5, 5],
    ['lines', 11, 5, 5],
    ['lines', 16, 5, 5],
    ['lines', 21, 3, 3],
  ]);
  assert.equal(out.map((b) => b.bytes).join(''), NDJSON);
});

test('a batch also stops before it would pass chunkBytes, but holds at least one line', () => {
  const out = batches(NDJSON, { chunkLines: 100, chunkBytes: 200 });
  for (const batch of out) {
    assert.ok(batch.bytes.length <= 200 || batch.lines === 1, `${batch.bytes.length} bytes`);
  }
  assert.equal(out.map((b) => b.bytes).join(''), NDJSON);
});

test('batches are the same however the input is cut into pieces', () => {
  const limits = { chunkLines: 4, chunkBytes: 300 };
  const whole = batches(NDJSON, limits);
  for (const max of [1, 2, 3, 17, 64, 1000]) {
    assert.deepEqual(batches(NDJSON, limits, max), whole, `pieces of up to ${max} bytes`);
  }
  const text = '\ufeff[\n' + LINES.join(',\n') + '\n]\n';
  for (const max of [1, 5]) assert.deepEqual(batches(text, {}, max), batches(text, {}));
});

test('blank lines count as lines but not as events, and a last line needs no newline', () => {
  const out = batches('\n{"a":1}\r\n\n  \n{"b":2}', { chunkLines: 100 });
  assert.deepEqual(out, [{ kind: 'lines', bytes: '\n{"a":1}\r\n\n  \n{"b":2}', firstLine: 1, lines: 5, events: 2 }]);
  assert.deepEqual(batches(''), []);
  assert.deepEqual(batches('\n \n'), []);
});

test('the input shape is told from its first bytes', () => {
  const shape = (text) => batches(text).map((b) => b.kind);
  assert.deepEqual(shape('[{"a":1}]'), ['document']);
  assert.deepEqual(shape('  \n [\n{"a":1}\n]'), ['document']);
  assert.deepEqual(shape('{\n  "a": 1\n}\n'), ['document']);
  assert.deepEqual(shape('{"Records": [\n{"a":1}\n]}'), ['document']);
  assert.deepEqual(shape('{"eventVersion": "1.08",\n "a": 1}'), ['document']);
  assert.deepEqual(shape('{"Records":[{"a":1}]}\n{"Records":[]}\n'), ['lines']);
  assert.deepEqual(shape('{"a":1}'), ['lines']);
  assert.deepEqual(shape('{"a":1,"b":"cut off\n{"a":2}\n'), ['lines']);
  assert.deepEqual(shape('garbage\n{"a":1}\n'), ['lines']);
  assert.deepEqual(shape('\ufeff{"a":1}\n'), ['lines']);
  assert.equal(batches('\ufeff{"a":1}\n')[0].bytes, '{"a":1}\n');
});

test('a document is read whole, and one over documentBytes is refused', () => {
  const text = '[' + LINES.join(',') + ']';
  assert.deepEqual(batches(text, { documentBytes: text.length }).map((b) => b.kind), ['document']);
  assert.throws(() => batches(text, { documentBytes: text.length - 1 }, 10), (error) => {
    assert.ok(error instanceof InputError);
    assert.match(error.message, /larger than .*one event per line/);
    return true;
  });
});

test('a line over lineBytes becomes one oversized batch in its place, unread', () => {
  const long = `{"big":"${'y'.repeat(500)}"}`;
  const text = `{"a":1}\n${long}\n{"b":2}\n`;
  for (const max of [Infinity, 7]) {
    const out = batches(text, { lineBytes: 100 }, max);
    assert.deepEqual(out.map((b) => [b.kind, b.firstLine, b.events]), [
      ['lines', 1, 1],
      ['oversized', 2, 1],
      ['lines', 3, 1],
    ]);
    assert.equal(out[1].size, long.length + 1);
    assert.equal(out[1].limit, 100);
  }
});

test('a batch never starts where the core would read it as one document', () => {
  // The core reads a batch opening with `[`, or one that is a single JSON value, as a document.
  const text = ['{"a":1}', '{"a":2}', '[1,2]', '{"a":', '3}', '{"a":4}', '{"a":5}'].join('\n') + '\n';
  const out = batches(text, { chunkLines: 2 });
  for (const batch of out) {
    const first = batch.bytes.trimStart();
    assert.ok(!first.startsWith('['), `batch starts with an array: ${JSON.stringify(batch.bytes)}`);
    let single = true;
    try {
      JSON.parse(batch.bytes);
    } catch {
      single = false;
    }
    assert.ok(!single || batch.events === 1, `batch is one value: ${JSON.stringify(batch.bytes)}`);
  }
  assert.equal(out.map((b) => b.bytes).join(''), text);
});

test('past the cap on a run of unsafe lines, an array line that opens a batch ends it', () => {
  // The core would read every line after an opening array line as part of the array.
  const text = '{"a":1}\n' + '[1]\n'.repeat(300) + '{"a":2}\n';
  const out = batches(text, { chunkLines: 1 });
  assert.equal(out.map((b) => b.bytes).join(''), text);
  assert.ok(out.length > 2);
  for (const batch of out) {
    if (batch.bytes.trimStart().startsWith('[')) assert.equal(batch.events, 1, JSON.stringify(batch.bytes));
  }
});

test('dropPartialLine drops a line cut off by the end of the input', () => {
  const chunker = new Chunker({ chunkLines: 10 });
  chunker.push(encoder.encode('{"a":1}\n{"b":'));
  assert.equal(chunker.dropPartialLine(), true);
  const out = chunker.end();
  assert.deepEqual(out.map((b) => decoder.decode(b.bytes)), ['{"a":1}\n']);
});

test('limits must be positive integers', () => {
  assert.throws(() => new Chunker({ chunkLines: 0 }), RangeError);
  assert.throws(() => new Chunker({ chunkBytes: 1.5 }), RangeError);
});
