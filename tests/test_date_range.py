"""Dates out of range (finding F8): every date of the model lies in 1930-01-01 – 2200-12-31
(a date of birth from 1900-01-01), refused as *out of range* naming the field — in the
model, a CSV or JSON roster, a workbook and on the command line — never as "not a date" nor
passed on to a rule that blames a person for it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import attrs
import pytest

from hostile import (
    append_row,
    cli_runner,
    edit_workbook,
    exported_workbook,
    open_cell,
    reported_handbook,
)
from lamtheoguongbac import (
    CollectiveAssessment,
    ImportFailed,
    Period,
    Role,
    SelfAssessment,
    ValidationFailed,
)
from lamtheoguongbac._roster import parse_date
from lamtheoguongbac.spreadsheet import read_workbook
from strategies import CELL, MEMBER, SECRETARY, YEAR


@pytest.mark.parametrize(
    ("field", "day"),
    [
        ("date_of_birth", dt.date(9999, 12, 31)),
        ("date_of_birth", dt.date(2999, 1, 1)),
        ("date_of_birth", dt.date(1899, 12, 31)),
        ("date_of_birth", dt.date(1, 1, 1)),
        ("joined_on", dt.date(1929, 12, 31)),
        ("official_on", dt.date(2201, 1, 1)),
    ],
)
def test_a_member_date_out_of_range_is_refused_naming_the_field(field: str, day: dt.date) -> None:
    with pytest.raises(ValidationFailed) as refused:
        attrs.evolve(MEMBER, **{field: day, "joined_on": None, "official_on": None} | {field: day})
    assert refused.value.field == f"Member.{field}"
    assert "out of range" in refused.value.message("en")
    assert "nằm ngoài khoảng cho phép" in refused.value.message("vi")
    assert f"{day.year:04d}-{day:%m-%d}" in refused.value.message("en")


def test_a_date_of_birth_may_be_before_the_party_was_founded() -> None:
    born = attrs.evolve(MEMBER, date_of_birth=dt.date(1905, 5, 19), joined_on=None).date_of_birth
    assert born == dt.date(1905, 5, 19)
    assert attrs.evolve(MEMBER, date_of_birth=dt.date(1900, 1, 1)).date_of_birth is not None


def test_the_edges_of_the_range_are_accepted() -> None:
    assert Period(start=dt.date(1930, 1, 1), end=dt.date(2200, 12, 31)).end.year == 2200
    with pytest.raises(ValidationFailed, match="out of range"):
        SelfAssessment(text="Tốt.", written_on=dt.date(1, 1, 1))


def test_a_meeting_in_1900_is_refused_as_out_of_range_not_blamed_on_the_secretary(
    tmp_path: Path,
) -> None:
    """Excel's day 1 (01/01/1900) in a workbook's meeting date is a slip, not a Secretary
    who did not hold office then."""
    with pytest.raises(ValidationFailed) as refused:
        CollectiveAssessment(
            text="Hoàn thành tốt nhiệm vụ.",
            meeting_date=dt.date(1900, 1, 1),
            recorded_by=SECRETARY.id,
            recorder_name=SECRETARY.full_name,
            recorder_role=Role.SECRETARY,
        )
    assert refused.value.field == "CollectiveAssessment.meeting_date"

    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(
        path,
        {
            "Đánh giá chi bộ": append_row(
                {
                    "ma_dang_vien": MEMBER.id,
                    "ngay_hop": dt.datetime(1900, 1, 1),
                    "ma_nguoi_ghi": SECRETARY.id,
                    "xep_loai": "Hoàn thành tốt nhiệm vụ",
                    "nhan_xet": "Hoàn thành tốt nhiệm vụ.",
                },
            )
        },
    )
    with pytest.raises(ValidationFailed) as failed:
        service.import_workbook(read_workbook(path), year=YEAR, actor=SECRETARY)
    message = failed.value.message("en")
    assert "out of range" in message
    assert "not the Secretary" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/01/0001", dt.date(1, 1, 1)),
        ("31/12/9999", dt.date(9999, 12, 31)),
        ("5/1/2025", dt.date(2025, 1, 5)),
        ("2025-01-05", dt.date(2025, 1, 5)),
    ],
)
def test_parse_date_reads_the_form_and_leaves_the_range_to_the_model(
    text: str, expected: dt.date
) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["05/01/25", "31/02/2025", "00/01/2025", "ngày 5", "1/1/0"])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match=r"\S"):
        parse_date(text)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("01/01/0001", "'01/01/0001': the date 0001-01-01 is out of range"),
        ("01/01/2999", "'01/01/2999': the date 2999-01-01 is out of range"),
        ("31/12/1899", "'31/12/1899': the date 1899-12-31 is out of range"),
        ("05/01/25", "'05/01/25' is not a date (dd/mm/yyyy)"),
    ],
)
def test_a_csv_roster_says_out_of_range_for_a_date_of_the_right_form(
    tmp_path: Path, value: str, why: str
) -> None:
    path = tmp_path / "dang-vien.csv"
    path.write_text(
        f"ma,ho_va_ten,chi_bo,ngay_sinh\ndv01,Nguyễn Văn An,{CELL.id},{value}\n", encoding="utf-8"
    )
    with pytest.raises(ImportFailed) as refused:
        open_cell().roster.import_files([path])
    text = refused.value.message("en")
    assert "row 2" in text
    assert why in text


def test_a_json_roster_names_the_path_of_a_date_out_of_range(tmp_path: Path) -> None:
    path = tmp_path / "dang-vien.json"
    member = {"id": "j5", "full_name": "Lê Văn Năm", "cell_id": CELL.id}
    path.write_text(
        json.dumps({"schema_version": 1, "members": [member | {"date_of_birth": "9999-12-31"}]}),
        encoding="utf-8",
    )
    with pytest.raises(ImportFailed) as refused:
        open_cell().roster.import_files([path])
    assert "$.members[0].date_of_birth: the date 9999-12-31 is out of range" in str(refused.value)


def test_the_command_line_refuses_a_date_out_of_range(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    open_cell(url).close()
    run = cli_runner(url)
    result = run("stats", "--org", CELL.id, "--year", str(YEAR), "--today", "01/01/0001")
    assert result.exit_code == 2, result.output
    assert "out of range" in result.output or "nằm ngoài khoảng" in result.output
