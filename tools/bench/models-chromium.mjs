// The model benchmarks in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core): qwasm vs onnxruntime-web in one page, one thread each. Chromium's
// relaxed-dot class differs from Node's (see features().dot in the output), so this shows
// what the relaxed kernels do where the engine lowers the dot product to VNNI.
// Usage: node tools/bench/models-chromium.mjs [bert] [mobilenet] [turn] [--json FILE]   (run tools/bench/models.mjs
// first: it generates and fetches the models into build/bench)
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';
import { benchArgs, cpuInfo, ROOT, printTable, report, writeJson } from './common.mjs';

const { args, json } = benchArgs();
const names = args.length ? args : ['bert', 'mobilenet', 'turn'];
const files = { bert: 'build/bench/bert_base_qdynamic.onnx', mobilenet: 'build/bench/mobilenetv2_qdq.onnx',
  turn: 'build/bench/livekit/package/dist/turn_detector.onnx' };
for (const n of names) {
  if (!files[n]) throw new Error(`unknown bench '${n}'`);
  if (!existsSync(ROOT + files[n])) throw new Error(`${files[n]} is missing: run tools/bench/models.mjs ${n} first`);
}

const { server, url } = await serve(ROOT);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${url}/tools/bench/models-page/?benches=${names.join(',')}&warmup=${process.env.WARMUP ?? 3}`);
  const r = await page.evaluate(() => window.benchResult, undefined, { timeout: 0 });
  if (r.error) throw new Error(r.error);
  const cpu = cpuInfo();
  console.log(`# cpu: ${cpu.model} (${cpu.flags.join(' ')})\n# ${r.userAgent}\n# features: ${JSON.stringify(r.features)}`);
  const ratios = [];
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
