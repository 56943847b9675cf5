#!/usr/bin/env bash
# Service benchmark (BENCHMARKS.md): letters taken in through the web service (upload, OCR
# workers, registration) against the command line `xinfang intake` on the same files; then
# request rates of the read API under load with wrk (installed by `make bench` if missing):
# the masked case list, full-text search, and one case (each read is written to the audit
# log, so that one measures a write per request). wrk runs on the same 2 cores as the server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CARGO_TARGET_DIR:-target}/release/xinfang
WORK=$(mktemp -d)
PORT=${PORT:-18080}
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), xinfang $(git rev-parse --short HEAD)"
FILES=(samples/letters/*)
N=${#FILES[@]}

start=$(date +%s.%N)
"$BIN" intake --data "$WORK/cli" "${FILES[@]}" >/dev/null 2>&1
end=$(date +%s.%N)
awk -v n="$N" -v s="$start" -v e="$end" 'BEGIN { printf "cli intake:     %d letters in %.1f s = %.1f letters/min\n", n, e - s, 60 * n / (e - s) }'

"$BIN" serve --data "$WORK/svc" --listen "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.1; done
# The first start prints the admin's password once, on standard error (the log).
PASSWORD=$(sed -n 's/.*with password \([^ ]*\).*/\1/p' "$WORK/serve.log" | head -1)
TOKEN=$(curl -s -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" \
  "http://127.0.0.1:$PORT/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
AUTH="Authorization: Bearer $TOKEN"
FORM=()
for f in "${FILES[@]}"; do FORM+=(-F "file=@$f"); done
start=$(date +%s.%N)
JOBS=$(curl -s -H "$AUTH" "${FORM[@]}" "http://127.0.0.1:$PORT/api/letters" | python3 -c 'import json,sys; print(" ".join(str(j["job_id"]) for j in json.load(sys.stdin)["jobs"]))')
accepted=$(date +%s.%N)
for j in $JOBS; do
  until curl -s -H "$AUTH" "http://127.0.0.1:$PORT/api/jobs/$j" | grep -q -E '"status":"(done|failed)"'; do sleep 0.2; done
done
end=$(date +%s.%N)
awk -v n="$N" -v s="$start" -v a="$accepted" -v e="$end" 'BEGIN { printf "service upload: %d letters accepted in %.2f s (202, a job each), all registered in %.1f s = %.1f letters/min\n", n, a - s, e - s, 60 * n / (e - s) }'

for path in "/api/cases" "/api/cases?q=%E5%B7%A5%E8%B5%84" "/api/cases/1"; do
  echo "wrk -t2 -c16 -d10s --latency -H 'Authorization: Bearer …' http://127.0.0.1:$PORT$path"
  wrk -t2 -c16 -d10s --latency -H "$AUTH" "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors" | sed 's/^/  /'
done
