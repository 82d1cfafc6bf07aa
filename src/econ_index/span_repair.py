"""The audit-driven repair at scale, from the published side (issue #15).

econ_index.repair factorises the system of all hidden cells (econ_index.audit.Blocks): at one
million conversations that is one block of 1.8 million unknowns, which does not finish. This
module plans the same kind of repair with econ_index.span_audit's exact modular elimination for
the whole system and small local systems for everything else:

1. The exact audit (span_audit.determined) lists the determined hidden cells D.
2. For each d in D, a *region*: the hidden cells reached from d through equations of at most
   REGION_EQUATION hidden members, a step at a time (at most REGION_STEPS steps and MAX_REGION
   cells). The equations whose hidden members all lie in the region are some of the system's, so
   when they determine d its certificate there (econ_index.audit.Factorised) names the published
   cells d's value is computed from; the cheapest of them (hide cost, then fewest
   conversations: the secondary rounds' order) is hidden, unless a cell chosen this round is
   already one of them. The new hidden set is then closed under the single-equation rule
   (econ_index.repair.close_under_single_equations), as the rounds would.
3. Re-check, incrementally. Hiding cells only adds solutions, so a free hidden cell stays free:
   only D and the newly hidden cells can be determined now. Each is tested in its region with
   the hidden cells outside it fixed to zero (every equation touching the region kept): a
   solution non-zero on it there is a solution of the whole system, so it is free. Whatever no
   region frees is decided by the exact audit of the whole system again.

Rounds repeat until nothing is determined. econ_index.repair.build then has dbt rebuild the
chain around the chosen cells, and the exact audit of what dbt publishes decides whether another
pass is needed, so a region too small to show a certificate or a freedom costs time, never
safety. Published cells of frozen periods (`fixed`) are never chosen.
"""

from __future__ import annotations

import numpy as np

from econ_index import span_audit
from econ_index.audit import ROUNDING, EquationSystem, Factorised, independent_equations
from econ_index.repair import MAX_ROUNDS, Plan, RepairError, close_under_single_equations

# Regions grow through equations with at most this many hidden members (a day's total over
# thousands of hidden tasks would take the whole day in)...
REGION_EQUATION = 64
# ... for at most this many steps, and stop before this many hidden cells.
REGION_STEPS = 3
MAX_REGION = 500


class _Regions:
    """The hidden cells' neighbourhoods in one system (module doc, steps 2 and 3)."""

    def __init__(self, system: EquationSystem) -> None:
        self.system = system
        self.matrix = independent_equations(system)
        self.by_cell = self.matrix.tocsc()
        membership = (self.matrix != 0).astype(np.int64)
        self.n_hidden = membership @ system.hidden.astype(np.int64)

    def _equations_of(self, cells: np.ndarray) -> np.ndarray:
        by_cell = self.by_cell
        spans = [by_cell.indices[by_cell.indptr[c] : by_cell.indptr[c + 1]] for c in cells]
        return np.unique(np.concatenate(spans)) if spans else np.zeros(0, dtype=np.int64)

    def _hidden_members(self, equations: np.ndarray) -> np.ndarray:
        matrix = self.matrix
        spans = [matrix.indices[matrix.indptr[e] : matrix.indptr[e + 1]] for e in equations]
        members = np.unique(np.concatenate(spans)) if spans else np.zeros(0, dtype=np.int64)
        hidden: np.ndarray = members[self.system.hidden[members]]
        return hidden

    def region(self, cell: int) -> tuple[np.ndarray, np.ndarray]:
        """The hidden cells of `cell`'s region (sorted) and every equation touching them."""
        region = np.array([cell])
        frontier = region
        for _ in range(REGION_STEPS):
            equations = self._equations_of(frontier)
            small = equations[self.n_hidden[equations] <= REGION_EQUATION]
            frontier = np.setdiff1d(self._hidden_members(small), region)
            if not frontier.size or region.size + frontier.size > MAX_REGION:
                break
            region = np.union1d(region, frontier)
        return region, self._equations_of(region)

    def inside(self, region: np.ndarray, equations: np.ndarray) -> np.ndarray:
        """The `equations` whose hidden members all lie in `region`."""
        in_region = self.matrix[equations][:, region]
        inside: np.ndarray = equations[np.diff(in_region.indptr) == self.n_hidden[equations]]
        return inside

    def free(self, region: np.ndarray, equations: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Per cell of `cells` (in `region`): free in the whole system, shown by a solution zero
        on every hidden cell outside the region (step 3)."""
        rows = span_audit.modular_rows(self.matrix[equations], region)
        return ~span_audit.always_zero(rows, cells)


def _choose(regions: _Regions, determined: np.ndarray, fixed: np.ndarray) -> set[int]:
    """Step 2 of the module doc: cells whose hiding frees the determined ones."""
    system = regions.system
    chosen: set[int] = set()
    planned = np.zeros(len(system.keys), dtype=bool)
    for cell in determined:
        if planned[cell]:
            continue
        region, touching = regions.region(int(cell))
        inside = regions.inside(region, touching)
        on_inside = regions.matrix[inside]
        factorised = Factorised(system, region, on_inside)
        # every determined cell of the region is planned from this one factorisation
        for found in np.intersect1d(factorised.determined(), determined):
            planned[found] = True
            read = on_inside[factorised.rows]
            cells = np.unique(read.indices)
            weights = read[:, cells].T @ factorised.certificate(int(found))
            usable = ~system.hidden[cells] & ~fixed[cells] & (np.abs(weights) > ROUNDING)
            candidates = cells[usable]
            if candidates.size and chosen.isdisjoint(candidates.tolist()):
                order = np.lexsort(
                    (candidates, system.n_conversations[candidates], system.hide_cost[candidates])
                )
                chosen.add(int(candidates[order[0]]))
    return chosen


def _still_determined(system: EquationSystem, suspects: np.ndarray) -> np.ndarray:
    """Step 3 of the module doc: the hidden cells of `system` that are determined, given that
    no hidden cell outside `suspects` can be."""
    regions = _Regions(system)
    unsure = np.zeros(len(system.keys), dtype=bool)
    unsure[suspects] = True
    left = []
    for cell in suspects:
        if not unsure[cell]:
            continue
        region, touching = regions.region(int(cell))
        tested = region[unsure[region]]
        unsure[tested[regions.free(region, touching, tested)]] = False
        if unsure[cell]:  # its own region did not free it
            unsure[cell] = False
            left.append(int(cell))
    if not left:
        return np.zeros(0, dtype=np.int64)
    return span_audit.determined(system)


def plan(
    system: EquationSystem, max_rounds: int = MAX_ROUNDS, fixed: np.ndarray | None = None
) -> Plan:
    """The cells to hide so that no hidden cell of `system` is determined (module doc), never
    one of `fixed` (bool per cell: published cells of frozen periods)."""
    fixed = np.zeros(len(system.keys), dtype=bool) if fixed is None else fixed
    start = system.hidden
    determined = span_audit.determined(system)
    before = len(determined)
    for round_no in range(max_rounds + 1):
        if not determined.size:
            added = np.flatnonzero(system.hidden & ~start)
            # one block: the elimination runs over the whole system, no factorisation of it
            hidden = int(system.hidden.sum())
            return Plan([system.keys[i] for i in added], before, round_no, 1, hidden, 0)
        if round_no == max_rounds:
            break
        chosen = _choose(_Regions(system), determined, fixed)
        if not chosen:
            raise RepairError(
                f"no published cell outside the frozen closed periods, in a region of at most "
                f"{MAX_REGION:,} hidden cells, frees {system.keys[int(determined[0])]}; "
                "nothing was published"
            )
        previous = system.hidden
        system = close_under_single_equations(system.hiding(chosen), fixed)
        suspects = np.union1d(determined, np.flatnonzero(system.hidden & ~previous))
        determined = _still_determined(system, suspects)
    raise RepairError(f"hidden counts still determined after {max_rounds} repair rounds")
