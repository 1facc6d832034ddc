// lm.generateText for in-process and worker-mode LMs alike: the tokenizer always runs on the
// caller's side (it is small), token ids come from lm.generate.
export async function* generateText(lm, t, prompt, options) {
  if (!t) {
    throw new Error('generateText: this model was loaded from a single ONNX file; load its folder ' +
      '(config.json, tokenizer.json, onnx/...) for text in / text out, or use generate() with token ids');
  }
  let ids;
  if (Array.isArray(prompt)) {
    if (!t.chat) throw new Error('generateText: chat messages need a chat_template in tokenizer_config.json');
    ids = t.tokenizer.encode(t.chat(prompt), { addSpecialTokens: false });
  } else if (typeof prompt === 'string') {
    ids = t.tokenizer.encode(prompt);
  } else {
    throw new TypeError('generateText: expected a prompt string or an array of { role, content } messages');
  }
  if (ids.length === 0) throw new Error('generateText: the prompt encodes to no tokens');
  const stream = t.textStream();
  const opts = { ...t.defaults, ...options, stopIds: options.stopIds ?? t.eos };
  for await (const id of lm.generate(ids, opts)) {
    const piece = stream.push(id);
    if (piece) yield piece;
  }
  const rest = stream.flush();
  if (rest) yield rest;
}
