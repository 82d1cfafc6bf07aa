"""Evaluation metrics on hand-made cases, against sklearn, and end to end with toy classifiers."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import cast

import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score, precision_score, recall_score

from econ_index.evaluate import evaluate, expected_calibration_error, reliability_table, score
from econ_index.generate import GoldLabel, generate_corpus
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    Label,
    Pattern,
    ScrubbedConversation,
    Usage,
)

Result = Label | ClassifierFailure


def _task(task_id: str, soc: str, statement: str) -> Task:
    return Task(task_id, soc, statement, "Core", f"Occupation {soc}", soc[:2] + "-0000")


# Two major groups; "Write code." is held by two occupations in different groups.
TINY = Taxonomy(
    tasks=(
        _task("1", "15-1252.00", "Write code."),
        _task("2", "15-1252.00", "Review code changes."),
        _task("3", "15-1299.00", "Design databases."),
        _task("4", "27-3043.00", "Write code."),
        _task("5", "27-3043.00", "Edit manuscripts."),
    ),
    onet_version="tiny",
    major_titles={},
    aei_usage={},
)


def _gold(task: str | None, pattern: Pattern) -> GoldLabel:
    return GoldLabel("c", task, pattern, task is not None)


def _label(task: str | None, pattern: Pattern, confidence: float = 0.9) -> Label:
    return Label(task, pattern, confidence, task is not None)


def test_score_on_a_hand_made_case() -> None:
    golds = [
        _gold("1", Pattern.DIRECTIVE),
        _gold("2", Pattern.LEARNING),
        _gold("3", Pattern.DIRECTIVE),
        _gold("5", Pattern.VALIDATION),
        _gold(None, Pattern.NONE),
        _gold(None, Pattern.NONE),
    ]
    preds: list[Result] = [
        _label("4", Pattern.DIRECTIVE, 0.95),  # same statement, other occupation: right
        _label("3", Pattern.DIRECTIVE, 0.85),  # other occupation (15-1299), same major group
        _label("2", Pattern.DIRECTIVE, 0.75),  # wrong task and occupation, same major group
        ClassifierFailure("timeout"),
        _label(None, Pattern.NONE, 0.65),
        _label("5", Pattern.LEARNING, 0.55),  # chatter labelled as work
    ]
    report = score(golds, preds, TINY)
    assert report.n_conversations == 6 and report.n_work == 4 and report.n_failures == 1
    assert report.task_top1_accuracy == pytest.approx(1 / 4)
    assert report.occupation_accuracy == pytest.approx(1 / 4)
    assert report.soc_major_group_accuracy == pytest.approx(3 / 4)
    assert report.pattern_accuracy == pytest.approx(3 / 6)
    assert report.none_precision == pytest.approx(1.0)
    assert report.none_recall == pytest.approx(1 / 2)
    # true groups 15,15,15,27 -> (.75,.25); predicted 27,15,15,27 -> (.5,.5)
    assert report.soc_major_group_tvd == pytest.approx(0.25)
    assert report.pattern_recall == {
        "directive": 1.0,
        "learning": 0.0,
        "none": 0.5,
        "validation": 0.0,
    }
    # labelled conversations: hits at confidence .95 and .65, misses at .85, .75, .55
    assert [(b.lower, b.n, b.accuracy) for b in report.reliability] == [
        (0.5, 1, 0.0),
        (0.6, 1, 1.0),
        (0.7, 1, 0.0),
        (0.8, 1, 0.0),
        (0.9, 1, 1.0),
    ]
    assert report.expected_calibration_error == pytest.approx(
        (0.55 + 0.35 + 0.75 + 0.85 + 0.05) / 5
    )
    assert report.as_dict()["task_top1_accuracy"] == report.task_top1_accuracy


def test_score_agrees_with_sklearn() -> None:
    rng = random.Random(4)
    patterns = list(Pattern)
    ids = [None, *(t.task_id for t in TINY.tasks)]
    golds, preds = [], []
    for _ in range(300):
        task = rng.choice(ids)
        golds.append(_gold(task, Pattern.NONE if task is None else rng.choice(patterns[:5])))
        preds.append(_label(rng.choice(ids), rng.choice(patterns), rng.random()))
    report = score(golds, preds, TINY)
    y_true = [g.pattern.value for g in golds]
    y_pred = [p.pattern.value for p in preds]
    assert report.pattern_accuracy == pytest.approx(accuracy_score(y_true, y_pred))
    assert report.pattern_kappa == pytest.approx(cohen_kappa_score(y_true, y_pred))
    none_true = [g.onet_task_id is None for g in golds]
    none_pred = [p.onet_task_id is None for p in preds]
    assert report.none_precision == pytest.approx(precision_score(none_true, none_pred))
    assert report.none_recall == pytest.approx(recall_score(none_true, none_pred))


def test_reliability_table_bins_and_ece() -> None:
    table = reliability_table([0.05, 0.15, 0.95, 1.0], [False, True, True, False], bins=10)
    assert [(b.lower, b.upper, b.n) for b in table] == [(0.0, 0.1, 1), (0.1, 0.2, 1), (0.9, 1.0, 2)]
    assert table[2].mean_confidence == pytest.approx(0.975) and table[2].accuracy == 0.5
    assert expected_calibration_error(table) == pytest.approx((0.05 + 0.85 + 2 * 0.475) / 4)
    assert reliability_table([], []) == [] and expected_calibration_error([]) == 0.0
    with pytest.raises(ValueError):
        reliability_table([0.5], [True, False])


class _Oracle:
    """Answers from the gold labels, found by the conversation's messages."""

    name = "oracle"
    version = "1"

    def __init__(self, taxonomy: Taxonomy, n: int, seed: int) -> None:
        self.usage = Usage()
        self.gold = {
            tuple(m["content"] for m in cast(list[dict[str, str]], record["messages"])): gold
            for record, gold in generate_corpus(taxonomy, n, seed)
        }

    def classify(self, conversations: Sequence[ScrubbedConversation]) -> list[Result]:
        golds = [self.gold[tuple(m.content for m in c.messages)] for c in conversations]
        return [Label(g.onet_task_id, g.pattern, 1.0, g.is_work) for g in golds]


class _Random:
    name = "random"
    version = "1"

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.usage = Usage()
        self.ids = [t.task_id for t in taxonomy.tasks]
        self.rng = random.Random(0)

    def classify(self, conversations: Sequence[ScrubbedConversation]) -> list[Result]:
        out: list[Result] = []
        for _ in conversations:
            is_work = self.rng.random() < 0.5
            task = self.rng.choice(self.ids) if is_work else None
            out.append(Label(task, self.rng.choice(list(Pattern)), self.rng.random(), is_work))
        return out


def test_an_oracle_scores_perfectly(taxonomy: Taxonomy) -> None:
    report = evaluate(_Oracle(taxonomy, 300, 11), taxonomy, n=300, batch_size=64)
    assert report.n_conversations == 300
    assert report.task_top1_accuracy == report.occupation_accuracy == 1.0
    assert report.soc_major_group_accuracy == report.pattern_accuracy == 1.0
    assert report.pattern_kappa == pytest.approx(1.0)
    assert report.none_precision == report.none_recall == 1.0
    assert report.soc_major_group_tvd == 0.0
    assert report.n_failures == 0


def test_a_random_classifier_scores_low(taxonomy: Taxonomy) -> None:
    report = evaluate(_Random(taxonomy), taxonomy, n=300)
    assert report.task_top1_accuracy < 0.02
    assert report.soc_major_group_accuracy < 0.3
    assert abs(report.pattern_kappa) < 0.1
    assert report.none_precision < 0.25
    assert report.soc_major_group_tvd > 0.2
    assert report.expected_calibration_error > 0.3


def test_prepare_is_applied_and_result_count_is_checked(taxonomy: Taxonomy) -> None:
    seen: list[Conversation] = []

    def prepare(conversation: Conversation) -> ScrubbedConversation:
        seen.append(conversation)
        return ScrubbedConversation("k", "u", conversation.created_at, conversation.messages, True)

    evaluate(_Random(taxonomy), taxonomy, n=20, seed=2, prepare=prepare)
    assert len(seen) == 20 and all(c.created_at.tzinfo is not None for c in seen)

    class Short(_Random):
        def classify(self, conversations: Sequence[ScrubbedConversation]) -> list[Result]:
            return super().classify(conversations)[1:]

    with pytest.raises(ValueError, match="returned"):
        evaluate(Short(taxonomy), taxonomy, n=10)
