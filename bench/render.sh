#!/usr/bin/env bash
# Page renderer (BENCHMARKS.md): xinfang's renderer (hayro, in process, 300 dpi, RGB) against
# pdftoppm (poppler, 300 dpi, gray, written as PGM: raw pixels, no compression, the nearest
# to rendering alone) on the same scanned PDFs: the 9 PNG/JPEG sample letters written as
# three JPEG strips, as tiles with an image mask, and sideways with /Rotate 90
# (examples/scan_layouts.rs; 27 pages). Also PDFium (the pypdfium2 wheel from PyPI, in the
# samples' venv; only the benchmark installs it), rendering at 300 dpi gray in one Python
# process (bench/render_pdfium.py). One process each, one thread; wall time and peak
# memory by GNU time. Then the page sizes each gives, against pdftoppm's.
set -euo pipefail
cd "$(dirname "$0")/.."
T=${CARGO_TARGET_DIR:-target}/release
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build -q --release --example scan_layouts --example bench_render
"$T/examples/scan_layouts" "$WORK/pdf"
echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(pdftoppm -v 2>&1 | head -1), xinfang $(git rev-parse --short HEAD)"
printf '%-22s %6s %8s %8s %9s\n' renderer pages seconds pages/s "peak MiB"
run() {
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$WORK/mem" "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  local pages; pages=$(ls "$WORK"/pdf/*.pdf | wc -l)
  awk -v n="$name" -v p="$pages" -v s="$start" -v e="$end" -v m="$(cat "$WORK/mem")" \
    'BEGIN { printf "%-22s %6d %8.2f %8.2f %9.0f\n", n, p, e - s, p / (e - s), m / 1024 }'
}
run "xinfang (hayro)" "$T/examples/bench_render" "$WORK"/pdf/*.pdf
mkdir -p "$WORK/ppm"
run "pdftoppm -r 300 -gray" bash -c 'for f in "$0"/pdf/*.pdf; do pdftoppm -r 300 -gray "$f" "$0/ppm/p"; rm -f "$0"/ppm/*; done' "$WORK"
make -s samples-venv
.venv-samples/bin/pip install -q pypdfium2==5.15.2
run "pdfium (pypdfium2)" .venv-samples/bin/python bench/render_pdfium.py "$WORK"/pdf/*.pdf
# Page sizes: pdftoppm's against PDFium's (hayro's are checked against pdftoppm's by the tests).
.venv-samples/bin/python bench/render_pdfium.py "$WORK"/pdf/*.pdf 2>/dev/null > "$WORK/pdfium-sizes"
same=0; total=0
while read -r f i w h; do
  total=$((total + 1))
  pdftoppm -r 300 -gray -f "$i" -l "$i" -singlefile "$f" "$WORK/one"
  [ "$(head -c 64 "$WORK/one.pgm" | sed -n 2p)" = "$w $h" ] && same=$((same + 1))
done < "$WORK/pdfium-sizes"
echo "PDFium page sizes equal to pdftoppm's: $same of $total"
