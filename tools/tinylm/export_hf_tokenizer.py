#!/usr/bin/python3
"""Writes tinylm's byte-level BPE (models/tinylm/tokenizer.json, format qwasm-bpe-v1: ids 0..255
are the bytes, id 256 + r is merge r, then the special tokens) in the Hugging Face tokenizers
format, so @huggingface/tokenizers and transformers.js read it with the same ids:

- model BPE: each byte is spelled with the byte-level alphabet (printable Latin-1 bytes stand
  for themselves, the other bytes for the code points 256, 257, ... in byte order); merge r
  joins the spellings of its two ids;
- pre-tokenizer: Split on the chunking regex, then ByteLevel without its own regex. The
  qwasm-bpe pattern runs over bytes, where `\\x80-\\xff` means "a byte of a non-ASCII
  character"; over text that is "a non-ASCII character", so those ranges are rewritten as
  `[^\\x00-\\x7f]` alternatives (every other class in the pattern is ASCII-only, so both readings
  cut the same chunks);
- decoder ByteLevel; special tokens as added tokens.

Usage: /usr/bin/python3 tools/tinylm/export_hf_tokenizer.py models/tinylm/tokenizer.json OUT.json
"""
import json
import sys


def byte_alphabet():
    """byte -> the character that spells it in byte-level BPE vocabularies."""
    printable = set(range(ord("!"), ord("~") + 1)) | set(range(0xA1, 0xAD)) | set(range(0xAE, 0x100))
    out, extra = {}, 0
    for b in range(256):
        if b in printable:
            out[b] = chr(b)
        else:
            out[b] = chr(256 + extra)
            extra += 1
    return out


def text_pattern(byte_pattern):
    """The byte-level chunking regex, read over characters (see the module docstring)."""
    p = byte_pattern
    p = p.replace("[A-Za-z\\x80-\\xff]+", "(?:[A-Za-z]|[^\\x00-\\x7f])+")
    p = p.replace("[^\\t\\n\\x0b\\x0c\\r A-Za-z0-9\\x80-\\xff]+", "[^\\t\\n\\x0b\\x0c\\r A-Za-z0-9\\x80-\\u{10ffff}]+")
    if "\\x80-\\xff" in p:
        raise SystemExit(f"export_hf_tokenizer: pattern has a byte range this script does not rewrite: {p}")
    return p


def convert(src):
    if src.get("format") != "qwasm-bpe-v1":
        raise SystemExit(f"export_hf_tokenizer: format {src.get('format')!r} is not qwasm-bpe-v1")
    alpha = byte_alphabet()
    spell = [alpha[b] for b in range(256)]
    merges = []
    for a, b in src["merges"]:
        merges.append([spell[a], spell[b]])
        spell.append(spell[a] + spell[b])
    vocab = {}
    for i, s in enumerate(spell):
        if s in vocab:
            raise SystemExit(f"export_hf_tokenizer: ids {vocab[s]} and {i} spell the same bytes")
        vocab[s] = i
    added = []
    for s, i in sorted(src["special_tokens"].items(), key=lambda kv: kv[1]):
        if i != len(spell) + len(added):
            raise SystemExit(f"export_hf_tokenizer: special token {s} has id {i}, expected {len(spell) + len(added)}")
        vocab[s] = i
        added.append({"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True})
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": text_pattern(src["pattern"])}, "behavior": "Isolated",
             "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": vocab, "merges": merges},
    }


def main():
    src, out = sys.argv[1], sys.argv[2]
    with open(src) as f:
        hf = convert(json.load(f))
    with open(out, "w") as f:
        json.dump(hf, f, ensure_ascii=False)
    print(f"wrote {out}: {len(hf['model']['vocab'])} tokens, {len(hf['model']['merges'])} merges")


if __name__ == "__main__":
    main()
