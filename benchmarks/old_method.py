"""Issue #15's 10 % target: the hidden cells of two publications built from the same classified
conversations, one by the method of the issue's filing (commit 1cf2a72^, built in its own
checkout) and one by this checkout's, compared on the cells both publish.

``python -m benchmarks.old_method OLD_WAREHOUSE NEW_WAREHOUSE`` after ``econ-index build`` in
each. Cells are matched on the six key columns; the cell universe changed since (e.g. the
automation / augmentation cells, facet collaboration_mode), so cells of one side only are
counted apart. The old publication has no mode cells: there a node's mode counts as shown when
every pattern it sums is published (as the AEI reads it).
"""

from __future__ import annotations

import sys

import duckdb

from benchmarks.common import table

KEY = ["period_grain", "period_start", "level", "node_id", "facet", "variable"]
# primary below k; repair: hidden by the exact audit's passes; secondary: every other reason
KIND = """case
    when not is_suppressed then null
    when suppression_reason like 'primary:%' then 'primary'
    when suppression_reason = 'complementary:audit' then 'repair'
    else 'secondary'
end"""
HEADLINE = "level in ('total', 'major')"
MODES = {
    "automation": ("directive", "feedback_loop"),
    "augmentation": ("task_iteration", "validation", "learning"),
}


def _cells(con: duckdb.DuckDBPyConnection) -> None:
    """Table `cells`: every key of either publication, with each side's kind (null: published)
    and whether the side has the cell; new's reason."""
    for side in ("old", "new"):
        # all time starts on 1900-01-01 in the old publication, on the first day in the new
        con.execute(
            f"create temp table {side}_cells as select * replace (case period_grain"
            " when 'all' then date '1900-01-01' else period_start end as period_start),"
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


def mode_split(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The automation / augmentation split of the total and the SOC major groups per grain:
    shown when new publishes the mode cell, when old publishes every pattern it sums."""
    patterns = " union all ".join(
        f"select '{mode}' as mode, '{pattern}' as variable"
        for mode, members in MODES.items()
        for pattern in members
    )
    return _rows(
        con,
        f"""
        with old_modes as (
            select period_grain, period_start, level, node_id, mode,
                bool_or(old_kind is not null) as hidden
            from cells inner join ({patterns}) using (variable)
            where in_old and facet = 'collaboration' and {HEADLINE}
            group by all
        ),
        new_modes as (
            select period_grain, period_start, level, node_id, variable as mode,
                new_kind is not null as hidden
            from cells where in_new and facet = 'collaboration_mode' and {HEADLINE}
        )
        select period_grain, count(*) as node_modes,
            count(*) filter (where old_modes.hidden) as hidden_old,
            count(*) filter (where new_modes.hidden) as hidden_new,
            count(*) filter (where new_modes.hidden and not old_modes.hidden) as new_only,
            count(*) filter (where old_modes.hidden and not new_modes.hidden) as old_only
        from old_modes inner join new_modes using (period_grain, period_start, level, node_id, mode)
        group by all order by min(case period_grain when 'day' then 0 when 'week' then 1
            when 'month' then 2 else 3 end)
        """,
    )


def headline_new_only(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """The common headline usage cells new hides and old publishes, with new's reason."""
    return _rows(
        con,
        f"""
        select period_grain, period_start, level, node_id, new_reason
        from cells
        where in_old and {HEADLINE} and facet = 'usage'
            and old_kind is null and new_kind is not null
        order by all
        """,
    )


def main(argv: list[str]) -> None:
    old, new = argv
    with duckdb.connect() as con:
        con.execute(f"attach '{old}' as old (read_only); attach '{new}' as new (read_only)")
        _cells(con)
        table(f"hidden cells: old {old}, new {new}", hidden_by_side(con))
        table("common cells per grain (headline: usage of total and major)", common_by_grain(con))
        table("the mode split of the total and the major groups", mode_split(con))
        table("headline usage cells hidden by new only", headline_new_only(con))


if __name__ == "__main__":
    main(sys.argv[1:])
