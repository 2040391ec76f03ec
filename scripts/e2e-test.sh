#!/usr/bin/env bash
# The example backends at once on one SQLite file: sessions cross languages (tests/e2e/).
# The examples are code users copy, so they pass the linters first.
# Then the differential test (tests/differential/): the same hostile and unusual requests sent to
# a Tessera app and to a supertokens-node one on each Node framework both integrate with, the
# answers compared; then the same for Tessera and supertokens-python apps on the Python frameworks
# (scripts/differential-python.sh).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TESSERA_VENV:-$root/.venv}"
# tests/differential: its npm dependencies (supertokens-node, the frameworks), installed with npm ci.
bash "$root/scripts/examples-build.sh" tests/differential
cd "$root"

[ -x "$venv/bin/ruff" ] || "$venv/bin/python" -m pip install --quiet --disable-pip-version-check ruff
"$venv/bin/ruff" check --quiet examples/python-fastapi
"$venv/bin/ruff" format --quiet --check --line-length 120 examples/python-fastapi
(cd examples/go-nethttp && go vet .)
unformatted="$(gofmt -l examples/go-nethttp)"
[ -z "$unformatted" ] || { echo "e2e-test: gofmt would change $unformatted" >&2; exit 1; }

node --test tests/e2e/cross-language.test.mjs
node --test tests/differential/differential.test.mjs
bash "$root/scripts/differential-python.sh"
