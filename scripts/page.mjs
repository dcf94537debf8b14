#!/usr/bin/env node
// The page's two deliveries:
//
// - `serve`: a static server on 127.0.0.1 for www/, the library modules and wasm it loads from
//   js/, and the sample events. `npm start` and the browser tests use it.
// - `buildSingleFile`: dist/cloudtrail-triage.html, one file holding the page, its modules, the
//   worker, the wasm (base64) and the sample, which works when opened from disk (file://) on
//   a machine without network. A page from file:// may not load modules or start a module
//   worker from files, so the worker is bundled into a classic script started from a Blob, and
//   the wasm-bindgen glue is wrapped so that each call makes a fresh instance of it.
//
//   node scripts/page.mjs serve [--port N]   serve until stopped, printing the URL
//   node scripts/page.mjs build              write dist/cloudtrail-triage.html
//   node scripts/page.mjs screenshot [PATH]  the README's picture of the page with the sample
//                                            (docs/triage-page.png), taken in Chromium

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
export const SINGLE_FILE = join('dist', 'cloudtrail-triage.html');

/** What the server hands out: the page, the library modules and wasm, the sample. */
const SERVED = [/^www\/[\w.-]+$/, /^js\/[\w-]+\.mjs$/, /^js\/pkg\/[\w.-]+\.(js|wasm)$/, /^examples\/sample\.ndjson$/];

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ndjson': 'application/x-ndjson; charset=utf-8',
};

/** The served page's policy: scripts, workers and requests only from the page's own origin. */
const SERVED_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the page on `host` until `close()` is called.
 *
 * @param {{root?: string, host?: string, port?: number}} [options] port 0 (the default unless
 *   the PORT variable says otherwise) takes any free port
 * @returns {Promise<{url: string, close: () => Promise<void>}>} `url` is the page's address
 */
export async function serve({ root = ROOT, host = '127.0.0.1', port = Number(process.env.PORT ?? 0) } = {}) {
  const server = createServer((request, response) => answer(root, request, response));
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  const url = `http://${host}:${address.port}/`;
  const close = () => new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return { url, close, server };
}

function answer(root, request, response) {
  const headers = {
    'Content-Security-Policy': SERVED_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
    response.end('only GET and HEAD are served\n');
    return;
  }

  const path = servedPath(request.url);
  if (path === '') {
    response.writeHead(302, { ...headers, Location: '/www/' });
    response.end();
    return;
  }
  const file = path === null ? null : join(root, path);
  if (file === null || !existsSync(file) || !statSync(file).isFile()) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('not found\n');
    return;
  }

  response.writeHead(200, {
    ...headers,
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': statSync(file).size,
  });
  if (request.method === 'HEAD') response.end();
  else createReadStream(file).pipe(response);
}

/**
 * The repository path a request URL names: '' for the root, null for anything not served
 * (including every path that tries to climb out with `..`).
 */
export function servedPath(url) {
  let path;
  try {
    path = decodeURIComponent(new URL(url, 'http://127.0.0.1').pathname);
  } catch {
    return null;
  }
  if (path === '/') return '';
  if (path === '/www/') return 'www/index.html';
  path = path.slice(1);
  if (path.includes('\0') || path.split('/').some((part) => part === '..' || part === '.')) return null;
  return SERVED.some((pattern) => pattern.test(path)) ? path : null;
}

/** What the single-file page is made of; when none is newer than the page, it is current. */
const SINGLE_FILE_SOURCES = [
  'www',
  'js/core.mjs',
  'js/chunker.mjs',
  'js/json.mjs',
  'js/pkg',
  'examples/sample.ndjson',
  'scripts/page.mjs',
];

/** Whether the single-file page exists and is newer than everything it is made of. */
export function singleFileUpToDate({ root = ROOT, out = join(root, SINGLE_FILE) } = {}) {
  if (!existsSync(out)) return false;
  const built = statSync(out).mtimeMs;
  return SINGLE_FILE_SOURCES.every((source) => newestMtime(join(root, source)) <= built);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/**
 * Writes the single-file page and returns its path and size. Needs the wasm build in js/pkg/
 * and the sample in examples/.
 */
export async function buildSingleFile({ root = ROOT, out = join(root, SINGLE_FILE) } = {}) {
  const esbuild = await import('esbuild');
  const read = (path) => readFileSync(join(root, path), 'utf8');
  for (const needed of ['js/pkg/cloudtrail_triage.js', 'js/pkg/cloudtrail_triage_bg.wasm']) {
    if (!existsSync(join(root, needed))) {
      throw new Error(`${needed} is missing: run \`npm run build\` first`);
    }
  }

  const wasm = readFileSync(join(root, 'js/pkg/cloudtrail_triage_bg.wasm')).toString('base64');
  const glue = await esbuild.transform(read('js/pkg/cloudtrail_triage.js'), {
    format: 'cjs',
    // Only the glue's own loader, which the single file never calls, reads import.meta.url.
    define: { 'import.meta.url': 'undefined' },
    logLevel: 'error',
  });
  const worker = await bundle(esbuild, root, 'www/worker.mjs', 'iife', {
    [join(root, 'js', 'browser.mjs')]: inlineLibrary(root, wasm),
    'single-file:glue': glueFactory(glue.code),
  });
  const app = await bundle(esbuild, root, 'www/app.mjs', 'esm', {
    [join(root, 'www', 'env.mjs')]: inlineEnv(worker, read('examples/sample.ndjson')),
  });

  const script = scriptText(app);
  const style = read('www/style.css');
  const icon = `data:image/svg+xml;base64,${readFileSync(join(root, 'www/favicon.svg')).toString('base64')}`;
  const policy = [
    "default-src 'none'",
    `script-src '${sha256(script)}' 'wasm-unsafe-eval'`,
    'worker-src blob:',
    `style-src '${sha256(style)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');

  let html = read('www/index.html');
  html = replaceOnce(html, /<meta http-equiv="Content-Security-Policy" content="[^"]*">/, `<meta http-equiv="Content-Security-Policy" content="${policy}">`);
  html = replaceOnce(html, /<link rel="icon" href="favicon.svg">/, `<link rel="icon" href="${icon}">`);
  html = replaceOnce(html, /<link rel="stylesheet" href="style.css">/, `<style>${style}</style>`);
  html = replaceOnce(html, /<script type="module" src="app.mjs"><\/script>/, `<script type="module">${script}</script>`);

  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return { path: out, bytes: Buffer.byteLength(html) };
}

/** Bundles an entry module, with some modules replaced by the given source texts. */
async function bundle(esbuild, root, entry, format, replaced) {
  const result = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format,
    platform: 'browser',
    target: 'es2022',
    write: false,
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'error',
    plugins: [
      {
        name: 'single-file',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.path in replaced) return { path: args.path, namespace: 'single-file' };
            if (args.kind === 'entry-point' || !args.path.startsWith('.')) return undefined;
            const path = join(args.resolveDir, args.path);
            return path in replaced ? { path, namespace: 'single-file' } : undefined;
          });
          build.onLoad({ filter: /.*/, namespace: 'single-file' }, (args) => ({
            contents: replaced[args.path],
            resolveDir: join(root, 'www'),
            loader: 'js',
          }));
        },
      },
    ],
  });
  return result.outputFiles[0].text;
}

/**
 * The library's browser API over an inline wasm. It stands in for js/browser.mjs, which loads
 * the wasm and a fresh glue module by URL; a file:// page can do neither.
 */
function inlineLibrary(root, wasmBase64) {
  const core = JSON.stringify(join(root, 'js', 'core.mjs'));
  const json = JSON.stringify(join(root, 'js', 'json.mjs'));
  return `
import { createApi } from ${core};
import { makeGlue } from 'single-file:glue';
export { InputError, RuleError, TrapError } from ${core};
export { parseJson, stringifyJson } from ${json};

const WASM = ${JSON.stringify(wasmBase64)};

function wasmBytes() {
  const text = atob(WASM);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
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
  async compile(source) {
    if (source instanceof WebAssembly.Module) return source;
    return WebAssembly.compile(source ?? wasmBytes());
  },
  compileSync: undefined,
  importGlue: async () => makeGlue(),
  firstGlue: undefined,
  gunzip,
});

export const { init, version, builtinRules, checkQuery, describeRules, Triage, evaluate, evaluateEvent, enrich } = api;
`;
}

/** The glue as a function that evaluates it afresh: one wasm instance per call. */
function glueFactory(cjs) {
  return `export function makeGlue() {
  const module = { exports: {} };
  const exports = module.exports;
  ${cjs}
  return module.exports;
}
`;
}

/** env.mjs for the single file: the worker's bundled code started from a Blob, the sample inline. */
function inlineEnv(workerSource, sample) {
  return `
const WORKER = ${JSON.stringify(workerSource)};
const SAMPLE = ${JSON.stringify(sample)};
let workerUrl = null;

export function startWorker(name) {
  workerUrl ??= URL.createObjectURL(new Blob([WORKER], { type: 'text/javascript' }));
  return new Worker(workerUrl, { name });
}

export async function sampleText() {
  return SAMPLE;
}
`;
}

/**
 * The bundle as the text of an inline script element: "</script" and "<!--" may only occur
 * inside strings there, where an escaped form means the same.
 */
function scriptText(code) {
  return code.replaceAll('</script', '<\\/script').replaceAll('<!--', '<\\!--');
}

function sha256(text) {
  return `sha256-${createHash('sha256').update(text).digest('base64')}`;
}

function replaceOnce(text, pattern, replacement) {
  if (!pattern.test(text)) throw new Error(`www/index.html has no ${pattern.source}; the single-file build needs it`);
  return text.replace(pattern, () => replacement);
}

/**
 * Takes the README's screenshot: the sample loaded, a row whose failing clause shows what the
 * rule's console-session exclusion does, at 1400x900.
 */
export async function screenshot({ root = ROOT, out = join(root, 'docs', 'triage-page.png'), row = 14 } = {}) {
  const { chromium } = await import('playwright-core');
  const { url, close } = await serve({ root, port: 0 });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    await page.click('#sample');
    await page.waitForSelector('body[data-finished]');
    await page.click(`#spacer [data-index="${row}"]`);
    await page.waitForSelector('.details-heading');
    // Whole rows from a little above the selected one, as a person would have scrolled.
    await page.$eval('#viewport', (viewport, top) => {
      viewport.scrollTop = top;
    }, Math.max(0, row - 8) * 26);
    await page.mouse.move(0, 0);
    await page.waitForTimeout(200);
    mkdirSync(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
    await close();
  }
  return out;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'build') {
    const { path, bytes } = await buildSingleFile();
    process.stderr.write(`page: wrote ${relative(process.cwd(), path) || path} (${(bytes / 1024).toFixed(0)} KiB)\n`);
    return;
  }
  if (command === 'serve') {
    const portAt = args.indexOf('--port');
    const port = portAt >= 0 ? Number(args[portAt + 1]) : undefined;
    const { url } = await serve(port === undefined ? {} : { port });
    process.stdout.write(`${url}\n`);
    return;
  }
  if (command === 'screenshot') {
    const out = await screenshot(args[0] === undefined ? {} : { out: args[0] });
    process.stderr.write(`page: wrote ${relative(process.cwd(), out) || out}\n`);
    return;
  }
  process.stderr.write('usage: node scripts/page.mjs serve [--port N] | build | screenshot [PATH]\n');
  process.exit(2);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    process.stderr.write(`page: ${error.message}\n`);
    process.exit(1);
  });
}

