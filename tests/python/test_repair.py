"""The single-equation closure and the repair plan (econ_index.span_repair) and the hidden
side's audit (econ_index.audit) on hand-made equation systems, small enough to check by hand
(the fixture-scale tests, through the compiled dbt model, are in test_suppression; the repair's
own machinery in test_span_repair)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy import sparse

from econ_index.audit import Blocks, EquationSystem, Factorised
from econ_index.span_repair import close_under_single_equations, plan

# a 2 x 2 table (a b / c d) with its row and column margins
TABLE_SIZES = {"a": 20.0, "b": 20.0, "c": 20.0, "d": 20.0, "r1": 40, "r2": 40, "k1": 40, "k2": 40}
TABLE = [
    {"r1": -1.0, "a": 1.0, "b": 1.0},
    {"r2": -1.0, "c": 1.0, "d": 1.0},
    {"k1": -1.0, "a": 1.0, "c": 1.0},
    {"k2": -1.0, "b": 1.0, "d": 1.0},
]


def _system(
    equations: list[dict[str, float]],
    sizes: dict[str, float],
    hidden: set[str],
    costs: dict[str, float] | None = None,
) -> EquationSystem:
    """Cells named by strings; an equation maps cells to coefficients (its total at -1);
    `costs`: hide costs (0 unless given)."""
    costs = costs or {}
    names = sorted(sizes)
    column = {name: i for i, name in enumerate(names)}
    matrix = sparse.lil_matrix((len(equations), len(names)))
    for row, equation in enumerate(equations):
        for name, coefficient in equation.items():
            matrix[row, column[name]] = coefficient
    return EquationSystem(
        keys=[(name,) for name in names],
        hidden=np.array([name in hidden for name in names]),
        n_conversations=np.array([0.0 if name in hidden else sizes[name] for name in names]),
        hide_cost=np.array([costs.get(name, 0.0) for name in names]),
        matrix=matrix.tocsr(),
        implied=np.zeros(len(equations), dtype=bool),
    )


def _triangle() -> EquationSystem:
    """x + y = t1, y + z = t2, x + z = t3 with x, y, z hidden and the totals published."""
    sizes = {"x": 20.0, "y": 30.0, "z": 40.0, "t1": 50.0, "t2": 70.0, "t3": 60.0}
    equations = [
        {"t1": -1.0, "x": 1.0, "y": 1.0},
        {"t2": -1.0, "y": 1.0, "z": 1.0},
        {"t3": -1.0, "x": 1.0, "z": 1.0},
    ]
    return _system(equations, sizes, {"x", "y", "z"})


def _hidden(system: EquationSystem) -> set[str]:
    return {str(key[0]) for key, h in zip(system.keys, system.hidden, strict=True) if h}


def test_one_hidden_member_takes_the_smallest_published_part_then_the_total() -> None:
    sizes = {"total": 100.0, "a": 10.0, "b": 50.0, "c": 40.0}
    parts = {"total": -1.0, "a": 1.0, "b": 1.0, "c": 1.0}
    closed = close_under_single_equations(_system([parts], sizes, {"a"}))
    assert _hidden(closed) == {"a", "c"}
    # a part alone with its total: the total goes
    closed = close_under_single_equations(
        _system([{"total": -1.0, "a": 1.0, "b": 1.0}], {"total": 60.0, "a": 10, "b": 50}, {"a"})
    )
    assert _hidden(closed) == {"a", "b"}
    # no hidden member, or two: nothing to do
    assert _hidden(close_under_single_equations(_system([parts], sizes, set()))) == set()
    two = _system([parts], sizes, {"a", "b"})
    assert _hidden(close_under_single_equations(two)) == {"a", "b"}


def test_nothing_determined_needs_no_repair() -> None:
    """A 2 x 2 table with every inner cell hidden and its margins published: a cycle, free."""
    repair = plan(_system(TABLE, TABLE_SIZES, {"a", "b", "c", "d"}))
    assert repair.determined_before == 0 and repair.added == [] and repair.rounds == 0


def test_the_cheapest_part_goes_before_the_smallest() -> None:
    """Hide cost (finer cells cheaper) comes before size in the single-equation closure (the
    repair's choice: test_span_repair.test_the_cheapest_cell_of_the_certificate_goes)."""
    sizes = {"total": 100.0, "a": 10.0, "b": 30.0, "c": 60.0}
    parts = {"total": -1.0, "a": 1.0, "b": 1.0, "c": 1.0}
    costs = {"total": 6.0, "a": 0.0, "b": 5.0, "c": 1.0}
    closed = close_under_single_equations(_system([parts], sizes, {"a"}, costs))
    assert _hidden(closed) == {"a", "c"}  # c is bigger than b, but finer


def test_implied_equations_are_protected_but_not_factorised() -> None:
    """An equation flagged implied counts for the single-equation closure (as the rounds read
    every equation) and is left out of the audit's factorisation (it adds nothing there)."""
    system = _system([{"t": -1.0, "x": 1.0}], {"t": 30.0, "x": 3.0}, {"x"})
    assert Factorised(system).determined().tolist() == [1]  # x = t
    flagged = replace(system, implied=np.array([True]))
    assert Factorised(flagged).determined().size == 0
    assert _hidden(close_under_single_equations(flagged)) == {"t", "x"}


def test_independent_blocks_agree_with_one_factorisation() -> None:
    """Two tables that share no hidden cell: the three-equation cycle (all determined) and a
    2 x 2 table (free). The blocks find what one factorisation of everything finds, before and
    after a margin is hidden, and the repair frees the cycle alone."""
    sizes = {"x": 20.0, "y": 30.0, "z": 40.0, "t1": 50.0, "t2": 70.0, "t3": 60.0}
    sizes |= {"a": 20.0, "b": 20.0, "c": 20.0, "d": 20.0, "r1": 40, "r2": 40, "k1": 40, "k2": 40}
    equations = [
        {"t1": -1.0, "x": 1.0, "y": 1.0},
        {"t2": -1.0, "y": 1.0, "z": 1.0},
        {"t3": -1.0, "x": 1.0, "z": 1.0},
        {"r1": -1.0, "a": 1.0, "b": 1.0},
        {"r2": -1.0, "c": 1.0, "d": 1.0},
        {"k1": -1.0, "a": 1.0, "c": 1.0},
        {"k2": -1.0, "b": 1.0, "d": 1.0},
    ]
    system = _system(equations, sizes, {"x", "y", "z", "a", "b", "c", "d"})
    blocks = Blocks(system)
    assert sorted(blocks.sizes) == [3, 4] and blocks.equations == 7
    determined = blocks.determined().tolist()
    assert determined == Factorised(system).determined().tolist()
    assert {system.keys[i][0] for i in determined} == {"x", "y", "z"}
    # r1 = k1 + k2 - r2 once hidden: determined
    again = system.hiding([system.keys.index(("r1",))])
    assert {again.keys[i][0] for i in Blocks(again).determined()} == {"x", "y", "z", "r1"}
    # hiding t1 joins it to the cycle's block, now free
    assert Blocks(system.hiding([system.keys.index(("t1",))])).determined().size == 0
    # the repair hides t1 (cheapest, smallest), nothing of the free table
    assert plan(system).added == [("t1",)]


def _fixed(system: EquationSystem, names: set[str]) -> np.ndarray:
    return np.array([str(key[0]) in names for key in system.keys])


def test_frozen_published_cells_are_never_hidden() -> None:
    """The single-equation rule skips a fixed (frozen published) part for the next cheapest
    (the repair's: test_span_repair.test_frozen_published_cells_are_never_hidden)."""
    sizes = {"total": 100.0, "a": 10.0, "b": 50.0, "c": 40.0}
    parts = _system([{"total": -1.0, "a": 1.0, "b": 1.0, "c": 1.0}], sizes, {"a"})
    assert _hidden(close_under_single_equations(parts, _fixed(parts, {"c"}))) == {"a", "b"}
    assert _hidden(close_under_single_equations(parts, _fixed(parts, {"b", "c"}))) == {
        "a",
        "total",
    }


def test_a_pinned_share_is_hidden_but_needs_no_protection() -> None:
    """s = sj with sj frozen published: s hidden for its share (count_known) is determined, yet
    neither the audit nor the repair counts it, and the single-equation rule protects the one
    secret cell of a = s + b (b alone beside the known s), not s."""
    sizes = {"s": 20.0, "sj": 20.0, "a": 50.0, "b": 30.0, "c": 5.0}
    equations = [{"s": -1.0, "sj": 1.0}, {"a": -1.0, "s": 1.0, "b": 1.0, "c": 1.0}]
    system = _system(equations, sizes, {"s"})
    known = replace(system, count_known=_fixed(system, {"s"}))
    assert Blocks(system).determined().size == 1
    assert Blocks(known).determined().size == 0
    assert plan(known, fixed=_fixed(known, {"sj"})).added == []
    # b alone among the secrets of a = s + b + c: the cheapest published part (c) goes
    hiding_b = known.hiding([known.keys.index(("b",))])
    assert _hidden(close_under_single_equations(hiding_b, _fixed(known, {"sj"}))) == {"s", "b", "c"}
    # without the rule, two hidden members (s, b) would have looked protected
    unknown = system.hiding([system.keys.index(("b",))])
    assert _hidden(close_under_single_equations(unknown, _fixed(system, {"sj"}))) == {"s", "b"}
