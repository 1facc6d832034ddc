// turn_detector fidelity: qwasm's `prob` against onnxruntime-web (wasm, one thread, default
// session options) on seeded random token ids at lengths 8, 12, ..., 120 (29 lengths),
// compared in logit; and qwasm's relaxed and simd128 builds against each other, bit for bit.
// Usage: node tools/bench/turn-fidelity.mjs [--tolerance 1e-4] [--ort-level all|disabled]
// [--variants relaxed,simd128]. Shared with
// tests/js/turn-fidelity.test.mjs through measureTurnFidelity().
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { turnDetectorPath } from '../../tests/js/support/turn-detector-model.mjs';
import { rng } from '../../tests/js/support/real-models.mjs';

export const LENGTHS = Array.from({ length: 29 }, (_, i) => 8 + 4 * i);
const VOCAB = 49155;
export const logit = (p) => Math.log(p / (1 - p));

export function fidelityIds(n) {
  const r = rng(1000 + n);
  return BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * VOCAB)));
}

// ortLevel: onnxruntime's graphOptimizationLevel ('all' is its default; 'disabled' runs the
// graph's own nodes, which is what the ONNX spec defines).
export async function measureTurnFidelity({ tolerance = 1e-4, variants = ['relaxed', 'simd128'], ortLevel = 'all', log = () => {} } = {}) {
  ort.env.wasm.numThreads = 1;
  const model = turnDetectorPath();
  const ref = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: ortLevel });
  const sessions = {};
  for (const v of variants) sessions[v] = await createSession(model, { simd: v, threads: 1 });
  const rows = [];
  try {
    for (const n of LENGTHS) {
      const ids = fidelityIds(n);
      const want = (await ref.run({ input_ids: new ort.Tensor('int64', ids, [1, n]) })).prob.data[0];
      const row = { n, ort: want };
      for (const v of variants) row[v] = (await sessions[v].run({ input_ids: new Tensor('int64', ids, [1, n]) })).prob.data[0];
      rows.push(row);
      log(`${n}\tort ${want.toPrecision(8)}\t` + variants.map((v) => `${v} ${row[v].toPrecision(8)} (logit diff ${(logit(row[v]) - logit(want)).toExponential(2)})`).join('\t'));
    }
  } finally {
    for (const s of Object.values(sessions)) s.dispose();
    await ref.release();
  }
  const summary = {};
  for (const v of variants) {
    const d = rows.map((r) => Math.abs(logit(r[v]) - logit(r.ort)));
    summary[v] = { within: d.filter((x) => x <= tolerance).length, worst: Math.max(...d) };
  }
  if (variants.length === 2) {
    const [a, b] = variants;
    const d = rows.map((r) => Math.abs(logit(r[a]) - logit(r[b])));
    summary.bitwiseEqual = rows.filter((r) => Object.is(r[a], r[b])).length;
    summary.crossWorst = Math.max(...d);
  }
  return { rows, summary };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
  const tolerance = Number(arg('tolerance', 1e-4)), ortLevel = arg('ort-level', 'all');
  const variants = arg('variants', 'relaxed,simd128').split(',');
  const { summary } = await measureTurnFidelity({ tolerance, variants, ortLevel, log: console.log });
  console.log(`\nof ${LENGTHS.length} lengths, within ${tolerance} in logit of onnxruntime-web (graphOptimizationLevel ${ortLevel}):`);
  for (const [k, v] of Object.entries(summary)) if (v.within !== undefined) console.log(`  ${k}: ${v.within} (worst ${v.worst.toExponential(3)})`);
  if (summary.bitwiseEqual !== undefined) console.log(`${variants.join(' == ')} bitwise: ${summary.bitwiseEqual} of ${LENGTHS.length} (worst logit difference ${summary.crossWorst.toExponential(3)})`);
}
