// Shared helpers for the page tests: a server on 127.0.0.1, Debian's Chromium driven by
// playwright-core with a fresh profile, and a record of every request and console message.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

import { serve } from '../../scripts/page.mjs';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const SAMPLE = join(ROOT, 'examples', 'sample.ndjson');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the page tests cannot run here, or null when they can. */
export function missing() {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (!existsSync(join(ROOT, 'js', 'pkg', 'cloudtrail_triage_bg.wasm'))) {
    return 'the wasm core is not built (npm run build)';
  }
  return null;
}

/**
 * A browser with a fresh profile, watching every request and console message of its pages.
 * `open(url)` gives a page; `close()` checks nothing and releases everything.
 */
export class Browser {
  static async launch() {
    const profile = mkdtempSync(join(tmpdir(), 'cloudtrail-triage-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
    });
    return new Browser(context, profile);
  }

  constructor(context, profile) {
    this.context = context;
    this.profile = profile;
    this.requests = [];
    this.console = [];
    this.errors = [];
    this.dialogs = [];
    context.on('request', (request) => this.requests.push(request.url()));
    context.on('console', (message) => {
      this.console.push({ type: message.type(), text: message.text() });
    });
  }

  /** A new page at `url`, once the page says it is ready (its rule list has arrived). */
  async open(url) {
    const page = await this.context.newPage();
    page.on('pageerror', (error) => this.errors.push(error.message));
    page.on('dialog', (dialog) => {
      this.dialogs.push(dialog.message());
      dialog.dismiss().catch(() => {});
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    return page;
  }

  /** Asserts that the console stayed free of errors and warnings, and no script failed. */
  assertQuiet() {
    const noisy = this.console.filter((message) => ['error', 'warning', 'assert'].includes(message.type));
    assert.deepEqual(noisy, [], 'the console got errors or warnings');
    assert.deepEqual(this.errors, [], 'a script on the page failed');
    assert.deepEqual(this.dialogs, [], 'the page opened a dialog');
  }

  /** Asserts that every request went to `origin` (or stayed inside the page: blob:, data:). */
  assertLocal(origin) {
    const outside = this.requests.filter(
      (url) => !url.startsWith(origin) && !url.startsWith('blob:') && !url.startsWith('data:'),
    );
    assert.deepEqual(outside, [], `requests left ${origin}`);
  }

  async close() {
    await this.context.close();
    rmSync(this.profile, { recursive: true, force: true });
  }
}

/** The page served on 127.0.0.1 at a free port, and a browser for it. */
export async function servedPage() {
  const server = await serve({ root: ROOT, host: '127.0.0.1', port: 0 });
  const browser = await Browser.launch();
  return {
    server,
    browser,
    url: server.url,
    origin: server.url.replace(/\/$/, ''),
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The counts the page shows per verdict, read from its count chips. */
export async function shownCounts(page) {
  return page.evaluate(() => {
    const counts = {};
    for (const chip of document.querySelectorAll('#counts [data-filter]')) {
      counts[chip.dataset.filter] = Number(chip.querySelector('.count').textContent.replaceAll(',', ''));
    }
    return counts;
  });
}

/** How many row elements the table holds per verdict. */
export async function rowCounts(page) {
  return page.evaluate(() => {
    const counts = {};
    for (const row of document.querySelectorAll('#spacer [data-verdict]')) {
      counts[row.dataset.verdict] = (counts[row.dataset.verdict] ?? 0) + 1;
    }
    return counts;
  });
}

/** Does `action` and waits until the triage run it starts has ended. */
export async function runAndWait(page, action) {
  const before = await page.evaluate(() => Number(document.body.dataset.finished ?? 0));
  await action();
  await page.waitForFunction((before) => Number(document.body.dataset.finished ?? 0) > before, before);
}

/** Puts text in the paste area and presses Run. */
export async function pasteAndRun(page, text) {
  await page.fill('#input', text);
  await runAndWait(page, () => page.click('#run'));
}

/** Counts per verdict of a list of results, with every verdict present. */
export function countVerdicts(results) {
  const counts = { alert: 0, repeat: 0, match: 0, no_match: 0, error: 0 };
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}

/**
 * Parses CSV as RFC 4180 writes it (quoted fields, doubled quotes, CRLF or LF line ends),
 * independently of the page's writer.
 */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}
