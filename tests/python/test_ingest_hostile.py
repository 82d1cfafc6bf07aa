"""Hostile input, property-based: malformed and adversarial records of every format never crash
a run (a whole unreadable input is an InputError, nothing else raises), every record ends
classified, filtered or quarantined with a reason, the counts reconcile, and nothing is written
outside the warehouse, whatever the ids, user ids or zip member names look like. Decompression
bombs are bounded by the reader's record cap."""

from __future__ import annotations

import gzip
import io
import json
import os
import tracemalloc
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from econ_index.ingest import InputError, read_inputs
from econ_index.ingest.errors import Reason
from econ_index.pipeline import Run, connect_warehouse
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    Label,
    Pattern,
    Quarantined,
    ScrubbedConversation,
    Usage,
)

SETTINGS = settings(
    max_examples=15,
    deadline=None,
    database=None,  # nothing written in the repository
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
REASONS = {r.value for r in Reason}
# Ids and user ids that look like SQL, paths, markup or nothing at all.
NASTY = [
    "'; drop table raw.conversation_labels; --",
    "../../etc/passwd",
    "/etc/shadow",
    "C:\\Windows\\system32",
    "%s%n%x",
    "<script>x</script>",
    "\x00",
    "\u202e\u200b",
    " ",
    "",
    "a" * 5000,
]
text = st.one_of(st.text(max_size=40), st.sampled_from(NASTY))
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text)
json_value = st.recursive(
    scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)
role = st.one_of(st.sampled_from(["user", "assistant", "human", "system", "ai"]), json_value)
timestamp = st.one_of(
    st.sampled_from(["2025-03-04T05:06:07Z", "2025-03-04", "not a date", "9999-99-99"]),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=True),
    st.none(),
    json_value,
)


class FirstTaskClassifier:
    """Labels every conversation with one task, except those whose first user text is empty."""

    name = "hostile-test"
    version = "1"

    def __init__(self) -> None:
        self.usage = Usage()

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        return [
            Label("15-1252.00-1", Pattern.DIRECTIVE, 0.9, True)
            if len(c.messages) % 2
            else ClassifierFailure("refused")
            for c in conversations
        ]


@st.composite
def jsonl_record(draw: st.DrawFn) -> dict[str, object]:
    record: dict[str, object] = {
        "conversation_id": draw(st.one_of(text, json_value)),
        "user_id": draw(st.one_of(text, json_value)),
        "created_at": draw(timestamp),
        "messages": draw(
            st.one_of(
                st.lists(
                    st.one_of(
                        st.fixed_dictionaries({"role": role, "content": st.one_of(text, scalar)}),
                        json_value,
                    ),
                    max_size=6,
                ),
                json_value,
            )
        ),
    }
    for key in draw(st.lists(st.sampled_from(sorted(record)), max_size=2)):
        record.pop(key, None)
    return record


def _line(draw: st.DrawFn) -> bytes:
    kind = draw(st.integers(0, 9))
    if kind == 0:  # not UTF-8, or a NUL in the middle
        return draw(st.binary(max_size=60)).replace(b"\n", b"")
    if kind == 1:  # nested deeper than any parser recursion limit
        depth = draw(st.integers(500, 20_000))
        return b'{"conversation_id": ' + b"[" * depth + b"]" * depth + b"}"
    if kind == 2:  # truncated JSON
        full = json.dumps(draw(jsonl_record())).encode()
        return full[: draw(st.integers(0, max(0, len(full) - 1)))]
    if kind == 3:  # a well-formed conversation with many turns and a long message
        turns = [{"role": "user", "content": "Fix my SQL query " * 1000}] + [
            {"role": ("user", "assistant")[i % 2], "content": f"turn {i}"} for i in range(300)
        ]
        record = {
            "conversation_id": draw(text),
            "user_id": draw(text),
            "created_at": "2025-03-04T05:06:07Z",
            "messages": turns,
        }
        return json.dumps(record).encode()
    return json.dumps(draw(jsonl_record())).encode()


@st.composite
def jsonl_file(draw: st.DrawFn) -> bytes:
    body = [_line(draw) for _ in range(draw(st.integers(0, 12)))]
    # the same id twice, with the same and with other content
    twin = {
        "conversation_id": "twin",
        "user_id": "u",
        "created_at": "2025-03-04T05:06:07Z",
        "messages": [{"role": "user", "content": "Write a SQL query"}],
    }
    other = {**twin, "messages": [{"role": "user", "content": "Plan a lesson"}]}
    body += [json.dumps(twin).encode(), json.dumps(twin).encode(), json.dumps(other).encode()]
    body = draw(st.permutations(body))
    return b"\n".join(body) + draw(st.sampled_from([b"", b"\n", b"\n\n  \n"]))


@st.composite
def claude_record(draw: st.DrawFn) -> object:
    message = st.fixed_dictionaries(
        {"sender": role, "text": st.one_of(text, scalar), "created_at": timestamp},
        optional={"content": json_value, "uuid": text},
    )
    return draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "uuid": st.one_of(text, json_value),
                    "chat_messages": st.lists(message, max_size=4),
                },
                optional={"created_at": timestamp, "account": json_value, "name": text},
            ),
            json_value,
        )
    )


@st.composite
def chatgpt_record(draw: st.DrawFn) -> object:
    ids = draw(st.lists(st.sampled_from(["a", "b", "c", "../x", "'; --"]), max_size=4))
    mapping = {
        node: {
            "id": node,
            "parent": draw(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "zz"]))),
            "children": draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2)),
            "message": draw(
                st.one_of(
                    st.none(),
                    json_value,
                    st.fixed_dictionaries(
                        {
                            "author": st.fixed_dictionaries({"role": role}),
                            "content": st.fixed_dictionaries(
                                {
                                    "content_type": st.just("text"),
                                    "parts": st.lists(st.one_of(text, json_value), max_size=3),
                                }
                            ),
                        }
                    ),
                )
            ),
        }
        for node in ids
    }
    return draw(
        st.one_of(
            st.fixed_dictionaries(
                {
                    "id": st.one_of(text, json_value),
                    "mapping": st.one_of(st.just(mapping), json_value),
                    "create_time": timestamp,
                },
                optional={"current_node": st.sampled_from(["a", "b", "c", "zz"])},
            ),
            json_value,
        )
    )


@st.composite
def array_file(draw: st.DrawFn) -> bytes:
    records = draw(st.lists(st.one_of(claude_record(), chatgpt_record()), max_size=8))
    data = json.dumps(records).encode()
    if draw(st.booleans()):  # truncated, or garbage after a record
        data = data[: draw(st.integers(1, len(data)))] + draw(st.sampled_from([b"", b"\xff\x00"]))
    return data


# Zip member names a careless extractor would write outside its folder.
MEMBER_NAMES = [
    "../../x.jsonl",
    "/abs/conversations.json",
    "a/../../b.jsonl",
    "..\\..\\w.jsonl",
    "ok/conversations.json",
    "conversations.json",
    "deep/" * 20 + "c.jsonl",
]


def _tree(root: Path) -> dict[str, int]:
    return {
        str(p.relative_to(root)): p.stat().st_size for p in sorted(root.rglob("*")) if p.is_file()
    }


def _run_hostile(inputs: list[Path], root: Path, fmt: str = "auto") -> None:
    """Read and stage ``inputs`` into a warehouse under ``root``; check the properties."""
    warehouse = root / "out" / "warehouse.duckdb"
    watched = root.parent  # the inputs' folder and everything around it
    before = _tree(watched)
    items: list[Conversation | Quarantined] = []
    try:
        items = list(read_inputs(inputs, fmt))
    except InputError as exc:  # a whole input unreadable: named, never quoted
        assert str(inputs[0]) in str(exc)
    for item in items:
        if isinstance(item, Quarantined):
            assert item.reason in REASONS, item
            assert item.location.file
        else:
            assert isinstance(item, Conversation) and item.source_id
    run = Run(
        FirstTaskClassifier(),
        _prepare,
        backend="hostile",
        onet_version="test",
        batch_size=7,
    )
    with connect_warehouse(warehouse) as con:
        summary = run.execute(iter(items), con)
        labels = con.execute(
            "select count(*), count(distinct conversation_key) from raw.conversation_labels"
        ).fetchone()
        quarantined = con.execute("select count(*) from raw.quarantine").fetchone()
    assert summary.read == len(items)
    assert summary.reconciles
    assert quarantined == (summary.quarantined,)
    assert labels is not None and labels[0] == labels[1] == summary.classified + summary.filtered
    after = _tree(watched)
    written = {k for k in after if k not in before or after[k] != before[k]}
    out = str((root / "out").relative_to(watched))
    assert all(k.startswith(out + os.sep) for k in written), written
    for name in MEMBER_NAMES:  # what a traversal would have created
        assert not (root / name).resolve().exists() or (root / name).resolve() in inputs


def _prepare(conversation: Conversation) -> ScrubbedConversation:
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber

    global _PREPARER
    if _PREPARER is None:
        _PREPARER = Preparer(Scrubber(), Keyer(b"0123456789abcdef0123456789abcdef"))
    return _PREPARER(conversation)


_PREPARER = None


@pytest.fixture
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("hostile") / "work"


def _fresh(root: Path) -> Path:
    """An empty folder for one example (hypothesis runs many in one test)."""
    import uuid

    folder = root / uuid.uuid4().hex[:8]
    folder.mkdir(parents=True)
    return folder


@SETTINGS
@given(data=jsonl_file(), compress=st.booleans())
def test_hostile_json_lines(root: Path, data: bytes, compress: bool) -> None:
    folder = _fresh(root)
    path = folder / ("in.jsonl.gz" if compress else "in.jsonl")
    path.write_bytes(gzip.compress(data) if compress else data)
    _run_hostile([path], folder)


@SETTINGS
@given(data=array_file(), fmt=st.sampled_from(["auto", "claude", "chatgpt"]))
def test_hostile_array_exports(root: Path, data: bytes, fmt: str) -> None:
    folder = _fresh(root)
    path = folder / "conversations.json"
    path.write_bytes(data)
    _run_hostile([path], folder, fmt)


@settings(SETTINGS, max_examples=10)
@given(
    members=st.lists(
        st.tuples(st.sampled_from(MEMBER_NAMES), st.one_of(jsonl_file(), array_file())),
        min_size=1,
        max_size=3,
        unique_by=lambda member: member[0],
    )
)
def test_hostile_zip_members(root: Path, members: list[tuple[str, bytes]]) -> None:
    folder = _fresh(root)
    path = folder / "export.zip"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            # a .jsonl name must hold lines and a .json name an array, or the input is refused
            archive.writestr(zipfile.ZipInfo(name), data)
    path.write_bytes(buffer.getvalue())
    _run_hostile([path], folder)


BOMB_BYTES = 32 * 1024 * 1024  # decompressed; about 32 KiB compressed
CAP = 1024 * 1024


def _bomb_zip(path: Path, name: str, head: bytes, tail: bytes) -> None:
    """A zip whose one member is ``head``, BOMB_BYTES of "a", then ``tail``; streamed out."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            member.write(head)
            chunk = b"a" * (1 << 20)
            for _ in range(BOMB_BYTES // len(chunk)):
                member.write(chunk)
            member.write(tail)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "head", "tail"),
    [
        ("bomb.jsonl", b'{"conversation_id": "', b'"}\n{"conversation_id": "after"}\n'),
        ("conversations.json", b'[{"uuid": "x", "chat_messages": [{"text": "', b'"}]}]'),
    ],
)
def test_a_zip_bomb_is_bounded_by_the_record_cap(
    tmp_path: Path, name: str, head: bytes, tail: bytes
) -> None:
    path = tmp_path / "bomb.zip"
    _bomb_zip(path, name, head, tail)
    assert path.stat().st_size < BOMB_BYTES // 100
    before = _tree(tmp_path)
    tracemalloc.start()
    try:
        items = list(read_inputs([path], max_line_bytes=CAP))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 * CAP, f"reading held {peak:,} bytes"
    assert _tree(tmp_path) == before  # nothing unpacked to disk
    assert isinstance(items[0], Quarantined)
    assert items[0].reason == Reason.RECORD_TOO_LARGE.value
    assert str(CAP) in items[0].detail
