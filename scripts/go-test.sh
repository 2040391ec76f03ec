#!/usr/bin/env bash
# Builds the C ABI (tessera-ffi) and runs the Go binding's tests against it: the shared
# vectors, the net/http integration tests under the race detector, the 100,000-call leak
# check, the router examples, and a C caller of tessera.h under AddressSanitizer. First, the
# committed header must be what cbindgen makes of the source (also run by cargo test --workspace).
set -euo pipefail
cd "$(dirname "$0")/.."

# A debug build: much faster to compile, and dependencies are optimised anyway
# (`[profile.dev.package."*"]` in the root Cargo.toml). cgo links target/debug/libtessera_ffi.a.
cargo test -p tessera-ffi --test header
cargo build -p tessera-ffi

(
  cd bindings-go-ffi/go
  unformatted=$(gofmt -l .)
  if [ -n "$unformatted" ]; then
    echo "go-test: gofmt would change: $unformatted" >&2
    exit 1
  fi
  go vet ./...
  # -short leaves out the leak check, whose memory reading means nothing under -race.
  go test -race -short -count=1 ./...
  go test -count=1 -run 'TestManyVerificationsLeakNothing' ./recipe/session/
  # The chi, gorilla/mux and gin examples: a module of their own, so that the binding's
  # module needs no third-party packages.
  cd examples
  go vet ./...
  go test -race -count=1 ./...
)

cc="${CC:-cc}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$cc" -std=c11 -Wall -Wextra -Werror -fsanitize=address -fno-omit-frame-pointer -g \
  -Ibindings-go-ffi/include bindings-go-ffi/tests/c/smoke.c target/debug/libtessera_ffi.a \
  -lgcc_s -lutil -lrt -lpthread -lm -ldl -o "$out/smoke"
# The smoke test makes Rust panic on purpose; its backtrace is noise here.
ASAN_OPTIONS=detect_leaks=1 RUST_BACKTRACE=0 "$out/smoke"
