"""Occupational screen (stage 1 of the local classifier): is this conversation a work task?

A small logistic model over three kinds of evidence, with weights set by hand (documented below)
and checked on labelled examples:

* retrieval: how well the request matches the best O*NET task (cosine similarity). Work requests
  share vocabulary with task statements; chit-chat and trivia mostly do not.
* work cues: families of words that place a request in a job (clients, colleagues, code, reports,
  patients, students, deadlines...). Each family present adds evidence, up to three.
* personal cues: families that place it in private life (recipes for tonight, my partner, jokes,
  trivia, feelings, games...). Each family present removes evidence, up to three. Following the
  AEI guidance to "use none liberally", a personal cue outweighs a work cue.

p(work) = sigmoid(BIAS + SIMILARITY_WEIGHT * similarity + WORK_WEIGHT * work - PERSONAL_WEIGHT *
personal); a conversation is work when p(work) >= 0.5.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BIAS = -2.0
SIMILARITY_WEIGHT = 8.0
WORK_WEIGHT = 1.1
PERSONAL_WEIGHT = 1.8
CUE_CAP = 3

_TOKEN = re.compile(r"[a-z0-9&]+")


@dataclass(frozen=True)
class CueFamily:
    """Words and two-word phrases that signal one kind of context."""

    name: str
    words: frozenset[str]
    phrases: frozenset[str]


def _family(name: str, words: str, phrases: tuple[str, ...] = ()) -> CueFamily:
    return CueFamily(name, frozenset(words.split()), frozenset(phrases))


WORK_CUES: tuple[CueFamily, ...] = (
    _family(
        "people served",
        "client clients customer customers stakeholder stakeholders vendor "
        "vendors supplier suppliers patient patients student students users tenants",
    ),
    _family(
        "workplace",
        "boss coworker coworkers colleague colleagues employee employees staff "
        "hiring recruiter recruiting workplace",
        (
            "my manager",
            "my team",
            "our team",
            "my company",
            "our company",
            "my business",
            "our business",
            "my employer",
            "our firm",
            "my department",
            "our department",
            "our organization",
            "our organisation",
            "our startup",
            "our clinic",
            "our school",
            "our office",
            "our agency",
            "our store",
            "our shop",
            "at work",
            "for work",
            "my job",
            "the job",
        ),
    ),
    _family("time at work", "deadline meeting meetings quarterly quarter fiscal", ()),
    _family(
        "software",
        "code function bug api database sql query script deploy deployment "
        "server repo python javascript typescript java react docker compile compiler "
        "endpoint schema frontend backend kubernetes",
    ),
    _family(
        "documents",
        "report proposal presentation memo invoice contract policy budget "
        "forecast revenue spreadsheet excel dashboard kpi roadmap documentation spec specs "
        "specification",
    ),
    _family(
        "analysis",
        "dataset data analysis analyze analyse regression experiment research "
        "manuscript thesis grant literature citation citations",
    ),
    _family(
        "market",
        "campaign marketing brand product launch sales seo newsletter copy audience leads",
        ("press release", "landing page"),
    ),
    _family(
        "teaching", "lesson curriculum syllabus course rubric grading classroom lecture tutoring"
    ),
    _family(
        "law and money",
        "legal compliance regulation clause lawsuit court litigation "
        "audit tax taxes accounting ledger payroll",
    ),
    _family(
        "operations",
        "circuit sensor pcb cad beam structural voltage hvac plumbing wiring "
        "manufacturing machining equipment maintenance inspection facility facilities "
        "residents inventory warehouse logistics shipment shipments procurement "
        "blueprint specifications tolerance",
    ),
    _family(
        "health", "diagnosis diagnose symptoms treatment clinical dosage medication nursing therapy"
    ),
)
PERSONAL_CUES: tuple[CueFamily, ...] = (
    _family(
        "food at home",
        "recipe recipes dinner lunch breakfast leftovers snack",
        ("cook tonight", "bake cookies"),
    ),
    _family(
        "family and friends",
        "",
        tuple(
            f"my {w}"
            for w in "wife husband boyfriend girlfriend partner mom mum dad "
            "mother father kid kids son daughter family friend friends sister brother "
            "grandma grandpa dog cat puppy pet".split()
        ),
    ),
    _family(
        "occasions",
        "birthday wedding anniversary vacation holiday honeymoon dating crush tinder breakup",
        ("date night", "broke up"),
    ),
    _family(
        "fun",
        "joke jokes riddle riddles trivia pun puns horoscope zodiac tarot meme",
        ("fun fact", "fun facts"),
    ),
    _family(
        "entertainment",
        "movie movies netflix anime minecraft fortnite pokemon dnd",
        ("tv show", "tv shows", "video game", "video games", "fantasy football"),
    ),
    _family(
        "feelings",
        "lonely bored depressed heartbroken",
        ("feel sad", "feeling sad", "feel down", "feeling down", "cheer me", "my life", "of life"),
    ),
    _family(
        "self care",
        "workout gym skincare outfit haircut houseplant houseplants",
        ("lose weight", "my diet", "my garden"),
    ),
    _family(
        "trivia questions",
        "",
        ("who won", "who invented", "capital of", "how old", "how tall", "what year"),
    ),
)
GREETINGS = frozenset("hi hello hey yo sup how are you good morning night there".split())


def cue_counts(text: str, families: tuple[CueFamily, ...]) -> int:
    """How many cue families occur in ``text`` (capped at CUE_CAP).

    Text that is only a greeting counts as one personal family.
    """
    tokens = _TOKEN.findall(text.lower())
    words = set(tokens)
    bigrams = {f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)}
    hits = sum(
        1 for f in families if not (f.words.isdisjoint(words) and f.phrases.isdisjoint(bigrams))
    )
    if families is PERSONAL_CUES and words and words <= GREETINGS:
        hits += 1
    return min(CUE_CAP, hits)


def work_probability(
    similarity: npt.NDArray[np.float32],
    work: npt.NDArray[np.int64],
    personal: npt.NDArray[np.int64],
) -> npt.NDArray[np.float64]:
    """p(work) for each conversation from its best task similarity and cue counts."""
    logit = (
        BIAS
        + SIMILARITY_WEIGHT * similarity.astype(np.float64)
        + WORK_WEIGHT * work
        - PERSONAL_WEIGHT * personal
    )
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), dtype=np.float64)
