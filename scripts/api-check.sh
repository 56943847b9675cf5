#!/usr/bin/env bash
# The API keeps its contract: schemathesis (PyPI, in a throwaway venv under target/) runs
# every operation of /api/openapi.json against a real service (a fresh register holding
# one letter, signed in as an administrator) with the checks not_a_server_error,
# status_code_conformance, content_type_conformance and response_schema_conformance.
# Exits non-zero on any failure. Usage: scripts/api-check.sh [MAX_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_TIME=${1:-120}
TARGET=${CARGO_TARGET_DIR:-target}
BIN=$TARGET/release/xinfang
VENV=$TARGET/schemathesis-venv
SCHEMATHESIS_VERSION=4.32.5
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
WORK=$(mktemp -d)
SERVER=
cleanup() {
  status=$?
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true
  if [ "$status" != 0 ] && [ -f "$WORK/serve.log" ]; then
    echo "--- the service's errors:"
    grep -a ERROR "$WORK/serve.log" | tail -20 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
DATA=$WORK/data
PASSWORD="api check $(date +%s) passphrase"
"$BIN" intake --engine tesseract --data "$DATA" samples/letters/12-typed.docx >/dev/null
printf '%s' "$PASSWORD" | "$BIN" user add --data "$DATA" --role admin --password-stdin checker >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN" serve --engine tesseract --data "$DATA" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$PORT/api/openapi.json" >/dev/null && break
  sleep 0.2
done
TOKEN=$(curl -sf -X POST -H 'content-type: application/json' \
  -d "{\"username\":\"checker\",\"password\":\"$PASSWORD\"}" "http://127.0.0.1:$PORT/api/session" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $TOKEN" \
  --exclude-name "DELETE /api/session" \
  --max-time "$MAX_TIME" --workers 1 --seed 1 --no-color "${@:2}"
# Signing out is checked last, alone (it ends the session the run uses).
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --header "Authorization: Bearer $TOKEN" \
  --include-name "DELETE /api/session" --max-time 30 --workers 1 --seed 1 --no-color
