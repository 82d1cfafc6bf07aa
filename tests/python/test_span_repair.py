"""econ_index.span_repair (the repair at scale) on hand-made systems where the single-equation
rule holds, as after the secondary rounds, yet hidden cells follow from several equations: the
plan must leave none determined, checked by the hidden side's factorisation (econ_index.audit)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

import numpy as np
import pytest
from scipy import sparse

from econ_index import span_audit, span_repair
from econ_index.audit import EquationSystem, Factorised
from econ_index.span_repair import RepairError, close_under_single_equations
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
    assert span_repair.determined_after(system, repair).size == 0


def _check_certificates(certificates: span_repair.Certificates) -> None:
    """y . A (modulo the prime) is e_d on the hidden cells for every determined d, and `reads`
    names the published cells it reads with their coefficients; the relations among published
    cells have no hidden part and hold the cells they list."""
    system = certificates.system
    rows = span_audit.modular_rows(certificates.matrix, np.arange(len(system.keys)))

    def combined(y: dict[int, int]) -> dict[int, int]:
        total: dict[int, int] = {}
        for row, weight in y.items():
            for cell, value in rows[row].items():
                total[cell] = (total.get(cell, 0) + weight * value) % span_audit.PRIME
        return {cell: value for cell, value in total.items() if value}

    for number in range(2):
        q, holds = certificates.relation(number)
        relation = combined(q)
        assert not any(system.hidden[cell] for cell in relation)
        assert holds == relation
    for cell in certificates.determined.tolist():
        y = certificates.certificate(cell)
        written = combined(y)
        assert {c: v for c, v in written.items() if system.hidden[c]} == {cell: 1}
        assert certificates.reads(y) == {c: v for c, v in written.items() if not system.hidden[c]}


@pytest.mark.parametrize("seed", range(4))
def test_certificates_write_each_determined_cell_from_the_equations(seed: int) -> None:
    """y . A (modulo the prime) is e_d on the hidden cells for every determined d, and reads the
    published cells `reads` names; the relation among published cells has no hidden part."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    hidden = {name for name in sorted(sizes) if rng.random() < 0.4}
    system = close_under_single_equations(_system(equations, sizes, hidden))
    certificates = span_repair.Certificates(system)
    assert certificates.determined.tolist() == Factorised(system).determined().tolist()
    _check_certificates(certificates)


@pytest.mark.parametrize("seed", range(12))
def test_hiding_more_cells_updates_the_elimination_exactly(seed: int) -> None:
    """Certificates.hide adds the newly hidden columns to the recorded elimination: the cells it
    then finds determined, the certificates and the relations it carries over are those of a
    fresh elimination."""
    rng = np.random.default_rng(seed)
    equations, sizes = nested_table(rng)
    hidden = {name for name in sorted(sizes) if rng.random() < 0.3}
    system = close_under_single_equations(_system(equations, sizes, hidden))
    certificates = span_repair.Certificates(system)
    certificates.relation(1)
    for _ in range(3):
        published = np.flatnonzero(~certificates.system.hidden)
        more = rng.choice(published, size=min(2, published.size), replace=False)
        system = certificates.system.hiding(more.tolist())
        certificates.hide(system)
        assert certificates.determined.tolist() == span_audit.determined(system).tolist()
        assert certificates.determined.tolist() == Factorised(system).determined().tolist()
        _check_certificates(certificates)
        # the relations carried over hold the cells a fresh elimination's relations hold
        fresh = span_repair.Certificates(system, seed=1)
        for number in range(2):
            assert certificates.relation(number)[1].keys() == fresh.relation(number)[1].keys()


def test_a_relation_that_joins_the_form_leaves_what_the_relations_hold() -> None:
    """t1 = a + b is a relation among published cells with no step; hiding a makes it a row of
    the form, and the relations (none left) then hold nothing: updated only where q changed,
    as a fresh elimination has it."""
    sizes, equations, hidden = _triangle_parts()
    equations.append({"t1": -1.0, "a": 1.0, "b": 1.0})
    sizes |= {"t1": 50.0, "t2": 70.0, "t3": 60.0, "a": 10.0, "b": 40.0}
    system = _system(equations, sizes, hidden)
    certificates = span_repair.Certificates(system)
    assert {system.keys[c] for c in certificates.relation(0)[1]} == {("t1",), ("a",), ("b",)}
    system = system.hiding([system.keys.index(("a",))])
    certificates.hide(system)
    _check_certificates(certificates)
    assert certificates.relation(0)[1] == span_repair.Certificates(system).relation(0)[1] == {}


def test_a_certificate_cell_a_relation_holds_is_not_chosen() -> None:
    """The triangle, with t1 = a + b published too: hiding t1 (the cheapest) would leave it
    determined by a and b, so the plan hides t2, the next cheapest, and nothing more."""
    sizes = {"x": 20.0, "y": 30.0, "z": 40.0, "t1": 50.0, "t2": 70.0, "t3": 60.0}
    equations = [
        {"t1": -1.0, "x": 1.0, "y": 1.0},
        {"t2": -1.0, "y": 1.0, "z": 1.0},
        {"t3": -1.0, "x": 1.0, "z": 1.0},
        {"t1": -1.0, "a": 1.0, "b": 1.0},
    ]
    system = _system(
        equations, sizes | {"a": 10.0, "b": 40.0}, {"x", "y", "z"}, {"t2": 5.0, "t3": 8.0}
    )
    certificates = span_repair.Certificates(system)
    read = certificates.reads(certificates.certificate(system.keys.index(("x",))))
    holds = certificates.relation(0)[1]
    assert {system.keys[c]: c in holds for c in read} == {
        ("t1",): True,
        ("t2",): False,
        ("t3",): False,
    }
    repair = span_repair.plan(system)
    assert repair.added == [("t2",)] and repair.rounds == 1
    # out of rounds, the error says how far the repair got (here: determined cells, no round)
    with pytest.raises(
        RepairError, match=r"after 0 repair rounds \(determined before each round: [1-9]"
    ):
        span_repair.plan(system, max_rounds=0)


def test_frozen_published_cells_are_never_hidden() -> None:
    system = _triangle()
    fixed = np.array([str(key[0]) == "t1" for key in system.keys])
    repair = span_repair.plan(system, fixed=fixed)
    assert repair.added and ("t1",) not in repair.added
    assert Factorised(_after(system, repair.added)).determined().size == 0
    with pytest.raises(RepairError, match="outside the frozen closed periods"):
        span_repair.plan(system, fixed=np.array([str(k[0]).startswith("t") for k in system.keys]))


def test_the_shares_of_a_hidden_base_are_protected_in_the_same_plan() -> None:
    """The triangle, with t1 (the cell the plan hides) the base of s's share, and s in
    r = s + q: dbt hides s with t1, where s alone would be r - q. The plan hides s with t1 and
    protects it (q), so what dbt publishes from the plan (its cells and their shares, from the
    share groups written out here) is clean and the next pass adds nothing: one pass."""
    sizes, equations, hidden = _triangle_parts()
    sizes |= {"t1": 50.0, "t2": 70.0, "t3": 60.0, "s": 10.0, "q": 30.0, "r": 40.0}
    equations.append({"r": -1.0, "s": 1.0, "q": 1.0})
    plain = _system(equations, sizes, hidden, {"q": 1.0})
    shares_of = {("t1",): [("s",)]}
    base, share = zip(
        *[(plain.keys.index(b), plain.keys.index(c)) for b, cs in shares_of.items() for c in cs],
        strict=True,
    )
    n = len(plain.keys)
    system = replace(
        plain, shares=sparse.csr_matrix((np.ones(len(base)), (base, share)), shape=(n, n))
    )
    repair = span_repair.plan(system)
    assert repair.added == [("q",), ("t1",)] and repair.shares == [("s",)]
    # what dbt publishes: the plan's cells and the shares of those among them that are bases
    published = _after(
        plain, [*repair.added, *(c for b in repair.added for c in shares_of.get(b, []))]
    )
    assert Factorised(published).determined().size == 0
    assert span_repair.determined_after(system, repair).size == 0
    assert span_repair.plan(replace(published, shares=system.shares)).added == []


def _triangle_parts() -> tuple[dict[str, float], list[dict[str, float]], set[str]]:
    """The triangle's hidden cells' sizes, its equations and hidden cells, to extend."""
    equations = [
        {"t1": -1.0, "x": 1.0, "y": 1.0},
        {"t2": -1.0, "y": 1.0, "z": 1.0},
        {"t3": -1.0, "x": 1.0, "z": 1.0},
    ]
    return {"x": 20.0, "y": 30.0, "z": 40.0}, equations, {"x", "y", "z"}


def test_when_a_relation_holds_every_certificate_cell_a_pair_that_breaks_it_goes() -> None:
    """The triangle, with t1 = h + g = s (h, g hidden: no equation holds one hidden cell alone)
    and t2, t3 also totals of two hidden cells each, equal to s2, s3: a published relation holds
    every certificate cell of x. Hiding t1 alone leaves x determined (through s), and t1 too;
    hiding t1 with s frees both in one round, neither is determined after."""
    sizes, equations, hidden = _triangle_parts()
    # each total t is also h + g = s, with h and g hidden
    twins = [("t1", "s", "h", "g", 50.0), ("t2", "s2", "h2", "g2", 70.0)]
    for t, s, h, g, total in [*twins, ("t3", "s3", "h3", "g3", 60.0)]:
        sizes |= {t: total, s: total, h: total / 2, g: total / 2}
        equations += [{t: -1.0, h: 1.0, g: 1.0}, {s: -1.0, h: 1.0, g: 1.0}]
        hidden |= {h, g}
    system = _system(equations, sizes, hidden, {"t2": 5.0, "t3": 8.0, "s": 1.0})
    assert close_under_single_equations(system) is system
    certificates = span_repair.Certificates(system)
    read = certificates.reads(certificates.certificate(system.keys.index(("x",))))
    holds = certificates.relation(0)[1]
    assert len(read) == 3 and all(c in holds for c in read)
    repair = span_repair.plan(system, max_rounds=1)
    assert sorted(repair.added) == [("s",), ("t1",)] and repair.rounds == 1
    assert Factorised(_after(system, repair.added)).determined().size == 0


def _triangle_of_twins(fixed_names: set[str]) -> tuple[EquationSystem, np.ndarray]:
    """The triangle, each total t also s = h + g = r with h, g hidden: two independent
    relations (t = s, t = r) hold every certificate cell, so no single cell or pair frees x
    (repair8's case); `fixed_names`: frozen published cells."""
    sizes, equations, hidden, costs = _twin_parts()
    system = _system(equations, sizes, hidden, costs)
    return system, np.array([str(key[0]) in fixed_names for key in system.keys])


def _twin_parts() -> tuple[dict[str, float], list[dict[str, float]], set[str], dict[str, float]]:
    """The triangle of twins' sizes, equations, hidden cells and hide costs."""
    sizes, equations, hidden = _triangle_parts()
    costs: dict[str, float] = {}
    for number, total in enumerate((50.0, 70.0, 60.0), start=1):
        t, s, r, h, g = (f"{name}{number}" for name in "tsrhg")
        sizes |= {t: total, s: total, r: total, h: total / 2, g: total / 2}
        equations += [{name: -1.0, h: 1.0, g: 1.0} for name in (t, s, r)]
        hidden |= {h, g}
        costs |= {t: number, s: number, r: number}  # the first total's cells cheapest
    return sizes, equations, hidden, costs


def _four_triangles_of_twins() -> EquationSystem:
    """Four separate triangles of twins: 12 stuck cells."""
    sizes, equations, hidden, costs = _twin_parts()
    copies = [f"_{k}" for k in range(4)]
    return _system(
        [{name + c: v for name, v in equation.items()} for c in copies for equation in equations],
        {name + c: v for c in copies for name, v in sizes.items()},
        {name + c for c in copies for name in hidden},
        {name + c: v for c in copies for name, v in costs.items()},
    )


def test_stuck_cells_whose_joint_neighbourhood_is_too_large_are_served_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four separate triangles of twins: the 12 stuck cells' neighbourhoods together pass the
    bound at 1 hop (24 cells > 18), each alone reaches its whole triangle (18 cells, 3 hops):
    each triangle's cheapest total goes, as when each is planned alone."""
    system = _four_triangles_of_twins()
    monkeypatch.setattr(span_repair, "MAX_NEIGHBOURHOOD", 18)
    repair = span_repair.plan(system, max_rounds=1)
    assert sorted(str(key[0]) for key in repair.added) == sorted(
        f"{name}1_{k}" for k in range(4) for name in "tsr"
    )
    assert span_repair.determined_after(system, repair).size == 0


def test_a_union_past_the_bound_goes_in_batches_from_the_radius_it_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Four triangles of twins under a bound of 36 cells: the 12 stuck cells' union fits at 1
    hop (24 cells) and serves none, passes the bound at 2 hops (48) and is not eliminated. Its
    cells go on in batches within the bound (a triangle's three cells: 30 cells at 2 hops),
    never again at 1 hop; at 4 hops two cells' neighbourhoods (36 cells: two triangles) serve
    the six stuck cells in them at once, then the other six. The cells hidden are the same as
    without a bound, and the plan is clean."""
    system = _four_triangles_of_twins()
    eliminated: list[int] = []
    searched: list[tuple[int, int]] = []  # (stuck cells, hops) per neighbourhood
    columns, neighbourhood = (
        span_repair.Certificates._columns,
        span_repair.Certificates._neighbourhood,
    )

    def counting_columns(
        certificates: span_repair.Certificates, cells: np.ndarray
    ) -> list[span_audit.Row]:
        eliminated.append(len(cells))  # each neighbourhood eliminated
        return columns(certificates, cells)

    def counting_neighbourhood(
        certificates: span_repair.Certificates, cells: list[int], hops: int, fixed: np.ndarray
    ) -> np.ndarray:
        searched.append((len(cells), hops))
        return neighbourhood(certificates, cells, hops, fixed)

    monkeypatch.setattr(span_repair.Certificates, "_columns", counting_columns)
    monkeypatch.setattr(span_repair.Certificates, "_neighbourhood", counting_neighbourhood)
    unbounded = span_repair.plan(system, max_rounds=1)
    assert eliminated == [24, 48, 72]  # one union per radius
    eliminated.clear()
    searched.clear()
    monkeypatch.setattr(span_repair, "MAX_NEIGHBOURHOOD", 36)
    repair = span_repair.plan(system, max_rounds=1)
    assert eliminated == [24, 30, 30, 30, 30, 36, 36]
    assert searched[:2] == [(12, 1), (12, 2)] and min(hops for _, hops in searched[2:]) == 2
    assert sorted(repair.added) == sorted(unbounded.added)
    assert span_repair.determined_after(system, repair).size == 0


def test_the_stuck_cells_in_a_batch_s_neighbourhood_are_served_with_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The triangle of twins under a bound of 16 cells: x, y and z's union passes it at 4
    hops (18), x's own does too and is cut there, and the one elimination of that W serves y
    and z with x: no neighbourhood is searched for them alone."""
    system, fixed = _triangle_of_twins(set())
    searched: list[list[str]] = []
    neighbourhood = span_repair.Certificates._neighbourhood

    def naming_neighbourhood(
        certificates: span_repair.Certificates, cells: list[int], hops: int, fixed: np.ndarray
    ) -> np.ndarray:
        searched.append([str(system.keys[cell][0]) for cell in cells])
        return neighbourhood(certificates, cells, hops, fixed)

    monkeypatch.setattr(span_repair.Certificates, "_neighbourhood", naming_neighbourhood)
    monkeypatch.setattr(span_repair, "MAX_NEIGHBOURHOOD", 16)
    repair = span_repair.plan(system, max_rounds=1, fixed=fixed)
    assert searched == [["x", "y", "z"]] * 3 + [["x"]]
    assert {str(key[0]) for key in repair.added} == {"t1", "s1", "r1"}
    assert span_repair.determined_after(system, repair).size == 0


@pytest.mark.parametrize("frozen", [set(), {"r1"}])
def test_a_cell_no_pair_frees_is_freed_by_a_change_of_the_table_near_it(frozen: set[str]) -> None:
    """A change of the table that keeps every equation and moves x: (x, y, z) by (1, 1, -1)
    moves t1 alone (by 2), hence s1 and r1: hiding the three (the cheapest total's) frees x, y
    and z. With r1 frozen t1 must not move (t1 = r1), so the change goes through the next
    cheapest total, t2. One round, clean by a fresh exact audit and the hidden side."""
    system, fixed = _triangle_of_twins(frozen)
    assert close_under_single_equations(system, fixed) is system
    certificates = span_repair.Certificates(system)
    x = system.keys.index(("x",))
    y = certificates.certificate(x)
    read = certificates.reads(y)
    assert all(certificates.partner(y, read, v, ~fixed) is None for v in read)
    repair = span_repair.plan(system, max_rounds=1, fixed=fixed)
    assert repair.rounds == 1 and repair.per_round[-1] == 0
    moved = "2" if frozen else "1"
    assert {str(key[0]) for key in repair.added} == {f"{name}{moved}" for name in "tsr"}
    assert span_repair.determined_after(system, repair).size == 0
    assert Factorised(_after(system, repair.added)).determined().size == 0


def test_the_perturbation_eliminates_only_until_each_stuck_cell_has_its_relation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The triangle of twins: the first relation holding x comes with the cheapest total's
    cells (cost 1), so the elimination stops before the dearer published cells, and the plan
    is the same as the full elimination's (t1, s1, r1)."""
    system, fixed = _triangle_of_twins(set())
    consumed: list[tuple[int, int]] = []  # (rows given, rows eliminated) per elimination
    add_rows = span_audit.Echelon.add_rows

    def counting_add_rows(
        echelon: span_audit.Echelon,
        rows: list[span_audit.Row],
        order: Iterable[int],
        last: Iterable[int] = (),
    ) -> Iterator[int]:
        consumed.append((len(rows), 0))
        for row in add_rows(echelon, rows, order, last):
            consumed[-1] = (len(rows), consumed[-1][1] + 1)
            yield row

    monkeypatch.setattr(span_audit.Echelon, "add_rows", counting_add_rows)
    repair = span_repair.plan(system, max_rounds=1, fixed=fixed)
    assert {str(key[0]) for key in repair.added} == {"t1", "s1", "r1"}
    # the audit's own elimination, then one per radius: 1 and 2 hops serve nothing, 4 hops
    # (the whole triangle) does at its 12th of 18 columns
    assert consumed[1:] == [(6, 6), (12, 12), (18, 12)]


def test_the_perturbation_serves_only_the_tail(monkeypatch: pytest.MonkeyPatch) -> None:
    """A round that starts with more than PERTURB_BELOW determined cells hides the cheapest
    certificate cell alone where no pair serves: the triangle of twins is then not freed in
    one round."""
    system, fixed = _triangle_of_twins(set())
    monkeypatch.setattr(span_repair, "PERTURB_BELOW", 0)
    with pytest.raises(span_repair.RepairError, match="still determined after 1 repair rounds"):
        span_repair.plan(system, max_rounds=1, fixed=fixed)
