"""Streaming every input record into a Conversation or a Quarantined, in input order.

Memory stays bounded by the largest single record: JSON Lines are read line by line, JSON
array exports are parsed incrementally with ``ijson`` (never loaded whole), zip members and gzip
streams are decompressed as they are read, and seen ids live in :class:`SeenIds`.

Errors: a record that cannot be read is quarantined with its place and a reason code. A JSON
syntax error inside an array export ends that file (a streaming parser cannot find the next
record after it): the record where parsing failed is quarantined as ``invalid_json`` with a detail
saying the rest of the file was not read. Unreadable containers (missing path, bad zip, corrupt
gzip or zip data, unknown content) raise :class:`InputError` naming the file.

Duplicates: conversation ids are taken to be unique across the whole read. A well-formed
conversation whose id was already yielded in this read is quarantined: ``duplicate_id`` when its
normalised content (user, timestamp, roles, texts) is the same, so overlapping inputs such as an
export zip and its unpacked copy are classified and paid for once; ``duplicate_id_conflict`` when
it differs. The first occurrence wins; the detail names where it was.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO

import ijson

from econ_index.ingest import chatgpt, claude, jsonl
from econ_index.ingest.dedup import SeenIds
from econ_index.ingest.errors import InputError, Reason, Reject
from econ_index.ingest.fields import expect_object
from econ_index.ingest.sources import Kind, Source, expand_paths, iter_sources
from econ_index.types import Conversation, Quarantined, SourceLocation

Parser = Callable[[object, SourceLocation, str | None, datetime | None], Conversation]
FORMATS = ("auto", "jsonl", "claude", "chatgpt")
_ARRAY_PARSERS: dict[str, Parser] = {"claude": claude.parse, "chatgpt": chatgpt.parse}
# ijson's read size. yajl re-scans a string token that spans reads, so a multi-megabyte message
# (a pasted document) costs O(size^2 / buffer): 512 KiB makes a 6 MB escaped message ~8x faster
# than ijson's 64 KiB default, for ~10% more CPU in parsing ordinary records.
_ARRAY_READ_BYTES = 512 * 1024
# A JSON Lines line is held whole while parsed: cap it so that a file without newlines (a binary
# file, a pretty-printed array named .jsonl) cannot take all memory.
MAX_LINE_BYTES = 256 * 1024 * 1024
_DRAIN_BYTES = 1024 * 1024
# Errors of the byte stream itself (not of the JSON in it): the whole input is unreadable.
_STREAM_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError)


def read_inputs(
    paths: Sequence[str | Path],
    fmt: str = "auto",
    *,
    max_line_bytes: int = MAX_LINE_BYTES,
    default_created_at: datetime | None = None,
) -> Iterator[Conversation | Quarantined]:
    """Yield one Conversation or Quarantined per input record, in input order.

    ``paths`` are files, directories (walked recursively) or globs of JSON Lines (plain or gzip),
    Claude.ai or ChatGPT exports (``conversations.json`` or the export zip). ``fmt`` forces a
    format ("jsonl", "claude", "chatgpt") instead of detecting it ("auto"). Paths are checked
    before anything is read: a missing path or an unknown ``fmt`` raises :class:`InputError` at
    once; problems found while reading a file raise it when that file is reached. A JSON Lines
    line longer than ``max_line_bytes`` is skipped unread and quarantined (``record_too_large``);
    so is an array export's record, and the rest of that file is not read (memory stays bounded
    by the cap, whatever a compressed input expands to).
    A record without a timestamp gets ``default_created_at`` when given, else is quarantined
    (``missing_created_at``).
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return _read_all(expand_paths(paths), fmt, max_line_bytes, default_created_at)


def known_record_count(paths: Sequence[str | Path]) -> int | None:
    """How many records the inputs hold, when that is cheap to know before reading them: every
    file is uncompressed JSON Lines, one record per non-blank line (read in 1 MiB chunks, so a
    huge line takes no more memory). None for gzip, zip and array exports, which are counted
    only by parsing them."""
    files = expand_paths(paths)
    if not files or not all(f.name.lower().endswith((".jsonl", ".ndjson")) for f in files):
        return None
    return sum(_non_blank_lines(f) for f in files)


def _non_blank_lines(path: Path) -> int:
    count, open_line = 0, False  # open_line: the line being read has a non-blank byte so far
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            *ended, tail = chunk.split(b"\n")
            for piece in ended:
                count += open_line or bool(piece.strip())
                open_line = False
            open_line = open_line or bool(tail.strip())
    return count + open_line


def _read_all(
    files: list[Path], fmt: str, max_line_bytes: int, default_created_at: datetime | None
) -> Iterator[Conversation | Quarantined]:
    seen = SeenIds()
    try:
        for path in files:
            for source in iter_sources(path):
                for item in _read_source(source, fmt, max_line_bytes, default_created_at):
                    yield _check_duplicate(item, seen) if isinstance(item, Conversation) else item
    finally:
        seen.close()


def _check_duplicate(conversation: Conversation, seen: SeenIds) -> Conversation | Quarantined:
    first = seen.add(conversation)
    if first is None:
        return conversation
    if first.same_content:
        reason, how = Reason.DUPLICATE_ID, "same content"
    else:
        reason, how = Reason.DUPLICATE_ID_CONFLICT, "different content"
    return Quarantined(
        conversation.location,
        reason.value,
        conversation.source_id,
        f"id first seen at {first.location}, {how}",
    )


def _read_source(
    source: Source, fmt: str, max_line_bytes: int, default_created_at: datetime | None
) -> Iterator[Conversation | Quarantined]:
    try:
        kind, skip = source.sniff()
        if kind is Kind.EMPTY:
            return
        if kind is Kind.UNKNOWN:
            raise InputError(f"{source.name}: neither JSON Lines nor a JSON array export")
        if kind is Kind.LINES:
            if fmt not in ("auto", "jsonl"):
                raise InputError(f"{source.name}: expected a {fmt} JSON array, found JSON Lines")
            yield from _read_lines(source, max_line_bytes, default_created_at)
        else:
            if fmt == "jsonl":
                raise InputError(f"{source.name}: expected JSON Lines, found a JSON array")
            parser = _ARRAY_PARSERS.get(fmt)
            yield from _read_array(source, parser, skip, default_created_at, max_line_bytes)
    except _STREAM_ERRORS as exc:
        # The exception's own message may quote bytes of the file: report only its type.
        raise InputError(f"{source.name}: cannot read ({type(exc).__name__})") from None


def _read_lines(
    source: Source, max_bytes: int, default_created_at: datetime | None
) -> Iterator[Conversation | Quarantined]:
    with source.open() as stream:
        for number, line in enumerate(_bounded_lines(stream, max_bytes), start=1):
            location = SourceLocation(source.name, number, "line")
            if line is None:
                yield Quarantined(
                    location,
                    Reason.RECORD_TOO_LARGE.value,
                    detail=f"line longer than {max_bytes} bytes; skipped unread",
                )
                continue
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except UnicodeDecodeError:
                yield Quarantined(location, Reason.INVALID_JSON.value, detail="not valid UTF-8")
                continue
            except json.JSONDecodeError as exc:
                yield Quarantined(
                    location,
                    Reason.INVALID_JSON.value,
                    detail=f"JSON syntax error at column {exc.colno}",
                )
                continue
            except RecursionError:
                yield Quarantined(location, Reason.INVALID_JSON.value, detail="nested too deeply")
                continue
            yield _convert(jsonl.parse, record, location, None, default_created_at)


def _bounded_lines(stream: IO[bytes], max_bytes: int) -> Iterator[bytes | None]:
    """Each line of ``stream``, or None for a line over ``max_bytes`` (drained, never held)."""
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes or line.endswith(b"\n"):
            yield line
            continue
        while (rest := stream.readline(_DRAIN_BYTES)) and not rest.endswith(b"\n"):
            pass
        yield None


class _RecordTooLarge(Exception):
    """Raised by :class:`_CappedStream` when one array record runs past the size cap."""


class _CappedStream:
    """A byte stream that refuses to give more than ``cap`` bytes past the last :meth:`mark`.

    ijson builds each record whole: without a cap, one huge string (a decompression bomb
    inside an export) would take all memory. The cap bounds a record as the line cap bounds a
    JSON Lines line (one read buffer of slack)."""

    def __init__(self, stream: IO[bytes], cap: int) -> None:
        self._stream = stream
        self._cap = cap
        self._since_mark = 0

    def mark(self) -> None:
        self._since_mark = 0

    def read(self, n: int = -1) -> bytes:
        if self._since_mark > self._cap:
            raise _RecordTooLarge
        data = self._stream.read(n)
        self._since_mark += len(data)
        return data


def _read_array(
    source: Source,
    parser: Parser | None,
    skip: int,
    default_created_at: datetime | None,
    max_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Conversation | Quarantined]:
    """Records of a JSON array export; ``parser`` None means detect it from the records."""
    user_id = source.export_user_id()
    with source.open() as raw:
        raw.read(skip)
        stream = _CappedStream(raw, max_bytes)
        records = ijson.items(stream, "item", use_float=True, buf_size=_ARRAY_READ_BYTES)
        index = 0
        while True:
            location = SourceLocation(source.name, index, "record")
            try:
                record = next(records)
            except StopIteration:
                return
            except _RecordTooLarge:
                yield Quarantined(
                    location,
                    Reason.RECORD_TOO_LARGE.value,
                    detail=f"record longer than {max_bytes} bytes; "
                    "the rest of the file was not read",
                )
                return
            except (ijson.JSONError, ValueError):
                yield Quarantined(
                    location,
                    Reason.INVALID_JSON.value,
                    detail="JSON syntax error or truncation in this record; "
                    "the rest of the file was not read",
                )
                return
            stream.mark()
            parser = parser or _detect(record)
            if parser is None:
                yield _unrecognized(record, location)
            else:
                yield _convert(parser, record, location, user_id, default_created_at)
            index += 1


def _detect(record: object) -> Parser | None:
    """The export format of a record, from a key only that format has."""
    if isinstance(record, dict):
        if "mapping" in record:
            return chatgpt.parse
        if "chat_messages" in record:
            return claude.parse
    return None


def _unrecognized(record: object, location: SourceLocation) -> Quarantined:
    try:
        expect_object(record)
    except Reject as exc:
        return Quarantined(location, exc.reason.value, detail=exc.detail)
    return Quarantined(
        location,
        Reason.UNRECOGNIZED_RECORD.value,
        detail="neither a Claude (chat_messages) nor a ChatGPT (mapping) record",
    )


def _convert(
    parser: Parser,
    record: object,
    location: SourceLocation,
    user_id: str | None,
    default_created_at: datetime | None,
) -> Conversation | Quarantined:
    try:
        return parser(record, location, user_id, default_created_at)
    except Reject as exc:
        return Quarantined(location, exc.reason.value, exc.source_id, exc.detail)
