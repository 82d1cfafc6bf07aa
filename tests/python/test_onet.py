"""Seeds built from both release layouts: the AEI CSVs and the official O*NET text release."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from econ_index.onet import OnetSourceError, build_seeds, resolve_source
from econ_index.taxonomy import TaxonomyError, load_taxonomy


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter="\t", lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


@pytest.fixture
def onet_text_release(tmp_path: Path) -> Path:
    """A tiny release in the official text layout (tab-delimited, CRLF), as db_29_1_text ships."""
    release = tmp_path / "db_29_1_text"
    release.mkdir()
    _write_tsv(
        release / "Occupation Data.txt",
        ["O*NET-SOC Code", "Title", "Description"],
        [
            ["15-1252.00", "Software Developers", "Research, design, and develop software."],
            ["43-4051.00", "Customer Service Representatives", "Interact with customers."],
            ["43-4051.03", "Patient Representatives", "Assist patients."],
        ],
    )
    header = [
        "O*NET-SOC Code",
        "Task ID",
        "Task",
        "Task Type",
        "Incumbents Responding",
        "Date",
        "Domain Source",
    ]
    _write_tsv(
        release / "Task Statements.txt",
        header,
        [
            [
                "15-1252.00",
                "16363",
                "Modify existing software to correct errors.",
                "Core",
                "32",
                "08/2023",
                "Incumbent",
            ],
            [
                "43-4051.00",
                "9466",
                "Resolve customer complaints.",
                "Core",
                "101",
                "08/2023",
                "Incumbent",
            ],
            [
                "43-4051.03",
                "9467",
                "Resolve customer complaints.",
                "Core",
                "12",
                "08/2023",
                "Incumbent",
            ],
        ],
    )
    return release


def test_onet_text_layout(onet_text_release: Path, tmp_path: Path) -> None:
    out = tmp_path / "seeds"
    summary = build_seeds(onet_text_release, out)
    assert summary.layout == "onet_text"
    assert summary.onet_version == "29.1"
    tasks = _read(out / "onet_task_statements.csv")
    assert [t["task_id"] for t in tasks] == ["16363", "9466", "9467"]
    assert {t["onet_version"] for t in tasks} == {"29.1"}
    occupations = {r["onet_soc_code"]: r for r in _read(out / "onet_occupations.csv")}
    assert occupations["15-1252.00"]["major_soc_code"] == "15-0000"
    assert occupations["43-4051.03"]["broad_soc_code"] == "43-4050"
    soc = {r["soc_code"]: r for r in _read(out / "soc_structure.csv")}
    assert soc["15-0000"]["soc_title"] == "Computer and Mathematical Occupations"
    assert soc["15-1252"]["parent_soc_code"] == "15-1250"
    assert _read(out / "aei_task_usage.csv") == []  # a plain O*NET release has no usage data


def test_aei_layout_hierarchy(onet_source: Path, seeds_dir: Path) -> None:
    occupations = _read(seeds_dir / "onet_occupations.csv")
    soc = {r["soc_code"]: r for r in _read(seeds_dir / "soc_structure.csv")}
    assert len(occupations) == 974
    for occ in occupations:
        # every occupation reaches a major group through nodes of the structure
        for column in ("detailed_soc_code", "broad_soc_code", "minor_soc_code", "major_soc_code"):
            assert occ[column] in soc, (occ["onet_soc_code"], column)
        assert soc[occ["minor_soc_code"]]["parent_soc_code"] == occ["major_soc_code"]
        assert soc[occ["broad_soc_code"]]["parent_soc_code"] == occ["minor_soc_code"]
    by_code = {o["onet_soc_code"]: o for o in occupations}
    # SOC 2010 computer occupations sit in the 2018 minor group 15-1200
    assert by_code["15-1111.00"]["minor_soc_code"] == "15-1200"
    assert by_code["11-3111.00"]["minor_soc_code"] == "11-3000"


def test_taxonomy_loads_with_usage(seeds_dir: Path) -> None:
    taxonomy = load_taxonomy(seeds_dir)
    assert len(taxonomy.tasks) == 19_530
    assert taxonomy.onet_version == "aei_2025_02_10"
    total = sum(taxonomy.usage_weight(t) for t in taxonomy.tasks)
    # equal split preserves the published total; the release's "none" row matches no task
    assert taxonomy.aei_usage["none"] == pytest.approx(0.48, abs=0.01)
    assert total + taxonomy.aei_usage["none"] == pytest.approx(100.0, abs=1e-6)


def test_missing_source_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ONET_SOURCE", raising=False)
    with pytest.raises(OnetSourceError, match="Set ONET_SOURCE"):
        resolve_source(None)
    with pytest.raises(OnetSourceError, match="neither"):
        build_seeds(tmp_path, tmp_path / "seeds")
    with pytest.raises(TaxonomyError, match="econ-index seeds"):
        load_taxonomy(tmp_path / "nowhere")


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    release = tmp_path / "bad"
    release.mkdir()
    _write_tsv(
        release / "Occupation Data.txt",
        ["O*NET-SOC Code", "Title", "Description"],
        [["15-1252.00", "Software Developers", "x"]],
    )
    _write_tsv(
        release / "Task Statements.txt",
        ["O*NET-SOC Code", "Task ID", "Task"],
        [["15-1252.00", "1", "ok"], ["15-1252", "2", "bad code"]],
    )
    with pytest.raises(OnetSourceError, match=r"Task Statements\.txt:3: bad O\*NET-SOC code"):
        build_seeds(release, tmp_path / "seeds")
