"""Runs the project's dbt models in-process against a chosen warehouse file."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT_ENV = "ECON_INDEX_PROJECT_DIR"
WAREHOUSE_ENV = "ECON_INDEX_WAREHOUSE"


class DbtError(RuntimeError):
    """dbt failed; the message names the command and the failing nodes."""


def project_dir() -> Path:
    """The dbt project: ``$ECON_INDEX_PROJECT_DIR``, else the nearest ``dbt_project.yml`` above the
    current directory, else the repository this package was installed from (editable installs)."""
    if env := os.environ.get(PROJECT_ENV):
        return Path(env)
    for folder in (Path.cwd(), *Path.cwd().parents, *Path(__file__).resolve().parents):
        if (folder / "dbt_project.yml").is_file():
            return folder
    raise DbtError(f"no dbt_project.yml found: run from the project or set {PROJECT_ENV}")


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def run_dbt(
    command: list[str],
    *,
    warehouse: Path,
    target_path: Path | None = None,
    variables: Mapping[str, object] | None = None,
    quiet: bool = False,
) -> dbtRunnerResult:
    """``dbt <command>`` on ``warehouse``; raises :class:`DbtError` unless every node passed.

    With ``quiet``, dbt's own output goes to stderr so stdout stays machine-readable.
    """
    project = project_dir()
    args = [*command, "--project-dir", str(project), "--profiles-dir", str(project)]
    if target_path is not None:
        args += ["--target-path", str(target_path)]
    if variables:
        args += ["--vars", json.dumps(dict(variables))]
    env = {
        WAREHOUSE_ENV: str(warehouse.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }
    redirect = contextlib.redirect_stdout(sys.stderr) if quiet else contextlib.nullcontext()
    with _environment(env), redirect:
        result = dbtRunner().invoke(args)
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in {"error", "fail", "runtime error"}:
                failed.append(f"{node.node.name}: {node.message}")
        detail = "; ".join(failed) or str(result.exception or "see dbt output above")
        raise DbtError(f"dbt {' '.join(command)} failed: {detail}")
    return result
