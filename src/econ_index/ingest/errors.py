"""Error types and quarantine reason codes of ingestion.

Nothing here may carry text from a record: details are built from fixed templates that name
fields, JSON types and positions only.
"""

from __future__ import annotations

from enum import StrEnum


class InputError(Exception):
    """A whole input cannot be read (missing path, unreadable zip or stream, unknown format).

    The message names the file; it never quotes the file's content.
    """


class Reason(StrEnum):
    """Why a record was quarantined (stored in the warehouse's quarantine table)."""

    INVALID_JSON = "invalid_json"  # the record is not valid JSON (or not UTF-8)
    RECORD_TOO_LARGE = "record_too_large"  # a JSON Lines line over the size limit, not read
    NOT_AN_OBJECT = "not_an_object"  # valid JSON, but not a JSON object
    UNRECOGNIZED_RECORD = "unrecognized_record"  # format auto-detection found no known layout
    MISSING_ID = "missing_id"
    MISSING_CREATED_AT = "missing_created_at"
    BAD_TIMESTAMP = "bad_timestamp"
    WRONG_TYPE = "wrong_type"  # a field is missing where required, or has the wrong JSON type
    UNKNOWN_ROLE = "unknown_role"
    BROKEN_TREE = "broken_tree"  # ChatGPT mapping: dangling parent, missing node, or a cycle
    DUPLICATE_ID = "duplicate_id"  # same id and same content as an earlier record of this read
    DUPLICATE_ID_CONFLICT = "duplicate_id_conflict"  # same id as an earlier record, other content


def type_name(value: object) -> str:
    """The JSON type name of a parsed value, for details (never the value itself)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


class Reject(Exception):
    """Raised by a record parser: the record goes to quarantine with this reason and detail."""

    def __init__(self, reason: Reason, detail: str, source_id: str | None = None) -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail
        self.source_id = source_id

    @classmethod
    def wrong_type(cls, field: str, expected: str, value: object) -> Reject:
        return cls(Reason.WRONG_TYPE, f"{field}: expected {expected}, got {type_name(value)}")
