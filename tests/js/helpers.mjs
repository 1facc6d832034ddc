// Shared by the JS API tests: fixture paths and the wasm variant under test
// (QWASM_SIMD=relaxed|simd128|auto, default auto; QWASM_THREADS=N, default: the package's
// default, which in Node is the threaded build on all cores up to 4).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATA = fileURLToPath(new URL('../data/', import.meta.url));
export const SIMD = process.env.QWASM_SIMD || 'auto';
export const fixture = (name) => DATA + name;
export const fixtureBytes = (name) => new Uint8Array(readFileSync(DATA + name));
export const THREADS = process.env.QWASM_THREADS ? Number(process.env.QWASM_THREADS) : undefined;
export const opts = (extra = {}) => ({ simd: SIMD, threads: THREADS, ...extra });

// Cosine similarity of two equal-length arrays (the quantizer tests' accuracy measure).
export function cosine(a, b) {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < a.length; ++i) { ab += a[i] * b[i]; aa += a[i] * a[i]; bb += b[i] * b[i]; }
  return ab / Math.sqrt(aa * bb);
}

// Fixed feeds for the generated bert-tiny (tools/models/make_hf_models.py): 2 x seq token ids,
// all-ones mask, zero token types; T(type, data, dims) makes one implementation's tensor.
export function bertTinyFeeds(T, seq) {
  const ids = BigInt64Array.from({ length: 2 * seq }, (_, i) => BigInt(5 + ((i * 37) % 300)));
  return {
    input_ids: new T('int64', ids, [2, seq]),
    attention_mask: new T('int64', new BigInt64Array(2 * seq).fill(1n), [2, seq]),
    token_type_ids: new T('int64', new BigInt64Array(2 * seq), [2, seq]),
  };
}

// Runs fn while a 2 ms main-thread timer ticks: { value, ticks, maxGap (ms), ms } shows whether
// the main thread kept running timers while fn's work ran elsewhere (a worker).
export async function withHeartbeat(fn) {
  let last = performance.now(), maxGap = 0, ticks = 0;
  const beat = setInterval(() => {
    const now = performance.now();
    maxGap = Math.max(maxGap, now - last);
    last = now;
    ticks++;
  }, 2);
  const t0 = performance.now();
  try {
    const value = await fn();
    return { value, ticks, maxGap, ms: performance.now() - t0 };
  } finally {
    clearInterval(beat);
  }
}
