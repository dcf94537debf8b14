// Shared helpers for the JS suites: running the CLI, fixture paths, and records made to order.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
export const CLI = join(ROOT, 'js', 'cli.mjs');
export const FIXTURES = join(ROOT, 'tests', 'js', 'fixtures');
export const GOLDEN = join(ROOT, 'tests', 'js', 'golden');
export const EVENTS = join(FIXTURES, 'events.ndjson');
export const SAMPLE = join(ROOT, 'examples', 'sample.ndjson');
export const HAS_SAMPLE = existsSync(SAMPLE);

/**
 * Runs the CLI and collects what it writes.
 *
 * @param {string[]} args
 * @param {object} [options]
 * @param {string | Buffer | Array<string | Buffer>} [options.input] written to standard input
 *   (an array is written piece by piece, waiting for each write to drain)
 * @param {boolean} [options.keepStdinOpen] never close standard input
 * @param {Record<string, string>} [options.env]
 * @param {string[]} [options.nodeArgs] flags for node itself
 * @param {boolean} [options.slowReader] read standard output slowly, so that writes wait
 * @returns {Promise<{status: number | null, signal: string | null, stdout: string, stderr: string}>}
 */
export function runCli(args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', COLUMNS: '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout = [];
    const stderr = [];
    child.stdout.on('data', (chunk) => {
      stdout.push(chunk);
      if (options.slowReader) {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 2);
      }
    });
    child.stderr.on('data', (chunk) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (status, signal) =>
      resolve({
        status,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
    child.stdin.on('error', () => {});

    feed(child.stdin, options).catch(reject);
  });
}

async function feed(stdin, options) {
  if (options.keepStdinOpen) return;
  const pieces = Array.isArray(options.input) ? options.input : [options.input ?? ''];
  for (const piece of pieces) {
    if (!stdin.write(piece)) await new Promise((resolve) => stdin.once('drain', resolve));
    if (Array.isArray(options.input)) await new Promise((resolve) => setImmediate(resolve));
  }
  stdin.end();
}

/** The lines of NDJSON output, parsed (for reading fields only: JSON.parse rounds big numbers). */
export function parseLines(text) {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));
}

export function read(path) {
  return readFileSync(path, 'utf8');
}

/** Cuts `bytes` into pieces of pseudo-random sizes from 1 to `max` bytes, the same every run. */
export function oddPieces(bytes, max, seed = 7) {
  const pieces = [];
  let state = seed;
  for (let at = 0; at < bytes.length; ) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const size = 1 + (state % max);
    pieces.push(bytes.subarray(at, at + size));
    at += size;
  }
  return pieces;
}

/**
 * A raw CloudTrail record of an IAM call with temporary credentials from an IP address, which
 * every built-in version alerts on the first time; `changes` edits it.
 */
export function record(user, eventTime, changes = {}) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: `AIDA${user.toUpperCase().padEnd(17, 'X')}`,
      arn: `arn:aws:iam::111122223333:user/${user}`,
      accountId: '111122223333',
      accessKeyId: 'ASIAY34FZKBOKMUTVV7A',
      userName: user,
    },
    eventTime,
    eventSource: 'iam.amazonaws.com',
    eventName: 'CreateAccessKey',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1',
    requestParameters: { userName: user },
    responseElements: null,
    requestID: '0c1f3a7e-0000-4d5e-9f00-8a7b6c5d4e3f',
    eventID: '5e1d2c3b-0000-4a49-8e7f-0a1b2c3d4e5f',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
    eventCategory: 'Management',
    ...changes,
  };
}

/** `n` one-line records, `users` distinct users, one minute apart, in time order. */
export function records(n, users = 5) {
  const lines = [];
  const start = Date.parse('2025-11-01T00:00:00Z');
  for (let i = 0; i < n; i++) {
    const time = new Date(start + i * 60_000).toISOString().replace('.000Z', 'Z');
    lines.push(JSON.stringify(record(`user${i % users}`, time)));
  }
  return lines.join('\n') + '\n';
}

/**
 * One-line records in time order (one a minute, `users` users taking turns), `totalBytes` of
 * them cut into buffers of about `size` bytes: input for long runs, made as fast as it is read.
 */
export function* recordBuffers(totalBytes, { users = 200, size = 1 << 16 } = {}) {
  // Every other token is a placeholder for the user or the time.
  const tokens = JSON.stringify(record('USER', 'TIME')).split(/(USER|TIME)/);
  const start = Date.parse('2025-01-01T00:00:00Z');
  let written = 0;
  for (let n = 0; written < totalBytes; ) {
    let text = '';
    while (text.length < size) {
      const user = `user${n % users}`;
      const time = new Date(start + n * 60_000).toISOString();
      text += tokens.map((token, i) => (i % 2 === 0 ? token : token === 'USER' ? user : time)).join('') + '\n';
      n += 1;
    }
    const buffer = Buffer.from(text);
    written += buffer.length;
    yield buffer;
  }
}
