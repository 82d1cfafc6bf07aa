"""Classification by partitions: a rerun replaces its partition's rows, a conversation id in two
partitions is held once, and workers' warehouse files merge into what one warehouse would hold.

The library-level tests use the scripted classifier of test_pipeline; the real-process ones run
``econ-index classify`` and ``merge`` as a team does (in parallel, and killed with SIGKILL).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pytest

from econ_index.generate import write_corpus
from econ_index.partitions import (
    MergeError,
    default_partition,
    merge,
    partition_counts,
)
from econ_index.pipeline import RunSummary, connect_warehouse
from econ_index.taxonomy import Taxonomy
from econ_index.types import Conversation, Quarantined, SourceLocation
from test_faults import (  # noqa: F401 - env and started are fixtures
    _command,
    _corpus,
    _kill_group,
    _read_position,
    _run,
    _start,
    _wait_for,
    _warehouse_state,
    env,
    needs_proc,
    started,
)
from test_pipeline import conv, run_records


def _classify(
    records: Iterable[Conversation | Quarantined], warehouse: Path, partition: str | None
) -> RunSummary:
    return run_records(records, warehouse, partition=partition)[0].summary


def _work(source_id: str, line: int = 1) -> Conversation:
    return conv(source_id, ("user", f"fix my failing build {source_id}"), line=line)


def _recipe(source_id: str, line: int = 1) -> Conversation:
    return conv(source_id, ("user", "a good pasta recipe please"), line=line)


def _bad(line: int) -> Quarantined:
    return Quarantined(SourceLocation("in.jsonl", line), "invalid_json")


def _state(warehouse: Path) -> dict[str, object]:
    """What a warehouse holds, without run ids and times: each label with the partition that
    holds it, the quarantined records with theirs, and each partition's counts."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = con.execute(
            "select l.conversation_key, l.status, l.onet_task_id, r.partition_name"
            " from raw.conversation_labels l join raw.classification_runs r using (run_id)"
            " order by all"
        ).fetchall()
        quarantine = con.execute(
            "select r.partition_name, q.source_file, q.record_number, q.reason"
            " from raw.quarantine q join raw.classification_runs r using (run_id) order by all"
        ).fetchall()
        counts = partition_counts(con)
    assert all(c.reconciles for c in counts), counts
    return {
        "labels": labels,
        "quarantine": quarantine,
        "partitions": [
            (
                c.partition,
                c.read,
                c.classified,
                c.filtered,
                c.quarantined,
                c.superseded,
                c.label_rows,
                c.quarantine_rows,
            )
            for c in counts
        ],
    }


def test_rerun_of_a_partition_replaces_its_rows(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    records: list[Conversation | Quarantined] = [_work("a"), _recipe("b", 2), _bad(3)]
    _classify([_work("z")], warehouse, "other")
    first = _classify(records, warehouse, "p")
    assert (first.replaced_labels, first.replaced_quarantined) == (0, 0)
    once = _state(warehouse)
    again = _classify(records, warehouse, "p")
    assert (again.replaced_labels, again.replaced_quarantined) == (2, 1)
    assert _state(warehouse) == once  # replaced: no duplicate, nothing lost
    assert once["partitions"] == [("other", 1, 1, 0, 0, 0, 1, 0), ("p", 3, 1, 1, 1, 0, 2, 1)]
    # The partition's new input is what it holds: a conversation no longer in it goes.
    _classify([_work("a")], warehouse, "p")
    state = _state(warehouse)
    assert sorted(row[3] for row in state["labels"]) == ["other", "p"]  # type: ignore[attr-defined]
    assert state["quarantine"] == []


def test_unnamed_runs_are_partitions_of_their_own(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    one = _classify([_work("a"), _bad(2)], warehouse, None)
    two = _classify([_work("a"), _bad(2)], warehouse, None)
    assert one.partition == one.run_id and two.partition == two.run_id
    state = _state(warehouse)
    # the second run holds "a" (latest wins); each run keeps its quarantined record
    assert [p for *_, p in state["labels"]] == [two.run_id]  # type: ignore[union-attr]
    assert len(state["quarantine"]) == 2  # type: ignore[arg-type]
    assert sorted(state["partitions"]) == sorted(  # type: ignore[type-var]
        [(one.run_id, 2, 1, 0, 1, 1, 0, 1), (two.run_id, 2, 1, 0, 1, 0, 1, 1)]
    )


def test_an_id_in_two_partitions_is_held_by_the_latest_run(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    _classify([_work("a"), _recipe("b", 2)], warehouse, "p")
    q = _classify([_work("b"), _work("c", 2)], warehouse, "q")
    assert q.taken_over == 1
    state = _state(warehouse)
    holders = {key: partition for key, _, _, partition in state["labels"]}  # type: ignore[union-attr]
    assert sorted(holders.values()) == ["p", "q", "q"]  # b went to q, with q's label
    assert state["partitions"] == [("p", 2, 1, 1, 0, 1, 1, 0), ("q", 2, 2, 0, 0, 0, 2, 0)]
    # p again: it is now the latest run, and takes b back
    p = _classify([_work("a"), _recipe("b", 2)], warehouse, "p")
    assert (p.taken_over, p.replaced_labels) == (1, 1)
    state = _state(warehouse)
    assert state["partitions"] == [("p", 2, 1, 1, 0, 0, 2, 0), ("q", 2, 2, 0, 0, 1, 1, 0)]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("select count(*) from raw.conversation_labels").fetchone() == (3,)


def test_a_failed_run_leaves_the_partition_as_it_was(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    _classify([_work("a"), _recipe("b", 2), _bad(3)], warehouse, "p")
    before = _state(warehouse)

    def failing() -> Iterator[Conversation | Quarantined]:
        yield _work("c")
        yield _work("d", 2)
        yield _work("e", 3)
        raise OSError("the disk went away")

    with pytest.raises(OSError):
        _classify(failing(), warehouse, "p")
    assert _state(warehouse) == before


def _workers(tmp_path: Path) -> tuple[Path, Path]:
    """Two workers' files: partition p (a, b, a bad line), then partition q (b again, c)."""
    wa, wb = tmp_path / "worker_a.duckdb", tmp_path / "worker_b.duckdb"
    _classify([_work("a"), _recipe("b", 2), _bad(3)], wa, "p")
    _classify([_work("b"), _work("c", 2)], wb, "q")
    return wa, wb


def test_merged_workers_equal_the_same_runs_in_one_warehouse(tmp_path: Path) -> None:
    wa, wb = _workers(tmp_path)
    serial = tmp_path / "serial.duckdb"
    _classify([_work("a"), _recipe("b", 2), _bad(3)], serial, "p")
    _classify([_work("b"), _work("c", 2)], serial, "q")
    expected = _state(serial)
    assert expected["partitions"] == [("p", 3, 1, 1, 1, 1, 1, 1), ("q", 2, 2, 0, 0, 0, 2, 0)]
    for order in ((wa, wb), (wb, wa)):  # the run that finished last holds b, whatever the order
        target = tmp_path / f"merged_{order[0].stem}.duckdb"
        done = merge(order, target)
        assert sorted((m.partition, m.action) for m in done) == [("p", "added"), ("q", "added")]
        assert _state(target) == expected


def test_merge_is_idempotent_per_partition(tmp_path: Path) -> None:
    wa, wb = _workers(tmp_path)
    target = tmp_path / "main.duckdb"
    merge([wa, wb], target)
    once = _state(target)
    again = merge([wa, wb], target)
    assert {m.action for m in again} == {"already merged"}
    assert _state(target) == once
    # p classified again (a newer run, now without b): it replaces p; the old file is older
    newer = tmp_path / "worker_a2.duckdb"
    _classify([_work("a"), _bad(3)], newer, "p")
    assert [m.action for m in merge([newer], target)] == ["replaced"]
    assert [m.action for m in merge([wa], target)] == ["kept newer"]
    state = _state(target)
    assert state["partitions"] == [("p", 2, 1, 0, 1, 0, 1, 1), ("q", 2, 2, 0, 0, 0, 2, 0)]


def test_merge_refuses_what_is_not_a_workers_warehouse(tmp_path: Path) -> None:
    target = tmp_path / "main.duckdb"
    with pytest.raises(MergeError, match="does not exist"):
        merge([tmp_path / "missing.duckdb"], target)
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("create table t (i int)")
    with pytest.raises(MergeError, match="not a warehouse that `econ-index classify` wrote"):
        merge([other], target)
    wa, _ = _workers(tmp_path)
    with pytest.raises(MergeError, match="the target warehouse itself"):
        merge([wa], wa)
    with pytest.raises(MergeError, match="nothing to merge"):
        merge([], target)


def test_default_partition_is_the_inputs_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_partition(["a.jsonl"]) == str(tmp_path / "a.jsonl")
    assert default_partition([tmp_path / "a.jsonl", "logs/"]) == (
        f"{tmp_path / 'a.jsonl'} + {tmp_path / 'logs'}"
    )


# --- real processes -------------------------------------------------------------------------

_LABEL_COLUMNS = (
    "conversation_key, user_key, created_at, status, filter_reason, onet_task_id, "
    "collaboration_pattern, confidence, is_redacted"
)


def _labels(warehouse: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            f"select {_LABEL_COLUMNS} from raw.conversation_labels order by all"
        ).fetchall()


def _quarantine(warehouse: Path) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select source_file, record_unit, record_number, reason from raw.quarantine"
            " order by all"
        ).fetchall()


def _halves(tmp_path: Path, taxonomy: Taxonomy) -> tuple[Path, Path]:
    """Two input files of generated conversations; each has a line that is not JSON and an
    exact repeat of one of its conversations (quarantined)."""
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 400, seed=31, taxonomy=taxonomy)
    lines = corpus.read_text(encoding="utf-8").splitlines()
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path, part in ((a, lines[:200]), (b, lines[200:])):
        path.write_text("\n".join([*part[:100], "{not json", *part[100:], part[0]]) + "\n")
    return a, b


@pytest.mark.slow
def test_partitions_classified_in_parallel_then_merged_equal_one_run(
    env: dict[str, str],  # noqa: F811 - the fixture
    tmp_path: Path,
    taxonomy: Taxonomy,
) -> None:
    a, b = _halves(tmp_path, taxonomy)
    classify = ["classify", "--json", "--processes", "2"]
    workers = [
        subprocess.Popen(
            _command(*classify, "--input", str(path), "--warehouse", str(tmp_path / f"w_{name}")),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, path in (("a.duckdb", a), ("b.duckdb", b))
    ]
    outputs = [w.communicate() for w in workers]
    assert [w.returncode for w in workers] == [0, 0], outputs
    counts = [json.loads(stdout) for stdout, _ in outputs]
    assert [c["partition"] for c in counts] == [str(a), str(b)]  # named after the input
    merged = tmp_path / "merged.duckdb"
    worker_files = [str(tmp_path / "w_a.duckdb"), str(tmp_path / "w_b.duckdb")]
    report = json.loads(
        _run(env, "merge", "--json", "--warehouse", str(merged), *worker_files).stdout
    )
    assert report["reconciles"] and report["partitions"] == 2

    one = tmp_path / "one.duckdb"
    single = json.loads(
        _run(env, *classify, "--input", str(a), "--input", str(b), "--warehouse", str(one)).stdout
    )
    assert single["read"] == sum(c["read"] for c in counts) == 404
    for bucket in ("classified", "filtered", "quarantined"):
        assert single[bucket] == sum(c[bucket] for c in counts), bucket
    assert single["quarantine_reasons"] == {"invalid_json": 2, "duplicate_id": 2}
    assert _labels(merged) == _labels(one)
    assert len(_labels(one)) == 400
    assert _quarantine(merged) == _quarantine(one)
    assert report["labels"] == 400 and report["quarantined"] == 4

    # A worker runs its partition again and the merge is repeated: replaced, not added.
    again = json.loads(
        _run(env, *classify, "--input", str(a), "--warehouse", worker_files[0]).stdout
    )
    assert again["replaced_labels"] == 200 and again["replaced_quarantined"] == 2
    actions = json.loads(
        _run(env, "merge", "--json", "--warehouse", str(merged), *worker_files).stdout
    )["merged"]
    assert sorted(m["action"] for m in actions) == ["already merged", "replaced"]
    assert _labels(merged) == _labels(one)
    assert _quarantine(merged) == _quarantine(one)
    with duckdb.connect(str(merged), read_only=True) as con:
        assert con.execute("select count(*) from raw.classification_runs").fetchone() == (2,)


@pytest.mark.slow
@needs_proc
def test_a_partition_killed_mid_run_then_rerun_ends_each_conversation_once(
    env: dict[str, str],  # noqa: F811 - the fixture
    tmp_path: Path,
    taxonomy: Taxonomy,
    started: list[subprocess.Popen[str]],  # noqa: F811 - the fixture
) -> None:
    small = tmp_path / "small.jsonl"
    write_corpus(small, 50, seed=33, taxonomy=taxonomy)
    corpus = tmp_path / "corpus.jsonl"
    n_records, n_distinct = _corpus(corpus, taxonomy)
    warehouse = tmp_path / "wh.duckdb"
    classify = ["classify", "--warehouse", str(warehouse), "--json", "--max-quarantined", "1"]
    _run(env, *classify, "--input", str(small), "--partition", "small")
    before = _warehouse_state(warehouse)

    big = [*classify, "--input", str(corpus), "--partition", "big"]
    proc = _start(env, started, *big, "--processes", "2")
    quarter = corpus.stat().st_size // 4
    _wait_for(
        "a quarter of the corpus read", lambda: _read_position(proc.pid, corpus) > quarter, proc
    )
    _kill_group(proc)
    assert _warehouse_state(warehouse) == before

    for attempt in range(2):  # the rerun, then once more: the partition's rows are replaced
        counts = json.loads(_run(env, *big).stdout)
        assert counts["read"] == n_records
        assert counts["classified"] + counts["filtered"] == n_distinct
        assert counts["replaced_labels"] == (n_distinct if attempt else 0)
        with duckdb.connect(str(warehouse), read_only=True) as con:
            parts = {c.partition: c for c in partition_counts(con)}
            assert all(c.reconciles for c in parts.values())
            assert (parts["big"].label_rows, parts["big"].quarantine_rows) == (n_distinct, 2)
            assert parts["small"].label_rows == 50
        assert _warehouse_state(warehouse) == {
            "labels": (n_distinct + 50, n_distinct + 50),
            "runs": 2,
            "quarantine": 2,
            "label_runs": 2,
        }


def test_the_warehouse_connection_prints_no_progress_bar(tmp_path: Path) -> None:
    """DuckDB's progress bar goes to stdout, where `classify --json` prints its one object."""
    with connect_warehouse(tmp_path / "wh.duckdb") as con:
        row = con.execute("select current_setting('enable_progress_bar')").fetchone()
    assert row == (False,)
