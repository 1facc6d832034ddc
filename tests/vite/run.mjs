// The Vite tests: qwasm in a Vite app as a user sets one up. The package is packed
// (`npm pack`) and unpacked into a fresh app's node_modules (its dependencies copied from
// this checkout: offline), the shipped model copied into the app's public/ folder. The app
// (tests/vite/app) is then built + previewed and run on the dev server, each on a plain page
// (no Vite config at all) and on a cross-origin isolated page (the app's vite.config.js:
// only the COOP/COEP headers, as the README documents), in Debian's Chromium. A run fails
// on a failed check, a page that never finishes, a console error, a Vite warning, or when
// zero checks ran.   Usage: node tests/vite/run.mjs
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { build, createLogger, createServer, preview } from 'vite';
import { Checks, watchErrors } from '../browser/harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const t0 = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'qwasm-vite-'));
const app = join(dir, 'app');
const checks = new Checks();

// The app: its sources, qwasm from the tarball, the model in public/.
function makeApp() {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, '--cache',
    join(dir, 'npm-cache'), '--loglevel=error'], { cwd: root, encoding: 'utf8', timeout: 120000 }));
  cpSync(new URL('./app', import.meta.url).pathname, app, { recursive: true });
  const pkg = join(app, 'node_modules/qwasm');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed.filename), '-C', pkg, '--strip-components=1']);
  // What npm would install for it: copies, so Vite sees them as any app's node_modules.
  const deps = Object.keys(JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).dependencies ?? {});
  for (const d of deps) cpSync(join(root, 'node_modules', d), join(app, 'node_modules', d), { recursive: true, dereference: true });
  cpSync(join(pkg, 'models/tinylm'), join(app, 'public/models/tinylm'), { recursive: true });
  return { deps, bytes: packed.size };
}

// Vite's warnings and errors count as failures (e.g. a `node:` module externalized for the
// browser), except Rolldown's note that plugins took most of a build's time (a loaded machine).
function logger(where) {
  const l = createLogger('warn');
  const bad = [];
  const keep = (level) => (msg, opts) => {
    if (!/\[PLUGIN_TIMINGS\]/.test(msg)) bad.push(`${level}: ${msg}`);
    l[level](msg, opts);
  };
  return { logger: { ...l, warn: keep('warn'), warnOnce: keep('warn'), error: keep('error') }, bad, where };
}

const base = (isolated, log) => ({ root: app, configFile: isolated ? join(app, 'vite.config.js') : false,
  logLevel: 'warn', customLogger: log.logger, clearScreen: false });

async function runPage(browser, label, url, isolated) {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(url);
  const done = await checks.check(`[vite ${label}] page finished`, () =>
    page.waitForFunction(() => window.__viteResults, null, { timeout: 150000, polling: 200 }));
  const results = done ? await page.evaluate(() => window.__viteResults) : [];
  for (const r of results) checks.record(`[vite ${label}] ${r.name}`, r.ok, r.error);
  checks.record(`[vite ${label}] the page is ${isolated ? '' : 'not '}cross-origin isolated`,
    (await page.evaluate(() => self.crossOriginIsolated)) === isolated);
  checks.record(`[vite ${label}] ran at least 5 checks`, results.length >= 5, `ran ${results.length}`);
  // Expected: the failed loads of the missing-files checks (and Chromium's console line for each).
  const unexpected = errors.filter((e) => !e.includes('/missing/') && !/^console: Failed to load resource/.test(e));
  checks.record(`[vite ${label}] no console errors but the expected failed loads`, unexpected.length === 0,
    unexpected.join('\n     '));
  if (!done) console.log(`     page log:\n${await page.evaluate(() => document.getElementById('log')?.textContent)}`);
  await page.close();
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run', '--disable-quic'],
});
try {
  // The app's Vite settings are exactly the README's (its code lines appear there as they are).
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const settings = readFileSync(new URL('./app/vite.config.js', import.meta.url), 'utf8').split('\n')
    .filter((l) => l.trim() && !l.startsWith('//'));
  checks.record('[vite] the app uses only the Vite settings the README documents', settings.every((l) => readme.includes(l)),
    settings.filter((l) => !readme.includes(l)).join('\n     '));
  const { deps, bytes } = makeApp();
  console.log(`vite: app in ${app} (qwasm ${(bytes / 2 ** 20).toFixed(1)} MiB packed, dependencies ${deps.join(', ')}), ` +
    `${Date.now() - t0} ms`);

  const buildLog = logger('build');
  await checks.check('[vite build] vite build succeeds', () => build({ ...base(false, buildLog), build: { outDir: join(app, 'dist') } }));
  checks.record('[vite build] no Vite warnings', buildLog.bad.length === 0, buildLog.bad.join('\n     '));

  for (const isolated of [false, true]) {
    const label = isolated ? 'isolated' : 'plain';
    const devLog = logger('dev');
    const dev = await createServer({ ...base(isolated, devLog), server: { host: '127.0.0.1', port: 0, strictPort: false } });
    await dev.listen();
    try {
      await runPage(browser, `dev ${label}`, dev.resolvedUrls.local[0], isolated);
    } finally {
      await dev.close();
    }
    checks.record(`[vite dev ${label}] no Vite warnings`, devLog.bad.length === 0, devLog.bad.join('\n     '));

    const previewLog = logger('preview');
    const server = await preview({ ...base(isolated, previewLog), build: { outDir: join(app, 'dist') },
      preview: { host: '127.0.0.1', port: 0 } });
    try {
      await runPage(browser, `preview ${label}`, server.resolvedUrls.local[0], isolated);
    } finally {
      await new Promise((r) => server.httpServer.close(r));
    }
    checks.record(`[vite preview ${label}] no Vite warnings`, previewLog.bad.length === 0, previewLog.bad.join('\n     '));
  }
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
console.log(`vite: ${checks.total - checks.failed}/${checks.total} checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
if (checks.total === 0) console.log('vite: FAILED, zero checks ran');
if (checks.total === 0 || checks.failed) process.exit(1);
