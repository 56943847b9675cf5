#!/usr/bin/env python3
"""Writes data/divisions.csv, the administrative divisions statistics count regions by
(GB/T 2260 codes: province, prefecture, county level), from the maintained PyPI package
`cpca` (MIT, https://github.com/DQinYuan/chinese_province_city_area_mapper), whose
`cpca/resources/adcodes.csv` holds the 12-digit codes of the Ministry of Civil Affairs'
list. The wheel is fetched with `pip download` (the package registry); nothing is
installed. Run it again to take a newer release: `scripts/divisions.py [VERSION]`."""
import csv, io, subprocess, sys, tempfile, zipfile, pathlib

version = sys.argv[1] if len(sys.argv) > 1 else "0.5.5"
out = pathlib.Path(__file__).resolve().parent.parent / "data" / "divisions.csv"
with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp, f"cpca=={version}"], check=True)
    wheel = next(pathlib.Path(tmp).glob("cpca-*.whl"))
    text = zipfile.ZipFile(wheel).read("cpca/resources/adcodes.csv").decode("utf-8")
rows = {}
for r in csv.DictReader(io.StringIO(text)):
    code = r["adcode"][:6]
    if len(code) != 6 or not code.isdigit() or code.endswith("0000") and code[:2] == "00":
        continue
    if code.endswith("0000"):
        level = "province"
    elif code.endswith("00"):
        level = "prefecture"
    else:
        level = "county"
    name = r["name"].strip()
    # Placeholders of the list, not places: 市辖区, 县, 省直辖县级行政区划 …
    if name in ("市辖区", "县", "郊区", "矿区") and level != "county" or "直辖" in name or name == "市辖区":
        continue
    rows[code] = (code, name, level)
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write(f"# GB/T 2260 divisions from the PyPI package cpca {version} (MIT), cpca/resources/adcodes.csv; made by scripts/divisions.py\n")
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["code", "name", "level"])
    for code in sorted(rows):
        w.writerow(rows[code])
print(f"{out}: {len(rows)} divisions")
