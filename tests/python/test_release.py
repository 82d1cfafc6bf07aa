"""econ_index.span_repair.release (issue #15, headline cells last): hidden cells published
again, most expensive first, while no hidden count becomes determined. Hand-made systems, and
random nested tables against a fresh exact audit per candidate (span_audit.determined)."""

from __future__ import annotations

import random
from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from econ_index import span_audit, span_repair
from econ_index.audit import EquationSystem, Factorised
from econ_index.span_repair import close_under_single_equations
from test_repair import _system
from test_span_audit import nested_table


def _names(system: EquationSystem, cells: list[int]) -> list[str]:
    return [str(system.keys[cell][0]) for cell in cells]


def _candidates(system: EquationSystem, names: set[str]) -> list[int]:
    return [system.keys.index((name,)) for name in sorted(names)]


def _published(system: EquationSystem, cells: list[int]) -> EquationSystem:
    hidden = system.hidden.copy()
    hidden[cells] = False
    return replace(system, hidden=hidden)


def test_modular_products_agree_with_python_integers() -> None:
    rng = random.Random(3)
    values = [0, 1, 2**31 - 1, 2**31, 2**61 - 2] + [
        rng.randrange(span_audit.PRIME) for _ in range(200)
    ]
    vector = np.array(values, dtype=np.uint64)
    for factor in [
        0,
        1,
        2**30,
        2**31 - 1,
        2**61 - 2,
        *(rng.randrange(span_audit.PRIME) for _ in range(20)),
    ]:
        products = span_repair._times(vector, factor).tolist()
        assert products == [v * factor % span_audit.PRIME for v in values]
        other = vector[::-1].copy()
        differences = span_repair._minus(vector, other, factor).tolist()
        assert differences == [
            (v - w * factor) % span_audit.PRIME for v, w in zip(values, values[::-1], strict=True)
        ]


def test_a_headline_cell_that_protects_nothing_is_published() -> None:
    """a (secret) + b = r, a + h = t with h (the headline cell) and another part c hidden in the
    second: published, h leaves a and b free (a + b and a + c are known, three unknowns)."""
    sizes = {"a": 2.0, "b": 10.0, "c": 10.0, "h": 40.0, "r": 12.0, "t": 52.0}
    equations = [
        {"r": -1.0, "a": 1.0, "b": 1.0},
        {"t": -1.0, "a": 1.0, "c": 1.0, "h": 1.0},
    ]
    system = _system(equations, sizes, {"a", "b", "c", "h"}, {"h": 60.0})
    released = span_repair.release(system, _candidates(system, {"h"}))
    assert _names(system, released) == ["h"]
    assert Factorised(_published(system, released)).determined().size == 0


def test_a_headline_cell_that_is_needed_stays_hidden() -> None:
    """a (secret) + h = t: published, h gives a back."""
    sizes = {"a": 2.0, "h": 40.0, "t": 42.0}
    system = _system([{"t": -1.0, "a": 1.0, "h": 1.0}], sizes, {"a", "h"}, {"h": 60.0})
    assert span_repair.release(system, _candidates(system, {"h"})) == []


def test_an_equation_the_rounds_protect_keeps_two_hidden_members() -> None:
    """a (secret) + h + m = t with m hidden too: the audit alone would publish h (a + m is
    known, a stays free). But a and h also form a group the rounds protect, implied by the
    others (as a straddling week's days inside a month): published, h would leave a alone in
    it, and a rerun of the rounds would have to hide another cell. h stays hidden."""
    sizes = {"a": 2.0, "h": 40.0, "m": 10.0, "t": 52.0}
    equations = [{"t": -1.0, "a": 1.0, "h": 1.0, "m": 1.0}, {"a": 1.0, "h": 1.0}]
    system = _system(equations, sizes, {"a", "h", "m"}, {"h": 60.0})
    alone = replace(system, matrix=system.matrix[:1].tocsr(), implied=np.zeros(1, dtype=bool))
    assert _names(alone, span_repair.release(alone, _candidates(alone, {"h"}))) == ["h"]
    grouped = replace(system, implied=np.array([False, True]))
    assert span_repair.release(grouped, _candidates(grouped, {"h"})) == []


def test_the_most_expensive_goes_first_and_the_state_is_updated() -> None:
    """a (secret) + h1 + h2 = t: either may be published, not both; the dearer one is."""
    sizes = {"a": 2.0, "h1": 40.0, "h2": 30.0, "t": 72.0}
    equations = [{"t": -1.0, "a": 1.0, "h1": 1.0, "h2": 1.0}]
    system = _system(equations, sizes, {"a", "h1", "h2"}, {"h1": 40.0, "h2": 60.0})
    released = span_repair.release(system, _candidates(system, {"h1", "h2"}))
    assert _names(system, released) == ["h2"]


def test_a_share_of_a_hidden_base_stays_hidden() -> None:
    """h protects nothing, but it is a share of the hidden base t (count / share gives t)."""
    sizes = {"a": 2.0, "b": 10.0, "c": 10.0, "h": 40.0, "r": 12.0, "t": 52.0}
    equations = [
        {"r": -1.0, "a": 1.0, "b": 1.0},
        {"t": -1.0, "a": 1.0, "c": 1.0, "h": 1.0},
    ]
    plain = _system(equations, sizes, {"a", "b", "c", "h", "t"}, {"h": 60.0, "t": 80.0})
    n, t, h = len(plain.keys), plain.keys.index(("t",)), plain.keys.index(("h",))
    system = replace(plain, shares=sparse.csr_matrix(([1.0], ([t], [h])), shape=(n, n)))
    assert span_repair.release(system, [h]) == []
    # the base (dearer: a usage before its modes) published first, the share may go too
    assert _names(system, span_repair.release(system, [t, h])) == ["t", "h"]


def test_a_count_known_by_design_is_not_published() -> None:
    sizes = {"a": 2.0, "b": 10.0, "c": 10.0, "h": 40.0, "r": 12.0, "t": 52.0}
    equations = [
        {"r": -1.0, "a": 1.0, "b": 1.0},
        {"t": -1.0, "a": 1.0, "c": 1.0, "h": 1.0},
    ]
    plain = _system(equations, sizes, {"a", "b", "c", "h"})
    known = np.array([key == ("h",) for key in plain.keys])
    system = replace(plain, count_known=known)
    assert span_repair.release(system, _candidates(system, {"h"})) == []


def _one_by_one(system: EquationSystem, order: list[int]) -> list[int]:
    """The release without its shortcut: a fresh elimination and exact audit per candidate,
    and the rounds' rule counted afresh (no equation left with one hidden member)."""
    released: list[int] = []
    for cell in order:
        trial = _published(system, [*released, cell])
        alone = ((system.matrix != 0).astype(int) @ trial.hidden.astype(int) == 1).any()
        if not alone and span_audit.determined(trial).size == 0:
            released.append(cell)
    return released


@pytest.mark.parametrize("seed", range(16))
def test_random_nested_tables_release_what_a_fresh_audit_per_candidate_releases(
    seed: int,
) -> None:
    """Random tables, hidden cells closed under the single-equation rule and repaired: every
    hidden cell a candidate, with random costs. The release publishes exactly the cells a
    fresh exact audit after each candidate (in the same order) publishes, and what it leaves
    is clean by the hidden side's factorisation too."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    hidden = {name for name in sorted(sizes) if rng.random() < 0.4}
    costs = {name: float(rng.integers(0, 5)) for name in sizes}
    system = close_under_single_equations(_system(equations, sizes, hidden, costs))
    repair = span_repair.plan(system)
    system = system.hiding(system.keys.index(key) for key in repair.added)
    candidates = np.flatnonzero(system.hidden)
    order = candidates[np.lexsort((candidates, -system.hide_cost[candidates]))].tolist()
    released = span_repair.release(system, candidates.tolist(), seed=seed)
    assert released == _one_by_one(system, order)
    assert Factorised(_published(system, released)).determined().size == 0


@pytest.mark.parametrize("seed", range(8))
def test_solutions_drawn_by_levels_solve_the_hidden_equations(seed: int) -> None:
    """Every solution of a batch satisfies every equation restricted to the hidden cells
    (modulo the prime), and the batch's solutions differ (they are drawn, not fixed)."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    system = _system(equations, sizes, {name for name in sorted(sizes) if rng.random() < 0.7})
    rows = span_audit._hidden_rows(system)
    hidden = np.flatnonzero(system.hidden)
    solutions = span_repair._Solutions(span_audit.eliminate(rows).form, hidden, seed)
    drawn = solutions.draw(4)
    at = {cell: i for i, cell in enumerate(hidden.tolist())}
    for vector in drawn:
        values = vector.tolist()
        for row in rows:
            assert sum(c * values[at[cell]] for cell, c in row.items()) % span_audit.PRIME == 0
    assert len({tuple(v.tolist()) for v in drawn}) == 4
