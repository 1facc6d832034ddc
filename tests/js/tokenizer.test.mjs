// The embedded model's tokenizer (models/tinylm/tokenizer.json, Hugging Face format, exported by
// tools/tinylm/export_hf_tokenizer.py) as qwasm/llm reads it (lm.tokenizer, @huggingface/tokenizers):
// encodes like the Python reference (tools/tinylm/tokenizer.py, whose ids are
// tests/data/tinylm/tokenizer_vectors.json), round-trips any text, and the streaming text of
// generateText never splits a character. The shipped file is what the export writes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTokenizer, textStream } from '../../js/text.js';

const json = (url) => JSON.parse(readFileSync(new URL(url, import.meta.url), 'utf8'));
const TOKENIZER = '../../models/tinylm/tokenizer.json';
const tok = await loadTokenizer(json(TOKENIZER), json('../../models/tinylm/tokenizer_config.json'));
const vectors = json('../data/tinylm/tokenizer_vectors.json');
const config = json('../../models/tinylm/config.json');
const EOT = '<|endoftext|>';

test('the shipped tokenizer.json is what export_hf_tokenizer.py writes from the trained BPE', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'qwasm-tok-')), 'tokenizer.json');
  execFileSync('/usr/bin/python3', [new URL('../../tools/tinylm/export_hf_tokenizer.py', import.meta.url).pathname,
    new URL('../data/tinylm/tokenizer.qwasm-bpe.json', import.meta.url).pathname, out], { stdio: 'pipe' });
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), json(TOKENIZER));
});

test('vocabulary size and end-of-text id match the model config', () => {
  assert.equal(Object.keys(json(TOKENIZER).model.vocab).length, config.vocab_size);
  assert.deepEqual(tok.encode(EOT), [config.eos_token_id]);
  assert.ok(tok.isSpecial(config.eos_token_id));
});

test('the reference vectors cover special tokens and non-ASCII text (the loop below is not empty)', () => {
  assert.ok(vectors.length >= 5);
  assert.ok(vectors.some((v) => v.text.includes(EOT)));
  assert.ok(vectors.some((v) => /[^\x00-\x7f]/.test(v.text)));
});

for (const [i, { text, ids }] of vectors.entries()) {
  test(`encode vector ${i} as the Python reference does: ${JSON.stringify(text.slice(0, 40))}`, () => {
    assert.deepEqual(tok.encode(text), ids);
  });
  test(`decode vector ${i} round-trips`, () => {
    assert.equal(tok.decode(ids, { skipSpecial: false }), text);
    assert.equal(tok.decode(ids), text.replaceAll(EOT, ''));
  });
}

// Pseudo-random texts (fixed-seed LCG) over pieces the chunking regex treats differently:
// letters, digits, punctuation, runs of spaces, newlines, 2-, 3- and 4-byte characters.
const PIECES = ['the', ' ', '  ', '   ', '\n', '\t', 'Mr.', 'Darcy', '1813', '0', ',', '"', "'s", '?!', '-',
  'é', 'Ü', 'ß', '€', '中文', '😀', '👍🏽', EOT, 'x', 'Q', '...', ' and', '\u00a0', '’'];
function randomText(seed) {
  let s = seed;
  const next = () => (s = (s * 1103515245 + 12345) % 2147483648);
  let t = '';
  for (let n = 1 + (next() % 24); n > 0; n--) t += PIECES[next() % PIECES.length];
  return t;
}

test('decode(encode(text)) === text for 300 mixed texts; every id is in the vocabulary', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const text = randomText(seed);
    const ids = tok.encode(text);
    assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < config.vocab_size), JSON.stringify(text));
    assert.equal(tok.decode(ids, { skipSpecial: false }), text, JSON.stringify(text));
  }
});

test('English from the training domain is merged: far fewer ids than bytes', () => {
  const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
  const ids = tok.encode(text);
  assert.ok(ids.length * 3 < text.length, `${ids.length} ids for ${text.length} bytes`);
  assert.equal(tok.decode(ids), text);
});

test('streamed text equals the whole decode and never splits a character', () => {
  for (let seed = 1; seed <= 100; seed++) {
    const ids = tok.encode(randomText(seed));
    const s = textStream(tok);
    const pieces = ids.map((id) => s.push(id));
    pieces.push(s.flush());
    assert.equal(pieces.join(''), tok.decode(ids));
    for (const p of pieces) assert.ok(!p.includes('\uFFFD'), JSON.stringify(p));
  }
  // '😀' is 4 bytes = 4 byte-level ids: nothing appears until the last one.
  const s = textStream(tok);
  assert.deepEqual(tok.encode('😀'), [240, 159, 152, 128]);
  assert.deepEqual([240, 159, 152, 128].map((id) => s.push(id)), ['', '', '', '😀']);
});

test('bad input: a non-string to encode is a TypeError', () => {
  assert.throws(() => tok.encode(42), /expected a string/);
  assert.equal(tok.decode([]), '');
});
