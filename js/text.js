// Text in / text out for qwasm/llm: the tokenizer (@huggingface/tokenizers, reading
// tokenizer.json + tokenizer_config.json), chat templates (@huggingface/jinja) and streaming
// detokenization. Loaded only when a model folder is used, so id-only users never fetch them.

// Wraps a Hugging Face tokenizer as lm.tokenizer: encode(text) -> ids, decode(ids) -> text.
export async function loadTokenizer(tokenizerJson, tokenizerConfig = {}) {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const tok = new Tokenizer(tokenizerJson, tokenizerConfig);
  const special = new Set((tokenizerJson.added_tokens ?? []).filter((t) => t.special).map((t) => t.id));
  return {
    /** Token ids of `text`; addSpecialTokens adds what the post-processor adds (BOS, ...). */
    encode(text, { addSpecialTokens = true } = {}) {
      if (typeof text !== 'string') throw new TypeError(`tokenizer.encode: expected a string, got ${typeof text}`);
      return tok.encode(text, { add_special_tokens: addSpecialTokens }).ids;
    },
    decode(ids, { skipSpecial = true } = {}) {
      const list = Array.from(ids, Number);
      if (list.length === 0) return '';
      return tok.decode(list, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false });
    },
    isSpecial: (id) => special.has(id),
    get vocabSize() { return tok.get_vocab ? Object.keys(tok.get_vocab()).length : undefined; },
  };
}

function tokenText(t) {
  return t && typeof t === 'object' ? t.content : t ?? undefined;
}

// The chat template from tokenizer_config.json (a string, or a list of named templates of which
// 'default' is used), compiled once; returns (messages) -> prompt text, or null when there is none.
export async function loadChatTemplate(tokenizerConfig) {
  let src = tokenizerConfig.chat_template;
  if (Array.isArray(src)) src = (src.find((t) => t.name === 'default') ?? src[0])?.template;
  if (typeof src !== 'string') return null;
  const { Template } = await import('@huggingface/jinja');
  const template = new Template(src);
  const vars = {
    bos_token: tokenText(tokenizerConfig.bos_token) ?? '',
    eos_token: tokenText(tokenizerConfig.eos_token) ?? '',
    unk_token: tokenText(tokenizerConfig.unk_token) ?? '',
    pad_token: tokenText(tokenizerConfig.pad_token) ?? '',
  };
  return (messages) => template.render({ ...vars, messages, add_generation_prompt: true });
}

// Turns a stream of ids into text pieces without splitting a character: the generated ids are
// decoded as one sequence each step (so tokenizers that join pieces with spaces, or drop a
// leading space, read as they would at the end) and only text ending in a complete character
// is emitted; a trailing U+FFFD means the last token ended inside a multi-byte character.
export function textStream(tokenizer) {
  const ids = [];
  let sent = '';
  return {
    push(id) {
      ids.push(id);
      const text = tokenizer.decode(ids);
      if (text.endsWith('\uFFFD') || !text.startsWith(sent)) return '';
      const piece = text.slice(sent.length);
      sent = text;
      return piece;
    },
    flush() {
      const text = tokenizer.decode(ids);
      const piece = text.startsWith(sent) ? text.slice(sent.length) : '';
      sent = text;
      return piece;
    },
  };
}
