// Browser tests: Debian's Chromium driven headless by playwright-core.
// Runs the JS API page for both wasm variants; fails on any failed check,
// any console error, or zero checks.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serve } from '../../scripts/serve.mjs';

const root = new URL('../../', import.meta.url).pathname;
const { server, url } = await serve(root);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
let failed = 0, total = 0;
try {
  for (const simd of ['relaxed', 'simd128']) {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(`${url}/tests/browser/api-page.html?simd=${simd}`);
    await page.waitForFunction(() => window.__qwasmResults, null, { timeout: 60000 });
    const results = await page.evaluate(() => window.__qwasmResults);
    for (const r of results) {
      total++;
      if (!r.ok) failed++;
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} [chromium ${simd}] ${r.name}${r.ok ? '' : '\n' + r.error}`);
    }
    // Failed fetches of deliberately missing files are not console errors here; anything else is.
    for (const e of consoleErrors) { failed++; console.log(`FAIL [chromium ${simd}] console error: ${e}`); }
    mkdirSync(join(root, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-results', `browser-api-${simd}.png`) });
    await page.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`browser: ${total - failed}/${total} checks passed`);
if (total === 0 || failed) process.exit(1);
