"""The dbt docs of a publication (issue #14): one self-contained HTML page for the bundle.

What a public bundle may show of the dbt project:

* the manifest (every model, test, seed and source with its description, lineage and SQL): the
  project's code, public anyway, and no data: no model reads a table at compile time;
* the catalog (columns and types) of the published models only; intermediate tables, staging
  views, seeds and the raw sources are left out of it (DuckDB's catalog holds no row counts or
  statistics, but which tables of a private warehouse exist is not the reader's business);
* no path of the machine that built it (made relative to the project) and no environment.

The page is built as ``dbt docs generate --static`` builds it (dbt's ``index.html`` with the
two JSON documents inlined), from the artefacts after they are cleaned as above. dbt runs in a
child process: dbt-duckdb keeps the warehouse open read-write for the life of its process, and
publishing attaches it read-only.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from econ_index.dbt_runner import DbtError, project_dir, run_dbt
from econ_index.publish import PUBLISHED_SCHEMA

# dbt compiles (and catalogs) only these; the manifest still lists every node.
SELECTOR = f"config.schema:{PUBLISHED_SCHEMA}"
_MANIFEST_SLOT = '"MANIFEST.JSON INLINE DATA"'
_CATALOG_SLOT = '"CATALOG.JSON INLINE DATA"'


def _relative(value: Any, roots: tuple[str, ...]) -> Any:
    """``value`` with every absolute path under one of ``roots`` made relative to it."""
    if isinstance(value, dict):
        return {k: _relative(v, roots) for k, v in value.items()}
    if isinstance(value, list):
        return [_relative(v, roots) for v in value]
    if isinstance(value, str):
        for root in roots:
            value = value.replace(root + "/", "").replace(root, ".")
    return value


def public_artefacts(
    manifest: dict[str, Any], catalog: dict[str, Any], roots: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The manifest and catalog as a public page may show them (see the module's docstring)."""
    published = {
        unique_id: node
        for unique_id, node in catalog["nodes"].items()
        if node["metadata"]["schema"] == PUBLISHED_SCHEMA
    }
    manifest = {**manifest, "metadata": {**manifest["metadata"], "env": {}}}
    catalog = {
        **catalog,
        "nodes": published,
        "sources": {},
        "metadata": {**catalog["metadata"], "env": {}},
    }
    return _relative(manifest, roots), _relative(catalog, roots)


def write_docs(warehouse: Path, dest: Path) -> None:
    """Write the docs page of ``warehouse`` (its published models built) to ``dest``, from a
    child process; :class:`DbtError` with dbt's messages when it fails."""
    done = subprocess.run(
        [sys.executable, "-m", __name__, str(warehouse), str(dest)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise DbtError(f"the dbt docs page of {warehouse}: {detail[-1]}")


def _generate(warehouse: Path, dest: Path) -> None:
    """``dbt docs generate`` in this process, then the page as :func:`public_artefacts` says."""
    project = project_dir().resolve()
    with tempfile.TemporaryDirectory(prefix="econ-index-docs-") as name:
        target = Path(name).resolve()
        run_dbt(
            ["docs", "generate", "--select", SELECTOR],
            warehouse=warehouse,
            target_path=target,
            quiet=True,
            verbose=False,
        )
        manifest, catalog = public_artefacts(
            json.loads((target / "manifest.json").read_text(encoding="utf-8")),
            json.loads((target / "catalog.json").read_text(encoding="utf-8")),
            (str(target), str(project)),
        )
        page = (target / "index.html").read_text(encoding="utf-8")
    page = page.replace(_MANIFEST_SLOT, json.dumps(manifest), 1)
    dest.write_text(page.replace(_CATALOG_SLOT, json.dumps(catalog), 1), encoding="utf-8")


if __name__ == "__main__":
    try:
        _generate(Path(sys.argv[1]), Path(sys.argv[2]))
    except DbtError as exc:
        sys.exit(str(exc))
