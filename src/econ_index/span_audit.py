"""The exact audit from the published side: is a hidden cell in the span of the published ones?

econ_index.audit keeps the hidden cells as unknowns (87-97 % of the cells on generated data) and
factorises their system in floating point. This module asks the same question over the
published cells, the GaussSuppression way (Statistics Norway's SSBtools):

1. *Inner cells.* Gaussian elimination of the equations (those not implied), each solved for
   its coarsest member not yet solved for (its total, as a rule), writes every cell as a
   combination of the cells no equation was solved for: the inner cells u, with x = N u for
   every x satisfying the equations (the rows of N span exactly their solutions).
2. *Span test.* A hidden cell h is determined exactly when its row N_h lies in the span of the
   published rows N_P: every solution agrees on it once the published values are fixed. The
   published rows are brought to echelon form one at a time (sparse elimination, the sparsest
   first), a random vector w with N_P w = 0 is read off by back-substitution, and z = N w is a
   random solution that is zero on every published cell: h is determined iff z_h = 0 for every
   sample.

All arithmetic is modulo the prime 2^61 - 1, exact (the allocation shares 1/n become modular
inverses): a determined cell gives z_h = 0 always; a free one gives z_h = 0 with probability
2^-61 per sample. The rank of N_P modulo the prime equals its rank over the rationals unless
the prime divides one of its minors, which no cell count of this model comes near.
"""

from __future__ import annotations

import heapq
import random
from fractions import Fraction

import numpy as np

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
    for column, value in row.items():
        before = target.get(column)
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


def determined(system: EquationSystem, seed: int = 0) -> np.ndarray:
    """Cell indices of the hidden cells that every solution agrees on (step 2 of the module
    doc), the same set as econ_index.audit.Blocks(system).determined()."""
    solved = inner_cells(system)

    def row_of(cell: int) -> Row:
        return solved.get(cell, {cell: 1})

    published = [row_of(int(c)) for c in np.flatnonzero(~system.hidden)]
    published.sort(key=len)
    # pivot on the column fewest published rows hold (Markowitz): the least fill
    holders: dict[int, int] = {}
    for row in published:
        for column in row:
            holders[column] = holders.get(column, 0) + 1
    echelon: list[tuple[int, Row]] = []  # (pivot column, row), in order of elimination
    rank_of: dict[int, int] = {}  # pivot column -> its position in `echelon`
    for original in published:
        row = dict(original)
        # a row of the echelon holds no pivot of an earlier one: eliminating in order of
        # position, each step only brings in later pivots
        queue = [rank_of[c] for c in row if c in rank_of]
        heapq.heapify(queue)
        while queue:
            position = heapq.heappop(queue)
            pivot, pivot_row = echelon[position]
            if pivot not in row:
                continue
            factor = (-row[pivot] * pow(pivot_row[pivot], -1, PRIME)) % PRIME
            for column in _add(row, pivot_row, factor):
                if column in rank_of:
                    heapq.heappush(queue, rank_of[column])
        if row:
            pivot = min(row, key=lambda c: (holders[c], c))
            rank_of[pivot] = len(echelon)
            echelon.append((pivot, row))
    rng = random.Random(seed)
    hidden = np.flatnonzero(system.hidden)
    zero = np.ones(len(hidden), dtype=bool)
    for _ in range(SAMPLES):
        w: dict[int, int] = {}

        def value(column: int, w: dict[int, int] = w) -> int:
            if column not in w:  # a column no pivot fixes is free: random
                w[column] = rng.randrange(PRIME)
            return w[column]

        # a row holds no earlier pivot, so the last row's other columns are all free
        for pivot, row in reversed(echelon):
            total = sum(coefficient * value(c) for c, coefficient in row.items() if c != pivot)
            w[pivot] = (-total * pow(row[pivot], -1, PRIME)) % PRIME
        for i, cell in enumerate(hidden):
            if zero[i]:
                zero[i] = sum(c * value(u) for u, c in row_of(int(cell)).items()) % PRIME == 0
    return hidden[zero]
