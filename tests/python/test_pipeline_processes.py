"""Two-process runs (a forked worker reads and scrubs) stage exactly what one-process runs do."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

import econ_index.pipeline as pipeline
from econ_index.classify.local import LocalClassifier
from econ_index.generate import write_corpus
from econ_index.ingest import InputError, read_inputs
from econ_index.pipeline import Preparer, Run, connect_warehouse, parallel_prepare_available
from econ_index.privacy import Keyer
from econ_index.scrub import Scrubber
from econ_index.taxonomy import Taxonomy
from econ_index.types import Conversation, Message, Quarantined, SourceLocation

KEY = b"0123456789abcdef0123456789abcdef"
pytestmark = pytest.mark.skipif(not parallel_prepare_available(), reason="needs fork")

_COLUMNS = (
    "conversation_key, user_key, created_at, status, filter_reason, onet_task_id, "
    "collaboration_pattern, confidence, is_redacted"
)


def _run(
    records: object, warehouse: Path, classifier: LocalClassifier, processes: int
) -> tuple[dict[str, object], list[tuple[object, ...]], list[tuple[object, ...]]]:
    run = Run(
        classifier,
        Preparer(Scrubber(), Keyer(KEY)),
        backend="local",
        onet_version="test",
        batch_size=300,
        processes=processes,
    )
    with connect_warehouse(warehouse) as con:
        summary = run.execute(records, con)  # type: ignore[arg-type]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = con.execute(
            f"select {_COLUMNS} from raw.conversation_labels order by 1"
        ).fetchall()
        quarantine = con.execute(
            "select source_file, record_number, reason from raw.quarantine order by 2"
        ).fetchall()
    counts = summary.as_dict()
    for volatile in ("run_id",):
        counts.pop(volatile)
    return counts, labels, quarantine


@pytest.fixture(scope="module")
def classifier(taxonomy: Taxonomy) -> LocalClassifier:
    return LocalClassifier(taxonomy)


def test_two_processes_stage_the_same_rows(
    taxonomy: Taxonomy, classifier: LocalClassifier, tmp_path: Path
) -> None:
    corpus = tmp_path / "c.jsonl"
    write_corpus(corpus, 1300, seed=8, taxonomy=taxonomy)  # several chunks, a partial last one
    with corpus.open("a", encoding="utf-8") as f:
        f.write("{not json\n")  # a quarantined record in the stream
    one = _run(read_inputs([corpus]), tmp_path / "one.duckdb", classifier, 1)
    two = _run(read_inputs([corpus]), tmp_path / "two.duckdb", classifier, 2)
    assert one == two
    counts, labels, quarantine = two
    assert counts["read"] == 1301 and len(labels) == 1300 and len(quarantine) == 1
    assert counts["classified"] > 500


def _conversations(n: int) -> Iterator[Conversation | Quarantined]:
    for i in range(n):
        if i % 97 == 0:
            yield Quarantined(SourceLocation("in.jsonl", i + 1), "invalid_json: x")
        else:
            yield Conversation(
                f"id{i}",
                f"u{i % 13}",
                datetime(2025, 3, 3, tzinfo=UTC),
                (Message("user", f"Fix the failing SQL query number {i} in our report"),),
                SourceLocation("in.jsonl", i + 1),
            )


def test_order_and_quarantine_interleaving_are_kept(
    classifier: LocalClassifier, tmp_path: Path
) -> None:
    one = _run(_conversations(700), tmp_path / "one.duckdb", classifier, 1)
    two = _run(_conversations(700), tmp_path / "two.duckdb", classifier, 2)
    assert one == two and len(two[2]) == 8


def test_a_reading_error_in_the_worker_reaches_the_caller(
    classifier: LocalClassifier, tmp_path: Path
) -> None:
    def records() -> Iterator[Conversation | Quarantined]:
        yield from _conversations(600)
        raise InputError("second.jsonl: cannot read (BadGzipFile)")

    with pytest.raises(InputError, match="second.jsonl"):
        _run(records(), tmp_path / "wh.duckdb", classifier, 2)
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:  # rolled back
        assert con.execute("select count(*) from raw.conversation_labels").fetchone() == (0,)


def test_a_dead_worker_is_an_error_not_a_hang(
    classifier: LocalClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def die(*args: object) -> None:
        os._exit(3)

    monkeypatch.setattr(pipeline, "_produce", die)
    with pytest.raises(RuntimeError, match="worker died"):
        _run(iter([]), tmp_path / "wh.duckdb", classifier, 2)
    with duckdb.connect(str(tmp_path / "wh.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.classification_runs").fetchone() == (0,)


def test_processes_is_validated(classifier: LocalClassifier) -> None:
    with pytest.raises(ValueError, match="1 or 2"):
        Run(classifier, lambda c: c, backend="x", onet_version="x", processes=3)  # type: ignore[arg-type, return-value]
