"""Daily runs: a warehouse built on days 1..n-1, then day n appended (with re-labels, a filtered
conversation and a late one) and built incrementally, equals a full refresh row for row in every
intermediate, mart and published table; and the run leaves closed periods untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from benchmarks.warehouse import append_held_back_day, generate_labels, hold_back_last_day
from econ_index.daily import TESTS_CHANGED_SINCE_ENV, daily_tests_since
from econ_index.dbt_runner import DbtError, run_dbt
from econ_index.onet import build_seeds
from econ_index.repair import DEFERRED_TESTS, FINAL_BUILD

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = ("intermediate", "marts", "published")
DAY_N_LOADED_AT = "2025-07-02"  # after the generator's loaded_at of days 1..n-1
DAILY_BUILD = ["build", "--selector", "daily"]


def _tables(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables"
            " where table_schema = ? order by 1",  # views too: int_index_cells is one
            [schema],
        ).fetchall()
    ]


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str:
    """The table's columns, doubles rounded: a sum of equal-split shares may add in another
    order in the two builds and differ in its last bits."""
    return ", ".join(
        f"round({name}, 9) as {name}" if kind == "DOUBLE" else name
        for name, kind in con.execute(
            "select column_name, data_type from information_schema.columns"
            " where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    )


def _append_day_n(con: duckdb.DuckDBPyConnection) -> dict[str, object]:
    """Day n arrives with what a real day brings besides new conversations: an old one
    re-labelled with another task and pattern, an old one (its user's only one that day)
    re-labelled as filtered, and a late one for a closed week from a new user."""
    append_held_back_day(con, DAY_N_LOADED_AT)
    old = con.execute(
        "select conversation_key, onet_task_id from raw.conversation_labels"
        " where status = 'classified' and created_at < date '2025-01-10'"
        " order by conversation_key limit 1"
    ).fetchone()
    assert old is not None
    relabelled, task = old
    other_task = con.execute(
        "select min(onet_task_id) from raw.conversation_labels where onet_task_id != ?", [task]
    ).fetchone()
    assert other_task is not None
    con.execute(
        "update raw.conversation_labels set onet_task_id = ?, collaboration_pattern = 'learning',"
        f" loaded_at = timestamp '{DAY_N_LOADED_AT}' where conversation_key = ?",
        [other_task[0], relabelled],
    )
    lone = con.execute(
        """
        select min(conversation_key) from (
            select any_value(conversation_key) as conversation_key
            from raw.conversation_labels
            where status = 'classified' and created_at < date '2025-01-20'
            group by user_key, cast(created_at as date)
            having count(*) = 1
        )
        """
    ).fetchone()
    assert lone is not None
    con.execute(
        "update raw.conversation_labels set status = 'filtered', onet_task_id = null,"
        " filter_reason = 'below_confidence',"
        f" loaded_at = timestamp '{DAY_N_LOADED_AT}' where conversation_key = ?",
        [lone[0]],
    )
    con.execute(
        "insert into raw.conversation_labels select * replace ("
        " 'late-conversation' as conversation_key, 'a-new-user' as user_key,"
        " timestamp '2025-01-08 10:00:00' as created_at,"
        f" timestamp '{DAY_N_LOADED_AT}' as loaded_at)"
        " from raw.conversation_labels where conversation_key = ?",
        [relabelled],
    )
    return {"relabelled": relabelled, "filtered": lone[0]}


def test_appending_a_day_equals_a_full_refresh(tmp_path: Path, onet_source: Path) -> None:
    seeds = REPO / "seeds"
    build_seeds(onet_source, seeds)
    warehouse = tmp_path / "daily.duckdb"
    target = tmp_path / "target"
    with duckdb.connect(str(warehouse)) as con:
        # 40 days from a Monday: days, ISO weeks and two months, users over several days
        generate_labels(
            con,
            seeds,
            4_000,
            n_users=400,
            user_skew=1.5,
            tail_share=0.1,
            first_day="2025-01-06",
            n_days=40,
        )
        hold_back_last_day(con)
    run_dbt(["build"], warehouse=warehouse, target_path=target, quiet=True)

    with duckdb.connect(str(warehouse)) as con:
        changed = _append_day_n(con)
        # a closed day the new labels do not touch: the incremental run must leave its rows
        # alone, so a row of its per-user state marked here keeps its mark (and, not being
        # recomputed, no aggregate of that day reads it)
        closed = con.execute(
            """
            select period_start, min(user_key) from intermediate.int_period_user_tasks
            where period_grain = 'day' and period_start not in (
                select cast(created_at as date) from raw.conversation_labels
                where loaded_at = ?
            ) and period_start < date '2025-01-20'
            group by period_start order by period_start limit 1
            """,
            [DAY_N_LOADED_AT],
        ).fetchone()
        assert closed is not None
        marked = (
            "update intermediate.int_period_user_tasks set n_conversations = n_conversations + {}"
            " where period_grain = 'day' and period_start = ? and user_key = ?"
        )
        con.execute(marked.format(1000), list(closed))
    since = daily_tests_since(warehouse)
    assert since is not None
    daily = {TESTS_CHANGED_SINCE_ENV: since}
    run_dbt(DAILY_BUILD, warehouse=warehouse, target_path=target, quiet=True, environment=daily)
    _daily_tests_read_the_changed_periods(warehouse, target, daily, closed[0])

    with duckdb.connect(str(warehouse)) as con:
        still_marked = con.execute(
            "select bool_and(n_conversations >= 1000) from intermediate.int_period_user_tasks"
            " where period_grain = 'day' and period_start = ? and user_key = ?",
            list(closed),
        ).fetchone()
        assert still_marked == (True,), "a closed period was recomputed"
        con.execute(marked.format(-1000), list(closed))
        fact = {
            key: n
            for key, n in con.execute(
                "select conversation_key, count(*) from marts.fct_conversation_tasks"
                " where conversation_key in (?, ?, 'late-conversation') group by 1",
                [changed["relabelled"], changed["filtered"]],
            ).fetchall()
        }
        assert fact == {changed["relabelled"]: 1, "late-conversation": 1}
        tables = {schema: _tables(con, schema) for schema in SCHEMAS}
        for schema, names in tables.items():
            con.execute(f"create schema incremental_{schema}")
            for name in names:
                con.execute(
                    f"create table incremental_{schema}.{name} as select * from {schema}.{name}"
                )
    assert {
        "int_period_user_tasks",
        "int_soc_users",
        "int_soc_usage",
        "int_period_cells",
        "int_index_cells",
    } <= set(tables["intermediate"])
    assert "pub_index_cells" in tables["published"]

    run_dbt(["build", "--full-refresh"], warehouse=warehouse, target_path=target, quiet=True)

    with duckdb.connect(str(warehouse)) as con:
        assert {schema: _tables(con, schema) for schema in SCHEMAS} == tables
        for schema, names in tables.items():
            for name in names:
                columns = _columns(con, schema, name)
                full = f"select {columns} from {schema}.{name}"
                incremental = f"select {columns} from incremental_{schema}.{name}"
                counts = con.execute(
                    f"select (select count(*) from {schema}.{name}),"
                    f" (select count(*) from ({full} except all {incremental})),"
                    f" (select count(*) from ({incremental} except all {full}))"
                ).fetchone()
                assert counts is not None
                n, only_full, only_incremental = counts
                assert (only_full, only_incremental) == (0, 0), f"{schema}.{name}: {counts}"
                if name.startswith("int_"):
                    assert n > 0, f"{schema}.{name} is empty"


# (model, a column its valid_columns test guards, a value it rejects, the columns that pick one
# row of a day): a period aggregate, tested by period, and the per-user state, tested by
# (period, user); a null, a value out of range and one not accepted
DAILY_TESTED = (
    ("int_task_usage", "n_conversations", None, ["onet_task_id"]),
    ("int_soc_users", "pattern_mask", 64, ["user_key", "soc_code"]),
    ("int_soc_users", "soc_level", "galaxy", ["user_key", "soc_code"]),
)


def _daily_tests_read_the_changed_periods(
    warehouse: Path, target: Path, daily: dict[str, str], closed_day: object
) -> None:
    """A bad value in a unit day n changed fails the daily run's tests; one in a closed day
    passes them (it was tested when it was written) and fails a full build's."""
    dbt: dict[str, Any] = {"warehouse": warehouse, "target_path": target, "quiet": True}
    with duckdb.connect(str(warehouse)) as con:
        day_n = con.execute(
            "select max(cast(created_at as date)) from raw.conversation_labels where loaded_at = ?",
            [DAY_N_LOADED_AT],
        ).fetchone()
        assert day_n is not None
    for model, column, bad, key in DAILY_TESTED:
        where = " and ".join(f"{name} = ?" for name in key)
        set_value = (
            f"update intermediate.{model} set {column} = ?"
            f" where period_grain = 'day' and period_start = ? and {where}"
        )
        for day in (day_n[0], closed_day):
            with duckdb.connect(str(warehouse)) as con:
                row = con.execute(
                    f"select {', '.join(key)}, {column} from intermediate.{model}"
                    " where period_grain = 'day' and period_start = ? order by all limit 1",
                    [day],
                ).fetchone()
                assert row is not None, (model, day)
                con.execute(set_value, [bad, day, *row[:-1]])
            test = ["test", "--select", model]
            try:
                if day == closed_day:
                    run_dbt(test, **dbt, environment=daily)
                with pytest.raises(DbtError, match=f"valid_columns_{model}_"):
                    run_dbt(test, **dbt, environment=None if day == closed_day else daily)
            finally:
                with duckdb.connect(str(warehouse)) as con:
                    con.execute(set_value, [row[-1], day, *row[:-1]])


def test_selector_daily_builds_what_the_labels_change(tmp_path: Path) -> None:
    """The daily recipe's selector builds every model downstream of the classifier's tables and
    runs their data tests, the per-user state's included (restricted to the day's units); it
    leaves out what the seeds alone make (and its tests), the unit tests, which a day's
    labels do not change, and the data tests `econ-index build` runs after its repair."""
    warehouse = tmp_path / "w.duckdb"

    def names(*selection: str) -> set[str]:
        result = run_dbt(["ls", *selection, "--output", "name"], warehouse=warehouse, quiet=True)
        return set(result.result)

    state_tests = names("--select", "tag:period_user_units", "--resource-type", "test")
    assert (
        "unique_combination_of_columns_int_soc_users_period_grain__period_start__soc_level"
        "__soc_code__user_key" in state_tests
    )
    assert not any("int_soc_usage" in name for name in state_tests)
    unit_tests = names("--resource-type", "unit_test")
    assert "soc_users_roll_each_user_up_the_levels" in unit_tests
    daily = names("--selector", "daily")
    deferred = names("--select", DEFERRED_TESTS)  # the final build's (test_stability)
    assert daily == names("--select", "source:econ_index+") - unit_tests - deferred
    assert state_tests <= daily
    # cautious: a test between them and the day's rows (a relationships test) is not theirs alone
    seeds_alone = names(
        "--select", "+int_soc_nodes +int_task_allocation", "--indirect-selection", "cautious"
    )
    assert {"onet_task_statements", "stg_onet__task_statements", "int_soc_nodes"} <= seeds_alone
    assert not daily & seeds_alone
    assert {"int_soc_users", "int_index_cells", "pub_index_cells"} <= daily
    # a test between the day's rows and the seeds' still runs
    assert any(name.startswith("relationships_int_task_usage_onet_task_id") for name in daily)


@pytest.mark.parametrize(
    ("options", "command"),
    [
        ([], ["build", "--exclude", DEFERRED_TESTS, "--exclude-resource-type", "unit_test"]),
        (["--daily"], DAILY_BUILD),
    ],
)
def test_econ_index_build_daily_runs_the_daily_selector(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: list[str], command: list[str]
) -> None:
    """`econ-index build --daily` runs the daily recipe's `dbt build --selector daily`, then the
    repair and the final build as any build does; without it, the whole `dbt build` but the
    data tests the final build runs and the unit tests (`make dbt-checks` runs them)."""
    from typer.testing import CliRunner

    from econ_index import repair
    from econ_index.cli import app

    commands: list[list[str]] = []
    monkeypatch.setattr(repair, "check_seeds", lambda: None)
    monkeypatch.setattr(repair, "_record", lambda *_: None)
    monkeypatch.setattr(repair, "_freeze", lambda _: 0)  # no warehouse to freeze
    monkeypatch.setattr(repair, "run_dbt", lambda command, **_: commands.append(command))
    monkeypatch.setattr(repair, "describe", lambda _: "")
    monkeypatch.setattr(repair, "plan_for_warehouse", lambda *_: (repair.Plan([], 0, 0), None))
    monkeypatch.setattr(repair, "release_for_warehouse", lambda *_: [])  # nothing to release
    warehouse = tmp_path / "w.duckdb"
    result = CliRunner().invoke(app, ["build", "--warehouse", str(warehouse), *options])
    assert result.exit_code == 0, result.output
    assert commands == [command, FINAL_BUILD]
