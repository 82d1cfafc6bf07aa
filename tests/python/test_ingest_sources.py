"""Containers, paths and whole-input errors: gzip, zip, directories, globs, streaming."""

from __future__ import annotations

import gzip
import hashlib
import json
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from econ_index.ingest import InputError, Reason, known_record_count, read_inputs
from econ_index.types import Conversation, Quarantined, SourceLocation
from ingest_fixtures import (
    chatgpt_simple,
    claude_conversation,
    claude_message,
    jsonl_record,
    write_json,
    write_jsonl,
    write_large_chatgpt_export,
    write_zip,
)

SECRET = "SECRET-TEXT-4711"


def read_all(*paths: Path | str, fmt: str = "auto") -> list[Conversation | Quarantined]:
    return list(read_inputs(list(paths), fmt))


def ids(items: list[Conversation | Quarantined]) -> list[str | None]:
    return [i.source_id for i in items]


def claude_export() -> list[dict[str, object]]:
    return [
        claude_conversation("cl-1", [claude_message("human", text="hello")]),
        claude_conversation("cl-2", [claude_message("human", text="again")]),
    ]


def test_gzip_jsonl_and_gzip_array(tmp_path: Path) -> None:
    lines = write_jsonl(tmp_path / "a.jsonl.gz", [jsonl_record("j1"), "{bad"], gz=True)
    array = tmp_path / "conversations.json.gz"
    array.write_bytes(gzip.compress(json.dumps(claude_export()).encode()))
    items = read_all(lines, array)
    assert ids(items) == ["j1", None, "cl-1", "cl-2"]
    assert items[1].location == SourceLocation(str(lines), 2, "line")
    assert items[3].location == SourceLocation(str(array), 1, "record")


def test_gzip_detected_by_content_not_name(tmp_path: Path) -> None:
    path = tmp_path / "plain-name.jsonl"
    path.write_bytes(gzip.compress(json.dumps(jsonl_record("j1")).encode() + b"\n"))
    assert ids(read_all(path)) == ["j1"]


def test_claude_export_zip_ignores_metadata_files(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "data-2025-02-01.zip",
        {
            "users.json": [{"uuid": "acct-1", "full_name": SECRET}],
            "projects.json": [{"uuid": "p", "docs": [{"content": SECRET}]}],
            "conversations.json": claude_export(),
        },
    )
    items = read_all(archive)
    assert ids(items) == ["cl-1", "cl-2"]
    assert items[0].location == SourceLocation(f"{archive}!conversations.json", 0, "record")


def test_chatgpt_export_zip_user_json_gives_user_id(tmp_path: Path) -> None:
    archive = write_zip(
        tmp_path / "export.zip",
        {
            "user.json": {"id": "user-xyz", "email": "someone@example.com"},
            "message_feedback.json": [],
            "chat.html": "<html></html>",
            "conversations.json": [chatgpt_simple("g1", [("user", "hi")])],
        },
    )
    (conv,) = read_all(archive)
    assert isinstance(conv, Conversation) and conv.user_id == "user-xyz"


def test_chatgpt_zip_without_user_json_uses_zip_path(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "x.zip", {"conversations.json": [chatgpt_simple("g", [])]})
    (conv,) = read_all(archive)
    expected = hashlib.sha256(f"{archive.resolve()}!conversations.json".encode()).hexdigest()
    assert isinstance(conv, Conversation) and conv.user_id == f"file:{expected}"


def test_directory_walk_is_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    root = tmp_path / "in"
    write_jsonl(root / "b.jsonl", [jsonl_record("b")])
    write_jsonl(root / "a" / "z.ndjson", [jsonl_record("az")])
    write_json(root / "a" / "conversations.json", claude_export())
    write_json(root / "a" / "users.json", [{"uuid": "u"}])  # export metadata, not read
    write_zip(root / "c.zip", {"conversations.json": [chatgpt_simple("g", [])]})
    write_jsonl(root / ".hidden" / "h.jsonl", [jsonl_record("hidden")])
    (root / "notes.txt").write_text(SECRET)
    assert ids(read_all(root)) == ["cl-1", "cl-2", "az", "b", "g"]


def test_glob_and_each_file_read_once(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", [jsonl_record("a")])
    write_jsonl(tmp_path / "b.jsonl", [jsonl_record("b")])
    items = read_all(a, str(tmp_path / "*.jsonl"), tmp_path)
    assert ids(items) == ["a", "b"]  # no duplicate_id: the same file is not read twice


def test_explicit_file_is_read_whatever_its_name(tmp_path: Path) -> None:
    path = write_json(tmp_path / "export-backup.dat", claude_export())
    assert ids(read_all(path)) == ["cl-1", "cl-2"]


def test_bom_and_empty_files(tmp_path: Path) -> None:
    array = tmp_path / "conversations.json"
    array.write_bytes(b"\xef\xbb\xbf  \n" + json.dumps(claude_export()).encode())
    lines = tmp_path / "a.jsonl"
    lines.write_bytes(b"\xef\xbb\xbf" + json.dumps(jsonl_record("j")).encode() + b"\n")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n  \n")
    assert ids(read_all(array, lines, empty)) == ["cl-1", "cl-2", "j"]


def test_count_of_items_equals_count_of_records(tmp_path: Path) -> None:
    records = [jsonl_record(f"j{i}") for i in range(40)]
    raw: list[dict[str, object] | str] = [*records]
    raw[3], raw[17], raw[30] = "not json", "[]", records[2]  # invalid, not object, duplicate
    jl = write_jsonl(tmp_path / "a.jsonl.gz", raw, gz=True)
    claude = claude_export() + [{"uuid": "cl-x"}, "junk"]
    archive = write_zip(tmp_path / "e.zip", {"conversations.json": claude})
    items = read_all(jl, archive)
    assert len(items) == 40 + 4
    assert [(i.reason, i.location.record) for i in items if isinstance(i, Quarantined)] == [
        (Reason.INVALID_JSON, 4),
        (Reason.NOT_AN_OBJECT, 18),
        (Reason.DUPLICATE_ID, 31),
        (Reason.MISSING_CREATED_AT, 2),
        (Reason.NOT_AN_OBJECT, 3),
    ]


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda d: d / "missing.jsonl", "no such file"),
        (lambda d: str(d / "*.nothing"), "no conversation files match"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "no conversation files in"),
    ],
)
def test_input_errors_raised_before_reading(tmp_path: Path, make: object, fragment: str) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [jsonl_record("g")])
    bad = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match=fragment) as err:
        read_inputs([good, bad])  # raised at call time, before any record is yielded
    assert str(bad) in str(err.value)


def test_unknown_fmt() -> None:
    with pytest.raises(InputError, match="unknown format"):
        read_inputs([], "csv")


def _corrupt_gzip(d: Path) -> Path:
    data = gzip.compress(json.dumps(jsonl_record(SECRET)).encode() * 200)
    path = d / "c.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.mark.parametrize(
    ("make", "fmt", "fragment"),
    [
        (lambda d: write_zip(d / "x.zip", {"readme.txt": SECRET}), "auto", "no conversations"),
        (
            lambda d: _write(d / "bad.zip", b"PK\x03\x04" + SECRET.encode()),
            "auto",
            "not a readable",
        ),
        (lambda d: _write(d / "f.json", f"<html>{SECRET}".encode()), "auto", "neither JSON Lines"),
        (lambda d: write_json(d / "f.json", []), "jsonl", "expected JSON Lines"),
        (lambda d: write_jsonl(d / "f.jsonl", [jsonl_record("a")]), "claude", "found JSON Lines"),
        (_corrupt_gzip, "auto", "cannot read"),
    ],
)
def test_unreadable_inputs(tmp_path: Path, make: object, fmt: str, fragment: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(InputError, match=fragment) as err:
        read_all(path, fmt=fmt)
    assert str(path) in str(err.value)
    assert SECRET not in str(err.value)
    assert err.value.__context__ is None or err.value.__suppress_context__


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_corrupt_zip_member_is_an_input_error(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "e.zip", {"conversations.json": claude_export() * 50})
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("conversations.json")
    start = info.header_offset + 30 + len(info.filename) + 10
    data[start : start + 40] = bytes(40)  # damage the compressed stream
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match="cannot read"):
        read_all(archive)


def test_large_array_is_streamed(tmp_path: Path) -> None:
    path = write_large_chatgpt_export(tmp_path / "conversations.json", 400, 50_000)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for item in read_inputs([path]) if isinstance(item, Conversation))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 400
    assert size > 20_000_000
    assert peak < size / 8, (peak, size)  # a read buffer and one record, never the whole file


def test_jsonl_name_wins_over_unreadable_first_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [f"<{SECRET}>", jsonl_record("j")])
    bad, good = read_all(path)
    assert isinstance(bad, Quarantined) and bad.reason == Reason.INVALID_JSON
    assert bad.location == SourceLocation(str(path), 1, "line")
    assert good.source_id == "j"


def test_known_record_count_of_plain_json_lines_only(tmp_path: Path) -> None:
    """Non-blank lines of plain JSON Lines, whatever the chunk boundaries (a 1.5 MiB line, no
    final newline); unknown (None) when any input must be parsed to be counted."""
    lines = tmp_path / "a.jsonl"
    lines.write_bytes(b'{"a": 1}\n\n  \n' + b'{"b": "' + b"x" * (3 << 19) + b'"}\n{"c": 3}')
    other = tmp_path / "b.ndjson"
    other.write_bytes(b"{}\r\n{}\r\n")
    assert known_record_count([lines, other]) == 5
    assert known_record_count([lines]) == len(list(read_inputs([lines])))
    packed = tmp_path / "c.jsonl.gz"
    packed.write_bytes(gzip.compress(b"{}\n"))
    assert known_record_count([lines, packed]) is None
