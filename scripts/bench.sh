#!/usr/bin/env bash
# Benchmarks (make bench): measures OpenSSL's raw RSA-2048 verify on this machine, runs the
# criterion benchmarks of tessera-core, and prints each median next to the OpenSSL verify
# cost measured in the same run, with the performance goals and whether they are met.
# The table is also written to target/bench-report.txt.
#
# Environment: OPENSSL_SECONDS (default 3), BENCH_STRICT=1 to exit 1 when a goal is missed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
CRITERION_DIR="$TARGET_DIR/criterion"
REPORT="$TARGET_DIR/bench-report.txt"
OPENSSL_SECONDS="${OPENSSL_SECONDS:-3}"

command -v openssl >/dev/null || { echo "bench.sh: openssl is not installed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench.sh: python3 is not installed" >&2; exit 1; }
mkdir -p "$TARGET_DIR"

echo "==> openssl speed -seconds $OPENSSL_SECONDS rsa2048"
openssl_out="$(openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 2>/dev/null)"
# OpenSSL 3.0/3.1: "rsa 2048 bits <sign s> <verify s> <sign/s> <verify/s>"; 3.2+ adds
# encrypt/decrypt columns: "<sign s> <verify s> <encr s> <decr s> <sign/s> <verify/s> ...".
openssl_verify_per_s="$(printf '%s\n' "$openssl_out" | awk '
    /^rsa +2048 +bits/ {
        n = 0
        for (i = 4; i <= NF; i++) { v = $i; sub(/s$/, "", v); if (v ~ /^[0-9.]+$/) nums[++n] = v }
        if (n == 4) print nums[4]; else if (n >= 8) print nums[6]
        exit
    }')"
if [ -z "$openssl_verify_per_s" ]; then
    echo "bench.sh: could not read the RSA-2048 verify/s figure from openssl speed:" >&2
    printf '%s\n' "$openssl_out" >&2
    exit 1
fi
echo "    openssl RSA-2048 verify: $openssl_verify_per_s verify/s"

echo "==> cargo bench -p tessera-core --bench session"
marker="$(mktemp)"
trap 'rm -f "$marker" "$marker.status"' EXIT
# The authority benchmarks also run on a throwaway PostgreSQL server, crash-safe like the
# SQLite file they are compared with (see scripts/pg.sh), with the store's default pool.
TESSERA_PG_DURABLE=1 bash scripts/pg.sh run cargo bench -p tessera-core --bench session

python3 - "$CRITERION_DIR" "$marker" "$openssl_verify_per_s" "$REPORT" "$(openssl version)" <<'PY'
import json, os, sys

criterion_dir, marker, verify_per_s, report, openssl_version = sys.argv[1:6]
marker_mtime = os.path.getmtime(marker)
openssl_ns = 1e9 / float(verify_per_s)

benches = [
    ("token", "verify_v5"),
    ("token", "parse_v5"),
    ("token", "rs256_verify"),
    ("token", "rs256_verify_aws_lc"),
    ("engine", "verify_uncached"),
    ("engine", "verify_cached"),
    ("request", "verify_session_cookie"),
    ("request", "verify_session_header"),
    ("request", "verify_session_uncached"),
    ("authority", "create"),
    ("authority", "refresh"),
    ("authority", "create_8_threads"),
    ("authority", "refresh_8_threads"),
    ("authority_postgres", "create"),
    ("authority_postgres", "refresh"),
    ("authority_postgres", "create_8_threads"),
    ("authority_postgres", "refresh_8_threads"),
]

medians = {}
missing = []
for group, name in benches:
    path = os.path.join(criterion_dir, group, name, "new", "estimates.json")
    if not os.path.exists(path) or os.path.getmtime(path) < marker_mtime:
        missing.append(f"{group}/{name}")
        continue
    with open(path) as f:
        medians[f"{group}/{name}"] = json.load(f)["median"]["point_estimate"]
if missing:
    sys.exit("bench.sh: no fresh criterion estimates for: " + ", ".join(missing))

def vs_openssl(ns):
    ratio = ns / openssl_ns
    if ratio >= 1:
        return f"{ratio:.2f}x openssl verify"
    return f"{1 / ratio:.1f} times faster than openssl verify"

lines = []
lines.append(f"Tessera benchmarks ({openssl_version}; criterion medians)")
lines.append(f"openssl RSA-2048 verify: {openssl_ns / 1000:.1f} µs ({float(verify_per_s):,.0f} verify/s)")
lines.append("")
lines.append(f"{'benchmark':<34} {'median µs':>11} {'ops/s':>12}   vs raw RSA-2048 verify")
lines.append("-" * 96)
for key, ns in medians.items():
    lines.append(f"{key:<34} {ns / 1000:>11.2f} {1e9 / ns:>12,.0f}   {vs_openssl(ns)}")

goals = [
    ("token verify within 1.3x raw verify", "token/verify_v5", lambda r: r <= 1.3),
    ("token verify within 1.3x raw verify", "engine/verify_uncached", lambda r: r <= 1.3),
    ("full verify_session within 1.5x raw verify", "request/verify_session_uncached", lambda r: r <= 1.5),
    ("full verify_session within 1.5x raw verify", "request/verify_session_cookie", lambda r: r <= 1.5),
    ("full verify_session within 1.5x raw verify", "request/verify_session_header", lambda r: r <= 1.5),
    ("cached verify >= 10x raw verify rate", "engine/verify_cached", lambda r: r <= 0.1),
]
lines.append("")
lines.append("Create and refresh per second (SQLite file vs PostgreSQL on this machine; PostgreSQL with")
lines.append("the default pool of 10 connections per process; _8_threads: 8 threads at once, wall time):")
for op in ("create", "refresh", "create_8_threads", "refresh_8_threads"):
    sq, pg = medians[f"authority/{op}"], medians[f"authority_postgres/{op}"]
    lines.append(f"  {op:<20} SQLite {1e9 / sq:>9,.0f}/s   PostgreSQL {1e9 / pg:>9,.0f}/s")
lines.append("")
lines.append("Goals:")
all_met = True
for text, key, ok in goals:
    ratio = medians[key] / openssl_ns
    met = ok(ratio)
    all_met &= met
    if "cached" in text:
        shown = f"{1 / ratio:.1f}x raw verify rate"
    else:
        shown = f"{ratio:.2f}x raw verify cost"
    lines.append(f"  [{'MET' if met else 'MISSED'}] {text}: {key} = {shown}")
lines.append("")
lines.append("All goals met." if all_met else "Some goals were missed.")

text = "\n".join(lines) + "\n"
print()
print(text, end="")
with open(report, "w") as f:
    f.write(text)
print(f"(written to {report})")
with open(marker + ".status", "w") as f:
    f.write("ok" if all_met else "missed")
PY

status="$(cat "$marker.status" 2>/dev/null || echo missed)"
if [ "${BENCH_STRICT:-0}" = "1" ] && [ "$status" != "ok" ]; then
    exit 1
fi
