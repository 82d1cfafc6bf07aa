"""The learned model on hand-made conversations: fit, vote, save and load, and the gold reader."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from econ_index.classify.learned import fit_model, load_model
from econ_index.classify.local import LocalClassifier
from econ_index.evaluate import Gold, GoldFileError, read_gold, score
from econ_index.taxonomy import Taxonomy
from econ_index.types import Label, Message, Pattern, ScrubbedConversation

CODE, ESSAY = "16120", "11051"  # two statements of the shipped taxonomy


def _conv(*users: str) -> ScrubbedConversation:
    messages = tuple(m for u in users for m in (Message("user", u), Message("assistant", "Sure.")))
    return ScrubbedConversation("k", "u", datetime(2023, 3, 1, tzinfo=UTC), messages, False)


TRAIN = [
    (_conv("write a python function that parses csv files"), CODE, Pattern.DIRECTIVE),
    (_conv("write a javascript function to sort an array"), CODE, Pattern.DIRECTIVE),
    (
        _conv("fix this python function, it throws an error", "still getting the error"),
        CODE,
        Pattern.FEEDBACK_LOOP,
    ),
    (_conv("write an essay about the french revolution"), ESSAY, Pattern.DIRECTIVE),
    (_conv("write an essay on climate policy", "make it shorter"), ESSAY, Pattern.TASK_ITERATION),
    (_conv("hi how are you today"), None, Pattern.NONE),
    (_conv("tell me a joke about cats"), None, Pattern.NONE),
]


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    convs, tasks, patterns = zip(*TRAIN, strict=True)
    return fit_model(list(convs), list(tasks), [[] for _ in TRAIN], list(patterns), fitted_on="t")


def test_neighbours_vote_for_the_activity_they_share(model) -> None:  # type: ignore[no-untyped-def]
    votes = model.votes(model.vectors([_conv("write a python function that reverses a list")]))
    assert max(votes[0], key=votes[0].get) == CODE
    assert sum(votes[0].values()) == pytest.approx(1.0)


def test_a_saved_model_loads_equal(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "model.npz"
    model.save(path)
    again = load_model(path)
    probe = [_conv("write an essay about rome"), _conv("hello there")]
    assert again.memory_tasks == model.memory_tasks and again.fitted_on == "t"
    np.testing.assert_allclose(
        again.p_work(again.vectors(probe)), model.p_work(model.vectors(probe)), atol=1e-5
    )
    assert again.patterns(probe) == model.patterns(probe)


def test_the_classifier_labels_with_the_fitted_model(taxonomy: Taxonomy, model) -> None:  # type: ignore[no-untyped-def]
    local = LocalClassifier(taxonomy, model=model)
    labels = local.classify([_conv("write a python function that reverses a list")])
    assert isinstance(labels[0], Label) and labels[0].onet_task_id == CODE
    assert local.shortlist([_conv("write an essay about rome")], k=5)[0][0][0].task_id == ESSAY


def test_fitting_needs_both_sides_of_the_screen() -> None:
    with pytest.raises(ValueError, match="both work and not-work"):
        fit_model([_conv("a")], ["1"], [[]], [Pattern.DIRECTIVE], fitted_on="t")


def test_an_accepted_alternative_counts_as_right(taxonomy: Taxonomy) -> None:
    gold = [Gold(CODE, Pattern.DIRECTIVE, frozenset({CODE, ESSAY}))]
    report = score(
        gold, [Label(ESSAY, Pattern.DIRECTIVE, 0.5, True)], taxonomy, shortlists=[["1", ESSAY]]
    )
    assert report.task_acceptable == 1.0 and report.task_top1_accuracy == 0.0
    assert report.shortlist_recall_at_1 == 0.0 and report.shortlist_recall_at_5 == 1.0


def _write(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def _record(gold: dict[str, object]) -> dict[str, object]:
    return {
        "conversation_id": "c",
        "created_at": "2023-03-01T00:00:00Z",
        "messages": [{"role": "user", "content": "hi"}],
        "gold": gold,
    }


def test_the_gold_reader_keeps_one_split_and_names_bad_lines(
    taxonomy: Taxonomy, tmp_path: Path
) -> None:
    good = {
        "is_work": True,
        "task_id": CODE,
        "acceptable_task_ids": [ESSAY],
        "pattern": "directive",
        "language": "de",
        "split": "test",
    }
    path = _write(tmp_path / "g.jsonl", _record(good), _record({**good, "split": "train"}))
    pairs = list(read_gold(path, taxonomy, "test"))
    assert len(pairs) == 1 and pairs[0][1].acceptable == frozenset({ESSAY})
    bad = _write(tmp_path / "b.jsonl", _record(good), _record({**good, "task_id": "nope"}))
    with pytest.raises(GoldFileError, match=r"b\.jsonl:line 2: task id nope"):
        list(read_gold(bad, taxonomy))
    no_task = _write(tmp_path / "n.jsonl", _record({**good, "task_id": None}))
    with pytest.raises(GoldFileError, match="line 1: a work conversation needs a task_id"):
        list(read_gold(no_task, taxonomy))
    with pytest.raises(GoldFileError, match="unknown split"):
        list(read_gold(path, taxonomy, "holdout"))
