"""A labelled, seeded PII test set and span-level recall/precision of a scrubber on it.

Every case is a short chat-like text with planted PII values (many formats per type, at the
start, middle or end, next to punctuation, inside code blocks, JSON, logs and markdown) and
hard negatives: strings that look like PII but are not (order numbers, version strings,
timestamps, non-Luhn 16-digit numbers, ISBNs, hashes and UUIDs in code). Values are synthetic:
phone numbers are made valid for their numbering plan, cards Luhn-valid, IBANs mod-97 valid.

Scoring follows the scrubber's output only: a planted value is *found* when it no longer
appears in the output and a placeholder of its type does; every other placeholder of that type
is a false positive. Hard negatives are scored separately by whether they survive intact.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn as _luhn

from econ_index.scrub import PiiType, ScrubResult

# The types the generated set plants (in this order, which the seeded draw depends on).
GENERATED = (
    PiiType.URL,
    PiiType.SECRET,
    PiiType.EMAIL,
    PiiType.IBAN,
    PiiType.CARD,
    PiiType.SSN,
    PiiType.IP,
    PiiType.PHONE,
    PiiType.ADDRESS,
    PiiType.NAME,
)
STRUCTURED = (PiiType.EMAIL, PiiType.PHONE, PiiType.CARD, PiiType.IBAN, PiiType.SSN, PiiType.IP)


class SupportsScrub(Protocol):
    def scrub(self, text: str) -> ScrubResult: ...


@dataclass(frozen=True, slots=True)
class Planted:
    kind: PiiType
    value: str
    fmt: str  # which surface format was generated, for error analysis


@dataclass(frozen=True, slots=True)
class Negative:
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Case:
    text: str
    planted: tuple[Planted, ...]
    negatives: tuple[Negative, ...]


@dataclass(frozen=True, slots=True)
class TypeScore:
    kind: str
    planted: int
    found: int
    false_positives: int

    @property
    def recall(self) -> float:
        return self.found / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        flagged = self.found + self.false_positives
        return self.found / flagged if flagged else 1.0


@dataclass(frozen=True, slots=True)
class NegativeScore:
    kind: str
    total: int
    survived: int

    @property
    def survival(self) -> float:
        return self.survived / self.total if self.total else 1.0


# --- vocabularies -------------------------------------------------------------------------

# Deliberately diverse and partly outside the US Census lists the scrubber uses, so that
# name recall is measured rather than assumed.
_FIRST = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth Sarah Daniel Emily "
    "Priya Arjun Wei Mei Oluwaseun Chiamaka Mateo Sofia Lukas Anna Mohammed Fatima Hiroshi "
    "Yuki Aleksandr Olga Kwame Amara Diego Lucia Liam Noah Emma Olivia Ahmed Leila"
).split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Raman Patel Zhang Chen Adeyemi "
    "Okafor Silva Rossi Schmidt Novak Tanaka Suzuki Ivanov Mensah Kowalski Fernandez Nguyen "
    "Kim Haddad Cohen"
).split()
_STREETS = (
    "Main Oak Maple Pine Cedar Elm Washington Lake Hill Park Sunset Highland Jefferson "
    "Lincoln Madison Franklin Walnut Chestnut Spring Mill"
).split()
_SUFFIXES = "Street St Avenue Ave Road Rd Boulevard Blvd Lane Ln Drive Dr Court Way Place".split()
_CITIES = (
    ("Springfield", "IL"),
    ("San Francisco", "CA"),
    ("Austin", "TX"),
    ("Portland", "OR"),
    ("New York", "NY"),
    ("Denver", "CO"),
    ("Columbus", "OH"),
    ("Salt Lake City", "UT"),
)
_DOMAINS = (
    "example.com",
    "mail.example.org",
    "corp.acme.co.uk",
    "students.uni-bonn.de",
    "gmail.com",
    "outlook.com",
    "company.io",
    "dept.example.net",
    "research.lab.example.edu",
)
_US_AREA = (201, 202, 212, 213, 305, 312, 404, 415, 512, 617, 646, 702, 713, 718, 818, 917, 972)
_INTL_REGIONS = ("GB", "DE", "FR", "IN", "AU", "JP", "BR", "MX", "ES", "IT", "NL", "SG", "ZA", "CH")
# BBAN layouts (n = digit, a = upper letter, c = alphanumeric) per ISO 13616 registry.
_BBAN = {
    "DE": "18n",
    "GB": "4a14n",
    "FR": "10n11c2n",
    "ES": "20n",
    "IT": "1a10n12c",
    "NL": "4a10n",
    "BE": "12n",
    "CH": "5n12c",
    "AT": "16n",
    "PL": "24n",
    "SE": "20n",
    "IE": "4a14n",
    "NO": "11n",
    "PT": "21n",
}
# (issuer prefix, length, grouping)
_CARD_BRANDS = (
    ("4", 16, (4, 4, 4, 4)),
    ("4", 13, (4, 4, 5)),
    ("51", 16, (4, 4, 4, 4)),
    ("55", 16, (4, 4, 4, 4)),
    ("2221", 16, (4, 4, 4, 4)),
    ("34", 15, (4, 6, 5)),
    ("37", 15, (4, 6, 5)),
    ("6011", 16, (4, 4, 4, 4)),
    ("65", 16, (4, 4, 4, 4)),
    ("3530", 16, (4, 4, 4, 4)),
    ("36", 14, (4, 6, 4)),
    ("62", 16, (4, 4, 4, 4)),
)
_B62 = string.ascii_letters + string.digits

# Ordinary text and code that should pass through untouched.
_FILLER = (
    "Can you help me rewrite this paragraph so it sounds more professional?",
    "I need a SQL query that sums revenue by month for 2023 and 2024.",
    "The quarterly report is due on Friday and I still have 3 sections left.",
    "We migrated the service from Python 3.9 to 3.12 last sprint.",
    "Please explain the difference between a left join and an inner join.",
    "Our team in New York uses Microsoft Excel for the budget, about 250 rows.",
    "Draft an email to the landlord about the broken heater in unit 4.",
    "The function returns None when the list is empty, which breaks line 42.",
    "Summarise the attached minutes from the Monday meeting in 5 bullet points.",
    "Why does my regression show an R-squared of 0.87 but poor predictions?",
    "```python\nfor i in range(10):\n    total += prices[i] * 1.08\n```",
    "```js\nconst timeout = 30000;\nfetch(url).then(r => r.json());\n```",
    "```sql\nSELECT region, COUNT(*) FROM sales WHERE year = 2024 GROUP BY region;\n```",
    "The patient education leaflet should be written at a grade 6 reading level.",
    "Convert 72 degrees Fahrenheit to Celsius and show the formula.",
    "| Quarter | Revenue |\n|---|---|\n| Q1 | 1,250,000 |\n| Q2 | 1,410,500 |",
    "- Step 1: open the settings\n- Step 2: click Advanced\n- Step 3: restart",
    "Translate this sentence into Spanish: the meeting starts at 9:30 tomorrow.",
    "Is it better to use a dictionary or a list for 100000 lookups per second?",
    "The Supreme Court ruling in 2022 changed how we file these claims.",
    "Grant Thompson Associates is a firm we compared against in the pitch deck.",
    "Will this approach scale if we add 20 more warehouses next year?",
    "Use `git rebase -i HEAD~3` to squash the last three commits.",
    "Our API returns HTTP 429 after 100 requests per minute.",
)


class _Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def digits(self, n: int) -> str:
        return "".join(self.r.choice(string.digits) for _ in range(n))

    def b62(self, n: int) -> str:
        return "".join(self.r.choice(_B62) for _ in range(n))

    # --- planted values ---

    def email(self) -> tuple[str, str]:
        f, last = self.r.choice(_FIRST).lower(), self.r.choice(_LAST).lower()
        local, fmt = self.r.choice(
            (
                (f"{f}.{last}", "dotted"),
                (f"{f}{last}{self.r.randint(1, 99)}", "digits"),
                (f"{f}+{self.r.choice(('news', 'work', 'shop'))}", "plus"),
                (f"{f}_{last}", "underscore"),
                (f"{f[0]}{last}", "initial"),
                (f"{last}.{f}.{self.r.randint(1, 9)}", "multi-dot"),
            )
        )
        value = f"{local}@{self.r.choice(_DOMAINS)}"
        if self.r.random() < 0.1:
            value, fmt = value.title(), fmt + "+mixed-case"
        return value, fmt

    def _us_number(self) -> tuple[str, str, str]:
        while True:
            a = str(self.r.choice(_US_AREA))
            e = f"{self.r.randint(2, 9)}{self.digits(2)}"
            line = self.digits(4)
            if phonenumbers.is_valid_number(phonenumbers.parse(a + e + line, "US")):
                return a, e, line

    def phone(self) -> tuple[str, str]:
        if self.r.random() < 0.5:
            a, e, n = self._us_number()
            fmt = self.r.choice(
                (
                    "(a) e-n",
                    "a-e-n",
                    "a.e.n",
                    "a e n",
                    "aen",
                    "+1 a e n",
                    "+1-a-e-n",
                    "+1 (a) e-n",
                    "1-a-e-n",
                    "+1aen",
                    "+1.a.e.n",
                )
            )
            value = fmt.replace("a", a, 1).replace("e", e, 1).replace("n", n, 1)
            return value, "US " + fmt
        region = self.r.choice(_INTL_REGIONS)
        kind = self.r.choice(
            (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE)
        )
        example = phonenumbers.example_number_for_type(region, kind)
        assert example is not None
        nsn = phonenumbers.national_significant_number(example)  # keeps Italy's leading 0
        while True:
            candidate = nsn[:-4] + self.digits(4)
            num = phonenumbers.parse(f"+{example.country_code}{candidate}")
            if phonenumbers.is_valid_number(num):
                break
        intl = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        fmt = self.r.choice(("e164", "international", "dashed", "00-prefix"))
        value = {
            "e164": phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164),
            "international": intl,
            "dashed": intl.replace(" ", "-").replace(
                "+" + str(num.country_code) + "-", "+" + str(num.country_code) + " "
            ),
            "00-prefix": "00" + intl[1:],
        }[fmt]
        return value, f"{region} {fmt}"

    def card(self) -> tuple[str, str]:
        prefix, length, groups = self.r.choice(_CARD_BRANDS)
        body = prefix + self.digits(length - len(prefix) - 1)
        number = body + _luhn.calc_check_digit(body)
        sep = self.r.choice(("", " ", "-"))
        parts, i = [], 0
        for g in groups:
            parts.append(number[i : i + g])
            i += g
        return sep.join(parts), f"{prefix}/{length} sep={sep!r}"

    def _bban(self, layout: str) -> str:
        out = []
        for count, cls in ((int(x[:-1]), x[-1]) for x in _split_layout(layout)):
            pool = {"n": string.digits, "a": string.ascii_uppercase}.get(
                cls, string.ascii_uppercase + string.digits
            )
            out.append("".join(self.r.choice(pool) for _ in range(count)))
        return "".join(out)

    def iban(self) -> tuple[str, str]:
        country = self.r.choice(sorted(_BBAN))
        bban = self._bban(_BBAN[country])
        number = country + _iban.calc_check_digits(country + "00" + bban) + bban
        if self.r.random() < 0.5:
            return _iban.format(number), f"{country} grouped"
        return number, f"{country} electronic"

    def ssn(self) -> tuple[str, str, str]:
        """Returns (value, format, context prefix): the keyword form needs its keyword."""
        area = self.r.choice([a for a in range(1, 900) if a != 666])
        ssn = f"{area:03d}", f"{self.r.randint(1, 99):02d}", f"{self.r.randint(1, 9999):04d}"
        fmt = self.r.choice(("dashed", "spaced", "keyword"))
        if fmt == "keyword":
            return "".join(ssn), fmt, self.r.choice(("SSN: ", "SSN ", "social security number "))
        return ("-" if fmt == "dashed" else " ").join(ssn), fmt, ""

    def ip(self) -> tuple[str, str]:
        if self.r.random() < 0.55:
            first = self.r.choice([o for o in range(1, 224) if o not in (10, 127, 169, 172, 192)])
            if self.r.random() < 0.2:
                return f"192.168.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}", "v4 private"
            octets = [first] + [self.r.randint(0, 255) for _ in range(3)]
            return ".".join(map(str, octets)), "v4"
        groups = [f"{self.r.randint(0, 0xFFFF):x}" for _ in range(8)]
        fmt = self.r.choice(("full", "compressed", "embedded-zeros"))
        if fmt == "compressed":
            groups[3:6] = ["0", "0", "0"]
            import ipaddress

            return ipaddress.IPv6Address(":".join(groups)).compressed, "v6 compressed"
        if fmt == "embedded-zeros":
            return "2001:db8::" + ":".join(groups[:3]), "v6 documentation"
        return ":".join(g.zfill(4) for g in groups), "v6 full"

    def url(self) -> tuple[str, str]:
        user, pw = self.r.choice(_FIRST).lower(), self.b62(12)
        tok = self.b62(32)
        return self.r.choice(
            (
                (f"https://{user}:{pw}@git.example.com/team/repo.git", "userinfo"),
                (f"postgres://{user}:{pw}@db.internal:5432/app", "dsn"),
                (f"https://api.example.com/v1/items?api_key={tok}&limit=10", "api_key"),
                (f"https://hooks.example.com/notify?token={tok}", "token"),
                (
                    "https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Credential="
                    f"AKIA{self.b62(8)}&X-Amz-Signature={self.digits(20)}",
                    "presigned",
                ),
                (f"https://app.example.com/reset?user=1&code={self.b62(24)}", "reset-code"),
            )
        )

    def secret(self) -> tuple[str, str, str]:
        """Returns (value, format, context prefix)."""
        upper = string.ascii_uppercase + string.digits
        jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ" + self.b62(30) + "." + self.b62(43)
        pem = (
            "-----BEGIN RSA PRIVATE KEY-----\n"
            + "\n".join(self.b62(64) for _ in range(3))
            + "\n-----END RSA PRIVATE KEY-----"
        )
        return self.r.choice(
            (
                ("sk-proj-" + self.b62(48), "openai", ""),
                ("sk-ant-api03-" + self.b62(64), "anthropic", ""),
                ("AKIA" + "".join(self.r.choice(upper) for _ in range(16)), "aws", ""),
                ("ghp_" + self.b62(36), "github", ""),
                (f"xoxb-{self.digits(12)}-{self.digits(12)}-{self.b62(24)}", "slack", ""),
                (jwt, "jwt", ""),
                (self.b62(40), "bearer", "Authorization: Bearer "),
                ("AIza" + self.b62(35), "google", ""),
                (pem, "pem", ""),
                (self.b62(40), "assigned", 'API_KEY = "'),
                (self.b62(24), "password", "password: "),
            )
        )

    def address(self) -> tuple[str, str]:
        street = f"{self.r.randint(1, 9999)} {self.r.choice(_STREETS)} {self.r.choice(_SUFFIXES)}"
        fmt = self.r.choice(("street", "unit", "full", "full+unit"))
        if "unit" in fmt:
            street += f", Apt {self.r.randint(1, 40)}{self.r.choice('ABCD')}"
        if "full" in fmt:
            city, state = self.r.choice(_CITIES)
            street += f", {city}, {state} {self.digits(5)}"
        return street, fmt

    def name(self) -> tuple[str, str, str]:
        f, last = self.r.choice(_FIRST), self.r.choice(_LAST)
        return self.r.choice(
            (
                (f"{f} {last}", "full", ""),
                (f"{f} {self.r.choice(string.ascii_uppercase)}. {last}", "middle-initial", ""),
                (f"Dr. {last}", "honorific", ""),
                (f"Ms. {f} {last}", "honorific-full", ""),
                (f, "greeting", self.r.choice(("Hi ", "Dear ", "Thanks, "))),
            )
        )

    def planted(self, kind: PiiType) -> tuple[str, str, str]:
        if kind is PiiType.SSN:
            return self.ssn()
        if kind is PiiType.SECRET:
            return self.secret()
        if kind is PiiType.NAME:
            return self.name()
        simple: dict[PiiType, Callable[[], tuple[str, str]]] = {
            PiiType.EMAIL: self.email,
            PiiType.PHONE: self.phone,
            PiiType.CARD: self.card,
            PiiType.IBAN: self.iban,
            PiiType.IP: self.ip,
            PiiType.URL: self.url,
            PiiType.ADDRESS: self.address,
        }
        value, fmt = simple[kind]()
        return value, fmt, ""

    # --- hard negatives ---

    def negative(self) -> tuple[str, str]:
        r = self.r
        kind = r.choice(
            ("order_number", "version", "timestamp", "non_luhn", "isbn", "hash", "number")
        )
        if kind == "order_number":
            value = r.choice(
                (
                    f"#{self.digits(8)}",
                    f"ORD-{r.randint(2019, 2025)}-{self.digits(6)}",
                    f"PO-{self.digits(8)}",
                    f"INV{self.digits(7)}",
                    "1Z"
                    + "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
                )
            )
        elif kind == "version":
            a, b, c, d = (r.randint(0, 20) for _ in range(4))
            value = r.choice(
                (
                    f"v{a}.{b}.{c}",
                    f"version {a}.{b}.{c}.{d}",
                    f"numpy=={a}.{b}.{c}",
                    f"{a}.{b}.{c}-rc.{d}",
                    f"v{a}.{b}.{c}.{d}",
                )
            )
        elif kind == "timestamp":
            y, mo, dd = r.randint(2015, 2025), r.randint(1, 12), r.randint(1, 28)
            h, mi, s = r.randint(0, 23), r.randint(0, 59), r.randint(0, 59)
            value = r.choice(
                (
                    f"{y}-{mo:02d}-{dd:02d} {h:02d}:{mi:02d}:{s:02d}",
                    f"{y}-{mo:02d}-{dd:02d}T{h:02d}:{mi:02d}:{s:02d}Z",
                    f"{dd:02d}/{mo:02d}/{y} {h:02d}:{mi:02d}",
                    str(r.randint(1_500_000_000, 1_760_000_000)),
                    str(r.randint(1_500_000_000_000, 1_760_000_000_000)),
                )
            )
        elif kind == "non_luhn":
            prefix = r.choice(("4", "51", "6011"))
            body = prefix + self.digits(15 - len(prefix))
            bad = str((int(_luhn.calc_check_digit(body)) + r.randint(1, 9)) % 10)
            number = body + bad
            sep = r.choice(("", " ", "-"))
            value = sep.join(number[i : i + 4] for i in range(0, 16, 4))
        elif kind == "isbn":
            body = r.choice(("978", "979")) + self.digits(9)
            check = (10 - sum((3 if i % 2 else 1) * int(x) for i, x in enumerate(body)) % 10) % 10
            isbn = body + str(check)
            value = r.choice(
                (isbn, f"ISBN {isbn[:3]}-{isbn[3]}-{isbn[4:7]}-{isbn[7:12]}-{isbn[12]}")
            )
        elif kind == "hash":
            hexd = "0123456789abcdef"
            digest = "".join(r.choice(hexd) for _ in range(r.choice((32, 40, 64))))
            u = "".join(r.choice(hexd) for _ in range(32))
            uuid = f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"
            value = r.choice((digest, uuid, digest[:7]))
        else:
            value = r.choice(
                (
                    f"${r.randint(1, 999)},{self.digits(3)},{self.digits(3)}.{self.digits(2)}",
                    # two decimals: a town, not a home (the PII set's rubric removes 3+)
                    f"{r.uniform(-80, 80):.2f}, {r.uniform(-170, 170):.2f}",
                    "3.14159265358979",
                    f"port {r.randint(1024, 65535)}",
                    f"{r.randint(1, 9)}.{self.digits(2)}e-{r.randint(3, 9)}",
                )
            )
        return value, kind


def _split_layout(layout: str) -> list[str]:
    out, num = [], ""
    for ch in layout:
        if ch.isdigit():
            num += ch
        else:
            out.append(num + ch)
            num = ""
    return out


# Ways a value sits in text: (template, position tag). {v} is the value, {p} its context prefix.
_WRAPS: tuple[Callable[[str], str], ...] = (
    lambda v: v,
    lambda v: f"({v})",
    lambda v: f"{v}.",
    lambda v: f"{v},",
    lambda v: f'"{v}"',
    lambda v: f"<{v}>",
    lambda v: f"**{v}**",
    lambda v: f"`{v}`",
    lambda v: f"'{v}'",
    lambda v: f"{v}:",
)
_CONTEXTS: tuple[str, ...] = (
    "{v} is the one to use.",
    "You can reach it at {v} if needed.",
    "Please update the record to {v}",
    "```\n{v}\n```",
    '```python\nCONTACT = "{v}"\nprint(CONTACT)\n```',
    '{{"id": 17, "value": "{v}", "active": true}}',
    "| field | value |\n|---|---|\n| primary | {v} |",
    "- primary: {v}\n- backup: none",
    "2024-03-01 10:22:13 INFO request from {v} accepted",
    "> {v}",
)


def _embed(gen: _Gen, value: str, prefix: str) -> str:
    # Quoted contexts break quotes inside the value; keep those to plain wrappers.
    wrap = gen.r.choice(_WRAPS)
    context = gen.r.choice(_CONTEXTS)
    if "\n" in value and "`" in context:
        context = "{v}"
    return context.format(v=prefix + wrap(value) if prefix else wrap(value))


def generate_cases(n: int = 2000, seed: int = 7) -> list[Case]:
    """``n`` cases; each plants one or two values and carries one hard negative."""
    gen = _Gen(seed)
    kinds = list(GENERATED)
    cases: list[Case] = []
    for i in range(n):
        planted: list[Planted] = []
        pieces: list[str] = []
        for j in range(1 + (gen.r.random() < 0.3)):
            kind = kinds[(i + j * 3) % len(kinds)]
            value, fmt, prefix = gen.planted(kind)
            planted.append(Planted(kind, value, fmt))
            pieces.append(_embed(gen, value, prefix))
        neg_value, neg_kind = gen.negative()
        pieces.append(_embed(gen, neg_value, ""))
        pieces.extend(gen.r.sample(_FILLER, gen.r.randint(0, 2)))
        gen.r.shuffle(pieces)
        sep = gen.r.choice((" ", "\n", "\n\n"))
        cases.append(Case(sep.join(pieces), tuple(planted), (Negative(neg_kind, neg_value),)))
    return cases


def measure(scrubber: SupportsScrub, cases: Sequence[Case]) -> dict[str, TypeScore]:
    """Recall and precision per PII type, from the scrubbed text alone."""
    planted: Counter[str] = Counter()
    found: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    for case in cases:
        out = scrubber.scrub(case.text).text
        gone: Counter[str] = Counter()
        for p in case.planted:
            planted[p.kind.value] += 1
            if p.value not in out:
                gone[p.kind.value] += 1
        for kind in PiiType:
            n_placeholders = out.count(kind.placeholder)
            hits = min(gone[kind.value], n_placeholders)
            found[kind.value] += hits
            flagged[kind.value] += n_placeholders
    return {
        k.value: TypeScore(
            k.value, planted[k.value], found[k.value], flagged[k.value] - found[k.value]
        )
        for k in GENERATED
    }


def measure_negatives(scrubber: SupportsScrub, cases: Sequence[Case]) -> dict[str, NegativeScore]:
    """How often each kind of look-alike survives scrubbing intact."""
    total: Counter[str] = Counter()
    survived: Counter[str] = Counter()
    for case in cases:
        out = scrubber.scrub(case.text).text
        for neg in case.negatives:
            total[neg.kind] += 1
            survived[neg.kind] += neg.value in out
    return {k: NegativeScore(k, total[k], survived[k]) for k in sorted(total)}


def pii_report(n: int = 2000, seed: int = 7) -> list[dict[str, object]]:
    """Rows for the benchmark table: recall/precision per PII type, then hard-negative survival."""
    from econ_index.scrub import Scrubber

    cases = generate_cases(n, seed)
    scrubber = Scrubber()
    rows: list[dict[str, object]] = []
    for score in measure(scrubber, cases).values():
        rows.append(
            {
                "check": f"pii:{score.kind}",
                "n": score.planted,
                "recall": round(score.recall, 4),
                "precision": round(score.precision, 4),
            }
        )
    for neg in measure_negatives(scrubber, cases).values():
        rows.append(
            {
                "check": f"negative:{neg.kind}",
                "n": neg.total,
                "recall": None,
                "precision": round(neg.survival, 4),
            }
        )
    return rows


def bench_texts(n: int = 2000, seed: int = 11, size: int = 2000) -> list[str]:
    """Chat-like texts of about ``size`` characters: mostly ordinary text, some PII."""
    gen = _Gen(seed)
    cases = generate_cases(max(1, n // 2), seed)
    texts: list[str] = []
    for _ in range(n):
        parts: list[str] = []
        length = 0
        while length < size:
            if gen.r.random() < 0.15:
                piece = cases[gen.r.randrange(len(cases))].text
            else:
                piece = gen.r.choice(_FILLER)
            parts.append(piece)
            length += len(piece) + 1
        texts.append("\n".join(parts))
    return texts
