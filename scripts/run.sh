#!/usr/bin/env bash
# Runs Makini Desk with the local engine and its demo data. Installs what it needs on Debian 12.
# Until the desktop window and browser mode land, this serves the local engine's platform API.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_debian_packages "${CORE_PACKAGES[@]}"
cargo build --locked -p desk-cli
data_dir="${MDESK_DATA_DIR:-$HOME/.local/share/makini-desk}"
exec "$CARGO_TARGET_DIR/debug/mdesk" --data-dir "$data_dir" engine serve --addr "${MDESK_ADDR:-127.0.0.1:8780}" --seed demo "$@"
