// JSON helpers that keep every digit of an event.
//
// The core returns results as JSON text. `JSON.parse` turns an integer past 2^53 into the
// nearest double, so a text is only ever parsed for reading; what is written out is always
// the core's own text. `parseJson` is for callers who want objects: it keeps such integers as
// `BigInt`, and `stringifyJson` writes them back as the digits they were.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Index of the quote that closes the string opened at `open`. */
function stringEnd(text, open) {
  let close = text.indexOf('"', open + 1);
  while (close > 0) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
    close = text.indexOf('"', close + 1);
  }
  throw new SyntaxError('unterminated string in JSON from the core');
}

// Sixteen digits in a row is the shortest run that can hold an integer past 2^53; without one,
// `JSON.parse` is exact and much faster than the parser below.
const LONG_DIGITS = /\d{16}/;

/**
 * Parses JSON text like `JSON.parse`, except that integers which a JS number cannot hold
 * exactly become `BigInt`s.
 *
 * @param {string} text
 * @returns {unknown}
 */
export function parseJson(text) {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  const parser = new ExactParser(text);
  const value = parser.value();
  parser.end();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class ExactParser {
  constructor(text) {
    this.text = text;
    this.pos = 0;
  }

  value() {
    this.skipSpace();
    const c = this.text.charCodeAt(this.pos);
    if (c === OPEN_BRACE) return this.object();
    if (c === OPEN_BRACKET) return this.array();
    if (c === QUOTE) return this.string();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    return this.number();
  }

  object() {
    const object = {};
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACE) {
      this.pos++;
      return object;
    }
    for (;;) {
      this.skipSpace();
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      const value = this.value();
      // A plain assignment to "__proto__" would replace the prototype instead of adding a key.
      Object.defineProperty(object, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) === COMMA) {
        this.pos++;
        continue;
      }
      this.expect('}');
      return object;
    }
  }

  array() {
    const array = [];
    this.pos++;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === CLOSE_BRACKET) {
      this.pos++;
      return array;
    }
    for (;;) {
      array.push(this.value());
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) === COMMA) {
        this.pos++;
        continue;
      }
      this.expect(']');
      return array;
    }
  }

  string() {
    if (this.text.charCodeAt(this.pos) !== QUOTE) this.fail('a string');
    const close = stringEnd(this.text, this.pos);
    const value = JSON.parse(this.text.slice(this.pos, close + 1));
    this.pos = close + 1;
    return value;
  }

  number() {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('a value');
    this.pos = NUMBER.lastIndex;
    const digits = match[0];
    const number = Number(digits);
    if (match[1] === undefined && match[2] === undefined && !Number.isSafeInteger(number)) {
      return BigInt(digits);
    }
    return number;
  }

  literal(length, value) {
    this.pos += length;
    return value;
  }

  skipSpace() {
    while (this.pos < this.text.length && this.text.charCodeAt(this.pos) <= 0x20) this.pos++;
  }

  expect(char) {
    if (this.text[this.pos] !== char) this.fail(JSON.stringify(char));
    this.pos++;
  }

  end() {
    this.skipSpace();
    if (this.pos !== this.text.length) this.fail('the end of the text');
  }

  fail(expected) {
    const near = quote(this.text.slice(this.pos, this.pos + 20));
    throw new SyntaxError(`expected ${expected} at offset ${this.pos}, found ${near}`);
  }
}

/**
 * Writes a value as JSON like `JSON.stringify`, writing `BigInt`s as plain integers.
 *
 * @param {unknown} value
 * @param {number} [space]
 * @returns {string}
 */
export function stringifyJson(value, space) {
  if (typeof JSON.rawJSON === 'function') {
    return JSON.stringify(value, bigintAsRaw, space);
  }

  return write(value, typeof space === 'number' ? ' '.repeat(space) : '', '');
}

/** JSON.stringify's rules for the values JSON can hold, plus BigInt. */
function write(value, indent, margin) {
  if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
    value = value.toJSON();
  }
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';

  const inner = margin + indent;
  const open = indent ? '\n' + inner : '';
  const close = indent ? '\n' + margin : '';
  const separator = indent ? ',\n' + inner : ',';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => (skipped(item) ? 'null' : write(item, indent, inner)));
    return '[' + open + items.join(separator) + close + ']';
  }
  const members = [];
  for (const [key, item] of Object.entries(value)) {
    if (skipped(item)) continue;
    members.push(JSON.stringify(key) + (indent ? ': ' : ':') + write(item, indent, inner));
  }
  if (members.length === 0) return '{}';
  return '{' + open + members.join(separator) + close + '}';
}

function skipped(value) {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function bigintAsRaw(_key, value) {
  return typeof value === 'bigint' ? JSON.rawJSON(value.toString()) : value;
}

function quote(text) {
  const short = text.length > 40 ? text.slice(0, 40) + '…' : text;
  return JSON.stringify(short);
}
