"""Shared value types passed between ingestion, scrubbing, classification and the warehouse.

Text lives only in memory inside these objects; nothing here is ever persisted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Pattern(StrEnum):
    """Collaboration patterns of the Anthropic Economic Index."""

    DIRECTIVE = "directive"
    FEEDBACK_LOOP = "feedback_loop"
    TASK_ITERATION = "task_iteration"
    VALIDATION = "validation"
    LEARNING = "learning"
    NONE = "none"


AUTOMATION_PATTERNS = frozenset({Pattern.DIRECTIVE, Pattern.FEEDBACK_LOOP})
AUGMENTATION_PATTERNS = frozenset({Pattern.TASK_ITERATION, Pattern.VALIDATION, Pattern.LEARNING})


class Status(StrEnum):
    CLASSIFIED = "classified"
    FILTERED = "filtered"
    QUARANTINED = "quarantined"


class FilterReason(StrEnum):
    """Why a well-formed conversation produced no task label."""

    NO_USER_TURN = "no_user_turn"
    EMPTY_AFTER_SCRUBBING = "empty_after_scrubbing"
    NOT_WORK_RELATED = "not_work_related"
    BELOW_CONFIDENCE = "below_confidence"


@dataclass(frozen=True, slots=True)
class SourceLocation:
    """Where a record came from: file path and 1-based line (JSONL) or 0-based record index."""

    file: str
    record: int
    unit: str = "line"  # "line" for JSONL, "record" for JSON arrays

    def __str__(self) -> str:
        return f"{self.file}:{self.unit} {self.record}"


@dataclass(frozen=True, slots=True)
class Message:
    role: str  # "user" or "assistant" after ingestion normalises roles
    content: str


@dataclass(frozen=True, slots=True)
class Conversation:
    """One conversation as read from an export, before scrubbing."""

    source_id: str
    user_id: str | None
    created_at: datetime  # timezone-aware, UTC
    messages: tuple[Message, ...]
    location: SourceLocation

    @property
    def user_turns(self) -> Iterator[str]:
        return (m.content for m in self.messages if m.role == "user")


@dataclass(frozen=True, slots=True)
class Quarantined:
    """A record that could not be read as a conversation. Holds the reason and place, never text."""

    location: SourceLocation
    reason: str  # a short reason code, e.g. "invalid_json"
    source_id: str | None = None
    detail: str = ""  # fixed-template text naming fields, types and positions; never record text


@dataclass(frozen=True, slots=True)
class ScrubbedConversation:
    """A conversation after the privacy wall: PII replaced by typed placeholders."""

    key: str  # content- or source-addressed conversation key (hex)
    user_key: str  # keyed hash of the user id
    created_at: datetime
    messages: tuple[Message, ...]
    is_redacted: bool
    redaction_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Label:
    """A classifier's answer for one conversation."""

    onet_task_id: str | None  # None means "no O*NET task" (not work related)
    pattern: Pattern
    confidence: float  # calibrated probability that onet_task_id is right, 0..1
    is_work: bool


@dataclass(frozen=True, slots=True)
class ClassifierFailure:
    """A conversation the classifier could not label (API failure, malformed output)."""

    reason: str


@dataclass(slots=True)
class Usage:
    """Token and cost accounting for one run (all zero for the local backend)."""

    input_tokens: int = 0
    cached_input_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def add(self, other: Usage) -> None:
        self.input_tokens += other.input_tokens
        self.cached_input_tokens += other.cached_input_tokens
        self.cache_write_tokens += other.cache_write_tokens
        self.output_tokens += other.output_tokens
        self.cost_usd += other.cost_usd
