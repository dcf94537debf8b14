// The details of one event: why the rule decided as it did, clause by clause, its caveats,
// where its temporary key came from, the enriched event and the raw record it came from.

import { fill, h } from './dom.mjs';
import { keyHistory } from './key-history.mjs';
import { formatTime, verdictLabel } from './verdicts.mjs';

/**
 * Shows a detail answer from the worker in `container`.
 *
 * @param {HTMLElement} container
 * @param {{index, result, event, record, recordNote}} detail
 * @param {(index: number) => void} onJump selects another event
 */
export function showDetails(container, detail, onJump) {
  const { result } = detail;
  fill(
    container,
    heading(result),
    summary(result),
    result.error === undefined ? explanation(result, onJump) : failure(result),
    caveats(result),
    keyHistory(result, onJump),
    block('Enriched event', 'the normalized event the rule saw', detail.event, null, true),
    block('Raw record', 'event.original', detail.record, detail.recordNote, false),
  );
}

/** What the details show while the worker looks the event up, or when it cannot. */
export function showNote(container, text) {
  fill(container, h('p', { className: 'muted', text }));
}

function heading(result) {
  return h(
    'h3',
    { className: 'details-heading' },
    `Event ${result.index} `,
    h('span', { className: `badge ${result.verdict}`, text: verdictLabel(result.verdict) }),
    h('span', { className: 'muted', text: ` with rule ${result.rule}` }),
  );
}

function summary(result) {
  const fields = result.summary ?? {};
  const items = [
    ['time', formatTime(fields.timestamp)],
    ['user ARN', fields.arn],
    ['action', fields.action],
    ['source', fields.source],
    ['key id', fields.key_id],
  ].filter(([, value]) => value !== undefined && value !== null && value !== '');
  if (items.length === 0) return null;
  return h('dl', { className: 'facts' }, items.map(([name, value]) => h(
    'div',
    {},
    h('dt', { text: name }),
    h('dd', { text: String(value) }),
  )));
}

function failure(result) {
  return h('section', {}, h('h4', { text: 'Why' }), h('p', { className: 'error-text', text: result.error }));
}

function explanation(result, onJump) {
  const reasons = result.reasons ?? [];
  const clauses = result.clauses ?? [];
  return h(
    'section',
    { className: 'why' },
    h('h4', { text: 'Why' }),
    h('p', { className: 'headline', text: reasons[0] ?? '' }),
    failing(reasons),
    newTerms(result, onJump),
    clauses.length === 0 ? null : clauseTable(clauses),
  );
}

/** The reasons of the clauses that fail, first, since they decide a miss. */
function failing(reasons) {
  const lines = reasons.filter((reason) => reason.startsWith('fail: '));
  if (lines.length === 0) return null;
  return h('ul', { className: 'failing' }, lines.map((line) => h('li', { text: line.slice('fail: '.length) })));
}

function clauseTable(clauses) {
  return h(
    'table',
    { className: 'clauses' },
    h('thead', {}, h('tr', {}, h('th', { text: '' }), h('th', { text: 'clause' }), h('th', { text: 'the event has' }))),
    h('tbody', {}, clauses.map((clause) => h(
      'tr',
      { className: clause.pass ? 'pass' : 'fail' },
      h('td', {}, h('span', { className: `mark ${clause.pass ? 'pass' : 'fail'}`, text: clause.pass ? 'pass' : 'fail' })),
      h('td', {}, h('code', { text: clause.clause })),
      h('td', {}, fieldValues(clause.fields ?? []), (clause.notes ?? []).map((note) => h('div', { className: 'note', text: note }))),
    ))),
  );
}

/** `field: "a", "b"` per field, or `field missing`. */
export function fieldValues(fields) {
  return fields.map((field) => {
    const values = field.values ?? [];
    return h(
      'div',
      { className: 'field' },
      h('code', { text: field.field }),
      values.length === 0
        ? h('span', { className: 'muted', text: ' missing' })
        : h('span', { text: ' ' + values.map(showValue).join(', ') }),
    );
  });
}

/** A field value as the explanations quote it: strings in JSON quotes, so that every character shows. */
export function showValue(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value, (_key, item) => (typeof item === 'bigint' ? item.toString() : item));
}

function newTerms(result, onJump) {
  if (result.new_term === undefined || !result.match) return null;
  const decision = (result.reasons ?? []).at(-1) ?? '';
  const previous = result.new_term.previous;
  return h(
    'div',
    { className: 'new-terms' },
    h('p', { text: decision }),
    previous === undefined
      ? null
      : h('button', {
          className: 'link',
          attrs: { type: 'button' },
          text: `go to event ${previous.index}, where it matched before`,
          on: { click: () => onJump(Number(previous.index)) },
        }),
  );
}

function caveats(result) {
  const list = result.caveats ?? [];
  return h(
    'section',
    { className: 'caveats' },
    h('h4', { text: 'Caveats' }),
    list.length === 0
      ? h('p', { className: 'muted', text: 'none: nothing is known that would make Elasticsearch decide otherwise' })
      : h('ul', {}, list.map((caveat) => h('li', { text: caveat }))),
  );
}

function block(title, about, text, note, open) {
  const details = h(
    'details',
    { className: 'json' },
    h('summary', {}, title, h('span', { className: 'muted', text: ` (${about})` })),
    note === null ? null : h('p', { className: 'muted', text: note }),
    text === null ? null : h('pre', { text }),
  );
  details.open = open;
  return details;
}
