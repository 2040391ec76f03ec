#!/usr/bin/env bash
# Builds the release wheel of tessera-session with profile-guided optimisation, as pydantic-core
# builds its wheels: an instrumented build, a training run (scripts/pgo-train-python.py) with
# that build installed, then the optimised build from the profile it recorded.
#
# Why: a served app calls the native module once or twice per request, with the caches cold
# from everything else the request ran. The plain build spreads a verification's code over some
# 45 pages of a 6 MB .text; the profile-guided one keeps it on about 12 and moves the paths it
# never took aside, which is what a cold call pays for (scripts/bench-python.sh measures both).
#
# Usage: scripts/build-python-pgo.sh OUT_DIR PYTHON
#   OUT_DIR  where the wheel goes (emptied first)
#   PYTHON   the interpreter of a virtualenv with maturin; the instrumented wheel is installed
#            there for the training run (install the result over it afterwards)
# Exit 0: the wheel in OUT_DIR is profile-guided. Exit 3: llvm-profdata is not available (the
# rustup component llvm-tools); nothing was built, and the caller builds a plain wheel.
set -euo pipefail

OUT_DIR="$1"
PYTHON="$2"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
VENV_BIN="$(dirname "$PYTHON")"

# llvm-profdata must be the one of rustc's LLVM: the rustup component, not a system LLVM.
host="$(rustc -vV | sed -n 's/^host: //p')"
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ] && command -v rustup >/dev/null; then
    rustup component add llvm-tools >/dev/null 2>&1 || true
fi
if [ ! -x "$profdata" ]; then
    echo "build-python-pgo: no llvm-profdata (rustup component add llvm-tools); not a PGO build" >&2
    exit 3
fi

work="$TARGET_DIR/pgo-python"
raw="$work/profraw"
rm -rf "$raw" "$work/generate-wheel" "$OUT_DIR"
mkdir -p "$raw" "$OUT_DIR"

build() { # build TARGET_SUBDIR OUT RUSTFLAGS
    # Each phase keeps its own target dir: switching RUSTFLAGS in one would rebuild everything
    # every time. Fat LTO and one codegen unit inline the verification path across the core,
    # the binding and PyO3: side by side on one CPU, FastAPI /getJWT served about 1.5% more
    # requests/s than with the guided build of Cargo's default release profile.
    (cd "$ROOT/bindings-python" && VIRTUAL_ENV="$(dirname "$VENV_BIN")" PATH="$VENV_BIN:$PATH" \
        CARGO_TARGET_DIR="$work/$1" RUSTFLAGS="$3" \
        CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
        maturin build --release --quiet --interpreter "$PYTHON" -o "$2")
}

echo "==> PGO 1/3: instrumented build"
build target-generate "$work/generate-wheel" "-Cprofile-generate=$raw"
"$PYTHON" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    "$work/generate-wheel"/tessera_session-*.whl

echo "==> PGO 2/3: training run"
# Only the training run's profiles: build scripts of the instrumented build wrote theirs too.
rm -rf "$raw" && mkdir -p "$raw"
LLVM_PROFILE_FILE="$raw/train-%p-%m.profraw" "$PYTHON" "$ROOT/scripts/pgo-train-python.py"
merged_tmp="$work/merged.profdata"
"$profdata" merge -o "$merged_tmp" "$raw"/*.profraw
# Named by content: cargo sees RUSTFLAGS, not the file, so a new profile needs a new path.
merged="$work/merged-$(sha256sum "$merged_tmp" | cut -c1-16).profdata"
mv "$merged_tmp" "$merged"
find "$work" -maxdepth 1 -name 'merged-*.profdata' ! -path "$merged" -delete

echo "==> PGO 3/3: optimised build"
build target-use "$OUT_DIR" "-Cprofile-use=$merged"
echo "build-python-pgo: $(ls "$OUT_DIR"/tessera_session-*.whl)"
