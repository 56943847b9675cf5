#!/usr/bin/env python3
"""CER and order-free recall of `xinfang extract --json` lines (stdin) against the ground
truth beside each layout sample (samples/layouts/NAME.json); whitespace ignored.

    target/release/xinfang extract --json samples/layouts | python3 bench/layouts.py
"""
import json
import os
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a):
        cur = [i + 1]
        for j, cb in enumerate(b):
            cur.append(min(prev[j + 1] + 1, cur[j] + 1, prev[j] + (ca != cb)))
        prev = cur
    return prev[-1]


def squash(s):
    return "".join(c for c in s if not c.isspace())


print("| sample | CER | recall (order-free) | layout | running |")
print("|---|---|---|---|---|")
for line in sys.stdin:
    v = json.loads(line)
    name = os.path.basename(v["file"])
    if name.endswith(".json"):  # the ground truth beside the samples
        continue
    if "error" in v:
        print(f"| {name} | error {v['error']['code']} | | | |")
        continue
    truth = json.load(open(os.path.join(HERE, "..", "samples", "layouts", os.path.splitext(name)[0] + ".json"),
                           encoding="utf-8"))
    want, got = squash("".join(truth["pages"])), squash(v["text"])
    cw, cg = Counter(want), Counter(got)
    recall = sum(min(cw[c], cg[c]) for c in cw) / len(want)
    layouts = ", ".join(str(p.get("layout", "-")) for p in v["pages"])
    running = sum(len(p.get("running", [])) for p in v["pages"])
    print(f"| {name} | {lev(want, got) / len(want):.2%} ({lev(want, got)}/{len(want)}) | {recall:.2%} | {layouts} | {running} |")
