"""Audit-driven complementary suppression: the cells to hide so that no hidden count follows
from the published ones, planned from the published side (issue #15).

Secondary suppression (int_suppression_secondary) protects every cell against each single
equation; what several equations combined still give back, the exact audit finds. This module
chooses more cells to hide; econ_index.repair hands them to dbt (``raw.suppression_repairs``),
which hides them after its rounds (int_suppression_repaired). Everything comes from one exact
modular elimination, the one econ_index.span_audit's audit runs, recorded and carried on from
round to round:

1. Eliminate the equations restricted to the hidden cells once (span_audit.eliminate), keeping
   for every row of the echelon form which earlier rows were added to it. Random solutions read
   off it list the determined hidden cells D, exactly as span_audit.determined does.
2. Certificates, all from that one elimination. A determined d has e_d in the row space of the
   hidden part: reducing e_d by the echelon form writes it as a combination of the form's rows,
   and unwinding the recorded steps as one y of the input equations. The published cells with
   a_v . y != 0 are what d's value is computed from. The input equations the elimination
   reduced to nothing (and those of published cells alone) span the left null space N of the
   hidden part: a random combination q of them is a relation among published cells only, and
   a_v . q != 0 (with probability 1 - 2^-61 whenever some relation holds v) means hiding v
   alone leaves v itself determined, so it frees nothing.
3. Choose, per determined cell d, cells whose hiding frees d and leaves none of them
   determined: hiding a set S keeps d determined iff y . A_S (A_S: the columns of S) is
   n . A_S for some n in N. So the cheapest certificate cell (hide cost, then fewest
   conversations) that no relation holds frees d and is free itself, and so does any set
   holding it: a cell already chosen this round that frees d is kept instead. When a relation
   holds every certificate cell, hiding the cheapest, v, alone frees nothing (at 100,000
   conversations that fallback hid cells round after round and stayed at 24 determined):
   v and a cell w go together, w the cheapest for which N restricted to {v, w} is one line
   holding neither unit vector nor (y . a_v, y . a_w), checked exactly with two random
   relations (Certificates.partner). When no pair frees d either (hiding v alone, as before,
   freed nothing for good: at 1,000,000 conversations 4-5 cells stayed determined for 19
   rounds), in the tail (module doc, below) a local perturbation does
   (Certificates.perturbations): a change z of the table
   that keeps every equation (A z = 0, A over all cells) with z_d = 1 and z zero on the
   frozen cells, among the cells near d; hiding the published cells z moves frees d and each
   of them, since z is then zero on every cell still published (one elimination around all
   the round's such cells finds every z, each as cheap as one found around d alone would be
   in the same cells). Frozen cells are never
   chosen. Then close under the single-equation rule (close_under_single_equations), as the
   rounds would.
4. The next round's audit without a new elimination. Hiding cells adds columns to the hidden
   part; each form row and each relation is its input equation plus its recorded steps, so one
   pass in order of position gives their entries on the new columns, and the relations no
   longer zero there join the form (span_audit.Echelon.add_columns). The result is an echelon
   form of the new hidden part, as exact as a fresh elimination (the tests compare both). The
   random relations carry over: only the relations that joined the form or took more steps
   change, so only that difference is unwound (Certificates._carry). Nor is a new random
   solution drawn: hiding only adds unknowns, so only the cells determined before and those
   just hidden can be determined, and each is tested exactly by reducing its unit vector.

Rounds repeat until nothing is determined, and the tail ends: hiding more cells only adds
unknowns, so a free cell (one some z with A z = 0, zero on every published cell, moves) stays
free whatever is hidden later. In a round that starts with at most PERTURB_BELOW determined
cells, each rule of step 3 frees the cell it serves and leaves every cell it hides free, so
every cell determined at its start is free at its end, and only cells the single-equation
closure hid can be determined after it. (Earlier rounds hide v alone where no pair serves, which
is cheaper and, at scale, leaves only a handful of cells for the tail.)

Published cells of frozen periods (`fixed`) are never chosen: a determined cell only they could
free fails the repair. Every cell hidden, chosen or by the closure, hides its shares with it
(EquationSystem.hiding, from int_disclosure_share_groups), in the same step, so their columns
join the elimination and the round that follows audits them. econ_index.repair.build then has
dbt hide the plan's cells after its rounds (int_suppression_repaired, which hides their shares
from the same model), so dbt publishes the state the plan ended on, and plans again on what dbt
publishes: that plan's first round is the exact audit of the whole system from a fresh
elimination, and the build ends only when it finds nothing determined. Expected clean, that
audit runs first on its own (confirm_then_plan: span_parts.determined, in parallel, recording
nothing), and the plan only when it finds something.

Once a plan finds nothing, `release` publishes again the hidden headline cells nothing needs
hidden (rounds never publish a cell again), from that plan's elimination (a fresh one after a
confirming audit, which records none): econ_index.repair records them as releases, and the next
audit checks what dbt publishes.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from econ_index import span_audit, span_parts
from econ_index.audit import EquationSystem, Key, independent_equations
from econ_index.span_audit import PRIME, SAMPLES, Row, Steps

MAX_ROUNDS = 50
# the neighbourhood of a determined cell a local perturbation may move (Certificates.perturbations):
# radii in hops of the cell-equation graph, tried in turn, and at most this many cells
RADII = (1, 2, 4, 8, 16)
MAX_NEIGHBOURHOOD = 1_000_000
# a perturbation eliminates a neighbourhood afresh (at 100,000 conversations, for every cell no
# pair frees in the first rounds, more than ten times the whole plan): it serves only the tail,
# the rounds that start with at most this many determined cells
PERTURB_BELOW = 50


class RepairError(RuntimeError):
    """The repair did not reach a publication where no hidden count is determined."""


@dataclass(frozen=True)
class Plan:
    added: list[Key]  # cells to hide, beyond those already hidden
    determined_before: int  # hidden cells determined before the repair
    rounds: int
    per_round: list[int] = field(default_factory=list)  # determined at the start of each round
    # hidden with `added` as shares of a base among them (EquationSystem.shares_of), which
    # int_suppression_repaired hides itself
    shares: list[Key] = field(default_factory=list)
    # hidden cells published again once the plan found nothing (econ_index.repair: `release`)
    released: list[Key] = field(default_factory=list)
    # an echelon form of the hidden part the plan ended on (span_audit.Echelon.form), for
    # `release` to start from; dropped once used (it is the size of the elimination)
    form: list[tuple[int, Row]] = field(default_factory=list, repr=False, compare=False)


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
        # per random relation: its weight per relation (by input row), q, what it holds
        self._relations: list[tuple[Row, Row, Row]] = []
        hidden = np.flatnonzero(system.hidden)
        zero = span_audit.always_zero(self.echelon.form, hidden, self._rng.randrange(PRIME))
        self._round(system.secret(hidden[zero]), {})

    def _round(self, determined: np.ndarray, reduced: dict[int, Steps]) -> None:
        """A new round's determined cells (step 1) and, for some, e_cell's reduction by the
        form (Certificates.certificate)."""
        self.determined = determined
        self._reduced = reduced
        self._lines: dict[int, list[int]] | None = None  # Certificates._line, per round
        self._ratio: dict[int, int] = {}

    def _still_determined(self, cells: np.ndarray) -> tuple[np.ndarray, dict[int, Steps]]:
        """Those of `cells` determined by the (updated) form, exactly: e_cell reduces to
        nothing iff it is in the row space of the hidden part; with their reductions."""
        reduced: dict[int, Steps] = {}
        for cell in cells.tolist():
            row: Row = {cell: 1}
            steps = self.echelon.reduce(row)
            if not row:
                reduced[cell] = steps
        return np.array(sorted(reduced), dtype=np.int64), reduced

    def relation(self, number: int) -> tuple[Row, Row]:
        """The `number`th random relation among published cells (step 2): q over the input
        equations (q . A has no hidden part), and a_v . q per published cell v it holds."""
        if len(self._relations) <= number:
            # drawn together, at least two (Certificates.partner reads two)
            draws = [
                {origin: self._rng.randrange(1, PRIME) for origin in self.echelon.relations}
                for _ in range(max(number, 1) + 1 - len(self._relations))
            ]
            for weights, q in zip(draws, self.echelon.relation_combinations(draws), strict=True):
                self._relations.append((weights, q, self._holds(q)))
        _, q, holds = self._relations[number]
        return q, holds

    def _holds(self, q: Row, before: Row | None = None, rows: Iterable[int] = ()) -> Row:
        """a_v . q per published v where it is not zero; given what an earlier q held
        (`before`) and the input rows where q changed since (`rows`), only the cells in those
        rows are computed again."""
        if before is None:
            cells = np.flatnonzero(~self.system.hidden).tolist()
            kept: Row = {}
        else:
            cells = self._published_in(rows)
            again = set(cells)
            hidden = self.system.hidden
            kept = {v: p for v, p in before.items() if not hidden[v] and v not in again}
        products = zip(cells, self.products(q, cells), strict=True)
        return kept | {v: p for v, p in products if p}

    def hide(self, system: EquationSystem) -> None:
        """Moves on to `system`, the same equations with more cells hidden: their columns join
        the elimination (span_audit.Echelon.add_columns) instead of a new one, and the random
        relations drop the relations that joined it (module doc, step 4)."""
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
        changed = self.echelon.add_columns(entries)
        relations, self._relations = self._relations, []
        for weights, q, holds in relations:
            weights, q, rows = self._carry(weights, q, changed)
            self._relations.append((weights, q, self._holds(q, holds, rows)))
        # hiding only adds unknowns: a free cell stays free, so only the cells determined
        # before and those just hidden can be determined now (no new random solution needed)
        self._round(*self._still_determined(self.system.secret(np.union1d(self.determined, added))))

    def _carry(
        self, weights: Row, q: Row, changed: list[tuple[int, Steps, Steps | None]]
    ) -> tuple[Row, Row, set[int]]:
        """The random relation sum of weights[r] x (relation r) after add_columns `changed`
        some relations: a relation that joined the form leaves the sum, one that took more
        steps brings them in; the others are unchanged, so only the difference is unwound.
        Also the input rows where q changed."""
        weights, q = dict(weights), dict(q)
        positions: dict[int, int] = {}
        for origin, before, more in changed:
            weight = weights[origin]
            steps = before if more is None else more
            sign = -1 if more is None else 1
            if more is None:
                del weights[origin]
                q[origin] = (q.get(origin, 0) - weight) % PRIME
            for position, factor in steps:
                positions[position] = (positions.get(position, 0) + sign * weight * factor) % PRIME
        difference = self.echelon.input_combination(positions)
        for row, value in difference.items():
            q[row] = (q.get(row, 0) + value) % PRIME
        rows = {origin for origin, _, more in changed if more is None} | difference.keys()
        return weights, {row: value for row, value in q.items() if value}, rows

    def products(self, y: Row, cells: list[int]) -> list[int]:
        """Per cell of `cells`: a_v . y modulo PRIME (a_v: its column)."""
        by_cell, coefficients = self._by_cell, self._coefficients
        indptr, indices, data = by_cell.indptr, by_cell.indices, by_cell.data
        out = []
        for cell in cells:
            total = 0
            for position in range(indptr[cell], indptr[cell + 1]):
                weight = y.get(int(indices[position]))
                if weight:
                    total += weight * coefficients[data[position]]
            out.append(total % PRIME)
        return out

    def certificate(self, cell: int) -> Row:
        """y over the input equations with y . A = e_cell on the hidden cells, for a determined
        hidden `cell` (step 2)."""
        steps = self._reduced.get(cell)
        if steps is None:
            row: Row = {cell: 1}
            steps = self.echelon.reduce(row)
            if row:
                raise ValueError(f"cell {cell} is not determined")
        # e_cell + sum of factor x (form row) = 0
        return self.echelon.input_combination(
            {position: (-factor) % PRIME for position, factor in steps}
        )

    def reads(self, y: Row) -> Row:
        """The published cells v a certificate `y` reads, with a_v . y."""
        cells = self._published_in(y)
        return {v: p for v, p in zip(cells, self.products(y, cells), strict=True) if p}

    def _published_in(self, rows: Iterable[int]) -> list[int]:
        """The published cells of the input equations `rows`."""
        matrix = self.matrix
        spans = [matrix.indices[matrix.indptr[r] : matrix.indptr[r + 1]] for r in rows]
        cells = np.unique(np.concatenate(spans)) if spans else np.zeros(0, dtype=np.int64)
        published: list[int] = cells[~self.system.hidden[cells]].tolist()
        return published

    def _line(self, v: int) -> list[int]:
        """The published cells w a relation holds on which the relations vanishing on v vanish
        too: a_w . q2 / a_w . q1 = a_v . q2 / a_v . q1 (q2 - ratio x q1 is a random one of
        them), grouped once per round."""
        if self._lines is None:
            first, second = self.relation(0)[1], self.relation(1)[1]
            self._lines = {}
            for w, holds in first.items():
                ratio = second.get(w, 0) * pow(holds, -1, PRIME) % PRIME
                self._lines.setdefault(ratio, []).append(w)
            self._ratio = {w: r for r, cells in self._lines.items() for w in cells}
        return self._lines[self._ratio[v]]

    def partner(self, y: Row, read: Row, v: int, usable: np.ndarray) -> int | None:
        """For a determined cell whose certificate `y` reads `read` (a_u . y per published u),
        and v among them that a relation holds: the cheapest usable w such that hiding v and w
        frees the cell and leaves neither determined (module doc, step 3), or None.

        Hiding {v, w} leaves the cell determined iff (a_v . y, a_w . y) is the (a_v, a_w) part
        of some relation n, and leaves v (w) determined iff that part can be (1, 0) ((0, 1)).
        With q1 holding v, the parts form the line through (a_v . q1, a_w . q1) iff the
        relations that vanish on v vanish on w (`_line`). On that line, neither unit vector
        lies when a_w . q1 != 0, and (a_v . y, a_w . y) lies iff its determinant with
        (a_v . q1, a_w . q1) is zero."""
        first = self.relation(0)[1]
        candidates = [w for w in self._line(v) if w != v and usable[w]]
        on = self.products(y, candidates)
        frees = [
            w
            for w, on_w in zip(candidates, on, strict=True)
            if (on_w * first[v] - read[v] * first[w]) % PRIME
        ]
        return _cheapest(self.system, np.array(frees, dtype=np.int64)) if frees else None

    def _neighbourhood(self, cells: list[int], hops: int, fixed: np.ndarray) -> np.ndarray:
        """The cells within `hops` of `cells` in the graph joining each cell to the equations
        it is in, frozen published cells left out (and not passed through)."""
        matrix, by_cell = self.matrix, self._by_cell
        movable = self.system.hidden | ~fixed
        seen = np.zeros(len(movable), dtype=bool)
        seen[cells] = True
        frontier = np.array(cells)
        for _ in range(hops):
            equations = np.unique(by_cell[:, frontier].indices)
            reached = np.unique(matrix[equations].indices)
            frontier = reached[~seen[reached] & movable[reached]]
            seen[frontier] = True
            if not frontier.size or seen.sum() > MAX_NEIGHBOURHOOD:
                break
        return np.flatnonzero(seen)

    def perturbations(self, cells: list[int], fixed: np.ndarray) -> set[int]:
        """The cells moved by changes z of the table that keep every equation (A z = 0), one
        with z_d = 1 for each determined d of `cells` that an earlier one does not move, none
        of `fixed` moved, found near them (module doc, step 3): hiding their published cells
        frees every cell they move.

        Such z, zero outside a neighbourhood W, is a dependency among W's columns that holds
        d. One elimination serves every cell of `cells` in W (Certificates._serve): the other
        hidden columns, then those cells' (each joins the form: d is determined iff its column
        is not in the span of the other hidden ones), then the published ones cheapest first,
        each reduced to nothing (a relation) iff the earlier columns span it. The first
        published relation that holds d gives z: its published cells are those a separate
        elimination of W without d, hidden first, then published cheapest first, would
        combine (the cheapest published columns that serve d). W is the cells within RADII
        hops of the cells not yet served, in turn. A W past MAX_NEIGHBOURHOOD is not
        eliminated (at 1,000,000 conversations the union of 19 neighbourhoods passed it at 8
        hops; eliminating it, then each cell alone from 1 hop, took 413 CPU s): W grows from the
        first cells only (Certificates._batch), then from the next ones not served, at the
        same radius (a smaller one cannot serve a cell the union's did not: its neighbourhood
        lay inside the union). One cell's W past the bound is cut there and tried once. When
        none serves a cell, RepairError says what was tried. (z is unwound only down to the
        other hidden columns: the cells it moves there are hidden already.)"""
        system, moved = self.system, set[int]()
        left, tried, cut = list(cells), [], False
        for hops in RADII:
            pending, failed = left, []  # failed: not served by W around them at `hops`
            while pending and not cut:
                around = self._neighbourhood(pending, hops, fixed)
                seeds = pending
                if len(around) > MAX_NEIGHBOURHOOD and len(pending) > 1:
                    seeds, around = self._batch(pending, hops, fixed)
                tried.append(f"{hops} hops ({len(around):,} cells)")
                # every stuck cell in W is served with the seeds, by the same elimination
                within = np.isin(pending, around).tolist()
                moved |= self._serve(around, [c for c, w in zip(pending, within, strict=True) if w])
                unserved = [cell for cell in seeds if cell not in moved]
                failed += unserved
                cut = bool(unserved) and len(around) > MAX_NEIGHBOURHOOD  # W can grow no more
                pending = [cell for cell in pending if cell not in moved and cell not in seeds]
            left = failed
            if not left or cut:
                break
        if left:
            raise RepairError(
                f"no change of the table near {system.keys[left[0]]} frees it without a "
                f"frozen published cell (tried {', '.join(tried)}); nothing was published"
            )
        return moved

    def _serve(self, around: np.ndarray, cells: list[int]) -> set[int]:
        """The cells moved by the changes z found in W `around` for `cells` (those in W),
        each z the first relation holding its cell (perturbations)."""
        system, moved = self.system, set[int]()
        others = np.setdiff1d(around, cells)
        hidden = system.hidden[others]
        ordered = np.concatenate([others[hidden], cells, _by_cost(system, others[~hidden])]).astype(
            np.int64
        )
        echelon, floor, found = self._first_relations(ordered, int(hidden.sum()), len(cells))
        for i, cell in enumerate(cells):
            if cell not in moved and i in found:
                dependency = echelon.input_combination({}, [(found[i], 1)], floor)
                moved.update(int(ordered[row]) for row in dependency)
        return moved

    def _first_relations(
        self, ordered: np.ndarray, first: int, count: int
    ) -> tuple[span_audit.Echelon, int, dict[int, int]]:
        """Eliminates the columns of `ordered` in order (input rows first .. first + count - 1:
        the stuck cells, published cells after them) until each stuck cell i has a published
        relation holding it: the form, the first stuck cell's position, and per i its first
        relation's input row. The relations after those are not needed (each z is the first
        relation holding its cell), so the elimination stops there."""
        echelon = span_audit.Echelon(record=True)
        stuck = {first + i: i for i in range(count)}
        floor = len(ordered)
        # which stuck cells each form row (from floor on) holds: which a relation holds
        # without unwinding it
        reach: dict[int, Row] = {}
        found: dict[int, int] = {}
        for row in echelon.add_rows(self._columns(ordered), range(len(ordered))):
            if row == first + count - 1:  # every stuck column joined the form
                floor = min(echelon.position_of[r] for r in stuck)
                echelon.reach(stuck, floor, reach)
            elif row in echelon.relations and row >= first + count:
                for i in echelon.relation_weights(row, reach):
                    found.setdefault(i, row)
                if len(found) == count:
                    break
            elif row >= first + count:
                echelon.reach(stuck, len(echelon.form) - 1, reach)
        return echelon, floor, found

    def _batch(
        self, cells: list[int], hops: int, fixed: np.ndarray
    ) -> tuple[list[int], np.ndarray]:
        """The first of `cells`, up to where the union of their neighbourhoods within `hops`
        would pass MAX_NEIGHBOURHOOD (the first alone when its own passes it), and that union."""
        union, end = self._neighbourhood(cells[:1], hops, fixed), 1
        while end < len(cells) and len(union) <= MAX_NEIGHBOURHOOD:
            joined = np.union1d(union, self._neighbourhood([cells[end]], hops, fixed))
            if len(joined) > MAX_NEIGHBOURHOOD:
                break
            union, end = joined, end + 1
        return cells[:end], union

    def _columns(self, cells: np.ndarray) -> list[Row]:
        """Per cell of `cells`: its column of the equations, modulo PRIME, keyed by equation."""
        by_cell, coefficients = self._by_cell, self._coefficients
        return [
            {
                int(equation): coefficients[value]
                for equation, value in zip(
                    by_cell.indices[by_cell.indptr[c] : by_cell.indptr[c + 1]],
                    by_cell.data[by_cell.indptr[c] : by_cell.indptr[c + 1]],
                    strict=True,
                )
            }
            for c in cells.tolist()
        ]


def _cheapest(system: EquationSystem, cells: np.ndarray) -> int:
    """The secondary rounds' order: hide cost, then fewest conversations, then cell index."""
    return int(_by_cost(system, cells)[0])


def _by_cost(system: EquationSystem, cells: np.ndarray) -> np.ndarray:
    return cells[np.lexsort((cells, system.n_conversations[cells], system.hide_cost[cells]))]


def _choose(certificates: Certificates, fixed: np.ndarray, perturb: bool) -> set[int]:
    """Step 3 of the module doc: cells whose hiding frees the determined ones, none of which
    is then determined itself; with `perturb`, also those no single cell or pair frees."""
    system = certificates.system
    usable = ~fixed
    holds = certificates.relation(0)[1]
    chosen: set[int] = set()
    stuck: list[int] = []  # no single cell or pair frees them
    for cell in certificates.determined.tolist():
        y = certificates.certificate(cell)
        read = {v: p for v, p in certificates.reads(y).items() if usable[v]}
        frees = np.array([v for v in read if v not in holds], dtype=np.int64)
        if frees.size:
            # a cell no relation holds, once hidden, frees every certificate reading it
            if chosen.isdisjoint(frees.tolist()):
                chosen.add(_cheapest(system, frees))
            continue
        order = _by_cost(system, np.array(sorted(read), dtype=np.int64)).tolist()
        for v in order:
            w = certificates.partner(y, read, v, usable)
            if w is not None:
                chosen.update((v, w))
                break
        else:
            if not order:
                continue
            if perturb:  # no pair frees it: a change of the table near it does
                stuck.append(cell)
            else:  # the next round continues from the cheapest
                chosen.add(order[0])
    if stuck:
        chosen.update(v for v in certificates.perturbations(stuck, fixed) if not system.hidden[v])
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
    left: list[int] = []  # determined cells at the start of each round, for the error
    for round_no in range(max_rounds + 1):
        determined = certificates.determined
        left.append(len(determined))
        if not determined.size:
            system = certificates.system
            added = np.flatnonzero(system.hidden & ~start)
            shares = np.intersect1d(added, system.shares_of(added))
            return Plan(
                [system.keys[i] for i in np.setdiff1d(added, shares)],
                before,
                round_no,
                left,
                [system.keys[i] for i in shares],
                form=certificates.echelon.form,
            )
        if round_no == max_rounds:
            break
        chosen = _choose(certificates, fixed, perturb=len(determined) <= PERTURB_BELOW)
        if not chosen:
            raise RepairError(
                f"no published cell outside the frozen closed periods frees "
                f"{system.keys[int(determined[0])]}: protecting it would change a figure "
                "already published; nothing was published"
            )
        certificates.hide(close_under_single_equations(certificates.system.hiding(chosen), fixed))
    raise RepairError(
        f"hidden counts still determined after {max_rounds} repair rounds (determined before "
        f"each round: {', '.join(f'{n:,}' for n in left)})"
    )


def confirm_then_plan(
    system: EquationSystem,
    fixed: np.ndarray | None = None,
    workers: int = span_parts.AUDIT_WORKERS,
) -> Plan:
    """`plan`, for a publication expected clean (one a plan was just applied to): the fresh
    exact audit first, in month parts on `workers` processes (span_parts.determined; it
    records nothing, so costs less than the plan's first round), and the plan only when it
    finds a determined cell."""
    if span_parts.determined(system, workers=workers).size:
        return plan(system, fixed=fixed)
    return Plan([], 0, 0, [0])


_LOW31 = np.uint64(2**31 - 1)
_LOW30 = np.uint64(2**30 - 1)
_P = np.uint64(PRIME)


# random solutions drawn at once when the release runs out (one sweep of the form serves them)
BATCH = 16


def _times(vector: np.ndarray, factor: int | np.ndarray) -> np.ndarray:
    """vector x factor modulo PRIME, elementwise (uint64 entries below PRIME; `factor` an int
    or an array that broadcasts): in 31- and 30-bit halves, 2^61 = 1 modulo PRIME, so no
    partial product passes 64 bits."""
    high, low = vector >> np.uint64(31), vector & _LOW31
    factor = np.asarray(factor, dtype=np.uint64)
    factor_high, factor_low = factor >> np.uint64(31), factor & _LOW31
    middle = high * factor_low + low * factor_high  # below 2^62, times 2^31
    total = (
        np.uint64(2) * (high * factor_high)  # times 2^62 = 2
        + (middle >> np.uint64(30))
        + ((middle & _LOW30) << np.uint64(31))
        + low * factor_low
    )
    total = (total & _P) + (total >> np.uint64(61))
    total = (total & _P) + (total >> np.uint64(61))
    reduced: np.ndarray = np.where(total >= _P, total - _P, total)
    return reduced


def _minus(vector: np.ndarray, other: np.ndarray, factor: int) -> np.ndarray:
    """vector - factor x other modulo PRIME."""
    product = _times(other, factor)
    difference: np.ndarray = np.where(vector >= product, vector - product, vector + (_P - product))
    return difference


class _Solutions:
    """Random solutions of the rows of an echelon `form` (span_audit.null_vector's), many per
    sweep: back-substitution by levels. A pivot's value is a combination of the columns of its
    row, free ones and pivots of later rows; a row's level is one more than the highest of the
    rows whose pivots it reads, so every row of a level reads only values already final, and
    a level is a few array operations over all its entries and all samples at once."""

    def __init__(self, form: list[tuple[int, Row]], cells: np.ndarray, seed: int) -> None:
        self.cells = cells  # the columns, in the order of the solutions' entries
        position = {cell: at for at, cell in enumerate(cells.tolist())}
        level_of: dict[int, int] = {}  # pivot column -> its row's level
        targets: list[int] = []  # per entry: its row's pivot, the column it reads, the factor
        sources: list[int] = []
        factors: list[int] = []
        levels: list[int] = []
        zero: list[int] = []  # pivots of rows holding nothing else: 0 in every solution
        for pivot, row in reversed(form):
            minus_inverse = (-pow(row[pivot], -1, PRIME)) % PRIME
            level, start = 0, len(targets)
            for column, coefficient in row.items():
                if column != pivot:
                    level = max(level, level_of.get(column, -1) + 1)
                    sources.append(position[column])
                    factors.append(coefficient * minus_inverse % PRIME)
            if len(sources) == start:
                zero.append(position[pivot])
            targets += [position[pivot]] * (len(sources) - start)
            levels += [level] * (len(sources) - start)
            level_of[pivot] = level
        order = np.lexsort((np.array(targets), np.array(levels)))
        self._targets = np.array(targets, dtype=np.int64)[order]
        self._sources = np.array(sources, dtype=np.int64)[order]
        self._factors = np.array(factors, dtype=np.uint64)[order][:, None]
        sorted_levels = np.array(levels, dtype=np.int64)[order]
        self._levels = np.flatnonzero(np.diff(sorted_levels, prepend=-1, append=-2))
        self._zero = np.array(zero, dtype=np.int64)
        self._rng = np.random.default_rng(seed)

    def draw(self, count: int) -> list[np.ndarray]:
        """`count` independent random solutions, each over `cells` (a column no row holds, or
        no pivot fixes, is free: uniform)."""
        values = self._rng.integers(0, PRIME, size=(len(self.cells), count), dtype=np.uint64)
        values[self._zero] = 0
        for start, end in zip(self._levels[:-1], self._levels[1:], strict=True):
            targets = self._targets[start:end]
            products = _times(values[self._sources[start:end]], self._factors[start:end])
            # summed in 31-bit halves (a row's entries cannot carry past 64 bits), per row
            first = np.flatnonzero(np.diff(targets, prepend=-1))
            high = np.add.reduceat(products >> np.uint64(31), first, axis=0) % _P
            low = np.add.reduceat(products & _LOW31, first, axis=0) % _P
            values[targets[first]] = (_times(high, 2**31) + low) % _P
        return list(values.T.copy())


def release(
    system: EquationSystem,
    candidates: Iterable[int],
    form: list[tuple[int, Row]] | None = None,
    seed: int = 0,
) -> list[int]:
    """Of `candidates` (hidden cells, e.g. the headline cells hidden to protect others), those
    published one after another, most expensive to hide first, while no hidden count becomes
    determined: returns them in that order. `system` must be clean (nothing determined);
    `form`, an echelon form of its hidden part (span_audit.Echelon.form) if one is at hand.

    One elimination serves every candidate. N, the solutions of the equations restricted to
    the hidden cells, leaves a hidden d free iff some x in N has x_d != 0; publishing c keeps
    the x with x_c = 0, so d becomes determined iff x_d is a multiple of x_c over N. Two random
    x, x' of N (_Solutions, BATCH at a time) test that for every d at once: x_d x'_c = x'_d x_c
    holds for every pair when it is a multiple, and with probability 2^-61 otherwise, which
    only keeps c hidden. Once c is published, N shrinks to its x with x_c = 0: each random
    vector held minus the right multiple of one with x_c != 0 (that one, spent, recorded) is
    again a random vector of it, and a fresh one drawn later takes the same steps, so the next
    candidate is tested on the new state without eliminating again.

    A candidate is also kept hidden when publishing it would leave an equation with exactly
    one secret hidden member: the secondary rounds' rule (close_under_single_equations), over
    every equation, implied ones too (a straddling week's days inside a month add up to a
    figure the rounds protect, though the audit may find their one hidden day free while the
    month is hidden); a rerun of the rounds, e.g. once its period is frozen, would otherwise
    not reach a fixpoint. And when its count is known by design (count_known), or it is a share
    of a hidden base (its count and share give the base back: EquationSystem.shares)."""
    hidden = np.flatnonzero(system.hidden)
    position = np.full(len(system.keys), -1, dtype=np.int64)
    position[hidden] = np.arange(len(hidden))
    if form is None:
        form = span_audit.eliminate(span_audit._hidden_rows(system)).form
    # the hidden counts to keep free: not those known by design
    watched = np.ones(len(hidden), dtype=bool)
    if system.count_known.size:
        watched &= ~system.count_known[hidden]
    published = ~system.hidden
    bases = system.shares.tocsc() if system.shares is not None else None
    membership = (system.matrix != 0).astype(np.int64).tocsc()
    secret = np.zeros(len(system.keys), dtype=np.int64)
    secret[hidden[watched]] = 1
    # per equation: its secret hidden members
    holding = membership @ secret
    spent: list[tuple[int, np.ndarray]] = []  # (position of a published c, vector spent on it)
    held: list[np.ndarray] = []
    solutions = _Solutions(form, hidden, seed)

    def draw() -> list[np.ndarray]:
        vectors = solutions.draw(BATCH)
        for at, used in spent:
            inverse = pow(int(used[at]), -1, PRIME)
            vectors = [_minus(v, used, int(v[at]) * inverse % PRIME) for v in vectors]
        return vectors

    chosen = np.fromiter(candidates, dtype=np.int64)
    # most expensive first, then key order
    chosen = chosen[np.lexsort((chosen, -system.hide_cost[chosen]))]
    released: list[int] = []
    for cell in chosen.tolist():
        at = int(position[cell])
        if at < 0 or not watched[at]:
            continue
        if bases is not None:
            of = bases.indices[bases.indptr[cell] : bases.indptr[cell + 1]]
            if not published[of[of != cell]].all():
                continue
        equations = membership.indices[membership.indptr[cell] : membership.indptr[cell + 1]]
        if (holding[equations] == 2).any():
            continue
        if len(held) < SAMPLES:
            held += draw()
        first, second = int(held[0][at]), int(held[1][at])
        if not first and not second:  # determined: not a clean system
            continue
        watched[at] = False
        if (watched & (_times(held[0], second) == _times(held[1], first))).any():
            watched[at] = True
            continue
        used = held.pop(0 if first else 1)
        inverse = pow(int(used[at]), -1, PRIME)
        held = [_minus(v, used, int(v[at]) * inverse % PRIME) for v in held]
        spent.append((at, used))
        holding[equations] -= 1
        published[cell] = True
        released.append(cell)
    return released


def determined_after(system: EquationSystem, repair: Plan) -> np.ndarray:
    """The hidden cells of `system` still determined once `repair`'s cells (and their shares)
    are hidden, by a fresh exact audit (span_audit.determined: a new elimination, not the one
    `plan` carried from round to round): the independent check that a plan is clean (empty)."""
    index = {key: cell for cell, key in enumerate(system.keys)}
    return span_audit.determined(system.hiding(index[key] for key in repair.added))
