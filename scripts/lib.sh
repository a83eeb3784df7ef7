# Shared by the project's scripts: install Debian packages only when missing, pick the target dir.

# install_debian_packages PKG...: apt-get installs the ones not installed yet (root or sudo).
install_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# Build output outside the clone, shared between clones, so a fresh clone does not rebuild the world.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/makini-desk/target}"

# What the core crates need to build and test (the vault's keyring test needs a Secret Service).
CORE_PACKAGES=(pkg-config libdbus-1-dev libsqlite3-dev dbus-daemon gnome-keyring curl ca-certificates)

# What the Tauri shell needs to build on Linux, and what its smoke test needs to run a window.
SHELL_PACKAGES=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
  librsvg2-dev libayatana-appindicator3-dev pkg-config libssl-dev)
SMOKE_PACKAGES=(xvfb xauth dbus-daemon imagemagick)

# What the UI journeys need: Debian's chromium, driven by playwright-core (never a downloaded
# browser), and fonts for its screenshots.
UI_PACKAGES=(chromium fonts-dejavu-core)

# What scripts/package.sh needs beyond the shell's: tesseract reads the installed app's
# screenshot (the overview's words on demo data), binutils lists what the binary links.
PACKAGE_PACKAGES=(tesseract-ocr tesseract-ocr-eng binutils)

# run_window APP RUN_DIR SHOT [SECONDS]: starts APP under Xvfb in a private D-Bus session with a
# throwaway HOME (RUN_DIR/{home,data,config,cache,runtime}, so the user's data is never
# touched), lets it paint for SECONDS (default 8), screenshots the display into SHOT, checks the
# app is still alive, then stops exactly that process with SIGTERM. Leaves RUN_DIR/app.log,
# RUN_DIR/exit-status (the app's status after SIGTERM) and RUN_DIR/serving.json (the local
# engine's announcement while it ran). RUST_LOG is the caller's or the shell's info level.
# Returns non-zero when the app did not stay up.
run_window() {
  local app="$1" run_dir="$2" shot="$3" seconds="${4:-8}"
  mkdir -p "$run_dir"/{home,data,config,cache,runtime} "$(dirname "$shot")"
  chmod 700 "$run_dir/runtime"
  rm -f "$shot"
  # Inside the X server: start the app, give it time to paint and read the account, screenshot
  # the display, check the app is still alive, then SIGTERM it (the app answers by closing the
  # desk) and report how it exited.
  cat >"$run_dir/inside.sh" <<'INSIDE'
set -u
"$APP" >"$LOG" 2>&1 &
pid=$!
sleep "$SMOKE_SECONDS"
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
  # The app keeps its data where the CLI does: $XDG_DATA_HOME/makini-desk.
  env -i PATH="$PATH" LANG=C.UTF-8 \
    HOME="$run_dir/home" XDG_DATA_HOME="$run_dir/data" XDG_CONFIG_HOME="$run_dir/config" \
    XDG_CACHE_HOME="$run_dir/cache" XDG_RUNTIME_DIR="$run_dir/runtime" \
    APP="$app" LOG="$run_dir/app.log" SHOT="$shot" SMOKE_SECONDS="$seconds" \
    SERVING="$run_dir/data/makini-desk/engine/serving.json" SERVING_COPY="$run_dir/serving.json" \
    EXIT_FILE="$run_dir/exit-status" MDESK_VAULT_PASSPHRASE=smoke-test \
    RUST_LOG="${RUST_LOG:-warn,makini_desk_lib=info,desk_core=info}" \
    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$run_dir/inside.sh"
}

# check_window_exit RUN_DIR: what every window test asks of a run: the local engine ran
# in-process and was announced, and SIGTERM closed the app cleanly (status 0, data folder
# closed, the announcement withdrawn).
check_window_exit() {
  local run_dir="$1"
  local data="$run_dir/data/makini-desk"
  [ -s "$data/engine/engine.db" ] || { echo "the engine wrote no database in $data/engine" >&2; return 1; }
  grep -q "local engine started in-process" "$run_dir/app.log" ||
    { echo "desk-core did not report the local engine started in-process" >&2; return 1; }
  [ -s "$run_dir/serving.json" ] || { echo "the running engine was not announced" >&2; return 1; }
  local exit_status
  exit_status="$(cat "$run_dir/exit-status" 2>/dev/null || echo unknown)"
  [ "$exit_status" = 0 ] || { echo "after SIGTERM the app exited with status $exit_status, not 0" >&2; return 1; }
  grep -q "data folder closed" "$run_dir/app.log" || { echo "the app did not close its data folder at exit" >&2; return 1; }
  [ ! -e "$data/engine/serving.json" ] || { echo "the engine's serving.json was left behind at exit" >&2; return 1; }
}
