#!/usr/bin/env bash
# The Python part of `make test`: a virtualenv with the test dependencies, the binding built
# into it, the .pyi checked against the built module, then the pytest suite.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${TESSERA_VENV:-$root/.venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    maturin pytest fastapi httpx flask django djangorestframework mypy ruff

# `maturin develop` rather than `pip install ./bindings-python`: an editable install that
# reuses the workspace's cargo target directory (dev profile, dependencies optimised), so a
# rebuild after a Rust change takes seconds instead of a release build.
(cd "$root/bindings-python" && VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" maturin develop --quiet)

PYTHON="$venv/bin/python" bash "$root/scripts/python-stubtest.sh"

cd "$root"
"$venv/bin/ruff" check --quiet bindings-python/python bindings-python/tests
status=0
"$venv/bin/python" -m pytest bindings-python/tests -q || status=$?
if [ "$status" -eq 5 ]; then
    echo "python-test: pytest collected no tests in bindings-python/tests" >&2
fi
exit "$status"
