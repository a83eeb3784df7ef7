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
mkdir -p "$run_dir"/{home,data,config,cache,runtime} target-shots
chmod 700 "$run_dir/runtime"
shot="$PWD/target-shots/shell.png"
rm -f "$shot"
# The app keeps its data where the CLI does: $XDG_DATA_HOME/makini-desk.
data="$run_dir/data/makini-desk"
db="$data/engine/engine.db"
serving="$data/engine/serving.json"

# Inside the X server: start the app, give it time to paint and read the account, screenshot the
# display, check the app is still alive, then stop exactly the process started here with SIGTERM
# (which the app answers by closing the desk) and report how it exited.
cat >"$run_dir/inside.sh" <<'INSIDE'
set -u
"$APP" >"$LOG" 2>&1 &
pid=$!
sleep "${SMOKE_SECONDS:-8}"
alive=0
kill -0 "$pid" 2>/dev/null && alive=1
[ -s "$SERVING" ] && cp "$SERVING" "$SERVING_COPY"
import -window root "$SHOT" || echo "screenshot failed" >&2
if [ "$alive" = 1 ]; then
  kill -TERM "$pid"
  status=0
  wait "$pid" || status=$?
  echo "$status" >"$EXIT_FILE"
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
  SERVING="$serving" SERVING_COPY="$run_dir/serving.json" EXIT_FILE="$run_dir/exit-status" \
  MDESK_VAULT_PASSPHRASE=smoke-test RUST_LOG="warn,makini_desk_lib=info,desk_core=info" \
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$run_dir/inside.sh" || status=$?

echo "-- app log"
cat "$run_dir/app.log" || true
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
[ "$status" -eq 0 ] || fail "the app did not stay up (status $status)"
[ -s "$db" ] || fail "the engine wrote no database at $db"
grep -q "local engine started in-process" "$run_dir/app.log" ||
  fail "desk-core did not report the local engine started in-process"
[ -s "$run_dir/serving.json" ] || fail "the running engine was not announced in $serving"
[ -s "$shot" ] || fail "no screenshot"
exit_status="$(cat "$run_dir/exit-status" 2>/dev/null || echo unknown)"
[ "$exit_status" = 0 ] || fail "after SIGTERM the app exited with status $exit_status, not 0"
grep -q "data folder closed" "$run_dir/app.log" || fail "the app did not close its data folder at exit"
[ ! -e "$serving" ] || fail "the engine's serving.json was left behind at exit"
echo "smoke test passed: window up, engine in-process in $data (db written, announced, withdrawn" \
  "at exit), clean exit on SIGTERM, screenshot at target-shots/shell.png"
