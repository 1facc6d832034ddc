// The JS API checks of api-page.mjs, run inside Chromium for both wasm builds
// (simd128 forced with simd: 'simd128').
import { screenshot, watchErrors } from './harness.mjs';

export async function apiSuite(browser, url, checks) {
  for (const simd of ['relaxed', 'simd128']) {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(`${url}/tests/browser/api-page.html?simd=${simd}`);
    const ok = await checks.check(`[api ${simd}] page finished`, () =>
      page.waitForFunction(() => window.__qwasmResults, null, { timeout: 60000 }));
    const results = ok ? await page.evaluate(() => window.__qwasmResults) : [];
    for (const r of results) checks.record(`[api ${simd}] ${r.name}`, r.ok, r.error);
    checks.record(`[api ${simd}] ran at least 5 checks`, results.length >= 5, `ran ${results.length}`);
    checks.record(`[api ${simd}] no console errors`, errors.length === 0, errors.join('\n     '));
    await screenshot(page, `browser-api-${simd}`);
    await page.close();
  }
}
