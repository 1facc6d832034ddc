// transformers.js on qwasm in Chromium (transformers-page.mjs), on model folders generated here.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, screenshot, watchErrors } from './harness.mjs';

export async function transformersSuite(browser, url, checks) {
  execFileSync('/usr/bin/python3', [join(ROOT, 'tools/models/make_hf_models.py'), join(ROOT, 'build/hf-browser')], { stdio: 'pipe' });
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${url}/tests/browser/transformers-page.html`);
  const ok = await checks.check('[transformers.js] page finished', () =>
    page.waitForFunction(() => window.__qwasmResults, null, { timeout: 180000 }));
  const results = ok ? await page.evaluate(() => window.__qwasmResults) : [];
  for (const r of results) checks.record(`[transformers.js] ${r.name}`, r.ok, r.error);
  checks.record('[transformers.js] ran 4 checks', results.length === 4, `ran ${results.length}`);
  checks.record('[transformers.js] no console errors', errors.length === 0, errors.join('\n     '));
  await screenshot(page, 'browser-transformers');
  await page.close();
}
