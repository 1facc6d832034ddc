// Test fixture (also used by tools/bench/models.mjs): the real third-party int8 model,
// turn_detector.onnx from npm @livekit/agents-plugin-livekit@0.1.3, fetched with `npm pack`
// into the git-ignored build/bench/livekit on first use (never committed).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const DIR = fileURLToPath(new URL('../../../build/bench/livekit/', import.meta.url));

export function turnDetectorPath() {
  const model = DIR + 'package/dist/turn_detector.onnx';
  if (!existsSync(model)) {
    mkdirSync(DIR, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '@livekit/agents-plugin-livekit@0.1.3', '--silent'], { cwd: DIR }).toString().trim();
    execFileSync('tar', ['xzf', tgz, 'package/dist/turn_detector.onnx'], { cwd: DIR });
  }
  return model;
}
