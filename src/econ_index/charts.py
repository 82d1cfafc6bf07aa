"""The report's charts as Vega-Lite specifications, built with Altair from a report Summary.

Each chart plots published numbers only: a hidden cell is drawn as hidden (with its reason),
never as a bar computed from its neighbours. The same specification is embedded in the HTML
report (rendered by the inlined Vega JavaScript) and rendered to PNG by vl-convert.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

from econ_index.onet import SOC_MAJOR_TITLES
from econ_index.report import (
    FIVE_PATTERN_BASE,
    SERIES_GRAINS,
    USAGE_LEVELS,
    Cell,
    PeriodShare,
    Summary,
)

USAGE_COLOUR = "#c96442"
EMPLOYMENT_COLOUR = "#5b6b7a"
HIDDEN_COLOUR = "#9a9a9a"
WIDTH = 560
TOP_N = 15
CONVERSATIONS = "Conversations (published share)"
EMPLOYMENT = "US employment"


@dataclass(frozen=True)
class ChartSpec:
    name: str  # file stem of the PNG and id of the HTML element
    heading: str
    spec: dict[str, Any]


def _label(cell: Cell) -> str:
    return "" if not cell.hidden else f"hidden ({cell.reason})"


def _data(rows: list[dict[str, Any]]) -> alt.Data:
    return alt.Data(values=rows)  # type: ignore[no-untyped-call]


def _share_rows(cells: list[Cell], series: str = CONVERSATIONS) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "title": c.title,
            "series": series,
            "pct": c.pct,
            "ci_low": c.ci_low,
            "ci_high": c.ci_high,
            "n": c.n_conversations,
            "hidden": _label(c),
        }
        for c in cells
    ]


def _shares_with_intervals(
    rows: list[dict[str, Any]],
    order: list[str],
    title: str,
    colour: Any,  # an alt.Color encoding or an alt.value
    offset: alt.YOffset | None = None,
    x_title: str = "% of classified conversations",
) -> Any:
    """Horizontal bars of published shares, their 95% intervals, and a label on hidden cells."""
    y = alt.Y("title:N", sort=order, title=None, axis=alt.Axis(labelLimit=360))
    extra = {"yOffset": offset} if offset is not None else {}
    tooltip = [
        alt.Tooltip("title:N"),
        alt.Tooltip("series:N"),
        alt.Tooltip("pct:Q", format=".2f", title="share %"),
        alt.Tooltip("ci_low:Q", format=".2f", title="95% low"),
        alt.Tooltip("ci_high:Q", format=".2f", title="95% high"),
        alt.Tooltip("n:Q", format=",.0f", title="conversations"),
    ]
    base = alt.Chart(_data(rows))
    bars = base.mark_bar().encode(
        x=alt.X("pct:Q", title=x_title),
        y=y,
        color=colour,
        tooltip=tooltip,
        **extra,
    )
    intervals = (
        base.transform_filter("isValid(datum.ci_low)")
        .mark_rule(color="black", strokeWidth=1.2)
        .encode(x="ci_low:Q", x2="ci_high:Q", y=y, **extra)
    )
    hidden = (
        base.transform_filter("isValid(datum.hidden) && datum.hidden != ''")
        .mark_text(align="left", dx=3, color=HIDDEN_COLOUR, fontStyle="italic")
        .encode(x=alt.datum(0), y=y, text="hidden:N", **extra)
    )
    return alt.layer(bars, intervals, hidden).properties(title=title, width=WIDTH)


def majors_chart(summary: Summary) -> Any:
    rows = _share_rows(summary.majors)
    titles = {c.code: c.title for c in summary.majors}
    order = [c.title for c in summary.majors]
    if summary.employment:
        by_code = {r["code"]: r for r in rows}
        for code, pct in sorted(summary.employment.items(), key=lambda kv: -kv[1]):
            title = titles.get(code) or SOC_MAJOR_TITLES.get(code[:2], code)
            if code not in by_code:
                # Absent, not hidden: no classified conversation of this group in any period.
                rows.append({"code": code, "title": title, "series": CONVERSATIONS, "pct": 0.0})
                order.append(title)
            rows.append({"code": code, "title": title, "series": EMPLOYMENT, "pct": pct})
    colour = alt.Color(
        "series:N",
        scale=alt.Scale(
            domain=[CONVERSATIONS, EMPLOYMENT], range=[USAGE_COLOUR, EMPLOYMENT_COLOUR]
        ),
        legend=alt.Legend(orient="bottom", title=None, labelLimit=300),
    )
    note = f" vs {summary.employment_source}" if summary.employment else ""
    return _shares_with_intervals(
        rows,
        order,
        f"SOC major groups, all time{note} (95% intervals)",
        colour,
        alt.YOffset("series:N", sort=[CONVERSATIONS, EMPLOYMENT]),
    )


def _top_chart(cells: list[Cell], what: str, level_pct_hidden: float) -> Any:
    top = cells[:TOP_N]
    return _shares_with_intervals(
        _share_rows(top),
        [c.title for c in top],
        f"Top {len(top)} published {what}, all time (95% intervals); "
        f"hidden {what}: {level_pct_hidden:.1f}% of conversations",
        alt.value(USAGE_COLOUR),
    )


def patterns_chart(summary: Summary) -> Any:
    return _shares_with_intervals(
        _share_rows(summary.patterns),
        [c.title for c in summary.patterns],
        "Collaboration patterns, % of all classified conversations, all time (95% intervals)",
        alt.value(USAGE_COLOUR),
        x_title="% of classified conversations (the six patterns add up to 100)",
    )


def _automation_panel(grain: str, shares: list[PeriodShare], overall: float | None) -> Any:
    """One grain's periods: published shares with intervals, hidden periods as crosses at the
    axis (with their reason), the all-time share dashed. Empty layers are left out."""
    published = [
        {
            "start": p.start,
            "pct": p.pct,
            "ci_low": p.ci_low,
            "ci_high": p.ci_high,
            "n": p.n_conversations,
            "base": p.base,
        }
        for p in shares
        if p.pct is not None
    ]
    hidden = [{"start": p.start, "reason": p.reason} for p in shares if p.pct is None]
    # Periods as categories in time order, labelled by their first day (no calendar ticks that
    # fall between two weeks).
    order = [p.start for p in shares]
    x = alt.X(
        "start:O",
        sort=order,
        title=f"{grain} starting",
        axis=alt.Axis(labelAngle=0 if len(order) <= 12 else -45, labelOverlap=True),
    )
    y = alt.Y(
        "pct:Q",
        title="automation % (filled: of the five patterns)",
        scale=alt.Scale(domain=[0, 100]),
    )
    layers = []
    if overall is not None:
        layers.append(
            alt.Chart(_data([{"pct": overall}]))
            .mark_rule(strokeDash=[4, 4], color=EMPLOYMENT_COLOUR)
            .encode(y=y)
        )
    if published:
        base = alt.Chart(_data(published))
        layers.append(base.mark_rule(color=USAGE_COLOUR).encode(x=x, y="ci_low:Q", y2="ci_high:Q"))
        layers.append(
            base.mark_point(size=50, color=USAGE_COLOUR).encode(
                x=x,
                y=y,
                # filled: of the five patterns; hollow: of all conversations (augmentation hidden)
                fill=alt.condition(
                    alt.datum.base == FIVE_PATTERN_BASE,
                    alt.value(USAGE_COLOUR),
                    alt.value("white"),
                ),
                tooltip=[
                    alt.Tooltip("base:N", title="share of"),
                    alt.Tooltip("start:O", title=f"{grain} starting"),
                    alt.Tooltip("pct:Q", format=".1f", title="automation %"),
                    alt.Tooltip("ci_low:Q", format=".1f", title="95% low"),
                    alt.Tooltip("ci_high:Q", format=".1f", title="95% high"),
                    alt.Tooltip("n:Q", format=",.0f", title="conversations"),
                ],
            )
        )
    if hidden:
        layers.append(
            alt.Chart(_data(hidden))
            .mark_text(text="×", fontSize=18, fontWeight="bold", color=HIDDEN_COLOUR)
            .encode(x=x, y=alt.datum(2), tooltip=["start:O", "reason:N"])
        )
    return alt.layer(*layers).properties(
        title=f"Automation by {grain}: {len(published)} published, {len(hidden)} hidden "
        "(× at the axis); dashed: all time",
        width=WIDTH,
        height=180,
    )


def automation_chart(summary: Summary) -> alt.VConcatChart:
    """Automation per period with intervals, one panel per grain."""
    overall = summary.all_time_automation
    panels = [
        _automation_panel(
            grain,
            [p for p in summary.automation if p.grain == grain],
            overall.pct if overall else None,
        )
        for grain in SERIES_GRAINS
        if any(p.grain == grain for p in summary.automation)
    ]
    if not panels:
        panels.append(
            alt.Chart(_data([{"text": "no monthly or weekly period published"}]))
            .mark_text()
            .encode(text="text:N")
            .properties(title="Automation over time", width=WIDTH)
        )
    return alt.vconcat(*panels)


def concentration_chart(summary: Summary) -> Any:
    """Cumulative share of classified conversations held by the top-n published cells of a
    level: a lower bound of the true curve (hidden cells are left out, never guessed)."""
    used = {c.level: c.n_cells for c in summary.coverage}
    rows = []
    for what, cells in (("occupations", summary.occupations), ("tasks", summary.tasks)):
        running = 0.0
        for rank, cell in enumerate(cells, start=1):
            running += cell.pct or 0.0
            rows.append({"level": what, "rank": rank, "cumulative": running, "title": cell.title})
    return (
        alt.Chart(_data(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("rank:Q", title="top n published cells", scale=alt.Scale(type="log")),
            y=alt.Y(
                "cumulative:Q",
                title="cumulative % of classified conversations",
                scale=alt.Scale(domain=[0, 100]),
            ),
            color=alt.Color(
                "level:N",
                scale=alt.Scale(range=[USAGE_COLOUR, EMPLOYMENT_COLOUR]),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            tooltip=["level:N", "rank:Q", alt.Tooltip("cumulative:Q", format=".1f"), "title:N"],
        )
        .properties(
            title=f"Concentration, all time: of {used.get('occupation', 0):,} occupations and "
            f"{used.get('task', 0):,} tasks in use, {len(summary.occupations):,} and "
            f"{len(summary.tasks):,} published",
            width=WIDTH,
            height=220,
        )
    )


def suppression_chart(summary: Summary) -> Any:
    rows = [
        {"level": level, "status": status, "cells": n}
        for level, status, n in summary.cells_by_status
    ]
    statuses = sorted({status for _, status, _ in summary.cells_by_status} - {"published"})
    return (
        alt.Chart(_data(rows))
        .mark_bar()
        .encode(
            y=alt.Y("level:N", sort=["total", *USAGE_LEVELS], title=None),
            x=alt.X("cells:Q", title="cells, every period and pattern"),
            color=alt.Color(
                "status:N",
                sort=["published", *statuses],
                scale=alt.Scale(domain=["published", *statuses], scheme="tableau10"),
                legend=alt.Legend(orient="bottom", title=None, columns=2, labelLimit=300),
            ),
            tooltip=["level:N", "status:N", alt.Tooltip("cells:Q", format=",")],
        )
        .properties(title="Published and hidden cells, by level and reason", width=WIDTH)
    )


def build_charts(summary: Summary) -> list[ChartSpec]:
    hidden = {c.level: 100 - c.visible_pct for c in summary.coverage}
    charts: list[tuple[str, str, Any]] = [
        ("majors", "Usage by SOC major group", majors_chart(summary)),
        (
            "occupations",
            "Top occupations",
            _top_chart(summary.occupations, "occupations", hidden.get("occupation", 0.0)),
        ),
        ("tasks", "Top tasks", _top_chart(summary.tasks, "tasks", hidden.get("task", 0.0))),
        ("automation", "Automation and augmentation over time", automation_chart(summary)),
        ("patterns", "Collaboration patterns", patterns_chart(summary)),
        ("concentration", "Concentration", concentration_chart(summary)),
        ("suppression", "What was hidden and why", suppression_chart(summary)),
    ]
    return [ChartSpec(name, heading, chart.to_dict()) for name, heading, chart in charts]
