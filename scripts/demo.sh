#!/usr/bin/env bash
# The main job: serves the demo page (web-demo/ plus the js/, dist/ and models/
# it loads) on 127.0.0.1 with the COOP/COEP headers threads need, and prints the URL.
#   scripts/demo.sh [--port N]      the browser demo (default port 8080, or $PORT)
#   scripts/demo.sh --node [model]  the older Node demo: runs a model through the API and prints outputs/timing
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$QWASM_ROOT"
if [ "${1:-}" = "--node" ]; then
  shift
  exec "$NODE22" tools/demo-node.mjs "$@"
fi
exec "$NODE22" scripts/serve.mjs "$@"
