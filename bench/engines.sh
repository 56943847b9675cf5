#!/usr/bin/env bash
# OCR engines side by side (BENCHMARKS.md): `xinfang extract --engine tesseract|ppocr` on
# the 15 sample letters (17 pages; 2 of them text layers, read without OCR), on 1 and 2
# workers: wall time, pages per minute, peak memory (GNU time), and the character error rate
# and field exact-match against samples/truth (bench/cer.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CARGO_TARGET_DIR:-target}/release/xinfang
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
scripts/ppocr-install.sh >/dev/null
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(tesseract --version 2>&1 | head -1), onnxruntime 1.31.1, PP-OCRv4, xinfang $(git rev-parse --short HEAD)"
printf '%-10s %-8s %8s %10s %10s %8s  %s\n' engine workers seconds pages/min "peak MiB" CER "name/phone/ID exact"
for engine in tesseract ppocr; do
  for workers in 1 2; do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" extract --engine "$engine" --workers "$workers" --json samples/letters \
      > "$WORK/$engine-$workers.jsonl" 2>/dev/null
    read -r secs kb < "$WORK/time"
    python3 bench/cer.py samples/truth "$WORK/$engine-$workers.jsonl" > "$WORK/cer" 2>&1
    cer=$(awk '/^ALL/ {print $2}' "$WORK/cer")
    fields=$(awk '/^field (name|phone|id_number) / {split($3, a, "/"); h += a[1]; n += a[2]} END {printf "%d/%d", h, n}' "$WORK/cer")
    printf '%-10s %-8s %8.1f %10.1f %10d %8s  %s\n' "$engine" "$workers" "$secs" "$(echo "17 * 60 / $secs" | bc -l)" "$((kb / 1024))" "$cer" "$fields"
  done
done
