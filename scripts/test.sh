#!/usr/bin/env bash
# Every test of the project, with the checks CI makes. Installs what it needs on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_debian_packages "${CORE_PACKAGES[@]}"

echo "== format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== tests (under a private D-Bus session with an unlocked gnome-keyring, so the vault's"
echo "   keyring path runs for real; the user's own keyring is never touched)"
export MDESK_REQUIRE_KEYRING=1
dbus-run-session -- bash scripts/with-keyring.sh cargo test --workspace --locked --no-fail-fast
