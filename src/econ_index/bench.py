"""``make bench``: speed, memory and quality figures, printed as tables.

Targets live here, never in timed unit tests. Each section prints its measurements next to the
target and a verdict, and the run exits non-zero only on errors, not on a missed target.
"""

from __future__ import annotations

import resource
import secrets
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from econ_index.taxonomy import Taxonomy, load_taxonomy

console = Console()

THROUGHPUT_TARGET = 1700.0  # conversations/s end to end on 2 cores


def _table(title: str, rows: list[dict[str, object]]) -> None:
    table = Table(title=title)
    if not rows:
        console.print(f"{title}: no rows")
        return
    for i, column in enumerate(rows[0]):
        table.add_column(str(column), justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*(f"{v:,.3f}" if isinstance(v, float) else str(v) for v in row.values()))
    console.print(table)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def end_to_end(
    taxonomy: Taxonomy, sizes: tuple[int, ...] = (5_000, 20_000)
) -> list[dict[str, object]]:
    """read + scrub + classify + stage on generated JSONL at growing sizes; memory stays flat."""
    from econ_index.classify import make_classifier
    from econ_index.generate import write_corpus
    from econ_index.ingest import read_inputs
    from econ_index.pipeline import Preparer, Run, connect_warehouse
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber

    rows: list[dict[str, object]] = []
    classifier = make_classifier("local", taxonomy)
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            corpus = Path(tmp) / f"corpus_{n}.jsonl"
            write_corpus(corpus, n, seed=3, taxonomy=taxonomy)
            mean_chars = corpus.stat().st_size / n
            run = Run(
                classifier,
                Preparer(Scrubber(), Keyer(secrets.token_bytes(32))),
                backend="local",
                onet_version=taxonomy.onet_version,
            )
            started = time.perf_counter()
            with connect_warehouse(Path(tmp) / f"wh_{n}.duckdb") as con:
                summary = run.execute(read_inputs([corpus]), con)
            elapsed = time.perf_counter() - started
            rate = summary.read / elapsed
            rows.append(
                {
                    "conversations": summary.read,
                    "mean bytes/conv": round(mean_chars),
                    "seconds": elapsed,
                    "conv/s": rate,
                    "target conv/s": THROUGHPUT_TARGET,
                    "peak RSS MiB": _peak_rss_mib(),
                    "met": "yes" if rate >= THROUGHPUT_TARGET else "no",
                }
            )
    return rows


PII_RECALL_TARGET = 0.99  # structured types: e-mail, phone, card, IBAN, SSN, IP
PII_CASES = 2000
PII_SEED = 7


def _verdict(value: float, target: float) -> str:
    return "yes" if value >= target else "no"


def pii_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Span recall and precision of the scrubber per PII type on the labelled PII set."""
    from econ_index.pii_eval import STRUCTURED, pii_report

    structured = {k.value for k in STRUCTURED}
    rows: list[dict[str, object]] = []
    for r in pii_report(PII_CASES, PII_SEED):
        check = str(r["check"])
        if not check.startswith("pii:"):
            continue
        kind = check.removeprefix("pii:")
        recall = float(r["recall"])  # type: ignore[arg-type]
        target = PII_RECALL_TARGET if kind in structured else None
        rows.append(
            {
                "type": kind,
                "planted": r["n"],
                "recall": recall,
                "precision": float(r["precision"]),  # type: ignore[arg-type]
                "target recall": target if target is not None else "-",
                "met": _verdict(recall, target) if target is not None else "-",
            }
        )
    return rows


def pii_negatives(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """How often look-alikes (order numbers, versions, timestamps, ...) survive scrubbing."""
    from econ_index.pii_eval import pii_report

    rows: list[dict[str, object]] = []
    for r in pii_report(PII_CASES, PII_SEED):
        check = str(r["check"])
        if check.startswith("negative:"):
            survival = float(r["precision"])  # type: ignore[arg-type]
            rows.append(
                {
                    "look-alike": check.removeprefix("negative:"),
                    "cases": r["n"],
                    "left intact": survival,
                    "target": PII_RECALL_TARGET,
                    "met": _verdict(survival, PII_RECALL_TARGET),
                }
            )
    return rows


def scrubber_throughput(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Scrubber alone on ~2,000-character chat texts, with and without name detection."""
    from econ_index.scrub import bench_scrubber

    return bench_scrubber()


SECTIONS: dict[str, Callable[[Taxonomy], list[dict[str, object]]]] = {
    "end-to-end classify throughput": end_to_end,
    "PII scrubber recall/precision per type (labelled set)": pii_quality,
    "PII look-alikes left intact": pii_negatives,
    "PII scrubber throughput": scrubber_throughput,
}


def main() -> None:
    taxonomy = load_taxonomy()
    for title, section in SECTIONS.items():
        started = time.perf_counter()
        _table(title, section(taxonomy))
        console.print(f"[dim]{title}: {time.perf_counter() - started:.1f}s[/]")


if __name__ == "__main__":
    main()
