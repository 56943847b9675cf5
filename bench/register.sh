#!/usr/bin/env bash
# The register at scale (BENCHMARKS.md, issue 21): for each size (default 10k, 100k and 1M
# cases) a register of synthetic letters is made with `xinfang synth`, served, and every
# kind of read is measured through the API with wrk (p50/p99 and requests per second, the
# same 2 cores as the server): the list, a 2-character search, a common longer word, a rare
# word, a word in no letter, a filter matching almost nothing, the next page, one case,
# one case's audit trail; then the time to register one more letter (the born-digital
# sample, so no OCR) and the database's size per case.
#
# The sorted lists (the headings 登记号/期限/承办人) are measured the same way: each order's
# first page and a page further on, with filters and with words few and many; then last
# month's statistics (`/api/stats`) and the list of its letters.
#
#   bench/register.sh [SIZES...]      e.g. bench/register.sh 10000 100000
#   REGISTER=DIR bench/register.sh    the reads only, on a register made before (kept)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/xinfang}
WORK=${WORK:-$(mktemp -d)}
PORT=${PORT:-18090}
DURATION=${DURATION:-10s}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
cleanup() { [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
if [ -n "${REGISTER:-}" ]; then SIZES=(existing); fi
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB, xinfang $(git rev-parse --short HEAD), $(date -u +%F)"
enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }

for N in "${SIZES[@]}"; do
  DATA="$WORK/r$N"
  echo
  if [ -n "${REGISTER:-}" ]; then
    DATA=$REGISTER
    N=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect("file:%s/xinfang.db?mode=ro" % sys.argv[1], uri=True).execute("SELECT count(*) FROM cases").fetchone()[0])' "$DATA")
    echo "== $N cases (existing register $DATA)"
  else
    echo "== $N cases"
    start=$(date +%s.%N)
    "$BIN" synth --cases "$N" --data "$DATA" 2>/dev/null
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" 'BEGIN { printf "synth wall: %.1f s\n", e - s }'
  fi
  bytes=$(stat -c %s "$DATA/xinfang.db")
  awk -v b="$bytes" -v n="$N" 'BEGIN { printf "database: %.1f MiB, %.2f KiB per case (tables and indexes)\n", b / 1048576, b / 1024 / n }'

  "$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --workers 1 >"$WORK/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$PORT/login" && break; sleep 0.2; done
  PASSWORD=$(sed -n 's/.*with password \([^ ]*\).*/\1/p' "$WORK/serve.log" | head -1)
  USER_NAME=admin
  if [ -n "${REGISTER:-}" ]; then
    # A register served before has its administrator: the reads go as `bench` (an
    # administrator, added or given a fresh password here).
    USER_NAME=bench
    PASSWORD="bench-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    echo "$PASSWORD" | "$BIN" user add --data "$DATA" --role admin --password-stdin bench >/dev/null
  fi
  TOKEN=$(curl -s -H 'content-type: application/json' -d "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}" \
    "http://127.0.0.1:$PORT/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  AUTH="Authorization: Bearer $TOKEN"
  MID=$((N / 2))
  NEXT=$(curl -s -H "$AUTH" "http://127.0.0.1:$PORT/api/cases?limit=50" | python3 -c 'import json,sys; print(json.load(sys.stdin)["next_before"])')
  # A page key further into the deadline order: the key after the first page of the
  # cases due from the middle of the register's range on.
  key() { curl -s -H "$AUTH" "http://127.0.0.1:$PORT/api/cases?limit=$1&$2" | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.quote(json.load(sys.stdin)["next_after"] or ""))'; }
  DUE_KEY=$(key 1000 sort=due)
  while read -r label path; do
    body=$(curl -s -H "$AUTH" "http://127.0.0.1:$PORT$path")
    found=$(printf '%s' "$body" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("%d shown, total %s%s" % (len(d.get("cases", d.get("entries", d.get("events", [None])))), d.get("total", "-"), " (estimate)" if d.get("total_is_estimate") else ""))' 2>/dev/null || echo "one")
    out=$(wrk -t2 -c8 -d"$DURATION" --latency -H "$AUTH" "http://127.0.0.1:$PORT$path")
    p50=$(printf '%s\n' "$out" | awk '$1 == "50%" {print $2}')
    p99=$(printf '%s\n' "$out" | awk '$1 == "99%" {print $2}')
    rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ {print $2}')
    bad=$(printf '%s\n' "$out" | awk '/Non-2xx/ {print $NF}')
    printf '%-34s p50 %-9s p99 %-9s %9s req/s  %s%s\n' "$label" "$p50" "$p99" "$rps" "$found" "${bad:+ NON-2XX $bad}"
  done <<EOF
list                               /api/cases?limit=50
next-page                          /api/cases?limit=50&before_id=$NEXT
2-char-word(工资)                  /api/cases?limit=50&q=$(enc 工资)
2-char-in-every-letter(反映)       /api/cases?limit=50&q=$(enc 反映)
common-word(拖欠工资)              /api/cases?limit=50&q=$(enc 拖欠工资)
rare-word(柳桥村)                  /api/cases?limit=50&q=$(enc 柳桥村)
word-in-no-letter(核电站)          /api/cases?limit=50&q=$(enc 核电站)
phone-exact                        /api/cases?limit=50&q=$(curl -s -H "$AUTH" "http://127.0.0.1:$PORT/api/cases/$MID" | python3 -c 'import json,sys; print(json.load(sys.stdin)["phone"])')
filter-almost-nothing              /api/cases?limit=50&status=registered&category=$(enc 纪检监察)
overdue                            /api/cases?limit=50&overdue=true
one-case                           /api/cases/$MID
audit-of-one-case                  /api/audit?case=$MID
by-deadline                        /api/cases?limit=50&sort=due
by-deadline-page-21                /api/cases?limit=50&sort=due&after=$DUE_KEY
by-deadline-latest-first           /api/cases?limit=50&sort=due-desc
by-officer                         /api/cases?limit=50&sort=handler
oldest-first                       /api/cases?limit=50&sort=oldest
overdue-by-deadline                /api/cases?limit=50&overdue=true&sort=due
a-status-by-deadline               /api/cases?limit=50&status=routed&sort=due
rare-word-by-deadline(柳桥村)      /api/cases?limit=50&q=$(enc 柳桥村)&sort=due
common-word-by-deadline(拖欠工资)  /api/cases?limit=50&q=$(enc 拖欠工资)&sort=due
2-char-word-by-deadline(工资)      /api/cases?limit=50&q=$(enc 工资)&sort=due
in-every-letter-by-deadline(反映)  /api/cases?limit=50&q=$(enc 反映)&sort=due
stats-of-last-month                /api/stats?period=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)
a-figure's-letters(last-month)     /api/cases?limit=50&from=$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m-%d)&to=$(date -d "$(date +%Y-%m-01) -1 day" +%F)
EOF
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
  [ -z "${REGISTER:-}" ] || break

  # One more letter registered into this register (no OCR: the born-digital PDF, made
  # three distinct files by a comment after its end), whole process; the median of three.
  times=()
  for i in 1 2 3; do
    cp samples/letters/11-born-digital.pdf "$WORK/letter-$i.pdf"
    printf '%% copy %s\n' "$i" >>"$WORK/letter-$i.pdf"
    start=$(date +%s.%N)
    "$BIN" intake --data "$DATA" "$WORK/letter-$i.pdf" >/dev/null 2>&1
    end=$(date +%s.%N)
    times+=("$(awk -v s="$start" -v e="$end" 'BEGIN { printf "%.0f", 1000 * (e - s) }')")
  done
  echo "register one letter (xinfang intake, born-digital PDF, whole process): ${times[*]} ms, median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p) ms"
  rm -rf "$DATA"
done
