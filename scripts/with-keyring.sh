#!/usr/bin/env bash
# Runs a command with a throwaway, unlocked gnome-keyring in the current (private) D-Bus session.
set -euo pipefail
export HOME_FOR_KEYRING="$(mktemp -d)"
# gnome-keyring keeps its files under XDG_DATA_HOME: point it at a temp dir, never the user's.
export XDG_DATA_HOME="$HOME_FOR_KEYRING/data"
mkdir -p "$XDG_DATA_HOME"
eval "$(echo -n 'ci-keyring' | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
"$@"
