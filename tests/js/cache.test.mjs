// The model cache (options.cache): a model and its external data downloaded once are
// loaded from the cache folder next time without a request to the server; progress
// says so; clearCache empties it; the outputs are the same as from the file itself.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clearCache, createSession, Tensor } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { opts } from './helpers.mjs';
import { countingServer } from './support/counting-server.mjs';

const modelDir = new URL('../../models/tinylm/onnx/', import.meta.url).pathname;
let server, cacheDir;
before(async () => {
  server = await countingServer(modelDir.replace(/\/$/, ''));
  cacheDir = mkdtempSync(join(tmpdir(), 'qwasm-cache-'));
});
after(async () => {
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

// The LM's prefill logits for a fixed prompt (an empty KV cache).
async function logitsOf(session) {
  const ids = [1022n, 364n, 258n];
  const feeds = {
    input_ids: new Tensor('int64', ids, [1, 3]),
    attention_mask: new Tensor('int64', [1n, 1n, 1n], [1, 3]),
    position_ids: new Tensor('int64', [0n, 1n, 2n], [1, 3]),
  };
  for (const n of session.inputNames.filter((n) => n.startsWith('past_key_values.'))) {
    feeds[n] = new Tensor('float32', new Float32Array(0), [1, 4, 0, 48]);
  }
  const { logits } = await session.run(feeds, { outputs: ['logits'] });
  return logits.data;
}

async function load(options = {}) {
  const events = [];
  const before = server.requests.length;
  const s = await createSession(`${server.url}model_q4.onnx`, opts({
    cache: true, cacheDir, onProgress: (e) => events.push(e), ...options,
  }));
  const requests = server.requests.slice(before);
  try {
    return { requests, events, logits: await logitsOf(s) };
  } finally {
    s.dispose();
  }
}

const bytesEvents = (events) => events.filter((e) => e.phase === 'download' || e.phase === 'weights');

test('the second load comes from the cache folder: no request, fromCache progress, the same outputs', async () => {
  const first = await load();
  assert.deepEqual(first.requests, ['/model_q4.onnx', '/model_q4.onnx_data']);
  assert.ok(bytesEvents(first.events).length > 0);
  assert.ok(bytesEvents(first.events).every((e) => e.fromCache === false));
  // <sha256>.bin + .json per file.
  assert.equal(readdirSync(cacheDir).filter((f) => f.endsWith('.bin')).length, 2);

  const second = await load();
  assert.deepEqual(second.requests, []);
  assert.ok(bytesEvents(second.events).every((e) => e.fromCache === true));
  const last = bytesEvents(second.events).filter((e) => e.phase === 'weights').at(-1);
  assert.equal(last.loaded, readFileSync(join(modelDir, 'model_q4.onnx_data')).length);

  const direct = await createSession(join(modelDir, 'model_q4.onnx'), opts());
  try {
    const expected = await logitsOf(direct);
    assert.deepEqual(first.logits, expected);
    assert.deepEqual(second.logits, expected);
  } finally {
    direct.dispose();
  }
});

test('an entry whose stored size is wrong is fetched again', async () => {
  await load();
  const meta = readdirSync(cacheDir).filter((f) => f.endsWith('.json'))
    .map((f) => [f, JSON.parse(readFileSync(join(cacheDir, f), 'utf8'))]);
  const [jsonName, entry] = meta.find(([, m]) => m.url.endsWith('_data'));
  assert.match(entry.etag, /^"\d+-\d+"$/);  // the server's ETag is kept with the entry
  // Cut the stored bytes short: the entry no longer matches its recorded size.
  const bin = join(cacheDir, jsonName.replace(/\.json$/, '.bin'));
  const { truncateSync } = await import('node:fs');
  truncateSync(bin, 1000);
  const again = await load();
  assert.deepEqual(again.requests, ['/model_q4.onnx_data']);
  assert.deepEqual((await load()).requests, []);
});

test('clearCache empties the folder; the next load downloads again', async () => {
  await load();
  await clearCache({ cacheDir });
  assert.equal(existsSync(cacheDir), false);
  assert.deepEqual((await load()).requests, ['/model_q4.onnx', '/model_q4.onnx_data']);
});

test('loadCausalLM takes the same cache options', async () => {
  await clearCache({ cacheDir });
  const before = server.requests.length;
  for (let i = 0; i < 2; i++) {
    const lm = await loadCausalLM(`${server.url}model_q4.onnx`, opts({ cache: true, cacheDir }));
    const ids = [];
    for await (const id of lm.generate([1022, 364, 258, 1914, 471, 105, 1169, 555], { maxNewTokens: 4 })) ids.push(id);
    assert.deepEqual(ids, [44, 282, 330, 341]);  // expected_greedy.json (onnxruntime-node)
    lm.dispose();
  }
  assert.equal(server.requests.length - before, 2);
});

test('a download cut short fails and leaves no cache entry', async () => {
  await clearCache({ cacheDir });
  await assert.rejects(createSession(`${server.url}truncated/model_q4.onnx`, opts({ cache: true, cacheDir })),
    /model|terminated|truncated/);
  assert.deepEqual(existsSync(cacheDir) ? readdirSync(cacheDir) : [], []);
});
