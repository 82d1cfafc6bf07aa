"""Build the dbt seeds from an O*NET release.

Two layouts are read:

* the AEI release (``onet_task_statements.csv``, ``SOC_Structure.csv`` and the published
  ``onet_task_mappings.csv`` / ``automation_vs_augmentation.csv``), and
* the official O*NET text release (``Task Statements.txt`` and ``Occupation Data.txt``,
  tab-delimited), whose SOC hierarchy is derived from the codes.

Every code is written as text and every seed row carries the release it came from.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

SEED_FILES = (
    "onet_task_statements",
    "onet_occupations",
    "soc_structure",
    "aei_task_usage",
    "aei_pattern_shares",
)

_AEI_TASKS = "onet_task_statements.csv"
_AEI_SOC = "SOC_Structure.csv"
_AEI_MAPPINGS = "onet_task_mappings.csv"
_AEI_PATTERNS = "automation_vs_augmentation.csv"
_TEXT_TASKS = "Task Statements.txt"
_TEXT_OCCUPATIONS = "Occupation Data.txt"

_ONET_SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")

# SOC 2018 major group titles, used only when a release ships no SOC structure file.
SOC_MAJOR_TITLES = {
    "11": "Management Occupations",
    "13": "Business and Financial Operations Occupations",
    "15": "Computer and Mathematical Occupations",
    "17": "Architecture and Engineering Occupations",
    "19": "Life, Physical, and Social Science Occupations",
    "21": "Community and Social Service Occupations",
    "23": "Legal Occupations",
    "25": "Educational Instruction and Library Occupations",
    "27": "Arts, Design, Entertainment, Sports, and Media Occupations",
    "29": "Healthcare Practitioners and Technical Occupations",
    "31": "Healthcare Support Occupations",
    "33": "Protective Service Occupations",
    "35": "Food Preparation and Serving Related Occupations",
    "37": "Building and Grounds Cleaning and Maintenance Occupations",
    "39": "Personal Care and Service Occupations",
    "41": "Sales and Related Occupations",
    "43": "Office and Administrative Support Occupations",
    "45": "Farming, Fishing, and Forestry Occupations",
    "47": "Construction and Extraction Occupations",
    "49": "Installation, Maintenance, and Repair Occupations",
    "51": "Production Occupations",
    "53": "Transportation and Material Moving Occupations",
}

_PATTERN_NAMES = {
    "directive": "directive",
    "feedback loop": "feedback_loop",
    "task iteration": "task_iteration",
    "validation": "validation",
    "learning": "learning",
    "none": "none",
}


class OnetSourceError(RuntimeError):
    """The O*NET release is missing or not in a layout we read."""


@dataclass(frozen=True)
class SeedSummary:
    layout: str
    onet_version: str
    rows: dict[str, int]


def resolve_source(source: str | os.PathLike[str] | None) -> Path:
    """The release directory: the argument, else ``$ONET_SOURCE``, else a clear error."""
    raw = source if source is not None else os.environ.get("ONET_SOURCE")
    if not raw:
        raise OnetSourceError(
            "No O*NET release given. Set ONET_SOURCE (or pass --source) to a directory holding "
            f"either the AEI release ({_AEI_TASKS}, {_AEI_SOC}) or the O*NET text release "
            f"({_TEXT_TASKS}, {_TEXT_OCCUPATIONS}); e.g. ONET_SOURCE=../shared/data/aei_2025_02_10"
        )
    path = Path(raw)
    if not path.is_dir():
        raise OnetSourceError(
            f"O*NET release directory {path} does not exist (from ONET_SOURCE/--source)"
        )
    return path


def detect_layout(path: Path) -> str:
    if (path / _AEI_TASKS).is_file():
        return "aei"
    if (path / _TEXT_TASKS).is_file() and (path / _TEXT_OCCUPATIONS).is_file():
        return "onet_text"
    raise OnetSourceError(
        f"{path} holds neither {_AEI_TASKS} (AEI release) nor {_TEXT_TASKS} + {_TEXT_OCCUPATIONS} "
        "(O*NET text release)"
    )


def release_version(path: Path, layout: str) -> str:
    """``db_29_1_text`` → ``29.1``; an AEI release is named by its folder (``aei_2025_02_10``)."""
    name = path.resolve().name
    match = re.fullmatch(r"db_(\d+)_(\d+)_text", name)
    if layout == "onet_text" and match:
        return f"{match.group(1)}.{match.group(2)}"
    return name


def soc_parents(onet_soc_code: str) -> tuple[str, str, str, str]:
    """Detailed, broad, minor and major SOC codes implied by the digits of an O*NET-SOC code.

    SOC minor groups do not all follow one digit rule (15-1200 holds 15-1211, 11-3000 holds
    11-3111), so with a structure file :func:`_attach_to_structure` resolves parents instead.
    """
    detailed = onet_soc_code[:7]
    return detailed, detailed[:6] + "0", detailed[:5] + "00", detailed[:2] + "-0000"


def _attach_to_structure(titles: dict[str, str], soc: list[dict[str, str]]) -> list[dict[str, str]]:
    """Parents of each occupation, resolved against the SOC structure.

    O*NET 2019 still carries some SOC 2010 detailed codes (e.g. 11-2031) that the 2018 structure
    split or moved. A code's parent at each level is the structure node of that level with the
    greatest code not above it within the enclosing group (SOC codes are ordered ranges), or the
    first one when the code sorts before them all (SOC 2010's 15-1100 became 15-1200); detailed
    codes missing from the structure are added as derived nodes titled by the occupation.
    """
    by_level: dict[str, list[str]] = {}
    for node in soc:
        by_level.setdefault(node["soc_level"], []).append(node["soc_code"])
    known = {node["soc_code"] for node in soc}

    def floor(level: str, code: str, within: str, width: int) -> str:
        candidates = sorted(c for c in by_level.get(level, []) if c[:width] == within[:width])
        if not candidates:
            raise OnetSourceError(f"no SOC {level} group holds {code}")
        return max((c for c in candidates if c <= code), default=candidates[0])

    occupations = []
    for code, title in sorted(titles.items()):
        detailed, _, _, major = soc_parents(code)
        if major not in known:
            raise OnetSourceError(f"SOC major group {major} of {code} is not in the structure")
        minor = floor("minor", detailed, major, 2)
        broad = floor("broad", detailed, minor, 4 if minor.endswith("000") else 5)
        if detailed not in known:
            known.add(detailed)
            soc.append(
                {
                    "soc_code": detailed,
                    "soc_level": "detailed",
                    "soc_title": titles.get(detailed + ".00", title),
                    "parent_soc_code": broad,
                }
            )
        occupations.append(
            {
                "onet_soc_code": code,
                "occupation_title": title,
                "detailed_soc_code": detailed,
                "broad_soc_code": broad,
                "minor_soc_code": minor,
                "major_soc_code": major,
            }
        )
    return occupations


def statement_key(statement: str) -> str:
    """How the AEI release matches task statements: lower-cased, stripped text."""
    return statement.strip().lower()


def _read_csv(path: Path, delimiter: str = ",") -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle, delimiter=delimiter)
        for line, row in enumerate(reader, start=2):
            if None in row or any(v is None for v in row.values()):
                raise OnetSourceError(f"{path}:{line}: wrong number of fields")
            yield row


def _require(row: dict[str, str], column: str, path: Path, line: int) -> str:
    try:
        return row[column].strip()
    except KeyError as exc:
        raise OnetSourceError(f"{path}: missing column {column!r}") from exc


def _tasks(path: Path, delimiter: str) -> tuple[list[dict[str, str]], dict[str, str]]:
    tasks: list[dict[str, str]] = []
    titles: dict[str, str] = {}
    for line, row in enumerate(_read_csv(path, delimiter), start=2):
        code = _require(row, "O*NET-SOC Code", path, line)
        if not _ONET_SOC.match(code):
            raise OnetSourceError(f"{path}:{line}: bad O*NET-SOC code {code!r}")
        task_id = _require(row, "Task ID", path, line)
        if not task_id.isdigit():
            raise OnetSourceError(f"{path}:{line}: bad Task ID {task_id!r}")
        tasks.append(
            {
                "task_id": task_id,
                "onet_soc_code": code,
                "task_statement": _require(row, "Task", path, line),
                "task_type": row.get("Task Type", "").strip(),
            }
        )
        if "Title" in row:
            titles[code] = row["Title"].strip()
    return tasks, titles


def _soc_from_structure(path: Path) -> list[dict[str, str]]:
    """One row per node, parents taken from the nesting of the rows (each level one column)."""
    levels = ("major", "minor", "broad", "detailed", "onet")
    columns = (
        "Major Group",
        "Minor Group",
        "Broad Occupation",
        "Detailed Occupation",
        "Detailed O*NET-SOC",
    )
    stack: dict[int, str] = {}
    nodes: list[dict[str, str]] = []
    for line, row in enumerate(_read_csv(path), start=2):
        filled = [i for i, col in enumerate(columns) if row.get(col, "").strip()]
        if len(filled) != 1:
            raise OnetSourceError(f"{path}:{line}: expected exactly one code per row")
        depth = filled[0]
        code = row[columns[depth]].strip()
        stack = {d: c for d, c in stack.items() if d < depth}
        parent = stack.get(max(stack)) if stack else ""
        stack[depth] = code
        nodes.append(
            {
                "soc_code": code,
                "soc_level": levels[depth],
                "soc_title": row["SOC or O*NET-SOC 2019 Title"].strip(),
                "parent_soc_code": parent or "",
            }
        )
    return nodes


def _soc_from_codes(occupations: dict[str, str]) -> list[dict[str, str]]:
    """Hierarchy derived from codes when a release has no structure file.

    Only major groups have titles (the fixed SOC 2018 list); minor and broad nodes are titled by
    their code, detailed nodes by the occupation's own title.
    """
    nodes: dict[str, dict[str, str]] = {}
    for code, title in sorted(occupations.items()):
        detailed, broad, minor, major = soc_parents(code)
        chain = [
            (major, "major", SOC_MAJOR_TITLES.get(code[:2], f"Major group {major}"), ""),
            (minor, "minor", f"Minor group {minor}", major),
            (broad, "broad", f"Broad occupation {broad}", minor),
            (detailed, "detailed", title, broad),
        ]
        for soc_code, level, soc_title, parent in chain:
            nodes.setdefault(
                soc_code,
                {
                    "soc_code": soc_code,
                    "soc_level": level,
                    "soc_title": soc_title,
                    "parent_soc_code": parent,
                },
            )
    return list(nodes.values())


def _aei_usage(path: Path) -> list[dict[str, str]]:
    file = path / _AEI_MAPPINGS
    if not file.is_file():
        return []
    return [
        {"task_statement_key": statement_key(r["task_name"]), "pct": r["pct"].strip()}
        for r in _read_csv(file)
    ]


def _aei_patterns(path: Path) -> list[dict[str, str]]:
    file = path / _AEI_PATTERNS
    if not file.is_file():
        return []
    rows = []
    for line, r in enumerate(_read_csv(file), start=2):
        name = r["interaction_type"].strip().lower()
        if name not in _PATTERN_NAMES:
            raise OnetSourceError(f"{file}:{line}: unknown interaction type {name!r}")
        rows.append({"collaboration_pattern": _PATTERN_NAMES[name], "pct": r["pct"].strip()})
    return rows


def _write(path: Path, header: Iterable[str], rows: list[dict[str, str]], version: str) -> int:
    fields = [*header, "onet_version"]
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({**row, "onet_version": version})
    tmp.replace(path)
    return len(rows)


def build_seeds(source: str | os.PathLike[str] | None, out_dir: Path) -> SeedSummary:
    """Write the seed CSVs for dbt from a release directory."""
    path = resolve_source(source)
    layout = detect_layout(path)
    version = release_version(path, layout)
    if layout == "aei":
        tasks, titles = _tasks(path / _AEI_TASKS, ",")
        soc_file = path / _AEI_SOC
        soc = _soc_from_structure(soc_file) if soc_file.is_file() else _soc_from_codes(titles)
    else:
        tasks, _ = _tasks(path / _TEXT_TASKS, "\t")
        titles = {
            r["O*NET-SOC Code"].strip(): r["Title"].strip()
            for r in _read_csv(path / _TEXT_OCCUPATIONS, "\t")
        }
        soc = _soc_from_codes(titles)
    # A truncated or empty copy of a release would build empty seeds and an empty warehouse.
    for what, rows_read in (("task statements", tasks), ("occupations", titles), ("SOC", soc)):
        if not rows_read:
            raise OnetSourceError(f"{path}: no {what} found: an empty or truncated release")
    missing = sorted({t["onet_soc_code"] for t in tasks} - titles.keys())
    if missing:
        raise OnetSourceError(f"{path}: occupations without a title: {', '.join(missing[:5])}")
    seen: set[str] = set()
    for task in tasks:
        if task["task_id"] in seen:
            raise OnetSourceError(f"{path}: duplicate Task ID {task['task_id']}")
        seen.add(task["task_id"])

    occupations = _attach_to_structure(titles, soc)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = {
        "onet_task_statements": _write(
            out_dir / "onet_task_statements.csv",
            ("task_id", "onet_soc_code", "task_statement", "task_type"),
            tasks,
            version,
        ),
        "onet_occupations": _write(
            out_dir / "onet_occupations.csv",
            (
                "onet_soc_code",
                "occupation_title",
                "detailed_soc_code",
                "broad_soc_code",
                "minor_soc_code",
                "major_soc_code",
            ),
            occupations,
            version,
        ),
        "soc_structure": _write(
            out_dir / "soc_structure.csv",
            ("soc_code", "soc_level", "soc_title", "parent_soc_code"),
            soc,
            version,
        ),
        "aei_task_usage": _write(
            out_dir / "aei_task_usage.csv", ("task_statement_key", "pct"), _aei_usage(path), version
        ),
        "aei_pattern_shares": _write(
            out_dir / "aei_pattern_shares.csv",
            ("collaboration_pattern", "pct"),
            _aei_patterns(path),
            version,
        ),
    }
    return SeedSummary(layout=layout, onet_version=version, rows=rows)
