// The comparison of two rules on the same events, run in a worker of its own: the numbers, a
// bar chart, and the events one rule raises and the other does not, each with what decides it.

import { byId, fill, h, svg } from './dom.mjs';
import { fieldValues } from './details.mjs';
import { startWorker } from './env.mjs';
import { formatChange, formatTime, verdictLabel } from './verdicts.mjs';

export class ComparePanel {
  /**
   * @param {object} input the EventInput
   * @param {object} rules the RulePicker, for the pasted rule
   * @param {object} hooks `onJump(index, inputVersion)` selects an event in the table;
   *   `onChange()` is called when the choice of rules or whether a comparison runs changes
   */
  constructor(input, rules, { onJump, onChange }) {
    this.input = input;
    this.rules = rules;
    this.onJump = onJump;
    this.onChange = onChange;
    this.worker = null;
    this.status = byId('compare-status');
    this.choices = [byId('compare-a'), byId('compare-b')];

    byId('compare-run').addEventListener('click', () => this.run());
    for (const select of this.choices) select.addEventListener('change', () => this.onChange());
  }

  /** Offers the built-in versions and the pasted rule; the default is the last tuning. */
  setBuiltins(builtins, chosen) {
    const names = builtins.map((rule) => rule.name);
    const values = [...names, 'pasted'];
    const fallbacks = [names.at(-2) ?? names[0], names.at(-1)];
    this.choices.forEach((select, side) => {
      select.replaceChildren(
        ...names.map((name) => h('option', { attrs: { value: name }, text: name })),
        h('option', { attrs: { value: 'pasted' }, text: 'the pasted rule' }),
      );
      select.value = values.includes(chosen[side]) ? chosen[side] : fallbacks[side];
    });
  }

  /** The chosen rules' names, as the URL keeps them. */
  chosen() {
    return this.choices.map((select) => select.value);
  }

  get running() {
    return this.worker !== null;
  }

  async run() {
    if (this.input.isEmpty()) {
      this.status.textContent = 'Nothing to compare on yet: paste events, drop files or load the sample.';
      return;
    }
    const labels = this.chosen();
    if (labels.includes('pasted')) await this.rules.settle();
    const specs = labels.map((label) => (label === 'pasted' ? this.rules.pastedSpec() : label));
    if (specs.includes(null)) {
      this.status.textContent = 'The pasted rule is empty or does not parse; see the Rule box.';
      return;
    }

    this.stop();
    const worker = startWorker('compare');
    this.worker = worker;
    const version = this.input.version;
    worker.addEventListener('message', ({ data }) => {
      if (this.worker === worker) this.answer(data, version);
    });
    worker.addEventListener('error', (event) => {
      event.preventDefault();
      if (this.worker !== worker) return;
      this.finish('The comparison worker stopped unexpectedly.');
    });
    worker.postMessage({ type: 'compare', rules: specs, labels, inputs: this.input.blobs() });
    this.status.textContent = `Comparing ${labels[0]} with ${labels[1]} on ${this.input.describe()}…`;
    this.onChange();
  }

  answer(data, version) {
    if (data.type === 'progress') {
      this.status.textContent = `Comparing: ${data.events.toLocaleString('en-US')} events so far…`;
    } else if (data.type === 'failed') {
      this.finish(data.message);
    } else if (data.type === 'compare') {
      this.finish('');
      showComparison(data.summary, (index) => this.onJump(index, version));
    }
  }

  finish(status) {
    this.worker?.terminate();
    this.worker = null;
    this.status.textContent = status;
    this.onChange();
  }

  /** Terminates a running comparison; says whether there was one. */
  stop() {
    if (this.worker === null) return false;
    this.finish('Stopped.');
    return true;
  }
}

/**
 * Shows a comparison summary from the worker.
 *
 * @param {object} summary see `Comparison#summary` in results.mjs
 * @param {(index: number) => void} onJump selects an event in the table
 */
function showComparison(summary, onJump) {
  const [a, b] = summary.labels;
  byId('compare-head-a').textContent = a;
  byId('compare-head-b').textContent = b;
  for (const kind of ['alerts', 'matches']) {
    const { counts, change } = summary[kind];
    byId(`compare-${kind}-a`).textContent = String(counts[0]);
    byId(`compare-${kind}-b`).textContent = String(counts[1]);
    byId(`compare-${kind}-change`).textContent = formatChange(change);
  }

  fill(byId('compare-chart'), chart(summary));
  fill(byId('compare-lists'), lists(summary, onJump));
  byId('compare-body').hidden = false;
}

const CHART = { width: 360, height: 150, top: 18, bottom: 34, left: 12, bar: 40, gap: 8, group: 56 };

/** Two groups (alerts, matches) of two bars (a, b), with the counts written on top. */
function chart(summary) {
  const [a, b] = summary.labels;
  const groups = [
    ['alerts', summary.alerts.counts],
    ['matches', summary.matches.counts],
  ];
  const max = Math.max(1, ...groups.flatMap(([, counts]) => counts));
  const plot = CHART.height - CHART.top - CHART.bottom;
  const base = CHART.top + plot;

  const parts = [];
  groups.forEach(([name, counts], g) => {
    const x0 = CHART.left + g * (2 * CHART.bar + CHART.gap + CHART.group);
    counts.forEach((count, side) => {
      const x = x0 + side * (CHART.bar + CHART.gap);
      const height = Math.round((count / max) * plot);
      parts.push(
        svg('rect', { x, y: base - height, width: CHART.bar, height, class: `bar side-${side}` }),
        svg('text', { x: x + CHART.bar / 2, y: base - height - 4, 'text-anchor': 'middle', class: 'value' }, String(count)),
      );
    });
    parts.push(svg('text', { x: x0 + CHART.bar + CHART.gap / 2, y: base + 16, 'text-anchor': 'middle', class: 'axis' }, name));
  });

  const legendX = CHART.left + 2 * (2 * CHART.bar + CHART.gap) + CHART.group + 16;
  [a, b].forEach((label, side) => {
    const y = CHART.top + 8 + side * 20;
    parts.push(
      svg('rect', { x: legendX, y: y - 9, width: 12, height: 12, class: `bar side-${side}` }),
      svg('text', { x: legendX + 18, y: y + 1, class: 'axis' }, label),
    );
  });
  parts.push(svg('line', { x1: CHART.left - 4, x2: legendX - 12, y1: base, y2: base, class: 'baseline' }));

  const title = `${a}: ${summary.alerts.counts[0]} alerts, ${summary.matches.counts[0]} matches; ` +
    `${b}: ${summary.alerts.counts[1]} alerts, ${summary.matches.counts[1]} matches`;
  return svg(
    'svg',
    { viewBox: `0 0 ${CHART.width} ${CHART.height}`, width: CHART.width, height: CHART.height, role: 'img', 'aria-label': title },
    svg('title', {}, title),
    ...parts,
  );
}

function lists(summary, onJump) {
  const [a, b] = summary.labels;
  const note = summary.errors === 0
    ? `${summary.events} events`
    : `${summary.events} events, ${summary.errors} of which could not be read`;
  const out = [h('p', { className: 'muted', text: `On ${note}.` })];

  for (const kind of ['alert', 'match']) {
    summary.sections[kind].forEach((section, side) => {
      const only = side === 0 ? a : b;
      const not = side === 0 ? b : a;
      if (kind === 'match' && section.count === 0) return;
      const title = kind === 'alert'
        ? `Alerts ${only} raises and ${not} does not: ${section.count}`
        : `Matches of ${only} that ${not} does not match, neither alerting: ${section.count}`;
      out.push(h('h4', { text: title }));
      if (section.count === 0) return;

      out.push(h('ol', { className: 'differences' }, section.listed.map((item) => difference(item, only, not, summary.labels, onJump))));
      if (section.count > section.listed.length) {
        out.push(h('p', { className: 'muted', text: `… and ${section.count - section.listed.length} more; the first ${summary.listedAtMost} are listed.` }));
      }
    });
  }
  return out;
}

function difference(item, only, not, labels, onJump) {
  const verdicts = labels.map((label, side) => `${label}: ${verdictLabel(item.verdicts[side])}`).join(' · ');
  return h(
    'li',
    { dataset: { event: String(item.index) } },
    h('div', { className: 'difference-head' },
      h('button', {
        className: 'link',
        attrs: { type: 'button' },
        text: `#${item.index}`,
        title: 'show this event in the table',
        on: { click: () => onJump(item.index) },
      }),
      ' ',
      [formatTime(item.time), item.action, item.arn].filter(Boolean).join('  '),
      h('span', { className: 'muted', text: `  (${verdicts})` }),
    ),
    deciding(item.deciding, only, not, onJump),
  );
}

function deciding({ newTerms, clauses }, only, not, onJump) {
  if (newTerms !== null) {
    const [raisingDays, otherDays] = newTerms.windowDays;
    const windows = raisingDays !== otherDays && raisingDays !== null && otherDays !== null
      ? ` (history window: ${only} ${raisingDays} days, ${not} ${otherDays} days)`
      : '';
    return h('div', { className: 'deciding' },
      h('span', { className: 'muted', text: `deciding: new terms${windows}. ${not}: ` }),
      newTerms.reason,
      newTerms.previous === null
        ? null
        : [' ', h('button', {
            className: 'link',
            attrs: { type: 'button' },
            text: `go to event ${newTerms.previous}`,
            on: { click: () => onJump(newTerms.previous) },
          })],
    );
  }

  return h('div', { className: 'deciding' }, clauses.map((clause) => h(
    'div',
    { className: 'deciding-clause' },
    h('span', { className: 'muted', text: 'deciding clause: ' }),
    h('code', { text: clause.clause }),
    ` fails in ${not}`,
    clause.inRaising ? ` and passes in ${only}` : ` (${only} has no such clause)`,
    h('div', { className: 'deciding-values' }, fieldValues(clause.fields), clause.notes.map((note) => h('div', { className: 'note', text: note }))),
  )));
}
