// Types shared by the Node (index.mjs) and browser (browser.mjs) entry points.

/** A JSON value as `parseJson` returns it: integers past 2^53 are `bigint`. */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A built-in version name. */
export type BuiltinName = 'v1' | 'v2' | 'v3' | 'v4' | 'v5' | 'latest';

/** A rule to load: a built-in version, a detection-rules TOML text, or a bare KQL query. */
export type RuleSpec =
  | BuiltinName
  | { builtin: BuiltinName }
  | { toml: string; name?: string }
  | { query: string; name?: string };

/** What the core reads from a loaded rule. */
export interface RuleInfo {
  /** The name results carry in `rule`. */
  name: string;
  title: string;
  rule_id: string | null;
  /** The version's date, `YYYY-MM-DD`, when known. */
  date: string | null;
  query: string;
  language: 'kuery';
  type: 'query' | 'new_terms';
  new_terms_fields: string[];
  history_window_days: number | null;
  /** Whether this is the latest built-in version. */
  latest: boolean;
}

/** Where and why a query does not parse. */
export interface QueryProblem {
  message: string;
  /** 0-based character offset. */
  offset: number;
  line: number;
  column: number;
  /** The message, the query line and a caret under the spot. */
  display: string;
}

/** Caps on what is held in memory at once while streaming. */
export interface Limits {
  /** Lines evaluated per call into the core (default 100). */
  chunkLines?: number;
  /** Bytes evaluated per call into the core, unless one line is longer (default 1 MiB). */
  chunkBytes?: number;
  /** The longest line read; a longer one becomes an error result (default 256 MiB). */
  lineBytes?: number;
  /** The largest input read whole: a JSON array, a Records file, a pretty-printed event. */
  documentBytes?: number;
}

export interface TriageOptions {
  /** The rules to evaluate, in the order results list them (default `['latest']`). */
  rules?: RuleSpec[];
  /** Put the normalized, enriched event in each result as `event`. */
  enrich?: boolean;
  /**
   * Brief results (`BriefResult`): each verdict with its clauses' pass or fail, caveats and
   * new-terms decision, without reasons, the values each clause read, the summary and the
   * provenance. For ingest scripts that keep verdicts and events: less than half the bytes of
   * a whole result, in about half the time.
   */
  brief?: boolean;
}

/** Events for a batch call: JSON text or its bytes (any input shape, gzip or not), one event
 * object, or an array of event objects or event texts. */
export type EventsInput = string | Uint8Array | ArrayBuffer | JsonObject | Array<JsonObject | string>;

export type Verdict = 'alert' | 'repeat' | 'match' | 'no_match' | 'error';

/** One top-level clause of a query, with the values the event holds for its fields. */
export interface ClauseResult {
  clause: string;
  pass: boolean;
  fields: Array<{ field: string; values: JsonValue[] }>;
  notes?: string[];
}

/** A call that issued temporary credentials, or the console login that began a session. */
export interface Issuer {
  /** `GetSessionToken`, `AssumeRole`, `AssumeRoleWithSAML`, `AssumeRoleWithWebIdentity`,
   * `GetFederationToken` or `ConsoleLogin`. */
  action: string;
  /** The issuing event's 0-based position in the input. */
  index: number;
  /** When it happened, as an ISO 8601 UTC time. */
  timestamp?: string;
  /** Who called it: `aws.cloudtrail.user_identity.arn`. */
  arn?: string;
  /** Where from: `source.ip`, else `source.address`. */
  source_ip?: string;
  user_agent?: string;
  /** Whether an MFA code was presented; absent when the event cannot say (SAML, web identity). */
  mfa?: boolean;
  /** The key the issuing call was itself made with, when it had one. */
  caller_key?: string;
}

/**
 * Where an event's temporary (`ASIA…`) key came from, and what was done with it. The facts
 * cover everything read up to the end of the event's batch; keys, issuers and logins more than
 * two days older than the newest event seen are forgotten.
 */
export interface Provenance {
  key_id: string;
  /** The call that issued the key, or the console login of its session, when it was read. */
  issuer?: Issuer;
  /** The issuers of the keys above: the one `issuer` was called with, its issuer's, and so on
   * (at most 8). Absent when there are none. */
  chain?: Issuer[];
  /** Why there is no issuer: "the call that issued ASIA… is not in the input", or "ASIA…
   * belongs to a console session; its ConsoleLogin is not in the input". */
  note?: string;
  /** How many events used the key. */
  calls: number;
  /** The key's first and last use, as ISO 8601 UTC times. */
  first_seen?: string;
  last_seen?: string;
  /** Distinct source addresses (an IP, or a service name such as "AWS Internal"), user agents
   * and actions, at most 32 of each. */
  source_ips: string[];
  user_agents: string[];
  actions: string[];
  /** Positions of the key's events in the input, the first 200 of them. */
  events: number[];
  /** The longest time between two uses, in words: "8 hours". */
  longest_gap?: string;
  /** Signs of a stolen session, in sentences: several source addresses or user agents, a long
   * gap between uses. Empty when there are none. */
  signs: string[];
}

/** One rule's verdict on one event. */
export interface RuleVerdict {
  rule: string;
  match: boolean;
  alert: boolean;
  verdict: Verdict;
  /** Why, in sentences: the headline first. */
  reasons: string[];
  clauses: ClauseResult[];
  /** What could make Elasticsearch decide otherwise. */
  caveats: string[];
  new_term?: NewTerm;
}

/** How new terms decided a match: the terms, the window and the match before, if any. */
export interface NewTerm {
  field: string;
  values: string[];
  window_days: number;
  previous?: { index: number; timestamp: string };
}

/** The result for one input event: the first rule's verdict at the top level. */
export interface TriageResult extends RuleVerdict {
  /** The event's 0-based position in the input. */
  index: number;
  summary?: {
    timestamp?: string;
    arn?: string;
    action?: string;
    source?: string;
    key_id?: string;
  };
  /** For an event made with a temporary (`ASIA…`) key: where the key came from. */
  provenance?: Provenance;
  /** Why the event could not be read. */
  error?: string;
  /** The normalized, enriched event, with `enrich: true`. */
  event?: JsonObject;
  /** Every rule's verdict, when more than one rule is loaded. */
  rules?: RuleVerdict[];
}

/** One rule's verdict with `brief: true`: a `RuleVerdict` without reasons and clause values. */
export interface BriefVerdict {
  rule: string;
  match: boolean;
  alert: boolean;
  verdict: Verdict;
  clauses: Array<{ clause: string; pass: boolean }>;
  caveats: string[];
  new_term?: NewTerm;
}

/** The result for one input event with `brief: true`. */
export interface BriefResult extends BriefVerdict {
  index: number;
  error?: string;
  event?: JsonObject;
  rules?: BriefVerdict[];
}

/** The results `options` asks for: `BriefResult` with `brief: true`, else `TriageResult`. */
export type ResultFor<O extends TriageOptions> = O extends { brief: true } ? BriefResult : TriageResult;

/** The verdicts by the codes of `ResultBatch#verdicts`. */
export declare const VERDICTS: readonly Verdict[];

/** The results of one batch of a stream, as the core wrote them. */
export declare class ResultBatch<R extends TriageResult | BriefResult = TriageResult> {
  readonly firstIndex: number;
  /** The results as UTF-8 bytes, one result per line, each line ending in a newline. */
  readonly ndjson: Uint8Array;
  /** For each result in order, one code per rule in order (see `VERDICTS`). */
  readonly verdicts: Uint8Array;
  /** How many rules ran: how many codes each result has in `verdicts`. */
  readonly rules: number;
  /** How many results the batch holds. */
  readonly length: number;
  /** Each result's exact JSON text (decoded on first access). */
  readonly texts: string[];
  /** The parsed results (parsed on first access). */
  readonly results: R[];
  /** Set on the last batch when the input broke off (damaged gzip): what happened. */
  inputError?: string;
}

export type ByteSource = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

/**
 * A run over events: loaded rules, new-terms state, and the index of the next event. `R` is
 * the kind of result it gives: `new Triage<BriefResult>({ brief: true })` for brief ones.
 */
export declare class Triage<R extends TriageResult | BriefResult = TriageResult> {
  /** A triage in its own wasm instance. */
  static create<O extends TriageOptions = TriageOptions>(options?: O): Promise<Triage<ResultFor<O>>>;
  /** A triage in the shared wasm instance; throws a `RuleError` for a rule the core refuses. */
  constructor(options?: TriageOptions);
  readonly rules: RuleInfo[];
  /**
   * How many checkpoints of the new-terms state (kept to recover from a trap) the triage has
   * taken; each leaves garbage behind, so a long-running caller may collect it then.
   */
  readonly checkpoints: number;
  /** One result per input event, in input order; state carries over to the next call. */
  evaluate(input: EventsInput): R[];
  /** Like `evaluate`, each result as the core's exact JSON text. */
  evaluateText(input: EventsInput): string[];
  /**
   * Evaluates a byte stream in bounded batches; gzip is recognized by its magic bytes. With
   * `reuse`, each batch's `ndjson` is a view of one buffer that the next batch overwrites: read
   * or write it out (and read `texts` or `results`, which are decoded from it) before asking
   * for the next batch.
   */
  stream(source: ByteSource, options?: { limits?: Limits; reuse?: boolean }): AsyncGenerator<ResultBatch<R>, void, undefined>;
  /** Starts a fresh wasm instance after a trap, with the state from before it. */
  recover(): Promise<void>;
  /** The new-terms state as JSON text. */
  state(): string;
  setState(json: string): void;
  /** Releases the core's memory for this triage. */
  free(): void;
}

export interface StreamOptions extends TriageOptions {
  /** `object` (default): one `TriageResult` per event; `ndjson`: the exact texts, one a line. */
  output?: 'object' | 'ndjson';
  limits?: Limits;
  /** Continue an existing triage (its state and indexes) instead of starting one. */
  triage?: Triage<TriageResult | BriefResult>;
}

/** A rule or query the core refused; the message says where and why. */
export declare class RuleError extends Error {}
/** The input could not be read at all (a document over the size limit, unreadable events). */
export declare class InputError extends Error {}
/** The wasm core stopped on a trap; `Triage#recover` starts a fresh one. */
export declare class TrapError extends Error {}

// Named here so the declarations need no DOM library in Node; this merges with the DOM's own
// declaration where it is loaded.
declare global {
  namespace WebAssembly {
    interface Module {}
  }
}

/** Where the wasm comes from, for `init`. */
export type WasmSource = string | URL | Response | Uint8Array | ArrayBuffer | WebAssembly.Module;

export declare function init(source?: WasmSource): Promise<void>;
export declare function version(): string;
export declare function builtinRules(): RuleInfo[];
export declare function checkQuery(query: string): QueryProblem | null;
/** Loads rules and returns what the core reads from them; throws a `RuleError`. */
export declare function describeRules(rules: RuleSpec[]): RuleInfo[];
/** One-shot evaluation of a batch of events. */
export declare function evaluate<O extends TriageOptions = TriageOptions>(input: EventsInput, options?: O): ResultFor<O>[];
/** One event's result; throws when the input holds more or fewer than one event. */
export declare function evaluateEvent<O extends TriageOptions = TriageOptions>(event: JsonObject | string, options?: O): ResultFor<O>;
/** Normalizes raw records and enriches them: the ECS events the rules see. */
export declare function enrich(input: EventsInput): JsonObject[];
/** `JSON.parse`, keeping integers past 2^53 as `bigint`. */
export declare function parseJson(text: string): JsonValue;
/** `JSON.stringify`, writing `bigint`s as plain integers. */
export declare function stringifyJson(value: JsonValue, space?: number): string;
export declare const DEFAULT_LIMITS: Readonly<Required<Limits>>;
