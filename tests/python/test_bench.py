"""The ``make bench`` quality and cost sections compute their figures (small sizes, not timed)."""

from __future__ import annotations

from pathlib import Path

import pytest

import benchmarks.classify as bench
from econ_index.classify.claude import DEFAULT_MODEL
from econ_index.classify.pricing import BATCH_DISCOUNT, DEFAULT_PRICES
from econ_index.taxonomy import Taxonomy


@pytest.fixture(autouse=True)
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench, "EVAL_N", 300)
    monkeypatch.setattr(bench, "COST_N", 120)
    bench._reports.clear()


def test_quality_rows_judge_each_target(taxonomy: Taxonomy) -> None:
    rows = {r["metric"]: r for r in bench.quality(taxonomy)}
    report = bench.local_evaluation(taxonomy)
    assert report.n_conversations == 300
    judged = {m: r for m, r in rows.items() if r["met"]}
    assert set(judged) == {"task_top1_accuracy", "pattern_accuracy", "soc_major_group_tvd"}
    top1 = rows["task_top1_accuracy"]
    assert top1["value"] == report.task_top1_accuracy
    assert top1["met"] == ("yes" if report.task_top1_accuracy >= 0.5 else "no")
    tvd = rows["soc_major_group_tvd"]
    assert tvd["met"] == ("yes" if report.soc_major_group_tvd <= 0.05 else "no")
    assert "recall: feedback_loop" in rows


def test_reliability_rows_add_up(taxonomy: Taxonomy) -> None:
    rows = bench.reliability(taxonomy)
    *bins, ece = rows
    assert ece["confidence bin"] == "ECE"
    assert sum(int(b["conversations"]) for b in bins) == ece["conversations"]
    gap = sum(int(b["conversations"]) * abs(float(b["gap"])) for b in bins) / int(
        ece["conversations"]
    )
    assert gap == pytest.approx(float(ece["gap"]))


def test_claude_cost_is_read_from_the_backends_usage(taxonomy: Taxonomy) -> None:
    batch, direct = bench.claude_cost(taxonomy)
    assert batch["API"] == "batches" and direct["API"] == "messages"
    price = DEFAULT_PRICES[DEFAULT_MODEL]
    for row, discount in ((batch, BATCH_DISCOUNT), (direct, 1.0)):
        assert row["conv"] == 120
        # Two requests per conversation, occupation first: step 1 carries the 974 occupations.
        assert 15_000 < int(row["in tok"]) < 25_000 and 20 < int(row["out tok"]) < 200
        # The fixed prefixes (occupation list, numbered task tool, system prompts) are written
        # once and then read from the cache: most prompt tokens cost the cache-read price.
        written, read = int(row["of which cache write"]), int(row["cache read"])
        assert read > 0.8 * int(row["in tok"])
        plain = int(row["in tok"]) - written - read
        expected = discount * (
            plain * price.input
            + written * price.cache_write
            + read * price.cache_read
            + int(row["out tok"]) * price.output
        )
        assert float(str(row["USD/conv"])) == pytest.approx(expected / 1e6, rel=0.02)
        assert row["met"] == ("yes" if float(str(row["USD/conv"])) <= 0.0003 else "no")
    assert float(str(batch["USD/conv"])) == pytest.approx(
        float(str(direct["USD/conv"])) / 2, rel=0.01
    )


def test_shortlist_recall_is_monotone_and_bounds_top1(taxonomy: Taxonomy) -> None:
    rows = bench.shortlist_recall(taxonomy)
    recall = [float(str(r["gold task among them"])) for r in rows]
    assert [r["top k"] for r in rows] == [1, 5, 10, 20]
    assert recall == sorted(recall) and recall[-1] > 0.9
    # classify's top-1 is the retriever's top-1 unless the work screen says "none" instead
    assert recall[0] >= bench.local_evaluation(taxonomy).task_top1_accuracy


def test_real_quality_rows_judge_each_target(taxonomy: Taxonomy) -> None:
    rows = bench.real_quality(taxonomy)
    assert [r["metric (real test split)"] for r in rows] == list(bench.REAL_TARGETS)
    for row in rows:
        at_least, bound = bench.REAL_TARGETS[str(row["metric (real test split)"])]
        value = float(str(row["learned"]))
        assert row["met"] == ("yes" if (value >= bound if at_least else value <= bound) else "no")


@pytest.mark.slow
def test_at_scale_runs_one_run_and_merged_partitions(
    taxonomy: Taxonomy, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 1M-conversation section, tiny: every step runs, and the merge equals the one run."""
    monkeypatch.setattr(bench, "SCALE_N", 90)
    monkeypatch.setattr(bench, "SCALE_PARTITIONS", 3)
    monkeypatch.setenv("ECON_INDEX_SEEDS", str(seeds_dir))
    monkeypatch.delenv("ECON_INDEX_BENCH_DIR", raising=False)
    rows = bench.at_scale(taxonomy)
    assert [r["step"] for r in rows] == [
        "generate",
        "one run",
        "3 partitions, parallel",
        "merge 3 files",
        "3 partitions + merge",
    ]
    assert all(r["conv"] == 90 for r in rows)
    assert [r["same labels as one run"] for r in rows[3:]] == ["yes", "yes"]
    one, parallel = rows[1], rows[2]
    # each classify process forks a scrubbing worker; both report a peak RSS
    for row in (one, parallel):
        assert float(str(row["peak RSS MiB"])) > 50 and float(str(row["worker RSS MiB"])) > 10
        assert float(str(row["CPU s"])) > 0
