#!/usr/bin/env bash
# The main job: runs the bundled model in Node 22 through the public JS API.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
"$NODE22" tools/demo-node.mjs "$@"
