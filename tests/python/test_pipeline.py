"""A run over hand-made records: every conversation lands in one bucket and the counts reconcile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from econ_index.ingest import read_inputs
from econ_index.pipeline import Preparer, Run, connect_warehouse
from econ_index.privacy import Keyer, MissingUserKeyError, load_user_key
from econ_index.scrub import Scrubber
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    Label,
    Message,
    Pattern,
    Quarantined,
    ScrubbedConversation,
    SourceLocation,
    Usage,
)
from ingest_fixtures import (
    chatgpt_simple,
    claude_conversation,
    claude_message,
    claude_text_block,
    jsonl_record,
    write_json,
    write_jsonl,
    write_zip,
)

KEY = b"0123456789abcdef0123456789abcdef"


class ScriptedClassifier:
    """Answers by a marker word in the first user turn, so each bucket can be reached on purpose."""

    name = "scripted"
    version = "1"

    def __init__(self) -> None:
        self.usage = Usage()
        self.seen: list[ScrubbedConversation] = []

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        self.seen.extend(conversations)
        results: list[Label | ClassifierFailure] = []
        for c in conversations:
            text = next(m.content for m in c.messages if m.role == "user")
            if "FAIL" in text:
                results.append(ClassifierFailure("api_error:529 overloaded after 4 attempts"))
            elif "recipe" in text:
                results.append(Label(None, Pattern.NONE, 0.9, is_work=False))
            elif "vague" in text:
                results.append(Label("16363", Pattern.DIRECTIVE, 0.05, is_work=True))
            else:
                results.append(Label("16363", Pattern.FEEDBACK_LOOP, 0.8, is_work=True))
        return results


def conv(
    source_id: str, *turns: tuple[str, str], user: str | None = "u1", line: int = 1
) -> Conversation:
    return Conversation(
        source_id=source_id,
        user_id=user,
        created_at=datetime(2025, 1, 6, 12, tzinfo=UTC),
        messages=tuple(Message(role, text) for role, text in turns),
        location=SourceLocation("in.jsonl", line),
    )


def run_records(
    records: Iterable[Conversation | Quarantined],
    warehouse: Path,
    classifier: ScriptedClassifier | None = None,
    partition: str | None = None,
) -> tuple[Run, ScriptedClassifier]:
    classifier = classifier or ScriptedClassifier()
    run = Run(
        classifier,
        Preparer(Scrubber(), Keyer(KEY)),
        backend="scripted",
        onet_version="test",
        batch_size=2,
        partition=partition,
    )
    with connect_warehouse(warehouse) as con:
        run.execute(records, con)
    return run, classifier


def test_every_conversation_lands_in_one_bucket(tmp_path: Path) -> None:
    records: list[Conversation | Quarantined] = [
        conv("a", ("user", "My build fails with this traceback, fix it"), ("assistant", "ok")),
        conv("b", ("user", "a good pasta recipe please")),
        conv("c", ("assistant", "hello, how can I help?")),
        conv("d", ("user", "something vague")),
        conv("e", ("user", "FAIL on purpose")),
        Quarantined(SourceLocation("in.jsonl", 6), "invalid_json: Expecting value"),
        conv("f", ("user", "   ")),
    ]
    warehouse = tmp_path / "wh.duckdb"
    run, _ = run_records(records, warehouse)
    s = run.summary
    assert (s.read, s.classified, s.filtered, s.quarantined) == (7, 1, 4, 2)
    assert s.reconciles
    assert dict(s.filter_reasons) == {
        "not_work_related": 1,
        "no_user_turn": 1,
        "below_confidence": 1,
        "empty_after_scrubbing": 1,
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        statuses = con.execute(
            "select status, count(*) from raw.conversation_labels group by 1 order by 1"
        ).fetchall()
        assert statuses == [("classified", 1), ("filtered", 4)]
        quarantine = con.execute(
            "select source_file, record_number, reason from raw.quarantine order by record_number"
        ).fetchall()
        assert quarantine == [
            ("in.jsonl", 1, "api_error:529 overloaded after 4 attempts"),
            ("in.jsonl", 6, "invalid_json: Expecting value"),
        ]
        runs = con.execute(
            "select n_read, n_classified, n_filtered, n_quarantined from raw.classification_runs"
        ).fetchall()
        assert runs == [(7, 1, 4, 2)]


def test_progress_reports_records_read_while_reading_and_after_each_batch(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("econ_index.pipeline.PROGRESS_EVERY", 3)
    records: list[Conversation | Quarantined] = [
        conv(str(i), ("user", f"fix my build, case {i}"), line=i) for i in range(7)
    ]
    reports: list[int] = []
    run = Run(
        ScriptedClassifier(),
        Preparer(Scrubber(), Keyer(KEY)),
        backend="scripted",
        onet_version="test",
        batch_size=4,
        processes=1,
    )
    with connect_warehouse(tmp_path / "wh.duckdb") as con:
        run.execute(records, con, on_progress=reports.append)
    # every 3 records read (3, 6), after each batch of 4 (4 once read, then the last: 7)
    assert reports == [3, 4, 6, 7]


def test_rerun_is_idempotent(tmp_path: Path) -> None:
    records: list[Conversation | Quarantined] = [
        conv("a", ("user", "fix my failing build")),
        conv("b", ("user", "fix my failing build"), user="u2"),
    ]
    warehouse = tmp_path / "wh.duckdb"
    run_records(records, warehouse)
    run_records(records, warehouse)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.conversation_labels").fetchone() == (2,)
        assert con.execute("select count(*) from raw.classification_runs").fetchone() == (2,)
        users = con.execute("select count(distinct user_key) from raw.conversation_labels")
        assert users.fetchone() == (2,)


def test_classifier_sees_only_scrubbed_text(tmp_path: Path) -> None:
    email = "jane.doe.canary@example.org"
    records: list[Conversation | Quarantined] = [
        conv("a", ("user", f"Email {email} about the failing deploy"), ("assistant", "Sure")),
    ]
    _, classifier = run_records(records, tmp_path / "wh.duckdb")
    (seen,) = classifier.seen
    assert all(email not in m.content for m in seen.messages)
    assert seen.is_redacted
    assert not (tmp_path / "wh.duckdb").read_bytes().count(email.encode())


def test_anonymous_user_counts_as_own_user() -> None:
    keyer = Keyer(KEY)
    a = conv("a", ("user", "x"), user=None)
    b = conv("b", ("user", "x"), user=None)
    assert keyer.user_key(a) != keyer.user_key(b)
    assert keyer.user_key(conv("c", ("user", "x"))) == keyer.user_key(conv("d", ("user", "y")))
    assert Keyer(b"another-key-of-sufficient-len").user_key(a) != keyer.user_key(a)


def test_user_key_is_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ECON_INDEX_USER_KEY", raising=False)
    with pytest.raises(MissingUserKeyError, match="ECON_INDEX_USER_KEY"):
        load_user_key()
    short = tmp_path / "short.key"
    short.write_text("abc")
    with pytest.raises(MissingUserKeyError, match="shorter"):
        load_user_key(short)
    monkeypatch.setenv("ECON_INDEX_USER_KEY", KEY.decode())
    assert load_user_key() == KEY


def test_rerun_of_exports_is_idempotent(tmp_path: Path) -> None:
    """Re-reading the same exports (user ids derived from their paths) maps to the same rows."""
    write_zip(
        tmp_path / "in" / "chatgpt.zip",
        {
            "conversations.json": [
                chatgpt_simple(f"g{i}", [("user", "fix my build")]) for i in range(3)
            ]
        },
    )
    write_json(
        tmp_path / "in" / "claude" / "conversations.json",
        [
            claude_conversation(
                f"c{i}", [claude_message("human", [claude_text_block("fix my build")])], None
            )
            for i in range(2)
        ],
    )
    write_jsonl(
        tmp_path / "in" / "a.jsonl.gz",
        [jsonl_record("j1", [("user", "fix my build")], user_id=None)],
        gz=True,
    )
    warehouse = tmp_path / "wh.duckdb"

    def labels() -> list[tuple[str, str, str]]:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(
                "select conversation_key, user_key, status from raw.conversation_labels order by 1"
            )
            return rows.fetchall()

    first, _ = run_records(list(read_inputs([tmp_path / "in"])), warehouse)
    after_first = labels()
    second, _ = run_records(list(read_inputs([tmp_path / "in"])), warehouse)
    assert labels() == after_first
    assert len(after_first) == 6
    assert first.summary.as_dict() | {"run_id": ""} == second.summary.as_dict() | {"run_id": ""}
    # The zip's and the Claude file's conversations share their export's derived user;
    # the JSON Lines conversation without a user is its own.
    assert len({user for _, user, _ in after_first}) == 3
