"""The demo path as a user runs it: generate → classify → dbt build → publish → read it back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import duckdb
import pytest

from econ_index.onet import build_seeds

REPO = Path(__file__).resolve().parents[2]
KEY = "e2e-test-key-0123456789abcdef0123"
# Text a published table may hold: codes, titles, and the enumerations that label cells.
ALLOWED_TEXT_COLUMNS = {
    "period_grain",
    "level",
    "parent_level",
    "node_id",
    "node_title",
    "parent_id",
    "facet",
    "variable",
    "value_base",
    "suppression_reason",
    "soc_code",
    "soc_title",
    "soc_level",
    "parent_soc_code",
    "onet_task_id",
    "task_statement",
    "onet_soc_code",
    "occupation_title",
    "collaboration_pattern",
    "onet_version",
    "major_soc_code",
}

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One ``econ-index`` command in its own process, as a user runs it (dbt-duckdb keeps its
    connection open for the life of a process, so in-process steps would not be independent)."""
    done = subprocess.run(
        [sys.executable, "-m", "econ_index.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, f"econ-index {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, onet_source: Path) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("e2e")
    build_seeds(onet_source, REPO / "seeds")  # dbt's seed path
    env = {"ECON_INDEX_USER_KEY": KEY, "ECON_INDEX_SEEDS": str(REPO / "seeds")}
    corpus = tmp / "conversations.jsonl"
    _cli("generate", "--out", str(corpus), "--n", "2500", "--seed", "5", env=env)
    warehouse = tmp / "warehouse.duckdb"
    classified = _cli(
        "classify", "--input", str(corpus), "--warehouse", str(warehouse), "--json", env=env
    )
    _cli("build", "--warehouse", str(warehouse), env=env)
    published = tmp / "published" / "econ_index.duckdb"
    done = _cli("publish", "--warehouse", str(warehouse), "--out", str(published), env=env)
    return {
        "counts": json.loads(classified.stdout),
        "publish_output": done.stdout,
        "published": published,
        "warehouse": warehouse,
    }


def test_classify_counts_reconcile(demo: dict[str, object]) -> None:
    counts = demo["counts"]
    assert isinstance(counts, dict)
    assert counts["read"] == 2500
    assert counts["read"] == counts["classified"] + counts["filtered"] + counts["quarantined"]
    assert counts["classified"] > 0.6 * counts["read"]


def test_publish_prints_path_line(demo: dict[str, object]) -> None:
    lines = str(demo["publish_output"]).splitlines()
    assert f"published: {demo['published']}" in lines


def test_published_file_holds_only_k_anonymous_cells(demo: dict[str, object]) -> None:
    with duckdb.connect(str(demo["published"]), read_only=True) as con:
        tables = [
            r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
        ]
        assert tables and all(t.startswith("pub_") for t in tables)
        text_columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        assert {c for _, c in text_columns} <= ALLOWED_TEXT_COLUMNS, text_columns
        below_k = con.execute(
            "select count(*) from pub_index_cells where not is_suppressed "
            "and (n_users < 5 or n_conversations < 15)"
        ).fetchone()
        assert below_k == (0,)
        published, suppressed = con.execute(
            "select count(*) filter (where not is_suppressed), "
            "count(*) filter (where is_suppressed) "
            "from pub_index_cells"
        ).fetchone() or (0, 0)
        assert published > 0 and suppressed > 0
        leaked = con.execute(
            "select count(*) from pub_index_cells where is_suppressed and "
            "(n_users is not null or n_conversations is not null or value is not null)"
        ).fetchone()
        assert leaked == (0,)


def test_published_file_opens_in_duckdb_1_0(demo: dict[str, object], tmp_path: Path) -> None:
    """A BI tool on an old client: DuckDB 1.0.0 in its own virtual environment."""
    env_dir = tmp_path / "duckdb10"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "duckdb==1.0.0"], check=True)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(c.execute('select count(*) from pub_index_cells').fetchone()[0])"
    )
    done = subprocess.run(
        [python, "-c", code, str(demo["published"])], check=True, capture_output=True, text=True
    )
    assert int(done.stdout) > 0
