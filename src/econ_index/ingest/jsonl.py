"""The project's own JSON Lines format: one conversation object per line (plain or gzip).

``{"conversation_id": str, "user_id": str | null, "created_at": ISO-8601 str,
"messages": [{"role": "user" | "assistant", "content": str}]}``

Rules:

* ``conversation_id`` is required (a non-empty string); ``user_id`` may be absent, null or empty,
  which all mean "unknown user" (``None``).
* ``created_at`` without a UTC offset is taken to be UTC.
* Roles are case-insensitive; ``human`` means ``user`` and ``ai``/``model`` mean ``assistant``;
  ``system`` messages are skipped; any other role quarantines the record (``unknown_role``).
* Messages whose content is blank carry nothing to classify and are dropped; a conversation left
  with no messages is still yielded (the pipeline filters it as ``no_user_turn``).
* Blank lines are not records. Unknown keys are ignored.
"""

from __future__ import annotations

from datetime import datetime

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
    """One JSONL record as a conversation; ``export_user_id`` is unused (records name users)."""
    obj = expect_object(record)
    source_id = require_id(obj, "conversation_id")
    try:
        user_id = optional_str(obj, "user_id")
        created_at = iso_timestamp(obj.get("created_at"), "created_at", default_created_at)
        messages: list[Message] = []
        for i, raw in enumerate(require_list(obj, "messages")):
            where = f"messages[{i}]"
            if not isinstance(raw, dict):
                raise Reject.wrong_type(where, "object", raw)
            role = normalise_role(raw.get("role"), f"{where}.role")
            content = raw.get("content")
            if not isinstance(content, str):
                raise Reject.wrong_type(f"{where}.content", "string", content)
            text = join_text([content])
            if role is not None and text:
                messages.append(Message(role, text))
    except Reject as exc:
        exc.source_id = source_id
        raise
    return Conversation(source_id, user_id, created_at, tuple(messages), location)
