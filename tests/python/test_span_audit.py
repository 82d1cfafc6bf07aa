"""econ_index.span_audit (published side, modular) against econ_index.audit (hidden side,
floating point) on the same hand-made systems: the same determined cells."""

from __future__ import annotations

import numpy as np
import pytest

from econ_index.audit import EquationSystem, Factorised
from econ_index.span_audit import PRIME, inner_cells
from econ_index.span_audit import determined as span_determined
from test_repair import TABLE, TABLE_SIZES, _system

CYCLE_SIZES = {"x": 20.0, "y": 30.0, "z": 40.0, "t1": 50.0, "t2": 70.0, "t3": 60.0}
CYCLE = [
    {"t1": -1.0, "x": 1.0, "y": 1.0},
    {"t2": -1.0, "y": 1.0, "z": 1.0},
    {"t3": -1.0, "x": 1.0, "z": 1.0},
]


def _names(system: EquationSystem, cells: np.ndarray) -> set[str]:
    return {str(system.keys[int(i)][0]) for i in cells}


def _both(system: EquationSystem) -> set[str]:
    span = _names(system, span_determined(system))
    assert span == _names(system, Factorised(system).determined())
    return span


def test_three_equations_pin_down_three_hidden_cells_until_a_total_is_hidden() -> None:
    system = _system(CYCLE, CYCLE_SIZES, {"x", "y", "z"})
    assert _both(system) == {"x", "y", "z"}
    assert _both(system.hiding([0])) == set()  # t1 is cell 0 by name


def test_a_table_with_its_margins_published_keeps_its_inner_cells_free() -> None:
    assert _both(_system(TABLE, TABLE_SIZES, {"a", "b", "c", "d"})) == set()
    # a published inner cell gives the other three back
    assert _both(_system(TABLE, TABLE_SIZES, {"b", "c", "d"})) == {"b", "c", "d"}


def test_allocation_shares_are_exact_fractions() -> None:
    """o1 = a/2 + b/3, o2 = a/2 + 2b/3 (tasks split between occupations) with a, b hidden:
    both follow from o1 and o2; with o2 hidden too, none does."""
    sizes = {"a": 6.0, "b": 9.0, "o1": 6.0, "o2": 9.0}
    equations = [
        {"o1": -1.0, "a": 1 / 2, "b": 1 / 3},
        {"o2": -1.0, "a": 1 / 2, "b": 2 / 3},
    ]
    assert _both(_system(equations, sizes, {"a", "b"})) == {"a", "b"}
    assert _both(_system(equations, sizes, {"a", "b", "o2"})) == set()
    # 1/3 as a double is a modular inverse of 3: b x 1/3 x 3 is b again
    assert inner_cells(_system(equations, sizes, set()))  # every cell solved or inner
    assert 3 * pow(3, -1, PRIME) % PRIME == 1


def test_a_total_of_two_equations_solves_for_an_inner_cell_already_used() -> None:
    """A total that two equations define (t = a + b = c + d) makes the second a relation
    between inner cells: the elimination must substitute a cell other sums already use."""
    sizes = {"a": 5.0, "b": 5.0, "c": 5.0, "d": 5.0, "t": 10.0, "s": 10.0}
    equations = [
        {"t": -1.0, "a": 1.0, "b": 1.0},
        {"s": -1.0, "a": 1.0, "c": 1.0},
        {"t": -1.0, "c": 1.0, "d": 1.0},
    ]
    system = _system(equations, sizes, set())
    solved = inner_cells(system)
    assert len(solved) == 3  # three independent equations: three cells solved for
    assert _both(_system(equations, sizes, {"a", "b", "c", "d"})) == set()
    assert _both(_system(equations, sizes, {"a", "b", "d"})) == {"a", "b", "d"}


def nested_table(rng: np.random.Generator) -> tuple[list[dict[str, float]], dict[str, float]]:
    """A random rows x columns table, its margins, a grand total written two ways and a
    weighted occupation-like sum: its equations and cell sizes."""
    rows, columns = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    inner = {f"x{i}{j}": 10.0 for i in range(rows) for j in range(columns)}
    sizes = inner | {f"r{i}": 10.0 for i in range(rows)} | {f"k{j}": 10.0 for j in range(columns)}
    sizes |= {"g": 10.0, "w": 10.0}
    equations = [{f"r{i}": -1.0} | {f"x{i}{j}": 1.0 for j in range(columns)} for i in range(rows)]
    equations += [{f"k{j}": -1.0} | {f"x{i}{j}": 1.0 for i in range(rows)} for j in range(columns)]
    equations.append({"g": -1.0} | {f"r{i}": 1.0 for i in range(rows)})
    equations.append({"g": -1.0} | {f"k{j}": 1.0 for j in range(columns)})
    equations.append({"w": -1.0} | {f"x0{j}": 1.0 / (j + 2) for j in range(columns)})
    return equations, sizes


@pytest.mark.parametrize("seed", range(12))
def test_random_nested_tables_agree(seed: int) -> None:
    """A rows x columns table, its margins, a grand total written two ways and a weighted
    occupation-like sum, with a random set of hidden cells: both audits agree (and the
    seeds give determined and free cells)."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    names = sorted(sizes)
    hidden = {name for name in names if rng.random() < 0.6}
    _both(_system(equations, sizes, hidden))
