#!/usr/bin/env bash
# Binder benchmark (BENCHMARKS.md): N one-page items (default 10,000) bound by xinfang into
# 200-page volumes with stamps, catalogue, page numbers, outline and PDF/A, against merging
# the same files with `qpdf --empty --pages` (no stamps, no catalogue: the floor). Wall time
# and peak memory (GNU time) of each; xinfang also at N/10 to show memory does not grow.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-10000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release --locked --example bench_binder >/dev/null 2>&1
BIN=${CARGO_TARGET_DIR:-target}/release/examples/bench_binder
SOURCE=samples/documents/acceptance-notice.pdf
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(qpdf --version | head -1), xinfang $(git rev-parse --short HEAD)"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
  read -r secs kb < "$WORK/time"
  printf '%-44s %8.1f s %8.0f MiB  %s\n' "$label" "$secs" "$((kb / 1024))" "$(tail -1 "$WORK/out")"
}
measure "xinfang binder, $((N / 10)) items" "$BIN" "$((N / 10))" "$WORK/small" "$SOURCE"
measure "xinfang binder, $N items" "$BIN" "$N" "$WORK/big" "$SOURCE"
cd "$WORK/big/items"
measure "qpdf --empty --pages (all $N) -- out.pdf" qpdf --empty --pages $(ls) -- "$WORK/qpdf.pdf"
echo "qpdf output: $(pdfinfo "$WORK/qpdf.pdf" | sed -n 's/^Pages: *//p') pages, $(du -m "$WORK/qpdf.pdf" | cut -f1) MiB; xinfang volumes: $(du -cm "$WORK"/big/out/*.pdf | tail -1 | cut -f1) MiB"
