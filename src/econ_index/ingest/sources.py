"""Finding input files, opening them as byte streams, and telling what they hold.

Paths:

* An existing file is always read, whatever its name. A directory is walked recursively in sorted
  order and a glob (``*``, ``?``, ``[``; ``**`` recurses) is expanded in sorted order; both keep
  only *conversation files*: ``*.jsonl``, ``*.ndjson`` (optionally ``.gz``), ``*.zip`` and
  ``conversations*.json`` (optionally ``.gz``). The other JSON files of an export
  (``users.json``, ``projects.json``, ``user.json``, ``message_feedback.json``, ...) are metadata,
  not conversations. Hidden files and directories are skipped. A file reached twice (say by a
  directory and a glob) is read once.
* A zip (by ``.zip`` suffix or zip magic bytes) is read member by member, streamed, in archive
  order; its conversation files are chosen by the same name rule (``__MACOSX`` is skipped).
* Gzip is recognised by its magic bytes, for files and zip members alike.

Content: after an optional UTF-8 byte order mark and whitespace, ``[`` means a JSON array export
and ``{`` means JSON Lines; a ``.jsonl`` / ``.ndjson`` name means JSON Lines whatever the content.

Export-derived user id (for exports that name no user per conversation: ChatGPT always, Claude
when ``account`` is absent): the ``id`` field of the ``user.json`` next to ``conversations.json``
(same directory, or same folder of the zip) when present; otherwise
``"file:" + sha256(resolved path)`` of the file, or of ``"<resolved zip path>!<member>"``. That is
stable across runs as long as the export stays where it is.
"""

from __future__ import annotations

import glob
import gzip
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO, cast

from econ_index.ingest.errors import InputError

_LINE_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_GZIP_MAGIC = b"\x1f\x8b"
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
_BOM = b"\xef\xbb\xbf"
_SNIFF_LIMIT = 1 << 20  # bytes of leading whitespace tolerated before giving up
_USER_JSON_LIMIT = 1 << 20  # user.json is a few hundred bytes; refuse anything odd


class Kind(Enum):
    ARRAY = "array"
    LINES = "lines"
    EMPTY = "empty"
    UNKNOWN = "unknown"


_FIRST_BYTE = {b"[": Kind.ARRAY, b"{": Kind.LINES}


@dataclass(frozen=True)
class Source:
    """One stream of conversation records: a file or a zip member."""

    name: str  # shown in SourceLocation.file and in error messages
    identity: str  # resolved location, hashed into the export-derived user id
    opener: Callable[[], IO[bytes]]
    user_json: Callable[[], IO[bytes]] | None = None

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        """The decompressed byte stream (gzip is undone transparently)."""
        with self.opener() as raw:
            if _peek(raw, 2) == _GZIP_MAGIC:
                with gzip.GzipFile(fileobj=raw, mode="rb") as unzipped:
                    yield cast(IO[bytes], unzipped)
            else:
                yield raw

    def sniff(self) -> tuple[Kind, int]:
        """What the stream holds, and how many leading bytes (a BOM) a JSON parser must skip."""
        with self.open() as stream:
            head = stream.read(len(_BOM))
            bom = len(_BOM) if head == _BOM else 0
            chunk = head[bom:]
            seen = 0
            while seen < _SNIFF_LIMIT:
                stripped = chunk.lstrip()
                if stripped:
                    kind = _FIRST_BYTE.get(stripped[:1], Kind.UNKNOWN)
                    break
                seen += len(chunk)
                chunk = stream.read(1 << 16)
                if not chunk:
                    kind = Kind.EMPTY
                    break
            else:
                kind = Kind.UNKNOWN
        if kind is Kind.UNKNOWN and self.name.lower().endswith(_LINE_SUFFIXES):
            kind = Kind.LINES
        return kind, bom

    def export_user_id(self) -> str:
        if self.user_json is not None:
            try:
                with self.user_json() as stream:
                    data = json.loads(stream.read(_USER_JSON_LIMIT + 1))
            except (OSError, ValueError, zipfile.BadZipFile):
                data = None
            if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
                return str(data["id"])
        return "file:" + hashlib.sha256(self.identity.encode("utf-8", "surrogatepass")).hexdigest()


def is_conversation_file(name: str, *, allow_zip: bool = True) -> bool:
    """The name rule for files found by walking a directory, a glob or a zip."""
    base = PurePosixPath(name).name.lower()
    if base.startswith("."):
        return False
    if base.endswith(_LINE_SUFFIXES) or (allow_zip and base.endswith(".zip")):
        return True
    return base.startswith("conversations") and base.endswith((".json", ".json.gz"))


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Every input file, in order; raises :class:`InputError` for paths that match nothing."""
    if isinstance(paths, str | Path):
        paths = [paths]
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = _walk(path)
            if not found:
                raise InputError(f"{path}: no conversation files in this directory")
            files.extend(found)
        elif path.exists():
            raise InputError(f"{path}: not a regular file or directory")
        elif any(c in str(given) for c in "*?["):
            found = [
                f
                for match in sorted(glob.glob(str(given), recursive=True))
                for f in (_walk(Path(match)) if Path(match).is_dir() else [Path(match)])
                if f.is_file() and is_conversation_file(f.name)
            ]
            if not found:
                raise InputError(f"{given}: no conversation files match this pattern")
            files.extend(found)
        else:
            raise InputError(f"{path}: no such file or directory")
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values())


def _walk(root: Path) -> list[Path]:
    found: list[Path] = []
    for directory, subdirs, names in os.walk(root):
        subdirs[:] = [d for d in subdirs if not d.startswith(".")]
        found.extend(Path(directory, n) for n in names if is_conversation_file(n))
    return sorted(found, key=lambda f: f.relative_to(root).parts)


def iter_sources(path: Path) -> Iterator[Source]:
    """The record streams of one input file: itself, or its zip members (kept open meanwhile)."""
    if not _is_zip(path):
        sibling = path.parent / "user.json"
        yield Source(
            name=str(path),
            identity=str(path.resolve()),
            opener=lambda: open(path, "rb"),
            user_json=(lambda: open(sibling, "rb")) if sibling.is_file() else None,
        )
        return
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"{path}: not a readable zip archive ({type(exc).__name__})") from None
    with archive:
        names = set(archive.namelist())
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and is_conversation_file(info.filename, allow_zip=False)
        ]
        if not members:
            raise InputError(f"{path}: the zip holds no conversations.json or .jsonl file")
        resolved = path.resolve()
        for info in members:
            if info.flag_bits & 0x1:
                raise InputError(f"{path}!{info.filename}: encrypted zip members are not supported")
            user_json = str(PurePosixPath(info.filename).with_name("user.json"))
            yield Source(
                name=f"{path}!{info.filename}",
                identity=f"{resolved}!{info.filename}",
                opener=partial(archive.open, info),
                user_json=partial(archive.open, user_json) if user_json in names else None,
            )


def _is_zip(path: Path) -> bool:
    if path.suffix.lower() == ".zip":
        return True
    try:
        with open(path, "rb") as f:
            return f.read(4) in _ZIP_MAGICS
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror})") from None


def _peek(stream: IO[bytes], n: int) -> bytes:
    # Files open as BufferedReader and zip members as ZipExtFile: both can peek.
    return cast(io.BufferedReader, stream).peek(n)[:n]
