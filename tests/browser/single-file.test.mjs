// The single-file build opened from disk (file://), as on an air-gapped machine: it triages the
// bundled sample, explains a row and exports, with no request at all beyond the file itself
// and what it makes in memory (blob: and data: URLs), and a quiet console.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';

import * as lib from '../../js/index.mjs';
import { buildSingleFile } from '../../scripts/page.mjs';
import { Browser, SAMPLE, countVerdicts, missing, runAndWait, shownCounts } from './helpers.mjs';

const skip = missing() ?? false;
let dir;
let built;
let browser;

before(async () => {
  if (skip !== false) return;
  dir = mkdtempSync(join(tmpdir(), 'cloudtrail-triage-single-'));
  built = await buildSingleFile({ out: join(dir, 'cloudtrail-triage.html') });
  browser = await Browser.launch();
});

after(async () => {
  await browser?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

test('the single file, opened from disk, triages the sample without any request', { skip }, async () => {
  const html = readFileSync(built.path, 'utf8');
  const policy = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)[1];
  assert.match(policy, /default-src 'none'/);
  assert.doesNotMatch(policy, /connect-src/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link rel="stylesheet"/);

  const url = pathToFileURL(built.path).href;
  const page = await browser.open(url);
  await runAndWait(page, () => page.click('#sample'));

  const expected = countVerdicts(lib.evaluate(readFileSync(SAMPLE), { rules: ['latest'] }));
  assert.deepEqual(await shownCounts(page), expected);
  assert.deepEqual(expected, { alert: 5, repeat: 12, match: 0, no_match: 41, error: 0 });

  const first = lib.evaluate(readFileSync(SAMPLE), { rules: ['latest'] }).find((r) => r.verdict === 'alert');
  await page.click(`#spacer [data-index="${first.index}"]`);
  await page.waitForFunction((index) => document.querySelector('.details-heading')?.textContent.startsWith(`Event ${index} `), first.index);
  assert.equal(await page.textContent('#details-body .headline'), first.reasons[0]);

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-results')]);
  const exported = readFileSync(await download.path(), 'utf8');
  assert.equal(exported, new lib.Triage({ rules: ['latest'] }).evaluateText(readFileSync(SAMPLE)).join('\n') + '\n');

  const network = browser.requests.filter(
    (request) => request !== url && !request.startsWith('blob:') && !request.startsWith('data:'),
  );
  assert.deepEqual(network, []);
  browser.assertQuiet();
  await page.close();
});
