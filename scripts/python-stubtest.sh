#!/usr/bin/env bash
# Checks bindings-python/python/tessera/_native.pyi against the built tessera._native with
# mypy.stubtest (as pydantic-core does), so the typed surface cannot drift from the Rust.
# Needs the module built and mypy installed in the same interpreter: PYTHON, default the
# repository's .venv. scripts/python-test.sh does both first.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-$root/.venv/bin/python}"

# From the repository root, where no `tessera` directory shadows the installed package.
cd "$root"
"$python" -m mypy.stubtest tessera._native
