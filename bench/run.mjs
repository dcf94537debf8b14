#!/usr/bin/env node
// The throughput benchmark: one input, every contender, medians of several runs.
//
//   npm run bench                          100,000 events, 5 runs
//   node bench/run.mjs --events 200000 --runs 7
//   node bench/run.mjs --memory            also the CLI's peak memory on 1 GiB, streamed (3 runs)
//
// Generates realistic ECS events (bench/generate.mjs) into a temporary file, then times, on
// that file and in the same run: the CLI with and without --enrich, writing whole results and
// --brief ones (the verdict and each clause's outcome, as the baseline writes); the plain
// JavaScript a user would write (bench/baseline.mjs); bare JSON.parse of every line
// (bench/parse.mjs); and the core alone, built natively (examples/bench_native.rs) and as wasm
// (bench/core.mjs). Every contender is a fresh process writing to /dev/null; throughput is
// input bytes over wall time. Before timing, the CLI's and the baseline's verdicts are counted
// and must agree.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { DEFAULT_LIMITS } from '../js/chunker.mjs';
import { writeEvents } from './generate.mjs';
import { textLines } from './lines.mjs';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const NODE = process.execPath;
const CLI = join(ROOT, 'js', 'cli.mjs');
const WASM = join(ROOT, 'js', 'pkg', 'cloudtrail_triage_bg.wasm');
// The native runner cuts batches where the CLI does.
const CHUNKS = ['--chunk-lines', String(DEFAULT_LIMITS.chunkLines), '--chunk-bytes', String(DEFAULT_LIMITS.chunkBytes)];

const USAGE = `usage: node bench/run.mjs [--events N] [--runs N] [--seed N] [--memory] [--memory-bytes N] [--memory-runs N] [--no-build]

  --events N        events to generate (100000)
  --runs N          runs of every contender; the median is reported (5)
  --seed N          the generator's seed (1)
  --memory          also measure peak memory on a stream of generated events, never on disk
  --memory-bytes N  the size of that stream (1073741824)
  --memory-runs N   runs of that measure; the median is reported (3)
  --no-build        use js/pkg/ and the native runner as they are
`;

const options = parseOptions(process.argv.slice(2));
const work = mkdtempSync(join(tmpdir(), 'cloudtrail-triage-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
process.on('SIGINT', () => process.exit(130));

main();

async function main() {
  if (!options.noBuild) build();
  const native = nativeBinary();

  const input = join(work, 'events.ndjson');
  const generated = await writeEvents(createWriteStream(input), { count: options.events, seed: options.seed });
  const bytes = statSync(input).size;
  log(`input: ${fmt(generated.lines)} events, ${mb(bytes)} MB (${fmt(Math.round(bytes / generated.lines))} bytes per event)`);

  const verdicts = checkVerdicts(input, native);
  log(`verdicts: the CLI, the baseline and the native core agree, whole and brief (the native core byte for byte with the CLI): ${fmt(verdicts.matches)} matches (${percent(verdicts.matches / generated.lines)}), ${fmt(verdicts.alerts)} alerts`);

  const contenders = [
    { name: 'CLI --enrich', command: [NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--enrich', '--quiet', input] },
    { name: 'CLI', command: [NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--quiet', input] },
    { name: 'CLI --enrich --brief', command: [NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--enrich', '--brief', '--quiet', input] },
    { name: 'CLI --brief', command: [NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--brief', '--quiet', input] },
    { name: 'JS baseline', command: [NODE, join(ROOT, 'bench', 'baseline.mjs'), input] },
    { name: 'JSON.parse only', command: [NODE, join(ROOT, 'bench', 'parse.mjs'), input] },
    { name: 'native core --enrich', command: [native, ...CHUNKS, '--enrich', input], core: true },
    { name: 'wasm core --enrich', command: [NODE, join(ROOT, 'bench', 'core.mjs'), '--enrich', input], core: true },
    { name: 'native core', command: [native, ...CHUNKS, input], core: true },
    { name: 'wasm core', command: [NODE, join(ROOT, 'bench', 'core.mjs'), input], core: true },
    { name: 'native core --enrich --brief', command: [native, ...CHUNKS, '--enrich', '--brief', input], core: true },
    { name: 'wasm core --enrich --brief', command: [NODE, join(ROOT, 'bench', 'core.mjs'), '--enrich', '--brief', input], core: true },
  ];
  for (const contender of contenders) contender.samples = [];
  for (let run = 1; run <= options.runs; run++) {
    log(`run ${run} of ${options.runs}`);
    // Interleaved, so that a slow moment of the machine spreads over every contender.
    for (const contender of contenders) contender.samples.push(await time(contender.command));
  }

  const rows = contenders.map((contender) => summarize(contender, bytes, generated.lines));
  const by = Object.fromEntries(rows.map((row) => [row.name, row]));
  const report = [];
  report.push(`cloudtrail-triage benchmark: ${fmt(generated.lines)} events, ${mb(bytes)} MB, ` +
    `${fmt(Math.round(bytes / generated.lines))} bytes per event, ${percent(verdicts.matches / generated.lines)} match v5; ` +
    `median of ${options.runs} runs; Node ${process.version}, ${cpus()}`);
  report.push('');
  report.push(table([
    ['', 'MB/s', 'events/s', 'seconds', 'x JS baseline', 'x JSON.parse'],
    ...rows.map((row) => [
      row.name + (row.core ? ' (in core)' : ''),
      row.mbps.toFixed(1),
      fmt(Math.round(row.eps)),
      row.seconds.toFixed(3),
      (row.mbps / by['JS baseline'].mbps).toFixed(2),
      (row.mbps / by['JSON.parse only'].mbps).toFixed(2),
    ]),
  ]));
  report.push('');
  report.push('(in core): time inside the core\'s calls, reported by the runner; wall seconds of the whole');
  report.push('process otherwise, Node start-up and reading the file included.');

  const wasmRaw = statSync(WASM).size;
  const wasmGzip = gzipSync(readFileSync(WASM), { level: 9 }).length;
  report.push('');
  report.push(`wasm: ${kb(wasmRaw)} KB raw, ${kb(wasmGzip)} KB gzipped (js/pkg/cloudtrail_triage_bg.wasm)`);

  let memory = null;
  if (options.memory) {
    // The peak depends on when the garbage collector runs, so it varies by several MB from
    // one run to the next.
    const samples = [];
    for (let run = 1; run <= options.memoryRuns; run++) {
      samples.push(await peakMemory([CLI, '--rule', 'latest', '--format', 'ndjson', '--enrich', '--quiet', '-']));
    }
    const peaks = samples.map((sample) => sample.rss);
    memory = { ...samples[0], rss: median(peaks), seconds: median(samples.map((sample) => sample.seconds)) };
    report.push(`peak memory of the CLI --enrich on ${mb(memory.bytes)} MB streamed from standard input: ` +
      `${mb(memory.rss)} MB RSS, median of ${samples.length} runs (${mb(Math.min(...peaks))} to ` +
      `${mb(Math.max(...peaks))}; ${fmt(memory.events)} events, ${memory.seconds.toFixed(1)} s)`);
  }

  const ratio = (a, b) => by[a].mbps / by[b].mbps;
  const targets = [
    ['CLI --enrich >= 2x JS baseline', ratio('CLI --enrich', 'JS baseline'), 2, 'x'],
    ['CLI --enrich --brief (the output the baseline writes) >= 2x JS baseline', ratio('CLI --enrich --brief', 'JS baseline'), 2, 'x'],
    ['wasm core >= 0.75x native core (--enrich)', ratio('wasm core --enrich', 'native core --enrich'), 0.75, 'x'],
    ['wasm core >= 0.75x native core', ratio('wasm core', 'native core'), 0.75, 'x'],
    ['wasm core >= 0.75x native core (--enrich --brief)', ratio('wasm core --enrich --brief', 'native core --enrich --brief'), 0.75, 'x'],
    ['CLI without --enrich faster than JSON.parse', ratio('CLI', 'JSON.parse only'), 1, 'x (must be > 1)'],
    ['CLI --brief without --enrich faster than JSON.parse', ratio('CLI --brief', 'JSON.parse only'), 1, 'x (must be > 1)'],
    ['wasm < 300 KB raw', wasmRaw / 1024, 300, ' KB', true],
    ['wasm < 120 KB gzipped', wasmGzip / 1024, 120, ' KB', true],
  ];
  // The memory target is for 1 GB; a smaller stream says nothing of it.
  if (memory !== null && memory.bytes >= 1e9) {
    targets.push(['peak memory < 100 MB for 1 GB', memory.rss / 1e6, 100, ' MB', true]);
  }
  report.push('');
  report.push('targets:');
  for (const [name, value, goal, unit, below] of targets) {
    const met = below ? value < goal : unit.includes('> 1') ? value > goal : value >= goal;
    report.push(`  ${met ? 'met    ' : 'NOT MET'}  ${name}: ${value.toFixed(2)}${unit}`);
  }
  process.stdout.write(report.join('\n') + '\n');
}

function parseOptions(args) {
  const options = { events: 100_000, runs: 5, seed: 1, memory: false, memoryBytes: 1 << 30, memoryRuns: 3, noBuild: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = Number(args[++i]);
      if (!Number.isSafeInteger(next) || next < 1) usage(`${arg} needs a positive integer`);
      return next;
    };
    if (arg === '--events') options.events = value();
    else if (arg === '--runs') options.runs = value();
    else if (arg === '--seed') options.seed = value();
    else if (arg === '--memory') options.memory = true;
    else if (arg === '--memory-bytes') options.memoryBytes = value();
    else if (arg === '--memory-runs') options.memoryRuns = value();
    else if (arg === '--no-build') options.noBuild = true;
    else if (arg === '--help') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else usage(`unknown option ${arg}`);
  }
  return options;
}


function usage(message) {
  process.stderr.write(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

/** The wasm build (when stale) and the native runner, both release builds. */
function build() {
  must(NODE, [join(ROOT, 'scripts', 'build.mjs')]);
  must('cargo', ['build', '--quiet', '--release', '--example', 'bench_native']);
}

function nativeBinary() {
  const metadata = JSON.parse(
    spawnSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: ROOT, encoding: 'utf8' }).stdout,
  );
  return join(metadata.target_directory, 'release', 'examples', 'bench_native');
}

function must(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`bench: ${command} ${args.join(' ')} failed\n`);
    process.exit(1);
  }
}

/**
 * Runs the CLI, the baseline and the native core once, writing to files, and counts their
 * verdicts: all must find the same matches and alerts, or the baseline would not be doing the
 * same work; and the CLI and the native core must write the very same bytes.
 */
function checkVerdicts(input, native) {
  const count = (command, name) => {
    const path = join(work, `${name}.ndjson`);
    const fd = openSync(path, 'w');
    const result = spawnSync(command[0], command.slice(1), { cwd: ROOT, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    if (result.status !== 0) {
      process.stderr.write(`bench: ${name} failed:\n${result.stderr}`);
      process.exit(1);
    }
    const counts = { events: 0, matches: 0, alerts: 0 };
    const hash = createHash('sha256');
    const verdict = /^\{"index":\d+,"rule":"v5","match":(true|false),"alert":(true|false)/;
    for (const line of textLines(path)) {
      hash.update(line);
      const found = verdict.exec(line);
      if (found === null) continue;
      counts.events += 1;
      if (found[1] === 'true') counts.matches += 1;
      if (found[2] === 'true') counts.alerts += 1;
    }
    rmSync(path);
    return { counts, sha256: hash.digest('hex') };
  };
  const cli = count([NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--enrich', '--quiet', input], 'cli');
  const brief = count([NODE, CLI, '--rule', 'latest', '--format', 'ndjson', '--enrich', '--brief', '--quiet', input], 'brief');
  // Each run, with the run whose bytes it must write (none for the baseline).
  const runs = [
    ['baseline', count([NODE, join(ROOT, 'bench', 'baseline.mjs'), input], 'baseline'), null],
    ['native core', count([native, ...CHUNKS, '--enrich', input], 'native'), cli],
    ['CLI --brief', brief, null],
    ['native core --brief', count([native, ...CHUNKS, '--enrich', '--brief', input], 'native-brief'), brief],
  ];
  for (const [name, run, same] of runs) {
    if (JSON.stringify(run.counts) !== JSON.stringify(cli.counts)) {
      process.stderr.write(`bench: the CLI and the ${name} disagree: ${JSON.stringify(cli.counts)} vs ${JSON.stringify(run.counts)}\n`);
      process.exit(1);
    }
    if (same !== null && run.sha256 !== same.sha256) {
      process.stderr.write(`bench: the ${name} writes other results than the CLI\n`);
      process.exit(1);
    }
  }
  return cli.counts;
}

/** Wall seconds of one process writing to /dev/null, and what it reported on stderr. */
function time(command) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0], command.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data) => (stderr += data));
    child.on('error', reject);
    child.on('close', (status) => {
      const seconds = (performance.now() - started) / 1000;
      if (status !== 0) {
        reject(new Error(`${command.join(' ')} failed with status ${status}:\n${stderr}`));
        return;
      }
      const report = stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).at(-1);
      resolve({ seconds, core: report?.core_seconds });
    });
  });
}

function summarize(contender, bytes, events) {
  const seconds = median(contender.samples.map((sample) => (contender.core ? sample.core : sample.seconds)));
  return { name: contender.name, core: contender.core === true, seconds, mbps: bytes / 1e6 / seconds, eps: events / seconds };
}

/**
 * Streams `memoryBytes` of generated events into the CLI's standard input, never to disk; the
 * CLI reports its peak resident memory as it exits (bench/peak.mjs).
 */
function peakMemory(command) {
  log(`memory: streaming ${mb(options.memoryBytes)} MB through ${command[0]} with --enrich`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const peak = new URL('./peak.mjs', import.meta.url).href;
    const cli = spawn(NODE, ['--import', peak, ...command], {
      cwd: ROOT,
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    cli.stderr.on('data', (data) => (stderr += data));
    cli.on('error', reject);
    cli.stdin.on('error', () => {});
    let generated = null;
    writeEvents(cli.stdin, { bytes: options.memoryBytes, seed: options.seed + 1 }).then((done) => {
      generated = done;
      cli.stdin.end();
    }, reject);
    cli.on('close', (status) => {
      if (status !== 0) {
        reject(new Error(`the CLI failed with status ${status}:\n${stderr}`));
        return;
      }
      const report = stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line)).at(-1);
      resolve({
        bytes: generated?.bytes ?? 0,
        events: generated?.lines ?? 0,
        rss: report.max_rss_bytes,
        seconds: (performance.now() - started) / 1000,
      });
    });
  });
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows
    .map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  '))
    .join('\n');
}

function cpus() {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(info)?.[1] ?? 'unknown CPU';
  const count = (info.match(/^processor\s*:/gm) ?? []).length;
  return `${count} x ${model.trim()}`;
}

const fmt = (n) => n.toLocaleString('en-US');
const mb = (n) => (n / 1e6).toFixed(1);
const kb = (n) => (n / 1024).toFixed(1);
const percent = (x) => `${(100 * x).toFixed(1)}%`;

function log(message) {
  process.stderr.write(`bench: ${message}\n`);
}
