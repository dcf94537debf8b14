// The triage page. It wires the inputs, the rule picker, the table, the details, the
// comparison and the exports to workers that run the core (worker.mjs): one worker per run,
// terminated to stop it, and one long-lived helper for questions about rules.
//
// The rule choice is kept in the URL's fragment, never the events: they are security logs.

import { ComparePanel } from './compare.mjs';
import { showDetails, showNote } from './details.mjs';
import { byId, download, h } from './dom.mjs';
import { sampleText, startWorker } from './env.mjs';
import { EventInput } from './inputs.mjs';
import { RulePicker } from './rules.mjs';
import { ResultTable } from './table.mjs';
import { VERDICTS, VERDICT_NAMES } from './verdicts.mjs';

/** The long-lived worker that answers questions about rules, one promise per request. */
class Helper {
  constructor() {
    this.worker = startWorker('rules');
    this.waiting = new Map();
    this.next = 0;
    this.worker.addEventListener('message', ({ data }) => {
      const waiter = this.waiting.get(data.id);
      if (waiter === undefined) return;
      this.waiting.delete(data.id);
      if (data.type === 'failed') waiter.reject(new Error(data.message));
      else waiter.resolve(data);
    });
    this.worker.addEventListener('error', (event) => {
      event.preventDefault();
      const error = new Error('the page could not start its worker');
      for (const waiter of this.waiting.values()) waiter.reject(error);
      this.waiting.clear();
    });
  }

  ask(request) {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }
}

const helper = new Helper();
const input = new EventInput(() => run());
const rules = new RulePicker((text) => helper.ask({ type: 'check', text }), () => ruleChanged());
const table = new ResultTable(
  { viewport: byId('viewport'), spacer: byId('spacer'), empty: byId('empty'), table: byId('table') },
  (index) => selected(index),
);
const comparison = new ComparePanel(input, rules, {
  onJump: (index, version) => jump(index, version),
  onChange: () => {
    setRunning((current !== null && current.running) || comparison.running);
    saveChoices();
  },
});

/** The current triage run: its worker, rule, counts, and whether it is still going. */
let current = null;

const counts = Object.fromEntries(VERDICT_NAMES.map((name) => [name, 0]));
let shown = new Set(VERDICT_NAMES);

start();

async function start() {
  setStatus('');
  buildCounts();
  byId('run').addEventListener('click', () => run());
  byId('stop').addEventListener('click', () => stop());
  byId('sample').addEventListener('click', () => loadSample());
  byId('input').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) run();
  });
  for (const name of ['events', 'results', 'csv']) {
    byId(`export-${name}`).addEventListener('click', () => exportFile(name));
  }
  for (const tab of ['details', 'compare']) {
    byId(`tab-${tab}`).addEventListener('click', () => showTab(tab));
  }

  try {
    const hello = await helper.ask({ type: 'hello' });
    const choices = readChoices();
    byId('version').textContent = `core ${hello.version}`;
    rules.setBuiltins(hello.rules, choices.rule);
    comparison.setBuiltins(hello.rules, [choices.a, choices.b]);
    document.body.dataset.ready = 'true';
  } catch (error) {
    showError(`The page could not start the triage core: ${error.message}`);
  }
}

function buildCounts() {
  const group = byId('counts');
  for (const verdict of VERDICTS) {
    const chip = h(
      'button',
      {
        className: 'chip',
        title: `${verdict.about}. Click to hide or show these rows.`,
        dataset: { filter: verdict.name },
        attrs: { type: 'button', 'aria-pressed': 'true' },
        on: { click: () => toggleVerdict(verdict.name) },
      },
      h('span', { className: `badge ${verdict.name}`, text: verdict.label }),
      h('span', { className: 'count', attrs: { id: `count-${verdict.name}` }, text: '0' }),
    );
    group.append(chip);
  }
}

function toggleVerdict(name) {
  if (shown.has(name)) shown.delete(name);
  else shown.add(name);
  const chip = document.querySelector(`#counts [data-filter="${name}"]`);
  chip.setAttribute('aria-pressed', String(shown.has(name)));
  table.show(shown);
  updateExports();
}

function showCounts() {
  let total = 0;
  for (const name of VERDICT_NAMES) {
    byId(`count-${name}`).textContent = counts[name].toLocaleString('en-US');
    total += counts[name];
  }
  byId('count-total').textContent = total.toLocaleString('en-US');
}

async function run() {
  hideError();
  if (input.isEmpty()) {
    setStatus('Nothing to triage yet: paste events, drop files or load the sample.');
    return;
  }
  if (rules.usesPasted()) await rules.settle();
  const rule = rules.current();
  if (rule.error !== undefined) {
    showError(rule.error);
    return;
  }

  stopRun();
  table.clear();
  for (const name of VERDICT_NAMES) counts[name] = 0;
  showCounts();
  showNote(byId('details-body'), '');
  byId('details-body').hidden = true;
  byId('details-empty').hidden = false;

  const worker = startWorker('triage');
  const thisRun = {
    worker,
    label: rule.label,
    source: input.describe(),
    inputVersion: input.version,
    events: 0,
    running: true,
    stopped: false,
    selected: null,
  };
  current = thisRun;
  worker.addEventListener('message', ({ data }) => {
    if (current === thisRun) onRunMessage(thisRun, data);
  });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    if (current === thisRun) finish(thisRun, 'The triage worker stopped unexpectedly.');
  });
  worker.postMessage({ type: 'triage', rule: rule.spec, inputs: input.blobs() });

  setRunning(true);
  setStatus(`Triaging ${thisRun.source} with ${rule.label}…`);
  updateExports();
  saveChoices();
}

function onRunMessage(thisRun, data) {
  switch (data.type) {
    case 'started':
      thisRun.label = data.rule.name;
      break;
    case 'rows':
      for (const row of data.rows) counts[row.verdict] += 1;
      thisRun.events += data.rows.length;
      table.append(data.rows);
      showCounts();
      setStatus(`Triaging ${thisRun.source} with ${thisRun.label}: ${thisRun.events.toLocaleString('en-US')} events so far…`);
      break;
    case 'done':
      finish(thisRun, null, data.seconds);
      break;
    case 'failed':
      finish(thisRun, data.message);
      break;
    case 'detail':
      if (thisRun.selected === data.index) {
        showDetails(byId('details-body'), data, (index) => jump(index));
      }
      break;
    case 'export':
      download(data.blob, data.name);
      setStatus(`Saved ${data.count.toLocaleString('en-US')} ${data.what === 'events' ? 'events' : 'results'} as ${data.name}.`);
      break;
    default:
      break;
  }
}

function finish(thisRun, error, seconds) {
  thisRun.running = false;
  setRunning(comparison.running);
  // How many runs have ended, for whoever waits on the page (the browser tests do).
  document.body.dataset.finished = String(Number(document.body.dataset.finished ?? 0) + 1);
  updateExports();
  if (error !== null) {
    showError(error);
    setStatus(thisRun.events > 0 ? `Stopped on an error after ${thisRun.events.toLocaleString('en-US')} events.` : '');
    return;
  }

  const time = seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1);
  const alerts = counts.alert === 1 ? '1 alert' : `${counts.alert.toLocaleString('en-US')} alerts`;
  const events = thisRun.events === 1 ? '1 event' : `${thisRun.events.toLocaleString('en-US')} events`;
  setStatus(`${events} from ${thisRun.source} with ${thisRun.label} in ${time} s: ${alerts}.`);
}

/** Terminates the running triage and comparison, keeping the rows that arrived. */
function stop() {
  const stopped = [];
  if (current !== null && current.running) {
    stopRun();
    stopped.push(`the triage after ${current.events.toLocaleString('en-US')} events`);
  }
  if (comparison.stop()) stopped.push('the comparison');
  setRunning(false);
  if (stopped.length > 0) setStatus(`Stopped ${stopped.join(' and ')}.`);
}

function stopRun() {
  if (current === null) return;
  current.worker.terminate();
  if (current.running) {
    current.running = false;
    current.stopped = true;
  }
  updateExports();
}

function selected(index) {
  showTab('details');
  byId('details-empty').hidden = true;
  byId('details-body').hidden = false;
  if (current === null) return;
  current.selected = index;
  if (current.stopped) {
    showNote(byId('details-body'), 'This run was stopped, and the details of its events went with it. Press Run to triage the events again.');
    return;
  }
  current.worker.postMessage({ type: 'detail', index });
}

/** Selects an event of the input at `version` in the table, if the table shows that input. */
function jump(index, version = input.version) {
  const same = current !== null && current.inputVersion === version && version === input.version;
  if (same && table.rows[index] !== undefined) {
    if (!shown.has(table.rows[index].verdict)) toggleVerdict(table.rows[index].verdict);
    table.select(index);
  } else {
    setStatus(`The table does not show these events; press Run to triage them, then select event ${index}.`);
  }
}

function exportFile(what) {
  if (current === null || current.running || current.stopped) return;
  current.worker.postMessage({ type: 'export', what, verdicts: [...shown] });
}

function updateExports() {
  const ready = current !== null && !current.running && !current.stopped && current.events > 0;
  const rows = VERDICT_NAMES.filter((name) => shown.has(name)).reduce((sum, name) => sum + counts[name], 0);
  for (const name of ['events', 'results', 'csv']) {
    const button = byId(`export-${name}`);
    button.disabled = !ready;
    button.title = ready ? `the ${rows.toLocaleString('en-US')} rows the filter shows` : 'run the rule first';
  }
}

function ruleChanged() {
  saveChoices();
  // A new rule on events already triaged: show what it does with them.
  if (current !== null && current.inputVersion === input.version && !input.isEmpty()) run();
}

async function loadSample() {
  hideError();
  try {
    input.setText(await sampleText(), 'the sample');
    await run();
  } catch (error) {
    showError(error.message);
  }
}

function showTab(name) {
  for (const tab of ['details', 'compare']) {
    byId(`tab-${tab}`).setAttribute('aria-selected', String(tab === name));
    byId(tab).hidden = tab !== name;
  }
}

function setRunning(running) {
  byId('stop').disabled = !running;
}

function setStatus(text) {
  byId('status').textContent = text;
}

function showError(text) {
  const box = byId('run-error');
  box.textContent = text;
  box.hidden = false;
}

function hideError() {
  byId('run-error').hidden = true;
}

function readChoices() {
  const params = new URLSearchParams(location.hash.slice(1));
  return { rule: params.get('rule'), a: params.get('a'), b: params.get('b') };
}

function saveChoices() {
  const params = new URLSearchParams();
  if (byId('rule').value !== '') params.set('rule', byId('rule').value);
  const [a, b] = comparison.chosen();
  if (a !== '') params.set('a', a);
  if (b !== '') params.set('b', b);
  history.replaceState(null, '', `#${params}`);
}
