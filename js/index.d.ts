// The library in Node. The wasm core starts on first use; `await init()` is optional.

import type { Transform } from 'node:stream';
import type { StreamOptions } from './types.js';

export * from './types.js';

/**
 * A Transform from bytes (any input shape, gzip or not) to one result per event, in input
 * order: `TriageResult` objects (`BriefResult` with `brief: true`), or with `output: 'ndjson'`
 * the exact texts, one a line. Throws a `RuleError` at once for a rule the core refuses.
 */
export declare function createTriageStream(options?: StreamOptions): Transform;
