#!/usr/bin/env bash
# Every test of the project, with the checks CI makes. Installs what it needs on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# The core crates, and the desktop shell (clippy covers the whole workspace, shell included).
install_debian_packages "${CORE_PACKAGES[@]}" "${SHELL_PACKAGES[@]}" "${SMOKE_PACKAGES[@]}" "${UI_PACKAGES[@]}"

echo "== ui: install, format, unit tests (vitest), svelte-check and build (the shell and the"
echo "   browser mode embed ui/dist, so even clippy needs it)"
(cd ui && npm ci --no-audit --no-fund && npm run format:check && npm test && npm run build)

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests of the default members (no GTK needed), under a private D-Bus session with an"
echo "   unlocked throwaway gnome-keyring, so the vault's keyring path runs for real"
export MDESK_REQUIRE_KEYRING=1
dbus-run-session -- bash scripts/with-keyring.sh cargo test --locked --no-fail-fast

echo "== UI journeys: playwright-core driving Debian's chromium against mdesk serve (screenshots in target-shots/)"
cargo build --locked -p desk-cli
MDESK_BIN="$CARGO_TARGET_DIR/debug/mdesk" node tests/ui/run.mjs

echo "== desktop shell: build and a real window under Xvfb"
bash scripts/build-shell.sh

echo "== desktop shell's own tests: its commands over IPC and the signed updater (mock runtime)"
cargo test --locked -p makini-desk

echo "== the real window driven over WebDriver (tauri-driver + WebKitWebDriver under Xvfb)"
bash scripts/window-journey.sh
