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

# Measured 2026-12-02 on the test split of the set after wave 4 (1,235 units: wave 1's 386, wave
# 2's 133, wave 3's 354, wave 4's 362), after tuning on the dev split only: value, allowed
# worsening (about 1.5 standard errors). Waves 3 and 4 were drawn after every rule was written,
# so they are the fairest samples: on wave 4's 362 test units alone the strong scrubber finds 11 of
# 22 names at precision 0.10 (126 [NAME]). The strong scrubber's figures were measured again on
# 2026-12-03 (branch pii7), once, after its name rules were tuned on the dev split, and again
# once (branch keep15) after Pantheon 1.0's famous people joined its keep list.
BASELINE: dict[str, dict[str, tuple[float, float]]] = {
    "strong": {
        "person_recall": (0.555, 0.051),  # 121 of 218 (117 before the speakers/headers round)
        # 127 of 453 [NAME] (459 before Pantheon's famous people, branch keep15; 473 before the
        # speakers/headers round, 483 before WordNet's names)
        "person_precision": (0.280, 0.031),
        # 121 of 154 (105 before the layout/cue round; unchanged by the recurrence round and by
        # the real-formats round of 2026-12-03, branch piistruct9)
        "structured_recall": (0.786, 0.050),
        # 3,831 of 4,046 look-alikes (3,825 before Pantheon's famous people, branch keep15;
        # 3,809 before the credits/places round, 3,805 before its speakers needed a real chat's
        # sign; 3,799 before WordNet's notable names)
        "kept": (0.947, 0.005),
    },
    "fast": {
        "person_recall": (0.197, 0.040),  # 43 of 218
        "person_precision": (0.227, 0.044),  # of 207 [NAME]
        # 101 of 154, unchanged when it took on dates of birth and coordinates (piistruct9)
        "structured_recall": (0.656, 0.057),
        "kept": (0.957, 0.005),  # 3,873 of 4,046
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
    assert len(units) == 1235
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
