// (A float LM trained here and real held-out Austen text: tools/bench/quantize-trained.mjs lm [--tinylm].)
// Perplexity of the embedded tinylm (models/tinylm) under the weight-only quantizer's
// algorithms: fp32 vs q4 round to nearest vs GPTQ vs AWQ, at block sizes 32 and 128.
// The float model: tinylm ships only as q4 (the float checkpoint is not kept and retraining
// needs python3-torch), so "fp32" is its q4 weights dequantized to MatMul
// (tools/models/dequantize_nbits.py), the embedded model's exact function in float.
// Re-quantizing that at block 32 mostly lands back on the same grid; block 128 is a real test.
// Text: Jane Austen's own text is not on this machine (r-cran-janeaustenr is not installed),
// so calibration and held-out sequences are sampled from the fp32 model (temperature 1,
// different seeds, prompts from the tokenizer's Austen test sentences); the perplexity of a
// quantized model on the float model's samples is exp(entropy + KL to the float model), so
// lower means closer to fp32. All run in qwasm (Node, one thread).
//   node tools/bench/quantize-tinylm.mjs [--seqs 16] [--len 64]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSession, Tensor } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { quantize } from 'qwasm/quantize';
import { BENCH_DIR, ROOT, cpuInfo, printTable, report } from './common.mjs';

const arg = (name, d) => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : d; };
const SEQS = arg('--seqs', 16), LEN = arg('--len', 64), CALIB = 8;
const LAYERS = 4, HEADS = 4, HEAD_DIM = 48;
const simd = process.env.QWASM_SIMD ?? 'auto';

mkdirSync(BENCH_DIR, { recursive: true });
const floatPath = join(BENCH_DIR, 'tinylm_f32.onnx');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/dequantize_nbits.py'), join(ROOT, 'models/tinylm/onnx/model_q4.onnx'), floatPath]);
const floatBytes = new Uint8Array(readFileSync(floatPath));
// The tokenizer's test sentences: the openings of Pride and Prejudice and Emma (real Austen
// text, though likely seen in training: only a second, small measure).
const prompts = JSON.parse(readFileSync(join(ROOT, 'tests/data/tinylm/tokenizer_vectors.json'), 'utf8')).slice(0, 4).map((v) => v.ids).filter((ids) => ids.length);
const austen = prompts.filter((ids) => ids.length > 8);

// Sequences of LEN tokens sampled from the float model.
const lm = await loadCausalLM(floatBytes, { threads: 1, simd });
async function sample(seed) {
  const prompt = prompts[seed % prompts.length].slice(0, 8);
  const ids = [...prompt];
  for await (const id of lm.generate(prompt, { maxNewTokens: LEN - prompt.length, temperature: 1, seed })) ids.push(id);
  return ids;
}
const calibSeqs = [], evalSeqs = [];
for (let i = 0; i < CALIB; ++i) calibSeqs.push(await sample(1000 + i));
for (let i = 0; i < SEQS; ++i) evalSeqs.push(await sample(2000 + i));
lm.dispose();

// One forward pass over a whole sequence, no past.
function feeds(ids) {
  const T = ids.length, i64 = (f) => new Tensor('int64', BigInt64Array.from({ length: T }, (_, i) => BigInt(f(i))), [1, T]);
  const f = { input_ids: i64((i) => ids[i]), attention_mask: i64(() => 1), position_ids: i64((i) => i) };
  for (let l = 0; l < LAYERS; ++l) for (const kv of ['key', 'value']) f[`past_key_values.${l}.${kv}`] = new Tensor('float32', new Float32Array(0), [1, HEADS, 0, HEAD_DIM]);
  return f;
}
async function perplexity(model, seqs) {
  const s = await createSession(model, { threads: 1, simd });
  let nll = 0, n = 0;
  try {
    for (const ids of seqs) {
      const { logits } = await s.run(feeds(ids), { outputs: ['logits'] });
      const V = logits.dims[2];
      for (let t = 0; t + 1 < ids.length; ++t) {
        const row = logits.data.subarray(t * V, (t + 1) * V);
        let max = -Infinity;
        for (const v of row) max = Math.max(max, v);
        let z = 0;
        for (const v of row) z += Math.exp(v - max);
        nll += Math.log(z) + max - row[ids[t + 1]];
        ++n;
      }
    }
  } finally {
    s.dispose();
  }
  return Math.exp(nll / n);
}

const calibration = { data: calibSeqs.map(feeds) };
const cpu = cpuInfo();
console.log(`# tinylm perplexity on ${SEQS} x ${LEN} tokens sampled from fp32; calibration ${CALIB} x ${LEN}; ${cpu.model} (${cpu.flags.join(' ')}), simd ${simd}`);
const fp32 = await perplexity(floatBytes, evalSeqs), fp32Austen = await perplexity(floatBytes, austen);
report('tinylm-ppl', 'fp32', 'perplexity', fp32, 'ppl');
report('tinylm-ppl', 'fp32', 'perplexity-austen-sentences', fp32Austen, 'ppl');
const rows = [['fp32', fp32, fp32Austen, '', '']];
for (const blockSize of [32, 128]) {
  for (const algorithm of ['rtn', 'gptq', 'awq']) {
    const t0 = performance.now();
    const { model, report: r } = await quantize(floatBytes, { weights: { bits: 4, blockSize, algorithm }, ...(algorithm === 'rtn' ? {} : { calibration }) });
    const ms = performance.now() - t0;
    const ppl = await perplexity(model, evalSeqs), pplAusten = await perplexity(model, austen);
    report('tinylm-ppl', `q4-b${blockSize}-${algorithm}`, 'perplexity', ppl, 'ppl');
    report('tinylm-ppl', `q4-b${blockSize}-${algorithm}`, 'perplexity-austen-sentences', pplAusten, 'ppl');
    report('tinylm-ppl', `q4-b${blockSize}-${algorithm}`, 'quantize', ms, 'ms');
    const alphas = r.map((e) => /awq alpha ([0-9.]+)/.exec(e.detail)?.[1]).filter(Boolean);
    rows.push([`q4 block ${blockSize} ${algorithm}`, ppl, pplAusten, `${(ms / 1000).toFixed(1)} s`, alphas.length ? `alpha ${[...new Set(alphas)].sort().join(' ')}` : '']);
  }
}
printTable();
console.log('\n| model | perplexity (fp32 samples) | vs fp32 | perplexity (Austen sentences) | quantize time | awq |\n|---|---|---|---|---|---|');
for (const [name, ppl, pa, t, note] of rows) console.log(`| ${name} | ${ppl.toFixed(3)} | ${(ppl / fp32).toFixed(4)}x | ${pa.toFixed(2)} | ${t} | ${note} |`);
