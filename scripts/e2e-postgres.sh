#!/usr/bin/env bash
# Two app servers in two languages (the Python and Node bindings) on one throwaway PostgreSQL
# database: tests/e2e/postgres. Uses the virtualenv of scripts/python-test.sh and the addon
# built by scripts/node-test.sh, which `make test` runs first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TESSERA_VENV:-$root/.venv}"
cd "$root"

[ -x "$venv/bin/python" ] || { echo "e2e-postgres: no virtualenv at $venv; run scripts/python-test.sh first" >&2; exit 1; }
[ -f bindings-node/dist/index.js ] && compgen -G "bindings-node/*.node" >/dev/null || {
    echo "e2e-postgres: the Node binding is not built; run scripts/node-test.sh first" >&2
    exit 1
}
"$venv/bin/ruff" check --quiet --config bindings-python/pyproject.toml tests/e2e/postgres
bash scripts/pg.sh run "$venv/bin/python" -m pytest tests/e2e/postgres -q -p no:cacheprovider
