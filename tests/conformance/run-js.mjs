// Runs the ONNX backend node tests through qwasm's public JS API (wasm build).
// Usage: node run-js.mjs [--simd auto|relaxed|simd128] [--threads N] [--filter REGEX] [--expect DIR] [--quiet]
// (--threads: default = the package default, i.e. the threaded build where threads work)
// Prints PASS/FAIL per test and "P/T passed"; fails when an expected test fails
// or when zero tests ran. Tests whose tensors use a type the JS API lacks
// (string, bfloat16, float8, int4) or whose graph inputs / outputs are sequences or
// optionals (the JS API has tensors only; the native runner covers those) are skipped
// and reported separately (SKIP lines name the tensor and its type).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createSession } from 'qwasm';
import { decodeTensorProto, nonTensorGraphValues, UnsupportedType } from './tensor-proto.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const root = opt('--dir', '/usr/share/libonnx-testdata/data/node');
const filter = new RegExp(opt('--filter', '.*'));
const simd = opt('--simd', 'auto');
const threadsOpt = opt('--threads', undefined);
const threads = threadsOpt === undefined ? undefined : Number(threadsOpt);
const expectDir = opt('--expect', null);
const quiet = args.includes('--quiet');

const expected = new Set();
if (expectDir) {
  for (const f of readdirSync(expectDir).filter((f) => f.endsWith('.txt'))) {
    for (const line of readFileSync(join(expectDir, f), 'utf8').split('\n')) {
      const t = line.trim();
      if (t && !t.startsWith('#')) expected.add(t);
    }
  }
}

const isFloat = (t) => t === 'float32' || t === 'float64' || t === 'float16';
function f16(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function compare(got, want, name) {
  if (!got) return `${name}: missing output`;
  if (got.type !== want.type) return `${name}: type ${got.type} != expected ${want.type}`;
  if (got.dims.join(',') !== want.dims.join(',')) return `${name}: dims [${got.dims}] != expected [${want.dims}]`;
  for (let i = 0; i < want.size; i++) {
    let g = got.data[i], e = want.data[i];
    if (!isFloat(want.type)) {
      if (g !== e) return `${name}: element ${i} = ${g}, expected ${e}`;
      continue;
    }
    if (want.type === 'float16') { g = f16(g); e = f16(e); }
    if (Number.isNaN(e) || Number.isNaN(g)) {
      if (Number.isNaN(e) !== Number.isNaN(g)) return `${name}: NaN mismatch at element ${i}`;
      continue;
    }
    if (!Number.isFinite(e) || !Number.isFinite(g)) {
      if (g !== e) return `${name}: element ${i} = ${g}, expected ${e}`;
      continue;
    }
    if (Math.abs(g - e) > 1e-7 + 1e-3 * Math.abs(e)) return `${name}: element ${i} = ${g}, expected ${e}`;
  }
  return '';
}

async function runTest(dir) {
  const nonTensor = nonTensorGraphValues(readFileSync(join(dir, 'model.onnx')));
  if (nonTensor.length) throw new UnsupportedType(`graph values outside the JS API: ${nonTensor.join(', ')}`);
  const session = await createSession(join(dir, 'model.onnx'), { simd, threads });
  try {
    const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
    if (!sets.length) return 'no test_data_set';
    for (const set of sets) {
      const sd = join(dir, set);
      const feeds = {};
      for (let i = 0; existsSync(join(sd, `input_${i}.pb`)); i++) {
        const { name, tensor } = decodeTensorProto(readFileSync(join(sd, `input_${i}.pb`)));
        feeds[name || session.inputNames[i]] = tensor;
      }
      const want = [];
      for (let i = 0; existsSync(join(sd, `output_${i}.pb`)); i++) {
        const { name, tensor } = decodeTensorProto(readFileSync(join(sd, `output_${i}.pb`)));
        want.push([name || session.outputNames[i], tensor]);
      }
      const got = await session.run(feeds, { outputs: want.map(([n]) => n) });
      for (const [n, t] of want) {
        const why = compare(got[n], t, n);
        if (why) return `${set}: ${why}`;
      }
    }
    return '';
  } finally {
    session.dispose();
  }
}

let total = 0, passed = 0, skipped = 0;
const regressions = [], newly = [];
for (const t of readdirSync(root).filter((d) => d.startsWith('test_')).sort()) {
  if (!filter.test(t)) continue;
  let why;
  try {
    why = await runTest(join(root, t));
  } catch (e) {
    // A test tensor (UnsupportedType) or a model input/output (createSession's refusal:
    // ONNX 1.12 stores bfloat16 test data as uint16, so only the model shows the type)
    // of a type the JS API cannot hold.
    if (e instanceof UnsupportedType || /is not supported by the JS API/.test(e.message)) {
      skipped++;
      if (!quiet) console.log(`SKIP ${t}: ${e.message}`);
      continue;
    }
    why = e.message || String(e);
  }
  total++;
  const ok = why === '';
  if (ok) passed++;
  if (!quiet || (!ok && expected.has(t))) console.log(`${ok ? 'PASS' : 'FAIL'} ${t}${ok ? '' : ': ' + why}`);
  if (!ok && expected.has(t)) regressions.push(t);
  if (ok && expectDir && !expected.has(t)) newly.push(t);
}
console.log(`${passed}/${total} passed (${simd}, threads ${threads ?? 'default'}; ${skipped} skipped: tensor types or sequence / optional values outside the JS API)`);
if (newly.length) console.log(`passing but not in the expected list (${newly.length}): ${newly.join(' ')}`);
if (total === 0) { console.error('FAIL: zero tests ran'); process.exit(1); }
if (regressions.length) { console.error(`FAIL: ${regressions.length} expected tests did not pass: ${regressions.join(' ')}`); process.exit(1); }
