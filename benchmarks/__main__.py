"""``make bench``: speed, memory and quality figures, printed as tables.

Targets live here, never in timed unit tests. Each section prints its measurements next to the
target and a verdict, and the run exits non-zero only on errors, not on a missed target.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from benchmarks.classify import (
    EVAL_N,
    EVAL_SEED,
    SCALE_N,
    SCALE_PARTITIONS,
    at_scale,
    claude_cost,
    end_to_end,
    quality,
    real_quality,
    reliability,
    shortlist_recall,
)
from benchmarks.common import console, table
from benchmarks.pii import (
    PII_CASES,
    PII_SEED,
    pii_generated_both,
    pii_negatives,
    pii_quality,
    pii_real_quality,
    pii_real_throughput,
    scrubber_throughput,
)
from benchmarks.warehouse import (
    WAREHOUSE_ROWS,
    exact_audits,
    suppression_and_audit,
    suppression_repair,
    warehouse_build,
)
from econ_index.classify.claude import DEFAULT_MODEL as CLAUDE_DEFAULT_MODEL
from econ_index.taxonomy import Taxonomy, load_taxonomy

SECTIONS: dict[str, Callable[[Taxonomy], list[dict[str, object]]]] = {
    "end-to-end classify throughput": end_to_end,
    f"classify at scale: {SCALE_N:,} generated conversations, one run vs {SCALE_PARTITIONS} "
    "partitions in parallel then merged": at_scale,
    "PII scrubber recall/precision per type (labelled set)": pii_quality,
    "PII look-alikes left intact": pii_negatives,
    "PII scrubber throughput": scrubber_throughput,
    "PII scrubbers on the real PII set (test split): found / n and precision per type": (
        pii_real_quality
    ),
    f"PII scrubbers on the generated set (n={PII_CASES}, seed {PII_SEED})": pii_generated_both,
    "PII scrubbers' throughput on real text (PII set test split)": pii_real_throughput,
    "local backend quality on the real labelled set (test split)": real_quality,
    f"local backend quality, lexical mode (generated set n={EVAL_N}, seed {EVAL_SEED})": quality,
    "local backend confidence reliability": reliability,
    "local retriever recall (the Claude backend's shortlist is the top 20)": shortlist_recall,
    f"Claude backend cost per conversation at default settings ({CLAUDE_DEFAULT_MODEL})": (
        claude_cost
    ),
    f"warehouse: dbt build and a day appended, {WAREHOUSE_ROWS:,} conversations, two shapes": (
        warehouse_build
    ),
    "warehouse: audit-driven suppression repair (first pass of `econ-index build`)": (
        suppression_repair
    ),
    "warehouse: the exact audit from the hidden and the published side, day + week + month": (
        exact_audits
    ),
    f"warehouse: suppression and its exact audit, {WAREHOUSE_ROWS:,} conversations, day + week "
    "+ month": suppression_and_audit,
}


def main(argv: list[str] | None = None) -> None:
    """Every section, or those whose title contains one of the words given as arguments."""
    words = sys.argv[1:] if argv is None else argv
    taxonomy = load_taxonomy()
    for title, section in SECTIONS.items():
        if words and not any(word in title for word in words):
            continue
        started = time.perf_counter()
        table(title, section(taxonomy))
        console.print(f"[dim]{title}: {time.perf_counter() - started:.1f}s[/]")


if __name__ == "__main__":
    main()
