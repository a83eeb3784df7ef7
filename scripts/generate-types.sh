#!/usr/bin/env bash
# Writes the UI's TypeScript types (ui/src/lib/generated/) from the Rust types of desk-core's
# action list (prettier leaves the folder alone: ui/.prettierignore). CI's test `generated_typescript_is_current` fails when the committed ones drift.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
MDESK_WRITE_TYPES=1 cargo test --locked -p desk-core --test core -- types::generated_typescript_is_current --exact
echo "ui/src/lib/generated written"
