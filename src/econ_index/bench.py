"""``make bench``: speed, memory and quality figures, printed as tables.

Targets live here, never in timed unit tests. Each section prints its measurements next to the
target and a verdict, and the run exits non-zero only on errors, not on a missed target.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import duckdb
from rich.console import Console
from rich.table import Table

from econ_index.classify.claude import DEFAULT_MODEL as CLAUDE_DEFAULT_MODEL
from econ_index.evaluate import EvalReport
from econ_index.taxonomy import Taxonomy, load_taxonomy

console = Console(width=None if sys.stdout.isatty() else 120)

THROUGHPUT_TARGET = 1000.0  # the default classifier, conversations/s end to end on 2 cores
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


def _real_corpus(
    out: Path, n: int, lengths: tuple[int, int] | None = None
) -> tuple[str, Path] | None:
    """``n`` conversations cycled from the real labelled set (fresh ids, 2,000 users), optionally
    only those whose text length is within ``lengths``; None when the set is not built."""
    gold = Path(os.environ.get("ECON_INDEX_REALSET", "build/realset/gold.jsonl"))
    if not gold.exists():
        return None
    records = []
    with gold.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            chars = sum(len(m["content"]) for m in record["messages"])
            if lengths is None or lengths[0] <= chars <= lengths[1]:
                records.append({k: v for k, v in record.items() if k != "gold"})
    with out.open("w", encoding="utf-8") as handle:
        for i in range(n):
            record = records[i % len(records)]
            handle.write(
                json.dumps({**record, "conversation_id": f"bench:{i}", "user_id": f"u{i % 2000}"})
                + "\n"
            )
    label = "real" if lengths is None else f"real {lengths[0]:,}-{lengths[1]:,} chars"
    return label, out


def end_to_end(
    taxonomy: Taxonomy,
    sizes: tuple[int, ...] = (5_000, 20_000),
    processes: tuple[int, ...] = (1, 2),
    real_size: int = 10_000,
) -> list[dict[str, object]]:
    """read + scrub + classify + stage at growing sizes; memory stays flat.

    Generated JSONL at each size, then real conversations (the labelled set's texts, as they
    come and cut to about 3,000 characters, the issue's yardstick). ``processes``: with 2, a
    forked worker reads and scrubs while the main process classifies and stages. Peak RSS is
    the main process's; the worker's is shown beside it."""
    from econ_index.classify import make_classifier
    from econ_index.generate import write_corpus
    from econ_index.ingest import read_inputs
    from econ_index.pipeline import Preparer, Run, connect_warehouse
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber

    rows: list[dict[str, object]] = []
    classifier = make_classifier("local", taxonomy)
    with tempfile.TemporaryDirectory() as tmp:
        corpora: list[tuple[str, Path]] = []
        for n in sizes:
            corpus = Path(tmp) / f"corpus_{n}.jsonl"
            write_corpus(corpus, n, seed=3, taxonomy=taxonomy)
            corpora.append(("generated", corpus))
        for lengths in (None, (1_500, 4_500)):
            real = _real_corpus(Path(tmp) / f"real_{lengths}.jsonl", real_size, lengths)
            corpora += [real] if real else []
        for kind, corpus in corpora:
            n = sum(1 for _ in corpus.open(encoding="utf-8"))
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
                with connect_warehouse(Path(tmp) / f"wh_{corpus.stem}_{w}.duckdb") as con:
                    summary = run.execute(read_inputs([corpus]), con)
                elapsed = time.perf_counter() - started
                cpu, child_cpu = time.process_time() - cpu, _child_cpu() - child_cpu
                rate = summary.read / elapsed
                rows.append(
                    {
                        "corpus": kind,
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
    """The local backend's lexical mode on the generated labelled set, scrubbed as the pipeline
    does (as ``econ-index evaluate``); computed once per taxonomy, shared by quality sections."""
    if id(taxonomy) not in _reports:
        from econ_index.classify.local import LocalClassifier
        from econ_index.evaluate import evaluate
        from econ_index.pipeline import Preparer
        from econ_index.privacy import Keyer
        from econ_index.scrub import Scrubber

        # The lexical mode: the learned one's neighbours are real conversations, not generated.
        _reports[id(taxonomy)] = evaluate(
            LocalClassifier(taxonomy, mode="lexical"),
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


# The targets on the real test split: metric -> (at least?, bound).
REAL_TARGETS: dict[str, tuple[bool, float]] = {
    "screen_agreement": (True, 0.85),
    "soc_major_group_accuracy": (True, 0.75),
    "task_acceptable": (True, 0.50),
    "pattern_accuracy": (True, 0.70),
    "soc_major_group_tvd": (False, 0.10),
    "shortlist_recall_at_20": (True, 0.90),
}


def real_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Both local modes on the real test split beside the generated set (an upper bound)."""
    from econ_index.classify.local import LocalClassifier
    from econ_index.evaluate import evaluate_gold
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber

    gold = Path(os.environ.get("ECON_INDEX_REALSET", "build/realset/gold.jsonl"))
    prepare = Preparer(Scrubber(), Keyer(secrets.token_bytes(32)))
    reports = {}
    for mode in ("learned", "lexical"):
        local = LocalClassifier(taxonomy, mode=mode)
        reports[mode] = evaluate_gold(
            local, taxonomy, gold, split="test", prepare=prepare, shortlister=local.shortlist
        ).as_dict()
    generated = local_evaluation(taxonomy).as_dict()
    generated["task_acceptable"] = generated["task_top1_accuracy"]  # one gold task there
    rows: list[dict[str, object]] = []
    for name, (at_least, bound) in REAL_TARGETS.items():
        value = float(reports["learned"][name])  # type: ignore[arg-type]
        upper = generated.get(name)
        rows.append(
            {
                "metric (real test split)": name,
                "learned": value,
                "lexical": reports["lexical"][name],
                "lexical, generated (upper bound)": "" if upper is None else upper,
                "target": f"{'>=' if at_least else '<='} {bound}",
                "met": _met(value >= bound if at_least else value <= bound),
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
    local = LocalClassifier(taxonomy, mode="lexical")
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


@cache
def _pii_report() -> list[dict[str, object]]:
    """The labelled PII set scored once, shared by the recall and look-alike sections."""
    from econ_index.pii_eval import pii_report

    return pii_report(PII_CASES, PII_SEED)


def pii_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Span recall and precision of the scrubber per PII type on the labelled PII set."""
    from econ_index.pii_eval import STRUCTURED

    structured = {k.value for k in STRUCTURED}
    rows: list[dict[str, object]] = []
    for r in _pii_report():
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
                "met": _met(recall >= target) if target is not None else "-",
            }
        )
    return rows


def pii_negatives(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """How often look-alikes (order numbers, versions, timestamps, ...) survive scrubbing."""
    rows: list[dict[str, object]] = []
    for r in _pii_report():
        check = str(r["check"])
        if check.startswith("negative:"):
            survival = float(r["precision"])  # type: ignore[arg-type]
            rows.append(
                {
                    "look-alike": check.removeprefix("negative:"),
                    "cases": r["n"],
                    "left intact": survival,
                    "target": PII_RECALL_TARGET,
                    "met": _met(survival >= PII_RECALL_TARGET),
                }
            )
    return rows


def scrubber_throughput(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Scrubber alone on ~2,000-character chat texts, with and without name detection."""
    from econ_index.scrub import bench_scrubber

    return bench_scrubber()


# --- both scrubbers on the real PII set (issue #17) -----------------------------------------

PIISET = Path(
    os.environ.get("ECON_INDEX_PIISET", Path(__file__).parents[2] / "build/piiset/gold.jsonl")
)
PII_NAME_RECALL_TARGET = 0.90
PII_NAME_PRECISION_TARGET = 0.80
PII_KEPT_TARGET = 0.95


@cache
def _real_pii_scores() -> dict[str, Any]:
    from econ_index.piiset_eval import load_gold, score
    from econ_index.scrub import Scrubber
    from econ_index.scrub_strong import StrongScrubber

    units = load_gold(PIISET, "test")
    return {"fast": score(Scrubber(), units), "strong": score(StrongScrubber(), units)}


def pii_real_quality(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Per type on the real PII set's test split: to-remove spans found / n and placeholder
    precision for both scrubbers, then look-alikes kept; targets are the strong scrubber's."""
    from econ_index.piiset_eval import KEEP, REMOVE

    if not PIISET.is_file():
        return [{"skipped": f"{PIISET} missing: python evaluation/piiset/rebuild.py"}]
    fast, strong = _real_pii_scores()["fast"], _real_pii_scores()["strong"]
    rows: list[dict[str, object]] = []
    for kind in REMOVE:
        target = PII_NAME_RECALL_TARGET if kind == "PERSON" else PII_RECALL_TARGET
        rows.append(
            {
                "type": kind,
                "n": strong.gold[kind],
                "fast found": f"{fast.found[kind]} ({fast.recall(kind):.2f})",
                "fast precision": f"{fast.precision(kind):.2f} of {fast.placed[kind]}",
                "strong found": f"{strong.found[kind]} ({strong.recall(kind):.2f})",
                "strong precision": f"{strong.precision(kind):.2f} of {strong.placed[kind]}",
                "target": f"R {target}"
                + (f", P {PII_NAME_PRECISION_TARGET}" if kind == "PERSON" else ""),
                "met": _met(
                    strong.recall(kind) >= target
                    and (kind != "PERSON" or strong.precision(kind) >= PII_NAME_PRECISION_TARGET)
                )
                if strong.gold[kind]
                else "-",
            }
        )
    for kind in (*KEEP, None):
        rows.append(
            {
                "type": f"keep {kind}" if kind else "keep (all look-alikes)",
                "n": sum(strong.keep[k] for k in ((kind,) if kind else KEEP)),
                "fast found": f"kept {fast.kept_share(kind):.2f}",
                "fast precision": "",
                "strong found": f"kept {strong.kept_share(kind):.2f}",
                "strong precision": "",
                "target": f"{PII_KEPT_TARGET}" if kind is None else "",
                "met": _met(strong.kept_share() >= PII_KEPT_TARGET) if kind is None else "",
            }
        )
    return rows


def pii_generated_both(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """The generated set (pii_eval) for both scrubbers, beside the real set's table."""
    from econ_index.pii_eval import generate_cases, measure
    from econ_index.scrub import Scrubber
    from econ_index.scrub_strong import StrongScrubber

    cases = generate_cases(PII_CASES, PII_SEED)
    fast, strong = measure(Scrubber(), cases), measure(StrongScrubber(), cases)
    return [
        {
            "type": kind,
            "planted": fast[kind].planted,
            "fast recall": round(fast[kind].recall, 3),
            "fast precision": round(fast[kind].precision, 3),
            "strong recall": round(strong[kind].recall, 3),
            "strong precision": round(strong[kind].precision, 3),
        }
        for kind in fast
    ]


def pii_real_throughput(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """Both scrubbers on the real PII set's test split texts (real user turns, one core)."""
    if not PIISET.is_file():
        return [{"skipped": f"{PIISET} missing"}]
    rows: list[dict[str, object]] = []
    for label, s in _real_pii_scores().items():
        rows.append(
            {
                "scrubber": label,
                "texts": s.units,
                "chars": f"{s.chars:,}",
                "texts/s": round(s.units / s.seconds, 1),
                "chars/s": f"{s.chars / s.seconds:,.0f}",
            }
        )
    return rows


# --- the warehouse at scale ---------------------------------------------------------------

WAREHOUSE_ROWS = 1_000_000  # classified conversations (fact rows)
MODELS_VS_SQL_TARGET = 3.0  # dbt models' own execution time / hand-written SQL, at most
BUILD_TARGET_S = 60.0  # the whole `dbt build` (seeds, models, tests), at most
PATTERN_WEIGHTS = {  # the AEI release's pattern mix, `none` topped up to 100
    "directive": 27.8,
    "feedback_loop": 14.8,
    "task_iteration": 31.3,
    "validation": 2.8,
    "learning": 23.3,
}


def _unit(column: str, salt: int) -> str:
    """A deterministic pseudo-random number in [0, 1) from an integer column (DuckDB's hash)."""
    # hash(column, salt) draws are strongly correlated across salts; hashing distinct strings is not
    return f"(hash('draw-{salt}-' || {column}) / 18446744073709551616.0)"


def generate_labels(
    con: duckdb.DuckDBPyConnection,
    seeds: Path,
    n_classified: int,
    *,
    n_users: int = 60_000,
    user_skew: float = 2.5,
    tail_share: float = 0.0,
    first_day: str = "2025-01-01",
    n_days: int = 181,
    filtered_share: float = 0.05,
) -> None:
    """Fills ``raw.conversation_labels`` with ``n_classified`` classified conversations (plus
    ``filtered_share`` as many filtered ones), in DuckDB SQL alone and deterministically:

    * tasks: real Task IDs, drawn with the AEI release's published usage of their statement
      (seeds/aei_task_usage.csv; a shared statement's weight is split over its holders); with
      ``tail_share`` > 0 that share of conversations goes, evenly, to the O*NET task rows the
      release does not map (the long tail a real classifier labels: ~19,000 tasks in use at 1M);
    * users: ``n_users`` pseudonyms, index = n * u^user_skew (2.5: a heavy head of power
      users; 1.5: every user active, the busiest a few times the median);
    * dates: ``n_days`` from ``first_day``, growing over time, weekends at a third of weekdays;
    * patterns: the AEI release's mix (plus 3 % `none`).
    """
    from econ_index.warehouse import DDL

    con.execute(DDL)
    statements = seeds / "onet_task_statements.csv"
    usage = seeds / "aei_task_usage.csv"
    pattern_case = []
    cumulative = 0.0
    total_weight = sum(PATTERN_WEIGHTS.values()) / 0.97
    for pattern, weight in PATTERN_WEIGHTS.items():
        cumulative += weight / total_weight
        pattern_case.append(f"when u_pattern < {cumulative!r} then '{pattern}'")
    n_total = int(n_classified * (1 + filtered_share))
    con.execute(
        f"""
        create or replace temp table bench_tasks as
        with task_rows as (
            select
                cast(task_id as varchar) as task_id,
                lower(trim(task_statement)) as statement_key
            from read_csv('{statements}', all_varchar = true)
        ),
        head as (
            select
                task_rows.task_id,
                usage.pct / count(*) over (partition by task_rows.statement_key) as weight
            from task_rows
            inner join read_csv('{usage}') as usage
                on task_rows.statement_key = usage.task_statement_key
        ),
        tail as (
            select task_id
            from task_rows
            where statement_key not in (select task_statement_key from read_csv('{usage}'))
        ),
        weighted as (
            select task_id, weight from head
            union all
            select
                task_id,
                {tail_share!r} / {1 - tail_share!r} * (select sum(weight) from head)
                / (select count(*) from tail) as weight
            from tail
            where {tail_share!r} > 0
        )
        select
            task_id,
            coalesce(
                sum(weight) over (order by task_id rows between unbounded preceding
                                  and 1 preceding), 0
            ) / sum(weight) over () as cumulative_low
        from weighted
        """
    )
    con.execute(
        f"""
        insert into raw.conversation_labels
        with draws as (
            select
                i,
                {_unit("i", 1)} as u_task,
                {_unit("i", 2)} as u_user,
                {_unit("i", 3)} as u_day,
                {_unit("i", 4)} as u_weekend,
                {_unit("i", 5)} as u_pattern,
                {_unit("i", 6)} as u_second,
                i >= {n_classified} as is_filtered
            from range({n_total}) as r(i)
        ),
        dated as (
            select
                *,
                cast('{first_day}' as date)
                + cast(floor(sqrt(u_day) * {n_days}) as integer) as day
            from draws
        ),
        placed as (
            select
                *,
                case
                    when isodow(day) >= 6 and u_weekend < 0.67
                        -- two weekend days in three move to a weekday of the week
                        then day - cast(isodow(day) - 5 + floor(u_weekend * 7.4) as integer)
                    else day
                end as created_day
            from dated
        )
        select
            sha256('conversation-' || placed.i) as conversation_key,
            sha256('user-' || cast(floor(pow(u_user, {user_skew!r}) * {n_users}) as bigint))
                as user_key,
            created_day + to_seconds(cast(floor(u_second * 86400) as bigint)) as created_at,
            case when is_filtered then 'filtered' else 'classified' end as status,
            case when is_filtered then 'not_work_related' end as filter_reason,
            case when not is_filtered then bench_tasks.task_id end as onet_task_id,
            case {" ".join(pattern_case)} else 'none' end as collaboration_pattern,
            0.5 + u_second / 2 as confidence,
            u_weekend < 0.1 as is_redacted,
            'bench' as classifier_name,
            '1' as classifier_version,
            'aei_2025_02_10' as onet_version,
            'bench-run' as run_id,
            cast('2025-07-01' as timestamp) as loaded_at
        from placed
        asof inner join bench_tasks on placed.u_task >= bench_tasks.cumulative_low
        """
    )
    con.execute(
        "insert into raw.classification_runs values ('bench-run', timestamp '2025-07-01',"
        " timestamp '2025-07-01', 'bench', 'bench', '1', 'aei_2025_02_10', ?, ?, ?, 0, 0, 0, 0, 0,"
        " 0.0, 'fast')",
        [n_total, n_classified, n_total - n_classified],
    )


# The same rollups as the dbt models (fact -> task, occupation and SOC-level usage, with distinct
# users, per period grain, in all and per pattern; period totals), written by hand for DuckDB in
# the most direct way: the yardstick for the models' own execution time.
HAND_WRITTEN_ROLLUPS = """
create schema if not exists hand;
create or replace table hand.task_rows as
select
    cast(task_id as varchar) as task_id,
    onet_soc_code,
    lower(trim(task_statement)) as statement_key,
    count(*) over (partition by lower(trim(task_statement))) as holders
from read_csv('{statements}', all_varchar = true);
create or replace table hand.allocation as
select labelled.task_id, holder.onet_soc_code, sum(1.0 / holder.holders) as share
from hand.task_rows as labelled
join hand.task_rows as holder using (statement_key)
group by all;
create or replace table hand.periods as
with fact as (
    select user_key, created_at, onet_task_id, collaboration_pattern
    from raw.conversation_labels where status = 'classified'
)
select 'day' as grain, cast(date_trunc('day', created_at) as date) as start, * exclude (created_at)
from fact
union all
select 'week', cast(date_trunc('week', created_at) as date), * exclude (created_at) from fact
union all
select 'month', cast(date_trunc('month', created_at) as date), * exclude (created_at) from fact
union all
select 'all', date '1900-01-01', * exclude (created_at) from fact;
create or replace table hand.task_usage as
select grain, start, onet_task_id, count(*) as n, count(distinct user_key) as users
from hand.periods group by all;
create or replace table hand.totals as
select grain, start, coalesce(collaboration_pattern, 'all') as pattern, count(*) as n,
    count(distinct user_key) as users
from hand.periods
group by grouping sets ((grain, start), (grain, start, collaboration_pattern));
create or replace table hand.soc_usage as
with allocated as (
    select periods.grain, periods.start, periods.user_key, periods.collaboration_pattern,
        allocation.share, occupations.*
    from hand.periods as periods
    join hand.allocation as allocation on periods.onet_task_id = allocation.task_id
    join read_csv('{occupations}', all_varchar = true) as occupations using (onet_soc_code)
), levels as (
    select grain, start, user_key, collaboration_pattern, share, unnest([
        {{'level': 'occupation', 'code': onet_soc_code}},
        {{'level': 'detailed', 'code': detailed_soc_code}},
        {{'level': 'broad', 'code': broad_soc_code}},
        {{'level': 'minor', 'code': minor_soc_code}},
        {{'level': 'major', 'code': major_soc_code}}]) as node
    from allocated
)
select grain, start, node.level as level, node.code as code,
    coalesce(collaboration_pattern, 'all') as pattern, sum(share) as n,
    count(distinct user_key) as users
from levels
group by grouping sets (
    (grain, start, node.level, node.code),
    (grain, start, node.level, node.code, collaboration_pattern)
);
"""


def _run_results(target: Path) -> dict[str, float]:
    """Seconds per node kind from dbt's run_results.json (each node's own execution time)."""
    results = json.loads((target / "run_results.json").read_text())
    totals: dict[str, float] = defaultdict(float)
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        name = node["unique_id"].split(".")[2]
        totals[kind] += node["execution_time"]
        if kind == "model":
            totals[f"model:{name}"] = node["execution_time"]
    totals["elapsed"] = results["elapsed_time"]
    return totals


def warehouse_build(
    taxonomy: Taxonomy, n_rows: int = WAREHOUSE_ROWS, *, verbose: bool = True
) -> list[dict[str, object]]:
    """``dbt build`` on ``n_rows`` generated fact rows against hand-written DuckDB SQL."""
    from econ_index.dbt_runner import project_dir, run_dbt

    del taxonomy  # the generator reads the project's seeds directly
    seeds = project_dir() / "seeds"
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Path(tmp) / "bench.duckdb"
        target = Path(tmp) / "target"
        started = time.perf_counter()
        with duckdb.connect(str(warehouse)) as con:
            generate_labels(con, seeds, n_rows)
        generate_s = time.perf_counter() - started

        started = time.perf_counter()
        run_dbt(
            ["parse", "--no-partial-parse"], warehouse=warehouse, target_path=target, quiet=True
        )
        parse_s = time.perf_counter() - started
        started = time.perf_counter()
        run_dbt(
            ["build", "--select", "tag:bench_selects_nothing"],
            warehouse=warehouse,
            target_path=target,
            quiet=True,
        )
        empty_build_s = time.perf_counter() - started

        started = time.perf_counter()
        run_dbt(["build"], warehouse=warehouse, target_path=target, quiet=True)
        build_s = time.perf_counter() - started
        timings = _run_results(target)
        published = timings["model:pub_index_cells"]
        rollups = timings["model"] - published

        statements = [
            s
            for s in HAND_WRITTEN_ROLLUPS.format(
                statements=seeds / "onet_task_statements.csv",
                occupations=seeds / "onet_occupations.csv",
            ).split(";")
            if s.strip()
        ]
        with duckdb.connect(str(warehouse)) as con:
            started = time.perf_counter()
            for statement in statements:
                con.execute(statement)
            hand_s = time.perf_counter() - started
            same = con.execute(
                """
                select
                    (select count(*) from hand.soc_usage)
                        = (select count(*) from intermediate.int_soc_usage)
                    and abs((select sum(n) from hand.soc_usage)
                        - (select sum(n_conversations) from intermediate.int_soc_usage)) < 1e-3
                    and (select sum(users) from hand.soc_usage)
                        = (select sum(n_users) from intermediate.int_soc_usage)
                    and (select count(*) from hand.task_usage)
                        = (select count(*) from intermediate.int_task_usage)
                """
            ).fetchone()
            n_fact = con.execute("select count(*) from marts.fct_conversation_tasks").fetchone()
            n_cells = con.execute("select count(*) from published.pub_index_cells").fetchone()
    if verbose:
        slowest = sorted(
            ((k.split(":", 1)[1], v) for k, v in timings.items() if k.startswith("model:")),
            key=lambda kv: -kv[1],
        )[:6]
        console.print("slowest models: " + ", ".join(f"{k} {v:.2f}s" for k, v in slowest))
    fact_rows = int(n_fact[0]) if n_fact else 0
    cells = int(n_cells[0]) if n_cells else 0
    ratio = rollups / hand_s
    rows.append(
        {
            "measure": f"generate raw.conversation_labels ({fact_rows:,} fact rows)",
            "seconds": generate_s,
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "dbt start-up: `dbt parse` (no partial parse)",
            "seconds": parse_s,
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "dbt start-up: `dbt build` selecting nothing",
            "seconds": empty_build_s,
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "hand-written DuckDB SQL, same rollups"
            + ("" if same and same[0] else " (RESULTS DIFFER)"),
            "seconds": hand_s,
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "dbt rollup models' own execution (all but published)",
            "seconds": rollups,
            "target": f"<= {MODELS_VS_SQL_TARGET:.0f}x hand ({MODELS_VS_SQL_TARGET * hand_s:.1f}s)",
            "met": f"{_met(ratio <= MODELS_VS_SQL_TARGET)} ({ratio:.2f}x)",
        }
    )
    rows.append(
        {
            "measure": f"dbt published model (suppression, {cells:,} cells)",
            "seconds": published,
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "dbt tests' own execution (data + unit)",
            "seconds": timings["test"] + timings["unit_test"],
            "target": "",
            "met": "",
        }
    )
    rows.append(
        {
            "measure": "whole `dbt build` wall time (start-up, seeds, models, tests)",
            "seconds": build_s,
            "target": f"<= {BUILD_TARGET_S:.0f}s",
            "met": _met(build_s <= BUILD_TARGET_S),
        }
    )
    return rows


# (fact rows, period grains): the exact audit factorises one system over every hidden cell, so
# its cost follows the number of cells, and the day grain brings most of them.
REPAIR_CASES = (
    (5_000, ["day", "week", "month"]),
    (20_000, ["day", "week", "month"]),
    (WAREHOUSE_ROWS, ["week", "month"]),
)


def suppression_repair(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """`econ-index build`'s audit-driven repair on generated fact rows: the dbt passes apart,
    the audit and repair planning time, and what they found and hid."""
    from econ_index.dbt_runner import project_dir, run_dbt
    from econ_index.repair import plan_for_warehouse

    del taxonomy
    rows: list[dict[str, object]] = []
    for n_rows, grains in REPAIR_CASES:
        with tempfile.TemporaryDirectory() as tmp:
            warehouse = Path(tmp) / "bench.duckdb"
            with duckdb.connect(str(warehouse)) as con:
                generate_labels(con, project_dir() / "seeds", n_rows)
            variables = {"period_grains": grains}
            run_dbt(["build"], warehouse=warehouse, variables=variables, quiet=True)
            started = time.perf_counter()
            plan = plan_for_warehouse(warehouse)
            plan_s = time.perf_counter() - started
            with duckdb.connect(str(warehouse)) as con:
                counts = con.execute(
                    "select count(*), count(*) filter (where is_suppressed)"
                    " from published.pub_index_cells"
                ).fetchone()
        cells, hidden = counts if counts else (0, 0)
        rows.append(
            {
                "fact rows": f"{n_rows:,}",
                "grains": "+".join(grains) + "+all",
                "cells": f"{cells:,}",
                "hidden": f"{hidden:,}",
                "determined": f"{plan.determined_before:,}",
                "hidden by repair": f"{len(plan.added):,}",
                "rounds": plan.rounds,
                "audit + plan (s)": plan_s,
                "peak RSS (MiB)": _peak_rss_mib(),
            }
        )
    return rows


SECTIONS: dict[str, Callable[[Taxonomy], list[dict[str, object]]]] = {
    "end-to-end classify throughput": end_to_end,
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
    f"warehouse: dbt build on {WAREHOUSE_ROWS:,} fact rows vs hand-written SQL": warehouse_build,
    "warehouse: audit-driven suppression repair (first pass of `econ-index build`)": (
        suppression_repair
    ),
}


def main(argv: list[str] | None = None) -> None:
    """Every section, or those whose title contains one of the words given as arguments."""
    words = sys.argv[1:] if argv is None else argv
    taxonomy = load_taxonomy()
    for title, section in SECTIONS.items():
        if words and not any(word in title for word in words):
            continue
        started = time.perf_counter()
        _table(title, section(taxonomy))
        console.print(f"[dim]{title}: {time.perf_counter() - started:.1f}s[/]")


if __name__ == "__main__":
    main()
