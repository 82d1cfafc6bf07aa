"""What each input format turns into: ids, users, timestamps and exactly which text is read."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from econ_index.ingest import read_inputs
from econ_index.types import Conversation, Message, Quarantined, SourceLocation
from ingest_fixtures import (
    ChatGPTTree,
    chatgpt_simple,
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


def read_all(*paths: Path, fmt: str = "auto") -> list[Conversation | Quarantined]:
    return list(read_inputs(list(paths), fmt))


def only_conversations(items: list[Conversation | Quarantined]) -> list[Conversation]:
    assert all(isinstance(i, Conversation) for i in items), items
    return [i for i in items if isinstance(i, Conversation)]


def file_user_id(path: Path) -> str:
    return "file:" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()


# -- JSON Lines ------------------------------------------------------------------------------


def test_jsonl_fields_and_locations(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "a.jsonl",
        [
            jsonl_record("c1", [("user", "Draft a memo"), ("assistant", "Sure.")]),
            "",
            jsonl_record("c2", user_id=None, created_at="2025-01-15T10:30:00+01:00"),
        ],
    )
    first, second = only_conversations(read_all(path))
    assert first == Conversation(
        "c1",
        "u-1",
        datetime(2025, 1, 15, 9, 30, tzinfo=UTC),
        (Message("user", "Draft a memo"), Message("assistant", "Sure.")),
        SourceLocation(str(path), 1, "line"),
    )
    assert second.user_id is None
    assert second.created_at == datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
    assert second.created_at.tzinfo is UTC
    assert second.location == SourceLocation(str(path), 3, "line")  # the blank line still counts


def test_jsonl_naive_timestamp_is_utc_and_missing_user_is_none(tmp_path: Path) -> None:
    record = jsonl_record("c1", created_at="2025-03-01T12:00:00")
    del record["user_id"]
    (conv,) = only_conversations(read_all(write_jsonl(tmp_path / "a.jsonl", [record])))
    assert conv.created_at == datetime(2025, 3, 1, 12, tzinfo=UTC)
    assert conv.user_id is None


def test_jsonl_role_aliases_system_skipped_and_blank_messages_dropped(tmp_path: Path) -> None:
    turns = [
        ("system", "You are helpful"),
        ("human", "Hi"),
        ("ai", "Hello"),
        ("User", "Again"),
        ("model", "   "),
        ("model", "Bye"),
    ]
    path = write_jsonl(tmp_path / "a.jsonl", [jsonl_record("c1", turns)])
    (conv,) = only_conversations(read_all(path))
    assert conv.messages == (
        Message("user", "Hi"),
        Message("assistant", "Hello"),
        Message("user", "Again"),
        Message("assistant", "Bye"),
    )


def test_jsonl_empty_messages_is_a_conversation_not_quarantine(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "a.jsonl", [jsonl_record("c1", [])])
    (conv,) = only_conversations(read_all(path))
    assert conv.messages == ()
    assert list(conv.user_turns) == []


def test_unicode_and_lone_surrogates(tmp_path: Path) -> None:
    text = "Résumé für Zoë — 日本語の質問 🚀 مرحبا"
    path = tmp_path / "a.jsonl"
    lines = [json.dumps(jsonl_record("c1", [("user", text)])), json.dumps(jsonl_record("c2"))]
    lines[1] = lines[1].replace("How do I", "\\ud83d broken")  # a truncated emoji escape
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    first, second = only_conversations(read_all(path))
    assert first.messages[0].content == text
    assert second.messages[0].content.startswith("\ufffd broken")
    second.messages[0].content.encode("utf-8")  # safe for every later stage


def test_huge_message(tmp_path: Path) -> None:
    big = "word " * 1_000_000  # 5 MB in one message
    path = write_jsonl(tmp_path / "a.jsonl", [jsonl_record("c1", [("user", big)])])
    (conv,) = only_conversations(read_all(path))
    assert conv.messages[0].content == big


# -- Claude.ai export -------------------------------------------------------------------------


def test_claude_text_blocks_attachments_and_tools(tmp_path: Path) -> None:
    record = claude_conversation(
        "cl-1",
        [
            claude_message(
                "human",
                [claude_text_block("Summarise the attached contract.")],
                text="Summarise the attached contract.",
                attachments=["CONTRACT between A and B"],
            ),
            claude_message(
                "assistant",
                [claude_tool_use("contract law"), claude_tool_result("SEARCH RESULT TEXT")],
                text="```\nThis block is not supported on your current device yet.\n```",
            ),
            claude_message(
                "assistant",
                [
                    {"type": "thinking", "thinking": "HIDDEN THOUGHTS"},
                    claude_text_block("Here is a summary."),
                    claude_tool_use("more"),
                    claude_text_block("Anything else?"),
                ],
            ),
        ],
    )
    path = write_json(tmp_path / "conversations.json", [record])
    (conv,) = only_conversations(read_all(path))
    assert conv.source_id == "cl-1"
    assert conv.user_id == "acct-1"
    assert conv.created_at == datetime(2025, 2, 1, 10, 0, 0, 123456, tzinfo=UTC)
    assert conv.location == SourceLocation(str(path), 0, "record")
    assert conv.messages == (
        Message("user", "Summarise the attached contract.\n\nCONTRACT between A and B"),
        Message("assistant", "Here is a summary.\n\nAnything else?"),
    )


def test_claude_old_style_text_field_and_missing_account(tmp_path: Path) -> None:
    record = claude_conversation(
        "cl-2", [claude_message("human", None, text="Plain text message")], account=None
    )
    path = write_json(tmp_path / "conversations.json", [record])
    (conv,) = only_conversations(read_all(path))
    assert conv.messages == (Message("user", "Plain text message"),)
    assert conv.user_id == file_user_id(path)


# -- ChatGPT export --------------------------------------------------------------------------


def test_chatgpt_reads_only_the_current_branch(tmp_path: Path) -> None:
    tree = ChatGPTTree()
    q = tree.add(tree.system, "user", "Write a cover letter")
    tree.add(q, "assistant", "FIRST DRAFT (regenerated away)")
    second = tree.add(q, "assistant", "Second draft")
    edited_away = tree.add(second, "user", "EDITED AWAY PROMPT")
    tree.add(edited_away, "assistant", "ANSWER ON DEAD BRANCH")
    follow = tree.add(second, "user", "Shorter please")
    last = tree.add(follow, "assistant", "Short draft")
    path = write_json(tmp_path / "conversations.json", [tree.conversation("g-1", last)])
    (conv,) = only_conversations(read_all(path))
    assert conv.source_id == "g-1"
    assert conv.created_at == datetime.fromtimestamp(1736935800.25, tz=UTC)
    assert conv.messages == (
        Message("user", "Write a cover letter"),
        Message("assistant", "Second draft"),
        Message("user", "Shorter please"),
        Message("assistant", "Short draft"),
    )


def test_chatgpt_skips_hidden_tool_and_non_text_content(tmp_path: Path) -> None:
    tree = ChatGPTTree()
    image = {"content_type": "image_asset_pointer", "asset_pointer": "file-service://x"}
    voice = {"content_type": "audio_transcription", "text": "spoken words", "direction": "in"}
    hidden = {"is_visually_hidden_from_conversation": True}
    n = tree.add(tree.system, "user", "CUSTOM INSTRUCTIONS", content_type="user_editable_context")
    n = tree.add(n, "user", "HIDDEN CONTEXT", metadata=hidden)
    n = tree.add(n, "user", image, "What is in this chart?", content_type="multimodal_text")
    n = tree.add(n, "assistant", "print(1)", content_type="code", recipient="python")
    n = tree.add(n, "tool", "1", content_type="execution_output")
    n = tree.add(n, "assistant", '{"query": "x"}', recipient="browser")
    n = tree.add(n, "assistant", "The chart shows growth.")
    n = tree.add(n, "user", voice, None, content_type="multimodal_text")
    path = write_json(tmp_path / "conversations.json", [tree.conversation("g-2", n)])
    (conv,) = only_conversations(read_all(path))
    assert conv.messages == (
        Message("user", "What is in this chart?"),
        Message("assistant", "The chart shows growth."),
        Message("user", "spoken words"),
    )


def test_chatgpt_user_id_from_sibling_user_json_else_from_path(tmp_path: Path) -> None:
    with_user = write_json(tmp_path / "a" / "conversations.json", [chatgpt_simple("g1", [])])
    write_json(tmp_path / "a" / "user.json", {"id": "user-abc", "email": "x@example.com"})
    without = write_json(tmp_path / "b" / "conversations.json", [chatgpt_simple("g2", [])])
    first, second = only_conversations(read_all(with_user, without))
    assert first.user_id == "user-abc"
    assert second.user_id == file_user_id(without)
    assert first.messages == ()  # only the hidden system message: a well-formed empty chat


def test_forced_formats_match_auto(tmp_path: Path) -> None:
    claude = write_json(
        tmp_path / "c.json", [claude_conversation("x", [claude_message("human", text="hi")])]
    )
    chatgpt = write_json(tmp_path / "g.json", [chatgpt_simple("y", [("user", "hi")])])
    lines = write_jsonl(tmp_path / "l.jsonl", [jsonl_record("z")])
    assert read_all(claude, fmt="claude") == read_all(claude)
    assert read_all(chatgpt, fmt="chatgpt") == read_all(chatgpt)
    assert read_all(lines, fmt="jsonl") == read_all(lines)


def test_huge_message_inside_zipped_array_export(tmp_path: Path) -> None:
    big = "word " * 1_000_000 + "— ünïcode 🚀"  # 5 MB in one part
    archive = write_zip(
        tmp_path / "export.zip",
        {"conversations.json": [chatgpt_simple("g", [("user", big), ("assistant", "ok")])]},
    )
    (conv,) = only_conversations(read_all(archive))
    assert conv.messages[0] == Message("user", big)
