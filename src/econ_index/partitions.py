"""Partitions: classification spread over independent runs, and their warehouses merged.

A *partition* is a named slice of the input (an export, a file, a day) classified by one run. In
a warehouse each partition has exactly one run, its latest: a run of partition P first removes
P's previous run with everything it wrote (labels, quarantined records, the run's row), then
stages its own, all in one transaction. So re-running a partition replaces its rows (never adds),
and a run killed half-way leaves the previous one in place. ``econ-index classify`` names the
partition after its inputs (their absolute paths) unless ``--partition`` names it; a run started
from the library without a name is a partition of its own (nothing to replace).

Conversation ids repeated across partitions. Within one run (one read) the first occurrence
wins and repeats are quarantined (``duplicate_id``, see econ_index.ingest.reader). Across
partitions, the conversation is held by the run that finished last (a re-read is a newer
label, as between any two runs): it takes the row over, and the run that held it counts it in
``n_superseded``. Per partition, then overall, the counts reconcile with the rows:

* labels with the run's id = ``n_classified + n_filtered - n_superseded``;
* quarantined records with the run's id = ``n_quarantined``;
* ``n_read = n_classified + n_filtered + n_quarantined``.

Merging (``econ-index merge``): workers on many machines each classify their partitions into a
warehouse file of their own; :func:`merge` copies every partition of those files into one
warehouse, partition by partition with the same rules: a partition already there from the same
run is skipped (merging twice changes nothing), one there from a newer run is kept, an older
one is replaced; conversation ids held by two partitions go to the run that finished last,
whatever the order of the merge. So partitions classified in parallel and merged equal the
same runs made one after another into one warehouse.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from econ_index.warehouse import RAW_SCHEMA, WarehouseError, explain_error

LABELS = f"{RAW_SCHEMA}.conversation_labels"
QUARANTINE = f"{RAW_SCHEMA}.quarantine"
RUNS = f"{RAW_SCHEMA}.classification_runs"


def default_partition(inputs: Sequence[str | Path]) -> str:
    """The partition of a run over ``inputs`` when none is named: their absolute paths (a glob
    or a folder stays as given, made absolute), in order, joined by ``" + "``. The same command
    from anywhere on the same machine names the same partition."""
    return " + ".join(str(Path(p).expanduser().absolute()) for p in inputs)


def check_partition_name(name: str) -> str:
    """A partition name: some visible text, no control characters, at most 4,096 characters."""
    if not name.strip():
        raise ValueError("a partition name cannot be empty")
    if len(name) > 4096 or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ValueError(
            "a partition name holds no control characters (tabs, newlines) "
            "and at most 4,096 characters"
        )
    return name


@dataclass(frozen=True, slots=True)
class Forgotten:
    """What a partition's previous run had stored, removed to make room for its new run."""

    runs: int = 0
    labels: int = 0
    quarantined: int = 0


def forget_partition(con: duckdb.DuckDBPyConnection, partition: str) -> Forgotten:
    """Delete the runs of ``partition`` and every row they wrote (inside the caller's
    transaction). Labels that other runs took over stay theirs."""
    runs = [
        r
        for (r,) in con.execute(
            f"select run_id from {RUNS} where partition_name = ?", [partition]
        ).fetchall()
    ]
    labels = quarantined = 0
    for run_id in runs:
        labels += _count(con, f"delete from {LABELS} where run_id = ?", run_id)
        quarantined += _count(con, f"delete from {QUARANTINE} where run_id = ?", run_id)
        con.execute(f"delete from {RUNS} where run_id = ?", [run_id])
    return Forgotten(len(runs), labels, quarantined)


def _count(con: duckdb.DuckDBPyConnection, sql: str, run_id: str) -> int:
    row = con.execute(sql, [run_id]).fetchone()
    return int(row[0]) if row else 0


def holders(con: duckdb.DuckDBPyConnection, batch: str, run_id: str) -> Counter[str]:
    """How many keys of the registered relation ``batch`` each other run holds now."""
    rows = con.execute(
        f"select l.run_id, count(*) from {LABELS} l semi join {batch} b "
        "on l.conversation_key = b.conversation_key where l.run_id <> ? group by l.run_id",
        [run_id],
    ).fetchall()
    return Counter({r: int(n) for r, n in rows})


def add_superseded(con: duckdb.DuckDBPyConnection, losses: Counter[str]) -> None:
    for run_id, n in losses.items():
        con.execute(
            f"update {RUNS} set n_superseded = n_superseded + ? where run_id = ?", [n, run_id]
        )


@dataclass(frozen=True, slots=True)
class MergedPartition:
    """What :func:`merge` did with one partition of a source warehouse."""

    source: str
    partition: str
    run_id: str
    action: str  # added | replaced | already merged | kept newer
    labels: int = 0  # label rows copied
    quarantined: int = 0
    superseded: int = 0  # of its labels, held by a run that finished later

    def as_dict(self) -> dict[str, object]:
        return {
            "source": self.source,
            "partition": self.partition,
            "run_id": self.run_id,
            "action": self.action,
            "labels": self.labels,
            "quarantined": self.quarantined,
            "superseded": self.superseded,
        }


class MergeError(RuntimeError):
    """A source cannot be merged; the message names it and says what to do."""


def _attach(con: duckdb.DuckDBPyConnection, alias: str, source: Path, target: Path) -> None:
    if not source.is_file():
        raise MergeError(f"{source} does not exist: give the warehouse files that workers wrote")
    if source.resolve() == target.resolve():
        raise MergeError(f"{source} is the target warehouse itself: give the workers' files")
    quoted = str(source).replace("'", "''")
    try:
        con.execute(f"attach '{quoted}' as {alias} (read_only)")
    except duckdb.Error as exc:
        raise MergeError(explain_error(source, exc, option="the source")) from None
    columns = {
        (t, c)
        for t, c in con.execute(
            "select table_name, column_name from duckdb_columns() "
            "where database_name = ? and schema_name = ?",
            [alias, RAW_SCHEMA],
        ).fetchall()
    }
    for table in ("conversation_labels", "quarantine", "classification_runs"):
        if (table, "run_id") not in columns:
            con.execute(f"detach {alias}")
            raise MergeError(
                f"{source} holds no {RAW_SCHEMA}.{table}: not a warehouse that "
                "`econ-index classify` wrote"
            )
    if ("classification_runs", "partition_name") not in columns:
        con.execute(f"detach {alias}")
        raise MergeError(
            f"{source} was written by an econ-index without partitions: open it once with "
            "this version (e.g. `econ-index classify` of any input into it), or classify again"
        )


def merge(sources: Sequence[Path], target: Path) -> list[MergedPartition]:
    """Copy every partition of the ``sources`` warehouses into ``target``, in one transaction
    (see the module's doc for the rules); returns what was done with each partition."""
    from econ_index.pipeline import connect_warehouse

    if not sources:
        raise MergeError("nothing to merge: give one or more warehouse files")
    con = connect_warehouse(target)
    try:
        aliases = [f"merge_source_{i}" for i in range(len(sources))]
        for alias, source in zip(aliases, sources, strict=True):
            _attach(con, alias, source, target)
        # Oldest first: each run then meets the runs that finished before it already in place.
        runs = sorted(
            (finished, run_id, partition, alias, str(source))
            for alias, source in zip(aliases, sources, strict=True)
            for run_id, partition, finished in con.execute(
                f"select run_id, partition_name, finished_at from {alias}.{RUNS}"
            ).fetchall()
        )
        con.execute("begin transaction")
        try:
            done = [_merge_run(con, *run) for run in runs]
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        return done
    except duckdb.Error as exc:
        raise WarehouseError(f"{explain_error(target, exc)}; nothing was merged") from None
    finally:
        con.close()


def _merge_run(
    con: duckdb.DuckDBPyConnection,
    finished: object,
    run_id: str,
    partition: str,
    alias: str,
    source: str,
) -> MergedPartition:
    there = con.execute(
        f"select run_id, finished_at from {RUNS} where partition_name = ?", [partition]
    ).fetchall()
    if any(r == run_id for r, _ in there):
        return MergedPartition(source, partition, run_id, "already merged")
    if any((f, r) > (finished, run_id) for r, f in there):
        return MergedPartition(source, partition, run_id, "kept newer")
    forgotten = forget_partition(con, partition)
    # Keys of this run that other runs hold: the later-finished run keeps them.
    rows = con.execute(
        f"""
        select l.run_id, (r.finished_at, r.run_id) > (?::timestamp, ?) as holder_is_newer, count(*)
        from {LABELS} l
        join {RUNS} r on r.run_id = l.run_id
        semi join {alias}.{LABELS} s on s.conversation_key = l.conversation_key and s.run_id = ?
        group by all
        """,
        [finished, run_id, run_id],
    ).fetchall()
    superseded = sum(int(n) for _, newer, n in rows if newer)
    add_superseded(con, Counter({r: int(n) for r, newer, n in rows if not newer}))
    copied = con.execute(
        f"""
        insert or replace into {LABELS} by name
        select s.* from {alias}.{LABELS} s
        where s.run_id = ? and not exists (
            select 1 from {LABELS} l join {RUNS} r on r.run_id = l.run_id
            where l.conversation_key = s.conversation_key
              and (r.finished_at, r.run_id) > (?::timestamp, ?)
        )
        """,
        [run_id, finished, run_id],
    ).fetchone()
    quarantined = con.execute(
        f"insert into {QUARANTINE} by name select * from {alias}.{QUARANTINE} where run_id = ?",
        [run_id],
    ).fetchone()
    con.execute(
        f"insert into {RUNS} by name select * replace (n_superseded + ? as n_superseded) "
        f"from {alias}.{RUNS} where run_id = ?",
        [superseded, run_id],
    )
    return MergedPartition(
        source,
        partition,
        run_id,
        "replaced" if forgotten.runs else "added",
        int(copied[0]) if copied else 0,
        int(quarantined[0]) if quarantined else 0,
        superseded,
    )


@dataclass(frozen=True, slots=True)
class PartitionCounts:
    """One partition's run counts beside the rows it holds; :attr:`reconciles` checks them."""

    partition: str
    run_id: str
    read: int
    classified: int
    filtered: int
    quarantined: int
    superseded: int
    label_rows: int
    quarantine_rows: int

    @property
    def reconciles(self) -> bool:
        return (
            self.read == self.classified + self.filtered + self.quarantined
            and self.label_rows == self.classified + self.filtered - self.superseded
            and self.quarantine_rows == self.quarantined
        )


def partition_counts(con: duckdb.DuckDBPyConnection) -> list[PartitionCounts]:
    """Every partition of a warehouse with its counts and rows, by partition name."""
    rows = con.execute(
        f"""
        with labels as (select run_id, count(*) as n from {LABELS} group by run_id),
        quarantine as (select run_id, count(*) as n from {QUARANTINE} group by run_id)
        select r.partition_name, r.run_id, r.n_read, r.n_classified, r.n_filtered,
               r.n_quarantined, r.n_superseded, coalesce(l.n, 0), coalesce(q.n, 0)
        from {RUNS} r
        left join labels l on l.run_id = r.run_id
        left join quarantine q on q.run_id = r.run_id
        order by r.partition_name, r.run_id
        """
    ).fetchall()
    return [PartitionCounts(*row) for row in rows]
