// Quantizer speed and memory (issue #18): the Qwen2.5-0.5B-shaped decoder in float
// (tools/models/make_decoder.py --float, 2.1 GB of float32 weights in external data) to q4 RTN,
// and the embedded tinylm (its q4 weights dequantized: tools/models/dequantize_nbits.py) to q4
// GPTQ on 8 x 128 tokens of Austen text; each in Node 22 (qwasm/quantize, wasm, one thread) and
// with the native tool (build/native/tools/qwasm-quantize). Every run is its own process, so the
// peak memory is that run's: Node's maxRSS (the source read into the wasm heap, the quantized
// model there and its copy out to JS) and, natively, the peak RSS (the tool maps the source, so that
// counts the file pages it touched, which the OS may drop) and the peak of its anonymous memory
// (what it allocated itself), sampled from /proc every 20 ms.
//   node tools/bench/quantize-speed.mjs [decoder] [tinylm]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ROOT, cpuInfo } from './common.mjs';

const TOOL = join(ROOT, 'build/native/tools/qwasm-quantize');
const NODE = process.execPath;

// One quantize() in this process, then its figures on stdout (the child side of nodeRun).
// The source is given as a path: qwasm/quantize then reads it and its external data file
// straight into the wasm heap (in bytes from JS, the file would be held twice).
async function child([model, optionsJson, calibJson]) {
  const { quantize } = await import('qwasm/quantize');
  const { Tensor } = await import('qwasm');
  const t0 = performance.now(), c0 = process.cpuUsage();
  const options = JSON.parse(optionsJson);
  if (calibJson) {
    const feeds = JSON.parse(readFileSync(calibJson, 'utf8'));
    options.calibration = {
      data: feeds.map((f) => Object.fromEntries(Object.entries(f).map(([name, { type, data, dims }]) =>
        [name, new Tensor(type, type === 'int64' ? BigInt64Array.from(data, BigInt) : Float32Array.from(data), dims)]))),
    };
  }
  const { model: out, externalData } = await quantize(model, options);
  const c = process.cpuUsage(c0);
  const bytes = out.length + (externalData ?? []).reduce((s, e) => s + e.data.length, 0);
  console.log(JSON.stringify({ wallS: (performance.now() - t0) / 1000, cpuS: (c.user + c.system) / 1e6, bytes,
    peakMiB: process.resourceUsage().maxRSS / 1024 }));
}

function nodeRun(model, options, calibJson = '') {
  const out = execFileSync(NODE, [new URL(import.meta.url).pathname, '--child', model, JSON.stringify(options), calibJson],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
  return JSON.parse(out.trim().split('\n').pop());
}

// The native tool under /usr/bin/time (wall, CPU, peak RSS), its anonymous memory sampled.
function nativeRun(args) {
  return new Promise((resolve, reject) => {
    const p = spawn('/usr/bin/time', ['-f', 'TIME %e %U %S %M', TOOL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '', anonKiB = 0;
    p.stderr.on('data', (d) => { err += d; });
    p.stdout.on('data', () => {});
    const poll = setInterval(() => {
      try {
        for (const pid of readFileSync(`/proc/${p.pid}/task/${p.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) {
          const m = /RssAnon:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
          if (m) anonKiB = Math.max(anonKiB, Number(m[1]));
        }
      } catch { /* the tool has just exited */ }
    }, 20);
    p.on('close', (code) => {
      clearInterval(poll);
      const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(err);
      if (code !== 0 || !m) return reject(new Error(`qwasm-quantize failed (${code}): ${err.slice(-500)}`));
      resolve({ wallS: Number(m[1]), cpuS: Number(m[2]) + Number(m[3]), peakMiB: Number(m[4]) / 1024, anonMiB: anonKiB / 1024 });
    });
  });
}

const rows = [];
function row(model, tool, algorithm, r, inBytes, outBytes) {
  rows.push({ model, tool, algorithm, ...r, inBytes, outBytes });
  console.log(JSON.stringify(rows.at(-1)));
}

async function decoder() {
  const dir = join(BENCH_DIR, 'qwen05b_f32'), model = join(dir, 'model.onnx'), data = `${model}.data`;
  if (!existsSync(data)) {
    mkdirSync(dir, { recursive: true });
    execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_decoder.py'), model, '--qwen-0.5b', '--external', '--float'], { stdio: 'inherit' });
  }
  const inBytes = readFileSync(model).length + readFileSync(data).length;
  const n = nodeRun(model, { mode: 'weight-only', weights: { bits: 4 } });
  row('0.5B decoder', 'Node 22 (wasm)', 'q4 rtn, block 32', n, inBytes, n.bytes);
  const out = join(dir, 'q4.onnx');
  const t = await nativeRun(['--mode', 'weight-only', '--bits', '4', model, out]);
  row('0.5B decoder', 'native', 'q4 rtn, block 32', t, inBytes, readFileSync(out).length);
  rmSync(out);
}

async function tinylm() {
  const model = join(BENCH_DIR, 'tinylm_f32.onnx');
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/dequantize_nbits.py'), join(ROOT, 'models/tinylm/onnx/model_q4.onnx'), model]);
  // 8 x 128 tokens of Austen text (tests/data/trained: the trained LM's calibration ids, the
  // same tokenizer), one forward pass each with no past.
  const u16 = new Uint16Array(readFileSync(join(ROOT, 'tests/data/trained/austen_calib.u16')).buffer.slice(0));
  const T = 128, seqs = Array.from({ length: u16.length / T }, (_, i) => Array.from(u16.subarray(i * T, (i + 1) * T)));
  const feeds = seqs.map((ids) => {
    const f = { input_ids: { type: 'int64', data: ids, dims: [1, T] }, attention_mask: { type: 'int64', data: ids.map(() => 1), dims: [1, T] },
      position_ids: { type: 'int64', data: ids.map((_, i) => i), dims: [1, T] } };
    for (let l = 0; l < 4; ++l) for (const kv of ['key', 'value']) f[`past_key_values.${l}.${kv}`] = { type: 'float32', data: [], dims: [1, 4, 0, 48] };
    return f;
  });
  const calibJson = join(BENCH_DIR, 'tinylm_calib.json'), npzDir = join(BENCH_DIR, 'tinylm_calib_npz');
  writeFileSync(calibJson, JSON.stringify(feeds));
  rmSync(npzDir, { recursive: true, force: true });
  mkdirSync(npzDir, { recursive: true });
  execFileSync('/usr/bin/python3', ['-c', `import json, sys, os, numpy as np
for k, f in enumerate(json.load(open(sys.argv[1]))):
    np.savez(os.path.join(sys.argv[2], 'feed_%d.npz' % k), **{n: np.array(v['data'], np.int64 if v['type'] == 'int64' else np.float32).reshape(v['dims']) for n, v in f.items()})`, calibJson, npzDir]);
  const inBytes = readFileSync(model).length;
  const n = nodeRun(model, { mode: 'weight-only', weights: { bits: 4, algorithm: 'gptq' } }, calibJson);
  row('tinylm', 'Node 22 (wasm)', 'q4 gptq, block 32', n, inBytes, n.bytes);
  const out = join(BENCH_DIR, 'tinylm_gptq.onnx');
  const t = await nativeRun(['--mode', 'weight-only', '--bits', '4', '--algorithm', 'gptq', '--calib', npzDir, model, out]);
  row('tinylm', 'native', 'q4 gptq, block 32', t, inBytes, readFileSync(out).length);
}

if (process.argv[2] === '--child') {
  await child(process.argv.slice(3));
} else {
  const wanted = process.argv.slice(2).length ? process.argv.slice(2) : ['decoder', 'tinylm'];
  const cpu = cpuInfo();
  console.log(`# cpu: ${cpu.model} (${cpu.cores} cores; ${cpu.flags.join(' ')}); Node ${process.version}; one thread each`);
  if (!existsSync(TOOL)) throw new Error(`${TOOL} is not built (scripts/build.sh)`);
  if (wanted.includes('decoder')) await decoder();
  if (wanted.includes('tinylm')) await tinylm();
  const mb = (b) => (b / 1048576).toFixed(1);
  console.log('\n| model | quantizer | method | seconds (wall) | CPU seconds | peak memory (MiB) | of it allocated (MiB) | in -> out (MiB) |\n|---|---|---|---|---|---|---|---|');
  for (const r of rows)
    console.log(`| ${r.model} | ${r.tool} | ${r.algorithm} | ${r.wallS.toFixed(1)} | ${r.cpuS.toFixed(1)} | ${r.peakMiB.toFixed(0)} | ${r.anonMiB === undefined ? '-' : r.anonMiB.toFixed(0)} | ${mb(r.inBytes)} -> ${mb(r.outBytes)} |`);
}
