#!/usr/bin/env python3
"""Makes the sample letters in samples/letters/ and their ground truth in samples/truth/.

Realistic citizen letters to a letters-and-visits bureau, rendered with the CJK fonts
Debian ships (Noto Serif/Sans CJK SC, AR PL UKai), then put through what scanners and
fax machines do to paper: skew, rotation, noise, blur, dark borders, low resolution,
small paper, 1-bit fax compression. Also a born-digital PDF with a text layer and a DOCX.
With set 0 it also makes the layout samples in samples/layouts/ (samples/layouts.py).

Everything is seeded: the same script gives the same files. Run `make samples`.

    generate.py [--set N --out DIR]

Set 0 (the default) is the committed samples. Sets 1, 2, ... are further test scans for the
benchmarks (bench/engines.sh): the same fifteen kinds of page with other people, numbers,
places and wording, their files named sN-..., written to DIR/letters and DIR/truth.
Ground truth per letter: the exact text lines rendered, and the fields a reader should find.
All people, numbers and places are made up; ID numbers carry valid GB 11643 checksums.
"""
import io
import json
import os
import random
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "letters")
TRUTH = os.path.join(HERE, "truth")
SERIF = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
SANS = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
KAI = "/usr/share/fonts/truetype/arphic/ukai.ttc"

SET = int(sys.argv[sys.argv.index("--set") + 1]) if "--set" in sys.argv else 0
if SET:
    HERE = os.path.abspath(sys.argv[sys.argv.index("--out") + 1])
    OUT = os.path.join(HERE, "letters")
    TRUTH = os.path.join(HERE, "truth")
PREFIX = f"s{SET}-" if SET else ""
rng = random.Random(20261122 + SET)

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK = "10X98765432"


def make_id(area, y, m, d, seq):
    body = f"{area}{y:04d}{m:02d}{d:02d}{seq:03d}"
    return body + CHECK[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def cn_date(y, m, d):
    digits = "〇一二三四五六七八九"
    def num(n):
        if n < 10:
            return digits[n]
        if n == 10:
            return "十"
        if n < 20:
            return "十" + digits[n - 10]
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return "".join(digits[int(c)] for c in str(y)) + "年" + num(m) + "月" + num(d) + "日"


def face(path, size):
    """The Simplified Chinese face of a TTC (Noto's SC face is index 2)."""
    for index in range(0, 6):
        try:
            f = ImageFont.truetype(path, size, index=index)
        except OSError:
            break
        fam = " ".join(f.getname())
        if " SC" in fam or "CN" in fam or path == KAI:
            return f
    return ImageFont.truetype(path, size)


def wrap(text, font, width):
    """Breaks a paragraph into lines that fit `width` px (CJK: any character may end a line,
    but none starts with closing punctuation)."""
    lines, cur = [], ""
    for ch in text:
        if font.getlength(cur + ch) > width and cur:
            if ch in "，。、；：？！）”":
                cur += ch
                lines.append(cur)
                cur = ""
                continue
            lines.append(cur)
            cur = ch
        else:
            cur += ch
    if cur:
        lines.append(cur)
    return lines


def render(paragraphs, dpi, paper=(210, 297), font_path=SERIF, pt=15, color=False, seal=False):
    """Renders a letter; returns (PIL image, list of text lines as rendered)."""
    w = round(paper[0] / 25.4 * dpi)
    h = round(paper[1] / 25.4 * dpi)
    img = Image.new("RGB", (w, h), (252, 251, 247) if color else (255, 255, 255))
    draw = ImageDraw.Draw(img)
    size = round(pt / 72 * dpi)
    font = face(font_path, size)
    margin_x = round(22 / 25.4 * dpi)
    y = round(25 / 25.4 * dpi)
    pitch = round(size * 1.75)
    text_w = w - 2 * margin_x
    lines_out = []
    for kind, text in paragraphs:
        if kind == "blank":
            y += pitch // 2
            continue
        if kind == "title":
            tfont = face(font_path, round(size * 1.3))
            tw = tfont.getlength(text)
            draw.text(((w - tw) / 2, y), text, font=tfont, fill=(0, 0, 0))
            lines_out.append(text)
            y += round(pitch * 1.5)
            continue
        indent = "　　" if kind == "para" else ""
        x0 = margin_x
        if kind == "right":
            tw = font.getlength(text)
            draw.text((w - margin_x - tw - size * 2, y), text, font=font, fill=(0, 0, 0))
            lines_out.append(text)
            y += pitch
            continue
        for i, line in enumerate(wrap(indent + text, font, text_w)):
            draw.text((x0, y), line, font=font, fill=(20, 20, 30))
            lines_out.append(line.strip("　"))
            y += pitch
        if y > h - round(20 / 25.4 * dpi):
            raise ValueError("letter too long for the page")
    if seal:
        r = round(18 / 25.4 * dpi)
        cx, cy = w - margin_x - r * 2, y - pitch * 2
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(200, 30, 30), width=max(2, dpi // 60))
    return img, lines_out


def degrade(img, dpi, skew=0.0, noise=0.0, blur=0.0, border=0, turn=0):
    """What a scanner does: skew (degrees, positive clockwise), Gaussian noise (sigma in grey
    levels), blur radius, a dark border of `border` mm, and a quarter turn (`turn`, degrees
    clockwise, as a page fed sideways or upside down)."""
    if skew:
        img = img.rotate(-skew, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        arr = np.asarray(img).astype(np.int16)
        nrng = np.random.default_rng(rng.randrange(1 << 30))
        arr = arr + nrng.normal(0, noise, arr.shape).astype(np.int16)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if border:
        b = round(border / 25.4 * dpi)
        w, h = img.size
        canvas = Image.new("RGB", (w + 2 * b, h + 2 * b), (25, 25, 25))
        canvas.paste(img, (b, b + rng.randrange(-b // 3, b // 3 + 1)))
        img = canvas.crop((0, 0, w + b + b // 2, h + 2 * b))
    if turn:
        img = img.rotate(-turn, expand=True)
    return img


# ------------------------------------------------------------------ letter content

# Further names for the benchmark sets, rarer characters among them.
MORE_PEOPLE = [
    ("欧阳明轩", "男"), ("覃晓燕", "女"), ("龚德胜", "男"), ("蔡婧怡", "女"), ("邓昊天", "男"),
    ("冯雪梅", "女"), ("韦国栋", "男"), ("阎淑珍", "女"), ("蒋鹏飞", "男"), ("莫桂芳", "女"),
    ("谭振华", "男"), ("钟秀琴", "女"), ("曾繁荣", "男"), ("廖芸", "女"), ("熊卫东", "男"),
    ("聂晓琳", "女"), ("鲍志刚", "男"), ("邝丽萍", "女"), ("骆家辉", "男"), ("晏菁", "女"),
    ("司马俊杰", "男"), ("詹秋菊", "女"), ("甘振宇", "男"), ("柴玉兰", "女"), ("翟建军", "男"),
    ("禹晓丹", "女"), ("喻德华", "男"), ("裴雯", "女"), ("祁海龙", "男"), ("滕彩霞", "女"),
]

PEOPLE = [
    ("张建国", "男"), ("李秀英", "女"), ("王建华", "男"), ("刘桂兰", "女"), ("陈志强", "男"),
    ("杨丽娟", "女"), ("赵德明", "男"), ("黄春燕", "女"), ("周文斌", "男"), ("吴玉梅", "女"),
    ("徐国庆", "男"), ("孙红霞", "女"), ("胡海涛", "男"), ("朱小平", "男"), ("郭淑芬", "女"),
]
PLACES = [
    ("421202", "湖北省咸宁市咸安区温泉街道金桂路{n}号{b}栋{u}单元{r}室"),
    ("421221", "湖北省咸宁市嘉鱼县鱼岳镇沙阳大道{n}号"),
    ("411503", "河南省信阳市平桥区五里墩街道新华村{g}组"),
    ("130602", "河北省保定市竞秀区朝阳南大街{n}号{b}栋{u}单元{r}室"),
    ("440305", "广东省深圳市南山区粤海街道科苑路{n}号"),
    ("510107", "四川省成都市武侯区浆洗街街道锦里中路{n}号{b}栋{r}室"),
    ("320115", "江苏省南京市江宁区秣陵街道胜太路{n}号"),
    ("370212", "山东省青岛市崂山区中韩街道海尔路{n}号{b}号楼{r}室"),
]
ISSUES = [
    ("劳动和社会保障", "关于拖欠农民工工资问题的反映",
     ["我于{y0}年3月起在{co}承建的工地做木工，工期结束后公司以各种理由拖欠工资共计{amt}元，至今未付。",
      "我多次到公司讨要，负责人一直推脱，家中老人看病急需用钱，生活十分困难。",
      "恳请领导督促劳动监察部门依法处理，帮助我们讨回血汗钱。"]),
    ("城乡建设", "关于小区物业乱收费问题的反映",
     ["我家住的小区物业公司自{y0}年起擅自提高物业费，电梯经常停运，小区停车位也被违规出租。",
      "业主多次与物业协商无果，向街道反映后也没有结果。",
      "请求住建部门查处物业公司的违规行为，维护业主的合法权益。"]),
    ("农村农业", "关于土地承包经营权纠纷的申诉",
     ["我家承包地共{mu}亩，{y0}年村委会在未经本人同意的情况下将其中一块地转包给他人。",
      "我多次找村干部协商，要求退还承包地，至今没有解决。",
      "恳请领导依法维护我家的土地承包经营权，责令村委会纠正。"]),
    ("生态环境", "关于化工厂排放废气污染环境的投诉",
     ["我们村旁边的化工厂从{y0}年开始夜间偷排废气，气味刺鼻，村民头晕恶心，河道里的鱼也死了不少。",
      "我们向镇里反映过几次，工厂白天停产应付检查，晚上照常排放。",
      "强烈要求环保部门查处该厂的违法排污行为，还我们一个干净的环境。"]),
    ("教育", "关于学校违规收费问题的反映",
     ["我的孩子在本地一所初中读书，学校以补课为名每学期向每名学生收取费用{amt}元。",
      "家长们敢怒不敢言，担心孩子受到不公平对待。",
      "希望教育部门调查处理，制止违规收费和有偿补课行为。"]),
    ("民政", "关于申请最低生活保障的请求",
     ["我今年六十八岁，丈夫去年病故，本人患有慢性病，没有固定收入，生活十分困难。",
      "{y0}年我向社区提出低保申请，至今没有答复。",
      "恳请领导关心，按照政策为我办理最低生活保障。"]),
    ("政法", "关于派出所不作为问题的反映",
     ["{y0}年5月我家的三轮车被盗，我当天就到派出所报警，民警登记后一直没有下文。",
      "我多次到派出所询问，对方态度冷淡，说案子太多顾不过来。",
      "请求公安机关尽快侦破此案，追回被盗财物。"]),
]
COMPANIES = ["宏达建筑工程有限公司", "鑫源房地产开发公司", "华盛建设集团", "长江路桥工程公司"]


def person(i):
    if SET:
        pool = PEOPLE + MORE_PEOPLE
        name, sex = pool[(i + 15 * SET) % len(pool)]
        area, addr_tpl = PLACES[(i + 3 * SET) % len(PLACES)]
    else:
        name, sex = PEOPLE[i % len(PEOPLE)]
        area, addr_tpl = PLACES[i % len(PLACES)]
    y = rng.randrange(1950, 1995)
    m, d = rng.randrange(1, 13), rng.randrange(1, 29)
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "男" else 0)
    pid = make_id(area, y, m, d, seq)
    addr = addr_tpl.format(n=rng.randrange(1, 300), b=rng.randrange(1, 20), u=rng.randrange(1, 5),
                           r=rng.randrange(101, 1802), g=rng.choice("一二三四五六七八"))
    phone = "1" + rng.choice("3578") + "".join(str(rng.randrange(10)) for _ in range(9))
    return {"name": name, "id_number": pid, "address": addr, "phone": phone}


def issue(i):
    cat, title, paras = ISSUES[(i + 2 * SET) % len(ISSUES)]
    vals = {"y0": rng.randrange(2022, 2026), "amt": rng.randrange(3, 90) * 1000,
            "co": rng.choice(COMPANIES), "mu": rng.randrange(2, 9)}
    return cat, title, [p.format(**vals) for p in paras]


def letter_header(i, date, urgent=False):
    """Style A: a header block with labels, title, body, signature with label."""
    p, (cat, title, body) = person(i), issue(i)
    paras = [("title", ("【紧急】" if urgent else "") + title), ("blank", "")]
    paras += [("line", f"信访人：{p['name']}"), ("line", f"身份证号：{p['id_number']}"),
              ("line", f"联系电话：{p['phone']}"), ("line", f"家庭住址：{p['address']}"), ("blank", ""),
              ("line", "尊敬的领导：")]
    paras += [("para", b) for b in body]
    paras += [("para", "此致"), ("line", "敬礼！"), ("blank", ""),
              ("right", f"反映人：{p['name']}"), ("right", date[1])]
    fields = dict(p, date=date[0], summary=title, category=cat, urgent=urgent, cosigners=0)
    return paras, fields


def letter_inline(i, date):
    """Style B: details inside the first sentence, no labels; date in the closing line."""
    p, (cat, title, body) = person(i), issue(i)
    intro = (f"我叫{p['name']}，身份证号码{p['id_number']}，家住{p['address']}，"
             f"手机{p['phone']}。现将有关情况反映如下：")
    paras = [("line", "尊敬的信访局领导："), ("para", intro)] + [("para", b) for b in body]
    paras += [("para", "以上情况属实，盼望早日得到答复。"), ("blank", ""), ("right", p["name"]), ("right", date[1])]
    fields = dict(p, date=date[0], summary=None, category=cat, urgent=False, cosigners=0)
    return paras, fields


def letter_signature(i, date):
    """Style C: everything personal in the signature block at the end."""
    p, (cat, title, body) = person(i), issue(i)
    paras = [("title", title), ("line", "县信访局："), ] + [("para", b) for b in body]
    paras += [("para", "此致"), ("line", "敬礼"), ("blank", ""),
              ("right", f"反映人：{p['name']}"), ("right", f"电话：{p['phone']}"),
              ("right", f"住址：{p['address']}"), ("right", date[1])]
    fields = dict(p, id_number=None, date=date[0], summary=title, category=cat, urgent=False, cosigners=0)
    return paras, fields


def letter_joint(i, date, count):
    """A joint letter (联名信) from villagers, urgent."""
    p, (cat, title, body) = person(i), issue(i)
    names = [PEOPLE[(i + k) % len(PEOPLE)][0] for k in range(1, 5)]
    paras = [("title", "紧急求助信"), ("line", "尊敬的市信访局领导："),
             ("para", f"我们是{p['address']}附近的村民，共{count}名村民联名反映以下问题。")]
    paras += [("para", b) for b in body]
    paras += [("para", "事情十万火急，恳请领导尽快派人调查。"),
              ("line", f"联系人：{p['name']}，电话：{p['phone']}"),
              ("line", "联名人：" + "、".join(names) + "等"), ("right", date[1])]
    fields = dict(p, id_number=None, date=date[0], summary=None, category=cat, urgent=True, cosigners=count)
    return paras, fields


def dates():
    y, m, d = 2026, rng.randrange(1, 12), rng.randrange(1, 29)
    iso = f"{y}-{m:02d}-{d:02d}"
    return iso, {"arabic": f"{y}年{m}月{d}日", "dots": f"{y}.{m}.{d}", "cn": cn_date(y, m, d),
                 "dash": iso}


def pick(style, dates_):
    iso, forms = dates_
    return iso, forms[style]


# Letters that describe a danger to life and health are urgent whatever words they use
# (the chemical plant's fumes at night: 气味刺鼻，村民头晕): they must reach a leader the
# same day (data/risk.toml, kind `safety`).
DANGERS = ["偷排废气"]


def save_truth(name, kind, pages_lines, fields, notes):
    kind = {"jpg": "jpeg", "tif": "tiff"}.get(kind, kind)
    if any(d in "\n".join(l) for d in DANGERS for l in pages_lines):
        fields = dict(fields, urgent=True)
    name = PREFIX + name
    rec = {"file": name, "kind": kind, "pages": ["\n".join(l) for l in pages_lines],
           "fields": fields, "notes": notes}
    with open(os.path.join(TRUTH, os.path.splitext(name)[0] + ".json"), "w", encoding="utf-8") as f:
        json.dump(rec, f, ensure_ascii=False, indent=1)


def exif_orientation_jpeg(img, path, dpi, orientation=6, quality=85):
    """Stores the pixels turned so that a viewer must apply EXIF orientation 6 (90° cw)."""
    stored = img.rotate(90, expand=True)  # counter-clockwise: the camera's raw readout
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(path, "JPEG", quality=quality, dpi=(dpi, dpi), exif=exif.tobytes())


def main():
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(TRUTH, exist_ok=True)
    for d in (OUT, TRUTH):
        for f in os.listdir(d):
            if f.startswith(PREFIX):
                os.remove(os.path.join(d, f))

    made = []

    def raster(name, paras, fields, dpi, notes, save, **kw):
        render_kw = {k: kw.pop(k) for k in ("paper", "font_path", "pt", "color", "seal") if k in kw}
        img, lines = render(paras, dpi, **render_kw)
        img = degrade(img, dpi, **kw)
        save(img, os.path.join(OUT, PREFIX + name))
        save_truth(name, os.path.splitext(name)[1][1:], [lines], fields, notes)
        made.append(name)

    # 01: clean 300 dpi PNG, header block.
    paras, f = letter_header(0, pick("arabic", dates()))
    raster("01-header-300dpi.png", paras, f, 300, "clean 300 dpi grayscale PNG, header block",
           lambda im, p: im.convert("L").save(p, dpi=(300, 300)))
    # 02: JPEG phone photo with EXIF orientation 6, inline details, Chinese-numeral date.
    paras, f = letter_inline(1, pick("cn", dates()))
    raster("02-inline-exif-rotated.jpg", paras, f, 300, "JPEG with EXIF orientation 6, inline details",
           lambda im, p: exif_orientation_jpeg(im, p, 300), color=True, noise=4)
    # 03: multi-page 1-bit G4 fax TIFF at 200 dpi, signature block on page 2.
    p, (cat, title, body) = person(2), issue(2)
    iso, dform = pick("dots", dates())
    page1 = [("title", title), ("line", "县信访局：")] + [("para", b) for b in body]
    page2 = [("para", "我们的诉求合理合法，望领导重视，尽快给予答复。"), ("para", "此致"), ("line", "敬礼"),
             ("blank", ""), ("right", f"反映人：{p['name']}"), ("right", f"电话：{p['phone']}"),
             ("right", f"身份证号：{p['id_number']}"), ("right", dform)]
    ims, lines_all = [], []
    for paras in (page1, page2):
        img, lines = render(paras, 200)
        img = degrade(img, 200, skew=0.6)
        ims.append(img.convert("L").point(lambda v: 255 if v > 150 else 0).convert("1"))
        lines_all.append(lines)
    ims[0].save(os.path.join(OUT, PREFIX + "03-fax-g4-2pages.tif"), save_all=True, append_images=ims[1:],
                compression="group4", dpi=(200, 200))
    save_truth("03-fax-g4-2pages.tif", "tiff", lines_all,
               dict(p, address=None, date=iso, summary=title, category=cat, urgent=False, cosigners=0),
               "two-page 1-bit CCITT G4 TIFF at 200 dpi, details in the signature block on page 2")
    made.append("03-fax-g4-2pages.tif")
    # 04: skewed, noisy, blurred scan with a dark border, 300 dpi PNG.
    paras, f = letter_signature(3, pick("arabic", dates()))
    raster("04-skewed-noisy-border.png", paras, f, 300,
           "skewed 2.5 degrees, noise, blur, dark scanner border",
           lambda im, p: im.convert("L").save(p, dpi=(300, 300)), skew=2.5, noise=12, blur=0.7, border=6)
    # 05: upside-down 300 dpi JPEG.
    paras, f = letter_header(4, pick("dots", dates()))
    raster("05-upside-down.jpg", paras, f, 300, "fed upside down (180 degrees)",
           lambda im, p: im.convert("L").save(p, quality=88, dpi=(300, 300)), turn=180, noise=5)
    # 06: page fed sideways (90 degrees), PNG, 250 dpi, no resolution stored.
    paras, f = letter_inline(5, pick("arabic", dates()))
    raster("06-sideways-no-dpi.png", paras, f, 250, "fed sideways (90 degrees); no dpi in the file",
           lambda im, p: im.convert("L").save(p), turn=90)
    # 07: A5 letter, small paper, 300 dpi, Kai font (handwriting-like).
    p, (cat, title, body) = person(6), issue(6)
    iso, dform = pick("arabic", dates())
    paras = [("line", "领导："), ("para", f"我叫{p['name']}，电话{p['phone']}。" + body[0])]
    paras += [("para", body[2]), ("right", p["name"]), ("right", dform)]
    raster("07-a5-kai.png", paras, dict(p, id_number=None, address=None, date=iso, summary=None,
           category=cat, urgent=False, cosigners=0), 300, "A5 paper, Kai (handwriting-like) font",
           lambda im, p_: im.convert("L").save(p_, dpi=(300, 300)), paper=(148, 210), font_path=KAI, pt=14)
    # 08: joint letter, 200 dpi colour JPEG with a red seal.
    paras, f = letter_joint(7, pick("cn", dates()), 23)
    raster("08-joint-urgent-200dpi.jpg", paras, f, 200, "joint letter (23 signers), urgent, 200 dpi colour",
           lambda im, p: im.save(p, quality=85, dpi=(200, 200)), color=True, seal=True, noise=3)
    # 09: scanned PDF, two JPEG pages (Letter paper) at 300 dpi.
    p, (cat, title, body) = person(8), issue(0)
    iso, dform = pick("arabic", dates())
    page1 = [("title", title), ("line", f"信访人：{p['name']}"), ("line", f"联系电话：{p['phone']}"),
             ("line", f"家庭住址：{p['address']}"), ("line", "尊敬的领导：")] + [("para", b) for b in body[:2]]
    page2 = [("para", body[2]), ("para", "此致"), ("line", "敬礼！"), ("right", f"反映人：{p['name']}"),
             ("right", dform)]
    ims, lines_all = [], []
    for paras in (page1, page2):
        img, lines = render(paras, 300, paper=(216, 279))
        ims.append(degrade(img, 300, skew=-1.2, noise=6).convert("L"))
        lines_all.append(lines)
    ims[0].save(os.path.join(OUT, PREFIX + "09-scanned-2pages.pdf"), save_all=True, append_images=ims[1:],
                resolution=300, quality=80)
    save_truth("09-scanned-2pages.pdf", "pdf", lines_all,
               dict(p, id_number=None, date=iso, summary=title, category=cat, urgent=False, cosigners=0),
               "scanned PDF, two JPEG pages on Letter paper, skewed -1.2 degrees")
    made.append("09-scanned-2pages.pdf")
    # 10: scanned PDF with a 1-bit fax image (CCITT G4 inside the PDF).
    paras, f = letter_header(9, pick("dash", dates()))
    img, lines = render(paras, 300)
    bw = img.convert("L").point(lambda v: 255 if v > 140 else 0).convert("1")
    bw.save(os.path.join(OUT, PREFIX + "10-scanned-bilevel.pdf"), resolution=300)
    save_truth("10-scanned-bilevel.pdf", "pdf", [lines], f, "scanned PDF with a 1-bit page image")
    made.append("10-scanned-bilevel.pdf")
    # 11: born-digital PDF with a real text layer (reportlab, embedded TrueType CJK font).
    paras, f = letter_header(10, pick("arabic", dates()))
    lines = born_digital_pdf(paras, os.path.join(OUT, PREFIX + "11-born-digital.pdf"))
    save_truth("11-born-digital.pdf", "pdf", [lines], f, "born-digital PDF: text layer, no OCR")
    made.append("11-born-digital.pdf")
    # 12: DOCX typed by a petitioner.
    paras, f = letter_signature(11, pick("arabic", dates()))
    lines = make_docx(paras, os.path.join(OUT, PREFIX + "12-typed.docx"))
    save_truth("12-typed.docx", "docx", [lines], f, "DOCX typed letter")
    made.append("12-typed.docx")
    # 13: low-resolution 150 dpi scan (upscaled before OCR), header block, urgent.
    paras, f = letter_header(12, pick("arabic", dates()), urgent=True)
    raster("13-lowres-150dpi.png", paras, f, 150, "150 dpi scan (scaled to 300 before OCR), urgent",
           lambda im, p: im.convert("L").save(p, dpi=(150, 150)), pt=16)
    # 14: skewed the other way, sans font, 300 dpi TIFF (LZW, grayscale), inline details.
    paras, f = letter_inline(13, pick("dots", dates()))
    raster("14-skew-left-sans.tif", paras, f, 300, "skewed -3 degrees, sans font, grayscale LZW TIFF",
           lambda im, p: im.convert("L").save(p, compression="tiff_lzw", dpi=(300, 300)),
           skew=-3.0, noise=6, font_path=SANS)
    # 15: a page that is landscape as it reads (A4 across), 300 dpi PNG: filed sideways.
    paras, f = letter_inline(14, pick("arabic", dates()))
    raster("15-landscape-a4.png", paras, f, 300, "A4 landscape page (long lines), 300 dpi",
           lambda im, p: im.convert("L").save(p, dpi=(300, 300)), paper=(297, 210))
    print(f"made {len(made)} sample letters in {OUT}")
    if not SET:
        # The layout samples: strips, tiles and a mask, two columns, a table, running
        # headers (samples/layouts.py, ground truth beside each file).
        import layouts
        layouts.main()


def born_digital_pdf(paras, path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(TTFont("UKai", KAI, subfontIndex=0))
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setTitle("信访件")
    width, height = A4
    y = height - 72
    size = 14
    lines_out = []
    for kind, text in paras:
        if kind == "blank":
            y -= size
            continue
        fsize = 18 if kind == "title" else size
        c.setFont("UKai", fsize)
        chunks = [text[i:i + 34] for i in range(0, len(text), 34)] if kind != "title" else [text]
        for chunk in chunks:
            if kind == "title":
                c.drawCentredString(width / 2, y, chunk)
            elif kind == "right":
                c.drawRightString(width - 90, y, chunk)
            else:
                c.drawString(72 + (2 * size if kind == "para" and chunk is chunks[0] else 0), y, chunk)
            lines_out.append(chunk)
            y -= fsize * 1.8
    c.showPage()
    c.save()
    return lines_out


def make_docx(paras, path):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    d = docx.Document()
    lines_out = []
    for kind, text in paras:
        if kind == "blank":
            continue
        para = d.add_paragraph()
        run = para.add_run(text)
        run.font.name = "SimSun"
        run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
        if kind == "title":
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if kind == "right":
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        lines_out.append(text)
    d.core_properties.created = __import__("datetime").datetime(2026, 1, 1)
    d.save(path)
    return lines_out


if __name__ == "__main__":
    sys.exit(main())
