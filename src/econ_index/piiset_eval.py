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
from dataclasses import dataclass, field
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
    seconds: float = 0.0  # wall time in ``spans``
    cpu_seconds: float = 0.0  # this process's CPU time in ``spans``: what load does not inflate
    gold: Counter[str] = field(default_factory=Counter)  # to-remove spans per gold type
    found: Counter[str] = field(default_factory=Counter)
    placed: Counter[str] = field(default_factory=Counter)  # placeholders per gold type
    placed_right: Counter[str] = field(default_factory=Counter)  # ... on a to-remove span
    keep: Counter[str] = field(default_factory=Counter)  # look-alike spans per type
    kept: Counter[str] = field(default_factory=Counter)

    def recall(self, kind: str) -> float:
        n = self.gold[kind]
        return self.found[kind] / n if n else 1.0

    def precision(self, kind: str) -> float:
        n = self.placed[kind]
        return self.placed_right[kind] / n if n else 1.0

    def structured_recall(self) -> float:
        n = sum(self.gold[t] for t in STRUCTURED_GOLD)
        return sum(self.found[t] for t in STRUCTURED_GOLD) / n if n else 1.0

    def overall_precision(self) -> float:
        n = sum(self.placed.values())
        return sum(self.placed_right.values()) / n if n else 1.0

    def kept_share(self, kind: str | None = None) -> float:
        kinds = (kind,) if kind else KEEP
        n = sum(self.keep[k] for k in kinds)
        return sum(self.kept[k] for k in kinds) / n if n else 1.0


def _covered(text: str, span: Span, redacted: Sequence[tuple[int, int]]) -> bool:
    """Every letter and digit of the span lies inside some redacted span."""
    for i in range(span.start, span.end):
        if text[i].isalnum() and not any(s <= i < e for s, e in redacted):
            return False
    return any(s < span.end and span.start < e for s, e in redacted)


def score(scrubber: SupportsSpans, units: Iterable[Unit]) -> RealScore:
    out = RealScore()
    for u in units:
        t0, c0 = time.perf_counter(), time.process_time()
        found = scrubber.spans(u.text)
        out.seconds += time.perf_counter() - t0
        out.cpu_seconds += time.process_time() - c0
        out.units += 1
        out.chars += len(u.text)
        redacted = [(s, e) for s, e, _ in found]
        remove = [sp for sp in u.spans if sp.type in REMOVE]
        for sp in u.spans:
            if sp.type in REMOVE:
                out.gold[sp.type] += 1
                out.found[sp.type] += _covered(u.text, sp, redacted)
            elif sp.type in KEEP:
                out.keep[sp.type] += 1
                touched = any(s < sp.end and sp.start < e for s, e in redacted)
                out.kept[sp.type] += not touched
        for s, e, kind in found:
            gold_type = GOLD_TYPE[kind]
            out.placed[gold_type] += 1
            out.placed_right[gold_type] += any(sp.start < e and s < sp.end for sp in remove)
    return out


def rows(label: str, result: RealScore) -> list[dict[str, object]]:
    """Benchmark rows: per to-remove type recall (found/n) and precision, then look-alikes."""
    table: list[dict[str, object]] = []
    for kind in REMOVE:
        table.append(
            {
                "scrubber": label,
                "type": kind,
                "n": result.gold[kind],
                "found": result.found[kind],
                "recall": round(result.recall(kind), 3),
                "placeholders": result.placed[kind],
                "precision": round(result.precision(kind), 3),
            }
        )
    for kind in KEEP:
        table.append(
            {
                "scrubber": label,
                "type": f"keep:{kind}",
                "n": result.keep[kind],
                "found": result.kept[kind],
                "recall": round(result.kept_share(kind), 3),
                "placeholders": None,
                "precision": None,
            }
        )
    table.append(
        {
            "scrubber": label,
            "type": "ALL structured / kept / precision",
            "n": sum(result.gold[t] for t in STRUCTURED_GOLD),
            "found": sum(result.found[t] for t in STRUCTURED_GOLD),
            "recall": round(result.structured_recall(), 3),
            "placeholders": sum(result.placed.values()),
            "precision": round(result.overall_precision(), 3),
        }
    )
    return table
