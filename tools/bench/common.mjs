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
