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
