"""What every benchmark section shares: the console, the table printer, CPU and peak RSS."""

from __future__ import annotations

import resource
import sys
from pathlib import Path

from rich.console import Console
from rich.table import Table

console = Console(width=None if sys.stdout.isatty() else 120)

REPO = Path(__file__).resolve().parents[1]


def table(title: str, rows: list[dict[str, object]]) -> None:
    table = Table(title=title)
    if not rows:
        console.print(f"{title}: no rows")
        return
    for i, column in enumerate(rows[0]):
        table.add_column(str(column), justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(f"{v:,.3f}" if isinstance(v, float) else str(v) for v in row.values()))
    console.print(table)


def child_cpu_seconds() -> float:
    """CPU seconds of this process's ended children (the scrubbing workers, once shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mib(*, children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def met(ok: bool) -> str:
    return "yes" if ok else "no"
