"""The exact audit of econ_index.span_audit on two cores: the hidden cells split by month parts.

At 1,000,000 conversations the hidden cells form one connected component (no independent
blocks), but most equations stay inside one month: a period and its finer periods, a node and
its children, an occupation and its tasks within a period. So the cells are split into
contiguous month parts (one per worker; cells of no month, e.g. the all-time ones, into none),
and the hidden part of the equations into

- *local* rows, whose hidden cells all lie in one part, and
- *interface* rows, which hold cells of two parts (a week across a month's end) or of none.

Each part eliminates its local rows on its own (a process per part but the first, which the
calling process runs meanwhile), pivoting on cells no interface row holds where it can, and
reduces its share of every interface row by that form: the row then holds none of the part's
pivots. The reduced shares of a row, summed over the parts (plus its cells of no part), are that
row plus a combination of local rows, so together with the local rows they span the same space.
The calling process eliminates them (the interface), draws a random solution of its form, and
each part back-substitutes through its own form from those values (its other free cells drawn
at random): a random solution of the whole hidden system, as span_audit.null_vector draws one.
A hidden cell is determined iff it is zero in every sample, modulo span_audit.PRIME: the same
verdicts as span_audit.determined (each wrong with probability 2^-61 per sample, as there).
"""

from __future__ import annotations

import multiprocessing
import random
from datetime import date
from multiprocessing.connection import Connection

import numpy as np
from scipy import sparse

from econ_index import span_audit
from econ_index.audit import EquationSystem, independent_equations
from econ_index.span_audit import PRIME, SAMPLES, Row

# `econ-index build --audit-workers`: parts audited in parallel (1: span_audit.determined)
AUDIT_WORKERS = 2


def month_parts(system: EquationSystem, parts: int) -> np.ndarray:
    """Per cell, its part: the months (of period_start) in order, cut into `parts` contiguous
    runs of about equal hidden cells; -1 for cells of no month (period_start not a date)."""
    months = np.array(
        [
            start.year * 12 + start.month if isinstance(start, date) else -1
            for _, start, *_ in system.keys
        ],
        dtype=np.int64,
    )
    dated = months >= 0
    distinct, counts = np.unique(months[dated], return_counts=True)
    hidden = np.bincount(
        np.searchsorted(distinct, months[dated & system.hidden]), minlength=len(distinct)
    )
    # a month's part: where the hidden cells before it fall among `parts` equal runs
    part_of_month = (np.cumsum(hidden) - hidden) * parts // max(int(hidden.sum()), 1)
    part = np.full(len(months), -1, dtype=np.int64)
    part[dated] = part_of_month[np.searchsorted(distinct, months[dated])]
    return part


class _Part:
    """One part's elimination: its local rows' echelon form, its share of each interface row
    reduced by it, then back-substitution from the interface's values."""

    def __init__(self, local: list[Row], shares: list[Row], cells: np.ndarray) -> None:
        self.cells = cells  # its hidden cells
        # a pivot on a cell of an interface row would spread the part's rows into the interface
        interface = {cell for share in shares for cell in share}
        self.echelon = span_audit.eliminate(local, last=interface)
        self.shares = shares

    def reduce(self) -> list[Row]:
        """Per interface row, its share reduced by the part's form (no pivot of it left)."""
        reduced = []
        for share in self.shares:
            row = dict(share)
            self.echelon.reduce(row)
            reduced.append(row)
        self.shares = []
        return reduced

    def ask(self, given: list[dict[int, int]], seed: int) -> None:
        self.asked = (given, seed)

    def answer(self) -> np.ndarray:
        return self.zero(*self.asked)

    def zero(self, given: list[dict[int, int]], seed: int) -> np.ndarray:
        """Per hidden cell of the part: zero in every sample, each sample the interface's values
        `given` back-substituted through the part's form (its other free cells random)."""
        rng = random.Random(seed)
        zero = np.ones(len(self.cells), dtype=bool)
        for values in given:
            w = span_audit.null_vector(self.echelon.form, rng, values)
            zero &= np.array([w.get(int(cell), 1) == 0 for cell in self.cells], dtype=bool)
        return zero


def _serve(connection: Connection) -> None:
    """A worker: one _Part from what it receives, then its reduced shares and its zeros."""
    part = _Part(*connection.recv())
    connection.send(part.reduce())
    connection.send(part.zero(*connection.recv()))
    connection.close()


class _Remote:
    """A _Part in a process of its own (spawned: it shares none of the caller's memory)."""

    def __init__(self, arguments: tuple[list[Row], list[Row], np.ndarray]) -> None:
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs,), daemon=True)
        self.process.start()
        theirs.close()
        self.connection.send(arguments)

    def reduce(self) -> list[Row]:
        reduced: list[Row] = self.connection.recv()
        return reduced

    def ask(self, given: list[dict[int, int]], seed: int) -> None:
        self.connection.send((given, seed))

    def answer(self) -> np.ndarray:
        zero: np.ndarray = self.connection.recv()
        self.process.join()
        return zero


def _split(
    matrix: sparse.csr_matrix, part: np.ndarray, parts: int
) -> tuple[list[np.ndarray], np.ndarray]:
    """The rows of `matrix` (its columns: `part` per column) local to each part, and the
    interface rows (cells of two parts or of none); rows with no cell are in neither."""
    held = np.flatnonzero(np.diff(matrix.indptr))
    column_parts = part[matrix.indices]
    starts = matrix.indptr[held]
    low = np.minimum.reduceat(column_parts, starts) if held.size else held
    high = np.maximum.reduceat(column_parts, starts) if held.size else held
    local = (low == high) & (low >= 0)
    return [held[local & (low == p)] for p in range(parts)], held[~local]


def determined(
    system: EquationSystem,
    seed: int = 0,
    workers: int = AUDIT_WORKERS,
    part: np.ndarray | None = None,
) -> np.ndarray:
    """span_audit.determined's cells (module doc), the hidden cells in `workers` month parts
    (or `part`: per cell, -1 for none) eliminated in parallel; 1 worker and no `part` is
    span_audit.determined itself."""
    if workers <= 1 and part is None:
        return span_audit.determined(system, seed)
    part = month_parts(system, workers) if part is None else part
    hidden = np.flatnonzero(system.hidden)
    hidden_part = part[hidden]
    parts = int(hidden_part.max()) + 1 if hidden.size else 0
    matrix = independent_equations(system)
    on_hidden = matrix[:, hidden].tocsr()
    on_hidden.eliminate_zeros()
    local, interface = _split(on_hidden, hidden_part, parts)
    across = matrix[interface]
    arguments = [
        (
            span_audit.modular_rows(matrix[local[p]], hidden[hidden_part == p]),
            span_audit.modular_rows(across, hidden[hidden_part == p]),
            hidden[hidden_part == p],
        )
        for p in range(parts)
    ]
    # the other parts start in their processes, then the one of fewest rows runs here
    # meanwhile (this process has the interface to do besides)
    here = int(np.argmin([len(rows) for rows in local])) if parts else -1
    runners: dict[int, _Part | _Remote] = {
        p: _Remote(argument) for p, argument in enumerate(arguments) if p != here
    }
    if parts:
        runners[here] = _Part(*arguments[here])
    del arguments
    nowhere = hidden[hidden_part < 0]
    rows = span_audit.modular_rows(across, nowhere)
    for runner in runners.values():
        for row, share in zip(rows, runner.reduce(), strict=True):
            span_audit._add(row, share, 1)
    rng = random.Random(seed)
    form = span_audit.eliminate(rows).form
    values = [span_audit.null_vector(form, rng) for _ in range(SAMPLES)]
    zero = np.zeros(len(system.hidden), dtype=bool)
    zero[nowhere] = [all(w.get(cell, 1) == 0 for w in values) for cell in nowhere.tolist()]
    # the remote parts first (`runners`' order), so that they back-substitute meanwhile
    seeds = {p: rng.randrange(PRIME) for p in range(parts)}
    for p, runner in runners.items():
        mine = set(hidden[hidden_part == p].tolist())
        runner.ask([{c: v for c, v in w.items() if c in mine} for w in values], seeds[p])
    for p, runner in runners.items():
        zero[hidden[hidden_part == p]] = runner.answer()
    return system.secret(hidden[zero[hidden]])
