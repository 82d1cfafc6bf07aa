"""Field validation shared by the format parsers.

Each helper returns a normalised value or raises :class:`Reject`; details name the field and
the JSON type found, never the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from econ_index.ingest.errors import Reason, Reject, type_name

# JSON decoding joins valid surrogate pairs, so any surrogate left in a str is a lone one.
_SURROGATE = re.compile("[\ud800-\udfff]")

# Role aliases seen in the wild, folded to the two roles the pipeline knows. ``None`` marks a
# role that is read but skipped (system prompts are the operator's text, not the conversation).
_ROLES: dict[str, str | None] = {
    "user": "user",
    "human": "user",
    "assistant": "assistant",
    "ai": "assistant",
    "model": "assistant",
    "system": None,
}


def expect_object(record: object) -> Mapping[str, Any]:
    if not isinstance(record, dict):
        raise Reject(Reason.NOT_AN_OBJECT, f"expected a JSON object, got {type_name(record)}")
    return record


def require_id(obj: Mapping[str, Any], *keys: str) -> str:
    """The first present id among ``keys``; empty or absent ids are ``missing_id``."""
    for key in keys:
        value = obj.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise Reject.wrong_type(key, "string", value)
        return value
    raise Reject(Reason.MISSING_ID, f"{' / '.join(keys)}: missing or empty")


def optional_str(obj: Mapping[str, Any], key: str, where: str = "") -> str | None:
    """``obj[key]`` as a string; absent, null and empty all mean ``None``."""
    value = obj.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise Reject.wrong_type(where + key, "string or null", value)
    return value


def require_list(obj: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = obj.get(key)
    if not isinstance(value, list):
        raise Reject.wrong_type(where + key, "array", value)
    return value


def iso_timestamp(value: object, field: str, default: datetime | None = None) -> datetime:
    """An ISO-8601 string as an aware UTC datetime; naive values are taken to be UTC.

    A missing value is ``default`` when one is given (a wrong one is still rejected)."""
    if value is None or value == "":
        if default is not None:
            return default
        raise Reject(Reason.MISSING_CREATED_AT, f"{field}: missing")
    if not isinstance(value, str):
        raise Reject(
            Reason.BAD_TIMESTAMP, f"{field}: expected ISO-8601 string, got {type_name(value)}"
        )
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise Reject(Reason.BAD_TIMESTAMP, f"{field}: not an ISO-8601 timestamp") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def epoch_timestamp(value: object, field: str, default: datetime | None = None) -> datetime:
    """Seconds since the Unix epoch (int or float) as an aware UTC datetime (``default`` when
    missing, if given)."""
    if value is None:
        if default is not None:
            return default
        raise Reject(Reason.MISSING_CREATED_AT, f"{field}: missing")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Reject(
            Reason.BAD_TIMESTAMP, f"{field}: expected epoch seconds, got {type_name(value)}"
        )
    if not math.isfinite(value):
        raise Reject(Reason.BAD_TIMESTAMP, f"{field}: not a finite number")
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise Reject(Reason.BAD_TIMESTAMP, f"{field}: out of range") from None


def normalise_role(value: object, field: str, skip: frozenset[str] = frozenset()) -> str | None:
    """``user`` or ``assistant``; ``None`` for roles that are skipped (system, and ``skip``)."""
    if not isinstance(value, str):
        raise Reject.wrong_type(field, "string", value)
    key = value.strip().lower()
    if key in skip:
        return None
    if key not in _ROLES:
        raise Reject(Reason.UNKNOWN_ROLE, f"{field}: not a known role")
    return _ROLES[key]


def clean_text(text: str) -> str:
    """Replace lone UTF-16 surrogates (legal in JSON escapes) so later UTF-8 encoding works."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def join_text(pieces: Iterable[str], sep: str = "\n\n") -> str:
    """Join the non-blank pieces of one message."""
    return sep.join(clean_text(p) for p in pieces if p.strip())
