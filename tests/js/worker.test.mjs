// Worker mode ({ worker: true }): the same API with the runtime in a worker_thread. The
// outputs are the in-process ones; the main thread's timers keep running during a
// generation; signals abort; the last dispose ends the worker (its memory returns) and
// the process exits promptly.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createSession, Tensor } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { fixture, opts, withHeartbeat } from './helpers.mjs';

const root = new URL('../../', import.meta.url).pathname;
const lmPath = `${root}models/tinylm/onnx/model_q4.onnx`;
// expected_greedy.json (onnxruntime-node): the prompt and its 32 greedy tokens.
const prompt = [1022, 364, 258, 1914, 471, 105, 1169, 555];
const greedy = [44, 282, 330, 341, 405, 258, 385, 487, 272, 285, 258, 385, 487, 272, 285, 258, 385, 487, 272, 285,
  291, 266, 897, 44, 282, 266, 897, 44, 282, 266, 897, 44];

test('a session in the worker: metadata, typed outputs, errors as in-process', async () => {
  const events = [];
  const s = await createSession(fixture('add.onnx'), opts({ worker: true, onProgress: (e) => events.push(e.phase) }));
  try {
    assert.deepEqual(s.inputNames, ['a', 'b']);
    assert.deepEqual(s.outputNames, ['y']);
    assert.ok(events.includes('download') && events.includes('prepare'));
    const a = new Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]);
    const b = new Tensor('float32', Float32Array.from([10, 20, 30, 40, 50, 60]), [2, 3]);
    const { y } = await s.run({ a, b });
    assert.equal(y.type, 'float32');
    assert.ok(y.data instanceof Float32Array);
    assert.deepEqual(Array.from(y.data), [11, 22, 33, 44, 55, 66]);  // worked by hand
    assert.deepEqual(y.dims, [2, 3]);
    assert.deepEqual(Array.from(a.data), [1, 2, 3, 4, 5, 6]);  // the caller's feeds stay usable
    await assert.rejects(s.run({ a }), (e) => e instanceof Error && /'b'/.test(e.message));
    const { y: again } = await s.run({ a, b: a });
    assert.deepEqual(Array.from(again.data), [2, 4, 6, 8, 10, 12]);
  } finally {
    s.dispose();
  }
  await assert.rejects(createSession(fixture('no-such-model.onnx'), opts({ worker: true })), /not found/);
});

test('generate in the worker: greedy tokens as onnxruntime-node, the main thread keeps ticking, abort', async () => {
  const lm = await loadCausalLM(lmPath, opts({ worker: true }));
  try {
    const ids = [];
    const { ticks, maxGap, ms } = await withHeartbeat(async () => {
      for await (const id of lm.generate(prompt, { maxNewTokens: 32 })) ids.push(id);
    });
    assert.deepEqual(ids, greedy);
    assert.equal(lm.lastStats.generatedTokens, 32);
    console.log(`# worker generate: 32 tokens in ${ms.toFixed(0)} ms, main-thread heartbeat ${ticks} ticks, longest gap ${maxGap.toFixed(1)} ms`);
    // The heartbeat ran throughout (at least a tick per 20 ms on this loaded machine).
    assert.ok(ticks >= ms / 20, `${ticks} ticks in ${ms.toFixed(0)} ms`);

    const ac = new AbortController();
    const got = [];
    await assert.rejects(async () => {
      for await (const id of lm.generate(prompt, { maxNewTokens: 200, signal: ac.signal })) {
        got.push(id);
        if (got.length === 3) ac.abort();
      }
    }, (e) => e === ac.signal.reason);
    assert.deepEqual(got, greedy.slice(0, 3));
    const after = [];
    for await (const id of lm.generate(prompt, { maxNewTokens: 4 })) after.push(id);
    assert.deepEqual(after, greedy.slice(0, 4));
  } finally {
    lm.dispose();
  }
});

test('a model folder in the worker: tokenizer here, greedy text as onnxruntime-node, profiling as promises', async () => {
  // expected_greedy.json: onnxruntime-node's greedy continuation of its prompt, 32 tokens.
  const expected = JSON.parse(readFileSync(`${root}models/tinylm/expected_greedy.json`, 'utf8'));
  const lm = await loadCausalLM(`${root}models/tinylm/`, opts({ worker: true }));
  try {
    assert.deepEqual(lm.tokenizer.encode(expected.prompt), expected.prompt_ids);
    await lm.session.startProfiling();
    let text = expected.prompt;
    for await (const piece of lm.generateText(expected.prompt, { maxNewTokens: 32 })) text += piece;
    assert.equal(text, expected.text);
    assert.equal(lm.lastStats.generatedTokens, 32);
    const ops = await lm.session.endProfiling();
    assert.ok(Array.isArray(ops) && ops.length > 0 && ops.every((o) => o.calls > 0), JSON.stringify(ops));
  } finally {
    lm.dispose();
  }
  // A folder whose dtype file is missing names it, as without a worker.
  await assert.rejects(loadCausalLM(`${root}models/tinylm/`, opts({ worker: true, dtype: 'fp16' })),
    /dtype 'fp16' needs onnx\/model_fp16\.onnx/);
});

test('the last dispose ends the worker: its memory returns and the process exits at once', () => {
  const src = `
    import { loadCausalLM } from 'qwasm/llm';
    import { opts } from ${JSON.stringify(new URL('./helpers.mjs', import.meta.url).href)};
    import { readFileSync } from 'node:fs';
    const mb = () => process.memoryUsage().rss / 2 ** 20;
    // The process's OS threads: the worker's go away once it has exited.
    const threads = () => Number(/Threads:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
    const lm = await loadCausalLM(${JSON.stringify(lmPath)}, opts({ worker: true }));
    for await (const id of lm.generate([1022, 364, 258], { maxNewTokens: 16 })) {}
    const loaded = mb(), busy = threads(), t0 = Date.now();
    lm.dispose();
    while (threads() >= busy && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    const exitMs = Date.now() - t0;
    // Its wasm memory is unmapped when the ended worker's isolate is torn down, a little later.
    while (loaded - mb() <= 10 && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    const freedMs = Date.now() - t0;
    console.log(JSON.stringify({ loaded, disposed: mb(), busy, idle: threads(), exitMs, freedMs, end: Date.now() }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { cwd: root, encoding: 'utf8', timeout: 60000 });
  const exited = Date.now();
  assert.equal(r.status, 0, r.stderr);
  const { loaded, disposed, busy, idle, exitMs, freedMs, end } = JSON.parse(r.stdout);
  console.log(`# worker RSS: ${loaded.toFixed(1)} MiB loaded, ${disposed.toFixed(1)} MiB once the worker ended ` +
    `(${(loaded - disposed).toFixed(1)} MiB returned after ${freedMs} ms; threads ${busy} -> ${idle} in ${exitMs} ms); ` +
    `process exit ${exited - end} ms after the last line`);
  assert.ok(idle < busy, `the worker's threads are still there (${busy} -> ${idle})`);
  assert.ok(loaded - disposed > 10, `RSS ${loaded.toFixed(1)} -> ${disposed.toFixed(1)} MiB`);
  assert.ok(exited - end < 1500, `the process exited ${exited - end} ms after its last line`);
});
