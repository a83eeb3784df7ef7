#!/usr/bin/env bash
# The real window's journey: tauri-driver (with Debian's WebKitWebDriver) drives the desktop app
# under Xvfb, in a private D-Bus session and a throwaway HOME, through tests/window/journey.mjs.
# Build the shell first (scripts/build-shell.sh). Screenshots: target-shots/window-*.png.
#
#   bash scripts/window-journey.sh        uses $CARGO_TARGET_DIR/debug/makini-desk
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
# dunst answers the app's notifications on the session bus; dbus-monitor records the calls.
install_debian_packages "${SMOKE_PACKAGES[@]}" webkit2gtk-driver dunst dbus-bin
# tauri-driver is a cargo tool (crates.io), installed once per machine.
command -v tauri-driver >/dev/null || cargo install --locked tauri-driver

app="${WINDOW_APP:-$CARGO_TARGET_DIR/debug/makini-desk}"
[ -x "$app" ] || { echo "no desktop app at $app: run scripts/build-shell.sh first" >&2; exit 1; }
run_dir="$(mktemp -d)"
trap 'rm -rf "$run_dir"' EXIT
mkdir -p "$run_dir"/{home,data,config,cache,runtime}
chmod 700 "$run_dir/runtime"

# Inside the X server and the D-Bus session: the driver on loopback ports, the journey, then
# the driver stopped by its pid (it stops the app's session first).
cat >"$run_dir/inside.sh" <<'INSIDE'
set -u
# Every Notify call on this private session bus, recorded; dunst is the notification service
# that answers them (its own display is the Xvfb one).
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$NOTIFY_LOG" 2>&1 &
monitor=$!
dunst >"$DUNST_LOG" 2>&1 &
dunst_pid=$!
tauri-driver --port "$DRIVER_PORT" --native-port "$NATIVE_PORT" >"$DRIVER_LOG" 2>&1 &
driver=$!
status=0
node tests/window/journey.mjs "http://127.0.0.1:$DRIVER_PORT" "$APP" || status=$?
kill -TERM "$driver" 2>/dev/null
wait "$driver" 2>/dev/null
kill -TERM "$dunst_pid" "$monitor" 2>/dev/null
wait "$dunst_pid" "$monitor" 2>/dev/null
exit "$status"
INSIDE

# Ports picked free now; the driver binds them on loopback.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
status=0
env -i PATH="$PATH" LANG=C.UTF-8 \
  HOME="$run_dir/home" XDG_DATA_HOME="$run_dir/data" XDG_CONFIG_HOME="$run_dir/config" \
  XDG_CACHE_HOME="$run_dir/cache" XDG_RUNTIME_DIR="$run_dir/runtime" \
  APP="$app" DRIVER_LOG="$run_dir/driver.log" \
  NOTIFY_LOG="$run_dir/notify.log" DUNST_LOG="$run_dir/dunst.log" MDESK_POLL_SECONDS=3 \
  DRIVER_PORT="$(free_port)" NATIVE_PORT="$(free_port)" \
  MDESK_VAULT_PASSPHRASE=window-journey WEBKIT_DISABLE_COMPOSITING_MODE=1 \
  RUST_LOG="warn,makini_desk_lib=debug,desk_core=info" \
  xvfb-run -a -s "-screen 0 1440x900x24" dbus-run-session -- bash "$run_dir/inside.sh" || status=$?

# The app's own log (it inherits the driver's stderr) must show the actions answered over IPC.
log="$run_dir/driver.log"
answered() { grep -c "action answered.*action=\"\?$1\b" "$log" || true; }
for action in connections_list connection_show connection_sync connection_disconnect; do
  if [ "$(answered "$action")" = 0 ]; then
    echo "window journey: the app's log shows no $action answered over IPC" >&2
    status=1
  fi
done
# The new alert reached the desktop: a Notify call from the app, naming what broke, and the
# tray's count followed the queue.
if ! grep -q 'string "Reauthorization required' "$run_dir/notify.log"; then
  echo "window journey: no desktop notification for the new alert on the session bus" >&2
  echo "-- dbus-monitor"; tail -n 40 "$run_dir/notify.log" || true
  echo "-- dunst"; tail -n 20 "$run_dir/dunst.log" || true
  status=1
fi
if ! grep -q 'tray count open_alerts=[1-9]' "$log"; then
  echo "window journey: the tray never showed an open alert" >&2
  status=1
fi
if [ "$status" != 0 ]; then
  echo "-- driver and app log (end)"
  tail -n 80 "$log" || true
fi
exit "$status"
