// Draws the benchmark charts of docs/ as SVG, from the JSON the benches write with --json:
//   docs/bench/models-node.json      tools/bench/models.mjs --json (Node 22, one thread)
//   docs/bench/models-chromium.json  tools/bench/models-chromium.mjs --json
//   docs/bench/kernels.json          scripts/bench-kernels.sh --json
// into docs/charts/models-vs-ort.svg (qwasm's speed relative to onnxruntime-web, per model
// and engine) and docs/charts/kernels.svg (throughput per kernel, grouped by engine class).
// A missing input file leaves its chart out.  Usage: node tools/charts/make-charts.mjs [--check]
// (--check: fail when a chart on disk differs from what the JSON gives; nothing is written).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;
const BENCH = join(ROOT, 'docs/bench');
const CHARTS = join(ROOT, 'docs/charts');
const check = process.argv.includes('--check');

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const read = (name) => (existsSync(join(BENCH, name)) ? JSON.parse(readFileSync(join(BENCH, name), 'utf8')) : null);
const COLORS = ['#2b6cb0', '#dd6b20', '#38a169', '#805ad5', '#c53030', '#718096'];
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';

// A horizontal bar chart: groups of { label, value, color } bars, a linear or log axis,
// an optional reference line (1x). Returns the SVG text.
function barChart({ title, subtitle, groups, axisLabel, log = false, reference, legend }) {
  const subs = [subtitle].flat();
  const labelW = 280, barH = 16, gap = 4, groupGap = 16, plotW = 420, left = labelW + 10, top = 44 + 14 * subs.length;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v) => v > 0);
  const max = Math.max(...values, reference ?? 0);
  const min = log ? Math.min(...values, reference ?? Infinity) : 0;
  const lo = log ? 10 ** Math.floor(Math.log10(min)) : 0;
  const hi = log ? 10 ** Math.ceil(Math.log10(max)) : max * 1.1;
  const x = (v) => left + (log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : v / hi) * plotW;
  let y = top;
  const parts = [];
  for (const g of groups) {
    parts.push(`<text x="10" y="${y + 12}" font-weight="600" font-size="13">${esc(g.title)}</text>`);
    y += 20;
    for (const b of g.bars) {
      const w = Math.max(1, x(b.value) - left);
      parts.push(`<text x="${labelW}" y="${y + 12}" font-size="11" text-anchor="end">${esc(b.label)}</text>`);
      parts.push(`<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.color}"><title>${esc(`${b.label}: ${fmt(b.value)}`)}</title></rect>`);
      parts.push(`<text x="${(left + w + 4).toFixed(1)}" y="${y + 12}" font-size="11">${esc(b.text ?? fmt(b.value))}</text>`);
      y += barH + gap;
    }
    y += groupGap;
  }
  const bottom = y;
  // Axis ticks: decades (log) or five steps (linear).
  const ticks = [];
  if (log) for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(v);
  else for (let i = 0; i <= 5; i++) ticks.push((hi * i) / 5);
  const axis = ticks.map((v) => `<line x1="${x(v).toFixed(1)}" y1="${top - 4}" x2="${x(v).toFixed(1)}" y2="${bottom}" stroke="#e2e8f0"/>` +
    `<text x="${x(v).toFixed(1)}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#4a5568">${fmt(v)}</text>`);
  if (reference !== undefined) {
    axis.push(`<line x1="${x(reference).toFixed(1)}" y1="${top - 4}" x2="${x(reference).toFixed(1)}" y2="${bottom}" stroke="#1a202c" stroke-dasharray="4 3"/>`);
  }
  // The legend: one entry per line.
  const legendY = bottom + 50;
  const legendParts = (legend ?? []).map((l, i) => `<rect x="10" y="${legendY + i * 18 - 10}" width="12" height="12" fill="${l.color}"/>` +
    `<text x="28" y="${legendY + i * 18}" font-size="11">${esc(l.label)}</text>`);
  const height = legendY + 18 * Math.max(0, (legend ?? []).length - 1) + 14;
  const width = left + plotW + 70;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="22" font-size="16" font-weight="700">${esc(title)}</text>
${subs.map((t, i) => `<text x="10" y="${40 + 14 * i}" font-size="11" fill="#4a5568">${esc(t)}</text>`).join('\n')}
${axis.join('\n')}
${parts.join('\n')}
<text x="${left + plotW / 2}" y="${bottom + 28}" font-size="11" text-anchor="middle" fill="#4a5568">${esc(axisLabel)}</text>
${legendParts.join('\n')}
</svg>
`;
}

// qwasm vs onnxruntime-web per model: latency ratios (ort / qwasm), and for the decoder its
// tokens/s ratios (qwasm / ort). Above 1 = qwasm faster.
function modelRatios(doc, qwasmImpl, ortImpl) {
  const out = [];
  const benches = [...new Set(doc.rows.map((r) => r.bench))];
  for (const bench of benches) {
    const rows = doc.rows.filter((r) => r.bench === bench);
    const get = (impl, metric) => rows.find((r) => r.impl === impl && r.metric === metric)?.value;
    const lat = [get(ortImpl, 'latency_median'), get(qwasmImpl, 'latency_median')];
    if (lat[0] && lat[1]) out.push({ model: bench, what: 'latency', ratio: lat[0] / lat[1] });
    for (const metric of ['prefill_64', 'decode']) {
      const tps = [get(qwasmImpl, metric), get(ortImpl, metric)];
      if (tps[0] && tps[1]) out.push({ model: `${bench} ${metric === 'decode' ? 'decode' : 'prefill (64 tokens)'}`, what: metric, ratio: tps[0] / tps[1] });
    }
  }
  return out;
}

function modelsChart(node, chromium) {
  const engines = [];
  if (node) engines.push({ doc: node, q: `qwasm-${node.engine.variant}`, o: 'onnxruntime-web', label: `${node.engine.name} (${node.engine.variant}${node.engine.dot ? `, relaxed dot ${node.engine.dot}` : ''})` });
  if (chromium) engines.push({ doc: chromium, q: `qwasm-chromium-${chromium.engine.variant}`, o: 'onnxruntime-web-chromium', label: `${chromium.engine.name} (${chromium.engine.variant}${chromium.engine.dot ? `, relaxed dot ${chromium.engine.dot}` : ''})` });
  const byModel = new Map();
  engines.forEach((e, i) => {
    for (const r of modelRatios(e.doc, e.q, e.o)) {
      if (!byModel.has(r.model)) byModel.set(r.model, []);
      byModel.get(r.model).push({ label: e.label, value: r.ratio, text: `${r.ratio.toFixed(2)}x`, color: COLORS[i] });
    }
  });
  const cpu = (node ?? chromium).cpu;
  return barChart({
    title: 'qwasm vs onnxruntime-web 1.30, one thread',
    subtitle: ['speed ratio: onnxruntime-web time / qwasm time (decoder: qwasm tokens/s / onnxruntime-web tokens/s); above 1 = qwasm faster',
      `${cpu.model} (${cpu.flags.join(' ')}), ${cpu.cores} shared cores, ${(node ?? chromium).date.slice(0, 10)}; medians`],
    groups: [...byModel].map(([model, bars]) => ({ title: model, bars })),
    axisLabel: 'speed ratio (log scale; dashed: equal speed)',
    log: true, reference: 1,
    legend: engines.map((e, i) => ({ label: e.label, color: COLORS[i] })),
  });
}

// Throughput per kernel, grouped by bench shape; bars coloured by engine class (native,
// Node's wasm builds, Chromium's), each labelled with its dot class.
function kernelsChart(doc) {
  const envs = doc.runs.map((r) => r.env);
  const dotOf = new Map(doc.runs.map((r) => [r.env, r.dot]));
  // The dispatcher's picks of each run ('gemm_i8 <name> (7-bit B: ...), q4 <name>'); f32 is not printed.
  const picksOf = new Map(doc.runs.map((r) => [r.env, r.picks]));
  const picked = (env, kernel) => new RegExp(`(gemm_i8|q4) ${kernel}\\b`).test(picksOf.get(env) ?? '');
  const rows = doc.kernelRows.filter((r) => r.metric === 'throughput' &&
    /^(gemm_i8 128x768x768|q4_gemv 1x896x4864|gemm_f32 128x768x768)$/.test(r.bench) && !/baseline_/.test(r.impl));
  const groups = [...new Set(rows.map((r) => r.bench))].map((bench) => ({
    title: bench,
    bars: rows.filter((r) => r.bench === bench)
      .map((r) => {
        const [env, kernel] = r.impl.split('/');
        return { env, kernel, value: r.value };
      })
      .sort((a, b) => envs.indexOf(a.env) - envs.indexOf(b.env) || b.value - a.value)
      .map((b) => ({ label: `${b.kernel}${picked(b.env, b.kernel) ? ' *' : ''}`, value: b.value, text: `${fmt(b.value)} GOP/s`, color: COLORS[envs.indexOf(b.env) % COLORS.length] })),
  }));
  return barChart({
    title: 'Kernel throughput per engine class',
    subtitle: [`GOP/s (1 multiply-add = 2 ops), median of ${doc.runs[0]?.windows ?? '?'} windows; colour = engine and build, * = the dispatcher's pick`,
      `${doc.cpu.model} (${doc.cpu.flags.join(' ')}), ${doc.cpu.cores} shared cores, ${doc.date.slice(0, 10)}`],
    groups, axisLabel: 'GOP/s (log scale)', log: true,
    legend: envs.map((e, i) => ({ label: `${e} (dot: ${dotOf.get(e)})`, color: COLORS[i % COLORS.length] })),
  });
}

const charts = [];
const node = read('models-node.json');
const chromium = read('models-chromium.json');
if (node || chromium) charts.push(['models-vs-ort.svg', modelsChart(node, chromium)]);
const kernels = read('kernels.json');
if (kernels) charts.push(['kernels.svg', kernelsChart(kernels)]);
if (charts.length === 0) throw new Error(`no benchmark JSON in ${BENCH}`);
let stale = 0;
mkdirSync(CHARTS, { recursive: true });
for (const [name, svg] of charts) {
  const file = join(CHARTS, name);
  if (check) {
    const same = existsSync(file) && readFileSync(file, 'utf8') === svg;
    if (!same) stale++;
    console.log(`${same ? 'ok   ' : 'STALE'} docs/charts/${name}`);
  } else {
    writeFileSync(file, svg);
    console.log(`wrote docs/charts/${name}`);
  }
}
if (stale) process.exit(1);
