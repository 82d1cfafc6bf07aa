"""Runs the project's dbt models in-process against a chosen warehouse file."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult

from econ_index.paths import PROJECT_ENV, SEED_FILE, find_project_dir

WAREHOUSE_ENV = "ECON_INDEX_WAREHOUSE"


class DbtError(RuntimeError):
    """dbt failed; the message names the command and the failing nodes."""


def project_dir() -> Path:
    """The dbt project (see :func:`econ_index.paths.find_project_dir`)."""
    if (found := find_project_dir()) is None:
        raise DbtError(f"no dbt_project.yml found: run from the project or set {PROJECT_ENV}")
    return found


def check_seeds() -> Path:
    """The dbt project's seeds folder; :class:`DbtError` naming it when the seeds are not built
    (they are not in git: ``econ-index seeds`` builds them from an O*NET or AEI release)."""
    seeds = project_dir() / "seeds"
    if not (seeds / SEED_FILE).is_file():
        raise DbtError(
            f"the dbt seeds are missing: no {SEED_FILE} in {seeds}; build them with "
            f"`econ-index seeds --source RELEASE_DIR --out {seeds}` (or set $ONET_SOURCE)"
        )
    return seeds


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
    verbose: bool = True,
) -> dbtRunnerResult:
    """``dbt <command>`` on ``warehouse``; raises :class:`DbtError` unless every node passed.

    With ``quiet``, dbt's own output goes to stderr so stdout stays machine-readable; without
    ``verbose`` dbt prints errors only (:func:`describe` sums the result up).
    """
    project = project_dir()
    args = [*([] if verbose else ["--quiet"]), *command]
    args += ["--project-dir", str(project), "--profiles-dir", str(project)]
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


def describe(result: dbtRunnerResult) -> str:
    """One line for a finished dbt command: nodes per resource type and their outcomes."""
    nodes = getattr(result.result, "results", None) or []
    kinds = Counter(str(node.node.resource_type) for node in nodes)
    outcomes = Counter(str(node.status) for node in nodes)
    done = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(kinds.items()))
    how = ", ".join(f"{n:,} {status}" for status, n in sorted(outcomes.items()))
    return f"{done or 'nothing to run'} ({how})" if how else done or "nothing to run"
