// The real-model suite (tests/js/support/real-models.mjs) as a benchmark: each model in qwasm
// and onnxruntime-web (wasm, one thread, same process), warmed up, timed in alternating blocks
// (mediansInterleaved), median ms, the ratio onnxruntime-web / qwasm, and the largest output
// difference against the case's tolerance.
// Models qwasm cannot run yet get a row with the Error it gives.
import * as ort from 'onnxruntime-web';
import { cpus } from 'node:os';
import { createSession, features, Tensor } from 'qwasm';
import { CASES, caseFile, caseSource, feeds, maxAbsDiff, printTable } from '../../tests/js/support/real-models.mjs';
import { median, mediansInterleaved } from './common.mjs';

export async function benchReal(simd, filter = () => true) {
  ort.env.wasm.numThreads = 1;
  // What the figures depend on: the CPU, the build qwasm picked and its relaxed-dot probe class.
  const f = await features({ simd, threads: 1 });
  console.log(JSON.stringify({ bench: 'real/host', cpu: cpus()[0]?.model, node: process.version, variant: f.variant, dot: f.dot }));
  const rows = [];
  for (const c of CASES.filter(filter)) {
    const file = caseFile(c);
    const o = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
    const inputs = c.inputs(o.inputNames);
    const oFeeds = feeds(inputs, (type, data, dims) => new ort.Tensor(type, data, dims));
    const qFeeds = feeds(inputs, (type, data, dims) => new Tensor(type, data, dims));
    const row = { name: c.name, source: caseSource(c), tolerance: c.tolerance };
    const opts = { warmup: 3, runs: 7, warmupMs: 500, minMs: 300 };
    let q;
    try {
      q = await createSession(file, { simd, threads: 1 });
      const got = await q.run(qFeeds);
      const want = await o.run(oFeeds);
      row.maxErr = Math.max(...o.outputNames.map((n) => maxAbsDiff(got[n].data, want[n].data)));
      [row.qMs, row.ortMs] = await mediansInterleaved([() => q.run(qFeeds), () => o.run(oFeeds)], opts);
    } catch (e) {
      row.skipped = e.message;
    } finally {
      q?.dispose();
    }
    row.ortMs ??= await median(() => o.run(oFeeds), opts);
    await o.release();
    rows.push(row);
    console.log(JSON.stringify({ bench: `real/${c.name}`, ...row }));
  }
  console.log();
  printTable(rows);
  return rows;
}
