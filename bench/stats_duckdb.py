#!/usr/bin/env python3
"""A month's statistics at scale: `xinfang stats` against DuckDB computing the same
indicators over the same rows exported to Parquet (issue 19).

    bench/stats_duckdb.py DATA PERIOD          e.g. bench/stats_duckdb.py r1m 2026-10

Needs `duckdb` (PyPI): bench/stats.sh installs it in a throwaway venv. The cases and their
history are read from DATA/xinfang.db with Python's sqlite3 (read-only) and written once
to Parquet; then, timed (best of three, after one warm-up):
  - xinfang: `xinfang stats --period PERIOD --format json` (the whole process);
  - DuckDB: the same figures for the period, the period before and the same period a year
    before, from the Parquet files.
Every figure DuckDB computes is compared with xinfang's; a difference is printed and the
exit code is 1.
"""
import datetime as dt
import json
import os
import pathlib
import sqlite3
import subprocess
import sys
import tempfile
import time

import duckdb

data, period = pathlib.Path(sys.argv[1]), sys.argv[2]
binary = os.environ.get("BIN", "target/release/xinfang")
year, month = map(int, period.split("-"))


def month_range(y, m):
    start = dt.date(y, m, 1)
    end = dt.date(y + (m == 12), m % 12 + 1, 1)
    return start, end


periods = {
    "figures": month_range(year, month),
    "previous": month_range(year - (month == 1), (month - 2) % 12 + 1),
    "year_before": month_range(year - 1, month),
}

work = pathlib.Path(tempfile.mkdtemp(prefix="stats-duckdb-"))
src = sqlite3.connect(f"file:{data / 'xinfang.db'}?mode=ro", uri=True)
t = time.time()
con = duckdb.connect()
# The columns statistics read, and the history's days and limits, through CSV (one pass
# each; the export is not timed against anything).
import csv
with open(work / "cases.csv", "w", newline="") as f:
    w = csv.writer(f)
    for row in src.execute(
        """SELECT id, substr(registered_at, 1, 10), status, purpose, coalesce(category, ''), cosigners,
                  repeat_of IS NOT NULL, coalesce(route_kind, ''), coalesce(route_body, ''), coalesce(due_at, '')
           FROM cases"""
    ):
        w.writerow(row)
with open(work / "events.csv", "w", newline="") as f:
    w = csv.writer(f)
    for row in src.execute("SELECT case_id, substr(at, 1, 10), action, coalesce(due_at, '') FROM events"):
        w.writerow(row)
con.execute(
    f"""CREATE TABLE cases AS SELECT id, registered, status, purpose, nullif(category, '') AS category, cosigners,
            repeat = 1 AS repeat, nullif(route, '') AS route, nullif(body, '') AS body, TRY_CAST(nullif(due, '') AS DATE) AS due
        FROM read_csv('{work / 'cases.csv'}', header = false,
            columns = {{'id': 'BIGINT', 'registered': 'DATE', 'status': 'VARCHAR', 'purpose': 'VARCHAR',
                       'category': 'VARCHAR', 'cosigners': 'BIGINT', 'repeat': 'BIGINT', 'route': 'VARCHAR',
                       'body': 'VARCHAR', 'due': 'VARCHAR'}})"""
)
con.execute(
    f"""CREATE TABLE events AS SELECT case_id, happened, action, TRY_CAST(nullif(due, '') AS DATE) AS due
        FROM read_csv('{work / 'events.csv'}', header = false,
            columns = {{'case_id': 'BIGINT', 'happened': 'DATE', 'action': 'VARCHAR', 'due': 'VARCHAR'}})"""
)
cases = con.execute("SELECT count(*) FROM cases").fetchone()
events = con.execute("SELECT count(*) FROM events").fetchone()
con.execute(f"COPY cases TO '{work / 'cases.parquet'}' (FORMAT PARQUET)")
con.execute(f"COPY events TO '{work / 'events.parquet'}' (FORMAT PARQUET)")
con.close()
print(f"exported {cases[0]} cases and {events[0]} events to Parquet in {time.time() - t:.1f} s")

today = dt.date.today()


def duck_figures(con, start, end):
    """The figures xinfang's `stats::figures` computes, in SQL."""
    q = lambda sql: con.execute(sql, [start, end]).fetchall()
    base = f"""
        WITH h AS (
            SELECT case_id,
                   min(happened) FILTER (WHERE action IN ('transfer','assign','direct','refuse','not_again')) AS routed,
                   max(due) FILTER (WHERE action = 'registered') AS route_due,
                   min(happened) FILTER (WHERE action = 'close') AS closed,
                   max(due) FILTER (WHERE action IN ('transfer','assign','direct','accept','extend')) AS close_due
            FROM '{work / 'events.parquet'}' GROUP BY case_id),
        r AS (SELECT c.*, h.routed, h.route_due, h.closed, h.close_due
              FROM '{work / 'cases.parquet'}' c LEFT JOIN h ON h.case_id = c.id
              WHERE c.registered >= ? AND c.registered < ? AND c.status <> 'voided')"""
    one = lambda expr: q(f"{base} SELECT {expr} FROM r")[0]
    f = {}
    (f["received"], f["first"], f["repeats"], f["joint"], f["joint_people"], f["collective"],
     f["not_routed"], f["overdue"]) = one(
        f"""count(*), count(*) FILTER (WHERE NOT repeat), count(*) FILTER (WHERE repeat),
            count(*) FILTER (WHERE cosigners >= 2), coalesce(sum(cosigners) FILTER (WHERE cosigners >= 2), 0),
            count(*) FILTER (WHERE cosigners >= 5), count(*) FILTER (WHERE route IS NULL),
            count(*) FILTER (WHERE status IN ('registered','routed','awaiting','replied') AND due < DATE '{today}')""")
    f["by_purpose"] = dict(q(f"{base} SELECT purpose, count(*) FROM r GROUP BY 1"))
    f["by_category"] = dict(q(f"{base} SELECT coalesce(category, ''), count(*) FROM r GROUP BY 1"))
    f["by_status"] = dict(q(f"{base} SELECT status, count(*) FROM r GROUP BY 1"))
    f["by_route"] = dict(q(f"{base} SELECT route, count(*) FROM r WHERE route IS NOT NULL GROUP BY 1"))
    met, of = one("count(*) FILTER (WHERE routed IS NOT NULL AND (route_due IS NULL OR routed <= route_due)), count(routed)")
    f["routed_in_time"] = {"met": met, "of": of}
    met, of = one("count(*) FILTER (WHERE closed IS NOT NULL AND (close_due IS NULL OR closed <= close_due)), count(closed)")
    f["closed_in_time"] = {"met": met, "of": of}
    for name, col in (("days_to_route", "routed"), ("days_to_close", "closed")):
        n, mean, p90 = one(
            # (greatest() skips a NULL: the days only where the event happened.)
            f"count({col}), avg(greatest(date_diff('day', registered, {col}), 0)) FILTER (WHERE {col} IS NOT NULL),"
            # The nearest rank, as xinfang's p90: the ⌈0.9 n⌉-th smallest.
            f" list_sort(list(greatest(date_diff('day', registered, {col}), 0)) FILTER (WHERE {col} IS NOT NULL))"
            f"[CAST(ceil(0.9 * count({col})) AS BIGINT)]")
        f[name] = {"cases": n, "mean": mean, "p90": p90}
    return f


def duck_all(con):
    return {k: duck_figures(con, *v) for k, v in periods.items()}


def timed(fn, runs=3):
    fn()
    best, out = None, None
    for _ in range(runs):
        t = time.perf_counter()
        out = fn()
        took = time.perf_counter() - t
        best = took if best is None else min(best, took)
    return best, out


def xinfang():
    out = subprocess.run([binary, "stats", "--period", period, "--format", "json", "--data", str(data)],
                         check=True, capture_output=True).stdout
    return json.loads(out)


con = duckdb.connect()
duck_time, duck = timed(lambda: duck_all(con))
ours_time, ours = timed(xinfang)

# The same figures?
bad = 0
for key in periods:
    mine, theirs = ours[key], duck[key]
    for name in ("received", "first", "repeats", "joint", "joint_people", "collective", "not_routed", "overdue",
                 "routed_in_time", "closed_in_time"):
        if mine[name] != theirs[name]:
            print(f"DIFFERENT {key}.{name}: xinfang {mine[name]} duckdb {theirs[name]}")
            bad += 1
    for name in ("by_purpose", "by_category", "by_status", "by_route"):
        m = {c["code"]: c["count"] for c in mine[name] if c["count"]}
        if m != {k: v for k, v in theirs[name].items() if v}:
            print(f"DIFFERENT {key}.{name}: xinfang {m} duckdb {theirs[name]}")
            bad += 1
    for name in ("days_to_route", "days_to_close"):
        m, t = mine[name], theirs[name]
        if m["cases"] != t["cases"] or m["p90"] != t["p90"] or (m["mean"] is None) != (t["mean"] is None) or (
            m["mean"] is not None and abs(m["mean"] - t["mean"]) > 1e-9):
            print(f"DIFFERENT {key}.{name}: xinfang {m} duckdb {t}")
            bad += 1
print(f"period {period}: {ours['figures']['received']} letters; previous {ours['previous']['received']}, "
      f"a year before {ours['year_before']['received']}")
print(f"xinfang stats (whole process, best of 3): {ours_time * 1000:.0f} ms")
print(f"duckdb over Parquet (best of 3):         {duck_time * 1000:.0f} ms")
print("figures: " + ("the same" if not bad else f"{bad} different"))
sys.exit(1 if bad else 0)
