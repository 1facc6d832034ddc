#!/usr/bin/env bash
# Model-level benchmarks against onnxruntime-web (Node 22, one thread, same process).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
"$NODE22" tools/bench/models.mjs "$@"
# The same models in headless Chromium, qwasm and onnxruntime-web in one page (Chromium's
# relaxed-dot class can differ from Node's; only when the Node run covered them all).
if [ $# -eq 0 ]; then
  echo
  "$NODE22" tools/bench/models-chromium.mjs bert mobilenet turn
fi
