"""Publication: copy only the k-anonymous ``published`` models into files people and BI tools read.

The DuckDB file is written beside its destination and moved into place by an atomic rename, so a
reader never sees a half-written file and a writer never locks readers out. It is written in an
explicit storage version that DuckDB 1.x clients can open.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_SCHEMA = "published"
# The oldest storage format DuckDB still writes: readable by every 1.x client.
STORAGE_VERSION = "v1.0.0"
CELLS_TABLE = "pub_index_cells"


class PublishError(RuntimeError):
    """The warehouse holds nothing publishable, or a published table fails the safety check."""


@dataclass(frozen=True)
class PublishResult:
    duckdb_path: Path
    parquet_dir: Path
    tables: dict[str, int]  # table -> rows
    suppressed_cells: int


def _published_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? "
        "order by table_name",
        [PUBLISHED_SCHEMA],
    ).fetchall()
    return [r[0] for r in rows]


def _check_k_anonymous(con: duckdb.DuckDBPyConnection, k_users: int, k_conversations: int) -> int:
    """Refuses to publish a cell below k that is not suppressed; returns the suppressed count."""
    cells = f"{PUBLISHED_SCHEMA}.{CELLS_TABLE}"
    leaks = con.execute(
        f"select count(*) from {cells} where not is_suppressed "
        "and (n_users < ? or n_conversations < ?)",
        [k_users, k_conversations],
    ).fetchone()
    if leaks and leaks[0]:
        raise PublishError(f"{leaks[0]} published cells are below k: refusing to publish")
    hidden = con.execute(
        f"select count(*) from {cells} where is_suppressed and "
        "(n_users is not null or n_conversations is not null or value is not null)"
    ).fetchone()
    if hidden and hidden[0]:
        raise PublishError(f"{hidden[0]} suppressed cells still carry measures: refusing")
    suppressed = con.execute(f"select count(*) from {cells} where is_suppressed").fetchone()
    return int(suppressed[0]) if suppressed else 0


def _atomic_replace_dir(src: Path, dest: Path) -> None:
    """Swap a finished directory into place (rename is atomic; the old copy is removed after)."""
    old = dest.with_name(dest.name + ".old")
    if dest.exists():
        os.replace(dest, old)
    os.replace(src, dest)
    shutil.rmtree(old, ignore_errors=True)


def publish(
    warehouse: Path,
    out: Path,
    *,
    k_users: int = 5,
    k_conversations: int = 15,
) -> PublishResult:
    """Write ``out`` (DuckDB) and ``<stem>_parquet/`` beside it from the published schema."""
    if not warehouse.is_file():
        raise PublishError(
            f"warehouse {warehouse} does not exist: run the classifier and dbt first"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    parquet_dir = out.with_name(out.stem + "_parquet")
    # The warehouse is attached read-only (it cannot be changed by publishing); the output is a
    # second, writable attachment of the same in-memory session.
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as warehouse (read_only)")
        con.execute("use warehouse")
        tables = _published_tables(con)
        if CELLS_TABLE not in tables:
            raise PublishError(
                f"{warehouse} has no {PUBLISHED_SCHEMA}.{CELLS_TABLE}: run dbt build"
            )
        suppressed = _check_k_anonymous(con, k_users, k_conversations)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        tmp.unlink()  # DuckDB creates the file itself
        tmp_parquet = Path(tempfile.mkdtemp(prefix=f".{parquet_dir.name}.", dir=out.parent))
        try:
            con.execute(f"attach '{tmp}' as pub (storage_version '{STORAGE_VERSION}')")
            counts: dict[str, int] = {}
            for table in tables:
                source = f"{PUBLISHED_SCHEMA}.{table}"
                con.execute(f"create table pub.main.{table} as select * from {source}")
                con.execute(
                    f"copy (select * from {source}) to '{tmp_parquet / (table + '.parquet')}' "
                    "(format parquet)"
                )
                row = con.execute(f"select count(*) from {source}").fetchone()
                counts[table] = int(row[0]) if row else 0
            con.execute("detach pub")
            os.replace(tmp, out)
            _atomic_replace_dir(tmp_parquet, parquet_dir)
        finally:
            tmp.unlink(missing_ok=True)
            shutil.rmtree(tmp_parquet, ignore_errors=True)
    return PublishResult(out, parquet_dir, counts, suppressed)
