#!/usr/bin/env bash
# Runs every test: layer check, build guards, native unit + conformance, loader fuzzing,
# wasm unit tests and conformance, JS API tests (Node 22 relaxed threaded and simd128
# single-threaded, Node 20), kernel parity, browser tests, the Vite app tests.
# Assumes scripts/build.sh ran (npm test does both): nothing here compiles.
#
# Most steps are single-threaded, so they run in two lanes at once (one per core of the
# CI machine). Each step's output goes to build/test-logs/<step>.log and is printed whole
# when the step ends, with its time; the run fails if any step failed.
set -uo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
# Debian's machine Node (20); not `node` from PATH, which npm points at node_modules/.bin (Node 22).
NODE20=/usr/bin/node
LOGS=build/test-logs
rm -rf "$LOGS"
mkdir -p "$LOGS"
T0=$SECONDS

# step NAME COMMAND...: runs one step, prints its log and time under a lock (lanes interleave
# whole steps, never lines), records ok/FAILED in $LOGS/results.
step() {
  local name=$1; shift
  local log="$LOGS/$(printf '%s' "$name" | tr -c 'A-Za-z0-9' '_').log"
  local t0=$SECONDS verdict
  if "$@" >"$log" 2>&1; then verdict=ok; else verdict=FAILED; fi
  local dt=$((SECONDS - t0))
  {
    flock 9
    printf '\n=== %s\n' "$name"
    cat "$log"
    printf -- '--- %s: %s (%d s, at %d s)\n' "$name" "$verdict" "$dt" "$((SECONDS - T0))"
    printf '%s\t%s\t%d\n' "$verdict" "$name" "$dt" >>"$LOGS/results"
  } 9>"$LOGS/.lock"
}

node_tests() { bash scripts/run-node-tests.sh "$@"; }

native_lane() {
  step "layer check (and its self-test)" bash -c "node scripts/check-layers.mjs --self-test && node scripts/check-layers.mjs"
  step "build guards" node scripts/check-wasm.mjs
  step "docs/charts match docs/bench's JSON" node tools/charts/make-charts.mjs --check
  step "README examples type-check (tsc --strict)" node scripts/check-readme-types.mjs
  step "native unit tests (g++)" build/native/tests/qwasm_unit_tests --gtest_brief=1
  step "native unit tests (clang-19, ASan/LSan)" build/native-clang/tests/qwasm_unit_tests --gtest_brief=1
  step "loader fuzzing (libFuzzer + ASan/LSan, fixed seed)" bash scripts/fuzz.sh 20000
  step "native ONNX conformance" build/native/tests/conformance/qwasm_conformance --quiet \
    --expect tests/conformance/expected_pass
  step "wasm unit tests (relaxed, Node 22)" "$NODE22" build/wasm/tests/qwasm_unit_tests_relaxed.cjs --gtest_brief=1
  step "wasm unit tests (simd128, Node 22)" "$NODE22" build/wasm/tests/qwasm_unit_tests_simd128.cjs --gtest_brief=1
  step "kernel parity (native g++/clang-19, AArch64 under qemu, wasm under Node 22)" bash native-tests/run-all.sh
  # relaxed: the default threads (the threaded build); simd128: one thread (the plain build).
  step "wasm ONNX conformance (simd128, one thread, Node 22)" "$NODE22" tests/conformance/run-js.mjs --quiet \
    --simd simd128 --threads 1 --expect tests/conformance/expected_pass
  # The packed package in a Vite 8 app: build + preview and dev server, plain and cross-origin isolated pages.
  step "Vite app tests (Chromium via Playwright)" "$NODE22" tests/vite/run.mjs
  # The steps above take about a minute and a half; these two even out the lanes (the JS
  # lane's two Node 22 runs take about two and a half minutes).
  step "JS API tests (Node 20)" node_tests "$NODE20" QWASM_SIMD=auto -- tests/js/*.test.mjs
  step "browser tests (Chromium via Playwright)" "$NODE22" tests/browser/run.mjs
}

js_lane() {
  step "wasm ONNX conformance (relaxed, threaded, Node 22)" "$NODE22" tests/conformance/run-js.mjs --quiet \
    --simd relaxed --expect tests/conformance/expected_pass
  # Default threads load the threaded builds; QWASM_THREADS=1 the plain ones.
  step "JS API tests (Node 22, relaxed, threaded)" node_tests "$NODE22" QWASM_SIMD=relaxed -- tests/js/*.test.mjs
  step "JS API tests (Node 22, simd128, one thread)" node_tests "$NODE22" QWASM_SIMD=simd128 QWASM_THREADS=1 -- \
    tests/js/*.test.mjs
}

# Each lane leaves a mark when it got to its end, so a lane that died midway cannot pass.
(native_lane; touch "$LOGS/native.done") &
(js_lane; touch "$LOGS/js.done") &
wait

echo
echo "=== step times"
sort -t$'\t' -k3 -n -r "$LOGS/results" | awk -F'\t' '{ printf "%5d s  %-7s %s\n", $3, $1, $2 }'
passed=$(grep -c '^ok' "$LOGS/results" || true)
failed=$(grep -c '^FAILED' "$LOGS/results" || true)
echo "test.sh: $((SECONDS - T0)) s in all"
echo "steps: $passed passed, $failed failed"
for lane in native js; do
  [ -f "$LOGS/$lane.done" ] || { echo "FAILED: the $lane lane did not finish"; failed=$((failed + 1)); }
done
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
  grep '^FAILED' "$LOGS/results" | cut -f2 | sed 's/^/FAILED: /'
  exit 1
fi
echo "all tests passed"
