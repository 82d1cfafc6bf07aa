"""Malformed records are quarantined with the right reason and place, and never leak text."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from econ_index.ingest import Reason, read_inputs
from econ_index.types import Conversation, Quarantined, SourceLocation
from ingest_fixtures import (
    ChatGPTTree,
    chatgpt_simple,
    claude_conversation,
    claude_message,
    jsonl_record,
    write_json,
    write_jsonl,
)

SECRET = "SECRET-TEXT-4711"  # planted in malformed records; must never surface


def read_all(*paths: Path, fmt: str = "auto") -> list[Conversation | Quarantined]:
    return list(read_inputs(list(paths), fmt))


def assert_no_leak(item: Conversation | Quarantined) -> None:
    if isinstance(item, Quarantined):
        assert SECRET not in f"{item.reason} {item.detail} {item.source_id}"


def with_field(record: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**record, key: value}


def without(record: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != key}


GOOD = jsonl_record("c-ok", [("user", SECRET)])
JSONL_CASES: list[tuple[str, dict[str, Any] | str, Reason]] = [
    ("syntax", '{"conversation_id": "x", "messages": [' + SECRET, Reason.INVALID_JSON),
    ("array", json.dumps([SECRET]), Reason.NOT_AN_OBJECT),
    ("string", json.dumps(SECRET), Reason.NOT_AN_OBJECT),
    ("no_id", without(GOOD, "conversation_id"), Reason.MISSING_ID),
    ("empty_id", with_field(GOOD, "conversation_id", ""), Reason.MISSING_ID),
    ("int_id", with_field(GOOD, "conversation_id", 7), Reason.WRONG_TYPE),
    ("no_time", without(GOOD, "created_at"), Reason.MISSING_CREATED_AT),
    ("null_time", with_field(GOOD, "created_at", None), Reason.MISSING_CREATED_AT),
    ("bad_time", with_field(GOOD, "created_at", SECRET), Reason.BAD_TIMESTAMP),
    ("num_time", with_field(GOOD, "created_at", 1700000000), Reason.BAD_TIMESTAMP),
    ("msgs_str", with_field(GOOD, "messages", SECRET), Reason.WRONG_TYPE),
    ("no_msgs", without(GOOD, "messages"), Reason.WRONG_TYPE),
    ("msg_str", with_field(GOOD, "messages", [SECRET]), Reason.WRONG_TYPE),
    ("content_list", jsonl_record("c", [("user", [SECRET])]), Reason.WRONG_TYPE),  # type: ignore[list-item]
    ("no_role", with_field(GOOD, "messages", [{"content": SECRET}]), Reason.WRONG_TYPE),
    ("role", jsonl_record("c", [(SECRET, "hi")]), Reason.UNKNOWN_ROLE),
    ("user_int", with_field(GOOD, "user_id", 5), Reason.WRONG_TYPE),
]


@pytest.mark.parametrize(("name", "line", "reason"), JSONL_CASES, ids=[c[0] for c in JSONL_CASES])
def test_jsonl_malformed_line(
    tmp_path: Path, name: str, line: dict[str, Any] | str, reason: Reason
) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [jsonl_record("before"), line, jsonl_record("after")])
    before, bad, after = read_all(path)
    assert isinstance(before, Conversation) and isinstance(after, Conversation)
    assert isinstance(bad, Quarantined)
    assert (bad.reason, bad.location) == (reason, SourceLocation(str(path), 2, "line"))
    assert bad.detail
    assert_no_leak(bad)


def test_invalid_utf8_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"conversation_id": "\xff\xfe"}\n' + json.dumps(GOOD).encode() + b"\n")
    bad, good = read_all(path)
    assert isinstance(bad, Quarantined) and bad.reason == Reason.INVALID_JSON
    assert bad.detail == "not valid UTF-8"
    assert isinstance(good, Conversation)


def test_quarantine_keeps_the_id_when_it_was_read(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [with_field(GOOD, "created_at", "soon")])
    (bad,) = read_all(path)
    assert isinstance(bad, Quarantined) and bad.source_id == "c-ok"


CLAUDE_GOOD = claude_conversation("cl", [claude_message("human", text="hi")])
CLAUDE_CASES: list[tuple[str, Any, Reason]] = [
    ("not_object", [SECRET], Reason.NOT_AN_OBJECT),
    ("no_uuid", without(CLAUDE_GOOD, "uuid"), Reason.MISSING_ID),
    ("no_time", without(CLAUDE_GOOD, "created_at"), Reason.MISSING_CREATED_AT),
    ("bad_time", with_field(CLAUDE_GOOD, "created_at", "31/12/2024"), Reason.BAD_TIMESTAMP),
    ("msgs_obj", with_field(CLAUDE_GOOD, "chat_messages", {"a": SECRET}), Reason.WRONG_TYPE),
    ("sender", claude_conversation("x", [claude_message(SECRET, text="hi")]), Reason.UNKNOWN_ROLE),
    (
        "content_str",
        claude_conversation("x", [{**claude_message("human"), "content": SECRET}]),
        Reason.WRONG_TYPE,
    ),
    (
        "block_text_int",
        claude_conversation("x", [claude_message("human", [{"type": "text", "text": 3}])]),
        Reason.WRONG_TYPE,
    ),
    (
        "attachment_str",
        claude_conversation("x", [{**claude_message("human"), "attachments": [SECRET]}]),
        Reason.WRONG_TYPE,
    ),
    ("account_str", with_field(CLAUDE_GOOD, "account", SECRET), Reason.WRONG_TYPE),
]


@pytest.mark.parametrize(
    ("name", "record", "reason"), CLAUDE_CASES, ids=[c[0] for c in CLAUDE_CASES]
)
def test_claude_malformed_record(tmp_path: Path, name: str, record: Any, reason: Reason) -> None:
    path = write_json(tmp_path / "conversations.json", [CLAUDE_GOOD, record, CLAUDE_GOOD])
    items = read_all(path, fmt="claude")
    assert len(items) == 3
    bad = items[1]
    assert isinstance(bad, Quarantined)
    assert (bad.reason, bad.location) == (reason, SourceLocation(str(path), 1, "record"))
    assert_no_leak(bad)


def _chatgpt_broken(kind: str) -> dict[str, Any]:
    tree = ChatGPTTree()
    n = tree.add(tree.system, "user", SECRET)
    record = tree.conversation("g-bad", n)
    if kind == "dangling":
        tree.mapping[n]["parent"] = "nowhere"
    elif kind == "cycle":
        tree.mapping["root"]["parent"] = n
    elif kind == "no_current":
        record["current_node"] = None
    elif kind == "current_unknown":
        record["current_node"] = "nowhere"
    elif kind == "role":
        tree.mapping[n]["message"]["author"]["role"] = "narrator"
    elif kind == "parts":
        tree.mapping[n]["message"]["content"]["parts"] = SECRET
    elif kind == "part_number":
        tree.mapping[n]["message"]["content"]["parts"] = [3]
    elif kind == "author":
        del tree.mapping[n]["message"]["author"]
    elif kind == "mapping":
        record["mapping"] = [SECRET]
    elif kind == "time_str":
        record["create_time"] = "2025-01-01"
    elif kind == "time_null":
        record["create_time"] = None
    elif kind == "time_huge":
        record["create_time"] = 1e300
    elif kind == "no_id":
        del record["id"], record["conversation_id"]
    return record


CHATGPT_CASES = [
    ("dangling", Reason.BROKEN_TREE),
    ("cycle", Reason.BROKEN_TREE),
    ("no_current", Reason.BROKEN_TREE),
    ("current_unknown", Reason.BROKEN_TREE),
    ("role", Reason.UNKNOWN_ROLE),
    ("parts", Reason.WRONG_TYPE),
    ("part_number", Reason.WRONG_TYPE),
    ("author", Reason.WRONG_TYPE),
    ("mapping", Reason.WRONG_TYPE),
    ("time_str", Reason.BAD_TIMESTAMP),
    ("time_null", Reason.MISSING_CREATED_AT),
    ("time_huge", Reason.BAD_TIMESTAMP),
    ("no_id", Reason.MISSING_ID),
]


@pytest.mark.parametrize(("kind", "reason"), CHATGPT_CASES, ids=[c[0] for c in CHATGPT_CASES])
def test_chatgpt_malformed_record(tmp_path: Path, kind: str, reason: Reason) -> None:
    good = chatgpt_simple("g-ok", [("user", "hi")])
    path = write_json(tmp_path / "conversations.json", [good, _chatgpt_broken(kind)])
    ok, bad = read_all(path)
    assert isinstance(ok, Conversation)
    assert isinstance(bad, Quarantined)
    assert (bad.reason, bad.location) == (reason, SourceLocation(str(path), 1, "record"))
    assert bad.source_id == (None if kind == "no_id" else "g-bad")
    assert_no_leak(bad)


def test_auto_detection_quarantines_unrecognised_records_until_format_known(
    tmp_path: Path,
) -> None:
    chatgpt = chatgpt_simple("g", [("user", "hi")])
    path = write_json(
        tmp_path / "conversations.json",
        [{"x": SECRET}, 5, chatgpt, {"id": "q", "create_time": 1.0}],
    )
    items = read_all(path)
    assert [getattr(i, "reason", "ok") for i in items] == [
        Reason.UNRECOGNIZED_RECORD,
        Reason.NOT_AN_OBJECT,
        "ok",
        Reason.WRONG_TYPE,  # the file is ChatGPT now: a record without a mapping is malformed
    ]


def test_syntax_error_in_array_ends_the_file_with_one_quarantine(tmp_path: Path) -> None:
    good = json.dumps(chatgpt_simple("g", [("user", "hi")]))
    path = tmp_path / "conversations.json"
    path.write_text(f'[{good}, {{"id": {SECRET}}}, {good}]')
    ok, bad = read_all(path)
    assert isinstance(ok, Conversation)
    assert isinstance(bad, Quarantined) and bad.reason == Reason.INVALID_JSON
    assert bad.location == SourceLocation(str(path), 1, "record")
    assert "rest of the file" in bad.detail
    assert_no_leak(bad)


def test_truncated_array(tmp_path: Path) -> None:
    good = json.dumps(chatgpt_simple("g", [("user", "hi")]))
    path = tmp_path / "conversations.json"
    path.write_text(f"[{good}, {good[: len(good) // 2]}")
    items = read_all(path)
    assert [type(i) for i in items] == [Conversation, Quarantined]
    assert items[1].location.record == 1


def test_duplicates(tmp_path: Path) -> None:
    a = jsonl_record("c1", [("user", "one")])
    changed = jsonl_record("c1", [("user", "two")])
    first = write_jsonl(tmp_path / "a.jsonl", [a, jsonl_record("c2"), a])
    second = write_jsonl(tmp_path / "b.jsonl", [changed])
    items = read_all(first, second)
    assert [getattr(i, "reason", "ok") for i in items] == [
        "ok",
        "ok",
        Reason.DUPLICATE_ID,
        Reason.DUPLICATE_ID_CONFLICT,
    ]
    assert isinstance(items[3], Quarantined)
    assert items[3].source_id == "c1"
    assert items[3].detail == f"id first seen at {first}:line 1, different content"
    assert items[3].location == SourceLocation(str(second), 1, "line")


def test_duplicate_content_is_compared_after_normalisation(tmp_path: Path) -> None:
    """The same conversation under different key order / role alias / offset is the same."""
    a = jsonl_record("c1", [("user", "hi")], created_at="2025-01-01T10:00:00+00:00")
    b = {
        "messages": [{"content": "hi", "role": "human"}],
        "created_at": "2025-01-01T11:00:00+01:00",
        "user_id": "u-1",
        "conversation_id": "c1",
    }
    items = read_all(write_jsonl(tmp_path / "a.jsonl", [a, b]))
    assert [getattr(i, "reason", "ok") for i in items] == ["ok", Reason.DUPLICATE_ID]


def test_overlong_line_is_skipped_unread(tmp_path: Path) -> None:
    short = json.dumps(jsonl_record("ok"))
    long = json.dumps(jsonl_record("big", [("user", SECRET * 1000)]))
    path = tmp_path / "in.jsonl"
    path.write_text(f"{short}\n{long}\n{short.replace('ok', 'ok2')}\n{long}")  # last: no newline
    limit = len(short) + 10
    items = list(read_inputs([path], max_line_bytes=limit))
    assert [getattr(i, "reason", i.source_id) for i in items] == [
        "ok",
        Reason.RECORD_TOO_LARGE,
        "ok2",
        Reason.RECORD_TOO_LARGE,
    ]
    assert [i.location.record for i in items] == [1, 2, 3, 4]
    assert_no_leak(items[1])


def test_line_exactly_at_the_limit_is_read(tmp_path: Path) -> None:
    line = json.dumps(jsonl_record("ok"))
    path = write_jsonl(tmp_path / "in.jsonl", [line, line.replace("ok", "o2")])
    items = list(read_inputs([path], max_line_bytes=len(line)))
    assert [i.source_id for i in items] == ["ok", "o2"]
    assert all(isinstance(i, Conversation) for i in items)
