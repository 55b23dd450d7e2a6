"""JSON documents refuse what they do not know (findings F7, F18): a roster or a command's
``--file`` with a newer ``schema_version`` is refused at ``$.schema_version``, naming the
file, even when it holds nothing; an unknown top-level key of a command's document is
refused naming its JSON path, as one inside a pledge is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import Handbooks, ImportFailed, Member, ValidationFailed, serde
from lamtheoguongbac.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLE = json.loads((EXAMPLES / "so-tay-2025.json").read_text(encoding="utf-8"))
ENTRY = SAMPLE["handbooks"]["dv04"]


def _write(tmp_path: Path, name: str, data: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


# --- the roster (F7) ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc",
    [
        {"schema_version": 99, "members": []},
        {"schema_version": 99},
        {"schema_version": 99, "units": [{"id": "u", "name": "U", "level": "Chi bộ"}]},
    ],
    ids=["empty members", "nothing", "a unit"],
)
def test_a_roster_of_a_newer_layout_is_refused_like_a_handbook(tmp_path: Path, doc: Any) -> None:
    path = _write(tmp_path, "ds.json", doc)
    with Handbooks.open("memory:") as service, pytest.raises(ImportFailed) as refused:
        service.roster.import_files([path])
    assert len(refused.value.problems) == 1
    problem = refused.value.problems[0]
    assert problem.path == f"{path}: $.schema_version"
    assert "newer than this release supports" in problem.text_en
    assert "mới hơn bản thư viện hỗ trợ" in problem.text_vi
    with pytest.raises(ValidationFailed) as handbook:  # the same words as a handbook's
        serde.from_dict(Member, {"schema_version": 99})
    assert handbook.value.reason_en == problem.text_en


@pytest.mark.parametrize(("version", "why"), [("2", "not an integer"), (0, "no migration")])
def test_a_roster_with_a_bad_layout_version_is_refused_at_its_path(
    tmp_path: Path, version: Any, why: str
) -> None:
    path = _write(tmp_path, "ds.json", {"schema_version": version, "members": []})
    with Handbooks.open("memory:") as service, pytest.raises(ImportFailed) as refused:
        service.roster.import_files([path])
    assert refused.value.problems[0].path == f"{path}: $.schema_version"
    assert why in refused.value.problems[0].text_en


@pytest.mark.parametrize("version", [1, 2, None])
def test_a_roster_of_this_or_an_older_layout_is_read(tmp_path: Path, version: int | None) -> None:
    doc: dict[str, Any] = {
        "units": [{"id": "cb", "name": "Chi bộ ấp Đông", "level": "Chi bộ"}],
        "members": [{"id": "dv1", "full_name": "Lê Văn An", "cell_id": "cb"}],
    }
    if version is not None:
        doc["schema_version"] = version
    path = _write(tmp_path, "ds.json", doc)
    with Handbooks.open("memory:") as service:
        service.roster.import_files([path])
        assert service.roster.member("dv1").full_name == "Lê Văn An"


# --- a command's --file (F18) ------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = f"sqlite:///{tmp_path / 'so-tay.db'}"
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--store", store, "--lang", "en", *args], catch_exceptions=False)

    assert invoke("init").exit_code == 0
    assert invoke("import", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv"))
    created = invoke("create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01")
    assert created.exit_code == 0
    return invoke


@pytest.mark.parametrize(
    "extra", [{"recorded_by": "dv01"}, {"recorded_by": "dv01", "approved_by_committee": True}]
)
def test_register_refuses_an_unknown_top_level_key_naming_its_path(
    run, tmp_path: Path, extra: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "p.json", {"schema_version": 1, "pledges": ENTRY["pledges"]} | extra)
    refused = run("register", "dv04-2025", "--file", str(path), "--as", "dv04")
    assert refused.exit_code == 2, refused.output
    for key in extra:
        assert f"{path}: $.{key}" in refused.output
    assert "unknown field" in refused.output
    listed = run("show", "dv04-2025")
    assert "registered" not in listed.output.lower().split("\n")[0]


def test_report_refuses_an_unknown_top_level_key(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pledges = _write(tmp_path, "p.json", {"schema_version": 1, "pledges": ENTRY["pledges"]})
    assert run("register", "dv04-2025", "--file", str(pledges), "--as", "dv04").exit_code == 0
    doc = {
        "schema_version": 1,
        "report": ENTRY["report"],
        "self_assessment": ENTRY["self_assessment"],
        "signed_by": "dv01",
    }
    path = _write(tmp_path, "r.json", doc)
    refused = run("report", "dv04-2025", "--file", str(path), "--as", "dv04")
    assert refused.exit_code == 2, refused.output
    assert f"{path}: $.signed_by" in refused.output


def test_a_newer_schema_version_is_named_at_the_top_of_the_document(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "p.json", {"schema_version": 99, "pledges": ENTRY["pledges"]})
    refused = run("register", "dv04-2025", "--file", str(path), "--as", "dv04")
    assert refused.exit_code == 2, refused.output
    assert f"{path}: $.schema_version: the document's schema version 99 is newer" in (
        refused.output
    )
    assert "$.pledges[0].schema_version" not in refused.output


def test_an_unknown_key_inside_a_pledge_is_still_named(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pledge = ENTRY["pledges"][0] | {"is_admin": True}
    path = _write(tmp_path, "p.json", {"schema_version": 1, "pledges": [pledge]})
    refused = run("register", "dv04-2025", "--file", str(path), "--as", "dv04")
    assert refused.exit_code == 2
    assert f"{path}: $.pledges[0]: unknown field(s): is_admin" in refused.output
