"""``make bench``: speed, memory and quality figures, printed as tables.

Targets live here, never in timed unit tests. Each section prints its measurements next to the
target and a verdict, and the run exits non-zero only on errors, not on a missed target.
"""

from __future__ import annotations

import importlib.util
import resource
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from rich.console import Console
from rich.table import Table

from econ_index.classify.claude import DEFAULT_MODEL as CLAUDE_DEFAULT_MODEL
from econ_index.evaluate import EvalReport
from econ_index.taxonomy import Taxonomy, load_taxonomy

console = Console(width=None if sys.stdout.isatty() else 120)

THROUGHPUT_TARGET = 1700.0  # conversations/s end to end on 2 cores
# Quality targets of the local backend on the generated labelled set (n=2000, seed 11).
EVAL_N, EVAL_SEED = 2000, 11
TASK_TOP1_TARGET = 0.50  # at least
PATTERN_ACCURACY_TARGET = 0.80  # at least
SOC_TVD_TARGET = 0.05  # at most
COST_TARGET_USD = 0.0003  # Claude backend, per conversation at default settings
COST_N = 200  # conversations in the cost run: over the default batch threshold (auto -> batch)
_REPO = Path(__file__).resolve().parents[2]


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


def _child_cpu() -> float:
    """CPU seconds of this process's ended children (the scrubbing workers, once shut down)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mib(*, children: bool = False) -> float:
    who = resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF
    return resource.getrusage(who).ru_maxrss / 1024


def end_to_end(
    taxonomy: Taxonomy,
    sizes: tuple[int, ...] = (5_000, 20_000),
    processes: tuple[int, ...] = (1, 2),
) -> list[dict[str, object]]:
    """read + scrub + classify + stage on generated JSONL at growing sizes; memory stays flat.

    ``processes``: with 2, a forked worker reads and scrubs while the main process
    classifies and stages. Peak RSS is the main process's; the worker's is shown beside it."""
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
            for w in processes:
                run = Run(
                    classifier,
                    Preparer(Scrubber(), Keyer(secrets.token_bytes(32))),
                    backend="local",
                    onet_version=taxonomy.onet_version,
                    processes=w,
                )
                started, cpu, child_cpu = time.perf_counter(), time.process_time(), _child_cpu()
                with connect_warehouse(Path(tmp) / f"wh_{n}_{w}.duckdb") as con:
                    summary = run.execute(read_inputs([corpus]), con)
                elapsed = time.perf_counter() - started
                cpu, child_cpu = time.process_time() - cpu, _child_cpu() - child_cpu
                rate = summary.read / elapsed
                rows.append(
                    {
                        "conv": summary.read,
                        "procs": w,
                        "bytes/conv": round(mean_chars),
                        "seconds": elapsed,
                        "CPU s main": cpu,
                        "CPU s worker": child_cpu,
                        "conv/s": round(rate),
                        # What the run sustains with a core per process, whatever else is running.
                        "conv/CPU-s": round(summary.read / max(cpu, child_cpu)),
                        "target": round(THROUGHPUT_TARGET),
                        "RSS MiB": round(_peak_rss_mib()),
                        "worker RSS": round(_peak_rss_mib(children=True)),
                        "met": _met(rate >= THROUGHPUT_TARGET),  # by the wall clock
                    }
                )
    return rows


_reports: dict[int, EvalReport] = {}


def local_evaluation(taxonomy: Taxonomy) -> EvalReport:
    """The local backend on the labelled set, scrubbed as the pipeline does (as ``econ-index
    evaluate``); computed once per taxonomy and shared by the quality sections."""
    if id(taxonomy) not in _reports:
        from econ_index.classify import make_classifier
        from econ_index.evaluate import evaluate
        from econ_index.pipeline import Preparer
        from econ_index.privacy import Keyer
        from econ_index.scrub import Scrubber

        _reports[id(taxonomy)] = evaluate(
            make_classifier("local", taxonomy),
            taxonomy,
            n=EVAL_N,
            seed=EVAL_SEED,
            prepare=Preparer(Scrubber(), Keyer(secrets.token_bytes(32))),
        )
    return _reports[id(taxonomy)]


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Every evaluation metric of the local backend; the three with a target get a verdict."""
    report = local_evaluation(taxonomy)
    targets: dict[str, tuple[str, Callable[[float], bool]]] = {
        "task_top1_accuracy": (f">= {TASK_TOP1_TARGET}", lambda v: v >= TASK_TOP1_TARGET),
        "pattern_accuracy": (
            f">= {PATTERN_ACCURACY_TARGET}",
            lambda v: v >= PATTERN_ACCURACY_TARGET,
        ),
        "soc_major_group_tvd": (f"<= {SOC_TVD_TARGET}", lambda v: v <= SOC_TVD_TARGET),
    }
    rows: list[dict[str, object]] = []
    for name, value in report.as_dict().items():
        if name == "pattern_recall":
            assert isinstance(value, dict)
            for pattern, recall in value.items():
                rows.append(
                    {"metric": f"recall: {pattern}", "value": recall, "target": "", "met": ""}
                )
            continue
        if not isinstance(value, int | float):
            continue
        target, check = targets.get(name, ("", None))
        rows.append(
            {
                "metric": name,
                "value": value,
                "target": target,
                "met": _met(check(float(value))) if check else "",
            }
        )
    return rows


def shortlist_recall(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """How often the gold task is among the local retriever's top k: the ceiling of the Claude
    backend's task accuracy, which only ever chooses among the 20 shortlisted candidates."""
    from econ_index.classify.local import LocalClassifier
    from econ_index.generate import generate_corpus
    from econ_index.ingest import jsonl
    from econ_index.onet import statement_key
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber
    from econ_index.types import SourceLocation

    prepare = Preparer(Scrubber(), Keyer(secrets.token_bytes(32)))
    local = LocalClassifier(taxonomy)
    by_id = taxonomy.by_id
    conversations, golds = [], []
    for i, (record, gold) in enumerate(generate_corpus(taxonomy, EVAL_N, EVAL_SEED)):
        if gold.onet_task_id is not None:
            conversations.append(
                prepare(jsonl.parse(record, SourceLocation("<eval>", i + 1), None))
            )
            golds.append(statement_key(by_id[gold.onet_task_id].statement))
    ks = (1, 5, 10, 20)
    hits = dict.fromkeys(ks, 0)
    for start in range(0, len(conversations), 500):
        shortlists = local.shortlist(conversations[start : start + 500], k=max(ks))
        for gold, shortlist in zip(golds[start : start + 500], shortlists, strict=True):
            keys = [statement_key(task.statement) for task, _ in shortlist]
            for k in ks:
                hits[k] += gold in keys[:k]
    n = len(conversations)
    return [{"top k": k, "work conversations": n, "gold task among them": hits[k] / n} for k in ks]


def reliability(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Calibration of the confidence: per bin, mean confidence against the share right."""
    report = local_evaluation(taxonomy)
    rows: list[dict[str, object]] = [
        {
            "confidence bin": f"[{b.lower:.1f}, {b.upper:.1f})",
            "conversations": b.n,
            "mean confidence": b.mean_confidence,
            "accuracy": b.accuracy,
            "gap": b.accuracy - b.mean_confidence,
        }
        for b in report.reliability
    ]
    rows.append(
        {
            "confidence bin": "ECE",
            "conversations": sum(b.n for b in report.reliability),
            "mean confidence": "",
            "accuracy": "",
            "gap": report.expected_calibration_error,
        }
    )
    return rows


def _fake_anthropic() -> ModuleType:
    """The in-process fake of the Anthropic API that the tests use (tests/python)."""
    path = _REPO / "tests" / "python" / "fake_anthropic.py"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run the bench from a source checkout")
    spec = importlib.util.spec_from_file_location("fake_anthropic", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fake_anthropic", module)
    spec.loader.exec_module(module)
    return module


def claude_cost(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Estimated Claude cost per conversation at the default settings.

    Realistic generated conversations go through the privacy wall, the local shortlister and the
    real ClaudeClassifier, whose requests the fake API answers with usage counted as the API
    counts it (tools + system + messages, cache fields; ~3 characters per token, an upper bound
    for English). The cost is the classifier's own Usage accounting. ``auto`` sends runs of 100
    or more through the Message Batches API (half price); smaller runs go direct.
    """
    from econ_index.classify.claude import ClaudeClassifier
    from econ_index.classify.local import LocalClassifier
    from econ_index.evaluate import evaluate
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber

    fake_module = _fake_anthropic()
    local = LocalClassifier(taxonomy)
    prepare = Preparer(Scrubber(), Keyer(secrets.token_bytes(32)))
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        runs = (
            ("default (auto, 200/call)", COST_N),
            ("auto, 50/call", 50),
        )
        for label, batch_size in runs:
            fake = fake_module.FakeAnthropic()
            classifier = ClaudeClassifier(
                taxonomy,
                local.shortlist,
                client=fake.client(),
                state_dir=Path(tmp) / f"state-{batch_size}",
                poll_interval=0.001,
            )
            report = evaluate(
                classifier, taxonomy, n=COST_N, seed=23, prepare=prepare, batch_size=batch_size
            )
            usage = classifier.usage
            n = report.n_conversations - report.n_failures
            per_conversation = usage.cost_usd / n
            rows.append(
                {
                    "run": label,
                    "API": "batches" if fake.batches else "messages",
                    "conv": n,
                    "in tok": round(
                        (usage.input_tokens + usage.cache_write_tokens + usage.cached_input_tokens)
                        / n
                    ),
                    "of which cache write": round(usage.cache_write_tokens / n),
                    "cache read": round(usage.cached_input_tokens / n),
                    "out tok": round(usage.output_tokens / n),
                    "USD/conv": f"{per_conversation:.6f}",
                    "USD/10k": f"{per_conversation * 10_000:.2f}",
                    "target": f"{COST_TARGET_USD:.4f}",
                    "met": _met(per_conversation <= COST_TARGET_USD),
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
    f"local backend quality (labelled set n={EVAL_N}, seed {EVAL_SEED})": quality,
    "local backend confidence reliability": reliability,
    "local retriever recall (the Claude backend's shortlist is the top 20)": shortlist_recall,
    f"Claude backend cost per conversation at default settings ({CLAUDE_DEFAULT_MODEL})": (
        claude_cost
    ),
}


def main() -> None:
    taxonomy = load_taxonomy()
    for title, section in SECTIONS.items():
        started = time.perf_counter()
        _table(title, section(taxonomy))
        console.print(f"[dim]{title}: {time.perf_counter() - started:.1f}s[/]")


if __name__ == "__main__":
    main()
