#!/usr/bin/env bash
# Builds the desktop window (src-tauri + ui) and smoke-tests it: the real window under Xvfb for a
# few seconds, with a throwaway HOME so the user's data is never touched. Installs what it needs
# on Debian 12. Leaves a screenshot in target-shots/shell.png.
#
#   bash scripts/build-shell.sh            build + smoke test
#   SHELL_SMOKE=0 bash scripts/build-shell.sh   build only
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

echo "== ui: npm ci && npm run build"
(cd ui && npm ci --no-audit --no-fund && npm run build)

echo "== shell: cargo build -p makini-desk (target dir: $CARGO_TARGET_DIR)"
cargo build --locked -p makini-desk
bin="$CARGO_TARGET_DIR/debug/makini-desk"

[ "${SHELL_SMOKE:-1}" = "1" ] || exit 0

echo "== smoke test: the window under Xvfb"
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
mkdir -p "$run_dir"/{home,data,config,cache,runtime} target-shots
chmod 700 "$run_dir/runtime"
shot="$PWD/target-shots/shell.png"
rm -f "$shot"
db="$run_dir/data/io.makini.desk/engine/engine.db"

# Inside the X server: start the app, give it time to paint and read the account, screenshot the
# display, check the app is still alive, then stop exactly the process started here.
cat >"$run_dir/inside.sh" <<'INSIDE'
set -u
"$APP" >"$LOG" 2>&1 &
pid=$!
sleep "${SMOKE_SECONDS:-8}"
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
import -window root "$SHOT" || echo "screenshot failed" >&2
if [ "$alive" = 1 ]; then
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  exit 0
fi
wait "$pid"
echo "the app exited early with status $?" >&2
exit 1
INSIDE

status=0
env -i PATH="$PATH" LANG=C.UTF-8 \
  HOME="$run_dir/home" XDG_DATA_HOME="$run_dir/data" XDG_CONFIG_HOME="$run_dir/config" \
  XDG_CACHE_HOME="$run_dir/cache" XDG_RUNTIME_DIR="$run_dir/runtime" \
  APP="$bin" LOG="$run_dir/app.log" SHOT="$shot" SMOKE_SECONDS="${SMOKE_SECONDS:-8}" \
  RUST_LOG="warn,makini_desk_lib=info" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$run_dir/inside.sh" || status=$?

echo "-- app log"
cat "$run_dir/app.log" || true
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "the app did not stay up (status $status)"
[ -s "$db" ] || fail "the engine wrote no database at $db"
grep -q "local engine listening" "$run_dir/app.log" || fail "the engine did not report listening"
[ -s "$shot" ] || fail "no screenshot"
echo "smoke test passed: window up, engine db written, screenshot at target-shots/shell.png"
