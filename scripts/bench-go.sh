#!/usr/bin/env bash
# Go benchmarks of the Go binding (bindings-go-ffi/go/bench) against the release library:
# Tessera's verify beside Go's crypto/rsa and golang-jwt on the same token, net/http /getJWT
# beside a bare handler, and one empty cgo call. Prints the median of five runs of each; the
# five runs go through the whole set in turn (not five of one benchmark, then five of the
# next), so that a change in the machine's load falls on all of them alike.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p tessera-ffi --release
mkdir -p target
report=target/bench-go-report.txt
(
  cd bindings-go-ffi/go/bench
  go test -tags tessera_release -c -o "$OLDPWD/target/bench-go.test" .
  for _ in 1 2 3 4 5; do
    "$OLDPWD/target/bench-go.test" -test.run '^$' -test.bench . -test.benchtime 2s
  done
) | tee "$report.raw"
# Median per benchmark (plain awk: no asort in mawk).
awk '/^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); print name, $3 }' "$report.raw" | sort -k1,1 -k2,2n |
  awk '{ n[$1]++; v[$1, n[$1]] = $2 }
    END { for (b in n) printf "%-32s %12.0f ns/op (median of %d)\n", b, v[b, int((n[b]+1)/2)], n[b] }' |
  sort | tee "$report"
# The ratios the goals are stated in.
awk '{ v[$1] = $2 } END {
  if (v["BenchmarkGetJWTTessera"] > 0) printf "/getJWT with Tessera / bare handler (req/s):   %5.1f%%\n", 100 * v["BenchmarkGetJWTBare"] / v["BenchmarkGetJWTTessera"]
  if (v["BenchmarkTesseraVerifyUncached"] > 0) printf "uncached verify, crypto/rsa time / Tessera time: %5.2fx\n", v["BenchmarkGoCryptoRSAVerify"] / v["BenchmarkTesseraVerifyUncached"]
  if (v["BenchmarkTesseraVerifyUncached"] > 0) printf "uncached verify, golang-jwt time / Tessera time: %5.2fx\n", v["BenchmarkGolangJWTVerify"] / v["BenchmarkTesseraVerifyUncached"]
  if (v["BenchmarkGetJWTHandlerTessera"] > 0) printf "/getJWT handler alone, Tessera adds: %.0f ns per request\n", v["BenchmarkGetJWTHandlerTessera"] - v["BenchmarkGetJWTHandlerBare"]
  if (v["BenchmarkTesseraVerifyRepeated"] > 0) printf "repeated token through GetSession: %.0f/s\n", 1e9 / v["BenchmarkTesseraVerifyRepeated"]
}' "$report" | tee -a "$report"
