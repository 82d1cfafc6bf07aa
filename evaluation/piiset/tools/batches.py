#!/usr/bin/env python3
"""Write the raters' batch files, their brief and the checker into one folder.

Each rater's work list (its primaries and the units it labels a second time, in a seeded order,
so the second labels are spread over the batches and not recognisable) is cut into files of 25
units, ``<rater>_NN.md``; each unit is shown as a line ``### <unit id>``, its exact text, and a
line ``=== END <unit id> ===``. Also written: ``RATER_BRIEF.md`` (``RATER_BRIEF.md`` here, its
folders, raters and file count filled in, followed by ``../rubric.md``) and ``check.py``. Raters
see the texts only, never any scrubber output. ``--raters`` picks one wave's raters from the plan.

    python evaluation/piiset/tools/batches.py --out /tmp/pii_batches
    python evaluation/piiset/tools/batches.py --raters p3 p4 --out /tmp/pii_batches_w2 \
        --ratings /tmp/pii_out_w2
"""
import argparse
import json
import random
import shutil
import sys
from pathlib import Path
from string import Template

TOOLS = Path(__file__).resolve().parent
sys.path.insert(1, str(TOOLS.parent))
from source import texts  # noqa: E402

SEED = 20270118
PER_FILE = 25


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", type=Path, default=TOOLS.parent / "plan.json")
    parser.add_argument("--raters", nargs="+", default=["p1", "p2"])
    parser.add_argument("--out", type=Path, default=Path("/tmp/pii_batches"))
    parser.add_argument("--ratings", type=Path, default=Path("/tmp/pii_out"),
                        help="where the raters write")
    args = parser.parse_args()
    plan = {r: p for r, p in json.loads(args.plan.read_text()).items() if r in args.raters}
    if sorted(plan) != sorted(args.raters):
        sys.exit(f"raters {sorted(set(args.raters) - set(plan))} are not in {args.plan}")
    text = texts({u for p in plan.values() for u in p["primary"] + p["double"]})
    args.out.mkdir(parents=True, exist_ok=True)
    counts = set()
    for rater, p in plan.items():
        work = p["primary"] + p["double"]
        random.Random(f"{SEED}:{rater}").shuffle(work)
        files = range(0, len(work), PER_FILE)
        counts.add(len(files))
        for n, start in enumerate(files, 1):
            chunk = work[start:start + PER_FILE]
            body = "".join(f"### {u}\n{text[u]}\n=== END {u} ===\n\n" for u in chunk)
            head = f"# Rater {rater}, batch {n:02d} of {len(files)}: {len(chunk)} units\n\n"
            (args.out / f"{rater}_{n:02d}.md").write_text(head + body, encoding="utf-8")
        print(f"{rater}: {len(work)} units ({len(p['primary'])} primary, {len(p['double'])} second) "
              f"in {len(files)} files")
    brief = Template((TOOLS / "RATER_BRIEF.md").read_text()).substitute(
        batches=args.out, ratings=args.ratings, first=args.raters[0],
        raters=" or ".join(f"`{r}`" for r in args.raters),
        files=" or ".join(map(str, sorted(counts))))
    brief += "\n\n" + (TOOLS.parent / "rubric.md").read_text()
    (args.out / "RATER_BRIEF.md").write_text(brief)
    shutil.copy(TOOLS / "check.py", args.out / "check.py")


if __name__ == "__main__":
    main()
