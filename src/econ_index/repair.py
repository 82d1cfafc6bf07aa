"""`econ-index build`: dbt, then audit-driven complementary suppression until no hidden count
follows from the published ones.

Secondary suppression protects every cell against each single equation. What several equations
combined still give back, the exact audit finds; econ_index.span_repair plans the cells to hide
and this module hands them to dbt through ``raw.suppression_repairs``, so that the published
table stays a dbt model. ``int_suppression_repaired`` hides them after dbt's rounds (reason
``complementary:audit``, their shares ``complementary:share_base``, from the share groups the
plan hid with them: int_disclosure_share_groups): the rounds' input is unchanged, so the rerun
publishes the plan's state P ∪ A and the next plan, a fresh exact audit, finds nothing. The
passes repeat until the plan, on what dbt publishes, adds nothing. Then, once (and once more
after a freeze's rerun), the hidden headline cells that nothing needs hidden are released
(:func:`~econ_index.span_repair.release`; rows with ``action = 'release'``, which
``int_suppression_repaired`` publishes) and the passes go on from what dbt publishes.

Published cells of frozen closed periods (``fixed``: int_suppression_primary.is_frozen) are never
chosen: a determined cell that only they could free fails the repair
(:class:`~econ_index.span_repair.RepairError`) rather than change a figure already published.
After a clean pass, :func:`build` freezes the periods that have closed (doc block
``incremental_time_suppression``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
from dbt.contracts.graph.manifest import Manifest

from econ_index.audit import (
    CELLS,
    DISCLOSURE_CELLS,
    KEY_COLUMNS,
    PINNED_SHARE,
    SHARE_GROUPS,
    EquationSystem,
    Key,
    equation_system,
)
from econ_index.daily import TESTS_CHANGED_SINCE_ENV, daily_tests_since
from econ_index.dbt_runner import check_seeds, describe, parse_project, run_dbt
from econ_index.span_parts import AUDIT_WORKERS
from econ_index.span_repair import Plan, RepairError, confirm_then_plan, plan, release
from econ_index.warehouse import DDL, WarehouseError, explain_error

REPAIRS_TABLE = "raw.suppression_repairs"
FINGERPRINT = "intermediate.int_disclosure_fingerprint"
# the first model that reads the repairs: it and the models after it are rebuilt per pass
FIRST_READER = "int_suppression_repaired"
# A guard on the audits before the freeze, and again after its rerun: a pass publishes the
# state its plan checked, shares of its bases included, so one more audit is clean; a plan
# that is not (a bug, or dbt hiding more than the plan) gets more passes. On the demo one
# pass, then one more after the freeze (the rounds around frozen cells pick other open cells).
MAX_DBT_PASSES = 5
DECISIONS_TABLE = "raw.published_decisions"
# the first model that reads the frozen decisions
FROZEN_READER = "int_suppression_frozen"
FROZEN = f"intermediate.{FROZEN_READER}"
# the model the plans read (econ_index.audit.CELLS)
PUBLICATION = "pub_index_cells"
# The data tests whose result a repair or the freeze can change: a full build defers them to
# one run on the final publication instead of testing every intermediate one.
DEFERRED_TESTS = f"{FROZEN_READER}+,resource_type:test"
# After the last pass: what reads the publication, and the deferred tests, on the final state.
# The publication itself is as the last dbt command left it: not rebuilt. Its tests stay
# (`--indirect-selection empty`: excluding a model would drop its tests too).
FINAL_BUILD = [
    "build",
    "--select",
    f"{PUBLICATION}+",
    DEFERRED_TESTS,
    "--exclude",
    f"{PUBLICATION},resource_type:model",
    "--indirect-selection",
    "empty",
    "--exclude-resource-type",
    "unit_test",
]
_KEYS = ", ".join(f"cells.{key}" for key in KEY_COLUMNS)
# the keys of the published cells of frozen periods, which the repair must not hide
_FROZEN_PUBLISHED = f"""
select {_KEYS}
from intermediate.int_suppression_primary as decided
inner join {DISCLOSURE_CELLS} as cells using (cell_id)
where decided.is_frozen and not decided.is_primary_suppressed
"""

# the hidden headline cells a release may publish: hidden to protect others (not below k, not
# a count known by design, not by rounds that did not converge), in periods not frozen (their
# decisions stay as published)
_RELEASE_CANDIDATES = f"""
select {_KEYS}
from {CELLS} as published
inner join {DISCLOSURE_CELLS} as cells using ({", ".join(KEY_COLUMNS)})
inner join intermediate.int_suppression_primary as decided using (cell_id)
where
    published.is_suppressed
    and cells.is_headline
    and not decided.is_frozen
    and published.suppression_reason like 'complementary:%'
    and published.suppression_reason not in ('{PINNED_SHARE}', 'complementary:not_converged')
"""


def plan_for_warehouse(
    warehouse: Path,
    known: EquationSystem | None = None,
    audit_workers: int | None = None,
) -> tuple[Plan, EquationSystem]:
    """The repair plan for the publication currently built in `warehouse`, which keeps the
    published cells of frozen periods published and hides a base's shares with it, and the
    equation system it was planned on; `known`, the system of an earlier plan of the same build
    (its equations are kept). With `audit_workers`, the publication is expected clean: the
    fresh audit runs first, on that many processes, and the plan only if it finds something
    (span_repair.confirm_then_plan)."""
    # a plain connection: dbt-duckdb keeps the file open in this process, and DuckDB only shares
    # an open database with a connection of the same configuration
    with duckdb.connect(str(warehouse)) as con:
        system = equation_system(con, share_groups=SHARE_GROUPS, known=known)
        frozen = set(con.execute(_FROZEN_PUBLISHED).fetchall())
    fixed = np.fromiter((key in frozen for key in system.keys), dtype=bool, count=len(system.keys))
    if audit_workers is None:
        return plan(system, fixed=fixed), system
    return confirm_then_plan(system, fixed=fixed, workers=audit_workers), system


def release_for_warehouse(warehouse: Path, system: EquationSystem, found: Plan) -> list[Key]:
    """The hidden headline cells of the publication in `warehouse` that can be published again
    with nothing determined (span_repair.release), dearest to hide first: those hidden to
    protect others, outside frozen periods. `system` and `found`: its clean plan."""
    with duckdb.connect(str(warehouse)) as con:
        candidates = set(con.execute(_RELEASE_CANDIDATES).fetchall())
    index = [cell for cell, key in enumerate(system.keys) if key in candidates]
    return [system.keys[cell] for cell in release(system, index, found.form or None)]


def _record(warehouse: Path, added: list[Key], dbt_pass: int, action: str = "hide") -> None:
    """Store `added` in raw.suppression_repairs with `action` (hide, or release), stamped with
    the fingerprint of the cells they were planned on (int_disclosure_fingerprint); pass 0
    empties it (a build starts afresh, so the same facts always give the same publication)."""
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
                    f"insert into {REPAIRS_TABLE} ({', '.join(KEY_COLUMNS)}, dbt_pass,"
                    f" recorded_at, cells_fingerprint, action) values ({', '.join('?' * 10)})",
                    [(*key, dbt_pass, recorded_at, fingerprint, action) for key in added],
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


def _reopen_changed(
    warehouse: Path, verbose: bool, report: Callable[[str], None], manifest: Manifest
) -> None:
    """Remove the record of the frozen periods whose cells changed since they were frozen, so
    that this build decides them again (after building the cells they are compared with)."""
    run_dbt(
        ["run", "--select", "+int_disclosure_cells"],
        warehouse=warehouse,
        verbose=verbose,
        manifest=manifest,
    )
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


def first_build(*, full_refresh: bool, daily: bool) -> list[str]:
    """The first ``dbt build``: everything but the deferred tests and the unit tests (they test
    the SQL, not the data: `make dbt-checks` runs them); ``daily``, dbt selector `daily`, which
    leaves both out itself (dbt ignores ``--exclude`` next to ``--selector``)."""
    refresh = ["--full-refresh"] if full_refresh else []
    if daily:
        return ["build", *refresh, "--selector", "daily"]
    return ["build", *refresh, "--exclude", DEFERRED_TESTS, "--exclude-resource-type", "unit_test"]


def pass_command(reader: str) -> list[str]:
    """The dbt command of a pass that changed what `reader` reads: the models from it to the
    publication, which the next plan reads; no tests (the unit tests run in `make dbt-checks`,
    the data tests once on the final publication), and no target/ artifacts (a quarter of a
    pass's CPU: the final build writes the ones the publication bundles)."""
    return ["run", "--no-write-json", "--select", f"{reader}+,+{PUBLICATION}"]


def build(
    warehouse: Path,
    *,
    full_refresh: bool = False,
    daily: bool = False,
    freeze: bool = True,
    reopen_changed: bool = False,
    verbose: bool = True,
    report: Callable[[str], None] = lambda _: None,
    audit_workers: int = AUDIT_WORKERS,
) -> list[Plan]:
    """``dbt build``, then audit and repair passes (each re-running the models from
    ``int_suppression_repaired`` to the publication) until no hidden count is determined; with
    ``freeze`` (the default), then records the periods that have closed and, when any did,
    reruns the models from ``int_suppression_frozen`` and audits again. Periods frozen earlier
    stay frozen either way. The data tests from ``int_suppression_frozen`` on run once, on the
    final publication (with the models that read it). Returns one plan per audit; the last one
    adds nothing.
    ``reopen_changed`` first unfreezes the closed periods whose cells changed since they were
    frozen (else the build fails on them). ``daily`` builds dbt selector `daily` (every model
    downstream of the labels, the tests of the period models and the per-user state in the
    changed units only: README "Daily runs"). ``report`` gets a line per dbt command. Every
    audit after the first expects a clean publication: its fresh exact audit runs first, in
    month parts on ``audit_workers`` processes (1: serially), and plans only if it must."""
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
    # one parse for the build's dbt commands (each would parse again otherwise)
    manifest = parse_project(warehouse=warehouse, verbose=verbose)
    if reopen_changed:
        _reopen_changed(warehouse, verbose, report, manifest)
    environment = {TESTS_CHANGED_SINCE_ENV: since} if since else None
    command = first_build(full_refresh=full_refresh, daily=daily)
    result = run_dbt(
        command, warehouse=warehouse, verbose=verbose, environment=environment, manifest=manifest
    )
    report(f"dbt build: {describe(result)}")
    plans: list[Plan] = []
    # the passes rebuild only models after int_disclosure_equations: read them once
    system: EquationSystem | None = None
    audits = 0  # since the first build, then since the freeze's rerun
    released = False  # since the first build, then since the freeze's rerun
    while audits < MAX_DBT_PASSES:
        audits += 1
        found, system = plan_for_warehouse(warehouse, system, audit_workers if plans else None)
        plans.append(replace(found, form=[]))
        if found.added:
            _record(warehouse, found.added, len(plans))
            result = run_dbt(
                pass_command(FIRST_READER), warehouse=warehouse, verbose=verbose, manifest=manifest
            )
            report(f"dbt run {FIRST_READER}+ (repair pass {len(plans)}): {describe(result)}")
            continue
        if not released:
            # clean: the hidden headline cells nothing needs hidden are published again, once;
            # the next audit checks what dbt publishes from them
            released = True
            if publish := release_for_warehouse(warehouse, system, found):
                plans[-1] = replace(plans[-1], released=publish)
                _record(warehouse, publish, len(plans), "release")
                result = run_dbt(
                    pass_command(FIRST_READER),
                    warehouse=warehouse,
                    verbose=verbose,
                    manifest=manifest,
                )
                report(
                    f"dbt run {FIRST_READER}+ ({len(publish):,} headline cells released):"
                    f" {describe(result)}"
                )
                continue
        frozen = _freeze(warehouse) if freeze else 0
        if not frozen:
            _test_publication(warehouse, verbose, environment, report, manifest)
            return plans
        report(f"froze {frozen:,} cells of newly closed periods")
        # Frozen cells enter the rounds as fixed from the start, so the open cells may be
        # picked in another order (another reason, even other cells): the publication is
        # rebuilt from the decisions just recorded and audited again, so that it is what a
        # plain `dbt build` (or Spark) gives from the same raw tables. The repairs stay,
        # applied after the rounds; the rounds' new picks may need passes of their own.
        result = run_dbt(
            pass_command(FROZEN_READER), warehouse=warehouse, verbose=verbose, manifest=manifest
        )
        report(f"dbt run {FROZEN_READER}+ (after the freeze): {describe(result)}")
        audits, released = 0, False
    raise RepairError(f"hidden counts still determined after {MAX_DBT_PASSES} dbt passes")


def _test_publication(
    warehouse: Path,
    verbose: bool,
    environment: dict[str, str] | None,
    report: Callable[[str], None],
    manifest: Manifest,
) -> None:
    """Build what reads the final publication and run every data test of the chain from
    FROZEN_READER on (the deferred ones) on it: once, whatever the passes were."""
    result = run_dbt(
        FINAL_BUILD,
        warehouse=warehouse,
        verbose=verbose,
        environment=environment,
        manifest=manifest,
    )
    report(f"dbt build {PUBLICATION}+ and the tests from {FROZEN_READER} on: {describe(result)}")
