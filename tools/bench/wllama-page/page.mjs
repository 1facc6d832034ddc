// Decoder benchmark inside the browser: wllama 3.8.1 (llama.cpp in wasm) on GGUF files of the
// Qwen2.5-0.5B shape (Q4_0 and Q8_0) and qwasm's q4 decoder of the same shape, in the same page,
// one thread each: prefill tokens/s of a 64-token prompt and decode tokens/s, medians.
// Driven by tools/bench/wllama-chromium.mjs, which reads window.benchResult.
import { _benchCeilings, features } from '/js/index.js';
import { ceilingFigures, measureCeilings, profileMatMulNBits } from '/tools/bench/decoder-ceilings.mjs';
import { loadCausalLM } from '/js/llm.js';
import { Wllama } from '/node_modules/@wllama/wllama/esm/index.js';

const q = new URLSearchParams(location.search);
const RUNS = Number(q.get('runs') || 3);
const DECODE = Number(q.get('decode') || 16);
const PROMPT_LEN = 64;
const log = (s) => { document.getElementById('log').textContent += `${s}\n`; console.log(s); };
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// A different prompt each run (same length), so no engine can reuse a cached prefix.
const prompt = (run) => Array.from({ length: PROMPT_LEN }, (_, i) => (i * 7919 + run * 104729) % 150000);
// wllama takes text: 64 letters, one token each (the GGUF vocabulary has the 256 byte symbols
// and no merges; the page checks llama.cpp's prompt_n).
const promptText = (run) => String.fromCharCode(...prompt(run).map((t) => 97 + (t % 26)));

// qwasm: prefill is the first run of the decoder graph; decode the next DECODE single-token runs.
async function benchQwasm(model) {
  const t0 = performance.now();
  const lm = await loadCausalLM(model, { simd: 'relaxed', threads: 1 });
  const loadMs = performance.now() - t0;
  const prefill = [], decode = [];
  for (let r = -1; r < RUNS; r++) {  // run -1: warm-up (V8 tiers the module up)
    for await (const _ of lm.generate(prompt(r + 1), { maxNewTokens: DECODE + 1 }));
    const st = lm.lastStats;
    if (r < 0) continue;
    prefill.push((PROMPT_LEN * 1000) / st.prefillMs);
    decode.push(((st.generatedTokens - 1) * 1000) / st.decodeMs);
    log(`qwasm run ${r}: prefill ${prefill.at(-1).toFixed(2)} tok/s, decode ${decode.at(-1).toFixed(2)} tok/s`);
  }
  // The read-bandwidth and relaxed-dot ceilings of this engine, and the fractions of them reached
  // (tools/bench/decoder-ceilings.mjs; the same figures as tools/bench/decoder.mjs in Node).
  const profile = await profileMatMulNBits(lm, prompt(0), DECODE);
  lm.dispose();
  const args = { promptLen: PROMPT_LEN, decodeSteps: DECODE, decodeTokS: med(decode), prefillTokS: med(prefill), profile };
  const { weightBytes } = ceilingFigures({ ...args, ceilings: { readGBps: 1, dotGops: 1 } });
  const ceilings = ceilingFigures({ ...args, ceilings: measureCeilings(await _benchCeilings('relaxed', 1), weightBytes) });
  return { loadMs, prefill: med(prefill), decode: med(decode), prefillRuns: prefill, decodeRuns: decode, ceilings };
}

// wllama: one completion request per run, streamed, so the page sees each token arrive:
// prefill = request start to the first token, decode = first to last token over DECODE steps.
// llama.cpp's own timings (prompt_ms, predicted_ms) are kept alongside.
async function benchWllama(gguf) {
  const w = new Wllama({ default: '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm' }, { suppressNativeLog: !q.get('nativeLog') });
  const blob = await (await fetch(gguf)).blob();
  const t0 = performance.now();
  await w.loadModel([new File([blob], gguf.split('/').pop())], {
    n_threads: 1, n_gpu_layers: 0, n_ctx: 512, n_batch: 512, n_parallel: 1, seed: 1,
  });
  const loadMs = performance.now() - t0;
  const info = { multithread: w.isMultithread(), threads: w.getNumThreads(), webgpu: w.isSupportWebGPU() };
  const prefill = [], decode = [], cppPrefill = [], cppDecode = [];
  for (let r = -1; r < RUNS; r++) {
    const stamps = [];
    let timings = null, chunks = 0;
    const start = performance.now();
    // The warm-up run (r = -1) is short: wllama's 64-token prefill takes tens of seconds here.
    const text = r < 0 ? promptText(0).slice(0, 16) : promptText(r + 1);
    await w.createCompletion({
      prompt: text, max_tokens: r < 0 ? 4 : DECODE + 1, temperature: 0, top_k: 1, ignore_eos: true,
      stream: true,
      onData: (c) => {  // a chunk per token with text; the last one carries llama.cpp's timings
        chunks++;
        if (c.choices?.[0]?.text) stamps.push(performance.now());
        if (c.timings) timings = c.timings;
      },
    });
    // (wllama's request parser rejects cache_prompt: a new first letter each run keeps cache_n 0.)
    if (r >= 0 && timings && (timings.prompt_n !== PROMPT_LEN || timings.cache_n !== 0)) {
      throw new Error(`wllama: the prompt was ${timings.prompt_n} tokens (${timings.cache_n} cached), not ${PROMPT_LEN}`);
    }
    if (r < 0) { info.firstTimings = timings; info.chunks = chunks; continue; }
    // The first token came from the prefill; each later one is a decode step.
    const tokStamps = stamps.slice(0, DECODE + 1);
    if (tokStamps.length < DECODE / 2) throw new Error(`wllama: only ${tokStamps.length} tokens streamed`);
    prefill.push((PROMPT_LEN * 1000) / (tokStamps[0] - start));
    decode.push(((tokStamps.length - 1) * 1000) / (tokStamps.at(-1) - tokStamps[0]));
    if (timings) {
      cppPrefill.push((timings.prompt_n * 1000) / timings.prompt_ms);
      cppDecode.push(timings.predicted_per_second);
    }
    log(`wllama ${gguf} run ${r}: prefill ${prefill.at(-1).toFixed(2)} tok/s, decode ${decode.at(-1).toFixed(2)} tok/s, chunks ${chunks}, llama.cpp ${JSON.stringify(timings)}`);
  }
  await w.exit();
  return {
    loadMs, info, prefill: med(prefill), decode: med(decode), prefillRuns: prefill, decodeRuns: decode,
    cppPrefill: cppPrefill.length ? med(cppPrefill) : null, cppDecode: cppDecode.length ? med(cppDecode) : null,
  };
}

async function run() {
  const impls = (q.get('impls') || 'wllama-q4_0,wllama-q8_0,qwasm').split(',');
  // The qwasm build the benchmark runs (features() loads it: relaxed, one thread).
  const f = impls.includes('qwasm') ? await features({ simd: 'relaxed', threads: 1 }) : {};
  const out = { features: f, userAgent: navigator.userAgent, crossOriginIsolated, results: {} };
  for (const impl of impls) {
    if (impl === 'qwasm') out.results[impl] = await benchQwasm(q.get('onnx') || '/build/bench/qwen05b_q4/model.onnx');
    else {
      const type = impl.replace('wllama-', '');
      out.results[impl] = await benchWllama(q.get(type) || `/build/bench/qwen05b_gguf/qwen05b-${type}.gguf`);
    }
  }
  return out;
}

window.benchResult = q.get('impls') === '' ? null : run().catch((e) => ({ error: String(e?.stack || e) }));
