#!/usr/bin/env bash
# A month's statistics against DuckDB (issue 19): installs DuckDB from PyPI in a throwaway
# venv and runs bench/stats_duckdb.py on a register (made by `xinfang synth`).
#
#   bench/stats.sh DATA [PERIOD]       e.g. bench/stats.sh r1m 2026-10 (default: last month)
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${1:?the data folder of a register}
PERIOD=${2:-$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)}
VENV=$(mktemp -d)
trap 'rm -rf "$VENV"' EXIT
python3 -m venv "$VENV"
"$VENV/bin/pip" install -q duckdb
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/ {print $2}') GiB, xinfang $(git rev-parse --short HEAD), duckdb $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)'), $(date -u +%F)"
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/xinfang} "$VENV/bin/python" bench/stats_duckdb.py "$DATA" "$PERIOD"
