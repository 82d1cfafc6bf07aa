"""Synthetic AI-assistant conversations with gold labels: the demo corpus and the evaluation set.

Each work conversation is about one O*NET task, sampled by the AEI release's published usage
distribution, and follows one collaboration pattern. The task never appears verbatim: the user
paraphrases it (verb and word swaps, dropped words and clauses, a pick among "A or B"
alternatives, fronted purpose clauses, typos, casual register) and may mention their occupation
and workplace, as people do. Non-work chatter carries no task and the pattern ``none``.

This module must stay independent of the classifiers (it never imports them or their
vocabularies) so an evaluation on its output measures something.
"""

from __future__ import annotations

import json
import re
import uuid
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path
from random import Random

from econ_index import generate_phrases as ph
from econ_index.taxonomy import Task, Taxonomy, load_taxonomy
from econ_index.types import Pattern

_WORK_PATTERNS = tuple(Pattern(p) for p in ph.PATTERN_SHARES)
_PATTERN_CUM = tuple(accumulate(ph.PATTERN_SHARES.values()))
# Probability that a user's next conversation revisits one of their earlier tasks. Each earlier
# task was drawn from the AEI distribution, so the marginal distribution is unchanged.
_REPEAT_TASK = 0.3
_TERSE = 0.3  # share of work conversations whose task is named by the head of its clause only
_PII_RATE = 0.04  # share of user turns that carry an e-mail, phone number or name
_MARKERS = re.compile(
    r",?\s+(?=(?:such as|including|in order to|using|according to|in accordance with|"
    r"following|based on|to ensure|to determine|so that|as appropriate|for use in|by)\b)"
)
_PAREN = re.compile(r"\s*\([^)]*\)")
_ALT = re.compile(r"\b([a-z][\w'-]*) or ([a-z][\w'-]*)\b")
_WORD = re.compile(r"[a-z][a-z'-]+")
_KEYS = "qwertyuiopasdfghjklzxcvbnm"


@dataclass(frozen=True)
class GoldLabel:
    conversation_id: str
    onet_task_id: str | None
    pattern: Pattern
    is_work: bool


@dataclass(frozen=True, slots=True)
class _Phrasing:
    """One paraphrase of a task statement, in the pieces the templates need."""

    verb: str  # casual leading verb (group), lower case
    rest: str  # the object of the main clause
    mods: tuple[str, ...]  # kept modifier clauses ("using ...", "to ensure ...")


def _gerund(verb: str) -> str:
    def one(word: str) -> str:
        if word.endswith("ie"):
            return word[:-2] + "ying"
        if word.endswith("e") and not word.endswith(("ee", "ye")) and len(word) > 2:
            return word[:-1] + "ing"
        vowels = sum(c in "aeiou" for c in word)
        if len(word) <= 4 and vowels == 1 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou":
            return word + word[-1] + "ing"
        return word + "ing"

    head, _, tail = verb.partition(" ")
    if head in {"and", "or"}:
        return verb
    parts = verb.split(" and ")
    if len(parts) == 2:
        return f"{_gerund(parts[0])} and {_gerund(parts[1])}"
    return f"{one(head)} {tail}".rstrip()


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _occupation_names(title: str) -> tuple[str, str]:
    """(singular, plural) casual names from an O*NET title: 'Art, Drama, and Music Teachers,
    Postsecondary' -> ('music teacher', 'music teachers')."""
    segments = [s.strip() for s in re.split(r",|--", title) if s.strip()]
    head = next((s for s in segments if s.endswith("s") and not s.endswith("ss")), segments[0])
    head = head.removeprefix("and ").removeprefix("or ")
    words = [w if w.isupper() and len(w) <= 5 else w.lower() for w in head.split()]
    plural = " ".join(words)
    parts = plural.split(" and ")
    singular = " and ".join(
        " ".join([*p.split()[:-1], _singular(p.split()[-1])]) for p in parts if p.split()
    )
    return singular, plural


def _article(noun: str) -> str:
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


_NOT_NOUN = ("al", "ive", "ary", "ous", "ic", "ble", "ify", "ize", "ise", "ing", "ly", "ed", "ful")


def _verb_group(words: list[str]) -> int:
    """How many words the leading verbs take: "Direct or coordinate", "Identify, research, and
    resolve" (a statement starts with its verbs)."""
    i = 1
    while i < len(words) - 1 and (words[i - 1].endswith(",") or words[i] in {"or", "and"}):
        i += 2 if words[i] in {"or", "and", "and/or"} else 1
    return min(i, len(words))


def _task_nouns(statement: str) -> list[str]:
    """Likely nouns of the statement, plurals first (they read best in the templates)."""
    seen: list[str] = []
    words = statement.split()
    for word in _WORD.findall(" ".join(words[_verb_group(words) :]).lower()):
        if (
            len(word) >= 4
            and word not in ph.STOPWORDS
            and word not in ph.VERB_SWAPS
            and word not in ph.DROPPABLE
            and not word.endswith(_NOT_NOUN)
            and "'" not in word
            and word not in seen
        ):
            seen.append(word)
    plural = [w for w in seen if w.endswith("s") and not w.endswith(("ss", "ous", "sis"))]
    return (plural + [w for w in seen if w not in plural])[:5]


class _Speaker:
    """Writes one conversation: holds the random source and the conversation's slot values."""

    def __init__(self, rng: Random, task: Task | None) -> None:
        self.rng = rng
        self.task = task
        self.casual = rng.random() < 0.45
        self.typo_rate = rng.choice((0.0, 0.0, 0.01, 0.02, 0.04))
        # Values a user and the assistant must agree on within one conversation.
        self.slots: dict[str, str] = {
            "k": str(rng.randint(2, 4)),
            "tone": rng.choice(ph.TONES),
            "length": rng.choice(ph.LENGTHS),
            "fmt": rng.choice(ph.FORMATS),
        }
        self.domain = ph.GENERIC_DOMAIN
        self.shape = "list"
        self.used: set[str] = set()
        if task is not None:
            self._fill_task_slots(task)

    # -- slot values ---------------------------------------------------------------------------

    def _fill_task_slots(self, task: Task) -> None:
        rng = self.rng
        self.domain = ph.DOMAINS.get(task.major_soc_code[:2], ph.GENERIC_DOMAIN)
        shapes = ("code",) * 8 + ("list",) * 2 if self.domain.code else ()
        self.shape = rng.choice(shapes or ("email", "memo", "memo", "table", "list", "list"))
        phr = self._paraphrase(task.statement)
        main = f"{phr.verb} {phr.rest}".strip()
        imp = " ".join([main, *phr.mods])
        nouns = _task_nouns(task.statement) or ["details", "numbers"]
        occ, occ_plural = _occupation_names(task.occupation_title)
        place = rng.choice(self.domain.places)
        front = phr.mods[0] if phr.mods else ""
        self.slots.update(
            imp=imp,
            main=main,
            ger=" ".join([_gerund(phr.verb), phr.rest, *phr.mods]).strip(),
            obj=phr.rest or main,
            Front=front[:1].upper() + front[1:],
            front_clause=f"It's {front}." if front else "",
            noun=nouns[0],
            noun2=rng.choice(nouns[1:]) if len(nouns) > 1 else "the paperwork",
            aud=rng.choice(self.domain.audiences),
            place=place,
            at_place=f" at {place}" if rng.random() < 0.5 else "",
            occ=occ,
            a_occ=_article(occ),
            Occ=occ[:1].upper() + occ[1:],
            occ_plural=occ_plural,
            art=(art := rng.choice(self.domain.artifacts)),
            a_art=_article(art),
            Obj=(phr.rest or main)[:1].upper() + (phr.rest or main)[1:],
            fn="_".join(nouns[:2]),
            fn_camel=nouns[0] + "".join(n.title() for n in nouns[1:2]),
            col=nouns[0].rstrip("s") + "_id",
            table=nouns[-1],
            assumption=f"{nouns[0]} are already collected",
        )
        intro = self.fill(rng.choice(ph.SELF_INTROS)) if rng.random() < 0.45 else ""
        self.slots["intro"] = intro

    def _paraphrase(self, statement: str) -> _Phrasing:
        rng = self.rng
        text = statement.strip().rstrip(".")
        if rng.random() < 0.7:
            text = _PAREN.sub("", text)
        words = text.split()
        i = _verb_group(words)
        verbs = [
            self._swap(w.rstrip(",").lower(), ph.VERB_SWAPS, 0.6)
            for w in words[:i]
            if w not in {"or", "and", "and/or"}
        ]
        if len(verbs) > 1 and rng.random() < 0.6:
            verb = rng.choice(verbs)
        else:
            verb = " and ".join(verbs[:2])
        clauses = _MARKERS.split(" ".join(words[i:]))
        rest, mods = clauses[0], clauses[1:]
        if rng.random() < _TERSE:
            # Terse users name only the head of the task: "prepare budget reports", no clauses.
            return _Phrasing(verb, self._roughen(" ".join(rest.split()[: rng.randint(2, 4)])), ())
        keep = [m for m in mods if rng.random() < (0.3 if m.startswith(("such", "incl")) else 0.55)]
        return _Phrasing(verb, self._roughen(rest), tuple(self._roughen(m) for m in keep))

    def _roughen(self, clause: str) -> str:
        rng = self.rng
        clause = _ALT.sub(
            lambda m: (
                m.group(0)
                if rng.random() < 0.4 or {m.group(1), m.group(2)} & ph.STOPWORDS
                else rng.choice((m.group(1), m.group(2)))
            ),
            clause,
        )
        chunks = clause.split(", ")
        if len(chunks) >= 3 and chunks[-1].startswith(("and ", "or ")) and rng.random() < 0.6:
            last = chunks[-1].split(" ", 1)[1]
            clause = f"{chunks[0]} and {rng.choice([*chunks[1:-1], last])}"
        out: list[str] = []
        for word in clause.split():
            low = word.lower()
            if low in ph.DROPPABLE and rng.random() < 0.6:
                continue
            out.append(self._swap(low, ph.WORD_SWAPS, 0.45) if low in ph.WORD_SWAPS else word)
        return " ".join(out)

    def pick(self, bank: tuple[str, ...]) -> str:
        """A template from ``bank``, avoiding ones this conversation already used."""
        fresh = [t for t in bank if t not in self.used] or list(bank)
        choice = self.rng.choice(fresh)
        self.used.add(choice)
        return choice

    def pick_many(self, bank: tuple[str, ...], k: int) -> list[str]:
        fresh = [t for t in bank if t not in self.used]
        chosen = self.rng.sample(fresh if len(fresh) >= k else list(bank), k)
        self.used.update(chosen)
        return chosen

    def _swap(self, word: str, bank: dict[str, tuple[str, ...]], p: float) -> str:
        options = bank.get(word)
        return self.rng.choice(options) if options and self.rng.random() < p else word

    def fill(self, template: str) -> str:
        rng = self.rng
        values = {
            "num": rng.choice(ph.NUMBERS),
            "years": str(rng.randint(2, 15)),
            "deadline": rng.choice(ph.DEADLINES),
            "nth": rng.choice(ph.ORDINALS),
            **self.slots,
        }
        return template.format_map(values)

    # -- surface noise -------------------------------------------------------------------------

    def _typo(self, word: str) -> str:
        rng = self.rng
        pos = rng.randrange(1, len(word) - 1)
        kind = rng.randrange(4)
        if kind == 0:
            return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
        if kind == 1:
            return word[:pos] + word[pos + 1 :]
        if kind == 2:
            return word[:pos] + word[pos] + word[pos:]
        return word[:pos] + rng.choice(_KEYS) + word[pos + 1 :]

    def user(self, text: str) -> str:
        """A user turn with the writer's typos and register, and occasionally some PII."""
        rng = self.rng
        if self.typo_rate:
            text = " ".join(
                self._typo(w) if len(w) > 4 and w.isalpha() and rng.random() < self.typo_rate else w
                for w in text.split(" ")
            )
        if self.casual:
            text = text[:1].lower() + text[1:]
            if text.endswith(".") and rng.random() < 0.5:
                text = text[:-1]
        if rng.random() < _PII_RATE:
            text = f"{text} {self._pii()}"
        return text.strip()

    def _pii(self) -> str:
        rng = self.rng
        first, last = rng.choice(ph.FIRST_NAMES), rng.choice(ph.LAST_NAMES)
        email = f"{first}.{last}@{rng.choice(ph.EMAIL_DOMAINS)}".lower()
        area, line = rng.choice(ph.US_AREA_CODES), rng.randint(100, 199)
        phone = rng.choice(
            (
                f"({area}) 555-0{line - 100:03d}",
                f"{area}-555-0{line - 100:03d}",
                f"+1 {area} 555 0{line - 100:03d}",
                f"+44 20 7946 0{line:03d}",
            )
        )
        return rng.choice(ph.PII_SNIPPETS).format(name=f"{first} {last}", email=email, phone=phone)

    # -- assistant output ----------------------------------------------------------------------

    def deliverable(self, intro: str | None = None, shape: str | None = None) -> str:
        """A draft in this conversation's usual shape (code, e-mail, memo, table or list)."""
        rng = self.rng
        intro = self.fill(intro if intro is not None else self.pick(ph.DELIVERABLE_INTROS))
        outro = self.fill(rng.choice(ph.DELIVERABLE_OUTROS))
        shape = shape or self.shape
        if shape == "code":
            code = self.fill(rng.choice(ph.CODE_TEMPLATES))
            notes = "\n".join(f"- {self.fill(s)}" for s in self.pick_many(ph.STEPS, 3))
            body = f"{code}\n\nHow it works and what to watch:\n{notes}"
        elif shape == "email":
            paras = "\n\n".join(self.fill(p) for p in self.pick_many(ph.PARAGRAPHS, 3))
            body = self.fill("Subject: {Obj}\n\nHi all,\n\n") + paras
            body += "\n\nBest regards,\n[Your name]"
        elif shape == "memo":
            steps = self.pick_many(ph.STEPS, rng.randint(4, 6))
            listed = "\n".join(f"{n}. {self.fill(s)}" for n, s in enumerate(steps, 1))
            body = (
                f"**Purpose**\n{self.fill(self.pick(ph.PARAGRAPHS))}\n\n**Steps**\n{listed}"
                f"\n\n**Timeline**\n{self.fill(rng.choice(ph.TIMELINE))}"
            )
        elif shape == "table":
            rows = "\n".join(
                f"| {self.fill(s).rstrip('.')} | {rng.choice(('me', 'team lead', 'you', 'TBD'))} "
                f"| {rng.choice(ph.DEADLINES)} |"
                for s in self.pick_many(ph.STEPS, rng.randint(3, 6))
            )
            body = f"| Step | Owner | Due |\n|---|---|---|\n{rows}"
        else:
            steps = self.pick_many(ph.STEPS, rng.randint(5, 8))
            body = self.fill("**{Obj}**\n\n") + "\n".join(
                f"{n}. {self.fill(s)}" for n, s in enumerate(steps, 1)
            )
        return "\n\n".join(p for p in (intro, body, outro) if p)

    def review(self) -> str:
        rng = self.rng
        points = self.pick_many(ph.REVIEW_POINTS, rng.randint(2, 4))
        listed = "\n".join(f"{n}. {self.fill(p)}" for n, p in enumerate(points, 1))
        praise = self.fill(rng.choice(ph.VALIDATION_PRAISE))
        closing = self.fill("Fix those and it's ready for {aud}.")
        return f"{rng.choice(ph.VALIDATION_REVIEWS)}\n\n{listed}\n\n{praise} {closing}"

    def explanation(self, with_example: bool) -> str:
        rng = self.rng
        paras = [self.fill(p) for p in self.pick_many(ph.EXPLANATIONS, rng.randint(2, 4))]
        if with_example:
            paras.append(self.fill(self.pick(ph.EXAMPLES)))
        return "\n\n".join(paras)


def _request(sp: _Speaker) -> str:
    rng = sp.rng
    templates = ph.REQUESTS if sp.slots["Front"] else ph.REQUESTS[:9]
    parts = [
        rng.choice(ph.GREETINGS),
        sp.slots["intro"],
        sp.fill(rng.choice(templates)),
        *(sp.fill(d) for d in sp.pick_many(ph.DETAILS, rng.randint(1, 3))),
        sp.fill(rng.choice(ph.USER_CONTEXT)) if rng.random() < 0.75 else "",
    ]
    return " ".join(p for p in parts if p)


def _directive(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    first = f"{_request(sp)} {rng.choice(ph.DIRECTIVE_TAILS)}"
    turns = [("user", sp.user(first)), ("assistant", sp.deliverable())]
    if rng.random() < 0.6:
        again = sp.fill(sp.pick(ph.DIRECTIVE_MORE))
        turns += [("user", sp.user(again)), ("assistant", sp.deliverable())]
    if rng.random() < 0.4:
        turns += [("user", sp.user(rng.choice(ph.THANKS)))]
        turns += [("assistant", rng.choice(ph.ASSISTANT_ACKS))]
    return turns


def _feedback_loop(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    turns = [("user", sp.user(_request(sp))), ("assistant", sp.deliverable())]
    for _ in range(rng.randint(1, 4)):
        error = sp.fill(rng.choice(sp.domain.errors))
        report = rng.choice(ph.FEEDBACK_REPORTS).format(error=error)
        fix = sp.pick(ph.FEEDBACK_FIX_INTROS).replace("{cause}", sp.pick(ph.FEEDBACK_CAUSES))
        turns += [("user", sp.user(report)), ("assistant", sp.deliverable(fix))]
    return turns


def _task_iteration(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    opener = " ".join(p for p in (sp.slots["intro"], rng.choice(ph.ITERATION_OPENERS)) if p)
    turns = [("user", sp.user(sp.fill(opener))), ("assistant", sp.deliverable())]
    for follow, change in rng.sample(ph.ITERATION_FOLLOWUPS, rng.randint(1, 4)):
        intro = rng.choice(ph.ITERATION_INTROS).replace("{change}", change)
        shape = "table" if "table" in follow else None
        turns += [("user", sp.user(sp.fill(follow))), ("assistant", sp.deliverable(intro, shape))]
    return turns


def _validation(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    work = sp.fill(rng.choice(ph.WORK_SAMPLES))
    ask = sp.user(sp.fill(rng.choice(ph.VALIDATION_ASKS).replace("{work}", "<<WORK>>")))
    turns = [("user", ask.replace("<<WORK>>", work)), ("assistant", sp.review())]
    for follow, answer in zip(
        sp.pick_many(ph.VALIDATION_FOLLOWUPS, rng.randint(1, 2)),
        sp.pick_many(ph.VALIDATION_ANSWERS, 2),
        strict=False,
    ):
        turns += [("user", sp.user(sp.fill(follow))), ("assistant", sp.fill(answer))]
    return turns


def _learning(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    ask = sp.user(sp.fill(rng.choice(ph.LEARNING_ASKS)))
    turns = [("user", ask), ("assistant", sp.explanation(rng.random() < 0.5))]
    for follow in sp.pick_many(ph.LEARNING_FOLLOWUPS, rng.randint(1, 3)):
        with_example = "example" in follow or rng.random() < 0.4
        turns += [("user", sp.user(sp.fill(follow))), ("assistant", sp.explanation(with_example))]
    return turns


def _chitchat(sp: _Speaker) -> list[tuple[str, str]]:
    rng = sp.rng
    opener, answer, follow_ups = rng.choice(ph.CHITCHAT)
    values = {k: rng.choice(v) for k, v in ph.CHIT_FILL.items()}
    values["num"] = str(rng.randint(2, 8))
    turns = [
        ("user", sp.user(opener.format_map(values))),
        ("assistant", answer.format_map(values)),
    ]
    at_least = min(1, len(follow_ups) - 1)
    for follow, reply in rng.sample(follow_ups, rng.randint(at_least, len(follow_ups))):
        turns += [
            ("user", sp.user(follow.format_map(values))),
            ("assistant", reply.format_map(values)),
        ]
    return turns


_BUILDERS = {
    Pattern.DIRECTIVE: _directive,
    Pattern.FEEDBACK_LOOP: _feedback_loop,
    Pattern.TASK_ITERATION: _task_iteration,
    Pattern.VALIDATION: _validation,
    Pattern.LEARNING: _learning,
}


def _user_weights(n_users: int) -> list[float]:
    # Zipf-like activity: a few heavy users, a long tail of occasional ones.
    return list(accumulate(1.0 / (rank**0.8) for rank in range(1, n_users + 1)))


def generate_corpus(
    taxonomy: Taxonomy,
    n: int,
    seed: int = 7,
    *,
    n_users: int = 300,
    start: date = date(2025, 1, 6),
    weeks: int = 8,
    none_share: float = 0.1,
) -> Iterator[tuple[dict[str, object], GoldLabel]]:
    """Yield ``n`` (record, gold label) pairs; the same arguments always give the same corpus."""
    if not taxonomy.tasks:
        raise ValueError("the taxonomy has no tasks")
    rng = Random(seed)
    tasks = taxonomy.tasks
    weights = [taxonomy.usage_weight(t) for t in tasks]
    if not any(weights):
        weights = [1.0] * len(tasks)  # a plain O*NET release publishes no usage
    task_cum = list(accumulate(weights))
    user_cum = _user_weights(n_users)
    users = [f"u{rng.getrandbits(48):012x}" for _ in range(n_users)]
    history: dict[int, list[Task]] = {}
    origin = datetime.combine(start, time(), tzinfo=UTC)
    days = weeks * 7
    for _ in range(n):
        user = bisect(user_cum, rng.random() * user_cum[-1])
        conversation_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        is_work = rng.random() >= none_share
        task: Task | None = None
        if is_work:
            past = history.setdefault(user, [])
            if past and rng.random() < _REPEAT_TASK:
                task = rng.choice(past)
            else:
                task = tasks[bisect(task_cum, rng.random() * task_cum[-1])]
                past.append(task)
            pattern = _WORK_PATTERNS[bisect(_PATTERN_CUM, rng.random() * _PATTERN_CUM[-1])]
        else:
            pattern = Pattern.NONE
        speaker = _Speaker(rng, task)
        turns = _chitchat(speaker) if task is None else _BUILDERS[pattern](speaker)
        day = rng.randrange(days)
        weekday = (origin + timedelta(days=day)).weekday()
        if is_work and weekday >= 5 and rng.random() < 0.7:
            day = max(0, day + rng.randrange(5) - weekday)  # work happens mostly on weekdays
        hour = min(23, max(0, round(rng.gauss(13, 3.5)))) if is_work else rng.randrange(24)
        created = origin + timedelta(
            days=day, hours=hour, minutes=rng.randrange(60), seconds=rng.randrange(60)
        )
        record: dict[str, object] = {
            "conversation_id": conversation_id,
            "user_id": users[user],
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "messages": [{"role": role, "content": text} for role, text in turns],
        }
        gold = GoldLabel(
            conversation_id=conversation_id,
            onet_task_id=task.task_id if task else None,
            pattern=pattern,
            is_work=is_work,
        )
        yield record, gold


def write_corpus(
    path: Path,
    n: int,
    seed: int = 7,
    *,
    gold_path: Path | None = None,
    taxonomy: Taxonomy | None = None,
    **kw: object,
) -> int:
    """Write ``n`` conversations as JSONL (and their gold labels to ``gold_path``); return n.

    ``kw`` is passed on to :func:`generate_corpus` (``n_users``, ``start``, ``weeks``,
    ``none_share``).
    """
    tax = taxonomy if taxonomy is not None else load_taxonomy()
    path.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        gold_out = gold_path.open("w", encoding="utf-8") if gold_path else None
        try:
            for record, gold in generate_corpus(tax, n, seed, **kw):  # type: ignore[arg-type]
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                if gold_out is not None:
                    gold_out.write(
                        json.dumps(
                            {
                                "conversation_id": gold.conversation_id,
                                "onet_task_id": gold.onet_task_id,
                                "pattern": gold.pattern.value,
                                "is_work": gold.is_work,
                            }
                        )
                        + "\n"
                    )
                written += 1
        finally:
            if gold_out is not None:
                gold_out.close()
    return written
