"""Stable closed periods (doc block incremental_time_suppression): after a day is appended, a
second `econ-index build` publishes every cell of a frozen period exactly as the first did and
the exact audit stays clean; late data for a frozen period fails a plain `dbt build` until
`econ-index build --reopen-changed` decides that period again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dbt.cli.requires
import duckdb
import pytest

from benchmarks.warehouse import append_held_back_day, generate_labels, hold_back_last_day
from econ_index.audit import audit
from econ_index.dbt_runner import DbtError, run_dbt
from econ_index.onet import build_seeds
from econ_index.repair import FINAL_BUILD, build, first_build

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
# every published column of the frozen cells, doubles rounded (sums may add in another order)
_FROZEN_CELLS = """
select
    cells.period_grain, cells.period_start, cells.level, cells.node_id, cells.facet,
    cells.variable, cells.is_suppressed, cells.suppression_reason, cells.n_users,
    round(cells.n_conversations, 9), round(cells.pct, 9), round(cells.ci_low, 9),
    round(cells.ci_high, 9)
from published.pub_index_cells as cells
semi join raw.published_decisions
    using (period_grain, period_start, level, node_id, facet, variable)
order by all
"""
_PUBLISHED = """
select period_grain, period_start, level, node_id, facet, variable, is_suppressed,
    suppression_reason
from published.pub_index_cells
order by all
"""


# plain connections: dbt-duckdb keeps the file open in this process, and DuckDB only shares an
# open database with a connection of the same configuration
def _query(warehouse: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql).fetchall()


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """A list that grows by one whenever dbt parses the project."""
    parses: list[None] = []
    parse = dbt.cli.requires.parse_manifest

    def counted(*args: object, **kwargs: object) -> object:
        parses.append(None)
        return parse(*args, **kwargs)

    monkeypatch.setattr(dbt.cli.requires, "parse_manifest", counted)
    return parses


def _determined(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse)) as con:
        return len(audit(con).determined)


# On this corpus the all-time cells of a node seen only in January equal its frozen January
# cells, so when a new day hides the node's all-time usage, its all-time mode shares (pinned by
# January) are hidden for their share only (complementary:pinned_share): without that rule the
# second build did not converge.
def test_closed_periods_stay_as_published_when_a_day_is_appended(
    tmp_path: Path, onet_source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses = _count_parses(monkeypatch)
    seeds = REPO / "seeds"
    build_seeds(onet_source, seeds)
    warehouse = tmp_path / "stable.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        # from a Monday, 36 days: whole weeks and January close, December stays partial
        generate_labels(
            con,
            seeds,
            1_500,
            n_users=150,
            user_skew=1.5,
            tail_share=0.1,
            first_day="2024-12-30",
            n_days=36,
        )
        hold_back_last_day(con)  # 2025-02-03, a Monday
    build(warehouse, verbose=False)
    assert len(parses) == 1  # its dbt commands (passes, the freeze's rerun) share one parse
    before = _query(warehouse, _FROZEN_CELLS)
    periods = "select period_grain, count(distinct period_start) from raw.published_decisions"
    # the days up to Feb 1 (the newest, Feb 2, may grow), four whole weeks, January
    assert dict(_query(warehouse, periods + " group by 1")) == {"day": 34, "week": 4, "month": 1}
    assert {row[6] for row in before} == {True, False}  # hidden and published cells both frozen
    # the publication is what its raw tables give, frozen decisions included: a plain dbt run
    # (as on Spark) picks the same cells for the same reasons
    published = _query(warehouse, _PUBLISHED)
    run_dbt(["run", "-s", "int_suppression_frozen+"], warehouse=warehouse, quiet=True)
    assert _query(warehouse, _PUBLISHED) == published

    with duckdb.connect(str(warehouse)) as con:
        append_held_back_day(con, "2025-07-02")
    build(warehouse, verbose=False)
    after = _query(warehouse, _FROZEN_CELLS)
    assert set(before) <= set(after)  # same value, same published / hidden status
    # Feb 2 and the week of Jan 27 closed with the new day, and are frozen now
    assert dict(_query(warehouse, periods + " group by 1")) == {"day": 35, "week": 5, "month": 1}
    assert _determined(warehouse) == 0
    pinned = "select count(*) from published.pub_index_cells where suppression_reason = ?"
    with duckdb.connect(str(warehouse)) as con:
        found = con.execute(pinned, ["complementary:pinned_share"]).fetchone()
    assert found and found[0] > 0  # the case this corpus exists for

    # a late conversation for a frozen day: its cells cannot stay as published
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw.conversation_labels select * replace ("
            " 'late' as conversation_key, 'late-user' as user_key,"
            " timestamp '2025-01-07 10:00:00' as created_at,"
            " timestamp '2025-07-03' as loaded_at)"
            " from raw.conversation_labels where status = 'classified'"
            " order by conversation_key limit 1"
        )
    with pytest.raises(DbtError, match="stale frozen decisions"):
        run_dbt(["run", "-s", "+int_suppression_frozen"], warehouse=warehouse, quiet=True)
    lines: list[str] = []
    parsed = len(parses)
    build(warehouse, reopen_changed=True, verbose=False, report=lines.append)
    assert len(parses) == parsed + 1  # the reopening's dbt run too
    # the day, its week and its month (the all-time cells are never frozen)
    assert next(line for line in lines if line.startswith("reopened")) == (
        "reopened 3 changed closed periods: day 2025-01-07, month 2025-01-01, week 2025-01-06"
    )
    assert _determined(warehouse) == 0
    # the other frozen periods kept every cell as first published
    reopened = {("day", date(2025, 1, 7)), ("week", date(2025, 1, 6)), ("month", date(2025, 1, 1))}
    kept = {row for row in before if (row[0], row[1]) not in reopened}
    assert kept and kept <= set(_query(warehouse, _FROZEN_CELLS))


def test_a_build_runs_every_data_test_once(tmp_path: Path, onet_source: Path) -> None:
    """The first dbt build of `econ-index build` leaves out the data tests a repair or the
    freeze can change; the build after the last pass runs them on the final publication, so
    together they run every data test of the project, each once; with --daily, every data test
    downstream of the classifier's tables, each once."""
    build_seeds(onet_source, REPO / "seeds")
    warehouse = tmp_path / "ls.duckdb"

    def tests(*selection: str) -> set[str]:
        listed = run_dbt(
            ["ls", *selection, "--resource-type", "test", "--output", "name"],
            warehouse=warehouse,
            quiet=True,
        )
        return set(listed.result)

    first, final = tests(*first_build(full_refresh=False, daily=False)[1:]), tests(*FINAL_BUILD[1:])
    assert first and final and first.isdisjoint(final)
    assert first | final == tests()
    daily = tests(*first_build(full_refresh=False, daily=True)[1:])
    assert daily and daily.isdisjoint(final)
    assert daily | final == tests("--select", "source:econ_index+")
