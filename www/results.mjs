// Results as the page's worker keeps, compares and exports them: plain functions over the
// core's result JSON, with no DOM, so that Node runs them in tests as they are.

import { changePercent } from './verdicts.mjs';

/**
 * Cuts the top-level member `key` out of the text of a JSON object, without parsing the rest,
 * so that both parts keep every character the core wrote. Returns `{rest, value}`: the object
 * without the member, and the member's value text (`null` when the object has no such member).
 *
 * The text must be a well-formed object, as the core writes it; this is not a validator.
 */
export function cutMember(text, key) {
  const name = JSON.stringify(key);
  let i = skipSpace(text, 0);
  if (text.charCodeAt(i) !== OPEN_BRACE) throw new SyntaxError('expected a JSON object from the core');

  // `previousEnd` is where the previous member's value ends; cutting from there removes the
  // comma that introduced the member. The first member takes the comma after it instead.
  let previousEnd = -1;
  i += 1;
  for (;;) {
    i = skipSpace(text, i);
    if (text.charCodeAt(i) === CLOSE_BRACE) return { rest: text, value: null };
    if (previousEnd >= 0) {
      if (text.charCodeAt(i) !== COMMA) throw new SyntaxError(`expected ',' at offset ${i} of a result`);
      i = skipSpace(text, i + 1);
    }

    const memberStart = i;
    const keyEnd = stringEnd(text, i) + 1;
    const colon = skipSpace(text, keyEnd);
    if (text.charCodeAt(colon) !== 0x3a) throw new SyntaxError(`expected ':' at offset ${colon} of a result`);
    const valueStart = skipSpace(text, colon + 1);
    const valueEnd = valueEndAt(text, valueStart);

    if (keyEnd - memberStart === name.length && text.startsWith(name, memberStart)) {
      const value = text.slice(valueStart, valueEnd);
      if (previousEnd >= 0) return { rest: text.slice(0, previousEnd) + text.slice(valueEnd), value };
      let after = skipSpace(text, valueEnd);
      if (text.charCodeAt(after) === COMMA) after = skipSpace(text, after + 1);
      return { rest: text.slice(0, memberStart) + text.slice(after), value };
    }
    previousEnd = valueEnd;
    i = valueEnd;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

function skipSpace(text, i) {
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    i++;
  }
}

/** Index of the quote that closes the string opened at `open`. */
function stringEnd(text, open) {
  if (text.charCodeAt(open) !== QUOTE) {
    throw new SyntaxError(`expected a string at offset ${open} of a result`);
  }
  for (let close = text.indexOf('"', open + 1); close > 0; close = text.indexOf('"', close + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return close;
  }
  throw new SyntaxError('unterminated string in a result');
}

/** Index just past the JSON value that starts at `start`. */
function valueEndAt(text, start) {
  const first = text.charCodeAt(start);
  if (first === QUOTE) return stringEnd(text, start) + 1;
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let i = start;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c <= 0x20) break;
      i++;
    }
    return i;
  }

  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) i = stringEnd(text, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  throw new SyntaxError('unterminated value in a result');
}

/** What the table shows of a result: small, so that 100,000 of them travel and fit well. */
export function rowOf(result) {
  const summary = result.summary ?? {};
  return {
    index: Number(result.index),
    verdict: result.verdict,
    time: text(summary.timestamp),
    arn: text(summary.arn),
    action: text(summary.action),
    source: text(summary.source),
    key: text(summary.key_id),
    error: result.error ?? null,
  };
}

function text(value) {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

/**
 * The reasons that decided one rule's verdict: the failing clauses of a miss, the new-terms
 * decision of an alert or a repeat, the headline of a plain match, the error of an error.
 */
export function decidingReasons(verdict) {
  const reasons = verdict.reasons ?? [];
  switch (verdict.verdict) {
    case 'no_match': {
      const failing = reasons.filter((reason) => reason.startsWith('fail:'));
      return failing.length > 0 ? failing : reasons.slice(0, 1);
    }
    case 'alert':
    case 'repeat':
      return reasons.slice(-1);
    default:
      return reasons.slice(0, 1);
  }
}

export const CSV_COLUMNS = [
  'index',
  'verdict',
  'rule',
  'timestamp',
  'user_arn',
  'action',
  'source',
  'key_id',
  'reason',
];

/** The CSV line (with its CRLF) for one result. */
export function csvRow(result) {
  const summary = result.summary ?? {};
  return csvLine([
    result.index,
    result.verdict,
    result.rule,
    summary.timestamp,
    summary.arn,
    summary.action,
    summary.source,
    summary.key_id,
    result.error ?? decidingReasons(result).join('; '),
  ]);
}

export function csvHeader() {
  return csvLine(CSV_COLUMNS);
}

function csvLine(values) {
  return values.map(csvField).join(',') + '\r\n';
}

/**
 * One CSV field as RFC 4180 writes it: quoted when it holds a quote, a comma or a line break,
 * with its quotes doubled. A field that a spreadsheet would run as a formula (one starting
 * with =, +, -, @, a tab or a carriage return) gets a leading apostrophe, since event fields
 * such as user agents are written by whoever made the request.
 */
export function csvField(value) {
  let field = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(field)) field = `'${field}`;
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

const LISTED = 200;

/**
 * Two rules on the same events: how many alerts and matches each raises, and every event on
 * which they differ with what decides it. Takes results of an engine that ran both rules.
 */
export class Comparison {
  constructor(labels) {
    this.labels = labels;
    this.events = 0;
    this.errors = 0;
    this.alerts = [0, 0];
    this.matches = [0, 0];
    // sections[kind][side]: the events that rule `side` raises and the other does not.
    this.sections = {
      alert: [section(), section()],
      match: [section(), section()],
    };
  }

  add(result) {
    this.events += 1;
    if (result.error !== undefined) {
      this.errors += 1;
      return;
    }

    const verdicts = result.rules ?? [];
    const [a, b] = verdicts;
    if (a === undefined || b === undefined) {
      throw new Error(`event ${result.index} has ${verdicts.length} rule verdicts, not 2`);
    }
    verdicts.slice(0, 2).forEach((verdict, side) => {
      if (verdict.alert) this.alerts[side] += 1;
      if (verdict.match) this.matches[side] += 1;
    });

    let kind;
    if (a.alert !== b.alert) kind = 'alert';
    else if (a.match !== b.match) kind = 'match';
    else return;
    const side = (kind === 'alert' ? a.alert : a.match) ? 0 : 1;

    const target = this.sections[kind][side];
    target.count += 1;
    if (target.listed.length >= LISTED) return;
    const summary = result.summary ?? {};
    target.listed.push({
      index: Number(result.index),
      time: summary.timestamp ?? null,
      action: summary.action ?? null,
      arn: summary.arn ?? null,
      verdicts: [a.verdict, b.verdict],
      deciding: deciding(verdicts[side], verdicts[1 - side]),
    });
  }

  summary() {
    const change = (counts) => changePercent(counts[0], counts[1]);
    return {
      labels: this.labels,
      events: this.events,
      errors: this.errors,
      alerts: { counts: this.alerts, change: change(this.alerts) },
      matches: { counts: this.matches, change: change(this.matches) },
      sections: this.sections,
      listedAtMost: LISTED,
    };
  }
}

function section() {
  return { count: 0, listed: [] };
}

/**
 * What makes `raising` raise an event that `other` does not: the clauses that fail in `other`
 * (each said to pass in `raising`, or to be missing from it), or, when both match, the
 * new-terms decision that makes `other` call it a repeat.
 */
export function deciding(raising, other) {
  if (other.match) {
    const reason = other.reasons?.[other.reasons.length - 1] ?? other.verdict;
    return {
      newTerms: {
        reason,
        previous: other.new_term?.previous === undefined ? null : Number(other.new_term.previous.index),
        windowDays: [raising.new_term?.window_days ?? null, other.new_term?.window_days ?? null],
      },
      clauses: [],
    };
  }

  const passing = new Set(raising.clauses.filter((clause) => clause.pass).map((c) => c.clause));
  const clauses = other.clauses
    .filter((clause) => !clause.pass)
    .map((clause) => ({
      clause: clause.clause,
      fields: clause.fields,
      notes: clause.notes ?? [],
      inRaising: passing.has(clause.clause),
    }));
  return { newTerms: null, clauses };
}
