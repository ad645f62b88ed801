#!/bin/sh
# Issue 18's demo: three vigil directors behind an upstream router running BGP with ECMP, in network namespaces.
# 10,000 client flows; one director's vigil killed (SIGKILL); one real server failed; prints a JSON report:
#   { "directors": 3, "flows": N, "per_director": {…}, "per_server": {…}, "withdraw_ms": …,
#     "moved_on_director_loss": fraction, "moved_on_server_loss": fraction, "errors": n }
# and cleans up (namespaces and processes) whatever happens. Needs root, nft, and BIRD 2 (or FRR: --speaker frr).
#   sudo examples/ecmp/run.sh [--speaker bird|frr] [--flows N]
set -eu
cd "$(dirname "$0")/../.."
if [ "$(id -u)" != 0 ]; then
  echo "examples/ecmp/run.sh: needs root (network namespaces)" >&2
  exit 2
fi
if [ ! -f dist/bench/tools/ecmp-demo.js ] || [ ! -f dist/cli/main.js ]; then
  echo "# building (npx tsc -p .)" >&2
  npx tsc -p .
fi
if ! ls native/build/Release/*.node >/dev/null 2>&1; then
  echo "examples/ecmp/run.sh: the native addon is not built (npm run build:native)" >&2
  exit 2
fi
exec node dist/bench/tools/ecmp-demo.js "$@"
