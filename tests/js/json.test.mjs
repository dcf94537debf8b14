// The JSON helpers that keep every digit of an event.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { parseJson, stringifyJson } from '../../js/json.mjs';

test('parseJson keeps integers past 2^53 as BigInt and everything else as JSON.parse does', () => {
  const text = '{"big":12345678901234567890123,"neg":-9007199254740993,"safe":9007199254740991,' +
    '"float":1.5e3,"s":"1234567890123456789","list":[1,{"deep":18446744073709551615}],"n":null}';
  assert.deepEqual(parseJson(text), {
    big: 12345678901234567890123n,
    neg: -9007199254740993n,
    safe: 9007199254740991,
    float: 1500,
    s: '1234567890123456789',
    list: [1, { deep: 18446744073709551615n }],
    n: null,
  });
  assert.deepEqual(parseJson('{"a":[1,2],"b":"x"}'), { a: [1, 2], b: 'x' });
});

test('parseJson treats "__proto__" as a plain key', () => {
  const value = parseJson('{"__proto__":{"polluted":1},"n":12345678901234567890}');
  assert.equal(Object.getPrototypeOf(value), Object.prototype);
  assert.deepEqual(Object.keys(value), ['__proto__', 'n']);
  assert.equal({}.polluted, undefined);
});

test('parseJson reports where the text is broken', () => {
  assert.throws(() => parseJson('{"n":12345678901234567890,}'), /offset 26/);
  assert.throws(() => parseJson('[12345678901234567890] x'), /end of the text/);
});

test('stringifyJson writes BigInt digits back and otherwise matches JSON.stringify', () => {
  const text = '{"big":12345678901234567890123,"list":[1,{"deep":-18446744073709551615}],"s":"x"}';
  assert.equal(stringifyJson(parseJson(text)), text);

  const plain = { a: [1, 'two', null, undefined, () => 1], b: undefined, c: { d: true }, e: new Date(0) };
  assert.equal(stringifyJson(plain), JSON.stringify(plain));
  assert.equal(stringifyJson(plain, 2), JSON.stringify(plain, null, 2));
  assert.equal(stringifyJson({ n: 1n, s: '\u0000' }, 2), '{\n  "n": 1,\n  "s": "\\u0000"\n}');
  assert.equal(stringifyJson([]), '[]');
  assert.equal(stringifyJson({}), '{}');
});
