"""Fine-tune ``en_core_web_sm``'s NER on the PII set's dev split to tell private names from
public ones (issue #17, experiment).

    python evaluation/piiner/train.py strong                 # the strong scrubber on dev, cached
    python evaluation/piiner/train.py cv --folds 0 1 2       # 5-fold CV on dev (folds in parallel)
    python evaluation/piiner/train.py cv --oversample 4 --epochs 6   # private names weighted
    python evaluation/piiner/train.py summary                # the CV table from the fold files
    python evaluation/piiner/train.py refit --epochs 4       # all of dev, saved per checkpoint
    python evaluation/piiner/train.py test --model build/piiner/ner-plain-N --rule R   # once

Labels carry the decision: ``PERSON`` is a private person (the gold ``PERSON``), ``PUBLIC_PERSON``
a public figure, an author or a character, and ``ORG`` / ``GPE`` / ``PRODUCT`` the other names the
rubric marks (every proper name is marked, so a token outside them is no name). With
``--rehearse`` the base model's own other entities (dates, numbers, works, ...) outside the gold
spans are trained as labels instead of "outside", so it does not unlearn them. With
``--oversample N`` each unit holding a gold private name is trained N times per epoch (the private
class is 8 % of dev's labelled names). Folds are a seeded hash of the unit id (one unit per
conversation: grouped by unit and conversation).

Rules combining the model with the strong scrubber, all keeping its structured placeholders:

- ``strong``: today's strong scrubber;
- ``model``: the model's own ``PERSON`` entities instead of the strong scrubber's names;
- ``replace``: the strong scrubber with the fine-tuned model in place of the base one (its cues
  and keep rules unchanged);
- ``veto``: the strong scrubber's names, less those the model labels anything but ``PERSON``;
- ``agree``: the strong scrubber's names the model also labels ``PERSON``;
- ``add``: the strong scrubber's names and the model's ``PERSON`` entities;
- ``add_veto``: ``veto`` plus the model's ``PERSON`` entities.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import spacy
from spacy.tokens import Doc
from spacy.training import Example
from spacy.util import compounding, filter_spans, fix_random_seed, minibatch

from econ_index.piiset_eval import RealScore, Unit, load_gold, score
from econ_index.scrub import PiiType
from econ_index.scrub_strong import (
    MODEL,
    StrongScrubber,
    _clean_entity,
    _upper_lines_titled,
    merged_spans,
)

ROOT = Path(__file__).parents[2]
GOLD = ROOT / "build/piiset/gold.jsonl"
OUT = ROOT / "build/piiner"
SEED = 20261203
FOLDS = 5
CHECKPOINTS = (2, 4, 6, 8)  # CV scores the held-out fold after these epochs, up to --epochs
RULES = ("strong", "model", "replace", "veto", "agree", "add", "add_veto")
LABEL = {
    "PERSON": "PERSON",
    "PUBLIC_FIGURE": "PUBLIC_PERSON",
    "AUTHOR": "PUBLIC_PERSON",
    "FICTIONAL": "PUBLIC_PERSON",
    "ORG": "ORG",
    "PLACE": "GPE",
    "PRODUCT": "PRODUCT",
}
# the base model's labels the gold decides: not rehearsed
NAME_LABELS = frozenset({*LABEL.values(), "LOC", "FAC", "NORP"})
UNUSED = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]

Spans = list[tuple[int, int, PiiType]]
Ents = list[tuple[int, int, str]]


def fold_of(unit: str) -> int:
    return int(hashlib.sha256(f"piiner:{unit}".encode()).hexdigest(), 16) % FOLDS


def cpu() -> float:
    t = resource.getrusage(resource.RUSAGE_SELF)
    return t.ru_utime + t.ru_stime


def peak_mib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def base_model() -> Any:
    return spacy.load(MODEL, exclude=UNUSED)


def entities(nlp: Any, texts: Sequence[str]) -> list[Ents]:
    """Character spans and labels, read as the strong scrubber reads (capital lines titled)."""
    docs = nlp.pipe(_upper_lines_titled(t) for t in texts)
    return [[(e.start_char, e.end_char, e.label_) for e in doc.ents] for doc in docs]


def examples(nlp: Any, units: Sequence[Unit], rehearse: dict[str, Ents] | None) -> list[Example]:
    out = []
    for u in units:
        text = _upper_lines_titled(u.text)
        predicted = nlp.make_doc(text)
        reference = Doc(
            predicted.vocab,
            words=[t.text for t in predicted],
            spaces=[bool(t.whitespace_) for t in predicted],
        )
        spans = [
            reference.char_span(s.start, s.end, label=LABEL[s.type], alignment_mode="expand")
            for s in u.spans
            if s.type in LABEL
        ]
        gold = filter_spans([s for s in spans if s is not None])
        extra = []
        for s, e, label in (rehearse or {}).get(u.unit, []):
            span = reference.char_span(s, e, label=label)
            if label not in NAME_LABELS and span is not None:
                extra.append(span)
        taken = {i for s in gold for i in range(s.start, s.end)}
        extra = [s for s in extra if not taken & set(range(s.start, s.end))]
        reference.set_ents(filter_spans(gold + extra), default="outside")
        out.append(Example(predicted, reference))
    return out


def config(args: argparse.Namespace) -> str:
    """The name of a training set-up in result and model file names."""
    tag = "rehearse" if args.rehearse else "plain"
    return tag + (f"-x{args.oversample}" if args.oversample > 1 else "")


def train(
    units: Sequence[Unit],
    args: argparse.Namespace,
    on_epoch: Callable[[int, Any], None] | None = None,
) -> Any:
    fix_random_seed(SEED)
    nlp = base_model()
    own = dict(zip([u.unit for u in units], entities(nlp, [u.text for u in units]), strict=True))
    weighted = [
        u
        for u in units
        for _ in range(args.oversample if any(s.type == "PERSON" for s in u.spans) else 1)
    ]
    data = examples(nlp, weighted, own if args.rehearse else None)
    nlp.get_pipe("ner").add_label("PUBLIC_PERSON")
    optimizer = nlp.resume_training()
    rng = random.Random(SEED)
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(data)
        losses: dict[str, float] = {}
        for batch in minibatch(data, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        print(f"  epoch {epoch} loss {losses['ner']:.0f} cpu {cpu():.0f}", flush=True)
        if on_epoch:
            on_epoch(epoch, nlp)
    return nlp


def overlaps(s: int, e: int, ents: Ents, want: Callable[[str], bool]) -> bool:
    return any(a < e and s < b and want(label) for a, b, label in ents)


def combine(text: str, strong: Spans, ents: Ents, rule: str) -> Spans:
    structured = [s for s in strong if s[2] is not PiiType.NAME]
    names = [(s, e) for s, e, k in strong if k is PiiType.NAME]
    own = [
        span
        for a, b, label in ents
        if label == "PERSON" and (span := _clean_entity(text, a, b)) is not None
    ]
    vetoed = [(s, e) for s, e in names if not overlaps(s, e, ents, lambda x: x != "PERSON")]
    chosen = {
        "model": own,
        "veto": vetoed,
        "agree": [(s, e) for s, e in names if overlaps(s, e, ents, lambda x: x == "PERSON")],
        "add": names + own,
        "add_veto": vetoed + own,
    }[rule]
    # a name inside an e-mail address or a URL is already covered by that placeholder
    chosen = [(s, e) for s, e in chosen if not any(a < e and s < b for a, b, _ in structured)]
    return sorted(structured + [(s, e, PiiType.NAME) for s, e in merged_spans(chosen)])


def cached(spans: dict[str, Spans]) -> SimpleNamespace:
    """A scrubber that answers from spans found before."""
    return SimpleNamespace(spans=spans.__getitem__)


def figures(s: RealScore) -> dict[str, float | int]:
    return {
        "found": s.found["PERSON"],
        "gold": s.gold["PERSON"],
        "placed": s.placed["PERSON"],
        "right": s.placed_right["PERSON"],
        "kept": sum(s.kept.values()),
        "keep": sum(s.keep.values()),
        "structured_found": sum(s.found.values()) - s.found["PERSON"],
    }


def scrubber_with(nlp: Any) -> StrongScrubber:
    scrubber = StrongScrubber()
    scrubber._nlp = nlp  # the rules unchanged, the model's PERSON proposals replaced
    return scrubber


def rule_spans(units: Sequence[Unit], strong: dict[str, Spans], nlp: Any, rule: str) -> dict:
    if rule == "strong":
        return {u.text: strong[u.unit] for u in units}
    if rule == "replace":
        scrubber = scrubber_with(nlp)
        return {u.text: scrubber.spans(u.text) for u in units}
    ents = entities(nlp, [u.text for u in units])
    return {
        u.text: combine(u.text, strong[u.unit], e, rule) for u, e in zip(units, ents, strict=True)
    }


def load_strong(out: Path) -> dict[str, Spans]:
    raw = json.loads((out / "strong-dev.json").read_text())
    return {k: [(s, e, PiiType(t)) for s, e, t in v] for k, v in raw.items()}


def strong_step(args: argparse.Namespace) -> None:
    dev = load_gold(args.gold, "dev")
    scrubber = StrongScrubber()
    c0 = cpu()
    spans = {u.unit: [(s, e, k.value) for s, e, k in scrubber.spans(u.text)] for u in dev}
    print(f"strong scrubber on {len(dev)} dev units: {cpu() - c0:.1f} CPU s")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "strong-dev.json").write_text(json.dumps(spans))


def cv_step(args: argparse.Namespace) -> None:
    dev = load_gold(args.gold, "dev")
    strong = load_strong(args.out)
    tag = config(args)
    for k in args.folds:
        fit = [u for u in dev if fold_of(u.unit) != k]
        held = [u for u in dev if fold_of(u.unit) == k]
        rows: list[dict] = []
        c0 = cpu()

        def on_epoch(
            epoch: int, nlp: Any, k: int = k, held: list[Unit] = held, rows: list = rows
        ) -> None:
            if epoch not in CHECKPOINTS:
                return
            for rule in RULES:
                spans = rule_spans(held, strong, nlp, rule)
                rows.append({"epoch": epoch, "rule": rule, **figures(score(cached(spans), held))})
                print(f"  fold {k} {rows[-1]}", flush=True)

        print(f"fold {k} ({tag}): fit {len(fit)}, held out {len(held)}", flush=True)
        train(fit, args, on_epoch)
        result = {"fold": k, "config": tag, "cpu_s": round(cpu() - c0), "rows": rows}
        result["peak_rss_mib"] = peak_mib()
        (args.out / f"cv-{tag}-fold{k}.json").write_text(json.dumps(result, indent=1))


def summary_step(args: argparse.Namespace) -> None:
    totals: dict[tuple[str, int, str], dict[str, int]] = {}
    for path in sorted(args.out.glob("cv-*-fold*.json")):
        r = json.loads(path.read_text())
        if r["fold"] not in args.folds:
            continue
        for row in r["rows"]:
            key = (r["config"], row["epoch"], row["rule"])
            acc = totals.setdefault(key, {"folds": 0})
            acc["folds"] += 1
            for f, v in row.items():
                if f not in ("epoch", "rule"):
                    acc[f] = acc.get(f, 0) + v
        print(f"{path.name}: {r['cpu_s']} CPU s, peak RSS {r['peak_rss_mib']} MiB")
    print("| config | epochs | rule | folds | names found | recall | [NAME] | precision | kept |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for (config, epoch, rule), a in sorted(totals.items()):
        print(
            f"| {config} | {epoch} | {rule} | {a['folds']} | {a['found']} of {a['gold']} | "
            f"{a['found'] / a['gold']:.3f} | {a['placed']} | {a['right'] / max(a['placed'], 1):.3f}"
            f" | {a['kept'] / a['keep']:.4f} |"
        )


def refit_step(args: argparse.Namespace) -> None:
    """All of dev, the same seed; the ner component saved at each checkpoint."""
    dev = load_gold(args.gold, "dev")
    tag = config(args)

    def save(epoch: int, nlp: Any) -> None:
        if epoch in CHECKPOINTS:
            nlp.get_pipe("ner").to_disk(args.out / f"ner-{tag}-{epoch}")
            print(f"  saved after epoch {epoch}: CPU {cpu():.0f} s", flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    train(dev, args, save)


def fitted(path: Path) -> Any:
    nlp = base_model()
    ner = nlp.get_pipe("ner")
    ner.add_label("PUBLIC_PERSON")  # the output layer takes the saved one's size first
    ner.from_disk(path)
    return nlp


def test_step(args: argparse.Namespace) -> None:
    """The test split, once: the strong scrubber and the rule CV picked, counted, not read."""
    units = load_gold(args.gold, "test")
    nlp = fitted(args.model)
    scrubber = StrongScrubber()
    c0 = cpu()
    strong = {u.unit: scrubber.spans(u.text) for u in units}
    c1 = cpu()
    spans = rule_spans(units, strong, nlp, args.rule)
    c2 = cpu()
    report = {
        "model": str(args.model),
        "rule": args.rule,
        "strong": {**figures(score(cached(rule_spans(units, strong, nlp, "strong")), units))},
        args.rule: figures(score(cached(spans), units)),
        "cpu_s": {"strong": round(c1 - c0, 1), args.rule: round(c2 - c1, 1)},
        "peak_rss_mib": peak_mib(),
    }
    print(json.dumps(report, indent=1))
    (args.out / "test.json").write_text(json.dumps(report, indent=1))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("step", choices=["strong", "cv", "summary", "refit", "test"])
    p.add_argument("--gold", type=Path, default=GOLD)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--folds", type=int, nargs="+", default=list(range(FOLDS)))
    p.add_argument("--rehearse", action="store_true")
    p.add_argument("--oversample", type=int, default=1, help="times a private-name unit is trained")
    p.add_argument("--epochs", type=int, default=max(CHECKPOINTS))
    p.add_argument("--rule", default="replace")
    p.add_argument("--model", type=Path, default=OUT / "ner-plain-4")
    args = p.parse_args()
    t0 = time.time()
    steps = {"strong": strong_step, "cv": cv_step, "summary": summary_step, "refit": refit_step}
    steps["test"] = test_step
    steps[args.step](args)
    print(f"wall {time.time() - t0:.0f} s, CPU {cpu():.0f} s, peak RSS {peak_mib()} MiB")


if __name__ == "__main__":
    main()
