// qwasm/quantize with { worker: true }: the quantizer runs in the worker_thread of worker
// mode. The bytes it returns are the in-process ones (same C++ quantizer), progress and
// errors cross over, a signal aborts it, the main thread keeps ticking while it works, and
// the worker ends with the call.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { hfModels } from './support/hf-models.mjs';
import { bertTinyFeeds, opts, withHeartbeat } from './helpers.mjs';

const FLOAT = `${hfModels()}/bert-tiny/onnx/model.onnx`;
const floatBytes = new Uint8Array(readFileSync(FLOAT));
const calibration = { data: [bertTinyFeeds(Tensor, 9), bertTinyFeeds(Tensor, 5)] };
const same = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

for (const c of [
  { name: 'weight-only 4-bit', options: { mode: 'weight-only', weights: { bits: 4, blockSize: 32 } } },
  { name: 'static with calibration feeds', options: { mode: 'static', calibration, keepFloat: 0 } },
]) {
  test(`${c.name}: the worker returns the in-process bytes and report, with progress`, async () => {
    const here = await quantize(floatBytes, opts(c.options));
    const events = [];
    const { value: there, ticks, maxGap } = await withHeartbeat(() =>
      quantize(floatBytes, opts({ ...c.options, worker: true, onProgress: (p) => events.push(p.phase) })));
    console.log(`# ${c.name} in the worker: main-thread heartbeat ${ticks} ticks, longest gap ${maxGap.toFixed(1)} ms`);
    assert.ok(there.model instanceof Uint8Array);
    assert.ok(same(there.model, here.model), `worker model ${there.model.length} B differs from the in-process ${here.model.length} B`);
    assert.deepEqual(there.report, here.report);
    assert.equal(there.sourceBytes, here.sourceBytes);
    assert.ok(events.includes('read') && events.includes('quantize'), `progress phases seen: ${[...new Set(events)]}`);
    assert.ok(ticks > 0, 'the main thread never ran a timer while the worker quantized');
  });
}

test('worker mode: errors name what was wrong, an aborted call rejects, the source is untouched', async () => {
  const before = floatBytes.slice();
  // An option error is thrown before any worker starts, as a real TypeError.
  await assert.rejects(quantize(floatBytes, opts({ mode: 'static', worker: true })), (e) => e instanceof TypeError && /calibration data/.test(e.message));
  // Errors from inside the worker keep their message.
  await assert.rejects(quantize(new Uint8Array([1, 2, 3, 4]), opts({ worker: true })), (e) => e instanceof Error && /model/i.test(e.message));
  const badFeed = { data: [{ input_ids: { type: 'int64', data: 'nope', dims: [1] } }] };
  await assert.rejects(quantize(floatBytes, opts({ mode: 'static', calibration: badFeed, worker: true })), /calibration feed 0, input 'input_ids'/);
  const ac = new AbortController();
  ac.abort(new Error('stop here'));
  await assert.rejects(quantize(floatBytes, opts({ worker: true, signal: ac.signal })), /stop here/);
  const ac2 = new AbortController();
  const p = quantize(floatBytes, opts({ mode: 'static', calibration, keepFloat: 'auto', worker: true, signal: ac2.signal, onProgress: () => ac2.abort() }));
  await assert.rejects(p, (e) => e.name === 'AbortError' || /abort/i.test(e.message));
  assert.ok(same(floatBytes, before), 'the source bytes changed');
  // The worker still works after the failures.
  const ok = await quantize(floatBytes, opts({ worker: true }));
  assert.ok(ok.report.some((r) => r.action === 'MatMulNBits'));
});
