"""Issue #15's 10 % target: the hidden cells of two publications built from the same classified
conversations, one by the method of the issue's filing (commit 1cf2a72^, built in its own
checkout) and one by this checkout's, compared on the cells both publish.

``python -m benchmarks.old_method OLD_WAREHOUSE NEW_WAREHOUSE [CHECKS]`` after ``econ-index
build`` in each; CHECKS bounds the headline cells checked one by one (each an exact audit and
maybe a repair plan: about a minute of CPU each at 20,000 conversations; default all). Cells
are matched on the six key columns; the cell universe changed since (e.g. the automation /
augmentation cells, facet collaboration_mode), so cells of one side only are counted apart.
The old publication has no mode cells: there a node's mode counts as shown when every pattern
it sums is published (as the AEI reads it).
"""

from __future__ import annotations

import sys
from dataclasses import replace

import duckdb
import numpy as np

from benchmarks.common import table
from econ_index import span_audit, span_repair
from econ_index.audit import EquationSystem, equation_system

KEY = ["period_grain", "period_start", "level", "node_id", "facet", "variable"]
# primary below k; repair: hidden by the exact audit's passes; secondary: every other reason
KIND = """case
    when not is_suppressed then null
    when suppression_reason like 'primary:%' then 'primary'
    when suppression_reason = 'complementary:audit' then 'repair'
    else 'secondary'
end"""
ALL_TIME = "1900-01-01"  # all time's period_start in the old publication
HEADLINE = "level in ('total', 'major')"
MODES = {
    "automation": ("directive", "feedback_loop"),
    "augmentation": ("task_iteration", "validation", "learning"),
}


def _cells(con: duckdb.DuckDBPyConnection) -> None:
    """Table `cells`: every key of either publication, with each side's kind (null: published)
    and whether the side has the cell; new's reason."""
    for side in ("old", "new"):
        # all time starts on ALL_TIME in the old publication, on the first day in the new
        con.execute(
            f"create temp table {side}_cells as select * replace (case period_grain"
            f" when 'all' then date '{ALL_TIME}' else period_start end as period_start),"
            f" {KIND} as kind from {side}.published.pub_index_cells"
        )
    con.execute(
        f"""
        create temp table cells as
        select {", ".join(KEY)}, old.kind as old_kind, new.kind as new_kind,
            old.level is not null as in_old, new.level is not null as in_new,
            new.suppression_reason as new_reason
        from old_cells as old full outer join new_cells as new using ({", ".join(KEY)})
        """
    )


def _rows(con: duckdb.DuckDBPyConnection, query: str) -> list[dict[str, object]]:
    cursor = con.execute(query)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def hidden_by_side(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Per side, over its own cells and over the common ones: cells, hidden by kind."""
    parts = []
    for side, other in (("old", "new"), ("new", "old")):
        for scope, where in (
            ("all its cells", f"in_{side}"),
            ("common cells", f"in_{side} and in_{other}"),
            (f"cells {side} only", f"in_{side} and not in_{other}"),
        ):
            parts.append(
                f"""
                select '{side}' as method, '{scope}' as cells_of, count(*) as cells,
                    count({side}_kind) as hidden,
                    count(*) filter (where {side}_kind = 'primary') as "primary",
                    count(*) filter (where {side}_kind = 'secondary') as secondary,
                    count(*) filter (where {side}_kind = 'repair') as repair
                from cells where {where}
                """
            )
    return _rows(con, " union all ".join(parts))


def common_by_grain(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The common cells per grain and headline or not: hidden by each, by both, new / old."""
    return _rows(
        con,
        f"""
        select period_grain, {HEADLINE} and facet = 'usage' as headline_usage, count(*) as cells,
            count(old_kind) as hidden_old, count(new_kind) as hidden_new,
            count(*) filter (where old_kind is not null and new_kind is not null) as hidden_both,
            round(count(new_kind) / count(old_kind), 4) as new_over_old
        from cells where in_old and in_new
        group by all order by 2, min(case period_grain when 'day' then 0 when 'week' then 1
            when 'month' then 2 else 3 end)
        """,
    )


def _headline(con: duckdb.DuckDBPyConnection) -> None:
    """Table `headline`: the usage cells of the total and the SOC major groups both publish,
    and new's mode cells with old's mode (hidden when a pattern it sums is hidden)."""
    patterns = " union all ".join(
        f"select '{mode}' as mode, '{pattern}' as variable"
        for mode, members in MODES.items()
        for pattern in members
    )
    con.execute(
        f"""
        create temp table headline as
        select {", ".join(KEY)}, old_kind is not null as old_hidden,
            new_kind is not null as new_hidden, new_reason
        from cells where in_old and in_new and {HEADLINE} and facet = 'usage'
        union all
        select {", ".join(KEY)}, old.old_hidden, new.new_hidden, new.new_reason
        from (
            select period_grain, period_start, level, node_id, facet, variable,
                new_kind is not null as new_hidden, new_reason
            from cells where in_new and facet = 'collaboration_mode' and {HEADLINE}
        ) as new
        inner join (
            select period_grain, period_start, level, node_id, mode as variable,
                bool_or(old_kind is not null) as old_hidden
            from cells inner join ({patterns}) using (variable)
            where in_old and facet = 'collaboration' and {HEADLINE}
            group by all
        ) as old using (period_grain, period_start, level, node_id, variable)
        """
    )


def headline_by_grain(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """Per grain and facet, the headline cells: hidden by each, by new only, by old only."""
    return _rows(
        con,
        """
        select period_grain, facet, count(*) as cells,
            count(*) filter (where old_hidden) as hidden_old,
            count(*) filter (where new_hidden) as hidden_new,
            count(*) filter (where new_hidden and not old_hidden) as new_only,
            count(*) filter (where old_hidden and not new_hidden) as old_only
        from headline
        group by all order by facet desc, min(case period_grain when 'day' then 0
            when 'week' then 1 when 'month' then 2 else 3 end)
        """,
    )


def headline_new_only(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The headline cells new hides and old shows, with new's reason."""
    return _rows(
        con,
        f"""
        select {", ".join(KEY)}, replace(new_reason, 'complementary:', '') as new_reason
        from headline where new_hidden and not old_hidden order by all
        """,
    )


def finer_served(system: EquationSystem, cell: int) -> tuple[int, int, int]:
    """Whether hidden `cell` is needed where it stands: the hidden cells the exact audit finds
    determined were it published alone; if any, the cells the repair would hide instead with
    every headline cell last (its hide cost above every other), and how many of those are
    headline cells (0: finer cells would have served)."""
    hidden = system.hidden.copy()
    hidden[cell] = False
    published = replace(system, hidden=hidden)
    determined = span_audit.determined(published).size
    if not determined:
        return 0, 0, 0
    headline = np.array(
        [
            key[2] in ("total", "major") and key[4] in ("usage", "collaboration_mode")
            for key in system.keys
        ]
    )
    last = replace(published, hide_cost=system.hide_cost + 10_000 * headline)
    index = {key: i for i, key in enumerate(system.keys)}
    added = span_repair.plan(last).added
    return determined, len(added), sum(bool(headline[index[key]]) for key in added)


def headline_checks(new: str, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """finer_served for each headline cell new hides and old publishes."""
    with duckdb.connect(new, read_only=True) as con:
        system = equation_system(con)
    # the all-time key as `cells` writes it (ALL_TIME)
    index = {
        tuple(str(v) for v in key[:1] + (ALL_TIME if key[0] == "all" else key[1],) + key[2:]): i
        for i, key in enumerate(system.keys)
    }
    checked = []
    for row in rows:
        key = tuple(str(row[column]) for column in KEY)
        determined, instead, headline = finer_served(system, index[key])
        checked.append(
            row | {"determined if shown": determined, "instead": instead, "headline": headline}
        )
    return checked


def main(argv: list[str]) -> None:
    old, new = argv[:2]
    checks = int(argv[2]) if len(argv) > 2 else None
    with duckdb.connect() as con:
        con.execute(f"attach '{old}' as old (read_only); attach '{new}' as new (read_only)")
        _cells(con)
        _headline(con)
        table(f"hidden cells: old {old}, new {new}", hidden_by_side(con))
        table("common cells per grain (headline: usage of total and major)", common_by_grain(con))
        table("headline cells (total, SOC major groups) per grain", headline_by_grain(con))
        new_only = headline_new_only(con)
    table("headline cells hidden by new only", new_only[checks:])
    table("... each checked", headline_checks(new, new_only[:checks]))


if __name__ == "__main__":
    main(sys.argv[1:])
