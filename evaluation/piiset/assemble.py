"""Assemble labels.jsonl and second_labels.jsonl from the raters' files, and print agreement.

The raters quote span texts (``tools/check.py`` format); here the quotes become offsets into the
unit's text, each with the sha256[:12] of its text so ``rebuild.py`` detects a changed source.
Only offsets, types, hashes and span notes are written: the ShareGPT text (licence unclear) stays
out of the repository, and so do the raters' raw files and unit notes. Each unit's gold spans are
its primary rater's (``plan.json``); the units labelled a second time by the other rater go to
second_labels.jsonl, and agreement is span-level F1 between the two, per type, on exact spans
(same start, end and type) and on overlapping spans (same type, one-to-one). One wave at a time
(``select.py``): the rows of the other waves' units are kept as they are, and the agreement is the
wave's own.

    python evaluation/piiset/assemble.py --raters /tmp/pii_out
    python evaluation/piiset/assemble.py --wave 2 --raters /tmp/pii_out_w2
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from source import HERE, sha, texts
from tools.check import KEEP, REMOVE, TYPES, check_record

Span = tuple[int, int, str]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wave", type=int, default=1)
    parser.add_argument("--raters", type=Path, default=Path("/tmp/pii_out"))
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    units = [json.loads(line) for line in (HERE / "units.jsonl").read_text().splitlines()]
    wave = {u["unit"] for u in units if u["wave"] == args.wave}
    # the wave's raters: those whose primaries are its units
    plan = {r: p for r, p in json.loads((HERE / "plan.json").read_text()).items()
            if set(p["primary"]) <= wave}
    primary_of = {u: r for r, p in plan.items() for u in p["primary"]}
    assigned = {r: set(p["primary"] + p["double"]) for r, p in plan.items()}
    text = texts(wave)
    split = {u["unit"]: u["split"] for u in units}
    labels: dict[str, dict[str, object]] = {}
    second: dict[str, dict[str, object]] = {}
    for path in sorted(args.raters.glob("r*.jsonl")):
        rater = path.stem[1:]
        if rater not in plan:
            continue  # another wave's rater
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            record = json.loads(line)
            unit = record["unit"]
            if unit not in assigned.get(rater, ()):
                raise SystemExit(f"{path}:{n}: {unit} is not assigned to {rater}")
            try:
                found = check_record(record, text[unit])
            except AssertionError as e:
                raise SystemExit(f"{path}:{n}: {e} (run tools/check.py on the file)") from None
            spans = [{"start": s, "end": e, "type": t, "sha": sha(text[unit][s:e]), **({"note": note} if note else {})}
                     for s, e, t, note in found]
            target = labels if primary_of[unit] == rater else second
            target[unit] = {"unit": unit, "split": split[unit], "rater": rater, "spans": spans}
    args.out.mkdir(parents=True, exist_ok=True)
    for name, table in (("labels.jsonl", labels), ("second_labels.jsonl", second)):
        path = args.out / name
        old = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        table = table | {r["unit"]: r for r in old if r["unit"] not in wave}
        with path.open("w") as fh:
            for u in units:
                if u["unit"] in table:
                    fh.write(json.dumps(table[u["unit"]], ensure_ascii=False) + "\n")
    report(labels, second, split)


def f1(a: list[Span], b: list[Span], overlap: bool) -> tuple[int, int, int]:
    """(spans of a, spans of b, matched pairs): exact, or one-to-one by overlap and type."""
    if not overlap:
        return len(a), len(b), len(set(a) & set(b))
    free, matched = list(b), 0
    for s, e, t in a:
        hit = next((x for x in free if x[2] == t and x[0] < e and s < x[1]), None)
        if hit:
            free.remove(hit)
            matched += 1
    return len(a), len(b), matched


def report(labels: dict[str, dict], second: dict[str, dict], split: dict[str, str]) -> None:
    def spans(r: dict, group: str | None = None) -> list[Span]:
        return [(s["start"], s["end"], group or s["type"]) for s in r["spans"]
                if group is None or s["type"] in (REMOVE if group == "remove" else KEEP)]

    pairs = [(labels[u], second[u]) for u in second if u in labels]
    counts = Counter(s["type"] for r in labels.values() for s in r["spans"])
    print(f"labelled units: {len(labels)} ({dict(Counter(split[u] for u in labels))}); "
          f"with personal data: {sum(any(s['type'] in REMOVE for s in r['spans']) for r in labels.values())}")
    print("gold spans by type:", dict(counts.most_common()))
    print(f"double-annotated: {len(pairs)} ({len(pairs) / max(1, len(labels)):.1%})")
    print(f"{'type':<16}{'rater a':>8}{'rater b':>8}{'exact F1':>10}{'overlap F1':>11}")
    rows = [(t, lambda r, t=t: [x for x in spans(r) if x[2] == t]) for t in TYPES]
    rows += [("all (typed)", spans), ("remove (any)", lambda r: spans(r, "remove")),
             ("keep (any)", lambda r: spans(r, "keep"))]
    for name, get in rows:
        tot = [0, 0, 0, 0]
        for a, b in pairs:
            na, nb, exact = f1(get(a), get(b), False)
            overl = f1(get(a), get(b), True)[2]
            tot = [tot[0] + na, tot[1] + nb, tot[2] + exact, tot[3] + overl]
        if tot[0] + tot[1]:
            exact_f1, overlap_f1 = (2 * m / (tot[0] + tot[1]) for m in tot[2:])
            print(f"{name:<16}{tot[0]:>8}{tot[1]:>8}{exact_f1:>10.3f}{overlap_f1:>11.3f}")
    same = sum(any(s["type"] in REMOVE for s in a["spans"]) == any(s["type"] in REMOVE for s in b["spans"])
               for a, b in pairs)
    print(f"unit-level agreement on 'holds personal data': {same / max(1, len(pairs)):.3f}")


if __name__ == "__main__":
    main()
