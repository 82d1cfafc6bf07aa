#!/usr/bin/env python3
"""Search the O*NET task taxonomy (19,530 tasks) for raters.

  python3 tasks.py WORD [WORD ...]        tasks whose statement or occupation title holds ALL words (case-insensitive substrings)
  python3 tasks.py --occ WORD [WORD ...]  occupations whose title holds all words, with their task count
  python3 tasks.py --code 15-1252.00      every task of one occupation
  python3 tasks.py --id 16363             one task by Task ID
Output columns: task_id | O*NET-SOC code | occupation | AEI usage % of the statement (0 = unused) | statement
Results sorted by AEI usage (most used first); at most 40 shown (use more words to narrow).
"""
import csv, sys
import os
ROOT = os.environ.get("ONET_SOURCE", "../shared/data/aei_2025_02_10").rstrip("/") + "/"
usage = {r["task_name"].strip().lower(): float(r["pct"]) for r in csv.DictReader(open(ROOT + "onet_task_mappings.csv"))}
rows = list(csv.DictReader(open(ROOT + "onet_task_statements.csv")))
def fmt(r):
    u = usage.get(r["Task"].strip().lower(), 0.0)
    return f'{r["Task ID"]} | {r["O*NET-SOC Code"]} | {r["Title"]} | {u:.3f} | {r["Task"]}'
a = sys.argv[1:]
if not a: print(__doc__); sys.exit()
if a[0] == "--id":
    for r in rows:
        if r["Task ID"] in a[1:]: print(fmt(r))
elif a[0] == "--code":
    for r in rows:
        if r["O*NET-SOC Code"] == a[1]: print(fmt(r))
elif a[0] == "--occ":
    words = [w.lower() for w in a[1:]]; seen = {}
    for r in rows:
        if all(w in r["Title"].lower() for w in words): seen[(r["O*NET-SOC Code"], r["Title"])] = seen.get((r["O*NET-SOC Code"], r["Title"]), 0) + 1
    for (c, t), n in sorted(seen.items()): print(f"{c} | {t} | {n} tasks")
else:
    words = [w.lower() for w in a]
    hits = [r for r in rows if all(w in (r["Task"] + " " + r["Title"]).lower() for w in words)]
    hits.sort(key=lambda r: -usage.get(r["Task"].strip().lower(), 0.0))
    for r in hits[:40]: print(fmt(r))
    if len(hits) > 40: print(f"... {len(hits) - 40} more")
