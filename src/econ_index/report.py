"""What people read: a summary and an HTML report (the AEI long export is econ_index.bundle).

Everything here reads the *published* file only, so it can show nothing that publication hid.
Shares are the published ones (of all classified conversations, or of a node's conversations):
never renormalised over the visible cells. Whatever is hidden is shown as hidden, with its
reason and, where the published numbers give it, how much of a level it holds. The one input
from elsewhere is public reference data: BLS employment by SOC major group, when given.
"""

from __future__ import annotations

import csv
import json
import math
import os
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from econ_index.bundle import FILE_MODE
from econ_index.onet import SOC_MAJOR_TITLES
from econ_index.publish import DIR_MODE

ALL_TIME = "all"
# The total's automation and augmentation cells (their sum is the five-pattern base).
MODE_FACET = "collaboration_mode"
MODES = ("automation", "augmentation")
# What an automation share is of: the two modes, or all conversations when augmentation is hidden
FIVE_PATTERN_BASE = "five-pattern base"
USAGE_BASE = "all conversations"
# Usage levels from coarse to fine: each adds up to 100% of the period's classified conversations.
USAGE_LEVELS = ("major", "minor", "broad", "detailed", "occupation", "task")
# Period grains shown as a time series (days are too thin to carry the automation share).
SERIES_GRAINS = ("month", "week")
# The BLS file of the AEI release (OEWS May 2023, employment by SOC major group title).
EMPLOYMENT_FILE = "bls_employment_may_2023.csv"
EMPLOYMENT_SOURCE = "BLS OEWS May 2023"
_Z = 1.96  # 95%, as the published Wilson intervals


class ReportError(RuntimeError):
    """The employment reference file cannot be read, or the report extra is not installed."""


class ReportExtraMissing(ReportError):
    """Altair or vl-convert is not installed (the ``report`` extra)."""


@dataclass(frozen=True)
class Cell:
    """One published cell: a share with its interval, or a hidden cell and why."""

    code: str
    title: str
    pct: float | None
    ci_low: float | None
    ci_high: float | None
    n_conversations: float | None
    reason: str | None = None  # suppression_reason when hidden

    @property
    def hidden(self) -> bool:
        return self.pct is None


@dataclass(frozen=True)
class PeriodShare:
    """Automation for one period, from its published cells: on the five-pattern base when both
    mode cells are published, else of all the period's conversations (the automation cell's
    own share) when augmentation is hidden, as it is when the `none` pattern is below k."""

    grain: str
    start: str  # ISO date
    pct: float | None
    ci_low: float | None
    ci_high: float | None
    n_conversations: float | None  # the base
    reason: str | None = None  # why it cannot be computed (the hidden cells' reasons)
    base: str = FIVE_PATTERN_BASE

    @property
    def complement(self) -> str:
        """What 100 - pct is: augmentation, or augmentation and no pattern together."""
        return "augmentation" if self.base == FIVE_PATTERN_BASE else "augmentation or no pattern"


@dataclass(frozen=True)
class LevelCoverage:
    """How much of one usage level (all time) the published cells show."""

    level: str
    n_cells: int
    n_hidden: int
    visible_pct: float  # sum of the published shares: 100 minus the hidden cells' share


@dataclass(frozen=True)
class Summary:
    majors: list[Cell]  # every all-time major group cell, hidden ones included
    patterns: list[Cell]  # the six patterns of all classified conversations (pct_of_node)
    automation: list[PeriodShare]  # all time first, then SERIES_GRAINS
    occupations: list[Cell]  # published all-time occupation cells, largest first
    tasks: list[Cell]  # published all-time task cells, largest first
    coverage: list[LevelCoverage]
    cells_by_status: list[tuple[str, str, int]]  # level, 'published' or reason, cells
    n_cells: int
    n_suppressed: int
    periods: list[str]
    employment: dict[str, float] = field(default_factory=dict)  # major code -> % of employment
    employment_source: str | None = None

    @property
    def all_time_automation(self) -> PeriodShare | None:
        return next((p for p in self.automation if p.grain == ALL_TIME), None)

    @property
    def automation_pct(self) -> float | None:
        headline = self.all_time_automation
        return headline.pct if headline else None

    @property
    def augmentation_pct(self) -> float | None:
        automation = self.automation_pct
        return None if automation is None else 100 - automation


def wilson(x: float, n: float, z: float = _Z) -> tuple[float, float]:
    """Wilson score interval of x / n in percent, as macros/stats/wilson.sql computes it."""
    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(max(p * (1 - p), 0.0) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return 100 * (centre - spread) / scale, 100 * (centre + spread) / scale


def _optional(value: object) -> float | None:
    return None if value is None else float(str(value))


def _cells(con: duckdb.DuckDBPyConnection, level: str, facet: str) -> list[Cell]:
    rows = con.execute(
        "select case when facet = 'usage' then node_id else variable end, node_title, pct, "
        "ci_low, ci_high, n_conversations, suppression_reason from pub_index_cells "
        "where period_grain = ? and level = ? and facet = ? "
        "order by pct desc nulls last, n_conversations desc, node_id, variable",
        [ALL_TIME, level, facet],
    ).fetchall()
    return [
        Cell(
            code=str(code),
            title=str(title) if facet == "usage" else str(code).replace("_", " "),
            pct=_optional(pct),
            ci_low=_optional(low),
            ci_high=_optional(high),
            n_conversations=_optional(n),
            reason=None if reason is None else str(reason),
        )
        for code, title, pct, low, high, n, reason in rows
    ]


def _automation(con: duckdb.DuckDBPyConnection) -> list[PeriodShare]:
    """Per period: automation / (automation + augmentation), the five-pattern base, from the
    published counts of the total's two mode cells (cells of their own: a hidden pattern does
    not hide them), when both are published (an absent mode cell is a true zero). When only
    augmentation is hidden (its `none` pattern below k), the automation cell's own published
    share of all the period's conversations, with its interval; 100 minus it is augmentation or
    no pattern, which the two published cells (automation, usage) give anyway."""
    rows = con.execute(
        "select period_grain, cast(period_start as varchar), variable, n_conversations, pct, "
        "ci_low, ci_high, suppression_reason from pub_index_cells "
        "where level = 'total' and facet = ? and period_grain in ? "
        "order by period_grain, period_start",
        [MODE_FACET, [ALL_TIME, *SERIES_GRAINS]],
    ).fetchall()
    absent = (0.0, None, None, None, None)  # no conversation in the mode: a true zero
    periods: dict[tuple[str, str], dict[str, tuple[object, ...]]] = defaultdict(dict)
    for grain, start, mode, *measures in rows:
        periods[(str(grain), str(start))][str(mode)] = tuple(measures)
    shares = []
    for (grain, start), modes in periods.items():
        automation, augmentation = (modes.get(m, absent) for m in MODES)
        pct, low, high = (_optional(v) for v in automation[1:4])
        if automation[0] is not None and pct and augmentation[0] is None:
            n = _optional(automation[0]) or 0.0
            shares.append(PeriodShare(grain, start, pct, low, high, 100 * n / pct, base=USAGE_BASE))
            continue
        reasons = sorted({str(m[4]) for m in (automation, augmentation) if m[0] is None})
        counts = [_optional(m[0]) or 0.0 for m in (automation, augmentation)]
        total = sum(counts)
        if reasons or total <= 0:
            shares.append(
                PeriodShare(grain, start, None, None, None, None, ", ".join(reasons) or "no base")
            )
            continue
        low, high = wilson(counts[0], total)
        shares.append(PeriodShare(grain, start, 100 * counts[0] / total, low, high, total))
    order = {ALL_TIME: 0, **{g: i + 1 for i, g in enumerate(SERIES_GRAINS)}}
    return sorted(shares, key=lambda s: (order[s.grain], s.start))


def load_employment(path: Path) -> dict[str, float]:
    """Employment share (%) per SOC major group code (``15-0000``) from the AEI release's BLS
    file, whose rows are named by major group title."""
    codes = {title.casefold(): f"{code}-0000" for code, title in SOC_MAJOR_TITLES.items()}
    counts: dict[str, float] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for line, row in enumerate(csv.reader(handle), start=1):
                if line == 1:
                    continue
                title, n = row[0].strip(), row[1].strip()
                if title.casefold() not in codes:
                    raise ReportError(f"{path}:{line}: {title!r} is not a SOC major group title")
                counts[codes[title.casefold()]] = float(n)
    except (OSError, IndexError, ValueError) as exc:
        raise ReportError(f"{path}: cannot read employment by SOC major group ({exc})") from exc
    total = sum(counts.values())
    if not counts or total <= 0:
        raise ReportError(f"{path}: no employment counts")
    return {code: 100 * n / total for code, n in counts.items()}


def default_employment_file() -> Path | None:
    """The BLS file of the release in ``$ONET_SOURCE``, when it has one."""
    source = os.environ.get("ONET_SOURCE")
    path = Path(source) / EMPLOYMENT_FILE if source else None
    return path if path and path.is_file() else None


def summarize(published: Path, employment: Path | None = None) -> Summary:
    with duckdb.connect(str(published), read_only=True) as con:
        levels = {level: _cells(con, level, "usage") for level in USAGE_LEVELS}
        coverage = [
            LevelCoverage(
                level,
                len(cells),
                sum(c.hidden for c in cells),
                sum(c.pct or 0.0 for c in cells),
            )
            for level, cells in levels.items()
        ]
        by_status = con.execute(
            "select level, coalesce(suppression_reason, 'published'), count(*) "
            "from pub_index_cells group by all order by 1, 2"
        ).fetchall()
        n_cells, n_suppressed = con.execute(
            "select count(*), count(*) filter (where is_suppressed) from pub_index_cells"
        ).fetchone() or (0, 0)
        periods = [
            str(r[0])
            for r in con.execute(
                "select distinct period_grain from pub_index_cells order by 1"
            ).fetchall()
        ]
        patterns = _cells(con, "total", "collaboration")
        automation = _automation(con)
    return Summary(
        majors=levels["major"],
        patterns=patterns,
        automation=automation,
        occupations=[c for c in levels["occupation"] if not c.hidden],
        tasks=[c for c in levels["task"] if not c.hidden],
        coverage=coverage,
        cells_by_status=[(str(a), str(b), int(c)) for a, b, c in by_status],
        n_cells=int(n_cells),
        n_suppressed=int(n_suppressed),
        periods=periods,
        employment=load_employment(employment) if employment else {},
        employment_source=f"{EMPLOYMENT_SOURCE} ({employment.name})" if employment else None,
    )


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write beside ``path`` and rename into place, readable by others like the DuckDB file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)  # gone after the rename; left only by a failure


PNG_SCALE = 1.5  # crisp on a laptop screen, a few hundred kB per chart
REPORT_EXTRA_HINT = "the HTML report needs the report extra: pip install 'econ-index[report]'"


@dataclass(frozen=True)
class RenderedReport:
    html: Path
    charts: list[Path]  # one PNG per chart, in a folder beside the report


def _script_json(value: object) -> str:
    """JSON safe inside a <script> element (no '</script>' or '<!--' can close it early)."""
    return json.dumps(value, separators=(",", ":")).replace("<", "\\u003c")


def render_html(summary: Summary, published: Path, out: Path) -> RenderedReport:
    """The report as one HTML file with the Vega JavaScript inlined (it works with no network),
    and the same charts as PNG files in ``<report>_charts/`` beside it."""
    try:  # the report extra: Altair for the specs, vl-convert for the JS bundle and PNGs
        import vl_convert as vlc
        from altair import SCHEMA_VERSION

        from econ_index.charts import build_charts
    except ImportError as exc:
        raise ReportExtraMissing(f"{REPORT_EXTRA_HINT} ({exc})") from exc

    vl_version = "_".join(SCHEMA_VERSION.split(".")[:2])  # v6.4.1 -> v6_4, as vl-convert names it
    charts = build_charts(summary)
    env = Environment(
        loader=PackageLoader("econ_index", "templates"), autoescape=select_autoescape(["html"])
    )
    html = env.get_template("report.html.j2").render(
        summary=summary,
        published=published.name,
        charts=charts,
        specs=_script_json({c.name: c.spec for c in charts}),
        # No snippet: the bundle defines vegaEmbed as a global, as Altair's inline HTML uses it
        # (the stub marks the optional snippet as required).
        vega_bundle=vlc.javascript_bundle(vl_version=vl_version),  # type: ignore[call-arg]
        vegalite_version=SCHEMA_VERSION,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    folder = out.with_name(out.stem + "_charts")
    folder.mkdir(exist_ok=True)
    folder.chmod(DIR_MODE)
    pngs = []
    for chart in charts:
        png = folder / f"{chart.name}.png"
        write_atomic(png, vlc.vegalite_to_png(chart.spec, vl_version=vl_version, scale=PNG_SCALE))
        pngs.append(png)
    write_atomic(out, html)
    return RenderedReport(out, pngs)
