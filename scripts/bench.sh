#!/usr/bin/env bash
# Model-level benchmarks against onnxruntime-web (Node 22, one thread, same process).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
"$NODE22" tools/bench/models.mjs "$@"
