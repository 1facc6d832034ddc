// Where a decoder's time goes through lm.generate: prefill / decode rates (wall and per CPU
// second of this process, which time-sharing on a loaded machine does not dilute), the tokens,
// and a per-op profile of the prefill and of the decode steps.
// Usage: node tools/bench/profile-decoder.mjs [model.onnx] (default: the Qwen2.5-0.5B-shaped
// q4 decoder of tools/bench/decoder.mjs). QWASM_SIMD (relaxed), STEPS (16 decode steps),
// REPS (2 timed generations), ALL=1: loadCausalLM's allLogits (the LM head on every position).
import { loadCausalLM } from 'qwasm/llm';
const model = process.argv[2] || 'build/bench/qwen05b_q4/model.onnx';
const simd = process.env.QWASM_SIMD || 'relaxed';
const PROMPT = Array.from({ length: 64 }, (_, i) => (i * 7919) % 150000);
const N = Number(process.env.STEPS || 16);
const lm = await loadCausalLM(model, { simd, threads: 1, allLogits: process.env.ALL === '1' });
for await (const _ of lm.generate(PROMPT, { maxNewTokens: 4 }));
const tokens = [];
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
for (let rep = 0; rep < Number(process.env.REPS || 2); rep++) {
  tokens.length = 0;
  const c0 = cpu(); let c1 = 0;
  for await (const t of lm.generate(PROMPT, { maxNewTokens: N + 1 })) { if (!c1) c1 = cpu(); tokens.push(t); }
  const c2 = cpu();
  console.log(`plain: prefill ${(64000 / lm.lastStats.prefillMs).toFixed(1)} tok/s, decode ${lm.lastStats.tokensPerSecond.toFixed(2)} tok/s; per CPU second: prefill ${(64000 / (c1 - c0)).toFixed(1)} tok/s, decode ${(N * 1000 / (c2 - c1)).toFixed(2)} tok/s`);
}
console.log('tokens', tokens.join(','));
let pre = null;
lm.session.startProfiling();
let t0 = 0;
for await (const _ of lm.generate(PROMPT, { maxNewTokens: N + 1 })) {
  if (!pre) { pre = lm.session.endProfiling(); lm.session.startProfiling(); t0 = performance.now(); }
}
const wall = performance.now() - t0;
const rows = lm.session.endProfiling();
const show = (label, rows, steps, wallMs) => {
  const tot = rows.reduce((a, r) => a + r.ms, 0);
  console.log(`${label}: ops ${(tot / steps).toFixed(2)} ms/step${wallMs ? `, wall ${(wallMs / steps).toFixed(2)} ms/step` : ''}, calls ${(rows.reduce((a, r) => a + r.calls, 0) / steps).toFixed(0)}/step`);
  for (const r of rows.sort((a, b) => b.ms - a.ms).slice(0, 22)) console.log(`  ${r.op.padEnd(44)} ${(r.ms / steps).toFixed(3).padStart(8)} ms ${(r.calls / steps).toFixed(0).padStart(5)} calls`);
};
show('prefill', pre, 1);
show('decode', rows, N, wall);
lm.dispose();
