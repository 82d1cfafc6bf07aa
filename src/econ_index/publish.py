"""Publication: copy only the k-anonymous ``published`` models into files people and BI tools read.

The DuckDB file is written beside its destination and moved into place by an atomic rename, so a
reader never sees a half-written file and a writer never locks readers out. It is written in an
explicit storage version that DuckDB 1.x clients can open. Views of the ``published`` schema (the
wide BI marts over ``pub_index_cells``) are written as tables, so a reader needs nothing else.

After the tables, ``econ_index.bundle`` writes the AEI long export, the dbt docs page (when asked
for; econ_index.docs) and ``manifest.json`` beside them (checksums of every file, the runs, the
date range, the hidden share per level).

Nothing is written unless every published row is k-anonymous, every hidden row is empty, and the
exact audit (econ_index.span_audit) finds no hidden count that the published ones determine.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: no lock, concurrent publishes to one --out are not detected
    fcntl = None  # type: ignore[assignment]

import duckdb

from econ_index import span_audit
from econ_index.audit import equation_system
from econ_index.bundle import FILE_MODE, MANIFEST_NAME, write_bundle
from econ_index.warehouse import explain_error

PUBLISHED_SCHEMA = "published"
# The smallest k of k-anonymity that means anything: with k = 1 every cell could be one person.
MIN_K = 2
# A cell's allocated conversations meet k within this (the dbt macro k_conversations_tolerance):
# they sum groups rounded to 12 decimals, so an exact k can come out a few 1e-12 under it.
K_CONVERSATIONS_TOLERANCE = 1e-6
# The oldest storage format DuckDB still writes: readable by every 1.x client.
STORAGE_VERSION = "v1.0.0"
CELLS_TABLE = "pub_index_cells"
# Attachment name of the output file in the publishing session (the warehouse keeps its own name).
OUTPUT_ALIAS = "econ_index_publish_out"
# Columns that are null on a suppressed row of any published relation that has is_suppressed.
MEASURE_COLUMNS = ("n_users", "n_conversations", "pct", "pct_of_classified")


class PublishError(RuntimeError):
    """The warehouse holds nothing publishable, or a published table fails the safety check."""


@dataclass(frozen=True)
class PublishResult:
    duckdb_path: Path
    parquet_dir: Path
    tables: dict[str, int]  # table -> rows
    suppressed_cells: int
    manifest: Path | None = None
    aei_export: tuple[Path, ...] = ()  # the AEI long export: CSV, Parquet
    docs: Path | None = None  # the dbt docs page


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Tables and views of the published schema (information_schema lists both)."""
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? "
        "order by table_name",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [PUBLISHED_SCHEMA, table],
    ).fetchall()
    return {r[0] for r in rows}


def _check_k_anonymous(
    con: duckdb.DuckDBPyConnection, tables: list[str], k_users: int, k_conversations: int
) -> int:
    """Refuses to publish a row below k that is not suppressed, or a suppressed row that still
    carries a measure, in every published relation with ``is_suppressed``, ``n_users`` and
    ``n_conversations`` (the cells and the wide marts over them); returns the count of
    suppressed cells of ``pub_index_cells``."""
    for table in tables:
        columns = _columns(con, table)
        if not {"is_suppressed", "n_users", "n_conversations"} <= columns:
            continue
        source = f"{PUBLISHED_SCHEMA}.{_quote(table)}"
        leaks = con.execute(
            f"select count(*) from {source} where not is_suppressed "
            "and (n_users < ? or n_conversations < ?)",
            [k_users, k_conversations - K_CONVERSATIONS_TOLERANCE],
        ).fetchone()
        if leaks and leaks[0]:
            raise PublishError(
                f"{leaks[0]} published rows of {table} are below k: refusing to publish"
            )
        measures = " or ".join(f"{c} is not null" for c in MEASURE_COLUMNS if c in columns)
        hidden = con.execute(
            f"select count(*) from {source} where is_suppressed and ({measures})"
        ).fetchone()
        if hidden and hidden[0]:
            raise PublishError(
                f"{hidden[0]} suppressed rows of {table} still carry measures: refusing"
            )
    cells = f"{PUBLISHED_SCHEMA}.{CELLS_TABLE}"
    suppressed = con.execute(f"select count(*) from {cells} where is_suppressed").fetchone()
    return int(suppressed[0]) if suppressed else 0


def _check_audit(con: duckdb.DuckDBPyConnection) -> None:
    """Refuses to publish when combining the published cells gives a hidden count back."""
    # the published side (econ_index.span_audit): the same cells as the hidden side's
    # factorisation, which does not finish at a million conversations
    system = equation_system(con, f"{PUBLISHED_SCHEMA}.{CELLS_TABLE}")
    found = [system.keys[i] for i in span_audit.determined(system)]
    if found:
        raise PublishError(
            f"{len(found)} hidden cells of {CELLS_TABLE} can be computed from the published ones"
            f" (first: {' | '.join(map(str, found[0]))}): refusing to publish; `econ-index build`"
            " hides more cells until none can"
        )


# What readers expect of a published folder (files: bundle.FILE_MODE): temporary folders are
# created private (0700), so they are opened up before the rename that publishes them.
DIR_MODE = 0o755


def _atomic_replace_dir(src: Path, dest: Path) -> None:
    """Swap a finished directory into place (rename is atomic; the old copy is removed after)."""
    old = dest.with_name(dest.name + ".old")
    shutil.rmtree(old, ignore_errors=True)  # left by a publish killed during the swap
    if dest.exists():
        os.replace(dest, old)
    os.replace(src, dest)
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def _exclusive(out: Path, parquet_dir: Path) -> Iterator[None]:
    """Hold ``.<out name>.lock`` beside ``out`` while publishing, then clear what a publish killed
    half-way left behind (its temporary file and folder, the previous Parquet folder)."""
    lock_path = out.with_name(f".{out.name}.lock")
    try:
        handle = open(lock_path, "a+b")  # held for the whole publish
    except OSError as exc:
        raise PublishError(explain_error(out.parent, exc, "--out")) from None
    with handle:
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise PublishError(
                    f"another publish to {out} is running (it holds {lock_path}); "
                    "wait for it to finish"
                ) from None
        for stale in out.parent.glob(f".{glob.escape(out.name)}.*"):
            if stale != lock_path:
                stale.unlink(missing_ok=True)
        for stale in out.parent.glob(f".{glob.escape(parquet_dir.name)}.*"):
            shutil.rmtree(stale, ignore_errors=True)
        shutil.rmtree(parquet_dir.with_name(parquet_dir.name + ".old"), ignore_errors=True)
        yield


def _attach(con: duckdb.DuckDBPyConnection, warehouse: Path, catalog: str) -> None:
    """Attach ``warehouse`` read-only as ``catalog``; :class:`PublishError` saying why not."""
    try:
        con.execute(f"attach '{warehouse}' as {_quote(catalog)} (read_only)")
    except duckdb.Error as exc:
        raise PublishError(explain_error(warehouse, exc)) from None


@contextlib.contextmanager
def _docs_page(warehouse: Path, catalog: str, wanted: bool) -> Iterator[Path | None]:
    """The dbt docs page of ``warehouse`` in a scratch folder (removed after), or None."""
    if not wanted:
        yield None
        return
    with duckdb.connect() as probe:  # a warehouse in use or not DuckDB: said as publish says it
        _attach(probe, warehouse, catalog)
    from econ_index.dbt_runner import DbtError
    from econ_index.docs import write_docs  # imports dbt: only when the page is wanted

    with tempfile.TemporaryDirectory(prefix="econ-index-docs-") as scratch:
        page = Path(scratch) / "docs.html"
        try:
            write_docs(warehouse, page)
        except DbtError as exc:
            raise PublishError(f"{exc}; nothing was published") from None
        yield page


def publish(
    warehouse: Path,
    out: Path,
    *,
    k_users: int = 5,
    k_conversations: int = 15,
    docs: bool = False,
) -> PublishResult:
    """Write ``out`` (DuckDB) and ``<stem>_parquet/`` beside it from the published schema, then
    the rest of the bundle (econ_index.bundle); with ``docs``, the dbt docs page too (dbt runs:
    about 20 CPU seconds)."""
    for name, k in (("k_users", k_users), ("k_conversations", k_conversations)):
        if isinstance(k, bool) or not isinstance(k, int) or k < MIN_K:
            raise PublishError(
                f"{name} = {k!r}: must be a whole number >= {MIN_K} (a cell of fewer "
                "users or conversations than that is not anonymous)"
            )
    if not warehouse.is_file():
        raise PublishError(
            f"warehouse {warehouse} does not exist: run the classifier and dbt first"
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(explain_error(out.parent, exc, "--out")) from None
    parquet_dir = out.with_name(out.stem + "_parquet")
    # The warehouse is attached read-only (it cannot be changed by publishing); the output is a
    # second, writable attachment of the same in-memory session. The warehouse keeps the catalog
    # name dbt built it under (dbt-duckdb: the file's stem), because the views of the published
    # schema name their source with it (`"<stem>"."published"."pub_index_cells"`).
    catalog = warehouse.stem
    if catalog == OUTPUT_ALIAS:
        raise PublishError(f"rename the warehouse file {warehouse}: its name is reserved")
    # The docs page first: dbt opens the warehouse read-write, in a process of its own.
    with _docs_page(warehouse, catalog, docs) as docs_page, duckdb.connect() as con:
        _attach(con, warehouse, catalog)
        con.execute(f"use {_quote(catalog)}")
        tables = _published_tables(con)
        if CELLS_TABLE not in tables:
            raise PublishError(
                f"{warehouse} has no {PUBLISHED_SCHEMA}.{CELLS_TABLE}: run dbt build"
            )
        suppressed = _check_k_anonymous(con, tables, k_users, k_conversations)
        _check_audit(con)
        with _exclusive(out, parquet_dir):
            try:
                counts = _write(con, tables, out, parquet_dir)
            except (OSError, duckdb.Error) as exc:
                raise PublishError(
                    f"{explain_error(out, exc, '--out')}; the previous publication is unchanged"
                ) from None
            try:
                bundle = write_bundle(
                    con,
                    out,
                    parquet_dir,
                    counts,
                    k_users=k_users,
                    k_conversations=k_conversations,
                    docs_page=docs_page,
                )
            except (OSError, duckdb.Error) as exc:
                raise PublishError(
                    f"{explain_error(out, exc, '--out')}; the tables are published, the AEI "
                    f"export and {MANIFEST_NAME} beside them may be from the previous publish"
                ) from None
    return PublishResult(
        out, parquet_dir, counts, suppressed, bundle.manifest, bundle.aei_files, bundle.docs
    )


def _write(
    con: duckdb.DuckDBPyConnection, tables: list[str], out: Path, parquet_dir: Path
) -> dict[str, int]:
    """Write every table to temporary files beside ``out``, then rename them into place.

    A publish killed at any point leaves ``out`` whole: the previous file until the rename, the
    new one after. The Parquet folder is swapped in two renames just after ``out``, so a kill
    in between can leave it one publication behind (or, for an instant, absent); the next
    publish clears the leftovers."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # DuckDB creates the file itself
    tmp_parquet = Path(tempfile.mkdtemp(prefix=f".{parquet_dir.name}.", dir=out.parent))
    try:
        con.execute(f"attach '{tmp}' as {OUTPUT_ALIAS} (storage_version '{STORAGE_VERSION}')")
        counts: dict[str, int] = {}
        for table in tables:
            source = f"{PUBLISHED_SCHEMA}.{_quote(table)}"
            # A view becomes a table: the file holds data only, readable on its own.
            con.execute(
                f"create table {OUTPUT_ALIAS}.main.{_quote(table)} as select * from {source}"
            )
            con.execute(
                f"copy (select * from {source}) to '{tmp_parquet / (table + '.parquet')}' "
                "(format parquet)"
            )
            row = con.execute(
                f"select count(*) from {OUTPUT_ALIAS}.main.{_quote(table)}"
            ).fetchone()
            counts[table] = int(row[0]) if row else 0
        con.execute(f"detach {OUTPUT_ALIAS}")
        tmp.chmod(FILE_MODE)
        tmp_parquet.chmod(DIR_MODE)
        for written in tmp_parquet.iterdir():
            written.chmod(FILE_MODE)
        os.replace(tmp, out)
        _atomic_replace_dir(tmp_parquet, parquet_dir)
    finally:
        tmp.unlink(missing_ok=True)
        shutil.rmtree(tmp_parquet, ignore_errors=True)
    return counts
