"""The default offline classifier, in two modes.

``learned`` (the default) is fit on real labelled conversations (:mod:`.learned`): a learned work
screen, the task its nearest labelled neighbours' raters accepted (the activity), with the lexical
match of the statement to the conversation (the topic) as secondary evidence, and a learned
collaboration pattern. Its confidence is the share of the neighbours' vote behind the task.

``lexical`` is the first design, kept as a fast option with its own figures: a cue-based screen
(:mod:`.screen`), the best of the 19,530 O*NET tasks by TF-IDF retrieval (:mod:`.index`, task,
occupation and AEI-prior evidence), dialogue-shape rules for the pattern (:mod:`.patterns`) and a
Platt-calibrated confidence (:mod:`.calibration`). On real conversations it picks tasks for one
shared word; see the README's quality table.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from econ_index.classify.calibration import (
    DEFAULT_THRESHOLD,
    Calibration,
    fit_platt,
    load_calibration,
)
from econ_index.classify.index import Hits, TaskIndex, task_index
from econ_index.classify.learned import LearnedModel, load_model
from econ_index.classify.patterns import collaboration_pattern
from econ_index.classify.screen import PERSONAL_CUES, WORK_CUES, cue_counts, work_probability
from econ_index.classify.text import query_parts
from econ_index.onet import statement_key
from econ_index.taxonomy import Task, Taxonomy
from econ_index.types import ClassifierFailure, Label, Pattern, ScrubbedConversation, Usage

ALGORITHM_VERSION = "2"
# The learned classifier's quality on real conversations: the test split of the 9,083-conversation
# set (evaluation/realset), n = 1,840. Written into every published bundle's manifest.json.
REAL_QUALITY = {
    "source": "evaluation/realset, test split (real conversations, hand-labelled)",
    "classifier": "local (learned)",
    "n": 1840,
    "screen_agreement": 0.916,  # work screen agrees with the raters
    "task_acceptable": 0.510,  # the gold statement or a listed alternative
    "soc_major_acceptable": 0.727,
    "pattern_accuracy": 0.701,  # collaboration pattern
    "soc_major_distribution_tvd": 0.093,  # total variation distance of the major-group shares
}
MODES = ("learned", "lexical")
# Weight of the lexical (topic) score against the neighbours' vote share, chosen on the dev split.
LEXICAL_WEIGHT = 0.5
# Lexical candidates per conversation: they rescore the voted tasks and fill the shortlist.
LEXICAL_CANDIDATES = 64
# Neighbours vote with weight share**-PRIOR_CORRECTION, share being how common their gold major
# group is among the labelled conversations: without it the commonest groups (computing, arts)
# win every close vote and the published distribution drifts towards them. Chosen on dev.
PRIOR_CORRECTION = 0.1


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
        self,
        taxonomy: Taxonomy,
        *,
        mode: str = "learned",
        calibration: Calibration | None = None,
        model: LearnedModel | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        self.taxonomy = taxonomy
        self.mode = mode
        self.usage = Usage()
        self.calibration = calibration or load_calibration()
        self._index = task_index(taxonomy)
        self._model = (model or load_model()) if mode == "learned" else None
        self._row_weight = None if self._model is None else self._prior_correction(self._model)
        # Statement keys by task position, computed once: the ranking compares them per candidate.
        self._statement_keys = [statement_key(t.statement) for t in taxonomy.tasks]
        self._position = {t.task_id: i for i, t in enumerate(taxonomy.tasks)}
        # Algorithm, mode, taxonomy and fitted state: the version changes when any of them does.
        state = repr(asdict(self.calibration)) if self._model is None else self._model.fitted_on
        digest = hashlib.sha256(state.encode()).hexdigest()[:8]
        self.version = f"{ALGORITHM_VERSION}-{mode}-{taxonomy.onet_version}-{digest}"

    def classify(
        self, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        if not conversations:
            return []
        if self._model is not None:
            return self._classify_learned(self._model, conversations)
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

    def _prior_correction(self, model: LearnedModel) -> npt.NDArray[np.float64]:
        by_id = self.taxonomy.by_id
        majors = [
            by_id[tasks[0]].major_soc_code if tasks and tasks[0] in by_id else ""
            for tasks in model.memory_tasks
        ]
        counts = Counter(majors)
        share = np.array([counts[m] / len(majors) for m in majors])
        return np.asarray(share**-PRIOR_CORRECTION, dtype=np.float64)

    def _classify_learned(
        self, model: LearnedModel, conversations: Sequence[ScrubbedConversation]
    ) -> list[Label | ClassifierFailure]:
        vectors = model.vectors(conversations)
        p_work = model.p_work(vectors)
        patterns = model.patterns(conversations)
        ranked = self._ranked(model, vectors, conversations, k=1)
        labels: list[Label | ClassifierFailure] = []
        for i, conv in enumerate(conversations):
            has_text = any(m.role == "user" and m.content.strip() for m in conv.messages)
            if has_text and p_work[i] >= model.screen_threshold and ranked[i]:
                task, vote = ranked[i][0]
                labels.append(Label(task.task_id, patterns[i], min(1.0, vote), True))
            else:
                labels.append(Label(None, Pattern.NONE, float(1.0 - p_work[i]), False))
        return labels

    def _ranked(
        self,
        model: LearnedModel,
        vectors: sp.csr_matrix,
        conversations: Sequence[ScrubbedConversation],
        k: int,
    ) -> list[list[tuple[Task, float]]]:
        """Tasks by the neighbours' vote plus the weighted lexical score, then lexical fill.

        Each statement counts once (a statement shared by occupations is one activity); the vote
        share is returned as the score, since it estimates how often such a label is accepted.
        """
        index = self._index
        lexical = index.search(index.vectorize(*query_parts(conversations)), LEXICAL_CANDIDATES)
        tasks, by_id, keys = self.taxonomy.tasks, self.taxonomy.by_id, self._statement_keys
        out: list[list[tuple[Task, float]]] = []
        for i, votes in enumerate(model.votes(vectors, row_weight=self._row_weight)):
            topic: dict[str, tuple[Task, float]] = {}
            for j, s in zip(lexical.task_index[i].tolist(), lexical.score[i].tolist(), strict=True):
                topic.setdefault(keys[j], (tasks[j], s))
            voted: dict[str, tuple[Task, float]] = {}
            for task_id, share in votes.items():
                task = by_id.get(task_id)
                if task is None:
                    continue  # a task of another O*NET release
                key = keys[self._position[task_id]]
                held = voted.get(key)
                voted[key] = (held[0] if held else task, share + (held[1] if held else 0.0))
            score = {
                key: share + LEXICAL_WEIGHT * topic.get(key, (task, 0.0))[1]
                for key, (task, share) in voted.items()
            }
            order = sorted(voted, key=lambda key: -score[key])
            row = [voted[key] for key in order[:k]]
            row += [(t, 0.0) for key, (t, _) in topic.items() if key not in voted][: k - len(row)]
            out.append(row)
        return out

    def shortlist(
        self, conversations: Sequence[ScrubbedConversation], k: int = 20
    ) -> list[list[tuple[Task, float]]]:
        """The ``k`` best candidate tasks per conversation with their scores."""
        if not conversations:
            return []
        if self._model is not None:
            return self._ranked(self._model, self._model.vectors(conversations), conversations, k)
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
