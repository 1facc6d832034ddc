// The loading page (loading-page.mjs): failures name their URL and never hang, and the
// Cache API model cache makes the second load without a request for the model's files;
// worker mode keeps the page responsive during a generation.
import { assert, screenshot, watchErrors } from './harness.mjs';

const MODEL_FILES = /\/models\/tinylm\/onnx\/model_q4\.onnx(_data)?$/;

export async function loadingSuite(browser, url, checks) {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const modelRequests = [];
  page.on('request', (r) => {
    if (MODEL_FILES.test(r.url())) modelRequests.push(r.url());
  });
  await page.goto(`${url}/tests/browser/loading-page.html`);
  const ok = await checks.check('[loading] page finished', () =>
    page.waitForFunction(() => window.__qwasmResults, null, { timeout: 120000 }));
  const results = ok ? await page.evaluate(() => window.__qwasmResults) : [];
  for (const r of results) checks.record(`[loading] ${r.name}`, r.ok, r.error);
  const beat = ok ? await page.evaluate(() => window.__qwasmHeartbeat) : {};
  console.log(`     heartbeat during 64 tokens: ${JSON.stringify(beat)}`);
  checks.record('[loading] ran at least 5 checks', results.length >= 5, `ran ${results.length}`);
  // Three cached loads, the second from the cache: 2 files x 2 downloads.
  await checks.check('[loading] the cached load made no request for the model files', () => {
    assert(modelRequests.length === 4, `model file requests: ${modelRequests.length}\n     ${modelRequests.join('\n     ')}`);
  });
  // The expected failures: the /missing/ files (404s, and Chromium's console line for each).
  const unexpected = errors.filter((e) => !e.includes('/missing/') &&
    !/^console: Failed to load resource: the server responded with a status of 404/.test(e));
  checks.record('[loading] no console errors but the expected 404s', unexpected.length === 0, unexpected.join('\n     '));
  await screenshot(page, 'browser-loading');
  await page.close();
}
