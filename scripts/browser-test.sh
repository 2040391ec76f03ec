#!/usr/bin/env bash
# The demo page (supertokens-web-js) in Debian's chromium against every example backend.
# The screenshot the test takes goes to target/demo.png; to refresh the README's one:
#   DEMO_SCREENSHOT=docs/demo.png bash scripts/browser-test.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [ ! -x /usr/bin/chromium ]; then
    echo "browser-test: /usr/bin/chromium is missing; installing Debian's chromium" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; then
        echo "browser-test: could not install chromium (apt-get install -y chromium, as root); the browser tests cannot run" >&2
        exit 1
    fi
fi

bash scripts/examples-build.sh tests/browser

DEMO_SCREENSHOT="$(realpath -m "${DEMO_SCREENSHOT:-target/demo.png}")" node --test tests/browser/demo.test.mjs
