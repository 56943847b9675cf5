#!/usr/bin/env bash
# OCR engines side by side (BENCHMARKS.md): `xinfang extract --engine tesseract|ppocr` on
# 1 and 2 workers, on two sets of scanned pages:
#   samples  the 13 scanned sample letters in samples/letters (15 pages; the born-digital
#            PDF and the DOCX are left out, as they are read from their text, not by OCR);
#   scans    45 more test scans rendered by samples/generate.py --set 1..3 (the same
#            fifteen kinds of page with other people, numbers and wording; 45 pages).
# For each run: wall time, seconds per page, pages per minute, peak memory (GNU time), and
# the character error rate and name/phone/ID exact matches against the truth (bench/cer.py).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CARGO_TARGET_DIR:-target}/release/xinfang
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
scripts/ppocr-install.sh >/dev/null
make -s samples-venv
mkdir -p "$WORK/samples" "$WORK/scans"
for f in samples/letters/*; do
  case "$(basename "$f")" in 11-* | 12-*) ;; *) ln -s "$PWD/$f" "$WORK/samples/";; esac
done
for n in 1 2 3; do .venv-samples/bin/python samples/generate.py --set "$n" --out "$WORK/scans/gen" >/dev/null; done
rm -f "$WORK"/scans/gen/letters/s?-1[12]-*
mv "$WORK/scans/gen/letters"/* "$WORK/scans/" && mv "$WORK/scans/gen/truth" "$WORK/scans-truth"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(tesseract --version 2>&1 | head -1), onnxruntime 1.31.1, PP-OCRv4, xinfang $(git rev-parse --short HEAD)"
printf '%-8s %-10s %-8s %6s %8s %8s %10s %10s %-20s %s\n' set engine workers pages seconds s/page pages/min "peak MiB" CER "name/phone/ID exact"
for set in samples scans; do
  if [ "$set" = samples ]; then truth=samples/truth; else truth="$WORK/scans-truth"; fi
  for engine in tesseract ppocr; do
    for workers in 1 2; do
      out="$WORK/$set-$engine-$workers.jsonl"
      /usr/bin/time -f "%e %M" -o "$WORK/time" "$BIN" extract --engine "$engine" --workers "$workers" --json \
        $(find "$WORK/$set" -maxdepth 1 \( -type f -o -type l \) | sort) > "$out" 2>/dev/null || true
      read -r secs kb < <(tail -1 "$WORK/time")
      pages=$(python3 -c 'import json,sys; print(sum(len(json.loads(l).get("pages", [])) for l in open(sys.argv[1])))' "$out")
      python3 bench/cer.py "$truth" "$out" > "$WORK/cer" 2>&1
      cer=$(awk '/^ALL/ {gsub(/\(/, "", $3); print $2 " (" $3 "/" $6 ")"}' "$WORK/cer")
      fields=$(awk '/^field (name|phone|id_number) / {split($3, a, "/"); h += a[1]; n += a[2]} END {printf "%d/%d", h, n}' "$WORK/cer")
      printf '%-8s %-10s %-8s %6d %8.1f %8.2f %10.1f %10d %-20s %s\n' "$set" "$engine" "$workers" "$pages" "$secs" \
        "$(echo "$secs / $pages" | bc -l)" "$(echo "$pages * 60 / $secs" | bc -l)" "$((kb / 1024))" "$cer" "$fields"
    done
  done
done
