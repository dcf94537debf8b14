// What a triage run keeps for the details and exports asked for later: each result with its
// enriched event, as the text the core wrote, split into result and event only when asked.
//
// The texts are kept as the library hands them over, so keeping them costs no time during the
// run; they take about what the core wrote, some 5 KB per event of CloudTrail (half a gigabyte
// at 100,000 events), in the worker, which gives it all back when the next run replaces it.

import { csvHeader, csvRow, cutMember } from './results.mjs';

export class ResultStore {
  constructor() {
    this.batches = [];
    this.count = 0;
  }

  /**
   * Keeps a batch of consecutive results.
   *
   * @param {string[]} texts each result's text, with its event
   * @param {string[]} verdicts each result's verdict
   */
  add(texts, verdicts) {
    if (texts.length === 0) return;
    this.batches.push({ first: this.count, texts, verdicts });
    this.count += texts.length;
  }

  /** One event's result text (without the event) and its event's text (null if none). */
  get(index) {
    const batch = this.batchOf(index);
    if (batch === undefined) throw new Error(`this run holds no event ${index}`);
    const { rest, value } = cutMember(batch.texts[index - batch.first], 'event');
    return { result: rest, event: value };
  }

  batchOf(index) {
    let low = 0;
    let high = this.batches.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const batch = this.batches[middle];
      if (index < batch.first) high = middle - 1;
      else if (index >= batch.first + batch.texts.length) low = middle + 1;
      else return batch;
    }
    return undefined;
  }

  /**
   * A file of the events whose verdict is in `verdicts`: `results` or `events` as NDJSON (an
   * unreadable event has no event line), or the results as `csv`. Returns the Blob and how
   * many lines of events or results it holds.
   */
  export(what, verdicts) {
    if (!['results', 'events', 'csv'].includes(what)) {
      throw new Error(`unknown export ${JSON.stringify(what)}`);
    }
    const wanted = new Set(verdicts);
    const parts = what === 'csv' ? [csvHeader()] : [];
    let count = 0;

    for (const batch of this.batches) {
      batch.texts.forEach((text, i) => {
        if (!wanted.has(batch.verdicts[i])) return;
        const { rest, value } = cutMember(text, 'event');
        if (what === 'events') {
          if (value === null) return;
          parts.push(value, '\n');
        } else if (what === 'results') {
          parts.push(rest, '\n');
        } else {
          parts.push(csvRow(JSON.parse(rest)));
        }
        count += 1;
      });
    }

    const type = what === 'csv' ? 'text/csv' : 'application/x-ndjson';
    return { blob: new Blob(parts, { type }), count };
  }
}
