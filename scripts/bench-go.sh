#!/usr/bin/env bash
# Go benchmarks of the Go binding (bindings-go-ffi/go/bench) against the release library:
# Tessera's verify beside Go's crypto/rsa, golang-jwt and supertokens-golang on the same token
# and keys, net/http /getJWT beside a bare handler and supertokens-golang, and one empty cgo
# call. Prints the median of five runs of each; the five runs go through the whole set in
# turn (not five of one benchmark, then five of the next), so that a change in the machine's
# load falls on all of them alike. supertokens-golang runs in a process of its own in each
# round: its Init is global, and its allocations should not fall on the others' GC.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p tessera-ffi --release
mkdir -p target
report=target/bench-go-report.txt
(
  cd bindings-go-ffi/go/bench
  go test -tags tessera_release -c -o "$OLDPWD/target/bench-go.test" .
  for _ in 1 2 3 4 5; do
    "$OLDPWD/target/bench-go.test" -test.run '^$' -test.bench . -test.skip Supertokens -test.benchtime 2s -test.benchmem
    "$OLDPWD/target/bench-go.test" -test.run '^$' -test.bench Supertokens -test.benchtime 2s -test.benchmem
  done
) | tee "$report.raw"
# Median per benchmark (plain awk: no asort in mawk), and its allocations, which do not vary
# with the machine's load as times do.
awk '/^Benchmark/ { name=$1; sub(/-[0-9]+$/, "", name); allocs = "-"
    for (i = 4; i <= NF; i++) if ($i == "allocs/op") allocs = $(i - 1)
    print name, $3, allocs }' "$report.raw" | sort -k1,1 -k2,2n |
  awk '{ n[$1]++; v[$1, n[$1]] = $2; a[$1] = $3 }
    END { for (b in n) printf "%-32s %12.0f ns/op %6s allocs/op (median of %d)\n", b, v[b, int((n[b]+1)/2)], a[b], n[b] }' |
  sort | tee "$report"
# The ratios the goals are stated in.
awk '{ v[$1] = $2 } END {
  if (v["BenchmarkGetJWTTessera"] > 0) printf "/getJWT with Tessera / bare handler (req/s):   %5.1f%%\n", 100 * v["BenchmarkGetJWTBare"] / v["BenchmarkGetJWTTessera"]
  if (v["BenchmarkTesseraVerifyUncached"] > 0) printf "uncached verify, crypto/rsa time / Tessera time: %5.2fx\n", v["BenchmarkGoCryptoRSAVerify"] / v["BenchmarkTesseraVerifyUncached"]
  if (v["BenchmarkTesseraVerifyUncached"] > 0) printf "uncached verify, golang-jwt time / Tessera time: %5.2fx\n", v["BenchmarkGolangJWTVerify"] / v["BenchmarkTesseraVerifyUncached"]
  if (v["BenchmarkGetJWTHandlerTessera"] > 0) printf "/getJWT handler alone, Tessera adds: %.0f ns per request\n", v["BenchmarkGetJWTHandlerTessera"] - v["BenchmarkGetJWTHandlerBare"]
  if (v["BenchmarkTesseraVerifyRepeated"] > 0) printf "repeated token through GetSession: %.0f/s\n", 1e9 / v["BenchmarkTesseraVerifyRepeated"]
  if (v["BenchmarkTesseraVerify"] > 0) printf "GetSessionWithoutRequestResponse, supertokens-golang time / Tessera time: %5.2fx\n", v["BenchmarkSupertokensVerify"] / v["BenchmarkTesseraVerify"]
  if (v["BenchmarkTesseraVerifyUncached"] > 0) printf "uncached verify, supertokens-golang time / Tessera time: %5.2fx\n", v["BenchmarkSupertokensVerify"] / v["BenchmarkTesseraVerifyUncached"]
  if (v["BenchmarkGetJWTTessera"] > 0) printf "/getJWT with Tessera / supertokens-golang (req/s): %5.2fx\n", v["BenchmarkSupertokensGetJWT"] / v["BenchmarkGetJWTTessera"]
  if (v["BenchmarkGetJWTHandlerTessera"] > 0) printf "/getJWT handler alone, supertokens-golang time / Tessera time: %5.2fx\n", v["BenchmarkSupertokensGetJWTHandler"] / v["BenchmarkGetJWTHandlerTessera"]
}' "$report" | tee -a "$report"
# supertokens-golang must have verified without its core: the stub core counts its requests.
awk '/^BenchmarkSupertokens/ { for (i = 2; i < NF; i++) if ($(i + 1) == "core-calls" && $i > max) max = $i }
  END { printf "supertokens-golang requests to its (stub) core while timed, most in one run: %d\n", max }' "$report.raw" | tee -a "$report"
