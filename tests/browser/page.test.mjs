// The served page in Debian's Chromium: what a person sees after pasting, dropping, switching
// rules, comparing, selecting and exporting. The expected numbers come from the Node library
// on the same events, and the sample's are also pinned, so that a change to the sample or the
// rules shows up here as a change of numbers. After every test: the console stayed free of
// errors and warnings, and no request left 127.0.0.1.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, afterEach, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';

import * as lib from '../../js/index.mjs';
import { PAYLOADS, hostileRecords, manyRecords, recordsFile } from './fixtures.mjs';
import {
  SAMPLE,
  countVerdicts,
  missing,
  parseCsv,
  pasteAndRun,
  rowCounts,
  servedPage,
  shownCounts,
  runAndWait,
} from './helpers.mjs';

const skip = missing() ?? false;
const sample = readFileSync(SAMPLE, 'utf8');

/** The sample's counts per version, pinned; the library must agree with them too. */
const PINNED = {
  v1: { alert: 8, repeat: 30, match: 0, no_match: 20, error: 0 },
  v2: { alert: 8, repeat: 28, match: 0, no_match: 22, error: 0 },
  v3: { alert: 6, repeat: 18, match: 0, no_match: 34, error: 0 },
  v4: { alert: 5, repeat: 12, match: 0, no_match: 41, error: 0 },
  v5: { alert: 5, repeat: 12, match: 0, no_match: 41, error: 0 },
};
PINNED.latest = PINNED.v5;

let served;

before(async () => {
  if (skip === false) served = await servedPage();
});

after(async () => {
  await served?.close();
});

afterEach(() => {
  if (served === undefined) return;
  served.browser.assertQuiet();
  served.browser.assertLocal(served.origin);
});

function nonZero(counts) {
  return Object.fromEntries(Object.entries(counts).filter(([, count]) => count > 0));
}

test('the sample, pasted and run: counts per verdict and one row per event', { skip }, async () => {
  const expected = countVerdicts(lib.evaluate(sample, { rules: ['latest'] }));
  assert.deepEqual(expected, PINNED.latest);

  const page = await served.browser.open(served.url);
  await pasteAndRun(page, sample);

  assert.deepEqual(await shownCounts(page), expected);
  assert.deepEqual(await rowCounts(page), nonZero(expected));
  assert.equal(await page.textContent('#count-total'), String(lib.evaluate(sample).length));

  const rows = await page.$$eval('#spacer [data-index]', (elements) =>
    elements.map((element) => [Number(element.dataset.index), element.dataset.verdict]),
  );
  const library = lib.evaluate(sample, { rules: ['latest'] });
  assert.deepEqual(rows, library.map((result) => [result.index, result.verdict]));
  assert.match(await page.textContent('#status'), /^58 events from the pasted events with v5 in [\d.]+ s: 5 alerts\.$/);
  await page.close();
});

test('Load sample fetches the bundled sample and triages it', { skip }, async () => {
  const page = await served.browser.open(served.url);
  await runAndWait(page, () => page.click('#sample'));

  assert.deepEqual(await shownCounts(page), PINNED.latest);
  assert.equal(await page.inputValue('#input'), sample);
  assert.match(await page.textContent('#status'), /from the sample with v5/);
  await page.close();
});

test('switching rule versions triages the events again with each version', { skip }, async () => {
  const page = await served.browser.open(served.url);
  const values = await page.$$eval('#rule option', (options) => options.map((option) => option.value));
  for (const name of ['v1', 'v2', 'v3', 'v4', 'v5']) assert.ok(values.includes(name), `#rule offers ${name}`);

  await pasteAndRun(page, sample);
  for (const name of ['v1', 'v3', 'v2', 'v5', 'v4', 'latest']) {
    await runAndWait(page, () => page.selectOption('#rule', name));
    const label = name === 'latest' ? 'v5' : name;
    assert.match(await page.textContent('#status'), new RegExp(` with ${label} in `));

    const expected = countVerdicts(lib.evaluate(sample, { rules: [name] }));
    assert.deepEqual(expected, PINNED[name], `pinned counts of ${name}`);
    assert.deepEqual(await shownCounts(page), expected, `counts of ${name}`);
    assert.deepEqual(await rowCounts(page), nonZero(expected), `rows of ${name}`);
  }
  assert.match(page.url(), /#rule=latest/);
  await page.close();
});

test('a gzipped Records file dropped on the page, and files from the picker', { skip }, async () => {
  const gzipped = gzipSync(recordsFile());
  const library = lib.evaluate(gzipped, { rules: ['latest'] });
  const expected = countVerdicts(library);
  assert.deepEqual(expected, { alert: 2, repeat: 1, match: 0, no_match: 3, error: 1 });

  const page = await served.browser.open(served.url);
  const name = '444455556666_CloudTrail_eu-west-1_20260302T1400Z_h5Xq.json.gz';
  await runAndWait(page, () => page.evaluate(({ base64, name }) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], name, { type: 'application/gzip' }));
    const target = document.getElementById('drop');
    for (const type of ['dragenter', 'dragover', 'drop']) {
      target.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
    }
  }, { base64: gzipped.toString('base64'), name }));

  assert.deepEqual(await shownCounts(page), expected);
  assert.match(await page.textContent('#file-names'), new RegExp(`^${name.replaceAll('.', '\\.')} \\(\\d+ bytes\\)$`));
  assert.equal(await page.isHidden('#input'), true);
  const errorRow = library.find((result) => result.verdict === 'error');
  assert.equal(
    await page.textContent(`#spacer [data-index="${errorRow.index}"] .error-text`),
    errorRow.error,
  );
  const arns = await page.$$eval('#spacer [data-verdict="alert"] [role="cell"]:nth-child(4)', (cells) =>
    cells.map((cell) => cell.textContent),
  );
  assert.deepEqual(arns, library.filter((r) => r.verdict === 'alert').map((r) => r.summary.arn));

  // Two files from the picker are one run, in order; the second's new terms see the first's.
  const many = manyRecords(30, 3);
  await runAndWait(page, () => page.setInputFiles('#file', [
    { name: 'first.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(many) },
    { name: 'second.json.gz', mimeType: 'application/gzip', buffer: gzipped },
  ]));
  assert.match(await page.textContent('#status'), /^37 events from 2 files with v5 in /);
  const triage = new lib.Triage({ rules: ['latest'] });
  const combined = [...triage.evaluate(many), ...triage.evaluate(gzipped)];
  assert.deepEqual(await shownCounts(page), countVerdicts(combined));
  await page.close();
});

test('a comparison of two versions: numbers, chart, and the deciding clause', { skip }, async () => {
  const results = lib.evaluate(sample, { rules: ['v2', 'v5'] });
  const count = (side, key) => results.filter((result) => result.rules[side][key]).length;
  const numbers = {
    alerts: [count(0, 'alert'), count(1, 'alert')],
    matches: [count(0, 'match'), count(1, 'match')],
  };
  assert.deepEqual(numbers, { alerts: [8, 5], matches: [36, 17] });

  const page = await served.browser.open(served.url);
  await pasteAndRun(page, sample);
  await page.click('#tab-compare');
  await page.selectOption('#compare-a', 'v2');
  await page.selectOption('#compare-b', 'v5');
  await page.click('#compare-run');
  await page.waitForSelector('#compare-body:not([hidden])');

  const text = (id) => page.textContent(`#${id}`);
  assert.equal(await text('compare-head-a'), 'v2');
  assert.equal(await text('compare-head-b'), 'v5');
  assert.equal(await text('compare-alerts-a'), '8');
  assert.equal(await text('compare-alerts-b'), '5');
  assert.equal(await text('compare-alerts-change'), '-37.5%');
  assert.equal(await text('compare-matches-a'), '36');
  assert.equal(await text('compare-matches-b'), '17');
  assert.equal(await text('compare-matches-change'), '-52.8%');

  const bars = await page.$$eval('#compare-chart svg rect.bar', (rects) =>
    rects.map((rect) => [rect.getAttribute('class'), Number(rect.getAttribute('height'))]),
  );
  const heights = bars.slice(0, 4).map(([, height]) => height);
  assert.ok(heights[0] > heights[1], 'v2 has more alerts than v5');
  assert.ok(heights[2] > heights[3], 'v2 has more matches than v5');
  assert.equal(Math.round((heights[3] / heights[2]) * 36), 17);

  // The events on which the versions differ, each with the clause that decides it.
  const differing = results.filter(
    (r) => r.rules[0].alert !== r.rules[1].alert || r.rules[0].match !== r.rules[1].match,
  );
  const listed = await page.$$eval('#compare-lists li[data-event]', (items) =>
    items.map((item) => Number(item.dataset.event)),
  );
  assert.deepEqual([...listed].sort((a, b) => a - b), differing.map((r) => r.index));

  const example = differing.find((r) => r.rules[0].alert && !r.rules[1].match);
  const failing = example.rules[1].clauses.filter((clause) => !clause.pass).map((clause) => clause.clause);
  const item = page.locator(`#compare-lists li[data-event="${example.index}"]`);
  const itemText = await item.textContent();
  for (const clause of failing) assert.ok(itemText.includes(`deciding clause: ${clause} fails in v5`), itemText);

  await item.locator('button', { hasText: `#${example.index}` }).click();
  await page.waitForSelector(`#spacer [data-index="${example.index}"].selected`);
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), example.index);
  await page.close();
});

test('a selected row shows its explanation, caveats, event and raw record', { skip }, async () => {
  const results = lib.evaluate(sample, { rules: ['latest'], enrich: true });
  const repeat = results.find((result) => result.verdict === 'repeat');
  const miss = results.find((result) => result.verdict === 'no_match');

  const page = await served.browser.open(served.url);
  await pasteAndRun(page, sample);

  for (const expected of [repeat, miss]) {
    await page.click(`#spacer [data-index="${expected.index}"]`);
    await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), expected.index);

    assert.equal(await page.textContent('#details-body .headline'), expected.reasons[0]);
    const clauses = await page.$$eval('#details-body table.clauses tbody tr', (rows) =>
      rows.map((row) => [row.querySelector('code').textContent, row.querySelector('.mark').textContent]),
    );
    assert.deepEqual(clauses, expected.clauses.map((clause) => [clause.clause, clause.pass ? 'pass' : 'fail']));

    const caveats = await page.$$eval('#details-body .caveats li', (items) => items.map((item) => item.textContent));
    assert.deepEqual(caveats, expected.caveats);

    const [event, record] = await page.$$eval('#details-body details.json pre', (pres) => pres.map((pre) => pre.textContent));
    assert.deepEqual(JSON.parse(event), JSON.parse(JSON.stringify(expected.event)));
    assert.deepEqual(JSON.parse(record), JSON.parse(expected.event.event.original));
    assert.equal(record, JSON.stringify(JSON.parse(expected.event.event.original), null, 2));
  }

  // A repeat says where its new term was seen before, and goes there.
  await page.click(`#spacer [data-index="${repeat.index}"]`);
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), repeat.index);
  assert.equal(await page.textContent('#details-body .new-terms p'), repeat.reasons.at(-1));
  await page.click('#details-body .new-terms button');
  const previous = repeat.new_term.previous.index;
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), previous);

  // The arrow keys move the selection.
  await page.focus('#viewport');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), previous + 1);
  assert.equal(await page.getAttribute(`#spacer [data-index="${previous + 1}"]`, 'aria-selected'), 'true');
  await page.close();
});

test('exports: results and enriched events as NDJSON, results as CSV, by the filter', { skip }, async () => {
  const page = await served.browser.open(served.url);
  await pasteAndRun(page, sample);

  const saved = async (button) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
    return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
  };

  // Results: exactly the library's text for each event, as the CLI writes it.
  const texts = new lib.Triage({ rules: ['latest'] }).evaluateText(sample);
  const results = await saved('#export-results');
  assert.equal(results.name, 'cloudtrail-triage-v5-results.ndjson');
  assert.equal(results.text, texts.join('\n') + '\n');

  const events = await saved('#export-events');
  assert.equal(events.name, 'cloudtrail-triage-v5-events.ndjson');
  const enriched = lib.evaluate(sample, { rules: ['latest'], enrich: true }).map((r) => r.event);
  assert.deepEqual(
    events.text.trimEnd().split('\n').map((line) => JSON.parse(line)),
    JSON.parse(JSON.stringify(enriched)),
  );

  const csv = await saved('#export-csv');
  assert.equal(csv.name, 'cloudtrail-triage-v5-results.csv');
  const [header, ...rows] = parseCsv(csv.text);
  assert.deepEqual(header, ['index', 'verdict', 'rule', 'timestamp', 'user_arn', 'action', 'source', 'key_id', 'reason']);
  const library = lib.evaluate(sample, { rules: ['latest'] });
  assert.equal(rows.length, library.length);
  rows.forEach((row, i) => {
    const result = library[i];
    const s = result.summary;
    const cell = (value) => value ?? '';
    assert.deepEqual(
      row.slice(0, 8),
      [String(result.index), result.verdict, 'v5', s.timestamp, cell(s.arn), s.action, s.source, cell(s.key_id)],
    );
    const reason = result.verdict === 'no_match'
      ? result.reasons.filter((line) => line.startsWith('fail:')).join('; ')
      : result.reasons.at(-1);
    assert.equal(row[8], reason);
  });

  // With "no match" filtered out, only the other rows are exported.
  await page.click('#counts [data-filter="no_match"]');
  await page.waitForFunction(() => document.querySelectorAll('#spacer [data-verdict="no_match"]').length === 0);
  assert.equal(await page.getAttribute('#counts [data-filter="no_match"]', 'aria-pressed'), 'false');
  assert.equal(await page.locator('#spacer [data-verdict]').count(), library.filter((r) => r.verdict !== 'no_match').length);
  const filtered = await saved('#export-results');
  const kept = texts.filter((_text, i) => library[i].verdict !== 'no_match');
  assert.equal(filtered.text, kept.join('\n') + '\n');
  await page.close();
});

test('HTML and script payloads in event fields are shown as text and never run', { skip }, async () => {
  const input = hostileRecords();
  const library = lib.evaluate(input, { rules: ['latest'] });
  assert.ok(library.some((result) => result.verdict === 'alert'));

  const page = await served.browser.open(served.url);
  await pasteAndRun(page, input);

  const cells = await page.$$eval('#spacer .row', (rows) =>
    rows.map((row) => [...row.querySelectorAll('[role="cell"]')].map((cell) => cell.textContent)),
  );
  assert.deepEqual(
    cells.map((row) => [row[3], row[4], row[5]]),
    library.map((result) => [result.summary.arn, result.summary.action, result.summary.source]),
  );
  PAYLOADS.forEach((payload, i) => assert.equal(cells[i][4], payload));

  for (const result of library) {
    await page.click(`#spacer [data-index="${result.index}"]`);
    await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), result.index);
    const details = await page.textContent('#details-body');
    assert.ok(details.includes(PAYLOADS[result.index]), `details of event ${result.index} show the payload`);
  }

  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('#spacer img, #spacer script, #spacer svg, #spacer iframe, #details-body img, #details-body script, #details-body svg, #details-body iframe').length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0 });

  // A spreadsheet opening the CSV gets the formula as text.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-csv')]);
  const rows = parseCsv(readFileSync(await download.path(), 'utf8')).slice(1);
  assert.equal(rows[4][5], `'${PAYLOADS[4]}`);
  assert.equal(rows[1][5], PAYLOADS[1]);
  await page.close();
});

test('a pasted rule: parse errors at their position, then triage with it', { skip }, async () => {
  const page = await served.browser.open(served.url);
  await pasteAndRun(page, sample);
  await page.click('#paste-rule summary');

  const broken = 'event.provider: iam.amazonaws.com and\n  (source.ip: * or';
  const error = lib.checkQuery(broken);
  await page.fill('#custom-rule', broken);
  await page.waitForSelector('#custom-error:not([hidden])');
  assert.equal(await page.textContent('#custom-status'), `Read as a KQL query; it does not parse at line ${error.line}, column ${error.column}:`);
  assert.equal(await page.textContent('#custom-error-message'), error.message);
  assert.equal(await page.textContent('#custom-error-caret'), `  ${broken.split('\n')[1]}\n  ${' '.repeat(error.column - 1)}^`);
  await page.click('#custom-goto');
  assert.equal(await page.evaluate(() => document.getElementById('custom-rule').selectionStart), error.offset);

  // In a TOML rule, a query error is placed on its line of the box.
  const toml = [
    '[metadata]',
    'creation_date = "2026/01/01"',
    '',
    '[rule]',
    'name = "tuned"',
    'type = "new_terms"',
    'query = """',
    'event.dataset: aws.cloudtrail and',
    '  event.provider: (iam.amazonaws.com',
    '"""',
    '',
  ].join('\n');
  await page.fill('#custom-rule', toml);
  await page.waitForFunction(() => document.getElementById('custom-status').textContent.startsWith('Read as a TOML rule; it does not parse at line 10'));

  // A valid query, used instead of the built-in version: matches, no alerts.
  const query = 'event.provider: iam.amazonaws.com and source.ip: *';
  await page.fill('#custom-rule', query);
  await page.waitForFunction(() => document.getElementById('custom-status').textContent.startsWith('Read as a KQL query.'));
  assert.equal(await page.isHidden('#custom-error'), true);
  await runAndWait(page, () => page.check('#use-custom'));
  assert.match(await page.textContent('#status'), / with pasted in /);
  const expected = countVerdicts(lib.evaluate(sample, { rules: [{ query, name: 'pasted' }] }));
  assert.equal(expected.alert, 0);
  assert.ok(expected.match > 0);
  assert.deepEqual(await shownCounts(page), expected);
  assert.equal(await page.isDisabled('#rule'), true);
  await page.close();
});

test('a large input: only the visible rows are in the document, and Stop ends a run', { skip }, async () => {
  const page = await served.browser.open(served.url);
  const events = 3000;
  const many = Buffer.from(manyRecords(events));
  await runAndWait(page, () => page.setInputFiles('#file', { name: 'many.ndjson', mimeType: 'application/x-ndjson', buffer: many }));

  assert.equal(await page.textContent('#count-total'), '3,000');
  const inDocument = await page.locator('#spacer .row').count();
  assert.ok(inDocument > 10 && inDocument < 100, `${inDocument} rows in the document`);
  await page.$eval('#viewport', (viewport) => {
    viewport.scrollTop = viewport.scrollHeight;
  });
  await page.waitForSelector(`#spacer [data-index="${events - 1}"]`);
  assert.equal(await page.locator('#spacer [data-index="0"]').count(), 0);
  await page.click(`#spacer [data-index="${events - 1}"]`);
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), events - 1);

  // A run over many events, stopped once the first rows are in.
  const more = 15000;
  await page.setInputFiles('#file', { name: 'more.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(manyRecords(more)) });
  await page.waitForFunction(() => Number(document.getElementById('count-total').textContent.replaceAll(',', '')) > 0);
  await page.click('#stop');
  assert.match(await page.textContent('#status'), /^Stopped the triage after [\d,]+ events\.$/);
  assert.equal(await page.isDisabled('#stop'), true);
  assert.equal(await page.isDisabled('#export-results'), true);
  const shown = Number((await page.textContent('#count-total')).replaceAll(',', ''));
  assert.ok(shown > 0 && shown < more, `${shown} events shown after Stop`);
  await page.waitForTimeout(300);
  assert.equal(Number((await page.textContent('#count-total')).replaceAll(',', '')), shown, 'no rows after Stop');

  await page.click('#spacer [data-index="0"]');
  await page.waitForFunction(() => document.getElementById('details-body').textContent.includes('This run was stopped'));
  await page.close();
});
