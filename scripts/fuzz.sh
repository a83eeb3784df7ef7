#!/usr/bin/env bash
# Bounded fuzzing (cargo fuzz, libFuzzer) of the webhook verdict and the engine's request parsing.
# FUZZ_SECONDS per target (default 60). Stable Rust: RUSTC_BOOTSTRAP lets cargo-fuzz pass its
# instrumentation flags. Findings land in fuzz/artifacts/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export CARGO_TARGET_DIR="$HOME/.cache/makini-desk/fuzz-target"
for target in inbox_judge engine_request; do
  echo "== fuzz $target for ${FUZZ_SECONDS:-60} s"
  RUSTC_BOOTSTRAP=1 cargo fuzz run -O "$target" -- -max_total_time="${FUZZ_SECONDS:-60}" -rss_limit_mb=4096
done
