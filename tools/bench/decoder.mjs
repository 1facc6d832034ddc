// Decoder benchmark on a generated Qwen2.5-0.5B-shaped q4 model with external
// data: load time, prefill tokens/s (64-token prompt), decode tokens/s, and peak
// load memory (each measured in a fresh child process) — qwasm vs onnxruntime-web; and qwasm's
// decode / prefill against the read-bandwidth and relaxed-dot ceilings of the same engine and run
// (tools/bench/decoder-ceilings.mjs).
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import * as ort from 'onnxruntime-web';
import { _benchCeilings } from 'qwasm';
import { loadCausalLM } from 'qwasm/llm';
import { find, generated, report } from './common.mjs';
import { ceilingFigures, cpuTimedGeneration, measureCeilings, profileMatMulNBits } from './decoder-ceilings.mjs';

const PROMPT = Array.from({ length: 64 }, (_, i) => (i * 7919) % 150000);
const DECODE = 16;

// onnxruntime-web needs the external-data bytes handed over whole (it holds them in the JS heap).
export function ortOptions(model) {
  return {
    executionProviders: ['wasm'],
    externalData: [{ path: `${basename(model)}.data`, data: new Uint8Array(readFileSync(`${model}.data`)) }],
  };
}

async function ortDecode(model) {
  const t0 = performance.now();
  const s = await ort.InferenceSession.create(model, ortOptions(model));
  const loadMs = performance.now() - t0;
  const meta = new Map(s.inputMetadata.map((m) => [m.name, m]));
  const pastNames = s.inputNames.filter((n) => n.startsWith('past_key_values.'));
  let past = Object.fromEntries(pastNames.map((n) => {
    const [, h, , d] = meta.get(n).shape;
    return [n, new ort.Tensor('float32', new Float32Array(0), [1, h, 0, d])];
  }));
  let ids = PROMPT, len = 0, prefillMs = 0, decodeMs = 0;
  for (let step = 0; step <= DECODE; step++) {
    const n = ids.length;
    const feeds = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(len + n).fill(1n), [1, len + n]),
      ...past,
    };
    if (meta.has('position_ids')) feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: n }, (_, i) => BigInt(len + i)), [1, n]);
    const a = performance.now();
    const r = await s.run(feeds);
    if (step === 0) prefillMs = performance.now() - a; else decodeMs += performance.now() - a;
    const v = r.logits.dims[2], base = r.logits.data.length - v;
    let best = 0;
    for (let i = 1; i < v; i++) if (r.logits.data[base + i] > r.logits.data[base + best]) best = i;
    past = Object.fromEntries(pastNames.map((p) => [p, r[p.replace('past_key_values', 'present')]]));
    len += n;
    ids = [best];
  }
  await s.release();
  return { loadMs, prefillMs, decodeMs };
}

// The ceilings in this engine and run, and decode / prefill as fractions of them (a profiled
// generation gives the MatMulNBits share; the fractions use the timed, unprofiled rates against
// the sustained ceilings, and a CPU-timed generation against the ceilings per CPU second).
async function ceilingRows(B, simd, lm, prefillTokS, decodeTokS) {
  const profile = await profileMatMulNBits(lm, PROMPT, DECODE);
  const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const cpu = await cpuTimedGeneration(lm, PROMPT, DECODE, cpuNow);
  const f0 = ceilingFigures({ promptLen: PROMPT.length, decodeSteps: DECODE, decodeTokS, prefillTokS, profile, ceilings: { readGBps: 1, dotGops: 1 } });
  const ceilings = measureCeilings(await _benchCeilings(simd, 1), f0.weightBytes, { cpuNow });
  const f = ceilingFigures({ promptLen: PROMPT.length, decodeSteps: DECODE, decodeTokS, prefillTokS, profile, ceilings, cpu });
  const q = `qwasm-${simd}`;
  report(B, q, 'stream_read_ceiling, best short call', f.readGBpsBest, 'GB/s');
  report(B, q, 'stream_read_ceiling (weight-size buffer, sustained 3 s)', f.readGBps, 'GB/s');
  report(B, q, 'decode_bytes_per_token (packed q4 weights + KV)', f.bytesPerToken / 1e6, 'MB');
  report(B, q, 'decode_read_rate', f.decodeGBps, 'GB/s');
  report(B, q, 'decode_matmulnbits_read_rate (profiled)', f.decodeGemvGBps, 'GB/s');
  report(B, q, 'profiled generation before the ceilings: decode', f.profiledDecodeTokS, 'tokens/s');
  report(B, q, 'profiled generation before the ceilings: prefill_64', f.profiledPrefillTokS, 'tokens/s');
  const rows = [
    ['decode bytes/token / time per token (the profiled generation), fraction of the stream-read ceiling', f.decodeFraction, '>= 0.8'],
    ['the same with the timed runs\' decode', f.decodeFractionMedian, ''],
    ['decode MatMulNBits weight bytes / MatMulNBits time (profiled), fraction of the stream-read ceiling', f.decodeGemvFraction, ''],
  ];
  if (f.dotGops > 0) {
    report(B, q, 'relaxed_dot_ceiling, best short call', f.dotGopsBest, 'GOP/s');
    report(B, q, 'relaxed_dot_ceiling (sustained 3 s)', f.dotGops, 'GOP/s');
    report(B, q, 'prefill_matmulnbits_gemm (M=64, profiled)', f.prefillGemmGops, 'GOP/s');
    report(B, q, 'prefill_whole (MatMulNBits ops / prefill time)', f.prefillWholeGops, 'GOP/s');
    rows.push(['prefill MatMulNBits GEMM (M=64) / relaxed-dot ceiling', f.prefillFraction, '>= 0.7']);
    rows.push(['prefill MatMulNBits ops / whole prefill time (the profiled generation), fraction of the relaxed-dot ceiling', f.prefillWholeFraction, '']);
    rows.push(['the same with the timed runs\' prefill', f.prefillWholeFractionMedian, '']);
  }
  rows.push(['MatMulNBits share of the profiled prefill', f.matmulShareOfPrefill, '']);
  if (f.decodeCpuGBps != null) {
    report(B, q, 'per CPU second: stream_read_ceiling', f.readGBpsCpu, 'GB/s');
    report(B, q, 'per CPU second: decode_read_rate', f.decodeCpuGBps, 'GB/s');
    if (f.dotGopsCpu > 0) {
      report(B, q, 'per CPU second: relaxed_dot_ceiling', f.dotGopsCpu, 'GOP/s');
      report(B, q, 'per CPU second: prefill_matmulnbits_gemm', f.prefillCpuGops, 'GOP/s');
    }
  }
  // Per CPU second of this process (immune to time-sharing on a loaded machine).
  if (f.decodeCpuFraction != null) rows.push(['decode, per CPU second: fraction of the stream-read ceiling per CPU second', f.decodeCpuFraction, '>= 0.8']);
  if (f.prefillCpuFraction != null) rows.push(['prefill MatMulNBits GEMM, per CPU second: fraction of the relaxed-dot ceiling per CPU second', f.prefillCpuFraction, '>= 0.7']);
  return rows;
}

function peakLoadMemory(impl, model, simd, warmModel) {
  const args = [new URL('./load-memory.mjs', import.meta.url).pathname, impl, model, simd, ...(warmModel ? [warmModel] : [])];
  const out = execFileSync(process.execPath, args);
  return JSON.parse(out.toString().trim().split('\n').pop());
}

export async function benchDecoder(simd, threads = 1) {
  const model = generated('qwen05b_q4/model.onnx', 'tools/models/make_decoder.py', ['--qwen-0.5b', '--external', '--style', 'optimum']);
  const bytes = statSync(model).size + statSync(`${model}.data`).size;
  const B = 'qwen2.5-0.5b-shaped-q4';
  report(B, 'model', 'file_size', bytes / 1048576, 'MiB');

  // allLogits: the LM head over every prompt position, as onnxruntime-web runs the graph (like
  // for like; the ceilings count its multiply-adds). The generate path's default (the LM head
  // on the last position only) is measured after it.
  let t0 = performance.now();
  const lm = await loadCausalLM(model, { simd, threads: 1, allLogits: true });
  report(B, `qwasm-${simd}`, 'load_time', performance.now() - t0, 'ms');
  for await (const _ of lm.generate(PROMPT, { maxNewTokens: DECODE + 1 }));
  const st = lm.lastStats;
  report(B, `qwasm-${simd}`, 'prefill_64', (PROMPT.length * 1000) / st.prefillMs, 'tokens/s');
  report(B, `qwasm-${simd}`, 'decode', st.tokensPerSecond, 'tokens/s');
  const ceil = await ceilingRows(B, simd, lm, (PROMPT.length * 1000) / st.prefillMs, st.tokensPerSecond);
  lm.dispose();
  const lg = await loadCausalLM(model, { simd, threads: 1 });
  for await (const _ of lg.generate(PROMPT, { maxNewTokens: DECODE + 1 }));
  report(B, `qwasm-${simd}`, 'prefill_64, generate path (LM head on the last position)', (PROMPT.length * 1000) / lg.lastStats.prefillMs, 'tokens/s');
  report(B, `qwasm-${simd}`, 'decode, generate path', lg.lastStats.tokensPerSecond, 'tokens/s');
  lg.dispose();

  // The same on `threads` threads (information; the targets are single-threaded).
  const threadRatios = [];
  if (threads > 1) {
    const lt = await loadCausalLM(model, { simd, threads, allLogits: true });
    for await (const _ of lt.generate(PROMPT, { maxNewTokens: DECODE + 1 }));
    const label = `qwasm-${simd}-threads${threads}`;
    report(B, label, 'prefill_64', (PROMPT.length * 1000) / lt.lastStats.prefillMs, 'tokens/s');
    report(B, label, 'decode', lt.lastStats.tokensPerSecond, 'tokens/s');
    lt.dispose();
    threadRatios.push([`decode: qwasm ${threads} threads vs 1`, find(B, label, 'decode') / find(B, `qwasm-${simd}`, 'decode'), 'report']);
    threadRatios.push([`prefill: qwasm ${threads} threads vs 1`, find(B, label, 'prefill_64') / find(B, `qwasm-${simd}`, 'prefill_64'), 'report']);
  }

  const o = await ortDecode(model);
  report(B, 'onnxruntime-web', 'load_time', o.loadMs, 'ms');
  report(B, 'onnxruntime-web', 'prefill_64', (PROMPT.length * 1000) / o.prefillMs, 'tokens/s');
  report(B, 'onnxruntime-web', 'decode', (DECODE * 1000) / o.decodeMs, 'tokens/s');

  const mq = peakLoadMemory('qwasm', model, simd);
  const mo = peakLoadMemory('onnxruntime-web', model, simd);
  report(B, `qwasm-${simd}`, 'peak_load_rss_above_baseline', mq.peakMiB, 'MiB');
  report(B, 'onnxruntime-web', 'peak_load_rss_above_baseline', mo.peakMiB, 'MiB');
  report(B, `qwasm-${simd}`, 'held_after_load', mq.heldMiB, 'MiB');
  // The same load in a process that already loaded the small embedded model once.
  const mw = peakLoadMemory('qwasm', model, simd, new URL('../../models/tinylm/onnx/model_q4.onnx', import.meta.url).pathname);
  report(B, `qwasm-${simd}`, 'peak_load_rss_above_baseline_after_a_first_load', mw.peakMiB, 'MiB');
  const q = `qwasm-${simd}`;
  const targets = [
    ['decode tokens/s vs onnxruntime-web', find(B, q, 'decode') / find(B, 'onnxruntime-web', 'decode'), '>= 4x'],
    ['prefill tokens/s vs onnxruntime-web', find(B, q, 'prefill_64') / find(B, 'onnxruntime-web', 'prefill_64'), '>= 2x'],
    ['prefill, generate path (LM head on the last position) vs onnxruntime-web (all positions)',
      find(B, q, 'prefill_64, generate path (LM head on the last position)') / find(B, 'onnxruntime-web', 'prefill_64'), ''],
    ['qwasm peak load memory / (packed weights + graph held after load)', mq.peakMiB / mq.heldMiB, '<= 1.1'],
    ['qwasm peak load memory / model file size', mq.peakMiB / (bytes / 1048576), ''],
    ['the same after a first (3 MB) load in the process / held after load', mw.peakMiB / mq.heldMiB, ''],
    ['qwasm peak load memory / onnxruntime-web', mq.peakMiB / mo.peakMiB, '<= 0.6'],
    ...ceil,
  ];
  return { targets, threads: threadRatios };
}
