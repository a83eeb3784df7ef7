#!/usr/bin/env bash
# Runs Makini Desk with the local engine and its demo data. Installs what it needs on Debian 12.
# With a display: the desktop window. Without one: browser mode (`mdesk serve`), which prints
# the URL to open (it carries a per-launch token). Extra arguments go to `mdesk serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

data_dir="${MDESK_DATA_DIR:-$HOME/.local/share/makini-desk}"
export MDESK_DATA_DIR="$data_dir"
# No session bus means no OS keyring: keep the vault's master key in a file only the user can
# read (the vault warns about it), outside the data folder.
if [ -z "${DBUS_SESSION_BUS_ADDRESS:-}" ] && [ -z "${MDESK_VAULT_PASSPHRASE:-}" ] && [ -z "${MDESK_VAULT_KEY_FILE:-}" ]; then
  mkdir -p "$HOME/.config/makini-desk"
  export MDESK_VAULT_KEY_FILE="$HOME/.config/makini-desk/vault.key"
fi

build_ui() { (cd ui && npm ci --no-audit --no-fund && npm run build); }

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${MDESK_HEADLESS:-0}" != "1" ]; then
  install_debian_packages "${CORE_PACKAGES[@]}" "${SHELL_PACKAGES[@]}"
  build_ui
  cargo build --locked -p makini-desk
  exec "$CARGO_TARGET_DIR/debug/makini-desk"
fi

install_debian_packages "${CORE_PACKAGES[@]}"
build_ui
cargo build --locked -p desk-cli
exec "$CARGO_TARGET_DIR/debug/mdesk" serve --addr "${MDESK_ADDR:-127.0.0.1:8780}" "$@"
