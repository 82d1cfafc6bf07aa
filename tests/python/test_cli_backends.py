"""Choosing a backend from the command line and from the environment, through the real CLI.

The Claude backend runs against the in-process fake of the Anthropic API: the SDK client the
backend builds from ``ANTHROPIC_API_KEY`` is redirected to the fake's transport.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import anthropic
import duckdb
import httpx2
import pytest
from typer.testing import CliRunner

from econ_index.cli import app
from econ_index.generate import write_corpus
from econ_index.taxonomy import Taxonomy
from fake_anthropic import BASE_URL, FAKE_API_KEY, FakeAnthropic

USER_KEY = "0123456789abcdef0123456789abcdef"
_ENV = (
    "ANTHROPIC_API_KEY",
    "ECON_INDEX_BACKEND",
    "ECON_INDEX_CLAUDE_MODEL",
    "ECON_INDEX_CLAUDE_MODE",
    "ECON_INDEX_THRESHOLD",
    "ECON_INDEX_BATCH_STATE_DIR",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ECON_INDEX_USER_KEY", USER_KEY)
    monkeypatch.chdir(tmp_path)  # batch state and other defaults land in the test's directory


@pytest.fixture(scope="module")
def corpus(taxonomy: Taxonomy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "conversations.jsonl"
    write_corpus(path, 12, seed=4, taxonomy=taxonomy)
    return path


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeAnthropic:
    """Every ``anthropic.Anthropic()`` the backend builds talks to the fake, with the env key."""
    fake = FakeAnthropic()
    real = anthropic.Anthropic

    def client(**kwargs: Any) -> anthropic.Anthropic:
        return real(
            base_url=BASE_URL,
            max_retries=0,
            http_client=httpx2.Client(transport=httpx2.MockTransport(fake.handle)),
            **kwargs,
        )

    monkeypatch.setattr(anthropic, "Anthropic", client)
    return fake


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def classify_args(corpus: Path, seeds_dir: Path, tmp: Path, *extra: str) -> list[str]:
    return [
        "classify",
        "--input",
        str(corpus),
        "--warehouse",
        str(tmp / "wh.duckdb"),
        "--seeds",
        str(seeds_dir),
        "--json",
        *extra,
    ]


@pytest.mark.parametrize("command", ["classify", "evaluate"])
def test_claude_without_a_key_is_a_clear_error(
    command: str, corpus: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    if command == "classify":
        args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude")
    else:
        args = ["evaluate", "--backend", "claude", "--n", "10", "--seeds", str(seeds_dir)]
    result = invoke(*args)
    assert result.exit_code == 2
    assert "ANTHROPIC_API_KEY" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "wh.duckdb").exists()  # stopped before opening the warehouse


def test_backend_comes_from_the_environment(corpus: Path, seeds_dir: Path, tmp_path: Path) -> None:
    result = invoke(
        *classify_args(corpus, seeds_dir, tmp_path), env={"ECON_INDEX_BACKEND": "claude"}
    )
    assert result.exit_code == 2 and "ANTHROPIC_API_KEY" in result.stderr
    result = invoke(*classify_args(corpus, seeds_dir, tmp_path), env={"ECON_INDEX_BACKEND": "gpt"})
    assert result.exit_code == 2 and "unknown backend 'gpt'" in result.stderr
    # The flag wins over the environment.
    result = invoke(
        *classify_args(corpus, seeds_dir, tmp_path, "--backend", "local"),
        env={"ECON_INDEX_BACKEND": "claude"},
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["backend"] == "local"


def test_local_mode_comes_from_the_environment(
    corpus: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    args = classify_args(corpus, seeds_dir, tmp_path)
    result = invoke(*args, env={"ECON_INDEX_LOCAL_MODE": "lexical"})
    assert result.exit_code == 0, result.stderr
    assert "-lexical-" in json.loads(result.stdout)["classifier"]
    result = invoke(*args, env={"ECON_INDEX_LOCAL_MODE": "psychic"})
    assert result.exit_code == 2 and "unknown mode 'psychic'" in result.stderr


def test_unknown_mode_is_rejected(corpus: Path, seeds_dir: Path, tmp_path: Path) -> None:
    args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude", "--mode", "stream")
    result = invoke(*args, env={"ANTHROPIC_API_KEY": FAKE_API_KEY})
    assert result.exit_code == 2 and "unknown mode 'stream'" in result.stderr


def test_claude_configured_from_the_environment(
    fake: FakeAnthropic,
    corpus: Path,
    seeds_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    env = {
        "ANTHROPIC_API_KEY": FAKE_API_KEY,
        "ECON_INDEX_BACKEND": "claude",
        "ECON_INDEX_CLAUDE_MODEL": "claude-haiku-4-5",
        "ECON_INDEX_CLAUDE_MODE": "direct",
        "ECON_INDEX_THRESHOLD": "0.95",  # above the fake model's 0.9: every label is filtered
    }
    result = invoke(*classify_args(corpus, seeds_dir, tmp_path), env=env)
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["backend"] == "claude" and "claude-haiku-4-5" in summary["classifier"]
    calls = fake.message_calls()
    assert calls and not fake.batches  # direct mode: Messages API, no batch
    assert {c.json["model"] for c in calls} == {"claude-haiku-4-5"}
    assert summary["read"] == 12 and summary["classified"] == 0
    assert summary["filter_reasons"].get("below_confidence", 0) > 0
    assert summary["cost_usd"] > 0 and summary["input_tokens"] > 0
    assert FAKE_API_KEY not in result.output + result.stderr + caplog.text


def test_batch_mode_from_the_flag_keeps_resume_state(
    fake: FakeAnthropic, corpus: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    fake.polls_until_ended = 1
    state = tmp_path / "state"
    args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude", "--mode", "batch") + [
        "--batch-state-dir",
        str(state),
    ]
    result = invoke(*args, env={"ANTHROPIC_API_KEY": FAKE_API_KEY})
    assert result.exit_code == 0, result.stderr
    # occupation first, then the task: one batch (and one resume state) per step
    assert len(fake.batches) == 2 and not fake.message_calls()
    assert json.loads(result.stdout)["classified"] > 0
    state_files = list(state.glob("batch-*.json"))
    assert len(state_files) == 2
    assert all(FAKE_API_KEY not in f.read_text() for f in state_files)


def test_a_rejected_key_stops_the_run_without_showing_it(
    fake: FakeAnthropic,
    corpus: Path,
    seeds_dir: Path,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "sk-ant-api03-not-the-right-key-7f3a9c"
    args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude", "--mode", "direct")
    result = invoke(*args, env={"ANTHROPIC_API_KEY": secret})
    assert result.exit_code == 1
    assert "refused the credentials" in result.stderr and "Traceback" not in result.stderr
    assert secret not in result.output + result.stderr + caplog.text
    assert fake.requests  # the key did reach the (fake) API, and only there


def test_evaluate_reports_what_the_claude_backend_cost(
    fake: FakeAnthropic, seeds_dir: Path
) -> None:
    args = ["evaluate", "--backend", "claude", "--n", "20", "--seeds", str(seeds_dir), "--json"]
    result = invoke(
        *args, env={"ANTHROPIC_API_KEY": FAKE_API_KEY, "ECON_INDEX_CLAUDE_MODE": "direct"}
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    # two requests each: the occupation, then the task among its statements
    assert report["n_conversations"] == 20 and len(fake.message_calls()) == 40
    assert 0 < report["cost_usd_per_conversation"] <= 0.001
    assert report["cost_usd"] == pytest.approx(20 * report["cost_usd_per_conversation"], rel=1e-3)


def _gold_record(n: int, text: str, gold: dict[str, Any]) -> str:
    record = {
        "conversation_id": f"g{n}",
        "created_at": "2023-03-01T00:00:00Z",
        "messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "Sure."}],
        "gold": gold,
    }
    return json.dumps(record) + "\n"


def test_evaluate_scores_a_gold_file_and_names_a_bad_line(seeds_dir: Path, tmp_path: Path) -> None:
    work = {
        "is_work": True,
        "task_id": "16120",
        "acceptable_task_ids": ["1273"],
        "pattern": "directive",
        "language": "en",
        "split": "test",
    }
    chat = {"is_work": False, "task_id": None, "pattern": "none", "language": "de", "split": "test"}
    gold = tmp_path / "gold.jsonl"
    gold.write_text(
        _gold_record(1, "Write a Python function that merges two sorted lists.", work)
        + _gold_record(2, "Hallo, wie geht es dir heute?", chat)
        + _gold_record(3, "Write a story.", {**work, "split": "train"})
    )
    args = ["evaluate", "--gold", str(gold), "--split", "test", "--seeds", str(seeds_dir)]
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["n_conversations"] == 2 and report["n_work"] == 1
    assert set(report["by_language"]) == {"en", "de"}
    for key in (
        "screen_agreement",
        "task_acceptable",
        "shortlist_recall_at_20",
        "task_top1_accuracy",
    ):
        assert 0.0 <= report[key] <= 1.0
    gold.write_text(gold.read_text() + "{not json\n")
    result = invoke(*args)
    message = "".join(result.stderr.split())  # rich wraps long paths anywhere
    assert result.exit_code == 2 and "gold.jsonl:line4:notJSON" in message
    result = invoke("evaluate", "--split", "test", "--seeds", str(seeds_dir))
    assert result.exit_code == 2 and "--split needs --gold" in result.stderr


def test_claude_only_sends_strongly_scrubbed_text(
    fake: FakeAnthropic, seeds_dir: Path, tmp_path: Path
) -> None:
    """Issue #17: what leaves the machine went through the strong scrubber, and the run says so."""
    planted = {
        "name": "margaret okonkwo-hale",  # a full name in lower case
        "sin": "046 454 286",  # a Canadian SIN (Luhn-valid), next to a birth date
        "dob": "14/02/1987",
    }
    text = (
        f"hi, i'm writing a cover letter for {planted['name']}. her SIN is {planted['sin']} "
        f"and her date of birth is {planted['dob']}. make it sound professional for a "
        "bookkeeping job at a small accounting firm."
    )
    corpus = tmp_path / "pii.jsonl"
    record = {
        "conversation_id": "pii-1",
        "user_id": "u1",
        "created_at": "2025-06-01T10:00:00Z",
        "messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "ok"}],
    }
    corpus.write_text(json.dumps(record) + "\n")
    args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude", "--mode", "direct")
    result = invoke(*args, env={"ANTHROPIC_API_KEY": FAKE_API_KEY})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scrubber"] == "strong"
    sent = fake.all_sent_text()
    assert fake.message_calls() and "bookkeeping" in sent
    for value in (*planted.values(), "okonkwo", "margaret", "046454286"):
        assert value not in sent.lower(), value
    with duckdb.connect(str(tmp_path / "wh.duckdb")) as con:
        assert con.execute("select scrubber from raw.classification_runs").fetchall() == [
            ("strong",)
        ]


def test_claude_refuses_the_fast_scrubber(seeds_dir: Path, corpus: Path, tmp_path: Path) -> None:
    args = classify_args(corpus, seeds_dir, tmp_path, "--backend", "claude", "--scrubber", "fast")
    result = invoke(*args, env={"ANTHROPIC_API_KEY": FAKE_API_KEY})
    assert result.exit_code == 2 and "strong scrubber" in result.stderr
    assert not (tmp_path / "wh.duckdb").exists()


def test_local_uses_the_fast_scrubber_unless_asked(
    corpus: Path, seeds_dir: Path, tmp_path: Path
) -> None:
    result = invoke(*classify_args(corpus, seeds_dir, tmp_path))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scrubber"] == "fast"
    result = invoke(*classify_args(corpus, seeds_dir, tmp_path, "--scrubber", "strong"))
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["scrubber"] == "strong"
