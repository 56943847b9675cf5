#!/usr/bin/env bash
# Benchmark: xinfang archive-pdf against OCRmyPDF (Debian package `ocrmypdf`) on the same
# scans, in one run: pages per minute, output size, and the character error rate (CER) of
# `pdftotext` on each output against samples/truth. Used for BENCHMARKS.md.
# OCRmyPDF runs as the issue names it: -l chi_sim --deskew --rotate-pages --output-type pdfa
# (plus --image-dpi 300 for the one image that has no resolution, which it refuses otherwise).
# xinfang runs its Tesseract engine, as OCRmyPDF does, and then its default engine, PP-OCR.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/xinfang
command -v ocrmypdf >/dev/null || { echo "ocrmypdf is not installed (apt-get install ocrmypdf)"; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/ocrmypdf-p2" "$WORK/ocrmypdf-j2" "$WORK/xinfang" "$WORK/xinfang-ppocr" "$WORK/txt"

echo "## Machine"
echo "- $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "- $(tesseract --version 2>&1 | head -1), OCRmyPDF $(ocrmypdf --version), $(uname -sr), xinfang $(git rev-parse --short HEAD)"
echo

SCANS=()
for f in samples/letters/*; do
  case "$f" in *11-born-digital.pdf|*12-typed.docx) continue ;; esac
  SCANS+=("$f")
done
PAGES=$(python3 - "${SCANS[@]}" <<'PY'
import sys, json
print(sum(len(json.load(open(f"samples/truth/{p.rsplit('/',1)[1].rsplit('.',1)[0]}.json"))["pages"]) for p in sys.argv[1:]))
PY
)
echo "## Inputs: ${#SCANS[@]} scanned letters, $PAGES pages (samples/letters without 11 and 12)"
echo
now() { date +%s.%N; }
OCRMYPDF=(ocrmypdf -l chi_sim --deskew --rotate-pages --output-type pdfa --image-dpi 300 --quiet)

# OCRmyPDF, two files at a time with one job each (both cores busy), then one file at a
# time with two jobs. Tesseract's OpenMP is limited to one thread, as for every tool here.
t0=$(now)
printf '%s\n' "${SCANS[@]}" | OMP_THREAD_LIMIT=1 xargs -P2 -I{} sh -c \
  '"$@" --jobs 1 "{}" "'"$WORK"'/ocrmypdf-p2/$(basename "{}" | sed "s/\.[^.]*$//").pdf" 2>>"'"$WORK"'/ocrmypdf.err" || echo "ocrmypdf failed on {}" >&2' _ "${OCRMYPDF[@]}"
t1=$(now)
for f in "${SCANS[@]}"; do
  OMP_THREAD_LIMIT=1 "${OCRMYPDF[@]}" --jobs 2 "$f" "$WORK/ocrmypdf-j2/$(basename "${f%.*}").pdf" 2>>"$WORK/ocrmypdf.err" || echo "ocrmypdf failed on $f" >&2
done
t2=$(now)
"$BIN" archive-pdf --engine tesseract --json --workers 2 -o "$WORK/xinfang/" "${SCANS[@]}" > "$WORK/x.jsonl" 2>/dev/null
t3=$(now)
"$BIN" archive-pdf --engine ppocr --json --workers 2 -o "$WORK/xinfang-ppocr/" "${SCANS[@]}" > "$WORK/xp.jsonl" 2>/dev/null
t4=$(now)
# xinfang's own OCR text, to compare with what its text layer gives back.
"$BIN" extract --engine tesseract --json --workers 2 "${SCANS[@]}" > "$WORK/extract.jsonl" 2>/dev/null
"$BIN" extract --engine ppocr --json --workers 2 "${SCANS[@]}" > "$WORK/extract-ppocr.jsonl" 2>/dev/null

python3 - "$WORK" "$PAGES" "$(python3 -c "print($t1-$t0)")" "$(python3 -c "print($t2-$t1)")" "$(python3 -c "print($t3-$t2)")" "$(python3 -c "print($t4-$t3)")" "${SCANS[@]}" <<'PY'
import json, os, subprocess, sys
work, pages = sys.argv[1], int(sys.argv[2])
t_p2, t_j2, t_x, t_xp = map(float, sys.argv[3:7])
scans = sys.argv[7:]
sys.path.insert(0, "bench")
from cer import lev, squash as sq
stems = [os.path.basename(s).rsplit(".", 1)[0] for s in scans]
truth = {s: sq("".join(json.load(open(f"samples/truth/{s}.json"))["pages"])) for s in stems}
def pdftext(path):
    if not os.path.exists(path):
        return None
    return subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True).stdout
def size(d):
    return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
def checks(d):
    ok = sum(subprocess.run(["qpdf", "--check", os.path.join(d, f)], capture_output=True).returncode in (0, 3) for f in os.listdir(d))
    return f"{ok}/{len(os.listdir(d))}"
ppm = lambda t: pages * 60 / t
print("## Speed and size (wall clock, same pages, both cores busy in every run)")
print("| run | wall s | pages/min | outputs | total size | KB/page | qpdf --check |")
print("|---|---|---|---|---|---|---|")
for label, t, d in [
    ("OCRmyPDF, 2 files at a time, --jobs 1 each", t_p2, "ocrmypdf-p2"),
    ("OCRmyPDF, 1 file at a time, --jobs 2", t_j2, "ocrmypdf-j2"),
    ("xinfang archive-pdf --workers 2 (Tesseract)", t_x, "xinfang"),
    ("xinfang archive-pdf --workers 2 (PP-OCR, the default)", t_xp, "xinfang-ppocr"),
]:
    p = os.path.join(work, d)
    n = len(os.listdir(p))
    print(f"| {label} | {t:.1f} | {ppm(t):.1f} | {n} | {size(p)/1024:.0f} KB | {size(p)/1024/pages:.0f} | {checks(p)} |")
best = min(t_p2, t_j2)
print()
print(f"xinfang pages/min over the faster OCRmyPDF run: {best / t_x:.2f}x (Tesseract), {best / t_xp:.2f}x (PP-OCR)")
print()
def texts(f):
    return {os.path.basename(json.loads(l)["file"]).rsplit(".", 1)[0]: json.loads(l)["text"] for l in open(f)}
extract, extract_pp = texts(f"{work}/extract.jsonl"), texts(f"{work}/extract-ppocr.jsonl")
print("## Character error rate of `pdftotext` on each output against samples/truth (whitespace ignored)")
print("| letter | OCRmyPDF text layer | xinfang text layer (Tesseract) | xinfang OCR (extract, Tesseract) | xinfang text layer (PP-OCR) | xinfang layer == OCR (both engines) |")
print("|---|---|---|---|---|---|")
tot = {"o": [0, 0], "x": [0, 0], "e": [0, 0], "p": [0, 0]}
same = 0
for s in stems:
    t = truth[s]
    o = pdftext(f"{work}/ocrmypdf-p2/{s}.pdf")
    x = pdftext(f"{work}/xinfang/{s}.pdf")
    p = pdftext(f"{work}/xinfang-ppocr/{s}.pdf")
    e = extract.get(s, "")
    row = []
    for key, text in (("o", o), ("x", x), ("e", e), ("p", p)):
        if text is None:
            row.append("no output")
            continue
        d = lev(t, sq(text))
        tot[key][0] += d; tot[key][1] += len(t)
        row.append(f"{100 * d / len(t):.2f}%")
    eq = x is not None and sq(x) == sq(e) and p is not None and sq(p) == sq(extract_pp.get(s, ""))
    same += eq
    print(f"| {s} | {row[0]} | {row[1]} | {row[2]} | {row[3]} | {'yes' if eq else 'NO'} |")
cer = lambda k: 100 * tot[k][0] / max(tot[k][1], 1)
print(f"| **all** | **{cer('o'):.2f}%** | **{cer('x'):.2f}%** | **{cer('e'):.2f}%** | **{cer('p'):.2f}%** | **{same}/{len(stems)}** |")
# How OCRmyPDF's Chinese comes back: spaces between characters.
o = pdftext(f"{work}/ocrmypdf-p2/{stems[0]}.pdf") or ""
print()
print(f"First line of OCRmyPDF's text for {stems[0]}: `{next((l for l in o.splitlines() if l.strip()), '')[:60]}`")
x = pdftext(f"{work}/xinfang/{stems[0]}.pdf") or ""
print(f"First line of xinfang's text for {stems[0]}: `{next((l for l in x.splitlines() if l.strip()), '')[:60]}`")
PY
if [ -s "$WORK/ocrmypdf.err" ]; then echo; echo "OCRmyPDF messages:"; sort -u "$WORK/ocrmypdf.err" | head -20; fi
