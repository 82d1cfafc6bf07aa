"""The default offline classifier: screen, retrieve, read the dialogue's shape, calibrate.

Stage 1 (:mod:`.screen`) decides whether a conversation is a work task at all. Stage 2
(:mod:`.index`) retrieves the best of the 19,530 O*NET tasks with one sparse matrix product per
batch, combining task-, occupation- and prior-level evidence. Stage 3 (:mod:`.patterns`) reads
the collaboration pattern from the user turns. The label's confidence is a calibrated probability
that the task is right (:mod:`.calibration`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt

from econ_index.classify.calibration import (
    DEFAULT_THRESHOLD,
    Calibration,
    fit_platt,
    load_calibration,
)
from econ_index.classify.index import Hits, TaskIndex, task_index
from econ_index.classify.patterns import collaboration_pattern
from econ_index.classify.screen import PERSONAL_CUES, WORK_CUES, cue_counts, work_probability
from econ_index.classify.text import query_parts
from econ_index.onet import statement_key
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import ClassifierFailure, Label, Pattern, ScrubbedConversation, Usage

ALGORITHM_VERSION = "1"
MODES = ("lexical",)


@dataclass(frozen=True)
class _Analysis:
    hits: Hits
    p_work: npt.NDArray[np.float64]
    has_user_text: npt.NDArray[np.bool_]

    def features(self) -> npt.NDArray[np.float64]:
        """Confidence features per conversation, in the order of calibration.FEATURES."""
        top1 = self.hits.score[:, 0].astype(np.float64)
        second = self.hits.score[:, 1] if self.hits.score.shape[1] > 1 else self.hits.score[:, 0]
        margin = top1 - second.astype(np.float64)
        p = np.clip(self.p_work, 1e-6, 1 - 1e-6)
        return np.column_stack([top1, margin, np.log(p / (1 - p))])


def analyse(index: TaskIndex, conversations: Sequence[ScrubbedConversation], k: int) -> _Analysis:
    """Stages 1 and 2 for a batch: retrieval hits and the work screen's probability."""
    first_user, later_user, first_assistant = query_parts(conversations)
    queries = index.vectorize(first_user, later_user, first_assistant)
    hits = index.search(queries, k)
    user_text = [f"{a}\n{b}" for a, b in zip(first_user, later_user, strict=True)]
    work = np.array([cue_counts(t, WORK_CUES) for t in user_text], dtype=np.int64)
    personal = np.array([cue_counts(t, PERSONAL_CUES) for t in user_text], dtype=np.int64)
    p_work = work_probability(hits.task_similarity, work, personal)
    has_text = np.asarray(queries.getnnz(axis=1) > 0)
    return _Analysis(hits, p_work, has_text)


class LocalClassifier:
    """Offline TF-IDF classifier implementing :class:`econ_index.classify.base.Classifier`."""

    name = "local-tfidf"

    def __init__(
        self, taxonomy: Taxonomy, *, mode: str = "lexical", calibration: Calibration | None = None
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.taxonomy = taxonomy
        self.mode = mode
        self.usage = Usage()
        self.calibration = calibration or load_calibration()
        self._index = task_index(taxonomy)
        # Algorithm, mode, taxonomy and calibration: the version changes when any of them does.
        digest = hashlib.sha256(repr(asdict(self.calibration)).encode()).hexdigest()[:8]
        self.version = f"{ALGORITHM_VERSION}-{mode}-{taxonomy.onet_version}-cal{digest}"

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        if not conversations:
            return []
        analysis = analyse(self._index, conversations, k=2)
        confidence = self.calibration.probability(analysis.features())
        labels: list[Label | ClassifierFailure] = []
        for i, conv in enumerate(conversations):
            is_work = bool(analysis.has_user_text[i] and analysis.p_work[i] >= 0.5)
            pattern = collaboration_pattern(conv.messages, is_work=is_work)
            if is_work:
                task = self.taxonomy.tasks[int(analysis.hits.task_index[i, 0])]
                labels.append(Label(task.task_id, pattern, float(confidence[i]), True))
            else:
                # For a "none" label the confidence is the screen's probability of not-work.
                labels.append(Label(None, Pattern.NONE, float(1.0 - analysis.p_work[i]), False))
        return labels

    def shortlist(
        self, conversations: Sequence[ScrubbedConversation], k: int = 20
    ) -> list[list[tuple[Task, float]]]:
        """The ``k`` best candidate tasks per conversation with their retrieval scores."""
        if not conversations:
            return []
        hits = analyse(self._index, conversations, k=k).hits
        tasks = self.taxonomy.tasks
        return [
            [(tasks[int(j)], float(s)) for j, s in zip(row, scores, strict=True)]
            for row, scores in zip(hits.task_index, hits.score, strict=True)
        ]


def confidence_features(
    taxonomy: Taxonomy, conversations: Sequence[ScrubbedConversation]
) -> tuple[list[str], npt.NDArray[np.float64]]:
    """Top-1 task id and raw confidence features per conversation (what calibration fits)."""
    analysis = analyse(task_index(taxonomy), conversations, k=2)
    tasks = taxonomy.tasks
    ids = [tasks[int(j)].task_id for j in analysis.hits.task_index[:, 0]]
    return ids, analysis.features()


def fit_calibration(
    taxonomy: Taxonomy,
    conversations: Sequence[ScrubbedConversation],
    task_ids: Sequence[str | None],
    *,
    fitted_on: str,
    threshold: float = DEFAULT_THRESHOLD,
) -> Calibration:
    """Fit the confidence calibration on labelled conversations (gold task id, None = not work).

    Only work conversations enter the fit: confidence is the probability that the chosen task is
    right. Store the result with :func:`econ_index.classify.calibration.write_calibration`.
    """
    work = [(c, t) for c, t in zip(conversations, task_ids, strict=True) if t is not None]
    if not work:
        raise ValueError("no labelled work conversations to calibrate on")
    predicted, features = confidence_features(taxonomy, [c for c, _ in work])
    # As in the evaluation, a statement shared by several occupations counts as right.
    by_id = taxonomy.by_id
    correct = [
        statement_key(by_id[p].statement) == statement_key(by_id[t].statement)
        for p, (_, t) in zip(predicted, work, strict=True)
    ]
    return fit_platt(features, correct, fitted_on=fitted_on, threshold=threshold)


def bench_local(
    taxonomy: Taxonomy, conversations: Sequence[ScrubbedConversation]
) -> dict[str, float]:
    """Time an index build and ``classify`` in batches of 1,000 (this process, one thread).

    Rates are given both by wall clock and by CPU time, since a shared machine slows the former.
    """
    start = time.perf_counter()
    TaskIndex(taxonomy)
    build = time.perf_counter() - start
    classifier = LocalClassifier(taxonomy)
    classifier.classify(conversations[:10])  # warm the shared index and the calibration
    batch = 1000
    wall, cpu = time.perf_counter(), time.process_time()
    labels = [
        label
        for i in range(0, len(conversations), batch)
        for label in classifier.classify(conversations[i : i + batch])
    ]
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n = len(conversations)
    work = sum(1 for label in labels if isinstance(label, Label) and label.is_work)
    chars = sum(len(m.content) for c in conversations for m in c.messages)
    return {
        "conversations": float(n),
        "mean_chars": chars / max(1, n),
        "index_build_s": build,
        "classify_s": wall,
        "conversations_per_s": n / wall if wall else float("inf"),
        "conversations_per_cpu_s": n / cpu if cpu else float("inf"),
        "work_share": work / max(1, n),
    }
