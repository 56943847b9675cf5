#!/usr/bin/env python3
"""Renders every page of the given PDFs at 300 dpi, gray, with PDFium (the pypdfium2 wheel's
libpdfium), one after another in one process, keeping nothing: the PDFium row of
bench/render.sh. Prints the pages and their pixel sizes (to compare with pdftoppm's)."""
import sys

import pypdfium2 as pdfium

pages = 0
for path in sys.argv[1:]:
    doc = pdfium.PdfDocument(path)
    for i in range(len(doc)):
        bitmap = doc[i].render(scale=300 / 72, grayscale=True)
        w, h = bitmap.width, bitmap.height
        print(f"{path} {i + 1} {w} {h}")
        pages += 1
        del bitmap
    doc.close()
print(f"{pages} pages", file=sys.stderr)
