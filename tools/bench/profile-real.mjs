// Per-op profile of one real-model case (tests/js/support/real-models.mjs) on the case's own
// inputs: node tools/bench/profile-real.mjs NAME_PREFIX  (RUNS=N, BY_SHAPE=1: a row per op and
// its input / output shapes; QWASM_SIMD picks the build). Each row: the median over the runs.
import { createSession, Tensor } from 'qwasm';
import { CASES, caseFile, feeds } from '../../tests/js/support/real-models.mjs';

const c = CASES.find((x) => x.name.startsWith(process.argv[2] ?? ''));
const s = await createSession(caseFile(c), { simd: process.env.QWASM_SIMD || 'auto', threads: 1 });
const f = feeds(c.inputs(s.inputNames), (type, data, dims) => new Tensor(type, data, dims));
for (let i = 0; i < 5; ++i) await s.run(f);  // warm-up (V8 tiers up)
const runs = Number(process.env.RUNS || 20);
const byShape = process.env.BY_SHAPE === '1';
// Each run profiled on its own and each row's median over the runs: on a loaded machine a
// preemption lands in whichever op is running, and a sum would charge it to that op.
const per = new Map();
const walls = [];
for (let i = 0; i < runs; ++i) {
  s.startProfiling({ byShape });
  const t0 = performance.now();
  await s.run(f);
  walls.push(performance.now() - t0);
  for (const r of s.endProfiling()) {
    if (!per.has(r.op)) per.set(r.op, { ms: [], calls: r.calls });
    per.get(r.op).ms.push(r.ms);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = [...per].map(([op, v]) => ({ op, ms: median(v.ms), calls: v.calls })).sort((a, b) => b.ms - a.ms);
const sum = rows.reduce((a, r) => a + r.ms, 0);
console.log(`${c.name} ${s.variant}: median run ${median(walls).toFixed(3)} ms, sum of the op medians ${sum.toFixed(3)} ms`);
for (const r of rows) console.log(`  ${r.op.padEnd(byShape ? 80 : 40)} ${r.ms.toFixed(4).padStart(9)} ms ${String(r.calls).padStart(5)} calls`);
s.dispose();
