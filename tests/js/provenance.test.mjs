// Where a temporary key came from, through the library and the CLI: the five ways a key comes
// about in tests/js/fixtures/provenance.*.ndjson (see the README there), as raw records and as
// ECS events, which must tell the same story.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';

import * as lib from '../../js/index.mjs';
import { FIXTURES, parseLines, read, record, runCli } from './helpers.mjs';

const RECORDS = join(FIXTURES, 'provenance.records.ndjson');
const EVENTS = join(FIXTURES, 'provenance.events.ndjson');
const FORMS = { records: read(RECORDS), events: read(EVENTS) };
const lines = FORMS.records.trimEnd().split('\n');

const CLI_AGENT = 'aws-cli/2.27.12 md/awscrt#0.25.4 ua/2.1 os/linux#6.11.0 md/arch#x86_64 lang/python#3.13.2';

// Per key: its issuer as [action, index, mfa] or the note that stands for it, the issuers
// above it, and its history. `sign` lists the signs of a stolen session.
const KEYS = {
  alice: {
    key: 'ASIAALICEMFA00000001',
    issuer: ['GetSessionToken', 0, true],
    calls: 3,
    sources: ['203.0.113.21'],
    events: [1, 2, 3],
    signs: [],
  },
  deployer: {
    key: 'ASIADEPLOYER00000001',
    issuer: ['AssumeRole', 4, false],
    calls: 1,
    sources: ['198.51.100.30'],
    events: [5],
    signs: [],
  },
  admin: {
    key: 'ASIAIAMADMIN00000002',
    issuer: ['AssumeRole', 5, false],
    chain: [['AssumeRole', 4, false]],
    calls: 1,
    sources: ['198.51.100.30'],
    events: [6],
    signs: [],
  },
  carol: {
    key: 'ASIACAROLCONSOLE0001',
    issuer: ['ConsoleLogin', 7, true],
    calls: 2,
    sources: ['192.0.2.70'],
    events: [8, 9],
    signs: [],
  },
  dave: {
    key: 'ASIADAVEUNKNOWN00001',
    note: 'the call that issued ASIADAVEUNKNOWN00001 is not in the input',
    calls: 2,
    sources: ['203.0.113.66'],
    events: [10, 11],
    signs: [],
  },
  erin: {
    key: 'ASIAERINSESSION00001',
    issuer: ['GetSessionToken', 12, false],
    calls: 2,
    sources: ['198.51.100.250', '203.0.113.90'],
    events: [13, 14],
    signs: [
      'the key was used from 2 source addresses: 198.51.100.250, 203.0.113.90',
      'the key was used with 2 user agents',
      'the key was used again after a gap of 9 hours',
    ],
  },
  frank: {
    key: 'ASIAFRANKCONSOLE0001',
    note: 'ASIAFRANKCONSOLE0001 belongs to a console session; its ConsoleLogin is not in the input',
    calls: 1,
    sources: ['192.0.2.80'],
    events: [15],
    signs: [],
  },
};

// The key of each event in input order; null for events made with a long-term key or none.
const BY_EVENT = [
  null, 'alice', 'alice', 'alice',
  null, 'deployer', 'admin',
  null, 'carol', 'carol',
  'dave', 'dave',
  null, 'erin', 'erin',
  'frank',
];

/** What the table above says of a provenance object. */
function shape(provenance) {
  if (provenance === undefined) return null;
  const who = (issuer) => [issuer.action, issuer.index, issuer.mfa];
  return {
    key: provenance.key_id,
    ...(provenance.issuer === undefined ? {} : { issuer: who(provenance.issuer) }),
    ...(provenance.chain === undefined ? {} : { chain: provenance.chain.map(who) }),
    ...(provenance.note === undefined ? {} : { note: provenance.note }),
    calls: provenance.calls,
    sources: provenance.source_ips,
    events: provenance.events,
    signs: provenance.signs,
  };
}

function expected(index) {
  const name = BY_EVENT[index];
  return name === null ? null : KEYS[name];
}

test('every event of both forms carries the provenance of its key, or none', () => {
  assert.equal(lines.length, BY_EVENT.length);
  for (const [form, text] of Object.entries(FORMS)) {
    const results = lib.evaluate(text, { rules: ['v5'] });
    assert.equal(results.length, BY_EVENT.length, form);
    results.forEach((result, index) => {
      assert.deepEqual(shape(result.provenance), expected(index), `${form}, event ${index}`);
    });
  }
});

test('raw records and ECS events give the same provenance, field for field', () => {
  const raw = lib.evaluate(FORMS.records, { rules: ['v3'] });
  const ecs = lib.evaluate(FORMS.events, { rules: ['v3'] });
  raw.forEach((result, index) => assert.deepEqual(ecs[index].provenance, result.provenance, `event ${index}`));
});

test('an issuer says when, from where, by whom and with which key it was called', () => {
  const results = lib.evaluate(FORMS.events, { rules: ['latest'] });

  assert.deepEqual(results[1].provenance.issuer, {
    action: 'GetSessionToken',
    index: 0,
    timestamp: '2026-05-04T08:00:00.000Z',
    arn: 'arn:aws:iam::555566667777:user/alice',
    source_ip: '203.0.113.21',
    user_agent: CLI_AGENT,
    mfa: true,
    caller_key: 'AKIAALICEPERMANENT01',
  });
  assert.deepEqual(
    [results[1].provenance.first_seen, results[1].provenance.last_seen, results[1].provenance.longest_gap],
    ['2026-05-04T08:01:10.000Z', '2026-05-04T08:03:00.000Z', '1 minute'],
  );
  assert.deepEqual(results[1].provenance.actions, ['AttachUserPolicy', 'CreateUser', 'ListUsers']);

  // The admin role was assumed with the deployer role's key, which bob's own key got.
  const { issuer, chain } = results[6].provenance;
  assert.equal(issuer.arn, 'arn:aws:sts::555566667777:assumed-role/deployer/bob-deploy');
  assert.equal(issuer.caller_key, 'ASIADEPLOYER00000001');
  assert.deepEqual(chain.map((above) => [above.arn, above.caller_key]), [
    ['arn:aws:iam::555566667777:user/bob', 'AKIABOBPERMANENT0001'],
  ]);

  // A console session's issuer is the user's login; it has no key of its own.
  const login = results[8].provenance.issuer;
  assert.equal(login.caller_key, undefined);
  assert.equal(login.user_agent, 'Mozilla/5.0 (X11; Linux x86_64; rv:138.0) Gecko/20100101 Firefox/138.0');
  assert.equal(results[14].provenance.user_agents.length, 2);
});

test('an issuer written after the calls it enabled is found in the same batch, not in an earlier one', () => {
  // The GetSessionToken last, as in a CloudTrail file, which is not in time order.
  const reordered = [...lines.slice(1, 4), lines[0]];
  const together = lib.evaluate(reordered);
  assert.deepEqual(together.slice(0, 3).map((r) => [r.provenance.issuer.action, r.provenance.issuer.index]), [
    ['GetSessionToken', 3],
    ['GetSessionToken', 3],
    ['GetSessionToken', 3],
  ]);

  // Batch by batch, each batch knows what was read up to its end; the state carries on.
  const triage = new lib.Triage();
  const [first] = triage.evaluate(lines[1]);
  assert.equal(first.provenance.note, 'the call that issued ASIAALICEMFA00000001 is not in the input');
  assert.equal(first.provenance.calls, 1);
  const [, second] = triage.evaluate([lines[0], lines[2]]);
  assert.deepEqual([second.provenance.issuer.index, second.provenance.calls, second.provenance.events], [1, 2, [0, 2]]);
  triage.free();
});

test('a stream gives the facts known at the end of each batch', async () => {
  const results = [];
  await pipeline(
    Readable.from([Buffer.from(FORMS.records)]),
    lib.createTriageStream({ limits: { chunkLines: 2 } }),
    async function (source) {
      for await (const result of source) results.push(result);
    },
  );
  assert.equal(results.length, BY_EVENT.length);
  // Batches [0, 1], [2, 3], ...: alice's first call is alone in the first.
  assert.deepEqual([results[1].provenance.calls, results[2].provenance.calls, results[3].provenance.calls], [1, 3, 3]);
  assert.equal(results[1].provenance.issuer.index, 0);
  assert.deepEqual(shape(results[14].provenance), KEYS.erin);
});

test('CLI ndjson and json carry the core\'s provenance untouched', async () => {
  for (const [form, file] of [['records', RECORDS], ['events', EVENTS]]) {
    const texts = new lib.Triage({ rules: ['v5'] }).evaluateText(FORMS[form]);
    const ndjson = await runCli(['--rule', 'v5', '--format', 'ndjson', file]);
    assert.equal(ndjson.status, 0, ndjson.stderr);
    assert.equal(ndjson.stdout, texts.join('\n') + '\n', form);
    parseLines(ndjson.stdout).forEach((result, index) => {
      assert.deepEqual(shape(result.provenance), expected(index), `${form}, event ${index}`);
    });

    const json = JSON.parse((await runCli(['--rule', 'v5', '--format', 'json', file])).stdout);
    assert.deepEqual(json.map((result) => result.provenance), texts.map((text) => JSON.parse(text).provenance));
  }

  const help = (await runCli(['--help'])).stdout;
  assert.match(help, /carries "provenance": the call\s+that issued the key/);
  assert.match(help, /The table shows it under each alert/);
});

/** The rows of a table, each with the provenance lines under it (indentation taken off). */
function tableBlocks(stdout) {
  const blocks = new Map();
  let current = null;
  for (const line of stdout.trimEnd().split('\n').slice(1)) {
    const row = /^ *(\d+)  /.exec(line);
    if (row !== null) {
      current = [];
      blocks.set(Number(row[1]), current);
    } else {
      current.push(line.trim());
    }
  }
  return blocks;
}

test('CLI table: the key\'s provenance under each alert, the same for both forms', async () => {
  const outputs = [];
  for (const file of [RECORDS, EVENTS]) {
    const { status, stdout } = await runCli(['--rule', 'v3', '--format', 'table', file]);
    assert.equal(status, 0);
    outputs.push(stdout);
  }
  assert.equal(outputs[1], outputs[0]);

  const blocks = tableBlocks(outputs[0]);
  const alerts = lib.evaluate(FORMS.records, { rules: ['v3'] }).filter((r) => r.verdict === 'alert').map((r) => r.index);
  assert.deepEqual(alerts, [1, 8, 10, 13, 15]);
  for (const [index, under] of blocks) {
    assert.equal(under.length > 0, alerts.includes(index), `lines under event ${index}`);
  }

  assert.deepEqual(blocks.get(1), [
    'key       ASIAALICEMFA00000001',
    `issuer    GetSessionToken #0, 2026-05-04 08:00:00, from 203.0.113.21, with MFA, ${CLI_AGENT}`,
    'history   3 calls, 2026-05-04 08:01:10 to 2026-05-04 08:03:00, longest gap 1 minute',
    'sources   203.0.113.21',
    `agents    ${CLI_AGENT}`,
    'actions   AttachUserPolicy, CreateUser, ListUsers',
  ]);
  assert.match(blocks.get(8)[1], /^issuer    ConsoleLogin #7, 2026-05-04 10:00:00, from 192\.0\.2\.70, with MFA, Mozilla/);
  assert.equal(blocks.get(10)[1], `issuer    ${KEYS.dave.note}`);
  assert.equal(blocks.get(15)[1], `issuer    ${KEYS.frank.note}`);
  assert.deepEqual(blocks.get(13).filter((line) => line.startsWith('sign ')), KEYS.erin.signs.map((sign) => `sign      ${sign}`));
  assert.equal(blocks.get(13)[3], 'sources   198.51.100.250, 203.0.113.90');
});

test('CLI table with bare queries: under each match, with the issuers above an assumed role', async () => {
  const query = 'event.provider: iam.amazonaws.com and aws.cloudtrail.user_identity.access_key_id: ASIA*';
  const { stdout } = await runCli(['--query', query, '--format', 'table', EVENTS]);
  const blocks = tableBlocks(stdout);
  const matched = [...blocks].filter(([, under]) => under.length > 0).map(([index]) => index);
  assert.deepEqual(matched, [1, 2, 3, 6, 8, 9, 10, 11, 13, 14, 15]);

  const boto = 'Boto3/1.38.5 md/Botocore#1.38.5 ua/2.1 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.9';
  assert.deepEqual(blocks.get(6).slice(0, 3), [
    'key       ASIAIAMADMIN00000002',
    'issuer    AssumeRole #5 by arn:aws:sts::555566667777:assumed-role/deployer/bob-deploy with ' +
      `ASIADEPLOYER00000001, 2026-05-04 09:00:40, from 198.51.100.30, without MFA, ${boto}`,
    'chain     AssumeRole #4 by arn:aws:iam::555566667777:user/bob with AKIABOBPERMANENT0001, ' +
      `2026-05-04 09:00:00, from 198.51.100.30, without MFA, ${boto}`,
  ]);

  // With a rule that alerts among the rules, only alerts get them.
  const mixed = tableBlocks((await runCli(['--query', query, '--rule', 'v5', '--format', 'table', EVENTS])).stdout);
  assert.deepEqual([...mixed].filter(([, under]) => under.length > 0).map(([index]) => index), [1, 10, 13]);
});

test('CLI table: provenance lines fit the terminal, and control characters are shown, not sent', async () => {
  const { stdout } = await runCli(['--rule', 'v3', '--format', 'table', RECORDS], { env: { COLUMNS: '110' } });
  for (const line of stdout.trimEnd().split('\n')) assert.ok([...line].length <= 110, line);
  const issuer = `     issuer    GetSessionToken #0, 2026-05-04 08:00:00, from 203.0.113.21, with MFA, ${CLI_AGENT}`;
  assert.ok(stdout.includes(`\n${[...issuer].slice(0, 109).join('')}…\n`), 'the issuer line is cut to the width');

  const agent = 'curl/8.5.0 \u001b]0;pwned\u0007\u001b[2J\u202eevil';
  const input = JSON.stringify(record('zed', '2025-11-01T00:00:00Z', { userAgent: agent }));
  const table = await runCli(['--format', 'table', '-'], { input });
  assert.doesNotMatch(table.stdout, /[\u001b\u0007\u202e]/);
  assert.match(table.stdout, /agents {4}curl\/8\.5\.0 \\u001b\]0;pwned\\u0007\\u001b\[2J\\u202eevil\n/);
});
