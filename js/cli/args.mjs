// Command-line arguments: what the user asked for, or a usage error (exit status 2).

export const HELP = `Usage: cloudtrail-triage [OPTIONS] [FILE | -]...

Evaluates Elastic's rule "AWS IAM API Calls via Temporary Session Tokens", any version of it,
or any KQL query on CloudTrail records or ECS events, and says for every event whether it
matches, whether it raises an alert, and why.

Input is read from each FILE in turn, or from standard input when there is none or FILE is
-: one event per line, a JSON array, a {"Records": [...]} file as AWS writes it to S3, or a
single event, gzipped or not. Raw records are normalized to ECS events as Elastic's AWS
integration does. Every event gets exactly one result, in input order.

Rules:
  -r, --rule RULE        a built-in version (v1, v2, v3, v4, v5, latest = v5) or a
                         detection-rules TOML file; repeatable (default: latest)
      --query KQL        a KQL query, evaluated without new terms (alert is always false);
                         repeatable
      --compare A B      run the events through rules A and B and report the alerts and
                         matches each raises, the change in percent, and every event on
                         which they differ with the clause that makes the difference

Output:
  -f, --format FORMAT    table (default on a terminal), ndjson (default otherwise), json
                         or summary
      --only WHAT        write only alerts, matches or errors (repeatable; an event is kept
                         when any loaded rule says so)
  -e, --enrich           add the normalized, enriched event to each result as "event"
      --brief            brief results, for ingest scripts: each verdict with its clauses'
                         pass or fail, caveats and new-terms decision, without reasons,
                         the values each clause read, the summary and the provenance
                         (ndjson and json only)
      --quiet            write no progress and no summary on standard error

Every result of an event made with a temporary (ASIA...) key carries "provenance": the call
that issued the key (GetSessionToken, AssumeRole and its kin, or the user's ConsoleLogin)
with its time, address, user agent, MFA and position #N, or a note that it is not in the
input; the issuers of the keys above it; the key's calls, first and last use, distinct source
addresses, user agents and actions; and signs of a stolen session (several addresses or user
agents, a long gap). The table shows it under each alert (under each match when only --query
rules run). It covers everything read up to the end of the event's batch, so within a batch
an issuer written after the calls it enabled is still found; keys, issuers and logins more
than two days older than the newest event are forgotten.

Limits:
      --chunk-lines N    lines evaluated per call into the core (default 100); the
                         batches depend on the input only, never on how it arrives
      --max-document-size SIZE
                         largest input that must be read whole (a JSON array, a Records
                         file, a pretty-printed event), e.g. 512M (default 256M)

  -h, --help             print this help
  -V, --version          print the version

Exit status: 0 when the input was read (events that could not be read still get an error
result), 1 when an input could not be read at all, 2 on bad usage or an invalid rule or
query.

Examples:
  cloudtrail-triage examples/sample.ndjson
  zcat 123456789012_CloudTrail_*.json.gz | cloudtrail-triage --rule v4 --only alerts -
  cloudtrail-triage --compare v2 v3 examples/sample.ndjson
  cloudtrail-triage --query 'event.provider: iam.amazonaws.com and source.ip: *' events.ndjson
`;

export const FORMATS = ['table', 'ndjson', 'json', 'summary'];
export const ONLY = ['alerts', 'matches', 'errors'];

/** A usage error: the message is printed with a pointer to --help, and the exit status is 2. */
export class UsageError extends Error {
  constructor(message) {
    super(message);
    this.name = 'UsageError';
  }
}

const FLAGS = {
  '-h': 'help',
  '--help': 'help',
  '-V': 'version',
  '--version': 'version',
  '-e': 'enrich',
  '--enrich': 'enrich',
  '--brief': 'brief',
  '--quiet': 'quiet',
};

const VALUES = {
  '-r': 'rule',
  '--rule': 'rule',
  '--query': 'query',
  '-f': 'format',
  '--format': 'format',
  '--only': 'only',
  '--chunk-lines': 'chunkLines',
  '--max-document-size': 'maxDocumentSize',
};

/**
 * Parses the arguments after `node cli.mjs`.
 *
 * @param {string[]} argv
 */
export function parseArgs(argv) {
  const options = {
    help: false,
    version: false,
    enrich: false,
    brief: false,
    quiet: false,
    rules: [],
    compare: null,
    format: null,
    only: [],
    chunkLines: null,
    maxDocumentSize: null,
    inputs: [],
  };

  let onlyInputs = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyInputs || arg === '-' || !arg.startsWith('-')) {
      options.inputs.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyInputs = true;
      continue;
    }

    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const inline = equals > 0 ? arg.slice(equals + 1) : undefined;

    if (FLAGS[name] !== undefined) {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
      options[FLAGS[name]] = true;
      continue;
    }

    if (name === '--compare') {
      if (options.compare !== null) throw new UsageError('--compare is given twice');
      const values = inline !== undefined ? [inline, argv[i + 1]] : [argv[i + 1], argv[i + 2]];
      if (values.some((value) => value === undefined)) {
        throw new UsageError('--compare needs two rules, as in --compare v3 v5');
      }
      i += inline !== undefined ? 1 : 2;
      options.compare = values;
      continue;
    }

    const key = VALUES[name];
    if (key === undefined) throw new UsageError(`unknown option ${name}`);
    let value = inline;
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
      if (value === undefined) throw new UsageError(`${name} needs a value`);
    }
    setValue(options, key, name, value);
  }

  check(options);
  return options;
}

function setValue(options, key, name, value) {
  switch (key) {
    case 'rule':
      options.rules.push({ kind: 'rule', value });
      break;
    case 'query':
      options.rules.push({ kind: 'query', value });
      break;
    case 'format':
      if (!FORMATS.includes(value)) {
        throw new UsageError(`${name} must be one of ${FORMATS.join(', ')}, not ${quote(value)}`);
      }
      options.format = value;
      break;
    case 'only':
      for (const part of value.split(',')) {
        if (!ONLY.includes(part)) {
          throw new UsageError(`${name} must be one of ${ONLY.join(', ')}, not ${quote(part)}`);
        }
        if (!options.only.includes(part)) options.only.push(part);
      }
      break;
    case 'chunkLines':
      options.chunkLines = positiveInteger(name, value);
      break;
    case 'maxDocumentSize':
      options.maxDocumentSize = size(name, value);
      break;
  }
}

function check(options) {
  if (options.help || options.version) return;
  if (options.compare !== null) {
    if (options.rules.length > 0) {
      throw new UsageError('--compare takes its two rules itself; drop --rule and --query');
    }
    if (options.only.length > 0) throw new UsageError('--only does not apply to --compare');
    if (options.enrich) throw new UsageError('--enrich does not apply to --compare');
    if (options.brief) throw new UsageError('--brief does not apply to --compare');
  }
  if (options.brief && (options.format === 'table' || options.format === 'summary')) {
    throw new UsageError(`--brief applies to --format ndjson and json, not ${options.format}: ` +
      `the ${options.format} format shows the reasons and provenance it leaves out`);
  }
  const stdin = options.inputs.filter((input) => input === '-').length;
  if (stdin > 1) throw new UsageError('standard input (-) can be read only once');
}

function positiveInteger(name, value) {
  if (!/^[0-9]+$/.test(value) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${name} must be a positive integer, not ${quote(value)}`);
  }
  return Number(value);
}

const UNITS = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

function size(name, value) {
  const match = /^([0-9]+)\s*([kmg]?)(?:i?b)?$/i.exec(value);
  const bytes = match ? Number(match[1]) * UNITS[match[2].toLowerCase()] : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) {
    throw new UsageError(`${name} must be a size such as 512M or 1G, not ${quote(value)}`);
  }
  return bytes;
}

function quote(value) {
  return JSON.stringify(value);
}
