// How results are written: ndjson and json pass the core's text through untouched (so every
// digit of an event survives); table and summary are for people.

import { VERDICTS } from '../core.mjs';
import { labelled, provenanceLines } from './provenance.mjs';

const MATCHED = new Set(['alert', 'repeat', 'match']);

/**
 * What the CLI counts and filters on, from a parsed result: whether it is an error, and each
 * rule's verdict (with its clauses).
 */
export function glance(result) {
  return { error: result.error !== undefined, verdicts: result.rules ?? [result] };
}

/**
 * The same as `glance`, read from the verdict codes the core gives with its results
 * (`ResultBatch#verdicts`): the `rules` codes from `at` are one result's, rule by rule.
 */
export function glanceCodes(codes, at, rules) {
  const verdicts = [];
  for (let i = at; i < at + rules; i++) {
    const verdict = VERDICTS[codes[i]];
    verdicts.push({ verdict, match: MATCHED.has(verdict), alert: verdict === 'alert' });
  }
  return { error: verdicts[0]?.verdict === 'error', verdicts };
}

/** The per-rule verdicts of a parsed result: `rules` when several rules ran, else the result. */
export function verdictsOf(result) {
  return result.rules ?? [result];
}

/** Whether `--only` keeps a result, given its glance. */
export function keep(seen, only) {
  if (only.length === 0) return true;
  return (
    (only.includes('alerts') && seen.verdicts.some((verdict) => verdict.alert)) ||
    (only.includes('matches') && seen.verdicts.some((verdict) => verdict.match)) ||
    (only.includes('errors') && seen.error)
  );
}

/** Counts for the closing summary and `--format summary`. */
export class Tally {
  constructor(labels) {
    this.labels = labels;
    this.events = 0;
    this.errors = 0;
    this.rules = labels.map(() => ({ match: 0, alert: 0, repeat: 0, noMatch: 0, failing: new Map() }));
  }

  /** Counts one result, given its glance. */
  add(seen) {
    this.events += 1;
    if (seen.error) {
      this.errors += 1;
      return;
    }
    seen.verdicts.forEach((verdict, i) => {
      const counts = this.rules[i];
      if (counts === undefined) return;
      if (verdict.match) counts.match += 1;
      if (verdict.alert) counts.alert += 1;
      if (verdict.verdict === 'repeat') counts.repeat += 1;
      if (verdict.verdict === 'no_match') {
        counts.noMatch += 1;
        for (const clause of verdict.clauses ?? []) {
          if (!clause.pass) counts.failing.set(clause.clause, (counts.failing.get(clause.clause) ?? 0) + 1);
        }
      }
    });
  }

  /** One line for standard error at the end of a run. */
  line(seconds) {
    const errors = this.errors === 0 ? '' : `, ${plural(this.errors, 'error')}`;
    const perRule = this.labels
      .map((label, i) => {
        const counts = this.rules[i];
        return `${label}: ${plural(counts.alert, 'alert')}, ${plural(counts.match, 'match', 'matches')}`;
      })
      .join('; ');
    return `${plural(this.events, 'event')}${errors} in ${seconds.toFixed(1)} s; ${perRule}`;
  }

  /** The report of `--format summary`. */
  report() {
    const lines = [];
    const errors = this.errors === 0 ? '' : `, ${plural(this.errors, 'error')} (events that could not be read)`;
    lines.push(`${plural(this.events, 'event')}${errors}`, '');

    const header = ['rule', 'alerts', 'repeats', 'matches', 'no match'];
    const rows = this.labels.map((label, i) => {
      const c = this.rules[i];
      return [label, c.alert, c.repeat, c.match, c.noMatch].map(String);
    });
    lines.push(...grid([header, ...rows], [false, true, true, true, true]));

    this.labels.forEach((label, i) => {
      const failing = [...this.rules[i].failing].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      if (failing.length === 0) return;
      lines.push('', `clauses that fail on the events ${label} does not match (an event can fail several):`);
      lines.push(...grid(failing.map(([clause, n]) => ['  ' + clause, String(n)]), [false, true]));
    });
    return lines.join('\n') + '\n';
  }
}

/** Left- or right-aligned columns separated by two spaces. */
export function grid(rows, rightAligned) {
  const widths = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, width(cell))));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (rightAligned[i] ? padStart(cell, widths[i]) : padEnd(cell, widths[i])))
      .join('  ')
      .trimEnd(),
  );
}

const COLORS = {
  alert: '\u001b[1;31m',
  repeat: '\u001b[33m',
  match: '\u001b[36m',
  no_match: '\u001b[2m',
  error: '\u001b[35m',
};
const RESET = '\u001b[0m';

/** The least room a provenance line gets on a narrow terminal. */
const MIN_ROOM = 24;

/**
 * A table written batch by batch as results arrive, so it streams like the other formats.
 * Column widths are set from the first batch (within caps) and the reason column takes the
 * rest of the line; longer cells are cut with an ellipsis.
 */
export class TableWriter {
  /**
   * `columns` is the line width to fit, or Infinity to cut nothing (output to a file).
   * `queriesOnly` says that every loaded rule is a bare query, which never alerts: the key's
   * provenance then goes under each match instead of each alert.
   */
  constructor(labels, { columns = Infinity, color = false, queriesOnly = false } = {}) {
    this.labels = labels;
    this.total = columns;
    this.color = color;
    this.raised = queriesOnly ? 'match' : 'alert';
    this.columns = null;
  }

  /** Whether the header has been written. */
  get started() {
    return this.columns !== null;
  }

  /** Fixes the column widths from the first results and returns the header line. */
  start(results) {
    const column = (title, cell, { min = 1, max = 80, right = false, verdict, clip } = {}) => {
      const widest = Math.max(title.length, min, ...results.map((r) => width(oneLine(cell(r)))));
      return { title, cell, width: Math.min(widest, max), right, verdict, clip };
    };
    const columns = [
      column('#', (r) => String(r.index), { min: 3, right: true }),
      ...this.labels.map((label, i) =>
        column(label, (r) => (verdictsOf(r)[i] ?? r).verdict, { min: 8, max: 24, verdict: i }),
      ),
      // Cut short, a time keeps its date rather than ending in an ellipsis.
      column('time', (r) => time(r.summary?.timestamp), { max: 16, clip: true }),
      column('action', (r) => r.summary?.action ?? '', { max: 24 }),
      column('user', (r) => user(r.summary?.arn), { max: 40 }),
      column('source', (r) => r.summary?.source ?? '', { max: 20 }),
    ];

    // The reason gets what is left, at least MIN_WHY; to make room the user, action and time
    // columns give way in turn (time down to the date).
    const MIN_WHY = 24;
    const used = () => columns.reduce((sum, c) => sum + c.width + 2, 0);
    const byTitle = (title) => columns.find((c) => c.title === title);
    for (const [title, min] of [['user', 16], ['action', 14], ['time', 10]]) {
      const over = used() + MIN_WHY - this.total;
      if (over <= 0) break;
      const column = byTitle(title);
      column.width = Math.max(min, column.width - over);
    }
    const whyWidth = this.total === Infinity ? Infinity : Math.max(MIN_WHY, this.total - used());
    columns.push({ title: 'why', cell: why, width: whyWidth, last: true });

    this.columns = columns;
    return this.row(columns.map((c) => c.title), null) + '\n';
  }

  /**
   * A result's row, and under an alert (a match, when only bare queries run) the provenance of
   * its key, indented to the verdict column.
   */
  line(result) {
    let text = this.row(this.columns.map((column) => column.cell(result)), result) + '\n';
    if (!verdictsOf(result).some((verdict) => verdict.verdict === this.raised)) return text;

    const indent = ' '.repeat(this.columns[0].width + 2);
    const room = this.total - indent.length;
    for (const line of provenanceLines(result)) {
      let body = cut(labelled({ ...line, text: oneLine(line.text) }), Math.max(MIN_ROOM, room));
      if (this.color && line.sign) body = COLORS.repeat + body + RESET;
      text += indent + body + '\n';
    }
    return text;
  }

  row(cells, result) {
    return this.columns
      .map((column, i) => {
        let text = column.clip
          ? oneLine(cells[i]).slice(0, column.width)
          : cut(oneLine(cells[i]), column.width);
        if (!column.last) text = column.right ? padStart(text, column.width) : padEnd(text, column.width);
        if (this.color && result !== null && column.verdict !== undefined) {
          const color = COLORS[cells[i]];
          if (color) text = color + text + RESET;
        }
        return text;
      })
      .join('  ')
      .trimEnd();
  }
}

/** An ARN without the `arn:aws:iam::` that every IAM user's ARN starts with. */
function user(arn) {
  if (typeof arn !== 'string') return '';
  return arn.replace(/^arn:aws(?:-[a-z-]+)?:(?:iam|sts)::/, '');
}

/** The reason a person wants first, in few words, from the first rule's verdict. */
function why(result) {
  if (result.error !== undefined) return result.error;
  const verdict = verdictsOf(result)[0] ?? result;
  const term = verdict.new_term;
  const window = term ? `${+term.window_days.toFixed(2)} days` : '';
  switch (verdict.verdict) {
    case 'alert':
      if (term === undefined) return 'the rule alerts on every match';
      if (term.previous === undefined) return `first match of the ${leaf(term.field)} in ${window}`;
      return `the ${leaf(term.field)} last matched at #${term.previous.index}, more than ` +
        `${window} before`;
    case 'repeat':
      return `the ${leaf(term?.field ?? 'term')} already matched at #${term?.previous?.index}, ` +
        `within ${window}`;
    case 'match': {
      const reasons = verdict.reasons ?? [];
      const noAlert = reasons.find((reason) => reason.startsWith('no alert: '));
      return (noAlert ?? reasons[0] ?? 'match').replace(/^(no alert|match): /, '');
    }
    case 'no_match':
      return (verdict.clauses ?? []).filter((clause) => !clause.pass).map(failure).join('; ');
    default:
      return (verdict.reasons ?? [])[0] ?? '';
  }
}

/** A failing clause and what the event held: `source.ip: * [got nothing]`. */
export function failure(clause) {
  const values = (clause.fields ?? []).flatMap((field) => field.values);
  const got = values.length === 0 ? 'nothing' : values.map((v) => JSON.stringify(v)).join(', ');
  return `${clause.clause} [got ${got}]`;
}

/** The last part of a field name: `arn` for `aws.cloudtrail.user_identity.arn`. */
function leaf(field) {
  return field.split('.').at(-1);
}

/** A timestamp to the minute, as people scan it: `2025-11-03 09:12`. */
function time(timestamp) {
  if (typeof timestamp !== 'string') return '';
  return timestamp.replace('T', ' ').slice(0, 16);
}

/**
 * A cell's text on one line. Control characters (escape sequences among them) and the
 * characters that reorder text are written as `\u001b`: event fields are written by whoever
 * made the request, and must not steer the terminal.
 */
function oneLine(text) {
  return String(text)
    .replace(/\s+/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) =>
      `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
}

function cut(text, max) {
  return width(text) <= max ? text : [...text].slice(0, max - 1).join('') + '…';
}

function width(text) {
  return [...text].length;
}

function padEnd(text, n) {
  return text + ' '.repeat(Math.max(0, n - width(text)));
}

function padStart(text, n) {
  return ' '.repeat(Math.max(0, n - width(text))) + text;
}

export function plural(n, one, many = one + 's') {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
