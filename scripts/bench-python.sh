#!/usr/bin/env bash
# The Python half of `make bench`: Tessera's Python verification against cryptography's bare
# RSA verify, PyJWT and supertokens-python, and FastAPI + uvicorn requests/s on /getJWT
# (scripts/bench-python.py). Writes the table to target/bench-python-report.txt.
#
# The benchmarks need a release build of the native module, so they get their own virtualenv
# (target/bench-venv, or $TESSERA_BENCH_VENV) and leave the test venv's debug build alone.
# Extra arguments go to bench-python.py (--help lists them).
#
# Environment: BENCH_STRICT=1 to exit 1 when a goal is missed; BENCH_NO_INSTALL=1 to not
# install wrk.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
VENV="${TESSERA_BENCH_VENV:-$TARGET_DIR/bench-venv}"
WHEEL_DIR="$TARGET_DIR/bench-wheels"
started=$SECONDS

command -v python3 >/dev/null || { echo "bench-python.sh: python3 is not installed" >&2; exit 1; }

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
echo "==> bench venv $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    maturin 'PyJWT[crypto]' cryptography supertokens-python fastapi uvicorn httptools uvloop httpx

# The load generator: wrk (Debian package `wrk`), installed here when missing and we are root
# with apt-get. Without it bench-python.py falls back to a Python load generator, which is
# slower than the servers it measures: the req/s figures are then the client's limit.
if ! command -v wrk >/dev/null && [ "${BENCH_NO_INSTALL:-0}" != "1" ] \
    && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "==> apt-get install wrk"
    apt-get install -y -qq wrk >/dev/null 2>&1 \
        || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq wrk >/dev/null 2>&1; } \
        || echo "bench-python.sh: could not install wrk; using the Python load generator" >&2
fi

# `maturin build` + `pip install` of the wheel, not `maturin develop --release`: develop makes
# an editable install that copies the native module into bindings-python/python/tessera/, the
# very file the test venv imports, and would swap its debug build for this release one.
#
# Two builds: the plain release build (what `pip install ./bindings-python` makes) and the
# profile-guided one release wheels are made with (scripts/build-python-pgo.sh). The PGO wheel
# is installed and measured throughout; the plain one is unpacked beside it and served too, in
# the side-by-side /getJWT rounds, so that the report says what each build does.
echo "==> maturin build --release (plain)"
rm -rf "$WHEEL_DIR"
(cd "$ROOT/bindings-python" && VIRTUAL_ENV="$VENV" PATH="$VENV/bin:$PATH" \
    maturin build --release --quiet --interpreter "$VENV/bin/python" -o "$WHEEL_DIR/plain")
plain_dir="$TARGET_DIR/bench-plain-build"
rm -rf "$plain_dir" && mkdir -p "$plain_dir"
"$VENV/bin/python" -m zipfile -e "$WHEEL_DIR"/plain/tessera_session-*.whl "$plain_dir"
build_args=()
pgo_status=0
bash "$ROOT/scripts/build-python-pgo.sh" "$WHEEL_DIR/pgo" "$VENV/bin/python" || pgo_status=$?
if [ "$pgo_status" = 0 ]; then
    wheel=("$WHEEL_DIR"/pgo/tessera_session-*.whl)
    build_args=(--build pgo --plain-build "$plain_dir")
elif [ "$pgo_status" = 3 ]; then
    wheel=("$WHEEL_DIR"/plain/tessera_session-*.whl)
    build_args=(--build plain)
else
    exit "$pgo_status"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "${wheel[@]}"

strict=()
if [ "${BENCH_STRICT:-0}" = "1" ]; then
    strict=(--strict)
fi
status=0
"$VENV/bin/python" "$ROOT/scripts/bench-python.py" --report "$TARGET_DIR/bench-python-report.txt" \
    "${build_args[@]}" "${strict[@]}" "$@" || status=$?
echo "(bench-python.sh: $((SECONDS - started)) s including the build)"
exit "$status"
