"""Draw the PII set's text units (how the ids in units.jsonl were chosen) and the raters' plan.

A unit is one user turn (``source.py``: ``<conversation id>#<turn index>``, cut at 2,000
characters), at most one per conversation. From the ShareGPT wheel (every chunk of every reserved
conversation excluded, as in ``../realset/select.py``) ``--n`` units: 75 % drawn round-robin over
the PII heuristics below (each bucket's candidates in seeded order, one unit per bucket per round,
so rare kinds such as national ids get as many as common ones until they run out), 10 % from the
look-alike heuristic (famous people, authors, characters, companies, versions) and 15 % at random
from all user turns, so precision and look-alikes are also measured on ordinary text. From
``oasst1_zh.jsonl`` ``--n-zh`` units the same way with the Chinese heuristics (75 % / 25 % random).
Splits: dev / test 50 / 50 by a seeded hash of the unit id. The plan gives the wave's two raters
seeded halves as primaries and each ``DOUBLE`` of the other's half to label a second time.

Later waves (``--wave 2``) add ShareGPT units from conversations no earlier wave drew, with their
own seed, shares and bucket order (``WAVES``): the round-robin visits the buckets whose types are
scarce in the labels first, so the small types grow most. Rows and plan entries of other waves are
kept as they are, so each wave is reproducible on its own.

    python evaluation/piiset/select.py            # wave 1: writes units.jsonl and plan.json
    python evaluation/piiset/select.py --wave 2   # adds wave 2's units and raters p3, p4
    python evaluation/piiset/select.py --wave 3   # adds wave 3's units and raters p5, p6
    python evaluation/piiset/select.py --wave 4   # adds wave 4's units and raters p7, p8
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

from source import HERE, RESERVED, iter_units, sha

SEED = 20270117
SPLIT_SEED = "econ-index-piiset-v1"
DOUBLE = 0.18
SHARES = {"pii": 0.75, "lookalike": 0.10}  # the rest: random

_I = re.I | re.M
NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?"
# bucket -> pattern; a unit can match several, and is drawn for the first bucket that reaches it
PII = {
    "email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}", re.I),
    "phone": re.compile(r"(?:\+\d{1,3}[\s.-]?)?\(?\d{2,4}\)?[\s.-]\d{3,4}[\s.-]\d{3,4}\b"
                        r"|\b(?:phone|tel|mobile|cell|whatsapp)\b\s*(?:no\.?|number|#)?\s*:", re.I),
    "national_id": re.compile(r"\b\d{3}-\d{2}-\d{4}\b|\b\d{3} \d{3} \d{3}\b|\b\d{4} \d{4} \d{4}\b|\bSSN\b|\bSIN\b|\bNINO\b"
                              r"|\b[A-CEGHJ-PR-TW-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b|\b[A-Z]{5}\d{4}[A-Z]\b|\b\d{17}[\dX]\b"
                              r"|\b\d{3}\.\d{3}\.\d{3}-\d{2}\b|(?i:social security|social insurance|national insurance"
                              r"|aadhaa?r|\bPAN\b|passport|driver'?s licen[cs]e|\bID (?:card|number|no)\b|identity card"
                              r"|tax (?:id|number)|\bTIN\b|\bEIN\b|\bCPF\b|\bDNI\b|\bNIE\b|\bBSN\b|personnummer)"),
    "name_intro": re.compile(r"\bmy name is\b|\bmy name's\b|\bcall me [A-Z]|\bI am [A-Z][a-z]+,|\bI'm [A-Z][a-z]+,"
                             r"|\bthis is [A-Z][a-z]+ from\b|\bname\s*:\s*[A-Z][a-z]+", re.M),
    "salutation": re.compile(rf"^\s*(?:dear|hi|hello|hey)\s+(?:Mr\.?|Mrs\.?|Ms\.?|Dr\.?)?\s*{NAME}\s*[,!:\n]", _I),
    "signature": re.compile(rf"(?:regards|sincerely|thanks|thank you|cheers|best|yours truly|warmly),?\s*\n+\s*{NAME}\s*$",
                            re.I | re.M),
    "resume": re.compile(r"\bresume\b|résumé|\bCV\b|curriculum vitae|cover letter|linkedin\.com/in/"
                         r"|work experience|job application|\breferences?:", re.I),
    "letter": re.compile(r"\b(?:write|draft|reply|respond|rewrite)\b.{0,60}\b(?:letter|e-?mail|message)\b"
                         r"|^subject:|^from:|^to:", _I),
    "address": re.compile(r"\b\d{1,5}\s+(?:[A-Z][a-z]+\s+){1,3}(?:street|st|avenue|ave|road|rd|blvd|lane|ln"
                          r"|drive|dr|court|ct|way|place|pl)\b\.?|\baddress\s*:|zip ?code|post ?code"
                          r"|\bP\.?\s?O\.? box\b|\b[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}\b", re.I),
    "dob": re.compile(r"date of birth|\bD\.?O\.?B\b|\bborn (?:on|in)\b|\bbirth ?day\b|\bbirthdate\b", re.I),
    "account": re.compile(r"\b(?:account|acct|customer|client|policy|member(?:ship)?|applicant|patient|student"
                          r"|employee|order|reference|case|ticket)\s*(?:id|no\.?|number|#)|\bIBAN\b|routing number"
                          r"|sort code|card number|credit card|\b\d{8,}\b", re.I),
    "coordinates": re.compile(r"-?\d{1,3}\.\d{3,}°?\s*[NS]?\s*,\s*-?\d{1,3}\.\d{3,}|\blatitude\b|\blongitude\b"
                              r"|\d{1,3}°\s*\d{1,2}['′]", re.I),
    "credential": re.compile(r"\bpassword\b|\bpasswd\b|\bapi[_ -]?key\b|\bsecret\b|\btoken\b|\bbearer\b"
                             r"|\bsk-[A-Za-z0-9]|\bAKIA|PRIVATE KEY|\bpwd\b", re.I),
    "ip": re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"),
    "names_list": re.compile(rf"(?:^[ \t]*(?:[-*•]|\d+[.)])?[ \t]*{NAME}[ \t]*[,|\t]?.*\n){{3}}"
                             r"|\b(?:students?|employees?|customers?|patients?|clients?|guests?|members?)'? names\b", re.M),
    "personal": re.compile(rf"\bmy (?:wife|husband|son|daughter|mom|mother|dad|father|boss|friend|girlfriend"
                           rf"|boyfriend|colleague|coworker|co-worker|sister|brother|partner|manager|teacher|client"
                           rf"|grandmother|grandfather|neighbou?r|roommate|fiancée?)(?: named|,| is| called)? {NAME}"
                           r"|\bmy (?:wife|husband|son|daughter|mom|dad|boss|girlfriend|boyfriend|landlord|doctor)\b"
                           r"|\bI (?:live|lived|grew up) (?:in|at|on)\b|\bmy (?:home|house|apartment) (?:is|address)", re.I),
}
# wave -> ShareGPT units, shares, raters, and the round-robin's bucket order (scarce types first;
# buckets not listed follow in PII's order). Wave 1 also drew --n-zh oasst1 units.
SCARCE = ("address", "national_id", "dob", "coordinates", "credential", "account", "ip", "personal",
          "names_list", "salutation", "signature", "resume", "letter")
WAVES: dict[int, dict] = {
    1: {"n": 700, "shares": SHARES, "raters": ("p1", "p2"), "order": ()},
    2: {"n": 260, "shares": {"pii": 0.80, "lookalike": 0.10}, "raters": ("p3", "p4"), "order": SCARCE},
    3: {"n": 700, "shares": {"pii": 0.80, "lookalike": 0.10}, "raters": ("p5", "p6"), "order": SCARCE},
    # after wave 3 only the names_list heuristic had conversations left (285): take them all, the
    # rest at random, so the wave mostly adds unseen names and ordinary turns
    4: {"n": 700, "shares": {"pii": 0.41, "lookalike": 0.05}, "raters": ("p7", "p8"), "order": SCARCE},
}
LOOKALIKE = re.compile(
    r"\b(?:Elon Musk|Donald Trump|Trump|Obama|Biden|Putin|Shakespeare|Einstein|Steve Jobs|Bill Gates|Jeff Bezos"
    r"|Mark Zuckerberg|Taylor Swift|Beyonc[eé]|Harry Potter|Hermione|Sherlock|Gandalf|Frodo|Batman|Spider-?Man"
    r"|Mickey Mouse|Darth Vader|Napoleon|Lincoln|Gandhi|Tolkien|Hemingway|Jane Austen|Stephen King|Marx"
    r"|Aristotle|Plato|Nietzsche|Freud|Newton|Darwin|Picasso|Mozart|Beethoven|Kanye|Messi|Ronaldo|Oprah"
    r"|Sam Altman|Tim Cook|Satya Nadella|Warren Buffett|Socrates|Confucius|Jesus|Buddha)\b"
    r"|\b(?:written by|novel|author of|character|protagonist|CEO of|founder of|president of|celebrity|actor"
    r"|actress|rapper|singer|biography)\b|\b(?:Inc\.|LLC|Ltd\.?|Corp\.?|GmbH)\W|\bv?\d+\.\d+\.\d+\b", re.I)
ZH = {
    "zh_name": re.compile(r"我叫|我的名字|名字是|叫做|姓名|[\u4e00-\u9fff](?:先生|女士|小姐|老师|同学|经理|总)"),
    "zh_contact": re.compile(r"电话|手机|邮箱|邮件|微信|QQ|地址|住在|[\w.+-]+@[\w-]+\.|\d{7,}"),
    "zh_id": re.compile(r"身份证|护照|账号|账户|帐号|密码|银行卡|学号|工号|出生|生日"),
    "zh_personal": re.compile(r"我(?:的)?(?:妈妈|爸爸|母亲|父亲|老婆|老公|妻子|丈夫|儿子|女儿|朋友|同事|老板|男朋友|女朋友"
                              r"|哥哥|姐姐|弟弟|妹妹)|亲爱的|致|写一封|信"),
}


def split_of(unit: str) -> str:
    u = int(hashlib.sha256(f"{SPLIT_SEED}:{unit}".encode()).hexdigest()[:8], 16) / 2**32
    return "dev" if u < 0.5 else "test"


def draw(pool: list[tuple[str, str, str, str]], buckets: dict[str, re.Pattern[str]], n: int,
         shares: dict[str, float], rng: random.Random, used: set[str] | None = None,
         first: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """``n`` units of one source: shares["pii"] round-robin over ``buckets`` (those in ``first``
    first), then the look-alike share (if any), then random; at most one unit per conversation,
    none from the conversations in ``used``."""
    matches = {u: [b for b, p in buckets.items() if p.search(t)] for u, _, _, t in pool}
    base = {u: b for u, _, b, _ in pool}
    order = [u for u, _, _, _ in pool]
    rng.shuffle(order)
    taken: dict[str, str] = {}
    used = set(used or ())

    def take(unit: str, bucket: str) -> bool:
        if unit in taken or base[unit] in used:
            return False
        taken[unit] = bucket
        used.add(base[unit])
        return True

    rounds = (*first, *(b for b in buckets if b not in first))
    queues = {b: iter([u for u in order if b in matches[u]]) for b in rounds}
    quota = round(n * shares["pii"])
    while len(taken) < quota and queues:
        for b in list(queues):
            if len(taken) >= quota:
                break
            if not any(take(u, b) for u in queues[b]):
                del queues[b]  # exhausted
    if "lookalike" in shares:
        text = {u: t for u, _, _, t in pool}
        quota += round(n * shares["lookalike"])
        for u in order:
            if len(taken) >= quota:
                break
            if LOOKALIKE.search(text[u]):
                take(u, "lookalike")
    for u in order[::-1]:  # the other end of the same shuffle: random units
        if len(taken) >= n:
            break
        take(u, "random")
    return [{"unit": u, "bucket": b, "matches": matches[u]} for u, b in taken.items()]


def seed(wave: int, offset: int = 0) -> int | str:
    return SEED + offset if wave == 1 else f"{SEED + offset}:wave{wave}"


def plan(units: list[str], wave: int = 1) -> dict[str, dict[str, list[str]]]:
    rng = random.Random(seed(wave, 1))
    order = sorted(units)
    rng.shuffle(order)
    one, two = order[: len(order) // 2], order[len(order) // 2 :]
    a, b = WAVES[wave]["raters"]
    return {a: {"primary": one, "double": rng.sample(two, round(len(two) * DOUBLE))},
            b: {"primary": two, "double": rng.sample(one, round(len(one) * DOUBLE))}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reserved", type=Path, default=RESERVED)
    parser.add_argument("--wave", type=int, choices=sorted(WAVES), default=1)
    parser.add_argument("--n", type=int, help="ShareGPT units (default: the wave's)")
    parser.add_argument("--n-zh", type=int, default=60, help="oasst1 units (wave 1 only)")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    import py3langid  # only the one-off draw needs it

    wave = WAVES[args.wave]
    units_path, plan_path = args.out / "units.jsonl", args.out / "plan.json"
    old = units_path.read_text().splitlines() if units_path.exists() else []
    kept = [r for r in map(json.loads, old) if r["wave"] != args.wave]
    pool: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
    for unit in iter_units(args.reserved):
        pool[unit[1]].append(unit)
    base = {u: b for p in pool.values() for u, _, b, _ in p}
    used = {base[r["unit"]] for r in kept if r["wave"] < args.wave}
    rng = random.Random(seed(args.wave))
    drawn = [dict(d, source="sharegpt") for d in draw(pool["sharegpt"], PII, args.n or wave["n"],
                                                         wave["shares"], rng, used, wave["order"])]
    if args.wave == 1:
        zh = draw(pool["oasst1"], ZH, args.n_zh, {"pii": 0.75}, rng)
        drawn += [dict(d, source="oasst1") for d in zh]
    text = {u: t for p in pool.values() for u, _, _, t in p}
    rows = []
    for d in drawn:
        t = text[d["unit"]]
        rows.append({"unit": d["unit"], "split": split_of(d["unit"]), "source": d["source"],
                     "bucket": d["bucket"], "matches": d["matches"],
                     "language": py3langid.classify(t[:1000])[0], "chars": len(t), "sha": sha(t),
                     "wave": args.wave})
    args.out.mkdir(parents=True, exist_ok=True)
    with units_path.open("w") as fh:
        for r in sorted(kept + rows, key=lambda r: r["unit"]):
            fh.write(json.dumps(r) + "\n")
    plans = json.loads(plan_path.read_text()) if plan_path.exists() else {}
    plans = {r: p for r, p in plans.items() if r not in wave["raters"]}
    plans |= plan([r["unit"] for r in rows], args.wave)
    plan_path.write_text(json.dumps(plans))
    print(f"eligible user turns: {', '.join(f'{k} {len(v)}' for k, v in pool.items())}; "
          f"excluded conversations of earlier waves {len(used)}; wave {args.wave} drew {len(rows)}")
    print("splits", dict(Counter(r["split"] for r in rows)))
    print("buckets", dict(Counter(r["bucket"] for r in rows)))
    print("languages", dict(Counter(r["language"] for r in rows).most_common()))


if __name__ == "__main__":
    main()
