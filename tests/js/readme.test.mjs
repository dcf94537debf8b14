// The README's examples run: each `$ cloudtrail-triage …` block is the CLI's output on the
// bundled sample (up to a `…` line where the README cuts it short), and the ingest script
// prints what the README says it prints.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

import { ROOT, SAMPLE, read, runCli } from './helpers.mjs';

const README = read(join(ROOT, 'README.md'));

test('every CLI example in the README shows what the CLI writes', async () => {
  const examples = [...README.matchAll(/```\n\$ cloudtrail-triage ([^\n]*)\n([\s\S]*?)```/g)];
  assert.ok(examples.length >= 2, 'the README shows the table and --compare');

  for (const [, command, shown] of examples) {
    const [args, head] = command.split(' | head -n ');
    const { status, stdout } = await runCli(args.split(' '));
    assert.equal(status, 0, command);
    const lines = stdout.split('\n');
    const expected = head === undefined ? lines : lines.slice(0, Number(head));
    const cut = shown.split('\n').indexOf('  …');
    if (cut < 0) {
      assert.equal(shown, expected.join('\n') + (head === undefined ? '' : '\n'), command);
    } else {
      assert.deepEqual(shown.split('\n').slice(0, cut), expected.slice(0, cut), command);
    }
  }
});

test('the README\'s ingest script runs against the package and prints what it says', () => {
  const [, script, printed] = /```js\n(import [\s\S]*?from 'cloudtrail-triage';[\s\S]*?)```[\s\S]*?```\n([\s\S]*?)```/.exec(README);

  // A project with the package installed from this checkout, as `npm install PATH` does.
  const project = mkdtempSync(join(tmpdir(), 'cloudtrail-triage-ingest-'));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'cloudtrail-triage'), 'dir');
  writeFileSync(join(project, 'package.json'), '{"type": "module", "private": true}\n');
  writeFileSync(join(project, 'ingest.mjs'), script);
  writeFileSync(join(project, 'cloudtrail.json.gz'), gzipSync(read(SAMPLE)));

  const result = spawnSync(process.execPath, ['ingest.mjs'], { cwd: project, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stdout, printed);
});
