#!/usr/bin/env bash
# Runs Makini Desk with the local engine and its demo data. Installs what it needs on Debian 12.
# With a display: the desktop window (it starts the engine in-process). Without one: the local
# engine's platform API on 127.0.0.1:8780 (browser mode, `mdesk serve`, is not built yet).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${MDESK_HEADLESS:-0}" != "1" ]; then
  install_debian_packages "${CORE_PACKAGES[@]}" "${SHELL_PACKAGES[@]}"
  (cd ui && npm ci --no-audit --no-fund && npm run build)
  cargo build --locked -p makini-desk
  exec "$CARGO_TARGET_DIR/debug/makini-desk"
fi

install_debian_packages "${CORE_PACKAGES[@]}"
cargo build --locked -p desk-cli
data_dir="${MDESK_DATA_DIR:-$HOME/.local/share/makini-desk}"
exec "$CARGO_TARGET_DIR/debug/mdesk" --data-dir "$data_dir" engine serve --addr "${MDESK_ADDR:-127.0.0.1:8780}" --seed demo "$@"
