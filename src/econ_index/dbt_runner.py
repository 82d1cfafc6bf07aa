"""Runs the project's dbt models in-process against a chosen warehouse file."""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest
from dbt_common.events.base_types import EventMsg

from econ_index.paths import PROJECT_ENV, SEED_FILE, find_project_dir

WAREHOUSE_ENV = "ECON_INDEX_WAREHOUSE"

# Told after every node a dbt command finishes: the command, nodes done, nodes selected (0 until
# dbt has started one) and the node ("model stg_x").
ProgressListener = Callable[[str, int, int, str], None]
_listener: ContextVar[ProgressListener | None] = ContextVar("dbt_progress", default=None)


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


@contextlib.contextmanager
def reporting_progress(listener: ProgressListener) -> Iterator[None]:
    """Every :func:`run_dbt` inside the block tells ``listener`` of each node it finishes (from
    dbt's structured events, so callers deep in the pipeline need not pass it along)."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def _node_counter(command: str, listener: ProgressListener) -> Callable[[EventMsg], None]:
    """A dbtRunner callback: the total from ``LogStartLine`` (each node's start carries the
    number selected), one count per ``NodeFinished``. dbt calls it from its worker threads."""
    lock = threading.Lock()
    state = {"done": 0, "total": 0}

    def on_event(event: EventMsg) -> None:
        name = event.info.name
        if name == "LogStartLine":
            with lock:
                state["total"] = max(state["total"], int(event.data.total))
        elif name == "NodeFinished":
            node = event.data.node_info
            with lock:
                state["done"] += 1
                done, total = state["done"], max(state["total"], state["done"])
            listener(command, done, total, f"{node.resource_type} {node.node_name}")

    return on_event


def run_dbt(
    command: list[str],
    *,
    warehouse: Path,
    target_path: Path | None = None,
    variables: Mapping[str, object] | None = None,
    quiet: bool = False,
    verbose: bool = True,
    environment: Mapping[str, str] | None = None,
    manifest: Manifest | None = None,
) -> dbtRunnerResult:
    """``dbt <command>`` on ``warehouse``; raises :class:`DbtError` unless every node passed.

    With ``quiet``, dbt's own output goes to stderr so stdout stays machine-readable; without
    ``verbose`` dbt prints errors only (:func:`describe` sums the result up). ``environment``
    is set for the command only (e.g. econ_index.daily's watermark). ``manifest``, from
    :func:`parse_project` with the same ``variables``, spares the command dbt's parse.
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
        **(environment or {}),
    }
    redirect = contextlib.redirect_stdout(sys.stderr) if quiet else contextlib.nullcontext()
    listener = _listener.get()
    callbacks = [_node_counter(" ".join(command), listener)] if listener else []
    with _environment(env), redirect:
        result = dbtRunner(manifest=manifest, callbacks=callbacks).invoke(args)
    if not result.success:
        failed = []
        for node in getattr(result.result, "results", None) or []:
            if str(node.status) in {"error", "fail", "runtime error"}:
                failed.append(f"{node.node.name}: {node.message}")
        detail = "; ".join(failed) or str(result.exception or "see dbt output above")
        raise DbtError(f"dbt {' '.join(command)} failed: {detail}")
    return result


def parse_project(*, warehouse: Path, verbose: bool = True) -> Manifest:
    """The project parsed once (``dbt parse``, without vars), for several :func:`run_dbt` calls
    to share: dbt's start-up per command is mostly its parse. The environment a model reads
    (econ_index.daily's watermark) is read at execution, so one parse serves every command."""
    result = run_dbt(["parse"], warehouse=warehouse, verbose=verbose)
    if not isinstance(result.result, Manifest):
        raise DbtError(f"dbt parse returned no manifest: {result.exception}")
    return result.result


def describe(result: dbtRunnerResult) -> str:
    """One line for a finished dbt command: nodes per resource type and their outcomes."""
    nodes = getattr(result.result, "results", None) or []
    kinds = Counter(str(node.node.resource_type) for node in nodes)
    outcomes = Counter(str(node.status) for node in nodes)
    done = ", ".join(f"{n:,} {kind}s" for kind, n in sorted(kinds.items()))
    how = ", ".join(f"{n:,} {status}" for status, n in sorted(outcomes.items()))
    return f"{done or 'nothing to run'} ({how})" if how else done or "nothing to run"
