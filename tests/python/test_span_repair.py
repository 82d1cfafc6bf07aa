"""econ_index.span_repair (the repair at scale) on hand-made systems where the single-equation
rule holds, as after the secondary rounds, yet hidden cells follow from several equations: the
plan must leave none determined, checked by the hidden side's factorisation (econ_index.audit)."""

from __future__ import annotations

import numpy as np
import pytest

from econ_index import span_repair
from econ_index.audit import EquationSystem, Factorised
from econ_index.repair import RepairError, close_under_single_equations
from econ_index.span_audit import determined as span_determined
from test_repair import _system, _triangle
from test_span_audit import nested_table


def _after(system: EquationSystem, added: list[tuple[object, ...]]) -> EquationSystem:
    return system.hiding(system.keys.index(key) for key in added)


def test_three_equations_that_pin_down_three_hidden_cells_are_repaired() -> None:
    """x + y = t1, y + z = t2, x + z = t3: two hidden cells per equation, all three follow;
    hiding the cheapest total (t1: all costs 0, fewest conversations) frees them."""
    system = _triangle()
    repair = span_repair.plan(system)
    assert repair.determined_before == 3 and repair.added == [("t1",)]
    assert Factorised(_after(system, repair.added)).determined().size == 0


def test_the_cheapest_cell_of_the_certificate_goes() -> None:
    system = _system(
        [
            {"t1": -1.0, "x": 1.0, "y": 1.0},
            {"t2": -1.0, "y": 1.0, "z": 1.0},
            {"t3": -1.0, "x": 1.0, "z": 1.0},
        ],
        {"x": 20.0, "y": 30.0, "z": 40.0, "t1": 50.0, "t2": 70.0, "t3": 60.0},
        {"x", "y", "z"},
        {"t1": 8.0, "t2": 0.0, "t3": 4.0},
    )
    assert span_repair.plan(system).added == [("t2",)]


def test_a_month_its_weeks_and_its_straddling_days() -> None:
    """The combination the rounds miss: a month = its inner week + the days of the week that
    straddles its end (d5, d6; d7 is in the next month) = its days. With d1 and the inner week
    hidden, and the straddling days closed under the single-equation rule, every equation holds
    two hidden cells, yet week 2 - d7 gives d5 + d6, the month then week 1, and week 1 d1."""
    sizes = {f"d{i}": 10.0 for i in range(1, 8)} | {"w1": 40.0, "w2": 30.0, "m": 60.0}
    equations = [
        {"w1": -1.0, "d1": 1.0, "d2": 1.0, "d3": 1.0, "d4": 1.0},
        {"w2": -1.0, "d5": 1.0, "d6": 1.0, "d7": 1.0},  # d7 is in the next month
        {"m": -1.0, "w1": 1.0, "d5": 1.0, "d6": 1.0},
        {"m": -1.0, "d1": 1.0, "d2": 1.0, "d3": 1.0, "d4": 1.0, "d5": 1.0, "d6": 1.0},
    ]
    system = _system(equations, sizes, {"d5", "d6", "w1", "d1"})
    system = close_under_single_equations(system)
    assert {system.keys[i] for i in Factorised(system).determined()} == {("d1",), ("w1",)}
    repair = span_repair.plan(system)
    assert repair.determined_before == 2 and repair.added
    assert Factorised(_after(system, repair.added)).determined().size == 0


@pytest.mark.parametrize("seed", range(12))
def test_random_nested_tables_end_clean(seed: int) -> None:
    """A table, its margins, a grand total written two ways and a weighted sum, a random set of
    hidden cells closed under the single-equation rule: the plan leaves nothing determined."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    hidden = {name for name in sorted(sizes) if rng.random() < 0.4}
    system = close_under_single_equations(_system(equations, sizes, hidden))
    repair = span_repair.plan(system)
    assert repair.determined_before == len(Factorised(system).determined())
    assert Factorised(_after(system, repair.added)).determined().size == 0


def test_a_cell_no_region_frees_goes_to_the_exact_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """With regions of the cell alone, no local solution shows a hidden cell free: the re-check
    falls back to the exact audit and agrees with it."""
    monkeypatch.setattr(span_repair, "REGION_STEPS", 0)
    system = _triangle().hiding([0])  # t1 hidden: x, y, z and t1 all free
    suspects = np.flatnonzero(system.hidden)
    assert span_repair._still_determined(system, suspects).size == 0
    assert span_determined(system).size == 0
    monkeypatch.setattr(span_repair, "REGION_STEPS", 4)
    assert span_repair._still_determined(_triangle(), np.arange(3, 6)).size == 3


def test_frozen_published_cells_are_never_hidden() -> None:
    system = _triangle()
    fixed = np.array([str(key[0]) == "t1" for key in system.keys])
    repair = span_repair.plan(system, fixed=fixed)
    assert repair.added and ("t1",) not in repair.added
    assert Factorised(_after(system, repair.added)).determined().size == 0
    with pytest.raises(RepairError, match="outside the frozen closed periods"):
        span_repair.plan(system, fixed=np.array([str(k[0]).startswith("t") for k in system.keys]))
