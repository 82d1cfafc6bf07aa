"""The dbt models from seeds to marts, built by dbt on a small synthetic warehouse.

Conversation mode is checked against numbers worked out by hand (equal splits, ISO weeks,
pattern shares, Wilson intervals, incremental = full refresh); AEI mode against the figures the
Anthropic Economic Index paper published (SOURCES.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from econ_index.dbt_runner import DbtError, run_dbt
from econ_index.onet import build_seeds
from econ_index.warehouse import DDL

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ALL = date(2025, 1, 6)  # period_start of grain 'all' in the index cells: the first day
OUR_MODELS = ["--exclude", "path:models/published"]  # published/ is tested by its own suite
LABEL_COLUMNS = 14
_LATEST = datetime(2025, 12, 31)


@pytest.fixture(scope="module")
def project_seeds(onet_source: Path) -> Path:
    """dbt reads seeds from the project's seeds/ (git-ignored), so build them there."""
    build_seeds(onet_source, REPO / "seeds")
    return REPO / "seeds"


@pytest.fixture(scope="module")
def tasks(project_seeds: Path) -> dict[str, str]:
    """An unshared task and a task whose statement two occupations hold, with the occupations."""
    seeds = duckdb.connect()
    rows = seeds.execute(
        """
        with t as (
            select task_id, onet_soc_code, lower(trim(task_statement)) as k
            from read_csv(?, all_varchar = true)
        ), n as (select k, count(*) as holders from t group by k),
        shared as (select min(task_id) as task_id from t join n using (k) where holders = 2),
        shared_holders as (
            select onet_soc_code from t where k = (
                select k from t where task_id = (select task_id from shared)
            )
        )
        select
            -- an unshared task of an occupation that holds no share of the shared one
            (
                select min(task_id) from t join n using (k)
                where holders = 1 and onet_soc_code not in (from shared_holders)
            ),
            (select task_id from shared)
        """,
        [str(project_seeds / "onet_task_statements.csv")],
    ).fetchone()
    assert rows is not None
    single, shared = rows
    holders = seeds.execute(
        """
        with t as (select * from read_csv(?, all_varchar = true))
        select onet_soc_code from t
        where lower(trim(task_statement)) = (
            select lower(trim(task_statement)) from t where task_id = ?
        )
        order by 1
        """,
        [str(project_seeds / "onet_task_statements.csv"), shared],
    ).fetchall()
    occupation = seeds.execute(
        "select onet_soc_code from read_csv(?, all_varchar = true) where task_id = ?",
        [str(project_seeds / "onet_task_statements.csv"), single],
    ).fetchone()
    assert occupation is not None
    return {
        "single": single,
        "single_occupation": occupation[0],
        "shared": shared,
        "shared_a": holders[0][0],
        "shared_b": holders[1][0],
    }


def _label(
    key: str,
    user: str,
    created: datetime,
    task: str | None,
    pattern: str,
    loaded: datetime = datetime(2025, 3, 1),
) -> tuple[object, ...]:
    status = "classified" if task else "filtered"
    return (
        key,
        user,
        created,
        status,
        None if task else "not_work_related",
        task,
        pattern,
        0.9,
        False,
        "synthetic",
        "1",
        "aei_2025_02_10",
        "run-1",
        loaded,
    )


def _warehouse(path: Path, labels: list[tuple[object, ...]]) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        con.executemany(
            f"insert into raw.conversation_labels values ({', '.join(['?'] * LABEL_COLUMNS)})",
            labels,
        )
        con.execute(
            "insert into raw.classification_runs (run_id, started_at, finished_at, backend,"
            " classifier_name, classifier_version, onet_version, n_read, n_classified,"
            " n_filtered, n_quarantined, input_tokens, cached_input_tokens, cache_write_tokens,"
            " output_tokens, cost_usd, scrubber) values ('run-1', ?, ?, 'local', 'synthetic', '1',"
            " 'aei_2025_02_10', 7, 6, 1, 0, 0, 0, 0, 0, 0.0, 'fast')",
            [datetime(2025, 3, 1), datetime(2025, 3, 1)],
        )
    return path


def _query(
    warehouse: Path, sql: str, params: list[object] | None = None
) -> list[tuple[object, ...]]:
    # dbt-duckdb keeps its read-write connection open in this process: open it the same way
    with duckdb.connect(str(warehouse)) as con:
        return con.execute(sql, params or []).fetchall()


def _wilson(x: float, n: float, z: float = 1.96) -> tuple[float, float]:
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


@pytest.fixture(scope="module")
def conversation_labels(tasks: dict[str, str]) -> list[tuple[object, ...]]:
    single, shared = tasks["single"], tasks["shared"]
    return [
        _label("c1", "u1", datetime(2025, 1, 6, 9), single, "directive"),
        _label("c2", "u1", datetime(2025, 1, 7, 9), single, "directive"),
        _label("c3", "u1", datetime(2025, 1, 8, 9), single, "learning"),
        # a Sunday: its ISO week starts on Monday 2025-01-06
        _label("c4", "u2", datetime(2025, 1, 12, 23, 59), shared, "validation"),
        _label("c5", "u2", datetime(2025, 1, 12, 10), None, "none"),
        _label("c6", "u3", datetime(2025, 2, 3, 8), single, "none"),
    ]


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, conversation_labels: list[tuple[object, ...]]
) -> Iterator[tuple[Path, Path]]:
    root = tmp_path_factory.mktemp("dbt_conversations")
    warehouse = _warehouse(root / "wh.duckdb", conversation_labels)
    run_dbt(["build", *OUR_MODELS], warehouse=warehouse, target_path=root / "target", quiet=True)
    yield warehouse, root / "target"


def test_fact_has_one_row_per_classified_conversation_with_iso_periods(
    built: tuple[Path, Path],
) -> None:
    warehouse, _ = built
    rows = _query(
        warehouse,
        "select conversation_key, period_day, period_week, period_month, is_automation,"
        " is_augmentation from marts.fct_conversation_tasks order by 1",
    )
    assert [r[0] for r in rows] == ["c1", "c2", "c3", "c4", "c6"]
    c4 = rows[3]
    assert c4[1:4] == (date(2025, 1, 12), date(2025, 1, 6), date(2025, 1, 1))
    assert rows[0][4:] == (True, False)  # directive
    assert rows[2][4:] == (False, True)  # learning
    assert rows[4][4:] == (False, False)  # none


def test_shared_statement_is_split_equally_and_levels_add_up(
    built: tuple[Path, Path], tasks: dict[str, str]
) -> None:
    warehouse, _ = built
    occupations = dict(
        (code, (n, users))
        for code, n, users in _query(
            warehouse,
            "select soc_code, n_conversations, n_users from marts.agg_usage_by_soc"
            " where period_grain = 'all' and soc_level = 'occupation'",
        )
    )
    assert occupations[tasks["single_occupation"]] == (4.0, 2)
    assert occupations[tasks["shared_a"]] == (0.5, 1)
    assert occupations[tasks["shared_b"]] == (0.5, 1)
    for level, total, pct in _query(
        warehouse,
        "select soc_level, sum(n_conversations), sum(pct_of_classified)"
        " from marts.agg_usage_by_soc where period_grain = 'all' group by 1",
    ):
        assert total == pytest.approx(5.0), level
        assert pct == pytest.approx(100.0), level


def test_periods_split_the_history(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    weeks = _query(
        warehouse,
        "select period_start, n_conversations, n_users from intermediate.int_index_cells"
        " where period_grain = 'week' and level = 'total' and facet = 'usage' order by 1",
    )
    assert weeks == [(date(2025, 1, 6), 4.0, 2), (date(2025, 2, 3), 1.0, 1)]


def test_automation_share_and_wilson_interval(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    row = _query(
        warehouse,
        "select automation_pct_of_five_pattern_base, augmentation_pct_of_five_pattern_base,"
        " automation_n_conversations, five_pattern_n_conversations, automation_ci_low,"
        " automation_ci_high from marts.agg_automation_augmentation where period_grain = 'all'",
    )[0]
    # directive x2 | learning + validation; `none` (c6) is outside the five-pattern base
    assert row[:4] == (50.0, 50.0, 2.0, 4.0)
    assert row[4:] == pytest.approx(_wilson(2, 4))
    shares = dict(
        _query(
            warehouse,
            "select collaboration_pattern, pct_of_five_pattern_base"
            " from marts.agg_collaboration_shares where period_grain = 'all'",
        )
    )
    assert shares == {"directive": 50.0, "learning": 25.0, "validation": 25.0, "none": None}


def test_index_cells_cover_every_level_with_a_total(built: tuple[Path, Path]) -> None:
    warehouse, _ = built
    levels = dict(
        _query(
            warehouse,
            "select level, count(*) from intermediate.int_index_cells"
            " where period_grain = 'all' and facet = 'usage' group by 1",
        )
    )
    assert levels["total"] == 1
    assert levels["task"] == 2
    assert set(levels) == {"task", "occupation", "detailed", "broad", "minor", "major", "total"}
    pattern_total = _query(
        warehouse,
        "select pct, pct_base, ci_low < pct and pct < ci_high"
        " from intermediate.int_index_cells where period_grain = 'all' and level = 'total'"
        " and facet = 'collaboration' and variable = 'directive'",
    )
    assert pattern_total == [(40.0, "pct_of_node", True)]


def test_index_cells_are_dated_and_partial_periods_flagged(built: tuple[Path, Path]) -> None:
    """Data from Monday 6 January to Monday 3 February: all time is those two days (never the
    intermediate sentinel); January, February and the week of 3 February are partial (the
    data starts after or ends before their bounds), the week of 6 January is complete."""
    warehouse, _ = built
    periods = _query(
        warehouse,
        "select distinct period_grain, period_start, period_end, is_partial_period"
        " from intermediate.int_index_cells where period_grain != 'day' order by 1, 2",
    )
    assert periods == [
        ("all", ALL, date(2025, 2, 3), False),
        ("month", date(2025, 1, 1), date(2025, 1, 31), True),
        ("month", date(2025, 2, 1), date(2025, 2, 28), True),
        ("week", date(2025, 1, 6), date(2025, 1, 12), False),
        ("week", date(2025, 2, 3), date(2025, 2, 9), True),
    ]
    days = _query(
        warehouse,
        "select count(*), count(*) filter (where period_end != period_start or"
        " is_partial_period) from intermediate.int_index_cells where period_grain = 'day'",
    )
    assert days[0][0] > 0 and days[0][1] == 0
    costs = _query(
        warehouse,
        "select is_partial_period, min(hide_cost), max(hide_cost)"
        " from intermediate.int_disclosure_cells group by 1 order by 1",
    )
    # every cell of a partial period is cheaper to hide than any of a complete one
    assert costs[0][0] is False and costs[1][0] is True and costs[1][2] < costs[0][1]


def test_metricflow_metrics_agree_with_the_marts(built: tuple[Path, Path]) -> None:
    """The semantic layer's metrics, compiled by MetricFlow and run on the warehouse, give the
    marts' monthly figures: conversations, distinct users and the automation share."""
    from econ_index.metrics import metric_sql

    warehouse, target = built
    sql = metric_sql(
        target,
        ["conversations", "distinct_users", "automation_share"],
        ["metric_time__month"],
    )
    metrics = {
        month.date(): (conversations, users, share)
        for month, conversations, users, share in _query(warehouse, sql)
    }
    marts = {
        start: (n, users, None if share is None else share / 100)
        for start, n, users, share in _query(
            warehouse,
            "select totals.period_start, totals.n_conversations, totals.n_users,"
            " modes.automation_pct_of_five_pattern_base"
            " from intermediate.int_period_totals as totals"
            " join marts.agg_automation_augmentation as modes using (period_grain, period_start)"
            " where totals.period_grain = 'month' and totals.collaboration_pattern = 'all'",
        )
    }
    assert set(metrics) == set(marts) and len(metrics) == 2
    for month, (n, users, share) in marts.items():
        assert metrics[month][:2] == (n, users), month
        assert metrics[month][2] == (None if share is None else pytest.approx(share)), month
    # January: c1 c2 directive, c3 learning, c4 validation, two users; February: c6 in `none`
    # (runs before the incremental test below re-labels c1)
    assert metrics[date(2025, 1, 1)] == (4, 2, 0.5)
    assert metrics[date(2025, 2, 1)] == (1, 1, None)


def test_incremental_run_equals_full_refresh(
    built: tuple[Path, Path], tasks: dict[str, str]
) -> None:
    warehouse, target = built
    later = datetime(2025, 3, 2)
    with duckdb.connect(str(warehouse)) as con:
        # c1 is re-labelled as filtered, c7 arrives late for an old date
        con.execute(
            "update raw.conversation_labels set status = 'filtered', onet_task_id = null,"
            " filter_reason = 'below_confidence', loaded_at = ? where conversation_key = 'c1'",
            [later],
        )
        con.execute(
            f"insert into raw.conversation_labels values ({', '.join(['?'] * LABEL_COLUMNS)})",
            _label("c7", "u4", datetime(2024, 12, 30), tasks["shared"], "task_iteration", later),
        )
    fact = "select * exclude (loaded_at) from marts.fct_conversation_tasks order by all"
    run_dbt(
        ["run", "-s", "fct_conversation_tasks"], warehouse=warehouse, target_path=target, quiet=True
    )
    incremental = _query(warehouse, fact)
    assert [r[0] for r in incremental] == ["c2", "c3", "c4", "c6", "c7"]
    run_dbt(
        ["run", "-s", "fct_conversation_tasks", "--full-refresh"],
        warehouse=warehouse,
        target_path=target,
        quiet=True,
    )
    assert _query(warehouse, fact) == incremental


@pytest.fixture(scope="module")
def built_aei(
    tmp_path_factory: pytest.TempPathFactory, conversation_labels: list[tuple[object, ...]]
) -> Path:
    root = tmp_path_factory.mktemp("dbt_aei")
    warehouse = _warehouse(root / "wh.duckdb", conversation_labels)
    run_dbt(
        ["build", *OUR_MODELS],
        warehouse=warehouse,
        target_path=root / "target",
        variables={"usage_source": "aei_release"},
        quiet=True,
    )
    return warehouse


def test_aei_release_reproduces_the_published_major_groups(built_aei: Path) -> None:
    majors = dict(
        _query(
            built_aei,
            "select soc_code, round(pct_of_classified, 1) from marts.agg_usage_by_soc"
            " where soc_level = 'major'",
        )
    )
    assert {code: majors[code] for code in ("15-0000", "27-0000", "25-0000", "43-0000")} == {
        "15-0000": 37.2,
        "27-0000": 10.3,
        "25-0000": 9.3,
        "43-0000": 7.9,
    }
    assert (majors["19-0000"], majors["53-0000"], majors["45-0000"]) == (6.4, 0.3, 0.1)


def test_aei_release_reproduces_automation_and_augmentation(built_aei: Path) -> None:
    row = _query(
        built_aei,
        "select round(automation_pct_of_five_pattern_base, 1),"
        " round(augmentation_pct_of_five_pattern_base, 1), automation_ci_low"
        " from marts.agg_automation_augmentation",
    )
    assert row == [(42.6, 57.4, None)]
    patterns = dict(
        _query(
            built_aei,
            "select collaboration_pattern, round(pct_of_five_pattern_base, 1)"
            " from marts.agg_collaboration_shares",
        )
    )
    assert patterns == {
        "directive": 27.8,
        "feedback_loop": 14.8,
        "task_iteration": 31.3,
        "learning": 23.3,
        "validation": 2.8,
        "none": None,
    }


def test_aei_release_reproduces_task_coverage(built_aei: Path) -> None:
    row = _query(
        built_aei,
        "select count(*),"
        " round(100 * avg(case when pct_task_rows_in_use >= 25 then 1 else 0 end), 1),"
        " round(100 * avg(case when pct_task_rows_in_use >= 75 then 1 else 0 end), 1)"
        " from marts.agg_occupation_task_coverage",
    )
    assert row == [(974, 36.2, 4.1)]


# int_soc_usage as it was before it was restructured for bounded memory (one fan-out to the five
# SOC levels, count(distinct) inside grouping sets): the reference its output must equal.
GROUPING_SETS_SOC_USAGE = """
with bridge as (
    select onet_soc_code, 'occupation' as soc_level, onet_soc_code as soc_code,
        detailed_soc_code as parent_soc_code from staging.stg_onet__occupations
    union all select onet_soc_code, 'detailed', detailed_soc_code, broad_soc_code
    from staging.stg_onet__occupations
    union all select onet_soc_code, 'broad', broad_soc_code, minor_soc_code
    from staging.stg_onet__occupations
    union all select onet_soc_code, 'minor', minor_soc_code, major_soc_code
    from staging.stg_onet__occupations
    union all select onet_soc_code, 'major', major_soc_code, null
    from staging.stg_onet__occupations
)
select period_grain, period_start, soc_level, soc_code, parent_soc_code,
    case when grouping(collaboration_pattern) = 1 then 'all' else collaboration_pattern end
        as collaboration_pattern,
    sum(n_conversations) as n_conversations,
    {n_users} as n_users
from intermediate.int_occupation_usage join bridge using (onet_soc_code)
group by grouping sets (
    (period_grain, period_start, soc_level, soc_code, parent_soc_code),
    (period_grain, period_start, soc_level, soc_code, parent_soc_code, collaboration_pattern)
)
having collaboration_pattern is not null or grouping(collaboration_pattern) = 1
"""


def _soc_usage_matches_grouping_sets(warehouse: Path, *, aei: bool) -> int:
    reference = GROUPING_SETS_SOC_USAGE.format(
        n_users="cast(null as bigint)" if aei else "count(distinct user_key)"
    )
    keys = "period_grain, period_start, soc_level, soc_code, collaboration_pattern"
    rows = _query(
        warehouse,
        f"""
        with reference as ({reference})
        select
            count(*),
            count(*) filter (where new.soc_code is null or old.soc_code is null),
            count(*) filter (
                where new.n_users is distinct from old.n_users
                or new.parent_soc_code is distinct from old.parent_soc_code
                or abs(new.n_conversations - old.n_conversations)
                    > 1e-9 * greatest(1, abs(old.n_conversations))
            )
        from intermediate.int_soc_usage as new
        full join reference as old using ({keys})
        """,
    )
    n, unmatched, differ = rows[0]
    assert (unmatched, differ) == (0, 0)
    return int(str(n))


def test_soc_usage_equals_the_grouping_sets_rollup_on_a_generated_warehouse(
    tmp_path: Path, project_seeds: Path
) -> None:
    """Bounded-memory int_soc_usage = the old single-pass rollup, on thousands of users over
    the AEI's tasks and the long tail, every period grain, and in AEI mode."""
    from benchmarks.warehouse import generate_labels

    warehouse = tmp_path / "generated.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        generate_labels(con, project_seeds, 8_000, n_users=1_000, user_skew=1.5, tail_share=0.1)
    # with the seeds and the tests of these models alone
    select = ["--select", "+int_soc_usage", "--indirect-selection", "cautious"]
    run_dbt(["build", *select], warehouse=warehouse, target_path=tmp_path / "target", quiet=True)
    assert _soc_usage_matches_grouping_sets(warehouse, aei=False) > 20_000
    run_dbt(
        ["build", *select],
        warehouse=warehouse,
        target_path=tmp_path / "target",
        variables={"usage_source": "aei_release"},
        quiet=True,
    )
    assert _soc_usage_matches_grouping_sets(warehouse, aei=True) > 1_000


def test_repairs_planned_on_other_cells_fail_the_build(
    built: tuple[Path, Path], tasks: dict[str, str]
) -> None:
    """A repair stamped with the current cells' fingerprint hides its cell; once the facts
    change, the same repair is stale and a plain dbt run fails instead of reusing it."""
    warehouse, target = built
    chain = ["run", "-s", "+int_suppression_repaired"]
    # k = 2, so that the whole-history total (3 users) is published unless repaired
    k = {"k_users": 2, "k_conversations": 2}
    run_dbt(chain, warehouse=warehouse, target_path=target, variables=k, quiet=True)
    (fingerprint,) = _query(
        warehouse, "select cells_fingerprint from intermediate.int_disclosure_fingerprint"
    )[0]
    # all time starts on the first day of the module's data, which earlier tests may extend
    ((cell_id, first_day),) = _query(
        warehouse,
        "select cell_id, period_start from intermediate.int_disclosure_cells"
        " where period_grain = 'all' and level = 'total' and facet = 'usage'"
        " and variable = 'all'",
    )
    total = ("all", first_day, "total", "total", "usage", "all")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into raw.suppression_repairs values (?, ?, ?, ?, ?, ?, 1, now(), ?, 'hide')",
            [*total, fingerprint],
        )
    run_dbt(chain, warehouse=warehouse, target_path=target, variables=k, quiet=True)
    reason = (
        "select suppression_reason from intermediate.int_suppression_repaired where cell_id = ?"
    )
    assert _query(warehouse, reason, [cell_id]) == [("complementary:audit",)]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"insert into raw.conversation_labels values ({', '.join(['?'] * LABEL_COLUMNS)})",
            # loaded after every earlier row, so the incremental fact takes it
            _label("c8", "u5", datetime(2025, 2, 4, 8), tasks["single"], "directive", _LATEST),
        )
    with pytest.raises(DbtError, match="stale repairs"):
        run_dbt(chain, warehouse=warehouse, target_path=target, variables=k, quiet=True)


def test_grains_the_disclosure_equations_do_not_model_are_rejected(
    built: tuple[Path, Path], tmp_path: Path
) -> None:
    """Quarters and years are not in int_disclosure_equations: asking for them stops dbt with
    a message naming the grain, rather than publishing sums nobody protects."""
    warehouse, _ = built
    with pytest.raises(DbtError, match=r'grain "quarter" is not supported; supported: day'):
        run_dbt(
            ["compile", "-s", "int_disclosure_equations"],
            warehouse=warehouse,
            target_path=tmp_path / "target",
            variables={"period_grains": ["month", "quarter"]},
            quiet=True,
        )
