// Where the wasm builds come from (options.wasmPaths), what a file that cannot be loaded
// does (an Error naming it, never a hang), and features() loading no second build.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createSession, Tensor } from 'qwasm';
import { fixture, opts } from './helpers.mjs';
import { countingServer } from './support/counting-server.mjs';

const root = new URL('../../', import.meta.url).pathname;
const dist = join(root, 'dist');
const builds = ['relaxed', 'simd128', 'relaxed-threads', 'simd128-threads'];
const mapAll = (suffix, to) => Object.fromEntries(builds.map((b) => [`qwasm-${b}${suffix}`, to(`qwasm-${b}${suffix}`)]));
let server, copy;
before(async () => {
  server = await countingServer(dist);
  copy = mkdtempSync(join(tmpdir(), 'qwasm-dist-'));
  cpSync(dist, copy, { recursive: true });
});
after(async () => {
  await server.close();
  rmSync(copy, { recursive: true, force: true });
});

const withTimeout = (p, ms = 30000) => Promise.race([p,
  new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms (a hang)`)), ms).unref())]);

test('a wasmPaths folder without the files: the glue (or worker) path is named', async () => {
  const missing = join(tmpdir(), 'qwasm-no-such-dir');
  await assert.rejects(withTimeout(createSession(fixture('add.onnx'), opts({ wasmPaths: missing }))),
    (e) => e instanceof Error && e.message.includes(missing) && /glue|worker/.test(e.message));
});

test('a wasm file that is not there: the Error names its path', async () => {
  const wasmPaths = mapAll('.wasm', (f) => join(copy, 'missing', f));
  await assert.rejects(withTimeout(createSession(fixture('add.onnx'), opts({ wasmPaths }))),
    (e) => e instanceof Error && e.message.includes(join(copy, 'missing')) && /wasm file/.test(e.message) &&
      /not found/.test(e.message));
});

test('a wasm URL that answers 404: the Error names the URL and the status', async () => {
  const wasmPaths = mapAll('.wasm', (f) => `${server.url}missing/${f}`);
  await assert.rejects(withTimeout(createSession(fixture('add.onnx'), opts({ wasmPaths }))),
    (e) => e instanceof Error && e.message.includes(`${server.url}missing/qwasm-`) && /HTTP 404/.test(e.message));
});

test('a worker script that is not there (threaded builds): the Error names it', async () => {
  const wasmPaths = mapAll('.worker.cjs', (f) => join(copy, 'missing', f));
  await assert.rejects(withTimeout(createSession(fixture('add.onnx'), opts({ wasmPaths, threads: 2 }))),
    (e) => e instanceof Error && e.message.includes(join(copy, 'missing', 'qwasm-')) && /worker/.test(e.message));
});

test('wasm served over HTTP through wasmPaths loads and runs (after the failures above)', async () => {
  const before = server.requests.length;
  const wasmPaths = mapAll('.wasm', (f) => `${server.url}${f}`);
  const s = await withTimeout(createSession(fixture('add.onnx'), opts({ wasmPaths })));
  const got = server.requests.slice(before);
  assert.equal(got.length, 1, `requests: ${got}`);
  assert.match(got[0], new RegExp(`^/qwasm-${s.variant}(-threads)?\\.wasm$`));
  const a = new Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
  const { y } = await s.run({ a, b: a });
  assert.deepEqual(Array.from(y.data), [2, 4, 6]);
  s.dispose();
});

// In a fresh process: WebAssembly.instantiate* counted from before qwasm loads.
function countInstantiations(body) {
  const src = `
    let n = 0;
    for (const k of ['instantiate', 'instantiateStreaming']) {
      const f = WebAssembly[k];
      WebAssembly[k] = (...a) => { n++; return f.apply(WebAssembly, a); };
    }
    const { createSession, features } = await import('qwasm');
    const { opts } = await import(${JSON.stringify(new URL('./helpers.mjs', import.meta.url).href)});
    const model = ${JSON.stringify(fixture('add.onnx'))};
    ${body}`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', src], { cwd: root, encoding: 'utf8', timeout: 60000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('features() before any session loads the build createSession then uses, and no other', () => {
  const r = countInstantiations(`
    const f = await features(opts());
    const s = await createSession(model, opts());
    console.log(JSON.stringify({ n, f, variant: s.variant, again: await features() }));`);
  assert.equal(r.f.variant, r.variant);
  assert.deepEqual(r.again, r.f);
  assert.equal(r.n, r.f.dot === 'broken' ? 2 : 1);
});

test('features() after a session reports its build without loading one', () => {
  const r = countInstantiations(`
    const s = await createSession(model, opts());
    const n0 = n;
    const f = await features();
    console.log(JSON.stringify({ n0, n, f, variant: s.variant }));`);
  assert.equal(r.f.variant, r.variant);
  assert.equal(r.n, r.n0);
});
