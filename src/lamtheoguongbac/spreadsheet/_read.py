"""Reading a filled workbook, all or nothing, every bad row reported with sheet/row/column."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar
from xml.parsers import expat

import attrs

from lamtheoguongbac._checks import text_problem
from lamtheoguongbac._errors import ImportFailed, LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac._fsutil import UnsafeArchive, check_zip
from lamtheoguongbac._legacy import convert_legacy, detect_legacy
from lamtheoguongbac._model import (
    Basis,
    BasisKind,
    DeliverableTarget,
    Member,
    OrgUnit,
    Outcome,
    Pledge,
    PledgeResult,
    QuantityTarget,
    RatingLevel,
    RegulationRef,
    ResultReport,
    SelfAssessment,
)
from lamtheoguongbac._roster import (
    RowError,
    cell_date,
    header_key,
    member_from_row,
    unit_from_row,
)
from lamtheoguongbac.spreadsheet._data import (
    AssessmentEntry,
    EntryRows,
    HandbookEntry,
    WorkbookData,
)
from lamtheoguongbac.spreadsheet._layout import (
    ASSESSMENTS,
    MEMBERS,
    PLEDGES,
    RESULTS,
    SELF_ASSESSMENTS,
    SHEETS,
    UNITS,
    Column,
    Sheet,
    get_column_letter,
    place,
)
from lamtheoguongbac.spreadsheet._xlsx import require_openpyxl, restore
from lamtheoguongbac.text import nfc

__all__ = ["read_workbook"]

T = TypeVar("T")
Value = str | int | float | dt.date | None


def _choices(members: Iterable[T], labels: Callable[[T], Iterable[str]]) -> dict[str, T]:
    """Values by the :func:`header_key` of each of their spellings."""
    return {header_key(label): m for m in members for label in labels(m)}


_BASIS_KINDS = _choices(BasisKind, labels=lambda k: (k.value, k.label_vi, k.label_en))
_OUTCOMES = _choices(Outcome, labels=lambda o: (o.value, o.label_vi, o.label_en))
_RATINGS = _choices(RatingLevel, labels=lambda r: (r.value, r.label_vi, r.label_en))
_PLEDGE_KEYS = ("viec_lam", "chi_tieu", "don_vi_tinh", "thoi_han", "nhiem_vu", "han_che")
# What openpyxl raises on a damaged workbook: a missing part (KeyError), a truncated or bad
# entry (BadZipFile, zlib.error, EOFError), malformed XML (xml.etree's ParseError and lxml's
# XMLSyntaxError are SyntaxErrors), values it cannot convert (ValueError, TypeError,
# IndexError, AttributeError) and its own exceptions (added by _broken(), as openpyxl is
# optional). The library's own errors are re-raised before these.
_BROKEN_BUILTIN: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    LookupError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    zipfile.BadZipFile,
    zlib.error,
)


@functools.cache
def _broken() -> tuple[type[BaseException], ...]:
    from openpyxl.utils import exceptions

    return (
        *_BROKEN_BUILTIN,
        exceptions.InvalidFileException,
        exceptions.CellCoordinatesException,
        exceptions.IllegalCharacterError,
        exceptions.NamedRangeException,
        exceptions.SheetTitleException,
    )


class _BadCell(Exception):
    """A cell whose text cannot be stored (a control character, a lone surrogate)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _formula_problem(formula: object, ref: str = "") -> tuple[str, str]:
    """Why a cell (``ref``, e.g. ``"E1"``, when the place does not say it) holding
    ``formula`` is refused, as (vi, en), showing the formula's start.

    An imported workbook is read for its values; a formula is not one (what a spreadsheet
    program last computed is cached beside it, or nothing when another program wrote the
    file), and it is untrusted, so it is refused rather than guessed at.
    """
    text = formula if isinstance(formula, str) else getattr(formula, "text", None) or "="
    shown = " ".join(str(text).split())
    if len(shown) > 40:
        shown = shown[:39] + "…"
    cell_vi, cell_en = (f"ô {ref}", f"cell {ref}") if ref else ("ô", "the cell")
    return (
        f"{cell_vi} chứa công thức ({shown}), không phải giá trị; hãy thay bằng giá trị (sao "
        "chép, rồi Dán đặc biệt → Giá trị)",
        f"{cell_en} holds a formula ({shown}), not a value; replace it with its value (copy, "
        "then Paste Special → Values)",
    )


def _error_problem(value: object) -> tuple[str, str]:
    """Why a cell holding a spreadsheet error value (``#N/A``, ``#REF!``) is refused, as
    (vi, en): it is no value, though it reads as text (a column of looked-up values pasted
    as values keeps its errors)."""
    shown = " ".join(str(value).split())[:20] or "#"
    return (
        f"ô có giá trị lỗi {shown} của bảng tính, không phải giá trị; hãy nhập giá trị đúng",
        f"the cell holds the spreadsheet error {shown}, not a value; enter the right value",
    )


def _match_sheets(
    source: str, titles: Iterable[str], wanted: Iterable[tuple[str, tuple[str, ...]]]
) -> dict[str, str | None]:
    """The workbook's sheet for each ``(name, spellings)`` wanted, or None when it has none.

    Names match loosely (:func:`header_key`: accents, case, spacing), so two sheets may match
    one wanted name (``Đảng viên`` and ``DANG VIEN``); which one is meant cannot be told,
    and taking either would silently drop the other's rows, so that is refused. Sheets that
    match nothing are ignored.

    Raises:
        ImportFailed: two or more sheets match one wanted name, each such name listed.
    """
    titles = list(titles)
    found: dict[str, str | None] = {}
    problems = []
    for name, spellings in wanted:
        keys = {header_key(s) for s in spellings}
        matches = [t for t in titles if header_key(t) in keys]
        found[name] = matches[0] if matches else None
        if len(matches) > 1:
            listed = ", ".join(f"'{t}'" for t in matches)
            problems.append(
                f"các trang {listed} đều ứng với trang '{name}' của mẫu; hãy xóa hoặc đổi tên để "
                f"chỉ còn một / the sheets {listed} all match the layout's sheet '{name}'; "
                "delete or rename all but one"
            )
    if problems:
        raise ImportFailed(source, problems)
    return found


@attrs.frozen
class _Row:
    number: int
    values: Mapping[str, Value]


# --- cells ---------------------------------------------------------------------------------


def _text(row: _Row, key: str) -> str | None:
    value = row.values.get(key)
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _required(row: _Row, key: str) -> str:
    value = _text(row, key)
    if value is None:
        raise RowError(key, "thiếu giá trị bắt buộc", "a value is required")
    return value


def _date(row: _Row, key: str) -> dt.date | None:
    value = row.values.get(key)
    return None if value is None else cell_date(value, key)


def _required_date(row: _Row, key: str) -> dt.date:
    value = _date(row, key)
    if value is None:
        raise RowError(key, "thiếu ngày (dd/mm/yyyy)", "a date (dd/mm/yyyy) is required")
    return value


def _decimal(row: _Row, key: str) -> Decimal | None:
    value = row.values.get(key)
    if value is None:
        return None
    text = str(value).replace(" ", "")
    if isinstance(value, str) and "," in text and "." not in text:
        text = text.replace(",", ".")  # the Vietnamese decimal comma
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if isinstance(value, dt.date) or number is None or not number.is_finite():
        raise RowError(key, f"'{value}' không phải số", f"'{value}' is not a number")
    return number


def _integer(row: _Row, key: str) -> int | None:
    number = _decimal(row, key)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise RowError(key, f"'{number}' không phải số nguyên", f"'{number}' is not a whole number")
    return int(number)


def _choice(row: _Row, key: str, table: Mapping[str, T]) -> T | None:
    value = _text(row, key)
    if value is None:
        return None
    found = table.get(header_key(value))
    if found is None:
        raise RowError(
            key,
            f"không hiểu giá trị '{value}'; hãy chọn trong danh sách của cột",
            f"unknown value '{value}'; pick one from the column's list",
        )
    return found


def _text_map(row: _Row) -> dict[str, str]:
    """The row as text, the shape the roster's row readers take."""
    return {key: _text(row, key) or "" for key in row.values}


# --- the reader ----------------------------------------------------------------------------


class _Reader:
    """Collects rows, values and problems over the sheets of one workbook."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.columns: dict[str, dict[str, tuple[str, str]]] = {}
        # Cells already reported as unreadable (a formula, a control character): they read
        # as blank, and "a value is required" or the like about them would only mislead.
        self.bad_cells: set[tuple[str, int, str]] = set()

    def problem(self, sheet: Sheet, row: int | None, key: str | None, vi: str, en: str) -> None:
        if row is not None and key is not None and (sheet.name, row, key) in self.bad_cells:
            return
        where_vi, where_en = place(sheet, row, key, self.columns.get(sheet.name, {}))
        self.problems.append(f"{where_vi}: {vi} / {where_en}: {en}")

    def bad_cell(self, sheet: Sheet, row: int, key: str, vi: str, en: str) -> None:
        """Report the cell at ``row``/``key`` as unreadable; it reads as blank."""
        self.problem(sheet, row, key, vi, en)
        self.bad_cells.add((sheet.name, row, key))

    def attempt(self, sheet: Sheet, row: _Row, build: Callable[[_Row], T]) -> T | None:
        """``build(row)``, or None with the problem recorded against the row and column."""
        try:
            return build(row)
        except RowError as exc:
            self.problem(sheet, row.number, exc.column, exc.vi, exc.en)
        except ValidationFailed as exc:
            key = sheet.field_column(exc.field)
            vi, en = (exc.reason_vi, exc.reason_en) if key else (exc.message_vi, exc.message_en)
            self.problem(sheet, row.number, key, vi, en)
        return None

    def _header(self, sheet: Sheet, cells: tuple[object, ...]) -> dict[int, Column] | None:
        known: dict[str, Column] = {}
        for col in sheet.columns:
            for name in (col.key, col.header, *col.aliases):
                known[header_key(name)] = col
        by_index: dict[int, Column] = {}
        found: dict[str, tuple[str, str]] = {}
        for index, cell in enumerate(cells):
            header = nfc(str(cell)).strip() if cell is not None else ""
            match = known.get(header_key(header)) if header else None
            if match is None:
                continue  # a column of the user's own: ignored
            letter = get_column_letter(index + 1)
            if match.key in found:
                first = found[match.key][0]
                self.problem(
                    sheet,
                    1,
                    None,
                    f"cột '{match.header}' có hai lần ({first} và {letter})",
                    f"the column '{match.header}' appears twice ({first} and {letter})",
                )
                return None
            by_index[index] = match
            found[match.key] = (letter, header)
        self.columns[sheet.name] = found
        missing = [c.header for c in sheet.columns if c.required and c.key not in found]
        for header in missing:
            self.problem(
                sheet, None, None, f"thiếu cột '{header}'", f"the column '{header}' is missing"
            )
        return None if missing else by_index

    def _value(self, sheet: Sheet, ref: str, raw: object) -> Value:
        if raw is None:
            return None
        if isinstance(raw, bool):
            # A logical cell reads as what the spreadsheet shows, so a message about it
            # quotes the value the cell holds ("Cơ sở" takes TRUE as yes).
            return "TRUE" if raw else "FALSE"
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date | int | float):
            return raw
        # The quote the library puts before text a spreadsheet would take for a formula
        # (``'=…``, ``'-…``) is not part of the value: exporting and importing again must
        # give back the same text.
        text = restore(str(raw))
        problem = text_problem(text)
        if problem is not None:
            raise _BadCell(*problem)
        text = nfc(text).strip()
        if not text.isascii():
            legacy = detect_legacy(text)
            if legacy is not None:
                text = convert_legacy(text, legacy)
                name = legacy.upper()
                self.notes.append(
                    f"Trang '{sheet.name}', ô {ref}: đã chuyển chữ {name} sang Unicode / "
                    f"sheet '{sheet.name}', cell {ref}: converted {name} text to Unicode"
                )
        return text or None

    def _header_values(self, sheet: Sheet, cells: tuple[Any, ...]) -> tuple[object, ...]:
        """The header row's values; a formula is reported (which column it names cannot be
        known) and read as no header."""
        values: list[object] = []
        for index, cell in enumerate(cells):
            if cell.data_type == "f":
                ref = f"{get_column_letter(index + 1)}1"
                self.problem(sheet, 1, None, *_formula_problem(cell.value, ref))
                values.append(None)
            else:
                values.append(cell.value)
        return tuple(values)

    def rows(self, sheet: Sheet, ws: Any) -> list[_Row]:
        """The non-empty data rows of ``ws`` keyed by column key; [] when the header is bad."""
        # Cells, not values only: a formula is told from text that merely starts with "="
        # by the cell's data type alone (the workbook is opened with data_only=False).
        # The size the file declares (its <dimension>) is not trusted: a program that left
        # it stale would hide the rows and columns past it.
        ws.reset_dimensions()
        lines = ws.iter_rows()
        header = next(lines, None)
        if header is None:
            return []
        by_index = self._header(sheet, self._header_values(sheet, header))
        if by_index is None:
            return []
        out = []
        for number, cells in enumerate(lines, start=2):
            values: dict[str, Value] = {}
            for i, col in by_index.items():
                if i >= len(cells):
                    continue
                cell = cells[i]
                if cell.data_type == "f":
                    self.bad_cell(sheet, number, col.key, *_formula_problem(cell.value))
                    values[col.key] = None
                    continue
                if cell.data_type == "e":
                    self.bad_cell(sheet, number, col.key, *_error_problem(cell.value))
                    values[col.key] = None
                    continue
                try:
                    values[col.key] = self._value(
                        sheet, f"{get_column_letter(i + 1)}{number}", cell.value
                    )
                except _BadCell as exc:
                    self.bad_cell(sheet, number, col.key, exc.vi, exc.en)
                    values[col.key] = None
            if any(v is not None for v in values.values()):
                out.append(_Row(number, values))
        return out


# --- sheets --------------------------------------------------------------------------------


def _unique(
    reader: _Reader, sheet: Sheet, items: list[tuple[_Row, T]], key: Callable[[T], str], col: str
) -> dict[str, tuple[_Row, T]]:
    seen: dict[str, tuple[_Row, T]] = {}
    for row, item in items:
        k = key(item)
        if k in seen:
            first = seen[k][0].number
            reader.problem(
                sheet,
                row.number,
                col,
                f"'{k}' trùng với dòng {first}",
                f"'{k}' repeats row {first}",
            )
        else:
            seen[k] = (row, item)
    return seen


def _roster(
    reader: _Reader, rows: dict[str, list[_Row]]
) -> tuple[dict[str, tuple[_Row, OrgUnit]], dict[str, tuple[_Row, Member]]]:
    units = [
        (r, u)
        for r in rows[UNITS.name]
        if (u := reader.attempt(UNITS, r, lambda r: unit_from_row(_text_map(r)))) is not None
    ]
    members = [
        (r, m)
        for r in rows[MEMBERS.name]
        if (m := reader.attempt(MEMBERS, r, lambda r: member_from_row(_text_map(r)))) is not None
    ]
    return (
        _unique(reader, UNITS, units, lambda u: u.id, "ma"),
        _unique(reader, MEMBERS, members, lambda m: m.id, "ma"),
    )


def _target(row: _Row) -> tuple[QuantityTarget | DeliverableTarget | None, dt.date | None]:
    amount, unit = _decimal(row, "chi_tieu"), _text(row, "don_vi_tinh")
    deadline = _date(row, "thoi_han")
    if amount is not None:
        if unit is None:
            raise RowError(
                "don_vi_tinh", "cần đơn vị tính của chỉ tiêu", "the target amount needs its unit"
            )
        return QuantityTarget(amount=amount, unit=unit), deadline
    if unit is None:
        return None, deadline
    if deadline is None:
        raise RowError(
            "thoi_han",
            "sản phẩm cần hoàn thành phải có thời hạn",
            "a deliverable needs a deadline",
        )
    return DeliverableTarget(description=unit, due=deadline), deadline


def _basis(row: _Row) -> Basis | None:
    kind = _choice(row, "loai_can_cu", _BASIS_KINDS)
    regulation, text = _text(row, "van_ban"), _text(row, "noi_dung_can_cu")
    article, clause = _integer(row, "dieu"), _text(row, "khoan")
    if kind is None:
        if regulation or text or article is not None or clause:
            raise RowError("loai_can_cu", "cần chọn loại căn cứ", "choose the basis kind")
        return None
    if regulation is None and (article is not None or clause):
        raise RowError(
            "van_ban", "cần ghi văn bản có điều, khoản đó", "name the regulation of the article"
        )
    ref = (
        RegulationRef(regulation=regulation, article=article, clause=clause) if regulation else None
    )
    return Basis(kind=kind, reference=ref, text=text)


@attrs.define
class _PledgeDraft:
    row: _Row
    id: str
    deed: str
    target: QuantityTarget | DeliverableTarget | None
    deadline: dt.date | None
    task: str | None
    shortcoming: str | None
    bases: list[Basis]

    def build(self, _row: _Row) -> Pledge:
        """The pledge with every basis gathered (``_row`` is the row errors are told on)."""
        return Pledge(
            id=self.id,
            deed=self.deed,
            target=self.target,
            deadline=self.deadline,
            task=self.task,
            shortcoming=self.shortcoming,
            bases=tuple(self.bases),
        )


def _pledge_head(row: _Row) -> _PledgeDraft:
    target, deadline = _target(row)
    basis = _basis(row)
    return _PledgeDraft(
        row=row,
        id=_required(row, "ma_viec"),
        deed=_required(row, "viec_lam"),
        target=target,
        deadline=deadline,
        task=_text(row, "nhiem_vu"),
        shortcoming=_text(row, "han_che"),
        bases=[basis] if basis else [],
    )


def _continuation(draft: _PledgeDraft, row: _Row) -> Basis:
    first = draft.row
    for key in _PLEDGE_KEYS:
        if row.values.get(key) is not None and row.values.get(key) != first.values.get(key):
            raise RowError(
                key,
                f"việc '{draft.id}' đã khai ở dòng {first.number}; các dòng thêm của một việc "
                "chỉ ghi các cột căn cứ",
                f"pledge '{draft.id}' is given on row {first.number}; further rows of a pledge "
                "hold only the basis columns",
            )
    basis = _basis(row)
    if basis is None:
        raise RowError(
            "ma_viec",
            f"việc '{draft.id}' đã khai ở dòng {first.number}",
            f"pledge '{draft.id}' is already given on row {first.number}",
        )
    return basis


def _pledges(reader: _Reader, rows: list[_Row]) -> dict[str, list[tuple[int, Pledge]]]:
    drafts: dict[tuple[str, str], _PledgeDraft] = {}
    failed: set[tuple[str, str]] = set()
    for row in rows:
        key = reader.attempt(
            PLEDGES, row, lambda r: (_required(r, "ma_dang_vien"), _required(r, "ma_viec"))
        )
        if key is None or key in failed:
            continue
        draft = drafts.get(key)
        if draft is None:
            head = reader.attempt(PLEDGES, row, _pledge_head)
            if head is None:
                failed.add(key)
            else:
                drafts[key] = head
        else:
            basis = reader.attempt(PLEDGES, row, functools.partial(_continuation, draft))
            if basis is not None:
                draft.bases.append(basis)
    out: dict[str, list[tuple[int, Pledge]]] = {}
    for (member_id, _), d in drafts.items():
        pledge = reader.attempt(PLEDGES, d.row, d.build)
        if pledge is not None:
            out.setdefault(member_id, []).append((d.row.number, pledge))
    return out


def _declared(rows: list[_Row]) -> dict[str, set[str]]:
    """The pledge ids each member lists on the pledges sheet, read or not."""
    out: dict[str, set[str]] = {}
    for row in rows:
        member_id, pledge_id = _text(row, "ma_dang_vien"), _text(row, "ma_viec")
        if member_id and pledge_id:
            out.setdefault(member_id, set()).add(pledge_id)
    return out


def _result(row: _Row) -> tuple[str, PledgeResult, dt.date | None]:
    member_id = _required(row, "ma_dang_vien")
    outcome = _choice(row, "ket_qua", _OUTCOMES)
    if outcome is None:
        raise RowError("ket_qua", "thiếu giá trị bắt buộc", "a value is required")
    result = PledgeResult(
        pledge_id=_required(row, "ma_viec"),
        outcome=outcome,
        achieved=_text(row, "da_dat_duoc"),
        not_done=_text(row, "chua_thuc_hien"),
        direction=_text(row, "huong_phan_dau"),
    )
    return member_id, result, _date(row, "ngay_bao_cao")


def _reports(
    reader: _Reader, rows: list[_Row], declared: Mapping[str, set[str]]
) -> dict[str, tuple[list[int], ResultReport]]:
    grouped: dict[str, list[tuple[_Row, PledgeResult, dt.date | None]]] = {}
    failed: set[str] = set()
    date_given: set[str] = set()  # members with a report date on a row, valid or not
    for row in rows:
        if row.values.get("ngay_bao_cao") is not None:
            date_given.add(_text(row, "ma_dang_vien") or "")
        parsed = reader.attempt(RESULTS, row, _result)
        if parsed is None:
            failed.add(_text(row, "ma_dang_vien") or "")
            continue
        member_id, result, day = parsed
        grouped.setdefault(member_id, []).append((row, result, day))
    out: dict[str, tuple[list[int], ResultReport]] = {}
    for member_id, items in grouped.items():
        ok = member_id not in failed
        seen: dict[str, int] = {}
        registered = declared.get(member_id, set())
        dated = [(row, day) for row, _, day in items if day is not None]
        for row, result, _ in items:
            pid = result.pledge_id
            if pid in seen:
                ok = False
                reader.problem(
                    RESULTS,
                    row.number,
                    "ma_viec",
                    f"kết quả của việc '{pid}' đã ghi ở dòng {seen[pid]}",
                    f"the result of pledge '{pid}' is already on row {seen[pid]}",
                )
            elif registered and pid not in registered:
                ok = False
                reader.problem(
                    RESULTS,
                    row.number,
                    "ma_viec",
                    f"đảng viên '{member_id}' không đăng ký việc '{pid}' ở trang '{PLEDGES.name}'",
                    f"member '{member_id}' has no pledge '{pid}' on the '{PLEDGES.name}' sheet",
                )
            seen.setdefault(pid, row.number)
        if not dated:
            ok = False
        if not dated and member_id not in date_given:  # a refused date is reported already
            reader.problem(
                RESULTS,
                items[0][0].number,
                "ngay_bao_cao",
                "cần ngày báo cáo (ít nhất ở một dòng của đảng viên)",
                "the report date is required (on at least one of the member's rows)",
            )
        for row, day in dated[1:]:
            if day != dated[0][1]:
                ok = False
                reader.problem(
                    RESULTS,
                    row.number,
                    "ngay_bao_cao",
                    f"ngày báo cáo khác với dòng {dated[0][0].number}",
                    f"the report date differs from row {dated[0][0].number}",
                )
        if ok:
            first = items[0][0]
            results = tuple(r for _, r, _ in items)
            report = reader.attempt(RESULTS, first, _report_of(dated[0][1], results))
            if report is not None:
                out[member_id] = ([row.number for row, _, _ in items], report)
    return out


def _report_of(
    submitted_on: dt.date, results: tuple[PledgeResult, ...]
) -> Callable[[_Row], ResultReport]:
    """Builds a member's report (for :meth:`_Reader.attempt`: a refusal is placed at a row)."""
    return lambda _: ResultReport(submitted_on=submitted_on, results=results)


def _self_assessment(row: _Row) -> tuple[str, SelfAssessment]:
    return _required(row, "ma_dang_vien"), SelfAssessment(
        text=_required(row, "noi_dung"), written_on=_required_date(row, "ngay_viet")
    )


def _assessment(row: _Row) -> tuple[str, AssessmentEntry]:
    return _required(row, "ma_dang_vien"), AssessmentEntry(
        text=_required(row, "nhan_xet"),
        rating=_choice(row, "xep_loai", _RATINGS),
        meeting_date=_required_date(row, "ngay_hop"),
        recorder_id=_required(row, "ma_nguoi_ghi"),
    )


def _per_member(
    reader: _Reader, sheet: Sheet, rows: list[_Row], build: Callable[[_Row], tuple[str, T]]
) -> dict[str, tuple[int, T]]:
    items = [(r, v) for r in rows if (v := reader.attempt(sheet, r, build)) is not None]
    unique = _unique(reader, sheet, items, lambda v: v[0], "ma_dang_vien")
    return {k: (row.number, v[1]) for k, (row, v) in unique.items()}


def _entries(reader: _Reader, rows: dict[str, list[_Row]]) -> list[HandbookEntry]:
    pledges = _pledges(reader, rows[PLEDGES.name])
    reports = _reports(reader, rows[RESULTS.name], _declared(rows[PLEDGES.name]))
    selves = _per_member(reader, SELF_ASSESSMENTS, rows[SELF_ASSESSMENTS.name], _self_assessment)
    assessments = _per_member(reader, ASSESSMENTS, rows[ASSESSMENTS.name], _assessment)
    order = dict.fromkeys([*pledges, *reports, *selves, *assessments])
    entries = []
    for member_id in order:
        given = pledges.get(member_id, [])
        report_rows, report = reports.get(member_id, ([], None))
        self_row, self_assessment = selves.get(member_id, (0, None))
        assessment_row, assessment = assessments.get(member_id, (0, None))
        entries.append(
            HandbookEntry(
                member_id=member_id,
                pledges=tuple(p for _, p in given),
                report=report,
                self_assessment=self_assessment,
                assessment=assessment,
                rows=EntryRows(
                    pledges=tuple(n for n, _ in given),
                    results=tuple(report_rows),
                    self_assessment=self_row,
                    assessment=assessment_row,
                ),
            )
        )
    return entries


def _unreadable(source: str, exc: BaseException, sheet: str | None = None) -> ImportFailed:
    """The workbook, or its ``sheet``, cannot be read: damaged, truncated, not a workbook."""
    kind = type(exc)
    name = kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
    detail = f"{name}: {exc}"
    if sheet is None:
        vi = f"không đọc được tệp Excel (.xlsx; tệp .xls cũ cần lưu lại dạng .xlsx): {detail}"
        en = f"cannot read the Excel workbook (.xlsx; save an old .xls as .xlsx): {detail}"
    else:
        vi = f"Trang '{sheet}': không đọc được, tệp hỏng hoặc bị cắt cụt ({detail})"
        en = f"sheet '{sheet}': cannot be read, the file is damaged or truncated ({detail})"
    return ImportFailed(source, [f"{vi} / {en}"])


def _open(path: Path, source: str) -> Any:
    """The workbook at ``path``, read only from bytes that passed the archive's limits.

    Raises:
        ImportFailed: unreadable, refused (too large, a zip bomb) or not a workbook.
    """
    from openpyxl import load_workbook

    try:
        data = check_zip(path)
    except UnsafeArchive as exc:
        raise ImportFailed(
            source,
            [f"tệp Excel bị từ chối: {exc.reason_vi} / the workbook was refused: {exc.reason_en}"],
        ) from exc
    except (OSError, zipfile.BadZipFile) as exc:
        raise _unreadable(source, exc) from exc
    try:
        # data_only=False: a formula cell is then seen as one (data type "f") and refused by
        # the readers, instead of reading as its cached value, None when no spreadsheet
        # program computed it. Other cells read the same either way.
        return load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except _broken() as exc:
        raise _unreadable(source, exc) from exc


def _refuse_hidden(source: str, wb: Any, found: Mapping[str, str | None]) -> None:
    """Refuse a workbook whose sheet of the layout is hidden or very hidden.

    What the import reads is what the submitter signs for: a hidden sheet's rows (an
    assessment nobody looked at) would be applied in their name unseen.

    Raises:
        ImportFailed: naming each hidden sheet.
    """
    problems = []
    for title in found.values():
        if title is None:
            continue
        state = getattr(wb[title], "sheet_state", "visible")
        if state == "visible":
            continue
        how_vi, how_en = (
            ("ẩn sâu (very hidden)", "very hidden")
            if state == "veryHidden"
            else (
                "ẩn",
                "hidden",
            )
        )
        problems.append(
            f"trang '{title}' đang bị {how_vi}: người nộp không thấy những gì mình ký nhận; hãy "
            "hiện trang (chuột phải vào thẻ trang → Bỏ ẩn) để xem lại, hoặc xóa trang "
            f"/ the sheet '{title}' is {how_en}: the submitter cannot see what they sign for; "
            "unhide it (right-click a sheet tab → Unhide) to check it, or delete it"
        )
    if problems:
        raise ImportFailed(source, problems)


#: The hidden rows (numbers) and columns (1-based indices) of a sheet.
_Hidden = tuple[set[int], set[int]]


def _hidden_read(
    title: str, sheet: Sheet, read: list[_Row], hidden: _Hidden, reader: _Reader
) -> str | None:
    """The problem of hidden rows or columns holding what the import read from ``sheet``
    (``title`` in the workbook), else None: the submitter signs for what they cannot see.
    Hidden empty rows and hidden columns the layout does not read are left alone."""
    hidden_rows, hidden_columns = hidden
    rows = [str(r.number) for r in read if r.number in hidden_rows]
    columns = [
        letter
        for letter, _ in reader.columns.get(sheet.name, {}).values()
        if _column_index(letter) in hidden_columns
    ]
    hidden_vi: list[str] = []
    hidden_en: list[str] = []
    for lines, vi, en in ((rows, "dòng", "row"), (columns, "cột", "column")):
        if lines:
            shown = ", ".join(lines[:10]) + (", …" if len(lines) > 10 else "")
            hidden_vi.append(f"{vi} {shown}")
            hidden_en.append(f"{en}{'s' if len(lines) > 1 else ''} {shown}")
    if not hidden_vi:
        return None
    return (
        f"trang '{title}' có {' và '.join(hidden_vi)} bị ẩn: người nộp không thấy những gì "
        "mình ký nhận; hãy bỏ ẩn để xem lại, hoặc xóa chúng / the sheet "
        f"'{title}' has {' and '.join(hidden_en)} hidden: the submitter cannot see what they "
        "sign for; unhide them to check them, or delete them"
    )


def _hidden_lines(ws: Any) -> _Hidden:
    """The hidden rows and columns of a read-only sheet — hidden, or of height or width 0 —
    read from its XML: the read-only reader keeps no row or column formats."""
    rows: set[int] = set()
    columns: set[int] = set()

    def start(tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition(":")[2]
        if name not in ("row", "col"):
            return
        size = attributes.get("ht" if name == "row" else "width")
        if attributes.get("hidden") not in ("1", "true") and not _zero(size):
            return
        try:
            if name == "row":
                rows.add(int(attributes.get("r", "0")))
            else:
                first = int(attributes.get("min", "1"))
                columns.update(range(first, int(attributes.get("max", first)) + 1))
        except ValueError:
            pass  # a malformed number: the sheet reader refuses the file or reads nothing there

    with ws._get_source() as source:
        data = source.read()
    parser = expat.ParserCreate()
    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        # Characters XML 1.0 forbids, which the sheet reader tolerates (and refuses in their
        # cell): the rows and columns are read from the tags themselves instead.
        rows.clear()
        columns.clear()
        for tag in _LINE_TAG.finditer(data):
            start(tag.group(1).decode(), dict(_ATTRIBUTE.findall(tag.group(2).decode())))
    return rows, columns


def _column_index(letter: str) -> int:
    """The 1-based index of the column ``letter`` ("A" 1, "AA" 27)."""
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - ord("A") + 1
    return index


def _zero(size: str | None) -> bool:
    try:
        return size is not None and float(size) == 0
    except ValueError:
        return False


_LINE_TAG = re.compile(rb"<((?:\w+:)?(?:row|col))\b([^>]*)>")
_ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')


def read_workbook(path: Path) -> WorkbookData:
    """Read a workbook in the documented layout (``docs/excel.md``), all or nothing.

    Sheets are found by name and columns by header (accents, case and spacing do not matter;
    extra sheets and columns are ignored); a sheet may be missing, but two sheets matching one
    sheet of the layout (``Đảng viên`` and ``DANG VIEN``) are refused, and so is a sheet of
    the layout that is hidden or very hidden (the submitter would sign for rows they never
    saw). Text is NFC-normalised and legacy TCVN3/VNI text converted (each conversion noted in
    ``notes``); dates may be Excel dates or dd/mm/yyyy text; a logical cell reads as TRUE or
    FALSE. A cell holding a formula is refused: values are imported, never formulas (nor the
    value a spreadsheet program last computed from one).

    The file is untrusted: before anything is parsed it is checked against the limits of
    :func:`~lamtheoguongbac.plugin.check_zip` (file size, entries, inflated size, compression
    ratio), and a damaged or truncated file is an :class:`~lamtheoguongbac.ImportFailed`
    naming it (and the sheet, when one is at fault), never a parser's traceback.

    Raises:
        XlsxUnavailable: openpyxl is not installed.
        ImportFailed: the file is not a readable workbook, is refused (too large, a zip bomb),
            has two sheets matching one sheet of the layout, hides a sheet of the layout, or
            it has bad rows (a formula
            among them): every problem is listed with its sheet, row, column letter and
            header, in Vietnamese and English.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import ImportFailed
        >>> from lamtheoguongbac.spreadsheet import read_workbook, write_template
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "mau.xlsx")
        >>> _ = write_template(path)
        >>> data = read_workbook(path)
        >>> data.units, data.members, data.handbooks
        ((), (), ())
        >>> broken = Path(folder.name, "hong.xlsx")
        >>> _ = broken.write_bytes(b"not a workbook")
        >>> try:
        ...     read_workbook(broken)
        ... except ImportFailed as error:
        ...     print(type(error).__name__)
        ...
        ImportFailed
        >>> folder.cleanup()
    """
    require_openpyxl()
    source = str(path)
    wb = _open(Path(path), source)
    reader = _Reader()
    try:
        try:
            titles = list(wb.sheetnames)
        except _broken() as exc:
            raise _unreadable(source, exc) from exc
        found = _match_sheets(source, titles, ((s.name, (s.name, s.name_en)) for s in SHEETS))
        if not any(found.values()):
            names = ", ".join(f"'{s.name}'" for s in SHEETS)
            raise ImportFailed(
                source,
                [
                    f"không có trang nào theo mẫu sổ tay (cần một trong: {names}) / no sheet of "
                    f"the handbook layout (expected one of: {names})"
                ],
            )
        _refuse_hidden(source, wb, found)
        rows: dict[str, list[_Row]] = {}
        hidden: list[str] = []
        for sheet in SHEETS:
            title = found[sheet.name]
            try:
                rows[sheet.name] = reader.rows(sheet, wb[title]) if title else []
                lines = _hidden_lines(wb[title]) if title else (set(), set())
            except LamTheoGuongBacError:
                raise
            except _broken() as exc:
                raise _unreadable(source, exc, sheet=title) from exc
            problem = _hidden_read(title or "", sheet, rows[sheet.name], lines, reader)
            if problem is not None:
                hidden.append(problem)
        if hidden:
            raise ImportFailed(source, hidden)
    finally:
        with contextlib.suppress(*_broken()):
            wb.close()
    units, members = _roster(reader, rows)
    entries = _entries(reader, rows)
    if reader.problems:
        raise ImportFailed(source, reader.problems)
    return WorkbookData(
        units=tuple(u for _, u in units.values()),
        members=tuple(m for _, m in members.values()),
        handbooks=tuple(
            attrs.evolve(e, rows=attrs.evolve(e.rows, member=members[e.member_id][0].number))
            if e.member_id in members
            else e
            for e in entries
        ),
        source=source,
        unit_rows={k: r.number for k, (r, _) in units.items()},
        member_rows={k: r.number for k, (r, _) in members.items()},
        columns=reader.columns,
        notes=tuple(reader.notes),
    )
