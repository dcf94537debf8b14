// The reference data outside the repository, through the CLI: every published rule file loads,
// and every real CloudTrail record gets exactly one result without a crash. The data is found
// through RULES_DIR and CLOUDTRAIL_CORPUS (.ci/run points them at ../shared/); without them
// these tests are skipped and say so.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { EVENTS, parseLines, runCli } from './helpers.mjs';

const RULES_DIR = process.env.RULES_DIR;
const CORPUS = process.env.CLOUDTRAIL_CORPUS;
const NO_RULES = !RULES_DIR && 'RULES_DIR is unset: no published rule file was checked';
const NO_CORPUS = !CORPUS && 'CLOUDTRAIL_CORPUS is unset: no real CloudTrail record was checked';

function nonBlankLines(text) {
  return text.split('\n').filter((line) => line.trim() !== '');
}

test('every published rule file loads and evaluates the fixture events', { skip: NO_RULES }, async (t) => {
  const files = readdirSync(RULES_DIR).filter((name) => name.endsWith('.toml')).sort();
  assert.ok(files.length > 0, `no .toml file in ${RULES_DIR}`);
  for (const file of files) {
    const { status, stdout, stderr } = await runCli(['--rule', join(RULES_DIR, file), '--format', 'ndjson', EVENTS]);
    assert.equal(status, 0, `${file}: ${stderr}`);
    const results = parseLines(stdout);
    assert.equal(results.length, 13, file);
    assert.ok(results.some((r) => r.verdict === 'alert'), `${file} raises no alert on the fixture`);
  }
  t.diagnostic(`checked ${files.length} rule files from ${RULES_DIR}`);
});

test('every record of the corpus gets one result, plain and gzipped', { skip: NO_CORPUS }, async (t) => {
  const text = readFileSync(join(CORPUS, 'records.ndjson'), 'utf8');
  const lines = nonBlankLines(text);
  const plain = await runCli(['--rule', 'v1', '--rule', 'v5', '--enrich', '--format', 'ndjson', '-'], { input: text });
  assert.equal(plain.status, 0, plain.stderr);
  const results = parseLines(plain.stdout);
  assert.deepEqual(results.map((r) => r.index), [...lines.keys()]);

  const gzipped = await runCli(['--rule', 'v1', '--rule', 'v5', '--enrich', '--format', 'ndjson', '-'], { input: gzipSync(text) });
  assert.equal(gzipped.stdout, plain.stdout);
  t.diagnostic(`${lines.length} records, ${results.filter((r) => r.error).length} unreadable, ` +
    `${results.filter((r) => r.match).length} v1 matches`);
});

test('every log of Elastic\'s pipeline tests gets one result per line', { skip: NO_CORPUS }, async (t) => {
  const dir = join(CORPUS, 'elastic_pipeline_tests');
  const logs = readdirSync(dir).filter((name) => name.endsWith('.log')).sort();
  let events = 0;
  for (const log of logs) {
    const lines = nonBlankLines(readFileSync(join(dir, log), 'utf8'));
    const { status, stdout, stderr } = await runCli(['--format', 'ndjson', join(dir, log)]);
    assert.equal(status, 0, `${log}: ${stderr}`);
    assert.equal(parseLines(stdout).length, lines.length, log);
    events += lines.length;
  }
  t.diagnostic(`${logs.length} logs, ${events} events`);
});

test('the other corpus sources, records taken out of their wrappers, give one result each', { skip: NO_CORPUS }, async (t) => {
  const sources = [
    ['panther_analysis/panther_cloudtrail_rule_tests.ndjson', (line) => line.log],
    ['panther_analysis/panther_test_scenarios_cloudtrail.ndjson', (line) => line.log],
    ['awsdocs/cloudtrail_user_guide.ndjson', (line) => line.record],
    ['awsdocs/iam_user_guide.ndjson', (line) => line.record],
    ['otrf_security_datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json', (line) => line],
  ];
  for (const [path, unwrap] of sources) {
    const records = nonBlankLines(readFileSync(join(CORPUS, path), 'utf8')).map((line) => JSON.stringify(unwrap(JSON.parse(line))));
    const { status, stdout, stderr } = await runCli(['--rule', 'v4', '--format', 'ndjson', '-'], { input: records.join('\n') });
    assert.equal(status, 0, `${path}: ${stderr}`);
    assert.equal(parseLines(stdout).length, records.length, path);
    t.diagnostic(`${path}: ${records.length} records`);
  }
});
