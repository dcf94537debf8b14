#!/usr/bin/env node
// Rewrites the golden outputs in tests/js/golden/ from the current CLI. Run it (`npm run
// golden`) only after a change meant to alter the output, and review the diff it leaves.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { GOLDEN_CASES } from '../tests/js/golden-cases.mjs';
import { GOLDEN, runCli } from '../tests/js/helpers.mjs';

for (const { name, args } of GOLDEN_CASES) {
  const { status, stdout, stderr } = await runCli(['--quiet', ...args]);
  if (status !== 0) {
    process.stderr.write(`golden: ${name}: the CLI exited with ${status}\n${stderr}`);
    process.exit(1);
  }
  writeFileSync(join(GOLDEN, name), stdout);
  process.stderr.write(`golden: wrote tests/js/golden/${name}\n`);
}
