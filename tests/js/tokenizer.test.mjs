// qwasm/llm's Tokenizer on the default model's tokenizer.json: encodes like the Python
// reference (tools/tinylm/tokenizer.py, whose ids are tests/data/tinylm/tokenizer_vectors.json),
// round-trips any text, streams multi-byte characters whole, and rejects bad input.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Tokenizer } from 'qwasm/llm';

const json = (url) => JSON.parse(readFileSync(new URL(url, import.meta.url), 'utf8'));
const TOKENIZER = '../../models/tinylm/tokenizer.json';
const tok = Tokenizer.fromJSON(json(TOKENIZER));
const vectors = json('../data/tinylm/tokenizer_vectors.json');
const config = json('../../models/tinylm/config.json');
const EOT = '<|endoftext|>';

test('vocabulary size and end-of-text id match the model config', () => {
  assert.equal(tok.vocabSize, config.vocab_size);
  assert.deepEqual(tok.encode(EOT), [config.eos_token_id]);
  // encodeOrdinary reads the same string as plain bytes.
  const plain = tok.encodeOrdinary(EOT);
  assert.ok(!plain.includes(config.eos_token_id) && plain.length > 1, `${plain}`);
  assert.equal(tok.decode(plain), EOT);
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
    // Special tokens decode to '' by default and to their text with skipSpecial: false.
    assert.equal(tok.decode(ids, { skipSpecial: false }), text);
    assert.equal(tok.decode(ids), text.replaceAll(EOT, ''));
  });
}

// Pseudo-random texts (fixed-seed LCG) over pieces the chunking regex treats differently:
// letters, digits, punctuation, runs of spaces, newlines, 2-, 3- and 4-byte characters.
const PIECES = ['the', ' ', '  ', '   ', '\n', '\t', 'Mr.', 'Darcy', '1813', '0', ',', '"', "'s", '?!', '-',
  'é', 'Ü', 'ß', '€', '中文', '😀', '👍🏽', EOT, 'x', 'Q', '...', ' and'];
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
    assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabSize), JSON.stringify(text));
    assert.equal(tok.decode(ids, { skipSpecial: false }), text, JSON.stringify(text));
  }
});

test('English from the training domain is merged: far fewer ids than bytes', () => {
  const text = 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.';
  const ids = tok.encode(text);
  assert.ok(ids.length * 3 < text.length, `${ids.length} ids for ${text.length} bytes`);
  assert.equal(tok.decode(ids), text);
});

test('streaming decode equals whole decode, multi-byte characters included', () => {
  for (const { ids } of vectors) {
    const d = tok.streamDecoder();
    const streamed = ids.map((id) => d.push(id)).join('') + d.flush();
    assert.equal(streamed, tok.decode(ids));
  }
  // '😀' is 4 bytes = 4 byte-level ids: nothing appears until the last one.
  const d = tok.streamDecoder();
  const parts = [240, 159, 152, 128].map((id) => d.push(id));
  assert.deepEqual(parts, ['', '', '', '😀']);
});

test('invalid UTF-8 decodes to U+FFFD; unknown ids are rejected', () => {
  assert.equal(tok.decode([0xff, 65]), '\ufffdA');
  assert.throws(() => tok.decode([tok.vocabSize]), /outside the vocabulary/);
});

test('a tokenizer.json whose vocab disagrees with its merges is rejected', () => {
  const j = json(TOKENIZER);
  j.vocab[300] = '00';
  assert.throws(() => Tokenizer.fromJSON(j), /vocab\[300\]/);
  assert.throws(() => Tokenizer.fromJSON({ ...j, format: 'other' }), /format/);
});
