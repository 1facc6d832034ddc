// Decode and prefill of the Qwen2.5-0.5B-shaped q4 decoder (tools/models/make_decoder.py
// --qwen-0.5b) against ceilings measured in the same engine and run (src/bindings/
// bench_bindings.cc through qwasm's _benchCeilings hook):
//   decode:  bytes read per token (the packed q4 weights of every MatMulNBits, LM head included,
//            plus the float32 KV cache) / time per token, as a fraction of the single-thread
//            streaming-read bandwidth over a buffer of the weights' size;
//   prefill: the MatMulNBits GEMM rate (2 * M * K * N ops over the profiled MatMulNBits time of
//            the 64-token prefill) as a fraction of the relaxed-dot instruction ceiling.
// No Node imports: tools/bench/decoder.mjs (Node) and tools/bench/wllama-page (Chromium) share it.

export const QWEN05B = { layers: 24, hidden: 896, heads: 14, kvHeads: 2, ff: 4864, vocab: 151936, blockSize: 32 };

// The MatMulNBits weights [K, N] make_decoder.py writes: q, k, v, o, gate, up, down per layer,
// then the LM head.
export function linearShapes(s = QWEN05B) {
  const kv = s.kvHeads * (s.hidden / s.heads);
  const layer = [[s.hidden, s.hidden], [s.hidden, kv], [s.hidden, kv], [s.hidden, s.hidden],
    [s.hidden, s.ff], [s.hidden, s.ff], [s.ff, s.hidden]];
  return [...Array.from({ length: s.layers }, () => layer).flat(), [s.hidden, s.vocab]];
}

// Bytes the block kernels read for one q4 weight: per 32-row block and column, 16 bytes of codes,
// a float32 scale and a uint8 zero point, columns in groups of 16 (the packed layout of
// kernels/generic/qblock_common.cc; the model has zero points: make_decoder.py is asymmetric).
export function packedQ4Bytes(K, N, blockSize = 32) {
  return Math.ceil(K / blockSize) * Math.ceil(N / 16) * 16 * (blockSize / 2 + 4 + 1);
}

// Float32 K and V of every layer for `past` positions.
export function kvBytes(past, s = QWEN05B) {
  return s.layers * 2 * s.kvHeads * (s.hidden / s.heads) * 4 * past;
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// The ceilings. `best`: medians of 7 short calls after 3 warm-up calls (an engine tiers a function
// up for its later calls) — what a quiet machine gives. `sustained`: over a window of windowMs of
// back-to-back calls (the harmonic mean of the calls' rates: each call does the same work), which
// sees the same time-sharing as a multi-second decode or prefill on a loaded machine; the fractions
// use it. With cpuNow (ms of CPU time of this process; Node), also the rates per CPU second.
export function measureCeilings(hooks, bytes, { windowMs = 3000, cpuNow = null } = {}) {
  for (let i = 0; i < 3; i++) { hooks.readGBps(bytes); hooks.dotGops(8); hooks.dotGops(12); }
  const bw = [], dot8 = [], dot12 = [];
  for (let i = 0; i < 7; i++) { bw.push(hooks.readGBps(bytes)); dot8.push(hooks.dotGops(8)); dot12.push(hooks.dotGops(12)); }
  const chains = median(dot12) > median(dot8) ? 12 : 8, dot = chains === 12 ? dot12 : dot8;
  const window = (call) => {
    let inv = 0, n = 0, work = 0;
    const t0 = performance.now(), c0 = cpuNow?.();
    while (n < 3 || performance.now() - t0 < windowMs) {
      const a = performance.now();
      const r = call();
      work += r * (performance.now() - a);  // rate x this call's time: its work
      inv += 1 / r;
      n++;
    }
    return { wall: n / inv, cpu: cpuNow ? work / (cpuNow() - c0) : null };
  };
  const rd = window(() => hooks.readGBps(bytes));
  const dt = dot[0] > 0 ? window(() => hooks.dotGops(chains)) : { wall: 0, cpu: null };
  hooks.release();
  return {
    readGBps: rd.wall, dotGops: dt.wall, readGBpsBest: median(bw), dotGopsBest: median(dot),
    readGBpsCpu: rd.cpu, dotGopsCpu: dt.cpu, dotChains: chains,
  };
}

const matmulNBitsMs = (rows) => rows.filter((r) => /MatMulNBits$/.test(r.op)).reduce((a, r) => a + r.ms, 0);

// One generation with the session's profiler on: MatMulNBits time of the prefill (until the
// first token is yielded) and of the decode steps after it.
export async function profileMatMulNBits(lm, prompt, decodeSteps) {
  let prefillRows = null;
  lm.session.startProfiling();
  for await (const _ of lm.generate(prompt, { maxNewTokens: decodeSteps + 1 })) {
    if (!prefillRows) {
      prefillRows = lm.session.endProfiling();
      lm.session.startProfiling();
    }
  }
  const decodeRows = lm.session.endProfiling();
  return { prefillMs: matmulNBitsMs(prefillRows), decodeMs: matmulNBitsMs(decodeRows), stats: { ...lm.lastStats } };
}

// CPU time of a generation (Node: cpuNow = process CPU ms): prefill until the first token is
// yielded, then the decode steps.
export async function cpuTimedGeneration(lm, prompt, decodeSteps, cpuNow) {
  const c0 = cpuNow();
  let c1 = null;
  for await (const _ of lm.generate(prompt, { maxNewTokens: decodeSteps + 1 })) if (c1 === null) c1 = cpuNow();
  return { prefillCpuMs: c1 - c0, decodeCpuMs: cpuNow() - c1 };
}

// The figures, from the decode / prefill rates of the timed runs and the profiled MatMulNBits times
// (and, with cpu, per CPU second against the ceilings per CPU second).
export function ceilingFigures({ promptLen, decodeSteps, decodeTokS, prefillTokS, profile, ceilings, cpu = null, shape = QWEN05B }) {
  const shapes = linearShapes(shape);
  const weightBytes = shapes.reduce((a, [K, N]) => a + packedQ4Bytes(K, N, shape.blockSize), 0);
  const macsPerToken = shapes.reduce((a, [K, N]) => a + K * N, 0);
  // Decode step i (0-based) attends over promptLen + i + 1 positions.
  let kv = 0;
  for (let i = 0; i < decodeSteps; i++) kv += kvBytes(promptLen + i + 1, shape);
  const bytesPerToken = weightBytes + kv / decodeSteps;
  // The fractions take the rates of the profiled generation, which runs right before the ceilings
  // (on a shared machine the load moves between the timed runs and the ceilings); the timed runs'
  // medians (decodeTokS, prefillTokS) give the *Median fractions next to them.
  const st = profile.stats;
  const decodeGBps = (bytesPerToken * st.tokensPerSecond) / 1e9;
  const decodeGBpsMedian = (bytesPerToken * decodeTokS) / 1e9;
  const decodeGemvGBps = (weightBytes * decodeSteps) / (profile.decodeMs * 1e6);
  const prefillOps = 2 * promptLen * macsPerToken;
  const prefillGemmGops = prefillOps / (profile.prefillMs * 1e6);
  const prefillWholeGops = prefillOps / (st.prefillMs * 1e6);
  return {
    weightBytes, bytesPerToken, decodeGBps, decodeGemvGBps, prefillGemmGops, prefillWholeGops,
    readGBps: ceilings.readGBps, dotGops: ceilings.dotGops,
    decodeFraction: decodeGBps / ceilings.readGBps,
    decodeFractionMedian: decodeGBpsMedian / ceilings.readGBps,
    prefillWholeFractionMedian: ceilings.dotGops > 0 ? (prefillOps * prefillTokS) / promptLen / 1e9 / ceilings.dotGops : null,
    profiledDecodeTokS: st.tokensPerSecond, profiledPrefillTokS: (promptLen * 1000) / st.prefillMs,
    decodeGemvFraction: decodeGemvGBps / ceilings.readGBps,
    prefillFraction: ceilings.dotGops > 0 ? prefillGemmGops / ceilings.dotGops : null,
    prefillWholeFraction: ceilings.dotGops > 0 ? prefillWholeGops / ceilings.dotGops : null,
    matmulShareOfPrefill: (profile.prefillMs / profile.stats.prefillMs),
    readGBpsBest: ceilings.readGBpsBest, dotGopsBest: ceilings.dotGopsBest,
    ...(cpu && ceilings.readGBpsCpu ? (() => {
      const decodeCpuGBps = (bytesPerToken * decodeSteps) / (cpu.decodeCpuMs * 1e6);
      // The MatMulNBits part of the prefill's CPU time: its share in the profiled prefill.
      const prefillCpuGops = prefillOps / (cpu.prefillCpuMs * (profile.prefillMs / profile.stats.prefillMs) * 1e6);
      return {
        decodeCpuGBps, prefillCpuGops, readGBpsCpu: ceilings.readGBpsCpu, dotGopsCpu: ceilings.dotGopsCpu,
        decodeCpuFraction: decodeCpuGBps / ceilings.readGBpsCpu,
        prefillCpuFraction: ceilings.dotGopsCpu > 0 ? prefillCpuGops / ceilings.dotGopsCpu : null,
      };
    })() : {}),
  };
}
