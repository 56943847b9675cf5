#!/usr/bin/env python3
"""Makes the layout samples in samples/layouts/ with their ground truth (NAME.json beside
each file): pages shaped like what users bring besides plain letters.

- strips-3jpeg.pdf: a two-page scanned letter whose pages are each three JPEG strips
  stacked top to bottom (the way many scanners and PDF tools write pages), 200 dpi;
- tiles-mask.pdf: a scanned page stored as four JPEG tiles, with the signature block drawn
  by a 1-bit image mask (stencil) painted black, 300 dpi;
- two-column-notice.png: an attached notice set in two justified columns under a title
  across both, a closing paragraph across both, 300 dpi;
- table.png: a ruled statistics table (five columns, a header row and six rows) under a
  title, with a note below, 300 dpi;
- running-header.pdf: a two-page bulletin with a small running header over a rule and a
  page number (— 1 —) at the foot of each page, 300 dpi.

Ground truth per file: `pages` (each page's lines in reading order: header first, then the
body, the footer last; a table row by row, left to right), `layout` per page (what
`extract --json` should report as `pages[].layout`), `running` per page (the running
header and footer lines), and `notes`. Everything is seeded. Run `make samples` (or
`python3 samples/layouts.py` with Pillow and numpy).
"""
import io
import json
import os
import random
import zlib

from PIL import Image, ImageDraw, ImageFilter

from generate import SANS, SERIF, face, wrap  # the letters' fonts and CJK line breaking

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "layouts")
rng = random.Random(20261130)


def mm(v, dpi):
    return round(v / 25.4 * dpi)


def page(dpi, paper=(210, 297)):
    img = Image.new("L", (mm(paper[0], dpi), mm(paper[1], dpi)), 255)
    return img, ImageDraw.Draw(img)


def scanned(img, noise=5, blur=0.4):
    """A light scanner look: blur and noise (seeded)."""
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        px = img.load()
        w, h = img.size
        for _ in range(w * h // 200):
            x, y = rng.randrange(w), rng.randrange(h)
            px[x, y] = max(0, min(255, px[x, y] + rng.randrange(-noise * 8, noise * 8)))
    return img


def save_truth(name, kind, pages, layouts, running, notes):
    rec = {"file": name, "kind": kind, "pages": ["\n".join(p) for p in pages], "layout": layouts,
           "running": running, "notes": notes}
    with open(os.path.join(OUT, os.path.splitext(name)[0] + ".json"), "w", encoding="utf-8") as f:
        json.dump(rec, f, ensure_ascii=False, indent=1)


# ------------------------------------------------------------------ a small PDF writer

def write_pdf(path, pages):
    """Writes a PDF whose pages draw images. `pages`: list of (width_pt, height_pt, draws),
    each draw (dict_entries, stream_bytes, x, y, w, h) in points from the lower left. Written
    by hand because the point is the page structure (strips, tiles, masks), which image
    libraries do not let one choose."""
    objs = []  # bytes of objects 1..n

    def add(body):
        objs.append(body)
        return len(objs)

    def stream(entries, data):
        return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    catalog = add(b"")
    pages_id = add(b"")
    kids = []
    for (w, h, draws) in pages:
        names, ops = [], []
        for k, (entries, data, x, y, dw, dh) in enumerate(draws):
            oid = add(stream(b"/Type /XObject /Subtype /Image " + entries, data))
            names.append(b"/Im%d %d 0 R" % (k, oid))
            ops.append(b"q %.3f 0 0 %.3f %.3f %.3f cm 0 g /Im%d Do Q" % (dw, dh, x, y, k))
        content = add(stream(b"", b"\n".join(ops)))
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Contents %d 0 R "
                        b"/Resources << /XObject << %s >> >> >>" % (pages_id, w, h, content, b" ".join(names))))
    objs[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id
    objs[pages_id - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, catalog, xref)
    with open(path, "wb") as f:
        f.write(out)


def jpeg(img, quality=85):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    cs = b"/DeviceGray" if img.mode == "L" else b"/DeviceRGB"
    return (b"/Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode"
            % (img.width, img.height, cs), buf.getvalue())


def stencil(img):
    """A 1-bit image mask: black pixels (0) are painted with the fill colour."""
    bw = img.point(lambda v: 0 if v < 140 else 255).convert("1")
    return (b"/Width %d /Height %d /ImageMask true /BitsPerComponent 1 /Filter /FlateDecode"
            % (bw.width, bw.height), zlib.compress(bw.tobytes()))


# ------------------------------------------------------------------ page content

def letter_page(draw, dpi, y, paras, width_mm=166, x_mm=22, pt=15):
    """Draws a letter's paragraphs from `y`; returns (lines, y after)."""
    size = round(pt / 72 * dpi)
    font = face(SERIF, size)
    pitch = round(size * 1.75)
    x0, text_w = mm(x_mm, dpi), mm(width_mm, dpi)
    lines = []
    for kind, text in paras:
        if kind == "title":
            tf = face(SERIF, round(size * 1.3))
            draw.text((x0 + (text_w - tf.getlength(text)) / 2, y), text, font=tf, fill=0)
            lines.append(text)
            y += round(pitch * 1.5)
        elif kind == "right":
            draw.text((x0 + text_w - font.getlength(text) - size * 2, y), text, font=font, fill=0)
            lines.append(text)
            y += pitch
        elif kind == "blank":
            y += pitch // 2
        else:
            for line in wrap(("　　" if kind == "para" else "") + text, font, text_w):
                draw.text((x0, y), line, font=font, fill=20)
                lines.append(line.strip("　"))
                y += pitch
    return lines, y


LETTER_PAGES = [
    [("title", "关于安置房质量问题的反映"), ("line", "信访人：覃晓燕"), ("line", "联系电话：13971234568"),
     ("line", "家庭住址：湖北省咸宁市嘉鱼县鱼岳镇沙阳大道88号"), ("line", "尊敬的领导："),
     ("para", "我家于2024年分到鱼岳镇沙阳安置小区的一套安置房，入住不到一年，墙面大面积开裂，"
              "卫生间和阳台漏水，楼下住户的天花板也被泡坏。"),
     ("para", "我们多次找开发商和物业维修，对方只是简单涂抹，雨天照样漏水。小区里还有二十多户"
              "存在同样的问题，大家联名向镇政府反映过，至今没有结果。"),
     ("para", "安置房是政府为拆迁群众建设的民生工程，质量问题关系到每一户的居住安全。")],
    [("para", "恳请领导责成住建部门对安置房质量进行检测，督促开发商限期维修，并追究相关责任。"),
     ("para", "此致"), ("line", "敬礼！"), ("blank", ""), ("right", "反映人：覃晓燕"), ("right", "2026年10月20日")],
]


def strips_pdf(path):
    """Two pages at 200 dpi, each stored as three JPEG strips."""
    dpi, pages, truth = 200, [], []
    for paras in LETTER_PAGES:
        img, draw = page(dpi)
        lines, _ = letter_page(draw, dpi, mm(25, dpi), paras)
        img = scanned(img)
        w, h = img.size
        cuts = [0, h // 3 + 7, 2 * h // 3 - 5, h]
        draws = []
        for top, bottom in zip(cuts, cuts[1:]):
            entries, data = jpeg(img.crop((0, top, w, bottom)))
            draws.append((entries, data, 0, (h - bottom) * 72 / dpi, w * 72 / dpi, (bottom - top) * 72 / dpi))
        pages.append((w * 72 / dpi, h * 72 / dpi, draws))
        truth.append(lines)
    write_pdf(path, pages)
    return truth


def tiles_mask_pdf(path):
    """One page at 300 dpi: four JPEG tiles, the signature block as a black image mask."""
    dpi = 300
    img, draw = page(dpi)
    paras = LETTER_PAGES[0][:5] + LETTER_PAGES[0][6:] + LETTER_PAGES[1]
    lines, y_end = letter_page(draw, dpi, mm(25, dpi), paras)
    img = scanned(img)
    w, h = img.size
    pitch = round(round(15 / 72 * dpi) * 1.75)
    mask_top = y_end - 2 * pitch - pitch // 4  # the last two lines: name and date
    mask = img.crop((0, mask_top, w, y_end))
    tiled = img.copy()
    ImageDraw.Draw(tiled).rectangle((0, mask_top, w, y_end), fill=255)
    draws = []
    cx, cy = w // 2 + 11, h // 2 - 13
    for (l, t, r, b) in [(0, 0, cx, cy), (cx, 0, w, cy), (0, cy, cx, h), (cx, cy, w, h)]:
        entries, data = jpeg(tiled.crop((l, t, r, b)))
        draws.append((entries, data, l * 72 / dpi, (h - b) * 72 / dpi, (r - l) * 72 / dpi, (b - t) * 72 / dpi))
    entries, data = stencil(mask)
    draws.append((entries, data, 0, (h - y_end) * 72 / dpi, w * 72 / dpi, (y_end - mask_top) * 72 / dpi))
    write_pdf(path, [(w * 72 / dpi, h * 72 / dpi, draws)])
    return [lines]


NOTICE_TITLE = "关于开展农村土地确权登记工作的通告"
NOTICE_BODY = [
    "为进一步稳定和完善农村土地承包关系，保护农民的合法权益，根据有关法律法规和上级部署，"
    "县人民政府决定在全县范围内开展农村土地承包经营权确权登记工作。现将有关事项通告如下。",
    "一、登记范围。全县各乡镇已经发包的耕地、园地和其他农用地，均属于本次确权登记的范围。"
    "承包农户应当配合工作人员核实地块的位置、面积和四至。",
    "二、工作步骤。各村先行公示承包地块的调查结果，公示期为七日。农户对调查结果有异议的，"
    "可以在公示期内向村民小组或者村民委员会提出，由工作组复核后再次公示。",
    "三、权利保障。确权登记不收取农户任何费用。任何单位和个人不得借确权之机调整或者收回农户的"
    "承包地，不得强迫农户流转土地。",
    "四、监督举报。对工作中弄虚作假、侵害农户权益的行为，群众可以向县农业农村局或者县信访局反映，"
    "举报电话为0715-6321234。",
]
NOTICE_END = "本通告自发布之日起施行。请广大群众相互转告，积极配合。"


def two_column_notice(path):
    dpi, pt = 300, 12
    img, draw = page(dpi)
    size = round(pt / 72 * dpi)
    font = face(SERIF, size)
    pitch = round(size * 1.6)
    x0, full = mm(20, dpi), mm(170, dpi)
    gutter = mm(10, dpi)
    col = (full - gutter) // 2
    y = mm(25, dpi)
    tf = face(SERIF, round(size * 1.5))
    draw.text((x0 + (full - tf.getlength(NOTICE_TITLE)) / 2, y), NOTICE_TITLE, font=tf, fill=0)
    lines = [NOTICE_TITLE]
    y += round(pitch * 2.2)
    body = []
    for para in NOTICE_BODY:
        body += wrap("　　" + para, font, col)
    half = (len(body) + 1) // 2
    for c, chunk in enumerate((body[:half], body[half:])):
        yy = y
        for line in chunk:
            draw.text((x0 + c * (col + gutter), yy), line, font=font, fill=15)
            lines.append(line.strip("　"))
            yy += pitch
    y += half * pitch + pitch
    for line in wrap("　　" + NOTICE_END, font, full):
        draw.text((x0, y), line, font=font, fill=15)
        lines.append(line.strip("　"))
        y += pitch
    y += pitch
    for text in ("嘉鱼县人民政府", "2026年10月8日"):
        draw.text((x0 + full - font.getlength(text) - size * 2, y), text, font=font, fill=0)
        lines.append(text)
        y += pitch
    scanned(img).save(path, dpi=(dpi, dpi))
    return [lines]


TABLE_TITLE = "2026年10月信访事项办理情况统计表"
TABLE = [
    ["序号", "信访人", "反映事项", "承办单位", "办理状态"],
    ["1", "张建国", "拖欠农民工工资", "县人社局", "已办结"],
    ["2", "李秀英", "物业违规收费", "县住建局", "办理中"],
    ["3", "王建华", "土地承包纠纷", "鱼岳镇", "已办结"],
    ["4", "刘桂兰", "化工厂排放废气", "县生态环境局", "已转送"],
    ["5", "陈志强", "学校违规收费", "县教育局", "办理中"],
    ["6", "杨丽娟", "申请最低生活保障", "县民政局", "已办结"],
]
TABLE_NOTES = ["注：本表数据截至2026年10月31日，办结率为百分之五十。", "填表人：周文斌　审核人：吴玉梅"]


def table_page(path):
    dpi, pt = 300, 12
    img, draw = page(dpi)
    size = round(pt / 72 * dpi)
    font = face(SANS, size)
    x0, full = mm(20, dpi), mm(170, dpi)
    y = mm(28, dpi)
    tf = face(SERIF, round(size * 1.4))
    draw.text((x0 + (full - tf.getlength(TABLE_TITLE)) / 2, y), TABLE_TITLE, font=tf, fill=0)
    lines = [TABLE_TITLE]
    y += round(size * 3.2)
    widths = [0.10, 0.16, 0.32, 0.24, 0.18]
    xs = [x0]
    for wv in widths:
        xs.append(xs[-1] + round(full * wv))
    row_h = round(size * 2.4)
    line_w = max(2, dpi // 100)
    for r, row in enumerate(TABLE):
        top = y + r * row_h
        for c, cell in enumerate(row):
            cw = font.getlength(cell)
            draw.text((xs[c] + (xs[c + 1] - xs[c] - cw) / 2, top + (row_h - size) / 2 - size * 0.12), cell,
                      font=font, fill=10)
        lines.append("\n".join(row))
    bottom = y + len(TABLE) * row_h
    for r in range(len(TABLE) + 1):
        draw.line((xs[0], y + r * row_h, xs[-1], y + r * row_h), fill=0, width=line_w)
    for x in xs:
        draw.line((x, y, x, bottom), fill=0, width=line_w)
    y = bottom + round(size * 1.6)
    for note in TABLE_NOTES:
        draw.text((x0, y), note, font=font, fill=10)
        lines.append(note)
        y += round(size * 1.7)
    scanned(img).save(path, dpi=(dpi, dpi))
    return [lines]


BULLETIN_HEADER = "嘉鱼县信访局　来信摘报　2026年第11期"
BULLETIN_PAGES = [
    [("title", "本月来信情况摘报"),
     ("para", "十月份全县共收到群众来信一百二十六件，比上月增加十四件。其中反映劳动和社会保障问题的"
              "三十一件，城乡建设问题的二十七件，农村农业问题的十九件。"),
     ("para", "从来信内容看，拖欠农民工工资、安置房质量和物业收费仍是群众反映的集中问题，"
              "部分来信反映的问题已经多次交办，仍未得到解决。"),
     ("para", "对上述问题，县信访局已经分别转送有关单位办理，并对重复来信较多的事项进行了督办。")],
    [("para", "下一步，县信访局将会同有关部门，对群众反映集中的问题开展专项治理，"
              "对逾期未办结的事项逐件跟踪，做到件件有着落、事事有回音。"),
     ("para", "各乡镇和县直有关单位要高度重视，认真落实首办责任，及时向信访人反馈办理结果。"),
     ("blank", ""), ("right", "嘉鱼县信访局办公室"), ("right", "2026年11月3日")],
]


def running_header_pdf(path):
    dpi = 300
    pages, truth, running = [], [], []
    small = face(SERIF, round(10 / 72 * dpi))
    for n, paras in enumerate(BULLETIN_PAGES, 1):
        img, draw = page(dpi)
        w, h = img.size
        x0, x1 = mm(22, dpi), w - mm(22, dpi)
        top = mm(14, dpi)
        draw.text((x0 + (x1 - x0 - small.getlength(BULLETIN_HEADER)) / 2, top), BULLETIN_HEADER, font=small, fill=0)
        rule = top + round(10 / 72 * dpi * 1.6)
        draw.line((x0, rule, x1, rule), fill=0, width=3)
        lines, _ = letter_page(draw, dpi, mm(30, dpi), paras)
        folio = f"— {n} —"
        draw.text(((w - small.getlength(folio)) / 2, h - mm(16, dpi)), folio, font=small, fill=0)
        pages.append(scanned(img))
        truth.append([BULLETIN_HEADER] + lines + [folio])
        running.append([BULLETIN_HEADER, folio])
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=dpi, quality=85)
    return truth, running


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    t = strips_pdf(os.path.join(OUT, "strips-3jpeg.pdf"))
    save_truth("strips-3jpeg.pdf", "pdf", t, ["single"] * 2, [[], []],
               "scanned letter, 2 pages at 200 dpi, each page three JPEG strips")
    t = tiles_mask_pdf(os.path.join(OUT, "tiles-mask.pdf"))
    save_truth("tiles-mask.pdf", "pdf", t, ["single"], [[]],
               "scanned letter at 300 dpi: four JPEG tiles, the signature block an image mask")
    t = two_column_notice(os.path.join(OUT, "two-column-notice.png"))
    save_truth("two-column-notice.png", "png", t, ["columns:2"], [[]],
               "a notice in two justified columns under a title, closing paragraph across both")
    t = table_page(os.path.join(OUT, "table.png"))
    save_truth("table.png", "png", t, ["table"], [[]],
               "a ruled table of five columns and seven rows (cells one per line, row by row)")
    t, running = running_header_pdf(os.path.join(OUT, "running-header.pdf"))
    save_truth("running-header.pdf", "pdf", t, ["single"] * 2, running,
               "two-page bulletin: small running header over a rule, page number at the foot")
    print(f"made 5 layout samples in {OUT}")


if __name__ == "__main__":
    main()
