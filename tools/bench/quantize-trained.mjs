// The quantizer's accuracy on this project's own trained float models (trained with Debian's
// python3-torch 1.13, committed under tests/data/trained/, so this needs no torch):
//  cnn: the shapes CNN (tools/models/train_shapes_cnn.py: 10 procedurally rendered shapes with
//       noise, MobileNet-style inverted residual blocks with depthwise convs). fp32 vs dynamic int8
//       and static int8 with each calibration method, without (keepFloat 0) and with the default
//       sensitivity pass; accuracy on the 1000 held-out images, top-1 agreement and mean logit
//       cosine with fp32 (qwasm's own fp32 run; onnxruntime-web's fp32 accuracy printed beside it),
//       calibration on the 64 calibration images (8 feeds of 8).
//  lm:  the Austen LM (tools/tinylm/, trained by tools/models/train_austen_lm.sh into build/trained-lm/
//       (3.5 MB float, not committed; its held-out / calibration ids and json are) on Jane Austen's
//       novels from Debian's r-cran-janeaustenr, tinylm's tokenizer): perplexity on held-out text
//       (the last 2% of every novel; --seqs windows of --len tokens, no past) for fp32, dynamic
//       int8, q8 weight-only, and q4 RTN / GPTQ / AWQ at block 32 and 128 (calibration: 8 windows
//       of training text). --tinylm: the same table for the embedded models/tinylm, its q4 weights
//       dequantized (quantize-tinylm.mjs's stand-in fp32), on the same held-out text.
// Every model runs in qwasm (Node, one thread).
// lm also prints each model's mean KL(fp32 || model) per prediction on the first --kl-seqs windows.
//   node tools/bench/quantize-trained.mjs [cnn] [lm] [--seqs 64] [--len 128] [--kl-seqs 64] [--tinylm]
//     [--only REGEX (lm cases by name)] [--accuracy-level 4 (lm q4 cases; 0 = float activations)]
//     [--awq-clip 1 (lm awq cases' weights.awqClip; 0 = scales only)]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { TRAINED, argmaxRows, readShapes, shapeFeeds } from '../../tests/js/support/trained-shapes.mjs';
import { BENCH_DIR, ROOT, cpuInfo } from './common.mjs';

const argv = process.argv.slice(2);
const arg = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? Number(argv[i + 1]) : d; };
const parts = argv.filter((a, i) => !a.startsWith('--') && !(i > 0 && argv[i - 1].startsWith('--')));
const want = (p) => !parts.length || parts.includes(p);
const strArg = (name, d) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : d; };
const ONLY = new RegExp(strArg('--only', '')); // lm: the cases whose name matches
const LEVEL = arg('--accuracy-level', 4);       // lm: the q4 cases' MatMulNBits accuracy_level (4: int8 activations)
const AWQ_CLIP = arg('--awq-clip', 1) !== 0;    // lm: weights.awqClip of the awq cases
const simd = process.env.QWASM_SIMD ?? 'auto';
const opts = { threads: 1, simd };
ortweb.env.wasm.numThreads = 1;
const cpu = cpuInfo();
console.log(`# ${cpu.model} (${cpu.flags.join(' ')}), qwasm simd ${simd}, one thread`);

function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const T = (type, data, dims) => new Tensor(type, data, dims);

async function cnn() {
  const float = new Uint8Array(readFileSync(TRAINED + 'shapes_cnn.onnx'));
  const info = JSON.parse(readFileSync(TRAINED + 'shapes_cnn.json', 'utf8'));
  const held = readShapes('shapes_heldout.u8'), calibSet = readShapes('shapes_calib.u8');
  const heldFeeds = shapeFeeds(held, 100, T), calib = shapeFeeds(calibSet, 8, T);
  const classes = 10;
  async function logitsOf(model) {
    const s = await createSession(model, opts);
    try {
      const rows = [];
      for (const f of heldFeeds) rows.push((await s.run(f)).logits.data);
      return rows;
    } finally {
      s.dispose();
    }
  }
  const accuracy = (rows) => {
    const pred = rows.flatMap((r) => argmaxRows(r, classes));
    return pred.filter((p, i) => p === held.labels[i]).length / held.n;
  };
  // onnxruntime-web's fp32 accuracy: the reference the test's bound is stated against
  const ort = await ortweb.InferenceSession.create(float);
  const ortRows = [];
  for (const f of heldFeeds) ortRows.push((await ort.run({ x: new ortweb.Tensor('float32', f.x.data, f.x.dims) })).logits.data);
  await ort.release();
  const fp32 = await logitsOf(float);
  const fp32Pred = fp32.flatMap((r) => argmaxRows(r, classes));
  console.log(`\nshapes CNN (${float.length} B float, ${info.parameters} parameters, ${info.args.steps} steps of ${info.args.batch}): ` +
    `held-out ${held.n} images, calibration ${calibSet.n}; fp32 accuracy torch ${(100 * info.torch_heldout_accuracy).toFixed(1)}%, ` +
    `onnxruntime-web ${(100 * accuracy(ortRows)).toFixed(1)}%`);
  console.log('| mode | accuracy | top-1 agreement with fp32 | mean logit cosine | least logit cosine | left float | bytes | quantize s |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| fp32 (qwasm) | ${(100 * accuracy(fp32)).toFixed(1)}% | - | - | - | - | ${float.length} | - |`);
  const cal = (method) => ({ data: calib, method });
  const CASES = [
    ['dynamic int8', { mode: 'dynamic' }],
    ['static minmax', { mode: 'static', keepFloat: 0, calibration: cal('minmax') }],
    ['static percentile 99.999', { mode: 'static', keepFloat: 0, calibration: cal('percentile') }],
    ['static entropy', { mode: 'static', keepFloat: 0, calibration: cal('entropy') }],
    ['static minmax + sensitivity (default)', { mode: 'static', calibration: cal('minmax') }],
    ['static percentile + sensitivity (default)', { mode: 'static', calibration: cal('percentile') }],
    ['static entropy + sensitivity (default)', { mode: 'static', calibration: cal('entropy') }],
  ];
  for (const [name, options] of CASES.filter(([name]) => ONLY.test(name))) {
    const t0 = performance.now();
    const { model, report } = await quantize(float, options);
    const secs = (performance.now() - t0) / 1000;
    const got = await logitsOf(model);
    const pred = got.flatMap((r) => argmaxRows(r, classes));
    const agree = pred.filter((p, i) => p === fp32Pred[i]).length;
    const cos = [];
    got.forEach((g, b) => { for (let r = 0; r < g.length / classes; ++r) cos.push(cosine(g.subarray(r * classes, (r + 1) * classes), fp32[b].subarray(r * classes, (r + 1) * classes))); });
    const left = report.filter((r) => r.action === 'float' && /sensitivity/.test(r.detail)).map((r) => r.node);
    console.log(`| ${name} | ${(100 * accuracy(got)).toFixed(1)}% | ${(100 * agree / held.n).toFixed(1)}% | ${mean(cos).toFixed(4)} | ` +
      `${Math.min(...cos).toFixed(4)} | ${left.length ? left.join(', ') : '-'} | ${model.length} | ${secs.toFixed(1)} |`);
  }
}

async function lm() {
  const SEQS = arg('--seqs', 64), LEN = arg('--len', 128), CALIB = 8, KL_SEQS = Math.min(SEQS, arg('--kl-seqs', 64));
  const cfg = JSON.parse(readFileSync(TRAINED + 'austen_lm.json', 'utf8'));
  // 3.5 MB float: built by tools/models/train_austen_lm.sh (torch), not committed
  let modelPath = join(ROOT, 'build/trained-lm/austen_lm.onnx'), title = 'Austen LM';
  if (argv.includes('--tinylm')) {
    // the embedded models/tinylm (same tokenizer, same held-out split of the novels, never trained
    // on it) as quantize-tinylm.mjs's stand-in fp32: its q4 weights dequantized to float MatMuls
    modelPath = join(BENCH_DIR, 'tinylm_f32.onnx'), title = 'tinylm stand-in fp32 (q4 dequantized)';
    mkdirSync(BENCH_DIR, { recursive: true });
    execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/dequantize_nbits.py'), join(ROOT, 'models/tinylm/onnx/model_q4.onnx'), modelPath]);
    const t = JSON.parse(readFileSync(join(ROOT, 'models/tinylm/config.json'), 'utf8'));
    Object.assign(cfg, { config: t, n_params: 2164416, steps: '389 (25 min)', final_valid_loss: 4.89 });
  }
  const { num_hidden_layers: LAYERS, num_attention_heads: HEADS, head_dim: HEAD_DIM } = cfg.config;
  if (!existsSync(modelPath)) {
    console.log(`\nAusten LM: ${modelPath} is missing; build it with bash tools/models/train_austen_lm.sh (scripts/setup.sh --train)`);
    return;
  }
  const float = new Uint8Array(readFileSync(modelPath));
  const ids = (file) => { const b = readFileSync(TRAINED + file); return new Uint16Array(b.buffer, b.byteOffset, b.length / 2); };
  const valid = ids('austen_valid.u16'), calibIds = ids('austen_calib.u16');
  const windows = (a, n) => Array.from({ length: Math.min(n, Math.floor(a.length / LEN)) }, (_, i) => Array.from(a.subarray(i * LEN, (i + 1) * LEN)));
  const evalSeqs = windows(valid, SEQS), calibSeqs = windows(calibIds, CALIB);
  function feeds(seq) {
    const n = seq.length, i64 = (f) => new Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(f(i))), [1, n]);
    const f = { input_ids: i64((i) => seq[i]), attention_mask: i64(() => 1), position_ids: i64((i) => i) };
    for (let l = 0; l < LAYERS; ++l) for (const kv of ['key', 'value']) f[`past_key_values.${l}.${kv}`] = new Tensor('float32', new Float32Array(0), [1, HEADS, 0, HEAD_DIM]);
    return f;
  }
  // Perplexity on the held-out windows and, against `ref` (fp32's log-probabilities of the first
  // KL_SEQS windows, kept when ref is null), the mean KL(fp32 || model) per prediction: the
  // distance to fp32 itself, which a quantization error cannot lower by luck as perplexity can.
  async function perplexity(model, ref) {
    const s = await createSession(model, opts);
    let nll = 0, n = 0, kl = 0, nk = 0;
    const keep = [];
    try {
      for (const [w, seq] of evalSeqs.entries()) {
        const { logits } = await s.run(feeds(seq), { outputs: ['logits'] });
        const V = logits.dims[2];
        for (let t = 0; t + 1 < seq.length; ++t) {
          const row = logits.data.subarray(t * V, (t + 1) * V);
          let max = -Infinity;
          for (const v of row) max = Math.max(max, v);
          let z = 0;
          for (const v of row) z += Math.exp(v - max);
          const lz = Math.log(z) + max;
          nll += lz - row[seq[t + 1]];
          ++n;
          if (w >= KL_SEQS) continue;
          if (!ref) {
            keep.push(Float32Array.from(row, (v) => v - lz));
          } else {
            const p = ref[nk++];
            let d = 0;
            for (let i = 0; i < V; ++i) d += Math.exp(p[i]) * (p[i] - (row[i] - lz));
            kl += d;
          }
        }
      }
    } finally {
      s.dispose();
    }
    return { ppl: Math.exp(nll / n), kl: nk ? kl / nk : 0, logp: keep };
  }
  const calibration = { data: calibSeqs.map(feeds) };
  const { ppl: fp32, logp: fp32LogP } = await perplexity(float, null);
  console.log(`\n${title} (${float.length} B float, ${cfg.n_params} parameters: ${LAYERS} layers, ${HEADS} heads x ${HEAD_DIM}, ` +
    `${cfg.steps} steps): perplexity on ${evalSeqs.length} x ${LEN} held-out tokens (${evalSeqs.length * (LEN - 1)} predictions); ` +
    `calibration ${calibSeqs.length} x ${LEN} training tokens; torch valid loss ${cfg.final_valid_loss} (ppl ${Math.exp(cfg.final_valid_loss).toFixed(2)})`);
  console.log(`| model | perplexity | vs fp32 | KL vs fp32 (first ${KL_SEQS} windows, nats x 1e-3) | bytes | quantize s | notes |\n|---|---|---|---|---|---|---|`);
  console.log(`| fp32 | ${fp32.toFixed(4)} | 1.00000x | 0 | ${float.length} | - | |`);
  const CASES = [
    ['dynamic int8', { mode: 'dynamic' }],
    ['q8 weight-only', { weights: { bits: 8 } }],
  ];
  for (const blockSize of [32, 128]) {
    for (const algorithm of ['rtn', 'gptq', 'awq']) {
      CASES.push([`q4 block ${blockSize} ${algorithm}`, { weights: { bits: 4, blockSize, algorithm, accuracyLevel: LEVEL, ...(algorithm === 'awq' ? { awqClip: AWQ_CLIP } : {}) }, ...(algorithm === 'rtn' ? {} : { calibration }) }]);
    }
  }
  for (const [name, options] of CASES.filter(([name]) => ONLY.test(name))) {
    const t0 = performance.now();
    const { model, report } = await quantize(float, options);
    const secs = (performance.now() - t0) / 1000;
    const { ppl, kl } = await perplexity(model, fp32LogP);
    const alphas = report.map((e) => /awq alpha ([0-9.]+)/.exec(e.detail)?.[1]).filter(Boolean);
    const note = alphas.length ? `alpha ${[...new Set(alphas)].sort().join(' ')}` : '';
    console.log(`| ${name} | ${ppl.toFixed(4)} | ${(ppl / fp32).toFixed(5)}x | ${(1e3 * kl).toFixed(3)} | ${model.length} | ${secs.toFixed(1)} | ${note} |`);
  }
}

if (want('cnn')) await cnn();
if (want('lm')) await lm();
