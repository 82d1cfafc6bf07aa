"""Fine-tune the name tagger on the PII set's dev split and score it (issue #17, experiment).

    python evaluation/piienc/run.py holdout   # 4/5 of dev -> the held-out fifth, per epoch
    python evaluation/piienc/run.py decide    # decide.py's pick from build/piienc/holdout.json
    python evaluation/piienc/run.py refit --epochs 4 --stop N   # all of dev -> .../model
    python evaluation/piienc/run.py test --rule R --t1 X --t2 Y   # the test split, once

The held-out fifth is drawn by a seeded hash of the unit id (one unit per conversation, so the
split is grouped by conversation too). Ways of combining the tagger with the strong scrubber,
all keeping the strong scrubber's structured placeholders:

- ``strong``: today's strong scrubber;
- ``encoder``: the tagger's own names (words with P >= t1) instead of the strong scrubber's;
- ``vet``: the strong scrubber's names the tagger agrees with (some word of the span with
  P >= t2), plus the tagger's own names at P >= t1 (t1 = 1.01: none);
- ``union``: the strong scrubber's names and the tagger's at P >= t1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from decide import pick  # noqa: E402
from encoder import NameTagger, Window, name_spans  # noqa: E402

from econ_index.piiset_eval import KEEP, RealScore, Unit, load_gold, score  # noqa: E402
from econ_index.scrub import PiiType  # noqa: E402
from econ_index.scrub_strong import StrongScrubber, merged_spans  # noqa: E402

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "build/piiset/gold.jsonl"
OUT = ROOT / "build/piienc"
SEED = 20261202
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 1.01)

Spans = list[tuple[int, int, PiiType]]
Words = list[tuple[int, int, float]]


def held_out(unit: str) -> bool:
    return int(hashlib.sha256(f"piienc:{unit}".encode()).hexdigest(), 16) % 5 == 0


def combine(text: str, strong: Spans, words: Words, rule: str, t1: float, t2: float) -> Spans:
    structured = [s for s in strong if s[2] is not PiiType.NAME]
    names = [(s, e) for s, e, k in strong if k is PiiType.NAME]
    if rule == "strong":
        return strong
    own = name_spans(text, words, t1)
    if rule == "encoder":
        chosen = own
    elif rule == "union":
        chosen = names + own
    elif rule == "vet":
        agreed = [(s, e) for s, e in names if any(p >= t2 and a < e and s < b for a, b, p in words)]
        chosen = agreed + own
    else:
        raise ValueError(rule)
    # a name inside an e-mail address or a URL is already covered by that placeholder
    chosen = [(s, e) for s, e in chosen if not any(a < e and s < b for a, b, _ in structured)]
    return sorted(structured + [(s, e, PiiType.NAME) for s, e in merged_spans(chosen)])


class Cached:
    def __init__(self, spans: dict[str, Spans]) -> None:
        self._spans = spans

    def spans(self, text: str) -> Spans:
        return self._spans[text]


def figures(s: RealScore) -> dict[str, float | int]:
    return {
        "person_found": s.found["PERSON"],
        "person_gold": s.gold["PERSON"],
        "recall": round(s.recall("PERSON"), 3),
        "name_placeholders": s.placed["PERSON"],
        "name_right": s.placed_right["PERSON"],
        "precision": round(s.precision("PERSON"), 3),
        "kept": round(s.kept_share(), 4),
        "structured_recall": round(s.structured_recall(), 3),
    }


def grid(units: Sequence[Unit], strong: dict[str, Spans], words: dict[str, Words]) -> list[dict]:
    rows = [{"rule": "strong", "t1": None, "t2": None, **figures(score(Cached(strong), units))}]
    combos = [("encoder", t1, 0.0) for t1 in THRESHOLDS[:-1]]
    combos += [("union", t1, 0.0) for t1 in THRESHOLDS[:-1]]
    combos += [("vet", t1, t2) for t1 in THRESHOLDS for t2 in THRESHOLDS[:-1]]
    for rule, t1, t2 in combos:
        spans = {
            u.text: combine(u.text, strong[u.text], words[u.text], rule, t1, t2) for u in units
        }
        rows.append({"rule": rule, "t1": t1, "t2": t2, **figures(score(Cached(spans), units))})
    return rows


def best(rows: list[dict], kept_floor: float) -> dict | None:
    ok = [r for r in rows if r["precision"] >= 0.80 and r["kept"] >= kept_floor]
    return max(ok, key=lambda r: (r["recall"], r["precision"])) if ok else None


def f_score(r: dict) -> float:
    return 2 * r["recall"] * r["precision"] / max(r["recall"] + r["precision"], 1e-9)


def cpu() -> float:
    t = resource.getrusage(resource.RUSAGE_SELF)
    return t.ru_utime + t.ru_stime


def windows_of(tagger: NameTagger, units: Sequence[Unit], negatives: float) -> list[Window]:
    """Every window holding a name, and ``negatives`` times as many without one, seeded; those
    with a look-alike first (the hard negatives), the rest at random."""
    rng = random.Random(SEED)
    named: list[Window] = []
    lookalike: list[Window] = []
    other: list[Window] = []
    for u in units:
        names = [(s.start, s.end) for s in u.spans if s.type == "PERSON"]
        keep = [(s.start, s.end) for s in u.spans if s.type in KEEP]
        for w in tagger.windows(u.text, names):
            if 1 in w.labels:
                named.append(w)
            else:
                (lookalike if keep else other).append(w)
    rng.shuffle(lookalike)
    rng.shuffle(other)
    n = int(negatives * len(named))
    half = min(len(lookalike), n * 2 // 3)
    return named + lookalike[:half] + other[: n - half]


def holdout(args: argparse.Namespace) -> None:
    dev = load_gold(args.gold, "dev")
    fit = [u for u in dev if not held_out(u.unit)]
    hold = [u for u in dev if held_out(u.unit)]
    names = Counter(held_out(u.unit) for u in dev for s in u.spans if s.type == "PERSON")
    print(
        f"dev {len(dev)} units: fit {len(fit)} ({names[False]} names), "
        f"held out {len(hold)} ({names[True]} names)",
        flush=True,
    )
    scrubber = StrongScrubber()
    strong = {u.text: scrubber.spans(u.text) for u in hold}
    tagger = NameTagger()
    wins = windows_of(tagger, fit, args.negatives)
    print(f"{len(wins)} training windows", flush=True)
    results: list[dict] = []
    c0 = cpu()
    tagging = 0.0  # CPU s spent tagging and scoring after each epoch, not training

    def on_epoch(epoch: int) -> None:
        nonlocal tagging
        c1 = cpu()
        train_cpu = c1 - c0 - tagging
        words = {u.text: tagger.word_probs(u.text) for u in hold}
        c2 = cpu()
        rows = grid(hold, strong, words)
        tagging += cpu() - c1
        base = rows[0]
        results.append(
            {
                "epoch": epoch,
                "train_cpu_s": round(train_cpu),
                "tag_cpu_s": round(c2 - c1),
                "texts_per_cpu_s": round(len(hold) / (c2 - c1), 1),
                "rows": rows,
            }
        )
        for rule in ("encoder", "union", "vet"):
            r = best([x for x in rows if x["rule"] == rule], base["kept"])
            f1 = max((x for x in rows if x["rule"] == rule), key=f_score)
            print(f"epoch {epoch} {rule}: best at P>=0.8 {r}\n    best F1 {f1}", flush=True)
        print(f"epoch {epoch} strong {base}\n  decide.py's pick {pick(results[-1:])}", flush=True)
        print(f"  (train CPU {train_cpu:.0f} s, tagging {c2 - c1:.0f} s)", flush=True)
        (args.out / "holdout.json").write_text(json.dumps(results, indent=1))
        tagger.save(args.out / f"holdout-model-{epoch}")

    args.out.mkdir(parents=True, exist_ok=True)
    tagger.train(wins, epochs=args.epochs, seed=SEED, on_epoch=on_epoch)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


def refit(args: argparse.Namespace) -> None:
    dev = load_gold(args.gold, "dev")
    tagger = NameTagger()
    wins = windows_of(tagger, dev, args.negatives)
    c0 = cpu()
    tagger.train(wins, epochs=args.epochs, seed=SEED, stop=args.stop)
    print(
        f"refit on {len(dev)} dev units, {len(wins)} windows, {args.stop or args.epochs} "
        f"of {args.epochs} epochs: "
        f"train CPU {cpu() - c0:.0f} s, peak RSS "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )
    tagger.save(args.out / "model")


def test(args: argparse.Namespace) -> None:
    units = load_gold(args.gold, "test")
    waves = {
        r["unit"]: r["wave"]
        for r in map(json.loads, (ROOT / "evaluation/piiset/units.jsonl").open())
    }
    tagger = NameTagger(args.model or args.out / "model")
    scrubber = StrongScrubber()
    # each text is scrubbed and tagged once; the combination's cost is the sum of both
    c0 = time.process_time()
    strong = {u.text: scrubber.spans(u.text) for u in units}
    c1 = time.process_time()
    words = {u.text: tagger.word_probs(u.text) for u in units}
    c2 = time.process_time()
    combined = {
        u.text: combine(u.text, strong[u.text], words[u.text], args.rule, args.t1, args.t2)
        for u in units
    }
    report: dict[str, dict] = {"rule": {"rule": args.rule, "t1": args.t1, "t2": args.t2}}
    for label, spans, seconds in (("strong", strong, c1 - c0), ("combined", combined, c2 - c0)):
        report[label] = {"texts_per_cpu_s": round(len(units) / seconds, 1), "cpu_s": round(seconds)}
        for wave in (None, 1, 2, 3, 4):
            part = [u for u in units if wave is None or waves[u.unit] == wave]
            key = "all" if wave is None else f"wave {wave}"
            report[label][key] = {**figures(score(Cached(spans), part)), "units": len(part)}
            print(label, key, report[label][key], flush=True)
        print(label, report[label]["texts_per_cpu_s"], "texts per CPU s", flush=True)
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    (args.out / "test.json").write_text(json.dumps(report, indent=1))


def decide_step(args: argparse.Namespace) -> None:
    # runs listed first win ties: the shorter schedule is listed first
    runs = args.runs or [args.out / "holdout.json"]
    winner = pick([e for run in runs for e in json.loads(run.read_text())])
    print(json.dumps(winner) if winner else "none accepted: the test split is not scored")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["holdout", "decide", "refit", "test"])
    p.add_argument("--gold", type=Path, default=GOLD)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--runs", type=Path, nargs="*", help="decide: holdout.json files")
    p.add_argument("--stop", type=int, help="refit: end after this epoch of --epochs")
    p.add_argument("--negatives", type=float, default=2.0)
    p.add_argument("--model", type=Path)
    p.add_argument("--rule", default="vet")
    p.add_argument("--t1", type=float, default=1.01)
    p.add_argument("--t2", type=float, default=0.5)
    # one thread by default: on a loaded machine a second one spins more than it computes
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    steps = {"holdout": holdout, "decide": decide_step, "refit": refit, "test": test}
    steps[args.step](args)


if __name__ == "__main__":
    main()
