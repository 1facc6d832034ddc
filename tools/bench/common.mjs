// Shared by the model benchmarks: model generation, timing, and the output format
// (one JSON object per line, then a human-readable table).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
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
