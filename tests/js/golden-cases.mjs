// The golden-output cases: the CLI run on the fixture events, each format once, and on the key
// provenance fixtures as tables and NDJSON. The test compares the output with
// tests/js/golden/NAME; `npm run golden` rewrites those files after a change that is meant
// (review the diff before committing it).

export const GOLDEN_CASES = [
  { name: 'events.v5.ndjson', args: ['--rule', 'v5', '--format', 'ndjson', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.v5.enrich.ndjson', args: ['--rule', 'v5', '--enrich', '--format', 'ndjson', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.v1-v5.json', args: ['--rule', 'v1', '--rule', 'v5', '--format', 'json', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.v3-v5.table.txt', args: ['-r', 'v3', '-r', 'v5', '--format', 'table', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.3d.table.txt', args: ['--rule', 'tests/js/fixtures/iam-session-3d.toml', '-f', 'table', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.query.table.txt', args: ['--query', 'event.provider: iam.amazonaws.com and not source.ip: 10.0.0.0/8', '-f', 'table', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.summary.txt', args: ['--rule', 'v2', '--rule', 'latest', '--format', 'summary', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.compare-v3-v5.txt', args: ['--compare', 'v3', 'v5', 'tests/js/fixtures/events.ndjson'] },
  { name: 'events.compare-v1-v5.json', args: ['--compare', 'v1', 'v5', '--format', 'json', 'tests/js/fixtures/events.ndjson'] },
  { name: 'provenance.v3.table.txt', args: ['--rule', 'v3', '-f', 'table', 'tests/js/fixtures/provenance.records.ndjson'] },
  { name: 'provenance.query.table.txt', args: ['--query', 'event.provider: iam.amazonaws.com and aws.cloudtrail.user_identity.access_key_id: ASIA*', '-f', 'table', 'tests/js/fixtures/provenance.events.ndjson'] },
  { name: 'provenance.v5.ndjson', args: ['--rule', 'v5', '--format', 'ndjson', 'tests/js/fixtures/provenance.events.ndjson'] },
];
