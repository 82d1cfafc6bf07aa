"""Headline cells hidden in a built publication, and why (README, "Headline cells last").

``python -m benchmarks.headline <warehouse>`` after ``econ-index build`` (e.g. ``make demo``).
A headline cell is one of the cost tier that is hidden last: usage or a collaboration mode of
the total or a SOC major group, any period (int_disclosure_cells.is_headline). Each hidden one
is classed by its reason; a cell whose base is hidden is a *share of a hidden base* whatever
the reason the rounds gave it (published, its count and share give the base back); a cell
hidden to protect another (complementary) is *needed* when some equation holds it and exactly one
other secret hidden cell (publishing it would give that cell back), and *could have been spared*
when every such equation also holds a published part with a lower hide cost that is not frozen
(hiding that part instead would have protected the partner in that equation). That test looks at
one equation at a time: an upper bound of what a cheaper choice could have saved.
"""

from __future__ import annotations

import sys

import duckdb

from benchmarks.common import table

QUERY = """
-- cells with a hidden base: published, their count and share would give it back
with shares_of_hidden_bases as (
    select distinct share_groups.cell_id
    from intermediate.int_disclosure_share_groups as share_groups
    inner join intermediate.int_suppression_repaired as bases
        on share_groups.base_cell_id = bases.cell_id
    where bases.is_suppressed
),

decided as (
    select
        cells.cell_id,
        cells.cell_no,
        cells.period_grain,
        cells.hide_cost,
        cells.is_headline,
        decisions.is_suppressed,
        decisions.suppression_reason,
        primary_cells.is_frozen and not primary_cells.is_primary_suppressed as is_fixed,
        decisions.is_suppressed
            and decisions.suppression_reason != 'complementary:pinned_share' as is_secret
    from intermediate.int_disclosure_cells as cells
    inner join intermediate.int_suppression_repaired as decisions using (cell_id)
    inner join intermediate.int_suppression_primary as primary_cells using (cell_id)
),

members as (
    select equations.equation_no, equations.member_role, decided.*
    from intermediate.int_disclosure_equations as equations
    inner join decided using (cell_no)
),

-- per hidden complementary headline cell and equation holding it with one other secret cell:
-- does a published, unfrozen part cost less than the headline cell?
critical as (
    select
        headline.cell_id,
        headline.equation_no,
        bool_or(
            not other.is_suppressed and not other.is_fixed and other.member_role = 0
            and other.hide_cost < headline.hide_cost
        ) as has_cheaper_part
    from members as headline
    inner join members as other
        on headline.equation_no = other.equation_no and headline.cell_id != other.cell_id
    where
        headline.is_headline
        and headline.is_suppressed
        and headline.suppression_reason like 'complementary:%'
    group by headline.cell_id, headline.equation_no
    having count(*) filter (where other.is_secret) = 1
),

per_cell as (
    select
        cell_id,
        bool_and(has_cheaper_part) as every_one_has_cheaper_part
    from critical
    group by cell_id
),

classed as (
    select
        decided.period_grain,
        decided.is_suppressed,
        case
            when not decided.is_suppressed then null
            when decided.suppression_reason like 'primary:%' then 'primary'
            when
                decided.suppression_reason = 'complementary:share_base'
                or shares_of_hidden_bases.cell_id is not null
                then 'share of a hidden base'
            when decided.suppression_reason = 'complementary:audit' then 'repair (audit)'
            when per_cell.cell_id is null then 'complementary, protects no cell alone'
            when per_cell.every_one_has_cheaper_part then 'complementary, could have been spared'
            else 'complementary, needed'
        end as class
    from decided
    left join per_cell using (cell_id)
    left join shares_of_hidden_bases using (cell_id)
    where decided.is_headline
)

select
    period_grain,
    count(*) as headline_cells,
    count(*) filter (where not is_suppressed) as published,
    count(*) filter (where class = 'primary') as primary,
    count(*) filter (where class = 'share of a hidden base') as share_of_hidden_base,
    count(*) filter (where class = 'repair (audit)') as repair,
    count(*) filter (where class = 'complementary, needed') as complementary_needed,
    count(*) filter (where class = 'complementary, could have been spared') as could_be_spared,
    count(*) filter (where class = 'complementary, protects no cell alone') as protects_none
from classed
group by period_grain
order by min(case period_grain when 'day' then 0 when 'week' then 1 when 'month' then 2 else 3 end)
"""


def hidden_headline_cells(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    """One row per period grain: the headline cells, published and hidden by class."""
    cursor = con.execute(QUERY)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def main(argv: list[str]) -> None:
    with duckdb.connect(argv[0], read_only=True) as con:
        table(
            f"headline cells (total and SOC major groups: usage, modes) in {argv[0]}",
            (hidden_headline_cells(con)),
        )


if __name__ == "__main__":
    main(sys.argv[1:])
