// Browser tests: Debian's Chromium driven headless by playwright-core.
//   - the JS API checks inside a page, for the relaxed and the simd128 build
//   - loading failures, options.wasmPaths and the Cache API model cache (loading-page.mjs)
//   - the demo page (web-demo/), driven like a user, at desktop and phone widths
//   - transformers.js on qwasm against transformers.js on onnxruntime-web
//   - qwasm/quantize in the page on generated float models, and the demo's Quantize panel
// Fails on any failed check, any console error, or when zero checks ran.
// Screenshots: test-results/*.png.  Usage: run.mjs [api|loading|demo|transformers|quantize]...
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';
import { apiSuite } from './api-suite.mjs';
import { demoSuite } from './demo-suite.mjs';
import { loadingSuite } from './loading-suite.mjs';
import { quantizeSuite } from './quantize-suite.mjs';
import { transformersSuite } from './transformers-suite.mjs';
import { Checks, ROOT } from './harness.mjs';

const SUITES = { api: apiSuite, loading: loadingSuite, demo: demoSuite, transformers: transformersSuite, quantize: quantizeSuite };
const chosen = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
for (const s of chosen) if (!SUITES[s]) throw new Error(`unknown suite '${s}' (have: ${Object.keys(SUITES).join(', ')})`);

const { server, url } = await serve(ROOT);
// playwright gives the browser a fresh temporary profile itself.
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
const checks = new Checks();
try {
  for (const s of chosen) await SUITES[s](browser, url, checks);
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${checks.total - checks.failed}/${checks.total} checks passed`);
if (checks.total === 0) console.log('browser: FAILED, zero checks ran');
if (checks.total === 0 || checks.failed) process.exit(1);
