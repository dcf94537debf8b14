// `--compare A B`: the same events through two rules, and every event on which they differ
// with the clause (or the new-terms decision) that makes the difference.

import { failure, grid } from './output.mjs';

const LISTED = 50;

export class Comparison {
  constructor(labels) {
    this.labels = labels;
    this.events = 0;
    this.errors = 0;
    this.alerts = [0, 0];
    this.matches = [0, 0];
    // sections[kind][side]: events that rule `side` raises and the other does not.
    this.sections = {
      alert: [{ count: 0, listed: [] }, { count: 0, listed: [] }],
      match: [{ count: 0, listed: [] }, { count: 0, listed: [] }],
    };
  }

  /**
   * Counts one result and returns its difference, or null when both rules agree.
   */
  add(result) {
    this.events += 1;
    if (result.error !== undefined) {
      this.errors += 1;
      return null;
    }

    const verdicts = result.rules ?? [];
    verdicts.slice(0, 2).forEach((verdict, side) => {
      if (verdict.alert) this.alerts[side] += 1;
      if (verdict.match) this.matches[side] += 1;
    });
    const [a, b] = verdicts;
    if (a === undefined || b === undefined) return null;

    let kind;
    if (a.alert !== b.alert) kind = 'alert';
    else if (a.match !== b.match) kind = 'match';
    else return null;

    const side = (kind === 'alert' ? a.alert : a.match) ? 0 : 1;
    const other = side === 0 ? b : a;
    const difference = {
      index: result.index,
      kind,
      only: this.labels[side],
      not: this.labels[1 - side],
      timestamp: result.summary?.timestamp ?? null,
      action: result.summary?.action ?? null,
      arn: result.summary?.arn ?? null,
      source: result.summary?.source ?? null,
      why: because(other),
      verdicts: { [this.labels[0]]: a.verdict, [this.labels[1]]: b.verdict },
    };

    const section = this.sections[kind][side];
    section.count += 1;
    if (section.listed.length < LISTED) section.listed.push(difference);
    return difference;
  }

  counts() {
    const [a, b] = this.labels;
    return {
      events: this.events,
      errors: this.errors,
      alerts: { [a]: this.alerts[0], [b]: this.alerts[1], change_percent: change(...this.alerts) },
      matches: { [a]: this.matches[0], [b]: this.matches[1], change_percent: change(...this.matches) },
    };
  }

  /** The counts table of the report. */
  table() {
    const [a, b] = this.labels;
    const row = (name, [x, y]) => [name, String(x), String(y), percent(change(x, y))];
    return grid(
      [['', a, b, 'change'], row('alerts', this.alerts), row('matches', this.matches)],
      [false, true, true, true],
    );
  }

  /** The human report: counts, then each kind of difference with its reasons. */
  report(sources) {
    const [a, b] = this.labels;
    const errors = this.errors === 0 ? '' : ` (${this.errors} could not be read)`;
    const lines = [`${a} and ${b} on ${this.events} events from ${sources}${errors}`, ''];
    lines.push(...this.table());

    for (const kind of ['alert', 'match']) {
      this.sections[kind].forEach((section, side) => {
        if (kind === 'match' && section.count === 0) return;
        const only = this.labels[side];
        const not = this.labels[1 - side];
        const title = kind === 'alert'
          ? `alerts ${only} raises and ${not} does not`
          : `matches of ${only} that ${not} does not match, neither alerting`;
        lines.push('', `${title}: ${section.count}`);
        for (const difference of section.listed) {
          const when = (difference.timestamp ?? '').replace('T', ' ').replace(/(\.\d+)?Z$/, '');
          const what = [when, difference.action, difference.arn].filter(Boolean).join('  ');
          lines.push(`  #${difference.index}  ${what}`, `      ${not}: ${difference.why}`);
        }
        if (section.count > section.listed.length) {
          lines.push(`  … and ${section.count - section.listed.length} more ` +
            `(--format ndjson lists every one)`);
        }
      });
    }
    return lines.join('\n') + '\n';
  }
}

/** Why a rule does not raise what the other does: its failing clauses, or its new-terms call. */
function because(verdict) {
  const reasons = verdict.reasons ?? [];
  if (!verdict.match) {
    const failing = (verdict.clauses ?? []).filter((clause) => !clause.pass);
    return failing.length > 0 ? `fails ${failing.map(failure).join('; ')}` : (reasons[0] ?? 'no match');
  }
  return reasons[reasons.length - 1] ?? verdict.verdict;
}

function change(before, after) {
  if (before === 0) return after === 0 ? 0 : null;
  return Math.round(((after - before) / before) * 1000) / 10;
}

function percent(value) {
  if (value === null) return 'new';
  return `${value > 0 ? '+' : ''}${value.toFixed(1)}%`;
}
