"""Read the real set's second source: OpenAssistant oasst1's Chinese conversations (Apache-2.0).

``oasst1_zh.jsonl`` (committed; provenance and licence in ``NOTICE-oasst1.md``) holds one
conversation per distinct root prompt, in the ShareGPT record shape the other scripts read:
``{"id": "oasst1zh-<sha1 of the root prompt, 10 hex>", "conversations": [{"from": "human" |
"gpt", "value": ...}, ...]}``, sorted by id. It was built once from the oasst1 Chinese files that
LLaMA-Factory vendors (rows of instruction, output, history; in the rm file the output is a ranked
list and the first, chosen, reply is taken): for each root prompt the row with the most turns (ties:
first seen, sft file before rm file), its history then its last exchange. Roots whose user turns
hold no CJK character and py3langid reads as English are dropped (4 of 420).

    python evaluation/realset/oasst_source.py --from-git /work/.mirror/hiyouga+LLaMA-Factory/repo
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PATH = HERE / "oasst1_zh.jsonl"
PREFIX = "oasst1zh-"
COMMIT = "4898a0a865b7bab1a42cb7d307b8ea7d995b15e1"  # hiyouga/LLaMA-Factory
FILES = ("data/oaast_sft_zh.json", "data/oaast_rm_zh.json")
CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def iter_oasst() -> Iterator[dict[str, Any]]:
    """Every record of the committed file, in id order."""
    with PATH.open(encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def build(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """One record per root prompt (the longest row's conversation), and the dropped roots."""
    import py3langid  # only the one-off build needs it

    best: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        reply = row["output"][0] if isinstance(row["output"], list) else row["output"]
        turns = [(u, a) for u, a in row["history"]] + [(row["instruction"], reply)]
        if len(turns) > len(best.get(turns[0][0], [])):
            best[turns[0][0]] = turns
    records, dropped = [], []
    for root, turns in best.items():
        users = "\n".join(u for u, _ in turns)
        if not CJK.search(users) and py3langid.classify(users)[0] == "en":
            dropped.append(root)
            continue
        conv = [{"from": s, "value": v}
                for pair in turns for s, v in zip(("human", "gpt"), pair, strict=True)]
        records.append({"id": PREFIX + hashlib.sha1(root.encode()).hexdigest()[:10],
                        "conversations": conv})
    return sorted(records, key=lambda r: r["id"]), dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from-git", type=Path, required=True, metavar="GITDIR",
                        help="a git directory of hiyouga/LLaMA-Factory holding COMMIT")
    parser.add_argument("--out", type=Path, default=PATH)
    args = parser.parse_args()
    # this directory's select.py shadows the standard module that subprocess imports
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    import subprocess

    rows = []
    for name in FILES:
        blob = subprocess.run(["git", "--git-dir", str(args.from_git), "show", f"{COMMIT}:{name}"],
                              check=True, capture_output=True).stdout
        rows += json.loads(blob)
    records, dropped = build(rows)
    assert len({r["id"] for r in records}) == len(records), "id collision"
    with args.out.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(rows)} rows -> {len(records)} conversations -> {args.out}; "
          f"dropped {len(dropped)} English-only roots: {dropped}")


if __name__ == "__main__":
    main()
