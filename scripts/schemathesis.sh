#!/usr/bin/env bash
# Schemathesis against a real local engine: every operation of /openapi.json answers only the
# statuses, content types, headers and bodies the document lists, and never a 5xx it does not.
# Starts `mdesk engine serve` on a throwaway data folder, runs the admin routes with an admin
# token and the data routes with a connection token (a sandbox connection made for the run),
# stops the engine by its pid, and exits non-zero on any failure.
#
# SCHEMATHESIS_EXAMPLES cases per operation and phase (default 20), SCHEMATHESIS_SECONDS per
# pass (default 90, two passes), SCHEMATHESIS_SEED to repeat a run. Schemathesis lives in a venv
# under ~/.cache/makini-desk (installed from PyPI on first use); JUnit reports land in
# $CARGO_TARGET_DIR/schemathesis/.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

examples="${SCHEMATHESIS_EXAMPLES:-20}"
seconds="${SCHEMATHESIS_SECONDS:-90}"
seed="${SCHEMATHESIS_SEED:-$RANDOM}"
checks=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance

venv="$HOME/.cache/makini-desk/venv-schemathesis"
if [ ! -x "$venv/bin/schemathesis" ]; then
  echo "== installing schemathesis into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis>=4,<5"
fi
command -v curl >/dev/null || install_debian_packages curl

cargo build --locked --quiet -p desk-cli
run_dir="$(mktemp -d)"
reports="$CARGO_TARGET_DIR/schemathesis"
rm -rf "$reports" && mkdir -p "$reports"
engine_pid=""
stop_engine() {
  if [ -n "$engine_pid" ] && kill -0 "$engine_pid" 2>/dev/null; then
    kill -TERM "$engine_pid"
    wait "$engine_pid" || true
  fi
  rm -rf "$run_dir"
}
trap stop_engine EXIT

secret="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
MDESK_VAULT_PASSPHRASE=schemathesis MDESK_ENGINE_CLIENT_SECRET="$secret" \
  "$CARGO_TARGET_DIR/debug/mdesk" engine serve --addr 127.0.0.1:0 --data-dir "$run_dir/data" \
  >"$run_dir/engine.log" 2>&1 &
engine_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -o 'listening on http://[0-9.:]*' "$run_dir/engine.log" | head -1 | cut -d' ' -f3 || true)"
  [ -n "$url" ] && break
  kill -0 "$engine_pid" 2>/dev/null || { cat "$run_dir/engine.log" >&2; echo "the engine did not start" >&2; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$run_dir/engine.log" >&2; echo "the engine announced no URL" >&2; exit 1; }
echo "== engine at $url (pid $engine_pid)"

# json_field FIELD: one top-level field (a.b for nested) of the JSON document on stdin.
json_field() { python3 -c 'import json,sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."): value = value[key]
print(value)' "$1"; }
admin_token="$(curl -fsS -X POST "$url/oauth/token" -d grant_type=client_credentials \
  -d client_id=mdesk-local --data-urlencode "client_secret=$secret" | json_field access_token)"
# A live connection for the data routes: credits, a customer, an upkeep connection (full CRUD on
# every entity it has), its token.
api() { curl -fsS -X POST "$url$1" -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' -d "$2"; }
api /api/v1/sandbox/credits '{"credits": 100}' >/dev/null
customer="$(api /api/v1/customers '{"name": "Schemathesis"}' | json_field id)"
created="$(api /api/v1/connections "{\"customer_id\": \"$customer\", \"system_id\": \"upkeep\",
  \"deployment\": \"cloud\", \"name\": \"fuzzed\",
  \"credentials\": {\"email\": \"ops@example.com\", \"password\": \"hunter2\"}}")"
connection_token="$(json_field token <<<"$created")"
# Thousands of calls a minute: the system's own limit (documented 429s) would answer most of them.
curl -fsS -X PUT "$url/api/v1/sandbox/connections/$(json_field connection.id <<<"$created")" \
  -H "Authorization: Bearer $admin_token" -H 'Content-Type: application/json' \
  -d '{"rate_limit_per_minute": 10000000}'

status=0
pass() {
  local name="$1" token="$2"
  shift 2
  echo "== schemathesis: $name (seed $seed, $examples examples, at most $seconds s)"
  # From the run's folder: schemathesis leaves a .schemathesis/ cache where it runs.
  (cd "$run_dir" && "$venv/bin/schemathesis" run "$url/openapi.json" --url "$url" --no-color \
    -H "Authorization: Bearer $token" --checks "$checks" \
    --max-examples "$examples" --max-time "$seconds" --seed "$seed" \
    --generation-database none --report junit --report-junit-path "$reports/$name.xml" \
    "$@") || status=1
}
start=$SECONDS
# Data first: the admin pass's stateful phase finds the connection through the lists and
# rotates, reauthorizes or disconnects it, which ends its token.
pass data "$connection_token" --include-tag data
pass admin "$admin_token" --exclude-tag data
echo "== schemathesis took $((SECONDS - start)) s; reports in $reports/"
exit "$status"
