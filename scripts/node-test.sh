#!/usr/bin/env bash
# Builds the Node binding's native addon and runs its tests (the shared vectors through the
# native module, and whatever else lives in bindings-node/test/).
set -euo pipefail
cd "$(dirname "$0")/../bindings-node"

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi
# A debug build: much faster to compile, and dependencies are optimised anyway
# (`[profile.dev.package."*"]` in the root Cargo.toml).
npx napi build --platform --js native.js --dts native.d.ts
# Without its debug info the addon is a tenth of the size, which keeps test/pack.test.mjs (npm
# pack and install of the whole package) to a few seconds.
strip --strip-debug tessera.*.node
# The generated loader and .d.ts are committed: a change to the Rust exports must show in review.
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git diff --quiet -- native.js native.d.ts; then
  echo "node-test: native.js/native.d.ts differ from the committed ones; commit the regenerated files" >&2
  git --no-pager diff --stat -- native.js native.d.ts >&2
  exit 1
fi
npm run build:ts

cd ..
node --test bindings-node/test/
