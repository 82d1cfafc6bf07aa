"""The exact audit from the published side: is a hidden cell in the span of the published ones?

econ_index.audit keeps the hidden cells as unknowns (87-97 % of the cells on generated data) and
factorises their system in floating point. This module asks the same question over the
published cells, the GaussSuppression way (Statistics Norway's SSBtools):

1. *Inner cells.* Gaussian elimination of the equations (those not implied) writes every cell
   as a combination of the cells no equation was solved for: the inner cells u, with x = N u
   for every x satisfying the equations (the rows of N span exactly their solutions).
2. *Span test.* A hidden cell h is determined exactly when its row N_h lies in the span of the
   published rows N_P: every solution agrees on it once the published values are fixed.

Which cells end up inner is the pivot order's choice, and `determined` solves each equation
for a hidden cell whenever it still holds one. The published cells then stay inner (or
combinations of published inner cells: an equation left with published cells alone), so N_P
spans exactly the published inner columns and the span test asks whether N_h holds no hidden
inner cell. The published columns never touch that question, so they are left out from the
start: the elimination runs on the equations restricted to the hidden cells (the sparsest
first, pivoting on the column fewest equations hold, for the least fill), and a random
solution z of those with z_P = 0 is read off the echelon form by back-substitution, its free
hidden cells drawn at random: h is determined iff z_h = 0 for every sample. A dense published
total never enters a row, and no cost falls on the published side at all. `inner_cells`
keeps the coarsest-first order of step 1 (every cell in terms of the finest ones).

All arithmetic is modulo the prime 2^61 - 1, exact (the allocation shares 1/n become modular
inverses): a determined cell gives z_h = 0 always; a free one gives z_h = 0 with probability
2^-61 per sample. The rank modulo the prime equals the rank over the rationals unless the prime
divides one of the minors, which no cell count of this model comes near.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
from scipy import sparse

from econ_index.audit import EquationSystem, independent_equations

PRIME = 2**61 - 1
SAMPLES = 2
# allocation shares are 1/n with n the occupations a task statement holds
MAX_DENOMINATOR = 10**6

Row = dict[int, int]  # column -> coefficient modulo PRIME


def _modular(value: float) -> int:
    fraction = Fraction(value).limit_denominator(MAX_DENOMINATOR)
    return fraction.numerator * pow(fraction.denominator, -1, PRIME) % PRIME


def _add(target: Row, row: Row, factor: int) -> list[int]:
    """target += factor x row, dropping the zeros; returns the columns new to target."""
    added = []
    get = target.get
    for column, value in row.items():
        before = get(column)
        summed = ((before or 0) + factor * value) % PRIME
        if summed:
            target[column] = summed
            if before is None:
                added.append(column)
        elif before is not None:
            del target[column]
    return added


def inner_cells(system: EquationSystem) -> dict[int, Row]:
    """Step 1 of the module doc: per cell solved for, its combination of inner cells (cells
    absent from the result are inner: their row of N is themselves)."""
    matrix = independent_equations(system)
    coefficients = {value: _modular(value) for value in np.unique(matrix.data)}
    cost = system.hide_cost
    solved: dict[int, Row] = {}
    users: dict[int, set[int]] = {}  # inner cell -> cells solved in terms of it
    # finest equations first, so that a total is solved for before the sums it is part of
    order = sorted(
        range(matrix.shape[0]),
        key=lambda e: (cost[matrix.indices[matrix.indptr[e] : matrix.indptr[e + 1]]].max(), e),
    )
    for equation in order:
        start, end = matrix.indptr[equation], matrix.indptr[equation + 1]
        reduced: Row = {}
        for cell, value in zip(matrix.indices[start:end], matrix.data[start:end], strict=True):
            _add(reduced, solved.get(int(cell), {int(cell): 1}), coefficients[value])
        if not reduced:  # follows from the equations already solved
            continue
        # the coarsest cell no other combination uses yet: no substitution needed
        pivot = min(reduced, key=lambda c: (c in users, -cost[c], c))
        factor = (-pow(reduced.pop(pivot), -1, PRIME)) % PRIME
        combination: Row = {}
        _add(combination, reduced, factor)
        for user in users.pop(pivot, set()):  # the pivot was inner: substitute it
            row = solved[user]
            weight = row.pop(pivot)
            for cell in _add(row, combination, weight):
                users.setdefault(cell, set()).add(user)
            for cell in combination:
                if cell not in row:
                    users[cell].discard(user)
        solved[pivot] = combination
        for cell in combination:
            users.setdefault(cell, set()).add(pivot)
    return solved


def modular_rows(matrix: sparse.csr_matrix, columns: np.ndarray) -> list[Row]:
    """The rows of `matrix` restricted to `columns` (cell indices), modulo PRIME and keyed by
    cell index, one per row of `matrix` (empty where nothing is left)."""
    on_columns = matrix[:, columns].tocsr()
    on_columns.sum_duplicates()
    on_columns.eliminate_zeros()
    values, codes = np.unique(on_columns.data, return_inverse=True)
    modular = [_modular(value) for value in values]
    cells, indptr = columns[on_columns.indices].tolist(), on_columns.indptr.tolist()
    coefficients = [modular[code] for code in codes.tolist()]
    return [
        dict(zip(cells[start:end], coefficients[start:end], strict=True))
        for start, end in zip(indptr[:-1], indptr[1:], strict=True)
    ]


def _hidden_rows(system: EquationSystem) -> list[Row]:
    """The independent equations restricted to the hidden cells (what the published ones add is
    a constant), modulo PRIME, keyed by cell index, one per equation."""
    return modular_rows(independent_equations(system), np.flatnonzero(system.hidden))


Steps = list[tuple[int, int]]  # (position in the echelon form, factor): what a row had added


@dataclass
class Echelon:
    """Sparse row echelon form of some rows (modulo PRIME), from `eliminate`: (pivot column,
    row) in order of elimination, each row holding no pivot of an earlier one. With `record`,
    also how each came about, so that a combination of the form's rows can be written as one
    of the input rows (`input_combination`)."""

    form: list[tuple[int, Row]] = field(default_factory=list)
    rank_of: dict[int, int] = field(default_factory=dict)  # pivot column -> position in form
    inverse: list[int] = field(default_factory=list)  # per position: 1 / its pivot's entry
    record: bool = False
    origin: list[int] = field(default_factory=list)  # per position: its input row
    steps: list[Steps] = field(default_factory=list)  # per position: form rows added to it
    # input rows the earlier ones reduce to nothing: input row -> form rows added to it
    relations: dict[int, Steps] = field(default_factory=dict)
    # who added each form row (by position), so that add_columns visits only what changes
    position_of: dict[int, int] = field(default_factory=dict)  # input row -> position
    users: dict[int, list[int]] = field(default_factory=dict)  # -> later positions
    # -> relations' input rows (some may have joined the form since: skipped when met)
    relation_users: dict[int, list[int]] = field(default_factory=dict)

    def reduce(self, row: Row) -> Steps:
        """Eliminates the form's pivots from `row` (in place); the multiples of form rows added
        to it. A row of the echelon holds no pivot of an earlier one: eliminating in order of
        position, each step only brings in later pivots."""
        steps: Steps = []
        queue = [self.rank_of[c] for c in row if c in self.rank_of]
        heapq.heapify(queue)
        while queue:
            position = heapq.heappop(queue)
            pivot, pivot_row = self.form[position]
            if pivot not in row:
                continue
            factor = (-row[pivot] * self.inverse[position]) % PRIME
            if self.record:
                steps.append((position, factor))
            for column in _add(row, pivot_row, factor):
                if column in self.rank_of:
                    heapq.heappush(queue, self.rank_of[column])
        return steps

    def add_rows(
        self, rows: list[Row], order: Iterable[int], last: Iterable[int] = ()
    ) -> Iterator[int]:
        """Eliminates `rows` in `order` (an input row joins the form iff the earlier ones do
        not span it), yielding each input row once it is in: a caller may stop early. Columns
        `last` are pivots only where a row holds no other column."""
        # pivot on the column fewest rows hold (Markowitz): the least fill
        holders: dict[int, int] = {}
        for row in rows:
            for column in row:
                holders[column] = holders.get(column, 0) + 1
        for column in last:
            holders[column] = holders.get(column, 0) + len(rows) + 1
        for number in order:
            row = dict(rows[number])
            self._append(row, number, self.reduce(row), holders)
            yield number

    def _append(self, row: Row, origin: int, steps: Steps, holders: dict[int, int]) -> None:
        """`row`, reduced, as the form's next row (pivot: the column fewest rows hold, for the
        least fill), or a relation when nothing is left."""
        if not row:
            if self.record:
                self._relation(origin, steps)
            return
        pivot = min(row, key=lambda c: (holders.get(c, 0), c))
        position = len(self.form)
        self.rank_of[pivot] = position
        self.form.append((pivot, row))
        self.inverse.append(pow(row[pivot], -1, PRIME))
        if self.record:
            self.origin.append(origin)
            self.steps.append(steps)
            self.position_of[origin] = position
            for earlier, _ in steps:
                self.users.setdefault(earlier, []).append(position)

    def _relation(self, origin: int, steps: Steps) -> None:
        self.relations[origin] = steps
        for earlier, _ in steps:
            self.relation_users.setdefault(earlier, []).append(origin)

    def add_columns(self, entries: dict[int, Row]) -> list[tuple[int, Steps, Steps | None]]:
        """Columns new to the input rows (cells hidden since the elimination; needs `record`):
        `entries[input row]` their coefficients there. Every form row and relation is its input
        row plus its steps, so one pass in order of position gives each its part on the new
        columns (visiting only the rows `entries` names and those a changed row was added to);
        the relations no longer zero there are reduced and join the form. The form stays an
        echelon form: the old rows hold no new pivot of an earlier row. Returns the relations
        that changed: (input row, steps before, steps added, or None when it joined
        the form); the others are the same combinations of input rows as before."""
        new: dict[int, Row] = {}  # position -> its part on the new columns
        # only rows with new entries, and those that added one of them, change: in order of
        # position (a row's steps are earlier rows), so each sees its earlier rows' parts
        queue = [self.position_of[row] for row in entries if row in self.position_of]
        heapq.heapify(queue)
        done: set[int] = set()
        while queue:
            position = heapq.heappop(queue)
            if position in done:
                continue
            done.add(position)
            part = dict(entries.get(self.origin[position], {}))
            for earlier, factor in self.steps[position]:
                if earlier in new:
                    _add(part, new[earlier], factor)
            if part:
                new[position] = part
                self.form[position][1].update(part)
                for user in self.users.get(position, ()):
                    heapq.heappush(queue, user)
        touched = {row for row in entries if row in self.relations}
        for position in new:
            touched.update(self.relation_users.get(position, ()))
        holders: dict[int, int] = {}
        for part in entries.values():
            for column in part:
                holders[column] = holders.get(column, 0) + 1
        changed: list[tuple[int, Steps, Steps | None]] = []
        for origin in [row for row in self.relations if row in touched]:
            steps = self.relations[origin]
            row = dict(entries.get(origin, {}))
            for earlier, factor in steps:
                if earlier in new:
                    _add(row, new[earlier], factor)
            if not row:
                continue
            del self.relations[origin]
            added = self.reduce(row)
            changed.append((origin, steps, None if row else added))
            self._append(row, origin, steps + added, holders)
        return changed

    def reach(
        self, rows: dict[int, int], floor: int, reach: dict[int, Row] | None = None
    ) -> dict[int, Row]:
        """Per position from `floor` on: the weights of the input rows `rows` (input row ->
        key) in its form row written as input rows, by key, where not zero; needs `record`.
        Form row p is its input row plus the earlier form rows in its steps: one pass up.
        Given `reach` for the positions before `floor`, extends it."""
        reach = {} if reach is None else reach
        for position in range(floor, len(self.form)):
            weights: Row = {}
            key = rows.get(self.origin[position])
            if key is not None:
                weights[key] = 1
            self._gather(weights, self.steps[position], reach)
            if weights:
                reach[position] = weights
        return reach

    def relation_weights(self, row: int, reach: dict[int, Row]) -> Row:
        """The weights `reach` gives, in relation `row` written as input rows."""
        weights: Row = {}
        self._gather(weights, self.relations[row], reach)
        return weights

    @staticmethod
    def _gather(weights: Row, steps: Steps, reach: dict[int, Row]) -> None:
        for position, factor in steps:
            if position in reach:
                _add(weights, reach[position], factor)

    def relation_combinations(self, draws: list[dict[int, int]]) -> list[Row]:
        """Per draw (relation's input row -> weight), y with y . (input rows) = sum of weight x
        relation; needs `record`. Weights on all relations reach nearly every position, so
        the draws are unwound together, densely from the last position down (the modulo taken
        once per position)."""
        weights = [[0] * len(self.form) for _ in draws]
        ys = [dict(draw) for draw in draws]
        for draw, carried in zip(draws, weights, strict=True):
            for row, weight in draw.items():
                for position, factor in self.relations[row]:
                    carried[position] += weight * factor
        for position in range(len(self.form) - 1, -1, -1):
            origin, steps = self.origin[position], self.steps[position]
            for carried, y in zip(weights, ys, strict=True):
                weight = carried[position] % PRIME
                if weight:
                    y[origin] = (y.get(origin, 0) + weight) % PRIME
                    for earlier, factor in steps:
                        carried[earlier] += weight * factor
        return [{row: value for row, value in y.items() if value} for y in ys]

    def input_combination(
        self, weights: dict[int, int], relations: Iterable[tuple[int, int]] = (), floor: int = 0
    ) -> Row:
        """y with y . (input rows) = sum of weights[p] x (form row p) + sum of w x (relation
        r) over (r, w) in `relations` (r: the relation's input row); needs `record`. Form row
        p is its input row plus the earlier form rows in its steps: unwound from the last
        position down, to `floor` (y then leaves out the input rows of earlier positions)."""
        y: Row = {}
        weights = dict(weights)
        for row, weight in relations:
            steps = self.relations[row]
            y[row] = (y.get(row, 0) + weight) % PRIME
            for position, factor in steps:
                weights[position] = (weights.get(position, 0) + weight * factor) % PRIME
        queue = [-position for position in weights]
        heapq.heapify(queue)
        while queue:
            position = -heapq.heappop(queue)
            weight = weights.pop(position, 0)
            if not weight or position < floor:
                continue
            row = self.origin[position]
            y[row] = (y.get(row, 0) + weight) % PRIME
            for earlier, factor in self.steps[position]:
                if earlier < floor:
                    continue
                if earlier not in weights:
                    heapq.heappush(queue, -earlier)
                weights[earlier] = (weights.get(earlier, 0) + weight * factor) % PRIME
        return {row: weight for row, weight in y.items() if weight}


def eliminate(
    rows: list[Row],
    record: bool = False,
    order: Iterable[int] | None = None,
    last: Iterable[int] = (),
) -> Echelon:
    """The echelon form of `rows` (class Echelon), the sparsest rows first, or those `order`
    lists in its order (an input row joins the form iff the earlier ones do not span it); with
    `record`, how each row of it came about. Columns `last`: pivots only where nothing else is
    left (Echelon.add_rows)."""
    if order is None:
        order = sorted(range(len(rows)), key=lambda r: len(rows[r]))
    echelon = Echelon(record=record)
    for _ in echelon.add_rows(rows, order, last):
        pass
    return echelon


def null_vector(
    form: list[tuple[int, Row]], rng: random.Random, given: dict[int, int] | None = None
) -> dict[int, int]:
    """A random w with row . w = 0 for every row of the echelon `form`, by back-substitution:
    columns no pivot fixes are free (drawn when first read; absent from w if never read),
    but those `given` (no pivots of `form`), which take its values."""
    w: dict[int, int] = dict(given or {})
    # a row holds no earlier pivot, so the last row's other columns are all free
    for pivot, row in reversed(form):
        total = 0
        for column, coefficient in row.items():
            if column != pivot:
                if column not in w:
                    w[column] = rng.randrange(PRIME)
                total += coefficient * w[column]
        w[pivot] = (-total * pow(row[pivot], -1, PRIME)) % PRIME
    return w


def always_zero(form: list[tuple[int, Row]], cells: np.ndarray, seed: int = 0) -> np.ndarray:
    """Per cell of `cells`: whether every solution of the rows of echelon `form` (modulo PRIME)
    is zero on it, i.e. it is determined once the columns absent from them are fixed; a cell
    no row holds is free."""
    rng = random.Random(seed)
    zero = np.ones(len(cells), dtype=bool)
    for _ in range(SAMPLES):
        w = null_vector(form, rng)
        zero &= np.array([w.get(int(cell), 1) == 0 for cell in cells], dtype=bool)
    return zero


def determined(system: EquationSystem, seed: int = 0) -> np.ndarray:
    """Cell indices of the hidden cells that every solution agrees on (step 2 of the module
    doc) but those whose count is known by design (EquationSystem.count_known): the same set
    as econ_index.audit.Blocks(system).determined()."""
    hidden = np.flatnonzero(system.hidden)
    form = eliminate(_hidden_rows(system)).form
    return system.secret(hidden[always_zero(form, hidden, seed)])
