"""The HTML report: published numbers only (never renormalised), hidden cells explained, BLS
employment beside the SOC shares, and charts that really render in headless Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from browser import open_report
from econ_index.cli import app
from econ_index.report import (
    EMPLOYMENT_FILE,
    FIVE_PATTERN_BASE,
    USAGE_BASE,
    ReportError,
    load_employment,
    render_html,
    summarize,
    wilson,
)

COLUMNS = (
    "period_grain varchar, period_start date, level varchar, node_id varchar, facet varchar, "
    "variable varchar, node_title varchar, n_conversations double, n_users bigint, "
    "pct double, ci_low double, ci_high double, is_suppressed boolean, "
    "suppression_reason varchar"
)
HIDDEN = "primary:users<5"
FIRST_DAY = "2025-01-06"  # grain `all` starts on the data's first day


def _usage(grain: str, start: str, level: str, node: str, title: str, n: float | None) -> tuple:
    base = 200.0 if grain == "all" else 100.0
    if n is None:
        return (grain, start, level, node, "usage", "all", title, None, None, None, None, None)
    low, high = wilson(n, base)
    return (grain, start, level, node, "usage", "all", title, n, 6, 100 * n / base, low, high)


def _patterns(
    grain: str,
    start: str,
    counts: dict[str, float | None],
    modes: dict[str, float | None] | None = None,
) -> list[tuple]:
    """The total's pattern cells and its two mode cells (by default the sums of the patterns)."""
    base = sum(n or 0 for n in counts.values())
    modes = modes or {
        "automation": sum(counts[p] or 0 for p in ("directive", "feedback_loop")),
        "augmentation": sum(counts[p] or 0 for p in ("task_iteration", "validation", "learning")),
    }
    cells = [("collaboration", p, n) for p, n in counts.items()]
    cells += [("collaboration_mode", m, n) for m, n in modes.items()]
    return [
        (grain, start, "total", "total", facet, v, "All", n, None if n is None else 6)
        + ((None, None, None) if n is None else (100 * n / base, *wilson(n, base)))
        for facet, v, n in cells
    ]


def _published(path: Path) -> Path:
    """A published file: all time, two months, two weeks; a hidden major group, occupation,
    task, and one week with a hidden pattern count."""
    rows = [
        _usage("all", FIRST_DAY, "total", "total", "All", 200),
        _usage("all", FIRST_DAY, "major", "15-0000", "Computer and Mathematical Occupations", 120),
        _usage(
            "all",
            FIRST_DAY,
            "major",
            "43-0000",
            "Office and Administrative Support Occupations",
            60,
        ),
        _usage("all", FIRST_DAY, "major", "23-0000", "Legal Occupations", None),
        _usage("all", FIRST_DAY, "occupation", "15-1252.00", "Software Developers", 100),
        _usage("all", FIRST_DAY, "occupation", "43-6014.00", "Secretaries", 60),
        _usage("all", FIRST_DAY, "occupation", "15-2051.00", "Data Scientists", None),
        _usage("all", FIRST_DAY, "task", "t1", "Write new programs.", 90),
        _usage("all", FIRST_DAY, "task", "t2", "Compose correspondence.", 50),
        _usage("all", FIRST_DAY, "task", "t3", "Analyse data.", None),
    ]
    rows += _patterns(
        "all",
        FIRST_DAY,
        {"directive": 50, "feedback_loop": 30, "task_iteration": 60}
        | {"validation": 20, "learning": 20, "none": 20},
    )
    for grain, start in (("month", "2025-01-01"), ("month", "2025-02-01"), ("week", "2025-01-06")):
        rows.append(_usage(grain, start, "total", "total", "All", 100))
        rows += _patterns(
            grain,
            start,
            {"directive": 25, "feedback_loop": 15, "task_iteration": 30}
            | {"validation": 15, "learning": 15},
        )
    rows += _patterns(
        "week",
        "2025-01-13",
        {"directive": 25, "feedback_loop": None, "task_iteration": 30}
        | {"validation": 15, "learning": 15},
        {"automation": None, "augmentation": 60},
    )
    rows += _patterns(
        "week",
        "2025-01-20",
        {"directive": 25, "feedback_loop": 15, "task_iteration": 30}
        | {"validation": 15, "learning": None},
        {"automation": 40, "augmentation": 60},
    )
    # `none` below k: augmentation hidden so that automation (40 of 100) is published
    rows += _patterns(
        "week",
        "2025-01-27",
        {"directive": 25, "feedback_loop": 15, "task_iteration": 30}
        | {"validation": 15, "learning": 5, "none": 10},
        {"automation": 40, "augmentation": None},
    )
    with duckdb.connect(str(path)) as con:
        con.execute(f"create table pub_index_cells ({COLUMNS})")
        con.executemany(
            "insert into pub_index_cells values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r, r[9] is None, HIDDEN if r[9] is None else None) for r in rows],
        )
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _published(tmp_path_factory.mktemp("report") / "econ_index.duckdb")


@pytest.fixture(scope="module")
def employment(onet_source: Path) -> Path:
    return onet_source / EMPLOYMENT_FILE


def test_wilson_matches_the_published_interval_formula() -> None:
    low, high = wilson(40, 100)
    assert (round(low, 2), round(high, 2)) == (30.94, 49.8)


def test_shares_are_the_published_ones_never_renormalised(published: Path) -> None:
    summary = summarize(published)
    majors = {c.code: c for c in summary.majors}
    assert majors["15-0000"].pct == pytest.approx(60.0)  # 120 of 200, not 120 of 180 visible
    assert majors["23-0000"].hidden and majors["23-0000"].reason == HIDDEN
    coverage = {c.level: c for c in summary.coverage}
    assert coverage["major"].visible_pct == pytest.approx(90.0)
    assert (coverage["task"].n_cells, coverage["task"].n_hidden) == (3, 1)
    assert [c.code for c in summary.tasks] == ["t1", "t2"]
    patterns = {c.code: c.pct for c in summary.patterns}
    assert patterns["task_iteration"] == pytest.approx(30.0)  # of all six, as published


def test_automation_per_period_from_the_mode_cells_when_both_are_published(
    published: Path,
) -> None:
    shares = {(p.grain, p.start): p for p in summarize(published).automation}
    overall = shares[("all", FIRST_DAY)]
    assert overall.pct == pytest.approx(100 * 80 / 180)  # `none` is not in the base
    assert (overall.ci_low, overall.ci_high) == pytest.approx(wilson(80, 180))
    assert shares[("month", "2025-01-01")].pct == pytest.approx(40.0)
    hidden = shares[("week", "2025-01-13")]
    assert hidden.pct is None and hidden.reason == HIDDEN
    # a hidden pattern does not hide the split: automation and augmentation are cells
    assert shares[("week", "2025-01-20")].pct == pytest.approx(40.0)
    assert [p.grain for p in shares.values()] == ["all"] + ["month"] * 2 + ["week"] * 4
    assert (overall.base, overall.complement) == (FIVE_PATTERN_BASE, "augmentation")


def test_automation_of_all_conversations_when_augmentation_is_hidden(published: Path) -> None:
    """The `none`-below-k rule: augmentation hidden, automation published as its own share of
    the period's conversations; the rest is augmentation or no pattern, never augmentation."""
    share = {(p.grain, p.start): p for p in summarize(published).automation}[("week", "2025-01-27")]
    assert (share.pct, share.n_conversations) == pytest.approx((40.0, 100.0))
    assert (share.ci_low, share.ci_high) == pytest.approx(wilson(40, 100))
    assert (share.base, share.complement) == (USAGE_BASE, "augmentation or no pattern")


def test_employment_shares_by_major_group(employment: Path, tmp_path: Path) -> None:
    shares = load_employment(employment)
    assert len(shares) == 22 and sum(shares.values()) == pytest.approx(100.0)
    assert shares["15-0000"] == pytest.approx(100 * 5177400 / sum_bls(employment), rel=1e-9)
    bad = tmp_path / "bls.csv"
    bad.write_text("title,bls_distribution\nNot a major group,10\n")
    with pytest.raises(ReportError, match="not a SOC major group"):
        load_employment(bad)


def sum_bls(path: Path) -> float:
    lines = path.read_text().splitlines()[1:]
    return sum(float(line.rsplit(",", 1)[1]) for line in lines)


@pytest.fixture(scope="module")
def report(published: Path, employment: Path) -> Path:
    rendered = render_html(
        summarize(published, employment), published, published.with_name("report.html")
    )
    return rendered.html


def test_report_is_self_contained_with_pngs_beside_it(report: Path) -> None:
    html = report.read_text()
    assert "<script src" not in html and "cdn.jsdelivr" not in html.split("</head>")[1]
    specs = json.loads(html.split('id="chart-specs">')[1].split("</script>")[0])
    assert set(specs) == {
        "majors",
        "occupations",
        "tasks",
        "automation",
        "patterns",
        "concentration",
        "suppression",
    }
    pngs = sorted(report.with_name("report_charts").glob("*.png"))
    assert [p.stem for p in pngs] == sorted(specs)
    for png in pngs:
        assert (
            png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (png.stat().st_mode & 0o777) == 0o644
        )
    assert (report.stat().st_mode & 0o777) == 0o644
    assert "BLS OEWS May 2023" in html


def test_every_chart_renders_in_chromium_without_errors(report: Path, tmp_path: Path) -> None:
    check = open_report(report, tmp_path / "report.png")
    assert len(check.charts) == 7
    assert check.failed_charts == [] and check.errors == []
    assert (tmp_path / "report.png").stat().st_size > 50_000


def test_the_browser_check_fails_on_a_broken_chart_spec(report: Path, tmp_path: Path) -> None:
    """The control: a spec Vega-Lite cannot compile is caught, by chart and in the console."""
    html = report.read_text()
    spec_start = html.index('id="chart-specs">')
    head, specs = html[:spec_start], html[spec_start:]
    broken = tmp_path / "broken.html"
    broken.write_text(head + specs.replace('"mark":{"type":"line"', '"mark":{"type":"lines"', 1))
    check = open_report(broken, tmp_path / "broken.png")
    assert check.failed_charts == ["concentration"]
    assert any("concentration" in e for e in check.errors)


def test_report_and_summary_commands(published: Path, employment: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "r.html"
    done = runner.invoke(
        app,
        [
            "report",
            "--published",
            str(published),
            "--out",
            str(out),
            "--employment",
            str(employment),
        ],
    )
    assert done.exit_code == 0, done.output
    assert f"report: {out}" in done.output.splitlines() and out.is_file()
    summary = runner.invoke(app, ["summary", "--published", str(published)], terminal_width=200)
    assert (
        "automation 44.4% (95% 37.4-51.7) / augmentation 55.6% (five-pattern base)"
        in summary.output
    ), summary.output
    missing = runner.invoke(app, ["report", "--published", str(tmp_path / "none.duckdb")])
    assert missing.exit_code == 2 and "does not exist" in missing.output
