// Runs the wasm kernel benchmark (native-tests/kernel_bench.cc, built as
// qwasm_kernel_bench_web by scripts/bench-kernels.sh) inside headless Chromium
// (/usr/bin/chromium through playwright-core), one page per wasm build, and prints
// the program's lines unchanged: JSON lines and the table, in the format of the
// native and Node runs, with the ratios measured in the same page.
//
//   node tools/bench/kernels-chromium.mjs [--builds=wasm-relaxed,wasm-simd128] [--reps=N] [filter]
//
// Exits non-zero when Chromium or a build is missing, the page fails, the program
// exits non-zero or prints nothing. The relaxed build is expected to see the 'usdot'
// dot class on x86 with VNNI (Chromium lowers the relaxed dot to vpdpbusd); another
// class is reported on stderr (the bench then measures what that engine runs).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';
import { CHROMIUM, launchChromium } from './common.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const TIMEOUT_MS = Number(process.env.QWASM_BENCH_TIMEOUT_S || 1200) * 1000;

let builds = ['wasm-relaxed', 'wasm-simd128'];
const args = [];
for (const a of process.argv.slice(2)) {
  if (a.startsWith('--builds=')) builds = a.slice(9).split(',').filter(Boolean);
  else args.push(a);
}

function fail(msg) {
  console.error(`kernels-chromium: ${msg}`);
  process.exitCode = 1;
}

for (const b of builds) {
  const glue = join(ROOT, 'build/kernel-tests/wasm/web', `qwasm_kernel_bench_web_${b.slice(5)}.js`);
  if (!existsSync(glue)) {
    fail(`${glue} missing (scripts/bench-kernels.sh builds it)`);
    process.exit(1);
  }
}
if (!existsSync(CHROMIUM)) {
  fail(`${CHROMIUM} missing`);
  process.exit(1);
}

// Only the page and the build outputs are served (with COOP/COEP, so timers are precise).
const { server, url } = await serve(ROOT, { dirs: ['tools', 'build'] });
const browser = await launchChromium();
try {
  for (const build of builds) {
    const page = await browser.newPage();
    const problems = [];
    let printed = 0;
    let cls = null;
    page.on('console', (m) => {
      const t = m.text();
      if (t.startsWith('qwasm-bench-line ')) {
        const line = t.slice('qwasm-bench-line '.length);
        printed++;
        const c = /^# kernel bench .*dot class: ([\w-]+)/.exec(line);
        if (c) cls = c[1];
        console.log(line);
      } else if (m.type() === 'error') {
        problems.push(`console: ${t}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
    const q = new URLSearchParams({ build, args: args.join(' ') });
    await page.goto(`${url}/tools/bench/kernels-page/?${q}`);
    let state;
    try {
      await page.waitForFunction(() => window.qwasmBench?.done, null, { timeout: TIMEOUT_MS, polling: 500 });
      state = await page.evaluate(() => window.qwasmBench);
    } catch (e) {
      state = { exitCode: null, error: `no end within ${TIMEOUT_MS / 1000} s (${e.message.split('\n')[0]})` };
    }
    const ua = await page.evaluate(() => navigator.userAgent).catch(() => '?');
    await page.close();
    if (state.error) fail(`${build}: ${state.error}`);
    else if (state.exitCode !== 0) fail(`${build}: exit status ${state.exitCode}`);
    if (printed === 0) fail(`${build}: printed nothing`);
    for (const p of problems) fail(`${build}: ${p}`);
    if (build === 'wasm-relaxed' && cls && cls !== 'usdot')
      console.error(`kernels-chromium: note: relaxed dot class in ${ua} is '${cls}', not 'usdot'`);
  }
} finally {
  await browser.close();
  server.close();
}
