#!/usr/bin/env python3
"""Write the raters' batch files: what each rater read of each conversation.

Up to six turns per conversation, user turns cut at 1,500 characters and assistant turns at 500,
stopping once 5,000 characters are shown; 20 conversations per file, in the order of the
rater's work list (the first 40 of its own, then the ones it labels a second time, then the rest).
The non-English supplement's two raters (I, J) read 21 per file, their second labels first.
Conversations come from all three sources (the ShareGPT wheel, ``oasst1_zh.jsonl`` and
``oasst1_multi.jsonl``).

    python3 batches.py --plan ../raters/plan.json --out batches/ [--raters ml1 ml2]
"""
import argparse
import itertools
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from oasst_source import iter_oasst  # noqa: E402
from sharegpt_source import iter_sharegpt  # noqa: E402

SPEAKERS = {"human": "USER", "user": "USER", "gpt": "ASSISTANT", "chatgpt": "ASSISTANT",
            "bing": "ASSISTANT", "bard": "ASSISTANT"}


def view(record: dict) -> str:
    out, total = [f"### {record['id']}"], 0
    for turn in record["conversations"][:6]:
        role = SPEAKERS.get(turn["from"], turn["from"].upper())
        cap = 1500 if role == "USER" else 500
        text = turn["value"].strip()
        text = text if len(text) <= cap else text[:cap] + " [...cut]"
        total += len(text)
        out.append(f"[{role}]\n{text}")
        if total > 5000:
            break
    return "\n\n".join(out) + "\n\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--raters", nargs="+", help="only these raters' files (default: all)")
    args = parser.parse_args()
    plan = json.loads(args.plan.read_text())
    plan = {r: p for r, p in plan.items() if not args.raters or r in args.raters}
    wanted = {cid for p in plan.values() for cid in p["primary"] + p["double"]}
    sources = itertools.chain(iter_sharegpt(), iter_oasst())
    records = {r["id"]: r for r in sources if r["id"] in wanted}
    args.out.mkdir(parents=True, exist_ok=True)
    for rater, p in plan.items():
        work = p["primary"][:40] + p["double"] + p["primary"][40:]
        for n, start in enumerate(range(0, len(work), 20), 1):
            chunk = work[start:start + 20]
            text = f"# Rater {rater}, batch {n}: {len(chunk)} conversations\n\n"
            (args.out / f"r{rater}_{n:02d}.md").write_text(text + "".join(view(records[c]) for c in chunk))


if __name__ == "__main__":
    main()
