// The real third-party int8 model: turn_detector.onnx from npm
// @livekit/agents-plugin-livekit@0.1.3, fetched with `npm pack` (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './common.mjs';

export function turnDetectorPath() {
  const dir = join(BENCH_DIR, 'livekit');
  const model = join(dir, 'package/dist/turn_detector.onnx');
  if (!existsSync(model)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '@livekit/agents-plugin-livekit@0.1.3', '--silent'], { cwd: dir }).toString().trim();
    execFileSync('tar', ['xzf', tgz, 'package/dist/turn_detector.onnx'], { cwd: dir });
  }
  return model;
}
