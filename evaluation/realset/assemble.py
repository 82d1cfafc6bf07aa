"""Assemble labels.jsonl and second_labels.jsonl from the raters' files, and print agreement.

Each conversation's gold label is its primary rater's; the ~16 % labelled a second time,
independently, by another rater go to second_labels.jsonl and measure agreement. Splits are fixed
by a seeded hash of the id: 60 % train, 20 % dev, 20 % test (the test split is never used to build
or tune anything). The multilingual oasst1 source lists every user query of a dialog, so one
dialog's opening recurs in several conversations: those are split by a hash of their first user
turn instead, so that no dialog is in two splits. Every ``raters/r*.jsonl`` present is read, for all three sources (the oasst1
raters' ``rzh1.jsonl``, ``rzh2.jsonl``, ``rml1.jsonl`` and ``rml2.jsonl`` too); a planned id no file
labels yet is left out.

    python evaluation/realset/assemble.py
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections import Counter
from pathlib import Path

from oasst_source import ML_PATH, iter_oasst

HERE = Path(__file__).resolve().parent
SPLIT_SEED = "econ-index-realset-v1"
FIELDS = ("is_work", "task_id", "acceptable_task_ids", "pattern", "language", "activity", "rater")


def split_of(conv_id: str) -> str:
    key = _DIALOG.get(conv_id, conv_id)
    u = int(hashlib.sha256(f"{SPLIT_SEED}:{key}".encode()).hexdigest()[:8], 16) / 2**32
    return "train" if u < 0.6 else "dev" if u < 0.8 else "test"


# oasst1ml- id -> its first user turn: conversations that open alike share a split.
_DIALOG = {r["id"]: r["conversations"][0]["value"] for r in iter_oasst(ML_PATH)}


def main() -> None:
    plan = json.loads((HERE / "raters" / "plan.json").read_text())
    primary_of = {cid: r for r, p in plan.items() for cid in p["primary"]}
    labels: dict[str, dict[str, object]] = {}
    second: dict[str, dict[str, object]] = {}
    for path in sorted((HERE / "raters").glob("r*.jsonl")):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            target = labels if primary_of[record["id"]] == record["rater"] else second
            target[record["id"]] = {"id": record["id"], **{k: record.get(k) for k in FIELDS}}
    order = [cid for p in plan.values() for cid in p["primary"] if cid in labels]
    with (HERE / "labels.jsonl").open("w") as fh:
        for cid in order:
            fh.write(json.dumps({**labels[cid], "split": split_of(cid)}, ensure_ascii=False) + "\n")
    with (HERE / "second_labels.jsonl").open("w") as fh:
        for cid in order:
            if cid in second:
                fh.write(json.dumps(second[cid], ensure_ascii=False) + "\n")
    report(labels, second)


def _statements() -> tuple[dict[str, str], dict[str, str]]:
    source = Path(os.environ.get("ONET_SOURCE", HERE.parents[2] / "shared/data/aei_2025_02_10"))
    with (source / "onet_task_statements.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return ({r["Task ID"]: r["Task"].strip().lower() for r in rows},
            {r["Task ID"]: r["O*NET-SOC Code"] for r in rows})


def report(labels: dict[str, dict[str, object]], second: dict[str, dict[str, object]]) -> None:
    statement, soc = _statements()
    pairs = [(labels[c], second[c]) for c in second if c in labels]
    n = len(pairs)
    work = [(a, b) for a, b in pairs if a["is_work"] and b["is_work"]]

    def accepted(r: dict[str, object]) -> set[str]:
        return {statement[t] for t in [r["task_id"], *r["acceptable_task_ids"]]}  # type: ignore[misc]

    def majors(r: dict[str, object]) -> set[str]:
        return {soc[t][:2] for t in [r["task_id"], *r["acceptable_task_ids"]]}  # type: ignore[misc]

    rate = lambda hits: f"{sum(hits) / len(hits):.3f}" if hits else "n/a"  # noqa: E731
    splits = Counter(split_of(c) for c in labels)
    langs = Counter(str(r["language"]) for r in labels.values())
    print(f"labelled: {len(labels)} ({dict(splits)}); work {sum(bool(r['is_work']) for r in labels.values())}; "
          f"not English {sum(v for k, v in langs.items() if k != 'en')}")
    print(f"double-labelled: {n} ({n / max(1, len(labels)):.1%}); both work: {len(work)}")
    print("screen agreement", rate([a["is_work"] == b["is_work"] for a, b in pairs]))
    print("task: same gold statement", rate([statement[a["task_id"]] == statement[b["task_id"]] for a, b in work]))
    print("task: each rater's pick acceptable to the other (mean of both directions)",
          rate([statement[a["task_id"]] in accepted(b) for a, b in work]
               + [statement[b["task_id"]] in accepted(a) for a, b in work]))
    print("SOC major: same gold major", rate([soc[a["task_id"]][:2] == soc[b["task_id"]][:2] for a, b in work]))
    print("SOC major: pick's major acceptable to the other",
          rate([soc[a["task_id"]][:2] in majors(b) for a, b in work]
               + [soc[b["task_id"]][:2] in majors(a) for a, b in work]))
    print("pattern agreement", rate([a["pattern"] == b["pattern"] for a, b in pairs]))
    print("pattern agreement (both work)", rate([a["pattern"] == b["pattern"] for a, b in work]))


if __name__ == "__main__":
    main()
