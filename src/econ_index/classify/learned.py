"""The local classifier's learned model, fit on the train split of a real labelled set.

Real conversations name a *topic*, O*NET statements an *activity*, so matching the two directly
picks tasks for one shared word. This model learns from labelled real conversations instead:

* **screen**: a logistic regression on the user's words decides work / not work;
* **task**: the conversation's nearest labelled neighbours (cosine over TF-IDF of the user turns
  and the assistant's first reply) vote for every statement their raters accepted, weighted by
  similarity, so the activity a request shares with its neighbours ("write a function",
  "explain", "translate") decides, not one topic word;
* **pattern**: a logistic regression over the user turns' words (the opening and the follow-ups
  apart), the dialogue cues of :mod:`econ_index.classify.patterns`, the openings of the
  assistant's replies (a deliverable or an explanation) and how much each follow-up repeats the
  opening or the reply before it (the same piece of work refined, or a new request).

Features are hashed (no vocabulary is stored) and IDF-weighted; the model file holds the hashed
weights and the labelled neighbours' hashed vectors, never text. Fit it with ``econ-index train``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from stop_words import AVAILABLE_LANGUAGES, get_stop_words

from econ_index.classify.patterns import pattern_cues
from econ_index.types import Message, Pattern, ScrubbedConversation

MODEL_FILE = "model.npz"
SHIPPED_MODEL = resources.files("econ_index.classify").joinpath(MODEL_FILE)
FEATURES = 2**18
# Characters of each part that reach the features: the request sits at the start of the first
# user turn, follow-ups say how the user steers, the assistant's reply restates the task.
FIRST_USER_CHARS = 1500
LATER_USER_CHARS = 300
LATER_USER_TURNS = 3
ASSISTANT_CHARS = 800
# Characters of each later assistant reply the pattern model reads (its opening: "Sure, here is
# the updated ..." after a refinement, an explanation after a question).
LATER_REPLY_CHARS = 150
ASSISTANT_WEIGHT = 1.0
# Neighbours that vote on the task, chosen on the dev split.
NEIGHBOURS = 20
PATTERNS = tuple(Pattern)

# Chinese and Japanese write no spaces, so a run of their characters would be one "word": each
# character becomes a token instead, and the bigrams below then pair neighbouring characters.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _preprocess(text: str) -> str:
    return _CJK.sub(r" \g<0> ", text.lower())


def _words(stop_words: list[str] | None = None) -> HashingVectorizer:
    return HashingVectorizer(
        n_features=FEATURES,
        ngram_range=(1, 2),
        alternate_sign=False,
        norm=None,
        preprocessor=_preprocess,
        token_pattern=_TOKEN.pattern,
        stop_words=stop_words,
    )


_TOKEN = re.compile(r"(?u)\b\w+\b")  # one-letter words count too
# The IDF comes from mostly English conversations, so the function words of other languages
# ("que", "de", "и") weigh like rare terms and make every conversation in that language a
# neighbour of every other: the screen and the neighbours drop them (only those that are one
# token here). English ones stay: their IDF is low already, and dropping them measured worse on
# the dev split, as did dropping any from the pattern model's words.
_FOREIGN_STOP_WORDS = sorted(
    {
        w.lower()
        for lang in AVAILABLE_LANGUAGES
        if lang != "english"
        for w in get_stop_words(lang)
        if _TOKEN.fullmatch(w) and (len(w) == 1 or not _CJK.search(w))
    }
)
_WORDS = _words(_FOREIGN_STOP_WORDS)
_ANALYSE = _words().build_analyzer()
# Pattern features are bags of tagged tokens, already split.
_TOKENS = HashingVectorizer(
    n_features=FEATURES, analyzer=lambda tokens: tokens, alternate_sign=False, norm=None
)

FloatArray = npt.NDArray[np.float64]
_ASCII_WORD = re.compile(r"[a-z]+")
_WORD = re.compile(r"\w+")


def _users(messages: Sequence[Message]) -> list[str]:
    return [m.content for m in messages if m.role == "user"]


def _request_text(conversation: ScrubbedConversation) -> str:
    users = _users(conversation.messages)
    first = users[0][:FIRST_USER_CHARS] if users else ""
    later = " ".join(u[:LATER_USER_CHARS] for u in users[1 : 1 + LATER_USER_TURNS])
    return f"{first}\n{later}"


def _assistant_text(conversation: ScrubbedConversation) -> str:
    reply = next((m.content for m in conversation.messages if m.role == "assistant"), "")
    return reply[:ASSISTANT_CHARS]


def _first_word(text: str) -> str:
    words = _ASCII_WORD.findall(text.lower()[:100])
    return words[0] if words else "_"


def _assistants(messages: Sequence[Message]) -> list[str]:
    return [m.content for m in messages if m.role == "assistant"]


def _word_set(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def _reply_tokens(replies: Sequence[str]) -> list[str]:
    """How the assistant answered: a deliverable ("Here is ..."), an explanation, a question."""
    if not replies:
        return []
    first = replies[0]
    tokens = [
        f"reply_word:{_first_word(first)}",
        f"reply_code:{'```' in first[:ASSISTANT_CHARS]}",
        f"reply_asks:{'?' in first[-200:]}",
    ]
    tokens += [f"reply:{w}" for w in _ANALYSE(first[:LATER_USER_CHARS])]
    for later in replies[1 : 1 + LATER_USER_TURNS]:
        tokens += [f"later_reply:{w}" for w in _ANALYSE(later[:LATER_REPLY_CHARS])]
    return tokens


def _follow_up_tokens(users: Sequence[str], replies: Sequence[str]) -> list[str]:
    """Per follow-up: how much of it repeats the opening or the reply before it (the same piece of
    work refined, or an unrelated new request), its length, a question mark, its script."""
    tokens = [f"user_turns:{min(len(users), 8)}"]
    if not users:
        return tokens
    opening = _word_set(users[0][:FIRST_USER_CHARS])
    for k, later in enumerate(users[1 : 1 + LATER_USER_TURNS]):
        words = _word_set(later[:FIRST_USER_CHARS])
        if not words:
            continue
        tokens.append(f"overlap_opening:{min(int(5 * len(words & opening) / len(words)), 4)}")
        if k < len(replies):
            reply = _word_set(replies[k][:FIRST_USER_CHARS])
            tokens.append(f"overlap_reply:{min(int(5 * len(words & reply) / len(words)), 4)}")
        tokens += [
            f"later_length:{min(len(later) // 100, 5)}",
            f"later_question:{'?' in later[:LATER_USER_CHARS]}",
            f"later_ascii:{later[:50].isascii()}",
        ]
    return tokens


def _pattern_tokens(conversation: ScrubbedConversation) -> list[str]:
    """How the user works: turn count, dialogue cues, the opening's shape and words, follow-ups,
    and how the assistant's replies read (a deliverable, an explanation)."""
    users = _users(conversation.messages)
    replies = _assistants(conversation.messages)
    tokens = [f"turns:{min(len(users), 4)}", *pattern_cues(conversation.messages)]
    if users:
        opening = users[0][:LATER_USER_CHARS]
        tokens += [
            f"opening_word:{_first_word(users[0])}",
            f"question:{'?' in opening}",
            f"length:{min(len(users[0]) // 200, 5)}",
            f"code:{'```' in users[0] or ';' in opening}",
        ]
        tokens += [f"first:{w}" for w in _ANALYSE(opening)]
    for later in users[1 : 1 + LATER_USER_TURNS]:
        tokens.append(f"later_word:{_first_word(later)}")
        tokens += [f"later:{w}" for w in _ANALYSE(later[:LATER_USER_CHARS])]
    return tokens + _reply_tokens(replies) + _follow_up_tokens(users, replies)


def raw_features(conversations: Sequence[ScrubbedConversation]) -> sp.csr_matrix:
    """Hashed term counts of the request and (weighted) the assistant's first reply."""
    words = _WORDS.transform([_request_text(c) for c in conversations])
    reply = _WORDS.transform([_assistant_text(c) for c in conversations])
    return sp.csr_matrix(words + ASSISTANT_WEIGHT * reply, dtype=np.float64)


def _tfidf(counts: sp.csr_matrix, idf: FloatArray) -> sp.csr_matrix:
    """Sublinear TF-IDF rows, L2-normalised (counts is modified in place)."""
    counts.data = 1.0 + np.log(counts.data)
    return normalize(counts @ sp.diags(idf))


@dataclass(frozen=True)
class LearnedModel:
    """Everything the learned classifier needs, as arrays (saved in one ``.npz``)."""

    idf: FloatArray  # (FEATURES,) inverse document frequency of the train split
    screen_coef: FloatArray  # (FEATURES,)
    screen_intercept: float
    screen_threshold: float
    pattern_coef: FloatArray  # (len(PATTERNS), FEATURES)
    pattern_intercept: FloatArray  # (len(PATTERNS),)
    memory: sp.csr_matrix  # (labelled work conversations, FEATURES), rows L2-normalised
    memory_tasks: tuple[tuple[str, ...], ...]  # per memory row: every accepted task id
    fitted_on: str

    def vectors(self, conversations: Sequence[ScrubbedConversation]) -> sp.csr_matrix:
        """Sublinear TF-IDF rows, L2-normalised (what the screen and the neighbours read)."""
        return _tfidf(raw_features(conversations), self.idf)

    def p_work(self, vectors: sp.csr_matrix) -> FloatArray:
        z = vectors @ self.screen_coef + self.screen_intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def patterns(self, conversations: Sequence[ScrubbedConversation]) -> list[Pattern]:
        tokens = _TOKENS.transform([_pattern_tokens(c) for c in conversations])
        scores = tokens @ self.pattern_coef.T + self.pattern_intercept
        return [PATTERNS[int(i)] for i in np.asarray(scores).argmax(axis=1)]

    def votes(
        self,
        vectors: sp.csr_matrix,
        k: int = NEIGHBOURS,
        row_weight: FloatArray | None = None,
    ) -> list[dict[str, float]]:
        """Per conversation: accepted task id -> share of the neighbours' weight behind it.

        The ``k`` most similar neighbours are chosen by similarity alone; each then weighs its
        similarity times ``row_weight`` (1 when not given).
        """
        sims = (vectors @ self.memory.T).toarray()
        weights = np.ones(sims.shape[1]) if row_weight is None else row_weight
        out: list[dict[str, float]] = []
        for row in sims:
            top = np.argpartition(-row, k)[:k] if row.size > k else np.arange(row.size)
            tally: dict[str, float] = {}
            strength = row[top] * weights[top]
            total = float(strength.sum())
            for j, weight in zip(top, strength.tolist(), strict=True):
                for task_id in self.memory_tasks[j]:
                    tally[task_id] = tally.get(task_id, 0.0) + weight
            out.append({t: w / total for t, w in tally.items()} if total > 0 else {})
        return out

    def save(self, path: Path) -> None:
        memory = self.memory.tocsr()
        tasks = np.array(["|".join(t) for t in self.memory_tasks])
        np.savez_compressed(
            path,
            idf=self.idf.astype(np.float32),
            screen_coef=self.screen_coef.astype(np.float32),
            screen=np.array([self.screen_intercept, self.screen_threshold]),
            pattern_coef=self.pattern_coef.astype(np.float32),
            pattern_intercept=self.pattern_intercept,
            memory_data=memory.data.astype(np.float32),
            memory_indices=memory.indices,
            memory_indptr=memory.indptr,
            memory_tasks=tasks,
            fitted_on=np.array(self.fitted_on),
        )


def load_model(path: Path | None = None) -> LearnedModel:
    """The model at ``path``, or the one shipped with the package."""
    source = path or SHIPPED_MODEL
    with source.open("rb") as handle, np.load(handle) as z:
        memory = sp.csr_matrix(
            (z["memory_data"].astype(np.float64), z["memory_indices"], z["memory_indptr"]),
            shape=(len(z["memory_indptr"]) - 1, FEATURES),
        )
        return LearnedModel(
            idf=z["idf"].astype(np.float64),
            screen_coef=z["screen_coef"].astype(np.float64),
            screen_intercept=float(z["screen"][0]),
            screen_threshold=float(z["screen"][1]),
            pattern_coef=z["pattern_coef"].astype(np.float64),
            pattern_intercept=z["pattern_intercept"].astype(np.float64),
            memory=memory,
            memory_tasks=tuple(tuple(s.split("|")) if s else () for s in z["memory_tasks"]),
            fitted_on=str(z["fitted_on"]),
        )


def fit_model(
    conversations: Sequence[ScrubbedConversation],
    task_ids: Sequence[str | None],
    accepted: Sequence[Sequence[str]],
    patterns: Sequence[Pattern],
    *,
    fitted_on: str,
    screen_threshold: float = 0.5,
) -> LearnedModel:
    """Fit on labelled conversations: gold task (None = not work), accepted ids, pattern."""
    if not conversations:
        raise ValueError("no labelled conversations to fit on")
    counts = raw_features(conversations)
    df = np.asarray((counts > 0).sum(axis=0)).ravel()
    idf = np.log((1 + len(conversations)) / (1 + df)) + 1.0
    vectors = _tfidf(counts, idf)
    is_work = np.array([t is not None for t in task_ids])
    if is_work.all() or not is_work.any():
        raise ValueError("the screen needs both work and not-work conversations")
    screen = LogisticRegression(C=10.0, max_iter=2000, class_weight="balanced")
    screen.fit(vectors, is_work)
    tokens = _TOKENS.transform([_pattern_tokens(c) for c in conversations])
    # Strong regularisation and the labels' own class balance measured best on the dev split.
    pattern_model = LogisticRegression(C=0.1, max_iter=3000)
    pattern_model.fit(tokens, [p.value for p in patterns])
    # Every pattern gets a row, in PATTERNS order; one never seen can never win.
    coef = np.zeros((len(PATTERNS), FEATURES))
    intercept = np.full(len(PATTERNS), -1e9)
    for row, value in enumerate(pattern_model.classes_):
        at = PATTERNS.index(Pattern(value))
        coef[at] = pattern_model.coef_[row]
        intercept[at] = pattern_model.intercept_[row]
    work_rows = np.flatnonzero(is_work)
    memory_tasks = tuple(
        tuple(dict.fromkeys([str(task_ids[i]), *accepted[i]])) for i in work_rows.tolist()
    )
    return LearnedModel(
        idf=idf,
        screen_coef=screen.coef_[0].astype(np.float64),
        screen_intercept=float(screen.intercept_[0]),
        screen_threshold=screen_threshold,
        pattern_coef=coef,
        pattern_intercept=intercept,
        memory=sp.csr_matrix(vectors[work_rows]),
        memory_tasks=memory_tasks,
        fitted_on=fitted_on,
    )
