#!/usr/bin/env bash
# Builds the native runtime + tests and both wasm variants, and assembles dist/.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"

v=$(wasm-opt --version 2>/dev/null || true)
case "$v" in
  *"version 119"*) ;;
  *) echo "build: wasm-opt on PATH is '$v', expected binaryen 119 from npm (run scripts/setup.sh)" >&2; exit 1 ;;
esac

T0=$SECONDS
timed() {  # name, command...: runs a build step and prints its time
  local name=$1 t0=$SECONDS; shift
  "$@" || { echo "build: $name FAILED"; exit 1; }
  echo "--- build $name: $((SECONDS - t0)) s"
}
# Presets in CMakePresets.json: native (g++), native-clang (clang-19), wasm (both wasm variants,
# simd128 and relaxed, from one tree: the layers above kernels/ are compiled once) and
# wasm-threads (the same for the pthread builds; the npm modules only, no test binaries).
for preset in native wasm wasm-threads; do
  cmake --preset "$preset" >/dev/null
  timed "$preset" cmake --build --preset "$preset" -j"$JOBS"
done
# clang-19 must build the runtime too, under ASan with libFuzzer's coverage instrumentation
# (CMakePresets.json): scripts/test.sh runs its unit tests under ASan/LSan and fuzzes the
# loader with the fuzzer built here. One tree for both, at -O1: the g++ tree checks -O3.
cmake --preset native-clang >/dev/null
timed native-clang cmake --build --preset native-clang -j"$JOBS" --target qwasm_unit_tests qwasm_load_model_fuzz
# The kernel parity binaries: AArch64 in its own tree, the others from the trees above.
timed "kernel parity" bash native-tests/run-all.sh --build-only

mkdir -p dist
for variant in simd128 relaxed; do
  node scripts/patch-esm-glue.mjs "build/wasm/dist/qwasm-$variant.mjs" "dist/qwasm-$variant.mjs"
  cp "build/wasm/dist/qwasm-$variant.wasm" dist/
  t="qwasm-$variant-threads"
  node scripts/patch-esm-glue.mjs "build/wasm-threads/dist/$t.mjs" "dist/$t.mjs"
  cp "build/wasm-threads/dist/$t.wasm" dist/
  # The pthread worker is a classic script: browsers load the .js, Node the .cjs copy
  # (this package is "type": "module", which would make Node read a .js as ESM).
  node scripts/patch-pthread-worker.mjs "build/wasm-threads/dist/$t.worker.js" "dist/$t.worker.js"
  cp "build/wasm-threads/dist/$t.worker.js" "dist/$t.worker.cjs"
done
# qwasm/quantize's own module, built in the wasm tree only (src/bindings/CMakeLists.txt).
node scripts/patch-esm-glue.mjs build/wasm/dist/qwasm-quantize.mjs dist/qwasm-quantize.mjs
cp build/wasm/dist/qwasm-quantize.wasm dist/
echo "build: ok ($((SECONDS - T0)) s)"
ls -l dist
