// The page's worker: the only place where the wasm core runs, so that the page stays
// responsive however many events there are.
//
// The page starts one worker per run and terminates it to stop the run. After its run the
// worker stays and answers for that run's results (one event's details, the exports) until
// the next run replaces it. One more worker lives as long as the page and answers quick
// questions: the built-in rules, and whether a pasted rule parses.
//
// Requests are `{type, id, ...}` objects; every answer carries the request's type and id, and
// a failure is `{type: "failed", id, request, message}`.

import {
  RuleError,
  Triage,
  builtinRules,
  checkQuery,
  describeRules,
  init,
  parseJson,
  stringifyJson,
  version,
} from '../js/browser.mjs';
import { Comparison, rowOf } from './results.mjs';
import { caretDisplay, indexOfCodePoint, lineColumn, ruleKind, tomlErrorIndex } from './rule-text.mjs';
import { ResultStore } from './store.mjs';

const ready = init();
// A failed start is reported in answer to the first request; this keeps it from also being
// reported as an unhandled rejection.
ready.catch(() => {});

/** The triage run's results, kept for the details and exports asked for later. */
let kept = null;

self.addEventListener('message', (message) => {
  const request = message.data;
  handle(request).catch((error) => {
    const answer = { type: 'failed', id: request?.id, request: request?.type, message: describe(error) };
    self.postMessage(answer);
  });
});

async function handle(request) {
  await ready;
  switch (request.type) {
    case 'hello':
      return self.postMessage({ type: 'hello', id: request.id, version: version(), rules: builtinRules() });
    case 'check':
      return self.postMessage({ type: 'check', id: request.id, ...check(request.text) });
    case 'triage':
      return triage(request);
    case 'compare':
      return compare(request);
    case 'detail':
      return self.postMessage({ type: 'detail', ...detail(request.index) });
    case 'export':
      return self.postMessage({ type: 'export', ...exportFile(request.what, request.verdicts) });
    default:
      throw new Error(`the worker got a request it does not know: ${JSON.stringify(request.type)}`);
  }
}

/**
 * Runs one rule over the inputs, streaming compact rows to the page and keeping each result
 * with its enriched event as the core wrote it.
 */
async function triage({ rule, inputs }) {
  const started = performance.now();
  const triage = new Triage({ rules: [rule], enrich: true });
  kept = { rule: triage.rules[0].name, store: new ResultStore() };
  self.postMessage({ type: 'started', rule: triage.rules[0] });

  for (const input of inputs) {
    for await (const batch of triage.stream(chunks(input))) {
      kept.store.add(batch.texts, batch.results.map((result) => result.verdict));
      self.postMessage({ type: 'rows', rows: batch.results.map(rowOf) });
    }
  }

  const seconds = (performance.now() - started) / 1000;
  self.postMessage({ type: 'done', events: kept.store.count, seconds });
}

/** Runs two rules over the inputs and reports how their alerts and matches differ. */
async function compare({ rules, labels, inputs }) {
  const triage = new Triage({ rules });
  const comparison = new Comparison(labels);

  for (const input of inputs) {
    for await (const batch of triage.stream(chunks(input))) {
      for (const result of batch.results) comparison.add(result);
      self.postMessage({ type: 'progress', events: comparison.events });
    }
  }

  self.postMessage({ type: 'compare', summary: comparison.summary() });
}

async function* chunks(blob) {
  const reader = blob.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

/** One event's result, its enriched event and its raw record, pretty-printed. */
function detail(index) {
  if (kept === null) throw new Error('there are no results yet');
  const texts = kept.store.get(index);
  const event = texts.event === null ? null : parseJson(texts.event);
  const original = event?.event?.original;
  let record = null;
  let recordNote = null;
  if (typeof original === 'string') {
    try {
      record = stringifyJson(parseJson(original), 2);
    } catch (error) {
      record = original;
      recordNote = `event.original is not JSON (${describe(error)}); shown as written`;
    }
  } else if (event !== null) {
    recordNote = 'the event has no event.original';
  }

  return {
    index,
    result: parseJson(texts.result),
    event: event === null ? null : stringifyJson(event, 2),
    record,
    recordNote,
  };
}

/** A file of the run's results for the verdicts asked for, as a Blob and a file name. */
function exportFile(what, verdicts) {
  if (kept === null) throw new Error('there are no results to export yet');
  const { blob, count } = kept.store.export(what, verdicts);
  const rule = kept.rule.replace(/[^\w.-]+/g, '_');
  const name = {
    events: `cloudtrail-triage-${rule}-events.ndjson`,
    results: `cloudtrail-triage-${rule}-results.ndjson`,
    csv: `cloudtrail-triage-${rule}-results.csv`,
  }[what];
  return { what, name, count, blob };
}

/** Whether a pasted rule loads, what it is, and where its error lies if it does not. */
function check(text) {
  const kind = ruleKind(text);
  if (text.trim() === '') return { kind, ok: false, empty: true };

  if (kind === 'kql') {
    const error = checkQuery(text);
    if (error === null) {
      return { kind, ok: true, info: describeRules([{ query: text, name: 'pasted' }])[0] };
    }
    return failure(kind, text, error.message, indexOfCodePoint(text, error.offset));
  }

  try {
    return { kind, ok: true, info: describeRules([{ toml: text }])[0] };
  } catch (error) {
    if (!(error instanceof RuleError)) throw error;
    const message = error.message.split('\n')[0];
    return failure(kind, text, message, tomlErrorIndex(text, message, checkQuery));
  }
}

function failure(kind, text, message, index) {
  if (index === null) return { kind, ok: false, message, display: message, index: null };
  const { line, column } = lineColumn(text, index);
  const caret = caretDisplay(text, index);
  return { kind, ok: false, message, caret, display: `${message}\n${caret}`, index, line, column };
}

function describe(error) {
  return error instanceof Error ? error.message : String(error);
}
