"""The command line says what happened: failures exit non-zero with a message naming the input,
and the options a user needs to recover are there (issue: a CLI that tells the truth)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from econ_index import __version__
from econ_index.cli import app

USER_KEY = "0123456789abcdef0123456789abcdef"
runner = CliRunner()


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ECON_INDEX_USER_KEY", USER_KEY)
    monkeypatch.delenv("ECON_INDEX_SEEDS", raising=False)
    monkeypatch.delenv("ECON_INDEX_MAX_QUARANTINED", raising=False)
    monkeypatch.chdir(tmp_path)


def _records(n: int, *, dated: bool) -> str:
    lines = []
    for i in range(n):
        record: dict[str, object] = {
            "conversation_id": f"{'dated' if dated else 'undated'}-{i}",
            "user_id": f"u{i % 3}",
            "messages": [{"role": "user", "content": "Write a Python function that sorts a list"}],
        }
        if dated:
            record["created_at"] = "2025-03-04T05:06:07Z"
        lines.append(json.dumps(record))
    return "\n".join(lines) + "\n"


def _classify(*args: str, seeds: Path | None) -> tuple[int, str]:
    """Exit code and everything printed (stdout and stderr)."""
    where = ["--seeds", str(seeds)] if seeds else []
    done = runner.invoke(app, ["classify", "--warehouse", "wh.duckdb", *where, *args])
    return done.exit_code, done.output


def _counts(*args: str, seeds: Path) -> tuple[int, dict[str, object], str]:
    """Exit code, the run's JSON counts (stdout) and the messages (stderr) of ``--json``."""
    done = runner.invoke(
        app, ["classify", "--warehouse", "wh.duckdb", "--seeds", str(seeds), "--json", *args]
    )
    return done.exit_code, json.loads(done.stdout), done.stderr


def test_version() -> None:
    done = runner.invoke(app, ["--version"])
    assert done.exit_code == 0
    assert done.output.strip() == f"econ-index {__version__}"


@pytest.mark.parametrize(
    "command",
    [
        "seeds",
        "generate",
        "evaluate",
        "train",
        "classify",
        "build",
        "publish",
        "summary",
        "report",
        "audit",
        "aei-v1",
    ],
)
def test_every_help_page_has_an_example(command: str) -> None:
    done = runner.invoke(app, [command, "--help"], terminal_width=200)
    assert done.exit_code == 0
    assert "Example" in done.output and f"econ-index {command} " in done.output


def test_an_empty_input_is_a_failure(seeds_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_text("")
    code, output = _classify("--input", "empty.jsonl", seeds=seeds_dir)
    assert code == 1
    assert "nothing was read from empty.jsonl" in output


def test_a_binary_file_is_a_failure_naming_lines(seeds_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "blob.jsonl").write_bytes(bytes(range(256)) * 8 + b"\n" + b"\xff\xfe\n" * 3)
    code, output = _classify("--input", "blob.jsonl", seeds=seeds_dir)
    assert code == 1
    assert "invalid_json: blob.jsonl:line 1" in output
    assert "quarantined" in output and "--max-quarantined" in output


def test_records_without_timestamps(seeds_dir: Path, tmp_path: Path) -> None:
    """Mostly quarantined: exit 1 with the reason, the lines and the option that fixes it; with
    the option every record is classified or filtered."""
    (tmp_path / "undated.jsonl").write_text(_records(9, dated=False) + _records(1, dated=True))
    code, counts, messages = _counts("--input", "undated.jsonl", seeds=seeds_dir)
    assert code == 1
    assert counts["quarantine_reasons"] == {"missing_created_at": 9}
    assert counts["quarantine_examples"] == {
        "missing_created_at": [f"undated.jsonl:line {n}: created_at: missing" for n in (1, 2, 3)]
    }
    assert "--default-created-at" in messages

    code, counts, messages = _counts(
        "--input", "undated.jsonl", "--default-created-at", "2025-06-01", seeds=seeds_dir
    )
    assert code == 0, messages
    assert counts["quarantined"] == 0 and counts["read"] == 10


def test_the_quarantine_threshold_is_an_option(seeds_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "half.jsonl").write_text(_records(3, dated=False) + _records(2, dated=True))
    assert _classify("--input", "half.jsonl", seeds=seeds_dir)[0] == 1
    code, _ = _classify("--input", "half.jsonl", "--max-quarantined", "0.6", seeds=seeds_dir)
    assert code == 0


def test_seeds_are_found_outside_the_project(tmp_path: Path) -> None:
    """From a folder with no seeds, classify uses the dbt project's seeds (editable install)."""
    (tmp_path / "ok.jsonl").write_text(_records(2, dated=True))
    code, output = _classify("--input", "ok.jsonl", seeds=None)
    assert code == 0, output


def test_missing_seeds_name_where_they_were_looked_for(tmp_path: Path) -> None:
    (tmp_path / "ok.jsonl").write_text(_records(2, dated=True))
    code, output = _classify("--input", "ok.jsonl", seeds=tmp_path / "nowhere")
    assert code == 2
    assert "nowhere" in output and "econ-index seeds --source" in output


def test_an_empty_release_is_rejected(onet_source: Path, tmp_path: Path) -> None:
    release = tmp_path / "release"
    shutil.copytree(onet_source, release)
    tasks = next(release.glob("*task_statements*"))
    tasks.write_text(tasks.read_text().splitlines()[0] + "\n")  # the header alone
    done = runner.invoke(app, ["seeds", "--source", str(release), "--out", "out"])
    assert done.exit_code == 2
    assert "task statements found: an empty or truncated release" in done.output
    assert not (tmp_path / "out").exists()
