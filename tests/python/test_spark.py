"""The dbt project on Spark (dbt-spark, session mode): seeds, the staging tables copied from a
classified and built DuckDB warehouse (suppression repairs included), then `dbt build` with every
model and test; the published cells must equal DuckDB's. Run by `make test-spark`; needs the
`spark` extra and Java 17+."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from econ_index.dbt_runner import run_dbt
from econ_index.onet import build_seeds

pytest.importorskip("pyspark")
pytest.importorskip("dbt.adapters.spark")

pytestmark = [pytest.mark.spark, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
CELLS = "published.pub_index_cells"
KEY = ["period_grain", "period_start", "level", "node_id", "facet", "variable"]


def _cli(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "econ_index.cli", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, f"econ-index {args[0]} failed:\n{done.stdout}\n{done.stderr}"


@pytest.fixture(scope="module")
def warehouse(onet_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated corpus, classified into DuckDB and built there (`econ-index build`)."""
    build_seeds(onet_source, REPO / "seeds")
    root = tmp_path_factory.mktemp("spark_input")
    corpus, key, wh = root / "conversations.jsonl", root / "user.key", root / "wh.duckdb"
    key.write_text("ab" * 32 + "\n")
    _cli("generate", "--out", str(corpus), "--n", "800", "--seed", "7")
    _cli("classify", "--input", str(corpus), "--warehouse", str(wh), "--user-key-file", str(key))
    # dbt build and the suppression repair (Python, on DuckDB); its cells go to Spark in raw
    _cli("build", "--warehouse", str(wh))
    return wh


@pytest.fixture(scope="module")
def spark(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """dbt seed and build on the `spark` target, in this process's Spark session."""
    from pyspark.sql import SparkSession

    from econ_index.spark import copy_raw_tables

    root = tmp_path_factory.mktemp("spark")
    saved = os.environ.get("ECON_INDEX_SPARK_DIR")
    os.environ["ECON_INDEX_SPARK_DIR"] = str(root)
    try:
        target = ["--target", "spark"]
        # the seeds start the session with the profile's settings; the staging tables join it
        run_dbt(["seed", *target], warehouse=warehouse, target_path=root / "target", quiet=True)
        session = SparkSession.builder.getOrCreate()
        copied = copy_raw_tables(warehouse, session)
        assert copied["conversation_labels"] > 0
        run_dbt(
            ["build", *target, "--exclude", "resource_type:seed"],
            warehouse=warehouse,
            target_path=root / "target",
            quiet=True,
        )
        yield session
    finally:
        if saved is None:
            os.environ.pop("ECON_INDEX_SPARK_DIR", None)
        else:
            os.environ["ECON_INDEX_SPARK_DIR"] = saved


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def test_published_cells_are_the_same_on_spark_and_duckdb(warehouse: Path, spark: object) -> None:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [
            row[0]
            for row in con.execute(
                "select column_name from information_schema.columns where table_schema ="
                " 'published' and table_name = 'pub_index_cells' order by ordinal_position"
            ).fetchall()
        ]
        order = ", ".join(columns)
        on_duckdb = con.execute(f"select {order} from {CELLS}").fetchall()
    on_spark = [tuple(row) for row in spark.sql(f"select {order} from {CELLS}").collect()]  # type: ignore[attr-defined]

    at = [columns.index(c) for c in KEY]

    def key(row: tuple[object, ...]) -> tuple[str, ...]:
        return tuple(str(row[i]) for i in at)

    on_duckdb = sorted((tuple(_plain(v) for v in r) for r in on_duckdb), key=key)
    on_spark = sorted((tuple(_plain(v) for v in r) for r in on_spark), key=key)
    assert len(on_duckdb) > 0
    assert len(on_spark) == len(on_duckdb)
    for d, s in zip(on_duckdb, on_spark, strict=True):
        diffs = [c for c, x, y in zip(columns, d, s, strict=True) if not _same(x, y)]
        assert not diffs, f"cell {key(d)} differs in {diffs}: duckdb {d} spark {s}"
