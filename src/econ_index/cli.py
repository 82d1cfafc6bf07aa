"""The ``econ-index`` command line (Typer)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from econ_index import __version__

if TYPE_CHECKING:
    from econ_index.dbt_runner import ProgressListener
    from econ_index.pipeline import RunSummary
    from econ_index.report import RenderedReport

app = typer.Typer(
    help="AI-assistant conversations → k-anonymous labour-market statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

DEFAULT_WAREHOUSE = Path(".warehouse/econ_index.duckdb")
DEFAULT_PUBLISHED = Path("build/published/econ_index.duckdb")

WarehouseOpt = Annotated[
    Path, typer.Option("--warehouse", envvar="ECON_INDEX_WAREHOUSE", help="DuckDB warehouse file.")
]
SeedsOpt = Annotated[
    Path | None,
    typer.Option(
        "--seeds",
        envvar="ECON_INDEX_SEEDS",
        help="Directory of built seeds (default: ./seeds, else the dbt project's seeds).",
    ),
]
EmploymentOpt = Annotated[
    Path | None,
    typer.Option(
        help="BLS employment by SOC major group for the report's comparison (default: "
        "bls_employment_may_2023.csv of the release in $ONET_SOURCE, when there).",
        exists=True,
        dir_okay=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
BackendOpt = Annotated[
    str,
    typer.Option(
        "--backend",
        envvar="ECON_INDEX_BACKEND",
        help="local (offline TF-IDF, the default) or claude (needs ANTHROPIC_API_KEY).",
    ),
]
ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        envvar="ECON_INDEX_CLAUDE_MODEL",
        help="Claude model (claude backend; default claude-haiku-5-5).",
    ),
]
ModeOpt = Annotated[
    str | None,
    typer.Option(
        "--mode",
        envvar="ECON_INDEX_CLAUDE_MODE",
        help="Claude API use: direct (Messages), batch (Message Batches: half price, resumable) "
        "or auto (batch for 100+ conversations per call; the default).",
    ),
]
StateDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--batch-state-dir",
        envvar="ECON_INDEX_BATCH_STATE_DIR",
        help="Where batch runs record their batch ids so a rerun resumes them "
        "(default .econ-index/claude-batches).",
    ),
]


def _fail(message: str, code: int = 2) -> NoReturn:
    # one line, never wrapped by us: the paths in it stay whole for copying and for log readers
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _backend_errors(*others: type[Exception]) -> tuple[type[Exception], ...]:
    """`others` and the Claude backend's fatal errors, once its module is loaded (evaluated when
    raised)."""
    claude = sys.modules.get("econ_index.classify.claude")
    return (*others, claude.ClaudeBackendError) if claude is not None else others


def _print_json(payload: object) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, sort_keys=False) + "\n")


def _print_version(value: bool) -> None:
    if value:
        out.print(f"econ-index {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Classify conversations (classify), model them with dbt (build), publish safe aggregates
    (publish).

    Example:
      econ-index classify --input export.zip --user-key-file user.key && econ-index build
    """


@app.command()
def seeds(
    source: Annotated[
        str | None,
        typer.Option(help="O*NET or AEI release directory (default: $ONET_SOURCE)."),
    ] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the seed CSVs.")] = Path(
        "seeds"
    ),
) -> None:
    """Build the dbt seeds (tasks, occupations, SOC hierarchy) from an O*NET release.

    Example:
      econ-index seeds --source ../shared/data/aei_2025_02_10 --out seeds
    """
    from econ_index.onet import OnetSourceError, build_seeds

    try:
        summary = build_seeds(source, out_dir)
    except OnetSourceError as exc:
        _fail(str(exc))
    rows = ", ".join(f"{name} {n:,}" for name, n in summary.rows.items())
    out.print(f"seeds ({summary.layout} layout, {summary.onet_version}) → {out_dir}: {rows}")


@app.command()
def generate(
    out_path: Annotated[Path, typer.Option("--out", help="JSONL file to write.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of conversations.")] = 5000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same corpus).")] = 7,
    gold: Annotated[
        Path | None, typer.Option(help="Also write the true labels here (JSONL).")
    ] = None,
    seeds_dir: SeedsOpt = None,
) -> None:
    """Write a synthetic multi-turn corpus drawn from the AEI task distribution.

    Example:
      econ-index generate --out corpus.jsonl --n 5000 --seed 7
    """
    from econ_index.generate import write_corpus
    from econ_index.taxonomy import TaxonomyError, load_taxonomy

    try:
        taxonomy = load_taxonomy(seeds_dir)
    except TaxonomyError as exc:
        _fail(str(exc))
    written = write_corpus(out_path, n, seed, gold_path=gold, taxonomy=taxonomy)
    out.print(f"generated {written:,} conversations → {out_path}")


@app.command()
def evaluate(
    backend: BackendOpt = "local",
    gold: Annotated[
        Path | None,
        typer.Option(
            help="Score on this labelled gold file (JSON Lines, see econ_index.evaluate) instead "
            "of a generated set; the project's real set: evaluation/realset/rebuild.py."
        ),
    ] = None,
    split: Annotated[
        str | None, typer.Option(help="With --gold: only this split (train, dev or test).")
    ] = None,
    n: Annotated[int, typer.Option("--n", min=10, help="Size of the generated set.")] = 2000,
    seed: Annotated[int, typer.Option(help="Seed of the generated set.")] = 11,
    model: ModelOpt = None,
    mode: ModeOpt = None,
    state_dir: StateDirOpt = None,
    seeds_dir: SeedsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Measure a backend on a labelled set: screen, task, occupation, pattern, TVD, shortlist.

    Examples:
      econ-index evaluate --gold build/realset/gold.jsonl --split test
      econ-index evaluate --n 2000 --seed 11 --json   # the generated set: an upper bound
    """
    import secrets

    from econ_index.classify import make_classifier
    from econ_index.evaluate import GoldFileError, evaluate_gold
    from econ_index.evaluate import evaluate as run_evaluation
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber
    from econ_index.taxonomy import TaxonomyError, load_taxonomy

    if split is not None and gold is None:
        _fail("--split needs --gold")
    try:
        taxonomy = load_taxonomy(seeds_dir)
        classifier = make_classifier(backend, taxonomy, model=model, mode=mode, state_dir=state_dir)
    except _backend_errors(TaxonomyError, ValueError) as exc:
        _fail(str(exc))
    # Labels never leave this process, so a throwaway key is enough for the privacy wall.
    prepare = Preparer(Scrubber(), Keyer(secrets.token_bytes(32)))
    shortlister = getattr(classifier, "shortlist", None)
    try:
        if gold is not None:
            report = evaluate_gold(
                classifier, taxonomy, gold, split=split, prepare=prepare, shortlister=shortlister
            )
            title = f"{gold}" + (f" ({split} split)" if split else "")
        else:
            report = run_evaluation(
                classifier, taxonomy, n=n, seed=seed, prepare=prepare, shortlister=shortlister
            )
            title = f"the generated set (n={n}, seed {seed}; an upper bound)"
    except GoldFileError as exc:
        _fail(str(exc))
    except _backend_errors() as exc:
        _fail(str(exc), code=1)
    metrics = report.as_dict()
    usage = classifier.usage
    if usage.input_tokens:  # a paid backend: what the evaluation cost
        metrics["input_tokens"] = usage.input_tokens + usage.cache_write_tokens
        metrics["cached_input_tokens"] = usage.cached_input_tokens
        metrics["output_tokens"] = usage.output_tokens
        metrics["cost_usd"] = round(usage.cost_usd, 6)
        metrics["cost_usd_per_conversation"] = usage.cost_usd / report.n_conversations
    if as_json:
        _print_json(metrics)
        return
    table = Table(
        title=f"{classifier.name} {classifier.version} on {report.n_conversations:,} "
        f"conversations of {title}"
    )
    table.add_column("metric")
    table.add_column("value", justify="right")
    for key, value in metrics.items():
        if isinstance(value, float):
            table.add_row(key, f"{value:.3f}")
        elif isinstance(value, int):
            table.add_row(key, f"{value:,}")
    out.print(table)
    if len(report.by_language) > 1:
        languages = Table(title="by language")
        for column in (
            "language",
            "n",
            "work",
            "screen",
            "task acceptable",
            "SOC major",
            "pattern",
        ):
            languages.add_column(column, justify="left" if column == "language" else "right")
        for lang, s in report.by_language.items():
            languages.add_row(
                lang,
                f"{s.n:,}",
                f"{s.n_work:,}",
                *(
                    f"{v:.3f}"
                    for v in (
                        s.screen_agreement,
                        s.task_acceptable,
                        s.soc_major_group_accuracy,
                        s.pattern_accuracy,
                    )
                ),
            )
        out.print(languages)


@app.command()
def train(
    gold: Annotated[Path, typer.Option(help="Labelled gold file (JSON Lines, see evaluate).")],
    split: Annotated[str, typer.Option(help="The split to fit on.")] = "train",
    out_path: Annotated[
        Path | None,
        typer.Option("--out", help="Model file to write (default: the one the package ships)."),
    ] = None,
    seeds_dir: SeedsOpt = None,
) -> None:
    """Fit the local classifier's learned model on one split of a labelled set.

    Example:
      econ-index train --gold build/realset/gold.jsonl --split train
    """
    import secrets

    from econ_index.classify.learned import SHIPPED_MODEL, fit_model
    from econ_index.evaluate import GoldFileError, read_gold
    from econ_index.pipeline import Preparer
    from econ_index.privacy import Keyer
    from econ_index.scrub import Scrubber
    from econ_index.taxonomy import TaxonomyError, load_taxonomy

    try:
        taxonomy = load_taxonomy(seeds_dir)
        pairs = list(read_gold(gold, taxonomy, split))
    except (TaxonomyError, GoldFileError) as exc:
        _fail(str(exc))
    if not pairs:
        _fail(f"{gold}: no labelled conversations in split {split!r}")
    # Fit on what the classifier will see: the scrubbed text.
    prepare = Preparer(Scrubber(), Keyer(secrets.token_bytes(32)))
    golds = [g for _, g in pairs]
    try:
        model = fit_model(
            [prepare(c) for c, _ in pairs],
            [g.onet_task_id for g in golds],
            [sorted(g.acceptable) for g in golds],
            [g.pattern for g in golds],
            fitted_on=f"{gold.name}:{split}:n={len(pairs)}",
        )
    except ValueError as exc:
        _fail(f"{gold}: {exc}")
    target = out_path or Path(str(SHIPPED_MODEL))
    model.save(target)
    out.print(f"fitted on {len(pairs):,} conversations ({split}) → {target}")


@app.command()
def classify(
    inputs: Annotated[
        list[Path],
        typer.Option("--input", "-i", help="JSONL / Claude / ChatGPT export, dir or zip."),
    ],
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    backend: BackendOpt = "local",
    fmt: Annotated[str, typer.Option("--format", help="auto, jsonl, claude or chatgpt.")] = "auto",
    user_key_file: Annotated[
        Path | None,
        typer.Option(help="File holding the user-id HMAC key (else $ECON_INDEX_USER_KEY)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            envvar="ECON_INDEX_THRESHOLD",
            min=0.0,
            max=1.0,
            help="Filter labels below this calibrated confidence (default 0.2).",
        ),
    ] = None,
    model: ModelOpt = None,
    mode: ModeOpt = None,
    state_dir: StateDirOpt = None,
    processes: Annotated[
        int | None,
        typer.Option(
            envvar="ECON_INDEX_PROCESSES",
            min=1,
            max=2,
            help="2: a worker process reads and scrubs while this one classifies and stages "
            "(default when the machine has 2+ cores); 1: all in one process.",
        ),
    ] = None,
    default_created_at: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
            help="UTC timestamp for records that carry none (e.g. the export's date); "
            "without it they are quarantined as missing_created_at.",
        ),
    ] = None,
    max_quarantined: Annotated[
        float,
        typer.Option(
            envvar="ECON_INDEX_MAX_QUARANTINED",
            min=0.0,
            max=1.0,
            help="Exit 1 when more than this share of the records read is quarantined.",
        ),
    ] = 0.5,
    scrubber_choice: Annotated[
        str | None,
        typer.Option(
            "--scrubber",
            envvar="ECON_INDEX_SCRUBBER",
            help="fast or strong. Default: strong for --backend claude (text that leaves the "
            "machine always goes through it), fast for local (text stays in the process).",
        ),
    ] = None,
    partition: Annotated[
        str | None,
        typer.Option(
            "--partition",
            envvar="ECON_INDEX_PARTITION",
            help="Name of the slice of input this run classifies; a run of the same partition "
            "replaces its rows (default: the inputs' absolute paths). Name it when workers on "
            "several machines classify slices to merge (econ-index merge).",
        ),
    ] = None,
    seeds_dir: SeedsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Scrub and label conversations; stage one row per conversation in the warehouse.

    Every record read ends classified, filtered (with a reason) or quarantined (with a reason,
    file and line); the run exits 1 when nothing was read or too much was quarantined. The run
    is one partition: running the same partition again replaces its rows, in one transaction.

    Examples:
      econ-index classify --input export.zip --user-key-file user.key
      econ-index classify -i logs/ --default-created-at 2025-06-01 --json
      econ-index classify -i part-07.jsonl --partition part-07 --warehouse worker-07.duckdb
    """
    import duckdb
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from econ_index.classify import make_classifier
    from econ_index.ingest import InputError, known_record_count, read_inputs
    from econ_index.partitions import check_partition_name, default_partition
    from econ_index.pipeline import DEFAULT_THRESHOLD, Preparer, Run, connect_warehouse
    from econ_index.privacy import Keyer, MissingUserKeyError, load_user_key
    from econ_index.scrub import scrubber_for
    from econ_index.scrub_strong import NerUnavailableError
    from econ_index.taxonomy import TaxonomyError, load_taxonomy
    from econ_index.warehouse import WarehouseError, explain_error

    try:
        scrubber = scrubber_for(backend, scrubber_choice)
        partition = check_partition_name(
            default_partition(inputs) if partition is None else partition
        )
    except (ValueError, NerUnavailableError) as exc:
        _fail(str(exc))
    try:
        keyer = Keyer(load_user_key(user_key_file))
        taxonomy = load_taxonomy(seeds_dir)
        classifier = make_classifier(backend, taxonomy, model=model, mode=mode, state_dir=state_dir)
    except _backend_errors(MissingUserKeyError, TaxonomyError, ValueError) as exc:
        _fail(str(exc))
    run = Run(
        classifier,
        Preparer(scrubber, keyer),
        backend=backend,
        scrubber=scrubber.name,
        onet_version=taxonomy.onet_version,
        threshold=DEFAULT_THRESHOLD if threshold is None else threshold,
        processes=processes or min(2, os.cpu_count() or 1),
        partition=partition,
    )
    show_progress = not as_json and err.is_terminal
    # A bar with the total and time left when the inputs are plain JSON Lines (counted first,
    # ~1 s per GB); otherwise the count so far, a pulsing bar and the time elapsed.
    progress = Progress(
        SpinnerColumn(),
        TextColumn("classifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records read"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not show_progress,
    )
    try:
        total = known_record_count(inputs) if show_progress else None
        with connect_warehouse(warehouse) as con, progress:
            task = progress.add_task("classifying", total=total)
            created = default_created_at and default_created_at.replace(tzinfo=UTC)
            summary = run.execute(
                read_inputs(inputs, fmt, default_created_at=created),
                con,
                on_progress=lambda n: progress.update(task, completed=n),
            )
    except InputError as exc:
        _fail(str(exc))
    except WarehouseError as exc:
        _fail(str(exc), code=1)
    except duckdb.Error as exc:  # staging or the commit failed: the run rolled back
        _fail(f"{explain_error(warehouse, exc)}; nothing of this run was stored", code=1)
    except _backend_errors() as exc:  # nothing was staged: the run rolled back
        _fail(str(exc), code=1)
    if as_json:
        _print_json(summary.as_dict() | summary.partition_dict())
    else:
        _print_run(summary)
        out.print(f"warehouse: {warehouse}")
    names = ", ".join(map(str, inputs))
    if summary.read == 0:
        _fail(f"nothing was read from {names}: no records in the input", code=1)
    if summary.quarantined > max_quarantined * summary.read:
        reasons = ", ".join(f"{r} {n:,}" for r, n in summary.quarantine_reasons.most_common())
        _fail(
            f"{summary.quarantined:,} of {summary.read:,} records of {names} were quarantined "
            f"({reasons}), over the --max-quarantined share {max_quarantined:g}; the run is "
            "recorded, fix the input and run again (rows are replaced, not added)"
            + _QUARANTINE_HINTS.get(summary.quarantine_reasons.most_common(1)[0][0], ""),
            code=1,
        )


# What to do about the commonest reason, when the CLI can say.
_QUARANTINE_HINTS = {
    "missing_created_at": "; records without a timestamp take one from --default-created-at",
    "invalid_json": "; --format names the input's format when detection is wrong",
}


def _print_run(summary: RunSummary) -> None:
    """The run's counts, with the first quarantined records of each reason."""
    table = Table(title=f"classification run {summary.run_id}", show_header=False)
    table.add_row("partition", summary.partition)
    table.add_row("scrubber", summary.scrubber)
    for name in ("read", "classified", "filtered", "quarantined"):
        table.add_row(name, f"{getattr(summary, name):,}")
    for reason, n in sorted(summary.filter_reasons.items()):
        table.add_row(f"  filtered: {reason}", f"{n:,}")
    for reason, n in sorted(summary.quarantine_reasons.items()):
        table.add_row(f"  quarantined: {reason}", f"{n:,}")
    if summary.usage.input_tokens:
        table.add_row(
            "tokens in / cached / out",
            f"{summary.usage.input_tokens:,} / "
            f"{summary.usage.cached_input_tokens:,} / {summary.usage.output_tokens:,}",
        )
        table.add_row("cost (USD)", f"{summary.usage.cost_usd:.4f}")
    if summary.replaced_labels or summary.replaced_quarantined:
        table.add_row(
            "replaced (the partition's previous run)",
            f"{summary.replaced_labels:,} labels, {summary.replaced_quarantined:,} quarantined",
        )
    if summary.taken_over:
        table.add_row("taken over from other partitions", f"{summary.taken_over:,}")
    out.print(table)
    for reason, examples in sorted(summary.quarantine_examples.items()):
        for example in examples:
            out.print(f"  {reason}: {example}", highlight=False, soft_wrap=True)


@app.command()
def merge(
    sources: Annotated[
        list[Path],
        typer.Argument(
            help="Warehouse files that workers' `classify` runs wrote.", show_default=False
        ),
    ],
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    as_json: JsonOpt = False,
) -> None:
    """Merge workers' warehouse files into one warehouse, partition by partition.

    A partition already merged from the same run is skipped, so merging again changes nothing;
    an older run of a partition is replaced, a newer one kept. A conversation id in two
    partitions stays with the run that finished last. All in one transaction.

    Example:
      econ-index merge workers/*.duckdb --warehouse .warehouse/econ_index.duckdb
    """
    import duckdb

    from econ_index.partitions import MergeError, partition_counts
    from econ_index.partitions import merge as do_merge
    from econ_index.warehouse import WarehouseError

    try:
        merged = do_merge(sources, warehouse)
    except MergeError as exc:
        _fail(str(exc))
    except WarehouseError as exc:
        _fail(str(exc), code=1)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        counts = partition_counts(con)
    broken = [c.partition for c in counts if not c.reconciles]
    if as_json:
        _print_json(
            {
                "merged": [m.as_dict() for m in merged],
                "partitions": len(counts),
                "labels": sum(c.label_rows for c in counts),
                "quarantined": sum(c.quarantine_rows for c in counts),
                "reconciles": not broken,
            }
        )
    else:
        table = Table(title=f"merged into {warehouse}")
        for column in ("partition", "action", "labels", "quarantined", "superseded", "source"):
            table.add_column(
                column,
                justify="right" if column in ("labels", "quarantined", "superseded") else "left",
            )
        for m in merged:
            table.add_row(
                m.partition,
                m.action,
                f"{m.labels:,}",
                f"{m.quarantined:,}",
                f"{m.superseded:,}",
                m.source,
            )
        out.print(table)
        out.print(
            f"warehouse: {len(counts):,} partitions, {sum(c.label_rows for c in counts):,} "
            f"labels, {sum(c.quarantine_rows for c in counts):,} quarantined",
            highlight=False,
        )
    if broken:  # a bug, never bad input
        _fail(f"counts do not reconcile with the rows for partitions {', '.join(broken)}", code=1)


# Without a terminal (logs, CI), at most this many progress lines per dbt command.
PROGRESS_LINES = 10


@contextlib.contextmanager
def _dbt_progress(verbose: bool) -> Iterator[ProgressListener]:
    """What to show while dbt runs, node by node: nothing with ``verbose`` (dbt prints its own
    numbered lines), a bar with the node count on a terminal, else ``[done/total]`` lines at
    each tenth of the nodes."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if verbose:
        yield lambda *_: None
        return
    if not err.is_terminal:

        def line(command: str, done: int, total: int, node: str) -> None:
            if done == total or done % max(1, total // PROGRESS_LINES) == 0:
                err.print(
                    f"[{done}/{total}] dbt {command}: {node}", highlight=False, soft_wrap=True
                )

        yield line
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("nodes"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    task = bar.add_task("dbt", total=None)

    def update(command: str, done: int, total: int, node: str) -> None:
        if done == 1:  # the next dbt command: a new bar
            bar.reset(task)
        bar.update(task, completed=done, total=total, description=f"dbt {command}: {node}")

    with bar:
        yield update


@app.command()
def build(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    full_refresh: Annotated[bool, typer.Option(help="Rebuild incremental models.")] = False,
    daily: Annotated[
        bool,
        typer.Option(
            help="The daily run: dbt selector `daily`, whose period models and per-user state "
            "are tested in the units the new labels changed only. README 'Daily runs'.",
        ),
    ] = False,
    freeze: Annotated[
        bool,
        typer.Option(
            "--freeze-closed-periods/--no-freeze-closed-periods",
            envvar="ECON_INDEX_FREEZE_CLOSED_PERIODS",
            help="Record the cells of periods that have closed: later builds publish them as "
            "they are now (README 'Stable over time'). --no-freeze-closed-periods (or "
            "ECON_INDEX_FREEZE_CLOSED_PERIODS=0) records nothing new; periods frozen earlier "
            "stay frozen.",
        ),
    ] = True,
    reopen_changed: Annotated[
        bool,
        typer.Option(
            help="Unfreeze the closed periods whose data changed since they were published "
            "(late or re-labelled conversations) and decide them again.",
        ),
    ] = False,
    verbose: Annotated[bool, typer.Option(help="Show dbt's own log, node by node.")] = False,
    audit_workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Processes for the fresh exact audit that confirms a repair (month parts "
            "eliminated in parallel); 1 audits serially.",
        ),
    ] = 2,
) -> None:
    """Run ``dbt build`` (seeds, models, data tests; the dbt unit tests, which check the SQL
    and not the data, run in `make dbt-checks`) on the warehouse, then hide cells until no
    hidden count follows from the published ones (econ_index.repair); then record the cells of
    periods that have closed so that later builds publish them as they are now (unless
    --no-freeze-closed-periods).

    Examples:
      econ-index build --warehouse .warehouse/econ_index.duckdb
      econ-index build --warehouse .warehouse/econ_index.duckdb --daily
    """
    from econ_index.dbt_runner import DbtError, reporting_progress
    from econ_index.repair import build as safe_build
    from econ_index.span_repair import RepairError
    from econ_index.warehouse import WarehouseError

    try:
        with _dbt_progress(verbose) as listener, reporting_progress(listener):
            plans = safe_build(
                warehouse,
                full_refresh=full_refresh,
                daily=daily,
                freeze=freeze,
                reopen_changed=reopen_changed,
                verbose=verbose,
                report=lambda line: out.print(line, highlight=False),
                audit_workers=audit_workers,
            )
    except (DbtError, RepairError, WarehouseError) as exc:
        _fail(str(exc), code=1)
    for dbt_pass, plan in enumerate(plans, start=1):
        out.print(
            f"repair pass {dbt_pass}: {plan.determined_before:,} hidden cells determined,"
            f" {len(plan.added):,} more hidden and {len(plan.shares):,} shares of them"
            f" ({plan.rounds} rounds)"
            + (f", then {len(plan.released):,} headline cells released" if plan.released else ""),
            highlight=False,
        )


def _k_at_least_two(value: int) -> int:
    if value < 2:
        raise typer.BadParameter(
            f"{value} is below 2: k-anonymity needs k >= 2 (with k = 1 a published cell "
            "could be one person)"
        )
    return value


@app.command()
def publish(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    out_path: Annotated[Path, typer.Option("--out", help="Published DuckDB file.")] = (
        DEFAULT_PUBLISHED
    ),
    k_users: Annotated[
        int,
        typer.Option(callback=_k_at_least_two, help="At least 2; must match the dbt var k_users."),
    ] = 5,
    k_conversations: Annotated[
        int,
        typer.Option(
            callback=_k_at_least_two, help="At least 2; must match the dbt var k_conversations."
        ),
    ] = 15,
    employment: EmploymentOpt = None,
    docs: Annotated[
        bool,
        typer.Option(
            help="Write the dbt docs of the published models (<out stem>_docs.html; dbt runs).",
        ),
    ] = True,
) -> None:
    """Write the k-anonymous published models to a DuckDB file and Parquet, atomically, with
    manifest.json, the AEI long-schema export (CSV, Parquet), the dbt docs page and an HTML
    report beside them.

    Example:
      econ-index publish --warehouse .warehouse/econ_index.duckdb --out build/published/ei.duckdb
    """
    from econ_index.publish import PublishError
    from econ_index.publish import publish as do_publish

    try:
        result = do_publish(
            warehouse, out_path, k_users=k_users, k_conversations=k_conversations, docs=docs
        )
    except PublishError as exc:
        _fail(str(exc), code=1)
    stem = result.duckdb_path.with_suffix("")
    from econ_index.report import ReportExtraMissing

    try:
        report = _write_report(
            result.duckdb_path, stem.with_name(stem.name + "_report.html"), employment
        )
    except ReportExtraMissing as exc:  # the published files are complete without the report
        err.print(f"HTML report skipped: {exc}", highlight=False)
        report = None
    tables = ", ".join(f"{t} ({n:,} rows)" for t, n in result.tables.items())
    out.print(f"tables: {tables}", highlight=False)
    out.print(f"parquet: {result.parquet_dir}", highlight=False)
    aei = " and ".join(str(p) for p in result.aei_export)
    out.print(f"AEI export (long schema): {aei}", highlight=False)
    if result.docs is not None:
        out.print(f"dbt docs: {result.docs}", highlight=False)
    out.print(f"manifest: {result.manifest}", highlight=False)
    if report is not None:
        out.print(f"HTML report: {report.html}", highlight=False)
        out.print(f"charts (PNG): {report.charts[0].parent}", highlight=False)
    # One line of its own, for scripts: the published file's path.
    print(f"published: {result.duckdb_path}")


def _write_report(published: Path, html: Path, employment: Path | None) -> RenderedReport:
    """The HTML report and its PNG charts; a missing report extra (ReportExtraMissing) is left
    to the caller: publish warns, report fails."""
    from econ_index.report import (
        ReportError,
        ReportExtraMissing,
        default_employment_file,
        render_html,
        summarize,
    )

    try:
        return render_html(
            summarize(published, employment or default_employment_file()), published, html
        )
    except ReportExtraMissing:
        raise
    except ReportError as exc:
        _fail(str(exc), code=1)


@app.command()
def report(
    published: Annotated[Path, typer.Option(help="Published DuckDB file.")] = DEFAULT_PUBLISHED,
    html: Annotated[
        Path | None,
        typer.Option("--out", help="HTML file (default: <published>_report.html beside it)."),
    ] = None,
    employment: EmploymentOpt = None,
) -> None:
    """Write the HTML report (charts inlined, no network needed to view it) and its charts as
    PNG files from a published file alone; `publish` does this too.

    Example:
      econ-index report --published build/published/econ_index.duckdb
    """
    if not published.is_file():
        _fail(f"{published} does not exist: run `econ-index publish` first")
    stem = published.with_suffix("")
    from econ_index.report import ReportExtraMissing

    try:
        written = _write_report(
            published, html or stem.with_name(stem.name + "_report.html"), employment
        )
    except ReportExtraMissing as exc:
        _fail(str(exc), code=1)
    out.print(f"charts (PNG): {written.charts[0].parent}", highlight=False)
    print(f"report: {written.html}")


@app.command()
def summary(
    published: Annotated[Path, typer.Option(help="Published DuckDB file.")] = DEFAULT_PUBLISHED,
) -> None:
    """Print the headline figures of a published file: top SOC groups, automation, suppression.

    Example:
      econ-index summary --published build/published/econ_index.duckdb
    """
    from econ_index.report import summarize

    if not published.is_file():
        _fail(f"{published} does not exist: run `econ-index publish` first")
    s = summarize(published)
    table = Table(title="Top SOC major groups (all time, published cells)")
    table.add_column("SOC")
    table.add_column("major group")
    table.add_column("share %", justify="right")
    for share in [m for m in s.majors if m.pct is not None][:5]:
        table.add_row(share.code, share.title, f"{share.pct:.1f}")
    out.print(table)
    headline = s.all_time_automation
    if headline is None:
        out.print("automation: no collaboration cells published")
    elif headline.pct is None or headline.ci_low is None or headline.ci_high is None:
        out.print(f"automation: hidden ({headline.reason})", highlight=False)
    else:
        out.print(
            f"automation {headline.pct:.1f}% (95% {headline.ci_low:.1f}-{headline.ci_high:.1f}) / "
            f"{headline.complement} {100 - headline.pct:.1f}% ({headline.base})"
        )
    out.print(f"suppressed cells: {s.n_suppressed:,} of {s.n_cells:,}")


@app.command()
def audit(
    warehouse: WarehouseOpt = DEFAULT_WAREHOUSE,
    strict: Annotated[
        bool, typer.Option(help="Exit 1 when a hidden count can be computed from the rest.")
    ] = False,
) -> None:
    """Exact linear audit of published.pub_index_cells: which hidden counts follow from the
    published ones when every additive equation is combined (see econ_index.audit).

    Example:
      econ-index audit --warehouse .warehouse/econ_index.duckdb --strict
    """
    import duckdb

    from econ_index.audit import CELLS, DISCLOSURE_CELLS, EQUATIONS, AuditError
    from econ_index.audit import audit as run_audit

    if not warehouse.is_file():
        _fail(f"{warehouse} does not exist: run `econ-index build` first")
    with duckdb.connect() as con:
        con.execute(f"attach '{warehouse}' as audited (read_only)")
        try:
            result = run_audit(
                con,
                f"audited.{CELLS}",
                f"audited.{DISCLOSURE_CELLS}",
                f"audited.{EQUATIONS}",
            )
        except (duckdb.Error, AuditError) as exc:
            _fail(f"{warehouse}: cannot audit ({exc}); run `econ-index build` first")
    table = Table(title="exact linear audit of the published cells", show_header=False)
    table.add_row("hidden cells", f"{result.hidden_cells:,}")
    table.add_row("equations over them", f"{result.equations:,}")
    table.add_row("hidden cells determined by the published ones", f"{len(result.determined):,}")
    out.print(table)
    for key in result.determined[:20]:
        out.print("  determined: " + " | ".join(map(str, key)), highlight=False, soft_wrap=True)
    if strict and result.determined:
        raise typer.Exit(1)


@app.command("aei-v1")
def aei_v1(
    release: Annotated[
        Path, typer.Option(envvar="ONET_SOURCE", help="AEI release directory (aei_2025_02_10).")
    ],
    as_json: JsonOpt = False,
    verbose: Annotated[bool, typer.Option(help="Show dbt's own log, node by node.")] = False,
) -> None:
    """Reproduce the AEI (Feb 2025) figures through the project's own dbt rollups.

    Example:
      econ-index aei-v1 --release ../shared/data/aei_2025_02_10 --json
    """
    from econ_index.aei import aei_v1 as run_aei
    from econ_index.dbt_runner import DbtError, reporting_progress
    from econ_index.onet import OnetSourceError

    try:
        with _dbt_progress(verbose) as listener, reporting_progress(listener):
            figures = run_aei(release, verbose=verbose)
    except (OnetSourceError, DbtError, RuntimeError) as exc:
        _fail(str(exc), code=1)
    if as_json:
        _print_json(figures)
        return
    table = Table(title=f"AEI release {figures['release']} through the dbt rollups")
    table.add_column("figure")
    table.add_column("value", justify="right")
    majors = figures["soc_major_group_pct"]
    assert isinstance(majors, dict)
    for code, pct in majors.items():
        table.add_row(f"SOC {code}-0000 share of usage (%)", f"{pct:.1f}")
    for key in (
        "automation_pct",
        "augmentation_pct",
        "occupation_share_ge_25pct_tasks",
        "occupation_share_ge_75pct_tasks",
    ):
        table.add_row(key, f"{figures[key]}")
    out.print(table)


if __name__ == "__main__":
    app()
