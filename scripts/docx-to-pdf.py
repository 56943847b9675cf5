#!/usr/bin/python3
"""Renders DOCX files to PDF with LibreOffice, as Word would lay them out.

Usage: scripts/docx-to-pdf.py OUTDIR FILE.docx...

LibreOffice 7.4's DOCX import misreads two East Asian settings of xinfang's documents:

- w:autoSpaceDE/w:autoSpaceDN="0" (no space between Chinese and Latin text) are ignored
  (writerfilter's DomainMapper: `case LN_CT_PPrBase_autoSpaceDE: break;`), so it puts a
  quarter space between every Chinese character and a digit or Latin letter;
- w:overflowPunct="0" (ECMA-376: punctuation may not extend past the text's edge) is
  mapped to hanging punctuation *on* (`PROP_PARA_IS_HANGING_PUNCTUATION, nIntValue == 0`),
  so a comma hangs into the margin.

Word and WPS read both as the file means them. This script loads each file through
LibreOffice's UNO API, applies what the file says (ParaIsCharacterDistance and
ParaIsHangingPunctuation off on every paragraph style and paragraph), and exports the
PDF; everything else is LibreOffice's own layout. Uses Debian's python3-uno and a
throwaway LibreOffice profile.
"""

import os
import subprocess
import sys
import tempfile
import time

import uno
from com.sun.star.beans import PropertyValue


def prop(name, value):
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


def paragraphs(text):
    e = text.createEnumeration()
    while e.hasMoreElements():
        part = e.nextElement()
        if part.supportsService("com.sun.star.text.Paragraph"):
            yield part
        elif part.supportsService("com.sun.star.text.TextTable"):
            for name in part.getCellNames():
                yield from paragraphs(part.getCellByName(name).getText())


def main():
    out_dir, files = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="xinfang-lo-")
    pipe = "xinfang%d" % os.getpid()
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore",
         "-env:UserInstallation=" + uno.systemPathToFileUrl(profile),
         "--accept=pipe,name=%s;urp;" % pipe],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        resolver = uno.getComponentContext().ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", uno.getComponentContext())
        ctx = None
        for _ in range(300):
            try:
                ctx = resolver.resolve("uno:pipe,name=%s;urp;StarOffice.ComponentContext" % pipe)
                break
            except Exception:
                if office.poll() is not None:
                    sys.exit("soffice exited with %s" % office.returncode)
                time.sleep(0.1)
        if ctx is None:
            sys.exit("soffice did not answer")
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        for path in files:
            url = uno.systemPathToFileUrl(os.path.abspath(path))
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
            if doc is None:
                sys.exit("cannot open %s" % path)
            styles = doc.getStyleFamilies().getByName("ParagraphStyles")
            for i in range(styles.getCount()):
                for name in ("ParaIsCharacterDistance", "ParaIsHangingPunctuation"):
                    styles.getByIndex(i).setPropertyValue(name, False)
            texts = [doc.getText()]
            frames = doc.getTextFrames()
            texts += [frames.getByIndex(i).getText() for i in range(frames.getCount())]
            for text in texts:
                for p in paragraphs(text):
                    for name in ("ParaIsCharacterDistance", "ParaIsHangingPunctuation"):
                        p.setPropertyValue(name, False)
            name = os.path.splitext(os.path.basename(path))[0] + ".pdf"
            target = uno.systemPathToFileUrl(os.path.abspath(os.path.join(out_dir, name)))
            doc.storeToURL(target, (prop("FilterName", "writer_pdf_Export"),))
            doc.close(True)
        try:
            desktop.terminate()
        except Exception:
            pass
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()
        subprocess.run(["rm", "-rf", profile])


if __name__ == "__main__":
    main()
