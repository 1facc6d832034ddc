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

# Presets in CMakePresets.json: native (g++), native-clang (clang-19), wasm-simd128, wasm-relaxed.
for preset in native wasm-simd128 wasm-relaxed; do
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$JOBS"
done
# clang-19 must build the runtime too; its unit tests run in scripts/test.sh.
cmake --preset native-clang >/dev/null
cmake --build --preset native-clang -j"$JOBS" --target qwasm_unit_tests

mkdir -p dist
for variant in simd128 relaxed; do
  node scripts/patch-esm-glue.mjs "build/wasm-$variant/dist/qwasm-$variant.mjs" "dist/qwasm-$variant.mjs"
  cp "build/wasm-$variant/dist/qwasm-$variant.wasm" dist/
done
echo "build: ok"
ls -l dist
