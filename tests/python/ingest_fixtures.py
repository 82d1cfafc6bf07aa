"""Builders of realistic ingestion inputs, written to temporary directories by the tests.

Records follow the field layouts of the real exports (Claude.ai ``conversations.json``, ChatGPT
``conversations.json`` with its node tree) and of the project's JSON Lines format.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

# -- JSON Lines ------------------------------------------------------------------------------


def jsonl_record(
    conversation_id: str,
    messages: Sequence[tuple[str, str]] = (("user", "How do I file a tax return?"),),
    user_id: str | None = "u-1",
    created_at: str = "2025-01-15T09:30:00Z",
) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "user_id": user_id,
        "created_at": created_at,
        "messages": [{"role": r, "content": c} for r, c in messages],
    }


def write_jsonl(path: Path, lines: Iterable[dict[str, Any] | str], gz: bool = False) -> Path:
    """Each item is a record (dumped) or a raw line (written as is, to plant malformed input)."""
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


# -- Claude.ai export ------------------------------------------------------------------------


def claude_text_block(text: str) -> dict[str, Any]:
    return {
        "start_timestamp": "2025-02-01T10:00:01.000000Z",
        "stop_timestamp": "2025-02-01T10:00:02.000000Z",
        "type": "text",
        "text": text,
        "citations": [],
    }


def claude_tool_use(query: str) -> dict[str, Any]:
    return {
        "start_timestamp": None,
        "stop_timestamp": None,
        "type": "tool_use",
        "name": "web_search",
        "input": {"query": query},
        "message": "Searching the web",
    }


def claude_tool_result(text: str) -> dict[str, Any]:
    return {
        "start_timestamp": None,
        "stop_timestamp": None,
        "type": "tool_result",
        "name": "web_search",
        "content": [{"type": "text", "text": text, "uuid": "r-1"}],
        "is_error": False,
    }


def claude_message(
    sender: str,
    blocks: Sequence[dict[str, Any]] | None = None,
    text: str = "",
    attachments: Sequence[str] = (),
    uuid: str = "m",
) -> dict[str, Any]:
    """A chat message; ``blocks`` None builds an old-style message with only ``text``."""
    message: dict[str, Any] = {
        "uuid": uuid,
        "text": text,
        "sender": sender,
        "created_at": "2025-02-01T10:00:00.000000Z",
        "updated_at": "2025-02-01T10:00:00.000000Z",
        "attachments": [
            {
                "file_name": f"file{i}.txt",
                "file_size": len(a),
                "file_type": "txt",
                "extracted_content": a,
            }
            for i, a in enumerate(attachments)
        ],
        "files": [],
    }
    if blocks is not None:
        message["content"] = list(blocks)
    return message


def claude_conversation(
    uuid: str,
    messages: Sequence[dict[str, Any]],
    account: str | None = "acct-1",
    created_at: str = "2025-02-01T10:00:00.123456Z",
) -> dict[str, Any]:
    record: dict[str, Any] = {
        "uuid": uuid,
        "name": "A generated title",
        "created_at": created_at,
        "updated_at": created_at,
        "chat_messages": list(messages),
    }
    if account is not None:
        record["account"] = {"uuid": account}
    return record


# -- ChatGPT export --------------------------------------------------------------------------


class ChatGPTTree:
    """Builds a ChatGPT ``mapping``: a root node, a hidden system message, then added nodes."""

    def __init__(self) -> None:
        self.mapping: dict[str, dict[str, Any]] = {}
        self._add("root", None, None)
        self.system = self._add(
            "sys",
            "root",
            self.message("system", [""], metadata={"is_visually_hidden_from_conversation": True}),
        )

    @staticmethod
    def message(
        role: str,
        parts: list[Any],
        content_type: str = "text",
        metadata: dict[str, Any] | None = None,
        recipient: str = "all",
    ) -> dict[str, Any]:
        content: dict[str, Any] = {"content_type": content_type}
        if content_type in ("text", "multimodal_text"):
            content["parts"] = parts
        else:  # code / execution_output carry ``text`` instead of ``parts``
            content["text"] = "".join(p for p in parts if isinstance(p, str))
        return {
            "id": "",
            "author": {"role": role, "name": None, "metadata": {}},
            "create_time": 1736935800.5,
            "update_time": None,
            "content": content,
            "status": "finished_successfully",
            "end_turn": True,
            "weight": 1.0,
            "metadata": metadata or {},
            "recipient": recipient,
            "channel": None,
        }

    def add(self, parent: str, role: str, *parts: Any, **kwargs: Any) -> str:
        return self._add(f"n{len(self.mapping)}", parent, self.message(role, list(parts), **kwargs))

    def _add(self, node_id: str, parent: str | None, message: dict[str, Any] | None) -> str:
        if message is not None:
            message["id"] = node_id
        self.mapping[node_id] = {
            "id": node_id,
            "message": message,
            "parent": parent,
            "children": [],
        }
        if parent is not None:
            self.mapping[parent]["children"].append(node_id)
        return node_id

    def conversation(
        self, conv_id: str, current_node: str, create_time: float = 1736935800.25
    ) -> dict[str, Any]:
        return {
            "title": "A generated title",
            "create_time": create_time,
            "update_time": create_time + 60,
            "mapping": self.mapping,
            "moderation_results": [],
            "current_node": current_node,
            "plugin_ids": None,
            "conversation_id": conv_id,
            "conversation_template_id": None,
            "gizmo_id": None,
            "is_archived": False,
            "safe_urls": [],
            "default_model_slug": "gpt-4o",
            "id": conv_id,
        }


def chatgpt_simple(conv_id: str, turns: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """A linear ChatGPT conversation of (role, text) turns after the hidden system message."""
    tree = ChatGPTTree()
    node = tree.system
    for role, text in turns:
        node = tree.add(node, role, text)
    return tree.conversation(conv_id, node)


# -- files -----------------------------------------------------------------------------------


def write_json(path: Path, value: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
    return path


def write_zip(path: Path, members: dict[str, bytes | str | Any]) -> Path:
    """Members are raw bytes, text, or values dumped as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, value in members.items():
            if isinstance(value, str):
                value = value.encode()
            elif not isinstance(value, bytes):
                value = json.dumps(value).encode()
            archive.writestr(name, value)
    return path


def write_large_chatgpt_export(path: Path, n_conversations: int, text_bytes: int) -> Path:
    """A ChatGPT array export written one record at a time (never held whole in memory)."""
    text = "x" * text_bytes
    with open(path, "w", encoding="utf-8") as f:
        f.write("[")
        for i in range(n_conversations):
            if i:
                f.write(",")
            f.write(json.dumps(chatgpt_simple(f"c{i}", [("user", text), ("assistant", "ok")])))
        f.write("]")
    return path
