"""The synthetic corpus: determinism, schema, mix of patterns, length, AEI-weighted sampling."""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import phonenumbers
import pytest

from econ_index.generate import GoldLabel, generate_corpus, write_corpus
from econ_index.generate_phrases import PATTERN_SHARES
from econ_index.taxonomy import Taxonomy
from econ_index.types import Pattern

_SLOT = re.compile(r"\{\w+\}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _messages(record: dict[str, object]) -> list[dict[str, str]]:
    return cast(list[dict[str, str]], record["messages"])


@pytest.fixture(scope="module")
def corpus(taxonomy: Taxonomy) -> list[tuple[dict[str, object], GoldLabel]]:
    return list(generate_corpus(taxonomy, 2000, seed=3))


def test_same_seed_same_corpus(taxonomy: Taxonomy) -> None:
    first = list(generate_corpus(taxonomy, 40, seed=5))
    assert first == list(generate_corpus(taxonomy, 40, seed=5))
    assert first != list(generate_corpus(taxonomy, 40, seed=6))


def test_records_follow_the_schema(
    corpus: list[tuple[dict[str, object], GoldLabel]], taxonomy: Taxonomy
) -> None:
    start = datetime(2025, 1, 6, tzinfo=UTC)
    ids = set()
    for record, gold in corpus:
        assert set(record) == {"conversation_id", "user_id", "created_at", "messages"}
        assert json.loads(json.dumps(record)) == record
        assert gold.conversation_id == record["conversation_id"]
        ids.add(gold.conversation_id)
        created = str(record["created_at"])
        assert created.endswith("Z")
        assert start <= datetime.fromisoformat(created) < start + timedelta(weeks=8)
        messages = _messages(record)
        assert isinstance(messages, list) and 2 <= len(messages) <= 10
        for i, message in enumerate(messages):
            assert message["role"] == ("user" if i % 2 == 0 else "assistant")
            assert isinstance(message["content"], str) and message["content"].strip()
            assert not _SLOT.search(message["content"]), "an unfilled template slot"
        assert (gold.onet_task_id is None) == (not gold.is_work) == (gold.pattern is Pattern.NONE)
        assert gold.onet_task_id is None or gold.onet_task_id in taxonomy.by_id
    assert len(ids) == len(corpus)


def test_pattern_and_none_shares(corpus: list[tuple[dict[str, object], GoldLabel]]) -> None:
    counts = Counter(gold.pattern.value for _, gold in corpus)
    assert abs(counts["none"] / len(corpus) - 0.1) < 0.025
    work = len(corpus) - counts["none"]
    total = sum(PATTERN_SHARES.values())
    for pattern, share in PATTERN_SHARES.items():
        assert counts[pattern] > 0
        assert abs(counts[pattern] / work - share / total) < 0.03, pattern


def test_none_share_is_a_parameter(taxonomy: Taxonomy) -> None:
    golds = [g for _, g in generate_corpus(taxonomy, 300, none_share=0.5)]
    assert 0.4 < sum(not g.is_work for g in golds) / len(golds) < 0.6


def test_conversations_are_about_two_thousand_characters(
    corpus: list[tuple[dict[str, object], GoldLabel]],
) -> None:
    lengths = [sum(len(m["content"]) for m in _messages(record)) for record, _ in corpus]
    assert 1600 < statistics.mean(lengths) < 2600
    turns = Counter(len(_messages(record)) for record, _ in corpus)
    assert min(turns) == 2 and max(turns) == 10 and len(turns) >= 5


def test_task_statements_are_paraphrased_not_copied(
    corpus: list[tuple[dict[str, object], GoldLabel]], taxonomy: Taxonomy
) -> None:
    work = [(r, g) for r, g in corpus if g.onet_task_id]
    verbatim = 0
    for record, gold in work:
        statement = taxonomy.by_id[str(gold.onet_task_id)].statement.lower().rstrip(".")
        text = " ".join(m["content"] for m in _messages(record)).lower()
        verbatim += int(statement in text)
    assert verbatim / len(work) < 0.1


def test_some_user_turns_carry_pii(corpus: list[tuple[dict[str, object], GoldLabel]]) -> None:
    user_turns = [
        m["content"] for record, _ in corpus for m in _messages(record) if m["role"] == "user"
    ]
    with_email = sum(bool(_EMAIL.search(t)) for t in user_turns)
    phones = [
        match.number for t in user_turns for match in phonenumbers.PhoneNumberMatcher(t, "US")
    ]
    assert 0.005 < with_email / len(user_turns) < 0.05
    assert phones and all(phonenumbers.is_valid_number(p) for p in phones)


def test_user_activity_is_skewed(corpus: list[tuple[dict[str, object], GoldLabel]]) -> None:
    per_user = Counter(record["user_id"] for record, _ in corpus).most_common()
    assert len(per_user) > 150
    assert per_user[0][1] > 10 * statistics.median(c for _, c in per_user)


def test_tasks_follow_the_aei_distribution(taxonomy: Taxonomy) -> None:
    majors = Counter(
        taxonomy.by_id[g.onet_task_id].major_soc_code[:2]
        for _, g in generate_corpus(taxonomy, 5000)
        if g.onet_task_id
    )
    (top, count), (second, _) = majors.most_common(2)
    assert top == "15" and second == "27"
    assert 0.32 < count / sum(majors.values()) < 0.42  # published: 37.2%


def test_uniform_sampling_without_usage_data(taxonomy: Taxonomy) -> None:
    plain = replace(taxonomy, aei_usage={})
    majors = Counter(
        plain.by_id[g.onet_task_id].major_soc_code[:2]
        for _, g in generate_corpus(plain, 1000)
        if g.onet_task_id
    )
    assert majors["15"] / sum(majors.values()) < 0.1  # 15 holds ~4% of the task rows


def test_dates_and_users_are_parameters(taxonomy: Taxonomy) -> None:
    corpus = generate_corpus(taxonomy, 200, n_users=5, start=date(2024, 3, 4), weeks=2)
    records = [r for r, _ in corpus]
    assert len({r["user_id"] for r in records}) <= 5
    created = [datetime.fromisoformat(str(r["created_at"])) for r in records]
    assert min(created) >= datetime(2024, 3, 4, tzinfo=UTC)
    assert max(created) < datetime(2024, 3, 18, tzinfo=UTC)


def test_write_corpus_writes_records_and_gold(tmp_path: Path, taxonomy: Taxonomy) -> None:
    path, gold_path = tmp_path / "out" / "c.jsonl", tmp_path / "gold.jsonl"
    assert write_corpus(path, 25, seed=9, gold_path=gold_path, taxonomy=taxonomy) == 25
    expected = list(generate_corpus(taxonomy, 25, seed=9))
    lines = path.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == [r for r, _ in expected]
    golds = [json.loads(line) for line in gold_path.read_text(encoding="utf-8").splitlines()]
    assert golds[0] == {
        "conversation_id": expected[0][1].conversation_id,
        "onet_task_id": expected[0][1].onet_task_id,
        "pattern": expected[0][1].pattern.value,
        "is_work": expected[0][1].is_work,
    }
    assert len(golds) == 25
