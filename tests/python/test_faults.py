"""Faults, for real: ``econ-index`` processes killed with SIGKILL half-way, then run again.

* ``classify`` killed mid-stream leaves the warehouse as it was (the run is one transaction, and
  its forked worker does not outlive it); the same command again ends every conversation exactly
  once and its counts reconcile with the corpus.
* ``build`` or ``publish`` killed half-way leaves the previously published file intact and
  readable.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from econ_index.generate import write_corpus
from econ_index.onet import build_seeds
from econ_index.taxonomy import Taxonomy
from test_publish import _warehouse

REPO = Path(__file__).resolve().parents[2]
KEY = "faults-test-key-0123456789abcdef01"
COPIES = 3  # the generated corpus, again under other ids: long enough for a kill mid-stream
WAIT_SECONDS = 300

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/fdinfo").is_dir(), reason="watches reads in /proc"
)


@pytest.fixture
def env(seeds_dir: Path, tmp_path: Path) -> dict[str, str]:
    for sub in ("dbt-target", "dbt-logs"):
        (tmp_path / sub).mkdir()
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")]),
        "ECON_INDEX_USER_KEY": KEY,
        "ECON_INDEX_SEEDS": str(seeds_dir),
        "DBT_TARGET_PATH": str(tmp_path / "dbt-target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "econ_index.cli", *args]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        _command(*args), env=env, capture_output=True, text=True, check=False, cwd=REPO
    )
    assert done.returncode == 0, f"econ-index {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _read_position(pgid: int, path: Path) -> int:
    """How far a process of group ``pgid`` has read into ``path`` (its open file's offset, from
    /proc); 0 while no process of the group has it open."""
    target = str(path.resolve())
    furthest = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            # the process group is the 5th field of stat, the 3rd after the ")" ending the name
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[2]) != pgid:
                continue
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == target:
                    info = (proc / "fdinfo" / fd.name).read_text().splitlines()
                    pos = next(int(x.split()[1]) for x in info if x.startswith("pos:"))
                    furthest = max(furthest, pos)
        except (OSError, ValueError, IndexError):
            continue  # the process or file went away while looked at
    return furthest


def _wait_for(what: str, ready: Callable[[], bool], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not ready():
        if proc.poll() is not None:
            raise AssertionError(f"the process ended (exit {proc.returncode}) before {what}")
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.05)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """SIGKILL the command (the leader of its own process group), then make sure that nothing of
    the group is left (a forked worker would be re-parented and keep running)."""
    assert proc.poll() is None, "the command finished before the kill: make the corpus larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 30
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts in their own group; whatever is left of them is killed after."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _start(env: dict[str, str], procs: list[subprocess.Popen[str]], *args: str) -> Any:
    proc = subprocess.Popen(
        _command(*args),
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: the worker is found after the kill
    )
    procs.append(proc)
    return proc


def _corpus(path: Path, taxonomy: Taxonomy) -> tuple[int, int]:
    """A corpus of generated conversations, each ``COPIES`` times under other ids, plus a line
    that is not JSON and an exact duplicate (both quarantined). Returns (records, distinct ids)."""
    base = path.with_suffix(".base.jsonl")
    write_corpus(base, 800, seed=21, taxonomy=taxonomy)
    lines = base.read_text(encoding="utf-8").splitlines()
    records = []
    for copy in range(COPIES):
        for line in lines:
            record = json.loads(line)
            record["conversation_id"] = f"{record['conversation_id']}-copy{copy}"
            records.append(json.dumps(record))
    distinct = len(records)
    records.insert(len(records) // 2, "{not json")
    records.append(records[0])
    path.write_text("\n".join(records) + "\n", encoding="utf-8")
    return len(records), distinct


def _warehouse_state(warehouse: Path) -> dict[str, object]:
    with duckdb.connect(str(warehouse), read_only=True) as con:

        def one(sql: str) -> object:
            row = con.execute(sql).fetchone()
            assert row is not None
            return row[0] if len(row) == 1 else row

        return {
            "labels": one(
                "select count(*), count(distinct conversation_key) from raw.conversation_labels"
            ),
            "runs": one("select count(*) from raw.classification_runs"),
            "quarantine": one("select count(*) from raw.quarantine"),
            "label_runs": one("select count(distinct run_id) from raw.conversation_labels"),
        }


@pytest.mark.slow
@needs_proc
def test_classify_killed_mid_stream_then_rerun_ends_each_conversation_once(
    env: dict[str, str],
    tmp_path: Path,
    taxonomy: Taxonomy,
    started: list[subprocess.Popen[str]],
) -> None:
    corpus = tmp_path / "corpus.jsonl"
    n_records, n_distinct = _corpus(corpus, taxonomy)
    warehouse = tmp_path / "wh" / "warehouse.duckdb"
    # An earlier, finished run on a prefix of the corpus: the killed run must leave it as it is.
    prefix = tmp_path / "prefix.jsonl"
    prefix.write_text("".join(corpus.open(encoding="utf-8").readlines()[:200]), encoding="utf-8")
    classify = ["classify", "--warehouse", str(warehouse), "--json", "--max-quarantined", "1"]
    _run(env, *classify, "--input", str(prefix))
    before = _warehouse_state(warehouse)
    assert before == {"labels": (200, 200), "runs": 1, "quarantine": 0, "label_runs": 1}

    # Killed once a quarter of the corpus has been read (by the forked reading worker): the
    # run is well under way, and far from its commit at the very end.
    proc = _start(env, started, *classify, "--processes", "2", "--input", str(corpus))
    quarter = corpus.stat().st_size // 4
    _wait_for(
        "a quarter of the corpus read", lambda: _read_position(proc.pid, corpus) > quarter, proc
    )
    _kill_group(proc)
    assert not _group_alive(proc.pid), "the reading worker outlived the killed run"
    assert _warehouse_state(warehouse) == before  # the killed transaction left nothing

    counts = json.loads(_run(env, *classify, "--input", str(corpus)).stdout)
    assert counts["read"] == n_records
    assert counts["classified"] + counts["filtered"] + counts["quarantined"] == n_records
    assert counts["quarantine_reasons"] == {"invalid_json": 1, "duplicate_id": 1}
    assert counts["classified"] + counts["filtered"] == n_distinct
    after = _warehouse_state(warehouse)
    # each conversation once; the prefix's rows were replaced by the rerun's (same keys)
    assert after == {
        "labels": (n_distinct, n_distinct),
        "runs": 2,
        "quarantine": 2,
        "label_runs": 1,
    }


# Run in a process of its own: publish, with SIGKILL sent to itself just before the n-th rename
# of the publication (1: the DuckDB file, 2 and 3: the Parquet folder's swap) or, n = 4, after
# them all (before the old Parquet folder is removed).
_KILLED_PUBLISH = """
import os, signal, sys
from pathlib import Path
import econ_index.publish as publish

calls = 0
real_replace = os.replace

def replace(src, dst):
    global calls
    calls += 1
    if calls == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst)

def rmtree(path, ignore_errors=False):
    if calls == 3 and int(sys.argv[3]) == 4 and str(path).endswith(".old"):
        os.kill(os.getpid(), signal.SIGKILL)
    real_rmtree(path, ignore_errors=ignore_errors)

real_rmtree = publish.shutil.rmtree
os.replace = replace
publish.shutil.rmtree = rmtree
publish.publish(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def _published(out: Path) -> dict[str, object]:
    """Everything a reader sees: the DuckDB file's rows and the Parquet folder's files."""
    with duckdb.connect(str(out), read_only=True) as con:
        rows = con.execute(
            "select node_id, n_users, pct, is_suppressed from pub_index_cells order by all"
        ).fetchall()
    parquet = out.with_name(out.stem + "_parquet")
    return {
        "rows": rows,
        "parquet": sorted(p.name for p in parquet.iterdir()) if parquet.is_dir() else None,
    }


@pytest.mark.slow
@pytest.mark.parametrize("kill_at", [1, 2, 3, 4])
def test_publish_killed_half_way_leaves_a_whole_file(tmp_path: Path, kill_at: int) -> None:
    from econ_index.publish import publish

    for sub in ("first", "second"):
        (tmp_path / sub).mkdir()
    first = _warehouse(tmp_path / "first" / "warehouse.duckdb")
    second = _warehouse(tmp_path / "second" / "warehouse.duckdb")
    with duckdb.connect(str(second)) as con:  # another publication: the published figure moved
        con.execute("update published.pub_index_cells set pct = 75.0 where not is_suppressed")
    out = tmp_path / "published" / "econ_index.duckdb"
    publish(first, out)
    before = _published(out)
    done = subprocess.run(
        [sys.executable, "-c", _KILLED_PUBLISH, str(second), str(out), str(kill_at)],
        env={**os.environ, "PYTHONPATH": str(REPO / "src")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    now = _published(out)  # whole and readable: the old file before its rename, the new after
    assert now["rows"] == (
        before["rows"]
        if kill_at == 1
        else [
            (node, users, 75.0 if pct is not None else None, hidden)
            for node, users, pct, hidden in before["rows"]
        ]
    )
    publish(second, out)  # the next publish clears what the killed one left
    after = _published(out)
    assert after["parquet"] == before["parquet"]
    leftovers = sorted(p.name for p in out.parent.iterdir())
    assert leftovers == [
        ".econ_index.duckdb.lock",
        "econ_index.duckdb",
        "econ_index_aei.csv",
        "econ_index_aei.parquet",
        "econ_index_parquet",
        "manifest.json",
    ]


def _contents(published: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of a published DuckDB file, sorted."""
    with duckdb.connect(str(published), read_only=True) as con:
        tables = [r[0] for r in con.execute("show tables").fetchall()]
        return {t: con.execute(f'select * from "{t}" order by all').fetchall() for t in tables}


@pytest.mark.slow
def test_build_killed_half_way_leaves_the_published_file_and_builds_again(
    env: dict[str, str],
    tmp_path: Path,
    taxonomy: Taxonomy,
    onet_source: Path,
    started: list[subprocess.Popen[str]],
) -> None:
    build_seeds(onet_source, REPO / "seeds")  # dbt's seed path
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 300, seed=22, taxonomy=taxonomy)
    warehouse = tmp_path / "warehouse.duckdb"
    published = tmp_path / "published" / "econ_index.duckdb"
    _run(env, "classify", "--input", str(corpus), "--warehouse", str(warehouse))
    _run(env, "build", "--warehouse", str(warehouse))
    _run(env, "publish", "--warehouse", str(warehouse), "--out", str(published))
    first_bytes = hashlib.sha256(published.read_bytes()).hexdigest()
    first = _contents(published)

    # killed once dbt has finished a few dozen of its nodes (models, seeds and tests)
    log = tmp_path / "killed-build-logs"
    proc = _start(
        {**env, "DBT_LOG_PATH": str(log)}, started, "build", "--warehouse", str(warehouse)
    )
    dbt_log = log / "dbt.log"

    def nodes_done() -> int:
        if not dbt_log.is_file():
            return 0
        return dbt_log.read_text(errors="replace").count("Finished running node")

    _wait_for("dbt nodes done", lambda: nodes_done() >= 40, proc)
    _kill_group(proc)
    assert hashlib.sha256(published.read_bytes()).hexdigest() == first_bytes
    assert _contents(published) == first

    # the same commands again: the warehouse builds, and publishes the same figures
    _run(env, "build", "--warehouse", str(warehouse))
    _run(env, "publish", "--warehouse", str(warehouse), "--out", str(published))
    assert _contents(published) == first
