"""ChatGPT data export: ``conversations.json``, a JSON array of conversations.

Each conversation has ``id`` / ``conversation_id``, ``title``, ``create_time`` (epoch seconds),
``current_node`` and ``mapping``: a tree of nodes ``{id, message, parent, children}`` where
``message`` is null or ``{author: {role}, recipient, content: {content_type, parts}, metadata}``.

Rules:

* ``source_id`` is ``id`` (else ``conversation_id``). Exports carry no user id per conversation:
  ``user_id`` is the export-derived id (see :mod:`econ_index.ingest.sources`).
* Only the branch the user last saw is read: from ``current_node`` up the ``parent`` links to the
  root, then reversed. Regenerated answers and edited prompts on other branches are ignored. A
  missing ``current_node``, a parent that is not in ``mapping`` or a cycle is ``broken_tree``.
* Skipped messages: roles ``system`` and ``tool``; messages flagged
  ``metadata.is_visually_hidden_from_conversation`` (custom instructions, internal context);
  messages addressed to a tool (``recipient`` other than ``all``: code, search or image calls).
* Only ``content_type`` ``text`` and ``multimodal_text`` are prose. Other types (``code``,
  ``execution_output``, ``tether_browsing_display``, ``thoughts``, ``user_editable_context``, ...)
  are tool traffic or hidden context and are skipped.
* Within ``parts``, strings are text; a dict part is kept only if it is an
  ``audio_transcription`` (the words of a voice conversation); images, audio and other asset
  pointers are skipped. Parts of one message are joined with newlines.
* Messages left blank are dropped. The ``title`` is ignored: it is generated, not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from econ_index.ingest.errors import Reason, Reject
from econ_index.ingest.fields import (
    epoch_timestamp,
    expect_object,
    join_text,
    normalise_role,
    require_id,
)
from econ_index.types import Conversation, Message, SourceLocation

_SKIPPED_ROLES = frozenset({"tool"})
_PROSE_TYPES = frozenset({"text", "multimodal_text"})


def parse(
    record: object,
    location: SourceLocation,
    export_user_id: str | None,
    default_created_at: datetime | None = None,
) -> Conversation:
    obj = expect_object(record)
    source_id = require_id(obj, "id", "conversation_id")
    try:
        created_at = epoch_timestamp(obj.get("create_time"), "create_time", default_created_at)
        messages: list[Message] = []
        for node in _current_branch(obj):
            message = _message(node.get("message"))
            if message is not None:
                messages.append(message)
    except Reject as exc:
        exc.source_id = source_id
        raise
    return Conversation(source_id, export_user_id, created_at, tuple(messages), location)


def _current_branch(obj: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The nodes from the root to ``current_node``."""
    mapping = obj.get("mapping")
    if not isinstance(mapping, dict):
        raise Reject.wrong_type("mapping", "object", mapping)
    node_id = obj.get("current_node")
    if not isinstance(node_id, str):
        raise Reject(Reason.BROKEN_TREE, "current_node: missing or not a string")
    branch: list[dict[str, Any]] = []
    while node_id is not None:
        node = mapping.get(node_id) if isinstance(node_id, str) else None
        if not isinstance(node, dict):
            raise Reject(
                Reason.BROKEN_TREE,
                f"mapping: node at depth {len(branch)} of the current branch is missing",
            )
        branch.append(node)
        if len(branch) > len(mapping):
            raise Reject(Reason.BROKEN_TREE, "mapping: parent links form a cycle")
        node_id = node.get("parent")
    branch.reverse()
    return branch


def _message(raw: object) -> Message | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise Reject.wrong_type("mapping node message", "object or null", raw)
    author = raw.get("author")
    if not isinstance(author, dict):
        raise Reject.wrong_type("message.author", "object", author)
    role = normalise_role(author.get("role"), "message.author.role", _SKIPPED_ROLES)
    metadata = raw.get("metadata")
    hidden = isinstance(metadata, dict) and metadata.get("is_visually_hidden_from_conversation")
    recipient = raw.get("recipient")
    if role is None or hidden or recipient not in (None, "all"):
        return None
    content = raw.get("content")
    if not isinstance(content, dict):
        raise Reject.wrong_type("message.content", "object", content)
    if content.get("content_type") not in _PROSE_TYPES:
        return None
    parts = content.get("parts")
    if not isinstance(parts, list):
        raise Reject.wrong_type("message.content.parts", "array", parts)
    text = join_text((_part_text(part) for part in parts), sep="\n")
    return Message(role, text) if text else None


def _part_text(part: object) -> str:
    if isinstance(part, str):
        return part
    if isinstance(part, dict):
        text = part.get("text")
        if part.get("content_type") == "audio_transcription" and isinstance(text, str):
            return text
        return ""
    if part is None:
        return ""
    raise Reject.wrong_type("message.content.parts[]", "string or object", part)
