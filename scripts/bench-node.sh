#!/usr/bin/env bash
# The Node part of `make bench`: Tessera's Node verification against Node's bare crypto.verify,
# jose, fast-jwt and supertokens-node, and Express requests/s on /getJWT
# (scripts/bench-node.mjs). Writes the table to target/bench-node-report.txt.
#
# The benchmarks need a release build of the addon. It is built with cargo and copied to
# target/bench-node/, and the generated loader is pointed at it (NAPI_RS_NATIVE_LIBRARY_PATH),
# which leaves bindings-node/'s debug build, the one the tests load, alone.
# The benchmark's own dependencies live in scripts/bench-node/ (not in bindings-node's
# devDependencies). Extra arguments go to bench-node.mjs (--help lists them).
#
# Environment: BENCH_STRICT=1 to exit 1 when a goal is missed; BENCH_NO_INSTALL=1 to not
# install wrk.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
ADDON_DIR="$TARGET_DIR/bench-node"
started=$SECONDS

command -v node >/dev/null || { echo "bench-node.sh: node is not installed" >&2; exit 1; }

echo "==> npm ci (scripts/bench-node)"
(cd scripts/bench-node && npm ci --no-audit --no-fund --loglevel=error)

# The load generator: wrk (Debian package `wrk`), installed here when missing and we are root
# with apt-get. Without it bench-node.mjs falls back to a Node load generator, which is
# slower than the servers it measures: the req/s figures are then the client's limit.
if ! command -v wrk >/dev/null && [ "${BENCH_NO_INSTALL:-0}" != "1" ] \
    && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install wrk"
    apt-get install -y -qq wrk >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
        || echo "bench-node.sh: could not install wrk; using the Node load generator" >&2
fi

# The facade (dist/) comes from bindings-node's own TypeScript build.
echo "==> bindings-node: tsc"
(
    cd bindings-node
    [ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
    npm run --silent build:ts
)

echo "==> cargo build --release -p tessera-node"
cargo build --release -p tessera-node
case "$(uname -s)" in
    Darwin) lib="$TARGET_DIR/release/libtessera_node.dylib" ;;
    *) lib="$TARGET_DIR/release/libtessera_node.so" ;;
esac
mkdir -p "$ADDON_DIR"
# A copy, not the cargo output itself: a later cargo build must not swap it mid-run.
cp "$lib" "$ADDON_DIR/tessera.node"
export NAPI_RS_NATIVE_LIBRARY_PATH="$ADDON_DIR/tessera.node"

strict=()
if [ "${BENCH_STRICT:-0}" = "1" ]; then
    strict=(--strict)
fi
status=0
node "$ROOT/scripts/bench-node.mjs" --report "$TARGET_DIR/bench-node-report.txt" "${strict[@]}" "$@" || status=$?
echo "(bench-node.sh: $((SECONDS - started)) s including the build)"
exit "$status"
