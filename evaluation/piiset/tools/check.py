#!/usr/bin/env python3
"""Check a rater's output file against the units of its batches (standard library only).

    BATCHES=/tmp/pii_batches python3 check.py /tmp/pii_out/rp1.jsonl

Every unit of the rater's batches must appear once; every span's ``type`` must be valid and its
``text`` must occur in the unit at least ``occurrence`` times (1-based among identical substrings,
counted from every start position; default 1); spans must not overlap; NATIONAL_ID needs a note.
"""
import json
import os
import re
import sys
from pathlib import Path

REMOVE = ("PERSON", "EMAIL", "PHONE", "ADDRESS", "NATIONAL_ID", "ACCOUNT", "DOB", "COORDINATES",
          "CREDENTIAL", "IP", "CARD", "IBAN")
KEEP = ("PUBLIC_FIGURE", "AUTHOR", "FICTIONAL", "ORG", "PLACE", "PRODUCT", "VERSION", "OTHER_NUMBER")
TYPES = REMOVE + KEEP
# one unit in a batch file: its header line, its exact text, its end marker
UNIT = re.compile(r"^### (\S+)\n(.*?)\n=== END \1 ===$", re.S | re.M)


def locate(text, quote, occurrence=1):
    """Start offset of the ``occurrence``-th (1-based) start of ``quote`` in ``text``, or -1."""
    i = -1
    for _ in range(occurrence):
        i = text.find(quote, i + 1)
        if i == -1:
            return -1
    return i


def read_batches(folder, rater):
    """Unit id -> exact text, from the rater's batch files ``<rater>_NN.md``."""
    units = {}
    for path in sorted(Path(folder).glob(f"{rater}_*.md")):
        with path.open(encoding="utf-8", newline="") as fh:
            units.update((m[1], m[2]) for m in UNIT.finditer(fh.read()))
    return units


def check_record(record, text):
    """The record's spans as sorted (start, end, type, note); raises AssertionError on a problem."""
    assert isinstance(record.get("spans"), list), "spans must be a list"
    found = []
    for s in record["spans"]:
        assert s.get("type") in TYPES, f"bad type {s.get('type')!r}"
        quote, n = s.get("text"), s.get("occurrence", 1)
        assert isinstance(quote, str) and quote, "span text must be a non-empty string"
        assert quote == quote.strip(), f"span {quote!r} has surrounding whitespace"
        assert isinstance(n, int) and n >= 1, f"bad occurrence {n!r}"
        start = locate(text, quote, n)
        assert start >= 0, f"{quote!r} occurrence {n} not in the unit"
        if s["type"] == "NATIONAL_ID":
            assert s.get("note"), f"NATIONAL_ID {quote!r} needs a note with its kind (SSN, SIN, ...)"
        found.append((start, start + len(quote), s["type"], s.get("note") or ""))
    found.sort()
    for (s1, e1, *_), (s2, e2, *_) in zip(found, found[1:]):
        assert e1 <= s2, f"spans overlap: {text[s1:e1]!r} and {text[s2:e2]!r}"
    return found


def main():
    path = Path(sys.argv[1])
    rater = path.stem[1:]  # r<rater>.jsonl
    folder = os.environ.get("BATCHES", Path(__file__).resolve().parent)
    units = read_batches(folder, rater)
    if not units:
        sys.exit(f"no batch files {rater}_*.md in {folder}")
    seen, bad = set(), 0
    for n, line in enumerate(path.open(encoding="utf-8"), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            unit = record.get("unit")
            assert unit in units, f"unit {unit!r} is not in your batches"
            assert unit not in seen, f"unit {unit} appears twice"
            check_record(record, units[unit])
            seen.add(unit)
        except (AssertionError, ValueError) as e:
            bad += 1
            print(f"line {n}: {e}")
    missing = [u for u in units if u not in seen]
    print(f"{len(seen)} valid of {len(units)} units in your batches; {bad} bad lines; "
          f"missing {len(missing)}{': ' + ', '.join(missing[:5]) if missing else ''}")
    sys.exit(1 if bad or missing else 0)


if __name__ == "__main__":
    main()
