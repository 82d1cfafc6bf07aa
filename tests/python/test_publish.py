"""``econ-index publish`` on small hand-made warehouses: views of schema ``published`` (the wide
BI marts) are copied as tables, whatever the warehouse file is called, the k check covers every
published relation that carries counts, and nothing is written when the exact audit finds a
hidden count that the published ones give back."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from econ_index.bundle import AEI_COLUMNS
from econ_index.publish import K_CONVERSATIONS_TOLERANCE, PublishError, publish

CELLS = """
create table published.pub_index_cells as
select * from (values
    ('all', date '2025-03-03', date '2025-03-20', 'major', '15-0000', 'usage', 'all',
     40.0, 9, 80.0, false, null),
    ('all', date '2025-03-03', date '2025-03-20', 'major', '43-0000', 'usage', 'all',
     null, null, null, true, 'primary:users<k')
    {total}
) as t(period_grain, period_start, period_end, level, node_id, facet, variable,
       n_conversations, n_users, pct, is_suppressed, suppression_reason)
"""
# With a published total, the hidden major group is the total minus the published one.
TOTAL = (
    ", ('all', date '2025-03-03', date '2025-03-20', 'total', 'total', 'usage', 'all',"
    " 60.0, 12, 100.0, false, null)"
)


def _audit_inputs(con: duckdb.DuckDBPyConnection) -> None:
    """What the audit reads beside the published cells: the allocation, the disclosure chain's
    cells by key, and the one equation (total = its major groups) whenever the total is a cell."""
    con.execute(
        "create schema intermediate; create table intermediate.int_task_allocation"
        " (onet_task_id varchar, onet_soc_code varchar, allocation_share double)"
    )
    con.execute(
        "create table intermediate.int_disclosure_cells as select period_grain,"
        " period_start, level, node_id, facet, variable, level || ':' || node_id as cell_id,"
        " row_number() over (order by level, node_id) as cell_no,"
        " case when level = 'total' then 6 else 5 end as hide_cost"
        " from published.pub_index_cells"
    )
    con.execute(
        "create table intermediate.int_disclosure_equations as select 1 as equation_no,"
        " cell_no, case when level = 'total' then -1.0 else 1.0 end"
        " as coefficient, false as is_implied from intermediate.int_disclosure_cells"
        " where exists (select 1 from intermediate.int_disclosure_cells where level = 'total')"
    )


def _warehouse(
    path: Path,
    *,
    mart_n_users: str = "n_users",
    mart_n_conversations: str = "n_conversations",
    total: str = "",
) -> Path:
    """A warehouse whose published schema holds the cells and a view over them; the view names
    its source with the catalog, as dbt-duckdb writes it (the file's stem)."""
    catalog = path.stem
    with duckdb.connect(str(path)) as con:
        con.execute("create schema published")
        con.execute(CELLS.format(total=total))
        con.execute(
            "alter table published.pub_index_cells add column parent_level varchar;"
            "alter table published.pub_index_cells add column parent_id varchar;"
            "update published.pub_index_cells set parent_level = 'total', parent_id = 'total'"
            " where level = 'major'"
        )
        _audit_inputs(con)
        con.execute(
            f"create view published.pub_usage_by_soc as select period_grain, node_id, "
            f"{mart_n_conversations} as n_conversations, {mart_n_users} as n_users, "
            "pct as pct_of_classified, "
            f"is_suppressed from \"{catalog}\".published.pub_index_cells where facet = 'usage'"
        )
    return path


@pytest.mark.parametrize("name", ["warehouse.duckdb", "econ_index.duckdb", "my-warehouse.db"])
def test_views_are_published_as_tables_whatever_the_file_is_called(
    tmp_path: Path, name: str
) -> None:
    warehouse = _warehouse(tmp_path / name)
    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(warehouse, out)
    assert result.tables == {"pub_index_cells": 2, "pub_usage_by_soc": 2}
    assert result.suppressed_cells == 1
    with duckdb.connect(str(out), read_only=True) as con:
        kinds = con.execute(
            "select table_name, table_type from information_schema.tables order by 1"
        ).fetchall()
        assert kinds == [("pub_index_cells", "BASE TABLE"), ("pub_usage_by_soc", "BASE TABLE")]
        rows = con.execute(
            "select node_id, n_users, pct_of_classified, is_suppressed "
            "from pub_usage_by_soc order by node_id"
        ).fetchall()
    assert rows == [("15-0000", 9, 80.0, False), ("43-0000", None, None, True)]
    parquet = pq.read_table(result.parquet_dir / "pub_usage_by_soc.parquet")
    assert parquet.num_rows == 2


def test_a_published_view_below_k_is_refused(tmp_path: Path) -> None:
    # A mart that (wrongly) shows fewer users than the cell it comes from.
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", mart_n_users="n_users - 5")
    with pytest.raises(PublishError, match="pub_usage_by_soc are below k"):
        publish(warehouse, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()


@pytest.mark.parametrize(("under_k", "refused"), [("3e-12", False), ("1e-3", True)])
def test_allocated_conversations_meet_k_within_their_rounding(
    tmp_path: Path, under_k: str, refused: bool
) -> None:
    """15 allocated conversations, summed from groups rounded to 12 decimals, can come out a few
    1e-12 under k = 15 and are published; a thousandth under is below k."""
    warehouse = _warehouse(
        tmp_path / "warehouse.duckdb", mart_n_conversations=f"n_conversations - 25 - {under_k}"
    )
    with contextlib.ExitStack() as stack:
        if refused:
            stack.enter_context(pytest.raises(PublishError, match="are below k"))
        publish(warehouse, tmp_path / "out.duckdb")
    assert (tmp_path / "out.duckdb").exists() is not refused


def test_a_hidden_count_the_published_ones_give_back_is_refused(tmp_path: Path) -> None:
    warehouse = _warehouse(tmp_path / "warehouse.duckdb", total=TOTAL)
    with pytest.raises(PublishError, match="1 hidden cells of pub_index_cells can be computed"):
        publish(warehouse, tmp_path / "out.duckdb")
    assert not (tmp_path / "out.duckdb").exists()


def test_published_files_are_readable_by_others(tmp_path: Path) -> None:
    """A BI service account is another OS user: files 0644 and folders 0755, whatever the
    private temporary files they were written as; the AEI export and the manifest too."""
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(warehouse, out)
    assert (out.stat().st_mode & 0o777) == 0o644
    assert (result.parquet_dir.stat().st_mode & 0o777) == 0o755
    assert result.manifest is not None and len(result.aei_export) == 2
    for path in [*result.parquet_dir.iterdir(), *result.aei_export, result.manifest]:
        assert (path.stat().st_mode & 0o777) == 0o644, path
    # nothing but the lock is left beside them
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".econ_index.duckdb.lock",
        "econ_index.duckdb",
        "econ_index_aei.csv",
        "econ_index_aei.parquet",
        "econ_index_parquet",
        "manifest.json",
    ]


# A warehouse with runs and labels, all-time and month cells of every kind the export maps;
# two tasks hidden together (neither can be computed from the published cells).
BUNDLE_CELLS = [
    # level, node_id, node_title, facet, variable, n_conversations, n_users, pct
    ("total", "total", "All", "usage", "all", 70, 14, 100.0),
    ("major", "15-0000", "Computer and Mathematical Occupations", "usage", "all", 40, 8, 57.14),
    ("major", "43-0000", "Office and Administrative Support", "usage", "all", 30, 6, 42.86),
    ("task", "t1", " Write code. ", "usage", "all", 25, 5, 35.71),
    ("task", "t2", "File records.", "usage", "all", 15, 5, 21.43),
    ("task", "t3", "Debug code.", "usage", "all", None, None, None),
    ("task", "t4", "Answer phones.", "usage", "all", None, None, None),
    ("total", "total", "All", "collaboration", "directive", 40, 8, 57.14),
    ("total", "total", "All", "collaboration", "learning", 30, 6, 42.86),
    ("major", "15-0000", "Computer and Mathematical Occupations", "collaboration", "directive")
    + (40, 8, 100.0),
    ("major", "43-0000", "Office and Administrative Support", "collaboration", "learning")
    + (30, 6, 100.0),
]
RUNS = [
    # backend, classifier, scrubber, read, classified, filtered, quarantined
    ("local", "local-tfidf", "fast", 50, 40, 8, 2),
    ("claude", "claude-haiku", "strong", 40, 30, 8, 2),
]


def _bundle_warehouse(path: Path, *, n_filtered: int = 16) -> Path:
    from econ_index.warehouse import DDL

    with duckdb.connect(str(path)) as con:
        con.execute(DDL)
        con.execute("create schema published")
        con.execute(
            "create table published.pub_index_cells (period_grain varchar, period_start date,"
            " period_end date, level varchar, node_id varchar, node_title varchar, facet varchar,"
            " variable varchar, parent_level varchar, parent_id varchar,"
            " n_conversations double, n_users bigint, pct double, is_suppressed boolean,"
            " suppression_reason varchar)"
        )
        # the data covers March: all time and the month have the same dates
        for grain, start in (("all", "2025-03-01"), ("month", "2025-03-01")):
            for level, node, title, facet, variable, n, users, pct in BUNDLE_CELLS:
                parent = None if level == "total" else "total"
                con.execute(
                    "insert into published.pub_index_cells values "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        grain,
                        start,
                        "2025-03-31",
                        level,
                        node,
                        title,
                        facet,
                        variable,
                        parent,
                        parent,
                    ]
                    + [n, users, pct, n is None, "primary:users<k" if n is None else None],
                )
        _audit_inputs(con)
        for i, (backend, name, scrubber, read, classified, filtered, quarantined) in enumerate(
            RUNS
        ):
            con.execute(
                "insert into raw.classification_runs (run_id, started_at, finished_at, backend,"
                " classifier_name, classifier_version, onet_version, n_read, n_classified,"
                " n_filtered, n_quarantined, input_tokens, cached_input_tokens,"
                " cache_write_tokens, output_tokens, cost_usd, scrubber) values (?,"
                " timestamp '2025-03-21 10:00', timestamp '2025-03-21 10:05', ?, ?, '1',"
                " 'aei_2025_02_10', ?, ?, ?, ?, 0, 0, 0, 0, 0.0, ?)",
                [f"run{i}", backend, name, read, classified, filtered, quarantined, scrubber],
            )
        # 70 classified and n_filtered filtered conversations of 14 users, 3 to 20 March
        con.execute(
            "insert into raw.conversation_labels select 'c' || i, 'u' || (i % 14),"
            " timestamp '2025-03-03 09:00' + to_days(cast(i % 18 as integer)),"
            " case when i < 70 then 'classified' else 'filtered' end,"
            " case when i < 70 then null when i < 80 then 'below_confidence'"
            " else 'not_work_related' end, case when i < 80 then 't1' end, 'directive', 0.9,"
            " false, 'local-tfidf', '1', 'aei_2025_02_10', 'run0', now()::timestamp"
            " from range(?) as r(i)",
            [70 + n_filtered],
        )
        con.execute(
            "insert into raw.quarantine select 'run0', 'x.jsonl', 'line', i, 'invalid_json',"
            " now()::timestamp from range(4) as r(i)"
        )
    return path


def test_manifest_describes_files_runs_and_suppression(tmp_path: Path) -> None:
    import hashlib
    import json

    import econ_index
    from econ_index.classify.local import REAL_QUALITY

    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(_bundle_warehouse(tmp_path / "warehouse.duckdb"), out)
    assert result.manifest == out.with_name("manifest.json")
    manifest = json.loads(result.manifest.read_text())
    files = {f["path"]: f for f in manifest["files"]}
    assert set(files) == {
        "econ_index.duckdb",
        "econ_index_parquet/pub_index_cells.parquet",
        "econ_index_aei.csv",
        "econ_index_aei.parquet",
    }
    for name, entry in files.items():
        data = (out.parent / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert entry["bytes"] == len(data)
    assert files["econ_index.duckdb"]["rows"] == {"pub_index_cells": 22}
    assert files["econ_index_parquet/pub_index_cells.parquet"]["rows"] == 22
    assert manifest["k"] == {"k_users": 5, "k_conversations": 15}
    assert manifest["period_grains"] == ["all", "month"]
    # the all-time cells' dates
    assert manifest["date_range"] == {"first_day": "2025-03-01", "last_day": "2025-03-31"}
    assert manifest["onet_versions"] == ["aei_2025_02_10"]
    runs = manifest["runs"]
    assert (runs["n_runs"], runs["n_read"], runs["n_classified"]) == (2, 90, 70)
    assert (runs["n_filtered"], runs["n_quarantined"]) == (16, 4)
    assert [(c["name"], c["backend"], c["scrubber"]) for c in runs["classifiers"]] == [
        ("claude-haiku", "claude", "strong"),
        ("local-tfidf", "local", "fast"),
    ]
    # counts below k_conversations are hidden like cells
    assert manifest["filter_reasons"] == {"below_confidence": None, "not_work_related": None}
    assert manifest["quarantine_reasons"] == {"invalid_json": None}
    hidden = manifest["hidden_share_by_level"]
    assert hidden["task"] == {"cells": 8, "suppressed": 4, "hidden_share": 0.5}
    assert hidden["major"]["hidden_share"] == 0.0
    assert manifest["package_version"] == econ_index.__version__
    commit = manifest["git_commit"]
    assert commit is None or len(commit) == 40
    quality = manifest["classifier_quality_on_real_data"]
    assert {k: quality[k] for k in REAL_QUALITY} == REAL_QUALITY
    assert quality["n"] == 1840 and "evaluation/realset" in quality["source"]


def test_manifest_records_the_frozen_closed_periods(tmp_path: Path) -> None:
    """frozen_closed_periods counts the frozen cells and periods per grain, hashes the
    record's published part (a hidden cell's count never changes the hash, a published one's
    does) and counts the published cells hidden as pinned shares."""
    import json

    warehouse = _bundle_warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "published" / "econ_index.duckdb"
    empty = json.loads(publish(warehouse, out).manifest.read_text())  # type: ignore[union-attr]
    assert empty["frozen_closed_periods"] == {
        "cells": 0,
        "periods": {},
        "record_sha256": None,
        "pinned_shares": 0,
    }
    with duckdb.connect(str(warehouse)) as con:
        con.executemany(
            "insert into raw.published_decisions values"
            " (?, ?, 'total', 'total', 'usage', 'all', ?, ?, ?, ?, 'k5-15-n2-h1', now())",
            [
                ("day", "2025-03-03", False, None, 6, 20.0),
                ("day", "2025-03-04", True, "primary:users<5", 2, 4.0),
                ("month", "2025-02-01", False, None, 30, 80.0),
            ],
        )

    def frozen() -> dict[str, object]:
        manifest = publish(warehouse, out).manifest
        assert manifest is not None
        return dict(json.loads(manifest.read_text())["frozen_closed_periods"])

    first = frozen()
    assert first["cells"] == 3
    assert first["periods"] == {
        "day": {"periods": 2, "first_start": "2025-03-03", "last_start": "2025-03-04"},
        "month": {"periods": 1, "first_start": "2025-02-01", "last_start": "2025-02-01"},
    }
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.published_decisions set n_users = 3 where is_suppressed")
    assert frozen()["record_sha256"] == first["record_sha256"]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("update raw.published_decisions set n_users = 7 where not is_suppressed")
    assert frozen()["record_sha256"] != first["record_sha256"]
    assert first["pinned_shares"] == 0
    # an all-time share of a node whose usage is hidden, pinned by the frozen cells
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "update published.pub_index_cells set is_suppressed = true,"
            " suppression_reason = 'complementary:pinned_share', n_conversations = null,"
            " n_users = null, pct = null"
            " where period_grain = 'all' and node_id = '15-0000' and facet = 'collaboration'"
        )
    assert frozen()["pinned_shares"] == 1


def test_manifest_without_git_has_no_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import subprocess

    def no_git(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("git")

    monkeypatch.setattr(subprocess, "run", no_git)
    result = publish(_bundle_warehouse(tmp_path / "w.duckdb"), tmp_path / "out.duckdb")
    assert result.manifest is not None
    assert json.loads(result.manifest.read_text())["git_commit"] is None


AEI_KEY = AEI_COLUMNS[:-1]  # every column but value


def test_aei_long_export_has_the_release_schema_and_adds_up(tmp_path: Path) -> None:
    import csv
    from collections import defaultdict

    out = tmp_path / "published" / "econ_index.duckdb"
    result = publish(_bundle_warehouse(tmp_path / "warehouse.duckdb"), out)
    csv_path, parquet_path = result.aei_export
    with open(csv_path, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == (*AEI_KEY, "value")
        rows = list(reader)
    assert pq.read_table(parquet_path).num_rows == len(rows)
    keys = [tuple(r[c] for c in AEI_KEY) for r in rows]
    assert len(keys) == len(set(keys))
    assert {(r["geo_id"], r["geography"]) for r in rows} == {("GLOBAL", "global")}
    assert {r["platform_and_product"] for r in rows} == {"econ-index (claude+local)"}
    # the periods: all time is dated by the data's days (pub_index_cells.period_end, never
    # 1900); here the one month, whose all-time rows win the tie with the month's own
    assert {(r["date_start"], r["date_end"]) for r in rows} == {("2025-03-01", "2025-03-31")}
    values = {
        (r["date_start"], r["facet"], r["level"], r["variable"], r["cluster_name"]): float(
            r["value"]
        )
        for r in rows
    }
    assert values[("2025-03-01", "onet_task", "0", "onet_task_count", "write code.")] == 25
    assert values[("2025-03-01", "onet_task", "0", "onet_task_pct", "write code.")] == 35.71
    assert values[("2025-03-01", "soc", "4", "soc_pct", "Office and Administrative Support")]
    assert values[("2025-03-01", "collaboration", "0", "collaboration_count", "learning")] == 30
    assert values[("2025-03-01", "usage", "0", "usage_count", "total")] == 70
    key = ("soc::collaboration", "4", "soc_collaboration_pct")
    assert values[("2025-03-01", *key, "Computer and Mathematical Occupations::directive")] == 100
    # filtered conversations: one all-time not_classified count, none per period
    not_classified = [r for r in rows if r["cluster_name"] == "not_classified"]
    assert [(r["date_start"], r["variable"], r["value"]) for r in not_classified] == [
        ("2025-03-01", "onet_task_count", "16.0")
    ]
    # suppressed tasks are absent; shares add up to 100 wherever nothing is hidden (within
    # each base cluster for an intersection)
    assert not {"debug code.", "answer phones."} & {r["cluster_name"] for r in rows}
    sums: dict[tuple[str, ...], float] = defaultdict(float)
    for r in rows:
        if r["variable"].endswith("_pct"):
            base = r["cluster_name"].split("::")[0] if "::" in r["facet"] else ""
            sums[(r["date_start"], r["date_end"], r["facet"], r["level"], base)] += float(
                r["value"]
            )
    for group, total in sums.items():
        hidden = group[2] == "onet_task"
        assert (total < 99) if hidden else total == pytest.approx(100, abs=0.05), group


def test_a_not_classified_count_below_k_is_left_out(tmp_path: Path) -> None:
    import csv

    out = tmp_path / "out.duckdb"
    result = publish(_bundle_warehouse(tmp_path / "w.duckdb", n_filtered=14), out)
    with open(result.aei_export[0], newline="", encoding="utf-8") as handle:
        names = {r["cluster_name"] for r in csv.DictReader(handle)}
    assert "not_classified" not in names and "write code." in names


def test_publish_check_and_dbt_share_the_k_tolerance() -> None:
    """The publish check must not be looser or stricter than the rule dbt suppressed by."""
    macro = (Path(__file__).resolve().parents[2] / "macros/suppression/k_threshold.sql").read_text()
    body = re.search(r"macro k_conversations_tolerance\(\) -%}\s*([^{\s]+)\s*{%", macro)
    assert body is not None, "k_conversations_tolerance() not found in k_threshold.sql"
    assert float(body.group(1)) == K_CONVERSATIONS_TOLERANCE
