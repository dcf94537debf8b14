#!/usr/bin/env node
// cloudtrail-triage: evaluates CloudTrail detection rules on events from files or standard
// input, streaming, with one result per event in input order. `--help` says how to use it.

import { createReadStream, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

import { HELP, UsageError, parseArgs } from './cli/args.mjs';
import { Comparison } from './cli/compare.mjs';
import { TableWriter, Tally, glance, glanceCodes, keep } from './cli/output.mjs';
import { Progress } from './cli/progress.mjs';

// A run holds little at once (one batch of events and its results), but V8 grows its young
// generation to 32 MB under a steady flow of short-lived strings. Kept at its starting size,
// a 200 MB run peaks near 120 MB instead of 145 MB.
v8.setFlagsFromString('--semi-space-growth-factor=1');

// Between checkpoints of the new-terms state a long run leaves garbage that V8 is slow to
// collect (the replaced state, the input kept to replay after a trap, read buffers): it
// waits for enough memory outside its heap to pile up. Collected at checkpoints, 1 GiB
// streamed through peaks about 8 MB lower (bench/run.mjs --memory).
v8.setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('typeof gc === "function" ? gc : () => {}');

// The input read between two garbage collections at checkpoints, at least: collecting at
// every checkpoint cost a fifth of a 165 MB run's time, and every 8, 16 or 32 MiB gives the
// same peak on 1 GiB (96-97 MB).
const COLLECT_EVERY = 16 * 1024 * 1024;

const EXIT_OK = 0;
const EXIT_INPUT = 1;
const EXIT_USAGE = 2;
const NAME = 'cloudtrail-triage';
const BUILTINS = new Set(['v1', 'v2', 'v3', 'v4', 'v5', 'latest']);
const NEWLINE = 0x0a;

/** An input file that cannot be opened (exit status 1). */
class InputFailure extends Error {}

/** A rule or query the core refused (exit status 2, without the pointer to --help). */
class InvalidRule extends Error {}

process.stdout.on('error', (error) => {
  // The reader went away (`| head`): there is no one left to tell.
  if (error.code === 'EPIPE') process.exit(EXIT_OK);
  throw error;
});

async function main(argv) {
  let options;
  try {
    options = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usage(error.message);
  }
  if (options.help) {
    process.stdout.write(HELP);
    return EXIT_OK;
  }

  if (longRun(options.inputs)) v8.setFlagsFromString('--no-liftoff');
  let lib;
  try {
    lib = await import('./index.mjs');
    if (options.version) {
      process.stdout.write(`${NAME} ${packageVersion()} (core ${lib.version()})\n`);
      return EXIT_OK;
    }
  } catch (error) {
    process.stderr.write(`${NAME}: ${error.message}\n`);
    return EXIT_INPUT;
  }

  // Rules first: a bad rule or query stops the run before any input is read.
  let rules;
  try {
    rules = loadRules(options, lib);
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message);
    if (!(error instanceof InvalidRule)) throw error;
    process.stderr.write(`${NAME}: ${error.message}\n`);
    return EXIT_USAGE;
  }

  const inputs = options.inputs.length > 0 ? options.inputs : ['-'];
  if (options.inputs.length === 0 && process.stdin.isTTY) {
    return usage('no input: name a FILE, or pipe events to standard input');
  }
  try {
    for (const input of inputs) checkReadable(input);
  } catch (error) {
    process.stderr.write(`${NAME}: ${error.message}\n`);
    return EXIT_INPUT;
  }

  const triage = new lib.Triage({
    rules: rules.map((rule) => rule.spec),
    enrich: options.enrich,
    brief: options.brief,
  });
  const labels = distinct(rules.map((rule) => rule.label));
  const queriesOnly = rules.every((rule) => rule.spec.query !== undefined);
  const run = new Run(lib, options, labels, inputs, queriesOnly);
  return run.go(triage);
}

// Input this large, or a stream of unknown length, makes a long run.
const LONG_RUN_BYTES = 64 * 1024 * 1024;

/**
 * Whether the run reads standard input or at least LONG_RUN_BYTES of files. A long run gets
 * the wasm core compiled by the optimizing compiler only: by default V8 compiles it twice (at
 * once for a quick start, then optimized once hot) and keeps both, about 20 MB more at the peak
 * of a 300 MB run, while the single compile costs about 0.2 s of start-up, which a short run
 * would feel and a long one does not. Must be decided before the core is compiled.
 */
function longRun(inputs) {
  if (inputs.length === 0 || inputs.includes('-')) return true;
  let bytes = 0;
  for (const input of inputs) {
    try {
      bytes += statSync(input).size;
    } catch {
      // Unreadable inputs are reported once the rules are loaded.
    }
  }
  return bytes >= LONG_RUN_BYTES;
}

function usage(message) {
  process.stderr.write(`${NAME}: ${message}\nTry '${NAME} --help' for more information.\n`);
  return EXIT_USAGE;
}

function packageVersion() {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  return JSON.parse(text).version;
}

/**
 * The rules to load, each checked on its own so that an error names the argument at fault.
 */
function loadRules(options, lib) {
  const wanted = options.compare !== null
    ? options.compare.map((value) => ({ kind: 'rule', value }))
    : options.rules;
  if (wanted.length === 0) wanted.push({ kind: 'rule', value: 'latest' });

  const queries = wanted.filter((rule) => rule.kind === 'query').length;
  let queryNumber = 0;
  return wanted.map(({ kind, value }) => {
    let rule;
    if (kind === 'query') {
      queryNumber += 1;
      const name = queries > 1 ? `query ${queryNumber}` : 'query';
      rule = { label: name, spec: { query: value, name }, what: `query ${JSON.stringify(value)}` };
    } else if (BUILTINS.has(value)) {
      rule = { label: value, spec: value, what: `rule ${value}` };
    } else {
      const label = basename(value).replace(/\.toml$/, '');
      rule = { label, spec: { toml: readRule(value), name: label }, what: `rule ${value}` };
    }

    try {
      lib.describeRules([rule.spec]);
    } catch (error) {
      if (error.name !== 'RuleError') throw error;
      throw new InvalidRule(`invalid ${rule.what}:\n${indent(error.message)}`);
    }
    return rule;
  });
}

function readRule(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (error.code === 'ENOENT') {
      throw new UsageError(`--rule ${path}: not a built-in version (v1 to v5, latest) and ` +
        `no such file`);
    }
    throw new UsageError(`--rule ${path}: cannot read the file (${error.code ?? error.message})`);
  }
}

function checkReadable(input) {
  if (input === '-') return;
  let stat;
  try {
    stat = statSync(input);
  } catch (error) {
    const why = error.code === 'ENOENT' ? 'no such file' : (error.code ?? error.message);
    throw new InputFailure(`cannot read ${input}: ${why}`);
  }
  if (stat.isDirectory()) throw new InputFailure(`cannot read ${input}: it is a directory`);
}

function indent(text) {
  return text.split('\n').map((line) => '  ' + line).join('\n');
}

/** Labels that tell the rules apart even when two arguments share a name. */
function distinct(labels) {
  return labels.map((label, i) =>
    labels.indexOf(label) === labels.lastIndexOf(label) ? label : `${label} (${i + 1})`,
  );
}

/** One run of the CLI over every input, writing results as they come. */
class Run {
  constructor(lib, options, labels, inputs, queriesOnly) {
    this.lib = lib;
    this.options = options;
    this.labels = labels;
    this.inputs = inputs;
    this.compare = options.compare !== null ? new Comparison(labels) : null;
    // Brief results are for programs, and written as ndjson even to a terminal.
    const table = this.compare !== null || (process.stdout.isTTY && !options.brief);
    this.format = options.format ?? (table ? 'table' : 'ndjson');
    this.tally = new Tally(labels);
    this.progress = new Progress(process.stderr, process.stderr.isTTY === true && !options.quiet);
    this.written = 0;
    this.checkpoints = 0;
    this.collectedAt = 0;
    this.limits = {};
    if (options.chunkLines !== null) this.limits.chunkLines = options.chunkLines;
    if (options.maxDocumentSize !== null) this.limits.documentBytes = options.maxDocumentSize;

    // On a terminal the table fits its width; in a file or a pipe nothing is cut.
    const columns = process.stdout.isTTY
      ? (process.stdout.columns || 120)
      : Number(process.env.COLUMNS) || Infinity;
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    this.table = new TableWriter(labels, { columns, color, queriesOnly });
  }

  async go(triage) {
    let status = EXIT_OK;

    for (const input of this.inputs) {
      try {
        // Each batch is written before the next is asked for, so its bytes may be reused.
        const stream = triage.stream(this.read(input), { limits: this.limits, reuse: true });
        for await (const batch of stream) {
          await this.write(this.batch(batch, input));
          this.collect(triage);
          if (batch.inputError !== undefined) {
            this.warn(`${input === '-' ? 'standard input' : input}: ${batch.inputError}`);
            status = EXIT_INPUT;
          }
        }
      } catch (error) {
        if (error.name !== 'InputError' && error.code === undefined) throw error;
        this.warn(`cannot read ${input === '-' ? 'standard input' : input}: ${error.message}`);
        status = EXIT_INPUT;
      }
    }

    await this.write(this.closing());
    this.progress.stop();
    if (!this.options.quiet) {
      process.stderr.write(`${NAME}: ${this.tally.line(this.progress.seconds())}\n`);
    }
    return status;
  }

  /**
   * Collects garbage after a checkpoint, once enough input has been read since the last
   * collection for it to matter (a full collection takes a few milliseconds).
   */
  collect(triage) {
    if (triage.checkpoints === this.checkpoints) return;
    this.checkpoints = triage.checkpoints;
    if (this.progress.bytes - this.collectedAt < COLLECT_EVERY) return;
    this.collectedAt = this.progress.bytes;
    collectGarbage();
  }

  async *read(input) {
    const stream = input === '-' ? process.stdin : createReadStream(input, { highWaterMark: 1 << 16 });
    for await (const bytes of stream) {
      this.progress.bytes += bytes.length;
      yield bytes;
    }
  }

  batch(batch, input) {
    this.progress.events += batch.length;
    if (this.direct(batch)) return this.directBytes(batch);

    let out = '';
    if (this.format === 'table' && this.compare === null && !this.table.started) {
      out += this.table.start(batch.results);
    }

    // json writes the core's text as it is, so it need not parse it.
    const light = this.compare === null && this.format === 'json';
    batch.texts.forEach((text, i) => {
      let seen = light ? glanceCodes(batch.verdicts, i * batch.rules, batch.rules) : null;
      let result = null;
      if (seen === null) {
        result = batch.results[i];
        seen = glance(result);
      }
      if (this.inputs.length > 1 && seen.error) {
        result ??= batch.results[i];
        text = this.nameInput(result, input);
      }
      this.tally.add(seen);

      if (this.compare !== null) {
        const difference = this.compare.add(result);
        if (difference !== null && this.format === 'ndjson') out += JSON.stringify(difference) + '\n';
        return;
      }
      if (!keep(seen, this.options.only)) return;
      out += this.formatOne(result, text);
    });
    return out;
  }

  /**
   * Whether a batch is written as the core's bytes and counted from its verdict codes, never
   * decoded into strings: ndjson results, unless they are compared, or an error result must
   * name which of several inputs it is in.
   */
  direct(batch) {
    if (this.compare !== null || this.format !== 'ndjson') return false;
    if (this.inputs.length === 1) return true;
    for (let at = 0; at < batch.verdicts.length; at += batch.rules) {
      if (glanceCodes(batch.verdicts, at, batch.rules).error) return false;
    }
    return true;
  }

  /** The batch counted, and the bytes of the results `--only` keeps. */
  directBytes(batch) {
    const only = this.options.only;
    const { ndjson, verdicts, rules } = batch;
    if (only.length === 0) {
      for (let at = 0; at < verdicts.length; at += rules) this.tally.add(glanceCodes(verdicts, at, rules));
      this.written += batch.length;
      return ndjson;
    }

    const pieces = [];
    let start = 0;
    for (let at = 0; at < verdicts.length; at += rules) {
      const seen = glanceCodes(verdicts, at, rules);
      this.tally.add(seen);
      const end = ndjson.indexOf(NEWLINE, start) + 1;
      if (keep(seen, only)) {
        pieces.push(ndjson.subarray(start, end));
        this.written += 1;
      }
      start = end;
    }
    return Buffer.concat(pieces);
  }

  formatOne(result, text) {
    this.written += 1;
    switch (this.format) {
      case 'ndjson':
        return text + '\n';
      case 'json':
        return (this.written === 1 ? '[\n' : ',\n') + text;
      case 'table':
        return this.table.line(result);
      default:
        return '';
    }
  }

  closing() {
    if (this.compare !== null) {
      if (this.format === 'json') {
        const differences = [];
        for (const kind of ['alert', 'match']) {
          for (const section of this.compare.sections[kind]) differences.push(...section.listed);
        }
        const document = { rules: this.labels, ...this.compare.counts(), differences };
        return JSON.stringify(document, null, 2) + '\n';
      }
      if (this.format === 'summary') return this.compare.table().join('\n') + '\n';
      if (this.format === 'table') return this.compare.report(this.sourceNames());
      return '';
    }
    if (this.format === 'table' && !this.table.started) return this.table.start([]);
    if (this.format === 'json') return this.written === 0 ? '[]\n' : '\n]\n';
    if (this.format === 'summary') return this.tally.report();
    return '';
  }

  sourceNames() {
    return this.inputs.map((input) => (input === '-' ? 'standard input' : input)).join(', ');
  }

  /** With several inputs, an error says which one it is in. */
  nameInput(result, input) {
    const name = input === '-' ? 'standard input' : input;
    const named = (message) => `${name}: ${message}`;
    result.error = named(result.error);
    for (const verdict of [result, ...(result.rules ?? [])]) {
      // Brief results have no reasons.
      if (verdict.reasons === undefined) continue;
      verdict.reasons = verdict.reasons.map((reason) =>
        reason.startsWith('error: ') ? `error: ${named(reason.slice(7))}` : reason,
      );
    }
    return this.lib.stringifyJson(result);
  }

  /** Writes text or bytes, and returns once they are out: bytes may be a reused buffer. */
  async write(data) {
    if (data.length === 0) return;
    if (process.stdout.isTTY) this.progress.clear();
    // A failed write is reported by the stream's 'error' event (see the top of this file).
    await new Promise((resolve) => process.stdout.write(data, () => resolve()));
  }

  warn(message) {
    this.progress.clear();
    process.stderr.write(`${NAME}: ${message}\n`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`${NAME}: ${error instanceof Error ? error.stack : error}\n`);
  process.exitCode = EXIT_INPUT;
}
