"""The Excel workflow as a cell secretary uses it: the template, filled in with openpyxl, read
back, applied to a store; bad rows reported with sheet/row/column; export → read round trips.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import subprocess
import sys
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path

import attrs
import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import (
    Basis,
    BasisKind,
    ConflictError,
    DeliverableTarget,
    Event,
    EventKind,
    Handbook,
    Handbooks,
    HandbookStatus,
    ImportFailed,
    Member,
    NotFound,
    OrgUnit,
    Outcome,
    Pledge,
    QuantityTarget,
    RatingLevel,
    RegulationRef,
    Role,
    RoleAssignment,
    StoreError,
    hookimpl,
)
from lamtheoguongbac._legacy import encode_legacy
from lamtheoguongbac._storage import MemoryStore, SqliteStore
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.spreadsheet import (
    SHEETS,
    HandbookEntry,
    WorkbookData,
    XlsxUnavailable,
    export_workbook,
    read_inspection_workbook,
    read_workbook,
    workbook_data,
    write_inspection_workbook,
    write_rollup,
    write_template,
    write_workbook,
)
from lamtheoguongbac.supervision import CellRollup, Figures, RatingCounts, Rollup
from lamtheoguongbac.testing import ICT, make_handbook, make_inspection, make_roster
from strategies import members, quantity_targets, regulation_refs, vietnamese_text

DOCS = Path(__file__).resolve().parent.parent / "docs" / "excel.md"
THEME = "Chuyên đề năm 2025: ý chí tự lực, tự cường và khát vọng phát triển đất nước"

UNITS = (
    OrgUnit(id="tinh", name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh"),
    OrgUnit(id="cb-vp", name="Chi bộ Văn phòng", level="Chi bộ", parent_id="tinh", place="Hòa"),
)
UNIT_ROWS = [
    {"Mã đơn vị": "tinh", "Tên đơn vị": "Đảng bộ tỉnh An Giang", "Cấp": "Đảng bộ tỉnh"},
    {
        "Mã đơn vị": "xa-ap",
        "Tên đơn vị": "Đảng bộ xã An Phú",
        "Cấp": "Đảng bộ cơ sở",
        "Mã cấp trên": "tinh",
        "Cơ sở": "Có",
        "Địa danh": "An Phú",
    },
    {
        "Mã đơn vị": "cb-vp",
        "Tên đơn vị": "Chi bộ Văn phòng Ủy ban nhân dân xã",
        "Cấp": "Chi bộ",
        "Mã cấp trên": "xa-ap",
    },
]


Row = dict[str, object]


def _member(member_id: str, name: str, position: str, duties: str, **extra: object) -> Row:
    return {
        "Mã đảng viên": member_id,
        "Họ và tên": name,
        "Mã chi bộ": "cb-vp",
        "Trạng thái": "Đảng viên chính thức",
        "Chức vụ": position,
        "Nhiệm vụ được giao": duties,
        "Ngày vào Đảng": "19/05/2005",
        **extra,
    }


MEMBER_ROWS = [
    _member(
        "dv01",
        "Nguyễn Văn Hùng",
        "Phó Chủ tịch Ủy ban nhân dân xã",
        "Chỉ đạo công tác cải cách hành chính; Phụ trách bộ phận một cửa",
        **{
            "Ngày sinh": dt.datetime(1975, 3, 12),  # a real Excel date
            "Vai trò": "Bí thư",
            "Vai trò từ ngày": "01/07/2020",  # a date typed as text
        },
    ),
    _member(
        "dv02",
        "Trần Thị Mai",
        "Công chức Văn phòng - Thống kê",
        "Tiếp nhận hồ sơ một cửa",
        **{"Nơi công tác": encode_legacy("Văn phòng xã An Phú", "vni")},  # an old VNI file
    ),
    _member(
        "dv04",
        unicodedata.normalize("NFD", "Phạm Thị Ánh"),  # pasted from a Mac
        "Công chức Tư pháp - Hộ tịch",
        "Đăng ký hộ tịch\nChứng thực bản sao\nPhổ biến giáo dục pháp luật",
        **{"Nơi công tác": encode_legacy("UBND xã An Phú", "tcvn3")},  # an old TCVN3 file
    ),
]


def _pledge(
    member_id: str, pledge_id: str, deed: str, amount: object, unit: str, **more: object
) -> Row:
    return {
        "Mã đảng viên": member_id,
        "Mã việc": pledge_id,
        "Việc làm đăng ký": deed,
        "Chỉ tiêu (số lượng)": amount,
        "Đơn vị tính / sản phẩm": unit,
        **more,
    }


PLEDGE_ROWS = [
    _pledge(
        "dv01",
        "p1",
        "Chỉ đạo giải quyết 100% hồ sơ thủ tục hành chính tại bộ phận một cửa đúng hạn, không "
        "để hồ sơ trễ hạn",
        100,
        "%",
        **{
            "Thời hạn": dt.datetime(2025, 12, 31),
            "Gắn với nhiệm vụ": "Chỉ đạo công tác cải cách hành chính",
            "Loại căn cứ": "Chuyên đề học tập",
            "Nội dung căn cứ": THEME,
        },
    ),
    _pledge(
        "dv04",
        "p1",
        "Tổ chức 06 buổi tuyên truyền pháp luật về hôn nhân gia đình và phòng chống bạo lực gia "
        "đình tại 6 ấp",
        6,
        "buổi",
        **{
            "Thời hạn": "31/10/2025",
            "Gắn với nhiệm vụ": "Phổ biến giáo dục pháp luật",
            "Loại căn cứ": "Chuyên đề học tập",
            "Nội dung căn cứ": THEME,
        },
    ),
    _pledge(
        "dv04",
        "p2",
        "Giải quyết đăng ký khai sinh, khai tử đúng hạn 100%, trả kết quả chứng thực trong ngày",
        "100",
        "%",
        **{
            "Thời hạn": "31/12/2025",
            "Gắn với nhiệm vụ": "Đăng ký hộ tịch; Chứng thực bản sao",
            "Loại căn cứ": "Chuẩn mực đạo đức của cơ quan, đơn vị",
            "Nội dung căn cứ": "Quy tắc ứng xử của cán bộ, công chức Ủy ban nhân dân xã An Phú",
        },
    ),
    # A second basis of the same pledge: only the basis columns.
    {
        "Mã đảng viên": "dv04",
        "Mã việc": "p2",
        "Loại căn cứ": "Trách nhiệm nêu gương",
        "Văn bản căn cứ": "101-QĐ/TW",
        "Điều": 3,
    },
]
RESULT_ROWS = [
    {
        "Mã đảng viên": "dv04",
        "Mã việc": "p1",
        "Kết quả": "Đã thực hiện",
        "Đã đạt được": "Tổ chức 6 buổi với 540 lượt người dự",
        "Hướng phấn đấu": "Kết hợp tuyên truyền trên loa truyền thanh ấp",
        "Ngày báo cáo": "09/12/2025",
    },
    {
        "Mã đảng viên": "dv04",
        "Mã việc": "p2",
        "Kết quả": "Thực hiện một phần",
        "Đã đạt được": "412 việc hộ tịch đúng hạn",
        "Chưa thực hiện được": "03 hồ sơ chứng thực trả sau 1 ngày",
    },
]
SELF_ROWS = [
    {
        "Mã đảng viên": "dv04",
        "Tự nhận xét, đánh giá": "Hoàn thành các việc đã đăng ký, nhiệt tình với người dân.",
        "Ngày viết": dt.datetime(2025, 12, 9),
    }
]
ASSESSMENT_ROWS = [
    {
        "Mã đảng viên": "dv04",
        "Nhận xét của chi bộ": "Đồng chí hoàn thành tốt, được người dân khen.",
        "Xếp loại": "HTTNV",
        "Ngày họp": dt.datetime(2025, 12, 20),
        "Mã người ghi": "dv01",
    }
]

FILLED: dict[str, list[Row]] = {
    "Tổ chức": UNIT_ROWS,
    "Đảng viên": MEMBER_ROWS,
    "Việc đăng ký": PLEDGE_ROWS,
    "Kết quả": RESULT_ROWS,
    "Tự đánh giá": SELF_ROWS,
    "Đánh giá chi bộ": ASSESSMENT_ROWS,
}


def fill(template: Path, out: Path, sheets: Mapping[str, list[Row]]) -> Path:
    """Fill the template as a secretary would: one dict per row, keyed by the header."""
    wb = openpyxl.load_workbook(template)
    for name, rows in sheets.items():
        ws = wb[name]
        columns = {cell.value: cell.column for cell in ws[1] if cell.value}
        for number, row in enumerate(rows, start=2):
            for header, value in row.items():
                ws.cell(row=number, column=columns[header], value=value)
    wb.save(out)
    return out


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("mau") / "mau.xlsx"
    write_template(path)
    return path


@pytest.fixture
def service() -> Iterator[Handbooks]:
    def clock() -> dt.datetime:
        return dt.datetime(2025, 12, 22, 9, tzinfo=ICT)

    registry = create_registry(load_entrypoints=False)
    with Handbooks(MemoryStore(), registry=registry, clock=clock) as svc:
        yield svc


# --- the template --------------------------------------------------------------------------


def test_the_template_has_bold_frozen_commented_headers_and_drop_downs(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == [
        "Hướng dẫn",
        "Tổ chức",
        "Đảng viên",
        "Việc đăng ký",
        "Kết quả",
        "Tự đánh giá",
        "Đánh giá chi bộ",
        "Danh mục",
    ]
    assert wb.active.title == "Hướng dẫn"
    assert wb["Danh mục"].sheet_state == "hidden"
    assert "HƯỚNG DẪN" in wb["Hướng dẫn"]["A1"].value
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == [c.header for c in sheet.columns]
        assert all(c.font.bold and c.comment is not None for c in ws[1])
        assert ws.freeze_panes == "A2"
        assert ws.column_dimensions["A"].width == sheet.columns[0].width
        assert ws.max_row == 1
    members = wb["Đảng viên"]
    rules = {str(dv.sqref).split(":")[0]: dv for dv in members.data_validations.dataValidation}
    assert rules["D2"].type == "list"  # Trạng thái
    assert rules["D2"].formula1 == "'Danh mục'!$B$2:$B$5"
    assert rules["H2"].type == "date"  # Ngày sinh
    assert "Bắt buộc" in members["B1"].comment.text
    # What a secretary types later keeps its format: ids as text, dates dd/mm/yyyy.
    assert members.column_dimensions["A"].number_format == "@"
    assert members.column_dimensions["H"].number_format == "DD/MM/YYYY"
    pledges = wb["Việc đăng ký"]
    kinds = {str(dv.sqref).split(":")[0]: dv.type for dv in pledges.data_validations.dataValidation}
    assert kinds == {"D2": "decimal", "F2": "date", "I2": "list", "K2": "whole"}
    ratings = [wb["Danh mục"].cell(row=r, column=6).value for r in range(2, 6)]
    assert ratings == ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]


def test_an_empty_template_reads_as_empty(template: Path) -> None:
    assert read_workbook(template) == WorkbookData()


def test_the_documentation_names_every_sheet_and_header() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for sheet in SHEETS:
        assert f"`{sheet.name}`" in text
        for col in sheet.columns:
            assert f"`{col.header}`" in text, col.header


# --- a filled workbook ---------------------------------------------------------------------


@pytest.fixture
def filled(template: Path, tmp_path: Path) -> Path:
    return fill(template, tmp_path / "chi-bo.xlsx", FILLED)


def test_a_filled_workbook_reads_back(filled: Path) -> None:
    data = read_workbook(filled)
    assert [u.id for u in data.units] == ["tinh", "xa-ap", "cb-vp"]
    assert data.units[1].grassroots
    assert not data.units[2].grassroots
    dv01, dv02, dv04 = data.members
    assert dv01.date_of_birth == dt.date(1975, 3, 12)
    assert dv01.roles == (
        RoleAssignment(role=Role.SECRETARY, unit_id="cb-vp", start=dt.date(2020, 7, 1)),
    )
    assert dv02.duties == ("Tiếp nhận hồ sơ một cửa",)
    assert dv04.full_name == unicodedata.normalize("NFC", "Phạm Thị Ánh")
    assert dv04.workplace == "UBND xã An Phú"
    assert dv04.duties == ("Đăng ký hộ tịch", "Chứng thực bản sao", "Phổ biến giáo dục pháp luật")
    assert dv02.workplace == "Văn phòng xã An Phú"
    assert data.notes == (
        "Trang 'Đảng viên', ô G3: đã chuyển chữ VNI sang Unicode / sheet 'Đảng viên', cell G3: "
        "converted VNI text to Unicode",
        "Trang 'Đảng viên', ô G4: đã chuyển chữ TCVN3 sang Unicode / sheet 'Đảng viên', cell "
        "G4: converted TCVN3 text to Unicode",
    )

    one, four = data.handbooks
    assert (one.member_id, len(one.pledges), one.report) == ("dv01", 1, None)
    p1, p2 = four.pledges
    assert p1.target == QuantityTarget(amount=Decimal(6), unit="buổi")
    assert p1.deadline == dt.date(2025, 10, 31)
    assert [b.kind for b in p2.bases] == [BasisKind.ETHICAL_NORMS, BasisKind.EXEMPLARY_DUTY]
    assert p2.bases[1].reference == RegulationRef(regulation="101-QĐ/TW", article=3)
    assert four.report is not None
    assert four.report.submitted_on == dt.date(2025, 12, 9)
    assert [r.outcome for r in four.report.results] == [Outcome.DONE, Outcome.PARTLY_DONE]
    assert four.self_assessment is not None
    assert four.self_assessment.written_on == dt.date(2025, 12, 9)
    assert four.assessment is not None
    assert four.assessment.rating is RatingLevel.GOOD
    assert four.assessment.recorder_id == "dv01"
    assert four.rows.pledges == (3, 4)
    assert four.rows.member == 4


def test_applying_walks_each_handbook_as_far_as_its_data_goes(
    filled: Path, service: Handbooks
) -> None:
    data = read_workbook(filled)
    secretary = data.member("dv01")
    assert secretary is not None
    _roster_first(service, data)
    result = service.import_workbook(data, year=2025, actor=secretary)
    assert sorted(result.created) == ["dv01-2025", "dv02-2025", "dv04-2025"]
    assert [e.kind for e in result.events] == [
        EventKind.REGISTERED,
        EventKind.REGISTERED,
        EventKind.REPORTED,
        EventKind.ASSESSED,
    ]
    status = {hb.member.id: hb.status for hb in service.find(year=2025)}
    assert status == {
        "dv01": HandbookStatus.REGISTERED,
        "dv02": HandbookStatus.DRAFT,
        "dv04": HandbookStatus.ASSESSED,
    }
    four = service.get("dv04-2025")
    assert four.collective_assessment is not None
    assert four.collective_assessment.recorder_role is Role.SECRETARY
    assert four.collective_assessment.recorder_name == "Nguyễn Văn Hùng"
    assert four.self_assessment is not None

    again = service.import_workbook(read_workbook(filled), year=2025, actor=secretary)
    assert (again.created, again.events) == ((), ())
    assert {hb.id for hb in again.handbooks} == {"dv01-2025", "dv02-2025", "dv04-2025"}


def test_a_later_workbook_takes_a_stored_handbook_further(
    template: Path, tmp_path: Path, service: Handbooks
) -> None:
    january = {k: v for k, v in FILLED.items() if k in ("Tổ chức", "Đảng viên", "Việc đăng ký")}
    data = read_workbook(fill(template, tmp_path / "t1.xlsx", january))
    _roster_first(service, data)
    service.import_workbook(data, year=2025, actor=data.members[0])
    assert service.get("dv04-2025").status is HandbookStatus.REGISTERED
    december = read_workbook(fill(template, tmp_path / "t12.xlsx", FILLED))
    result = service.import_workbook(december, year=2025, actor=data.members[0])
    assert [e.kind for e in result.events] == [EventKind.REPORTED, EventKind.ASSESSED]


# --- problems ------------------------------------------------------------------------------


def _roster_first(service: Handbooks, data: WorkbookData) -> None:
    """Store the workbook's roster on its own first: roles are never taken from a workbook
    that also records steps (LTGB-G002), nor from the member whose role it is (LTGB-G003)."""
    service.roster.save(data.units, data.members)


def _problems(excinfo: pytest.ExceptionInfo[ImportFailed]) -> str:
    return "\n".join(excinfo.value.errors)


def test_every_bad_row_is_reported_with_sheet_row_and_column(
    template: Path, tmp_path: Path
) -> None:
    bad = {
        "Tổ chức": UNIT_ROWS,
        "Đảng viên": [
            MEMBER_ROWS[0],
            {**MEMBER_ROWS[1], "Họ và tên": None},
            {**MEMBER_ROWS[2], "Trạng thái": "đang công tác"},
            {**MEMBER_ROWS[2], "Mã đảng viên": "dv05", "Ngày sinh": "31/02/1980"},
            MEMBER_ROWS[0],
        ],
        "Việc đăng ký": [
            {**PLEDGE_ROWS[1], "Chỉ tiêu (số lượng)": "sáu"},
            {**PLEDGE_ROWS[2], "Việc làm đăng ký": None},
        ],
        "Kết quả": [
            {**RESULT_ROWS[0], "Mã việc": "p9"},
            {**RESULT_ROWS[1], "Kết quả": "Chưa thực hiện", "Chưa thực hiện được": None},
        ],
        "Đánh giá chi bộ": [{**ASSESSMENT_ROWS[0], "Xếp loại": "Tốt"}],
    }
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(fill(template, tmp_path / "sai.xlsx", bad))
    text = _problems(excinfo)
    expected = [
        "Trang 'Đảng viên', dòng 3, cột B 'Họ và tên': thiếu giá trị bắt buộc / sheet "
        "'Đảng viên', row 3, column B 'Họ và tên': a value is required",
        "Trang 'Đảng viên', dòng 4, cột D 'Trạng thái': không hiểu giá trị 'đang công tác'",
        "Trang 'Đảng viên', dòng 5, cột H 'Ngày sinh': '31/02/1980' không phải ngày",
        "Trang 'Đảng viên', dòng 6, cột A 'Mã đảng viên': 'dv01' trùng với dòng 2",
        "Trang 'Việc đăng ký', dòng 2, cột D 'Chỉ tiêu (số lượng)': 'sáu' không phải số",
        "Trang 'Việc đăng ký', dòng 3, cột C 'Việc làm đăng ký': thiếu giá trị bắt buộc",
        "Trang 'Kết quả', dòng 2, cột B 'Mã việc': đảng viên 'dv04' không đăng ký việc 'p9'",
        "Trang 'Kết quả', dòng 3, cột E 'Chưa thực hiện được': cần nêu phần chưa thực hiện",
        "Trang 'Đánh giá chi bộ', dòng 2, cột C 'Xếp loại': không hiểu giá trị 'Tốt'",
    ]
    for line in expected:
        assert line in text
    assert len(excinfo.value.errors) == len(expected)
    assert "sheet 'Kết quả', row 3, column E 'Chưa thực hiện được'" in text


def test_rules_are_checked_before_anything_is_written(
    template: Path, tmp_path: Path, service: Handbooks
) -> None:
    generic = {
        **PLEDGE_ROWS[0],
        "Việc làm đăng ký": "Thực hiện tốt nhiệm vụ được giao",
        "Chỉ tiêu (số lượng)": None,
        "Đơn vị tính / sản phẩm": None,
    }
    bad = {
        **FILLED,
        "Việc đăng ký": [generic, {**PLEDGE_ROWS[0], "Mã đảng viên": "dv99"}, *PLEDGE_ROWS[1:]],
        "Kết quả": [{**RESULT_ROWS[0], "Ngày báo cáo": "05/01/2027"}, RESULT_ROWS[1]],
    }
    data = read_workbook(fill(template, tmp_path / "quy-tac.xlsx", bad))
    _roster_first(service, data)
    with pytest.raises(ImportFailed) as excinfo:
        service.import_workbook(data, year=2025, actor=data.members[0])
    text = _problems(excinfo)
    assert "Trang 'Việc đăng ký', dòng 2, cột C 'Việc làm đăng ký': [LTGB-L001]" in text
    assert "Trang 'Việc đăng ký', dòng 2, cột C 'Việc làm đăng ký': [LTGB-L003]" in text
    assert "Trang 'Việc đăng ký', dòng 3, cột A 'Mã đảng viên': không có đảng viên 'dv99'" in text
    assert "Trang 'Kết quả', dòng 2, cột G 'Ngày báo cáo': [LTGB-R002]" in text
    assert "sheet 'Kết quả', row 2, column G 'Ngày báo cáo': [LTGB-R002]" in text
    assert service.find() == []


def test_only_a_cell_officer_records_the_assessment(
    template: Path, tmp_path: Path, service: Handbooks
) -> None:
    bad = {**FILLED, "Đánh giá chi bộ": [{**ASSESSMENT_ROWS[0], "Mã người ghi": "dv02"}]}
    data = read_workbook(fill(template, tmp_path / "nguoi-ghi.xlsx", bad))
    _roster_first(service, data)
    with pytest.raises(ImportFailed) as excinfo:  # dv01 may not sign in dv02's name
        service.import_workbook(data, year=2025, actor=data.members[0])
    (problem,) = excinfo.value.errors
    assert problem.startswith(
        "Trang 'Đánh giá chi bộ', dòng 2, cột E 'Mã người ghi': [LTGB-G001]"
    )  # an officer without the office is LTGB-A001: tests/test_hostile_signing.py


def test_units_and_cells_must_exist(template: Path, tmp_path: Path, service: Handbooks) -> None:
    bad = {
        "Tổ chức": [{**UNIT_ROWS[2], "Mã cấp trên": "xa-khac"}],
        "Đảng viên": [MEMBER_ROWS[0], {**MEMBER_ROWS[1], "Mã chi bộ": "cb-khac"}],
    }
    data = read_workbook(fill(template, tmp_path / "cay.xlsx", bad))
    with pytest.raises(ImportFailed) as excinfo:
        service.import_workbook(data, year=2025, actor=data.members[1])
    assert _problems(excinfo).startswith(
        "Trang 'Tổ chức', dòng 2, cột D 'Mã cấp trên': không có đơn vị cấp trên 'xa-khac'"
    )


def test_columns_are_found_by_header_wherever_the_user_put_them(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ĐẢNG VIÊN"
    ws.append(["Ghi chú", "HO VA TEN", "Mã đảng viên", "ma_chi_bo", "ngày sinh"])
    ws.append(["tự thêm", "Lê Văn An", "dv03", "cb-vp", "20/08/1982"])
    ws.append([None, "Võ Minh An", "dv05", "cb-vp", "1988-13-30"])
    path = tmp_path / "tu-lam.xlsx"
    wb.save(path)
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(path)
    assert _problems(excinfo).startswith("Trang 'Đảng viên', dòng 3, cột E 'ngày sinh':")


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Tự đánh giá"
    wb.active.append(["Mã đảng viên", "Ngày viết"])
    path = tmp_path / "thieu-cot.xlsx"
    wb.save(path)
    with pytest.raises(ImportFailed, match="thiếu cột 'Tự nhận xét, đánh giá'"):
        read_workbook(path)


def test_a_file_that_is_not_a_handbook_workbook_is_refused(tmp_path: Path) -> None:
    text = tmp_path / "khong-phai.xlsx"
    text.write_text("không phải Excel", encoding="utf-8")
    with pytest.raises(ImportFailed, match="không đọc được tệp Excel"):
        read_workbook(text)
    other = tmp_path / "khac.xlsx"
    openpyxl.Workbook().save(other)
    with pytest.raises(ImportFailed, match="không có trang nào theo mẫu sổ tay"):
        read_workbook(other)


def _members_sheet(wb: openpyxl.Workbook, title: str, *ids: str) -> None:
    ws = wb.create_sheet(title)
    ws.append(["Mã đảng viên", "Họ và tên", "Mã chi bộ"])
    for i in ids:
        ws.append([i, f"Đảng viên {i}", "cb-vp"])


@pytest.mark.parametrize("twin", ["DANG VIEN", "dang-vien", "members", "Members"])
def test_two_sheets_matching_one_sheet_of_the_layout_are_refused(twin: str, tmp_path: Path) -> None:
    """The user trial: ``Đảng viên`` with 10 members and ``DANG VIEN`` with 1 read as 1."""
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])
    _members_sheet(wb, "Đảng viên", *(f"dv{i:02}" for i in range(1, 11)))
    _members_sheet(wb, twin, "dv99")
    path = tmp_path / "hai-trang.xlsx"
    wb.save(path)
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(path)
    assert list(excinfo.value.errors) == [
        f"các trang 'Đảng viên', '{twin}' đều ứng với trang 'Đảng viên' của mẫu; hãy xóa hoặc "
        f"đổi tên để chỉ còn một / the sheets 'Đảng viên', '{twin}' all match the layout's "
        "sheet 'Đảng viên'; delete or rename all but one"
    ]
    assert str(path) in excinfo.value.message("vi")
    assert str(path) in excinfo.value.message("en")


def test_sheets_that_match_nothing_are_still_ignored(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])
    _members_sheet(wb, "ĐẢNG VIÊN", "dv01", "dv02")
    _members_sheet(wb, "Đảng viên cũ", "dv99")
    wb.create_sheet("Ghi chú").append(["tự ghi"])
    path = tmp_path / "them-trang.xlsx"
    wb.save(path)
    assert [m.id for m in read_workbook(path).members] == ["dv01", "dv02"]


def test_two_inspection_sheets_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiem-tra.xlsx"
    write_inspection_workbook(path, inspection=make_inspection())
    wb = openpyxl.load_workbook(path)
    wb.copy_worksheet(wb["Kiểm tra"]).title = "KIEM TRA"
    wb.save(path)
    with pytest.raises(ImportFailed) as excinfo:
        read_inspection_workbook(path)
    assert list(excinfo.value.errors) == [
        "các trang 'Kiểm tra', 'KIEM TRA' đều ứng với trang 'Kiểm tra' của mẫu; hãy xóa hoặc "
        "đổi tên để chỉ còn một / the sheets 'Kiểm tra', 'KIEM TRA' all match the layout's "
        "sheet 'Kiểm tra'; delete or rename all but one"
    ]
    assert str(path) in excinfo.value.message("en")


# --- export --------------------------------------------------------------------------------


def test_export_then_read_gives_the_same_data(tmp_path: Path) -> None:
    roster = make_roster(cells=2, members_per_cell=6)
    books = []
    for i, member in enumerate(roster.members):
        secretary = next(m for m in roster.members if m.cell_id == member.cell_id and m.roles)
        books.append(
            make_handbook(
                list(HandbookStatus)[i % 5],
                member=member,
                organisation=roster.organisation(member.cell_id),
                secretary=secretary,
            )
        )
    # A deliverable target and a fractional amount survive the trip too.
    registered = books[1]
    first, second = registered.pledges
    books[1] = attrs.evolve(
        registered,
        pledges=(
            attrs.evolve(
                first,
                target=DeliverableTarget(description="01 sáng kiến", due=dt.date(2025, 11, 30)),
                deadline=dt.date(2025, 11, 30),
            ),
            attrs.evolve(second, target=QuantityTarget(amount=Decimal("2.5"), unit="giờ")),
        ),
    )
    path = tmp_path / "xuat.xlsx"
    export_workbook(path, books, members=roster.members, units=roster.units)
    data = read_workbook(path)
    assert data == workbook_data(books, roster.members, roster.units)
    assert data.notes == ()
    drafts = sum(1 for hb in books if hb.status is HandbookStatus.DRAFT)
    assert len(data.handbooks) == len(books) - drafts  # a draft has nothing to write


def test_an_exported_cell_rebuilds_its_handbooks_in_an_empty_store(
    tmp_path: Path, service: Handbooks
) -> None:
    roster = make_roster(cells=1, members_per_cell=5)
    secretary = roster.members[0]
    statuses = [HandbookStatus.ASSESSED, *list(HandbookStatus)]
    books = [
        make_handbook(s, member=m, organisation=roster.organisation(m.cell_id), secretary=secretary)
        for s, m in zip(statuses, roster.members, strict=False)
    ]
    path = tmp_path / "chi-bo.xlsx"
    export_workbook(path, books, members=roster.members, units=roster.units)
    service.roster.save(roster.units, roster.members)  # roles never come with steps
    service.import_workbook(read_workbook(path), year=2025, actor=secretary)
    for original in books:
        (stored,) = service.find(member_id=original.member.id, year=2025)
        assert stored.pledges == original.pledges
        assert stored.report == original.report
        assert stored.self_assessment == original.self_assessment
        assert stored.collective_assessment == original.collective_assessment


def test_a_rollup_is_written_as_a_table(tmp_path: Path) -> None:
    figures = Figures(
        members=3,
        handbooks=3,
        registered=3,
        pledges=4,
        specific_pledges=3,
        ratings=RatingCounts(good=2, not_rated=1),
    )
    summary = Rollup(
        organisation_id="xa",
        organisation_name="Đảng bộ xã An Phú",
        year=2025,
        today=dt.date(2026, 1, 5),
        policy_name="mac-dinh",
        policy_version="1",
        cells=(CellRollup(cell_id="cb", cell_name="Chi bộ ấp Đông", figures=figures),),
    )
    path = tmp_path / "tong-hop.xlsx"
    write_rollup(path, summary)
    ws = openpyxl.load_workbook(path)["Tổng hợp"]
    assert ws["A4"].value == "Chi bộ"
    assert [c.value for c in ws[5]][:4] == ["Chi bộ ấp Đông", 3, 3, 3]
    assert ws["A6"].value == "Tổng cộng"
    assert ws.cell(row=5, column=ws.max_column).value == 0.75
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_written_workbook_has_a_new_files_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_template(tmp_path / "mau.xlsx")
    finally:
        os.umask(old)

    assert oct((tmp_path / "mau.xlsx").stat().st_mode & 0o777) == oct(0o640)  # not 0600
    assert [p.name for p in tmp_path.iterdir()] == ["mau.xlsx"]
    assert read_workbook(tmp_path / "mau.xlsx") == WorkbookData()


# --- openpyxl is optional ------------------------------------------------------------------


def test_without_openpyxl_the_user_is_told_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(XlsxUnavailable) as excinfo:
        write_template(tmp_path / "mau.xlsx")
    for message in (excinfo.value.message_vi, excinfo.value.message_en):
        # never a bare index name: the distribution is not published (dependency confusion)
        assert 'pip install ".[xlsx]"' in message
        assert 'pip install --no-index --find-links dist "lamtheoguongbac[xlsx]"' in message
    with pytest.raises(XlsxUnavailable):
        read_workbook(tmp_path / "mau.xlsx")


def test_importing_the_package_does_not_import_openpyxl() -> None:
    code = (
        "import sys, lamtheoguongbac.spreadsheet, lamtheoguongbac.cli._supervision; "
        "sys.exit('openpyxl' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the round trip as a property ----------------------------------------------------------

_TEXT = vietnamese_text(1, 12)
_DATES = st.dates(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
_BASES = st.one_of(
    st.builds(Basis, kind=st.sampled_from(BasisKind), reference=regulation_refs()),
    st.builds(Basis, kind=st.sampled_from(BasisKind), text=_TEXT),
    st.builds(Basis, kind=st.sampled_from(BasisKind), reference=regulation_refs(), text=_TEXT),
)


def _pledges() -> st.SearchStrategy[Pledge]:
    deliverable = st.tuples(_TEXT, _DATES).map(
        lambda t: (DeliverableTarget(description=t[0], due=t[1]), t[1])
    )
    quantity = st.tuples(st.none() | quantity_targets(), st.none() | _DATES)
    return st.builds(
        lambda pid, deed, target, task, bases, shortcoming: Pledge(
            id=pid,
            deed=deed,
            target=target[0],
            deadline=target[1],
            task=task,
            bases=tuple(bases),
            shortcoming=shortcoming,
        ),
        st.sampled_from(["v1", "v2", "v3"]),
        _TEXT,
        deliverable | quantity,
        st.none() | _TEXT,
        st.lists(_BASES, max_size=3),
        st.none() | _TEXT,
    )


def _representable(member: Member) -> Member:
    """The member as the layout holds it: one open-ended role, in the member's own cell."""
    role = next((r for r in member.roles if r.unit_id == member.cell_id and r.end is None), None)
    return attrs.evolve(member, roles=(role,) if role else ())


@given(
    people=st.lists(members(cell_id="cb-vp"), min_size=1, max_size=3, unique_by=lambda m: m.id),
    pledges=st.lists(_pledges(), max_size=3, unique_by=lambda p: p.id),
)
def test_any_representable_content_survives_the_round_trip(
    people: list[Member], pledges: list[Pledge], tmp_path_factory: pytest.TempPathFactory
) -> None:
    roster = tuple(map(_representable, people))
    entries = (HandbookEntry(member_id=roster[0].id, pledges=tuple(pledges)),) if pledges else ()
    data = WorkbookData(units=UNITS, members=roster, handbooks=entries)
    path = tmp_path_factory.mktemp("tinh-chat") / "x.xlsx"
    write_workbook(path, data)
    assert read_workbook(path) == data


# --- one transaction -----------------------------------------------------------------------


class _Recorder:
    """Remembers each ``handbook_changed`` call, and whether another connection saw it."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []
        self.witness: Callable[[str], bool] | None = None
        self.uncommitted: list[str] = []  # hooks fired before their write was committed

    @hookimpl
    def handbook_changed(self, event: Event, handbook: Handbook) -> None:
        self.seen.append((handbook.id, event.kind.value))
        if self.witness is not None and not self.witness(handbook.id):
            self.uncommitted.append(handbook.id)


@pytest.fixture
def recorder() -> _Recorder:
    return _Recorder()


@pytest.fixture(params=["memory", "sqlite"])
def watched(
    request: pytest.FixtureRequest, tmp_path: Path, recorder: _Recorder
) -> Iterator[Handbooks]:
    def clock() -> dt.datetime:
        return dt.datetime(2025, 12, 22, 9, tzinfo=ICT)

    registry = create_registry(load_entrypoints=False, extra_plugins=[recorder])
    store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "st.db")
    with Handbooks(store, registry=registry, clock=clock) as svc:
        if isinstance(store, SqliteStore):
            with SqliteStore(store.path) as other:  # another connection: sees only commits

                def committed(handbook_id: str) -> bool:
                    try:
                        other.get(handbook_id)
                    except NotFound:
                        return False
                    return True

                recorder.witness = committed
                yield svc
        else:
            yield svc


def _everything(
    service: Handbooks,
) -> tuple[list[Handbook], dict[str, list[Event]], list[OrgUnit], list[Member]]:
    books = service.find()
    return (
        books,
        {b.id: service.history(b.id) for b in books},
        service.store.units(),
        service.roster.members(),
    )


def test_a_good_workbook_is_written_in_one_transaction_and_then_fires_its_hooks(
    filled: Path, watched: Handbooks, recorder: _Recorder
) -> None:
    data = read_workbook(filled)
    _roster_first(watched, data)
    result = watched.import_workbook(data, year=2025, actor=data.members[0])
    assert len(recorder.seen) == len(result.created) + len(result.events)
    assert {hid for hid, kind in recorder.seen if kind == "created"} == set(result.created)
    assert recorder.uncommitted == []


def test_a_store_failure_midway_leaves_the_store_as_it_was(
    filled: Path, watched: Handbooks, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_workbook(filled)
    _roster_first(watched, data)
    before = _everything(watched)
    real_update = watched.store.update
    calls = itertools.count(1)

    def failing_update(handbook: Handbook, event: Event, *, expected_version: int) -> None:
        if next(calls) == 3:
            raise StoreError("ổ đĩa đầy", "the disk is full")
        real_update(handbook, event, expected_version=expected_version)

    monkeypatch.setattr(watched.store, "update", failing_update)
    with pytest.raises(StoreError):
        watched.import_workbook(data, year=2025, actor=data.members[0])
    assert next(calls) == 4  # two steps were written before the failure…
    assert _everything(watched) == before  # …and rolled back with the roster and creates
    assert recorder.seen == []
    monkeypatch.undo()
    result = watched.import_workbook(data, year=2025, actor=data.members[0])
    assert len(result.events) == 4
    assert len(recorder.seen) == 7


def test_a_handbook_created_by_someone_else_meanwhile_rolls_the_whole_apply_back(
    filled: Path, watched: Handbooks, recorder: _Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = read_workbook(filled)
    watched.roster.save(data.units, data.members)
    before = _everything(watched)
    other = Handbooks(watched.store, registry=create_registry(load_entrypoints=False))
    real_transaction = watched.transaction

    @contextlib.contextmanager
    def raced() -> Iterator[None]:
        # Between the dry run and the writes, another writer opens dv02's handbook.
        other.create("dv02", year=2025, actor=data.members[0])
        with real_transaction():
            yield

    monkeypatch.setattr(watched, "transaction", raced)
    with pytest.raises(ConflictError):
        watched.import_workbook(data, year=2025, actor=data.members[0])
    after = _everything(watched)
    assert [b.id for b in after[0]] == ["dv02-2025"]  # only the other writer's handbook
    assert after[2:] == before[2:]
    assert recorder.seen == []


def test_a_role_held_in_the_committee_survives_the_round_trip(tmp_path: Path) -> None:
    from lamtheoguongbac import OrgUnit, Role, RoleAssignment
    from lamtheoguongbac.testing import make_member

    xa = OrgUnit(
        id="xa", name="Đảng bộ xã An Phú", level="Đảng bộ xã", committee="Đảng ủy xã An Phú"
    )
    cell = OrgUnit(id="cb", name="Chi bộ ấp Đông", level="Chi bộ", parent_id="xa")
    both = attrs.evolve(
        make_member(1, cell="cb", id="dv01"),
        roles=(
            RoleAssignment(role=Role.SECRETARY, unit_id="cb", start=dt.date(2020, 7, 1)),
            RoleAssignment(role=Role.DEPUTY_SECRETARY, unit_id="xa", start=dt.date(2020, 10, 1)),
        ),
    )
    path = tmp_path / "so.xlsx"
    write_workbook(path, WorkbookData(units=(xa, cell), members=(both,)))
    data = read_workbook(path)
    assert data.units[0].committee == "Đảng ủy xã An Phú"
    assert data.members[0].roles == both.roles
