// The library in the browser: the same API as in Node. Call `await init()` first.

import type { StreamOptions, TriageResult } from './types.js';

export * from './types.js';

/**
 * A TransformStream from bytes (any input shape, gzip or not) to one result per event, in
 * input order: `TriageResult` objects (`BriefResult` with `brief: true`), or with
 * `output: 'ndjson'` the exact texts as bytes.
 */
export declare function createTriageStream(
  options?: StreamOptions,
): TransformStream<Uint8Array, TriageResult | Uint8Array>;
