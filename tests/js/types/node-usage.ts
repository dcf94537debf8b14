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
  type BriefResult,
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
  const checkpoints: number = triage.checkpoints;
  triage.free();

  // Brief results are typed as such, from the options or named.
  const brief: BriefResult[] = evaluate(lines.join('\n'), { brief: true, enrich: true });
  const failed: string[] = brief.flatMap((r) => r.clauses.filter((c) => !c.pass).map((c) => c.clause));
  const briefTriage = await Triage.create({ brief: true });
  for await (const batch of briefTriage.stream(Readable.from(lines), { reuse: true })) {
    const kept: BriefResult[] = batch.results.filter((r) => r.new_term?.previous === undefined);
    failed.push(...kept.map((r) => r.verdict));
  }
  const named = new Triage<BriefResult>({ brief: true });
  failed.push(...named.evaluate(lines).map((r: BriefResult) => r.rule));
  const whole: TriageResult = evaluateEvent({ eventName: 'CreateUser' }, { brief: false });
  failed.push(whole.reasons[0] ?? '');

  await pipeline(
    Readable.from(lines),
    createTriageStream({ rules: ['v4'], output: 'object' }),
    new Writable({ objectMode: true, write: (_result: TriageResult, _encoding, done) => done() }),
  );
  return failed.length + v.length + rules.length + (problem?.column ?? 0) + loaded.length + first.index + events.length + alerts.length + signs + checkpoints;
}
