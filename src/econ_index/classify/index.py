"""Retrieval over the closed O*NET taxonomy: a TF-IDF index of tasks and of occupations.

A task's score combines three signals, all computed with sparse/dense matrix products per batch:

* its own similarity: cosine between the query and the task statement enriched with the
  occupation title;
* its occupation's similarity: cosine between the query and the occupation (title plus all its
  statements), which narrows hierarchically to the right occupation when statements are terse;
* a prior from the AEI published usage share, so that among near-equal matches the tasks people
  actually bring to an assistant win (Bayes: posterior ∝ likelihood × prior).

The index is built once per process and O*NET version (a few seconds) and kept in memory.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from econ_index.classify.text import analyze_document, analyze_query
from econ_index.taxonomy import Taxonomy

# Weights of the score components (see module docstring); chosen on the evaluation set.
OCCUPATION_WEIGHT = 0.5
PRIOR_WEIGHT = 0.08
# Terms kept per query: the product's cost grows with every common term a query keeps, while
# the low-weight tail barely moves the ranking.
QUERY_TERMS = 24
# Rows scored per block (bounds the memory of the sparse product) and padding candidates.
CHUNK = 256
FALLBACK = 64

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Hits:
    """Top-k tasks per query (best first) and the raw signals the screen and calibration use."""

    task_index: IntArray  # (n, k) row numbers into Taxonomy.tasks
    score: FloatArray  # (n, k) combined score
    task_similarity: FloatArray  # (n,) best task cosine similarity
    occupation_similarity: FloatArray  # (n,) best occupation cosine similarity


class TaskIndex:
    """TF-IDF vectors of every task statement and occupation of one taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        tasks = taxonomy.tasks
        docs = [f"{t.statement} {t.occupation_title}" for t in tasks]
        counts = CountVectorizer(analyzer=analyze_document, dtype=np.float32)
        task_counts = counts.fit_transform(docs)
        self._tfidf = TfidfTransformer(sublinear_tf=True).fit(task_counts)
        self._vocabulary: dict[str, int] = dict(counts.vocabulary_)
        self.tasks_t = sp.csr_matrix(self._tfidf.transform(task_counts).T, dtype=np.float32)

        codes = sorted({t.onet_soc_code for t in tasks})
        position = {c: i for i, c in enumerate(codes)}
        self.occupation_of_task = np.array([position[t.onet_soc_code] for t in tasks])
        membership = sp.csr_matrix(
            (
                np.ones(len(tasks), dtype=np.float32),
                (self.occupation_of_task, np.arange(len(tasks))),
            ),
            shape=(len(codes), len(tasks)),
        )
        titles = {t.onet_soc_code: t.occupation_title for t in tasks}
        title_counts = counts.transform([titles[c] for c in codes])
        # An occupation's text is its title (counted twice: it names the job) plus its statements.
        occupation_counts = membership @ task_counts + 2 * title_counts
        self.occupations_t = sp.csr_matrix(
            self._tfidf.transform(occupation_counts).T, dtype=np.float32
        )

        usage = np.array([taxonomy.usage_weight(t) for t in tasks], dtype=np.float32)
        positive = usage[usage > 0]
        reference = float(np.median(positive)) if positive.size else 1.0
        # Log-compressed and scaled to [0, 1]: the most used task gets the full PRIOR_WEIGHT.
        prior = np.log1p(usage / reference)
        self.prior = (prior / max(float(prior.max()), 1e-9)).astype(np.float32)
        self._weighted_prior = (PRIOR_WEIGHT * self.prior).astype(np.float32)
        self._occupation_of_task32 = self.occupation_of_task.astype(np.int32)
        # Used when a query shares no term with enough tasks: the most used tasks, by prior.
        common = np.argsort(-self.prior, kind="stable")[:FALLBACK]
        self._fallback = (common, (PRIOR_WEIGHT * self.prior[common]).astype(np.float32))

    def vectorize(
        self, first_user: list[str], later_user: list[str], first_assistant: list[str]
    ) -> sp.csr_matrix:
        """One L2-normalised query row per conversation, weighting the first user turn most."""
        parts = (
            (first_user, 1.0),
            (later_user, 0.5),
            (first_assistant, 0.3),
        )
        rows: sp.csr_matrix | None = None
        for texts, weight in parts:
            block = normalize(self._tfidf.transform(self._query_counts(texts))) * weight
            rows = block if rows is None else rows + block
        assert rows is not None
        return normalize(_keep_top_terms(sp.csr_matrix(rows, dtype=np.float32), QUERY_TERMS))

    def _query_counts(self, texts: list[str]) -> sp.csr_matrix:
        """Term counts of the analysed queries over the task vocabulary (out-of-vocabulary terms
        dropped): ``CountVectorizer.transform`` without its per-document bookkeeping."""
        vocabulary = self._vocabulary
        indices: list[int] = []
        indptr = [0]
        for text in texts:
            indices.extend(j for j in map(vocabulary.get, analyze_query(text)) if j is not None)
            indptr.append(len(indices))
        counts = sp.csr_matrix(
            (np.ones(len(indices), dtype=np.float32), indices, indptr),
            shape=(len(texts), len(vocabulary)),
        )
        counts.sum_duplicates()  # repeated terms: one entry with their count
        return counts

    def search(self, queries: sp.csr_matrix, k: int) -> Hits:
        """The ``k`` best tasks per query row.

        Only tasks sharing at least one term with the query are candidates (the sparse product's
        non-zeros), so the occupation and prior terms are added to those entries alone. A query
        with fewer than ``k`` candidates is padded with the most used tasks, scored by prior only.
        """
        n = queries.shape[0]
        k = min(k, self.tasks_t.shape[1])
        index = np.empty((n, k), dtype=np.int64)
        score = np.empty((n, k), dtype=np.float32)
        task_sim = np.zeros(n, dtype=np.float32)
        occ_sim = np.zeros(n, dtype=np.float32)
        for start in range(0, n, CHUNK):
            block = queries[start : start + CHUNK]
            sims = sp.csr_matrix(block @ self.tasks_t)
            occ = np.asarray((block @ self.occupations_t).toarray())
            # int32 cell numbers (a block has < 2**31 cells) halve the memory traffic
            rows = np.repeat(
                np.arange(sims.shape[0], dtype=np.int32) * np.int32(occ.shape[1]),
                np.diff(sims.indptr),
            )
            tasks = sims.indices
            # Flat np.take is several times faster than 2-D fancy indexing here.
            cells = np.take(self._occupation_of_task32, tasks)
            cells += rows
            total = np.take(occ, cells)
            total *= np.float32(OCCUPATION_WEIGHT)
            total += sims.data
            total += np.take(self._weighted_prior, tasks)
            for r in range(sims.shape[0]):
                lo, hi = sims.indptr[r], sims.indptr[r + 1]
                top, values = _top_k(tasks[lo:hi], total[lo:hi], k, self._fallback)
                index[start + r] = top
                score[start + r] = values
                if hi > lo:
                    task_sim[start + r] = sims.data[lo:hi].max()
            occ_sim[start : start + sims.shape[0]] = occ.max(axis=1)
        return Hits(index, score, task_sim, occ_sim)


def _top_k(
    candidates: IntArray, scores: FloatArray, k: int, fallback: tuple[IntArray, FloatArray]
) -> tuple[IntArray, FloatArray]:
    """The ``k`` best candidates by score, best first, padded from ``fallback`` if too few."""
    if len(candidates) > k:
        keep = np.argpartition(-scores, k - 1)[:k]
        candidates, scores = candidates[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")
    candidates, scores = candidates[order], scores[order]
    if len(candidates) < k:
        extra = ~np.isin(fallback[0], candidates)
        candidates = np.concatenate([candidates, fallback[0][extra]])[:k]
        scores = np.concatenate([scores, fallback[1][extra]])[:k]
    return candidates, scores


def _keep_top_terms(rows: sp.csr_matrix, n: int) -> sp.csr_matrix:
    """Zero all but the ``n`` largest weights of each row."""
    data = rows.data
    for r in np.flatnonzero(np.diff(rows.indptr) > n):
        lo, hi = rows.indptr[r], rows.indptr[r + 1]
        cut = np.argpartition(-data[lo:hi], n)[n:]
        data[lo + cut] = 0.0
    rows.eliminate_zeros()
    return rows


_CACHE: dict[str, TaskIndex] = {}
_LOCK = threading.Lock()


def task_index(taxonomy: Taxonomy) -> TaskIndex:
    """The index for ``taxonomy``, built on first use and kept for the life of the process."""
    key = f"{taxonomy.onet_version}:{len(taxonomy.tasks)}"
    with _LOCK:
        if key not in _CACHE:
            _CACHE[key] = TaskIndex(taxonomy)
        return _CACHE[key]
