"""Read the real set's oasst1 sources: oasst1 conversations not in English (Apache-2.0).

``oasst1_zh.jsonl`` (committed; provenance and licence in ``NOTICE-oasst1.md``) holds one
conversation per distinct root prompt, in the ShareGPT record shape the other scripts read:
``{"id": "oasst1zh-<sha1 of the root prompt, 10 hex>", "conversations": [{"from": "human" |
"gpt", "value": ...}, ...]}``, sorted by id. It was built once from the oasst1 Chinese files that
LLaMA-Factory vendors (rows of instruction, output, history; in the rm file the output is a ranked
list and the first, chosen, reply is taken): for each root prompt the row with the most turns (ties:
first seen, sft file before rm file), its history then its last exchange. Roots whose user turns
hold no CJK character and py3langid reads as English are dropped (4 of 420).

    python evaluation/realset/oasst_source.py --from-git /work/.mirror/hiyouga+LLaMA-Factory/repo

``oasst1_multi.jsonl`` (the third source, same shape plus oasst1's ``lang`` tag; provenance and
licences in ``NOTICE-oasst1.md`` too) holds the oasst1
validation split's user queries in neither English nor Chinese, as QLoRA's evaluation prompts
(artidoro/qlora, MIT) list them: one conversation per row, the row's earlier turns (its ``input``,
``### Human: … ### Assistant: …``), its final user prompt and oasst1's reply (its ``output``). Ids
are ``oasst1ml-<sha1 of the user turns joined by newlines, 10 hex>``; a row whose user turns repeat
an earlier row's is dropped (1 of 504: a second "Hola").

    python evaluation/realset/oasst_source.py --from-qlora /work/.mirror/artidoro+qlora/repo
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
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
ML_PATH = HERE / "oasst1_multi.jsonl"
ML_PREFIX = "oasst1ml-"
PREFIXES = (PREFIX, ML_PREFIX)
QLORA_COMMIT = "05daee4ead5387636f6caf06a7941db789e75900"  # artidoro/qlora
QLORA_FILE = "eval/prompts/oa_questions.jsonl"
TURN = re.compile(r"(?:^| )### (Human|Assistant):(?: |$)")
CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def iter_oasst(*paths: Path) -> Iterator[dict[str, Any]]:
    """Every record of the committed files (default: both, Chinese first), each in id order."""
    for path in paths or (PATH, ML_PATH):
        with path.open(encoding="utf-8") as fh:
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


def build_qlora(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """One record per row in neither English nor Chinese, and the ids of dropped repeats."""
    records: dict[str, dict[str, Any]] = {}
    dropped = []
    for row in rows:
        if row["lang"] in ("en", "zh"):
            continue
        parts = TURN.split(row["input"])
        assert parts[0] == parts[-1] == "" and parts[-2] == "Assistant", row["message_id"]
        roles, texts = parts[1:-2:2], parts[2:-2:2]
        assert roles == ["Human", "Assistant"] * (len(roles) // 2) + ["Human"], row["message_id"]
        conv = [{"from": s, "value": v}
                for s, v in zip(itertools.cycle(("human", "gpt")), [*texts, row["output"]])]
        conv_id = ML_PREFIX + hashlib.sha1("\n".join(texts[::2]).encode()).hexdigest()[:10]
        if conv_id in records:
            dropped.append(conv_id)
            continue
        records[conv_id] = {"id": conv_id, "lang": row["lang"], "conversations": conv}
    return sorted(records.values(), key=lambda r: r["id"]), dropped


def git_show(gitdir: Path, commit: str, name: str) -> bytes:
    # this directory's select.py shadows the standard module that subprocess imports
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    import subprocess

    return subprocess.run(["git", "--git-dir", str(gitdir), "show", f"{commit}:{name}"],
                          check=True, capture_output=True).stdout


def write(records: list[dict[str, Any]], out: Path) -> None:
    assert len({r["id"] for r in records}) == len(records), "id collision"
    with out.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--from-git", type=Path, metavar="GITDIR",
                        help="a git directory of hiyouga/LLaMA-Factory holding COMMIT")
    source.add_argument("--from-qlora", type=Path, metavar="GITDIR",
                        help="a git directory of artidoro/qlora holding QLORA_COMMIT")
    parser.add_argument("--out", type=Path, help=f"default: {PATH.name} or {ML_PATH.name}")
    args = parser.parse_args()
    if args.from_qlora:
        blob = git_show(args.from_qlora, QLORA_COMMIT, QLORA_FILE)
        rows = [json.loads(line) for line in blob.decode().splitlines()]
        records, dropped = build_qlora(rows)
        write(records, args.out or ML_PATH)
        print(f"{len(rows)} rows -> {len(records)} conversations -> {args.out or ML_PATH}; "
              f"dropped {len(dropped)} repeated user turns: {dropped}")
        return
    rows = []
    for name in FILES:
        rows += json.loads(git_show(args.from_git, COMMIT, name))
    records, dropped = build(rows)
    write(records, args.out or PATH)
    print(f"{len(rows)} rows -> {len(records)} conversations -> {args.out or PATH}; "
          f"dropped {len(dropped)} English-only roots: {dropped}")


if __name__ == "__main__":
    main()
