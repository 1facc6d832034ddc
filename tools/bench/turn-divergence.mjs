// Where qwasm and onnxruntime-web first disagree inside turn_detector: a copy of the model
// with every intermediate value as a graph output (tools/models/expose_outputs.py, written to
// build/bench/), run by both on one seeded id sequence; prints, in node order, each value that
// is not bit-identical (elements differing, largest difference) and stops after --max.
// Usage: node tools/bench/turn-divergence.mjs [--n 24] [--simd relaxed|simd128]
//   [--ort-level disabled|all] [--max 15]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { turnDetectorPath } from '../../tests/js/support/turn-detector-model.mjs';
import { BENCH_DIR, ROOT } from './common.mjs';
import { fidelityIds } from './turn-fidelity.mjs';

const arg = (k, d) => { const i = process.argv.indexOf(`--${k}`); return i > 0 ? process.argv[i + 1] : d; };
const n = Number(arg('n', 24)), simd = arg('simd', 'relaxed'), level = arg('ort-level', 'disabled'), max = Number(arg('max', 15));

const exposed = `${BENCH_DIR}/turn_detector_all_outputs.onnx`;
const list = `${exposed}.txt`;
if (!existsSync(exposed)) {
  const names = execFileSync('/usr/bin/python3', [`${ROOT}tools/models/expose_outputs.py`, turnDetectorPath(), exposed]);
  (await import('node:fs')).writeFileSync(list, names);
}
const order = readFileSync(list, 'utf8').trim().split('\n').map((l) => l.split('\t'));

ort.env.wasm.numThreads = 1;
const ids = fidelityIds(n);
const ref = await ort.InferenceSession.create(exposed, { executionProviders: ['wasm'], graphOptimizationLevel: level });
const q = await createSession(exposed, { simd, threads: 1 });
const want = await ref.run({ input_ids: new ort.Tensor('int64', ids, [1, n]) });
const got = await q.run({ input_ids: new Tensor('int64', ids, [1, n]) });
console.log(`n=${n}, qwasm ${q.variant}, onnxruntime-web level ${level}: prob ${got.prob.data[0]} vs ${want.prob.data[0]}`);
let shown = 0;
for (const [name, op] of order) {
  const a = got[name]?.data, b = want[name]?.data;
  if (!a || !b) { console.log(`  ${op} ${name}: missing (${!a ? 'qwasm' : 'ort'})`); continue; }
  if (a.length !== b.length) { console.log(`  ${op} ${name}: sizes ${a.length} vs ${b.length}`); if (++shown >= max) break; continue; }
  let diff = 0, worst = 0, at = -1;
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) {
      diff++;
      const d = Math.abs(Number(a[i]) - Number(b[i]));
      if (d > worst || at < 0) { worst = d; at = i; }
    }
  }
  if (diff) {
    console.log(`  ${op} ${name}: ${diff}/${a.length} differ, worst |d| ${worst} at ${at} (qwasm ${a[at]}, ort ${b[at]})`);
    if (++shown >= max) break;
  }
}
q.dispose();
await ref.release();
