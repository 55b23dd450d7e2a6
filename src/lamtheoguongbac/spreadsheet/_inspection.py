"""The inspection workbook (bảng tính kiểm tra, giám sát): findings and requests on one sheet,
filled in by the committee, then by the inspected cells' secretaries with their follow-up.

One sheet, ``Kiểm tra``, one row per request (a finding without a request has one row with
the request columns empty; the finding's columns are repeated on each of its rows):

==================  ==========================================================  =============
column              what                                                        who fills it
==================  ==========================================================  =============
``Mã phát hiện``    the finding's id (``f1``, ``f2`` …)                          committee
``Mã chi bộ``       the cell the finding is about                               committee
``Chi bộ``          the cell's name (for reading only)                          —
``Mã sổ``           the handbook, when the finding is about one                 committee
``Loại``            the kind: its code or its Vietnamese label (a list)         committee
``Nội dung``        what was found                                              committee
``Mã yêu cầu``      the request's id (``y1`` …), unique in the inspection       committee
``Yêu cầu``         what must be fixed                                          committee
``Hạn``             the deadline (dd/mm/yyyy or an Excel date)                  committee
``Kết quả``         what the cell did                                           cell
``Ngày``            when (default: the day the workbook is applied)             cell
``Đã xong``         "x" / "có" when the request is met                          cell
==================  ==========================================================  =============

:func:`write_inspection_workbook` writes it from suggested findings (before the inspection is
recorded) or from a stored inspection (for the follow-up); :func:`read_inspection_workbook`
reads it back all or nothing — findings for ``Handbooks.inspections.record`` and follow-ups
for ``Handbooks.inspections.follow_up`` — naming sheet, row and column of every bad cell.
Values are read, never formulas: a cell holding one is refused.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from lamtheoguongbac._errors import ImportFailed, LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac._inspections import (
    FINDING_KINDS,
    Finding,
    FindingKind,
    InspectedCell,
    Inspection,
    Request,
)
from lamtheoguongbac._roster import header_key, parse_date
from lamtheoguongbac.export._result import ExportResult, destination_first
from lamtheoguongbac.spreadsheet._read import (
    _broken,
    _error_problem,
    _formula_problem,
    _match_sheets,
    _open,
    _unreadable,
)
from lamtheoguongbac.spreadsheet._xlsx import require_openpyxl, save_atomic
from lamtheoguongbac.text import nfc

__all__ = [
    "INSPECTION_COLUMNS",
    "INSPECTION_SHEET",
    "FollowUpRow",
    "InspectionSheet",
    "read_inspection_workbook",
    "write_inspection_workbook",
]

#: The sheet's name.
INSPECTION_SHEET = "Kiểm tra"
#: (key, header, width) of each column, in order.
INSPECTION_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("finding", "Mã phát hiện", 12),
    ("cell", "Mã chi bộ", 16),
    ("cell_name", "Chi bộ", 26),
    ("handbook", "Mã sổ", 18),
    ("kind", "Loại", 30),
    ("text", "Nội dung", 60),
    ("request", "Mã yêu cầu", 11),
    ("ask", "Yêu cầu", 45),
    ("due", "Hạn", 12),
    ("result", "Kết quả", 45),
    ("on", "Ngày", 12),
    ("done", "Đã xong", 9),
)
_YES = {"x", "co", "da_xong", "yes", "1", "true", "dung"}


@attrs.frozen(kw_only=True)
class FollowUpRow:
    """A follow-up read from the sheet: the request, what was done, when, and whether met.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.spreadsheet import FollowUpRow
        >>> row = FollowUpRow(
        ...     row=5,
        ...     request_id="y1",
        ...     text="Đã họp chi bộ, đăng ký lại",
        ...     on=dt.date(2025, 7, 5),
        ...     done=True,
        ... )
        >>> row.request_id, row.done
        ('y1', True)
    """

    row: int
    request_id: str
    text: str
    on: dt.date | None
    done: bool


@attrs.frozen(kw_only=True)
class InspectionSheet:
    """What :func:`read_inspection_workbook` found: the findings (with their requests) and
    the follow-ups filled in.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.spreadsheet import (
        ...     read_inspection_workbook,
        ...     write_inspection_workbook,
        ... )
        >>> from lamtheoguongbac.testing import make_inspection
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "kiem-tra.xlsx")
        >>> _ = write_inspection_workbook(path, inspection=make_inspection())
        >>> sheet = read_inspection_workbook(path)
        >>> [finding.kind for finding in sheet.findings], sheet.follow_ups
        (['dang_ky_chung_chung'], ())
        >>> folder.cleanup()
    """

    source: str
    findings: tuple[Finding, ...]
    follow_ups: tuple[FollowUpRow, ...]


def _label(kinds: Sequence[FindingKind], code: str) -> str:
    return next((k.label_vi for k in kinds if k.code == code), code)


def _rows(
    findings: Sequence[Finding], names: dict[str, str], kinds: Sequence[FindingKind]
) -> list[list[Any]]:
    out: list[list[Any]] = []
    for f in findings:
        head = [f.id, f.cell_id, names.get(f.cell_id, ""), f.handbook_id, _label(kinds, f.kind)]
        head.append(f.text)
        if not f.requests:
            out.append([*head, None, None, None, None, None, None])
        for r in f.requests:
            last = r.follow_ups[-1] if r.follow_ups else None
            out.append(
                [
                    *head,
                    r.id,
                    r.text,
                    r.due,
                    None if last is None else last.text,
                    None if last is None else last.on,
                    "x" if r.done else None,
                ]
            )
    return out


def write_inspection_workbook(
    dest: Path | str,
    *,
    findings: Sequence[Finding] | None = None,
    cells: Sequence[InspectedCell] = (),
    inspection: Inspection | None = None,
    kinds: Sequence[FindingKind] = FINDING_KINDS,
) -> ExportResult:
    """Write the inspection workbook to ``dest`` (atomically): ``inspection``'s findings
    with their follow-ups so far, or draft ``findings`` over ``cells``.

    Returns:
        the workbook written, as :attr:`~lamtheoguongbac.export.ExportResult.path`.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ValidationFailed: neither ``inspection`` nor ``findings`` is given, or ``dest`` is
            not a path.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.spreadsheet import (
        ...     read_inspection_workbook,
        ...     write_inspection_workbook,
        ... )
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspection = make_inspection()
        >>> dest = Path(tempfile.mkdtemp()) / "kiem-tra.xlsx"
        >>> result = write_inspection_workbook(dest, inspection=inspection)
        >>> len(read_inspection_workbook(result.path).findings) == len(inspection.findings)
        True
    """
    path = destination_first("write_inspection_workbook(dest, *, inspection=…)", dest)
    require_openpyxl()
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if inspection is not None:
        findings, cells = inspection.findings, inspection.cells
    if findings is None:
        raise ValidationFailed(
            "cần cuộc kiểm tra hoặc danh sách phát hiện",
            "give an inspection or findings",
            field="findings",
        )
    names = {c.cell.id: c.cell.name for c in cells}
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    ws = wb.create_sheet(INSPECTION_SHEET)
    ws.append([header for _, header, _ in INSPECTION_COLUMNS])
    for i, (_, _, width) in enumerate(INSPECTION_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        head = ws.cell(row=1, column=i)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="E7E6E6")
    ws.freeze_panes = "A2"
    for row in _rows(findings, names, kinds):
        ws.append(row)
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    lists = wb.create_sheet("Danh mục")
    lists.append(["Mã loại", "Loại phát hiện", "Finding kind"])
    for k in kinds:
        lists.append([k.code, k.label_vi, k.label_en])
    lists.column_dimensions["B"].width = 50
    validation = DataValidation(
        type="list", formula1=f"='Danh mục'!$B$2:$B${len(kinds) + 1}", allow_blank=True
    )
    ws.add_data_validation(validation)
    validation.add("E2:E2000")
    save_atomic(wb, path)
    return ExportResult(written=(path,))


def _value(raw: Any) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = nfc(str(raw)).strip()
    return text or None


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    return parse_date(str(raw).strip())


class _Sheet:
    def __init__(self, source: str, kinds: Sequence[FindingKind]) -> None:
        self.source = source
        self.problems: list[str] = []
        self.bad_cells: set[tuple[int, str]] = set()
        self.kinds = {header_key(k.code): k.code for k in kinds}
        self.kinds.update({header_key(k.label_vi): k.code for k in kinds})
        self.kinds.update({header_key(k.label_en): k.code for k in kinds})

    def problem(self, row: int, key: str, letter: str, vi: str, en: str) -> None:
        if (row, key) in self.bad_cells:
            return  # already told why the cell cannot be read; it reads as blank
        header = {k: h for k, h, _ in INSPECTION_COLUMNS}[key]
        self.problems.append(
            f"{INSPECTION_SHEET}, dòng {row}, cột {letter} ({header}): {vi} / "
            f"{INSPECTION_SHEET}, row {row}, column {letter} ({header}): {en}"
        )


def read_inspection_workbook(
    path: Path, *, kinds: Sequence[FindingKind] = FINDING_KINDS
) -> InspectionSheet:
    """Read an inspection workbook, all or nothing (see the module docstring).

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ImportFailed: the file is unreadable or refused, the sheet is missing or two sheets
            match it (``Kiểm tra`` and ``KIEM TRA``), or rows are bad, a cell holding a
            formula among them (each problem names sheet, row, column and header, in
            Vietnamese and English).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.spreadsheet import (
        ...     read_inspection_workbook,
        ...     write_inspection_workbook,
        ... )
        >>> from lamtheoguongbac.testing import make_inspection
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "kiem-tra.xlsx")
        >>> inspection = make_inspection(followed_up=True)
        >>> _ = write_inspection_workbook(path, inspection=inspection)
        >>> sheet = read_inspection_workbook(path)
        >>> len(sheet.findings), [request.id for request in sheet.findings[0].requests]
        (1, ['y1'])
        >>> folder.cleanup()
    """
    require_openpyxl()
    from openpyxl.utils import get_column_letter

    source = str(path)
    wb = _open(Path(path), source)
    sheet = _Sheet(source, kinds)
    try:
        wanted = [(INSPECTION_SHEET, (INSPECTION_SHEET,))]
        title = _match_sheets(source, wb.sheetnames, wanted)[INSPECTION_SHEET]
        if title is None:
            raise ImportFailed(
                source,
                [
                    f"không có trang '{INSPECTION_SHEET}' / no sheet '{INSPECTION_SHEET}' (the "
                    "inspection workbook)"
                ],
            )
        try:
            # Cells, not values only: a formula is told from text starting with "=" by its
            # data type alone; the values are taken below, the formulas refused. The size the
            # file declares is not trusted (a stale one would hide rows and columns).
            ws = wb[title]
            ws.reset_dimensions()
            raw_rows = list(ws.iter_rows())
        except _broken() as exc:
            raise _unreadable(source, exc, sheet=title) from exc
    except LamTheoGuongBacError:
        raise
    except _broken() as exc:
        raise _unreadable(source, exc) from exc
    finally:
        with contextlib.suppress(*_broken()):
            wb.close()
    if not raw_rows:
        raise ImportFailed(source, [f"trang '{INSPECTION_SHEET}' trống / the sheet is empty"])
    columns = {header_key(h): k for k, h, _ in INSPECTION_COLUMNS}
    positions: dict[str, int] = {}
    head_problems = []
    for i, head in enumerate(raw_rows[0]):
        if head.data_type == "f":
            ref = f"{get_column_letter(i + 1)}1"
            vi, en = _formula_problem(head.value, ref)
            head_problems.append(
                f"{INSPECTION_SHEET}, dòng 1: {vi} / {INSPECTION_SHEET}, row 1: {en}"
            )
            continue
        key = columns.get(header_key(str(head.value))) if head.value is not None else None
        if key is not None:
            positions.setdefault(key, i)
    missing = [h for k, h, _ in INSPECTION_COLUMNS if k not in positions and k != "cell_name"]
    if missing:
        head_problems.append(
            f"thiếu cột: {', '.join(missing)} / missing columns: {', '.join(missing)}"
        )
    if head_problems:
        raise ImportFailed(source, head_problems)
    letters = {k: get_column_letter(i + 1) for k, i in positions.items()}
    # The cell's name is shown for reading only and never read, so a formula there (one
    # looking the name up, say) is left alone; every other column is read and refuses one.
    read = {k: i for k, i in positions.items() if k != "cell_name"}
    drafts: dict[str, dict[str, Any]] = {}
    follow_ups: list[FollowUpRow] = []
    for number, line in enumerate(raw_rows[1:], start=2):
        raw = [None if c.data_type in ("f", "e") else c.value for c in line]
        for key, i in read.items():
            if i < len(line) and line[i].data_type in ("f", "e"):
                bad = _formula_problem if line[i].data_type == "f" else _error_problem
                sheet.problem(number, key, letters[key], *bad(line[i].value))
                sheet.bad_cells.add((number, key))
        cells = {k: _value(raw[i]) if i < len(raw) else None for k, i in positions.items()}
        dates = {k: raw[positions[k]] for k in ("due", "on") if positions[k] < len(raw)}
        if not any(cells.values()):
            continue
        _row(sheet, number, cells, dates, letters, drafts, follow_ups)
    findings: list[Finding] = []
    for fid, d in drafts.items():
        try:
            findings.append(
                Finding(
                    id=fid,
                    kind=d["kind"],
                    text=d["text"],
                    cell_id=d["cell"],
                    handbook_id=d["handbook"],
                    requests=tuple(d["requests"]),
                )
            )
        except ValidationFailed as exc:
            sheet.problem(d["row"], "finding", letters["finding"], exc.reason_vi, exc.reason_en)
    if sheet.problems:
        raise ImportFailed(source, sheet.problems)
    return InspectionSheet(source=source, findings=tuple(findings), follow_ups=tuple(follow_ups))


def _row(
    sheet: _Sheet,
    number: int,
    cells: dict[str, str | None],
    dates: dict[str, Any],
    letters: dict[str, str],
    drafts: dict[str, dict[str, Any]],
    follow_ups: list[FollowUpRow],
) -> None:
    def bad(key: str, vi: str, en: str) -> None:
        sheet.problem(number, key, letters[key], vi, en)

    fid = cells["finding"]
    if fid is None:
        bad("finding", "thiếu mã phát hiện", "the finding id is missing")
        return
    draft = drafts.get(fid)
    if draft is None:
        kind = sheet.kinds.get(header_key(cells["kind"] or ""))
        for key in ("cell", "kind", "text"):
            if cells[key] is None:
                bad(key, "thiếu giá trị bắt buộc", "a value is required")
        if cells["kind"] is not None and kind is None:
            bad("kind", f"không có loại '{cells['kind']}'", f"unknown kind '{cells['kind']}'")
        if cells["cell"] is None or kind is None or cells["text"] is None:
            return
        draft = drafts[fid] = {
            "row": number,
            "cell": cells["cell"],
            "handbook": cells["handbook"],
            "kind": kind,
            "text": cells["text"],
            "requests": [],
        }
    request_id = cells["request"]
    if request_id is None:
        if cells["ask"] or cells["result"]:
            bad("request", "thiếu mã yêu cầu", "the request id is missing")
        return
    due: dt.date | None = None
    try:
        due = _date(dates.get("due")) if dates.get("due") is not None else None
    except ValueError:
        bad("due", "ngày không hợp lệ (dd/mm/yyyy)", "invalid date (dd/mm/yyyy)")
        return
    if due is None or cells["ask"] is None:
        bad("due" if due is None else "ask", "thiếu giá trị bắt buộc", "a value is required")
        return
    try:
        draft["requests"].append(Request(id=request_id, text=cells["ask"], due=due))
    except ValidationFailed as exc:
        bad("request", exc.reason_vi, exc.reason_en)
        return
    if cells["result"] is None:
        return
    on: dt.date | None = None
    if dates.get("on") is not None:
        try:
            on = _date(dates["on"])
        except ValueError:
            bad("on", "ngày không hợp lệ (dd/mm/yyyy)", "invalid date (dd/mm/yyyy)")
            return
    done = header_key(cells["done"] or "") in _YES
    follow_ups.append(
        FollowUpRow(row=number, request_id=request_id, text=cells["result"], on=on, done=done)
    )
