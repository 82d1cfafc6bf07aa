"""Reproduce the first Anthropic Economic Index figures through the project's own dbt rollups.

The release's published task distribution replaces conversation counts as the input of the
task-usage model (dbt var ``usage_source: aei_release``); everything downstream — equal-split
allocation, the SOC rollups, the pattern shares, task coverage — is the same SQL that runs on
classified conversations.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from econ_index.dbt_runner import project_dir, run_dbt
from econ_index.onet import build_seeds
from econ_index.warehouse import DDL

AEI_MODELS = ("agg_usage_by_soc", "agg_automation_augmentation", "agg_occupation_task_coverage")


def _figures(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    majors = con.execute(
        "select soc_code, pct_of_classified from marts.agg_usage_by_soc "
        "where period_grain = 'all' and soc_level = 'major' order by pct_of_classified desc"
    ).fetchall()
    shares = con.execute(
        "select automation_pct_of_five_pattern_base, augmentation_pct_of_five_pattern_base "
        "from marts.agg_automation_augmentation where period_grain = 'all'"
    ).fetchone()
    coverage = con.execute(
        "select count(*), "
        "100.0 * count(*) filter (where pct_task_rows_in_use >= 25) / count(*), "
        "100.0 * count(*) filter (where pct_task_rows_in_use >= 75) / count(*) "
        "from marts.agg_occupation_task_coverage"
    ).fetchone()
    if shares is None or coverage is None:
        raise RuntimeError("the AEI rollups are empty: was the release's usage file loaded?")
    return {
        "soc_major_group_pct": {code[:2]: round(pct, 1) for code, pct in majors},
        "automation_pct": round(shares[0], 1),
        "augmentation_pct": round(shares[1], 1),
        "occupation_share_ge_25pct_tasks": round(coverage[1], 1),
        "occupation_share_ge_75pct_tasks": round(coverage[2], 1),
        "n_occupations": int(coverage[0]),
    }


def aei_v1(
    release: Path, *, workdir: Path | None = None, verbose: bool = False
) -> dict[str, object]:
    """Builds seeds from ``release``, runs the rollups in AEI mode in a scratch warehouse
    (dbt's log on stderr with ``verbose``, else its errors only)."""
    seeds = project_dir() / "seeds"
    summary = build_seeds(release, seeds)
    if not summary.rows["aei_task_usage"]:
        raise RuntimeError(f"{release} has no onet_task_mappings.csv: not an AEI release")
    with tempfile.TemporaryDirectory(dir=workdir) as scratch:
        warehouse = Path(scratch) / "aei.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            con.execute(DDL)  # the conversation sources exist, empty, so the DAG parses whole
        selection = " ".join(f"+{m}" for m in AEI_MODELS)
        run_dbt(
            # cautious: only tests whose every parent is built (a relationship test that also
            # reads the conversation fact, not built in this mode, stays out)
            [
                "build",
                "--select",
                selection,
                "--exclude",
                "test_type:unit",
                "--indirect-selection",
                "cautious",
            ],
            warehouse=warehouse,
            target_path=Path(scratch) / "target",
            variables={"usage_source": "aei_release"},
            quiet=True,
            verbose=verbose,
        )
        # dbt-duckdb keeps its read-write handle open in this process: open it the same way
        with duckdb.connect(str(warehouse)) as con:
            figures = _figures(con)
    figures["release"] = summary.onet_version
    return figures
