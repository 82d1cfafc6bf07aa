"""Evaluate a classifier against a labelled synthetic set (see :mod:`econ_index.generate`).

The labelled set uses its own seed, so a classifier tuned on the demo corpus is not scored on
the same conversations. Metrics follow the questions the index answers: is the task right
(or at least its occupation, or its SOC major group), is the collaboration pattern right, is
non-work chatter kept out, and how far is the published SOC major-group distribution from the
true one.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

import numpy as np
from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

from econ_index.classify.base import Classifier
from econ_index.generate import GoldLabel, generate_corpus
from econ_index.ingest import jsonl
from econ_index.onet import statement_key
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import (
    ClassifierFailure,
    Conversation,
    Label,
    ScrubbedConversation,
    SourceLocation,
)

_FAILURE = "failure"  # the pattern a failed classification is scored as


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


def score(
    golds: Sequence[GoldLabel],
    predictions: Sequence[Label | ClassifierFailure],
    taxonomy: Taxonomy,
    *,
    bins: int = 10,
) -> EvalReport:
    """Compare predictions with gold labels, position by position.

    A failure counts as wrong everywhere (and as the pattern ``failure``). Task, occupation and
    major group are nested: a right task implies a right occupation and major group, and a
    statement shared by several occupations counts as right, since its text cannot tell them
    apart. The reconstructed distribution is taken over every conversation given a task, as the
    published index would be.
    """
    if len(golds) != len(predictions):
        raise ValueError("golds and predictions differ in length")
    by_id = taxonomy.by_id
    n_work = task_hits = occ_hits = major_hits = 0
    true_majors: Counter[str] = Counter()
    predicted_majors: Counter[str] = Counter()
    confidences: list[float] = []
    correct: list[bool] = []
    for gold, pred in zip(golds, predictions, strict=True):
        task = _predicted_task(pred, taxonomy)
        if task is not None:
            predicted_majors[task.major_soc_code] += 1
        hit = False
        if gold.onet_task_id is not None:
            truth = by_id[gold.onet_task_id]
            n_work += 1
            true_majors[truth.major_soc_code] += 1
            if task is not None:
                hit = task.task_id == truth.task_id or statement_key(
                    task.statement
                ) == statement_key(truth.statement)
                occ = hit or task.onet_soc_code == truth.onet_soc_code
                task_hits += hit
                occ_hits += occ
                major_hits += occ or task.major_soc_code == truth.major_soc_code
        else:
            hit = _is_none(pred)
        if isinstance(pred, Label):
            confidences.append(pred.confidence)
            correct.append(hit)
    gold_patterns = [g.pattern.value for g in golds]
    pred_patterns = [p.pattern.value if isinstance(p, Label) else _FAILURE for p in predictions]
    agree = [g == p for g, p in zip(gold_patterns, pred_patterns, strict=True)]
    kappa = float(cohen_kappa_score(gold_patterns, pred_patterns)) if golds else 0.0
    if math.isnan(kappa):  # a single label on both sides: kappa is undefined, agreement is not
        kappa = 1.0 if all(agree) else 0.0
    gold_none = [g.onet_task_id is None for g in golds]
    pred_none = [_is_none(p) for p in predictions]
    hits_by_pattern: dict[str, list[bool]] = {}
    for g, a in zip(gold_patterns, agree, strict=True):
        hits_by_pattern.setdefault(g, []).append(a)
    table = reliability_table(confidences, correct, bins)
    return EvalReport(
        task_top1_accuracy=task_hits / n_work if n_work else 0.0,
        occupation_accuracy=occ_hits / n_work if n_work else 0.0,
        soc_major_group_accuracy=major_hits / n_work if n_work else 0.0,
        pattern_accuracy=float(np.mean(agree)) if agree else 0.0,
        pattern_kappa=kappa,
        none_precision=float(precision_score(gold_none, pred_none, zero_division=0.0)),
        none_recall=float(recall_score(gold_none, pred_none, zero_division=0.0)),
        soc_major_group_tvd=_tvd(true_majors, predicted_majors),
        expected_calibration_error=expected_calibration_error(table),
        n_conversations=len(golds),
        n_work=n_work,
        n_failures=sum(isinstance(p, ClassifierFailure) for p in predictions),
        pattern_recall={p: float(np.mean(h)) for p, h in sorted(hits_by_pattern.items())},
        reliability=tuple(table),
    )


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


def evaluate(
    classifier: Classifier,
    taxonomy: Taxonomy,
    n: int = 2000,
    seed: int = 11,
    prepare: Callable[[Conversation], ScrubbedConversation] | None = None,
    *,
    batch_size: int = 100,
) -> EvalReport:
    """Generate ``n`` labelled conversations, classify them in batches and score the labels.

    ``prepare`` turns a conversation into what the classifier sees; the pipeline passes its
    scrubber and keying, the default hands the text over unscrubbed.
    """
    to_scrubbed = prepare or unscrubbed
    golds: list[GoldLabel] = []
    predictions: list[Label | ClassifierFailure] = []
    batch: list[ScrubbedConversation] = []

    def flush() -> None:
        results = classifier.classify(batch)
        if len(results) != len(batch):
            raise ValueError(
                f"classifier {classifier.name} returned {len(results)} results for "
                f"{len(batch)} conversations"
            )
        predictions.extend(results)
        batch.clear()

    for index, (record, gold) in enumerate(generate_corpus(taxonomy, n, seed)):
        golds.append(gold)
        # Read as the pipeline reads a JSONL corpus, so both see the same Conversation.
        location = SourceLocation(file="<evaluation set>", record=index + 1)
        batch.append(to_scrubbed(jsonl.parse(record, location, None)))
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return score(golds, predictions, taxonomy)
