// The TypeScript declarations: they compile against code written as users write it, name
// every runtime export, and hold no `any`.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';

import { ROOT } from './helpers.mjs';

const DECLARATIONS = ['js/types.d.ts', 'js/index.d.ts', 'js/browser.d.ts'];

test('the declarations compile against typical use, in Node and in the browser', () => {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  // Node resolves the package to index.d.ts, a bundler for the browser to browser.d.ts.
  for (const config of ['tsconfig.json', 'tsconfig.browser.json']) {
    const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tests/js/types', config)], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `${config}:\n${result.stdout}${result.stderr}`);
  }
});

test('the declarations hold no any', () => {
  for (const file of DECLARATIONS) {
    const code = readFileSync(join(ROOT, file), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '');
    assert.doesNotMatch(code, /\bany\b/, file);
  }
});

test('every runtime export is declared, in both entry points', async () => {
  const declared = new Set();
  for (const file of DECLARATIONS) {
    const code = readFileSync(join(ROOT, file), 'utf8');
    for (const match of code.matchAll(/export declare (?:function|class|const) (\w+)/g)) declared.add(match[1]);
  }
  for (const entry of ['js/index.mjs', 'js/browser.mjs']) {
    const exported = Object.keys(await import(join(ROOT, entry)));
    for (const name of exported) assert.ok(declared.has(name), `${entry} exports ${name}, which no declaration names`);
  }
});
