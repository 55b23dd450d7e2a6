"""Hostile input: nothing lost, nothing half-done (issue 15, class 5).

Duplicate JSON keys and ``../`` archive entries are refused as damaged input; reopening keeps
what it cleared in the event log; a read-only command never creates a store.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from hostile import cli_runner, exported_workbook, open_cell, reported_handbook
from lamtheoguongbac import (
    EventKind,
    HandbookStatus,
    ImportFailed,
    Member,
    TemplateError,
    ValidationFailed,
    serde,
)
from lamtheoguongbac.plugin import UnsafeArchive, check_zip
from lamtheoguongbac.spreadsheet import read_workbook
from strategies import MEMBER, SECRETARY, YEAR, assessment

# --- duplicate JSON keys ------------------------------------------------------------------


def test_duplicate_keys_are_refused_not_last_one_wins() -> None:
    text = '{"schema_version": 1, "id": "dv01", "full_name": "A", "full_name": "B", "cell_id": "c"}'
    with pytest.raises(ValidationFailed, match="full_name"):
        serde.loads(Member, text)
    with pytest.raises(ValidationFailed, match="'x'"):
        serde.parse_json('{"a": {"x": 1, "x": 2}}')


def test_a_roster_json_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "danh-sach.json"
    path.write_text('{"members": [], "units": [], "units": []}', encoding="utf-8")
    with pytest.raises(ImportFailed, match="units"):
        open_cell().roster.import_files([path])


def test_the_cli_refuses_a_pledges_file_with_a_repeated_key(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    book = service.create(MEMBER.id, year=YEAR, actor=MEMBER)
    service.close()
    path = tmp_path / "viec.json"
    path.write_text('{"pledges": [], "pledges": []}', encoding="utf-8")
    result = cli_runner(url)("register", book.id, "--file", str(path), "--as", MEMBER.id)
    assert result.exit_code == 2
    assert "pledges" in result.output


# --- archive entry names ------------------------------------------------------------------


def _with_entry(data: bytes, name: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, b"<x/>")
    return out.getvalue()


@pytest.mark.parametrize("name", ["../evil.xml", "word/../../evil.xml", "/etc/evil", "a\\b.xml"])
def test_odd_entry_names_are_refused_as_damaged(name: str, tmp_path: Path) -> None:
    service = open_cell()
    workbook = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    hostile = _with_entry(workbook.read_bytes(), name)
    with pytest.raises(UnsafeArchive) as refused:
        check_zip(hostile)
    assert refused.value.entry == name
    workbook.write_bytes(hostile)
    with pytest.raises(ImportFailed, match="tên không hợp lệ"):
        read_workbook(workbook)
    import lamtheoguongbac_docx as docx  # the first-party plugin, installed by make

    template = tmp_path / "mau.docx"
    template.write_bytes(_with_entry(docx.DEFAULT_TEMPLATE.read_bytes(), name))
    with pytest.raises(TemplateError, match="invalid name"):
        docx.DocxRenderer(template)
    assert len(docx.check_template(template)) == 1


# --- reopening keeps what it cleared ------------------------------------------------------


def test_reopening_keeps_the_report_and_the_assessment_in_the_log(tmp_path: Path) -> None:
    service = open_cell(f"sqlite:///{tmp_path / 'so-tay.db'}")
    hid = reported_handbook(service)
    service.record_assessment(hid, assessment(SECRETARY), actor=SECRETARY)
    assessed = service.get(hid)
    service.reopen_handbook(
        hid, to=HandbookStatus.REGISTERED, reason="Báo cáo ghi nhầm số liệu", actor=SECRETARY
    )
    [event] = service.reopenings(hid)
    assert event.kind is EventKind.REOPENED
    assert event.cleared is not None
    assert event.cleared.report == assessed.report
    assert event.cleared.self_assessment == assessed.self_assessment
    assert event.cleared.collective_assessment == assessed.collective_assessment
    assert service.get(hid).report is None
    service.close()
    history = cli_runner(f"sqlite:///{tmp_path / 'so-tay.db'}")("history", hid, "--json")
    assert history.exit_code == 0
    assert assessed.collective_assessment is not None
    assert assessed.collective_assessment.text in history.output


def test_a_version_1_event_reads_without_the_new_field() -> None:
    service = open_cell()
    hid = reported_handbook(service)
    [created, *_] = service.history(hid)
    doc = serde.to_dict(created)
    del doc["cleared"]
    doc["schema_version"] = 1
    assert serde.from_dict(type(created), doc) == created


# --- a read-only command never creates a store --------------------------------------------


@pytest.mark.parametrize(
    "args",
    [("list",), ("show", "x"), ("history", "x"), ("stats", "--org", "x", "--year", "2025")],
)
def test_read_only_commands_refuse_a_store_that_does_not_exist(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    typo = tmp_path / "typo.db"
    result = cli_runner(f"sqlite:///{typo}")(*args)
    assert result.exit_code == 2
    assert "typo.db" in result.output
    assert "init" in result.output
    assert not typo.exists()


def test_commands_that_add_data_create_the_store_and_say_so(tmp_path: Path) -> None:
    store = tmp_path / "moi.db"
    result = cli_runner(f"sqlite:///{store}")("init")
    assert result.exit_code == 0
    assert "Đã tạo kho mới" in result.output
    assert store.exists()
    again = cli_runner(f"sqlite:///{store}")("list")
    assert again.exit_code == 0
    assert "Đã tạo kho mới" not in again.output


@pytest.mark.parametrize("name", ["moi.db", "kho%20moi.db"])  # the URL's path is unquoted
def test_a_command_that_fails_on_a_new_store_leaves_no_store(tmp_path: Path, name: str) -> None:
    units, members = tmp_path / "to-chuc.csv", tmp_path / "dang-vien.csv"
    units.write_text("ma,ten,cap,ma_cap_tren\n", encoding="utf-8")
    members.write_text("ma,ho_va_ten,chi_bo\ndv1,Lê Văn An,khong-co\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / name}"
    result = cli_runner(url)("--lang", "en", "import", str(units), str(members))
    assert result.exit_code == 2
    assert "Removed the new store" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dang-vien.csv", "to-chuc.csv"]


def test_a_failing_command_keeps_a_store_that_was_there(tmp_path: Path) -> None:
    units, members = tmp_path / "to-chuc.csv", tmp_path / "dang-vien.csv"
    units.write_text("ma,ten,cap,ma_cap_tren\n", encoding="utf-8")
    members.write_text("ma,ho_va_ten,chi_bo\ndv1,Lê Văn An,khong-co\n", encoding="utf-8")
    store = tmp_path / "co-san.db"
    assert cli_runner(f"sqlite:///{store}")("init").exit_code == 0
    result = cli_runner(f"sqlite:///{store}")("--lang", "en", "import", str(units), str(members))
    assert result.exit_code == 2
    assert "unknown cell" in result.output
    assert "Removed" not in result.output
    assert store.exists()
