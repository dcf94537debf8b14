// The library's API over the wasm core, the same in Node and in the browser. A platform module
// (index.mjs for Node, browser.mjs for the browser) says how to compile the wasm, how to load
// a fresh copy of wasm-bindgen's glue module, and how to gunzip a stream; everything else is
// here.
//
// Each glue module holds exactly one wasm instance, so a fresh instance (for an isolated
// `Triage`, or after a trap) is a fresh import of the glue module under a new URL.

import { Chunker, InputError, concat, formatBytes } from './chunker.mjs';
import { parseJson, stringifyJson } from './json.mjs';

export { InputError };

/**
 * The verdict codes of `ResultBatch#verdicts`, by code: the core writes one byte per result
 * and rule.
 */
export const VERDICTS = Object.freeze(['alert', 'repeat', 'match', 'no_match', 'error']);
const ERROR_CODE = VERDICTS.indexOf('error');

const BUILTIN_NAMES = new Set(['v1', 'v2', 'v3', 'v4', 'v5', 'latest']);

// How much input a Triage keeps to replay after a trap before it takes a checkpoint instead: at
// most REPLAY_BATCHES batches, and REPLAY_BYTES bytes or REPLAY_PER_STATE times the length of
// the last checkpoint, whichever is more. A checkpoint serializes the whole new-terms state,
// which grows with the keys seen; spacing checkpoints by the state's size keeps their share of
// a long run's time bounded (at a fixed 16 batches they took 11% of a 300 MB run).
const REPLAY_BATCHES = 256;
const REPLAY_BYTES = 2 * 1024 * 1024;
const REPLAY_PER_STATE = 2;

// The largest buffer a reusing stream keeps for its batches' results (the core keeps as much):
// batches of the default size write well under 1 MiB.
const REUSED_BYTES = 16 * 1024 * 1024;

/** A rule or query the core refused, with the core's message (position and caret included). */
export class RuleError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'RuleError';
  }
}

/**
 * The wasm instance stopped on a trap (a bug in the core, or memory exhausted). The events of
 * the batch it hit get error results; `Triage#recover` starts a fresh instance.
 */
export class TrapError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'TrapError';
  }
}

/**
 * Builds the API for one platform.
 *
 * @param {object} platform
 * @param {(source?: unknown) => Promise<WebAssembly.Module>} platform.compile
 * @param {(() => WebAssembly.Module) | undefined} platform.compileSync
 * @param {(copy: number) => Promise<object>} platform.importGlue
 * @param {object | undefined} platform.firstGlue glue already imported, for a synchronous start
 * @param {(source: AsyncIterable<Uint8Array>) => AsyncIterable<Uint8Array>} platform.gunzip
 */
export function createApi(platform) {
  let compiled = null;
  let shared = null;
  let firstGlueUsed = false;
  let copies = 0;

  async function init(source) {
    if (compiled === null || source !== undefined) compiled = await platform.compile(source);
    shared = await instantiate();
  }

  async function instantiate() {
    if (compiled === null) compiled = await platform.compile();
    copies += 1;
    const glue = await platform.importGlue(copies);
    glue.initSync({ module: compiled });
    return glue;
  }

  function sharedGlue() {
    if (shared !== null) return shared;
    if (platform.firstGlue !== undefined && platform.compileSync !== undefined && !firstGlueUsed) {
      firstGlueUsed = true;
      if (compiled === null) compiled = platform.compileSync();
      platform.firstGlue.initSync({ module: compiled });
      shared = platform.firstGlue;
      return shared;
    }
    throw new Error('cloudtrail-triage is not initialized: call `await init()` first');
  }

  function lostShared(glue) {
    if (shared === glue) shared = null;
  }

  function version() {
    return sharedGlue().version();
  }

  function builtinRules() {
    return sharedGlue().builtinRules();
  }

  function checkQuery(query) {
    return sharedGlue().checkQuery(String(query)) ?? null;
  }

  /**
   * Loads rules and returns what the core reads from them, or throws a `RuleError`.
   */
  function describeRules(rules) {
    const glue = sharedGlue();
    const engine = newEngine(glue, engineConfig({ rules }));
    try {
      return engine.rules();
    } finally {
      engine.free();
    }
  }

  /** A run over events: loaded rules, new-terms state and the index of the next event. */
  class Triage {
    /**
     * A triage in its own wasm instance, so that a trap elsewhere cannot touch it.
     */
    static async create(options = {}) {
      const glue = await instantiate();
      return new Triage(options, glue);
    }

    constructor(options = {}, glue = undefined) {
      this.config = engineConfig(options);
      this.glue = glue ?? sharedGlue();
      this.engine = newEngine(this.glue, this.config);
      this.rules = this.engine.rules();
      this.nextIndex = 0;
      // What a fresh instance needs to stand where this one stands: the new-terms state at a
      // checkpoint, and the batches run since then, to be run again.
      this.checkpointState = null;
      this.replay = [];
      this.replayBytes = 0;
      this.trap = null;
      // How many checkpoints have been taken: each leaves the state it replaces and the
      // batches kept before it as garbage, a good moment for a caller to collect it.
      this.checkpoints = 0;
      // The buffer that `stream(source, {reuse: true})` copies each batch's results into.
      this.output = new Uint8Array(0);
    }

    /**
     * Evaluates a batch of events, carrying new-terms state over from earlier calls.
     * Returns one result per input event, in input order.
     */
    evaluate(input) {
      return this.evaluateText(input).map(parseJson);
    }

    /** Like `evaluate`, but returns each result as the core's exact JSON text. */
    evaluateText(input) {
      return this.run(toBytes(input), 1).texts;
    }

    /**
     * Evaluates a byte stream in bounded batches, yielding each batch's results as soon as
     * they are ready. Gzip is recognized by its magic bytes. A trap turns the events of the
     * batch it hit into error results and the run goes on in a fresh instance.
     *
     * With `reuse`, every batch's `ndjson` is a view of one buffer that the next batch
     * overwrites: a caller that writes each batch out before asking for the next (as the CLI
     * does) then leaves no buffer behind per batch for the garbage collector to find.
     *
     * @param {AsyncIterable<Uint8Array> | Iterable<Uint8Array>} source
     * @param {{limits?: object, reuse?: boolean}} [options]
     */
    async *stream(source, options = {}) {
      const reuse = options.reuse === true;
      const chunker = new Chunker(options.limits);
      const input = new Gunzipped(source, platform.gunzip);
      try {
        for await (const bytes of input) {
          for (const batch of chunker.push(bytes)) yield await this.runBatch(batch, reuse);
        }
      } catch (error) {
        if (!(error instanceof GzipError)) throw error;

        // As the core does for a gzip file cut short: the events before the damage are read,
        // a last line cut in the middle is dropped, and one error result says what happened.
        const dropped = chunker.dropPartialLine();
        for (const batch of chunker.end()) yield await this.runBatch(batch, reuse);
        const firstIndex = this.nextIndex;
        const lost = dropped ? '; the incomplete line at the end was dropped' : '';
        const message = `event ${firstIndex}: the gzip data is damaged or cut off after ` +
          `${input.inflated} bytes (${error.message}); the events before it were read${lost}`;
        const batch = this.errorBatch(firstIndex, [this.errorText(message)]);
        batch.inputError = message;
        yield batch;
        return;
      }
      for (const batch of chunker.end()) yield await this.runBatch(batch, reuse);
    }

    async runBatch(batch, reuse) {
      const firstIndex = this.nextIndex;
      if (batch.kind === 'oversized') {
        const size = formatBytes(batch.size);
        const limit = formatBytes(batch.limit);
        return this.errorBatch(firstIndex, [this.errorText(`event ${this.nextIndex} (line ` +
          `${batch.firstLine}) is ${size} long, more than the limit of ${limit} for one line; ` +
          `it was skipped unread`)]);
      }
      try {
        return this.run(batch.bytes, batch.firstLine, reuse);
      } catch (error) {
        if (!(error instanceof TrapError)) throw error;
        const texts = this.trapTexts(batch, error);
        await this.recover();
        return this.errorBatch(firstIndex, texts);
      }
    }

    /** A batch of error results that the core did not write. */
    errorBatch(firstIndex, texts) {
      const ndjson = encoder.encode(texts.join('\n') + '\n');
      const verdicts = new Uint8Array(texts.length * this.rules.length).fill(ERROR_CODE);
      return new ResultBatch(firstIndex, ndjson, verdicts, this.rules.length, texts);
    }

    run(bytes, firstLine, reuse = false) {
      if (this.trap !== null) {
        throw new TrapError('the wasm instance stopped on an earlier trap; call recover() first');
      }

      const budget = Math.max(REPLAY_BYTES, REPLAY_PER_STATE * (this.checkpointState?.length ?? 0));
      if (this.replay.length >= REPLAY_BATCHES || this.replayBytes + bytes.length > budget) {
        this.checkpoint();
      }
      const firstIndex = this.nextIndex;
      let ndjson;
      let verdicts;
      try {
        ndjson = reuse
          ? this.reused(this.engine.runNdjsonKept(bytes, firstIndex, firstLine - 1))
          : this.engine.runNdjson(bytes, firstIndex, firstLine - 1);
        verdicts = this.engine.verdicts();
      } catch (error) {
        if (!(error instanceof WebAssembly.RuntimeError)) throw error;
        this.trap = error;
        lostShared(this.glue);
        throw new TrapError(`the wasm core stopped on a trap (${error.message})`, { cause: error });
      }
      if (bytes.length > budget) {
        this.checkpoint();
      } else {
        this.replay.push({ bytes, firstIndex, firstLine });
        this.replayBytes += bytes.length;
      }

      const batch = new ResultBatch(firstIndex, ndjson, verdicts, this.rules.length);
      this.nextIndex += batch.length;
      return batch;
    }

    /** The last batch's results, copied out of the core into the buffer kept for them. */
    reused(length) {
      const kept = new Uint8Array(this.glue.coreMemory().buffer, this.engine.keptAt(), length);
      // One large document gets a copy of its own rather than a buffer kept for good.
      if (length > REUSED_BYTES) return kept.slice();
      if (this.output.length < length) {
        const size = Math.max(length, 2 * this.output.length);
        this.output = new Uint8Array(Math.min(REUSED_BYTES, size));
      }
      this.output.set(kept);
      return this.output.subarray(0, length);
    }

    /**
     * Takes the new-terms state, so that the batches before it need not be kept. Taking it
     * costs a serialization of the whole state, so it is done after a budget of input rather
     * than before each batch.
     */
    checkpoint() {
      this.checkpointState = this.engine.state();
      this.replay = [];
      this.replayBytes = 0;
      this.checkpoints += 1;
    }

    trapTexts(batch, error) {
      const lines = batch.kind === 'lines'
        ? `lines ${batch.firstLine}-${batch.firstLine + batch.lines - 1}`
        : 'the document';
      const message = `${error.message} while evaluating ${lines}, so their events have no ` +
        `verdict; the core was restarted with the new-terms state from before them`;
      const texts = [];
      for (let i = 0; i < batch.events; i++) {
        texts.push(this.errorText(`event ${this.nextIndex}: ${message}`));
      }
      return texts;
    }

    /** One error result at the next index, shaped like the core's own. */
    errorText(message) {
      const index = this.nextIndex;
      this.nextIndex += 1;
      // A brief result is its whole result without reasons.
      const reasons = this.config.brief ? {} : { reasons: [`error: ${message}`] };
      const verdict = (rule) => ({
        rule: rule.name,
        match: false,
        alert: false,
        verdict: 'error',
        ...reasons,
        clauses: [],
        caveats: [],
      });
      const result = { index, ...verdict(this.rules[0] ?? { name: '' }), error: message };
      if (this.rules.length > 1) result.rules = this.rules.map(verdict);
      return JSON.stringify(result);
    }

    /**
     * Starts a fresh wasm instance after a trap, with the new-terms state from before the
     * batch that trapped: the last checkpoint, and the batches since then run again (their
     * results were already given, so they are dropped).
     */
    async recover() {
      const glue = await instantiate();
      const engine = newEngine(glue, this.config);
      if (this.checkpointState !== null) engine.setState(this.checkpointState);
      for (const batch of this.replay) {
        engine.runNdjson(batch.bytes, batch.firstIndex, batch.firstLine - 1);
      }
      this.glue = glue;
      this.engine = engine;
      this.trap = null;
    }

    /** The new-terms state as JSON text, to carry over to another `Triage`. */
    state() {
      return this.engine.state();
    }

    setState(json) {
      this.engine.setState(json);
      this.checkpoint();
    }

    /** Releases the core's memory for this triage. */
    free() {
      if (this.trap === null) this.engine.free();
    }
  }

  function evaluate(input, options = {}) {
    const triage = new Triage(options);
    try {
      return triage.evaluate(input);
    } finally {
      triage.free();
    }
  }

  function evaluateEvent(event, options = {}) {
    const results = evaluate(typeof event === 'string' ? event : [event], options);
    if (results.length !== 1) {
      throw new TypeError(`expected one event, the input holds ${results.length}`);
    }
    return results[0];
  }

  /**
   * Normalizes raw records and enriches them, returning the ECS events the rules see.
   */
  function enrich(input) {
    const results = evaluate(input, { rules: ['latest'], enrich: true });
    return results.map((result) => {
      if (result.error !== undefined) throw new InputError(result.error);
      return result.event;
    });
  }

  return {
    init,
    version,
    builtinRules,
    checkQuery,
    describeRules,
    Triage,
    evaluate,
    evaluateEvent,
    enrich,
  };
}

const decoder = new TextDecoder();

/**
 * The results of one batch, as the core wrote them: `ndjson`, UTF-8 bytes with one result per
 * line, and `verdicts`, one code of `VERDICTS` per result and rule. A caller that writes
 * results out as they are and counts verdicts never turns them into JS strings; `texts` (the
 * lines as strings) and `results` (parsed) are made on first use only.
 */
export class ResultBatch {
  #texts;
  #results = null;

  constructor(firstIndex, ndjson, verdicts, rules, texts = null) {
    this.firstIndex = firstIndex;
    this.ndjson = ndjson;
    this.verdicts = verdicts;
    /** How many rules ran, so how many codes each result has in `verdicts`. */
    this.rules = rules;
    this.#texts = texts;
  }

  /** How many results the batch holds. */
  get length() {
    return this.verdicts.length / this.rules;
  }

  /** Each result's exact JSON text. */
  get texts() {
    // A result is one line: JSON text written compactly holds no raw newline.
    this.#texts ??= this.length === 0 ? [] : decoder.decode(this.ndjson).split('\n', this.length);
    return this.#texts;
  }

  /** The parsed results. */
  get results() {
    this.#results ??= this.texts.map(parseJson);
    return this.#results;
  }
}

function newEngine(glue, config) {
  try {
    return new glue.Engine(config);
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) {
      throw new TrapError(`the wasm core stopped on a trap (${error.message})`, { cause: error });
    }
    throw new RuleError(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** The core's engine configuration from the options callers give. */
export function engineConfig(options) {
  const rules = options.rules ?? ['latest'];
  if (!Array.isArray(rules) || rules.length === 0) {
    throw new TypeError('rules must be a non-empty array of rule specs');
  }
  return {
    rules: rules.map(ruleSpec),
    enrich: options.enrich === true,
    brief: options.brief === true,
  };
}

function ruleSpec(rule) {
  if (typeof rule === 'string') {
    if (BUILTIN_NAMES.has(rule)) return { builtin: rule };
    throw new RuleError(`unknown built-in rule ${JSON.stringify(rule)}: expected one of ` +
      `v1, v2, v3, v4, v5, latest, or an object {toml} or {query}`);
  }
  if (rule !== null && typeof rule === 'object') {
    if (typeof rule.builtin === 'string') return { builtin: rule.builtin };
    if (typeof rule.toml === 'string') {
      return rule.name === undefined ? { toml: rule.toml } : { toml: rule.toml, name: rule.name };
    }
    if (typeof rule.query === 'string') {
      return rule.name === undefined ? { query: rule.query } : { query: rule.query, name: rule.name };
    }
  }
  throw new TypeError('a rule is a built-in name ("v1".."v5", "latest") or an object ' +
    '{builtin}, {toml} or {query, name?}');
}

const encoder = new TextEncoder();

/**
 * Input for a batch: JSON text (any shape the core reads) or its bytes, one event object, or
 * an array of event objects or event texts.
 */
export function toBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  if (typeof input === 'string') return encoder.encode(input);
  if (Array.isArray(input)) {
    // One event per line keeps one broken event from taking the others with it. Raw newlines
    // in JSON text can only be whitespace between tokens, so flattening them is safe.
    const lines = input.map((event) =>
      typeof event === 'string' ? event.replace(/[\r\n]+/g, ' ') : stringifyJson(event),
    );
    return encoder.encode(lines.join('\n'));
  }
  if (input !== null && typeof input === 'object') return encoder.encode(stringifyJson(input));
  throw new TypeError('events must be JSON text, bytes, an event object or an array of them');
}

/** The gzip data could not be inflated; what came before it was read. */
class GzipError extends Error {}

/**
 * The input as bytes: passed through, or gunzipped when it starts with gzip's magic bytes.
 * Counts the bytes it yields, so that an error can say how far the input got.
 */
class Gunzipped {
  constructor(source, gunzip) {
    this.source = source;
    this.gunzip = gunzip;
    this.inflated = 0;
  }

  async *[Symbol.asyncIterator]() {
    const iterator = this.source[Symbol.asyncIterator]?.() ?? this.source[Symbol.iterator]();
    let sourceError = null;
    const next = async () => {
      try {
        const item = await iterator.next();
        return item.done ? null : asBytes(item.value);
      } catch (error) {
        sourceError = error;
        throw error;
      }
    };

    const head = [];
    let headBytes = 0;
    let ended = false;
    while (headBytes < 2) {
      const bytes = await next();
      if (bytes === null) {
        ended = true;
        break;
      }
      head.push(bytes);
      headBytes += bytes.length;
    }
    const start = concat(head, headBytes);

    async function* raw() {
      if (start.length > 0) yield start;
      if (ended) return;
      for (let bytes = await next(); bytes !== null; bytes = await next()) yield bytes;
    }

    if (start[0] !== 0x1f || start[1] !== 0x8b) {
      for await (const bytes of raw()) {
        this.inflated += bytes.length;
        yield bytes;
      }
      return;
    }

    try {
      for await (const bytes of this.gunzip(raw())) {
        this.inflated += bytes.length;
        yield bytes;
      }
    } catch (error) {
      if (sourceError !== null) throw sourceError;
      throw new GzipError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  }
}

function asBytes(value) {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw new TypeError('a triage stream takes bytes (Uint8Array, Buffer or string)');
}
