#!/usr/bin/env bash
# Installs the PP-OCRv4 engine's files into .ppocr/ from PyPI wheels (the only place they
# come from): libonnxruntime from the `onnxruntime` wheel, the detection, recognition and
# direction models from the `rapidocr-onnxruntime` wheel. Nothing is installed into Python.
# The detection and recognition graphs are then folded (scripts/ppocr-fold.py, with
# Debian's python3-onnx) into the *_folded.onnx files xinfang loads; the originals stay.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=.ppocr
ORT=1.31.1
RAPID=1.4.4
fold() {
  /usr/bin/python3 -c "import onnx" 2>/dev/null ||
    { echo "ppocr-install: Debian's python3-onnx is needed to fold the models (make deps)" >&2; exit 1; }
  for m in det rec; do
    if [ ! -f "$DIR/ch_PP-OCRv4_${m}_folded.onnx" ]; then
      /usr/bin/python3 scripts/ppocr-fold.py "$DIR/ch_PP-OCRv4_${m}_infer.onnx" "$DIR/ch_PP-OCRv4_${m}_folded.onnx.part"
      mv "$DIR/ch_PP-OCRv4_${m}_folded.onnx.part" "$DIR/ch_PP-OCRv4_${m}_folded.onnx"
    fi
  done
}
if [ -f "$DIR/libonnxruntime.so.$ORT" ] && [ -f "$DIR/ch_PP-OCRv4_rec_infer.onnx" ]; then fold; exit 0; fi
mkdir -p "$DIR/wheels"
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  -d "$DIR/wheels" "onnxruntime==$ORT" "rapidocr-onnxruntime==$RAPID"
python3 - "$DIR" "$ORT" <<'PY'
import pathlib, sys, zipfile
out, ort = pathlib.Path(sys.argv[1]), sys.argv[2]
want = {
    f"onnxruntime/capi/libonnxruntime.so.{ort}": f"libonnxruntime.so.{ort}",
    "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx": "ch_PP-OCRv4_det_infer.onnx",
    "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx": "ch_PP-OCRv4_rec_infer.onnx",
    "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx": "ch_ppocr_mobile_v2.0_cls_infer.onnx",
}
for wheel in (out / "wheels").glob("*.whl"):
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name in want:
                tmp = out / (want[name] + ".part")
                tmp.write_bytes(z.read(name))
                tmp.rename(out / want[name])
missing = [v for v in want.values() if not (out / v).exists()]
if missing:
    sys.exit(f"not found in the wheels: {missing}")
PY
rm -rf "$DIR/wheels"
fold
echo "PP-OCR files in $DIR/"
