#!/usr/bin/env bash
# Go benchmarks of the Go binding (bindings-go-ffi/go/bench) against the release library:
# Tessera's verify beside Go's crypto/rsa and golang-jwt on the same token, net/http /getJWT
# beside a bare handler, and one empty cgo call. Prints the median of five runs of each.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p tessera-ffi --release
mkdir -p target
report=target/bench-go-report.txt
(
  cd bindings-go-ffi/go/bench
  go test -tags tessera_release -run '^$' -bench . -benchtime 2s -count 5 .
) | tee "$report.raw"
# Median per benchmark (plain awk: no asort in mawk).
awk '/^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); print name, $3 }' "$report.raw" | sort -k1,1 -k2,2n |
  awk '{ n[$1]++; v[$1, n[$1]] = $2 }
    END { for (b in n) printf "%-32s %12.0f ns/op (median of %d)\n", b, v[b, int((n[b]+1)/2)], n[b] }' |
  sort | tee "$report"
