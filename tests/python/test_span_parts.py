"""econ_index.span_parts (the exact audit in month parts, in parallel) against span_audit's
serial audit on hand-made systems spanning months: the same determined cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from econ_index import repair, span_audit, span_parts, span_repair
from econ_index.audit import EquationSystem
from test_span_audit import nested_table

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


def _months_system(equations: list[dict[str, float]], hidden: set[str]) -> EquationSystem:
    """Cells named `<month number>:<name>` (month 0-2) or `all:<name>` (no month: keyed by
    grain `all` and no date); an equation maps cells to coefficients."""
    names = sorted({name for equation in equations for name in equation})
    column = {name: i for i, name in enumerate(names)}
    matrix = sparse.lil_matrix((len(equations), len(names)))
    for row, equation in enumerate(equations):
        for name, coefficient in equation.items():
            matrix[row, column[name]] = coefficient
    keys: list[tuple[object, ...]] = []
    for name in names:
        month, _ = name.split(":")
        keys.append(("all", None, name) if month == "all" else ("day", MONTHS[int(month)], name))
    return EquationSystem(
        keys=keys,
        hidden=np.array([name in hidden for name in names]),
        n_conversations=np.array([0.0 if name in hidden else 10.0 for name in names]),
        hide_cost=np.zeros(len(names)),
        matrix=matrix.tocsr(),
        implied=np.zeros(len(equations), dtype=bool),
    )


def _months(seed: int) -> EquationSystem:
    """Per month a random nested table (test_span_audit.nested_table), weeks across the
    months' ends (a cell of one month plus one of the next) and an all-time total of the
    months' grand totals; 60 % of the cells hidden."""
    rng = np.random.default_rng(seed)
    equations: list[dict[str, float]] = []
    cells: list[list[str]] = []
    for month in range(len(MONTHS)):
        table, sizes = nested_table(rng)
        equations += [{f"{month}:{n}": c for n, c in equation.items()} for equation in table]
        cells.append([f"{month}:{n}" for n in sorted(sizes)])
    for month in range(len(MONTHS) - 1):
        for week in range(2):
            first, second = rng.choice(cells[month]), rng.choice(cells[month + 1])
            equations.append({f"{month}:week{week}": -1.0, first: 1.0, second: 1.0})
    equations.append({"all:g": -1.0} | {f"{month}:g": 1.0 for month in range(len(MONTHS))})
    names = sorted({name for equation in equations for name in equation})
    return _months_system(equations, {name for name in names if rng.random() < 0.6})


def _month_numbers(system: EquationSystem) -> np.ndarray:
    return np.array([int(str(key[2]).split(":")[0]) if key[1] else -1 for key in system.keys])


def _names(system: EquationSystem, cells: np.ndarray) -> set[str]:
    return {str(system.keys[int(i)][2]) for i in cells}


def _agree(system: EquationSystem, **options: object) -> set[str]:
    serial = _names(system, span_audit.determined(system))
    assert _names(system, span_parts.determined(system, **options)) == serial  # type: ignore[arg-type]
    return serial


def test_a_week_across_months_gives_back_the_other_months_cell() -> None:
    """a (January) follows from its month; c (February) only from the week a + c across the
    months' end, an interface row: both parts must see it."""
    equations = [
        {"0:m": -1.0, "0:a": 1.0, "0:b": 1.0},
        {"1:m": -1.0, "1:c": 1.0, "1:d": 1.0},
        {"0:w": -1.0, "0:a": 1.0, "1:c": 1.0},
    ]
    system = _months_system(equations, {"0:a", "1:c", "1:d"})
    assert _agree(system, workers=2) == {"0:a", "1:c", "1:d"}
    # with b hidden too, January's month no longer gives a, nor the week c
    b = [key[2] for key in system.keys].index("0:b")
    assert _agree(system.hiding([b]), workers=2) == set()


def test_months_cut_into_contiguous_parts_of_hidden_cells() -> None:
    system = _months(0)
    part = span_parts.month_parts(system, 2)
    months = _month_numbers(system)
    assert set(part[months < 0].tolist()) == {-1}
    # contiguous: a later month never in an earlier part; both parts used
    for month in range(len(MONTHS) - 1):
        assert part[months == month].max() <= part[months == month + 1].min()
    assert set(part[months >= 0].tolist()) == {0, 1}


@pytest.mark.parametrize("seed", range(6))
def test_random_months_agree_with_the_serial_audit(seed: int) -> None:
    """Two and three parts by month, and one part per month with the all-time cells in
    none: the serial audit's verdicts (the seeds give determined and free cells)."""
    system = _months(seed)
    _agree(system, workers=2)
    months = _month_numbers(system)
    _agree(system, part=months)


def test_the_seeds_give_determined_and_free_cells() -> None:
    systems = [_months(seed) for seed in range(6)]
    found = [len(span_audit.determined(system)) for system in systems]
    assert any(found)
    assert any(n < system.hidden.sum() for n, system in zip(found, systems, strict=True))


def test_confirm_then_plan_plans_only_what_the_audit_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A publication with determined cells gets span_repair.plan's plan; once it is applied,
    the fresh audit in parts finds nothing and no plan runs."""
    system = next(s for s in map(_months, range(6)) if len(span_audit.determined(s)))
    expected = span_repair.plan(system)
    assert expected.added
    assert span_repair.confirm_then_plan(system, workers=2) == expected
    index = {key: cell for cell, key in enumerate(system.keys)}
    repaired = system.hiding(index[key] for key in expected.added)

    def no_plan(*_: object, **__: object) -> span_repair.Plan:
        raise AssertionError("planned a clean publication")

    monkeypatch.setattr(span_repair, "plan", no_plan)
    assert span_repair.confirm_then_plan(repaired, workers=2) == span_repair.Plan([], 0, 0, [0])


def test_the_build_confirms_every_audit_after_the_first(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`econ-index build`: the first audit plans; the next ones, on the repaired publication,
    confirm first with the workers given."""
    asked: list[int | None] = []
    plans = iter([span_repair.Plan([("cell",)], 1, 1), span_repair.Plan([], 0, 0)])

    def planned(*arguments: object) -> tuple[span_repair.Plan, None]:
        asked.append(arguments[2])  # type: ignore[arg-type]
        return next(plans), None

    monkeypatch.setattr(repair, "check_seeds", lambda: None)
    monkeypatch.setattr(repair, "parse_project", lambda **_: None)
    monkeypatch.setattr(repair, "_record", lambda *_: None)
    monkeypatch.setattr(repair, "_freeze", lambda _: 0)
    monkeypatch.setattr(repair, "run_dbt", lambda *_, **__: None)
    monkeypatch.setattr(repair, "describe", lambda _: "")
    monkeypatch.setattr(repair, "plan_for_warehouse", planned)
    monkeypatch.setattr(repair, "release_for_warehouse", lambda *_: [])
    repair.build(tmp_path / "w.duckdb", audit_workers=3)
    assert asked == [None, 3]
