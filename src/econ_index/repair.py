"""Audit-driven complementary suppression: hide published cells until the exact audit finds no
hidden count that the published ones determine.

Secondary suppression protects every cell against each single equation. What several equations
combined still give back, econ_index.audit finds; this module chooses more cells to hide and
hands them to dbt through ``raw.suppression_repairs`` (read by ``int_suppression_primary`` as
cells to hide, reason ``complementary:audit``), so that the published table stays a dbt model
and dbt's own rounds run again around the new hidden cells.

Choosing cells, per round:
1. factorise the hidden part of the system, block by block, and list the determined cells
   (econ_index.audit.Blocks; after the first round only the blocks that changed);
2. for each determined cell d, take its certificate: the published cells its value is computed
   from. Hiding one of them, v, frees d for good when v's column lies in the column space of the
   hidden cells (then v is free too, and hiding more never makes a free cell determined again).
   Among those, hide the cheapest (hide cost, then fewest conversations: the secondary
   suppression's order), unless
   a cell already chosen this round frees d. When no single cell can free d, hide the cell its
   certificate weighs most and let the next round continue from there (by weight, not cost:
   restricted to the cheapest cost tier, it did not converge in 50 rounds on 3,000 generated
   conversations);
3. close the new hidden set under the single-equation rule (an equation with one hidden member
   hides its cheapest published part, else its total), as int_suppression_secondary does.
Rounds repeat until nothing is determined. Every round hides at least one cell, so it ends.

Published cells of frozen closed periods (``fixed``: int_suppression_primary.is_frozen) are never
chosen, in step 2 or 3: a determined cell that only they could free fails the repair
(:class:`RepairError`) rather than change a figure already published. After a clean pass,
:func:`build` freezes the periods that have closed (doc block ``incremental_time_suppression``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np

from econ_index.audit import (
    CELLS,
    DISCLOSURE_CELLS,
    KEY_COLUMNS,
    ROUNDING,
    Blocks,
    EquationSystem,
    Key,
    equation_system,
)
from econ_index.daily import TESTS_CHANGED_SINCE_ENV, daily_tests_since
from econ_index.dbt_runner import check_seeds, describe, run_dbt
from econ_index.warehouse import DDL, WarehouseError, explain_error

REPAIRS_TABLE = "raw.suppression_repairs"
FINGERPRINT = "intermediate.int_disclosure_fingerprint"
# the first model that reads the repairs: it and everything after it are rebuilt per pass
FIRST_READER = "int_suppression_primary"
# A certificate coefficient above this counts when no single cell can free a determined one.
FALLBACK_WEIGHT = 1e-3
MAX_ROUNDS = 50
MAX_DBT_PASSES = 5
# From this many hidden cells on, plan with econ_index.span_repair. Measured (README, "The
# repair at scale"): at 133,785 hidden (5,000 generated conversations) it plans clean in 22 CPU
# s, this module's plan had not finished after 210; at 231,160 (20,000) this one took 451 s and
# 5 GiB, at a million it does not finish. On the demo's 14,438 this one plans in 3.6 CPU s; the
# crossover was not measured more finely.
SPAN_REPAIR_FROM = 50_000
DECISIONS_TABLE = "raw.published_decisions"
# the first model that reads the frozen decisions
FROZEN_READER = "int_suppression_frozen"
FROZEN = f"intermediate.{FROZEN_READER}"
_KEYS = ", ".join(f"cells.{key}" for key in KEY_COLUMNS)
# the keys of the published cells of frozen periods, which the repair must not hide
_FROZEN_PUBLISHED = f"""
select {_KEYS}
from intermediate.int_suppression_primary as decided
inner join {DISCLOSURE_CELLS} as cells using (cell_id)
where decided.is_frozen and not decided.is_primary_suppressed
"""


class RepairError(RuntimeError):
    """The repair did not reach a publication where no hidden count is determined."""


@dataclass(frozen=True)
class Plan:
    added: list[Key]  # cells to hide, beyond those already hidden
    determined_before: int  # hidden cells determined before the repair
    rounds: int
    blocks: int  # independent blocks of the hidden cells before the repair
    largest_block: int  # hidden cells in the largest
    factorised: int  # block factorisations over every round


def close_under_single_equations(
    system: EquationSystem, fixed: np.ndarray | None = None
) -> EquationSystem:
    """Hide, in every equation with exactly one hidden member, its cheapest published part
    (lowest hide cost, fewest conversations, then key order), or its total when no part is
    published; to a fixpoint, over every equation (implied ones too), as
    int_suppression_secondary does. Totals carry the negative coefficient of each equation.
    Cells `fixed` (bool per cell) are never hidden; a hidden cell whose count is known by design
    (EquationSystem.count_known) needs no protection."""
    fixed = np.zeros(len(system.keys), dtype=bool) if fixed is None else fixed
    matrix = system.matrix.tocsr()
    membership = (matrix != 0).astype(np.int64)
    while True:
        hidden = system.hidden
        secret = np.zeros(len(hidden), dtype=np.int64)
        secret[system.secret(np.flatnonzero(hidden))] = 1
        alone = np.flatnonzero(membership @ secret == 1)
        chosen = set()
        for equation in alone:
            start, end = matrix.indptr[equation], matrix.indptr[equation + 1]
            members, coefficients = matrix.indices[start:end], matrix.data[start:end]
            published = ~hidden[members] & ~fixed[members]
            if not published.any():
                continue
            # order: parts before the total, then cost, fewest conversations, key order
            order = np.lexsort(
                (
                    members,
                    system.n_conversations[members],
                    system.hide_cost[members],
                    coefficients < 0,
                )
            )
            chosen.add(int(next(members[i] for i in order if published[i])))
        if not chosen:
            return system
        system = system.hiding(chosen)


def _choose(blocks: Blocks, determined: np.ndarray, fixed: np.ndarray) -> set[int]:
    """One round of step 2 of the module doc: cells whose hiding frees the determined ones,
    never a `fixed` one."""
    system = blocks.system
    visible = np.flatnonzero(~system.hidden)
    frees_alone = np.zeros(len(system.keys), dtype=bool)
    frees_alone[visible] = blocks.in_column_space(visible)
    chosen: set[int] = set()
    for cell in determined:
        # a_v . y per cell v of the block's equations; the published ones are what it reads
        cells, weights = blocks.certificate_weights(int(cell))
        published = ~system.hidden[cells] & ~fixed[cells]
        cells, weights = cells[published], weights[published]
        candidates = cells[(np.abs(weights) > ROUNDING) & frees_alone[cells]]
        if candidates.size:
            if chosen.isdisjoint(candidates.tolist()):
                sizes = system.n_conversations[candidates]
                costs = system.hide_cost[candidates]
                chosen.add(int(candidates[np.lexsort((candidates, sizes, costs))[0]]))
            continue
        strong = np.flatnonzero(np.abs(weights) > FALLBACK_WEIGHT)
        if strong.size:
            chosen.add(int(cells[strong[np.argmax(np.abs(weights[strong]))]]))
    return chosen


def plan(
    system: EquationSystem, max_rounds: int = MAX_ROUNDS, fixed: np.ndarray | None = None
) -> Plan:
    """The cells to hide so that no hidden cell of `system` is determined (module doc), never
    one of `fixed` (bool per cell: published cells of frozen periods). Each round refactorises
    only the blocks (econ_index.audit.Blocks) whose hidden cells changed."""
    fixed = np.zeros(len(system.keys), dtype=bool) if fixed is None else fixed
    start = system.hidden
    blocks = Blocks(system)
    shape = len(blocks.sizes), max(blocks.sizes, default=0)
    factorised = blocks.factorised
    determined = blocks.determined()
    before = len(determined)
    for round_no in range(max_rounds + 1):
        if not determined.size:
            added = np.flatnonzero(system.hidden & ~start)
            return Plan([system.keys[i] for i in added], before, round_no, *shape, factorised)
        if round_no == max_rounds:
            break
        chosen = _choose(blocks, determined, fixed)
        if not chosen:  # with nothing frozen, cannot happen: a determined cell reads something
            raise RepairError(
                f"no published cell outside the frozen closed periods frees "
                f"{system.keys[int(determined[0])]}: protecting it would change a figure "
                "already published; nothing was published"
            )
        system = close_under_single_equations(system.hiding(chosen), fixed)
        blocks = Blocks(system, previous=blocks)
        factorised += blocks.factorised
        determined = blocks.determined()
    raise RepairError(f"hidden counts still determined after {max_rounds} repair rounds")


def plan_for_warehouse(warehouse: Path) -> Plan:
    """The repair plan for the publication currently built in `warehouse`, which keeps the
    published cells of frozen periods published."""
    # a plain connection: dbt-duckdb keeps the file open in this process, and DuckDB only shares
    # an open database with a connection of the same configuration
    with duckdb.connect(str(warehouse)) as con:
        system = equation_system(con)
        frozen = set(con.execute(_FROZEN_PUBLISHED).fetchall())
    fixed = np.fromiter((key in frozen for key in system.keys), dtype=bool, count=len(system.keys))
    if system.hidden.sum() >= SPAN_REPAIR_FROM:
        # imported here: span_repair builds on this module
        from econ_index import span_repair

        return span_repair.plan(system, fixed=fixed)
    return plan(system, fixed=fixed)


def _record(warehouse: Path, added: list[Key], dbt_pass: int) -> None:
    """Store `added` in raw.suppression_repairs, stamped with the fingerprint of the cells they
    were planned on (int_disclosure_fingerprint); pass 0 empties it (a build starts afresh, so
    the same facts always give the same publication)."""
    recorded_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        with duckdb.connect(str(warehouse)) as con:
            con.execute(DDL)
            if dbt_pass == 0:
                con.execute(f"delete from {REPAIRS_TABLE}")
            if added:
                found = con.execute(f"select cells_fingerprint from {FINGERPRINT}").fetchone()
                fingerprint = found[0] if found else None
                con.executemany(
                    f"insert into {REPAIRS_TABLE} values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [(*key, dbt_pass, recorded_at, fingerprint) for key in added],
                )
    except duckdb.Error as exc:
        raise WarehouseError(explain_error(warehouse, exc)) from None


# The cells of frozen periods against their record, by key: a period with a cell added, gone or
# recounted since it was frozen (late or re-labelled conversations) is reopened.
_CHANGED_PERIODS = f"""
select distinct
    coalesce(cells.period_grain, record.period_grain),
    coalesce(cells.period_start, record.period_start)
from (
    select cells.*
    from {DISCLOSURE_CELLS} as cells
    semi join {DECISIONS_TABLE} as frozen using (period_grain, period_start)
) as cells
full outer join {DECISIONS_TABLE} as record using ({", ".join(KEY_COLUMNS)})
where
    cells.cell_id is null
    or record.period_grain is null
    or coalesce(cells.n_users, 0) != record.n_users
    or abs(coalesce(cells.n_conversations, 0) - record.n_conversations) >= 1e-6
"""
# Every cell of a period closed since the last freeze, as this build published it.
_FREEZE = f"""
insert into {DECISIONS_TABLE}
select
    {_KEYS},
    published.is_suppressed,
    published.suppression_reason,
    coalesce(cells.n_users, 0),
    coalesce(cells.n_conversations, 0),
    fingerprint.cells_fingerprint,
    ?
from {FROZEN} as frozen
inner join {DISCLOSURE_CELLS} as cells using (cell_id)
inner join {CELLS} as published using ({", ".join(KEY_COLUMNS)})
cross join {FINGERPRINT} as fingerprint
where frozen.is_closed and not frozen.is_frozen
"""


def _reopen_changed(warehouse: Path, verbose: bool, report: Callable[[str], None]) -> None:
    """Remove the record of the frozen periods whose cells changed since they were frozen, so
    that this build decides them again (after building the cells they are compared with)."""
    run_dbt(["run", "--select", "+int_disclosure_cells"], warehouse=warehouse, verbose=verbose)
    try:
        with duckdb.connect(str(warehouse)) as con:
            changed = con.execute(_CHANGED_PERIODS).fetchall()
            con.executemany(
                f"delete from {DECISIONS_TABLE} where period_grain = ? and period_start = ?",
                changed,
            )
    except duckdb.Error as exc:
        raise WarehouseError(explain_error(warehouse, exc)) from None
    named = ", ".join(f"{grain} {start}" for grain, start in sorted(changed)) or "none"
    report(f"reopened {len(changed)} changed closed periods: {named}")


def _freeze(warehouse: Path) -> int:
    """Record the decisions of the periods closed since the last build (doc block
    ``incremental_time_suppression``); the number of cells frozen."""
    try:
        with duckdb.connect(str(warehouse)) as con:
            row = con.execute(_FREEZE, [datetime.now(UTC).replace(tzinfo=None)]).fetchone()
    except duckdb.Error as exc:
        raise WarehouseError(explain_error(warehouse, exc)) from None
    return int(row[0]) if row else 0


def build(
    warehouse: Path,
    *,
    full_refresh: bool = False,
    daily: bool = False,
    freeze: bool = True,
    reopen_changed: bool = False,
    verbose: bool = True,
    report: Callable[[str], None] = lambda _: None,
) -> list[Plan]:
    """``dbt build``, then audit and repair passes (each re-running ``int_suppression_primary``
    and everything downstream of it, tests included) until no hidden count is determined; with
    ``freeze`` (the default), then records the periods that have closed and, when any did,
    rebuilds from ``int_suppression_frozen`` and audits again. Periods frozen earlier stay
    frozen either way. Returns one plan per audit; the last one adds nothing.
    ``reopen_changed`` first unfreezes the closed periods whose cells changed since they were
    frozen (else the build fails on them). ``daily`` builds dbt selector `daily` (every model
    downstream of the labels, the tests of the period models and the per-user state in the
    changed units only: README "Daily runs"). ``report`` gets a line per dbt command."""
    check_seeds()
    if not warehouse.parent.is_dir():
        raise WarehouseError(
            f"the warehouse's folder {warehouse.parent} does not exist: "
            "run `econ-index classify --warehouse PATH` first, or give --warehouse its path"
        )
    # a daily run tests the period models in the periods it changes alone (econ_index.daily):
    # the watermark before any model moves it (the reopening runs models)
    since = daily_tests_since(warehouse) if daily and not full_refresh else None
    _record(warehouse, [], 0)
    if reopen_changed:
        _reopen_changed(warehouse, verbose, report)
    command = [
        "build",
        *(["--full-refresh"] if full_refresh else []),
        *(["--selector", "daily"] if daily else []),
    ]
    environment = {TESTS_CHANGED_SINCE_ENV: since} if since else None
    result = run_dbt(command, warehouse=warehouse, verbose=verbose, environment=environment)
    report(f"dbt build: {describe(result)}")
    plans: list[Plan] = []
    for dbt_pass in range(1, MAX_DBT_PASSES + 1):
        plans.append(plan_for_warehouse(warehouse))
        if plans[-1].added:
            _record(warehouse, plans[-1].added, dbt_pass)
            result = run_dbt(
                ["build", "--select", f"{FIRST_READER}+"], warehouse=warehouse, verbose=verbose
            )
            report(f"dbt build {FIRST_READER}+ (repair pass {dbt_pass}): {describe(result)}")
            continue
        frozen = _freeze(warehouse) if freeze else 0
        if not frozen:
            return plans
        report(f"froze {frozen:,} cells of newly closed periods")
        # Frozen cells enter the rounds as fixed from the start, so the open cells may be
        # picked in another order (another reason, even other cells): the publication is
        # rebuilt from the decisions just recorded and audited again, so that it is what a
        # plain `dbt build` (or Spark) gives from the same raw tables.
        result = run_dbt(
            ["build", "--select", f"{FROZEN_READER}+"], warehouse=warehouse, verbose=verbose
        )
        report(f"dbt build {FROZEN_READER}+ (after the freeze): {describe(result)}")
    raise RepairError(f"hidden counts still determined after {MAX_DBT_PASSES} dbt passes")
