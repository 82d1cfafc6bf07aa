"""The offline classifier: hand-written requests, the work screen, confidence and quality."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from econ_index.classify.calibration import (
    FEATURES,
    Calibration,
    fit_platt,
    load_calibration,
    write_calibration,
)
from econ_index.classify.local import LocalClassifier, bench_local, fit_calibration
from econ_index.evaluate import evaluate
from econ_index.taxonomy import Taxonomy
from econ_index.types import Label, Message, Pattern, ScrubbedConversation

# Realistic requests across SOC major groups: (request, expected major group, occupation
# expected among the top three candidates or None).
WORK = [
    (
        "I'm getting a KeyError when I merge two pandas dataframes in my python script. Can you "
        "fix the code?",
        "15",
        None,
    ),
    ("Set up a firewall rule on our linux server to block inbound traffic except SSH", "15", None),
    ("Run a linear regression on this survey dataset and interpret the coefficients", "15", None),
    ("Draft a lesson plan for my 5th grade class on adding fractions", "25", None),
    ("Design a logo concept for a client's coffee shop brand", "27", "Graphic Designers"),
    (
        "Translate this product description from English into Spanish for our online store",
        "27",
        "Interpreters and Translators",
    ),
    (
        "Write a press release announcing our new product launch",
        "27",
        "Public Relations Specialists",
    ),
    (
        "Schedule the team meetings for next week and prepare an agenda for the quarterly review",
        "43",
        None,
    ),
    (
        "Prepare the monthly budget variance report for the finance department",
        "13",
        "Budget Analysts",
    ),
    (
        "Help me reconcile these accounts payable entries in the general ledger",
        "43",
        "Bookkeeping, Accounting, and Auditing Clerks",
    ),
    (
        "Analyze our competitors' pricing and write a market research summary",
        "13",
        "Market Research Analysts and Marketing Specialists",
    ),
    ("Draft a motion to dismiss for the court in a breach of contract lawsuit", "23", None),
    (
        "Write patient discharge instructions explaining medication dosage after knee surgery",
        "29",
        None,
    ),
    (
        "Write a sales pitch for our enterprise software to send to prospective customers",
        "41",
        None,
    ),
    ("Write song lyrics and a chord progression for a client's jingle", "27", None),
    (
        "Write a SQL query that returns the top 10 customers by revenue from our orders table",
        "15",
        None,
    ),
    ("Our React app re-renders too often; refactor this component to use memoization", "15", None),
    ("Create a 10-question quiz for my high school biology students on cell division", "25", None),
    ("Write a blog article about remote work productivity for our company website", "27", None),
    (
        "Edit this manuscript chapter for grammar and clarity before I send it to the publisher",
        "27",
        None,
    ),
    (
        "Draft an email to a customer apologizing for the delayed shipment and offering a refund",
        "43",
        None,
    ),
    (
        "Write a job description for a senior accountant and interview questions for applicants",
        "13",
        None,
    ),
    (
        "Summarize this clinical trial paper on a new diabetes drug for our research group",
        "19",
        None,
    ),
    (
        "Review this contract clause for indemnification risk and suggest revisions for our client",
        "23",
        None,
    ),
    ("Create a marketing campaign plan with social media posts for our spring sale", "11", None),
    ("Develop a strategic plan and budget for our nonprofit's next fiscal year", "11", None),
    ("Calculate the load on this steel beam for the building design", "17", None),
    ("Design a PCB circuit for a temperature sensor with a microcontroller", "17", None),
    (
        "Create a weekly meal plan for the residents of our assisted living facility with dietary "
        "restrictions",
        "29",
        None,
    ),
    (
        "Write a grant proposal for our community outreach program serving homeless families",
        "21",
        None,
    ),
]
CLEAR = WORK[:15]  # the rest are harder: the taxonomy offers close alternatives

NOT_WORK = [
    "what's a good recipe for lasagna tonight? my kids hate spinach",
    "tell me a joke about cats",
    "who won the world cup in 2014?",
    "hi how are you",
    "I feel lonely since my girlfriend and I broke up, what should I do",
    "write a funny poem for my mom's birthday",
    "what movies should I watch this weekend on netflix",
    "how do I get better at fortnite",
    "plan a 5 day vacation itinerary for my family in Italy",
    "what's the capital of australia",
    "suggest a workout routine to lose weight at the gym",
    "give me some fun facts about octopuses",
]


def conversation(*user_turns: str, key: str = "k") -> ScrubbedConversation:
    messages: list[Message] = []
    for turn in user_turns:
        messages.append(Message("user", turn))
        messages.append(Message("assistant", "Sure, here it is."))
    return ScrubbedConversation(key, "u", datetime(2025, 1, 6, tzinfo=UTC), tuple(messages), False)


@pytest.fixture(scope="module")
def classifier(taxonomy: Taxonomy) -> LocalClassifier:
    return LocalClassifier(taxonomy, mode="lexical")


def _labels(classifier: LocalClassifier, texts: list[str]) -> list[Label]:
    results = classifier.classify([conversation(t) for t in texts])
    assert all(isinstance(r, Label) for r in results)
    return [r for r in results if isinstance(r, Label)]


@pytest.mark.parametrize(("text", "major", "occupation"), CLEAR)
def test_clear_requests_land_in_the_right_group(
    classifier: LocalClassifier, taxonomy: Taxonomy, text: str, major: str, occupation: str | None
) -> None:
    [label] = _labels(classifier, [text])
    assert label.is_work and label.onet_task_id is not None
    assert taxonomy.by_id[label.onet_task_id].major_soc_code.startswith(major)
    if occupation is not None:
        [candidates] = classifier.shortlist([conversation(text)], k=3)
        assert occupation in {task.occupation_title for task, _ in candidates}


def test_most_hand_written_requests_are_work_in_the_right_group(
    classifier: LocalClassifier, taxonomy: Taxonomy
) -> None:
    labels = _labels(classifier, [text for text, _, _ in WORK])
    assert sum(label.is_work for label in labels) >= 0.9 * len(WORK)
    right = sum(
        label.onet_task_id is not None
        and taxonomy.by_id[label.onet_task_id].major_soc_code.startswith(major)
        for label, (_, major, _) in zip(labels, WORK, strict=True)
    )
    assert right >= 0.6 * len(WORK)


def test_personal_chatter_is_not_work(classifier: LocalClassifier) -> None:
    for label in _labels(classifier, NOT_WORK):
        assert not label.is_work
        assert label.onet_task_id is None
        assert label.pattern is Pattern.NONE


def test_pattern_follows_the_dialogue(classifier: LocalClassifier) -> None:
    [result] = classifier.classify(
        [
            conversation(
                "Write a python function that parses ISO dates from our API logs.",
                "I ran it and got ValueError: invalid isoformat string",
            )
        ]
    )
    assert isinstance(result, Label) and result.pattern is Pattern.FEEDBACK_LOOP


def test_confidence_is_a_probability(classifier: LocalClassifier) -> None:
    labels = _labels(classifier, [t for t, _, _ in WORK] + NOT_WORK)
    assert all(0.0 <= label.confidence <= 1.0 for label in labels)
    work = [label.confidence for label in labels if label.is_work]
    # Realistic requests are mostly kept at the default threshold.
    assert np.mean(np.array(work) < classifier.calibration.threshold) <= 0.15


def test_confidence_is_monotone_in_every_feature(classifier: LocalClassifier) -> None:
    calibration = classifier.calibration
    base = np.array([[0.3, 0.02, 1.0]])
    for column in range(len(FEATURES)):
        grid = np.repeat(base, 20, axis=0)
        grid[:, column] += np.linspace(0.0, 1.0, 20)
        assert np.all(np.diff(calibration.probability(grid)) >= 0)


def test_clearer_match_gets_more_confidence(classifier: LocalClassifier) -> None:
    vague, clear = _labels(
        classifier,
        [
            "Can you help with the thing for the office?",
            "Write a press release announcing our new product launch to the media",
        ],
    )
    assert clear.is_work and clear.confidence > (vague.confidence if vague.is_work else 0.0)


def test_deterministic_and_independent_of_the_batch(classifier: LocalClassifier) -> None:
    texts = [t for t, _, _ in WORK[:10]]
    together = _labels(classifier, texts)
    assert _labels(classifier, texts) == together
    alone = [_labels(classifier, [t])[0] for t in texts]
    shuffled = _labels(classifier, list(reversed(texts)))[::-1]
    for other in (alone, shuffled):
        # Vectorised floating point may differ in the last bit with the batch's layout.
        assert [(x.onet_task_id, x.pattern, x.is_work) for x in other] == [
            (x.onet_task_id, x.pattern, x.is_work) for x in together
        ]
        assert [x.confidence for x in other] == pytest.approx([x.confidence for x in together])


def test_shortlist_is_ranked_and_agrees_with_classify(
    classifier: LocalClassifier, taxonomy: Taxonomy
) -> None:
    convs = [conversation(t) for t, _, _ in WORK[:5]] + [conversation("hi")]
    lists = classifier.shortlist(convs, k=20)
    labels = classifier.classify(convs)
    assert [len(candidates) for candidates in lists] == [20] * len(convs)
    for candidates, label in zip(lists, labels, strict=True):
        scores = [score for _, score in candidates]
        assert scores == sorted(scores, reverse=True)
        assert all(taxonomy.by_id[task.task_id] is task for task, _ in candidates)
        assert len({task.task_id for task, _ in candidates}) == 20
        if isinstance(label, Label) and label.is_work:
            assert candidates[0][0].task_id == label.onet_task_id


def test_edge_inputs(classifier: LocalClassifier) -> None:
    assert classifier.classify([]) == []
    assert classifier.shortlist([]) == []
    silent = ScrubbedConversation(
        "k", "u", datetime(2025, 1, 6, tzinfo=UTC), (Message("assistant", "Hello!"),), False
    )
    [label] = classifier.classify([silent])
    assert isinstance(label, Label) and not label.is_work


def test_interface(classifier: LocalClassifier, taxonomy: Taxonomy) -> None:
    assert classifier.name == "local-tfidf"
    assert taxonomy.onet_version in classifier.version
    assert classifier.usage.cost_usd == 0.0
    with pytest.raises(ValueError, match="unknown mode"):
        LocalClassifier(taxonomy, mode="telepathy")


def test_platt_fit_is_monotone_and_round_trips(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=(400, 3))
    truth = 1 / (1 + np.exp(-(-3 + 4 * x[:, 0] + 2 * x[:, 1])))
    y = rng.uniform(size=400) < truth
    calibration = fit_platt(x, y.tolist(), fitted_on="synthetic")
    assert all(w >= 0 for w in calibration.weights)
    assert calibration.weights[0] > calibration.weights[2]
    assert 0.0 <= calibration.filtered_share <= 1.0
    path = write_calibration(calibration, tmp_path / "cal.json")
    assert load_calibration(path) == calibration
    with pytest.raises(ValueError):
        fit_platt(x[:, :2], y.tolist(), fitted_on="bad")


def test_shipped_calibration_loads() -> None:
    calibration = load_calibration()
    assert isinstance(calibration, Calibration)
    assert 0.0 < calibration.threshold < 0.5


def test_fit_calibration_on_labelled_conversations(
    classifier: LocalClassifier, taxonomy: Taxonomy
) -> None:
    by_title = {t.occupation_title: t for t in taxonomy.tasks}
    convs = [conversation(t) for t, _, _ in WORK] + [conversation(t) for t in NOT_WORK]
    gold: list[str | None] = [
        classifier.shortlist([c], k=1)[0][0][0].task_id
        if i % 3
        else by_title["Chief Executives"].task_id
        for i, c in enumerate(convs[: len(WORK)])
    ] + [None] * len(NOT_WORK)
    calibration = fit_calibration(taxonomy, convs, gold, fitted_on="hand-written")
    assert calibration.n == len(WORK)
    assert 0.5 < calibration.task_accuracy < 0.8


def test_bench_reports_rates(taxonomy: Taxonomy) -> None:
    result = bench_local(
        taxonomy, [conversation(t, key=str(i)) for i, (t, _, _) in enumerate(WORK)]
    )
    assert result["conversations"] == len(WORK)
    assert result["conversations_per_s"] > 0 and result["index_build_s"] > 0


def test_quality_on_a_small_generated_set(classifier: LocalClassifier, taxonomy: Taxonomy) -> None:
    # Guards the evaluation targets (task >= 0.5, pattern >= 0.8, TVD <= 0.05 at n=2000)
    # with a margin for a small set.
    report = evaluate(classifier, taxonomy, n=300, seed=5, batch_size=300)
    assert report.task_top1_accuracy >= 0.6
    assert report.pattern_accuracy >= 0.75
    assert report.soc_major_group_tvd <= 0.10
