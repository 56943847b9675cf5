#!/bin/bash
# Document generator benchmark (BENCHMARKS.md): documents per second for PDF and DOCX, on one
# thread and on every core, fonts loaded once; then LibreOffice converting the same DOCX to
# PDF (the reference), one process and one process per core, each with its own profile.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-400}
LO_N=${LO_N:-40}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cargo build --release --locked --example bench_documents >/dev/null 2>&1
BIN=${CARGO_TARGET_DIR:-target}/release/examples/bench_documents
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== xinfang (reply 答复意见书, 2 pages; $N documents per run)"
"$BIN" "$N" "$OUT"
echo "== LibreOffice $(libreoffice --version | awk '{print $2}') --convert-to pdf, the same DOCX"
mkdir -p "$OUT/in"
for i in $(seq 1 "$LO_N"); do cp "$OUT/reply-0.docx" "$OUT/in/reply-$i.docx"; done
lo() { # profile, files...
  local profile=$1; shift
  libreoffice -env:UserInstallation=file://"$OUT/$profile" --headless --convert-to pdf --outdir "$OUT/lo-$profile" "$@" >/dev/null 2>&1
}
lo warm "$OUT/in/reply-1.docx" # first start creates the profile
start=$(date +%s.%N)
lo warm "$OUT"/in/*.docx
end=$(date +%s.%N)
awk -v n="$LO_N" -v s="$start" -v e="$end" 'BEGIN { printf "LibreOffice processes=1 documents=%d seconds=%.2f per_second=%.1f\n", n, e - s, n / (e - s) }'
cores=$(nproc)
for p in $(seq 1 "$cores"); do lo "p$p" "$OUT/in/reply-1.docx"; done
files=("$OUT"/in/*.docx)
start=$(date +%s.%N)
for p in $(seq 1 "$cores"); do
  part=()
  for ((i = p - 1; i < ${#files[@]}; i += cores)); do part+=("${files[$i]}"); done
  lo "p$p" "${part[@]}" &
done
wait
end=$(date +%s.%N)
awk -v n="$LO_N" -v c="$cores" -v s="$start" -v e="$end" 'BEGIN { printf "LibreOffice processes=%d documents=%d seconds=%.2f per_second=%.1f\n", c, n, e - s, n / (e - s) }'
