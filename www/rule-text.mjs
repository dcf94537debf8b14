// A rule pasted into the page: whether it is TOML or KQL, and where in the box a parse error
// lies. Plain functions with no DOM and no wasm, so that Node runs them in tests as they are.

/**
 * `toml` when the text reads as a detection-rules TOML file (it has a `[table]` header or a
 * `query =` key), `kql` otherwise.
 */
export function ruleKind(text) {
  return /^[ \t]*\[[\w. "-]+\][ \t]*$/m.test(text) || /^[ \t]*query[ \t]*=/m.test(text)
    ? 'toml'
    : 'kql';
}

/**
 * The query string of a TOML rule: its text and the index in `text` where it starts, or null
 * when no `query = ...` string is found. The index is exact for queries without escape
 * sequences, which is how detection rules write them.
 */
export function locateTomlQuery(text) {
  const key = /^[ \t]*query[ \t]*=[ \t]*/m.exec(text);
  if (key === null) return null;
  const open = key.index + key[0].length;

  for (const quote of ['"""', "'''"]) {
    if (!text.startsWith(quote, open)) continue;
    let start = open + 3;
    // TOML drops a line break that directly follows the opening delimiter.
    if (text.startsWith('\r\n', start)) start += 2;
    else if (text[start] === '\n') start += 1;
    const end = text.indexOf(quote, start);
    return { start, query: text.slice(start, end < 0 ? text.length : end) };
  }

  const quote = text[open];
  if (quote !== '"' && quote !== "'") return null;
  const lineEnd = text.indexOf('\n', open);
  const line = text.slice(open + 1, lineEnd < 0 ? text.length : lineEnd);
  const end = line.lastIndexOf(quote);
  return { start: open + 1, query: end < 0 ? line : line.slice(0, end) };
}

/** The UTF-16 index of the `offset`-th code point of `text` (the core counts code points). */
export function indexOfCodePoint(text, offset) {
  let index = 0;
  for (let seen = 0; seen < offset && index < text.length; seen++) {
    index += text.codePointAt(index) > 0xffff ? 2 : 1;
  }
  return Math.min(index, text.length);
}

/** The 1-based line and column (in code points) of a UTF-16 index. */
export function lineColumn(text, index) {
  const before = text.slice(0, index);
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  return { line, column: [...before.slice(lineStart)].length + 1 };
}

/** The UTF-16 index of a 1-based line and column, clamped to the text. */
export function indexOfLineColumn(text, line, column) {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return text.length;
    start = next + 1;
  }
  const lineEnd = text.indexOf('\n', start);
  const lineText = text.slice(start, lineEnd < 0 ? text.length : lineEnd);
  return start + indexOfCodePoint(lineText, Math.max(0, column - 1));
}

/** The line holding `index` and a caret under it, indented as the core writes its displays. */
export function caretDisplay(text, index) {
  const lineStart = text.lastIndexOf('\n', index - 1) + 1;
  const lineEnd = text.indexOf('\n', index);
  const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd).replace(/\r$/, '');
  const width = [...text.slice(lineStart, index)].length;
  return `  ${line}\n  ${' '.repeat(width)}^`;
}

/**
 * Where the error of a TOML rule the core refused lies in the pasted text, or null when its
 * message names no place: a TOML syntax error says its line and column; a query error is
 * placed by checking the query found in the text (`checkQuery` is the core's).
 */
export function tomlErrorIndex(text, message, checkQuery) {
  const syntax = /not valid TOML\b.*?\bline (\d+),? column (\d+)/s.exec(message);
  if (syntax !== null) return indexOfLineColumn(text, Number(syntax[1]), Number(syntax[2]));

  if (!/\bquery\b/.test(message)) return null;
  const found = locateTomlQuery(text);
  if (found === null) return null;
  const error = checkQuery(found.query);
  if (error === null || error === undefined) return null;
  return found.start + indexOfCodePoint(found.query, error.offset);
}
