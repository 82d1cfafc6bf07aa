"""The privacy wall: replace personal data and secrets in text by typed placeholders.

Every detector returns character spans on the *original* text; spans are then resolved by
detector priority (the first detector to claim a stretch of text wins) and replaced in one pass,
so one value never yields two placeholders and placeholders are never re-scanned.

Structured identifiers are validated, not just pattern-matched, so that code and ordinary
numbers survive: payment cards must pass Luhn and carry a known issuer prefix, IBANs must pass
the ISO 7064 mod-97 check and their country's BBAN format, SSNs must use an issuable area,
IP addresses must parse with :mod:`ipaddress`, and phone numbers must be valid for their
numbering plan according to ``phonenumbers``.

Nothing here logs, and no exception carries text.
"""

from __future__ import annotations

import ipaddress
import math
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from urllib.parse import parse_qsl, urlsplit

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.ar import cuit as _cuit
from stdnum.be import nn as _be_nn
from stdnum.br import cpf as _cpf
from stdnum.ca import sin as _sin
from stdnum.ch import ssn as _ahv
from stdnum.cl import rut as _rut
from stdnum.cn import ric as _ric
from stdnum.es import dni as _dni
from stdnum.es import nie as _nie
from stdnum.fi import hetu as _hetu
from stdnum.fr import nir as _nir
from stdnum.in_ import aadhaar as _aadhaar
from stdnum.in_ import pan as _pan
from stdnum.it import codicefiscale as _cf
from stdnum.kr import rrn as _rrn
from stdnum.mx import curp as _curp
from stdnum.se import personnummer as _pnr
from stdnum.us import itin as _itin
from stdnum.us import ssn as _ssn


class PiiType(StrEnum):
    """Kinds of redacted data; the value is the key used in ``ScrubResult.counts``."""

    URL = "url"
    SECRET = "secret"
    EMAIL = "email"
    IBAN = "iban"
    CARD = "card"
    SSN = "ssn"
    NATIONAL_ID = "national_id"
    COORDINATES = "coordinates"
    DOB = "dob"
    ACCOUNT = "account"
    IP = "ip"
    PHONE = "phone"
    ADDRESS = "address"
    NAME = "name"

    @property
    def placeholder(self) -> str:
        return f"[{self.value.upper()}]"


@dataclass(frozen=True, slots=True)
class ScrubResult:
    text: str
    counts: dict[str, int]  # PII type -> replacements made

    @property
    def redacted(self) -> bool:
        return any(self.counts.values())


_ORDER = tuple(PiiType)  # also the priority: the first type to claim a stretch of text keeps it


class _Found:
    """Candidate spans of one text, resolved by type priority."""

    __slots__ = ("items", "keep_private_ips")

    def __init__(self, keep_private_ips: bool = False) -> None:
        self.items: list[tuple[int, int, int, PiiType]] = []
        self.keep_private_ips = keep_private_ips

    def add(self, kind: PiiType, start: int, end: int) -> None:
        if start < end:
            self.items.append((_ORDER.index(kind), start, end, kind))

    def covered(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for _, s, e, _ in self.items)

    def resolve(self) -> list[tuple[int, int, PiiType]]:
        taken: list[tuple[int, int, PiiType]] = []
        # by priority, then the earliest and, at one start, the longest span of a type
        for _, start, end, kind in sorted(self.items, key=lambda i: (i[0], i[1], -i[2])):
            if all(end <= s or start >= e for s, e, _ in taken):
                taken.append((start, end, kind))
        taken.sort()
        return taken


def _match_end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a pattern that may match nothing ends its match at ``pos``."""
    m = pattern.match(text, pos)
    return m.end() if m else pos


def _occurrences(text: str, word: str) -> Iterator[int]:
    """Start offsets of ``word`` where it is not part of a longer word."""
    i = text.find(word)
    while i != -1:
        j = i + len(word)
        if (i == 0 or not text[i - 1].isalnum()) and (j == len(text) or not text[j].isalnum()):
            yield i
        i = text.find(word, j)


# --- secrets ------------------------------------------------------------------------------

_PEM = re.compile(
    r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|\Z)",
    re.S,
)
# Vendor formats with a fixed prefix are unambiguous, so no entropy test is needed. Each
# pattern starts with a literal, which lets the regex engine skip ahead at C speed.
_VENDOR_KEYS = tuple(
    re.compile(p)
    for p in (
        r"sk-(?:ant-|proj-)?[A-Za-z0-9_-]{20,}",
        r"(?:AKIA|ASIA)[0-9A-Z]{16}",
        r"gh[pousr]_[A-Za-z0-9]{30,}",
        r"github_pat_[A-Za-z0-9_]{22,}",
        r"xox[abposr]-[A-Za-z0-9-]{10,}",
        r"eyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}",
        r"AIza[0-9A-Za-z_-]{35}",
        r"[spr]k_(?:live|test)_[A-Za-z0-9]{16,}",
        r"glpat-[A-Za-z0-9_-]{20,}",
        r"hf_[A-Za-z0-9]{30,}",
        r"npm_[A-Za-z0-9]{36}",
        r"SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}",
        # webhook URLs whose path is the secret (Slack, Discord): the group "v" is the secret
        r"hooks\.slack\.com/services/(?P<v>T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,})",
        r"/api/webhooks/(?P<v>\d{15,20}/[A-Za-z0-9_-]{50,})",
    )
)
# Vendors' published formats that the entropy test below misses (hex bodies, short keys), each
# a whole token: matched against the text's long tokens (one pass over its words, not one scan
# of the text per vendor). Shopify, DigitalOcean, Postman, Databricks, Mailchimp, Square.
_TOKEN_KEY = re.compile(
    r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|do[opr]_v1_[a-f0-9]{64}|PMAK-[a-f0-9]{24}-[a-f0-9]{34}"
    r"|dapi[a-f0-9]{32}(?:-\d)?|[0-9a-f]{32}-us\d{1,2}|sq0(?:atp|csp)-[A-Za-z0-9_-]{22,43}"
)
_TOKEN_KEY_STARTS = ("shp", "do", "PMAK-", "dapi", "sq0")
# A Telegram bot's token, "<bot id>:<35 characters>" (the second part begins with "AA").
_TELEGRAM_TOKEN = re.compile(r"(?<![\w:])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])")
# A password given on a command line: "mysql -u root -pS3cret!", "sshpass -p 'S3cret!' ssh".
# (the pattern opens on the flag's literal dash, so the engine skips to dashes at C speed; the
# command is looked for on the flag's line)
_CLI_PASSWORD = re.compile(
    r"-(?:p|a[ \t]+)(?:(?<=sshpass -p)[ \t]+)?(?P<q>['\"]?)(?P<v>[^\s'\"]{4,})(?P=q)(?=\s|$)"
)
_CLI_COMMAND = re.compile(r"\b(?:mysql|mysqldump|mysqladmin|mariadb|sshpass|redis-cli)\b")
_KEY_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
_AUTH_VALUE = re.compile(r"\s+([A-Za-z0-9._~+/-]{16,}=*)")
_SECRET_NAMES = ("key", "secret", "token", "passw", "pwd")
_IDENT_TAIL = re.compile(r"[A-Za-z0-9_-]*")
# What may follow a secret name inside its identifier ("API_KEY2", "tokens", "password_value");
# anything else makes another word ("KeyError", "keywords", "tokenizer", "passwordless").
_SECRET_SUFFIX = re.compile(r"(?i)(?:s|ord|d)?(?:[_-]?(?:\d+|id|value|val|str))?")
_PLACEHOLDER_VALUE = re.compile(r"\[[^\]]*\]|<[^>]*>|\*+|x+|\.+", re.I)
# Example values of documentation: "0123456789abcdef==", "your-api-key-here", "abcdefgh1234".
_EXAMPLE_SECRET = re.compile(
    r"(?i)123456789|abcdefgh|xxxxxx|your[_-]|[_-]here\b|fake|dummy|example|placeholder|changeme"
)
# The value after ``password:`` / ``API_KEY =``: quoted (taken whatever it looks like), wrapped
# in backticks, angle brackets or parentheses, or bare up to a delimiter; the last two kinds are
# skipped when they look like code (an identifier, a ``$VAR``).
_ASSIGNED_VALUE = re.compile(
    r"[\"']?[ \t]*[:=][ \t]*(?:\"(?P<dq>[^\"\s]{6,})\"|'(?P<sq>[^'\s]{6,})'"
    r"|`(?P<bt>[^`\s]{6,})`|<(?P<ab>[^<>\s]{6,})>|\((?P<pa>[^()\s]{6,})\)"
    r"|(?P<bare>[^\s\"'`,;(){}\[\]<>]{6,})(?=[\s,;\"'`)>\]}]|$))"
)
_QUOTED_GROUPS = ("dq", "sq")
_CODE_NAME = re.compile(r"[A-Za-z_][A-Za-z_.]*")
# Runs of the characters tokens are made of; everything else becomes a word break.
_TOKEN_SPLIT = str.maketrans(
    {chr(c): " " for c in range(128) if chr(c) not in _KEY_CHARS | set("+/=")}
)
_HEX = re.compile(r"[0-9a-fA-F-]+")
_IN_URL = re.compile(r"://[^\s\"'<>`]*\Z")
# Google Docs, Sheets, Slides and Drive name a document by a random id after "/d/": a link
# made to be shared, not a secret.
_DOC_ID_BEFORE = re.compile(r"(?:docs|drive)\.google\.com/(?:[\w-]+/)*d/\Z")
# Parameters a search engine adds to its result and redirect links ("google.com/url?...&psig=
# ...&ved=0CA8Qj..."): random-looking, but they track a click, they open nothing.
_TRACKING_PARAMS = frozenset("ved psig usg ei sei gs_lcp sxsrf uact oq".split())


def _entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values())


def _high_entropy(s: str) -> bool:
    """A random-looking token: mixed character classes and near the entropy of random base62."""
    if _HEX.fullmatch(s):
        return False  # hashes and UUIDs in code are not secrets
    upper = sum(c.isupper() for c in s)
    lower = sum(c.islower() for c in s)
    digits = sum(c.isdigit() for c in s)
    if upper < 2 or lower < 2 or digits < 2:
        return False
    # Random base62 of length n has entropy near log2(min(n, 62)); identifiers sit far below.
    return _entropy(s) >= 0.8 * math.log2(min(len(s), 62))


def _secret_name(text: str, lower: str, i: int, name: str, ident_end: int) -> bool:
    """The identifier around ``name`` names a secret: ``name`` ends it, give or take a suffix."""
    return _SECRET_SUFFIX.fullmatch(text, i + len(name), ident_end) is not None


def _secret_value(value: str, group: str, lower: str, i: int, ident_end: int, name: str) -> bool:
    if _PLACEHOLDER_VALUE.fullmatch(value) or value.lower() == lower[i:ident_end]:
        return False  # "[OMITTED]", "<token>", "***", "password": "password"
    if _EXAMPLE_SECRET.search(value):
        return False  # "api_key: 0123456789abcdef==", "your-api-key-here", "myFakeKey"
    has_digit = any(c.isdigit() for c in value)
    if lower[i:ident_end] == "key" and (i == 0 or lower[i - 1] not in _KEY_CHARS):
        # a bare "key" is a dictionary or React key far more often than an API key
        return has_digit and len(value) >= 12
    if name in ("key", "secret", "token") and not has_digit:
        return False  # random keys and tokens hold digits; "InChIKey": "SGEUNORSOZVTOL-..." not
    # ShareGPT escapes "_" as "\_"; a bare value naming the secret again is a variable
    # ("password=args.nvr\_password", "key=CONFIG.AWS\_SECRET\_ACCESS\_KEY")
    code = value.replace("\\_", "_")
    if group not in _QUOTED_GROUPS and name in code.lower():
        return False
    return group in _QUOTED_GROUPS or not (_CODE_NAME.fullmatch(code) or value[0] in "$%")


def _secrets(text: str, lower: str, words: list[str], found: _Found) -> None:
    if "PRIVATE KEY-----" in text:
        for m in _PEM.finditer(text):
            found.add(PiiType.SECRET, *m.span())
    for pattern in _VENDOR_KEYS:
        for m in pattern.finditer(text):
            s, e = m.span("v") if pattern.groupindex else m.span()
            if (s == 0 or text[s - 1] not in _KEY_CHARS) and (
                e == len(text) or text[e] not in _KEY_CHARS
            ):
                found.add(PiiType.SECRET, s, e)
    for scheme in ("bearer", "basic"):
        for i in _occurrences(lower, scheme):
            auth = _AUTH_VALUE.match(text, i + len(scheme))
            # "basic internationalization", "Bearer 0123456789abcdef..." of an API's docs
            if (
                auth
                and any(c.isdigit() for c in auth.group(1))
                and not _EXAMPLE_SECRET.search(auth.group(1))
            ):
                found.add(PiiType.SECRET, *auth.span(1))
    for name in _SECRET_NAMES:
        i = lower.find(name)
        while i != -1:
            ident_end = _match_end(_IDENT_TAIL, text, i)
            v = _ASSIGNED_VALUE.match(text, ident_end)
            if v and v.lastgroup is not None and _secret_name(text, lower, i, name, ident_end):
                value = v.group(v.lastgroup)
                if _secret_value(value, v.lastgroup, lower, i, ident_end, name):
                    found.add(PiiType.SECRET, *v.span(v.lastgroup))
            i = lower.find(name, ident_end)
    if ":AA" in text:
        for m in _TELEGRAM_TOKEN.finditer(text):
            found.add(PiiType.SECRET, *m.span())
    for m in _CLI_PASSWORD.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        value = m["v"]  # "$DB_PASSWORD", "<password>", "your_password" are not one
        if (
            text[m.start() - 1 : m.start()] in (" ", "\t")
            and _CLI_COMMAND.search(text, line_start, m.start())
            and value[0] not in "$%{[<("
            and not (_PLACEHOLDER_VALUE.fullmatch(value) or _EXAMPLE_SECRET.search(value))
        ):
            found.add(PiiType.SECRET, *m.span("v"))
    for word in words:
        if len(word) < 20:
            continue
        if word.startswith(_TOKEN_KEY_STARTS) or "-us" in word:
            if _TOKEN_KEY.fullmatch(word) and not _EXAMPLE_SECRET.search(word):
                for i in _occurrences(text, word):
                    found.add(PiiType.SECRET, i, i + len(word))
        if len(word) >= 32 and _high_entropy(word):
            for i in _occurrences(text, word):
                if _IN_URL.search(text, max(0, i - 200), i):
                    # a URL's path: only a segment that is itself random ("C4-PlantUML/master"
                    # is not), so each segment is judged alone
                    pos = i
                    for seg in word.split("/"):
                        # a document's id, a search engine's "psig=..." are no secrets
                        doc = _DOC_ID_BEFORE.search(text, max(0, pos - 80), pos)
                        tracking = seg.split("=", 1)[0].lower() in _TRACKING_PARAMS
                        if len(seg) >= 32 and _high_entropy(seg) and not (doc or tracking):
                            found.add(PiiType.SECRET, pos, pos + len(seg))
                        pos += len(seg) + 1
                else:
                    found.add(PiiType.SECRET, i, i + len(word))


# A secret named in prose: "my password is hunter22!", "Password - Xk9#mm2q", "PIN: 4821",
# "api key is 7f3a...", "Authorization: Token 9944b0...". The value must look like a secret (a
# digit or a symbol; a PIN all digits; a token 16+ characters), so "password is required",
# "pass: true" and code ("password = getpass()", "$PASSWORD", "<password>") are left alone.
_SPOKEN_SECRET = re.compile(
    r"(?i)\b(?P<name>passwords?|passphrase|passcode|passwd|pwd|pass|pin(?:[ \t]+(?:code|number))?"
    r"|api[ \t_-]?key|secret(?:[ \t_-]?key)?|access[ \t_-]?(?:key|token)|token)"
    r"(?:[ \t]+(?:is|was|will[ \t]+be|should[ \t]+be)[ \t]*:?|[ \t]*[:=\-\u2013][ \t]*"
    r"|(?<=token)[ \t]+)[ \t]*[\"'`\u201c]?(?P<value>[^\s\"'`\u201d]{4,80}?)[\"'`\u201d]?"
    r"(?=[.,;:!?)]*(?:\s|$))"
)
_SECRET_SYMBOLS = frozenset("!@#$%^&*+?~")


def _spoken_secrets(text: str, lower: str, found: _Found) -> None:
    if not _has_any(lower, ("pass", "pwd", "pin", "key", "secret", "token")):
        return
    for m in _SPOKEN_SECRET.finditer(text):
        name, value = m.group("name").lower(), m.group("value")
        if _PLACEHOLDER_VALUE.fullmatch(value) or _EXAMPLE_SECRET.search(value):
            continue
        if value[0] in "$%{[<(" or "(" in value:
            continue
        if name.startswith("pin"):
            ok = value.isdigit() and 4 <= len(value) <= 8
        elif name == "token" or name.startswith(("api", "secret", "access")):
            ok = len(value) >= 16 and any(c.isdigit() for c in value)
        else:
            ok = len(value) >= 6 and (
                any(c.isdigit() for c in value) or any(c in _SECRET_SYMBOLS for c in value)
            )
        if ok and not _CODE_NAME.fullmatch(value):
            found.add(PiiType.SECRET, *m.span("value"))


# --- URLs carrying credentials or secrets -------------------------------------------------

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{1,15}\Z")
_URL_REST = re.compile(r"[^\s<>\"'`)\]}]+")
_SECRET_PARAM = re.compile(
    r"(?i)(?:^|[_-])(?:token|secret|key|apikey|password|passwd|pwd|pass|auth|sig|signature|"
    r"session|sessionid|sid|credential|code)$"
)


def _url_leaks(url: str) -> bool:
    try:
        parts = urlsplit(url)
        if parts.password is not None:
            return True
    except ValueError:
        return False
    for key, value in parse_qsl(parts.query):
        if "://" in value:  # a redirect's target is judged as a URL of its own
            if _url_leaks(value):
                return True
            continue
        if _SECRET_PARAM.search(key) or (
            len(value) >= 20 and key.lower() not in _TRACKING_PARAMS and _high_entropy(value)
        ):
            return True
    return False


def _urls(text: str, found: _Found) -> None:
    i = text.find("://")
    while i != -1:
        scheme = _SCHEME.search(text, max(0, i - 16), i)
        rest = _URL_REST.match(text, i + 3)
        if scheme and rest:
            start = scheme.start()
            url = text[start : rest.end()].rstrip(".,;:!?")
            if _url_leaks(url):
                found.add(PiiType.URL, start, start + len(url))
        i = text.find("://", i + 3)


# --- e-mail -------------------------------------------------------------------------------

_LOCAL_PART = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+-]*\Z")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b")


_IMAGE_SUFFIX = re.compile(r"(?i)\.(?:png|jpe?g|gif|svg|webp|ico)\Z")


def _emails(text: str, found: _Found) -> None:
    i = text.find("@")
    while i != -1:
        local = _LOCAL_PART.search(text, max(0, i - 64), i)
        domain = _DOMAIN.match(text, i + 1)
        if (
            local
            and domain
            and (domain.end() == len(text) or text[domain.end()] not in "-_")
            and not _IMAGE_SUFFIX.search(domain.group())  # "icon@2x.png" is a file
        ):
            found.add(PiiType.EMAIL, local.start(), domain.end())
        i = text.find("@", i + 1)


# --- numbers: IBAN, card, SSN, IP, phone, street address ----------------------------------

# One pass over runs of digits and phone punctuation; every numeric type is decided from there.
_NUMBER_RUN = re.compile(r"[0-9][0-9 ().+-]*")
_RUN_TRAIL = " ().+-"
_GLUE = frozenset(string.ascii_letters + string.digits + "_.-/")

_IBAN = re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,8}(?: ?[A-Z0-9]{1,3})?\b")
_IBAN_TAIL = re.compile(r" ?[A-Z0-9]{1,4}$")

_CARD_SHAPE = re.compile(r"\d(?:[ -]?\d){12,18}")
_CARD_IIN = re.compile(
    r"4\d{12}(?:\d{3}){0,2}"  # Visa
    r"|(?:5[1-5]\d\d|222[1-9]|22[3-9]\d|2[3-6]\d\d|27[01]\d|2720)\d{12}"  # Mastercard
    r"|3[47]\d{13}"  # American Express
    r"|(?:6011|65\d\d|64[4-9]\d)\d{12,15}"  # Discover
    r"|35(?:2[89]|[3-8]\d)\d{12,15}"  # JCB
    r"|3(?:0[0-5]|[689]\d)\d{11,16}"  # Diners Club
    r"|62\d{14,17}"  # UnionPay
    r"|(?:5[06-9]|6\d)\d{10,17}"  # Maestro
)

_SSN_SHAPE = re.compile(r"\d{3}([- ])\d{2}\1\d{4}")
_SSN_KEYWORD = re.compile(
    r"(?i)(?:ssn|social security(?: number| no\.?)?|ss#)[\s:#.=\"'*`<(\[]{0,5}\Z"
)

_IPV4_SHAPE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
_VERSION_BEFORE = re.compile(r"(?i)\b(?:version|ver\.?|release|build|v)\s*\Z")
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")

# (and compact timestamps, "20221205-09:30:46")
_DATE_LIKE = re.compile(
    r"\(?(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{4}"
    r"|(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[-T]\d\d)\b"
)
# A label that makes a bare run of digits an identifier or a quantity, never a phone number:
# "project_id": "2203306141", "Income: 2267946983".
_NOT_PHONE_LABEL = re.compile(
    r"(?i)(?:\bid|_id|(?-i:[a-z]Id)|income|budget|revenue|salary|price|cost|amount|total|balance"
    r"|population|count|size|timestamp|epoch|seed)[\"']?[ \t]*[:=][ \t]*[\"']?\Z"
)

_UK_POSTCODE = r"[A-Z]{1,2}\d[A-Z\d]?[ \t]?\d[A-Z]{2}\b"
_STREET_SUFFIX = (
    r"Street|Avenue|Road|Boulevard|Lane|Drive|Court|Way|Place|Terrace|Circle|Parkway|Highway"
    r"|Square|Trail|Close|Crescent|Grove|Gardens|Mews|Row|Bay|Heights|Crossing|Loop|Alley|Plaza"
    r"|Ridge|Pike"
)
# Abbreviated suffixes may carry their full stop ("St."); a full word leaves the period alone.
_STREET_ABBR = r"St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Ter|Cir|Pkwy|Hwy|Sq|Trl"
_ADDRESS = re.compile(
    r"\d{1,6}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\.?\s+|\d{1,3}(?:st|nd|rd|th)\s+){1,3}"
    rf"(?:(?:{_STREET_SUFFIX})\b|(?:{_STREET_ABBR})\b\.?)"
    r"(?:\s+(?:NW|NE|SW|SE|N|S|E|W)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|#)\.?\s*#?[A-Za-z0-9-]+)?"
    r"(?:(?:,\s*|[ \t]+)[A-Z][a-z]+(?:\s[A-Z][a-z]+){0,2},?\s+(?:[A-Z]{2},?\s+\d{5}(?:-\d{4})?"
    rf"|[A-Z]{{2}}\b|{_UK_POSTCODE})|,?\s+{_UK_POSTCODE}"
    # a town alone closing the line or the sentence: "221 Baker Street, London."; without the
    # comma also before a number (a table's next column, a postcode): "74 Powers Bay Winnipeg 202"
    r"|,[ \t]*[A-Z][a-z]+(?:[ \t][A-Z][a-z]+)?(?=[ \t]*(?:\n|\Z|[.;)]))"
    r"|[ \t]+[A-Z][a-z]+(?=[ \t]*(?:\n|\Z|[.;)]|[ \t]\d)))?"
)
# The value of an "Address:" / "address1": field, up to the line's end or the next "Label:";
# e-mail, IP, MAC and web addresses are other things.
_ADDRESS_FIELD = re.compile(
    r"(?i)(?<!e-mail )(?<!email )(?<!mail )(?<!ip )(?<!mac )(?<!web )(?<!wallet )(?<!memory )"
    r"(?<!return )(?<!base )\b(?:postal |home |street |mailing )?address\d?[\"']?[ \t]*[:=][ \t]*"
    r"[\"']?(?P<value>[^\n\"'|]{4,160}?)(?=[\"'|]|,?[ \t]*\w+:|[ \t]*$)",
    re.M,
)
# Street lines of continental Europe: the street before its number ("Hamburger Straße 131
# 22083 Hamburg", "Calle Mayor 5, 28013 Madrid") or after it ("12 rue de Rivoli, 75001 Paris").
_CITY_AFTER = r"(?:,?[ \t]+\d{4,5}[ \t]+[A-ZÄÖÜÉÈ][\w'-]+(?:[ \t-][A-ZÄÖÜÉÈ][\w'-]+)?)?"
_EU_ADDRESS = re.compile(
    r"(?:(?:[A-ZÄÖÜ][\wäöüß.-]*[ \t]+)?[A-ZÄÖÜ][\wäöüß-]*(?:straße|strasse|str\.|weg|gasse|platz"
    r"|allee|damm|ufer)|[A-ZÄÖÜ][\wäöüß-]*[ \t]+(?:Straße|Strasse|Str\.)"
    r"|(?:Calle|C/|Avenida|Avda\.|Paseo|Carrer|Viale|Piazza|Corso|Rua|Travessa)[ \t]+"
    r"(?:(?:de|del|de[ \t]+la|dos|da|di|della)[ \t]+)?[A-ZÁÉÍÓÚ][\w'-]+"
    r"(?:[ \t]+[A-ZÁÉÍÓÚ][\w'-]+)?,?)"
    r"[ \t]+(?:n[º°o]\.?[ \t]*)?\d{1,4}[a-zA-Z]?\b"
    + _CITY_AFTER
    + r"|\b\d{1,4}(?:[ \t]?(?:bis|ter))?,?[ \t]+(?i:rue|avenue|boulevard|bd|all[ée]e|chemin|impasse"
    r"|quai|route|cours)[ \t]+(?:(?:de[ \t]+la|de|du|des|d')[ \t]*)?[A-ZÉÈ][\w'-]+"
    r"(?:[ \t]+(?:[A-ZÉÈ][\w'-]+|de|du|des|la|le))*" + _CITY_AFTER
)
# A flat or unit before a street line: "Flat 4, 27 Kingsway Road".
_UNIT_BEFORE = re.compile(
    r"(?i:flat|apartment|apt\.?|unit|suite)[ \t]+#?[A-Z]?\d{1,4}[A-Z]?,?[ \t]+\Z"
)
# Fields that go on an address: "Address: 1720 Crystal Lake Drive, City: Charleston, State: SC".
_ADDRESS_MORE = re.compile(
    r"[ \t]*[,|;]?[ \t]*(?i:city|town|state|province|region|zip(?:[ \t]?code)?"
    r"|post(?:al)?[ \t]?code|postcode|country)[\"']?[ \t]*[:=][ \t]*[\"']?"
    r"(?P<value>[^\n,\"'|;]{2,60}?)(?=[\"'|,;]|[ \t]*$)",
    re.M,
)
# An Indian address block: a flat, house, plot or door number line, up to three more lines,
# closing on the city and its six-digit PIN code ("Flat F1, Deccan Fields,\nOpp. Brookfield
# Mall, Kundalahalli,\nITPL main road, Bengaluru-560037").
_IN_ADDRESS = re.compile(
    r"(?im)^[ \t]*(?P<block>(?:flat|house|h\.?[ \t]?no|plot|door[ \t]no|d\.?[ \t]?no)\b\.?"
    r"[ \t]*(?:no\.?)?"
    r"[ \t:#-]*[A-Z]{0,2}[-/]?\d[\w/-]*,[^\n]{0,80}(?:\n[^\n]{0,80}){0,3}?"
    r"\b[A-Z][a-z]{2,}[ \t]*[-,]?[ \t]*[1-8]\d{2}[ \t]?\d{3}(?![\w-]))"
)
# "the 3 Supreme Court justices", "all 12 Oak Street residents": a count, not a house number
_COUNT_BEFORE = re.compile(r"(?i)\b(?:the|these|those|all|top|first|last|only)[ \t]+\Z")
_OBJECT_KEY = re.compile(r"[\"'][ \t]*:[ \t]*[{\[]")  # '"2203306141": {' keys an object by id
_PO_BOX = re.compile(
    r"(?i)\bP\.?[ \t]?O\.?[ \t]+Box[ \t]+\d+[^\n]*(?:\n[^\n]*\b[A-Z]\d[A-Z][ \t]?\d[A-Z]\d\b"
    r"|\n[^\n]*\b[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?\b)?"
)


def _not_personal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, strict: bool = False) -> bool:
    # localhost and "any" appear in code and configs all the time and identify nobody; with
    # ``strict`` (the strong scrubber) so do private, link-local and documentation ranges
    # (RFC 1918, 5737, 3849), which never reach a person across the internet
    if ip.is_loopback or ip.is_unspecified:
        return True
    return strict and (ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast)


def _iban_at(text: str, start: int) -> int | None:
    m = _IBAN.match(text, start)
    if not m:
        return None
    cand = m.group()
    # The pattern may run on into a following capitalised word; shorten group by group.
    while len(cand) >= 15:
        if _iban.is_valid(cand, check_country=False):
            return start + len(cand)
        cand = _IBAN_TAIL.sub("", cand)
    return None


def _ipv6_at(text: str, start: int, end: int, found: _Found) -> bool:
    lo, hi = start, end
    while lo > 0 and text[lo - 1] in _HEX_COLON:
        lo -= 1
    while (
        hi < len(text)
        and text[hi] in _HEX_COLON
        or (hi < len(text) and text[hi] == "." and hi + 1 < len(text) and text[hi + 1].isdigit())
    ):
        hi += 1
    cand = text[lo:hi].rstrip(":")
    if (lo > 0 and (text[lo - 1].isalnum() or text[lo - 1] == "_")) or cand.count(":") < 2:
        return False
    groups = [g for g in cand.split(":") if g]
    # Guards against slices (a[1::2]) and clock times (12:30:45), which can parse.
    if len(groups) < 2 or sum(map(len, groups)) < 5:
        return False
    try:
        ip = ipaddress.IPv6Address(cand)
    except ValueError:
        return False
    if not _not_personal(ip, found.keep_private_ips):
        found.add(PiiType.IP, lo, lo + len(cand))
    return True


class _Phones:
    """Phone validation by ``phonenumbers``, behind cheap length and shape checks."""

    def __init__(self, region: str) -> None:
        self.region = region
        meta = phonenumbers.PhoneMetadata.metadata_for_region(region)
        if meta is None or meta.general_desc is None:
            raise ValueError(f"unknown phone region {region!r}")
        lengths = set(meta.general_desc.possible_length)
        prefix = meta.national_prefix or ""
        self.national_lengths = frozenset(lengths | {n + len(prefix) for n in lengths})

    def find(self, text: str, start: int, end: int, digits: int, found: _Found) -> None:
        cand = text[start:end]
        if cand.startswith("(00"):  # "(0044 20 ...)": the parenthesis wraps the number
            start, cand = start + 1, cand[1:]
        intl = cand.startswith(("+", "00"))
        if _DATE_LIKE.match(cand):
            return
        if cand.isdigit() and (
            _NOT_PHONE_LABEL.search(text, max(0, start - 20), start) or _OBJECT_KEY.match(text, end)
        ):
            return
        if (intl or digits in self.national_lengths) and self._valid(
            text, start, end, self.region, found
        ):
            return
        if intl or not 7 <= digits <= 15 or not _standalone(text, start, end):
            return
        if _NANP_SHAPE.fullmatch(cand):  # "858-123-4567": formatted as a phone, plan or not
            if not _placeholder_digits(cand):
                found.add(PiiType.PHONE, start, end)
            return
        if "." in cand:
            return  # decimals ("0.7979313"), which other plans would read as numbers
        # A national number ("(07) 3265 3888", "0528654793") valid in another common country.
        if cand.startswith(("0", "(0")) and _valid_elsewhere(cand):
            found.add(PiiType.PHONE, start, end)
            return
        # Labelled ("Tel:", "phoneNumber": "..."), even if no numbering plan knows it.
        if _PHONE_CUE.search(text, max(0, start - 40), start) and not _placeholder_digits(cand):
            found.add(PiiType.PHONE, start, end)

    @staticmethod
    def _valid(text: str, start: int, end: int, region: str, found: _Found) -> bool:
        # Context on both sides lets phonenumbers reject dates and clock times.
        lo, hi = max(0, start - 3), min(len(text), end + 4)
        window = text[lo:hi]
        if text.startswith("00", start):
            # "00" is the international call prefix in most of the world; " +" keeps offsets.
            window = window[: start - lo] + " +" + window[start - lo + 2 :]
        hit = False
        for pm in phonenumbers.PhoneNumberMatcher(window, region, phonenumbers.Leniency.VALID):
            s = lo + pm.start
            found.add(PiiType.PHONE, max(start, start if s == start + 1 else s), lo + pm.end)
            hit = True
        return hit


# Countries whose national numbers are tried when the default region finds none (the most
# common in English-language chat after the US, and Korea's and Japan's "010-9949-3703",
# "090-1234-5678"): a leading 0 is their trunk prefix.
_OTHER_REGIONS = (
    "GB",
    "AU",
    "IN",
    "CA",
    "IE",
    "NZ",
    "ZA",
    "DE",
    "FR",
    "IL",
    "NG",
    "PK",
    "PH",
    "KR",
    "JP",
)
_NANP_SHAPE = re.compile(r"\(?[2-9]\d\d\)?[ .-]?\d{3}[.-]\d{4}|[2-9]\d\d-\d{3}-\d{4}")
_PHONE_CUE = re.compile(
    r"(?i)(?:phone|\btel\b|mobile|\bcell|\bfax\b|hotline|whatsapp|电话|手机)[^\n\d]{0,30}\Z"
)


_DIGIT_BEFORE = re.compile(r"\d[ (-]*\Z")
_DIGIT_AFTER = re.compile(r"[ )-]*\d")


def _standalone(text: str, start: int, end: int) -> bool:
    """Not a piece of a longer run of numbers (a card, a table row) nor a "#" number."""
    before = text[max(0, start - 3) : start]
    return not (
        before.endswith("#")
        or _DIGIT_BEFORE.search(before) is not None
        or _DIGIT_AFTER.match(text, end, end + 3) is not None
    )


def _valid_elsewhere(cand: str) -> bool:
    digits = "".join(c for c in cand if c.isdigit())
    for region in _OTHER_REGIONS:
        try:
            number = phonenumbers.parse(digits, region)
            if phonenumbers.is_valid_number_for_region(number, region):
                return True
        except phonenumbers.NumberParseException:
            continue
    return False


def _placeholder_digits(cand: str) -> bool:
    d = "".join(c for c in cand if c.isdigit())
    return len(set(d)) <= 2 or d in "01234567890123456789" or d in "98765432109876543210"


_SUB_RUN_TOKENS = 12  # runs of more space-separated pieces are tables of numbers, not PII
_SUB_RUN_WIDTH = 6  # the most pieces one value spans ("+33 1 42 68 53 00")


# No-break and figure spaces ("+91\xa081245\xa006450" of a WhatsApp export, "'X-Key':\xa0'..."
# of a pasted web page) are spaces to every detector; one character for one keeps the offsets.
_ODD_SPACES = ("\xa0", "\u2007", "\u202f")
_SPACES = str.maketrans(dict.fromkeys(_ODD_SPACES, " "))


def _numbers(text: str, phones: _Phones, found: _Found) -> None:
    for m in _NUMBER_RUN.finditer(text):
        start = m.start()
        end = start + len(m.group().rstrip(_RUN_TRAIL))
        before = len(found.items)
        _number_at(text, start, end, phones, found)
        if len(found.items) == before and " " in text[start:end]:
            _sub_runs(text, start, end, phones, found)


def _sub_runs(text: str, start: int, end: int, phones: _Phones, found: _Found) -> None:
    """A run joins neighbouring numbers ("4111 1111 1111 1111 203.0.113.42", "4. (1986 Hill"):
    when the whole run is nothing, try its space-separated pieces, longest stretches first."""
    pieces = [(start + t.start(), start + t.end()) for t in re.finditer(r"\S+", text[start:end])]
    if len(pieces) > _SUB_RUN_TOKENS:
        return
    # A piece ending in "." ends a sentence, and a date is never part of a longer value.
    stops = [text[e - 1] == "." for _, e in pieces]
    dates = [bool(_DATE_LIKE.match(text, s, e)) for s, e in pieces]
    i = 0
    while i < len(pieces):
        last = next((k for k in range(i, len(pieces)) if stops[k]), len(pieces) - 1)
        for j in range(min(last + 1, i + _SUB_RUN_WIDTH), i, -1):
            if j - i > 1 and any(dates[i:j]):
                continue
            lo, hi = pieces[i][0], pieces[j - 1][1]
            while lo < hi and not text[lo].isdigit():
                lo += 1  # "(" and "+" are looked at as context by _number_at
            while hi > lo and text[hi - 1] in _RUN_TRAIL:
                hi -= 1
            if lo == hi or (lo, hi) == (start, end):
                continue
            before = len(found.items)
            _number_at(text, lo, hi, phones, found)
            if len(found.items) > before:
                i = j
                break
        else:
            i += 1


def _number_at(text: str, start: int, end: int, phones: _Phones, found: _Found) -> None:
    """Decide what the number run ``text[start:end]`` is (IBAN, IP, SSN, card, phone, address)."""
    n = len(text)
    prev = text[start - 1] if start else " "
    nxt = text[end] if end < n else " "
    if start >= 2 and text[start - 2 : start].isupper() and text[start - 2 : start].isalpha():
        if start == 2 or not text[start - 3].isalnum():
            iban_end = _iban_at(text, start - 2)
            if iban_end is not None:
                found.add(PiiType.IBAN, start - 2, iban_end)
                return
    if (nxt == ":" or prev == ":") and _ipv6_at(text, start, end, found):
        return
    # A leading "+" or "(" belongs to a phone number, never to the other types.
    lead = start
    if prev in "+(":
        lead -= 1
        if lead and text[lead - 1] == "+":  # "+(44) ..."
            lead -= 1
    before = text[lead - 1] if lead else " "
    if before in _GLUE or nxt.isalnum() or nxt == "_":
        return  # part of an identifier, version, path or hash
    cand = text[start:end]
    if cand.isdigit() and len(cand) <= 6:
        addr = _ADDRESS.match(text, start)
        if addr and not _COUNT_BEFORE.search(text, max(0, start - 8), start):
            found.add(PiiType.ADDRESS, start, addr.end())
        if len(cand) < 6:
            return
    if found.covered(start, end):
        return
    digits = sum(c.isdigit() for c in cand)
    if _IPV4_SHAPE.fullmatch(cand):
        _ipv4(text, start, end, found)
    elif digits < 7:
        return
    elif _SSN_SHAPE.fullmatch(cand) and _ssn.is_valid(cand.replace(" ", "-")):
        found.add(PiiType.SSN, start, end)
    elif (
        digits == 9
        and cand.isdigit()
        and _SSN_KEYWORD.search(text, max(0, start - 30), lead)
        and _ssn.is_valid(cand)
    ):
        found.add(PiiType.SSN, start, end)
    elif _is_card(cand, digits):
        found.add(PiiType.CARD, start, end)
    else:
        phones.find(text, lead, end, digits, found)


def _is_card(cand: str, digits: int) -> bool:
    if not 13 <= digits <= 19 or not _CARD_SHAPE.fullmatch(cand):
        return False
    number = cand.replace(" ", "").replace("-", "")
    return bool(_CARD_IIN.fullmatch(number)) and _luhn.is_valid(number)


# Public addresses everyone types: resolvers and the stock example address. No one's machine.
_WELL_KNOWN_IPS = frozenset(
    "8.8.8.8 8.8.4.4 1.1.1.1 1.0.0.1 9.9.9.9 208.67.222.222 208.67.220.220 1.2.3.4".split()
)
_CIDR = re.compile(r"/(\d{1,2})\b")


def _ipv4(text: str, start: int, end: int, found: _Found) -> None:
    if _VERSION_BEFORE.search(text, max(0, start - 10), start):
        return
    try:
        ip = ipaddress.IPv4Address(text[start:end])
    except ValueError:
        return
    if _not_personal(ip, found.keep_private_ips):
        return
    if found.keep_private_ips:
        # strict: a network ("22.1.11.0/24", "10.2.0.0") or a well-known resolver is no host
        cidr = _CIDR.match(text, end)
        if (cidr and cidr.group(1) != "32") or text[start:end].endswith(".0"):
            return
        if text[start:end] in _WELL_KNOWN_IPS:
            return
    found.add(PiiType.IP, start, end)


# --- identifiers, accounts, dates of birth and coordinates by validator or cue word ---------

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    r"(?i)(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    r"|\d{4}[/.-]\d{1,2}[/.-]\d{1,2}(?!\d)"
    rf"|{_MONTH}\.?[ \t]+\d{{1,2}}{_ORD}(?:,?[ \t]+\d{{4}})?(?!\d)"
    rf"|\d{{1,2}}{_ORD}(?:[ \t]+of)?[ \t-]+{_MONTH}\.?(?:,?[ \t-]+\d{{4}})?(?!\d)"
    r"|\d{4}年\d{1,2}月\d{1,2}日?)"
)
_DOB_CUE = re.compile(
    r"(?i)(?:date[ \t]+of[ \t]+birth|birth[ \t_-]?date|\bd\.?o\.?b\b\.?|\bborn\b(?:[ \t]+on)?"
    r"|birthday|geburtsdatum|geboren(?:[ \t]+am)?|fecha[ \t]+de[ \t]+nacimiento"
    r"|date[ \t]+de[ \t]+naissance|n[ée]e?[ \t]+le|data[ \t]+di[ \t]+nascita|出生日期|出生|生日)"
)
# An encyclopaedia's lead, "Jane Roe (born October 24, 1983) is an American singer": a public
# person's birth date ("RRB" is the closing bracket of tokenised text).
_BIOGRAPHY_LEAD = re.compile(
    r"[ \t]*,?[ \t]*(?:\d{4})?[ \t]*(?:\)|-?RRB-?)[ \t]*(?:is|was)[ \t]+(?:an?|the)[ \t]"
)
_DOB_GAP = re.compile(r"[ \t:=|\-\"'(*]*(?:(?:is|was|on|of|the|:)[ \t:]*)*")

# Acronyms are case-sensitive ("sin" and "pan" are words, Math.sin is code).
_ID_CUE = re.compile(
    r"(?:\b(?:SSN|SIN|NINO|TIN|TFN|NIF|NIE|DNI|BSN|CPF|PAN|UID|NIN|NIC|ITIN|CURP|NRIC|HKID|HETU)\b"
    r"|(?i:\bsocial[ \t]+(?:security|insurance)\b|\bnational[ \t]+insurance\b"
    r"|\bpassport\b|\bdriver'?s?[ \t]+licen[cs]e\b|\blicen[cs]e[ \t]+(?:number|no)\b"
    r"|\bid(?:entity|entification)?[ \t]+(?:card[ \t]+)?(?:number|no)\b|\bnational[ \t]+id\b"
    r"|\btax[ \t]+(?:id|number|file[ \t]+number)\b|\bpersonnummer\b|\bpesel\b|\baadhaa?r\b"
    # other countries' names for them, with or without "number"
    r"|\b(?:nhs|medicare)[ \t]+(?:card[ \t]+)?(?:number|no)\b|\bcpr[- \t]?(?:nummer|nr|number)\b"
    r"|\bf[øo]dselsnummer\b|\bhenkil[öo]tunnus\b|\bkimlik[ \t]+(?:no|numarası)\b"
    r"|\bsteuer[- \t]?(?:id|identifikationsnummer|nummer)\b|\b(?:personal)?ausweis(?:nummer)?\b"
    r"|\bsozialversicherungsnummer\b|\bburgerservicenummer\b|\bcodice[ \t]+fiscale\b"
    r"|\bnum[ée]ro[ \t]+de[ \t]+s[ée]curit[ée][ \t]+sociale\b|\bcarte[ \t]+d'identit[ée]\b"
    r"|\bc[ée]dula\b|\bteudat[ \t]+zehut\b"
    r"|身份证))"
)
# The words that make a number a person's account, each a regex alternative that starts with
# its own literal prefix: the prefix is the cheap substring gate (``_ACCOUNT_GATE``), so the
# words are stated once.
_ACCOUNT_CUE_WORDS = (
    r"bank[ \t]+account",
    r"account",
    r"acct",
    r"a/c",
    r"customer",
    r"client",
    r"member(?:ship)?",
    r"policy",
    r"patient",
    r"student",
    r"employee",
    r"staff",
    r"applicant",
    r"application",
    r"case",
    r"claim",
    r"subscriber",
    r"loyalty",
    r"passenger",
    r"booking",
    r"pnr",
    r"reservation",
    r"confirmation",
    r"registration",
    r"reg",
    r"reference",
    r"ref",
    r"roll",
    r"enrol(?:l?ment)?",
    r"admission",
    r"matriculation",
    r"user[ \t]?id",
    r"sort[ \t]+code",
    r"routing",
    r"mrn",
    r"medical[ \t]+record",
    r"ticket",
    # abbreviations and the records of utilities, funds, loans and studies ("Acc No: 4471",
    # "Consumer No. 110234567", "Folio No 91023", "Participant ID 20031")
    r"acc",
    r"emp",
    r"consumer",
    r"folio",
    r"loan",
    r"candidate",
    r"participant",
    r"beneficiary",
    r"subscription",
    r"tenant",
    r"donor",
    # other languages' names for a customer or an account number
    r"cliente",
    r"compte",
    r"cuenta",
    r"conta",
    r"kunden(?:nummer|[ \t-]?nr)",
    r"konto(?:nummer|[ \t-]?nr)?",
    r"mitglieds(?:nummer|[ \t-]?nr)",
    r"versicherten(?:nummer|[ \t-]?nr)",
    r"klantnummer",
    r"rekeningnummer",
)
# The owners named by keys of code and JSON ("customer_id", "GroupOwnerId", "user-1367...").
_ACCOUNT_KEY_WORDS = (
    "account",
    "owner",
    "customer",
    "client",
    "member",
    "user",
    "employee",
    "patient",
    "student",
    "subscriber",
)
_ACCOUNT_CUE = re.compile(rf"(?i)\b(?:{'|'.join(_ACCOUNT_CUE_WORDS)})\b")
_ACCOUNT_KEY = re.compile(
    rf"(?i)(?:(?:{'|'.join(_ACCOUNT_KEY_WORDS)})"
    r"[_-]?(?:id|no|number|num)[\"']?[ \t]*[:=][ \t]*[\"']?|\buser[_-])(?P<value>\d{5,20})\b"
)
# After a cue without "no." / "#": ":" or "=" before a run of digits and dashes, or "is" or a
# space before 6+ digits, alone or after a capital prefix ("client 10023488", "my user id
# is 88213004", "account ACC-00918237"; not "case 3").
_ACCOUNT_GAP = re.compile(r"[ \t]*[:=][ \t]*|[ \t]+(?:is[ \t]+)?")
_ACCOUNT_RUN = re.compile(r"\d[\d -]{5,20}\d")
_ACCOUNT_DIGITS = re.compile(r"(?:\d{6,20}|[A-Z]{2,6}[-_]?\d{6,20})(?!\w)(?![.,/:-]\d)")
# (an abbreviated cue keeps its full stop before "No.": "Reg. No. 56208657")
_CUE_MARK = re.compile(r"(?i)\.[ \t]*(?:no|nr)\.|[ \t]*(?:(?:no|nr|num|number|id|code)\b\.?|#)")
_CUE_GAP = re.compile(r"[ \t]*(?:(?:is|was)\b|[:=#\-|])?[ \t:=#*\"'`]*")
# (a check character in brackets closes a Hong Kong id: "A123456(3)"; "CUS_8812734")
_ID_VALUE = re.compile(
    r"[A-Za-z0-9]+(?:[.\-/_][A-Za-z0-9]+|[ ](?=\d)\d+(?![A-Za-z]))*(?:\([0-9A]\))?"
)
_ANY_ID = re.compile(
    r"(?<![\w.-])(?<!\d )"
    r"(?:(?P<nino>[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D])"
    r"|(?P<pan>[A-Z]{3}[PCHABGJLFT][A-Z]\d{4}[A-Z])"
    r"|(?P<ric>\d{17}[\dX])"
    r"|(?P<cpf>\d{3}\.\d{3}\.\d{3}-\d{2})"
    r"|(?P<aadhaar>[2-9]\d{3} \d{4} \d{4})"
    r"|(?P<sin>\d{3}[ -]\d{3}[ -]\d{3})"
    r"|(?P<dni>\d{8}-?[A-Z]|[XYZ]-?\d{7}-?[A-Z])"
    r"|(?P<nir>[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2})"
    r"|(?P<cf>[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z])"
    # shapes of other countries' personal numbers, each kept only when its check passes: US ITIN,
    # Finnish henkilötunnus, Swedish personnummer, Korean RRN, Mexican CURP, Chilean RUT,
    # Argentine CUIL (the prefixes of persons), Belgian national number, Swiss AHV
    r"|(?P<itin>9\d\d-\d\d-\d{4})"
    r"|(?P<nordic>\d{6}[-+A-FU-Y]\d{3}[0-9A-FHJ-NPR-Y])"
    r"|(?P<rrn>\d{6}-\d{7})"
    r"|(?P<curp>[A-Z]{4}\d{6}[HMX][A-Z]{5}[0-9A-Z]\d)"
    r"|(?P<rut>\d{1,2}\.\d{3}\.\d{3}-[\dkK])"
    r"|(?P<cuil>2[0347]-\d{8}-\d)"
    r"|(?P<nn>\d{2}\.\d{2}\.\d{2}-\d{3}\.\d{2})"
    r"|(?P<ahv>756\.\d{4}\.\d{4}\.\d{2}))(?![\w-])(?! \d)"
)
# kind -> its validator, on the value without spaces, dashes or dots
_ID_CHECKS: dict[str, Callable[[str], bool]] = {
    "pan": _pan.is_valid,
    "ric": _ric.is_valid,
    "cpf": _cpf.is_valid,
    "aadhaar": _aadhaar.is_valid,
    "dni": lambda v: _dni.is_valid(v) or _nie.is_valid(v),
    "nir": _nir.is_valid,
    "cf": _cf.is_valid,
    "sin": _sin.is_valid,  # 3-3-3 with separators: a Canadian SIN (Luhn)
    "itin": _itin.is_valid,
    "nordic": lambda v: _hetu.is_valid(v) or _pnr.is_valid(v),
    "rrn": _rrn.is_valid,
    "curp": _curp.is_valid,
    "rut": _rut.is_valid,
    "cuil": _cuit.is_valid,
    "nn": _be_nn.is_valid,
    "ahv": _ahv.is_valid,
}
_NINO_BAD_PREFIX = frozenset("BG GB NK KN TN NT ZZ".split())

_COORD_PAIR = re.compile(
    r"(?<![\w.])(?P<lat>-?\d{1,2}\.\d{3,})[ \t]*(?P<deg>°)?[ \t]*(?P<ns>[NS])?"
    r"(?P<sep>[ \t]*[,;/ ][ \t]*)"
    r"(?P<lon>-?\d{1,3}\.\d{3,})[ \t]*°?[ \t]*(?P<ew>[EW])?(?![\w.])"
)
_DMS = re.compile(
    r"\d{1,3}[ \t]*°[ \t]*\d{1,2}(?:\.\d+)?[ \t]*['′](?:[ \t]*\d{1,2}(?:\.\d+)?[ \t]*(?:\"|″|''))?"
    r"[ \t]*[NSEW]\b"
)
# ("Latitude 12.971599 Longitude 77.594566": the value's three decimals make a colon needless)
_COORD_CUE = re.compile(r"(?i)\b(?:lat(?:itude)?|lng|lon(?:g(?:itude)?)?)\b[\"']?[ \t]*[:=]?[ \t]*")
# Words that say a pair of decimals is a position ("GPS: 51.5072 -0.1276", "location 40.71 ...").
_PLACE_CUE = re.compile(
    r"(?i)\b(?:lat(?:itude)?|lng|lon(?:g(?:itude)?)?|gps|coord(?:inate)?s?|location|position"
    r"|geo(?:location)?|waypoint|pin(?:ned)?|map)\b"
)
_DECIMAL = re.compile(r"-?\d{1,3}\.\d{3,}(?![\d.])")
# A number just before or after the pair on its line (a decimal, or any number before a comma),
# or a column of numbers ending the line above: the pair is a slice of an array or a table.
_NUMBER_NEAR = re.compile(r"(?:\d\.\d*[ \t]*[,;]?|\d[ \t]*[,;])[ \t]*\Z")
_LIST_MARK = re.compile(r"(?m)^[ \t]*\d{1,3}\.[ \t]+\Z")  # "1. 40.7128, -74.0060"
_NUMBER_AFTER = re.compile(r"[ \t]*[,;]?[ \t]*-?\d")
_NUMBER_ABOVE = re.compile(r"\d[ \t]*[,;]?[ \t]*\n[ \t]*\Z")
_NUMBER_BELOW = re.compile(r"[ \t]*[,;]?[ \t]*\n[ \t]*-?\d+(?:\.\d|[ \t,;])")
_ALTITUDE = re.compile(r",-?\d{1,5}(?![\d.,])")


def _validated_id(kind: str, value: str) -> bool:
    if kind == "nordic":  # the separator carries the century
        return bool(_ID_CHECKS[kind](value))
    compact = value.replace(" ", "").replace("-", "").replace(".", "")
    if kind == "nino":
        return compact[:2] not in _NINO_BAD_PREFIX
    return bool(_ID_CHECKS[kind](compact))


def _cued_value(text: str, end: int, digits: int = 4) -> tuple[int, int] | None:
    """The identifier right after a cue word ("no.", "#", "is", ":" may come between)."""
    pos = _match_end(_CUE_GAP, text, end)
    m = _ID_VALUE.match(text, pos)
    if not m:
        return None
    value = m.group().rstrip(" .-/")
    if sum(c.isdigit() for c in value) < digits:
        return None
    return m.start(), m.start() + len(value)


# Substrings without which a cue pattern cannot match: the case-insensitive cue patterns cost a
# regex step at every position of a long text, a substring test almost nothing, so they run only
# where one of these occurs (``lower`` is the lower-cased text, acronyms are looked up as typed).
_ID_ACRONYMS = (
    "SSN",
    "SIN",
    "NINO",
    "TIN",
    "TFN",
    "NIF",
    "NIE",
    "DNI",
    "BSN",
    "CPF",
    "PAN",
    "UID",
    "NIN",
    "NIC",
    "ITIN",
    "CURP",
    "NRIC",
    "HKID",
    "HETU",
)
_ID_WORDS = (
    "social",
    "national",
    "passport",
    "driver",
    "licen",
    "identi",
    "tax",
    "personnummer",
    "pesel",
    "aadha",
    "nhs",
    "medicare",
    "cpr",
    "dselsnummer",
    "henkil",
    "kimlik",
    "steuer",
    "ausweis",
    "sozialversicherung",
    "burgerservice",
    "fiscale",
    "curit",
    "dula",
    "zehut",
    "身份证",
)
_ID_SHORT = re.compile(r"id[ \t]+(?:card[ \t]+)?n")  # "id no", "id number": a literal prefix
# (the literal prefix of each cue and key word: "bank[ \t]+account" -> "bank")
_ACCOUNT_GATE = tuple(
    dict.fromkeys(re.split(r"[^a-z/]", w)[0] for w in _ACCOUNT_CUE_WORDS + _ACCOUNT_KEY_WORDS)
)
# Substrings without which no birth-date cue can match (birth, born, dob / d.o.b / d.ob / do.b,
# geburt, geboren; nacimiento, naissance, nascita, né; 出生, 生日), as patterns that open on a
# literal, which the engine skips to at C speed: a quarter of the cost of fourteen substring tests.
_DOB_B = re.compile(
    r"b(?:irth|orn|(?<=d\.o\.b)|(?<=do\.b)|(?<=d\.ob)|(?<=dob)|(?<=geb)(?:urt|oren))"
)
_DOB_N = re.compile(r"n(?:acimiento|aissance|ascita|é)")
_COORD_WORDS = ("lat", "lng", "lon")
_DIGIT = re.compile(r"\d")
# every decimal coordinate has one; opening on a literal, the engine skips to dots at C speed
_THREE_DECIMALS = re.compile(r"\.\d\d\d")


def _has_any(text: str, parts: tuple[str, ...]) -> bool:
    return any(p in text for p in parts)


def _dob_word(lower: str) -> bool:
    return bool(_DOB_B.search(lower) or _DOB_N.search(lower) or "出生" in lower or "生日" in lower)


def _id_cue_possible(text: str, lower: str) -> bool:
    return (
        _has_any(text, _ID_ACRONYMS)
        or _has_any(lower, _ID_WORDS)
        or _ID_SHORT.search(lower) is not None
    )


def _identifiers(text: str, lower: str, found: _Found) -> None:
    if _DIGIT.search(text):
        for m in _ANY_ID.finditer(text):
            kind = m.lastgroup or ""
            if _validated_id(kind, m.group()):
                found.add(PiiType.NATIONAL_ID, *m.span())
    id_cue = _id_cue_possible(text, lower)
    for m in _ID_CUE.finditer(text) if id_cue else ():
        mark = _CUE_MARK.match(text, m.end())
        span = _cued_value(text, mark.end() if mark else m.end())
        if span:
            cue = m.group().lower()
            us = cue == "ssn" or cue.startswith("social security")
            found.add(PiiType.SSN if us else PiiType.NATIONAL_ID, *span)
    # A bare 9-digit Luhn-valid number where a birth date or an identity cue is near: a SIN.
    if (id_cue or _dob_word(lower)) and (_DOB_CUE.search(text) or _ID_CUE.search(text)):
        for m in re.finditer(r"(?<![\w.-])\d{9}(?![\w-])", text):
            if _sin.is_valid(m.group()) or _ssn.is_valid(m.group()):
                found.add(PiiType.NATIONAL_ID, *m.span())


# Portfolio and creator sites whose first path segment is the person.
_PORTFOLIO_SITES = (
    "dribbble.com",
    "behance.net",
    "pinterest.com",
    "soundcloud.com",
    "twitch.tv",
    "vimeo.com",
    "kaggle.com",
    "linktr.ee",
    "about.me",
    "patreon.com",
    "codepen.io",
    "threads.net",
    "dev.to",
    "leetcode.com/u",
    "huggingface.co",
    "buymeacoffee.com",
    "ko-fi.com",
    "paypal.me",
    "venmo.com/u",
)
# Profile URLs of a person: LinkedIn profiles, social accounts and booking pages with one
# path segment (a second one is a repository or a post, not the person).
_PROFILE_URL = re.compile(
    r"(?i)(?<![\w.-])(?:https?://)?(?:www\.|[a-z]{2}\.|m\.)?"
    r"(?:linkedin\.com/(?:in|pub)/\n?[\w%.-]+/?"
    r"|calendly\.com/(?:[\w.-]|\\_)+(?:/[\w.-]+)?"
    r"|youtube\.com/(?:@|c/|user/|channel/)[\w.-]+"
    r"|reddit\.com/u(?:ser)?/[\w-]+|cash\.app/\$[\w.-]+|orcid\.org/\d{4}-\d{4}-\d{4}-\d{3}[\dX]"
    rf"|(?:{'|'.join(map(re.escape, _PORTFOLIO_SITES))})/@?"
    r"(?!(?:about|explore|search|login|signup|pricing|shots|jobs|blog|docs|datasets|models"
    r"|spaces|competitions|learn|discuss|tags|videos|watch|directory|features|help|settings"
    r"|c|pin|ideas|terms|privacy)\b)[\w.-]+(?![\w.-]|/\w)"
    r"|(?:twitter|x|instagram|facebook|tiktok|github|gitlab|medium|t)\.(?:com|me)/@?"
    r"(?!(?:about|explore|features|help|home|i|intent|login|marketplace|orgs|p|pages|pricing|"
    r"search|settings|share|sharer|signup|topics|watch|groups|events|hashtag|policies|privacy|"
    r"terms|docs|apps|enterprise|blog|security|reel|status|sponsors|new)\b)"
    r"[\w.-]+(?![\w.-]|/\w))"
)
_PROFILE_SITES = (
    "linkedin.com",
    "calendly.com",
    "twitter.com",
    "x.com/",
    "instagram.com",
    "facebook.com",
    "tiktok.com",
    "github.com",
    "gitlab.com",
    "medium.com",
    "t.me/",
    "youtube.com",
    "reddit.com",
    "cash.app",
    "orcid.org",
    *_PORTFOLIO_SITES,
)
# Every profile site's name holds one of these: a cheap test before the list's (a literal first)
_SITE_SUFFIX = re.compile(r"\.(?:co|me|app|org|net|tv|ee|io|to)")
# A query parameter that names a user account: Google's "ouid=1132...", "?user_id=88213",
# Facebook's "profile.php?id=1000123...".
_USER_PARAM = re.compile(
    r"(?i)(?:[?&](?:o?uid|user_?id|userid|account_?id|customer_?id|member_?id|profile_?id|fbid)"
    r"|profile\.php\?id)=(?P<value>[\w.-]*\d[\w.-]*)"
)
# A WhatsApp click-to-chat link carries its owner's number: "wa.me/919876543210".
_CHAT_LINK = re.compile(r"(?i)\bwa\.me/(?P<number>\+?\d{8,15})\b")
# An Indian UPI payment address: a handle or a phone number at a bank's or an app's handle, with
# no dot after it (so no e-mail address): "rahul.sharma@okaxis", "9876543210@paytm".
_UPI_ID = re.compile(
    r"@(?:upi|ybl|ibl|axl|apl|okaxis|okhdfcbank|okicici|oksbi|paytm"
    r"|axisbank|icici|hdfcbank|sbi|kotak|kmbl|yesbank|airtel|jio|freecharge|fbl|idfcbank"
    r"|waicici|wasbi|wahdfcbank|waaxis|pnb|boi|unionbank|barodampay|federal|indus)(?![\w.@-])"
)
_UPI_NAME = re.compile(r"(?<![\w.@-])[\w.-]{3,64}\Z")
# A user's own folder: "C:\Users\dan.q\", "/home/oladhari/", "/Users/jane/".
_HOME_DIR = re.compile(
    r"(?:\b[A-Za-z]:(?:\\{1,2}|/)|[\s\"'(=`]|^)(?:(?:\\{1,2}|/)?)(?i:Users|home)(?:\\{1,2}|/)"
    r"(?P<user>[^\\/\s\"'`:*?<>|$%{}\[\]~]{2,40})(?=\\|/)"
)
_GENERIC_USERS = frozenset(
    "user username users your_username yourusername yourname your-name you me admin "
    "administrator root ubuntu ec2-user runner pi vagrant public default shared guest name "
    "myuser jenkins node app www-data centos debian docker user1 test all macbookpro macbook "
    "macbookair imac".split()
)
_PLATFORMS = (
    "linkedin",
    "github",
    "gitlab",
    "twitter",
    "instagram",
    "telegram",
    "skype",
    "discord",
    "snapchat",
    "tiktok",
    "reddit",
)
# "linkedin thirumalai_31", "github: thiru31", "a user named jr_developer_om", Discord's older
# "jsmith#1234": a handle has a digit or an underscore (so "linkedin profile" or "user named
# Sam" are not handles).
_HANDLE_CUE = re.compile(
    rf"(?i)\b(?P<cue>{'|'.join(_PLATFORMS)}|user[ \t]?name|handle|user[ \t]+named|login)\b"
    r"[ \t]*(?:id\b)?[ \t]*(?:is\b|[:=-])?[ \t]*[\"'`]?@?"
    r"(?P<handle>[A-Za-z0-9](?:[A-Za-z0-9_.-]|\\_){2,40}(?:#\d{4}\b)?)"
)
_HANDLE_WORDS = (*_PLATFORMS, "user name", "username", "handle", "login")
# A contact line that gives a platform its handle: "Discord: Indifference". Alone on its line
# after the platform's label, the handle needs no digit.
_HANDLE_LINE = re.compile(
    rf"(?im)^[ \t*•-]*(?:{'|'.join(_PLATFORMS)})[ \t]*:[ \t]*@?"
    r"(?P<handle>[A-Za-z0-9](?:[A-Za-z0-9_.-]|\\_){2,40})[ \t]*$"
)
# A site on a hosting platform's subdomain, given at its root, is its maker's: a GitHub Pages
# user site ("jdoe.github.io"), an app named after its maker ("caioz.glitch.me"). With a path it
# is more often a project's documentation ("vitabletec.github.io/general-js-toolkit/"), kept.
# The pattern opens on the literal dot, so the engine skips to dots at C speed.
_HOSTED_SITE = re.compile(
    r"(?i)\.(?:github\.io|gitlab\.io|glitch\.me|netlify\.app|vercel\.app|herokuapp\.com"
    r"|pages\.dev|repl\.co|replit\.app|carrd\.co|neocities\.org)(?![\w.-]|/[\w%-])"
)
_SITE_LABEL = re.compile(r"(?<![\w.@/-])(?:https?://)?(?P<label>[A-Za-z0-9][A-Za-z0-9-]{1,62})\Z")
_NO_SITE = _GENERIC_USERS | frozenset(
    "www docs api app my-app myapp your-app yourapp demo example".split()
)
_NO_HANDLE = frozenset("none null nil yes link profile here private soon".split())
# The prompt of a GitHub Codespace names its user: "@jcbhmr ➜ /workspaces/llvm-box (main) $".
_PROMPT_USER = re.compile(r"(?m)^[ \t]*@(?P<handle>[A-Za-z0-9][A-Za-z0-9-]{0,38})[ \t]+\u279c")


# "@mmiller_92" in prose: a handle with a digit or an underscore ("@alice" may be anyone's
# mention, "@app.route" and line-initial "@my_decorator" are code).
_AT_HANDLE = re.compile(r"(?<=[ \t(])@(?P<handle>[A-Za-z0-9_]{3,30})(?![\w.@(-])")


# A LinkedIn profile export's own site: "daniliants.com (Personal)", "jdoe.dev/work (Portfolio)".
_PERSONAL_SITE = re.compile(
    r"(?P<site>(?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:/[^\s()]*)?)[ \t]*"
    r"\((?i:personal|portfolio)\)"
)


def _handles(text: str, lower: str, found: _Found) -> None:
    """Accounts that name their person: profile URLs, home folders, platform handles."""
    if "@" in text:
        for m in _AT_HANDLE.finditer(text):
            handle = m.group("handle")
            if any(c.isdigit() or c == "_" for c in handle) and not handle.isdigit():
                found.add(PiiType.ACCOUNT, m.start(), m.end())
    if _SITE_SUFFIX.search(lower) and _has_any(lower, _PROFILE_SITES):
        for m in _PROFILE_URL.finditer(text):
            found.add(PiiType.ACCOUNT, m.start(), m.end() - m.group().endswith("."))
    if "id=" in lower:
        for m in _USER_PARAM.finditer(text):
            found.add(PiiType.ACCOUNT, *m.span("value"))
    if "/home/" in lower or "users\\" in lower or "users/" in lower:
        for m in _HOME_DIR.finditer(text):
            if m.group("user").lower() not in _GENERIC_USERS:
                found.add(PiiType.ACCOUNT, *m.span("user"))
    if _has_any(lower, _HANDLE_WORDS):
        for m in _HANDLE_CUE.finditer(text):
            handle = m.group("handle").rstrip(".-")
            # "username=nvr\_username": a variable named after its field, not a handle
            named = m.group("cue").lower().replace(" ", "") in handle.lower().replace("\\_", "_")
            if any(c.isdigit() or c == "_" for c in handle) and not named:
                found.add(PiiType.ACCOUNT, m.start("handle"), m.start("handle") + len(handle))
    if "(personal)" in lower or "(portfolio)" in lower:
        for m in _PERSONAL_SITE.finditer(text):
            found.add(PiiType.ACCOUNT, *m.span("site"))
    for m in _HANDLE_LINE.finditer(text) if _has_any(lower, _PLATFORMS) else ():
        handle = m.group("handle").rstrip(".-")
        if handle.lower() not in _NO_HANDLE and handle.lower() not in _PLATFORMS:
            found.add(PiiType.ACCOUNT, m.start("handle"), m.start("handle") + len(handle))
    if "wa.me/" in lower:
        for m in _CHAT_LINK.finditer(text):
            found.add(PiiType.PHONE, *m.span("number"))
    for m in _UPI_ID.finditer(text):
        name = _UPI_NAME.search(text, max(0, m.start() - 64), m.start())
        if name:
            found.add(PiiType.ACCOUNT, name.start(), m.end())
    for m in _HOSTED_SITE.finditer(text):
        label = _SITE_LABEL.search(text, max(0, m.start() - 72), m.start())
        if label and label["label"].lower() not in _NO_SITE:
            found.add(PiiType.ACCOUNT, label.start(), m.end())
    for m in _PROMPT_USER.finditer(text) if "\u279c" in text else ():
        found.add(PiiType.ACCOUNT, m.start(), m.end("handle"))


# Identifiers found once by a cue, a column or a link are removed wherever they recur, as names
# are: a statement gives its account number once with "Account No." and then in every row.
_RECURRING = frozenset({PiiType.ACCOUNT, PiiType.NATIONAL_ID, PiiType.SSN})
_LINK_PREFIXES = frozenset("in pub u user c channel".split())
_SCHEME_PREFIX = re.compile(r"(?i)[a-z][a-z0-9+.-]*://")
_TOKEN_STOP = frozenset(" \t\n\r<>\"'`()[]{}|,;")
# a site's address, whose host may carry its owner's handle: "https://itkoopman.com/portfolio"
_SITE = re.compile(r"(?:[a-z][a-z0-9+.-]*://)?(?P<host>[\w-]+(?:\.[\w-]+)+)(?:[:/]\S*)?")


def _recurrence_key(value: str) -> str | None:
    """What of a found identifier names its person anywhere in the text: a link's first path
    segment after the site ("github.com/thiru31" -> "thiru31"), a handle without its "@". Only
    distinctive keys (6+ digits, 4+ characters with a digit or "_", or 6+ letters), so a year
    or a short word is never chased."""
    key = value.lstrip("@")
    if "/" in key:
        site, *path = _SCHEME_PREFIX.sub("", key, count=1).split("/")
        segments = [p for p in path if p and p.lower() not in _LINK_PREFIXES]
        if "." not in site or not segments:
            return None
        key = segments[0].lstrip("@")
    if key.isdigit():
        return key if len(key) >= 6 else None
    if any(c.isdigit() or c == "_" for c in key):
        return key if len(key) >= 4 else None
    return key if len(key) >= 6 else None


def _recurring(text: str, found: _Found) -> None:
    keys = {
        (key, kind)
        for _, s, e, kind in list(found.items)
        if kind in _RECURRING and (key := _recurrence_key(text[s:e]))
    }
    for key, kind in keys:
        for start in _occurrences(text, key):
            end = start + len(key)
            if found.covered(start, end):
                continue
            lo, hi = start, end
            while lo > 0 and text[lo - 1] not in _TOKEN_STOP:
                lo -= 1
            while hi < len(text) and text[hi] not in _TOKEN_STOP:
                hi += 1
            token = text[lo:hi].rstrip(".")
            site = _SITE.fullmatch(token)
            # a site whose host carries the handle is the person's own: the whole link
            if site and key.lower() in site.group("host").lower():
                start, end = lo, lo + len(token)
            found.add(kind, start, end)


# A person's record in code or CSV: a first and a last name, then their number, quoted
# ('new Student("Yakir","Cohen","204325423","1998")'): an id card or student number.
_PERSON_RECORD = re.compile(
    r"([\"'])[A-Z][a-z]+\1[ \t]*,[ \t]*\1[A-Z][a-z]+\1[ \t]*,[ \t]*\1(?P<value>\d{6,12})\1"
)


def _accounts(text: str, lower: str, found: _Found) -> None:
    for m in _PERSON_RECORD.finditer(text) if _has_any(text, ('",', "',")) else ():
        found.add(PiiType.ACCOUNT, *m.span("value"))
    if not _has_any(lower, _ACCOUNT_GATE):
        return
    for m in _ACCOUNT_CUE.finditer(text):
        mark = _CUE_MARK.match(text, m.end())
        if mark:
            span = _cued_value(text, mark.end(), digits=3)
        else:  # no "no." / "#": a long run of digits after a colon, or of digits alone
            gap = _ACCOUNT_GAP.match(text, m.end())
            span = None
            if gap:
                run = _ACCOUNT_RUN if ":" in gap.group() or "=" in gap.group() else _ACCOUNT_DIGITS
                v = run.match(text, gap.end())
                span = v.span() if v else None
        if span:
            found.add(PiiType.ACCOUNT, *span)
    # keys of code and JSON: "GroupOwnerId": "203364475136", customer_id = 88123, user-13678898
    for m in _ACCOUNT_KEY.finditer(text):
        found.add(PiiType.ACCOUNT, *m.span("value"))


# A table's header cell naming a column of persons' identifiers ("Customer ID", "Patient No.",
# "Employee #", "Username"), or a bare "ID" where another column holds names or e-mails.
_HANDLE_HEADER = r"user[ \t_-]?name|login|handle"
_ID_COLUMN = re.compile(
    r"(?i)(?P<numbered>(?:customer|client|account|acct|member(?:ship)?|policy|patient|student"
    r"|employee|emp|staff|applicant|case|claim|subscriber|user|passenger|roll|reg(?:istration)?"
    r"|enrol(?:l?ment)?|admission|matriculation)[ \t_.-]*(?:id|no\.?|nr\.?|number|num|#|code))"
    rf"|{_HANDLE_HEADER}|account(?:[ \t_-]?number)?|(?P<bare>id)"
)
_HANDLE_COLUMN = re.compile(rf"(?i){_HANDLE_HEADER}")
_PERSON_COLUMN = re.compile(r"(?i)(?:first|last|full|given|family|sur)?[ \t_-]?name|e-?mail")
_TABLE_DELIMS = ("|", "\t", ";", ",")
_TABLE_RULE = re.compile(r"[\s|:+=-]*")  # "|---|:--|" between a markdown header and its rows
_CELL_ID = re.compile(r"[A-Za-z0-9][\w./-]*(?:[ ][\w./-]+){0,3}")
_CELL_HANDLE = re.compile(r"@?[A-Za-z0-9][\w.-]{2,40}")
_ROW_ID = re.compile(r"[ \t]*(\d{3,12})(?=[ \t])")
_TABLE_WORDS = ("id", "no", "nr", "num", "#", "code", "name", "login", "handle", "account")


def _cells(line: str, delim: str) -> list[tuple[int, int]]:
    """Each cell's stripped span within ``line`` (quotes and spaces off)."""
    out, pos = [], 0
    for part in line.split(delim):
        lo, hi = pos, pos + len(part)
        while lo < hi and line[lo] in " \t\"'`*":
            lo += 1
        while hi > lo and line[hi - 1] in " \t\"'`*\r":
            hi -= 1
        out.append((lo, hi))
        pos += len(part) + 1
    return out


def _id_columns(header: str) -> tuple[str, dict[int, re.Pattern[str]]] | None:
    """The delimiter of a header line and its identifier columns, each with the pattern its
    values must fit; delimiter "" is a space-aligned table whose first column is one (the only
    column whose cells can be told apart there)."""
    for delim in _TABLE_DELIMS:
        if delim not in header:
            continue
        names = [header[s:e] for s, e in _cells(header, delim)]
        people = any(_PERSON_COLUMN.fullmatch(n) for n in names)
        ids: dict[int, re.Pattern[str]] = {}
        for k, name in enumerate(names):
            m = _ID_COLUMN.fullmatch(name)
            if m and (people or not m["bare"]):
                ids[k] = _CELL_HANDLE if _HANDLE_COLUMN.fullmatch(name) else _CELL_ID
        return (delim, ids) if ids else None
    first = _ID_COLUMN.match(header.strip())
    return ("", {0: _ROW_ID}) if first and first["numbered"] else None


def _table_accounts(text: str, lower: str, found: _Found) -> None:
    """Identifiers in a pasted table or export, by the column their header names."""
    if not _has_any(lower, _TABLE_WORDS):
        return
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    i = 0
    while i < len(lines):
        cols = _id_columns(lines[i]) if len(lines[i]) < 400 else None
        i += 1
        if cols is None:
            continue
        delim, ids = cols
        width = len(lines[i - 1].split(delim)) if delim else 0
        while i < len(lines):
            line, base = lines[i], starts[i]
            if not delim:  # the row's leading number; a row's cell may run on over lines
                if not line.strip():
                    break
                m = _ROW_ID.match(line)
                if m:
                    found.add(PiiType.ACCOUNT, base + m.start(1), base + m.end(1))
            elif delim in line and len(line.split(delim)) == width:
                cells = _cells(line, delim)
                for k, pattern in ids.items():
                    s, e = cells[k]
                    value = line[s:e]
                    if (
                        pattern.fullmatch(value)
                        and not _DATE_LIKE.match(value)
                        and (pattern is _CELL_HANDLE or sum(c.isdigit() for c in value) >= 3)
                    ):
                        found.add(PiiType.ACCOUNT, base + s, base + e)
            elif not _TABLE_RULE.fullmatch(line) or not line.strip():
                break
            i += 1


def _address_fields(text: str, lower: str, found: _Found) -> None:
    if "address" in lower:
        for m in _ADDRESS_FIELD.finditer(text):
            value = m.group("value").rstrip(" ,.;")
            if any(c.isdigit() for c in value) or "," in value:
                if "@" not in value and "://" not in value:
                    end = m.start("value") + len(value)
                    found.add(PiiType.ADDRESS, m.start("value"), end)
                    more = _ADDRESS_MORE.match(text, end)
                    while more:
                        found.add(PiiType.ADDRESS, *more.span("value"))
                        more = _ADDRESS_MORE.match(text, more.end())
    for m in _EU_ADDRESS.finditer(text):
        found.add(PiiType.ADDRESS, m.start(), m.start() + len(m.group().rstrip(" ,")))
    for _, s, e, kind in list(found.items):
        unit = _UNIT_BEFORE.search(text, max(0, s - 20), s) if kind is PiiType.ADDRESS else None
        if unit:
            found.add(PiiType.ADDRESS, unit.start(), e)
    for m in _IN_ADDRESS.finditer(text):
        found.add(PiiType.ADDRESS, m.start("block"), m.end())
    if "box" in lower:
        for m in _PO_BOX.finditer(text):
            found.add(PiiType.ADDRESS, m.start(), m.start() + len(m.group().rstrip()))


def _birth_dates(text: str, lower: str, found: _Found) -> None:
    if not _dob_word(lower):
        return
    for m in _DOB_CUE.finditer(text):
        pos = _match_end(_DOB_GAP, text, m.end())
        d = _DATE.match(text, pos)
        if d and not _BIOGRAPHY_LEAD.match(text, d.end()):
            found.add(PiiType.DOB, *d.span())


# City centres that map libraries' documentation and tutorials use as their example position
# (San Francisco, New York, London, Paris, Los Angeles, Chicago, Tokyo, Sydney, Berlin), as
# typed there: no one's home. A position typed with more decimals is another place.
_EXAMPLE_POSITIONS = frozenset(
    (
        ("37.7749", "-122.4194"),
        ("40.7128", "-74.0060"),
        ("40.7128", "-74.006"),
        ("51.5074", "-0.1278"),
        ("48.8566", "2.3522"),
        ("34.0522", "-118.2437"),
        ("41.8781", "-87.6298"),
        ("35.6762", "139.6503"),
        ("-33.8688", "151.2093"),
        ("52.5200", "13.4050"),
    )
)


def _pairs(text: str) -> Iterator[re.Match[str]]:
    """``_COORD_PAIR.finditer`` tried only where a latitude can start: before a ".ddd" (which the
    engine finds at C speed), so a text full of decimals is not scanned position by position."""
    end = 0
    for d in _THREE_DECIMALS.finditer(text):
        start = d.start()
        while start > 0 and text[start - 1].isdigit():
            start -= 1
        signed = start - (text[start - 1 : start] == "-")  # "x-12.3456": unsigned, after "x-"
        m = _COORD_PAIR.match(text, signed) or _COORD_PAIR.match(text, start)
        if m and m.start() >= end:
            end = m.end()
            yield m


def _coordinates(text: str, lower: str, found: _Found) -> None:
    decimals = _THREE_DECIMALS.search(text) is not None
    for m in _pairs(text) if decimals else ():
        if (m["lat"], m["lon"]) in _EXAMPLE_POSITIONS:
            continue
        if _plausible_position(text, m):
            found.add(PiiType.COORDINATES, *m.span())
    for m in _DMS.finditer(text) if "°" in text else ():
        found.add(PiiType.COORDINATES, *m.span())
    for m in _COORD_CUE.finditer(text) if decimals and _has_any(lower, _COORD_WORDS) else ():
        d = _DECIMAL.match(text, m.end())
        if d:
            found.add(PiiType.COORDINATES, *d.span())


def _plausible_position(text: str, m: re.Match[str]) -> bool:
    """A pair of decimals that reads as one latitude/longitude, not two values of a series."""
    lat, lon = float(m.group("lat")), float(m.group("lon"))
    if abs(lat) > 90 or abs(lon) > 180:
        return False
    if abs(lat) < 1 and abs(lon) < 1:
        return False  # open sea off Africa ("Null Island"): scores and probabilities, not places
    if m.group("deg") or m.group("ns") or m.group("ew"):
        return True  # "51.5072° N, 0.1276° W"
    start, end = m.span()
    before = text[max(0, start - 12) : start]
    # a run of three or more numbers is an array of values, not a position, except KML's
    # "lon,lat,0" (an integer altitude closing the run)
    if (_NUMBER_NEAR.search(before) and not _LIST_MARK.search(before)) or (
        _NUMBER_AFTER.match(text, end) and not _ALTITUDE.match(text, end)
    ):
        return False
    cue = _PLACE_CUE.search(text, max(0, start - 60), start) is not None
    if not cue and (_NUMBER_ABOVE.search(before) or _NUMBER_BELOW.match(text, end)):
        return False  # a table's columns of decimals
    # two numbers with only a space between are a position only where a cue says so
    return cue or m.group("sep").strip() != ""


# --- person names -------------------------------------------------------------------------

_NAME_TAIL = re.compile(r"[ \t]+(?:[A-Z]\.[ \t]+)?([A-Z][a-z]+)(?:-[A-Z][a-z]+)?\b")
_HONORIFIC_TAIL = re.compile(
    r"\.?[ \t]+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?(?:[ \t]+[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)?\b"
)
_GREETING_TAIL = re.compile(r"[,!]?[ \t]+([A-Z][a-z]+)\b")
_HONORIFICS = frozenset("Mr Mrs Ms Miss Mx Dr Prof Sir Dame".split())
_GREETINGS = frozenset("Hi Hello Hey Dear Thanks Cheers Regards Sincerely Best".split())
# Census first names that are far more often ordinary words at the start of a sentence.
_AMBIGUOUS_FIRST = frozenset(
    "Will May June April August Grant Mark Bill Art Joy Hope Faith Page Sky Dale Lane Rich "
    "Summer Autumn Don Guy Chase Ray Rose Jack Bob Sue Pat Max Frank Carol Amber Ruby Pearl "
    "Dean Royal Major Son Young Golden Price Long Hunter Case Norman".split()
)


@cache
def _census_names() -> tuple[frozenset[str], frozenset[str]]:
    """First and last names from the US Census lists shipped in the ``names`` package."""
    pkg = resources.files("names")

    def load(*files: str) -> frozenset[str]:
        out: set[str] = set()
        for f in files:
            for line in pkg.joinpath(f).read_text(encoding="ascii").splitlines():
                if line:
                    out.add(line.split(None, 1)[0].capitalize())
        return frozenset(out)

    first = load("dist.male.first", "dist.female.first") - _AMBIGUOUS_FIRST
    return first, load("dist.all.last")


def _names(text: str, words: set[str], found: _Found) -> None:
    first, last = _census_names()
    for name in words & first:
        for i in _occurrences(text, name):
            m = _NAME_TAIL.match(text, i + len(name))
            if m and m.group(1) in last:
                found.add(PiiType.NAME, i, m.end())
    for title in words & _HONORIFICS:
        for i in _occurrences(text, title):
            m = _HONORIFIC_TAIL.match(text, i + len(title))
            if m:
                found.add(PiiType.NAME, i, m.end())
    for greeting in words & _GREETINGS:
        for i in _occurrences(text, greeting):
            m = _GREETING_TAIL.match(text, i + len(greeting))
            if m and m.group(1) in first:
                found.add(PiiType.NAME, *m.span(1))


# --- the scrubber -------------------------------------------------------------------------


class Scrubber:
    """Replace PII in text by typed placeholders such as ``[EMAIL]``.

    ``default_region`` decides how phone numbers written without a country code are read.
    ``names`` turns on person-name detection (US Census name lists, fully offline).
    ``thorough`` adds national identifiers of other countries, account numbers and address
    fields (validators and cue words): on real text it costs ~4x the time of the rest,
    so the fast scrubber of the local backend, whose text never leaves the process, leaves it
    off; :class:`econ_index.scrub_strong.StrongScrubber`, the one whose text may leave the
    machine, turns it on.

    This is the *fast* scrubber: validators, cue words and name lists, ~thousands of texts a
    second. :class:`econ_index.scrub_strong.StrongScrubber` adds a named-entity recogniser.
    """

    name = "fast"

    def __init__(
        self, *, default_region: str = "US", names: bool = True, thorough: bool = False
    ) -> None:
        self._phones = _Phones(default_region)
        self._names = names
        self._thorough = thorough
        if names:
            _census_names()  # load once up front, not on the first conversation

    def _find(self, text: str, found: _Found) -> list[str]:
        """Add every detector's candidates to ``found``; returns the text's words."""
        words = text.translate(_TOKEN_SPLIT).split()
        original = text
        if _has_any(text, _ODD_SPACES):
            text = text.translate(_SPACES)  # one character for one: offsets stay
        lower = text.lower()
        _secrets(text, lower, words, found)
        if "://" in text:
            _urls(text, found)
        if "@" in text:
            _emails(text, found)
        _numbers(text, self._phones, found)
        _handles(text, lower, found)
        # cheap by their gates (a birth word; a number with three decimals), so both run them
        _birth_dates(text, lower, found)
        _coordinates(text, lower, found)
        # after _numbers, whose SSN and address checks skip what is already claimed
        if self._thorough:
            _spoken_secrets(text, lower, found)
            _identifiers(text, lower, found)
            _accounts(text, lower, found)
            _table_accounts(text, lower, found)
            _address_fields(text, lower, found)
        _recurring(text, found)
        if self._names:
            _names(original, set(words), found)
        return words

    def spans(self, text: str) -> list[tuple[int, int, PiiType]]:
        """Non-overlapping ``(start, end, type)`` spans to redact, sorted by position."""
        found = _Found()
        self._find(text, found)
        return found.resolve()

    def scrub(self, text: str) -> ScrubResult:
        spans = self.spans(text)
        if not spans:
            return ScrubResult(text, {})
        parts: list[str] = []
        counts: Counter[str] = Counter()
        pos = 0
        for start, end, kind in spans:
            parts.append(text[pos:start])
            parts.append(kind.placeholder)
            counts[kind.value] += 1
            pos = end
        parts.append(text[pos:])
        return ScrubResult("".join(parts), dict(counts))


SCRUBBERS = ("fast", "strong")


def scrubber_for(backend: str, choice: str | None = None) -> Scrubber:
    """The scrubber a run uses: text that leaves the machine (``claude``) always goes through
    the strong one; the local backend's text never leaves the process, so it takes the fast
    one unless ``choice`` asks for the strong one."""
    choice = choice or ("fast" if backend == "local" else "strong")
    if choice not in SCRUBBERS:
        raise ValueError(f"unknown scrubber {choice!r}: fast or strong")
    if backend != "local" and choice != "strong":
        raise ValueError(
            f"the {backend} backend sends text out of the organisation: it always uses the "
            "strong scrubber (--scrubber strong)"
        )
    if choice == "strong":
        from econ_index.scrub_strong import StrongScrubber

        return StrongScrubber()
    return Scrubber()


def bench_scrubber(n: int = 2000, seed: int = 11) -> list[dict[str, object]]:
    """Throughput of the scrubber on ~2,000-character synthetic conversations (for make bench)."""
    from econ_index.pii_eval import bench_texts

    texts = bench_texts(n, seed)
    megabytes = sum(len(t.encode()) for t in texts) / 1e6
    rows: list[dict[str, object]] = []
    for label, scrubber in (
        ("scrub (default, names)", Scrubber()),
        ("scrub (no names)", Scrubber(names=False)),
    ):
        t0 = time.perf_counter()
        for t in texts:
            scrubber.scrub(t)
        dt = time.perf_counter() - t0
        rows.append(
            {
                "name": label,
                "texts": len(texts),
                "texts_per_s": round(len(texts) / dt),
                "mb_per_s": round(megabytes / dt, 2),
            }
        )
    return rows
