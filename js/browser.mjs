// The library for the browser: the same API as in Node, over the same wasm build. The wasm
// file is fetched, so call `await init()` once before anything else (or pass the wasm's URL,
// bytes, a Response or a compiled module to `init`).

import { createApi } from './core.mjs';

export { InputError, ResultBatch, RuleError, TrapError, VERDICTS } from './core.mjs';
export { parseJson, stringifyJson } from './json.mjs';
export { DEFAULT_LIMITS } from './chunker.mjs';

const GLUE_URL = new URL('./pkg/cloudtrail_triage.js', import.meta.url);
const WASM_URL = new URL('./pkg/cloudtrail_triage_bg.wasm', import.meta.url);

async function compile(source = WASM_URL) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) {
    return WebAssembly.compile(source);
  }

  const response = source instanceof Response ? source : await fetch(source);
  if (!response.ok) {
    throw new Error(`could not fetch the wasm core from ${response.url}: HTTP ${response.status}`);
  }
  // compileStreaming insists on the application/wasm type, which not every server sends.
  if (response.headers.get('Content-Type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

async function* gunzip(source) {
  const iterator = source[Symbol.asyncIterator]();
  const input = new ReadableStream({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
  const reader = input.pipeThrough(new DecompressionStream('gzip')).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

const api = createApi({
  compile,
  compileSync: undefined,
  importGlue: (copy) => import(`${GLUE_URL.href}?instance=${copy}`),
  firstGlue: undefined,
  gunzip,
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
 * A web TransformStream from bytes (any input shape, gzip or not) to one result per event.
 * Call `await init()` first.
 */
export function createTriageStream(options = {}) {
  const triage = options.triage ?? new Triage(options);
  const ndjson = options.output === 'ndjson';

  // The chunks written wait in a one-slot queue until the triage takes them, so a fast writer
  // is held back instead of filling memory.
  let feed;
  let pulled = null;
  const chunks = new ReadableStream({
    start(controller) {
      feed = controller;
    },
    pull() {
      pulled?.();
      pulled = null;
    },
  });
  const reader = chunks.getReader();
  async function* input() {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }

  let out;
  let pumping = null;
  async function pump() {
    try {
      for await (const batch of triage.stream(input(), { limits: options.limits })) {
        if (ndjson) {
          if (batch.length > 0) out.enqueue(batch.ndjson);
        } else {
          for (const result of batch.results) out.enqueue(result);
        }
      }
    } catch (error) {
      out.error(error);
      pulled?.();
      throw error;
    }
  }

  function startPump() {
    if (pumping !== null) return;
    pumping = pump();
    // The error reaches the reader through `out.error`; this only keeps it from being reported
    // a second time as unhandled.
    pumping.catch(() => {});
  }

  return new TransformStream({
    start(controller) {
      out = controller;
    },
    async transform(chunk) {
      feed.enqueue(chunk);
      startPump();
      if (feed.desiredSize <= 0) await new Promise((resolve) => (pulled = resolve));
    },
    async flush() {
      feed.close();
      startPump();
      await pumping;
    },
  });
}
