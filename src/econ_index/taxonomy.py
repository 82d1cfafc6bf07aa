"""The closed O*NET task taxonomy, read from the generated seeds."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from econ_index.onet import statement_key
from econ_index.paths import SEEDS_ENV, default_seeds_dir, seeds_candidates


class TaxonomyError(RuntimeError):
    """The seeds are missing: they are built from a release with ``econ-index seeds``."""


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    onet_soc_code: str
    statement: str
    task_type: str
    occupation_title: str
    major_soc_code: str


@dataclass(frozen=True)
class Taxonomy:
    tasks: tuple[Task, ...]
    onet_version: str
    major_titles: dict[str, str]
    # AEI published share (percent) per lower-cased statement; empty for a plain O*NET release.
    aei_usage: dict[str, float]

    @cached_property
    def by_id(self) -> dict[str, Task]:
        return {t.task_id: t for t in self.tasks}

    def usage_weight(self, task: Task) -> float:
        """The task's AEI share split evenly over the occupations that hold its statement."""
        key = statement_key(task.statement)
        return self.aei_usage.get(key, 0.0) / self._holders[key]

    @cached_property
    def _holders(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for t in self.tasks:
            key = statement_key(t.statement)
            counts[key] = counts.get(key, 0) + 1
        return counts


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise TaxonomyError(
            f"{path} not found: build the seeds first with `econ-index seeds --source DIR "
            f"--out {path.parent}`, or point --seeds / ${SEEDS_ENV} at built seeds "
            f"(looked in: {', '.join(str(c) for c in seeds_candidates())})"
        )
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_taxonomy(seeds_dir: Path | None = None) -> Taxonomy:
    seeds = seeds_dir or default_seeds_dir()
    occupations = {r["onet_soc_code"]: r for r in _rows(seeds / "onet_occupations.csv")}
    majors = {
        r["soc_code"]: r["soc_title"]
        for r in _rows(seeds / "soc_structure.csv")
        if r["soc_level"] == "major"
    }
    statements = _rows(seeds / "onet_task_statements.csv")
    tasks = tuple(
        Task(
            task_id=r["task_id"],
            onet_soc_code=r["onet_soc_code"],
            statement=r["task_statement"],
            task_type=r["task_type"],
            occupation_title=occupations[r["onet_soc_code"]]["occupation_title"],
            major_soc_code=occupations[r["onet_soc_code"]]["major_soc_code"],
        )
        for r in statements
    )
    usage_file = seeds / "aei_task_usage.csv"
    usage = (
        {r["task_statement_key"]: float(r["pct"]) for r in _rows(usage_file)}
        if usage_file.is_file()
        else {}
    )
    version = statements[0]["onet_version"] if statements else "unknown"
    return Taxonomy(tasks=tasks, onet_version=version, major_titles=majors, aei_usage=usage)
