"""Read → scrub → classify → stage: one run of the classifier over some inputs.

Every conversation read ends in exactly one bucket — classified, filtered (with a reason) or
quarantined (with a reason and its file and record) — and the run's counts reconcile:
``read == classified + filtered + quarantined``. Only labels and keys reach the warehouse.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import duckdb
import pyarrow as pa

from econ_index.classify.base import Classifier
from econ_index.partitions import add_superseded, check_partition_name, forget_partition, holders
from econ_index.privacy import Keyer
from econ_index.scrub import Scrubber
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    FilterReason,
    Label,
    Message,
    Pattern,
    Quarantined,
    ScrubbedConversation,
    SourceLocation,
    Status,
    Usage,
)
from econ_index.warehouse import DDL, RAW_SCHEMA, WarehouseError, explain_error

DEFAULT_THRESHOLD = 0.2
DEFAULT_BATCH = 1000
PROGRESS_EVERY = 50  # records read between two progress reports
# With two processes: conversations per message from the reading/scrubbing worker, and messages
# waiting in the pipe (bounds memory: the worker blocks when the classifier falls behind).
PREPARE_CHUNK = 250
PREPARE_AHEAD = 8
# How often a worker waiting to send checks that the run's process is still there.
PARENT_CHECK_SECONDS = 1.0
# Quarantined records named per reason (file and line or record) in a run's summary.
QUARANTINE_EXAMPLES = 3


@dataclass
class RunSummary:
    run_id: str
    backend: str
    classifier_name: str
    classifier_version: str
    onet_version: str
    started_at: datetime
    scrubber: str = "fast"
    # The partition the run classifies (econ_index.partitions); the run's id when unnamed.
    partition: str = ""
    finished_at: datetime | None = None
    read: int = 0
    classified: int = 0
    filtered: int = 0
    quarantined: int = 0
    filter_reasons: Counter[str] = field(default_factory=Counter)
    quarantine_reasons: Counter[str] = field(default_factory=Counter)
    # The first few quarantined records of each reason: "file:line N: detail" (never record text).
    quarantine_examples: dict[str, list[str]] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    # Rows of the partition's previous run that this one replaced (labels, quarantined records).
    replaced_labels: int = 0
    replaced_quarantined: int = 0
    # Conversations that other partitions' runs held and that this run took over.
    taken_over: int = 0

    @property
    def reconciles(self) -> bool:
        return self.read == self.classified + self.filtered + self.quarantined

    def as_dict(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "read": self.read,
            "classified": self.classified,
            "filtered": self.filtered,
            "quarantined": self.quarantined,
            "filter_reasons": dict(self.filter_reasons),
            "quarantine_reasons": dict(self.quarantine_reasons),
            "quarantine_examples": self.quarantine_examples,
            "backend": self.backend,
            "classifier": f"{self.classifier_name} {self.classifier_version}",
            "onet_version": self.onet_version,
            "scrubber": self.scrubber,
            "input_tokens": self.usage.input_tokens,
            "cached_input_tokens": self.usage.cached_input_tokens,
            "output_tokens": self.usage.output_tokens,
            "cost_usd": round(self.usage.cost_usd, 6),
        }

    def partition_dict(self) -> dict[str, object]:
        """What the run did to its partition in the warehouse (econ_index.partitions)."""
        return {
            "partition": self.partition,
            "replaced_labels": self.replaced_labels,
            "replaced_quarantined": self.replaced_quarantined,
            "taken_over": self.taken_over,
        }


@dataclass(frozen=True, slots=True)
class _Pending:
    """A scrubbed conversation waiting for its batch, with where it came from."""

    conversation: ScrubbedConversation
    location: SourceLocation


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A conversation after the privacy wall: what the rest of a run needs of it, no raw text."""

    conversation: ScrubbedConversation
    location: SourceLocation
    has_user_turn: bool


def _prepared(
    records: Iterable[Conversation | Quarantined],
    prepare: Callable[[Conversation], ScrubbedConversation],
) -> Iterator[Quarantined | _Prepared]:
    for record in records:
        if isinstance(record, Quarantined):
            yield record
        else:
            has_user = any(m.role == "user" for m in record.messages)
            yield _Prepared(prepare(record), record.location, has_user)


def _send(out: multiprocessing.Queue, message: object, parent: int) -> None:  # type: ignore[type-arg]
    """Put ``message`` on the queue, or end this worker when the run's process is gone.

    A parent killed outright (SIGKILL, OOM killer) closes nothing: a plain blocking put would
    wait for a reader forever and leave an orphan behind, so the wait is in steps that check
    who the parent is (an orphan is re-parented).
    """
    while True:
        try:
            out.put(message, timeout=PARENT_CHECK_SECONDS)
            return
        except queue.Full:
            if os.getppid() != parent:
                os._exit(1)  # no one will read: skip the queue's flush at exit, which would block


def _produce(
    records: Iterable[Conversation | Quarantined],
    prepare: Callable[[Conversation], ScrubbedConversation],
    out: multiprocessing.Queue,  # type: ignore[type-arg]
    parent: int,
) -> None:
    """The worker process: read and scrub, send chunks in input order, then "done" or the error."""
    try:
        items = _prepared(records, prepare)
        while chunk := list(islice(items, PREPARE_CHUNK)):
            _send(out, ("chunk", chunk), parent)
        _send(out, ("done", None), parent)
    except BaseException as exc:  # noqa: BLE001 - every failure is handed to the parent
        try:
            _send(out, ("error", exc), parent)
        except Exception:  # noqa: BLE001 - an unpicklable error: send its description
            _send(out, ("error", RuntimeError(f"{type(exc).__name__}: {exc}")), parent)


def _prepared_in_worker(
    records: Iterable[Conversation | Quarantined],
    prepare: Callable[[Conversation], ScrubbedConversation],
) -> Iterator[Quarantined | _Prepared]:
    """As :func:`_prepared`, with reading and scrubbing in a forked process.

    The worker inherits the inputs and the privacy wall (scrubber and user key) by fork, so the
    key never crosses a pipe; only scrubbed conversations come back. The parent must not touch
    ``records``.
    """
    context = multiprocessing.get_context("fork")
    out = context.Queue(maxsize=PREPARE_AHEAD)
    worker = context.Process(
        target=_produce,
        args=(records, prepare, out, os.getpid()),
        name="econ-index-scrub",
        daemon=True,
    )
    worker.start()
    try:
        while True:
            try:
                kind, payload = out.get(timeout=1.0)
            except queue.Empty:
                if not worker.is_alive():
                    raise RuntimeError(
                        f"the scrubbing worker died (exit code {worker.exitcode})"
                    ) from None
                continue
            if kind == "error":
                raise payload
            if kind == "done":
                break
            yield from payload
        worker.join()
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join()
        out.close()
        out.cancel_join_thread()


def parallel_prepare_available() -> bool:
    """Two-process runs need fork (Linux); elsewhere a run reads and scrubs in-process."""
    return "fork" in multiprocessing.get_all_start_methods()


@dataclass(frozen=True, slots=True)
class _Outcome:
    key: str
    user_key: str
    created_at: datetime
    status: Status
    filter_reason: str | None
    label: Label
    is_redacted: bool


_NO_LABEL = Label(onet_task_id=None, pattern=Pattern.NONE, confidence=0.0, is_work=False)


class Preparer:
    """The privacy wall: keys and scrubbed messages, before any classifier sees a conversation."""

    def __init__(self, scrubber: Scrubber, keyer: Keyer) -> None:
        self._scrubber = scrubber
        self._keyer = keyer

    def __call__(self, conversation: Conversation) -> ScrubbedConversation:
        counts: Counter[str] = Counter()
        messages = []
        for message in conversation.messages:
            result = self._scrubber.scrub(message.content)
            counts.update(result.counts)
            messages.append(Message(message.role, result.text))
        return ScrubbedConversation(
            key=self._keyer.conversation_key(conversation),
            user_key=self._keyer.user_key(conversation),
            created_at=conversation.created_at,
            messages=tuple(messages),
            is_redacted=bool(counts),
            redaction_counts=dict(counts),
        )


def _user_text_empty(conversation: ScrubbedConversation) -> bool:
    return not any(m.content.strip() for m in conversation.messages if m.role == "user")


def _batches(items: Iterable[_Pending], size: int) -> Iterator[list[_Pending]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# The batches of a run that meet keys other runs hold, until the run's end (a temporary table).
_SET_ASIDE = "_econ_index_taken_over"


class _Stager:
    """Buffers outcomes and writes them to the raw tables in Arrow batches, inside the run's
    transaction: first the partition's previous run goes, then each batch replaces the rows of
    its keys. Keys that other partitions' runs held are taken over and counted (see
    econ_index.partitions) at the end, in one pass over the labels: a batch that meets such keys
    is set aside in a temporary table, so that a run over ids no other run holds (the usual
    case) never scans the warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
        self._con = con
        self._summary = summary
        self._labels: dict[str, _Outcome] = {}
        self._quarantine: list[tuple[Quarantined, datetime]] = []
        self._losses: Counter[str] = Counter()  # run id -> its keys this run took over
        self._set_aside = False
        forgotten = forget_partition(con, summary.partition)
        summary.replaced_labels = forgotten.labels
        summary.replaced_quarantined = forgotten.quarantined
        # Only a warehouse that holds other labels can have keys to take over: a fresh file (a
        # worker's own) skips the look-up per batch.
        row = con.execute(f"select count(*) from {RAW_SCHEMA}.conversation_labels").fetchone()
        self._others = bool(row and row[0])

    def label(self, outcome: _Outcome) -> None:
        self._labels[outcome.key] = outcome  # an exact re-read of the same id replaces, not adds
        if len(self._labels) >= DEFAULT_BATCH:
            self.flush()

    def quarantine(self, item: Quarantined) -> None:
        self._quarantine.append((item, datetime.now(UTC).replace(tzinfo=None)))

    def flush(self) -> None:
        s = self._summary
        if self._labels:
            rows = list(self._labels.values())
            now = datetime.now(UTC).replace(tzinfo=None)
            table = pa.table(
                {
                    "conversation_key": [r.key for r in rows],
                    "user_key": [r.user_key for r in rows],
                    "created_at": pa.array(
                        [r.created_at.astimezone(UTC).replace(tzinfo=None) for r in rows],
                        pa.timestamp("us"),
                    ),
                    "status": [r.status.value for r in rows],
                    "filter_reason": [r.filter_reason for r in rows],
                    "onet_task_id": [r.label.onet_task_id for r in rows],
                    "collaboration_pattern": [r.label.pattern.value for r in rows],
                    "confidence": [float(r.label.confidence) for r in rows],
                    "is_redacted": [r.is_redacted for r in rows],
                    "classifier_name": [s.classifier_name] * len(rows),
                    "classifier_version": [s.classifier_version] * len(rows),
                    "onet_version": [s.onet_version] * len(rows),
                    "run_id": [s.run_id] * len(rows),
                    "loaded_at": pa.array([now] * len(rows), pa.timestamp("us")),
                }
            )
            self._con.register("_label_batch", table)
            if not self._others:
                self._con.execute(
                    f"insert or replace into {RAW_SCHEMA}.conversation_labels by name "
                    "select * from _label_batch"
                )
            else:
                inserted = self._con.execute(
                    f"insert or ignore into {RAW_SCHEMA}.conversation_labels by name "
                    "select * from _label_batch"
                ).fetchone()
                if inserted is None or inserted[0] < len(rows):  # some keys are held already
                    if not self._set_aside:
                        self._con.execute(
                            f"create or replace temp table {_SET_ASIDE} as "
                            "select * from _label_batch limit 0"
                        )
                        self._set_aside = True
                    self._con.execute(f"insert into {_SET_ASIDE} select * from _label_batch")
            self._con.unregister("_label_batch")
            self._labels.clear()
        if self._quarantine:
            self._con.executemany(
                f"insert into {RAW_SCHEMA}.quarantine (run_id, source_file, record_unit, "
                "record_number, reason, quarantined_at) values (?, ?, ?, ?, ?, ?)",
                [
                    (s.run_id, q.location.file, q.location.unit, q.location.record, q.reason, at)
                    for q, at in self._quarantine
                ],
            )
            self._quarantine.clear()

    def finish(self) -> None:
        self.flush()
        s = self._summary
        u = s.usage
        if self._set_aside:
            self._losses = holders(self._con, _SET_ASIDE, s.run_id)
            self._con.execute(
                f"insert or replace into {RAW_SCHEMA}.conversation_labels by name "
                f"select * from {_SET_ASIDE}"
            )
            self._con.execute(f"drop table {_SET_ASIDE}")
        add_superseded(self._con, self._losses)
        s.taken_over = sum(self._losses.values())
        self._con.execute(
            f"insert into {RAW_SCHEMA}.classification_runs (run_id, started_at, finished_at, "
            "backend, classifier_name, classifier_version, onet_version, n_read, n_classified, "
            "n_filtered, n_quarantined, input_tokens, cached_input_tokens, cache_write_tokens, "
            "output_tokens, cost_usd, scrubber, partition_name, n_superseded) values "
            "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [
                s.run_id,
                s.started_at.replace(tzinfo=None),
                (s.finished_at or datetime.now(UTC)).replace(tzinfo=None),
                s.backend,
                s.classifier_name,
                s.classifier_version,
                s.onet_version,
                s.read,
                s.classified,
                s.filtered,
                s.quarantined,
                u.input_tokens,
                u.cached_input_tokens,
                u.cache_write_tokens,
                u.output_tokens,
                u.cost_usd,
                s.scrubber,
                s.partition,
            ],
        )


def connect_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    """A write connection to the warehouse, its raw tables ensured; :class:`WarehouseError`
    when the file cannot be created, opened or written (locked, read-only, disk full)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path))
    except (OSError, duckdb.Error) as exc:
        raise WarehouseError(explain_error(path, exc)) from None
    try:
        # DuckDB draws a progress bar on stdout for statements over 2 s (a large run's last
        # writes): it would corrupt `classify --json`
        con.execute("set enable_progress_bar = false")
        con.execute(DDL)
    except duckdb.Error as exc:
        con.close()
        raise WarehouseError(explain_error(path, exc)) from None
    return con


class Run:
    """One classification run; ``execute`` consumes the inputs and returns the reconciled counts."""

    def __init__(
        self,
        classifier: Classifier,
        prepare: Callable[[Conversation], ScrubbedConversation],
        *,
        backend: str,
        onet_version: str,
        threshold: float = DEFAULT_THRESHOLD,
        batch_size: int = DEFAULT_BATCH,
        processes: int = 1,
        scrubber: str = "fast",
        partition: str | None = None,
    ) -> None:
        """``processes=2`` reads and scrubs in a forked worker while this process classifies
        and stages; the result is the same as with one process (order included).

        ``partition`` names what the run classifies: the run replaces that partition's previous
        run and rows (econ_index.partitions). Without one, the run is a partition of its own."""
        if processes not in (1, 2):
            raise ValueError("processes must be 1 or 2")
        self._classifier = classifier
        self._prepare = prepare
        self._threshold = threshold
        self._batch_size = batch_size
        self._processes = processes if parallel_prepare_available() else 1
        self.summary = RunSummary(
            run_id=uuid.uuid4().hex,
            backend=backend,
            classifier_name=classifier.name,
            classifier_version=classifier.version,
            onet_version=onet_version,
            started_at=datetime.now(UTC),
            scrubber=scrubber,
        )
        self.summary.partition = (
            self.summary.run_id if partition is None else check_partition_name(partition)
        )

    def execute(
        self,
        records: Iterable[Conversation | Quarantined],
        con: duckdb.DuckDBPyConnection,
        on_progress: Callable[[int], None] | None = None,
    ) -> RunSummary:
        con.execute("begin transaction")
        try:
            stager = _Stager(con, self.summary)
            pending = self._screen(records, stager, on_progress)
            for batch in _batches(pending, self._batch_size):
                self._label_batch(batch, stager)
                if on_progress:
                    on_progress(self.summary.read)
            self.summary.usage = self._classifier.usage
            self.summary.finished_at = datetime.now(UTC)
            if not self.summary.reconciles:  # a bug, never bad input: fail loudly, write nothing
                raise AssertionError(f"run counts do not reconcile: {self.summary.as_dict()}")
            stager.finish()
            con.execute("commit")
        except BaseException:
            try:
                con.execute("rollback")
            except duckdb.Error:
                pass  # a failed commit has ended the transaction already; keep the first error
            raise
        return self.summary

    def _filter(
        self,
        stager: _Stager,
        sc: ScrubbedConversation,
        reason: FilterReason,
        label: Label = _NO_LABEL,
    ) -> None:
        self.summary.filtered += 1
        self.summary.filter_reasons[reason.value] += 1
        stager.label(
            _Outcome(
                sc.key,
                sc.user_key,
                sc.created_at,
                Status.FILTERED,
                reason.value,
                label,
                sc.is_redacted,
            )
        )

    def _quarantine(self, stager: _Stager, item: Quarantined) -> None:
        self.summary.quarantined += 1
        reason = item.reason.split(":", 1)[0]
        self.summary.quarantine_reasons[reason] += 1
        examples = self.summary.quarantine_examples.setdefault(reason, [])
        if len(examples) < QUARANTINE_EXAMPLES:
            examples.append(
                f"{item.location}: {item.detail}" if item.detail else str(item.location)
            )
        stager.quarantine(item)

    def _screen(
        self,
        records: Iterable[Conversation | Quarantined],
        stager: _Stager,
        on_progress: Callable[[int], None] | None = None,
    ) -> Iterator[_Pending]:
        """Quarantines unreadable records and filters what no classifier needs to see."""
        prepared = _prepared_in_worker if self._processes == 2 else _prepared
        for item in prepared(records, self._prepare):
            self.summary.read += 1
            if on_progress and self.summary.read % PROGRESS_EVERY == 0:
                on_progress(self.summary.read)  # reading and scrubbing, between batches
            if isinstance(item, Quarantined):
                self._quarantine(stager, item)
                continue
            scrubbed = item.conversation
            if not item.has_user_turn:
                self._filter(stager, scrubbed, FilterReason.NO_USER_TURN)
            elif _user_text_empty(scrubbed):
                self._filter(stager, scrubbed, FilterReason.EMPTY_AFTER_SCRUBBING)
            else:
                yield _Pending(scrubbed, item.location)

    def _label_batch(self, batch: Sequence[_Pending], stager: _Stager) -> None:
        results = self._classifier.classify([p.conversation for p in batch])
        if len(results) != len(batch):
            raise AssertionError(
                f"{self._classifier.name} returned {len(results)} results for {len(batch)} inputs"
            )
        for pending, result in zip(batch, results, strict=True):
            sc = pending.conversation
            if isinstance(result, ClassifierFailure):
                self._quarantine(stager, Quarantined(pending.location, result.reason))
            elif not result.is_work or result.onet_task_id is None:
                self._filter(stager, sc, FilterReason.NOT_WORK_RELATED, result)
            elif result.confidence < self._threshold:
                self._filter(stager, sc, FilterReason.BELOW_CONFIDENCE, result)
            else:
                self.summary.classified += 1
                stager.label(
                    _Outcome(
                        sc.key,
                        sc.user_key,
                        sc.created_at,
                        Status.CLASSIFIED,
                        None,
                        result,
                        sc.is_redacted,
                    )
                )
