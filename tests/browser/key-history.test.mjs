// The key-history panel of the page's details, in Debian's Chromium: for each way a temporary
// key comes about (tests/js/fixtures/provenance.*.ndjson, raw and ECS), the panel shows what
// the library says, and its links move the selection. After every test: the console stayed
// free of errors and warnings, and no request left 127.0.0.1.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';

import * as lib from '../../js/index.mjs';
import { PAYLOADS, hostileRecords, manyRecords } from './fixtures.mjs';
import { ROOT, missing, pasteAndRun, servedPage } from './helpers.mjs';

const skip = missing() ?? false;
const FORMS = {
  records: readFileSync(join(ROOT, 'tests/js/fixtures/provenance.records.ndjson'), 'utf8'),
  events: readFileSync(join(ROOT, 'tests/js/fixtures/provenance.events.ndjson'), 'utf8'),
};

// One event per way a key comes about: an MFA session token, an assumed role above an assumed
// role, a console login, no issuer in the input, two addresses, a console session without its
// login.
const SHOWN = [1, 6, 8, 10, 13, 15];

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

/** Selects a row and waits until the details show its event. */
async function select(page, index) {
  await page.click(`#spacer [data-index="${index}"]`);
  await waitForDetails(page, index);
}

async function waitForDetails(page, index) {
  await page.waitForFunction(
    (index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `),
    index,
  );
}

/** What the panel shows, read from the document. */
function readPanel(page) {
  return page.$eval('#details-body .key-history', (panel) => {
    const texts = (selector) => [...panel.querySelectorAll(selector)].map((element) => element.textContent);
    const issuer = panel.querySelector('.issuer');
    return {
      hidden: panel.hidden,
      key: panel.querySelector('h4 code')?.textContent ?? null,
      issuer: issuer === null ? null : [issuer.querySelector('strong').textContent, Number(issuer.dataset.event)],
      note: panel.querySelector('.key-note')?.textContent ?? null,
      chain: [...panel.querySelectorAll('.key-chain li')].map((item) => Number(item.dataset.event)),
      signs: texts('.key-signs li'),
      sources: texts('.key-lists ul.sources li'),
      agents: texts('.key-lists ul.agents li'),
      actions: texts('.key-lists ul.actions li'),
      links: [...panel.querySelectorAll('.key-events button')].map((button) => Number(button.dataset.jump)),
      more: panel.querySelector('.key-events .muted')?.textContent ?? null,
    };
  });
}

/** What the panel should show for a result, from the library. */
function expectedPanel(result) {
  const p = result.provenance;
  return {
    hidden: false,
    key: p.key_id,
    issuer: p.issuer === undefined ? null : [p.issuer.action, p.issuer.index],
    note: p.note ?? null,
    chain: (p.chain ?? []).map((above) => above.index),
    signs: p.signs,
    sources: p.source_ips,
    agents: p.user_agents,
    actions: p.actions,
    links: p.events.filter((index) => index !== result.index),
    more: null,
  };
}

for (const [form, text] of Object.entries(FORMS)) {
  test(`the panel shows each key's issuer, chain, history and signs (${form})`, { skip }, async () => {
    const results = lib.evaluate(text, { rules: ['latest'] });
    const page = await served.browser.open(served.url);
    await pasteAndRun(page, text);

    for (const index of SHOWN) {
      await select(page, index);
      assert.deepEqual(await readPanel(page), expectedPanel(results[index]), `event ${index}`);
    }

    // The cases themselves, as a person reads them.
    await select(page, 1);
    assert.match(await page.textContent('#details-body .issuer p'), /^Issued by GetSessionToken, event 0 go to event 0$/);
    assert.match(await page.textContent('#details-body .issuer .facts'), /MFAused/);
    await select(page, 10);
    assert.equal(await page.textContent('#details-body .key-note'), 'the call that issued ASIADAVEUNKNOWN00001 is not in the input');
    await select(page, 13);
    assert.deepEqual((await readPanel(page)).sources, ['198.51.100.250', '203.0.113.90']);
    assert.equal((await readPanel(page)).signs.length, 3);

    // An event made with a long-term key has no panel.
    await select(page, 0);
    assert.equal((await readPanel(page)).hidden, true);
    await page.close();
  });
}

test('the issuer, chain and event links move the selection', { skip }, async () => {
  const page = await served.browser.open(served.url);
  await pasteAndRun(page, FORMS.events);

  const follow = async (selector, to) => {
    await page.click(selector);
    await waitForDetails(page, to);
    assert.equal(await page.getAttribute(`#spacer [data-index="${to}"]`, 'aria-selected'), 'true');
    assert.equal(await page.locator('#spacer .row.selected').count(), 1);
  };

  await select(page, 1);
  await follow('#details-body .issuer button', 0);

  await select(page, 6);
  await follow('#details-body .key-chain li[data-event="4"] button', 4);

  await select(page, 13);
  await follow('#details-body .key-events button[data-jump="14"]', 14);
  // Event 14's panel links back to 13.
  await follow('#details-body .key-events button[data-jump="13"]', 13);

  // The issuing event's row is shown even when its verdict is filtered out.
  await page.click('#counts [data-filter="no_match"]');
  await page.waitForFunction(() => document.querySelectorAll('#spacer [data-verdict="no_match"]').length === 0);
  await select(page, 1);
  await follow('#details-body .issuer button', 0);
  assert.equal(await page.getAttribute('#counts [data-filter="no_match"]', 'aria-pressed'), 'true');
  await page.close();
});

test('a key with many events links the first 20 and counts the rest', { skip }, async () => {
  // One user, hence one key, thirty times.
  const text = manyRecords(30, 1);
  const [first] = lib.evaluate(text);
  assert.equal(first.provenance.calls, 30);

  const page = await served.browser.open(served.url);
  await pasteAndRun(page, text);
  await select(page, 0);
  const panel = await readPanel(page);
  assert.deepEqual(panel.links, [...Array(20).keys()].map((i) => i + 1));
  assert.equal(panel.more, 'and 9 more');
  await page.close();
});

test('payloads in the key\'s history are shown as text', { skip }, async () => {
  const input = hostileRecords();
  const results = lib.evaluate(input);
  const page = await served.browser.open(served.url);
  await pasteAndRun(page, input);

  for (const result of results) {
    await select(page, result.index);
    const panel = await readPanel(page);
    assert.deepEqual(panel.agents, [PAYLOADS[result.index]]);
    assert.deepEqual(panel.actions, [PAYLOADS[result.index]]);
    assert.deepEqual(panel.sources, result.provenance.source_ips);
  }
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    elements: document.querySelectorAll('.key-history img, .key-history script, .key-history svg, .key-history iframe').length,
  }));
  assert.deepEqual(injected, { pwned: undefined, elements: 0 });
  await page.close();
});
