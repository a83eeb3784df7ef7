#!/usr/bin/env bash
# Benchmarks: each prints `name: value unit (ratio to a baseline measured in the same run)`.
# Absolute numbers on a shared machine are context only; the ratios are the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
install_debian_packages "${CORE_PACKAGES[@]}" webhook wrk nginx-light

records="${BENCH_RECORDS:-1000000}"
echo "== engine: paging a ${records}-record connection"
cargo run --release --locked -q -p desk-engine --example bench_paging -- "$records"
echo "== inbox: wrk sending pre-signed webhooks to the inbox, a bare server, nginx and Debian's webhook"
cargo run --release --locked -q -p desk-inbox --example bench
echo "== mirror: records pulled from the engine into the mirror (${records} records)"
cargo run --release --locked -q -p desk-core --example bench_pull -- "$records"
echo "== mirror: record pages written and full-text search over ${records} records"
cargo run --release --locked -q -p desk-store --example bench_fts -- "$records"
echo "== mirror: the overview's lists at 10,000 customers and 50,000 connections"
cargo run --release --locked -q -p desk-store --example bench_overview
echo "== the overview through the action layer (fn and HTTP) on the scale seed, against the mirror's queries"
cargo run --release --locked -q -p desk-server --example bench_overview_actions
echo "== the webhook inspector's list at 100,000 webhooks through the action layer (fn and HTTP), against the inbox's query"
cargo run --release --locked -q -p desk-server --example bench_inspector_actions
echo "== the data browser's search as you type over ${records} records through the action layer (fn and HTTP), against the bare FTS query"
cargo run --release --locked -q -p desk-server --example bench_records_search -- "$records"
echo "== first paint in browser mode (Debian's chromium), against a one-line page from the same server"
install_debian_packages "${UI_PACKAGES[@]}"
(cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked -q -p desk-cli
MDESK_BIN="$CARGO_TARGET_DIR/release/mdesk" node tests/ui/bench-first-paint.mjs
echo "== the window's start-up and idle memory, beside a blank Tauri window built in the same run"
bash scripts/bench-window.sh
