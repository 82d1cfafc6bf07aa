"""Text analysis shared by the local classifier: tokenising, stemming and query building.

Conversations and O*NET statements use different words for the same work ("fix this bug" vs
"correct errors in software"), so both sides are stemmed with the Snowball English stemmer and
the query side is expanded with :mod:`econ_index.classify.lexicon`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import Stemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from econ_index.classify.lexicon import EXPANSIONS
from econ_index.types import ScrubbedConversation

_TOKEN = re.compile(r"[a-z][a-z0-9]+")
# Placeholders left by the scrubber ("[EMAIL]", "<PERSON>") say nothing about the task.
_PLACEHOLDER = re.compile(r"[\[<][A-Z_]+[\]>]")
# Words that matter for tasks but sit in scikit-learn's stop list.
_KEEP = frozenset({"bill", "fire", "system", "computer", "interest", "call", "detail", "move"})
_STOP = frozenset(ENGLISH_STOP_WORDS - _KEEP) | frozenset(
    {
        "ll",
        "ve",
        "re",
        "don",
        "doesn",
        "isn",
        "thanks",
        "thank",
        "pleas",
        "hi",
        "hello",
        "ok",
        "okay",
        "like",
        "just",
        "want",
        "need",
        "help",
        "use",
        "using",
        "make",
        "sure",
        "know",
        "let",
        "really",
        "gonna",
        "im",
        "id",
        "ive",
        "dont",
        "thing",
        "things",
        "got",
        "lot",
    }
)

# Characters of each turn that reach the index: the request is at the start; long pastes
# (code, logs, documents) add noise and cost more than they inform.
USER_TURN_CHARS = 700
ASSISTANT_TURN_CHARS = 400
MAX_LATER_USER_TURNS = 3

_stemmer = Stemmer.Stemmer("english")


def _stem_map(pairs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for word, extra in pairs.items():
        key = _stemmer.stemWord(word)
        stems = tuple(_stemmer.stemWords([t for t in _TOKEN.findall(" ".join(extra))]))
        out[key] = tuple(dict.fromkeys(out.get(key, ()) + stems))
    return out


_EXPAND = _stem_map(EXPANSIONS)


def stems(text: str) -> list[str]:
    """Content-word stems of ``text``, in order."""
    words = [w for w in _TOKEN.findall(_PLACEHOLDER.sub(" ", text).lower()) if w not in _STOP]
    return [s for s in _stemmer.stemWords(words) if s not in _STOP]


def _with_bigrams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


def analyze_document(text: str) -> list[str]:
    """Analyzer for task statements: stems and stem bigrams."""
    return _with_bigrams(stems(text))


def analyze_query(text: str) -> list[str]:
    """Analyzer for conversation text: stems, bigrams and lexicon expansions."""
    tokens = stems(text)
    expanded = dict.fromkeys(e for t in tokens for e in _EXPAND.get(t, ()))
    return _with_bigrams(tokens) + list(expanded)


def _first(messages: Iterable[str], n: int) -> list[str]:
    out: list[str] = []
    for m in messages:
        if len(out) == n:
            break
        out.append(m)
    return out


def query_parts(conversations: Sequence[ScrubbedConversation]) -> tuple[list[str], ...]:
    """Split each conversation into (first user turn, later user turns, first assistant turn).

    The first user turn carries the request; later user turns refine it; the first assistant
    turn often restates the task in plainer words. Each part is truncated (see constants).
    """
    first_user: list[str] = []
    later_user: list[str] = []
    first_assistant: list[str] = []
    for conv in conversations:
        users = [m.content for m in conv.messages if m.role == "user"]
        assistant = next((m.content for m in conv.messages if m.role == "assistant"), "")
        first_user.append(users[0][:USER_TURN_CHARS] if users else "")
        later = _first(users[1:], MAX_LATER_USER_TURNS)
        later_user.append(" ".join(u[:USER_TURN_CHARS] for u in later))
        first_assistant.append(assistant[:ASSISTANT_TURN_CHARS])
    return first_user, later_user, first_assistant
