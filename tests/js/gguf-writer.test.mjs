// tools/models/make_gguf.mjs (the wllama benchmark's GGUF writer) read back with a reader written
// here from the GGUF v3 spec (ggml docs/gguf.md): header, typed metadata, tensor infos, 32-byte
// aligned data; the block sizes are the spec's (Q4_0: f16 scale + 16 bytes per 32 values, Q8_0:
// f16 scale + 32 bytes). llama.cpp itself loads the full-size files in tools/bench/wllama-chromium.mjs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeGguf } from '../../tools/models/make_gguf.mjs';

function readGguf(buf) {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let o = 0;
  const u32 = () => { o += 4; return v.getUint32(o - 4, true); };
  const u64 = () => { o += 8; return Number(v.getBigUint64(o - 8, true)); };
  const str = () => { const n = u64(); o += n; return buf.subarray(o - n, o).toString('utf8'); };
  const value = (t) => {
    switch (t) {
      case 4: return u32();
      case 5: o += 4; return v.getInt32(o - 4, true);
      case 6: o += 4; return v.getFloat32(o - 4, true);
      case 7: return buf[o++] !== 0;
      case 8: return str();
      case 9: { const et = u32(), n = u64(); return Array.from({ length: n }, () => value(et)); }
      default: throw new Error(`unexpected type ${t}`);
    }
  };
  assert.equal(buf.subarray(0, 4).toString('latin1'), 'GGUF');
  o = 4;
  const version = u32(), nTensors = u64(), nKv = u64();
  const kv = {};
  for (let i = 0; i < nKv; i++) { const k = str(); kv[k] = value(u32()); }
  const tensors = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str(), nd = u32();
    const ne = Array.from({ length: nd }, () => u64());
    tensors.push({ name, ne, type: u32(), offset: u64() });
  }
  const dataStart = Math.ceil(o / 32) * 32;
  return { version, kv, tensors, dataStart };
}

const half = (h) => {  // IEEE half bits -> number (normal values)
  const e = (h >> 10) & 31, m = h & 1023;
  return (h & 0x8000 ? -1 : 1) * 2 ** (e - 15) * (1 + m / 1024);
};

for (const [type, ggmlType, blockBytes] of [['q4_0', 2, 18], ['q8_0', 8, 34]]) {
  test(`a 2-layer ${type} qwen2 GGUF has the spec's layout`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'gguf-'));
    try {
      const a = { layers: 2, hidden: 64, heads: 4, kvHeads: 2, ff: 128, vocab: 512, maxPos: 4096, seed: 1 };
      const file = join(dir, 'm.gguf');
      writeGguf(file, a, type);
      const buf = readFileSync(file);
      const g = readGguf(buf);
      assert.equal(g.version, 3);
      assert.equal(g.kv['general.architecture'], 'qwen2');
      assert.equal(g.kv['qwen2.block_count'], 2);
      assert.equal(g.kv['qwen2.attention.head_count_kv'], 2);
      assert.equal(g.kv['tokenizer.ggml.tokens'].length, 512);
      assert.equal(g.kv['tokenizer.ggml.tokens'][10], 'Ċ');  // GPT-2's symbol for byte 0x0a
      assert.equal(g.kv['tokenizer.ggml.tokens'][97], 'a');
      assert.equal(new Set(g.kv['tokenizer.ggml.tokens']).size, 512);
      // token_embd, 12 per layer, output_norm, output
      assert.equal(g.tensors.length, 1 + 12 * 2 + 2);
      const byName = Object.fromEntries(g.tensors.map((t) => [t.name, t]));
      assert.deepEqual(byName['blk.1.attn_k.weight'].ne, [64, 32]);  // [in, out]: 2 KV heads of 16
      assert.deepEqual(byName['blk.0.ffn_down.weight'].ne, [128, 64]);
      assert.equal(byName['blk.0.attn_q.bias'].type, 0);
      assert.equal(byName['output.weight'].type, ggmlType);
      // Offsets: consecutive, each 32-aligned, sized by the block format; the file ends with the last.
      let expect = 0;
      for (const t of g.tensors) {
        const n = t.ne.reduce((x, y) => x * y, 1);
        const bytes = t.type === 0 ? 4 * n : (n / 32) * blockBytes;
        assert.equal(t.offset, expect, t.name);
        expect += Math.ceil(bytes / 32) * 32;
      }
      assert.equal(buf.length, g.dataStart + expect);
      // The weights' scale: the std of the decoded values of blk.0.attn_q (64 inputs) ~ 1/8.
      const q = byName['blk.0.attn_q.weight'];
      const at = g.dataStart + q.offset;
      let s2 = 0, n = 0;
      for (let b = 0; b < (64 * 64) / 32; b++) {
        const p = at + b * blockBytes, d = half(buf[p] | (buf[p + 1] << 8));
        for (let j = 0; j < 32; j++) {
          const code = type === 'q8_0' ? (buf[p + 2 + j] << 24) >> 24 : ((buf[p + 2 + (j & 15)] >> (j < 16 ? 0 : 4)) & 15) - 8;
          s2 += (code * d) ** 2;
          n++;
        }
      }
      const std = Math.sqrt(s2 / n);
      assert.ok(std > 0.1 && std < 0.15, `std ${std}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
