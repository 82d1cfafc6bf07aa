"""Exact linear audit of the published index: can any hidden count be computed from the rest?

The suppression macros make sure no *single* additive equation gives a hidden cell back. Several
equations combined still can (a month minus a week it holds, an occupation and its tasks across
periods...). The audit writes down every equation a reader can form from published cells and
public facts (hierarchy, node = its six patterns, occupation = its tasks by the equal split,
period = its finer periods), keeps the hidden cells as unknowns, and asks linear algebra which
unknowns the system pins down: a hidden cell is determined exactly when every vector of the null
space of the system is zero on it.

The null space is sampled, not computed: x = r - A^T y, with y the least-squares solution of
A^T y = r (scipy's LSQR on the sparse system) and r random, is a random vector of the null space.
A coordinate that is determined is zero in it up to rounding (around 1e-14); one that is free is
non-zero with probability one (in practice above 1e-5). Two samples are taken. The equations are
built in SQL over the published table, independently of the suppression macros, and the result
agrees with a dense SVD of the same system on the test fixtures.

It measures; it does not repair. Hiding more cells until nothing is determined needs, for each
determined cell, the published cells its formula reads (a certificate), which costs one sparse
solve per cell: the open part of issue #7.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
from scipy import sparse
from scipy.sparse.linalg import lsqr

KEY_COLUMNS = ("period_grain", "period_start", "level", "node_id", "facet", "variable")
# |x_i| below this (x a random null-space vector with unit normal r) counts as determined.
DETERMINED_BELOW = 1e-8
SAMPLES = 2
ITERATION_LIMIT = 50_000

# One row per (equation, member, coefficient) over every cell; an equation only counts when its
# total is a row of the table (member_role 1, hidden or not) and it has parts. Periods: a week
# and a month are each the sum of their days, 'all' of every finer grain. Quarter and year
# grains (not in the default period_grains) are not modelled: with them the audit undercounts.
_MEMBERSHIPS = """
with cells as (
    select
        row_number() over (order by {keys}) - 1 as cell_no,
        *,
        case when level = 'total' then 'total' else level || ':' || node_id end as self_key,
        case
            when level = 'task' or parent_level = 'total' then 'total'
            else parent_level || ':' || parent_id
        end as parent_key
    from {cells}
),

members as (
    -- hierarchy: a parent = its children of one level
    select
        'h|' || period_grain || '|' || period_start || '|' || facet || '|' || variable || '|'
        || parent_key || '|' || level as equation,
        cell_no, 1.0 as coefficient, 0 as member_role
    from cells where level != 'total'
    union all
    select distinct
        'h|' || c.period_grain || '|' || c.period_start || '|' || c.facet || '|' || c.variable
        || '|' || c.parent_key || '|' || c.level,
        p.cell_no, -1.0, 1
    from cells as c
    inner join cells as p
        on c.period_grain = p.period_grain and c.period_start = p.period_start
        and c.facet = p.facet and c.variable = p.variable and c.parent_key = p.self_key
    where c.level != 'total'
    union all
    -- a node's usage = its six pattern cells
    select
        'p|' || period_grain || '|' || period_start || '|' || self_key,
        cell_no,
        case when facet = 'usage' then -1.0 else 1.0 end,
        case when facet = 'usage' then 1 else 0 end
    from cells where facet = 'collaboration' or (facet = 'usage' and variable = 'all')
    union all
    -- an occupation = sum of allocation_share x its tasks (public O*NET split)
    select
        'a|' || period_grain || '|' || period_start || '|' || node_id, cell_no, -1.0, 1
    from cells where level = 'occupation' and facet = 'usage'
    union all
    select
        'a|' || t.period_grain || '|' || t.period_start || '|' || a.onet_soc_code,
        t.cell_no, a.allocation_share, 0
    from cells as t
    inner join {allocation} as a on t.node_id = a.onet_task_id
    where t.level = 'task' and t.facet = 'usage'
    union all
    -- a period = the finer periods inside it
    select 'd|' || p.cell_no || '|' || c.period_grain, c.cell_no, 1.0, 0
    from cells as p
    inner join cells as c
        on p.level = c.level and p.node_id = c.node_id
        and p.facet = c.facet and p.variable = c.variable
    where
        (p.period_grain = 'all' and c.period_grain != 'all')
        or (
            p.period_grain in ('week', 'month') and c.period_grain = 'day'
            and c.period_start >= p.period_start
            and c.period_start < case p.period_grain
                when 'week' then p.period_start + interval 7 day
                else p.period_start + interval 1 month end
        )
    union all
    select distinct 'd|' || p.cell_no || '|' || g.grain, p.cell_no, -1.0, 1
    from cells as p
    inner join (select distinct period_grain as grain from cells) as g
        on (p.period_grain = 'all' and g.grain != 'all')
        or (p.period_grain in ('week', 'month') and g.grain = 'day')
),

with_total as (
    select equation from members group by equation
    having max(member_role) = 1 and min(member_role) = 0
)

select m.equation, m.cell_no, m.coefficient
from members as m
inner join with_total using (equation)
inner join cells using (cell_no)
where cells.is_suppressed
"""


Key = tuple[object, ...]  # the six key columns of a cell


@dataclass(frozen=True)
class EquationSystem:
    """Every equation over the cells, as coefficients on the hidden cells (the unknowns); what
    the published cells contribute is a constant an attacker reads, irrelevant to which hidden
    cells are determined."""

    hidden: list[Key]
    matrix: sparse.csr_matrix  # equations x hidden cells


@dataclass(frozen=True)
class AuditResult:
    hidden_cells: int
    equations: int
    determined: list[Key]  # hidden cells the system pins down


def equation_system(con: duckdb.DuckDBPyConnection, cells: str, allocation: str) -> EquationSystem:
    """The equations of the relation `cells` (pub_index_cells columns) and the task split
    `allocation` (int_task_allocation columns), both readable on `con`."""
    keys = ", ".join(KEY_COLUMNS)
    rows = con.execute(
        _MEMBERSHIPS.format(keys=keys, cells=cells, allocation=allocation)
    ).fetchnumpy()
    hidden = con.execute(
        f"select row_number() over (order by {keys}) - 1 as cell_no, {keys}, is_suppressed"
        f" from {cells} qualify is_suppressed order by cell_no"
    ).fetchall()
    column_of = {row[0]: i for i, row in enumerate(hidden)}
    equation_ids, equation_no = np.unique(rows["equation"], return_inverse=True)
    columns = np.fromiter((column_of[c] for c in rows["cell_no"]), dtype=np.int64)
    # coo -> csr sums a cell listed twice in one equation
    matrix = sparse.coo_matrix(
        (rows["coefficient"].astype(float), (equation_no, columns)),
        shape=(len(equation_ids), len(hidden)),
    ).tocsr()
    return EquationSystem([row[1:7] for row in hidden], matrix)


def determined(system: EquationSystem, seed: int = 0) -> np.ndarray:
    """Indices of the hidden cells that every solution of the system agrees on."""
    n = len(system.hidden)
    if n == 0 or system.matrix.nnz == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.default_rng(seed)
    smallest = np.full(n, np.inf)
    transposed = system.matrix.T.tocsr()
    for _ in range(SAMPLES):
        r = rng.standard_normal(n)
        y = lsqr(transposed, r, atol=1e-15, btol=1e-15, iter_lim=ITERATION_LIMIT)[0]
        smallest = np.minimum(smallest, np.abs(r - transposed @ y))
    return np.flatnonzero(smallest < DETERMINED_BELOW)


def audit(con: duckdb.DuckDBPyConnection, cells: str, allocation: str) -> AuditResult:
    """Which hidden cells of `cells` a reader can compute exactly (see the module doc)."""
    system = equation_system(con, cells, allocation)
    found = determined(system)
    return AuditResult(
        len(system.hidden), system.matrix.shape[0], [system.hidden[i] for i in found]
    )
