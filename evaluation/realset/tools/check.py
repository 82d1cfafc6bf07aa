#!/usr/bin/env python3
"""Check a rater's output file against the ids of its batches and the taxonomy.

    BATCHES=DIR python3 check.py OUT/rA.jsonl
"""
import csv, json, sys, glob, os, re
ROOT = os.environ.get("ONET_SOURCE", "../shared/data/aei_2025_02_10").rstrip("/") + "/"
ids = {r["Task ID"] for r in csv.DictReader(open(ROOT + "onet_task_statements.csv"))}
P = {"directive", "feedback_loop", "task_iteration", "validation", "learning", "none"}
path = sys.argv[1]; rater = os.path.basename(path)[1:].removesuffix(".jsonl")
# a conversation's header: "### " and a ShareGPT or oasst1 id (not a heading inside a text)
HEAD = re.compile(r"### ([A-Za-z0-9]+_\d+|oasst1(?:zh|ml)-[0-9a-f]{10})")
want = set()
for b in glob.glob(os.path.join(os.environ.get("BATCHES", "batches"), f"r{rater}_*.md")):
    want |= {m[1] for l in open(b, encoding="utf-8") if (m := HEAD.fullmatch(l.rstrip("\n")))}
seen = set(); bad = 0
for n, line in enumerate(open(path, encoding="utf-8"), 1):
    try:
        r = json.loads(line)
        assert r["id"] in want, "id not in your batches"
        assert r["id"] not in seen, "duplicate id"
        assert isinstance(r["is_work"], bool)
        assert r["pattern"] in P, "bad pattern"
        if r["is_work"]:
            assert r["task_id"] in ids, f"unknown task_id {r['task_id']}"
            for a in r["acceptable_task_ids"]: assert a in ids, f"unknown alternative {a}"
        else:
            assert r["task_id"] is None
        assert r.get("language")
        seen.add(r["id"])
    except Exception as e:
        bad += 1; print(f"line {n}: {e}")
print(f"{len(seen)} valid of {len(want)} assigned; {bad} bad lines; missing: {len(want - seen)}")
