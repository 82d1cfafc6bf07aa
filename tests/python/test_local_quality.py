"""Regression guard for the local backend's quality (not timed).

A fixed labelled set (n=800, seed 29), scrubbed through the privacy wall as the pipeline does, is
scored and compared with the figures measured when this test was written. A metric may drift by
its margin either way without failing; a larger drop fails. The set is smaller than the n=2000
evaluation whose figures ``make bench`` prints, so its TVD is noisier (0.051 here vs 0.034).
If the classifier improves, raise the baseline in the same commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

import quality_margins
from econ_index.classify.local import LocalClassifier
from econ_index.evaluate import EvalReport, evaluate
from econ_index.pipeline import Preparer
from econ_index.privacy import Keyer
from econ_index.scrub import Scrubber
from econ_index.taxonomy import Taxonomy
from econ_index.types import ClassifierFailure, Label, Pattern, ScrubbedConversation

N, SEED = 800, 29

# Measured 2026-11-30 on this set (local-tfidf, ALGORITHM_VERSION 1): value, allowed worsening.
BASELINE: dict[str, tuple[float, float]] = {
    "task_top1_accuracy": (0.835, 0.03),
    "occupation_accuracy": (0.862, 0.03),
    "soc_major_group_accuracy": (0.889, 0.03),
    "pattern_accuracy": (0.851, 0.03),
    "pattern_kappa": (0.812, 0.04),
    "none_recall": (0.831, 0.06),
    "none_precision": (0.597, 0.08),
}
# Lower is better for these: value, allowed increase.
BASELINE_AT_MOST: dict[str, tuple[float, float]] = {
    "soc_major_group_tvd": (0.051, 0.015),
    "expected_calibration_error": (0.046, 0.025),
}


def regressions(report: EvalReport) -> list[str]:
    return quality_margins.regressions(report, BASELINE, BASELINE_AT_MOST)


def _evaluate(classifier: object, taxonomy: Taxonomy) -> EvalReport:
    prepare = Preparer(Scrubber(), Keyer(b"q" * 32))
    return evaluate(classifier, taxonomy, n=N, seed=SEED, prepare=prepare)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def local(taxonomy: Taxonomy) -> LocalClassifier:
    return LocalClassifier(taxonomy, mode="lexical")


def test_local_quality_stays_within_its_margins(local: LocalClassifier, taxonomy: Taxonomy) -> None:
    report = _evaluate(local, taxonomy)
    assert report.n_conversations == N and report.n_failures == 0
    assert regressions(report) == []
    # The targets hold on this set too, except TVD, which needs the larger set.
    assert report.task_top1_accuracy >= 0.5 and report.pattern_accuracy >= 0.8


class _Degraded:
    """The local classifier with every ``every``-th label damaged: task or pattern."""

    def __init__(self, inner: LocalClassifier, *, every: int, what: str) -> None:
        self.inner, self.every, self.what = inner, every, what
        self.name, self.version, self.usage = inner.name, inner.version, inner.usage
        self.seen = 0
        self.other_task = inner.taxonomy.tasks[0].task_id

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        out = []
        for label in self.inner.classify(conversations):
            self.seen += 1
            if isinstance(label, Label) and label.is_work and self.seen % self.every == 0:
                if self.what == "task":
                    label = replace(label, onet_task_id=self.other_task)
                else:
                    others = [p for p in Pattern if p not in (label.pattern, Pattern.NONE)]
                    label = replace(label, pattern=others[self.seen % len(others)])
            out.append(label)
        return out


@pytest.mark.parametrize("what", ["task", "pattern"])
def test_the_guard_catches_a_drop_of_a_few_points(
    local: LocalClassifier, taxonomy: Taxonomy, what: str
) -> None:
    # Damaging one work label in 16 (about 5 points) must trip the guard.
    report = _evaluate(_Degraded(local, every=16, what=what), taxonomy)
    failed = regressions(report)
    assert failed, f"a {what} drop went unnoticed"
    assert any(
        ("task" in f or "occupation" in f) if what == "task" else "pattern" in f for f in failed
    )
