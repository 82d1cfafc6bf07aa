"""Faults the user can fix, told clearly: a locked, read-only or full warehouse, missing seeds,
an output folder that cannot be written, a k or a period grain out of range. Each exits non-zero
with a message naming the path or value and what to do, and leaves nothing half-written."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from econ_index.cli import app
from econ_index.generate import write_corpus
from econ_index.pipeline import connect_warehouse
from econ_index.publish import PublishError, publish
from econ_index.taxonomy import Taxonomy
from econ_index.warehouse import explain_error
from test_publish import _warehouse

REPO = Path(__file__).resolve().parents[2]
USER_KEY = "0123456789abcdef0123456789abcdef"
runner = CliRunner()
# Holds a write connection to a DuckDB file until its stdin closes.
_HOLDER = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1]); "
    "print('holding', flush=True); sys.stdin.read()"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, seeds_dir: Path) -> None:
    monkeypatch.setenv("ECON_INDEX_USER_KEY", USER_KEY)
    monkeypatch.setenv("ECON_INDEX_SEEDS", str(seeds_dir))
    monkeypatch.delenv("ECON_INDEX_MAX_QUARANTINED", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def corpus(taxonomy: Taxonomy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    write_corpus(path, 300, seed=3, taxonomy=taxonomy)
    return path


def _counts(warehouse: Path) -> tuple[int, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = con.execute("select count(*) from raw.conversation_labels").fetchone()
        runs = con.execute("select count(*) from raw.classification_runs").fetchone()
    assert labels is not None and runs is not None
    return labels[0], runs[0]


@pytest.fixture
def held(tmp_path: Path) -> Iterator[Path]:
    """A warehouse another process holds open for writing."""
    warehouse = tmp_path / "held" / "warehouse.duckdb"
    connect_warehouse(warehouse).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield warehouse
    finally:
        holder.communicate("")  # EOF: the holder lets go and exits


def test_a_locked_warehouse_is_named_with_what_to_do(
    held: Path, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done = runner.invoke(app, ["classify", "-i", str(corpus), "--warehouse", str(held)])
    assert done.exit_code == 1
    assert f"{held} is in use by another process" in done.output
    assert "Traceback" not in done.output

    done = runner.invoke(app, ["publish", "--warehouse", str(held), "--out", "out/p.duckdb"])
    assert done.exit_code == 1 and f"{held} is in use by another process" in done.output
    assert not Path("out/p.duckdb").exists()

    project = tmp_path / "project"  # build stops before dbt: only the seeds are looked at
    project.mkdir()
    (project / "seeds").symlink_to(os.environ["ECON_INDEX_SEEDS"])
    monkeypatch.setenv("ECON_INDEX_PROJECT_DIR", str(project))
    done = runner.invoke(app, ["build", "--warehouse", str(held)])
    assert done.exit_code == 1 and f"{held} is in use by another process" in done.output


# A classify run in a process whose files may not grow past a limit (RLIMIT_FSIZE): writes past
# it fail with EFBIG, as they fail with ENOSPC on a full disk, in DuckDB's own write layer.
_LIMITED = """
import resource, runpy, sys
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
sys.argv = ["econ-index", *sys.argv[2:]]
runpy.run_module("econ_index.cli", run_name="__main__")
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX resource limits")
def test_a_full_disk_stores_nothing_and_says_so(corpus: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    connect_warehouse(warehouse).close()
    limit = 16 * 1024  # the run's rows do not fit in the warehouse's log
    done = subprocess.run(
        [sys.executable, "-c", _LIMITED, str(limit), "classify", "-i", str(corpus)]
        + ["--warehouse", str(warehouse), "--processes", "1"],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert f"cannot write {warehouse}: the disk is full" in done.stderr
    assert "nothing of this run was stored" in done.stderr
    assert _counts(warehouse) == (0, 0)  # no partial state, and the file still opens
    rerun = runner.invoke(app, ["classify", "-i", str(corpus), "--warehouse", str(warehouse)])
    assert rerun.exit_code == 0, rerun.output
    assert _counts(warehouse) == (300, 1)


def test_no_space_is_explained() -> None:
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/wh.duckdb.wal")
    message = explain_error(Path("/data/wh.duckdb"), exc)
    assert message.startswith("cannot write /data/wh.duckdb: the disk is full; free space")
    assert "--warehouse" in message


def test_publish_out_of_space_keeps_the_previous_publication(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "published" / "econ_index.duckdb"
    publish(warehouse, out)
    before = out.read_bytes()

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out.parent / ".tmp"))

    real_chmod = Path.chmod
    monkeypatch.setattr(  # fail once the temporary files are written, before any rename
        Path, "chmod", lambda self, mode: full() if self.name.startswith(".") else None
    )
    with pytest.raises(PublishError, match="the disk is full.*previous publication is unchanged"):
        publish(warehouse, out)
    monkeypatch.setattr(Path, "chmod", real_chmod)
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".econ_index.duckdb.lock",
        "econ_index.duckdb",
        "econ_index_aei.csv",
        "econ_index_aei.parquet",
        "econ_index_parquet",
        "manifest.json",
    ]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores file modes")
def test_a_read_only_warehouse_is_named(corpus: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "ro" / "warehouse.duckdb"
    connect_warehouse(warehouse).close()
    warehouse.chmod(0o444)
    warehouse.parent.chmod(0o555)
    try:
        done = runner.invoke(app, ["classify", "-i", str(corpus), "--warehouse", str(warehouse)])
    finally:
        warehouse.parent.chmod(0o755)
        warehouse.chmod(0o644)
    assert done.exit_code == 1
    assert f"cannot write {warehouse}: make it and its folder writable" in done.output
    assert _counts(warehouse) == (0, 0)


def test_a_warehouse_folder_that_cannot_be_made_is_named(corpus: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    warehouse = blocker / "warehouse.duckdb"
    done = runner.invoke(app, ["classify", "-i", str(corpus), "--warehouse", str(warehouse)])
    assert done.exit_code == 1
    assert f"{blocker} is not a folder; remove it or give --warehouse another path" in done.output
    assert str(blocker) in done.output
    assert "Traceback" not in done.output


def test_a_publish_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    done = runner.invoke(
        app, ["publish", "--warehouse", str(warehouse), "--out", str(blocker / "p.duckdb")]
    )
    assert done.exit_code == 1
    assert f"{blocker} is not a folder; remove it or give --out another path" in done.output


def test_missing_seeds_are_named_with_the_command_that_builds_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, corpus: Path
) -> None:
    missing = tmp_path / "no-seeds"
    done = runner.invoke(
        app, ["classify", "-i", str(corpus), "--warehouse", "wh.duckdb", "--seeds", str(missing)]
    )
    assert done.exit_code == 2
    assert str(missing) in done.output and "econ-index seeds" in done.output
    assert not Path("wh.duckdb").exists()

    project = tmp_path / "project"
    project.mkdir()
    monkeypatch.setenv("ECON_INDEX_PROJECT_DIR", str(project))
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    connect_warehouse(warehouse).close()
    before = warehouse.read_bytes()
    done = runner.invoke(app, ["build", "--warehouse", str(warehouse)])
    assert done.exit_code == 1
    output = done.output
    assert f"no onet_task_statements.csv in {project / 'seeds'}" in output
    assert "econ-index seeds" in output
    assert warehouse.read_bytes() == before


@pytest.mark.parametrize("option", ["--k-users", "--k-conversations"])
@pytest.mark.parametrize("value", ["1", "0", "-3"])
def test_publish_k_below_two_is_refused(tmp_path: Path, option: str, value: str) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "out" / "p.duckdb"
    done = runner.invoke(
        app,
        ["publish", "--warehouse", str(warehouse), "--out", str(out), option, value],
        terminal_width=200,
    )
    assert done.exit_code == 2
    assert f"Invalid value for '{option}': {value} is below 2" in done.output
    assert not out.parent.exists()


@pytest.mark.parametrize("k", [1, 0, True, 2.5])
def test_publish_function_refuses_k_below_two(tmp_path: Path, k: object) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    with pytest.raises(PublishError, match=r"k_users = .*: must be a whole number >= 2"):
        publish(warehouse, tmp_path / "p.duckdb", k_users=k)  # type: ignore[arg-type]
