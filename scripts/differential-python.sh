#!/usr/bin/env bash
# The Python differential test (tests/differential-python/): the corpus and flows of
# tests/differential/ sent to Tessera apps and to supertokens-python apps on FastAPI, Flask and Django.
#
# supertokens-python pins dependencies of its own (packaging<26, pycryptodome, twilio...), so it
# gets a virtualenv of its own under target/ rather than the test venv (.venv): there it would
# downgrade what the other suites run on. The binding is built into it as scripts/python-test.sh
# builds it into .venv (maturin develop), only when missing or older than its sources. The test
# also needs the Node addon (it mints the tokens of the embedded groups, as the Node differential
# test does): scripts/examples-build.sh makes it if it is missing.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${DIFF_PYTHON_VENV:-$root/target/differential-python-venv}"
supertokens_python="supertokens-python==0.31.4"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import supertokens_python, fastapi, uvicorn, flask, django, rest_framework" 2>/dev/null \
    || [ "$("$venv/bin/python" -c 'import supertokens_python.constants as c; print(c.VERSION)')" != "${supertokens_python#*==}" ]; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin "$supertokens_python" fastapi uvicorn flask django djangorestframework
fi

# stale ARTIFACT SOURCE...: ARTIFACT is missing or older than a source (as in examples-build.sh).
stale() {
    local artifact="$1"
    shift
    [ ! -e "$artifact" ] || [ -n "$(cd "$root" && find "$@" -newer "$artifact" -print -quit 2>/dev/null)" ]
}
python_native="$(compgen -G "$root/bindings-python/python/tessera/_native*.so" | head -n 1 || true)"
if ! "$venv/bin/python" -c "import tessera" 2>/dev/null \
    || stale "${python_native:-missing}" core/src core/Cargo.toml Cargo.toml Cargo.lock bindings-python/src bindings-python/Cargo.toml; then
    [ -x "$venv/bin/maturin" ] || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin
    (cd "$root/bindings-python" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --quiet)
fi

node_native="$(compgen -G "$root/bindings-node/tessera.*.node" | head -n 1 || true)"
if [ -z "$node_native" ] || [ ! -f "$root/bindings-node/dist/index.js" ]; then
    bash "$root/scripts/examples-build.sh"
fi

cd "$root"
DIFF_PYTHON="$venv/bin/python" node --test tests/differential-python/differential-python.test.mjs
