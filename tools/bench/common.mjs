// Shared by the model benchmarks: model generation, timing, and the output format
// (one JSON object per line, then a human-readable table).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BENCH_DIR = join(ROOT, 'build/bench');

export function generated(name, script, args = []) {
  const out = join(BENCH_DIR, name);
  if (!existsSync(out)) {
    mkdirSync(dirname(out), { recursive: true });
    execFileSync('/usr/bin/python3', [join(ROOT, script), out, ...args], { stdio: 'inherit' });
  }
  return out;
}

// warmupMs: keep warming up until this much time has passed too (V8 tiers a large wasm
// module up in the background; a few fast runs can end before it is done).
// minMs: keep timing runs until this much time has passed too (a model that runs in tens of
// microseconds needs hundreds of samples for a stable median).
export async function median(fn, { warmup = 2, runs = 7, warmupMs = 0, minMs = 0 } = {}) {
  const start = performance.now();
  for (let i = 0; i < warmup || performance.now() - start < warmupMs; i++) await fn();
  const t = [];
  const timed = performance.now();
  for (let i = 0; i < runs || performance.now() - timed < minMs; i++) {
    const a = performance.now();
    await fn();
    t.push(performance.now() - a);
  }
  t.sort((x, y) => x - y);
  return t[t.length >> 1];
}

// Medians of several implementations timed in alternating blocks (A, B, A, B, ...) after each
// warmed up: a load burst or a background tier-up then hits every implementation alike instead of
// whichever was timed while it happened. Same options as median(), spread over `rounds` blocks.
export async function mediansInterleaved(fns, { warmup = 2, runs = 7, warmupMs = 0, minMs = 0, rounds = 6 } = {}) {
  for (const fn of fns) {
    const start = performance.now();
    for (let i = 0; i < warmup || performance.now() - start < warmupMs; i++) await fn();
  }
  const samples = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (const [j, fn] of fns.entries()) {
      const timed = performance.now();
      for (let i = 0; i < Math.ceil(runs / rounds) || performance.now() - timed < minMs / rounds; i++) {
        const a = performance.now();
        await fn();
        samples[j].push(performance.now() - a);
      }
    }
  }
  return samples.map((t) => t.sort((x, y) => x - y)[t.length >> 1]);
}

const rows = [];
export function report(bench, impl, metric, value, unit) {
  const r = { bench, impl, metric, value: Number(value.toFixed(3)), unit };
  rows.push(r);
  console.log(JSON.stringify(r));
}

export function printTable(ratios = []) {
  console.log('\n| bench | impl | metric | value | unit |\n|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.bench} | ${r.impl} | ${r.metric} | ${r.value} | ${r.unit} |`);
  if (ratios.length) {
    console.log('\n| ratio | value | target |\n|---|---|---|');
    for (const [name, v, target] of ratios) console.log(`| ${name} | ${v.toFixed(2)}x | ${target ?? ''} |`);
  }
}

export function find(bench, impl, metric) {
  return rows.find((r) => r.bench === bench && r.impl === impl && r.metric === metric)?.value;
}

// `--json FILE` anywhere in argv: the bench also writes its rows and ratios, with the machine
// and engine they were measured on, to FILE (tools/charts/make-charts.mjs draws them).
// Returns the other arguments and the file (or null).
export function benchArgs(argv = process.argv.slice(2)) {
  const i = argv.indexOf('--json');
  if (i < 0) return { args: argv, json: null };
  if (!argv[i + 1]) throw new Error('--json needs a file name');
  return { args: [...argv.slice(0, i), ...argv.slice(i + 2)], json: argv[i + 1] };
}

// The CPU as the benches print it: model and the SIMD features that pick kernels.
export function cpuInfo() {
  let flags = [];
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
    const have = new Set(line.split(':')[1]?.trim().split(/\s+/) ?? []);
    flags = ['avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx_vnni', 'asimddp', 'i8mm'].filter((f) => have.has(f));
  } catch { /* not Linux: model only */ }
  return { model: cpus()[0]?.model ?? 'unknown', cores: cpus().length, flags };
}

export function writeJson(file, { tool, engine, ratios = [], ...rest }) {
  const out = {
    tool, date: new Date().toISOString(), cpu: cpuInfo(), engine, ...rest, rows,
    ratios: ratios.map(([name, value, target]) => ({ name, value: Number(value.toFixed(3)), target: target ?? null })),
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(out, null, 1)}\n`);
  console.log(`# wrote ${file}`);
}

// Headless Chromium for the browser benches: Debian's /usr/bin/chromium (or QWASM_CHROMIUM) through
// playwright-core, which gives it a fresh temporary profile. The background-networking flags keep
// it from dialling out on a closed network (docs/toolchain.md); extra args (e.g. --js-flags) append.
export const CHROMIUM = process.env.QWASM_CHROMIUM || '/usr/bin/chromium';
export async function launchChromium(extraArgs = []) {
  const { chromium } = await import('playwright-core');
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing (scripts/setup.sh installs Debian's chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic', ...extraArgs],
  });
}

// Opens href in a new page of browser and waits (no timeout) for the page's window.benchResult;
// page errors go to stderr, console lines to onConsole(message) when given. Throws the page's
// { error } as an Error.
export async function pageBenchResult(browser, href, onConsole) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
  if (onConsole) page.on('console', onConsole);
  await page.goto(href);
  const r = await page.evaluate(() => window.benchResult, undefined, { timeout: 0 });
  if (r.error) throw new Error(r.error);
  return r;
}
