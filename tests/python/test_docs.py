"""The dbt docs page of the bundle (issue #14): written with the rest, listed in the manifest,
and showing what a public bundle may show: the project's code and the published models'
catalog, not the private warehouse's other tables, their comments or the build's paths."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import duckdb
import pytest

from econ_index.bundle import DOCS_SUFFIX
from econ_index.docs import public_artefacts
from econ_index.paths import PROJECT_ENV, find_project_dir
from econ_index.publish import PublishError, PublishResult, publish
from test_publish import _warehouse

# A comment on an intermediate table of the warehouse: DuckDB's catalog carries comments.
CANARY = "CANARY-docs-7f3a private comment"
CATALOG_SCHEMA = "https://schemas.getdbt.com/dbt/catalog/v1.json"
MANIFEST_SCHEMA = "https://schemas.getdbt.com/dbt/manifest/v12.json"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> PublishResult:
    tmp = tmp_path_factory.mktemp("docs")
    warehouse = _warehouse(tmp / "warehouse.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        con.execute(f"comment on table intermediate.int_disclosure_cells is '{CANARY}'")
        con.execute(f"comment on column intermediate.int_disclosure_cells.cell_id is '{CANARY}'")
    return publish(warehouse, tmp / "published" / "econ_index.duckdb", docs=True)


def _inlined(page: str, schema_url: str) -> dict[str, object]:
    """The JSON document of the page whose metadata names ``schema_url``."""
    at = page.index(f'"dbt_schema_version": "{schema_url}"')
    start = page.rindex('{"metadata"', 0, at)
    document, _ = json.JSONDecoder().raw_decode(page, start)
    assert isinstance(document, dict)
    return document


@pytest.mark.slow
def test_the_page_is_in_the_bundle_and_the_manifest(published: PublishResult) -> None:
    page = published.docs
    assert page == published.duckdb_path.with_name("econ_index" + DOCS_SUFFIX)
    assert (page.stat().st_mode & 0o777) == 0o644
    assert published.manifest is not None
    files = {f["path"]: f for f in json.loads(published.manifest.read_text())["files"]}
    data = page.read_bytes()
    assert files[page.name]["sha256"] == hashlib.sha256(data).hexdigest()
    assert files[page.name]["bytes"] == len(data)
    # no temporary file is left beside it, only the publish lock
    hidden = [p.name for p in page.parent.iterdir() if p.name.startswith(".")]
    assert hidden == [".econ_index.duckdb.lock"]


@pytest.mark.slow
def test_the_catalog_holds_the_published_models_only(published: PublishResult) -> None:
    assert published.docs is not None
    page = published.docs.read_text()
    catalog = _inlined(page, CATALOG_SCHEMA)
    # the warehouse's published relations; its intermediate tables are left out
    assert set(catalog["nodes"]) == {  # type: ignore[call-overload]
        "model.econ_index.pub_index_cells",
        "model.econ_index.pub_usage_by_soc",
    }
    assert catalog["sources"] == {}
    assert CANARY not in page
    # the code and descriptions of every model are there: the project is open source
    manifest = _inlined(page, MANIFEST_SCHEMA)
    assert "model.econ_index.int_disclosure_cells" in manifest["nodes"]  # type: ignore[operator]


@pytest.mark.slow
def test_no_path_of_the_build_machine(published: PublishResult) -> None:
    assert published.docs is not None
    page = published.docs.read_text()
    project = find_project_dir()
    assert project is not None
    assert str(project.resolve()) not in page
    assert str(Path(tempfile.gettempdir()).resolve() / "econ-index-docs-") not in page
    assert _inlined(page, MANIFEST_SCHEMA)["metadata"]["env"] == {}  # type: ignore[index]


def test_public_artefacts_clean_what_dbt_writes() -> None:
    """The cleaning itself, on what dbt writes: a catalog of every schema, absolute paths."""
    manifest = {
        "metadata": {"env": {"DBT_ENV_CUSTOM_ENV_TOKEN": "secret"}},
        "nodes": {"model.p.int_x": {"root_path": "/home/me/p", "path": "/home/me/p/models/x"}},
    }
    catalog = {
        "metadata": {"env": {"DBT_ENV_CUSTOM_ENV_TOKEN": "secret"}},
        "nodes": {
            "model.p.int_x": {"metadata": {"schema": "intermediate", "comment": "private"}},
            "model.p.pub_x": {"metadata": {"schema": "published", "comment": None}},
        },
        "sources": {"source.p.raw.labels": {"metadata": {"schema": "raw"}}},
    }
    clean_manifest, clean_catalog = public_artefacts(manifest, catalog, ("/home/me/p",))
    assert clean_manifest["nodes"]["model.p.int_x"] == {"root_path": ".", "path": "models/x"}
    assert set(clean_catalog["nodes"]) == {"model.p.pub_x"}
    assert clean_catalog["sources"] == {}
    assert clean_manifest["metadata"]["env"] == clean_catalog["metadata"]["env"] == {}


def test_without_docs_an_older_page_is_removed(tmp_path: Path) -> None:
    """A page the manifest does not list would be from another publication."""
    out = tmp_path / "published" / "econ_index.duckdb"
    out.parent.mkdir()
    stale = out.with_name("econ_index" + DOCS_SUFFIX)
    stale.write_text("<html>an older publication</html>")
    result = publish(_warehouse(tmp_path / "warehouse.duckdb"), out)
    assert result.docs is None and not stale.exists()
    assert result.manifest is not None
    names = {f["path"] for f in json.loads(result.manifest.read_text())["files"]}
    assert stale.name not in names


def test_a_warehouse_dbt_cannot_open_is_named_before_dbt_runs(tmp_path: Path) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"not a DuckDB file" * 100)
    out = tmp_path / "published" / "econ_index.duckdb"
    with pytest.raises(PublishError, match=str(warehouse)):
        publish(warehouse, out, docs=True)
    assert not out.exists()


@pytest.mark.slow
def test_a_failed_docs_run_publishes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PROJECT_ENV, str(tmp_path / "no-project"))
    warehouse = _warehouse(tmp_path / "warehouse.duckdb")
    out = tmp_path / "published" / "econ_index.duckdb"
    with pytest.raises(PublishError, match=r"dbt docs page of .*warehouse\.duckdb: .*nothing was"):
        publish(warehouse, out, docs=True)
    assert not out.exists()
