#!/usr/bin/env bash
# Builds what the example apps (examples/) need, reusing what is already built: the Python
# binding in the virtualenv scripts/python-test.sh makes, the Node addon and dist that
# scripts/node-test.sh makes. `make test` runs those first, so here they are only checked; they
# are rebuilt when missing or older than their sources (a fresh clone, a pull): on a fresh
# clone `make demo` takes a few minutes of Rust.
# Arguments: more directories (relative to the root) whose npm dependencies to install.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TESSERA_VENV:-$root/.venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import fastapi, uvicorn" 2>/dev/null; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/examples/python-fastapi/requirements.txt"
fi
# stale ARTIFACT SOURCE...: ARTIFACT is missing or older than a source (after a pull, say).
stale() {
    local artifact="$1"
    shift
    [ ! -e "$artifact" ] || [ -n "$(cd "$root" && find "$@" -newer "$artifact" -print -quit 2>/dev/null)" ]
}
core_sources=(core/src core/Cargo.toml Cargo.toml Cargo.lock)

python_native="$(compgen -G "$root/bindings-python/python/tessera/_native*.so" | head -n 1 || true)"
if ! "$venv/bin/python" -c "import tessera" 2>/dev/null \
    || stale "${python_native:-missing}" "${core_sources[@]}" bindings-python/src bindings-python/Cargo.toml; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check maturin
    (cd "$root/bindings-python" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --quiet)
fi

# npm ci, unless node_modules already matches the lock file.
npm_ci() {
    if [ ! -f "$1/node_modules/.package-lock.json" ] || [ "$1/package-lock.json" -nt "$1/node_modules/.package-lock.json" ]; then
        (cd "$1" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

node_binding="$root/bindings-node"
node_native="$(compgen -G "$node_binding/tessera.*.node" | head -n 1 || true)"
if stale "${node_native:-missing}" "${core_sources[@]}" bindings-node/src bindings-node/Cargo.toml; then
    npm_ci "$node_binding"
    (cd "$node_binding" && npx napi build --platform --js native.js --dts native.d.ts)
fi
if stale "$node_binding/dist/index.js" bindings-node/src bindings-node/package.json bindings-node/tsconfig.json; then
    npm_ci "$node_binding"
    (cd "$node_binding" && npm run build:ts)
fi

# The Go binding links the workspace's debug static library; both builds are incremental.
(cd "$root" && cargo build --quiet -p tessera-ffi)
(cd "$root/examples/go-nethttp" && go build -o "$root/target/examples/go-nethttp" .)

for dir in examples/node-express examples/web "$@"; do
    npm_ci "$root/$dir"
done
(cd "$root/examples/web" && npm run --silent build -- --log-level=warning)
