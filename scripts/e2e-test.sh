#!/usr/bin/env bash
# The example backends at once on one SQLite file: sessions cross languages (tests/e2e/).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/examples-build.sh"
cd "$root"
node --test tests/e2e/cross-language.test.mjs
