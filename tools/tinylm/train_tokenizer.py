"""Trains the byte-level BPE of the tiny demo LM and writes the tokenizer + JS test vectors.

Usage: /usr/bin/python3 tools/tinylm/train_tokenizer.py [--vocab 2048] [--data build/tinylm/train.txt]
Writes tests/data/tinylm/tokenizer.qwasm-bpe.json (tools/tinylm/export_hf_tokenizer.py turns it into
models/tinylm/tokenizer.json) and tests/data/tinylm/tokenizer_vectors.json.

Algorithm: the training text is split on "<|endoftext|>" and chunked with tokenizer.PATTERN;
each distinct chunk is a word (with its count) of byte ids. Each step merges the most frequent
adjacent pair (ties: smallest first id, then smallest second id) into a new id 256 + step,
counting pairs inside words only. Merging stops at vocab - 1 (one id is kept for <|endoftext|>).
"""
import argparse
import collections
import heapq
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer import EOT, Tokenizer, chunks  # noqa: E402

TEST_STRINGS = [
    "It is a truth universally",
    "It is a truth universally acknowledged, that a single man in possession of a good fortune, "
    "must be in want of a wife.",
    "\"My dear Mr. Bennet,\" said his lady to him one day, \"have you heard that Netherfield Park is let at last?\"",
    "Emma Woodhouse, handsome, clever, and rich",
    "",
    "  two leading spaces,\ttab, trailing spaces   ",
    "Line one\n\nLine two\n   indented\n",
    "Numbers 1811 and 3.14159; symbols: @#$%^&*()[]{}<>~`|\\/",
    "Caf\u00e9 na\u00efve \u2014 \u201cquoted\u201d \u65e5\u672c\u8a9e \U0001F600 end",
    "first book<|endoftext|>second book",
]


def train(words, n_merges, log_every=256):
    """words: dict bytes -> count. Returns the list of merges [(a, b), ...]."""
    seqs = [list(w) for w in words]
    counts = list(words.values())
    pair_count = collections.Counter()
    where = collections.defaultdict(set)  # pair -> indices of words that contain it
    for wi, (s, c) in enumerate(zip(seqs, counts)):
        for p in zip(s, s[1:]):
            pair_count[p] += c
            where[p].add(wi)
    heap = [(-c, p) for p, c in pair_count.items()]
    heapq.heapify(heap)
    merges = []
    t0 = time.time()
    while len(merges) < n_merges and heap:
        negc, p = heapq.heappop(heap)
        if pair_count.get(p, 0) != -negc or negc == 0:
            continue  # stale heap entry
        new_id = 256 + len(merges)
        merges.append(p)
        changed = set()
        for wi in list(where[p]):
            s, c = seqs[wi], counts[wi]
            for q in zip(s, s[1:]):
                pair_count[q] -= c
                changed.add(q)
            out, i = [], 0
            while i < len(s):
                if i + 1 < len(s) and s[i] == p[0] and s[i + 1] == p[1]:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(s[i])
                    i += 1
            seqs[wi] = out
            for q in zip(s, s[1:]):
                where[q].discard(wi)
            for q in zip(out, out[1:]):
                pair_count[q] += c
                where[q].add(wi)
                changed.add(q)
        for q in changed:
            c = pair_count[q]
            if c > 0:
                heapq.heappush(heap, (-c, q))
            else:
                pair_count.pop(q, None)
        if len(merges) % log_every == 0:
            print(f"  merge {len(merges)}/{n_merges}: count {-negc}, {time.time() - t0:.1f}s", flush=True)
    return merges


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser()
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--data", default=os.path.join(root, "build/tinylm/train.txt"))
    ap.add_argument("--out", default=os.path.join(root, "tests/data/tinylm/tokenizer.qwasm-bpe.json"))
    ap.add_argument("--vectors", default=os.path.join(root, "tests/data/tinylm/tokenizer_vectors.json"))
    args = ap.parse_args()

    with open(args.data, encoding="utf-8") as f:
        text = f.read()
    words = collections.Counter()
    for doc in text.split(EOT):
        words.update(chunks(doc.encode("utf-8")))
    print(f"{len(text)} chars, {sum(words.values())} chunks, {len(words)} distinct")
    # Python dicts keep insertion order; sort for a result independent of hashing / order
    words = dict(sorted(words.items()))
    merges = train(words, args.vocab - 256 - 1)
    tok = Tokenizer(merges, {EOT: 256 + len(merges)})
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tok.save(args.out)
    tok = Tokenizer.load(args.out)  # round trip through the file
    n_tokens = len(tok.encode(text))
    print(f"vocab {tok.vocab_size}: {n_tokens} tokens ({len(text) / n_tokens:.2f} chars/token) -> {args.out}")

    vectors = []
    for s in TEST_STRINGS:
        ids = tok.encode(s)
        assert tok.decode(ids, skip_special=False) == s
        vectors.append({"text": s, "ids": ids})
    with open(args.vectors, "w", encoding="utf-8") as f:
        f.write("[\n" + ",\n".join("  " + json.dumps(v, ensure_ascii=True) for v in vectors) + "\n]\n")
    print(f"{len(vectors)} test vectors -> {args.vectors}")
    print("sample tokens:", [tok.vocab[i].decode("utf-8", "replace") for i in range(tok.vocab_size - 20, tok.vocab_size)])


if __name__ == "__main__":
    main()
