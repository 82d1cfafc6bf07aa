"""Canary inputs in every format, and a scanner that looks for them in everything written.

A canary is a unique string planted where text, titles, ids or PII of the inputs sit. After the
pipeline has run, no file it wrote may hold any canary: not the warehouse (read back through
DuckDB as well as byte by byte, since DuckDB compresses strings), not Parquet (read back too),
not CSV, HTML, logs or dbt artefacts, not inside gzip or zip members.

Canaries are short lower-case hex words, so the scrubber leaves them standing in ordinary text:
were scrubbed text ever stored, the scan would find them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import secrets
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ingest_fixtures import (
    ChatGPTTree,
    claude_conversation,
    claude_message,
    claude_text_block,
    claude_tool_result,
    claude_tool_use,
    jsonl_record,
    write_json,
    write_jsonl,
    write_zip,
)

_DUCKDB_MAGIC = b"DUCK"  # at byte offset 8 of a DuckDB database file
_PARQUET_MAGIC = b"PAR1"


@dataclass
class Canaries:
    """Every planted string by where it was planted, plus the raw user ids of the inputs."""

    planted: dict[str, str] = field(default_factory=dict)
    user_ids: set[str] = field(default_factory=set)
    in_pii: set[str] = field(default_factory=set)  # planted inside a value the scrubber removes

    def new(self, where: str, *, pii: bool = False) -> str:
        assert where not in self.planted, where
        value = "cnry" + secrets.token_hex(6)
        self.planted[where] = value
        if pii:
            self.in_pii.add(where)
        return value

    def user(self, where: str) -> str:
        value = f"user-{self.new(where)}"
        self.user_ids.add(value)
        return value

    def needles(self) -> dict[str, str]:
        """What must not appear anywhere: every canary and every raw user id."""
        found = {f"canary {k}": v for k, v in self.planted.items()}
        for uid in self.user_ids:
            found[f"user id {uid}"] = uid
            if uid.startswith("file:"):
                found[f"user id digest {uid}"] = uid.removeprefix("file:")
        return found


@dataclass(frozen=True)
class Run:
    """One ``econ-index classify`` call over canary inputs and what it must count."""

    name: str
    inputs: list[Path]
    fmt: str
    read: int
    quarantine_reasons: dict[str, int]


def _work_text(c: Canaries, where: str) -> str:
    return (
        f"I need a SQL query that sums monthly revenue by region for the finance report "
        f"{c.new(where + ' text')}. Send the result to {c.new(where + ' email', pii=True)}"
        f"@example.com and use https://alice:{c.new(where + ' url password', pii=True)}"
        f"9X@git.example.com/repo.git for the code; password: "
        f"{c.new(where + ' password', pii=True)}Q7"
    )


def write_jsonl_inputs(root: Path, c: Canaries) -> Run:
    conv_id = f"conv-{c.new('jsonl conversation id')}"
    good = jsonl_record(
        conv_id,
        [
            ("user", _work_text(c, "jsonl user")),
            ("assistant", f"Here is the query {c.new('jsonl assistant text')}."),
            ("system", f"You are helpful {c.new('jsonl system message')}"),
        ],
        user_id=c.user("jsonl user id"),
    )
    records: list[dict[str, Any] | str] = [
        good,
        jsonl_record(
            f"conv-{c.new('jsonl anonymous conversation id')}",
            [("user", f"Debug my Python import error {c.new('jsonl anonymous text')}")],
            user_id=None,
        ),
        jsonl_record(
            "c-recipe",
            [("user", f"A good pasta recipe for tonight {c.new('jsonl personal text')}")],
            user_id=c.user("jsonl user id 2"),
        ),
        jsonl_record(
            "c-assistant-only",
            [("assistant", f"Hello, how can I help {c.new('jsonl assistant only')}")],
            user_id=c.user("jsonl user id 3"),
        ),
        '{"conversation_id": "broken", "messages": [{"role": "user", "content": "'
        + c.new("jsonl invalid json")
        + '"',
        jsonl_record(
            f"conv-{c.new('jsonl unknown role id')}",
            [("robot", f"beep {c.new('jsonl unknown role text')}")],
            user_id=c.user("jsonl unknown role user"),
        ),
        jsonl_record(
            conv_id,
            [("user", f"Different text under the same id {c.new('jsonl duplicate text')}")],
            user_id=c.user("jsonl duplicate user"),
        ),
    ]
    plain = write_jsonl(root / "canary.jsonl", records)
    gz = write_jsonl(
        root / "canary.jsonl.gz",
        [
            jsonl_record(
                f"conv-{c.new('gzip conversation id')}",
                [("user", _work_text(c, "gzip user"))],
                user_id=c.user("gzip user id"),
            ),
            '["' + c.new("gzip not an object") + '"]',
        ],
        gz=True,
    )
    return Run(
        "jsonl",
        [plain, gz],
        "auto",
        read=9,
        quarantine_reasons={
            "invalid_json": 1,
            "unknown_role": 1,
            "duplicate_id_conflict": 1,
            "not_an_object": 1,
        },
    )


def _claude_records(c: Canaries, tag: str) -> list[Any]:
    account = c.user(f"{tag} account uuid")
    message = claude_message(
        "human",
        [claude_text_block(_work_text(c, f"{tag} human"))],
        text=f"flat text {c.new(f'{tag} flat text')}",
        attachments=[f"Quarterly figures {c.new(f'{tag} attachment')}"],
        uuid=f"m-{c.new(f'{tag} message uuid')}",
    )
    message["attachments"][0]["file_name"] = f"{c.new(f'{tag} attachment name')}.txt"
    reply = claude_message(
        "assistant",
        [
            {"type": "thinking", "thinking": f"hmm {c.new(f'{tag} thinking')}"},
            claude_tool_use(f"revenue {c.new(f'{tag} tool use')}"),
            claude_tool_result(f"result {c.new(f'{tag} tool result')}"),
            claude_text_block(f"Here is the SQL {c.new(f'{tag} assistant text')}"),
        ],
    )
    good = claude_conversation(f"cl-{c.new(f'{tag} conversation id')}", [message, reply], account)
    good["name"] = f"Revenue query {c.new(f'{tag} title')}"
    no_account = claude_conversation(
        f"cl-{c.new(f'{tag} no-account id')}",
        [claude_message("human", None, text=f"Fix my CSS grid {c.new(f'{tag} old text')}")],
        account=None,
    )
    bad_role = claude_conversation(
        f"cl-{c.new(f'{tag} bad role id')}",
        [claude_message("robot", [claude_text_block(f"x {c.new(f'{tag} bad role text')}")])],
        c.user(f"{tag} bad role account"),
    )
    bad_type = claude_conversation(f"cl-{c.new(f'{tag} bad type id')}", [], account)
    bad_type["chat_messages"] = f"not a list {c.new(f'{tag} wrong type')}"
    return [good, no_account, bad_role, bad_type]


def _chatgpt_records(c: Canaries, tag: str) -> list[Any]:
    tree = ChatGPTTree()
    tree.mapping["sys"]["message"]["content"]["parts"] = [f"sys {c.new(f'{tag} system')}"]
    hidden = {"is_visually_hidden_from_conversation": True}
    image = {
        "content_type": "image_asset_pointer",
        "asset_pointer": f"file-service://{c.new(f'{tag} asset pointer')}",
    }
    n = tree.add(
        tree.system,
        "user",
        f"about me {c.new(f'{tag} custom')}",
        content_type="user_editable_context",
    )
    n = tree.add(n, "user", f"context {c.new(f'{tag} hidden')}", metadata=hidden)
    q = tree.add(n, "user", image, _work_text(c, f"{tag} user"), content_type="multimodal_text")
    tree.add(q, "assistant", f"regenerated away {c.new(f'{tag} dead branch')}")
    n = tree.add(
        q, "assistant", f"print({c.new(f'{tag} code')})", content_type="code", recipient="python"
    )
    n = tree.add(n, "tool", f"out {c.new(f'{tag} tool output')}", content_type="execution_output")
    n = tree.add(n, "assistant", f"Here is the query {c.new(f'{tag} assistant text')}")
    good = tree.conversation(f"g-{c.new(f'{tag} conversation id')}", n)
    good["title"] = f"Revenue {c.new(f'{tag} title')}"
    broken = ChatGPTTree()
    last = broken.add(broken.system, "user", f"lost {c.new(f'{tag} broken tree text')}")
    broken_record = broken.conversation(f"g-{c.new(f'{tag} broken tree id')}", last)
    broken_record["current_node"] = None
    bad_time = ChatGPTTree()
    last = bad_time.add(bad_time.system, "user", f"when {c.new(f'{tag} bad time text')}")
    bad_time_record = bad_time.conversation(f"g-{c.new(f'{tag} bad time id')}", last)
    bad_time_record["create_time"] = c.new(f"{tag} bad create_time")
    return [good, broken_record, bad_time_record]


def derived_user_id(identity: str) -> str:
    """The export-derived user id of ingest.sources, for exports that name no user."""
    return "file:" + hashlib.sha256(identity.encode()).hexdigest()


def write_export_inputs(root: Path, c: Canaries) -> list[Run]:
    """Claude and ChatGPT ``conversations.json`` (auto-detected) and their zips (forced)."""
    claude_json = write_json(root / "claude" / "conversations.json", _claude_records(c, "claude"))
    write_json(
        root / "claude" / "users.json",
        [{"uuid": c.new("claude users.json uuid"), "email_address": c.new("claude users.json")}],
    )
    c.user_ids.add(derived_user_id(str(claude_json.resolve())))
    write_json(root / "chatgpt" / "conversations.json", _chatgpt_records(c, "chatgpt"))
    write_json(
        root / "chatgpt" / "user.json",
        {"id": c.user("chatgpt user.json id"), "email": c.new("chatgpt user.json email")},
    )
    claude_zip = write_zip(
        root / "zips" / "claude-export.zip",
        {
            "conversations.json": _claude_records(c, "claude zip"),
            "users.json": [{"uuid": c.new("claude zip users.json")}],
            "projects.json": [{"name": c.new("claude zip projects.json")}],
        },
    )
    c.user_ids.add(derived_user_id(f"{claude_zip.resolve()}!conversations.json"))
    chatgpt_zip = write_zip(
        root / "zips" / "chatgpt-export.zip",
        {
            "conversations.json": _chatgpt_records(c, "chatgpt zip"),
            "message_feedback.json": [{"text": c.new("chatgpt zip feedback")}],
        },
    )
    c.user_ids.add(derived_user_id(f"{chatgpt_zip.resolve()}!conversations.json"))
    claude_bad = {"unknown_role": 1, "wrong_type": 1}
    chatgpt_bad = {"broken_tree": 1, "bad_timestamp": 1}
    return [
        Run("exports", [root / "claude", root / "chatgpt"], "auto", 7, claude_bad | chatgpt_bad),
        Run("claude zip", [claude_zip], "claude", 4, claude_bad),
        Run("chatgpt zip", [chatgpt_zip], "chatgpt", 3, chatgpt_bad),
    ]


def write_all_inputs(root: Path) -> tuple[Canaries, list[Run]]:
    c = Canaries()
    runs = [write_jsonl_inputs(root, c), *write_export_inputs(root, c)]
    return c, runs


# -- the scanner -----------------------------------------------------------------------------


def _duckdb_text(path: Path) -> Iterator[tuple[str, bytes]]:
    """Every row of every table of a DuckDB file, as text (strings may be compressed on disk)."""
    with duckdb.connect(str(path), read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            rows = con.execute(f'select * from "{schema}"."{table}"').fetchall()
            yield f"{path}:{schema}.{table}", repr(rows).encode()


def _parquet_text(path: Path) -> bytes:
    with duckdb.connect() as con:
        rows = con.execute("select * from read_parquet(?)", [str(path)]).fetchall()
    return repr(rows).encode()


def contents(path: Path) -> Iterator[tuple[str, bytes]]:
    """The raw bytes of a file and every decoded view of it: gzip, zip members, tables."""
    data = path.read_bytes()
    yield str(path), data
    if data[:2] == b"\x1f\x8b":
        yield f"{path} (gunzipped)", gzip.decompress(data)
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                yield f"{path}!{name}", archive.read(name)
    elif data[8:12] == _DUCKDB_MAGIC:
        yield from _duckdb_text(path)
    elif data[:4] == _PARQUET_MAGIC:
        yield f"{path} (rows)", _parquet_text(path)


def scan(roots: list[Path], needles: dict[str, str]) -> tuple[list[Path], list[str]]:
    """Every file under ``roots`` and which needles turn up where (as text or JSON-escaped)."""
    files = sorted({f for root in roots if root.exists() for f in _files(root)})
    hits: list[str] = []
    for file in files:
        for view, data in contents(file):
            lowered = data.lower()
            for label, needle in needles.items():
                forms = {needle.encode(), json.dumps(needle)[1:-1].encode()}
                if any(form.lower() in lowered for form in forms):
                    hits.append(f"{label} in {view}")
    return files, hits


def _files(root: Path) -> Iterator[Path]:
    if root.is_file():
        yield root
        return
    yield from (f for f in root.rglob("*") if f.is_file())
