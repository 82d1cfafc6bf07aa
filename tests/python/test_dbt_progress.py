"""`econ-index build` shows progress with totals (issue #14): dbt's structured events give the
nodes done out of the nodes selected; the console shows a bar on a terminal, a few numbered
lines otherwise, and nothing of its own under --verbose (dbt prints its numbered lines)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from econ_index.cli import PROGRESS_LINES, _dbt_progress
from econ_index.dbt_runner import project_dir, reporting_progress, run_dbt
from econ_index.onet import build_seeds
from econ_index.paths import SEED_FILE

SMALL_SEEDS = ("aei_pattern_shares", "soc_structure", "onet_occupations")


@pytest.mark.slow
def test_every_node_is_reported_with_the_total(onet_source: Path, tmp_path: Path) -> None:
    seeds = project_dir() / "seeds"
    if not (seeds / SEED_FILE).is_file():  # dbt reads the project's seeds (git-ignored)
        build_seeds(onet_source, seeds)
    calls: list[tuple[str, int, int, str]] = []
    command = ["seed", "--select", *SMALL_SEEDS]
    with reporting_progress(lambda *call: calls.append(call)):
        run_dbt(
            command,
            warehouse=tmp_path / "wh.duckdb",
            target_path=tmp_path / "target",
            quiet=True,
            verbose=False,
        )
    assert [(c[0], c[1], c[2]) for c in calls] == [(" ".join(command), n, 3) for n in (1, 2, 3)]
    assert {c[3] for c in calls} == {f"seed {name}" for name in SMALL_SEEDS}
    # outside the block, dbt runs without a listener
    run_dbt(
        ["seed", "--select", SMALL_SEEDS[0]],
        warehouse=tmp_path / "wh.duckdb",
        target_path=tmp_path / "target",
        quiet=True,
        verbose=False,
    )
    assert len(calls) == 3


def test_without_a_terminal_a_tenth_of_the_nodes_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with _dbt_progress(verbose=False) as listener:
        for done in range(1, 113):
            listener("build", done, 112, f"model m{done}")
        for done in range(1, 4):  # the next command counts again; a long name stays one line
            listener("build --select x+", done, 3, f"test t{done}" + "_long" * 20)
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert captured.out == ""
    assert len(lines) <= 2 * PROGRESS_LINES
    assert all(
        re.fullmatch(r"\[\d+/(112|3)\] dbt build.*: (model m|test t)\d+(_long)*", x) for x in lines
    )
    assert "[112/112] dbt build: model m112" in lines
    assert lines[-1] == "[3/3] dbt build --select x+: test t3" + "_long" * 20


def test_verbose_leaves_progress_to_dbt(capsys: pytest.CaptureFixture[str]) -> None:
    with _dbt_progress(verbose=True) as listener:
        listener("build", 1, 1, "model m")
    assert capsys.readouterr() == ("", "")
