#!/usr/bin/env python3
"""Character error rate and field exact-match of extraction results against the ground truth.

usage: cer.py TRUTH_DIR RESULTS.jsonl [--text-dir DIR]
  RESULTS.jsonl: `xinfang extract --json` output. With --text-dir, plain-text files named
  after each sample (as `tesseract IMAGE OUT` writes them) are scored instead of the JSON
  text, and fields are not scored.
CER = Levenshtein distance / length of the truth, whitespace removed from both.
"""
import json
import os
import sys


def lev(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def squash(s):
    return "".join(s.split())


def main():
    truth_dir, results = sys.argv[1], sys.argv[2]
    text_dir = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--text-dir" else None
    truths = {}
    for f in sorted(os.listdir(truth_dir)):
        t = json.load(open(os.path.join(truth_dir, f), encoding="utf-8"))
        truths[t["file"]] = t
    got = {}
    for line in open(results, encoding="utf-8"):
        d = json.loads(line)
        got[os.path.basename(d["file"])] = d
    total_err = total_len = 0
    fields = ["name", "id_number", "phone", "address", "date", "category", "urgent", "cosigners"]
    hits = {f: [0, 0] for f in fields}
    print(f"{'file':32} {'CER':>7}")
    for name, t in truths.items():
        truth = squash("".join(t["pages"]))
        if name not in got:
            continue  # only the files that were run are scored
        if text_dir:
            path = os.path.join(text_dir, os.path.splitext(name)[0] + ".txt")
            text = open(path, encoding="utf-8").read() if os.path.exists(path) else ""
        else:
            d = got.get(name, {})
            text = d.get("text", "")
            for f in fields:
                want = t["fields"].get(f)
                if f in ("name", "id_number", "phone") and want is None:
                    continue
                hits[f][1] += 1
                hits[f][0] += d.get("fields", {}).get(f) == want
        e = lev(truth, squash(text))
        total_err += e
        total_len += len(truth)
        print(f"{name:32} {e / max(1, len(truth)):7.2%}")
    print(f"{'ALL':32} {total_err / total_len:7.2%}  ({total_err} errors in {total_len} characters)")
    if not text_dir:
        for f, (h, n) in hits.items():
            print(f"field {f:10} {h}/{n} exact")


if __name__ == "__main__":
    main()
