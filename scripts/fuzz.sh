#!/usr/bin/env bash
# Fuzzing (make fuzz): runs each cargo-fuzz target of fuzz/ for FUZZ_SECONDS seconds.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_TARGETS   space-separated targets (default: every target in fuzz/Cargo.toml)
#   FUZZ_SANITIZER address or none; default: address when it builds here, else none
#   FUZZ_DIR       the cargo-fuzz project (default fuzz/)
#   FUZZ_TOOLCHAIN a rustup toolchain for cargo fuzz (e.g. nightly); default: the active
#                  (stable) one with RUSTC_BOOTSTRAP=1, falling back to nightly if that is
#                  installed and stable cannot build
#
# Crashes are left in fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/<target>/.
# Exits 1 if any target crashed (every target still runs).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
FUZZ_DIR="${FUZZ_DIR:-$ROOT/fuzz}"
FUZZ_SECONDS="${FUZZ_SECONDS:-60}"
TARGETS="${FUZZ_TARGETS:-$(sed -n 's/^name = "\(.*\)"$/\1/p' "$FUZZ_DIR/Cargo.toml" | grep -v '^tessera-core-fuzz$' | tr '\n' ' ')}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "==> installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi

# cargo fuzz needs nightly features (-Z flags, sanitizers); the stable compiler provides
# them with RUSTC_BOOTSTRAP=1.
toolchain_args=()
if [ -n "${FUZZ_TOOLCHAIN:-}" ]; then
    toolchain_args=("+$FUZZ_TOOLCHAIN")
else
    export RUSTC_BOOTSTRAP=1
fi

# cargo fuzz <subcommand> --fuzz-dir fuzz <args...> (the flag must come before any `--`).
fuzz() {
    local subcommand="$1"
    shift
    cargo "${toolchain_args[@]}" fuzz "$subcommand" --fuzz-dir "$FUZZ_DIR" "$@"
}

# Seeds, so the first seconds are not spent rediscovering the formats. The corpus folder
# is not committed; libFuzzer adds what it finds.
seed() {
    local target="$1" name="$2"
    mkdir -p "$FUZZ_DIR/corpus/$target"
    printf '%b' "$3" >"$FUZZ_DIR/corpus/$target/seed-$name"
}
seed token jwt '\x00eyJhbGciOiJSUzI1NiIsImtpZCI6ImQtMSIsInR5cCI6IkpXVCIsInZlcnNpb24iOiI1In0.eyJzdWIiOiJ1In0.c2ln'
seed token legacy '\x00eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsInZlcnNpb24iOiIyIn0=.eyJ1c2VySWQiOiJ1In0=.c2ln'
seed token signed '\x01{"alg":"RS256","kid":"d-fuzz","typ":"JWT","version":"5"}\x00{"sub":"u","rsub":"u","exp":1800000000,"iat":1700000000,"sessionHandle":"h","refreshTokenHash1":"r","tId":"t","nbf":1}'
seed token signed-v2 '\x05\x00{"userId":"u","sessionHandle":"h","refreshTokenHash1":"r","userData":{},"expiryTime":1800000000000,"timeCreated":1700000000000}'
seed jwks rsa '{"keys":[{"kty":"RSA","kid":"d-1","alg":"RS256","use":"sig","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB"}]}'
seed jwks empty '{"keys":[]}'
seed request cookie 'GET\x00/api/user\x00_ga=1; sAccessToken=@T; theme=dark\x00\x00\x00cookie\x00session\x00x-a\x00b'
seed request bearer 'POST\x00/api/user\x00\x00Bearer @T\x00csrf-1\x00header\x00session\x00\x00'
seed request refresh 'POST\x00/auth/session/refresh\x00sRefreshToken=abc; sAccessToken=@T\x00\x00\x00\x00session\x00\x00'
seed request jwks 'GET\x00/auth/jwt/jwks.json\x00\x00\x00\x00\x00\x00\x00'

# Pick the sanitizer: AddressSanitizer when its runtime links here, else none (the
# targets still catch panics, overflow checks and assertion failures).
sanitizer="${FUZZ_SANITIZER:-}"
first_target="${TARGETS%% *}"
build_log="$(mktemp)"
trap 'rm -f "$build_log"' EXIT
if [ -z "$sanitizer" ]; then
    echo "==> cargo fuzz build (AddressSanitizer)"
    if fuzz build "$first_target" --sanitizer address >"$build_log" 2>&1; then
        sanitizer=address
    else
        tail -n 20 "$build_log"
        echo "==> AddressSanitizer build failed; using --sanitizer none"
        sanitizer=none
    fi
fi
if ! fuzz build --sanitizer "$sanitizer" >"$build_log" 2>&1; then
    if [ -z "${FUZZ_TOOLCHAIN:-}" ] && rustup run nightly rustc --version >/dev/null 2>&1; then
        echo "==> building with the stable toolchain failed; trying nightly"
        tail -n 20 "$build_log"
        unset RUSTC_BOOTSTRAP
        toolchain_args=("+nightly")
        fuzz build --sanitizer "$sanitizer"
    else
        cat "$build_log"
        exit 1
    fi
fi
echo "==> sanitizer: $sanitizer; toolchain: ${toolchain_args[*]:-$(rustc --version) with RUSTC_BOOTSTRAP=1}"

# libFuzzer prints a line per new input: the full output goes to a log, the rest here.
LOG_DIR="$FUZZ_DIR/target/logs"
mkdir -p "$LOG_DIR"
failed=()
summary=()
for target in $TARGETS; do
    log="$LOG_DIR/$target.log"
    echo "==> cargo fuzz run $target --sanitizer $sanitizer -- -max_total_time=$FUZZ_SECONDS (log: ${log#"$ROOT"/})"
    started=$SECONDS
    status=0
    fuzz run "$target" --sanitizer "$sanitizer" -- \
        -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1 || status=$?
    grep -Ev '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse|RELOAD)|^[[:space:]]+NEW_FUNC|^"|^###### ' "$log" | tail -n 25 || true
    if [ "$status" -eq 0 ]; then
        summary+=("$target: $((SECONDS - started)) s, $(grep -o 'number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || echo '?') runs, no crash")
    else
        failed+=("$target")
        summary+=("$target: FAILED (exit $status) after $((SECONDS - started)) s; see ${log#"$ROOT"/} and ${FUZZ_DIR#"$ROOT"/}/artifacts/$target/")
        echo "---- last lines of $log ----"
        tail -n 60 "$log"
    fi
done

echo
echo "Fuzzing summary (sanitizer $sanitizer, $FUZZ_SECONDS s per target):"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "Reproduce a crash with: RUSTC_BOOTSTRAP=1 cargo fuzz run <target> --fuzz-dir ${FUZZ_DIR#"$ROOT"/} --sanitizer $sanitizer ${FUZZ_DIR#"$ROOT"/}/artifacts/<target>/<file>"
    exit 1
fi
