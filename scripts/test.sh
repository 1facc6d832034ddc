#!/usr/bin/env bash
# Runs every test: native unit + conformance, wasm conformance and JS API tests
# (Node 22 relaxed threaded and simd128 single-threaded, Node 20 simd128 threaded), kernel
# parity, browser tests.
# Assumes scripts/build.sh ran (npm test does both).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
# Debian's machine Node (20); not `node` from PATH, which npm points at node_modules/.bin (Node 22).
NODE20=/usr/bin/node
step() { printf '\n=== %s\n' "$*"; }

step "build guards"
node scripts/check-wasm.mjs

step "native unit tests (g++, clang-19)"
build/native/tests/qwasm_unit_tests --gtest_brief=1
build/native-clang/tests/qwasm_unit_tests --gtest_brief=1

step "loader fuzzing (libFuzzer + ASan/LSan, fixed seed)"
bash scripts/fuzz.sh 20000

step "wasm unit tests (Node 22, both variants)"
for variant in relaxed simd128; do
  "$NODE22" "build/wasm-$variant/tests/qwasm_unit_tests.cjs" --gtest_brief=1
done

step "native ONNX conformance"
build/native/tests/conformance/qwasm_conformance --quiet --expect tests/conformance/expected_pass

# relaxed: the default threads (the threaded build); simd128: one thread (the plain build).
step "wasm ONNX conformance (relaxed, threaded, Node 22)"
"$NODE22" tests/conformance/run-js.mjs --quiet --simd relaxed --expect tests/conformance/expected_pass
step "wasm ONNX conformance (simd128, one thread, Node 22)"
"$NODE22" tests/conformance/run-js.mjs --quiet --simd simd128 --threads 1 --expect tests/conformance/expected_pass

# Default threads load the threaded builds; QWASM_THREADS=1 the plain ones.
step "JS API tests"
bash scripts/run-node-tests.sh "$NODE22" QWASM_SIMD=relaxed -- tests/js/*.test.mjs
bash scripts/run-node-tests.sh "$NODE22" QWASM_SIMD=simd128 QWASM_THREADS=1 -- tests/js/*.test.mjs
bash scripts/run-node-tests.sh "$NODE20" QWASM_SIMD=auto -- tests/js/*.test.mjs

if [ -x native-tests/run-all.sh ]; then
  step "kernel parity (native, Arm under qemu, wasm under Node 22)"
  bash native-tests/run-all.sh
fi

step "browser tests (Chromium via Playwright)"
"$NODE22" tests/browser/run.mjs

echo
echo "all tests passed"
