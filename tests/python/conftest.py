"""Shared fixtures: the O*NET release CI provides, and seeds built from it once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from econ_index.onet import build_seeds
from econ_index.taxonomy import Taxonomy, load_taxonomy

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def onet_source() -> Path:
    raw = os.environ.get("ONET_SOURCE") or str(REPO.parent / "shared/data/aei_2025_02_10")
    path = Path(raw)
    if not (path / "onet_task_statements.csv").is_file():
        pytest.fail(f"the AEI release is needed at {path}: set ONET_SOURCE")
    return path


@pytest.fixture(scope="session")
def seeds_dir(onet_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("seeds")
    build_seeds(onet_source, out)
    return out


@pytest.fixture(scope="session")
def taxonomy(seeds_dir: Path) -> Taxonomy:
    return load_taxonomy(seeds_dir)
