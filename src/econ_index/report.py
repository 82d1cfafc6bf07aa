"""What people read: a summary and an HTML report (the AEI long export is econ_index.bundle).

Everything here reads the *published* file only, so it can show nothing that publication hid.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from jinja2 import Environment, PackageLoader, select_autoescape

from econ_index.publish import FILE_MODE

ALL_TIME = "all"
FIVE_PATTERNS = ("directive", "feedback_loop", "task_iteration", "validation", "learning")
AUTOMATION = ("directive", "feedback_loop")


@dataclass(frozen=True)
class Share:
    code: str
    title: str
    pct: float
    n_conversations: float


@dataclass(frozen=True)
class Summary:
    majors: list[Share]
    patterns: list[Share]
    automation_pct: float | None
    augmentation_pct: float | None
    n_cells: int
    n_suppressed: int
    periods: list[str]


def _shares(con: duckdb.DuckDBPyConnection, where: str) -> list[Share]:
    rows = con.execute(
        "select node_id, node_title, value, n_conversations from pub_index_cells "
        f"where period_grain = '{ALL_TIME}' and not is_suppressed and {where} "
        "order by value desc, node_id"
    ).fetchall()
    return [Share(str(r[0]), str(r[1]), float(r[2]), float(r[3])) for r in rows]


def summarize(published: Path) -> Summary:
    with duckdb.connect(str(published), read_only=True) as con:
        majors = _shares(con, "level = 'major' and facet = 'usage'")
        pattern_rows = con.execute(
            "select variable, n_conversations from pub_index_cells "
            f"where period_grain = '{ALL_TIME}' and level = 'total' and facet = 'collaboration' "
            "and not is_suppressed"
        ).fetchall()
        counts = {str(p): float(n) for p, n in pattern_rows}
        base = sum(counts.get(p, 0.0) for p in FIVE_PATTERNS)
        known = all(p in counts for p in FIVE_PATTERNS) and base > 0
        automation = 100 * sum(counts[p] for p in AUTOMATION) / base if known else None
        total = sum(counts.values())
        patterns = (
            [
                Share(p, p.replace("_", " "), 100 * n / total, n)
                for p, n in sorted(counts.items(), key=lambda kv: -kv[1])
            ]
            if total
            else []
        )
        n_cells, n_suppressed = con.execute(
            "select count(*), count(*) filter (where is_suppressed) from pub_index_cells"
        ).fetchone() or (0, 0)
        periods = [
            str(r[0])
            for r in con.execute(
                "select distinct period_grain from pub_index_cells order by 1"
            ).fetchall()
        ]
    return Summary(
        majors=majors,
        patterns=patterns,
        automation_pct=automation,
        augmentation_pct=100 - automation if automation is not None else None,
        n_cells=int(n_cells),
        n_suppressed=int(n_suppressed),
        periods=periods,
    )


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.fchmod(fd, FILE_MODE)  # published: readable by others, like the DuckDB file
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def render_html(summary: Summary, published: Path, out: Path) -> Path:
    env = Environment(
        loader=PackageLoader("econ_index", "templates"), autoescape=select_autoescape(["html"])
    )
    html = env.get_template("report.html.j2").render(summary=summary, published=published.name)
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(out, html)
    return out
