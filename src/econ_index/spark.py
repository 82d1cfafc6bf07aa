"""Copies the classifier's staging tables (schema ``raw``) from a DuckDB warehouse into a Spark
catalog, so that the dbt models can run on Spark (``make test-spark``; README, "Spark").

Classification stays in Python and writes DuckDB; only its labels, keys and counts move.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from econ_index.warehouse import RAW_SCHEMA

RAW_TABLES = (
    "conversation_labels",
    "classification_runs",
    "quarantine",
    "suppression_repairs",
    "published_decisions",
)

# DuckDB column types of warehouse.DDL -> Spark SQL types
_SPARK_TYPES = {
    "VARCHAR": "string",
    "TIMESTAMP": "timestamp",
    "DATE": "date",
    "DOUBLE": "double",
    "BOOLEAN": "boolean",
    "BIGINT": "bigint",
    "INTEGER": "int",
}


def copy_raw_tables(warehouse: Path, spark: Any) -> dict[str, int]:
    """Replace the Spark tables ``raw.<table>`` with the DuckDB warehouse's; rows per table."""
    copied = {}
    spark.sql(f"create database if not exists {RAW_SCHEMA}")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in RAW_TABLES:
            columns = con.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_schema = ? and table_name = ? order by ordinal_position",
                [RAW_SCHEMA, table],
            ).fetchall()
            schema = ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in columns)
            rows = con.execute(f"select * from {RAW_SCHEMA}.{table}").fetchall()
            spark.sql(f"drop table if exists {RAW_SCHEMA}.{table}")
            spark.createDataFrame(rows, schema=schema).write.saveAsTable(f"{RAW_SCHEMA}.{table}")
            copied[table] = len(rows)
    return copied
