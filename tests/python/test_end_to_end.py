"""The demo path as a user runs it: generate → classify → dbt build → publish → read it back."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
import venv
from pathlib import Path

import duckdb
import pytest

from browser import open_report
from canary import Canaries, Run, scan, write_all_inputs
from econ_index.onet import build_seeds
from econ_index.publish import K_CONVERSATIONS_TOLERANCE

REPO = Path(__file__).resolve().parents[2]
KEY = "e2e-test-key-0123456789abcdef0123"
# Text a published table may hold: codes, titles, and the enumerations that label cells.
ALLOWED_TEXT_COLUMNS = {
    "period_grain",
    "level",
    "parent_level",
    "node_id",
    "node_title",
    "parent_id",
    "facet",
    "variable",
    "pct_base",
    "suppression_reason",
    "soc_code",
    "soc_title",
    "soc_level",
    "parent_soc_code",
    "onet_task_id",
    "task_statement",
    "onet_soc_code",
    "occupation_title",
    "collaboration_pattern",
    "onet_version",
    "major_soc_code",
}

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """One ``econ-index`` command in its own process, as a user runs it (dbt-duckdb keeps its
    connection open for the life of a process, so in-process steps would not be independent)."""
    done = subprocess.run(
        [sys.executable, "-m", "econ_index.cli", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, f"econ-index {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def _label_keys(warehouse: Path) -> tuple[set[tuple[str, str]], int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        keys = con.execute("select conversation_key, user_key from raw.conversation_labels")
        runs = con.execute("select count(*) from raw.classification_runs").fetchone()
        return set(keys.fetchall()), int(runs[0]) if runs else 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, onet_source: Path) -> dict[str, object]:
    """The generated corpus and the canary inputs of every format go into one warehouse, which
    is then built once and published; everything the pipeline writes stays under ``tmp``."""
    started = time.time()
    tmp = tmp_path_factory.mktemp("e2e")
    build_seeds(onet_source, REPO / "seeds")  # dbt's seed path
    for sub in ("dbt-target", "dbt-logs", "tmpdir"):
        (tmp / sub).mkdir()
    env = {
        "ECON_INDEX_USER_KEY": KEY,
        "ECON_INDEX_SEEDS": str(REPO / "seeds"),
        # dbt's run artefacts and logs, and any temporary file, land where the scan looks.
        "DBT_TARGET_PATH": str(tmp / "dbt-target"),
        "DBT_LOG_PATH": str(tmp / "dbt-logs"),
        "TMPDIR": str(tmp / "tmpdir"),
    }
    corpus = tmp / "conversations.jsonl"
    _cli("generate", "--out", str(corpus), "--n", "2500", "--seed", "5", env=env)
    warehouse = tmp / "warehouse.duckdb"
    classified = _cli(
        "classify", "--input", str(corpus), "--warehouse", str(warehouse), "--json", env=env
    )
    inputs = tmp_path_factory.mktemp("canary_inputs")
    canaries, runs = write_all_inputs(inputs)
    canary_counts: dict[str, dict[str, object]] = {}
    rerun: dict[str, object] = {}
    for run in runs:
        args = [a for path in run.inputs for a in ("--input", str(path))]
        command = ["classify", *args, "--format", run.fmt, "--warehouse", str(warehouse), "--json"]
        command += ["--max-quarantined", "1"]  # the canaries quarantine on purpose
        canary_counts[run.name] = json.loads(_cli(*command, env=env).stdout)
        if run is runs[0]:  # the same inputs again: same keys, no new rows
            rerun["before"] = _label_keys(warehouse)
            rerun["counts"] = json.loads(_cli(*command, env=env).stdout)
            rerun["after"] = _label_keys(warehouse)
    built = _cli("build", "--warehouse", str(warehouse), env=env)
    published = tmp / "published" / "econ_index.duckdb"
    done = _cli("publish", "--warehouse", str(warehouse), "--out", str(published), env=env)
    return {
        "counts": json.loads(classified.stdout),
        "build_output": built.stdout,
        "build_progress": built.stderr,
        "publish_output": done.stdout,
        "published": published,
        "warehouse": warehouse,
        "tmp": tmp,
        "inputs": inputs,
        "started": started,
        "canaries": canaries,
        "canary_runs": runs,
        "canary_counts": canary_counts,
        "rerun": rerun,
    }


def test_classify_counts_reconcile(demo: dict[str, object]) -> None:
    counts = demo["counts"]
    assert isinstance(counts, dict)
    assert counts["read"] == 2500
    assert counts["read"] == counts["classified"] + counts["filtered"] + counts["quarantined"]
    # The default classifier is fit on real text; on the generated corpus about half its votes
    # fall below the confidence threshold and are filtered (with a reason, counted above).
    assert counts["classified"] > 0.4 * counts["read"]


def test_manifest_describes_the_publication_and_its_runs(demo: dict[str, object]) -> None:
    """manifest.json beside the published file: its counts are the warehouse's runs, its
    checksums the files', its O*NET version the run's."""
    published = Path(str(demo["published"]))
    manifest = json.loads((published.parent / "manifest.json").read_text())
    with duckdb.connect(str(demo["warehouse"]), read_only=True) as con:
        runs = con.execute(
            "select count(*), sum(n_read), sum(n_classified), sum(n_filtered), "
            "sum(n_quarantined) from raw.classification_runs"
        ).fetchone()
    assert runs is not None
    got = manifest["runs"]
    assert (
        got["n_runs"],
        got["n_read"],
        got["n_classified"],
        got["n_filtered"],
        got["n_quarantined"],
    ) == tuple(int(x) for x in runs)
    counts = demo["counts"]
    assert isinstance(counts, dict) and got["n_read"] >= counts["read"]
    assert manifest["onet_versions"] == ["aei_2025_02_10"]
    for entry in manifest["files"]:
        data = (published.parent / entry["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
    assert "econ_index_docs.html" in {entry["path"] for entry in manifest["files"]}


def test_publish_prints_path_line(demo: dict[str, object]) -> None:
    lines = str(demo["publish_output"]).splitlines()
    assert f"published: {demo['published']}" in lines


def test_publish_writes_a_report_that_renders_in_chromium(
    demo: dict[str, object], tmp_path: Path
) -> None:
    """The demo's own report: every chart drawn from the real published cells, PNGs beside it."""
    published = Path(str(demo["published"]))
    report = published.with_name("econ_index_report.html")
    assert (report.stat().st_mode & 0o777) == 0o644
    pngs = {p.name for p in published.with_name("econ_index_report_charts").glob("*.png")}
    assert {"majors.png", "automation.png", "suppression.png"} <= pngs
    check = open_report(report, tmp_path / "report.png")
    assert len(check.charts) == len(pngs)
    assert check.failed_charts == [] and check.errors == []


def test_published_file_holds_only_k_anonymous_cells(demo: dict[str, object]) -> None:
    with duckdb.connect(str(demo["published"]), read_only=True) as con:
        rows = con.execute("select table_name from information_schema.tables").fetchall()
        tables = [r[0] for r in rows]
        assert tables and all(t.startswith("pub_") for t in tables)
        text_columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where data_type = 'VARCHAR'"
        ).fetchall()
        assert {c for _, c in text_columns} <= ALLOWED_TEXT_COLUMNS, text_columns
        below_k = con.execute(
            "select count(*) from pub_index_cells where not is_suppressed "
            "and (n_users < 5 or n_conversations < ?)",
            [15 - K_CONVERSATIONS_TOLERANCE],
        ).fetchone()
        assert below_k == (0,)
        published, suppressed = con.execute(
            "select count(*) filter (where not is_suppressed), "
            "count(*) filter (where is_suppressed) "
            "from pub_index_cells"
        ).fetchone() or (0, 0)
        assert published > 0 and suppressed > 0
        leaked = con.execute(
            "select count(*) from pub_index_cells where is_suppressed and "
            "(n_users is not null or n_conversations is not null or pct is not null)"
        ).fetchone()
        assert leaked == (0,)


WIDE_MARTS = {
    "pub_usage_by_soc": "facet = 'usage' and level in ('major', 'minor', 'broad', 'detailed', "
    "'occupation')",
    "pub_task_usage": "facet = 'usage' and level = 'task'",
}


def test_published_file_holds_the_wide_marts_built_from_suppressed_cells(
    demo: dict[str, object],
) -> None:
    """The wide BI marts (views and a table over pub_index_cells) are tables in the published
    file and in Parquet, with exactly the long table's rows and its nulls."""
    with duckdb.connect(str(demo["published"]), read_only=True) as con:
        kinds = dict(
            con.execute("select table_name, table_type from information_schema.tables").fetchall()
        )
        assert set(kinds) == {"pub_index_cells", "pub_collaboration_by_node", *WIDE_MARTS}
        assert set(kinds.values()) == {"BASE TABLE"}
        for mart, where in WIDE_MARTS.items():
            (cells,) = con.execute(f"select count(*) from pub_index_cells where {where}").fetchone()
            (rows,) = con.execute(f"select count(*) from {mart}").fetchone()
            assert rows == cells > 0, mart
            mismatched = con.execute(
                f"select count(*) from {mart} as m inner join pub_index_cells as c "
                "using (period_grain, period_start, level, node_id) "
                "where c.facet = 'usage' and (m.is_suppressed <> c.is_suppressed "
                "or m.pct_of_classified is distinct from c.pct "
                "or m.n_users is distinct from c.n_users)"
            ).fetchone()
            assert mismatched == (0,), mart
        (nodes,) = con.execute(
            "select count(distinct (period_grain, period_start, level, node_id)) "
            "from pub_index_cells where facet = 'collaboration'"
        ).fetchone()
        wide = con.execute(
            "select count(*), count(*) filter (where is_complete), "
            "count(*) filter (where n_patterns_suppressed > 0), "
            # the split comes from the two mode cells only, never from visible patterns
            "count(*) filter (where automation_pct_of_five_pattern_base is not null "
            "and (automation_n_conversations is null or augmentation_n_conversations is null)) "
            "from pub_collaboration_by_node"
        ).fetchone()
        assert wide is not None
        rows, complete, incomplete, renormalised = wide
        assert rows == nodes and complete > 0 and incomplete > 0
        assert renormalised == 0
    parquet = Path(str(demo["published"])).with_name("econ_index_parquet")
    assert {f"{t}.parquet" for t in kinds} == {f.name for f in parquet.iterdir()}


def test_no_placeholder_date_in_anything_published(demo: dict[str, object]) -> None:
    """The intermediate models' all-time sentinel (1900-01-01) reaches no published table,
    Parquet file or AEI export: all-time rows carry the data's first and last day, and every
    row its period_end and is_partial_period."""
    published = Path(str(demo["published"]))
    with duckdb.connect(str(published), read_only=True) as con:
        for table in ("pub_index_cells", "pub_collaboration_by_node", *WIDE_MARTS):
            first, last, partial = con.execute(
                "select min(period_start), max(period_end), count(*) filter "
                f"(where is_partial_period) from {table} where period_grain = 'all'"
            ).fetchone() or (None, None, None)
            assert first is not None and first.year > 2000 and last >= first, table
            assert partial == 0, table
            (bad,) = con.execute(
                f"select count(*) from {table} where period_end < period_start"
                " or period_start < date '2000-01-01' or is_partial_period is null"
            ).fetchone() or (1,)
            assert bad == 0, table
    written = [*published.with_name("econ_index_parquet").iterdir()]
    written += [published.with_name(f"econ_index_aei.{kind}") for kind in ("csv", "parquet")]
    for path in written:
        (hits,) = duckdb.sql(
            f"select count(*) from '{path}' as t where cast(t as varchar) like '%1900-01-01%'"
        ).fetchone() or (1,)
        assert hits == 0, path


def test_build_repairs_until_no_hidden_count_is_determined(demo: dict[str, object]) -> None:
    """`econ-index build` ends with a repair pass that finds nothing determined; every cell the
    passes hid is in raw.suppression_repairs and hidden in the published file."""
    passes = re.findall(
        r"repair pass (\d+): ([\d,]+) hidden cells determined, ([\d,]+) more hidden",
        str(demo["build_output"]),
    )
    assert passes and passes[-1][1:] == ("0", "0"), demo["build_output"]
    added = sum(int(n.replace(",", "")) for _, _, n in passes)
    # the headline cells released after a clean pass (span_repair.release) are its other rows
    released = sum(
        int(n.replace(",", ""))
        for n in re.findall(
            r"then\s+([\d,]+)\s+headline\s+cells\s+released", str(demo["build_output"])
        )
    )
    with duckdb.connect(str(demo["warehouse"]), read_only=True) as con:
        repairs = con.execute(
            "select count(*), count(*) filter (where c.is_suppressed)"
            " from raw.suppression_repairs as r inner join published.pub_index_cells as c"
            " using (period_grain, period_start, level, node_id, facet, variable)"
            " where r.action = 'hide'"
        ).fetchone()
        releases = con.execute(
            "select count(*), count(*) filter (where d.is_headline)"
            " from raw.suppression_repairs as r inner join intermediate.int_disclosure_cells as d"
            " using (period_grain, period_start, level, node_id, facet, variable)"
            " where r.action = 'release'"
        ).fetchone()
    assert repairs == (added, added)
    assert releases == (released, released)


def test_build_sums_dbt_up(demo: dict[str, object]) -> None:
    """Without --verbose, `build` prints a line per dbt command, not dbt's node-by-node log."""
    lines = str(demo["build_output"]).splitlines()
    # a few lines per dbt command and per audit (wrapped at 80 columns), not one per node
    assert len(lines) < 24, lines
    assert re.search(r"dbt build: .*\d+ models.*\d+ tests", " ".join(lines))
    # progress with totals on stderr (no terminal: a line per tenth of the nodes), summed up too
    progress = re.findall(r"^\[(\d+)/(\d+)\] dbt build", str(demo["build_progress"]), re.M)
    assert progress and len(progress) <= 3 * 10, demo["build_progress"]
    done, total = progress[0]
    assert int(done) < int(total) > 100


def test_audit_command_reports_the_exact_audit(demo: dict[str, object]) -> None:
    done = _cli("audit", "--warehouse", str(demo["warehouse"]), "--strict", env={})
    with duckdb.connect(str(demo["published"]), read_only=True) as con:
        row = con.execute("select count(*) from pub_index_cells where is_suppressed").fetchone()
    assert row is not None
    assert re.search(rf"hidden cells\s*│\s*{row[0]:,}\s*│", done.stdout), done.stdout
    assert re.search(r"determined by the published ones\s*│\s*0\s*│", done.stdout), done.stdout
    assert "  determined: " not in done.stdout


def test_published_file_opens_in_duckdb_1_0(demo: dict[str, object], tmp_path: Path) -> None:
    """A BI tool on an old client: DuckDB 1.0.0 in its own virtual environment."""
    env_dir = tmp_path / "duckdb10"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "duckdb==1.0.0"], check=True)
    code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        "print(min(c.execute(f'select count(*) from {t}').fetchone()[0] for t in "
        "('pub_index_cells', 'pub_usage_by_soc', 'pub_task_usage', 'pub_collaboration_by_node')))"
    )
    done = subprocess.run(
        [python, "-c", code, str(demo["published"])], check=True, capture_output=True, text=True
    )
    assert int(done.stdout) > 0


# -- canaries: nothing planted in the inputs survives anywhere the pipeline writes ------------


def _written_files(demo: dict[str, object]) -> list[Path]:
    """Roots to scan: the test's output directory, and anything in the repository the run
    touched (dbt writes its artefacts relative to the project unless told otherwise)."""
    started = float(str(demo["started"]))
    touched = [
        f
        for f in REPO.rglob("*")
        if ".git" not in f.parts and f.is_file() and f.stat().st_mtime >= started
    ]
    return [Path(str(demo["tmp"])), *touched]


def test_canaries_were_planted_in_every_input(demo: dict[str, object]) -> None:
    """The scanner's control: it finds every canary and user id in the inputs (zip, gzip too)."""
    canaries = demo["canaries"]
    assert isinstance(canaries, Canaries)
    needles = canaries.needles()
    files, hits = scan([Path(str(demo["inputs"]))], needles)
    assert {p.name for p in files} >= {
        "canary.jsonl",
        "canary.jsonl.gz",
        "conversations.json",
        "claude-export.zip",
        "chatgpt-export.zip",
    }
    found = {hit.split(" in ", 1)[0] for hit in hits}
    # Derived user ids are computed from paths: they are in no input file.
    expected = {
        k for k, v in needles.items() if "file:" not in k and not k.startswith("user id digest")
    }
    assert expected <= found, sorted(expected - found)


def test_no_canary_or_raw_user_id_in_anything_written(demo: dict[str, object]) -> None:
    canaries = demo["canaries"]
    assert isinstance(canaries, Canaries)
    files, hits = scan(_written_files(demo), canaries.needles())
    names = {f.name for f in files}
    # The scan covered what the pipeline writes: warehouse, published DuckDB and Parquet, the
    # AEI long export, the manifest, the HTML report and dbt's run artefacts and logs.
    assert {"warehouse.duckdb", "econ_index.duckdb", "econ_index_report.html"} <= names
    assert {"econ_index_aei.csv", "econ_index_aei.parquet", "manifest.json"} <= names
    assert "econ_index_docs.html" in names
    assert {"pub_index_cells.parquet", "run_results.json", "dbt.log"} <= names
    assert hits == []


def test_canary_runs_reconcile_and_quarantine_what_they_should(demo: dict[str, object]) -> None:
    runs = demo["canary_runs"]
    counts = demo["canary_counts"]
    assert isinstance(runs, list) and isinstance(counts, dict)
    for run in runs:
        assert isinstance(run, Run)
        c = counts[run.name]
        assert c["read"] == run.read, (run.name, c)
        assert c["read"] == c["classified"] + c["filtered"] + c["quarantined"], (run.name, c)
        assert c["quarantine_reasons"] == run.quarantine_reasons, (run.name, c)
        assert c["classified"] + c["filtered"] >= 1, (run.name, c)
    with duckdb.connect(str(demo["warehouse"]), read_only=True) as con:
        quarantined = con.execute(
            "select count(*) from raw.quarantine where source_file not like '%conversations.jsonl'"
        ).fetchone()
        # the re-run of the first input replaced its partition's quarantined records
        expected = sum(sum(r.quarantine_reasons.values()) for r in runs)
        assert quarantined == (expected,)
        columns = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'raw' and data_type = 'VARCHAR'"
        ).fetchall()
    # Staged text columns hold keys, codes, reasons and paths only (and the repair's cell keys).
    assert {c for _, c in columns} <= {
        "period_grain",
        "level",
        "node_id",
        "facet",
        "variable",
        "conversation_key",
        "user_key",
        "status",
        "filter_reason",
        "onet_task_id",
        "collaboration_pattern",
        "classifier_name",
        "classifier_version",
        "onet_version",
        "run_id",
        "source_file",
        "record_unit",
        "reason",
        "backend",
        "scrubber",  # fast | strong
        "partition_name",  # by default the inputs' paths
        "action",  # a repair's: hide | release
        "cells_fingerprint",  # a hash of the cells a repair was planned on
        "suppression_reason",  # why a frozen cell of a closed period was hidden
    }, columns


def test_rerun_of_the_same_inputs_is_idempotent(demo: dict[str, object]) -> None:
    rerun = demo["rerun"]
    assert isinstance(rerun, dict)
    (keys_before, runs_before), (keys_after, runs_after) = rerun["before"], rerun["after"]
    assert keys_after == keys_before  # same conversation and user keys, no new rows
    assert runs_after == runs_before  # the run replaced its partition's run
    first = demo["canary_counts"]
    assert isinstance(first, dict)
    again = dict(rerun["counts"])
    same = dict(first["jsonl"])
    assert (again["replaced_labels"], again["replaced_quarantined"]) == (
        same["classified"] + same["filtered"],
        same["quarantined"],
    )
    for key in ("run_id", "replaced_labels", "replaced_quarantined"):
        again.pop(key)
        same.pop(key)
    assert again == same


def test_aei_v1_command_reproduces_the_published_figures(onet_source: Path) -> None:
    """The README's reproduction command, end to end: the release through the dbt rollups."""
    done = _cli("aei-v1", "--release", str(onet_source), "--json", env={})
    figures = json.loads(done.stdout)
    # dbt's log is summed up (--verbose shows it): progress lines with totals on stderr
    lines = done.stderr.splitlines()
    assert lines and len(lines) <= 11, done.stderr  # a tenth of the nodes per line, and the last
    assert all(re.match(r"\[\d+/\d+\] dbt build ", line) for line in lines), done.stderr
    majors = figures["soc_major_group_pct"]
    assert (majors["15"], majors["27"], majors["25"], majors["43"]) == (37.2, 10.3, 9.3, 7.9)
    assert (figures["automation_pct"], figures["augmentation_pct"]) == (42.6, 57.4)
    assert figures["occupation_share_ge_25pct_tasks"] == 36.2
    assert figures["n_occupations"] == 974
