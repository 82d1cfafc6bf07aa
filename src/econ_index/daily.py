"""The daily run's data tests (README, "Daily runs"): the watermark that restricts the tests of
the period models (tag ``period_units``, macros/incremental/daily_tests.sql) to the periods
the day changed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

TESTS_CHANGED_SINCE_ENV = "ECON_INDEX_TESTS_CHANGED_SINCE"

# every base table keeping a watermark (the incremental models and the suppression's inputs)
_WATERMARKED = """
select columns.table_schema, columns.table_name
from information_schema.columns as columns
inner join information_schema.tables as tables
    on columns.table_schema = tables.table_schema and columns.table_name = tables.table_name
where
    columns.column_name = 'last_loaded_at'
    and tables.table_type = 'BASE TABLE'
    and columns.table_schema in ('intermediate', 'marts')
order by 1, 2
"""


def daily_tests_since(warehouse: Path) -> str | None:
    """Before a daily run: the oldest watermark (newest ``last_loaded_at``) of the warehouse's
    tables. A run consumes the labels loaded after a model's watermark and changes only the
    periods they fall in, so the labels after the oldest one cover every period any model
    changes (one that failed or was left out last time included). ``None``, so that every row
    is tested, before a first build or while a table is empty."""
    if not warehouse.is_file():
        return None
    try:
        # the same configuration as dbt-duckdb, which keeps the file open in this process
        with duckdb.connect(str(warehouse)) as con:
            tables = con.execute(_WATERMARKED).fetchall()
            if not tables:
                return None
            watermarks = " union all ".join(
                f'select max(last_loaded_at) as watermark from "{schema}"."{table}"'
                for schema, table in tables
            )
            row = con.execute(
                f"select min(watermark), count(watermark) = count(*) from ({watermarks})"
            ).fetchone()
    except duckdb.Error:
        return None  # unreadable here: dbt reports what is wrong; test everything
    if row is None or not row[1]:
        return None
    watermark: datetime = row[0]
    return watermark.isoformat(sep=" ")
