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

# Measured 2026-12-02 on the test split of the set after wave 3 (873 units: wave 1's 386, wave
# 2's 133, wave 3's 354), after tuning on the dev split only: value, allowed worsening (about 1.5
# standard errors). Wave 3 was drawn after every rule was written, so it is the fairest sample:
# on its 354 test units alone the strong scrubber finds 15 of 45 names (0.33) at precision 0.14,
# far below wave 1's 78 of 124; every name and structured figure here is lower than on the
# 519-unit baselines (look-alikes kept rose a little).
BASELINE: dict[str, dict[str, tuple[float, float]]] = {
    "strong": {
        "person_recall": (0.541, 0.053),  # 106 of 196
        "person_precision": (0.308, 0.037),  # of 357 [NAME]
        "structured_recall": (0.786, 0.050),  # 121 of 154 (105 before the layout/cue round)
        "kept": (0.946, 0.006),  # 2,868 of 3,032 look-alikes
    },
    "fast": {
        "person_recall": (0.214, 0.044),  # 42 of 196
        "person_precision": (0.265, 0.051),  # of 170 [NAME]
        "structured_recall": (0.656, 0.057),  # 101 of 154
        "kept": (0.953, 0.006),  # 2,890 of 3,032
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
    assert len(units) == 873
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
