#!/usr/bin/env bash
# The window's start-up (release builds): cold start to the page loaded and to the overview's
# data, and memory after idling, beside a blank Tauri window built in the same run
# (src-tauri/examples/blank_window.rs). Run by scripts/bench.sh; ratios are the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_debian_packages "${SHELL_PACKAGES[@]}" "${SMOKE_PACKAGES[@]}"
(cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked -q -p makini-desk --bin makini-desk --example blank_window
python3 scripts/bench_window.py "$CARGO_TARGET_DIR/release/makini-desk" \
  "$CARGO_TARGET_DIR/release/examples/blank_window"
