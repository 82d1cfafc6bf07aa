#!/usr/bin/env python3
"""Write the raters' list of the 400 statements with the most published AEI usage.

    ONET_SOURCE=../shared/data/aei_2025_02_10 python3 common_tasks.py > common_tasks.txt
"""
import csv
import os

ROOT = os.environ.get("ONET_SOURCE", "../shared/data/aei_2025_02_10").rstrip("/") + "/"
usage = {r["task_name"].strip().lower(): float(r["pct"])
         for r in csv.DictReader(open(ROOT + "onet_task_mappings.csv")) if r["task_name"] != "none"}
holders = {}
for r in csv.DictReader(open(ROOT + "onet_task_statements.csv")):
    holders.setdefault(r["Task"].strip().lower(), []).append(r)
print("The 400 O*NET task statements with the most published AEI usage (Anthropic Economic Index, Feb 2025).")
print("Format: usage % | statement | task_id (O*NET-SOC code, occupation) [; more holders of the same statement]\n")
for key, pct in sorted(usage.items(), key=lambda kv: -kv[1])[:400]:
    rows = holders.get(key, [])
    listed = "; ".join(f"{r['Task ID']} ({r['O*NET-SOC Code']}, {r['Title']})" for r in rows[:4])
    print(f"{pct:.3f} | {rows[0]['Task'] if rows else key} | {listed}")
