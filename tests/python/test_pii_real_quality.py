"""Regression guard for both scrubbers on the real PII set's test split (issue #17; not timed).

The PII set (``evaluation/piiset``, rebuilt into ``build/piiset/gold.jsonl`` by ``make piiset``)
is scored span by span (``econ_index.piiset_eval``). A metric may drift by its margin (about 1.5
standard errors) without failing; a larger drop fails. The test split is never used to tune: if a
scrubber improves, raise its baseline in the same commit. The issue's targets (names R ≥ 0.90 at
P ≥ 0.80, structured R ≥ 0.99, look-alikes kept ≥ 0.95) are NOT met yet: these are the measured
values, kept from getting worse.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from econ_index.piiset_eval import RealScore, load_gold, score
from econ_index.scrub import Scrubber
from econ_index.scrub_strong import StrongScrubber

GOLD = Path(
    os.environ.get("ECON_INDEX_PIISET", Path(__file__).parents[2] / "build/piiset/gold.jsonl")
)

# Measured 2026-12-02 on the test split of the enlarged set (519 units: wave 1's 386 and wave
# 2's 133), after tuning on the dev split only: value, allowed worsening (about 1.5 standard
# errors). The wave 2 units moved every figure; the only one lower than on wave 1's 386 units is
# the strong scrubber's name recall (78 of 124 = 0.629 there), with the same name rules. The
# structured detectors of wave 2 find 95 of 114 (was 92) on wave 1's test units.
BASELINE: dict[str, dict[str, tuple[float, float]]] = {
    "strong": {
        "person_recall": (0.603, 0.06),  # 91 of 151
        "person_precision": (0.384, 0.047),  # of 245 [NAME]
        "structured_recall": (0.818, 0.053),  # 99 of 121
        "kept": (0.939, 0.008),  # 1,762 of 1,876 look-alikes
    },
    "fast": {
        "person_recall": (0.232, 0.052),  # 35 of 151
        "person_precision": (0.398, 0.076),  # of 93 [NAME]
        "structured_recall": (0.785, 0.056),  # 95 of 121
        "kept": (0.948, 0.008),  # 1,779 of 1,876
    },
}


def _metrics(s: RealScore) -> dict[str, float]:
    return {
        "person_recall": s.recall("PERSON"),
        "person_precision": s.precision("PERSON"),
        "structured_recall": s.structured_recall(),
        "kept": s.kept_share(),
    }


@pytest.fixture(scope="module")
def scores() -> dict[str, RealScore]:
    if not GOLD.is_file():
        pytest.fail(f"{GOLD} is missing: `make piiset` rebuilds it from the labels and the wheel")
    units = load_gold(GOLD, "test")
    assert len(units) == 519
    return {"fast": score(Scrubber(), units), "strong": score(StrongScrubber(), units)}


@pytest.mark.slow
@pytest.mark.parametrize("scrubber", ["strong", "fast"])
def test_real_pii_scores_stay_within_their_margins(
    scores: dict[str, RealScore], scrubber: str
) -> None:
    measured = _metrics(scores[scrubber])
    failed = [
        f"{name} {measured[name]:.3f} < {base - margin:.3f}"
        for name, (base, margin) in BASELINE[scrubber].items()
        if measured[name] < base - margin
    ]
    assert failed == []


@pytest.mark.slow
def test_the_strong_scrubber_finds_more_names(scores: dict[str, RealScore]) -> None:
    assert scores["strong"].found["PERSON"] > scores["fast"].found["PERSON"]
