// Every output format against its golden file, byte for byte.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { GOLDEN_CASES } from './golden-cases.mjs';
import { GOLDEN, read, runCli } from './helpers.mjs';

for (const { name, args } of GOLDEN_CASES) {
  test(`golden output ${name}`, async () => {
    const { status, stdout, stderr } = await runCli(['--quiet', ...args]);
    assert.equal(status, 0, stderr);
    assert.equal(stderr, '');
    const expected = read(join(GOLDEN, name));
    assert.equal(stdout, expected, `output differs from tests/js/golden/${name}; if the change is meant, run npm run golden`);
  });
}
