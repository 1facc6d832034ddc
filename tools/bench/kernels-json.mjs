// Turns the log of scripts/bench-kernels.sh (each run's '# kernel bench (<env>), dot class: ...'
// header and its JSON lines) into one JSON file for tools/charts/make-charts.mjs: the CPU, per
// environment its relaxed-dot class and dispatch picks, and every row.
// Usage: node tools/bench/kernels-json.mjs LOG OUT.json
import { readFileSync } from 'node:fs';
import { cpuInfo, writeJson } from './common.mjs';

const [log, out] = process.argv.slice(2);
if (!log || !out) throw new Error('usage: kernels-json.mjs LOG OUT.json');
const runs = [];
const kernelRows = [];
for (const line of readFileSync(log, 'utf8').split('\n')) {
  const h = /^# kernel bench \(([^)]+)\), dot class: ([\w-]+), median of (\d+) windows.*dispatch picks: (.*)$/.exec(line);
  if (h) runs.push({ env: h[1], dot: h[2], windows: Number(h[3]), picks: h[4] });
  else if (line.startsWith('{')) kernelRows.push(JSON.parse(line));
}
if (kernelRows.length === 0) throw new Error(`${log}: no JSON lines (did the bench run?)`);
writeJson(out, { tool: 'scripts/bench-kernels.sh', engine: { node: process.version }, runs, kernelRows });
