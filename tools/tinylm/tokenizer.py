"""Byte-level BPE tokenizer of the tiny demo LM (format "qwasm-bpe-v1", see models/tinylm/README.md).

    tok = Tokenizer.load("models/tinylm/tokenizer.json")
    ids = tok.encode("It is a truth universally")
    text = tok.decode(ids)

Encoding, exactly (a JS port must follow the same steps):
  1. The text is split on the literal special-token strings (only "<|endoftext|>"); each
     special string becomes its id.
  2. Every other piece is UTF-8 encoded and split into chunks by PATTERN, a regex over bytes
     (in JS: over a "binary string" of one char per byte, with no `u` flag).
  3. Each chunk starts as its byte values (ids 0..255). Repeatedly: among adjacent pairs, take
     the pair with the lowest merge rank (merges[r] = [a, b] makes id 256 + r); if no adjacent
     pair is in merges, stop; otherwise replace every occurrence of that pair, scanning left
     to right without overlap, by its id.
  4. The ids of the chunks are concatenated.
Decoding concatenates the bytes of each id (vocab[id], hex) and decodes UTF-8 (invalid
sequences become U+FFFD); special tokens decode to "" unless skip_special=False.
"""
import json
import re

# Chunking regex, shared verbatim with the JSON file and the JS side. Classes, byte-wise:
#   letters L = A-Z a-z and every byte >= 0x80 (so UTF-8 multi-byte characters stay inside words)
#   digits  D = 0-9;   whitespace W = \t \n \v \f \r and space;   other O = everything else
#   chunk = " "?L+ | " "?D+ | " "?O+ | W*(W minus space) | W+ not followed by a non-W byte | W+
# (alternatives are tried in this order at each position, with ordinary backtracking: the 4th
# takes whitespace up to its last non-space character, e.g. "\n\n"; the 5th leaves the last
# space of a run of spaces to prefix the next word.)
PATTERN = (r" ?[A-Za-z\x80-\xff]+| ?[0-9]+| ?[^\t\n\x0b\x0c\r A-Za-z0-9\x80-\xff]+"
           r"|[\t\n\x0b\x0c\r ]*[\t\n\x0b\x0c\r]|[\t\n\x0b\x0c\r ]+(?![^\t\n\x0b\x0c\r ])|[\t\n\x0b\x0c\r ]+")
FORMAT = "qwasm-bpe-v1"
EOT = "<|endoftext|>"

_PAT = re.compile(PATTERN.encode("ascii"))


def chunks(data: bytes):
    """Splits UTF-8 bytes into pre-tokenizer chunks (their concatenation is data)."""
    return _PAT.findall(data)


class Tokenizer:
    def __init__(self, merges, special_tokens):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: r for r, m in enumerate(self.merges)}
        self.vocab = [bytes([i]) for i in range(256)]
        for a, b in self.merges:
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self.special_tokens = dict(special_tokens)  # str -> id
        for s, i in sorted(self.special_tokens.items(), key=lambda kv: kv[1]):
            assert i == len(self.vocab), "special tokens follow the merges"
            self.vocab.append(s.encode("utf-8"))
        self.special_ids = set(self.special_tokens.values())
        self._cache = {}
        self._special_re = re.compile("(" + "|".join(re.escape(s) for s in self.special_tokens) + ")") \
            if self.special_tokens else None

    @property
    def vocab_size(self):
        return len(self.vocab)

    @classmethod
    def load(cls, path):
        with open(path, encoding="utf-8") as f:
            j = json.load(f)
        assert j["format"] == FORMAT and j["pattern"] == PATTERN
        tok = cls(j["merges"], j["special_tokens"])
        assert [v.hex() for v in tok.vocab] == j["vocab"], "vocab does not match merges"
        return tok

    def to_json(self):
        return {
            "format": FORMAT,
            "pattern": PATTERN,
            "vocab_size": self.vocab_size,
            "special_tokens": self.special_tokens,
            "merges": [list(m) for m in self.merges],
            "vocab": [v.hex() for v in self.vocab],
        }

    def save(self, path):
        j = self.to_json()
        # one merge / vocab entry per line keeps the file diff-able and small
        lines = ["{"]
        for key in ("format", "pattern", "vocab_size", "special_tokens"):
            lines.append(f"  {json.dumps(key)}: {json.dumps(j[key])},")
        lines.append('  "merges": [\n' + ",\n".join(f"    [{a}, {b}]" for a, b in j["merges"]) + "\n  ],")
        lines.append('  "vocab": [\n' + ",\n".join(f'    "{v}"' for v in j["vocab"]) + "\n  ]")
        lines.append("}")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def _bpe(self, chunk: bytes):
        hit = self._cache.get(chunk)
        if hit is not None:
            return hit
        ids = list(chunk)
        ranks = self.ranks
        while len(ids) > 1:
            best, best_rank = None, None
            for p in zip(ids, ids[1:]):
                r = ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            new_id = 256 + best_rank
            out, i = [], 0
            while i < len(ids):
                if i + 1 < len(ids) and ids[i] == best[0] and ids[i + 1] == best[1]:
                    out.append(new_id)
                    i += 2
                else:
                    out.append(ids[i])
                    i += 1
            ids = out
        if len(self._cache) < 200000:
            self._cache[chunk] = ids
        return ids

    def encode_ordinary(self, text):
        """Encodes text without recognizing special-token strings."""
        ids = []
        for c in chunks(text.encode("utf-8")):
            ids.extend(self._bpe(c))
        return ids

    def encode(self, text):
        if not self._special_re:
            return self.encode_ordinary(text)
        ids = []
        for i, piece in enumerate(self._special_re.split(text)):
            if i % 2:
                ids.append(self.special_tokens[piece])
            elif piece:
                ids.extend(self.encode_ordinary(piece))
        return ids

    def decode(self, ids, skip_special=True):
        data = b"".join(self.vocab[i] for i in ids if not (skip_special and i in self.special_ids))
        return data.decode("utf-8", errors="replace")
