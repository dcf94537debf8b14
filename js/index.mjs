// The library for Node: the wasm core is read from js/pkg/ (made by `npm run build`) and
// starts on first use, so `await init()` is optional here.

import { readFileSync } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';

import { createApi } from './core.mjs';
import { createTriageStreamWith } from './stream.mjs';

export { InputError, ResultBatch, RuleError, TrapError, VERDICTS } from './core.mjs';
export { parseJson, stringifyJson } from './json.mjs';
export { DEFAULT_LIMITS } from './chunker.mjs';

const GLUE_URL = new URL('./pkg/cloudtrail_triage.js', import.meta.url);
const WASM_URL = new URL('./pkg/cloudtrail_triage_bg.wasm', import.meta.url);
const NOT_BUILT = 'the wasm core is not built (js/pkg/ is missing): run `npm run build`';

// Imported here rather than statically so that a missing build is reported as what it is.
let firstGlue;
let firstGlueError;
try {
  firstGlue = await import(GLUE_URL.href);
} catch (error) {
  firstGlueError = error;
  firstGlue = {
    initSync() {
      throw new Error(NOT_BUILT, { cause: firstGlueError });
    },
  };
}

function readWasm(source) {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return source;
  try {
    return readFileSync(source ?? WASM_URL);
  } catch (error) {
    if (error.code === 'ENOENT' && source === undefined) throw new Error(NOT_BUILT);
    throw error;
  }
}

const api = createApi({
  async compile(source) {
    if (source instanceof WebAssembly.Module) return source;
    return WebAssembly.compile(readWasm(source));
  },
  compileSync() {
    return new WebAssembly.Module(readWasm());
  },
  async importGlue(copy) {
    if (firstGlueError !== undefined) throw new Error(NOT_BUILT, { cause: firstGlueError });
    return import(`${GLUE_URL.href}?instance=${copy}`);
  },
  firstGlue,
  gunzip(source) {
    const gunzip = createGunzip();
    pipeline(Readable.from(source, { objectMode: false }), gunzip, () => {});
    return gunzip;
  },
});

export const {
  init,
  version,
  builtinRules,
  checkQuery,
  describeRules,
  Triage,
  evaluate,
  evaluateEvent,
  enrich,
} = api;

/**
 * A Node Transform from bytes (any input shape, gzip or not) to one result per event.
 */
export function createTriageStream(options = {}) {
  return createTriageStreamWith(api, options);
}
