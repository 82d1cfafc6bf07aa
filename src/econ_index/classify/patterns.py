"""Collaboration pattern from the shape of the dialogue (stage 3 of the local classifier).

The AEI patterns describe how the user works with the assistant, which shows in the user turns:

* feedback_loop: the user relays what the environment said (pasted errors, tracebacks,
  failing runs, reported output) so the assistant can fix its work;
* validation: the user asks the assistant to check the user's own work;
* learning: the user asks why/how/what, to understand rather than to get a deliverable;
* task_iteration: the user keeps shaping the result over further substantive turns;
* directive: the user delegates the task and takes the result (one request);
* none: not a work conversation (decided by the screen, passed in here).

Cues are matched per user turn, after dropping acknowledgements ("thanks, perfect!"). Relayed
errors or results anywhere win; then a request to check the user's own work in the opening
turn; then a learning-style opening (follow-ups such as "rephrase that more simply" stay
learning); then any further substantive user turn means iteration; a lone request is directive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from econ_index.types import Message, Pattern

# The ask sits at the start or the end of a turn; the middle of a long paste is skipped (speed).
HEAD_CHARS = 1200
TAIL_CHARS = 400

_WORD = re.compile(r"[a-z']+")


@dataclass(frozen=True, slots=True)
class _Turn:
    text: str  # lower-cased head and tail of the turn
    words: frozenset[str]

    @classmethod
    def of(cls, content: str) -> _Turn:
        if len(content) > HEAD_CHARS + TAIL_CHARS:
            content = f"{content[:HEAD_CHARS]}\n{content[-TAIL_CHARS:]}"
        text = content.lower()
        return cls(text, frozenset(_WORD.findall(text)))


class _Cue:
    """A regular expression over a turn, tried only when the turn has one of its keywords.

    Keywords are whole words (a set test) or, for parts of words, substrings; the gate spares
    most turns the regex (speed).
    """

    def __init__(self, words: str, pattern: str, substrings: tuple[str, ...] = ()) -> None:
        self.words = frozenset(words.split())
        self.substrings = substrings
        self.regex = re.compile(pattern, re.MULTILINE)

    def __call__(self, turn: _Turn) -> bool:
        gated = not self.words.isdisjoint(turn.words) or any(
            s in turn.text for s in self.substrings
        )
        return gated and self.regex.search(turn.text) is not None


class _AnyCue:
    """Several cues: true when any matches."""

    def __init__(self, *cues: _Cue) -> None:
        self.cues = cues

    def __call__(self, turn: _Turn) -> bool:
        return any(cue(turn) for cue in self.cues)


_GOT = r"\b(got|getting|get|throws?|gives?|gave|returns?|returned|shows?|showing) (me )?"
_DET = r"(an? |the |this |that |same |another |new )?(\w+ )?"

# Relayed feedback from the environment: pasted errors, failing runs, reported output.
_ERROR = _AnyCue(
    _Cue(
        "",
        r"traceback \(most recent call last\)|\w*(error|exception)\b\s*[:(]"
        rf"|{_GOT}{_DET}(error|exception|warning|traceback|stack trace)\b",
        ("error", "exception", "traceback", "warning", "stack trace"),
    ),
    _Cue(
        "",
        r"segmentation fault|\bexit (code|status) [1-9]|npm err!|undefined reference",
        ("fault", "exit ", "npm err", "undefined ref"),
    ),
    _Cue(
        "still now",
        r"\b(still|now) (getting|get|throws?|fails?|failing|crash(es|ing)?|broken"
        r"|errors?)\b",
    ),
    _Cue(
        "doesn't didn't won't not",
        r"\b(doesn't|does not|didn't|did not|won't) (work|compile"
        r"|run|build|pass)\b",
    ),
    _Cue(
        "failed fails failing",
        r"\b(test|tests|build|deploy(ment)?|query|script|command|code) "
        r"(failed|fails|is failing)\b",
    ),
    _Cue(
        "output here here's",
        r"\b(the )?output (is|was|says|shows)\b|\bhere('s| is) (the )?"
        r"(output|log|result|error)",
    ),
    _Cue(
        "ran tried tested executed deployed compiled applied plugged",
        r"\b(i|we) (ran|tried|tested|executed|deployed|compiled|applied|plugged)\b",
    ),
    _Cue("when", r"\bwhen (i|we) (run|try|test|execute|deploy|compile|open|load|call)\b"),
    _Cue(
        "crashes crashed hangs hung times timed prints printed outputs says said returns "
        "returned throws threw",
        r"\bit (crashes|crashed|hangs|hung|times out|timed out|prints"
        r"|printed|outputs|says|said|returns|returned|throws|threw)\b",
    ),
)
# The user asks to have their own work checked.
_VALIDATE = _Cue(
    "check review proofread verify validate grade critique evaluate look is are does do did have "
    "any "
    "am feedback sanity",
    r"\b(check|review|proofread|verify|validate|grade|critique|evaluate|double[- ]check"
    r"|look over) (over )?(my|this|these|our|it|if|whether|that)\b"
    r"|\b(is|are) (this|these|my|it|that|the) ([\w'-]+ ){0,2}(correct|right|accurate|ok|okay"
    r"|good|valid|wrong)\b|\b(does|do) (this|these|my|it|that|the) ([\w'-]+ ){0,2}(look|seem"
    r"|sound) (right|correct|ok|okay|good|accurate)\b"
    r"|\b(did i|have i) (get|do|make|calculate|miss)\b|\bany (mistakes|errors|issues) in\b"
    r"|\bam i (right|correct)\b|\bfeedback on my\b|\bsanity[- ]check\b",
)
# The user wants to understand, not to receive a deliverable.
_LEARN = _Cue(
    "why how explain understand what what's teach walk i'm am intuition simple eli5",
    r"\b(why|how) (does|do|is|are|did|would|should|can|come)\b|\bunderstand\b"
    r"|\b(can|could|would) you (please )?explain\b|^\W*(please )?explain\b"
    r"|\bexplain (to me|like|in simple|why|how|what|the difference)\b"
    r"|\bwhat('s| is| are| does) (the )?(difference|meaning|purpose|point|concept|idea)\b"
    r"|\bwhat does .{1,40} mean\b|\bteach me\b|\bwalk me through\b|\bhow to\b"
    r"|\bwhat (is|are) (a|an|the)?\s*\w+\??$|\bi('m| am) (confused|learning|studying|new to)\b"
    r"|\bintuition\b|\bin simple terms\b|\beli5\b",
)
# The user asks for a change to what the assistant produced.
_REFINE = _Cue(
    "make keep shorter longer more less change replace swap rename remove drop cut add include "
    "rephrase reword rewrite revise tweak adjust update expand shorten tighten tone instead "
    "again another also actually quite better",
    r"\b(make|keep) (it|this|that|them|the \w+) (more|less|shorter|longer|simpler|clearer"
    r"|friendlier|formal|casual|concise|punchier|warmer)\b|\b(shorter|longer|more concise"
    r"|more formal|less formal|more detail)\b|\b(change|replace|swap|rename|remove|drop|cut|add"
    r"|include|rephrase|reword|rewrite|revise|tweak|adjust|update|expand|shorten|tighten"
    r"|tone down)\b|\binstead\b|\btry again\b|\banother (version|option|draft)\b"
    r"|\bcan you also\b|\bactually\b|\bnot quite\b|\bbetter\b",
)
_ACKNOWLEDGE = frozenset(
    "thanks thank thx ty great perfect awesome cool ok okay got nice looks excellent brilliant "
    "amazing wonderful appreciate appreciated fantastic helpful exactly works worked".split()
)


def _acknowledgement(turn: _Turn) -> bool:
    """True for a short turn that asks for nothing ("thanks, that's what I needed").

    Short means at most 12 words, or 25 when it opens with thanks or praise.
    """
    words = _WORD.findall(turn.text[:300])
    limit = 25 if not _ACKNOWLEDGE.isdisjoint(words[:3]) else 12
    return len(words) <= limit and "?" not in turn.text and not _REFINE(turn) and not _ERROR(turn)


def _active_turns(messages: Sequence[Message]) -> list[_Turn]:
    """The user turns that ask for something: the opening, then all but acknowledgements."""
    users = [_Turn.of(m.content) for m in messages if m.role == "user"]
    return users[:1] + [u for u in users[1:] if not _acknowledgement(u)]


def _rule(active: Sequence[_Turn], *, error: bool, validate: bool, learn: bool) -> Pattern:
    if error:
        return Pattern.FEEDBACK_LOOP
    if validate:
        return Pattern.VALIDATION
    if learn:
        return Pattern.LEARNING
    if len(active) > 1:
        return Pattern.TASK_ITERATION
    return Pattern.DIRECTIVE


def collaboration_pattern(messages: Sequence[Message], *, is_work: bool) -> Pattern:
    """The AEI collaboration pattern of one conversation (``none`` when not work)."""
    if not is_work:
        return Pattern.NONE
    active = _active_turns(messages)
    if not active:
        return Pattern.NONE
    return _rule(
        active,
        error=any(_ERROR(u) for u in active),
        validate=_VALIDATE(active[0]),
        learn=_LEARN(active[0]),
    )


_OPENING_CUES = (("error", _ERROR), ("validate", _VALIDATE), ("learn", _LEARN))
_LATER_CUES = (("error", _ERROR), ("refine", _REFINE), ("learn", _LEARN))


def pattern_cues(messages: Sequence[Message]) -> list[str]:
    """The dialogue cues above as tokens, features of the learned pattern model."""
    active = _active_turns(messages)
    if not active:
        return ["cue:no_user"]
    first = {name: cue(active[0]) for name, cue in _OPENING_CUES}
    later = {name: any(cue(u) for u in active[1:]) for name, cue in _LATER_CUES}
    rule = _rule(
        active,
        error=first["error"] or later["error"],
        validate=first["validate"],
        learn=first["learn"],
    )
    return [
        f"cue:active_turns:{min(len(active), 4)}",
        *(f"cue:{name}:first" for name, hit in first.items() if hit),
        *(f"cue:{name}:later" for name, hit in later.items() if hit),
        f"cue:rule:{rule.value}",
    ]
