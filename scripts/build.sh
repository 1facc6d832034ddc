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

cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build/native -j"$JOBS"

for variant in simd128 relaxed; do
  emcmake cmake -S . -B "build/wasm-$variant" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DQWASM_WASM_VARIANT=$variant >/dev/null
  ninja -C "build/wasm-$variant" -j"$JOBS"
done

mkdir -p dist
for variant in simd128 relaxed; do
  node scripts/patch-esm-glue.mjs "build/wasm-$variant/dist/qwasm-$variant.mjs" "dist/qwasm-$variant.mjs"
  cp "build/wasm-$variant/dist/qwasm-$variant.wasm" dist/
done
echo "build: ok"
ls -l dist
