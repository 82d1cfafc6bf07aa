"""Span-level scores of a scrubber on the real PII set (``evaluation/piiset``, issue #17).

The gold file (``build/piiset/gold.jsonl``, rebuilt by ``evaluation/piiset/rebuild.py``) holds
real user turns with typed spans: personal data to remove and look-alikes to keep. Scored on the
scrubber's spans over the original text:

- a **to-remove** span is *found* when a placeholder replaced it and none of its text survives
  (every letter and digit of it lies inside a redacted span);
- **precision**: the placeholders that overlap a to-remove span over all placeholders (per
  placeholder type, and for names alone);
- a **look-alike** is *kept* when no placeholder touches it.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from econ_index.scrub import PiiType

REMOVE = (
    "PERSON",
    "EMAIL",
    "PHONE",
    "ADDRESS",
    "NATIONAL_ID",
    "ACCOUNT",
    "DOB",
    "COORDINATES",
    "CREDENTIAL",
    "IP",
    "CARD",
    "IBAN",
)
KEEP = (
    "PUBLIC_FIGURE",
    "AUTHOR",
    "FICTIONAL",
    "ORG",
    "PLACE",
    "PRODUCT",
    "VERSION",
    "OTHER_NUMBER",
)
STRUCTURED_GOLD = tuple(t for t in REMOVE if t != "PERSON")
# The gold type each placeholder stands for (for per-type precision).
GOLD_TYPE = {
    PiiType.NAME: "PERSON",
    PiiType.EMAIL: "EMAIL",
    PiiType.PHONE: "PHONE",
    PiiType.ADDRESS: "ADDRESS",
    PiiType.SSN: "NATIONAL_ID",
    PiiType.NATIONAL_ID: "NATIONAL_ID",
    PiiType.ACCOUNT: "ACCOUNT",
    PiiType.DOB: "DOB",
    PiiType.COORDINATES: "COORDINATES",
    PiiType.SECRET: "CREDENTIAL",
    PiiType.URL: "CREDENTIAL",
    PiiType.IP: "IP",
    PiiType.CARD: "CARD",
    PiiType.IBAN: "IBAN",
}


class SupportsSpans(Protocol):
    def spans(self, text: str) -> list[tuple[int, int, PiiType]]: ...


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int
    type: str


@dataclass(frozen=True, slots=True)
class Unit:
    unit: str
    split: str
    text: str
    spans: tuple[Span, ...]


def load_gold(path: Path, split: str | None = None) -> list[Unit]:
    units = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if split is None or r["split"] == split:
                spans = tuple(Span(s["start"], s["end"], s["type"]) for s in r["spans"])
                units.append(Unit(r["unit"], r["split"], r["text"], spans))
    return units


@dataclass
class RealScore:
    """Counts over a set of units; ratios as properties."""

    units: int = 0
    chars: int = 0
    seconds: float = 0.0
    gold: Counter[str] | None = None  # to-remove spans per gold type
    found: Counter[str] | None = None
    placed: Counter[str] | None = None  # placeholders per gold type they stand for
    placed_right: Counter[str] | None = None  # ... that overlap a to-remove span
    keep: Counter[str] | None = None  # look-alike spans per type
    kept: Counter[str] | None = None

    def __post_init__(self) -> None:
        for name in ("gold", "found", "placed", "placed_right", "keep", "kept"):
            if getattr(self, name) is None:
                setattr(self, name, Counter())

    def recall(self, kind: str) -> float:
        n = self.gold[kind]  # type: ignore[index]
        return self.found[kind] / n if n else 1.0  # type: ignore[index]

    def precision(self, kind: str) -> float:
        n = self.placed[kind]  # type: ignore[index]
        return self.placed_right[kind] / n if n else 1.0  # type: ignore[index]

    def structured_recall(self) -> float:
        n = sum(self.gold[t] for t in STRUCTURED_GOLD)  # type: ignore[index]
        return sum(self.found[t] for t in STRUCTURED_GOLD) / n if n else 1.0  # type: ignore[index]

    def overall_precision(self) -> float:
        n = sum(self.placed.values())  # type: ignore[union-attr]
        return sum(self.placed_right.values()) / n if n else 1.0  # type: ignore[union-attr]

    def kept_share(self, kind: str | None = None) -> float:
        kinds = (kind,) if kind else KEEP
        n = sum(self.keep[k] for k in kinds)  # type: ignore[index]
        return sum(self.kept[k] for k in kinds) / n if n else 1.0  # type: ignore[index]


def _covered(text: str, span: Span, redacted: Sequence[tuple[int, int]]) -> bool:
    """Every letter and digit of the span lies inside some redacted span."""
    for i in range(span.start, span.end):
        if text[i].isalnum() and not any(s <= i < e for s, e in redacted):
            return False
    return any(s < span.end and span.start < e for s, e in redacted)


def score(scrubber: SupportsSpans, units: Iterable[Unit]) -> RealScore:
    out = RealScore()
    for u in units:
        t0 = time.perf_counter()
        found = scrubber.spans(u.text)
        out.seconds += time.perf_counter() - t0
        out.units += 1
        out.chars += len(u.text)
        redacted = [(s, e) for s, e, _ in found]
        remove = [sp for sp in u.spans if sp.type in REMOVE]
        for sp in u.spans:
            if sp.type in REMOVE:
                out.gold[sp.type] += 1  # type: ignore[index]
                out.found[sp.type] += _covered(u.text, sp, redacted)  # type: ignore[index]
            elif sp.type in KEEP:
                out.keep[sp.type] += 1  # type: ignore[index]
                touched = any(s < sp.end and sp.start < e for s, e in redacted)
                out.kept[sp.type] += not touched  # type: ignore[index]
        for s, e, kind in found:
            gold_type = GOLD_TYPE[kind]
            out.placed[gold_type] += 1  # type: ignore[index]
            out.placed_right[gold_type] += any(  # type: ignore[index]
                sp.start < e and s < sp.end for sp in remove
            )
    return out


def rows(label: str, result: RealScore) -> list[dict[str, object]]:
    """Benchmark rows: per to-remove type recall (found/n) and precision, then look-alikes."""
    table: list[dict[str, object]] = []
    for kind in REMOVE:
        table.append(
            {
                "scrubber": label,
                "type": kind,
                "n": result.gold[kind],  # type: ignore[index]
                "found": result.found[kind],  # type: ignore[index]
                "recall": round(result.recall(kind), 3),
                "placeholders": result.placed[kind],  # type: ignore[index]
                "precision": round(result.precision(kind), 3),
            }
        )
    for kind in KEEP:
        table.append(
            {
                "scrubber": label,
                "type": f"keep:{kind}",
                "n": result.keep[kind],  # type: ignore[index]
                "found": result.kept[kind],  # type: ignore[index]
                "recall": round(result.kept_share(kind), 3),
                "placeholders": None,
                "precision": None,
            }
        )
    table.append(
        {
            "scrubber": label,
            "type": "ALL structured / kept / precision",
            "n": sum(result.gold[t] for t in STRUCTURED_GOLD),  # type: ignore[index]
            "found": sum(result.found[t] for t in STRUCTURED_GOLD),  # type: ignore[index]
            "recall": round(result.structured_recall(), 3),
            "placeholders": sum(result.placed.values()),  # type: ignore[union-attr]
            "precision": round(result.overall_precision(), 3),
        }
    )
    return table
