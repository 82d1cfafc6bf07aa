"""Exact linear audit of the published index: can any hidden count be computed from the rest?

Secondary suppression (int_suppression_secondary) makes sure no *single* additive equation gives
a hidden cell back. Several equations combined still can (a month minus a week it holds, an
occupation and its tasks across periods...). The audit takes every equation a reader can form
from published cells and public facts (int_disclosure_equations: hierarchy, node = its six
patterns, occupation = its tasks by the equal split, period = its finer periods), keeps the
hidden cells as unknowns, and asks linear algebra which unknowns the system pins down. With A_H
the coefficients of the hidden cells (equations x hidden) and B = A_H^T:

a hidden cell d is *determined* exactly when every vector of the null space of A_H is zero on it,
equivalently when e_d = B y for some y.

Everything comes from one sparse factorisation per set of hidden cells: the regularised least
squares problem min |B y - b|^2 + delta^2 |y|^2 as the symmetric quasi-definite system
[[I, B], [B^T, -delta^2 I]], which SuperLU orders by minimum degree and solves without pivoting.
Solving with [r; 0] (r random) gives r - B y, a random null-space vector: a determined coordinate
is zero in it up to rounding (around 1e-13), a free one is not (in practice above 1e-5); two
samples are taken. The equations are the dbt model int_disclosure_equations (the ones not
implied by the others), the same the secondary suppression protects, over the published table;
the result agrees with a dense SVD of independently written equations on the test fixtures.

The system splits into independent blocks: the connected components of the graph that joins each
hidden cell to the equations it is in. Equations of different blocks share no hidden cell, so the
null space of A_H is the direct sum of the blocks' null spaces and each block is factorised on
its own (Blocks), one at a time: memory follows the largest block. This is the hidden side's
check; econ_index.span_audit audits (and econ_index.span_repair repairs) from the published side.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import duckdb
import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu

KEY_COLUMNS = ("period_grain", "period_start", "level", "node_id", "facet", "variable")
# The published cells and the disclosure chain's models, as `econ-index build` leaves them.
CELLS = "published.pub_index_cells"
DISCLOSURE_CELLS = "intermediate.int_disclosure_cells"
EQUATIONS = "intermediate.int_disclosure_equations"
SHARE_GROUPS = "intermediate.int_disclosure_share_groups"
# |x_i| below this (x a random null-space vector with unit normal r) counts as determined.
DETERMINED_BELOW = 1e-8
SAMPLES = 2
# Regularisation of the least-squares problem; small next to every non-zero singular value.
DELTA = 1e-7
# A share hidden with its base whose count frozen published cells give (the secondary rounds'
# cascade, int_suppression_secondary): hidden for its share, its count known by design.
PINNED_SHARE = "complementary:pinned_share"

# The published cells numbered in key order, named by the disclosure chain's cell_id, and the
# equations of int_disclosure_equations over them (the only statement of the equations).
_PUBLISHED = """
select
    row_number() over (order by {keys}) - 1 as cell_no,
    published.{key_list},
    published.is_suppressed,
    coalesce(published.suppression_reason = '{pinned_share}', false) as is_pinned_share,
    coalesce(published.n_conversations, 0) as n_conversations,
    disclosure.cell_id,
    disclosure.cell_no as disclosure_cell_no,
    disclosure.hide_cost
from {cells} as published
left join {disclosure_cells} as disclosure using ({keys})
"""
_MEMBERSHIPS = """
with numbered as ({published})
select equations.equation_no, numbered.cell_no, equations.coefficient, equations.is_implied
from {equations} as equations
inner join numbered on equations.cell_no = numbered.disclosure_cell_no
"""
# per base, the cells whose shares give it back (int_disclosure_share_groups)
_SHARES = """
with numbered as ({published})
select bases.cell_no as base_no, shares.cell_no
from {share_groups} as share_groups
inner join numbered as bases on share_groups.base_cell_id = bases.cell_id
inner join numbered as shares on share_groups.cell_id = shares.cell_id
"""


class AuditError(RuntimeError):
    """The published table and the disclosure models do not describe the same cells."""


Key = tuple[object, ...]  # the six key columns of a cell


@dataclass(frozen=True)
class EquationSystem:
    """Every equation over every cell of a publication. What the published cells contribute is
    a constant an attacker reads; which hidden cells are determined depends on `hidden` alone."""

    keys: list[Key]  # every cell, in key order
    hidden: np.ndarray  # bool per cell
    n_conversations: np.ndarray  # per cell, 0 where hidden
    hide_cost: np.ndarray  # per cell (int_disclosure_cells.hide_cost)
    matrix: sparse.csr_matrix  # equations x cells, every equation
    implied: np.ndarray  # bool per equation: follows from the others
    # bool per cell: hidden for its share only (PINNED_SHARE), its count no secret
    count_known: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    # cells x cells: per base, the cells whose shares give it back, directly or through a share
    # of a share (int_disclosure_share_groups); None: no shares
    shares: sparse.csr_matrix | None = None

    def secret(self, cells: np.ndarray) -> np.ndarray:
        """`cells` (indices of hidden cells) without those whose count is known by design."""
        if not self.count_known.size:
            return cells
        kept: np.ndarray = cells[~self.count_known[cells]]
        return kept

    def shares_of(self, cells: np.ndarray) -> np.ndarray:
        """The cells whose shares give one of `cells` (indices) back: hidden with it."""
        if self.shares is None:
            return np.zeros(0, dtype=np.int64)
        found: np.ndarray = np.unique(self.shares[cells].indices)
        return found

    def hiding(self, cells: Iterable[int]) -> EquationSystem:
        """The same system with `cells` (indices) hidden too, and their shares (as dbt hides a
        base's shares with it: int_suppression_secondary, int_suppression_repaired)."""
        chosen = np.fromiter(cells, dtype=np.int64)
        hidden = self.hidden.copy()
        hidden[chosen] = True
        hidden[self.shares_of(chosen)] = True
        return replace(self, hidden=hidden)


@dataclass(frozen=True)
class AuditResult:
    hidden_cells: int
    equations: int
    determined: list[Key]  # hidden cells the system pins down


def equation_system(
    con: duckdb.DuckDBPyConnection,
    cells: str = CELLS,
    disclosure_cells: str = DISCLOSURE_CELLS,
    equations: str = EQUATIONS,
    share_groups: str | None = None,
    *,
    known: EquationSystem | None = None,
) -> EquationSystem:
    """The equations (int_disclosure_equations columns) over the published relation `cells`
    (pub_index_cells columns), matched by key through `disclosure_cells` (int_disclosure_cells
    columns); all readable on `con`. A plan reads `share_groups` too (int_disclosure_share_groups
    columns, e.g. SHARE_GROUPS), so that hiding a base hides its shares; an audit needs none.
    `known`, a system read earlier from the same equations (the repair's passes rebuild only
    models after them): over the same cells its equations and shares are kept and only the
    published state is read again (the equations are most of the reading)."""
    keys = ", ".join(KEY_COLUMNS)
    published = _PUBLISHED.format(
        keys=keys,
        key_list=", published.".join(KEY_COLUMNS),
        cells=cells,
        disclosure_cells=disclosure_cells,
        pinned_share=PINNED_SHARE,
    )
    listed = con.execute(
        f"select {keys}, is_suppressed, n_conversations, hide_cost, is_pinned_share, cell_id"
        f" from ({published}) order by cell_no"
    ).fetchall()
    if unmatched := sum(row[10] is None for row in listed):
        raise AuditError(
            f"{unmatched:,} cells of {cells} are not in {disclosure_cells}: the published "
            "table and the disclosure models come from different builds; run `econ-index "
            "build` again"
        )
    cell_keys = [row[:6] for row in listed]
    state = {
        "hidden": np.array([bool(row[6]) for row in listed], dtype=bool),
        "n_conversations": np.array([float(row[7]) for row in listed]),
        "hide_cost": np.array([float(row[8]) for row in listed]),
        "count_known": np.array([bool(row[9]) for row in listed], dtype=bool),
    }
    if (
        known is not None
        and known.keys == cell_keys
        and (share_groups is None) == (known.shares is None)
    ):
        return EquationSystem(
            keys=cell_keys, matrix=known.matrix, implied=known.implied, shares=known.shares, **state
        )
    rows = con.execute(_MEMBERSHIPS.format(published=published, equations=equations)).fetchnumpy()
    ids, first, equation_no = np.unique(rows["equation_no"], return_index=True, return_inverse=True)
    # coo -> csr sums a cell listed twice in one equation
    matrix = sparse.coo_matrix(
        (rows["coefficient"].astype(float), (equation_no, rows["cell_no"].astype(np.int64))),
        shape=(len(ids), len(listed)),
    ).tocsr()
    shares = None
    if share_groups is not None:
        groups = con.execute(
            _SHARES.format(published=published, share_groups=share_groups)
        ).fetchnumpy()
        shares = sparse.csr_matrix(
            (
                np.ones(len(groups["base_no"]), dtype=bool),
                (groups["base_no"].astype(np.int64), groups["cell_no"].astype(np.int64)),
            ),
            shape=(len(listed), len(listed)),
        )
    return EquationSystem(
        keys=cell_keys,
        matrix=matrix,
        implied=np.asarray(rows["is_implied"], dtype=bool)[first],
        shares=shares,
        **state,
    )


def independent_equations(system: EquationSystem) -> sparse.csr_matrix:
    """The equations the audit factorises: the implied ones add nothing to what is determined,
    only fill to the factors."""
    return system.matrix[np.flatnonzero(~system.implied)].tocsr()


class Factorised:
    """The hidden part of a system, or of one block of it (`cells`: its hidden cells, a whole
    connected component), factorised once (see the module doc); each null-space sample is then one
    cheap solve."""

    def __init__(
        self,
        system: EquationSystem,
        cells: np.ndarray | None = None,
        matrix: sparse.csr_matrix | None = None,
    ) -> None:
        self.system = system
        self.matrix = independent_equations(system) if matrix is None else matrix
        # column j of B^T is cell hidden[j]
        self.hidden = np.flatnonzero(system.hidden) if cells is None else np.sort(cells)
        on_hidden = self.matrix[:, self.hidden]
        # equations without a hidden member constrain the published cells only
        self.rows = np.flatnonzero(on_hidden.getnnz(axis=1))
        b = on_hidden[self.rows].T.tocsc()
        self.m, self.n = b.shape
        if self.m and self.n:
            augmented = sparse.bmat(
                [[sparse.identity(self.m), b], [b.T, -(DELTA**2) * sparse.identity(self.n)]],
                format="csc",
            )
            self._lu = splu(
                augmented,
                permc_spec="MMD_AT_PLUS_A",
                diag_pivot_thresh=0.0,
                options={"SymmetricMode": True},
            )

    def _solve(self, top: np.ndarray, bottom: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        solution = self._lu.solve(np.concatenate([top, bottom]))
        return solution[: self.m], solution[self.m :]

    def determined(self, seed: int = 0) -> np.ndarray:
        """Cell indices of the hidden cells that every solution of the system agrees on."""
        if not self.n:  # no equation reads a hidden cell: all are free
            return np.zeros(0, dtype=np.int64)
        rng = np.random.default_rng(seed)
        smallest = np.full(self.m, np.inf)
        for _ in range(SAMPLES):
            null_vector, _ = self._solve(rng.standard_normal(self.m), np.zeros(self.n))
            smallest = np.minimum(smallest, np.abs(null_vector))
        return self.hidden[smallest < DETERMINED_BELOW]


class Blocks:
    """The hidden part of a system as independent blocks (module doc), factorised one at a time;
    only what each answered is kept, not its factors."""

    def __init__(self, system: EquationSystem) -> None:
        self.system = system
        matrix = independent_equations(system)
        hidden = np.flatnonzero(system.hidden)
        on_hidden = matrix[:, hidden].tocsr()
        rows = np.flatnonzero(on_hidden.getnnz(axis=1))
        # the bipartite graph hidden cells - equations, as one symmetric adjacency
        incidence = on_hidden[rows]
        graph = sparse.bmat([[None, incidence.T], [incidence, None]], format="csr")
        _, labels = connected_components(graph, directed=False)
        cell_labels = labels[: len(hidden)]
        order = np.argsort(cell_labels, kind="stable")
        bounds = np.flatnonzero(np.diff(cell_labels[order])) + 1
        self.sizes: list[int] = []  # hidden cells per block
        self._rows: list[int] = []  # equations per block
        self._determined: list[np.ndarray] = []
        for cells in np.split(hidden[order], bounds) if len(hidden) else []:
            factorised = Factorised(system, cells, matrix)
            self.sizes.append(len(cells))
            self._rows.append(len(factorised.rows))
            self._determined.append(factorised.determined())

    @property
    def equations(self) -> int:
        """Equations with a hidden member."""
        return sum(self._rows)

    def determined(self) -> np.ndarray:
        """Cell indices of the hidden cells that every solution of the system agrees on, but
        those whose count is known by design (EquationSystem.count_known)."""
        found = self._determined
        cells = np.sort(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return self.system.secret(cells)


def audit(con: duckdb.DuckDBPyConnection, *relations: str) -> AuditResult:
    """Which hidden cells of the published cells a reader can compute exactly (see the module
    doc); `relations`: as equation_system takes them."""
    system = equation_system(con, *relations)
    blocks = Blocks(system)
    return AuditResult(
        int(system.hidden.sum()), blocks.equations, [system.keys[i] for i in blocks.determined()]
    )
