"""Claude.ai data export: ``conversations.json``, a JSON array of conversations.

Each conversation has ``uuid``, ``name``, ``created_at``, ``updated_at``, ``account.uuid`` and
``chat_messages[]``; each message has ``uuid``, ``sender`` (``human`` | ``assistant``), ``text``,
``content[]`` blocks, ``created_at`` and ``attachments[]``.

Rules:

* ``source_id`` is ``uuid``; ``user_id`` is ``account.uuid``, or the export-derived id when the
  account is absent (see :mod:`econ_index.ingest.sources`).
* Message text is the ``text`` blocks of ``content``, in order. Only when a message has no
  ``content`` array (older exports) is its flat ``text`` field used: in current exports ``text``
  also renders tool calls, which are not prose.
* ``tool_use`` and ``tool_result`` blocks are skipped: they are machine input and output (search
  results, fetched pages, code output), not what the user or assistant wrote, and would bias the
  task label towards whatever the tool returned. Other block types (``thinking``, images, ...)
  are skipped too.
* Each attachment's ``extracted_content`` (the text of a file the user pasted or uploaded) is
  appended to the message that carries it, after the message text: it is part of the user's
  request. Attachments without extracted text (images) contribute nothing.
* Messages are taken in array order. Messages left blank (e.g. an assistant turn that only called
  a tool) are dropped. The conversation title (``name``) is ignored: it is generated, not written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from econ_index.ingest.errors import Reject
from econ_index.ingest.fields import (
    expect_object,
    iso_timestamp,
    join_text,
    normalise_role,
    optional_str,
    require_id,
    require_list,
)
from econ_index.types import Conversation, Message, SourceLocation


def parse(
    record: object,
    location: SourceLocation,
    export_user_id: str | None,
    default_created_at: datetime | None = None,
) -> Conversation:
    obj = expect_object(record)
    source_id = require_id(obj, "uuid")
    try:
        created_at = iso_timestamp(obj.get("created_at"), "created_at", default_created_at)
        user_id = _account_uuid(obj.get("account")) or export_user_id
        messages: list[Message] = []
        for i, raw in enumerate(require_list(obj, "chat_messages")):
            message = _message(raw, f"chat_messages[{i}]")
            if message is not None:
                messages.append(message)
    except Reject as exc:
        exc.source_id = source_id
        raise
    return Conversation(source_id, user_id, created_at, tuple(messages), location)


def _account_uuid(account: object) -> str | None:
    if account is None:
        return None
    if not isinstance(account, dict):
        raise Reject.wrong_type("account", "object", account)
    return optional_str(account, "uuid", "account.")


def _message(raw: object, where: str) -> Message | None:
    if not isinstance(raw, dict):
        raise Reject.wrong_type(where, "object", raw)
    role = normalise_role(raw.get("sender"), f"{where}.sender")
    pieces = _content_text(raw, where)
    pieces.extend(_attachment_text(raw, where))
    text = join_text(pieces)
    if role is None or not text:
        return None
    return Message(role, text)


def _content_text(raw: dict[str, Any], where: str) -> list[str]:
    content = raw.get("content")
    if content is None:
        text = raw.get("text")
        if text is None:
            return []
        if not isinstance(text, str):
            raise Reject.wrong_type(f"{where}.text", "string", text)
        return [text]
    if not isinstance(content, list):
        raise Reject.wrong_type(f"{where}.content", "array", content)
    pieces: list[str] = []
    for j, block in enumerate(content):
        if not isinstance(block, dict):
            raise Reject.wrong_type(f"{where}.content[{j}]", "object", block)
        if block.get("type") != "text":
            continue
        text = block.get("text")
        if not isinstance(text, str):
            raise Reject.wrong_type(f"{where}.content[{j}].text", "string", text)
        pieces.append(text)
    return pieces


def _attachment_text(raw: dict[str, Any], where: str) -> list[str]:
    attachments = raw.get("attachments")
    if attachments is None:
        return []
    if not isinstance(attachments, list):
        raise Reject.wrong_type(f"{where}.attachments", "array", attachments)
    pieces: list[str] = []
    for j, attachment in enumerate(attachments):
        if not isinstance(attachment, dict):
            raise Reject.wrong_type(f"{where}.attachments[{j}]", "object", attachment)
        text = optional_str(attachment, "extracted_content", f"{where}.attachments[{j}].")
        if text is not None:
            pieces.append(text)
    return pieces
