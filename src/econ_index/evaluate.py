"""Evaluate a classifier on a labelled set: a real one read from a gold file, or a generated one.

A gold file (``evaluate --gold``) is JSON Lines: each record is a conversation in the input format
`classify` reads plus a ``gold`` object (``is_work``, ``task_id``, ``acceptable_task_ids``,
``pattern``, ``language``, ``split``); the project's real labelled set is rebuilt into one by
``evaluation/realset/rebuild.py``. The generated set (:mod:`econ_index.generate`) uses its own seed,
so a classifier tuned on the demo corpus is not scored on the same conversations; its figures are
an upper bound, since the generator's text is far friendlier than real traffic.

Metrics follow the questions the index answers: is the task right (the gold task, the same
statement, or one the raters also accept), its occupation or its SOC major group; is the
collaboration pattern right; does the work screen agree; how far is the published SOC major-group
distribution from the true one; and would a shortlist hold an acceptable task.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

from econ_index.classify.base import Classifier
from econ_index.generate import GoldLabel, generate_corpus
from econ_index.ingest import jsonl
from econ_index.ingest.errors import Reject
from econ_index.onet import statement_key
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    Label,
    Pattern,
    ScrubbedConversation,
    SourceLocation,
)

_FAILURE = "failure"  # the pattern a failed classification is scored as
SHORTLIST_KS = (1, 5, 20)
SPLITS = ("train", "dev", "test")


class GoldFileError(ValueError):
    """A gold file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Gold:
    """The truth for one conversation: ``onet_task_id`` None means not work.

    ``acceptable`` holds every task id the raters accept (the gold id included); a predicted task
    with the same statement as one of them is right too.
    """

    onet_task_id: str | None
    pattern: Pattern
    acceptable: frozenset[str] = frozenset()
    language: str = "en"
    split: str = ""

    @classmethod
    def of(cls, gold: Gold | GoldLabel) -> Gold:
        if isinstance(gold, Gold):
            return gold
        ids = frozenset({gold.onet_task_id}) if gold.onet_task_id else frozenset()
        return cls(gold.onet_task_id, gold.pattern, ids)


class Shortlister(Protocol):
    def __call__(
        self, conversations: Sequence[ScrubbedConversation], k: int = 20
    ) -> list[list[tuple[Task, float]]]: ...


@dataclass(frozen=True)
class SliceScores:
    """The headline rates on one slice of the labelled set (e.g. one language)."""

    n: int
    n_work: int
    screen_agreement: float
    task_acceptable: float
    soc_major_group_accuracy: float
    pattern_accuracy: float


@dataclass(frozen=True)
class ReliabilityBin:
    """Conversations whose confidence fell in [lower, upper) (the last bin includes 1.0)."""

    lower: float
    upper: float
    n: int
    mean_confidence: float
    accuracy: float


@dataclass(frozen=True)
class EvalReport:
    """Scores of one classifier on one labelled set; every rate is a fraction in 0..1."""

    task_top1_accuracy: float  # over work conversations; an identical statement counts as right
    occupation_accuracy: float  # predicted task's occupation is the gold task's occupation
    soc_major_group_accuracy: float
    pattern_accuracy: float  # over all conversations, "none" included
    pattern_kappa: float  # Cohen's kappa of the pattern labels
    none_precision: float  # "none" = not work related / no task
    none_recall: float
    soc_major_group_tvd: float  # total variation distance, true vs. reconstructed distribution
    expected_calibration_error: float
    n_conversations: int
    n_work: int
    n_failures: int
    pattern_recall: dict[str, float]
    reliability: tuple[ReliabilityBin, ...]
    # Whether the screen's work / not-work call matches the gold one, and its precision and
    # recall of work.
    screen_agreement: float = 0.0
    screen_precision: float = 0.0
    screen_recall: float = 0.0
    # Over gold work conversations: the predicted task is one the raters accept.
    task_acceptable: float = 0.0
    pattern_accuracy_work: float = 0.0  # pattern accuracy over gold work conversations
    # Share of gold work conversations whose shortlist's top k holds an acceptable task (None
    # when the classifier has no shortlist).
    shortlist_recall_at_1: float | None = None
    shortlist_recall_at_5: float | None = None
    shortlist_recall_at_20: float | None = None
    by_language: dict[str, SliceScores] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def reliability_table(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width confidence bins with their mean confidence and accuracy; empty bins left out."""
    if len(confidences) != len(correct):
        raise ValueError("confidences and correct differ in length")
    conf = np.clip(np.asarray(confidences, dtype=float), 0.0, 1.0)
    hits = np.asarray(correct, dtype=bool)
    index = np.minimum((conf * bins).astype(int), bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        n = int(mask.sum())
        if n:
            table.append(
                ReliabilityBin(
                    lower=b / bins,
                    upper=(b + 1) / bins,
                    n=n,
                    mean_confidence=float(conf[mask].mean()),
                    accuracy=float(hits[mask].mean()),
                )
            )
    return table


def expected_calibration_error(table: Sequence[ReliabilityBin]) -> float:
    total = sum(b.n for b in table)
    if not total:
        return 0.0
    return sum(b.n * abs(b.accuracy - b.mean_confidence) for b in table) / total


def _predicted_task(pred: Label | ClassifierFailure, taxonomy: Taxonomy) -> Task | None:
    if isinstance(pred, ClassifierFailure) or not pred.is_work or pred.onet_task_id is None:
        return None
    return taxonomy.by_id.get(pred.onet_task_id)


def _is_none(pred: Label | ClassifierFailure) -> bool:
    return isinstance(pred, Label) and (not pred.is_work or pred.onet_task_id is None)


def _tvd(true: Counter[str], predicted: Counter[str]) -> float:
    t_total, p_total = sum(true.values()), sum(predicted.values())
    if not t_total or not p_total:
        return 1.0 if t_total != p_total else 0.0
    groups = true.keys() | predicted.keys()
    return 0.5 * sum(abs(true[g] / t_total - predicted[g] / p_total) for g in groups)


def _rate(hits: Sequence[bool]) -> float:
    return float(np.mean(hits)) if len(hits) else 0.0


@dataclass
class _Judged:
    """Per-conversation verdicts that every slice of the report is computed from."""

    gold_work: list[bool] = field(default_factory=list)
    pred_work: list[bool] = field(default_factory=list)
    acceptable: list[bool] = field(default_factory=list)  # per gold work conversation
    strict: list[bool] = field(default_factory=list)
    occupation: list[bool] = field(default_factory=list)
    major: list[bool] = field(default_factory=list)
    pattern: list[bool] = field(default_factory=list)
    pattern_work: list[bool] = field(default_factory=list)


def score(
    golds: Sequence[Gold | GoldLabel],
    predictions: Sequence[Label | ClassifierFailure],
    taxonomy: Taxonomy,
    *,
    bins: int = 10,
    shortlists: Sequence[Sequence[str]] | None = None,
) -> EvalReport:
    """Compare predictions with gold labels, position by position.

    A failure counts as wrong everywhere (and as the pattern ``failure``). A predicted task is
    *acceptable* when its statement is that of the gold task or of a task the raters also accept
    (a statement shared by several occupations cannot be told apart by its text); occupation and
    major group are right when they are those of an acceptable task. ``task_top1_accuracy`` takes
    the gold task alone. The reconstructed distribution is taken over every conversation given a
    task, as the published index would be. ``shortlists`` (task ids, best first, per
    conversation) give the recall of an acceptable task among the top 1, 5 and 20.
    """
    if len(golds) != len(predictions):
        raise ValueError("golds and predictions differ in length")
    if shortlists is not None and len(shortlists) != len(golds):
        raise ValueError("golds and shortlists differ in length")
    truths = [Gold.of(g) for g in golds]
    by_id = taxonomy.by_id
    overall = _Judged()
    by_language: dict[str, _Judged] = {}
    true_majors: Counter[str] = Counter()
    predicted_majors: Counter[str] = Counter()
    confidences: list[float] = []
    correct: list[bool] = []
    recall_hits: dict[int, list[bool]] = {k: [] for k in SHORTLIST_KS}
    gold_patterns = [g.pattern.value for g in truths]
    pred_patterns = [p.pattern.value if isinstance(p, Label) else _FAILURE for p in predictions]
    for i, (gold, pred) in enumerate(zip(truths, predictions, strict=True)):
        judged = [overall, by_language.setdefault(gold.language, _Judged())]
        task = _predicted_task(pred, taxonomy)
        if task is not None:
            predicted_majors[task.major_soc_code] += 1
        pattern_hit = gold_patterns[i] == pred_patterns[i]
        gold_work = gold.onet_task_id is not None
        for j in judged:
            j.gold_work.append(gold_work)
            j.pred_work.append(not _is_none(pred))
            j.pattern.append(pattern_hit)
        hit = False
        if gold.onet_task_id is not None:
            truth = by_id[gold.onet_task_id]
            accepted = [by_id[t] for t in gold.acceptable | {truth.task_id} if t in by_id]
            keys = {statement_key(t.statement) for t in accepted}
            true_majors[truth.major_soc_code] += 1
            hit = task is not None and statement_key(task.statement) in keys
            strict = task is not None and statement_key(task.statement) == statement_key(
                truth.statement
            )
            occ = hit or (
                task is not None and task.onet_soc_code in {t.onet_soc_code for t in accepted}
            )
            major = occ or (
                task is not None and task.major_soc_code in {t.major_soc_code for t in accepted}
            )
            for j in judged:
                j.acceptable.append(hit)
                j.strict.append(strict)
                j.occupation.append(occ)
                j.major.append(major)
                j.pattern_work.append(pattern_hit)
            if shortlists is not None:
                ranked = [statement_key(by_id[t].statement) for t in shortlists[i] if t in by_id]
                for k in SHORTLIST_KS:
                    recall_hits[k].append(bool(keys.intersection(ranked[:k])))
        else:
            hit = _is_none(pred)
        if isinstance(pred, Label):
            confidences.append(pred.confidence)
            correct.append(hit)
    kappa = float(cohen_kappa_score(gold_patterns, pred_patterns)) if truths else 0.0
    if math.isnan(kappa):  # a single label on both sides: kappa is undefined, agreement is not
        kappa = 1.0 if all(overall.pattern) else 0.0
    gold_none = [not w for w in overall.gold_work]
    pred_none = [not w for w in overall.pred_work]
    hits_by_pattern: dict[str, list[bool]] = {}
    for g, a in zip(gold_patterns, overall.pattern, strict=True):
        hits_by_pattern.setdefault(g, []).append(a)
    table = reliability_table(confidences, correct, bins)
    recall = {k: _rate(h) if shortlists is not None else None for k, h in recall_hits.items()}
    return EvalReport(
        task_top1_accuracy=_rate(overall.strict),
        occupation_accuracy=_rate(overall.occupation),
        soc_major_group_accuracy=_rate(overall.major),
        pattern_accuracy=_rate(overall.pattern),
        pattern_kappa=kappa,
        none_precision=float(precision_score(gold_none, pred_none, zero_division=0.0)),
        none_recall=float(recall_score(gold_none, pred_none, zero_division=0.0)),
        soc_major_group_tvd=_tvd(true_majors, predicted_majors),
        expected_calibration_error=expected_calibration_error(table),
        n_conversations=len(truths),
        n_work=len(overall.acceptable),
        n_failures=sum(isinstance(p, ClassifierFailure) for p in predictions),
        pattern_recall={p: _rate(h) for p, h in sorted(hits_by_pattern.items())},
        reliability=tuple(table),
        screen_agreement=_agreement(overall),
        screen_precision=float(
            precision_score(overall.gold_work, overall.pred_work, zero_division=0.0)
        ),
        screen_recall=float(recall_score(overall.gold_work, overall.pred_work, zero_division=0.0)),
        task_acceptable=_rate(overall.acceptable),
        pattern_accuracy_work=_rate(overall.pattern_work),
        shortlist_recall_at_1=recall[1],
        shortlist_recall_at_5=recall[5],
        shortlist_recall_at_20=recall[20],
        by_language={
            lang: SliceScores(
                n=len(j.gold_work),
                n_work=len(j.acceptable),
                screen_agreement=_agreement(j),
                task_acceptable=_rate(j.acceptable),
                soc_major_group_accuracy=_rate(j.major),
                pattern_accuracy=_rate(j.pattern),
            )
            for lang, j in sorted(by_language.items(), key=lambda kv: -len(kv[1].gold_work))
        },
    )


def _agreement(judged: _Judged) -> float:
    return _rate([g == p for g, p in zip(judged.gold_work, judged.pred_work, strict=True)])


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def unscrubbed(conversation: Conversation) -> ScrubbedConversation:
    """Pass a conversation to a classifier as is, with plain hashes as keys (no privacy wall)."""
    return ScrubbedConversation(
        key=_sha256(conversation.source_id),
        user_key=_sha256(conversation.user_id or ""),
        created_at=conversation.created_at,
        messages=conversation.messages,
        is_redacted=False,
    )


def _classify_all(
    classifier: Classifier,
    conversations: Sequence[Conversation],
    prepare: Callable[[Conversation], ScrubbedConversation],
    batch_size: int,
    shortlister: Shortlister | None,
) -> tuple[list[Label | ClassifierFailure], list[list[str]] | None]:
    """Labels (and shortlists' task ids, when asked) in batches, as the pipeline classifies."""
    predictions: list[Label | ClassifierFailure] = []
    shortlists: list[list[str]] | None = [] if shortlister is not None else None
    for start in range(0, len(conversations), batch_size):
        batch = [prepare(c) for c in conversations[start : start + batch_size]]
        results = classifier.classify(batch)
        if len(results) != len(batch):
            raise ValueError(
                f"classifier {classifier.name} returned {len(results)} results for "
                f"{len(batch)} conversations"
            )
        predictions.extend(results)
        if shortlister is not None and shortlists is not None:
            k = max(SHORTLIST_KS)
            shortlists.extend([t.task_id for t, _ in row] for row in shortlister(batch, k))
    return predictions, shortlists


def evaluate(
    classifier: Classifier,
    taxonomy: Taxonomy,
    n: int = 2000,
    seed: int = 11,
    prepare: Callable[[Conversation], ScrubbedConversation] | None = None,
    *,
    batch_size: int = 100,
    shortlister: Shortlister | None = None,
) -> EvalReport:
    """Generate ``n`` labelled conversations, classify them in batches and score the labels.

    ``prepare`` turns a conversation into what the classifier sees; the pipeline passes its
    scrubber and keying, the default hands the text over unscrubbed.
    """
    golds: list[GoldLabel] = []
    conversations: list[Conversation] = []
    for index, (record, gold) in enumerate(generate_corpus(taxonomy, n, seed)):
        golds.append(gold)
        # Read as the pipeline reads a JSONL corpus, so both see the same Conversation.
        location = SourceLocation(file="<evaluation set>", record=index + 1)
        conversations.append(jsonl.parse(record, location, None))
    predictions, shortlists = _classify_all(
        classifier, conversations, prepare or unscrubbed, batch_size, shortlister
    )
    return score(golds, predictions, taxonomy, shortlists=shortlists)


def _gold_of(obj: dict[str, Any], taxonomy: Taxonomy, where: str) -> Gold:
    """The ``gold`` object of one record, checked against the taxonomy."""
    try:
        is_work = obj["is_work"]
        task_id = obj.get("task_id")
        pattern = Pattern(obj.get("pattern", "none"))
        acceptable = [str(t) for t in obj.get("acceptable_task_ids") or []]
    except KeyError as exc:
        raise GoldFileError(f"{where}: gold has no {exc.args[0]!r}") from None
    except ValueError:
        raise GoldFileError(f"{where}: unknown pattern {obj.get('pattern')!r}") from None
    if not isinstance(is_work, bool):
        raise GoldFileError(f"{where}: gold.is_work must be true or false")
    if is_work != (task_id is not None):
        raise GoldFileError(f"{where}: a work conversation needs a task_id, and only one does")
    unknown = [t for t in [task_id, *acceptable] if t is not None and t not in taxonomy.by_id]
    if unknown:
        raise GoldFileError(
            f"{where}: task id {unknown[0]} is not in the taxonomy ({taxonomy.onet_version})"
        )
    split = obj.get("split", "")
    if split and split not in SPLITS:
        raise GoldFileError(f"{where}: split {split!r} is not one of {', '.join(SPLITS)}")
    return Gold(
        onet_task_id=None if task_id is None else str(task_id),
        pattern=pattern,
        acceptable=frozenset(acceptable),
        language=str(obj.get("language") or "und"),
        split=split,
    )


def read_gold(
    path: Path, taxonomy: Taxonomy, split: str | None = None
) -> Iterator[tuple[Conversation, Gold]]:
    """The labelled conversations of a gold file, optionally of one split.

    Every line must hold a readable conversation and a valid ``gold`` object: a labelled set with
    holes would be scored on what is left without saying so, so any defect stops the read with
    :class:`GoldFileError` naming the file and line.
    """
    if split is not None and split not in SPLITS:
        raise GoldFileError(f"unknown split {split!r}: choose one of {', '.join(SPLITS)}")
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise GoldFileError(f"{path}: cannot read the gold file ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            where = f"{path}:line {number}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise GoldFileError(f"{where}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict) or not isinstance(record.get("gold"), dict):
                raise GoldFileError(f'{where}: a record needs a "gold" object')
            gold = _gold_of(record["gold"], taxonomy, where)
            if split is not None and gold.split != split:
                continue
            try:
                conversation = jsonl.parse(record, SourceLocation(str(path), number), None)
            except Reject as exc:
                raise GoldFileError(f"{where}: {exc.reason} {exc.detail}".strip()) from None
            yield conversation, gold


def evaluate_gold(
    classifier: Classifier,
    taxonomy: Taxonomy,
    path: Path,
    *,
    split: str | None = None,
    prepare: Callable[[Conversation], ScrubbedConversation] | None = None,
    batch_size: int = 100,
    shortlister: Shortlister | None = None,
) -> EvalReport:
    """Score ``classifier`` on the conversations of a gold file (one split, or all)."""
    pairs = list(read_gold(path, taxonomy, split))
    if not pairs:
        raise GoldFileError(
            f"{path}: no labelled conversations" + (f" in split {split!r}" if split else "")
        )
    conversations = [c for c, _ in pairs]
    predictions, shortlists = _classify_all(
        classifier, conversations, prepare or unscrubbed, batch_size, shortlister
    )
    return score([g for _, g in pairs], predictions, taxonomy, shortlists=shortlists)
