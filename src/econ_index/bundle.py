"""The self-describing part of a publication (issue #14): ``manifest.json`` and the AEI long export.

Both are written by ``econ_index.publish`` after the DuckDB file and the Parquet folder, while it
holds the publish lock, each to a temporary file renamed into place (0644 like the rest):

* ``<stem>_aei.csv`` and ``<stem>_aei.parquet``: the published (not suppressed) cells in the long
  schema of the Anthropic Economic Index releases from September 2025 (``geo_id, geography,
  date_start, date_end, platform_and_product, facet, level, variable, cluster_name, value``);
* ``<stem>_docs.html``: the dbt docs of the published models (econ_index.docs), when asked for;
* ``manifest.json`` (written last): what was published, from what, and how well it was labelled.

The data has no geography: every row is ``geo_id = 'GLOBAL'``, ``geography = 'global'``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

import econ_index
from econ_index.classify.local import ALGORITHM_VERSION, REAL_QUALITY

MANIFEST_NAME = "manifest.json"
DOCS_SUFFIX = "_docs.html"
MANIFEST_FORMAT = 1
# What readers expect of a published file: temporary files are created private (0600), so
# they are opened up before the rename that publishes them.
FILE_MODE = 0o644
AEI_COLUMNS = (
    "geo_id",
    "geography",
    "date_start",
    "date_end",
    "platform_and_product",
    "facet",
    "level",
    "variable",
    "cluster_name",
    "value",
)
# SOC levels as AEI ``level`` integers, 0 the finest (as the AEI numbers its request levels).
SOC_LEVELS = {"occupation": 0, "detailed": 1, "broad": 2, "minor": 3, "major": 4}

# One SELECT per cell kind: facet, level, variable prefix, cluster_name. Suppressed cells are out.
# Tasks are keyed by their lower-cased statement, as the AEI keys them (a statement shared by
# several O*NET task ids is one row, the sum of its published ids).
_CELLS_SQL = """
with cells as (
    select
        period_start as date_start,
        period_end as date_end,
        -- all-time rows win a tie with a period of the same dates (data of one day, week, month)
        case period_grain when 'all' then 0 when 'month' then 1 when 'week' then 2 else 3 end
            as grain_rank,
        case
            when facet = 'usage' and level = 'total' then 'usage'
            when facet = 'usage' and level = 'task' then 'onet_task'
            when facet = 'usage' then 'soc'
            when level = 'total' then 'collaboration'
            else 'soc::collaboration'
        end as aei_facet,
        case level {soc_levels} else 0 end as aei_level,
        case
            when facet = 'usage' and level = 'total' then 'usage'
            when facet = 'usage' and level = 'task' then 'onet_task'
            when facet = 'usage' then 'soc'
            when level = 'total' then 'collaboration'
            else 'soc_collaboration'
        end as prefix,
        case
            when facet = 'usage' and level = 'total' then 'total'
            when facet = 'usage' and level = 'task' then lower(trim({title}))
            when facet = 'usage' then {title}
            when level = 'total' then replace(variable, '_', ' ')
            else {title} || '::' || replace(variable, '_', ' ')
        end as cluster_name,
        n_conversations,
        pct
    from published.pub_index_cells
    -- the release's schema has no automation / augmentation rows: readers sum its patterns
    where not is_suppressed and facet != 'collaboration_mode'
), grouped as (
    select grain_rank, date_start, date_end, aei_facet, aei_level, prefix, cluster_name,
        sum(n_conversations) as n, sum(pct) as pct
    from cells
    group by grain_rank, date_start, date_end, aei_facet, aei_level, prefix, cluster_name
    qualify row_number() over (
        partition by date_start, date_end, aei_facet, aei_level, prefix, cluster_name
        order by grain_rank
    ) = 1
)
select 'GLOBAL', 'global', date_start, date_end, $platform, aei_facet, aei_level,
    prefix || '_count', cluster_name, n
from grouped
union all
select 'GLOBAL', 'global', date_start, date_end, $platform, aei_facet, aei_level,
    prefix || '_pct', cluster_name, pct
from grouped
"""


@dataclass(frozen=True)
class Bundle:
    aei_files: tuple[Path, ...]
    aei_rows: int
    manifest: Path
    docs: Path | None


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    row = con.execute(
        "select count(*) from information_schema.tables "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    return bool(row and row[0])


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_catalog = current_database() and table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else None


def _cell_range(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """The days the data covers, as the published all-time cells are dated."""
    row = con.execute(
        "select min(period_start), max(period_end) from published.pub_index_cells"
        " where period_grain = 'all'"
    ).fetchone()
    return (row[0], row[1]) if row else (None, None)


def _runs(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Classifier, backend, scrubber and O*NET version of the runs, and their counts summed."""
    if not _has_table(con, "raw", "classification_runs"):
        return {"n_runs": 0, "classifiers": [], "onet_versions": [], "backends": []}
    scrubber = "scrubber" if "scrubber" in _columns(con, "raw", "classification_runs") else "'fast'"
    classifiers = [
        {"name": r[0], "version": r[1], "backend": r[2], "scrubber": r[3], "n_runs": int(r[4])}
        for r in con.execute(
            f"select classifier_name, classifier_version, backend, {scrubber}, count(*) "
            "from raw.classification_runs group by all order by all"
        ).fetchall()
    ]
    # conversations a later run of another partition took over (econ_index.partitions)
    superseded = (
        "n_superseded" if "n_superseded" in _columns(con, "raw", "classification_runs") else "0"
    )
    sums = con.execute(
        "select count(*), coalesce(sum(n_read), 0), coalesce(sum(n_classified), 0), "
        "coalesce(sum(n_filtered), 0), coalesce(sum(n_quarantined), 0), "
        f"min(started_at), max(finished_at), coalesce(sum({superseded}), 0) "
        "from raw.classification_runs"
    ).fetchone() or (0, 0, 0, 0, 0, None, None, 0)
    onet = [
        r[0]
        for r in con.execute(
            "select distinct onet_version from raw.classification_runs order by 1"
        ).fetchall()
    ]
    return {
        "n_runs": int(sums[0]),
        "n_read": int(sums[1]),
        "n_classified": int(sums[2]),
        "n_filtered": int(sums[3]),
        "n_quarantined": int(sums[4]),
        "n_superseded": int(sums[7]),
        "first_started_at": _iso(sums[5]),
        "last_finished_at": _iso(sums[6]),
        "classifiers": classifiers,
        "backends": sorted({str(c["backend"]) for c in classifiers}),
        "onet_versions": onet,
    }


def _reasons(
    con: duckdb.DuckDBPyConnection, table: str, column: str, where: str, k: int
) -> dict[str, int | None]:
    """Count per reason; a count below ``k`` is published as null, like a hidden cell."""
    if not _has_table(con, "raw", table):
        return {}
    rows = con.execute(
        f"select {column}, count(*) from raw.{table} where {where} group by 1 order by 1"
    ).fetchall()
    return {str(r[0]): int(r[1]) if r[1] >= k else None for r in rows}


def _not_classified(
    con: duckdb.DuckDBPyConnection, k_users: int, k_conversations: int
) -> float | None:
    """All-time count of filtered conversations (below confidence or not work), or None when
    fewer than k stand behind it. Only all time: per period, the periods would add up to it and
    give a hidden one back."""
    if not _has_table(con, "raw", "conversation_labels"):
        return None
    row = con.execute(
        "select count(*), count(distinct user_key) from raw.conversation_labels "
        "where status = 'filtered'"
    ).fetchone()
    if not row or row[0] < k_conversations or row[1] < k_users:
        return None
    return float(row[0])


def _frozen(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """What raw.published_decisions freezes (doc block ``incremental_time_suppression``): its
    cells, its periods per grain and a SHA-256 of its published part (keys, decisions, reasons
    and the counts of published cells: a hidden count never enters the manifest, not even
    hashed), in key order; and how many published cells are pinned shares (hidden for their
    share only, their count readable from frozen cells: ``complementary:pinned_share``)."""
    if not _has_table(con, "raw", "published_decisions"):
        # a share is pinned by frozen cells only: none without a record
        return {"cells": 0, "periods": {}, "record_sha256": None, "pinned_shares": 0}
    periods = {
        str(r[0]): {"periods": int(r[1]), "first_start": _iso(r[2]), "last_start": _iso(r[3])}
        for r in con.execute(
            "select period_grain, count(distinct period_start), min(period_start),"
            " max(period_start) from raw.published_decisions group by 1 order by 1"
        ).fetchall()
    }
    digest = hashlib.sha256()
    rows = con.execute(
        "select period_grain, period_start, level, node_id, facet, variable, is_suppressed,"
        " suppression_reason,"
        " case when not is_suppressed then n_users end,"
        " case when not is_suppressed then round(n_conversations, 6) end"
        " from raw.published_decisions order by all"
    ).fetchall()
    for row in rows:
        digest.update(("|".join(map(str, row)) + "\n").encode())
    sha256 = digest.hexdigest() if rows else None
    pinned = con.execute(
        "select count(*) from published.pub_index_cells"
        " where suppression_reason = 'complementary:pinned_share'"
    ).fetchone()
    return {
        "cells": len(rows),
        "periods": periods,
        "record_sha256": sha256,
        "pinned_shares": int(pinned[0]) if pinned else 0,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def git_commit() -> str | None:
    """The commit of the package's checkout, or None (not a git checkout, no git)."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=Path(__file__).parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _write_via_temp(dest: Path, prefix: str, write: Callable[[Path], None]) -> None:
    """``write`` a temporary file beside ``dest`` (named ``prefix...`` so a later publish clears
    it if killed), open it up to FILE_MODE and rename it into place."""
    fd, name = tempfile.mkstemp(prefix=prefix, dir=dest.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        tmp.unlink()
        write(tmp)
        tmp.chmod(FILE_MODE)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def write_bundle(
    con: duckdb.DuckDBPyConnection,
    out: Path,
    parquet_dir: Path,
    tables: dict[str, int],
    *,
    k_users: int,
    k_conversations: int,
    docs_page: Path | None = None,
) -> Bundle:
    """Write the AEI long export, the docs page (a copy of ``docs_page``; without it, no page:
    an older one is removed, not left unlisted) and then ``manifest.json`` beside ``out``.
    ``con`` has the warehouse as its current database (its published schema already checked)."""
    prefix = f".{out.name}."
    runs = _runs(con)
    # All-time rows are dated by the data's first and last day (pub_index_cells.period_end).
    date_first, date_last = _cell_range(con)
    backends = runs["backends"]
    platform = f"econ-index ({'+'.join(backends)})" if backends else "econ-index"  # type: ignore[arg-type]

    soc_levels = " ".join(f"when '{name}' then {n}" for name, n in SOC_LEVELS.items())
    columns = ", ".join(AEI_COLUMNS)
    # a node without a title (or cells without the column) is named by its code
    title = (
        "coalesce(node_title, node_id)"
        if "node_title" in _columns(con, "published", "pub_index_cells")
        else "node_id"
    )
    select = _CELLS_SQL.format(soc_levels=soc_levels, title=title)
    params: dict[str, object] = {"platform": platform}
    not_classified = _not_classified(con, k_users, k_conversations)
    if not_classified is not None:
        select += (
            " union all select 'GLOBAL', 'global', $date_first, $date_last, $platform,"
            " 'onet_task', 0, 'onet_task_count', 'not_classified', $not_classified"
        )
        params |= {"date_first": date_first, "date_last": date_last}
        params["not_classified"] = not_classified
    con.execute(
        "create or replace temp table aei_long as "
        f"select * from ({select}) as t({columns}) "
        "order by date_start, date_end, facet, level, variable, cluster_name",
        params,
    )
    row = con.execute("select count(*) from aei_long").fetchone()
    aei_rows = int(row[0]) if row else 0
    csv_path = out.with_name(out.stem + "_aei.csv")
    parquet_path = out.with_name(out.stem + "_aei.parquet")
    for dest, options in ((csv_path, "format csv, header true"), (parquet_path, "format parquet")):

        def _copy(tmp: Path, options: str = options) -> None:
            con.execute(f"copy aei_long to '{tmp}' ({options})")

        _write_via_temp(dest, prefix, _copy)

    files: list[dict[str, object]] = [{"path": out.name, "rows": dict(tables)}]
    files += [
        {"path": f"{parquet_dir.name}/{name}.parquet", "rows": n} for name, n in tables.items()
    ]
    files += [
        {"path": csv_path.name, "rows": aei_rows},
        {"path": parquet_path.name, "rows": aei_rows},
    ]
    docs_path = out.with_name(out.stem + DOCS_SUFFIX)
    if docs_page is None:
        docs_path.unlink(missing_ok=True)
    else:

        def _copy_page(tmp: Path) -> None:
            shutil.copyfile(docs_page, tmp)

        _write_via_temp(docs_path, prefix, _copy_page)
        files.append({"path": docs_path.name})
    for entry in files:
        path = out.parent / str(entry["path"])
        entry["bytes"] = path.stat().st_size
        entry["sha256"] = _sha256(path)

    hidden = {
        str(r[0]): {"cells": int(r[1]), "suppressed": int(r[2]), "hidden_share": r[2] / r[1]}
        for r in con.execute(
            "select level, count(*), count(*) filter (where is_suppressed) "
            "from published.pub_index_cells group by 1 order by 1"
        ).fetchall()
    }
    grains = [
        r[0]
        for r in con.execute(
            "select distinct period_grain from published.pub_index_cells order by 1"
        ).fetchall()
    ]
    manifest = {
        "manifest_format": MANIFEST_FORMAT,
        "published_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "package_version": econ_index.__version__,
        "git_commit": git_commit(),
        "k": {"k_users": k_users, "k_conversations": k_conversations},
        "files": files,
        "period_grains": grains,
        "date_range": {
            "first_day": _iso(date_first),
            "last_day": _iso(date_last),
        },
        "onet_versions": runs.pop("onet_versions"),
        "runs": runs,
        "filter_reasons": _reasons(
            con, "conversation_labels", "filter_reason", "status = 'filtered'", k_conversations
        ),
        "quarantine_reasons": _reasons(con, "quarantine", "reason", "true", k_conversations),
        "hidden_share_by_level": hidden,
        "frozen_closed_periods": _frozen(con),
        "classifier_quality_on_real_data": {
            **REAL_QUALITY,
            "local_algorithm_version": ALGORITHM_VERSION,
        },
        "aei_export": {
            "schema": list(AEI_COLUMNS),
            "geography": "none in the data: every row is GLOBAL / global",
            "platform_and_product": platform,
        },
    }
    manifest_path = out.with_name(MANIFEST_NAME)

    def _dump(tmp: Path) -> None:
        tmp.write_text(json.dumps(manifest, indent=2, default=str) + "\n", encoding="utf-8")

    _write_via_temp(manifest_path, prefix, _dump)
    docs = docs_path if docs_page is not None else None
    return Bundle((csv_path, parquet_path), aei_rows, manifest_path, docs)
