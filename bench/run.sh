#!/usr/bin/env bash
# Benchmark: xinfang extract against plain `tesseract -l chi_sim` on the same scans, in one
# run. Prints the machine, the commands, pages per minute, the pipeline's overhead and the
# character error rate (CER) of each against samples/truth. Used for BENCHMARKS.md.
# Only the scanned samples are compared (plain tesseract cannot read PDF text or DOCX);
# for the scanned PDFs plain tesseract gets the page images `pdfimages` pulls out of them.
# xinfang runs its Tesseract engine (ENGINE=ppocr to compare the other; bench/engines.sh
# sets the two side by side).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=target/release/xinfang
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/img" "$WORK/tess" "$WORK/tess-txt"

echo "## Machine"
echo "- $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB"
echo "- $(tesseract --version 2>&1 | head -1), $(uname -sr), xinfang $(git rev-parse --short HEAD)"
echo

SCANS=()
for f in samples/letters/*; do
  case "$f" in
    *11-born-digital.pdf|*12-typed.docx) continue ;;
    *.pdf) stem=$(basename "$f" .pdf); pdfimages -png "$f" "$WORK/img/$stem" ;;
    *) cp "$f" "$WORK/img/" ;;
  esac
  SCANS+=("$f")
done
IMAGES=("$WORK"/img/*)
PAGES=$(python3 - "${SCANS[@]}" <<'PY'
import sys, json, subprocess
print(sum(len(json.load(open(f"samples/truth/{p.rsplit('/',1)[1].rsplit('.',1)[0]}.json"))["pages"]) for p in sys.argv[1:]))
PY
)
echo "## Inputs: ${#SCANS[@]} scanned letters, $PAGES pages (samples/letters without 11 and 12)"
echo

secs() { python3 -c "import sys; print(f'{float(sys.argv[1]):.2f}')" "$1"; }
now() { date +%s.%N; }

# Plain tesseract, one process per image: as installed (OpenMP on), with OpenMP limited to
# one thread as its documentation advises for batches, and two processes at a time.
ta=$(now)
for img in "${IMAGES[@]}"; do OMP_THREAD_LIMIT=1 tesseract "$img" "$WORK/tess/$(basename "${img%.*}")-1" -l chi_sim >/dev/null 2>&1; done
t0=$(now)
for img in "${IMAGES[@]}"; do tesseract "$img" "$WORK/tess/$(basename "${img%.*}")" -l chi_sim >/dev/null 2>&1; done
t1=$(now)
printf '%s\n' "${IMAGES[@]}" | xargs -P2 -I{} sh -c 'OMP_THREAD_LIMIT=1 tesseract "{}" "$0/$(basename "{}" | sed "s/\.[^.]*$//")-p" -l chi_sim >/dev/null 2>&1' "$WORK/tess"
t2=$(now)
# Gather tesseract's text per sample (multi-page PDFs were split into images by pdfimages).
for f in "${SCANS[@]}"; do
  stem=$(basename "${f%.*}")
  cat $(ls "$WORK"/tess/"$stem"*.txt | grep -v -- '-[p1].txt$' | sort) > "$WORK/tess-txt/$stem.txt"
done

# xinfang, one worker and two.
"$BIN" extract --engine "${ENGINE:-tesseract}" --json --timings --workers 1 "${SCANS[@]}" > "$WORK/x1.jsonl" 2> "$WORK/x1.err"
"$BIN" extract --engine "${ENGINE:-tesseract}" --json --timings --workers 2 "${SCANS[@]}" > "$WORK/x2.jsonl" 2> "$WORK/x2.err"

python3 - "$WORK" "$PAGES" "$(python3 -c "print($t1-$t0)")" "$(python3 -c "print($t2-$t1)")" "$(python3 -c "print($t0-$ta)")" <<'PY'
import json, re, subprocess, sys
work, pages = sys.argv[1], int(sys.argv[2])
t_seq, t_par, t_omp1 = float(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
def timing(path):
    line = [l for l in open(path) if l.startswith("timings:")][0]
    wall = float(re.search(r"in ([\d.]+) s wall", line).group(1))
    eng = float(re.search(r"OCR engine ([\d.]+) s", line).group(1))
    pipe = float(re.search(r"pipeline ([\d.]+) s", line).group(1))
    return wall, eng, pipe
x1, x2 = timing(f"{work}/x1.err"), timing(f"{work}/x2.err")
ppm = lambda t: pages * 60 / t
print("## Speed (pages per minute, wall clock, same pages)")
print("| run | workers/processes | wall s | pages/min |")
print("|---|---|---|---|")
print(f"| plain tesseract -l chi_sim (OpenMP as installed) | 1 at a time | {t_seq:.1f} | {ppm(t_seq):.1f} |")
print(f"| plain tesseract -l chi_sim, OMP_THREAD_LIMIT=1 | 1 at a time | {t_omp1:.1f} | {ppm(t_omp1):.1f} |")
print(f"| plain tesseract -l chi_sim, OMP_THREAD_LIMIT=1 | 2 at a time (xargs -P2) | {t_par:.1f} | {ppm(t_par):.1f} |")
print(f"| xinfang extract | --workers 1 | {x1[0]:.1f} | {ppm(x1[0]):.1f} |")
print(f"| xinfang extract | --workers 2 | {x2[0]:.1f} | {ppm(x2[0]):.1f} |")
print()
print(f"xinfang 2 workers / 1 worker: {x1[0] / x2[0]:.2f}x")
print(f"pipeline overhead (decode, clean, extract, JSON) / time inside Tesseract, 1 worker: "
      f"{x1[2]:.2f} s / {x1[1]:.2f} s = {100 * x1[2] / x1[1]:.1f}% (Tesseract time includes orientation detection)")
print()
def cer(args):
    out = subprocess.run(["python3", "bench/cer.py", "samples/truth"] + args, capture_output=True, text=True).stdout
    rows = {}
    for l in out.splitlines():
        m = re.match(r"(\S+)\s+([\d.]+)%", l)
        if m:
            rows[m.group(1)] = float(m.group(2))
    fields = [l for l in out.splitlines() if l.startswith("field ")]
    return rows, fields
x_rows, x_fields = cer([f"{work}/x2.jsonl"])
t_rows, _ = cer([f"{work}/x2.jsonl", "--text-dir", f"{work}/tess-txt"])
print("## Character error rate (whitespace ignored) against samples/truth")
print("| letter | plain tesseract | xinfang |")
print("|---|---|---|")
for k in x_rows:
    if k == "ALL":
        continue
    print(f"| {k} | {t_rows.get(k, 0):.2f}% | {x_rows[k]:.2f}% |")
# Overall over the scanned letters only (weighted by characters).
def overall(rows):
    tot = err = 0
    for t in __import__("os").listdir("samples/truth"):
        d = json.load(open("samples/truth/" + t))
        if d["file"] in rows and d["file"] not in ("11-born-digital.pdf", "12-typed.docx"):
            n = len("".join("".join(d["pages"]).split()))
            tot += n; err += rows[d["file"]] / 100 * n
    return 100 * err / tot
print(f"| **all scanned letters** | **{overall(t_rows):.2f}%** | **{overall(x_rows):.2f}%** |")
print()
print("## Field exact-match (xinfang, scanned letters)")
for f in x_fields:
    print(f"- {f[6:]}")
PY
