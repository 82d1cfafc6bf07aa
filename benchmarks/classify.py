"""``make bench``: the classifier's throughput, quality on real and generated text, and cost."""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from benchmarks.common import REPO, child_cpu_seconds, met, peak_rss_mib
from econ_index.evaluate import EvalReport
from econ_index.taxonomy import Taxonomy

THROUGHPUT_TARGET = 1000.0  # the default classifier, conversations/s end to end on 2 cores
# Quality targets of the local backend on the generated labelled set (n=2000, seed 11).
EVAL_N, EVAL_SEED = 2000, 11
TASK_TOP1_TARGET = 0.50  # at least
PATTERN_ACCURACY_TARGET = 0.80  # at least
SOC_TVD_TARGET = 0.05  # at most
COST_TARGET_USD = 0.0003  # Claude backend, per conversation at default settings
COST_N = 200  # conversations in the cost run: over the default batch threshold (auto -> batch)
# The scale run: this many generated conversations through `econ-index classify`, as one run and
# as partitions classified in parallel (one process each, plus its scrubbing worker) then merged.
SCALE_N = int(os.environ.get("ECON_INDEX_BENCH_SCALE_N", "1000000"))
SCALE_PARTITIONS = int(os.environ.get("ECON_INDEX_BENCH_SCALE_PARTITIONS", "2"))
SCALE_SEED = 5


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
                started, cpu, child_cpu = (
                    time.perf_counter(),
                    time.process_time(),
                    child_cpu_seconds(),
                )
                with connect_warehouse(Path(tmp) / f"wh_{corpus.stem}_{w}.duckdb") as con:
                    summary = run.execute(read_inputs([corpus]), con)
                elapsed = time.perf_counter() - started
                cpu, child_cpu = time.process_time() - cpu, child_cpu_seconds() - child_cpu
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
                        "RSS MiB": round(peak_rss_mib()),
                        "worker RSS": round(peak_rss_mib(children=True)),
                        "met": met(rate >= THROUGHPUT_TARGET),  # by the wall clock
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
                "met": met(check(float(value))) if check else "",
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
                "met": met(value >= bound if at_least else value <= bound),
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
    path = REPO / "tests" / "python" / "fake_anthropic.py"
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
                    "met": met(per_conversation <= COST_TARGET_USD),
                }
            )
    return rows


# `econ-index` in a process of its own that writes, when it ends, its peak RSS, the largest of
# its children's (the forked scrubbing worker) and the CPU seconds of both to the file named by
# the environment.
_MEASURED = """
import os, resource, sys
from econ_index.cli import app

def peaks():
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    with open(os.environ["ECON_INDEX_BENCH_RSS_FILE"], "w") as out:
        out.write(f"{own.ru_maxrss} {children.ru_maxrss} {cpu}")

try:
    app(prog_name="econ-index")
finally:
    peaks()
"""


@dataclass(frozen=True, slots=True)
class _Measured:
    seconds: float
    rss_mib: float  # the econ-index process
    worker_rss_mib: float  # its largest child (the scrubbing worker), 0 without one
    cpu_seconds: float  # the process's and its children's
    stdout: str


class _Command:
    """One ``econ-index`` command started in its own process, measured."""

    def __init__(self, args: Sequence[str], env: dict[str, str], rss_file: Path) -> None:
        self._rss_file = rss_file
        self._args = list(args)
        self._started = time.perf_counter()
        self._proc = subprocess.Popen(
            [sys.executable, "-c", _MEASURED, *args],
            env={**env, "ECON_INDEX_BENCH_RSS_FILE": str(rss_file)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def wait(self) -> _Measured:
        stdout, stderr = self._proc.communicate()
        seconds = time.perf_counter() - self._started
        if self._proc.returncode != 0:
            raise RuntimeError(
                f"econ-index {' '.join(self._args)} exited {self._proc.returncode}:\n{stderr}"
            )
        own, children, cpu = self._rss_file.read_text().split()
        return _Measured(seconds, int(own) / 1024, int(children) / 1024, float(cpu), stdout)


@contextmanager
def _scale_dir() -> Iterator[Path]:
    """$ECON_INDEX_BENCH_DIR (kept: a corpus generated there is reused), else a temporary one."""
    kept = os.environ.get("ECON_INDEX_BENCH_DIR")
    if kept:
        Path(kept).mkdir(parents=True, exist_ok=True)
        yield Path(kept)
    else:
        with tempfile.TemporaryDirectory(prefix="econ-index-bench-") as tmp:
            yield Path(tmp)


def _split(corpus: Path, parts: Sequence[Path], n: int) -> None:
    """Consecutive slices of ``corpus``'s ``n`` lines, one file per part."""
    with corpus.open("rb") as lines:
        for i, part in enumerate(parts):
            size = n * (i + 1) // len(parts) - n * i // len(parts)
            with part.open("wb") as out:
                for _ in range(size):
                    out.write(lines.readline())


def _labels_differ(a: Path, b: Path) -> int:
    """Label rows in one warehouse and not in the other (both ways; run ids aside)."""
    import duckdb

    columns = "conversation_key, user_key, created_at, status, filter_reason, onet_task_id, "
    columns += "collaboration_pattern, confidence, is_redacted"
    with duckdb.connect() as con:
        con.execute(f"attach '{a}' as a (read_only)")
        con.execute(f"attach '{b}' as b (read_only)")
        row = con.execute(
            f"select (select count(*) from (select {columns} from a.raw.conversation_labels "
            f"except all select {columns} from b.raw.conversation_labels)) + "
            f"(select count(*) from (select {columns} from b.raw.conversation_labels "
            f"except all select {columns} from a.raw.conversation_labels))"
        ).fetchone()
        return int(row[0]) if row else -1


def at_scale(taxonomy: Taxonomy) -> list[dict[str, object]]:
    """``SCALE_N`` generated conversations through ``econ-index classify`` with the default
    (local) backend, each command in a process of its own as a team runs it: first one run over
    the whole corpus, then ``SCALE_PARTITIONS`` partitions (consecutive slices) classified in
    parallel into a warehouse file each and merged with ``econ-index merge``. Wall time includes
    start-up (loading the model); RSS is each process's peak (the largest of the parallel
    workers), the scrubbing worker's beside it. The merged warehouse must hold the same labels
    as the one run. Sizes: $ECON_INDEX_BENCH_SCALE_N and $ECON_INDEX_BENCH_SCALE_PARTITIONS.
    """
    n, k = SCALE_N, SCALE_PARTITIONS
    env = {
        **os.environ,
        "ECON_INDEX_USER_KEY": secrets.token_hex(32),
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO / "src"), os.environ.get("PYTHONPATH")])
        ),
    }
    rows: list[dict[str, object]] = []
    with _scale_dir() as tmp:
        corpus = tmp / f"corpus_{n}_seed{SCALE_SEED}.jsonl"
        if not corpus.is_file():
            partial = corpus.with_suffix(".partial")
            gen = _Command(
                ["generate", "--out", str(partial), "--n", str(n), "--seed", str(SCALE_SEED)],
                env,
                tmp / "rss-generate",
            ).wait()
            partial.rename(corpus)
            rows.append(_scale_row("generate", 1, n, gen, ""))
        parts = [tmp / f"part_{i}_of_{k}.jsonl" for i in range(k)]
        _split(corpus, parts, n)
        one = tmp / "one.duckdb"
        merged = tmp / "merged.duckdb"
        for path in (one, merged, *(tmp / f"worker_{i}.duckdb" for i in range(k))):
            path.unlink(missing_ok=True)
        classify = ["classify", "--json", "--max-quarantined", "1"]
        single = _Command(
            [*classify, "-i", str(corpus), "--warehouse", str(one), "--partition", "all"],
            env,
            tmp / "rss-one",
        ).wait()
        counts = json.loads(single.stdout)
        rows.append(_scale_row("one run", 1, counts["read"], single, ""))
        started = time.perf_counter()
        workers = [
            _Command(
                [*classify, "-i", str(part), "--partition", part.stem]
                + ["--warehouse", str(tmp / f"worker_{i}.duckdb")],
                env,
                tmp / f"rss-worker-{i}",
            )
            for i, part in enumerate(parts)
        ]
        done = [w.wait() for w in workers]
        parallel_seconds = time.perf_counter() - started
        read = sum(json.loads(d.stdout)["read"] for d in done)
        merge = _Command(
            ["merge", "--json", "--warehouse", str(merged)]
            + [str(tmp / f"worker_{i}.duckdb") for i in range(k)],
            env,
            tmp / "rss-merge",
        ).wait()
        summary = json.loads(merge.stdout)
        differ = _labels_differ(one, merged)
        same = met(
            differ == 0
            and summary["reconciles"]
            and summary["labels"] == counts["classified"] + counts["filtered"]
            and summary["quarantined"] == counts["quarantined"]
        )
        widest = _Measured(
            parallel_seconds,
            max(d.rss_mib for d in done),
            max(d.worker_rss_mib for d in done),
            sum(d.cpu_seconds for d in done),
            "",
        )
        rows.append(_scale_row(f"{k} partitions, parallel", k, read, widest, ""))
        rows.append(_scale_row(f"merge {k} files", 1, read, merge, same))
        with_merge = _Measured(
            parallel_seconds + merge.seconds,
            widest.rss_mib,
            0,
            widest.cpu_seconds + merge.cpu_seconds,
            "",
        )
        rows.append(_scale_row(f"{k} partitions + merge", k, read, with_merge, same))
    return rows


def _scale_row(
    step: str, processes: int, conversations: int, measured: _Measured, same: str
) -> dict[str, object]:
    return {
        "step": step,
        "classify procs": processes,
        "conv": conversations,
        "seconds": measured.seconds,
        "conv/s": round(conversations / measured.seconds),
        "CPU s": measured.cpu_seconds,
        # What the step sustains per core, whatever else the machine runs.
        "conv/CPU-s": round(conversations / max(measured.cpu_seconds, 1e-9)),
        "peak RSS MiB": round(measured.rss_mib),
        "worker RSS MiB": round(measured.worker_rss_mib),
        # The machine's 1-minute load average when the step ended (it has os.cpu_count() cores).
        "load": round(os.getloadavg()[0], 1),
        "same labels as one run": same,
    }
