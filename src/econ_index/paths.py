"""Where the dbt project and its seeds are, wherever a command runs."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ENV = "ECON_INDEX_PROJECT_DIR"
SEEDS_ENV = "ECON_INDEX_SEEDS"
SEED_FILE = "onet_task_statements.csv"


def find_project_dir() -> Path | None:
    """``$ECON_INDEX_PROJECT_DIR``, else the nearest ``dbt_project.yml`` above the current
    directory, else the repository this package was installed from (editable installs)."""
    if env := os.environ.get(PROJECT_ENV):
        return Path(env)
    for folder in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    return None


def seeds_candidates() -> list[Path]:
    """Where seeds are looked for, in order: ``$ECON_INDEX_SEEDS``, ``./seeds``, the project's."""
    if env := os.environ.get(SEEDS_ENV):
        return [Path(env)]
    project = find_project_dir()
    return [Path("seeds"), *([project / "seeds"] if project else [])]


def default_seeds_dir() -> Path:
    """The first candidate holding built seeds (the first candidate if none does)."""
    candidates = seeds_candidates()
    return next((c for c in candidates if (c / SEED_FILE).is_file()), candidates[0])
