// The demo page's JS tokenizer (web-demo/tokenizer.js) against the Python
// reference (tools/tinylm/tokenizer.py): its test vectors and the embedded
// model's expected greedy output.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Tokenizer } from '../../web-demo/tokenizer.js';

const root = new URL('../../', import.meta.url);
const json = (p) => JSON.parse(readFileSync(new URL(p, root), 'utf8'));
const tok = Tokenizer.fromJSON(json('models/tinylm/tokenizer.json'));
const vectors = json('tools/tinylm/tokenizer_test_vectors.json');
const greedy = json('models/tinylm/expected_greedy.json');
const config = json('models/tinylm/config.json');

test('vocabulary size and end-of-text id match the model config', () => {
  assert.equal(tok.vocabSize, config.vocab_size);
  assert.equal(tok.encode('<|endoftext|>')[0], config.eos_token_id);
});

test('the test vectors have content (guards against an empty file)', () => {
  assert.ok(vectors.length >= 5);
  assert.ok(vectors.some((v) => v.text.includes('<|endoftext|>')));
  assert.ok(vectors.some((v) => /[^\x00-\x7f]/.test(v.text)));
});

for (const [i, { text, ids }] of vectors.entries()) {
  test(`encode vector ${i}: ${JSON.stringify(text.slice(0, 40))}`, () => {
    assert.deepEqual(tok.encode(text), ids);
  });
  test(`decode vector ${i} round-trips`, () => {
    // Special tokens decode to '' by default and to their text with skipSpecial: false.
    assert.equal(tok.decode(ids, { skipSpecial: false }), text);
    assert.equal(tok.decode(ids), text.replaceAll('<|endoftext|>', ''));
  });
}

test('expected_greedy: prompt -> prompt_ids and all ids -> text', () => {
  assert.deepEqual(tok.encode(greedy.prompt), greedy.prompt_ids);
  assert.equal(tok.decode([...greedy.prompt_ids, ...greedy.generated_ids]), greedy.text);
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
  const j = json('models/tinylm/tokenizer.json');
  j.vocab[300] = '00';
  assert.throws(() => Tokenizer.fromJSON(j), /vocab\[300\]/);
  assert.throws(() => Tokenizer.fromJSON({ ...j, format: 'other' }), /format/);
});
