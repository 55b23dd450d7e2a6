"""Writing workbooks: the empty template, an export of handbooks, and a roll-up table."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._model import Handbook, Member, OrgUnit, Pledge, QuantityTarget
from lamtheoguongbac.export._result import ExportResult, destination_first
from lamtheoguongbac.spreadsheet._data import WorkbookData, workbook_data
from lamtheoguongbac.spreadsheet._layout import (
    ASSESSMENTS,
    CHOICES,
    LISTS_SHEET,
    MEMBERS,
    NOTES_SHEET,
    PLEDGES,
    RESULTS,
    SELF_ASSESSMENTS,
    SHEETS,
    UNITS,
    ColumnKind,
    Sheet,
    get_column_letter,
)
from lamtheoguongbac.spreadsheet._xlsx import require_openpyxl, save_atomic, text_cell

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from lamtheoguongbac._rollup import Rollup

__all__ = ["export_workbook", "write_rollup", "write_template", "write_workbook"]

_LAST_ROW = 1_048_576
_DATE_FORMAT = "DD/MM/YYYY"
_HEADER_FILL = "DDEBF7"
_REQUIRED_FILL = "FCE4D6"
_AUTHOR = "lamtheoguongbac"
_FORMATS = {ColumnKind.DATE: _DATE_FORMAT, ColumnKind.ID: "@"}

_INTRO = (
    "HƯỚNG DẪN NHẬP SỔ TAY LÀM THEO GƯƠNG BÁC BẰNG BẢNG TÍNH",
    "",
    "Bảng tính này dùng để chi bộ nhập danh sách và nội dung sổ tay của đảng viên cho một năm, "
    "rồi nhập vào chương trình bằng lệnh: lamtheoguongbac workbook import TỆP --year NĂM --as "
    "MÃ_NGƯỜI_NHẬP.",
    "Thứ tự các trang: Tổ chức → Đảng viên → Việc đăng ký → Kết quả → Tự đánh giá → Đánh giá chi "
    "bộ. Trang nào chưa có dữ liệu thì để trống; sổ được đưa tới bước mà dữ liệu cho phép "
    "(đăng ký → báo cáo, tự đánh giá → chi bộ đánh giá).",
    "Dòng 1 của mỗi trang là tiêu đề, không sửa tên cột. Cột tô màu cam là bắt buộc. Di chuột "
    "vào tiêu đề để xem chú thích của cột.",
    "Ngày ghi dạng dd/mm/yyyy (ví dụ 05/01/2025), có thể nhập là ngày của Excel hoặc là chữ.",
    "Mã (đơn vị, đảng viên, việc) là chữ không dấu, không khoảng trắng, ví dụ dv01, cb-vanphong.",
    "Các cột có danh sách chọn (trạng thái, vai trò, loại căn cứ, kết quả, xếp loại): chọn từ "
    "danh sách, không gõ khác đi.",
    "Chương trình kiểm tra toàn bộ bảng trước khi ghi: nếu có lỗi, không dữ liệu nào được ghi và "
    "mọi lỗi được liệt kê kèm trang, dòng, cột để sửa.",
    "Chữ gõ bằng phông TCVN3 (ABC) hoặc VNI được tự động chuyển sang Unicode.",
    "Ô phải chứa giá trị, không chứa công thức: ô có công thức bị từ chối; hãy sao chép rồi "
    "Dán đặc biệt → Giá trị trước khi nhập.",
    "Mỗi trang chỉ có một: không để hai trang cùng tên khi bỏ dấu, chữ hoa (ví dụ 'Đảng viên' "
    "và 'DANG VIEN'); trang có tên khác được bỏ qua.",
)


def _put(ws: Worksheet, row: int, column: int, value: object) -> Any:
    """Write ``value`` into a cell: text always as text, never as a live formula
    (:func:`~lamtheoguongbac.spreadsheet._xlsx.text_cell`); returns the cell."""
    if isinstance(value, str):
        cell = ws.cell(row=row, column=column)
        text_cell(cell, value)
        return cell
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else value
    return ws.cell(row=row, column=column, value=value)  # type: ignore[call-overload]


def _pledge_rows(member_id: str, p: Pledge) -> Iterator[dict[str, object]]:
    amount: Decimal | None = None
    unit: str | None = None
    deadline = p.deadline
    if isinstance(p.target, QuantityTarget):
        amount, unit = p.target.amount, p.target.unit
    elif p.target is not None:
        unit, deadline = p.target.description, p.deadline or p.target.due
    first: dict[str, object] = {
        "ma_dang_vien": member_id,
        "ma_viec": p.id,
        "viec_lam": p.deed,
        "chi_tieu": amount,
        "don_vi_tinh": unit,
        "thoi_han": deadline,
        "nhiem_vu": p.task,
        "han_che": p.shortcoming,
    }
    if not p.bases:
        yield first
    for i, b in enumerate(p.bases):
        row = first if i == 0 else {"ma_dang_vien": member_id, "ma_viec": p.id}
        ref = b.reference
        yield row | {
            "loai_can_cu": b.kind.label_vi,
            "van_ban": ref.regulation if ref else None,
            "dieu": ref.article if ref else None,
            "khoan": ref.clause if ref else None,
            "noi_dung_can_cu": b.text,
        }


def _member_row(m: Member) -> dict[str, object]:
    # Roles held now, the cell's first; several are joined with ";" as the CSV writes them.
    current = sorted((r for r in m.roles if r.end is None), key=lambda r: r.unit_id != m.cell_id)
    elsewhere = any(r.unit_id != m.cell_id for r in current)
    return {
        "ma": m.id,
        "ho_va_ten": m.full_name,
        "chi_bo": m.cell_id,
        "trang_thai": m.status.label_vi,
        "chuc_vu": m.position,
        "nhiem_vu": "\n".join(m.duties) or None,
        "noi_cong_tac": m.workplace,
        "ngay_sinh": m.date_of_birth,
        "ngay_vao_dang": m.joined_on,
        "ngay_chinh_thuc": m.official_on,
        "so_the": m.party_card_number,
        "vai_tro": "; ".join(r.role.label_vi for r in current) or None,
        "vai_tro_tu_ngay": (
            current[0].start
            if len(current) == 1
            else "; ".join(f"{r.start:%d/%m/%Y}" for r in current) or None
        ),
        "vai_tro_don_vi": "; ".join(r.unit_id for r in current) if elsewhere else None,
        "khoa_sap_xep": m.sort_key,
    }


def _rows(sheet: Sheet, data: WorkbookData) -> Iterator[dict[str, object]]:
    if sheet is UNITS:
        for u in data.units:
            yield {
                "ma": u.id,
                "ten": u.name,
                "cap": u.level,
                "ma_cap_tren": u.parent_id,
                "co_so": "Có" if u.grassroots else None,
                "dia_danh": u.place,
                "cap_uy": u.committee,
            }
    elif sheet is MEMBERS:
        yield from map(_member_row, data.members)
    for e in data.handbooks:
        if sheet is PLEDGES:
            for p in e.pledges:
                yield from _pledge_rows(e.member_id, p)
        elif sheet is RESULTS and e.report is not None:
            for r in e.report.results:
                yield {
                    "ma_dang_vien": e.member_id,
                    "ma_viec": r.pledge_id,
                    "ket_qua": r.outcome.label_vi,
                    "da_dat_duoc": r.achieved,
                    "chua_thuc_hien": r.not_done,
                    "huong_phan_dau": r.direction,
                    "ngay_bao_cao": e.report.submitted_on,
                }
        elif sheet is SELF_ASSESSMENTS and e.self_assessment is not None:
            sa = e.self_assessment
            yield {"ma_dang_vien": e.member_id, "noi_dung": sa.text, "ngay_viet": sa.written_on}
        elif sheet is ASSESSMENTS and e.assessment is not None:
            a = e.assessment
            yield {
                "ma_dang_vien": e.member_id,
                "nhan_xet": a.text,
                "xep_loai": a.rating.abbreviation if a.rating else None,
                "ngay_hop": a.meeting_date,
                "ma_nguoi_ghi": a.recorder_id,
            }


def _lists_sheet(wb: Workbook) -> dict[str, str]:
    """The hidden sheet of drop-down values; returns each list's range reference."""
    ws = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    refs: dict[str, str] = {}
    for index, (name, values) in enumerate(CHOICES.items(), start=1):
        letter = get_column_letter(index)
        _put(ws, 1, index, name)
        for row, value in enumerate(values, start=2):
            _put(ws, row, index, value)
        refs[name] = f"'{LISTS_SHEET}'!${letter}$2:${letter}${len(values) + 1}"
        ws.column_dimensions[letter].width = 36
    return refs


def _validations(ws: Worksheet, sheet: Sheet, lists: dict[str, str]) -> None:
    """Drop-downs, date, number and article checks on the data rows of each column."""
    from openpyxl.worksheet.datavalidation import DataValidation

    for index, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        if col.kind is ColumnKind.CHOICE and col.choices:
            dv = DataValidation(
                type="list",
                formula1=lists[col.choices],
                error=f"Hãy chọn một giá trị trong danh sách của cột '{col.header}'.",
                errorTitle="Giá trị không hợp lệ",
            )
        elif col.kind is ColumnKind.DATE:
            dv = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,1,1)",
                formula2="DATE(2200,12,31)",
                errorStyle="warning",
                error="Ngày ghi dạng dd/mm/yyyy, ví dụ 05/01/2025.",
                errorTitle="Ngày không hợp lệ",
            )
        elif col.kind is ColumnKind.NUMBER:
            dv = DataValidation(
                type="decimal",
                operator="greaterThanOrEqual",
                formula1="0",
                error="Chỉ ghi con số không âm, ví dụ 100.",
                errorTitle="Không phải số",
            )
        elif col.kind is ColumnKind.INTEGER:
            dv = DataValidation(
                type="whole",
                operator="between",
                formula1="1",
                formula2="500",
                error="Chỉ ghi số điều, ví dụ 3.",
                errorTitle="Không phải số điều",
            )
        else:
            continue
        dv.allow_blank = True
        dv.showErrorMessage = True
        dv.showInputMessage = True
        dv.promptTitle = col.header
        dv.prompt = col.note_vi[:255]
        dv.add(f"{letter}2:{letter}{_LAST_ROW}")
        ws.add_data_validation(dv)


def _data_sheet(wb: Workbook, sheet: Sheet, data: WorkbookData, lists: dict[str, str]) -> None:
    """One data sheet: headers with notes and formats, then ``data``'s rows."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill

    ws = wb.create_sheet(sheet.name)
    bold = Font(bold=True)
    for index, col in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor=_REQUIRED_FILL if col.required else _HEADER_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        required = "Bắt buộc. " if col.required else ""
        comment = Comment(f"{required}{col.note_vi}\n({col.header_en}) {col.note_en}", _AUTHOR)
        comment.width, comment.height = 320, 140
        cell.comment = comment
        dimension = ws.column_dimensions[get_column_letter(index)]
        dimension.width = col.width
        if col.kind in _FORMATS:
            # The column's own style, so what a user types later is formatted too.
            dimension.number_format = _FORMATS[col.kind]
    ws.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    for row_number, row in enumerate(_rows(sheet, data), start=2):
        for index, col in enumerate(sheet.columns, start=1):
            value = row.get(col.key)
            if value is None:
                continue
            cell = _put(ws, row_number, index, value)
            if col.kind in _FORMATS:
                cell.number_format = _FORMATS[col.kind]
            if col.kind is ColumnKind.LONG_TEXT:
                cell.alignment = wrap
    _validations(ws, sheet, lists)


def _notes_sheet(wb: Workbook) -> None:
    """The instructions sheet, in Vietnamese, listing every column of every sheet."""
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    assert ws is not None
    ws.title = NOTES_SHEET
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    row = 1
    for line in _INTRO:
        cell = ws.cell(row=row, column=1, value=line or None)
        cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)
        row += 1
    for sheet in SHEETS:
        row += 1
        ws.cell(row=row, column=1, value=f"Trang '{sheet.name}'").font = Font(bold=True)
        ws.cell(row=row + 1, column=1, value=sheet.note_vi)
        row += 2
        for index, title in enumerate(("Cột", "Tiêu đề", "Bắt buộc", "Ý nghĩa"), start=1):
            ws.cell(row=row, column=index, value=title).font = Font(bold=True)
        for index, col in enumerate(sheet.columns, start=1):
            row += 1
            ws.cell(row=row, column=1, value=get_column_letter(index))
            ws.cell(row=row, column=2, value=col.header)
            ws.cell(row=row, column=3, value="Có" if col.required else None)
            ws.cell(row=row, column=4, value=col.note_vi).alignment = wrap
        row += 1


def write_workbook(dest: Path | str, data: WorkbookData) -> ExportResult:
    """Write ``data`` to ``dest`` in the documented layout (``docs/excel.md``), atomically.

    Returns:
        the workbook written, as :attr:`~lamtheoguongbac.export.ExportResult.path`.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ValidationFailed: the file cannot be written; ``dest`` is not a path or ``data`` is.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.spreadsheet import WorkbookData, read_workbook, write_workbook
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> data = WorkbookData(units=tuple(roster.units), members=tuple(roster.members))
        >>> dest = Path(tempfile.mkdtemp()) / "chi-bo.xlsx"
        >>> len(read_workbook(write_workbook(dest, data).path).members)
        2
    """
    dest = destination_first("write_workbook(dest, data)", dest, data, "data")
    require_openpyxl()
    from openpyxl import Workbook

    wb = Workbook()
    _notes_sheet(wb)
    # The lists sheet is made first for its references, then moved to the end.
    lists = _lists_sheet(wb)
    for sheet in SHEETS:
        _data_sheet(wb, sheet, data, lists)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    wb.active = 0
    return _save(wb, dest)


def _save(wb: Workbook, path: Path) -> ExportResult:
    try:
        save_atomic(wb, Path(path))
    except OSError as exc:
        raise ValidationFailed(
            f"không ghi được tệp: {exc.strerror or exc}",
            f"cannot write the file: {exc.strerror or exc}",
            field=str(path),
        ) from exc
    return ExportResult(written=(Path(path),))


def write_template(dest: Path | str) -> ExportResult:
    """Write an empty workbook to fill in (mẫu bảng tính) to ``dest``: headers, notes,
    drop-downs.

    Returns:
        the workbook written, as :attr:`~lamtheoguongbac.export.ExportResult.path`.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ValidationFailed: the file cannot be written, or ``dest`` is not a path.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.spreadsheet import write_template
        >>> dest = Path(tempfile.mkdtemp()) / "mau.xlsx"
        >>> write_template(dest).path == dest
        True
    """
    return write_workbook(destination_first("write_template(dest)", dest), WorkbookData())


def export_workbook(
    dest: Path | str,
    handbooks: Iterable[Handbook],
    *,
    members: Iterable[Member],
    units: Iterable[OrgUnit],
) -> ExportResult:
    """Write ``handbooks`` with their roster (``members`` and ``units``) to ``dest`` in the
    template's layout; reading the file back gives
    :func:`~lamtheoguongbac.spreadsheet.workbook_data` of the same arguments.

    Returns:
        the workbook written, as :attr:`~lamtheoguongbac.export.ExportResult.path`.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ValidationFailed: the file cannot be written; ``dest`` is not a path or
            ``handbooks`` is (the wrong order).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.spreadsheet import export_workbook, read_workbook
        >>> from lamtheoguongbac.testing import make_handbook, make_secretary, make_unit
        >>> handbook = make_handbook(HandbookStatus.REGISTERED)
        >>> units = [make_unit(handbook.cell.id)]
        >>> members = [handbook.member, make_secretary(handbook.cell.id)]
        >>> dest = Path(tempfile.mkdtemp()) / "so-tay-2025.xlsx"
        >>> result = export_workbook(dest, [handbook], members=members, units=units)
        >>> [e.member_id for e in read_workbook(result.path).handbooks] == [handbook.member.id]
        True
    """
    dest = destination_first(
        "export_workbook(dest, handbooks, *, members=…, units=…)", dest, handbooks, "handbooks"
    )
    return write_workbook(dest, workbook_data(handbooks, members, units))


def write_rollup(dest: Path | str, rollup: Rollup) -> ExportResult:
    """Write a roll-up (báo cáo tổng hợp) to ``dest`` as a workbook: the table per cell with
    its total, and the top-rating cap per grassroots organisation.

    Returns:
        the workbook written, as :attr:`~lamtheoguongbac.export.ExportResult.path`.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ValidationFailed: the file cannot be written; ``dest`` is not a path or ``rollup``
            is.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.spreadsheet import write_rollup
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as handbooks:
        ...     handbooks.roster.save(roster.units, roster.members)
        ...     rollup = handbooks.supervision.rollup(organisation_id="db-00", year=2025)
        >>> dest = Path(tempfile.mkdtemp()) / "tong-hop-2025.xlsx"
        >>> write_rollup(dest, rollup).path == dest
        True
    """
    dest = destination_first("write_rollup(dest, rollup)", dest, rollup, "rollup")
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tổng hợp"
    title = _put(
        ws,
        1,
        1,
        f"Tổng hợp Sổ tay Làm theo gương Bác — {rollup.organisation_name} — năm {rollup.year}",
    )
    title.font = Font(bold=True, size=14)
    _put(
        ws,
        2,
        1,
        f"Tính đến ngày {rollup.today:%d/%m/%Y}; quy định {rollup.policy_name} "
        f"(phiên bản {rollup.policy_version})",
    )
    headers, rows = rollup.table()
    _table(ws, 4, headers, rows, bold_last=True)
    ws.column_dimensions["A"].width = 40
    for index in range(2, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 12
    share = get_column_letter(len(headers))
    for row in range(5, 5 + len(rows)):
        ws[f"{share}{row}"].number_format = "0%"
    ws.freeze_panes = "B5"

    caps = wb.create_sheet("Tỷ lệ xuất sắc")
    _table(
        caps,
        1,
        ["Tổ chức cơ sở", "Xếp loại xuất sắc", "Căn cứ tính tỷ lệ", "Tối đa", "Vượt giới hạn"],
        [
            [
                c.organisation_name,
                c.top_count,
                c.base_count,
                c.allowed,
                "Vượt" if c.exceeded else "",
            ]
            for c in rollup.caps
        ],
    )
    caps.column_dimensions["A"].width = 40
    return _save(wb, dest)


def _table(
    ws: Worksheet, top: int, headers: list[str], rows: list[list[Any]], bold_last: bool = False
) -> None:
    from openpyxl.styles import Font

    for index, header in enumerate(headers, start=1):
        _put(ws, top, index, header).font = Font(bold=True)
    for offset, values in enumerate(rows, start=1):
        for index, value in enumerate(values, start=1):
            cell = _put(ws, top + offset, index, value)
            if bold_last and offset == len(rows):
                cell.font = Font(bold=True)
