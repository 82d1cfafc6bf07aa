"""``make bench``: the dbt warehouse at scale and the audit-driven suppression repair."""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import duckdb

from benchmarks.common import console, met, peak_rss_mib
from benchmarks.headline import hidden_headline_cells
from econ_index.audit import SHARE_GROUPS, EquationSystem, equation_system
from econ_index.taxonomy import Taxonomy

# --- the warehouse at scale ---------------------------------------------------------------

# classified conversations (fact rows); smaller runs for a quick comparison
WAREHOUSE_ROWS = int(os.environ.get("ECON_INDEX_BENCH_WAREHOUSE_ROWS", "1000000"))
PATTERN_WEIGHTS = {  # the AEI release's pattern mix, `none` topped up to 100
    "directive": 27.8,
    "feedback_loop": 14.8,
    "task_iteration": 31.3,
    "validation": 2.8,
    "learning": 23.3,
}


def _unit(column: str, salt: int) -> str:
    """A deterministic pseudo-random number in [0, 1) from an integer column (DuckDB's hash)."""
    # hash(column, salt) draws are strongly correlated across salts; hashing distinct strings is not
    return f"(hash('draw-{salt}-' || {column}) / 18446744073709551616.0)"


def generate_labels(
    con: duckdb.DuckDBPyConnection,
    seeds: Path,
    n_classified: int,
    *,
    n_users: int = 60_000,
    user_skew: float = 2.5,
    tail_share: float = 0.0,
    first_day: str = "2025-01-01",
    n_days: int = 181,
    filtered_share: float = 0.05,
) -> None:
    """Fills ``raw.conversation_labels`` with ``n_classified`` classified conversations (plus
    ``filtered_share`` as many filtered ones), in DuckDB SQL alone and deterministically:

    * tasks: real Task IDs, drawn with the AEI release's published usage of their statement
      (seeds/aei_task_usage.csv; a shared statement's weight is split over its holders); with
      ``tail_share`` > 0 that share of conversations goes, evenly, to the O*NET task rows the
      release does not map (the long tail a real classifier labels: ~19,000 tasks in use at 1M);
    * users: ``n_users`` pseudonyms, index = n * u^user_skew (2.5: a heavy head of power
      users; 1.5: every user active, the busiest a few times the median);
    * dates: ``n_days`` from ``first_day``, growing over time, weekends at a third of weekdays;
    * patterns: the AEI release's mix (plus 3 % `none`);
    * loaded_at: 06:00 the day after the conversation (a daily classify run).
    """
    from econ_index.warehouse import DDL

    con.execute(DDL)
    statements = seeds / "onet_task_statements.csv"
    usage = seeds / "aei_task_usage.csv"
    pattern_case = []
    cumulative = 0.0
    total_weight = sum(PATTERN_WEIGHTS.values()) / 0.97
    for pattern, weight in PATTERN_WEIGHTS.items():
        cumulative += weight / total_weight
        pattern_case.append(f"when u_pattern < {cumulative!r} then '{pattern}'")
    n_total = int(n_classified * (1 + filtered_share))
    con.execute(
        f"""
        create or replace temp table bench_tasks as
        with task_rows as (
            select
                cast(task_id as varchar) as task_id,
                lower(trim(task_statement)) as statement_key
            from read_csv('{statements}', all_varchar = true)
        ),
        head as (
            select
                task_rows.task_id,
                usage.pct / count(*) over (partition by task_rows.statement_key) as weight
            from task_rows
            inner join read_csv('{usage}') as usage
                on task_rows.statement_key = usage.task_statement_key
        ),
        tail as (
            select task_id
            from task_rows
            where statement_key not in (select task_statement_key from read_csv('{usage}'))
        ),
        weighted as (
            select task_id, weight from head
            union all
            select
                task_id,
                {tail_share!r} / {1 - tail_share!r} * (select sum(weight) from head)
                / (select count(*) from tail) as weight
            from tail
            where {tail_share!r} > 0
        )
        select
            task_id,
            coalesce(
                sum(weight) over (order by task_id rows between unbounded preceding
                                  and 1 preceding), 0
            ) / sum(weight) over () as cumulative_low
        from weighted
        """
    )
    con.execute(
        f"""
        insert into raw.conversation_labels
        with draws as (
            select
                i,
                {_unit("i", 1)} as u_task,
                {_unit("i", 2)} as u_user,
                {_unit("i", 3)} as u_day,
                {_unit("i", 4)} as u_weekend,
                {_unit("i", 5)} as u_pattern,
                {_unit("i", 6)} as u_second,
                i >= {n_classified} as is_filtered
            from range({n_total}) as r(i)
        ),
        dated as (
            select
                *,
                cast('{first_day}' as date)
                + cast(floor(sqrt(u_day) * {n_days}) as integer) as day
            from draws
        ),
        placed as (
            select
                *,
                case
                    when isodow(day) >= 6 and u_weekend < 0.67
                        -- two weekend days in three move to a weekday of the week
                        then day - cast(isodow(day) - 5 + floor(u_weekend * 7.4) as integer)
                    else day
                end as created_day
            from dated
        )
        select
            sha256('conversation-' || placed.i) as conversation_key,
            sha256('user-' || cast(floor(pow(u_user, {user_skew!r}) * {n_users}) as bigint))
                as user_key,
            created_day + to_seconds(cast(floor(u_second * 86400) as bigint)) as created_at,
            case when is_filtered then 'filtered' else 'classified' end as status,
            case when is_filtered then 'not_work_related' end as filter_reason,
            case when not is_filtered then bench_tasks.task_id end as onet_task_id,
            case {" ".join(pattern_case)} else 'none' end as collaboration_pattern,
            0.5 + u_second / 2 as confidence,
            u_weekend < 0.1 as is_redacted,
            'bench' as classifier_name,
            '1' as classifier_version,
            'aei_2025_02_10' as onet_version,
            'bench-run' as run_id,
            -- classified by a daily run the morning after (an incremental build then reads one
            -- day's labels, as in production, not the whole history at one loaded_at)
            cast(created_day + 1 as timestamp) + interval 6 hour as loaded_at
        from placed
        asof inner join bench_tasks on placed.u_task >= bench_tasks.cumulative_low
        """
    )
    con.execute(
        "insert into raw.classification_runs (run_id, started_at, finished_at, backend,"
        " classifier_name, classifier_version, onet_version, n_read, n_classified, n_filtered,"
        " n_quarantined, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens,"
        " cost_usd, scrubber) values ('bench-run', timestamp '2025-07-01',"
        " timestamp '2025-07-01', 'bench', 'bench', '1', 'aei_2025_02_10', ?, ?, ?, 0, 0, 0, 0, 0,"
        " 0.0, 'fast')",
        [n_total, n_classified, n_total - n_classified],
    )


# The same rollups as the dbt models (fact -> task, occupation and SOC-level usage, with distinct
# users, per period grain, in all and per pattern; period totals), written by hand for DuckDB in
# the most direct way: the yardstick for the models' own execution time.
HAND_WRITTEN_ROLLUPS = """
create schema if not exists hand;
create or replace table hand.task_rows as
select
    cast(task_id as varchar) as task_id,
    onet_soc_code,
    lower(trim(task_statement)) as statement_key,
    count(*) over (partition by lower(trim(task_statement))) as holders
from read_csv('{statements}', all_varchar = true);
create or replace table hand.allocation as
select labelled.task_id, holder.onet_soc_code, sum(1.0 / holder.holders) as share
from hand.task_rows as labelled
join hand.task_rows as holder using (statement_key)
group by all;
create or replace table hand.periods as
with fact as (
    select user_key, created_at, onet_task_id, collaboration_pattern
    from raw.conversation_labels where status = 'classified'
)
select 'day' as grain, cast(date_trunc('day', created_at) as date) as start, * exclude (created_at)
from fact
union all
select 'week', cast(date_trunc('week', created_at) as date), * exclude (created_at) from fact
union all
select 'month', cast(date_trunc('month', created_at) as date), * exclude (created_at) from fact
union all
select 'all', date '1900-01-01', * exclude (created_at) from fact;
create or replace table hand.task_usage as
select grain, start, onet_task_id, count(*) as n, count(distinct user_key) as users
from hand.periods group by all;
create or replace table hand.totals as
select grain, start, coalesce(collaboration_pattern, 'all') as pattern, count(*) as n,
    count(distinct user_key) as users
from hand.periods
group by grouping sets ((grain, start), (grain, start, collaboration_pattern));
create or replace table hand.soc_usage as
with allocated as (
    select periods.grain, periods.start, periods.user_key, periods.collaboration_pattern,
        allocation.share, occupations.*
    from hand.periods as periods
    join hand.allocation as allocation on periods.onet_task_id = allocation.task_id
    join read_csv('{occupations}', all_varchar = true) as occupations using (onet_soc_code)
), levels as (
    select grain, start, user_key, collaboration_pattern, share, unnest([
        {{'level': 'occupation', 'code': onet_soc_code}},
        {{'level': 'detailed', 'code': detailed_soc_code}},
        {{'level': 'broad', 'code': broad_soc_code}},
        {{'level': 'minor', 'code': minor_soc_code}},
        {{'level': 'major', 'code': major_soc_code}}]) as node
    from allocated
)
select grain, start, node.level as level, node.code as code,
    coalesce(collaboration_pattern, 'all') as pattern, sum(share) as n,
    count(distinct user_key) as users
from levels
group by grouping sets (
    (grain, start, node.level, node.code),
    (grain, start, node.level, node.code, collaboration_pattern)
);
"""


@dataclass
class DbtRun:
    """One ``dbt`` command run as a child process: wall time, CPU seconds (user + system; not
    inflated by other jobs' load, unlike wall time), peak RSS, per-model seconds and the number
    of nodes it ran."""

    seconds: float
    cpu_s: float
    peak_rss_mib: float
    models: dict[str, float]
    nodes: int = 0


def _dbt(
    args: list[str],
    warehouse: Path,
    target: Path,
    timeout_s: float | None = None,
    environment: dict[str, str] | None = None,
) -> DbtRun:
    """``dbt <args>`` on ``warehouse`` in a fresh wrapper process, whose RUSAGE_CHILDREN are then
    the dbt process's own CPU seconds and peak RSS (DuckDB runs inside it); a run stopped after
    ``timeout_s`` takes infinite seconds. ``environment`` is added to dbt's."""
    from econ_index.dbt_runner import WAREHOUSE_ENV, project_dir

    project = project_dir()
    dbt = [
        str(Path(sys.executable).with_name("dbt")),
        "--quiet",
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--target-path",
        str(target),
    ]
    wrapper = (
        "import json, resource, subprocess, sys;"
        "code = subprocess.run(sys.argv[1:]).returncode;"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps([code, usage.ru_utime + usage.ru_stime, usage.ru_maxrss]))"
    )
    env = {
        **os.environ,
        WAREHOUSE_ENV: str(warehouse),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        **(environment or {}),
    }
    started = time.perf_counter()
    # its own process group, so that a run over `timeout_s` goes with dbt and DuckDB
    process = subprocess.Popen(
        [sys.executable, "-c", wrapper, *dbt],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return DbtRun(math.inf, math.nan, math.nan, {})
    seconds = time.perf_counter() - started
    code, cpu_s, max_rss_kib = json.loads(out.strip().splitlines()[-1])
    if code != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed ({code}): {out[-2000:]}")
    results = json.loads((target / "run_results.json").read_text())
    models = {
        node["unique_id"].split(".")[2]: node["execution_time"]
        for node in results["results"]
        if node["unique_id"].startswith("model.")
    }
    return DbtRun(seconds, cpu_s, max_rss_kib / 1024, models, len(results["results"]))


@dataclass
class Shape:
    """A generated warehouse: ``generate_labels``'s user and task distribution."""

    name: str
    n_users: int
    user_skew: float
    tail_share: float


SHAPES = (
    # every user active, a tenth of conversations over the other O*NET tasks (~19k in use)
    Shape("long tail, 30k users", n_users=30_000, user_skew=1.5, tail_share=0.1),
    # the README's first benchmark: power users, the 3,514 tasks the AEI published
    Shape("heavy head, AEI tasks", n_users=60_000, user_skew=2.5, tail_share=0.0),
)
FULL_BUILD_TARGET_S = 120.0  # 1M long tail: the whole `dbt build`, at most
PEAK_RSS_TARGET_MIB = 6 * 1024.0  # ... within 6 GiB
APPEND_TARGET_S = 20.0  # one day appended to the 1M warehouse: the incremental build, at most
# the disclosure chain (int_disclosure_cells -> ... -> pub_index_cells) timed apart from the rollups
UP_TO_MARTS = ["--exclude", "int_disclosure_cells+"]  # every model and test but the chain's
SUPPRESSION = ["--select", "int_disclosure_cells+"]
# the appended day as the daily recipe builds it: selector `daily` (selectors.yml) builds what
# descends from the sources but the unit tests; it cannot be combined with --exclude
DAILY_UP_TO_MARTS = ["--select", "source:econ_index+", *UP_TO_MARTS, "resource_type:unit_test"]
# the suppression models at 1M with daily cells take minutes: stopped there (shown as "> N s")
SUPPRESSION_TIMEOUT_S = float(os.environ.get("BENCH_SUPPRESSION_TIMEOUT_S", "480"))
NEW_DAY_LOADED_AT = "2025-07-02"  # the appended days' labels are loaded after the others'
LARGEST_DAY_LOADED_AT = "2025-07-03"  # ... the newest day's after the typical day's


@dataclass
class ShapeResult:
    conversations: int
    tasks: int
    users: int
    typical_day: int  # classified conversations of the typical day appended
    largest_day: int  # ... of the newest (and largest) day
    marts: DbtRun
    suppression: DbtRun
    typical: DbtRun  # the typical day appended, daily recipe
    largest: DbtRun  # then the newest day appended
    hand_s: float
    hand_matches: bool
    cells: int
    load: tuple[float, float]  # 1-minute load average before the full build, after the appends


def _hand_written(warehouse: Path, seeds: Path) -> tuple[float, bool]:
    """The hand-written rollups' seconds, and whether the models' numbers equal theirs."""
    statements = [
        s
        for s in HAND_WRITTEN_ROLLUPS.format(
            statements=seeds / "onet_task_statements.csv",
            occupations=seeds / "onet_occupations.csv",
        ).split(";")
        if s.strip()
    ]
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            f"set memory_limit = '{os.environ.get('ECON_INDEX_DUCKDB_MEMORY_LIMIT', '4GB')}'"
        )
        con.execute("set threads = 2; set preserve_insertion_order = false")
        started = time.perf_counter()
        for statement in statements:
            con.execute(statement)
        hand_s = time.perf_counter() - started
        same = con.execute(
            """
            select
                (select count(*) from hand.soc_usage)
                    = (select count(*) from intermediate.int_soc_usage)
                and abs((select sum(n) from hand.soc_usage)
                    - (select sum(n_conversations) from intermediate.int_soc_usage)) < 1e-3
                and (select sum(users) from hand.soc_usage)
                    = (select sum(n_users) from intermediate.int_soc_usage)
                and (select count(*) from hand.task_usage)
                    = (select count(*) from intermediate.int_task_usage)
                and (select sum(users) from hand.task_usage)
                    = (select sum(n_users) from intermediate.int_task_usage)
                and (select sum(users) from hand.totals)
                    = (select sum(n_users) from intermediate.int_period_totals)
            """
        ).fetchone()
        con.execute("drop schema hand cascade")
    return hand_s, bool(same and same[0])


def build_shape(shape: Shape, n_rows: int, root: Path) -> ShapeResult:
    """Generates ``n_rows`` conversations of ``shape``, holds two days back (a typical weekday
    and the newest day, the largest), builds the warehouse (models up to the marts, then the
    suppression), appends the typical day with a later loaded_at and builds incrementally, then
    the newest day likewise; then the hand-written SQL on the same labels."""
    from econ_index.dbt_runner import project_dir

    seeds = project_dir() / "seeds"
    warehouse = root / "bench.duckdb"
    target = root / "target"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("set enable_progress_bar = false")
        generate_labels(
            con,
            seeds,
            n_rows,
            n_users=shape.n_users,
            user_skew=shape.user_skew,
            tail_share=shape.tail_share,
        )
        hold_back_last_day(con)
        hold_back_typical_day(con)
    load_before = os.getloadavg()[0]
    marts = _dbt(["build", *UP_TO_MARTS], warehouse, target)
    suppression = _dbt(["build", *SUPPRESSION], warehouse, target, SUPPRESSION_TIMEOUT_S)
    typical = _append_and_build(warehouse, target, "typical_day", NEW_DAY_LOADED_AT)
    largest = _append_and_build(warehouse, target, "new_day", LARGEST_DAY_LOADED_AT)
    load_after = os.getloadavg()[0]
    with duckdb.connect(str(warehouse)) as con:
        counts = con.execute(
            """
            select
                count(*),
                count(distinct onet_task_id),
                count(distinct user_key),
                count(*) filter (where loaded_at = ?),
                count(*) filter (where loaded_at = ?),
                (
                    select count(*) from intermediate.int_index_cells
                )
            from marts.fct_conversation_tasks
            """,
            [NEW_DAY_LOADED_AT, LARGEST_DAY_LOADED_AT],
        ).fetchone()
    assert counts is not None
    hand_s, same = _hand_written(warehouse, seeds)
    conversations, tasks, users, typical_day, largest_day, cells = (int(v) for v in counts)
    return ShapeResult(
        conversations,
        tasks,
        users,
        typical_day,
        largest_day,
        marts,
        suppression,
        typical,
        largest,
        hand_s,
        same,
        cells,
        (load_before, load_after),
    )


def _append_and_build(warehouse: Path, target: Path, held_back: str, loaded_at: str) -> DbtRun:
    """Appends the held-back day raw.<held_back>, loaded at ``loaded_at``, and builds it as
    the daily recipe does."""
    with duckdb.connect(str(warehouse)) as con:
        append_held_back_day(con, loaded_at, held_back)
    return _dbt(
        ["build", *DAILY_UP_TO_MARTS], warehouse, target, environment=daily_tests(warehouse)
    )


def daily_tests(warehouse: Path) -> dict[str, str]:
    """The environment of a daily build as `econ-index build --daily` sets it: the period
    models' tests in the changed periods only (econ_index.daily)."""
    from econ_index.daily import TESTS_CHANGED_SINCE_ENV, daily_tests_since

    since = daily_tests_since(warehouse)
    return {TESTS_CHANGED_SINCE_ENV: since} if since else {}


def _hold_back(con: duckdb.DuckDBPyConnection, day: str, table: str) -> None:
    """Moves the labels created on ``day`` (a date expression) out of raw.conversation_labels,
    into raw.<table>."""
    con.execute(
        f"""
        create table raw.{table} as
        select * from raw.conversation_labels where cast(created_at as date) = ({day});
        delete from raw.conversation_labels
        where conversation_key in (select conversation_key from raw.{table})
        """
    )


def hold_back_last_day(con: duckdb.DuckDBPyConnection) -> None:
    """Moves the newest day's labels out of raw.conversation_labels, into raw.new_day."""
    _hold_back(con, "select max(cast(created_at as date)) from raw.conversation_labels", "new_day")


def hold_back_typical_day(con: duckdb.DuckDBPyConnection) -> None:
    """Moves a day of typical size out of raw.conversation_labels, into raw.typical_day: the
    weekday whose classified conversations come nearest the mean per day (the issue's ~5,500
    at 1 M over 181 days; the data grow over time, so the newest day holds about twice that)."""
    _hold_back(
        con,
        """
        with days as (
            select cast(created_at as date) as day, count(*) filter (
                where status = 'classified') as n
            from raw.conversation_labels
            group by 1
        )
        select day from days
        where isodow(day) <= 5
        order by abs(n - (select avg(n) from days)), day
        limit 1
        """,
        "typical_day",
    )


def append_held_back_day(
    con: duckdb.DuckDBPyConnection, loaded_at: str, table: str = "new_day"
) -> None:
    """Appends a held-back day (raw.<table>) as a later classify run would: loaded at
    ``loaded_at``."""
    con.execute(
        "insert into raw.conversation_labels select * replace ("
        f"timestamp '{loaded_at}' as loaded_at) from raw.{table};"
        f"drop table raw.{table}"
    )


def _gib(mib: float) -> str:
    return f"{mib / 1024:.1f} GiB"


def _timed(run: DbtRun) -> str:
    """Wall seconds (CPU seconds, peak RSS), or how long a stopped run had taken."""
    if math.isinf(run.seconds):
        return f"> {SUPPRESSION_TIMEOUT_S:.0f} (stopped)"
    return f"{run.seconds:.1f} ({run.cpu_s:.0f} CPU s, {_gib(run.peak_rss_mib)})"


def warehouse_build(taxonomy: Taxonomy, n_rows: int = WAREHOUSE_ROWS) -> list[dict[str, object]]:
    """Both shapes side by side: each dbt command's wall time and peak RSS (run as a child
    process, with the shipped profile), the appended day's incremental build, the models' own
    seconds next to the hand-written SQL's, and the targets on the long tail."""
    del taxonomy  # the generator reads the project's seeds directly
    results = {}
    for shape in SHAPES:
        with tempfile.TemporaryDirectory() as tmp:
            results[shape.name] = build_shape(shape, n_rows, Path(tmp))
        console.print(f"[dim]{shape.name}: {results[shape.name]}[/]")
    tail, heavy = (results[shape.name] for shape in SHAPES)

    def row(measure: str, value: Callable[[ShapeResult], object], target: str = "", ok: str = ""):
        return {
            "measure": measure,
            **{name: value(result) for name, result in results.items()},
            "target (long tail)": target,
            "met": ok,
        }

    whole_s = tail.marts.seconds + tail.suppression.seconds
    whole_rss = max(tail.marts.peak_rss_mib, tail.suppression.peak_rss_mib)
    rows = [
        row("classified conversations", lambda r: f"{r.conversations:,}"),
        row("distinct tasks / users", lambda r: f"{r.tasks:,} / {r.users:,}"),
        row("index cells (int_index_cells)", lambda r: f"{r.cells:,}"),
        row("load average (1 min): before / after", lambda r: f"{r.load[0]:.1f} / {r.load[1]:.1f}"),
        row(
            "dbt build up to the marts: wall s (CPU s, peak RSS)",
            lambda r: _timed(r.marts),
        ),
        row(
            "dbt build int_disclosure_cells+ (suppression): wall s (CPU s, peak RSS)",
            lambda r: _timed(r.suppression),
        ),
        row(
            "whole dbt build: wall s (CPU s, peak RSS)",
            lambda r: _timed(
                DbtRun(
                    r.marts.seconds + r.suppression.seconds,
                    r.marts.cpu_s + r.suppression.cpu_s,
                    max(r.marts.peak_rss_mib, r.suppression.peak_rss_mib),
                    {},
                )
            ),
            f"<= {FULL_BUILD_TARGET_S:.0f}s, <= {_gib(PEAK_RSS_TARGET_MIB)}",
            f"{met(whole_s <= FULL_BUILD_TARGET_S)}, {met(whole_rss <= PEAK_RSS_TARGET_MIB)}",
        ),
        row(
            "  of which up to the marts",
            lambda r: f"{r.marts.seconds:.1f}",
            f"<= {FULL_BUILD_TARGET_S:.0f}s",
            met(tail.marts.seconds <= FULL_BUILD_TARGET_S),
        ),
        *(
            row(
                f"appended day, {name}: conversations; incremental dbt build up to the marts"
                " (selector daily, tests in the changed units): nodes, s (CPU s, RSS)",
                lambda r, day=day: (
                    f"{getattr(r, day + '_day'):,}; {getattr(r, day).nodes},"
                    f" {_timed(getattr(r, day))}"
                ),
                f"<= {APPEND_TARGET_S:.0f}s",
                met(getattr(tail, day).seconds <= APPEND_TARGET_S),
            )
            for name, day in (("typical", "typical"), ("the newest (largest)", "largest"))
        ),
        row(
            "appended days: the models' own seconds (typical / largest)",
            lambda r: (
                f"{sum(r.typical.models.values()):.1f} / {sum(r.largest.models.values()):.1f}"
            ),
        ),
        row(
            "hand-written DuckDB SQL, same rollups (models equal it)",
            lambda r: f"{r.hand_s:.1f} ({'yes' if r.hand_matches else 'NO'})",
        ),
        row(
            "dbt models' own seconds up to the marts (x hand)",
            lambda r: (
                f"{sum(r.marts.models.values()):.1f}"
                f" ({sum(r.marts.models.values()) / r.hand_s:.1f}x)"
            ),
        ),
    ]
    slowest = sorted(
        set(heavy.marts.models) | set(tail.marts.models),
        key=lambda m: -tail.marts.models.get(m, 0.0),
    )[:8]
    for model in slowest:
        rows.append(
            row(
                f"  {model}: full s (share) / largest appended day s",
                lambda r, m=model: (
                    f"{r.marts.models.get(m, 0.0):.1f}"
                    f" ({r.marts.models.get(m, 0.0) / sum(r.marts.models.values()):.0%})"
                    f" / {r.largest.models.get(m, 0.0):.1f}"
                ),
            )
        )
    return rows


# (fact rows, period grains): the repair's elimination runs over every hidden cell, so its cost
# follows the number of cells, and the day grain brings most of them.
REPAIR_CASES = (
    (5_000, ["day", "week", "month"]),
    (20_000, ["day", "week", "month"]),
    (WAREHOUSE_ROWS, ["week", "month"]),
)


def _built_publication(warehouse: Path, n_rows: int, grains: list[str]) -> tuple[int, int]:
    """Generated fact rows and `dbt build` in `warehouse`: its published cells and hidden ones."""
    from econ_index.dbt_runner import project_dir, run_dbt

    with duckdb.connect(str(warehouse)) as con:
        generate_labels(con, project_dir() / "seeds", n_rows)
    run_dbt(["build"], warehouse=warehouse, variables={"period_grains": grains}, quiet=True)
    with duckdb.connect(str(warehouse)) as con:
        counts = con.execute(
            "select count(*), count(*) filter (where is_suppressed) from published.pub_index_cells"
        ).fetchone()
    return counts if counts else (0, 0)


def suppression_repair(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """`econ-index build`'s audit-driven repair on generated fact rows: the dbt passes apart,
    the audit and repair planning time, what they found and hid, and a fresh exact audit of
    the plan (span_repair.determined_after: a new elimination, not the plan's own)."""
    from econ_index.repair import plan_for_warehouse
    from econ_index.span_repair import determined_after

    del taxonomy
    rows: list[dict[str, object]] = []
    for n_rows, grains in REPAIR_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / "bench.duckdb"
            cells, hidden = _built_publication(warehouse, n_rows, grains)
            started = time.perf_counter()
            plan, system = plan_for_warehouse(warehouse)
            plan_s = time.perf_counter() - started
            left = determined_after(system, plan).size
        rows.append(
            {
                "fact rows": f"{n_rows:,}",
                "grains": "+".join(grains) + "+all",
                "cells": f"{cells:,}",
                "hidden": f"{hidden:,}",
                "determined": f"{plan.determined_before:,}",
                "hidden by repair + shares": f"{len(plan.added):,} + {len(plan.shares):,}",
                "rounds": plan.rounds,
                "audit + plan (s)": plan_s,
                "fresh audit after": "clean" if not left else f"{left:,} determined",
                "peak RSS (MiB)": peak_rss_mib(),
            }
        )
    return rows


# (fact rows, whether the hidden-side audit runs too): at 1,000,000 its one block of 1.36 M
# hidden cells is one factorisation nobody ran to the end (suppression_and_audit runs 1M)
AUDIT_CASES = ((20_000, True),)
AUDIT_GRAINS = ["day", "week", "month"]


def _audit_in_child(system: EquationSystem, method: str) -> tuple[list[int], float, float]:
    """One exact audit, in a process of its own so that its peak RSS is its own: the
    determined cells, CPU s and peak RSS MiB (the equations as it receives them included)."""
    from econ_index import span_audit
    from econ_index.audit import Blocks

    found = span_audit.determined(system) if method == "span" else Blocks(system).determined()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return found.tolist(), usage.ru_utime + usage.ru_stime, peak_rss_mib()


def exact_audits(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """The exact audit of the publication `dbt build` leaves (before the repair), from the
    hidden side (econ_index.audit) and from the published side (econ_index.span_audit)."""
    del taxonomy
    rows: list[dict[str, object]] = []
    spawn = multiprocessing.get_context("spawn")
    for n_rows, hidden_side in AUDIT_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / "bench.duckdb"
            cells, hidden = _built_publication(warehouse, n_rows, AUDIT_GRAINS)
            # read here: dbt-duckdb keeps the file open in this process, locked for others
            with duckdb.connect(str(warehouse)) as con:
                system = equation_system(con)
            found: dict[str, list[int]] = {}
            for method in ("span", "blocks") if hidden_side else ("span",):
                started = time.perf_counter()
                with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                    determined, cpu_s, rss = pool.submit(_audit_in_child, system, method).result()
                wall_s = time.perf_counter() - started
                found[method] = determined
                big = n_rows == WAREHOUSE_ROWS
                rows.append(
                    {
                        "fact rows": f"{n_rows:,}",
                        "audit": "published side" if method == "span" else "hidden side",
                        "cells": f"{cells:,}",
                        "hidden": f"{hidden:,}",
                        "determined": f"{len(determined):,}",
                        "agree": met(found[method] == found["span"]),
                        "CPU s": cpu_s,
                        "wall s": wall_s,
                        "peak RSS (MiB)": rss,
                        "target (1M: 600 s, 8 GiB)": (
                            met(wall_s <= 600 and rss <= 8 * 1024) if big else ""
                        ),
                    }
                )
    return rows


# processes of the confirming audits (econ_index.span_parts)
AUDIT_WORKERS = int(os.environ.get("ECON_INDEX_BENCH_AUDIT_WORKERS", "2"))
SUPPRESSION_AUDIT_TARGET_S = 600.0  # 1M day/week/month: the chain's dbt build and the audit
SUPPRESSION_AUDIT_TARGET_MIB = 8 * 1024.0


@dataclass
class RepairPass:
    """One audit and repair pass as `econ-index build` runs it at this scale (econ_index.
    span_repair), in a process of its own: what it read, found and hid, and its cost."""

    cells: int
    hidden: int
    determined: int  # hidden cells the exact audit found determined
    added: int  # cells the repair hides (0: the audit is clean)
    shares: int  # hidden with them as shares of a base among them (int_suppression_repaired)
    rounds: int
    read_cpu_s: float  # reading the equations
    plan_cpu_s: float  # the exact audit and the repair's rounds, its worker processes' too
    peak_rss_mib: float  # the process's peak plus its largest worker's: the tree's, at most
    failure: str  # span_repair.RepairError's message when the plan did not converge, else ""
    per_round: list[int]  # determined at the start of each of the plan's rounds
    released: int  # hidden headline cells published again after a clean plan
    release_cpu_s: float


def _audit_and_plan(warehouse: str, dbt_pass: int, release: bool) -> RepairPass:
    """Reads the equations from `warehouse`, audits them exactly and plans the repair, whose
    cells go to raw.suppression_repairs as `econ-index build` records them; from the second
    pass on, as the build does, the fresh audit in month parts first (confirm_then_plan); with
    `release`, after a clean plan, the hidden headline cells nothing needs hidden are released
    (recorded likewise)."""
    from econ_index import span_repair
    from econ_index.repair import _record, release_for_warehouse

    with duckdb.connect(warehouse, read_only=True) as con:
        system = equation_system(con, share_groups=SHARE_GROUPS)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    read_cpu_s = usage.ru_utime + usage.ru_stime
    # a plan that does not converge is a figure of this bench (the build would fail), not a crash
    try:
        plan: span_repair.Plan | None = (
            span_repair.plan(system)
            if dbt_pass == 1
            else span_repair.confirm_then_plan(system, workers=AUDIT_WORKERS)
        )
        failure = ""
    except span_repair.RepairError as exc:
        plan, failure = None, str(exc)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    if plan and plan.added:
        _record(Path(warehouse), plan.added, dbt_pass)
    released: list[tuple[object, ...]] = []
    if plan and not plan.added and release:
        released = release_for_warehouse(Path(warehouse), system, plan)
        _record(Path(warehouse), released, dbt_pass, "release")
    after = resource.getrusage(resource.RUSAGE_SELF)
    return RepairPass(
        len(system.hidden),
        int(system.hidden.sum()),
        plan.determined_before if plan else -1,
        len(plan.added) if plan else 0,
        len(plan.shares) if plan else 0,
        plan.rounds if plan else span_repair.MAX_ROUNDS,
        read_cpu_s,
        usage.ru_utime + usage.ru_stime - read_cpu_s + workers.ru_utime + workers.ru_stime,
        peak_rss_mib() + peak_rss_mib(children=True),
        failure,
        plan.per_round if plan else [],
        len(released),
        after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime,
    )


def suppression_and_audit(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """WAREHOUSE_ROWS generated conversations with day, week and month cells: the disclosure
    chain's `dbt build` (int_disclosure_cells+, after the models up to the marts), then the
    exact audit and repair passes of `econ-index build` (each rerunning int_suppression_repaired
    and pub_index_cells, which hide the repair's cells after the rounds) until the audit is
    clean, each in a child process, against issue #15's target."""
    del taxonomy
    from econ_index.dbt_runner import project_dir
    from econ_index.repair import FIRST_READER, MAX_DBT_PASSES, pass_command

    spawn = multiprocessing.get_context("spawn")
    passes: list[tuple[RepairPass, float, DbtRun | None]] = []
    with tempfile.TemporaryDirectory() as tmp:
        warehouse, target = Path(tmp) / "bench.duckdb", Path(tmp) / "target"
        with duckdb.connect(str(warehouse)) as con:
            con.execute("set enable_progress_bar = false")
            generate_labels(con, project_dir() / "seeds", WAREHOUSE_ROWS)
        variables = ["--vars", json.dumps({"period_grains": AUDIT_GRAINS})]
        _dbt(["build", *UP_TO_MARTS, *variables], warehouse, target)
        load = [os.getloadavg()[0]]
        chain = _dbt(["build", *SUPPRESSION, *variables], warehouse, target)
        released = False  # as econ-index build: once, after the first clean plan
        for dbt_pass in range(1, MAX_DBT_PASSES + 1):
            started = time.perf_counter()
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                found = pool.submit(
                    _audit_and_plan, str(warehouse), dbt_pass, not released
                ).result()
            released = released or not found.added
            seconds = time.perf_counter() - started
            load.append(os.getloadavg()[0])
            rebuilt = (
                _dbt([*pass_command(FIRST_READER), *variables], warehouse, target)
                if found.added or found.released
                else None
            )
            passes.append((found, seconds, rebuilt))
            if not rebuilt:
                break
        with duckdb.connect(str(warehouse), read_only=True) as con:
            headline = hidden_headline_cells(con)
    clean = not passes[-1][0].added and not passes[-1][0].failure
    runs = [chain, *(rebuilt for _, _, rebuilt in passes if rebuilt)]
    wall_s = sum(run.seconds for run in runs) + sum(seconds for _, seconds, _ in passes)
    cpu_s = sum(run.cpu_s for run in runs) + sum(
        found.read_cpu_s + found.plan_cpu_s + found.release_cpu_s for found, _, _ in passes
    )
    rss_mib = max(
        [run.peak_rss_mib for run in runs] + [found.peak_rss_mib for found, _, _ in passes]
    )
    slowest = sorted(chain.models.items(), key=lambda item: -item[1])[:4]
    totals = {
        name: sum(cast(int, grain[name]) for grain in headline)
        for name in ("headline_cells", "published", "protects_none")
    }
    first = passes[0][0]
    figures: dict[str, object] = {
        "fact rows": f"{WAREHOUSE_ROWS:,}",
        "grains": "+".join(AUDIT_GRAINS) + "+all",
        "audit workers (ECON_INDEX_BENCH_AUDIT_WORKERS)": AUDIT_WORKERS,
        "cells / hidden after the rounds": f"{first.cells:,} / {first.hidden:,}",
        "load (1 min, from the chain on)": ", ".join(f"{value:.1f}" for value in load),
        "dbt chain: wall s (CPU s, RSS)": _timed(chain),
        "slowest models (s)": ", ".join(f"{name} {s:.0f}" for name, s in slowest),
    }
    for number, (found, seconds, rebuilt) in enumerate(passes, start=1):
        figures[f"pass {number}: determined, hidden by the repair + shares (rounds)"] = (
            f"failed: {found.failure}"
            if found.failure
            else f"{found.determined:,}, {found.added:,} + {found.shares:,} ({found.rounds}:"
            f" {', '.join(f'{n:,}' for n in found.per_round)} determined before each)"
        )
        figures[f"pass {number}: wall s (CPU s reading + audit and plan, RSS)"] = (
            f"{seconds:.1f} ({found.read_cpu_s:.0f} + {found.plan_cpu_s:.0f} CPU s,"
            f" {_gib(found.peak_rss_mib)})"
        )
        if found.released:
            figures[f"pass {number}: headline cells released (CPU s)"] = (
                f"{found.released:,} ({found.release_cpu_s:.1f} CPU s)"
            )
        if rebuilt:
            figures[f"pass {number}: dbt run {FIRST_READER}+ wall s (CPU s, RSS)"] = _timed(rebuilt)
    figures |= {
        "hidden at the end": f"{passes[-1][0].hidden:,}",
        "headline cells: published / hidden; protect no cell alone": (
            f"{totals['published']:,} / {totals['headline_cells'] - totals['published']:,};"
            f" {totals['protects_none']:,}"
        ),
        "audit clean at the end": met(clean),
        "together: wall s, CPU s, peak RSS": f"{wall_s:.0f}, {cpu_s:.0f}, {_gib(rss_mib)}",
        "target": (
            f"<= {SUPPRESSION_AUDIT_TARGET_S:.0f} s, <= {_gib(SUPPRESSION_AUDIT_TARGET_MIB)}"
        ),
        "met": met(
            clean
            and wall_s <= SUPPRESSION_AUDIT_TARGET_S
            and rss_mib <= SUPPRESSION_AUDIT_TARGET_MIB
        ),
    }
    return [{"measure": name, "value": value} for name, value in figures.items()]
