#!/usr/bin/python3
"""Writes the committed side files of the float Austen LM (tools/models/train_austen_lm.sh) that
tools/bench/quantize-trained.mjs reads, so the bench needs neither torch nor R:
  DATA/austen_valid.u16  held-out token ids (uint16 LE): valid.txt (the last 2% of every novel)
  DATA/austen_calib.u16  calibration ids: 8 x 128 tokens of training text (seeded offsets)
  DATA/austen_lm.json    config, parameter count, steps, final validation loss, training args
Usage: /usr/bin/python3 tools/models/austen_lm_data.py BUILD_DIR DATA_DIR
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools/tinylm"))
from tokenizer import Tokenizer  # noqa: E402


def main(build, data):
    tok = Tokenizer.load(os.path.join(ROOT, "tests/data/tinylm/tokenizer.qwasm-bpe.json"))
    with open(os.path.join(build, "valid.txt"), encoding="utf-8") as f:
        valid = np.array(tok.encode(f.read()), dtype="<u2")
    train = np.load(os.path.join(build, "train_ids.npy")).astype("<u2")
    starts = np.random.default_rng(99).integers(0, len(train) - 128, 8)
    calib = np.concatenate([train[s:s + 128] for s in starts])
    valid.tofile(os.path.join(data, "austen_valid.u16"))
    calib.tofile(os.path.join(data, "austen_calib.u16"))
    with open(os.path.join(build, "train_log.json")) as f:
        log = json.load(f)
    with open(os.path.join(build, "config.json")) as f:
        config = json.load(f)
    info = {"config": config, "n_params": log["n_params"], "steps": log["steps"],
            "train_seconds": round(log["train_seconds"], 1), "final_valid_loss": log["log"]["valid"][-1][2],
            "valid_log": log["log"]["valid"],
            "args": {k: v for k, v in log["args"].items() if k not in ("out", "tokenizer")},
            "heldout_tokens": int(len(valid)), "text": "Jane Austen's six novels, Debian r-cran-janeaustenr 1.0.0-1"}
    with open(os.path.join(data, "austen_lm.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(f"valid {len(valid)} tokens, calib {len(calib)} tokens, final valid loss {info['final_valid_loss']}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
