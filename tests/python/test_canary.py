"""The canary inputs and the scanner the end-to-end canary test relies on, checked quickly.

The end-to-end test (test_end_to_end.py) runs the pipeline over these inputs and scans what it
wrote; here: the inputs hold what they claim (records, quarantine reasons, canaries the scrubber
keeps or removes) and the scanner finds a canary wherever it hides.
"""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import duckdb

from canary import Canaries, contents, scan, write_all_inputs
from econ_index.ingest import read_inputs
from econ_index.pipeline import Preparer
from econ_index.privacy import Keyer
from econ_index.scrub import Scrubber
from econ_index.types import Conversation, Quarantined
from ingest_fixtures import write_zip


def test_canary_inputs_read_as_planned(tmp_path: Path) -> None:
    canaries, runs = write_all_inputs(tmp_path)
    prepare = Preparer(Scrubber(), Keyer(b"k" * 32))
    kept: set[str] = set()
    redacted = 0
    for run in runs:
        items = list(read_inputs(run.inputs, run.fmt))
        assert len(items) == run.read, run.name
        reasons = Counter(i.reason for i in items if isinstance(i, Quarantined))
        assert dict(reasons) == run.quarantine_reasons, run.name
        for item in items:
            if isinstance(item, Conversation):
                scrubbed = prepare(item)
                text = "\n".join(m.content for m in scrubbed.messages)
                kept.update(k for k, v in canaries.planted.items() if v in text)
                redacted += scrubbed.is_redacted
    # Canaries in ordinary text stand after scrubbing, so stored text could not hide; those
    # inside PII are gone; those in skipped places (titles, tools, ...) never reach the text.
    assert redacted >= 5  # the work requests of every format carry PII around canaries
    assert kept, "no canary reaches the classifier's text: the scan would prove nothing"
    assert not kept & canaries.in_pii
    assert {k for k in kept if "text" in k} >= {
        "jsonl user text",
        "jsonl assistant text",
        "gzip user text",
        "claude human text",
        "claude assistant text",
        "chatgpt user text",
        "chatgpt assistant text",
        "claude zip human text",
        "chatgpt zip user text",
    }
    for skipped in (
        "claude title",
        "claude tool use",
        "claude thinking",
        "chatgpt dead branch",
        "chatgpt system",
        "chatgpt hidden",
        "chatgpt code",
        "chatgpt title",
    ):
        assert skipped not in kept, skipped


def test_scanner_finds_canaries_wherever_they_hide(tmp_path: Path) -> None:
    c = Canaries()
    needles = {"a": c.new("duckdb"), "b": c.new("parquet"), "c": c.new("gzip"), "d": c.new("zip")}
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        # Many similar rows: DuckDB compresses them (FSST/dictionary), hiding the raw bytes.
        con.execute("create schema raw")
        con.execute(
            "create table raw.t as select 'row ' || i || ' ' || ? as s from range(20000) r(i)",
            [needles["a"]],
        )
        con.execute(
            f"copy (select 'x' || i || ?  as s from range(20000) r(i)) to "
            f"'{tmp_path / 'p.parquet'}' (format parquet, compression zstd)",
            [needles["b"]],
        )
    (tmp_path / "g.gz").write_bytes(gzip.compress(f"x {needles['c']} y".encode()))
    write_zip(tmp_path / "z.zip", {"m.json": {"k": needles["d"]}})
    files, hits = scan([tmp_path], needles)
    assert len(files) == 4
    assert {h.split(" in ", 1)[0] for h in hits} == {"a", "b", "c", "d"}
    assert any(view.endswith("raw.t") for view, _ in contents(db))
    _, none = scan([tmp_path], {"absent": c.new("absent")})
    assert none == []
