"""The Claude backend against a fake of the Anthropic API, through the real SDK."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anthropic._base_client as sdk_base
import pytest

from econ_index.classify.claude import (
    DEFAULT_MODEL,
    ClaudeBackendError,
    ClaudeClassifier,
    MissingAPIKeyError,
)
from econ_index.classify.claude_prompt import PROMPT_VERSION, estimate_tokens
from econ_index.classify.pricing import DEFAULT_PRICES, ModelPrice, priced_usage
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import ClassifierFailure, Label, Message, Pattern, ScrubbedConversation
from fake_anthropic import (
    FAKE_API_KEY,
    FakeAnthropic,
    Reply,
    SimulatedCrash,
    first_candidate,
    request_text,
    text_reply,
    tool_reply,
)

SHORTLIST = 20


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK's exponential backoff starts at 0.5 s; shrink it so retry tests take milliseconds."""
    monkeypatch.setattr(sdk_base, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(sdk_base, "MAX_RETRY_DELAY", 0.004)


class Shortlister:
    """A stand-in retriever: a fixed window of real tasks per conversation, chosen by its key."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.tasks = [t for t in taxonomy.tasks if t.task_type == "Core"][:2000]
        self.calls: list[list[str]] = []

    def __call__(
        self, conversations: Sequence[ScrubbedConversation], k: int
    ) -> list[list[tuple[Task, float]]]:
        self.calls.append([c.key for c in conversations])
        out = []
        for c in conversations:
            start = int(c.key[:6], 16) % (len(self.tasks) - k)
            out.append([(t, 1.0 / (i + 1)) for i, t in enumerate(self.tasks[start : start + k])])
        return out

    def ids_for(self, key: str, k: int = SHORTLIST) -> list[str]:
        start = int(key[:6], 16) % (len(self.tasks) - k)
        return [t.task_id for t in self.tasks[start : start + k]]


def conv(key: str, *texts: str, user_key: str = "u" * 64) -> ScrubbedConversation:
    roles = ("user", "assistant")
    return ScrubbedConversation(
        key=key,
        user_key=user_key,
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        messages=tuple(Message(roles[i % 2], t) for i, t in enumerate(texts)),
        is_redacted=False,
    )


def key(n: int) -> str:
    return f"{n * 7919:06x}" + "ab" * 29  # 64 hex chars, varied prefix


@pytest.fixture
def fake() -> FakeAnthropic:
    return FakeAnthropic()


@pytest.fixture
def shortlister(taxonomy: Taxonomy) -> Shortlister:
    return Shortlister(taxonomy)


@pytest.fixture
def make(taxonomy: Taxonomy, shortlister: Shortlister, fake: FakeAnthropic, tmp_path: Path) -> Any:
    def build(**kwargs: Any) -> ClaudeClassifier:
        kwargs.setdefault("client", fake.client())
        kwargs.setdefault("mode", "direct")
        # Most tests exercise one step's mechanics; the occupation-first tests ask for it.
        kwargs.setdefault("traversal", "shortlist")
        return ClaudeClassifier(
            taxonomy,
            shortlister,
            state_dir=tmp_path / "state",
            poll_interval=0.001,
            max_poll_interval=0.002,
            **kwargs,
        )

    return build


def answer_by_marker(replies: dict[str, Reply]) -> Any:
    """A model whose reply depends on a marker word planted in the conversation."""

    def answer(params: dict[str, Any]) -> Reply:
        text = request_text(params)
        for marker, reply in replies.items():
            if marker in text:
                return reply
        return first_candidate(params)

    return answer


# -- request shape --------------------------------------------------------------------------------


def test_direct_run_labels_each_conversation_with_a_shortlisted_task(
    make: Any, fake: FakeAnthropic, shortlister: Shortlister
) -> None:
    clf = make()
    convs = [conv(key(i), f"Please draft a budget memo number {i}.") for i in range(3)]
    results = clf.classify(convs)

    assert clf.name == "claude"
    assert clf.version == f"{DEFAULT_MODEL}+{PROMPT_VERSION}+shortlist"
    for c, result in zip(convs, results, strict=True):
        assert result == Label(shortlister.ids_for(c.key)[0], Pattern.DIRECTIVE, 0.9, True)
    assert len(fake.message_calls()) == 3


def test_request_has_cached_system_prompt_closed_list_tool_and_forced_choice(
    make: Any, fake: FakeAnthropic, shortlister: Shortlister, taxonomy: Taxonomy
) -> None:
    make().classify([conv(key(1), "Summarise this contract for me.")])
    (call,) = fake.message_calls()
    body = call.json

    (system,) = body["system"]
    assert system["cache_control"] == {"type": "ephemeral"}
    assert "Management Occupations" in system["text"]  # SOC major groups are in the fixed part
    assert "feedback_loop" in system["text"] and "validation" in system["text"]
    (tool,) = body["tools"]
    schema = tool["input_schema"]
    assert tool["name"] == "record_classification" and tool["strict"] is True
    assert schema["properties"]["onet_task_id"]["enum"] == shortlister.ids_for(key(1)) + ["none"]
    assert schema["properties"]["collaboration_pattern"]["enum"] == [p.value for p in Pattern]
    assert schema["additionalProperties"] is False
    assert sorted(schema["required"]) == [
        "collaboration_pattern",
        "confidence",
        "is_work",
        "onet_task_id",
    ]
    assert body["tool_choice"] == {
        "type": "tool",
        "name": "record_classification",
        "disable_parallel_tool_use": True,
    }
    assert body["thinking"] == {"type": "disabled"}
    assert body["model"] == DEFAULT_MODEL
    # The per-conversation part lists the shortlist as id | statement | occupation.
    first = taxonomy.by_id[shortlister.ids_for(key(1))[0]]
    text = body["messages"][0]["content"][0]["text"]
    assert f"- {first.task_id} | {first.statement} | {first.occupation_title}" in text
    # The SDK is configured with a bounded read timeout and a short connect timeout.
    assert call.timeout["read"] == 60.0 and call.timeout["connect"] == 5.0


def test_identical_prefixes_hit_the_prompt_cache(make: Any, fake: FakeAnthropic) -> None:
    """The breakpoint sits after tools+system: a repeated prefix is read from the cache."""
    fake.min_cacheable_tokens = 0
    clf = make()
    same = conv(key(5), "First question about payroll.")
    again = conv(key(5)[:-2] + "ff", "Second question about payroll.")  # same shortlist window
    clf.classify([same])
    clf.classify([again])
    first, second = (c.json for c in fake.message_calls())
    assert first["tools"] == second["tools"]
    assert clf.usage.cache_write_tokens > 0
    assert clf.usage.cached_input_tokens == clf.usage.cache_write_tokens


# -- answers that must not become labels ----------------------------------------------------------

GOOD = {"collaboration_pattern": "learning", "confidence": 0.5, "is_work": True}


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (text_reply("It is task 8823."), "no_tool_call"),
        (tool_reply({"onet_task_id": "none", **GOOD}, name="other_tool"), "no_tool_call"),
        (Reply(content=[], stop_reason="max_tokens"), "output_truncated"),
        (Reply(content=[], stop_reason="refusal"), "refusal"),
        (tool_reply({"onet_task_id": "99999999", **GOOD}), "invalid_tool_input:onet_task_id"),
        (tool_reply({"onet_task_id": 8823, **GOOD}), "invalid_tool_input:onet_task_id"),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "collaboration_pattern": "delegation"}),
            "invalid_tool_input:collaboration_pattern",
        ),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "confidence": "high"}),
            "invalid_tool_input:confidence",
        ),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "confidence": 1.5}),
            "invalid_tool_input:confidence",
        ),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "confidence": True}),
            "invalid_tool_input:confidence",
        ),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "is_work": "yes"}),
            "invalid_tool_input:is_work",
        ),
        (tool_reply({"onet_task_id": "none", "confidence": 0.5}), "invalid_tool_input:fields"),
        (
            tool_reply({**GOOD, "onet_task_id": "none", "rationale": "x"}),
            "invalid_tool_input:fields",
        ),
        (
            Reply(
                content=tool_reply({**GOOD, "onet_task_id": "none"}).content * 2,
                stop_reason="tool_use",
            ),
            "multiple_tool_calls",
        ),
    ],
)
def test_malformed_answers_become_failures_with_reasons(
    make: Any, fake: FakeAnthropic, reply: Reply, reason: str
) -> None:
    fake.answer = lambda params: reply
    (result,) = make().classify([conv(key(2), "Help me plan a lesson.")])
    assert result == ClassifierFailure(reason=reason)


def test_a_real_task_outside_the_shortlist_is_rejected(
    make: Any, fake: FakeAnthropic, shortlister: Shortlister
) -> None:
    outside = shortlister.tasks[-1].task_id  # in the taxonomy, never in this window
    assert outside not in shortlister.ids_for(key(3))
    fake.answer = lambda params: tool_reply({"onet_task_id": outside, **GOOD})
    (result,) = make().classify([conv(key(3), "Help me plan a lesson.")])
    assert result == ClassifierFailure(reason="invalid_tool_input:onet_task_id")


def test_none_answer_is_a_label_without_task(make: Any, fake: FakeAnthropic) -> None:
    fake.answer = lambda params: tool_reply(
        {
            "onet_task_id": "none",
            "collaboration_pattern": "none",
            "confidence": 0.8,
            "is_work": False,
        }
    )
    (result,) = make().classify([conv(key(4), "Tell me a joke.")])
    assert result == Label(None, Pattern.NONE, 0.8, False)


# -- transport failures and retries ---------------------------------------------------------------


def test_429_is_retried_honouring_retry_after(
    make: Any, fake: FakeAnthropic, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(sdk_base.time, "sleep", sleeps.append)
    fake.fail_next("rate_limit", times=2, retry_after=7)
    (result,) = make().classify([conv(key(6), "Write a cover letter.")])
    assert isinstance(result, Label)
    calls = fake.message_calls()
    assert [c.headers["x-stainless-retry-count"] for c in calls] == ["0", "1", "2"]
    assert sleeps == [7.0, 7.0]  # the server's retry-after, not the SDK's own backoff


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("overloaded", "api_error:529 overloaded_error after 4 attempts"),
        ("server_error", "api_error:500 api_error after 4 attempts"),
        ("rate_limit", "api_error:429 rate_limit_error after 4 attempts"),
        ("timeout", "api_timeout after 4 attempts"),
    ],
)
def test_retries_exhausted_become_failures(
    make: Any, fake: FakeAnthropic, kind: str, reason: str
) -> None:
    fake.fail_next(kind, times=4)
    (result,) = make(max_retries=3).classify([conv(key(7), "Fix this SQL query.")])
    assert result == ClassifierFailure(reason=reason)
    assert len(fake.message_calls()) == 4


@pytest.mark.parametrize("kind", ["overloaded", "server_error", "timeout"])
def test_transient_failures_recover(make: Any, fake: FakeAnthropic, kind: str) -> None:
    fake.fail_next(kind, times=2)
    (result,) = make(max_retries=3).classify([conv(key(8), "Fix this SQL query.")])
    assert isinstance(result, Label)
    assert len(fake.message_calls()) == 3


def test_client_errors_are_not_retried(make: Any, fake: FakeAnthropic) -> None:
    fake.fail_next("bad_request")
    (result,) = make().classify([conv(key(9), "Fix this SQL query.")])
    assert result == ClassifierFailure(reason="api_error:400 invalid_request_error after 1 attempt")
    assert len(fake.message_calls()) == 1


def test_rejected_credentials_stop_the_run(make: Any, fake: FakeAnthropic) -> None:
    with pytest.raises(ClaudeBackendError, match="401 authentication_error"):
        make(client=fake.client(api_key="sk-ant-wrong")).classify([conv(key(1), "Hi")])


def test_missing_api_key_is_a_typed_error(
    taxonomy: Taxonomy, shortlister: Shortlister, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError, match="ANTHROPIC_API_KEY"):
        ClaudeClassifier(taxonomy, shortlister)


def test_key_from_environment_is_used(
    taxonomy: Taxonomy, shortlister: Shortlister, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-from-env")
    clf = ClaudeClassifier(taxonomy, shortlister)
    assert clf._client.api_key == "sk-ant-from-env"
    assert clf._client.max_retries == 3


def test_concurrency_is_bounded(make: Any, fake: FakeAnthropic) -> None:
    in_flight, peak = 0, 0
    lock = threading.Lock()
    plain = fake.answer

    def slow(params: dict[str, Any]) -> Reply:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.01)
        with lock:
            in_flight -= 1
        return plain(params)

    fake.answer = slow
    results = make(max_concurrency=3).classify([conv(key(i), f"Task {i}") for i in range(12)])
    assert all(isinstance(r, Label) for r in results)
    assert 1 < peak <= 3


# -- privacy --------------------------------------------------------------------------------------


def test_only_scrubbed_turns_leave_the_process(
    make: Any, fake: FakeAnthropic, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    canary = "CANARY-7f3a"
    c = ScrubbedConversation(
        key=key(11),
        user_key=f"{canary}-user",
        created_at=datetime(2026, 1, 5, tzinfo=UTC),
        messages=(Message("user", "Email <EMAIL> the quarterly report."),),
        is_redacted=True,
        redaction_counts={f"{canary}-kind": 1},
    )
    caplog.set_level(logging.DEBUG, logger="anthropic")
    for mode in ("direct", "batch"):
        (result,) = make(mode=mode).classify([c])
        assert isinstance(result, Label)
    sent = fake.all_sent_text()
    assert "Email <EMAIL> the quarterly report." in sent
    assert canary not in sent
    # The SDK's DEBUG log would carry request bodies; they are filtered out, and so is the key.
    assert "Sending HTTP Request" in caplog.text
    assert "quarterly report" not in caplog.text and FAKE_API_KEY not in caplog.text
    for state in (tmp_path / "state").iterdir():
        assert "quarterly" not in state.read_text() and canary not in state.read_text()


def test_long_conversations_are_truncated_to_the_budget(make: Any, fake: FakeAnthropic) -> None:
    opening = "I need a grant proposal for a community garden. " * 4
    tail = "TAILMARK " * 5000
    turns = [opening + tail] + [f"turn {i} " * 80 for i in range(60)]
    make(conversation_token_budget=800).classify([conv(key(12), *turns)])
    text = fake.message_calls()[0].json["messages"][0]["content"][0]["text"]
    transcript = text[text.index("<transcript>") :]
    assert transcript.startswith("<transcript>\n[user] I need a grant proposal")
    assert estimate_tokens(transcript) <= 800 + 40  # budget plus role tags and markers
    assert "later turns omitted" in transcript
    assert transcript.count("TAILMARK") < 100


def test_short_conversations_are_sent_whole(make: Any, fake: FakeAnthropic) -> None:
    turns = ["Can you check my invoice totals?", "Sure, paste them.", "12, 30 and 58."]
    make().classify([conv(key(13), *turns)])
    text = fake.message_calls()[0].json["messages"][0]["content"][0]["text"]
    assert "[user] Can you check my invoice totals?\n[assistant] Sure, paste them.\n" in text
    assert "[user] 12, 30 and 58.\n</transcript>" in text


# -- batches --------------------------------------------------------------------------------------


def test_batch_run_polls_until_ended_and_matches_results_by_custom_id(
    make: Any, fake: FakeAnthropic, shortlister: Shortlister
) -> None:
    fake.polls_until_ended = 3
    convs = [conv(key(i), f"Draft email {i}") for i in range(5)]
    clf = make(mode="batch")
    results = clf.classify(convs)
    for c, r in zip(convs, results, strict=True):
        assert isinstance(r, Label) and r.onet_task_id == shortlister.ids_for(c.key)[0]
    (create,) = [r for r in fake.requests if r.path == "/v1/messages/batches"]
    assert [r["custom_id"] for r in create.json["requests"]] == sorted(c.key for c in convs)
    assert create.json["requests"][0]["params"]["system"][0]["cache_control"] == {
        "type": "ephemeral"
    }
    polls = [r for r in fake.requests if r.method == "GET" and not r.path.endswith("/results")]
    assert len(polls) >= 3
    assert not fake.message_calls()


def test_partial_batch_failures_are_failures_with_reasons(make: Any, fake: FakeAnthropic) -> None:
    outcomes = {key(1): "errored", key(2): "expired", key(3): "canceled", key(4): "missing"}
    fake.batch_outcome = lambda custom_id, params: outcomes.get(custom_id, "succeeded")
    fake.answer = answer_by_marker({"NOTOOL": text_reply("no idea")})
    convs = [conv(key(i), f"Request {i}") for i in range(1, 6)] + [conv(key(6), "NOTOOL here")]
    results = make(mode="batch").classify(convs)
    assert results[:4] == [
        ClassifierFailure("batch_errored:invalid_request_error"),
        ClassifierFailure("batch_expired"),
        ClassifierFailure("batch_canceled"),
        ClassifierFailure("batch_result_missing"),
    ]
    assert isinstance(results[4], Label)
    assert results[5] == ClassifierFailure("no_tool_call")


def test_crashed_batch_run_resumes_the_same_batch(
    make: Any, fake: FakeAnthropic, tmp_path: Path
) -> None:
    convs = [conv(key(i), f"Prepare slides {i}") for i in range(4)]
    fake.crash_on_retrieve = True
    with pytest.raises(SimulatedCrash):
        make(mode="batch").classify(convs)
    (state_file,) = (tmp_path / "state").iterdir()
    state = json.loads(state_file.read_text())
    (created,) = fake.batches
    assert state["batches"][0]["id"] == created
    assert state["batches"][0]["custom_ids"] == sorted(c.key for c in convs)

    fake.crash_on_retrieve = False
    results = make(mode="batch").classify(convs)  # a fresh process: new classifier and client
    assert all(isinstance(r, Label) for r in results)
    creates = [r for r in fake.requests if r.path == "/v1/messages/batches"]
    assert len(creates) == 1  # resumed, not paid for twice
    assert list(fake.batches) == [created]


def test_vanished_batch_is_submitted_again(make: Any, fake: FakeAnthropic) -> None:
    convs = [conv(key(i), f"Prepare slides {i}") for i in range(2)]
    make(mode="batch").classify(convs)
    fake.batches.clear()  # past retention: the API answers 404 for it
    results = make(mode="batch").classify(convs)
    assert all(isinstance(r, Label) for r in results)
    assert len([r for r in fake.requests if r.path == "/v1/messages/batches"]) == 2


def test_auto_mode_batches_large_runs_only(make: Any, fake: FakeAnthropic) -> None:
    clf = make(mode="auto", batch_threshold=3)
    clf.classify([conv(key(i), "Draft") for i in range(2)])
    assert len(fake.message_calls()) == 2 and not fake.batches
    clf.classify([conv(key(i), "Draft") for i in range(10, 13)])
    assert len(fake.message_calls()) == 2 and len(fake.batches) == 1


def test_repeated_keys_are_labelled_once_and_empty_ones_not_sent(
    make: Any, fake: FakeAnthropic
) -> None:
    a = conv(key(1), "Draft a lease.")
    results = make().classify([a, conv(key(2)), a])
    assert results[0] == results[2] and isinstance(results[0], Label)
    assert results[1] == ClassifierFailure("empty_conversation")
    assert len(fake.message_calls()) == 1


def test_unknown_shortlisted_task_is_a_programming_error(
    taxonomy: Taxonomy, fake: FakeAnthropic, tmp_path: Path
) -> None:
    bogus = Task("0", "00-0000.00", "Invented.", "Core", "Nobody", "00-0000")
    clf = ClaudeClassifier(
        taxonomy,
        lambda cs, k: [[(bogus, 1.0)] for _ in cs],
        client=fake.client(),
        state_dir=tmp_path,
        traversal="shortlist",
    )
    with pytest.raises(ValueError, match="not in the taxonomy"):
        clf.classify([conv(key(1), "Hello")])


# -- usage and cost -------------------------------------------------------------------------------


def test_priced_usage_arithmetic() -> None:
    price = ModelPrice(input=1.0, cache_write=1.25, cache_read=0.1, output=5.0)
    direct = priced_usage(
        price,
        input_tokens=1_000_000,
        cache_read_tokens=1_000_000,
        cache_write_tokens=0,
        output_tokens=100_000,
        batch=False,
    )
    assert direct.cost_usd == pytest.approx(1.0 + 0.1 + 0.5)
    batch = priced_usage(
        price,
        input_tokens=0,
        cache_read_tokens=0,
        cache_write_tokens=1_000_000,
        output_tokens=0,
        batch=True,
    )
    assert batch.cost_usd == pytest.approx(0.625)


def test_usage_is_accounted_from_the_responses(make: Any, fake: FakeAnthropic) -> None:
    fake.min_cacheable_tokens = 0
    clf = make()
    clf.classify([conv(key(1), "Draft a lease."), conv(key(1)[:-2] + "00", "Draft a will.")])
    usage = clf.usage
    assert usage.cache_write_tokens > 0 and usage.cached_input_tokens == usage.cache_write_tokens
    assert usage.input_tokens > 0 and usage.output_tokens > 0
    p = DEFAULT_PRICES[DEFAULT_MODEL]
    expected = (
        usage.input_tokens * p.input
        + usage.cache_write_tokens * p.cache_write
        + usage.cached_input_tokens * p.cache_read
        + usage.output_tokens * p.output
    ) / 1e6
    assert usage.cost_usd == pytest.approx(expected)

    batch = make(mode="batch")
    batch.classify([conv(key(1), "Draft a lease."), conv(key(1)[:-2] + "00", "Draft a will.")])
    assert batch.usage.cost_usd < usage.cost_usd * 0.5 + 1e-12  # half price, cache now warm


REALISTIC_TURNS = (
    "I run a small bakery and need to set up a weekly staff rota for <PERSON> and three other "
    "bakers. Shifts start at 5am, nobody should work more than 40 hours, and weekends need two "
    "people on the early shift. Can you draft a rota and explain the trade-offs? ",
    "Here is a draft rota that keeps everyone under 40 hours and covers weekend mornings with "
    "two bakers. Monday to Friday: early shift 5am-1pm, late shift 11am-7pm. ",
)


def test_cost_per_conversation_at_default_settings(
    taxonomy: Taxonomy, shortlister: Shortlister, fake: FakeAnthropic, tmp_path: Path
) -> None:
    """A bulk run at the defaults (auto -> batch, Haiku 5.5, occupation first) stays at or under
    $0.0003 each.

    Conversations are ~600 tokens (some far longer, truncated). Step 1's tools and system prompt
    (the occupation list) and step 2's (numbered candidates) are the same for every request, so
    after the first write they are cache reads, as the fake counts them.
    """
    n = 120  # over the default batch threshold
    convs = []
    for i in range(n):
        body = (REALISTIC_TURNS[0] * 3, REALISTIC_TURNS[1] * 3) * (8 if i % 10 == 0 else 1)
        convs.append(conv(key(i + 100), *body))
    clf = ClaudeClassifier(
        taxonomy, shortlister, client=fake.client(), state_dir=tmp_path, poll_interval=0.001
    )
    results = clf.classify(convs)
    assert all(isinstance(r, Label) for r in results)
    assert len(fake.batches) == 2 and not fake.message_calls()  # occupation, then task
    per_conversation = clf.usage.cost_usd / n
    prompt_tokens = (
        clf.usage.input_tokens + clf.usage.cache_write_tokens + clf.usage.cached_input_tokens
    ) / n
    # realistic, not a toy prompt: step 1 carries the 974 occupations, read from the cache
    assert 15_000 < prompt_tokens < 25_000
    assert clf.usage.cached_input_tokens > 0.8 * prompt_tokens * n
    assert per_conversation <= 0.0003


# -- occupation-first traversal ------------------------------------------------------------------


def _occupation(taxonomy: Taxonomy, code: str) -> str:
    title = next(t.occupation_title for t in taxonomy.tasks if t.onet_soc_code == code)
    return f"{code} {title}"


def _traverse(
    taxonomy: Taxonomy, occupation: str, position: str = "1", confidence: object = 0.7
) -> Any:
    """A model that names ``occupation`` in step 1 and candidate ``position`` in step 2."""

    def answer(params: dict[str, Any]) -> Reply:
        if params["tools"][0]["name"] == "record_occupation":
            return tool_reply(
                {"occupation": occupation, "confidence": confidence}, name="record_occupation"
            )
        return tool_reply(
            {
                "onet_task_id": position,
                "collaboration_pattern": "learning",
                "confidence": 0.6,
                "is_work": True,
            }
        )

    return answer


def test_occupation_first_reaches_a_task_the_shortlist_never_held(
    make: Any, fake: FakeAnthropic, taxonomy: Taxonomy, shortlister: Shortlister
) -> None:
    code = "25-1022.00"  # Mathematical Science Teachers, Postsecondary
    fake.answer = _traverse(taxonomy, _occupation(taxonomy, code), position="2")
    clf = make(traversal="occupation")
    convs = [conv(key(i), f"What is the derivative of x^{i}?") for i in range(3)]
    results = clf.classify(convs)
    statements = [t for t in taxonomy.tasks if t.onet_soc_code == code]
    for c, result in zip(convs, results, strict=True):
        assert isinstance(result, Label) and result.onet_task_id == statements[1].task_id
        assert result.pattern is Pattern.LEARNING and result.is_work
        assert result.onet_task_id not in shortlister.ids_for(c.key)
    calls = fake.message_calls()
    step1 = [c.json for c in calls if c.json["tools"][0]["name"] == "record_occupation"]
    step2 = [c.json for c in calls if c.json["tools"][0]["name"] == "record_classification"]
    assert len(step1) == len(step2) == 3
    # the fixed parts are byte-identical across requests, so the prompt cache reads them
    for step in (step1, step2):
        fixed = {json.dumps([r["tools"], r["system"]], sort_keys=True) for r in step}
        assert len(fixed) == 1 and step[0]["system"][0]["cache_control"]["type"] == "ephemeral"
    enum = step1[0]["tools"][0]["input_schema"]["properties"]["occupation"]["enum"]
    assert len(enum) == len({t.onet_soc_code for t in taxonomy.tasks}) + 1
    # step 2 lists the occupation's statements, numbered, then the local hedge
    text = request_text(step2[0])
    assert f"- 1 | {statements[0].statement}" in text and f"- 2 | {statements[1].statement}" in text
    assert clf.usage.cached_input_tokens > 0


def test_occupation_none_is_not_work_and_skips_the_task_step(
    make: Any, fake: FakeAnthropic, taxonomy: Taxonomy
) -> None:
    fake.answer = _traverse(taxonomy, "none", confidence=0.9)
    results = make(traversal="occupation").classify([conv(key(1), "hello, how are you?")])
    assert results == [Label(None, Pattern.NONE, 0.9, False)]
    assert len(fake.message_calls()) == 1


@pytest.mark.parametrize(
    ("occupation", "confidence", "position", "reason"),
    [
        ("99-9999.00 Wizards", 0.5, "1", "invalid_tool_input:occupation"),
        (None, 1.5, "1", "invalid_tool_input:confidence"),
        (None, 0.5, "999", "invalid_tool_input:onet_task_id"),
        (None, 0.5, "0", "invalid_tool_input:onet_task_id"),
    ],
)
def test_a_malformed_traversal_answer_is_a_failure(
    make: Any,
    fake: FakeAnthropic,
    taxonomy: Taxonomy,
    occupation: str | None,
    confidence: float,
    position: str,
    reason: str,
) -> None:
    chosen = occupation or _occupation(taxonomy, "15-1132.00")
    fake.answer = _traverse(taxonomy, chosen, position=position, confidence=confidence)
    (result,) = make(traversal="occupation").classify([conv(key(2), "Fix my Python script.")])
    assert result == ClassifierFailure(reason=reason)


def test_occupation_first_runs_both_steps_as_batches(
    make: Any, fake: FakeAnthropic, taxonomy: Taxonomy
) -> None:
    fake.answer = _traverse(taxonomy, _occupation(taxonomy, "27-3042.00"))
    clf = make(traversal="occupation", mode="batch")
    results = clf.classify([conv(key(i), f"Document API endpoint {i}.") for i in range(4)])
    assert all(isinstance(r, Label) and r.is_work for r in results)
    assert len(fake.batches) == 2 and not fake.message_calls()
