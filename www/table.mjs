// The results table. It keeps every row's data but puts in the document only the rows that
// can be seen, so that scrolling stays smooth at 100,000 events. Below `RENDER_ALL` rows every
// row is in the document, so that find-in-page and scripted checks see all of them.
//
// Each row element carries `data-index` (the event's 0-based position in the input) and
// `data-verdict`.

import { h } from './dom.mjs';
import { VERDICT_NAMES, formatTime, verdictLabel } from './verdicts.mjs';

/** The height of a body row in pixels; style.css gives `.row.body` the same. */
const ROW_HEIGHT = 26;
const OVERSCAN = 10;
const RENDER_ALL = 1000;

export class ResultTable {
  /**
   * @param {object} elements viewport (the scrolling box), spacer (holds the rows), empty
   *   (the note shown without rows), table (gets aria-rowcount)
   * @param {(index: number) => void} onSelect called when the selection moves to a row
   */
  constructor({ viewport, spacer, empty, table }, onSelect) {
    this.viewport = viewport;
    this.spacer = spacer;
    this.empty = empty;
    this.table = table;
    this.onSelect = onSelect;

    this.rows = [];
    this.view = [];
    this.shown = new Set(VERDICT_NAMES);
    this.selected = null;
    this.elements = new Map();
    this.scheduled = false;

    viewport.addEventListener('scroll', () => this.schedule());
    viewport.addEventListener('click', (event) => {
      const row = event.target.closest('.row[data-index]');
      if (row !== null) this.select(Number(row.dataset.index));
    });
    viewport.addEventListener('keydown', (event) => this.key(event));
    new ResizeObserver(() => this.schedule()).observe(viewport);
  }

  clear() {
    this.rows = [];
    this.view = [];
    this.selected = null;
    for (const element of this.elements.values()) element.remove();
    this.elements.clear();
    this.viewport.scrollTop = 0;
    this.schedule();
  }

  /** Adds rows that follow the ones already there (rows arrive in input order). */
  append(rows) {
    for (const row of rows) {
      this.rows[row.index] = row;
      if (this.shown.has(row.verdict)) this.view.push(row.index);
    }
    this.schedule();
  }

  /** Shows only rows whose verdict is in `verdicts`. */
  show(verdicts) {
    this.shown = new Set(verdicts);
    this.view = [];
    for (const row of this.rows) {
      if (row !== undefined && this.shown.has(row.verdict)) this.view.push(row.index);
    }
    this.schedule();
  }

  /** Selects the row of an event, scrolls it into view and tells `onSelect`. */
  select(index) {
    if (this.rows[index] === undefined) return;
    this.selected = index;
    const position = this.view.indexOf(index);
    if (position >= 0) this.scrollTo(position);
    this.schedule();
    this.onSelect(index);
  }

  scrollTo(position) {
    const top = position * ROW_HEIGHT;
    const { scrollTop, clientHeight } = this.viewport;
    if (top < scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > scrollTop + clientHeight) {
      // Whole rows at the top, rather than one cut in half under the header.
      this.viewport.scrollTop = Math.ceil((top + ROW_HEIGHT - clientHeight) / ROW_HEIGHT) * ROW_HEIGHT;
    }
  }

  key(event) {
    const steps = {
      ArrowDown: 1,
      ArrowUp: -1,
      PageDown: this.pageRows(),
      PageUp: -this.pageRows(),
      Home: -Infinity,
      End: Infinity,
    };
    const step = steps[event.key];
    if (step === undefined || this.view.length === 0) return;
    event.preventDefault();

    const current = this.selected === null ? -1 : this.view.indexOf(this.selected);
    const target = Math.max(0, Math.min(this.view.length - 1, current + step));
    this.select(this.view[target]);
  }

  pageRows() {
    return Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
  }

  schedule() {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      this.render();
    });
  }

  render() {
    const count = this.view.length;
    this.spacer.style.height = `${count * ROW_HEIGHT}px`;
    this.table.setAttribute('aria-rowcount', String(count + 1));
    this.empty.hidden = this.rows.length > 0;

    let first = 0;
    let last = count;
    if (count > RENDER_ALL) {
      const { scrollTop, clientHeight } = this.viewport;
      first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
      last = Math.min(count, Math.ceil((scrollTop + clientHeight) / ROW_HEIGHT) + OVERSCAN);
    }

    const next = new Map();
    let changed = false;
    for (let position = first; position < last; position++) {
      const index = this.view[position];
      let element = this.elements.get(index);
      if (element === undefined) {
        element = rowElement(this.rows[index]);
        changed = true;
      }
      place(element, position, index === this.selected);
      next.set(index, element);
    }
    for (const [index, element] of this.elements) {
      if (!next.has(index)) {
        element.remove();
        changed = true;
      }
    }
    this.elements = next;
    // Document order follows the table's order, for screen readers and find-in-page.
    if (changed) this.spacer.replaceChildren(...next.values());
  }
}

function place(element, position, selected) {
  if (element.position !== position) {
    element.position = position;
    element.style.transform = `translateY(${position * ROW_HEIGHT}px)`;
    element.setAttribute('aria-rowindex', String(position + 2));
  }
  if (element.classList.contains('selected') !== selected) {
    element.classList.toggle('selected', selected);
    element.setAttribute('aria-selected', String(selected));
  }
}

function rowElement(row) {
  const cells = row.error === null
    ? [
        cell(formatTime(row.time), row.time),
        cell(row.arn),
        cell(row.action),
        cell(row.source),
        cell(row.key),
      ]
    : [h('span', { role: 'cell', className: 'error-text', title: row.error, text: row.error })];

  return h(
    'div',
    {
      className: 'row body',
      dataset: { index: String(row.index), verdict: row.verdict },
      attrs: { role: 'row', 'aria-selected': 'false' },
    },
    h('span', { role: 'cell', className: 'num', text: String(row.index) }),
    h(
      'span',
      { role: 'cell' },
      h('span', { className: `badge ${row.verdict}`, text: verdictLabel(row.verdict) }),
    ),
    cells,
  );
}

function cell(value, title = value) {
  return h('span', { role: 'cell', title: title || undefined, text: value });
}
