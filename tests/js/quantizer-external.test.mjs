// qwasm/quantize on a source with external data (the float bert-tiny of
// tools/models/make_hf_models.py re-saved by onnx with its weights in 'src.onnx_data',
// tools/models/to_external_data.py): the result is self-contained. Float tensors it keeps are
// copied into the output (inline, or into the output's own external file with
// externalDataThreshold), so it loads in qwasm and onnxruntime-web from only what quantize()
// returned, and it equals the model quantized from the inline original.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ortweb from 'onnxruntime-web';
import { createSession, Tensor } from 'qwasm';
import { quantize } from 'qwasm/quantize';
import { hfModels } from './support/hf-models.mjs';
import { bertTinyFeeds, cosine, opts } from './helpers.mjs';

ortweb.env.wasm.numThreads = 1;
const ROOT = new URL('../../', import.meta.url).pathname;
const FLOAT = `${hfModels()}/bert-tiny/onnx/model.onnx`;
const dir = mkdtempSync(join(tmpdir(), 'qwasm-quantize-ext-'));
const SRC = join(dir, 'src.onnx');
execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/to_external_data.py'), FLOAT, SRC, 'src.onnx_data', '1024'], { stdio: 'pipe' });
const inlineBytes = new Uint8Array(readFileSync(FLOAT));
const srcBytes = new Uint8Array(readFileSync(SRC));
const srcData = [{ path: 'src.onnx_data', data: new Uint8Array(readFileSync(join(dir, 'src.onnx_data'))) }];
const SEQ = 9;

const feeds = (T) => bertTinyFeeds(T, SEQ);
// Both load from bytes, with external files only from `externalData`: nothing on disk is read.
async function runQwasm(model, externalData) {
  const s = await createSession(model, opts(externalData ? { externalData } : {}));
  const { last_hidden_state: y } = await s.run(feeds(Tensor));
  s.dispose();
  return y.data;
}
async function runOrt(model, externalData) {
  const s = await ortweb.InferenceSession.create(model, externalData ? { externalData } : {});
  const { last_hidden_state: y } = await s.run(feeds(ortweb.Tensor));
  await s.release();
  return y.data;
}
const floatOut = await runOrt(inlineBytes);

test('the generated source really keeps its weights in src.onnx_data', () => {
  assert.ok(srcData[0].data.length > 4 * srcBytes.length, `${srcData[0].data.length} external bytes, ${srcBytes.length} model bytes`);
});

const MODES = [
  { name: 'weight-only 4-bit', options: { mode: 'weight-only', weights: { bits: 4, blockSize: 32 } }, cos: 0.99 },
  { name: 'dynamic int8', options: { mode: 'dynamic' }, cos: 0.999 },
];
for (const m of MODES) {
  for (const threshold of [0, 1024]) {
    const name = `${m.name}, ${threshold ? `externalDataThreshold ${threshold}` : 'no threshold'}`;
    test(`${name}: self-contained, runs in qwasm and onnxruntime-web from the result alone`, async () => {
      const options = { ...m.options, ...(threshold ? { externalDataThreshold: threshold, externalDataName: 'q.onnx_data' } : {}) };
      const { model, externalData, report } = await quantize(srcBytes, { ...options, externalData: srcData });
      assert.equal(report.filter((r) => r.action !== 'float').length, 12, JSON.stringify(report));
      assert.ok(!Buffer.from(model).includes('src.onnx_data'), 'the output still names the source\'s data file');
      if (threshold) {
        assert.equal(externalData?.length, 1);
        assert.equal(externalData[0].path, 'q.onnx_data');
        // the embeddings (float, kept) are there too: more than the quantized weights alone
        assert.ok(externalData[0].data.length > model.length, `${externalData[0].data.length} external bytes, ${model.length} model bytes`);
      } else {
        assert.equal(externalData, undefined);
      }
      // the same bytes as quantizing the inline original
      const ref = await quantize(inlineBytes, options);
      assert.deepEqual(model, ref.model);
      assert.deepEqual(externalData, ref.externalData);
      const q = await runQwasm(model, externalData);
      const o = await runOrt(model, externalData);
      assert.ok(cosine(q, floatOut) >= m.cos, `qwasm vs float: cosine ${cosine(q, floatOut)}`);
      assert.ok(cosine(o, floatOut) >= m.cos, `onnxruntime-web vs float: cosine ${cosine(o, floatOut)}`);
      assert.ok(cosine(q, o) >= m.cos, `qwasm vs onnxruntime-web: cosine ${cosine(q, o)}`);
    });
  }
}

test('a source data file that is too short is a clear Error naming it', async () => {
  const short = [{ path: 'src.onnx_data', data: srcData[0].data.subarray(0, 1000) }];
  await assert.rejects(quantize(srcBytes, { weights: { bits: 4 }, externalData: short }), /external data file 'src.onnx_data' is too short for initializer/);
});
