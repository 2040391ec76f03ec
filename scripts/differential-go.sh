#!/usr/bin/env bash
# The Go differential test (tests/differential-go/): tests/differential's corpus and flows sent
# to a Tessera net/http app (the Go binding) and to a supertokens-golang net/http app configured
# alike, the answers compared. Builds the two servers into target/differential-go, then runs the
# node:test file, which needs no npm packages (it imports tests/differential's modules).
set -euo pipefail
cd "$(dirname "$0")/.."

# The C ABI the Tessera server links (cgo, target/debug/libtessera_ffi.a): `make test` runs
# go-test first, which built it, so this is a no-op there; it lets the script run alone.
cargo build -p tessera-ffi

(
  cd tests/differential-go
  unformatted=$(gofmt -l .)
  if [ -n "$unformatted" ]; then
    echo "differential-go: gofmt would change: $unformatted" >&2
    exit 1
  fi
  go vet ./...
  go build -o ../../target/differential-go/ ./cmd/tessera ./cmd/supertokens
)

node --test tests/differential-go/differential-go.test.mjs
