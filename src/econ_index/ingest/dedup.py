"""Detecting conversation ids seen earlier in the same read, in bounded memory.

Each id maps to a 16-byte digest of the normalised conversation (user id, timestamp, roles and
texts) and to where it was first seen. The map lives in a private temporary SQLite database:
SQLite keeps it in a small page cache and spills to a temporary file that it deletes on close,
so memory stays bounded however many conversations are read. Only hashes and positions are
stored, never text or raw ids.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass

from econ_index.types import Conversation, SourceLocation

_CACHE_KIB = 16 * 1024  # SQLite page cache: about 16 MiB of RAM at most


@dataclass(frozen=True, slots=True)
class FirstSeen:
    location: SourceLocation
    same_content: bool


def content_digest(conversation: Conversation) -> bytes:
    """A digest of what the pipeline reads from a conversation (not where it was read)."""
    h = hashlib.blake2b(digest_size=16)
    for field in (conversation.user_id or "", conversation.created_at.isoformat()):
        h.update(_framed(field))
    for message in conversation.messages:
        h.update(_framed(message.role))
        h.update(_framed(message.content))
    return h.digest()


def _framed(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    return len(data).to_bytes(8, "little") + data  # length prefix: fields cannot run together


class SeenIds:
    """Remembers the ids of one read; :meth:`add` says whether an id came up before."""

    def __init__(self) -> None:
        # "" opens a private on-disk temporary database, removed when the connection closes.
        self._db = sqlite3.connect("")
        self._db.execute(f"pragma cache_size = -{_CACHE_KIB}")
        self._db.execute("pragma journal_mode = off")
        self._db.execute("pragma synchronous = off")
        self._db.execute(
            "create table seen (id blob primary key, digest blob not null,"
            " file integer not null, record integer not null) without rowid"
        )
        self._files: list[tuple[str, str]] = []
        self._file_index: dict[tuple[str, str], int] = {}

    def add(self, conversation: Conversation) -> FirstSeen | None:
        """Record ``conversation``; if its id was seen before, where and whether it was equal."""
        key = hashlib.blake2b(
            conversation.source_id.encode("utf-8", "surrogatepass"), digest_size=16
        ).digest()
        digest = content_digest(conversation)
        loc = conversation.location
        file = self._file_index.setdefault((loc.file, loc.unit), len(self._files))
        if file == len(self._files):
            self._files.append((loc.file, loc.unit))
        inserted = self._db.execute(
            "insert or ignore into seen values (?, ?, ?, ?)", (key, digest, file, loc.record)
        ).rowcount
        if inserted:
            return None
        first_digest, first_file, first_record = self._db.execute(
            "select digest, file, record from seen where id = ?", (key,)
        ).fetchone()
        name, unit = self._files[first_file]
        return FirstSeen(SourceLocation(name, first_record, unit), first_digest == digest)

    def close(self) -> None:
        self._db.close()
