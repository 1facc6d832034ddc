#!/usr/bin/env bash
# Builds the loader fuzzer (clang-19, libFuzzer + ASan) and runs a fixed,
# deterministic number of inputs seeded from the test fixtures.
# Usage: scripts/fuzz.sh [RUNS]   (default 3000)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
runs=${1:-3000}
cmake --preset native-clang >/dev/null
cmake --build --preset native-clang -j"$JOBS" --target qwasm_load_model_fuzz
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp tests/data/*.onnx "$corpus"/
for t in test_add test_matmul_2d test_conv_with_strides_padding test_gather_0 test_reshape_reordered_all_dims; do
  [ -f "/usr/share/libonnx-testdata/data/node/$t/model.onnx" ] && cp "/usr/share/libonnx-testdata/data/node/$t/model.onnx" "$corpus/$t.onnx"
done
ASAN_OPTIONS=detect_leaks=1 build/native-clang/tests/fuzz/qwasm_load_model_fuzz -seed=1 -runs="$runs" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 "$corpus" 2>&1 | tail -5
