"""``econ-index publish`` on small hand-made warehouses: views of schema ``published`` (the wide
BI marts) are copied as tables, whatever the warehouse file is called, the k check covers every
published relation that carries counts, and nothing is written when the exact audit finds a
hidden count that the published ones give back."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from econ_index.publish import PublishError, publish

CELLS = """
create table published.pub_index_cells as
select * from (values
    ('all', date '1900-01-01', 'major', '15-0000', 'usage', 'all', 40.0, 9, 80.0, false),
    ('all', date '1900-01-01', 'major', '43-0000', 'usage', 'all', null, null, null, true)
    {total}
) as t(period_grain, period_start, level, node_id, facet, variable,
       n_conversations, n_users, value, is_suppressed)
"""
# With a published total, the hidden major group is the total minus the published one.
TOTAL = ", ('all', date '1900-01-01', 'total', 'total', 'usage', 'all', 60.0, 12, 100.0, false)"


def _warehouse(path: Path, *, mart_n_users: str = "n_users", total: str = "") -> Path:
    """A warehouse whose published schema holds the cells and a view over them; the view names
    its source with the catalog, as dbt-duckdb writes it (the file's stem)."""
    catalog = path.stem
    with duckdb.connect(str(path)) as con:
        con.execute("create schema published")
        con.execute(CELLS.format(total=total))
        con.execute(
            "alter table published.pub_index_cells add column parent_level varchar;"
            "alter table published.pub_index_cells add column parent_id varchar;"
            "update published.pub_index_cells set parent_level = 'total', parent_id = 'total'"
            " where level = 'major'"
        )
        con.execute(
            "create schema intermediate; create table intermediate.int_task_allocation"
            " (onet_task_id varchar, onet_soc_code varchar, allocation_share double)"
        )
        con.execute(
            f"create view published.pub_usage_by_soc as select period_grain, node_id, "
            f"n_conversations, {mart_n_users} as n_users, value as pct_of_classified, "
            f"is_suppressed from \"{catalog}\".published.pub_index_cells where facet = 'usage'"
        )
    return path


@pytest.mark.parametrize("name", ["warehouse.duckdb", "econ_index.duckdb", "my-warehouse.db"])
def test_views_are_published_as_tables_whatever_the_file_is_called(
    tmp_path: Path, name: str
) -> None:
    warehouse = _warehouse(tmp_path / name)
    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(warehouse, out)
    assert result.tables == {"pub_index_cells": 2, "pub_usage_by_soc": 2}
    assert result.suppressed_cells == 1
    with duckdb.connect(str(out), read_only=True) as con:
        kinds = con.execute(
            "select table_name, table_type from information_schema.tables order by 1"
        ).fetchall()
        assert kinds == [("pub_index_cells", "BASE TABLE"), ("pub_usage_by_soc", "BASE TABLE")]
        rows = con.execute(
            "select node_id, n_users, pct_of_classified, is_suppressed "
            "from pub_usage_by_soc order by node_id"
        ).fetchall()
    assert rows == [("15-0000", 9, 80.0, False), ("43-0000", None, None, True)]
    parquet = pq.read_table(result.parquet_dir / "pub_usage_by_soc.parquet")
    assert parquet.num_rows == 2


def test_a_published_view_below_k_is_refused(tmp_path: Path) -> None:
    # A mart that (wrongly) shows fewer users than the cell it comes from.
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", mart_n_users="n_users - 5")
    with pytest.raises(PublishError, match="pub_usage_by_soc are below k"):
        publish(warehouse, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()


def test_a_hidden_count_the_published_ones_give_back_is_refused(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", total=TOTAL)
    with pytest.raises(PublishError, match="1 hidden cells of pub_index_cells can be computed"):
        publish(warehouse, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()


def test_published_files_are_readable_by_others(tmp_path: Path) -> None:
    """A BI service account is another OS user: files 0644 and folders 0755, whatever the
    private temporary files they were written as; the AEI export and the manifest too."""
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(warehouse, out)
    assert (out.stat().st_mode & 0o777) == 0o644
    assert (result.parquet_dir.stat().st_mode & 0o777) == 0o755
    assert result.manifest is not None and len(result.aei_export) == 2
    for path in [*result.parquet_dir.iterdir(), *result.aei_export, result.manifest]:
        assert (path.stat().st_mode & 0o777) == 0o644, path
    # nothing but the lock is left beside them
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".econ_index.duckdb.lock",
        "econ_index.duckdb",
        "econ_index_aei.csv",
        "econ_index_aei.parquet",
        "econ_index_parquet",
        "manifest.json",
    ]
