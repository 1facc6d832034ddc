// Per-op profile of one real-model case (tests/js/support/real-models.mjs) on the case's own
// inputs: node tools/bench/profile-real.mjs NAME_PREFIX  (RUNS=N, BY_SHAPE=1: a row per op and
// its input / output shapes; QWASM_SIMD picks the build).
import { createSession, Tensor } from 'qwasm';
import { CASES, caseFile, feeds } from '../../tests/js/support/real-models.mjs';

const c = CASES.find((x) => x.name.startsWith(process.argv[2] ?? ''));
const s = await createSession(caseFile(c), { simd: process.env.QWASM_SIMD || 'auto', threads: 1 });
const f = feeds(c.inputs(s.inputNames), (type, data, dims) => new Tensor(type, data, dims));
for (let i = 0; i < 5; ++i) await s.run(f);  // warm-up (V8 tiers up)
const runs = Number(process.env.RUNS || 20);
const byShape = process.env.BY_SHAPE === '1';
s.startProfiling({ byShape });
const t0 = performance.now();
for (let i = 0; i < runs; ++i) await s.run(f);
const total = (performance.now() - t0) / runs;
const rows = s.endProfiling();
console.log(`${c.name} ${s.variant}: ${total.toFixed(2)} ms/run`);
for (const r of rows) console.log(`  ${r.op.padEnd(byShape ? 80 : 40)} ${(r.ms / runs).toFixed(3).padStart(9)} ms/run ${(r.calls / runs).toFixed(0).padStart(5)} calls`);
s.dispose();
