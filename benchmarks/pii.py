"""``make bench``: the PII scrubbers' recall, precision and throughput, real and generated."""

from __future__ import annotations

import os
import time
from functools import cache
from pathlib import Path
from typing import Any

from benchmarks.common import met
from econ_index.taxonomy import Taxonomy

PII_RECALL_TARGET = 0.99  # structured types: e-mail, phone, card, IBAN, SSN, IP
PII_CASES = 2000
PII_SEED = 7


@cache
def _pii_report() -> list[dict[str, object]]:
    """The labelled PII set scored once, shared by the recall and look-alike sections."""
    from econ_index.pii_eval import pii_report

    return pii_report(PII_CASES, PII_SEED)


def pii_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Span recall and precision of the scrubber per PII type on the labelled PII set."""
    from econ_index.pii_eval import STRUCTURED

    structured = {k.value for k in STRUCTURED}
    rows: list[dict[str, object]] = []
    for r in _pii_report():
        check = str(r["check"])
        if not check.startswith("pii:"):
            continue
        kind = check.removeprefix("pii:")
        recall = float(r["recall"])  # type: ignore[arg-type]
        target = PII_RECALL_TARGET if kind in structured else None
        rows.append(
            {
                "type": kind,
                "planted": r["n"],
                "recall": recall,
                "precision": float(r["precision"]),  # type: ignore[arg-type]
                "target recall": target if target is not None else "-",
                "met": met(recall >= target) if target is not None else "-",
            }
        )
    return rows


def pii_negatives(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """How often look-alikes (order numbers, versions, timestamps, ...) survive scrubbing."""
    rows: list[dict[str, object]] = []
    for r in _pii_report():
        check = str(r["check"])
        if check.startswith("negative:"):
            survival = float(r["precision"])  # type: ignore[arg-type]
            rows.append(
                {
                    "look-alike": check.removeprefix("negative:"),
                    "cases": r["n"],
                    "left intact": survival,
                    "target": PII_RECALL_TARGET,
                    "met": met(survival >= PII_RECALL_TARGET),
                }
            )
    return rows


def scrubber_throughput(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Scrubber alone on ~2,000-character chat texts, with and without name detection."""
    from econ_index.scrub import bench_scrubber

    return bench_scrubber()


# --- both scrubbers on the real PII set (issue #17) -----------------------------------------

PIISET = Path(
    os.environ.get("ECON_INDEX_PIISET", Path(__file__).parents[1] / "build/piiset/gold.jsonl")
)
PII_NAME_RECALL_TARGET = 0.90
PII_NAME_PRECISION_TARGET = 0.80
PII_KEPT_TARGET = 0.95


@cache
def _real_pii_scores() -> dict[str, Any]:
    from econ_index.piiset_eval import load_gold, score
    from econ_index.scrub import Scrubber
    from econ_index.scrub_strong import StrongScrubber

    units = load_gold(PIISET, "test")
    return {"fast": score(Scrubber(), units), "strong": score(StrongScrubber(), units)}


def pii_real_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Per type on the real PII set's test split: to-remove spans found / n and placeholder
    precision for both scrubbers, then look-alikes kept; targets are the strong scrubber's."""
    from econ_index.piiset_eval import KEEP, REMOVE

    if not PIISET.is_file():
        return [{"skipped": f"{PIISET} missing: python evaluation/piiset/rebuild.py"}]
    fast, strong = _real_pii_scores()["fast"], _real_pii_scores()["strong"]
    rows: list[dict[str, object]] = []
    for kind in REMOVE:
        target = PII_NAME_RECALL_TARGET if kind == "PERSON" else PII_RECALL_TARGET
        rows.append(
            {
                "type": kind,
                "n": strong.gold[kind],
                "fast found": f"{fast.found[kind]} ({fast.recall(kind):.2f})",
                "fast precision": f"{fast.precision(kind):.2f} of {fast.placed[kind]}",
                "strong found": f"{strong.found[kind]} ({strong.recall(kind):.2f})",
                "strong precision": f"{strong.precision(kind):.2f} of {strong.placed[kind]}",
                "target": f"R {target}"
                + (f", P {PII_NAME_PRECISION_TARGET}" if kind == "PERSON" else ""),
                "met": met(
                    strong.recall(kind) >= target
                    and (kind != "PERSON" or strong.precision(kind) >= PII_NAME_PRECISION_TARGET)
                )
                if strong.gold[kind]
                else "-",
            }
        )
    for kind in (*KEEP, None):
        rows.append(
            {
                "type": f"keep {kind}" if kind else "keep (all look-alikes)",
                "n": sum(strong.keep[k] for k in ((kind,) if kind else KEEP)),
                "fast found": f"kept {fast.kept_share(kind):.2f}",
                "fast precision": "",
                "strong found": f"kept {strong.kept_share(kind):.2f}",
                "strong precision": "",
                "target": f"{PII_KEPT_TARGET}" if kind is None else "",
                "met": met(strong.kept_share() >= PII_KEPT_TARGET) if kind is None else "",
            }
        )
    return rows


def pii_generated_both(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """The generated set (pii_eval) for both scrubbers, beside the real set's table."""
    from econ_index.pii_eval import generate_cases, measure
    from econ_index.scrub import Scrubber
    from econ_index.scrub_strong import StrongScrubber

    cases = generate_cases(PII_CASES, PII_SEED)
    fast, strong = measure(Scrubber(), cases), measure(StrongScrubber(), cases)
    return [
        {
            "type": kind,
            "planted": fast[kind].planted,
            "fast recall": round(fast[kind].recall, 3),
            "fast precision": round(fast[kind].precision, 3),
            "strong recall": round(strong[kind].recall, 3),
            "strong precision": round(strong[kind].precision, 3),
        }
        for kind in fast
    ]


def pii_real_throughput(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Both scrubbers on the real PII set's test split texts (real user turns, one core): per
    wall second, which a loaded machine inflates, and per CPU second of the process; and the CPU
    time to start one (the strong scrubber's model load)."""
    if not PIISET.is_file():
        return [{"skipped": f"{PIISET} missing"}]
    from econ_index import notable, scrub_strong
    from econ_index.scrub import Scrubber

    rows: list[dict[str, object]] = []
    for label, s in _real_pii_scores().items():
        # start-up: the strong scrubber loads its spaCy model and reads WordNet's notable names
        # (both cached after the first load)
        scrub_strong._nlp.cache_clear()
        notable.instances.cache_clear()
        c0 = time.process_time()
        make = scrub_strong.StrongScrubber if label == "strong" else Scrubber
        make()
        rows.append(
            {
                "scrubber": label,
                "start-up CPU s": round(time.process_time() - c0, 1),
                "texts": s.units,
                "chars": f"{s.chars:,}",
                "texts/s": round(s.units / s.seconds, 1),
                "chars/s": f"{s.chars / s.seconds:,.0f}",
                "texts per CPU s": round(s.units / s.cpu_seconds, 1),
                "chars per CPU s": f"{s.chars / s.cpu_seconds:,.0f}",
            }
        )
    return rows
