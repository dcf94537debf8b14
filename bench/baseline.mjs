// The JavaScript a user would write instead of this tool, as the benchmark's yardstick: read
// lines, `JSON.parse` each, parse `event.original`, set
// `aws.cloudtrail.session_credential_from_console` from it, test the clauses of the latest
// rule (v5) with new terms on the user ARN, and `JSON.stringify` a result holding the
// verdict, each clause's outcome and the enriched event.
//
// It reads nested ECS events only (no flat dotted keys, no raw records, no error results for
// broken lines), which is what makes it short; the verdicts agree with the core's on the
// benchmark's events, and run.mjs checks that they do.
//
//   node bench/baseline.mjs FILE > results.ndjson

import { writeSync } from 'node:fs';
import { isIP } from 'node:net';

import { textLines } from './lines.mjs';

const WINDOW = 7 * 24 * 3600 * 1000;
const CLAUSES = [
  ['data_stream.dataset: aws.cloudtrail', (e) => (e.data_stream?.dataset ?? 'aws.cloudtrail') === 'aws.cloudtrail'],
  ['event.provider: ("iam.amazonaws.com")', (e) => e.event?.provider === 'iam.amazonaws.com'],
  ['event.outcome: "success"', (e) => e.event?.outcome === 'success'],
  ['aws.cloudtrail.user_identity.type: "IAMUser"', (e) => e.aws?.cloudtrail?.user_identity?.type === 'IAMUser'],
  ['aws.cloudtrail.user_identity.access_key_id: ASIA*', (e) => e.aws?.cloudtrail?.user_identity?.access_key_id?.startsWith('ASIA') === true],
  ['source.ip: *', (e) => typeof e.source?.ip === 'string' && isIP(e.source.ip) !== 0],
  ['not user_agent.original : "AWS Internal"', (e) => e.user_agent?.original !== 'AWS Internal'],
  ['not aws.cloudtrail.session_credential_from_console: true', (e) => e.aws?.cloudtrail?.session_credential_from_console !== 'true'],
];

function main(path) {
  const lastMatch = new Map();
  let index = 0;
  let out = '';

  for (const line of textLines(path)) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line);

    const record = JSON.parse(event.event.original);
    if (record.sessionCredentialFromConsole !== undefined) {
      event.aws ??= {};
      event.aws.cloudtrail ??= {};
      event.aws.cloudtrail.session_credential_from_console = String(record.sessionCredentialFromConsole);
    }

    const clauses = CLAUSES.map(([clause, test]) => ({ clause, pass: test(event) }));
    const match = clauses.every((clause) => clause.pass);
    let alert = false;
    if (match) {
      const arn = event.aws.cloudtrail.user_identity.arn;
      const time = Date.parse(event.event?.ingested ?? event['@timestamp']);
      const last = lastMatch.get(arn);
      alert = last === undefined || time - last > WINDOW;
      lastMatch.set(arn, time);
    }
    const verdict = alert ? 'alert' : match ? 'repeat' : 'no_match';

    out += JSON.stringify({ index, rule: 'v5', match, alert, verdict, clauses, event }) + '\n';
    index += 1;
    if (out.length > 1 << 20) {
      writeSync(1, out);
      out = '';
    }
  }
  if (out.length > 0) writeSync(1, out);
}

main(process.argv[2]);
