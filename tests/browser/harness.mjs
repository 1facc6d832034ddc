// Shared by the browser suites: named checks, console-error capture and screenshots.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const RESULTS = join(ROOT, 'test-results');

export class Checks {
  results = [];

  // Runs fn; a throw fails the check (and the run), the suite goes on.
  async check(name, fn) {
    const t0 = Date.now();
    try {
      await fn();
      this.results.push({ name, ok: true });
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
      return true;
    } catch (e) {
      this.results.push({ name, ok: false });
      console.log(`FAIL ${name}\n     ${String(e?.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
      return false;
    }
  }

  record(name, ok, detail = '') {
    this.results.push({ name, ok });
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `\n     ${detail}` : ''}`);
  }

  get failed() { return this.results.filter((r) => !r.ok).length; }
  get total() { return this.results.length; }
}

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

// Collects console errors, uncaught page errors and failed requests of a page.
export function watchErrors(page) {
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => { if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`); });
  return errors;
}

export async function screenshot(page, name, opts = {}) {
  mkdirSync(RESULTS, { recursive: true });
  await page.screenshot({ path: join(RESULTS, `${name}.png`), ...opts });
}
