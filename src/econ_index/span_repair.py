"""The audit-driven repair at scale, from the published side (issue #15).

econ_index.repair factorises the system of all hidden cells (econ_index.audit.Blocks): at one
million conversations that is one block of 1.8 million unknowns, which does not finish. This
module plans the same repair (module doc of econ_index.repair, steps 2 and 3) from one exact
modular elimination, the one econ_index.span_audit's audit runs, recorded and carried on from
round to round:

1. Eliminate the equations restricted to the hidden cells once (span_audit.eliminate), keeping
   for every row of the echelon form which earlier rows were added to it. Random solutions read
   off it list the determined hidden cells D, exactly as span_audit.determined does.
2. Certificates, all from that one elimination. A determined d has e_d in the row space of the
   hidden part: reducing e_d by the echelon form writes it as a combination of the form's rows,
   and unwinding the recorded steps as one y of the input equations. The published cells with
   a_v . y != 0 are what d's value is computed from. The input equations the elimination reduced
   to nothing (and those of published cells alone) span the left null space of the hidden part:
   a random combination q of them is a relation among published cells only, and a_v . q != 0
   (with probability 1 - 2^-61 whenever some relation holds v) means hiding v alone leaves v
   itself determined, so it frees nothing.
3. Choose as econ_index.repair does: per determined cell, the cheapest certificate cell (hide
   cost, then fewest conversations) that no relation holds, unless a cell already chosen this
   round frees it too; when a relation holds every certificate cell, the cheapest of them, for
   the next round to continue from. Then close under the single-equation rule
   (econ_index.repair.close_under_single_equations), as the rounds would.
4. The next round's audit without a new elimination. Hiding cells adds columns to the hidden
   part; each form row and each relation is its input equation plus its recorded steps, so one
   pass in order of position gives their entries on the new columns, and the relations no
   longer zero there join the form (span_audit.Echelon.add_columns). The result is an echelon
   form of the new hidden part, as exact as a fresh elimination (the tests compare both).

Rounds repeat until nothing is determined. Published cells of frozen periods (`fixed`) are
never chosen: a determined cell only they could free fails the repair. econ_index.repair.build
then has dbt rebuild the chain around the chosen cells (its rounds may hide other cells than
step 3's closure) and plans again on what dbt publishes: that plan's first round is the exact
audit of the whole system from a fresh elimination, and the build ends only when it finds
nothing determined.
"""

from __future__ import annotations

import random

import numpy as np

from econ_index import span_audit
from econ_index.audit import EquationSystem, independent_equations
from econ_index.repair import MAX_ROUNDS, Plan, RepairError, close_under_single_equations
from econ_index.span_audit import PRIME, Row


class Certificates:
    """One round's exact audit of `system` and the certificates of its determined cells (module
    doc, steps 1 and 2)."""

    def __init__(self, system: EquationSystem, seed: int = 0) -> None:
        self.system = system
        self.matrix = independent_equations(system)
        self._by_cell = self.matrix.tocsc()
        self._coefficients = {
            value: span_audit._modular(value) for value in np.unique(self.matrix.data)
        }
        self._rng = random.Random(seed)
        self.echelon = span_audit.eliminate(span_audit._hidden_rows(system), record=True)
        self._audit()

    def _audit(self) -> None:
        """The determined cells, and a random relation among the published cells: y over the
        input equations (step 2)."""
        hidden = np.flatnonzero(self.system.hidden)
        zero = span_audit.always_zero(self.echelon.form, hidden, self._rng.randrange(PRIME))
        self.determined = self.system.secret(hidden[zero])
        weights = [self._rng.randrange(1, PRIME) for _ in self.echelon.relations]
        self._relation = self.echelon.input_combination({}, enumerate(weights))

    def hide(self, system: EquationSystem) -> None:
        """Moves on to `system`, the same equations with more cells hidden: their columns join
        the elimination (span_audit.Echelon.add_columns) instead of a new one."""
        added = np.flatnonzero(system.hidden & ~self.system.hidden)
        entries: dict[int, Row] = {}
        by_cell = self._by_cell
        for cell in added.tolist():
            start, end = by_cell.indptr[cell], by_cell.indptr[cell + 1]
            for equation, value in zip(
                by_cell.indices[start:end].tolist(), by_cell.data[start:end].tolist(), strict=True
            ):
                entries.setdefault(equation, {})[cell] = self._coefficients[value]
        self.system = system
        self.echelon.add_columns(entries)
        self._audit()

    def _dot(self, y: Row, cells: np.ndarray) -> np.ndarray:
        """Per cell of `cells`: whether a_v . y != 0 modulo PRIME (a_v: its column)."""
        by_cell, coefficients = self._by_cell, self._coefficients
        nonzero = np.zeros(len(cells), dtype=bool)
        for number, cell in enumerate(cells.tolist()):
            start, end = by_cell.indptr[cell], by_cell.indptr[cell + 1]
            total = 0
            for equation, value in zip(
                by_cell.indices[start:end].tolist(), by_cell.data[start:end].tolist(), strict=True
            ):
                if equation in y:
                    total += y[equation] * coefficients[value]
            nonzero[number] = total % PRIME != 0
        return nonzero

    def certificate(self, cell: int) -> Row:
        """y over the input equations with y . A = e_cell on the hidden cells, for a determined
        hidden `cell` (step 2)."""
        row: Row = {cell: 1}
        steps = self.echelon.reduce(row)
        if row:
            raise ValueError(f"cell {cell} is not determined")
        # e_cell + sum of factor x (form row) = 0
        return self.echelon.input_combination(
            {position: (-factor) % PRIME for position, factor in steps}
        )

    def read_by(self, cell: int) -> tuple[np.ndarray, np.ndarray]:
        """The published cells `cell`'s certificate reads, and per cell whether a relation among
        published cells holds it (then hiding it alone frees nothing)."""
        y = self.certificate(cell)
        rows = np.fromiter(y, dtype=np.int64, count=len(y))
        spans = [
            self.matrix.indices[self.matrix.indptr[r] : self.matrix.indptr[r + 1]] for r in rows
        ]
        cells = np.unique(np.concatenate(spans)) if spans else np.zeros(0, dtype=np.int64)
        cells = cells[~self.system.hidden[cells]]
        cells = cells[self._dot(y, cells)]
        return cells, self._dot(self._relation, cells)


def _cheapest(system: EquationSystem, cells: np.ndarray) -> int:
    """The secondary rounds' order: hide cost, then fewest conversations, then cell index."""
    order = np.lexsort((cells, system.n_conversations[cells], system.hide_cost[cells]))
    return int(cells[order[0]])


def _choose(certificates: Certificates, fixed: np.ndarray) -> set[int]:
    """Step 3 of the module doc: cells whose hiding frees the determined ones."""
    system = certificates.system
    chosen: set[int] = set()
    for cell in certificates.determined:
        read, held = certificates.read_by(int(cell))
        usable = ~fixed[read]
        read, held = read[usable], held[usable]
        frees = read[~held]
        if frees.size:
            if chosen.isdisjoint(frees.tolist()):
                chosen.add(_cheapest(system, frees))
        elif read.size:
            chosen.add(_cheapest(system, read))
    return chosen


def plan(
    system: EquationSystem, max_rounds: int = MAX_ROUNDS, fixed: np.ndarray | None = None
) -> Plan:
    """The cells to hide so that no hidden cell of `system` is determined (module doc), never
    one of `fixed` (bool per cell: published cells of frozen periods)."""
    fixed = np.zeros(len(system.keys), dtype=bool) if fixed is None else fixed
    start = system.hidden
    certificates = Certificates(system)
    before = len(certificates.determined)
    for round_no in range(max_rounds + 1):
        determined = certificates.determined
        if not determined.size:
            system = certificates.system
            added = np.flatnonzero(system.hidden & ~start)
            # one block: the elimination runs over the whole system, no factorisation of it
            hidden = int(system.hidden.sum())
            return Plan([system.keys[i] for i in added], before, round_no, 1, hidden, 0)
        if round_no == max_rounds:
            break
        chosen = _choose(certificates, fixed)
        if not chosen:
            raise RepairError(
                f"no published cell outside the frozen closed periods frees "
                f"{system.keys[int(determined[0])]}: protecting it would change a figure "
                "already published; nothing was published"
            )
        certificates.hide(close_under_single_equations(certificates.system.hiding(chosen), fixed))
    raise RepairError(f"hidden counts still determined after {max_rounds} repair rounds")
