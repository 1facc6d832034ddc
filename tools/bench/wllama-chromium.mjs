// qwasm vs wllama 3.8.1 (llama.cpp compiled to wasm) in headless Chromium (Debian's
// /usr/bin/chromium through playwright-core), one thread each, one page: the Qwen2.5-0.5B
// shape (24 layers, hidden 896, 14 heads / 2 KV heads, ff 4864, vocab 151936) with random
// weights — qwasm's q4 MatMulNBits decoder (tools/models/make_decoder.py --qwen-0.5b --external)
// and the same shape as GGUF Q4_0 and Q8_0 (tools/models/make_gguf.mjs). Prefill tokens/s of a
// 64-token prompt and decode tokens/s (16 steps), medians of RUNS rounds after one warm-up round
// (every engine stays loaded and runs once per round), ratios qwasm / wllama as the median of
// the per-round ratios. wllama's figures are timed in the page from the streamed tokens
// (request start to the first token, first to last token); llama.cpp's own timings are printed
// next to them.
//
// Usage: node tools/bench/wllama-chromium.mjs [--json FILE]   (env RUNS=3, IMPLS=wllama-q4_0,wllama-q8_0,qwasm)
// Generates the models into build/bench on the first run (python3 with numpy + onnx for qwasm's).
import { existsSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { writeGguf, QWEN_05B } from '../models/make_gguf.mjs';
import { serve } from '../../scripts/serve.mjs';
import { benchArgs, cpuInfo, generated, launchChromium, pageBenchResult, ROOT, printTable, report, writeJson } from './common.mjs';

const { json } = benchArgs();
const impls = (process.env.IMPLS ?? 'wllama-q4_0,wllama-q8_0,qwasm').split(',');
const B = 'qwen2.5-0.5b-shaped';
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

if (impls.includes('qwasm')) generated('qwen05b_q4/model.onnx', 'tools/models/make_decoder.py', ['--qwen-0.5b', '--external', '--style', 'optimum']);
for (const impl of impls.filter((i) => i.startsWith('wllama-'))) {
  const type = impl.slice(7);
  const file = `${ROOT}build/bench/qwen05b_gguf/qwen05b-${type}.gguf`;
  if (!existsSync(file)) writeGguf(file, { ...QWEN_05B, seed: 1 }, type);
}
if (impls.includes('qwasm') && !existsSync(`${ROOT}dist/qwasm-relaxed.wasm`)) throw new Error('dist/qwasm-relaxed.wasm is missing: build the wasm modules first (scripts/build.sh)');

const load = loadavg();
const { server, url } = await serve(ROOT);
const browser = await launchChromium();
let failed = false;
try {
  const r = await pageBenchResult(browser, `${url}/tools/bench/wllama-page/?impls=${impls.join(',')}&runs=${process.env.RUNS ?? 3}`,
    (m) => { if (process.env.VERBOSE || m.type() === 'error') console.error(`# page: ${m.text()}`); });
  const cpu = cpuInfo();
  console.log(`# cpu: ${cpu.model}, ${cpu.cores} cores (${cpu.flags.join(' ')}); load average before ${load.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`# ${r.userAgent}\n# features: ${JSON.stringify(r.features)} (qwasm runs its relaxed module: dot class ${r.features.dot})`);
  for (const [impl, v] of Object.entries(r.results)) {
    const label = impl === 'qwasm' ? `qwasm-chromium-${r.features.variant}-q4` : `${impl}-chromium`;
    if (impl !== 'qwasm') {
      console.log(`# ${impl}: ${JSON.stringify(v.info)}; file ${(statSync(`${ROOT}build/bench/qwen05b_gguf/qwen05b-${impl.slice(7)}.gguf`).size / 1048576).toFixed(1)} MiB`);
    }
    console.log(`# ${impl} rounds: prefill ${v.rounds.map((x) => x.prefill.toFixed(2)).join(' ')}; decode ${v.rounds.map((x) => x.decode.toFixed(2)).join(' ')}`);
    report(B, label, 'load_time', v.loadMs, 'ms');
    report(B, label, 'prefill_64', v.prefill, 'tokens/s');
    report(B, label, 'decode', v.decode, 'tokens/s');
    if (v.cppPrefill != null) {
      report(B, `${label} (llama.cpp timings)`, 'prefill_64', v.cppPrefill, 'tokens/s');
      report(B, `${label} (llama.cpp timings)`, 'decode', v.cppDecode, 'tokens/s');
    }
  }
  const ratios = [];
  const qw = r.results.qwasm;
  const c = qw?.ceilings;
  if (c) {
    const q = `qwasm-chromium-${r.features.variant}-q4`;
    report(B, q, 'stream_read_ceiling, best short call', c.readGBpsBest, 'GB/s');
    report(B, q, 'stream_read_ceiling (weight-size buffer, sustained 3 s)', c.readGBps, 'GB/s');
    report(B, q, 'decode_bytes_per_token (packed q4 weights + KV)', c.bytesPerToken / 1e6, 'MB');
    report(B, q, 'profiled generation before the ceilings: decode', c.profiledDecodeTokS, 'tokens/s');
    report(B, q, 'profiled generation before the ceilings: prefill_64', c.profiledPrefillTokS, 'tokens/s');
    report(B, q, 'decode_read_rate', c.decodeGBps, 'GB/s');
    report(B, q, 'decode_matmulnbits_read_rate (profiled)', c.decodeGemvGBps, 'GB/s');
    report(B, q, 'relaxed_dot_ceiling, best short call', c.dotGopsBest, 'GOP/s');
    report(B, q, 'relaxed_dot_ceiling (sustained 3 s)', c.dotGops, 'GOP/s');
    report(B, q, 'prefill_matmulnbits_gemm (M=64, profiled)', c.prefillGemmGops, 'GOP/s');
    report(B, q, 'prefill_whole (MatMulNBits ops / prefill time)', c.prefillWholeGops, 'GOP/s');
  }
  for (const impl of impls.filter((i) => i.startsWith('wllama-'))) {
    const w = r.results[impl];
    if (!qw || !w) continue;
    // The median of the per-round ratios (each round runs every engine back to back).
    const paired = (k) => median(qw.rounds.map((x, i) => x[k] / w.rounds[i][k]));
    ratios.push([`prefill_64 tokens/s: qwasm q4 / ${impl} (median of paired rounds)`, paired('prefill'), '>= 6x']);
    ratios.push([`decode tokens/s: qwasm q4 / ${impl} (median of paired rounds)`, paired('decode'), '>= 6x']);
  }
  if (c) {
    ratios.push(['qwasm decode bytes/token / time per token (the profiled generation), fraction of the stream-read ceiling', c.decodeFraction, '>= 0.8']);
    ratios.push(['the same with the rounds\' median decode', c.decodeFractionMedian, '']);
    ratios.push(['qwasm decode MatMulNBits bytes / MatMulNBits time (profiled), fraction of it', c.decodeGemvFraction, '']);
    ratios.push(['qwasm prefill MatMulNBits GEMM (M=64) / relaxed-dot ceiling', c.prefillFraction, '>= 0.7']);
    ratios.push(['qwasm prefill MatMulNBits ops / whole prefill time (the profiled generation), fraction of it', c.prefillWholeFraction, '']);
    ratios.push(['the same with the rounds\' median prefill', c.prefillWholeFractionMedian, '']);
    ratios.push(['MatMulNBits share of the profiled prefill', c.matmulShareOfPrefill, '']);
  }
  printTable(ratios);
  const major = /Chrome\/(\d+)/.exec(r.userAgent)?.[1];
  if (json) writeJson(json, { tool: 'tools/bench/wllama-chromium.mjs', engine: { name: `chromium${major}`, userAgent: r.userAgent, variant: r.features.variant, dot: r.features.dot }, loadavg: load, ratios });
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
