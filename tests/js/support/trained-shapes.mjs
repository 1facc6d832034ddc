// The shapes CNN trained by tools/models/train_shapes_cnn.py (committed under tests/data/trained/):
// its held-out and calibration images (uint8 files: n labels, then n x 32 x 32 pixels) as
// feeds of the model's input x float32 [batch, 1, 32, 32] = pixel / 255.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TRAINED = fileURLToPath(new URL('../../data/trained/', import.meta.url));
export const PIXELS = 32 * 32;

export function readShapes(file) {
  const bytes = readFileSync(TRAINED + file);
  const n = bytes.length / (1 + PIXELS);
  if (!Number.isInteger(n)) throw new Error(`${file}: ${bytes.length} B is not n x (1 + ${PIXELS})`);
  return { n, labels: bytes.subarray(0, n), pixels: bytes.subarray(n) };
}

// Feeds of `batch` images each (the last may be shorter); T(type, data, dims) makes a tensor.
export function shapeFeeds(set, batch, T) {
  const out = [];
  for (let s = 0; s < set.n; s += batch) {
    const b = Math.min(batch, set.n - s);
    const x = new Float32Array(b * PIXELS);
    for (let i = 0; i < x.length; ++i) x[i] = set.pixels[s * PIXELS + i] / 255;
    out.push({ x: T('float32', x, [b, 1, 32, 32]) });
  }
  return out;
}

// Arg-max class of every row of logits [rows, classes].
export function argmaxRows(data, classes) {
  const out = [];
  for (let r = 0; r < data.length / classes; ++r) {
    let best = 0;
    for (let c = 1; c < classes; ++c) if (data[r * classes + c] > data[r * classes + best]) best = c;
    out.push(best);
  }
  return out;
}
