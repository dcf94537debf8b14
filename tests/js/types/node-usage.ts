// Compiled (not run) by types.test.mjs: the Node declarations describe what users write.
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';

import {
  DEFAULT_LIMITS,
  Triage,
  builtinRules,
  checkQuery,
  createTriageStream,
  describeRules,
  enrich,
  evaluate,
  evaluateEvent,
  init,
  parseJson,
  stringifyJson,
  version,
  type Issuer,
  type JsonObject,
  type Provenance,
  type QueryProblem,
  type RuleInfo,
  type TriageResult,
} from 'cloudtrail-triage';

export async function usage(lines: string[]): Promise<number> {
  await init();
  const v: string = version();
  const rules: RuleInfo[] = builtinRules();
  const problem: QueryProblem | null = checkQuery('source.ip: *');
  const loaded: RuleInfo[] = describeRules(['v3', { toml: '[rule]', name: 'mine' }, { query: 'a: b' }]);

  const results: TriageResult[] = evaluate(lines.join('\n'), { rules: ['v1', 'latest'], enrich: true });
  const first: TriageResult = evaluateEvent({ eventName: 'CreateUser' });
  const events: JsonObject[] = enrich(lines);
  const alerts = results.filter((r) => r.alert && r.verdict === 'alert').map((r) => r.rules?.[1]?.verdict);
  const provenance: Provenance | undefined = results[0]?.provenance;
  const issuer: Issuer | undefined = provenance?.issuer ?? provenance?.chain?.[0];
  const where: string = issuer === undefined ? provenance?.note ?? '' : `${issuer.action} #${issuer.index}`;
  const signs: number = (provenance?.signs.length ?? 0) + (provenance?.events.length ?? 0) + where.length;

  const triage = await Triage.create({ rules: [{ builtin: 'v5' }] });
  for await (const batch of triage.stream(Readable.from(lines), { limits: { chunkLines: DEFAULT_LIMITS.chunkLines } })) {
    const texts: string[] = batch.texts;
    const parsed = parseJson(texts[0] ?? 'null');
    stringifyJson(parsed, 2);
  }
  triage.setState(triage.state());
  triage.free();

  await pipeline(
    Readable.from(lines),
    createTriageStream({ rules: ['v4'], output: 'object' }),
    new Writable({ objectMode: true, write: (_result: TriageResult, _encoding, done) => done() }),
  );
  return v.length + rules.length + (problem?.column ?? 0) + loaded.length + first.index + events.length + alerts.length + signs;
}
