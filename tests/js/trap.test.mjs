// Recovery from a wasm trap, on a stand-in for the wasm core so that a trap can be caused at
// will: the events of the batch it hit become error results, the instance is replaced, the
// new-terms state from before the batch is restored, and the run goes on.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createApi } from '../../js/core.mjs';

/**
 * A glue module whose engine gives each non-blank line a result (a no match), counts the
 * events it has seen as its "state", and traps on a line holding TRAP. Every instance it makes
 * is recorded.
 */
function fakePlatform({ statePadding = 0 } = {}) {
  const instances = [];
  const counts = { state: 0 };
  function glue() {
    let broken = false;
    class Engine {
      constructor(config) {
        this.config = config;
        this.seen = 0;
        instances.push(this);
      }
      runNdjson(bytes, firstIndex, firstLine) {
        if (broken) throw new Error('recursive use of an object detected');
        const lines = new TextDecoder().decode(bytes).split('\n');
        const results = [];
        for (const [i, line] of lines.entries()) {
          if (line.trim() === '') continue;
          if (line.includes('TRAP')) {
            broken = true;
            throw new WebAssembly.RuntimeError('unreachable');
          }
          this.seen += 1;
          results.push({ index: firstIndex + results.length, rule: 'v5', line: firstLine + 1 + i, seen: this.seen });
        }
        this.codes = new Uint8Array(results.length).fill(3);
        return new TextEncoder().encode(results.map((result) => JSON.stringify(result) + '\n').join(''));
      }
      verdicts() {
        return this.codes;
      }
      state() {
        counts.state += 1;
        return JSON.stringify({ seen: this.seen, padding: ' '.repeat(statePadding) });
      }
      setState(json) {
        this.seen = JSON.parse(json).seen;
      }
      rules() {
        return [{ name: 'v5' }];
      }
      free() {}
    }
    return { initSync() {}, Engine, version: () => 'fake', builtinRules: () => [], checkQuery: () => null };
  }
  const platform = {
    compile: async () => ({}),
    compileSync: () => ({}),
    importGlue: async () => glue(),
    firstGlue: glue(),
    gunzip: (source) => source,
  };
  return { platform, instances, stateCalls: () => counts.state };
}

async function collect(triage, text, chunkLines) {
  const out = [];
  const source = [new TextEncoder().encode(text)];
  for await (const batch of triage.stream(source, { limits: { chunkLines } })) out.push(...batch.results);
  return out;
}

test('a trap turns its batch into error results and the run goes on with the state restored', async () => {
  const { platform, instances } = fakePlatform();
  const api = createApi(platform);
  const triage = await api.Triage.create({ rules: ['v5'] });

  const text = ['{"a":1}', '{"a":2}', '{"a":3}', '{"TRAP":4}', '{"a":5}', '{"a":6}', '{"a":7}'].join('\n');
  const results = await collect(triage, text, 3);

  assert.deepEqual(results.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6]);
  assert.deepEqual(results.slice(0, 3).map((r) => r.seen), [1, 2, 3]);
  for (const result of results.slice(3, 6)) {
    assert.equal(result.verdict, 'error');
    assert.equal(result.match, false);
    assert.equal(result.alert, false);
    assert.match(result.error, /^event \d+: the wasm core stopped on a trap \(unreachable\) while evaluating lines 4-6/);
    assert.deepEqual(result.reasons, [`error: ${result.error}`]);
  }
  // The fresh engine starts from the state before the trapped batch: three events seen.
  assert.equal(results[6].seen, 4);
  assert.equal(results[6].line, 7);
  assert.equal(instances.length, 2);
});

test('with brief results the errors of a trapped batch are brief too', async () => {
  const { platform } = fakePlatform();
  const triage = await createApi(platform).Triage.create({ rules: ['v5'], brief: true });
  const results = await collect(triage, ['{"a":1}', '{"TRAP":2}', '{"a":3}'].join('\n'), 1);
  assert.deepEqual(results.map((r) => r.index), [0, 1, 2]);
  assert.deepEqual(Object.keys(results[1]), ['index', 'rule', 'match', 'alert', 'verdict', 'clauses', 'caveats', 'error']);
  assert.match(results[1].error, /^event 1: the wasm core stopped on a trap/);
});

test('after many batches the state comes from a checkpoint plus the batches since it', async () => {
  const { platform, stateCalls } = fakePlatform();
  const api = createApi(platform);
  const triage = await api.Triage.create({ rules: ['v5'] });

  // One event per batch: a checkpoint is taken after 256 batches, so the trap at event 300
  // is recovered from it and the 44 batches since.
  const lines = Array.from({ length: 320 }, (_, i) => (i === 300 ? '{"TRAP":1}' : `{"a":${i}}`));
  const results = await collect(triage, lines.join('\n'), 1);

  assert.equal(results.length, 320);
  assert.equal(results[300].verdict, 'error');
  assert.match(results[300].error, /lines 301-301/);
  // 300 events before the trap, then the 19 after it.
  assert.deepEqual(results.slice(301).map((r) => r.seen), Array.from({ length: 19 }, (_, i) => 301 + i));
  assert.equal(stateCalls(), 1, 'one checkpoint, replayed from');
});

test('checkpoints are spaced by the size of the state they take', async () => {
  // 400 lines of 64 KiB, one batch each. While the state is small a checkpoint comes after
  // 2 MiB of input (32 batches): 12 in all. A state of 4 MiB moves the budget to twice its
  // length (128 batches): the first checkpoint at batch 33, then at 161 and 289.
  const line = (i) => `{"a":${i},"pad":"${'x'.repeat(64 * 1024 - 20)}"}`;
  const text = Array.from({ length: 400 }, (_, i) => line(i)).join('\n');
  const checkpoints = async (statePadding) => {
    const { platform, stateCalls } = fakePlatform({ statePadding });
    const triage = await createApi(platform).Triage.create({ rules: ['v5'] });
    assert.equal((await collect(triage, text, 1)).length, 400);
    assert.equal(triage.checkpoints, stateCalls(), 'the triage counts the checkpoints it took');
    return stateCalls();
  };
  assert.equal(await checkpoints(0), 12);
  assert.equal(await checkpoints(4 * 1024 * 1024), 3);
});

test('a trap in a synchronous call says how to recover, and recover() restores the state', async () => {
  const { platform } = fakePlatform();
  const api = createApi(platform);
  const triage = new api.Triage({ rules: ['v5'] });

  assert.deepEqual(triage.evaluate('{"a":1}\n{"a":2}').map((r) => r.seen), [1, 2]);
  assert.throws(() => triage.evaluate('{"a":3}\n{"TRAP":1}'), { name: 'TrapError' });
  assert.throws(() => triage.evaluate('{"a":4}'), /call recover\(\) first/);

  await triage.recover();
  assert.deepEqual(triage.evaluate('{"a":5}').map((r) => [r.index, r.seen]), [[2, 3]]);
});
