#!/usr/bin/env bash
# Builds the desktop window (src-tauri + ui) and smoke-tests it: the real window under Xvfb for a
# few seconds, with a throwaway HOME so the user's data is never touched, then a SIGTERM that
# must close it cleanly. Installs what it needs on Debian 12. Leaves a screenshot in
# target-shots/shell.png.
#
#   bash scripts/build-shell.sh                  build + smoke test
#   SHELL_SMOKE=0 bash scripts/build-shell.sh    build only
#   SHELL_UI_BUILD=0 bash scripts/build-shell.sh use the ui/dist already there
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

# What Tauri 2 needs on Linux to build, and what the smoke test needs to run a window headless
# (scripts/lib.sh may define these lists; these are the same, for a lib.sh that does not yet).
if ! declare -p SHELL_PACKAGES >/dev/null 2>&1; then
  SHELL_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
    librsvg2-dev libayatana-appindicator3-dev pkg-config libssl-dev)
fi
if ! declare -p SMOKE_PACKAGES >/dev/null 2>&1; then
  SMOKE_PACKAGES=(xvfb xauth dbus-daemon imagemagick)
fi
install_debian_packages "${SHELL_PACKAGES[@]}" "${SMOKE_PACKAGES[@]}"

if [ "${SHELL_UI_BUILD:-1}" = "1" ]; then
  echo "== ui: npm ci && npm run build"
  (cd ui && npm ci --no-audit --no-fund && npm run build)
else
  echo "== ui: using the ui/dist already built"
  [ -s ui/dist/index.html ] || { echo "no ui/dist/index.html: build the UI first" >&2; exit 1; }
fi

echo "== shell: cargo build -p makini-desk (target dir: $CARGO_TARGET_DIR)"
cargo build --locked -p makini-desk
bin="$CARGO_TARGET_DIR/debug/makini-desk"

[ "${SHELL_SMOKE:-1}" = "1" ] || exit 0

echo "== smoke test: the window under Xvfb"
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
shot="$PWD/target-shots/shell.png"
status=0
run_window "$bin" "$run_dir" "$shot" "${SMOKE_SECONDS:-8}" || status=$?

echo "-- app log"
cat "$run_dir/app.log" || true
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "the app did not stay up (status $status)"
[ -s "$shot" ] || fail "no screenshot"
check_window_exit "$run_dir" || fail "see above"
echo "smoke test passed: window up, engine in-process (db written, announced, withdrawn" \
  "at exit), clean exit on SIGTERM, screenshot at target-shots/shell.png"
