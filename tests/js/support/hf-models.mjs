// Generated Hugging Face-layout model folders (tools/models/make_hf_models.py): written once per
// process into a temp dir; returns that dir (folders bert-tiny, bert-tiny-cls, llama-tiny).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir;
export function hfModels() {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'qwasm-hf-'));
    const gen = new URL('../../../tools/models/make_hf_models.py', import.meta.url).pathname;
    execFileSync('/usr/bin/python3', [gen, dir], { stdio: 'pipe' });
  }
  return dir;
}
