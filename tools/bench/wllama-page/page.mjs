// Decoder benchmark inside the browser: wllama 3.8.1 (llama.cpp in wasm) on GGUF files of the
// Qwen2.5-0.5B shape (Q4_0 and Q8_0) and qwasm's q4 decoder of the same shape, in the same page,
// one thread each: prefill tokens/s of a 64-token prompt and decode tokens/s.
// All engines stay loaded and take turns, one generation each per round (paired rounds: on a
// shared machine the load moves over minutes, so a ratio is taken within a round).
// Driven by tools/bench/wllama-chromium.mjs, which reads window.benchResult.
import { _benchCeilings, features } from '/js/index.js';
import { loadCausalLM } from '/js/llm.js';
import { Wllama } from '/node_modules/@wllama/wllama/esm/index.js';
import { ceilingFigures, measureCeilings, profileMatMulNBits } from '/tools/bench/decoder-ceilings.mjs';

const q = new URLSearchParams(location.search);
const RUNS = Number(q.get('runs') || 3);
const DECODE = Number(q.get('decode') || 16);
const PROMPT_LEN = 64;
const log = (s) => { document.getElementById('log').textContent += `${s}\n`; console.log(s); };
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// A different prompt each round (same length), so no engine can reuse a cached prefix.
const prompt = (run) => Array.from({ length: PROMPT_LEN }, (_, i) => (i * 7919 + run * 104729) % 150000);
// wllama takes text: 64 letters, one token each (the GGUF vocabulary has the 256 byte symbols
// and no merges; the page checks llama.cpp's prompt_n).
const promptText = (run) => String.fromCharCode(...prompt(run).map((t) => 97 + (t % 26)));

// qwasm: prefill is the first run of the decoder graph; decode the next DECODE single-token runs.
async function openQwasm(model) {
  const t0 = performance.now();
  const lm = await loadCausalLM(model, { simd: 'relaxed', threads: 1 });
  const loadMs = performance.now() - t0;
  return {
    loadMs,
    async round(r) {
      for await (const _ of lm.generate(prompt(r + 1), { maxNewTokens: DECODE + 1 }));
      const st = lm.lastStats;
      return { prefill: (PROMPT_LEN * 1000) / st.prefillMs, decode: ((st.generatedTokens - 1) * 1000) / st.decodeMs };
    },
    // The read-bandwidth and relaxed-dot ceilings of this engine, and the fractions of them
    // reached (tools/bench/decoder-ceilings.mjs; the same figures as tools/bench/decoder.mjs).
    async finish(rows) {
      const profile = await profileMatMulNBits(lm, prompt(0), DECODE);
      lm.dispose();
      const args = { promptLen: PROMPT_LEN, decodeSteps: DECODE, decodeTokS: med(rows.map((x) => x.decode)), prefillTokS: med(rows.map((x) => x.prefill)), profile };
      const { weightBytes } = ceilingFigures({ ...args, ceilings: { readGBps: 1, dotGops: 1 } });
      return { ceilings: ceilingFigures({ ...args, ceilings: measureCeilings(await _benchCeilings('relaxed', 1), weightBytes) }) };
    },
  };
}

// wllama: one completion request per round, streamed, so the page sees each token arrive:
// prefill = request start to the first token, decode = first to last token over DECODE steps.
// llama.cpp's own timings (prompt_ms, predicted_per_second) are kept alongside.
async function openWllama(gguf) {
  const w = new Wllama({ default: '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm' }, { suppressNativeLog: !q.get('nativeLog') });
  const blob = await (await fetch(gguf)).blob();
  const t0 = performance.now();
  await w.loadModel([new File([blob], gguf.split('/').pop())], {
    n_threads: 1, n_gpu_layers: 0, n_ctx: 512, n_batch: 512, n_parallel: 1, seed: 1,
  });
  const loadMs = performance.now() - t0;
  const info = { multithread: w.isMultithread(), threads: w.getNumThreads() };
  return {
    loadMs, info,
    async round(r) {
      const stamps = [];
      let timings = null;
      const start = performance.now();
      // The warm-up round (r = -1) is short: wllama's 64-token prefill takes tens of seconds here.
      const text = r < 0 ? promptText(0).slice(0, 16) : promptText(r + 1);
      await w.createCompletion({
        prompt: text, max_tokens: r < 0 ? 4 : DECODE + 1, temperature: 0, top_k: 1, ignore_eos: true, stream: true,
        onData: (c) => {  // a chunk per token with text; the last one carries llama.cpp's timings
          if (c.choices?.[0]?.text) stamps.push(performance.now());
          if (c.timings) timings = c.timings;
        },
      });
      if (r < 0) return null;
      // (wllama's request parser rejects cache_prompt: a new first letter each round keeps cache_n 0.)
      if (timings && (timings.prompt_n !== PROMPT_LEN || timings.cache_n !== 0)) {
        throw new Error(`wllama: the prompt was ${timings.prompt_n} tokens (${timings.cache_n} cached), not ${PROMPT_LEN}`);
      }
      // The first token came from the prefill; each later one is a decode step.
      const tok = stamps.slice(0, DECODE + 1);
      if (tok.length < DECODE / 2) throw new Error(`wllama: only ${tok.length} tokens streamed`);
      return {
        prefill: (PROMPT_LEN * 1000) / (tok[0] - start), decode: ((tok.length - 1) * 1000) / (tok.at(-1) - tok[0]),
        cppPrefill: timings ? (timings.prompt_n * 1000) / timings.prompt_ms : null, cppDecode: timings?.predicted_per_second ?? null,
      };
    },
    async finish() { await w.exit(); return {}; },
  };
}

async function run() {
  const impls = (q.get('impls') || 'wllama-q4_0,wllama-q8_0,qwasm').split(',');
  // The qwasm build the benchmark runs (features() loads it: relaxed, one thread).
  const f = impls.includes('qwasm') ? await features({ simd: 'relaxed', threads: 1 }) : {};
  const engines = {};
  for (const impl of impls) {
    if (impl === 'qwasm') engines[impl] = await openQwasm(q.get('onnx') || '/build/bench/qwen05b_q4/model.onnx');
    else {
      const type = impl.replace('wllama-', '');
      engines[impl] = await openWllama(q.get(type) || `/build/bench/qwen05b_gguf/qwen05b-${type}.gguf`);
    }
  }
  for (const e of Object.values(engines)) await e.round(-1);  // warm-up (V8 tiers the modules up)
  const rows = Object.fromEntries(impls.map((i) => [i, []]));
  for (let r = 0; r < RUNS; r++) {
    for (const impl of impls) {
      rows[impl].push(await engines[impl].round(r));
      const x = rows[impl].at(-1);
      log(`round ${r} ${impl}: prefill ${x.prefill.toFixed(2)} tok/s, decode ${x.decode.toFixed(2)} tok/s`);
    }
  }
  const results = {};
  for (const impl of impls) {
    const e = engines[impl], rs = rows[impl];
    const pick = (k) => (rs[0][k] == null ? null : med(rs.map((x) => x[k])));
    results[impl] = {
      loadMs: e.loadMs, info: e.info, rounds: rs,
      prefill: pick('prefill'), decode: pick('decode'), cppPrefill: pick('cppPrefill'), cppDecode: pick('cppDecode'),
      ...(await e.finish(rs)),
    };
  }
  return { features: f, userAgent: navigator.userAgent, crossOriginIsolated, results };
}

window.benchResult = q.get('impls') === '' ? null : run().catch((e) => ({ error: String(e?.stack || e) }));
