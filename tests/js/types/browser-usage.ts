// Compiled (not run) by types.test.mjs: the browser declarations, the same API over fetch.
import { createTriageStream, init, evaluate, type TriageResult } from 'cloudtrail-triage';

export async function usage(file: Blob): Promise<number> {
  await init(new URL('./pkg/cloudtrail_triage_bg.wasm', import.meta.url));
  const results: TriageResult[] = evaluate('{}');
  let count = results.length;
  const stream = file.stream().pipeThrough(createTriageStream({ rules: ['v2'] }));
  const reader = stream.getReader();
  for (let next = await reader.read(); !next.done; next = await reader.read()) count += 1;
  return count;
}
