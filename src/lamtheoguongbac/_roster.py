"""Reading the roster — organisation units and members — from CSV and JSON (danh sách).

Files from Vietnamese offices arrive as UTF-8 with or without BOM, Windows cp1258, or
legacy TCVN3/VNI; :func:`lamtheoguongbac._legacy.decode_bytes` finds out which. Reading is
all-or-nothing: every bad row is collected and reported with file, row and column in one
:class:`~lamtheoguongbac._errors.ImportFailed`, and nothing is returned for a file with any.

CSV layout (comma, semicolon or tab separated; one header row). Headers are matched without
accents and case, so "Họ và tên", "ho_va_ten" and "HO VA TEN" are the same column.

A **units** file has the columns ``ma`` (id), ``ten`` (name), ``cap`` (level label) and the
optional ``ma_cap_tren`` (parent id), ``co_so`` (grassroots: x/có/1), ``dia_danh`` (place),
``cap_uy`` (the committee's name, "Đảng ủy xã An Phú"; when empty it is derived from the
level — "Đảng ủy …" for a đảng bộ, "Tỉnh ủy …" for a đảng bộ tỉnh, "Chi ủy …" for a chi
bộ — see :attr:`lamtheoguongbac.OrgUnit.committee_name`).

A **members** file has ``ma`` (id), ``ho_va_ten`` (full name), ``chi_bo`` (cell id) and the
optional ``trang_thai`` (status: chính thức / dự bị / miễn sinh hoạt / đình chỉ),
``chuc_vu`` (position), ``nhiem_vu`` (assigned duties, separated by ``;`` or new lines),
``noi_cong_tac`` (workplace), ``ngay_sinh``, ``ngay_vao_dang``, ``ngay_chinh_thuc``
(dd/mm/yyyy or yyyy-mm-dd), ``so_the`` (party card number), ``vai_tro`` (Bí thư / Phó Bí thư /
Chi ủy viên …), ``vai_tro_tu_ngay`` (the role's start date), ``vai_tro_don_vi`` (the unit
the role is held in, by default the member's cell: the Bí thư of a commune's Đảng ủy sits
in a cell but holds the role in the đảng bộ, and signs the committee's documents). Several
roles go in one row separated by ``;``, the units and dates in the same order
("Bí thư; Phó Bí thư" / "cb-vanphong; xa-anphu" / "01/07/2020; 01/10/2020"),
``khoa_sap_xep`` (roster sort override).

A JSON roster is ``{"schema_version": 1, "units": [OrgUnit…], "members": [Member…]}`` in the
layout of :mod:`lamtheoguongbac.serde`.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import attrs

from lamtheoguongbac._checks import date_problem
from lamtheoguongbac._errors import ImportFailed, NotFound, Problem, ValidationFailed
from lamtheoguongbac._legacy import EncodingError, decode_bytes
from lamtheoguongbac._model import Member, MemberStatus, OrgUnit, Role, RoleAssignment
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._public import publish
from lamtheoguongbac.serde import _migrate, from_dict, parse_json
from lamtheoguongbac.text import canonical_key, strip_accents

__all__ = [
    "Roster",
    "member_from_row",
    "parse_date",
    "read_roster",
    "unit_from_row",
]

T = TypeVar("T")


@attrs.frozen
class Roster:
    """Units and members read from one or more files (danh sách đọc từ tệp).

    ``origins`` says where each unit or member id was read, as a
    :class:`~lamtheoguongbac.Problem` path (``"dang-vien.csv:3"``,
    ``"danh-sach.json: $.members[2]"``), for messages about it; it takes no part in
    comparisons.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.roster import Roster
        >>> folder = tempfile.TemporaryDirectory()
        >>> units = Path(folder.name, "to-chuc.csv")
        >>> rows = [
        ...     "Mã,Tên,Cấp,Mã cấp trên,Cơ sở",
        ...     "xa-anphu,Đảng bộ xã An Phú,Đảng bộ cơ sở,,x",
        ...     "cb-vp,Chi bộ Văn phòng,Chi bộ,xa-anphu,",
        ... ]
        >>> _ = units.write_text("\\n".join(rows), encoding="utf-8")
        >>> members = Path(folder.name, "dang-vien.csv")
        >>> _ = members.write_text(
        ...     "Mã,Họ và tên,Chi bộ\\ndv01, Nguyễn Văn Hùng ,cb-vp\\n", encoding="utf-8"
        ... )
        >>> with Handbooks.open("memory:") as service:
        ...     roster = service.roster.import_files([units, members])
        ...
        >>> isinstance(roster, Roster), len(roster.units), roster.members[0].full_name
        (True, 2, 'Nguyễn Văn Hùng')
        >>> roster.origins["dv01"].endswith("dang-vien.csv:2")
        True
        >>> folder.cleanup()
    """

    units: tuple[OrgUnit, ...] = ()
    members: tuple[Member, ...] = ()
    origins: Mapping[str, str] = attrs.field(factory=dict, eq=False, repr=False)

    def __add__(self, other: Roster) -> Roster:
        return Roster(
            self.units + other.units,
            self.members + other.members,
            {**self.origins, **other.origins},
        )


class RowError(Exception):
    """A bad cell: ``column`` names it; the message is bilingual."""

    def __init__(self, column: str, vi: str, en: str) -> None:
        super().__init__(f"{vi} / {en}")
        self.column = column
        self.vi, self.en = vi, en


@functools.lru_cache(maxsize=1024)  # a roster repeats its statuses, roles and headers
def header_key(name: str) -> str:
    """The column key of a header: no accents, lower case, words joined by ``_``."""
    plain = strip_accents(canonical_key(name)).replace("đ", "d")
    return "_".join("".join(c if c.isalnum() else " " for c in plain).split())


_STATUS = {
    header_key(label): status
    for status in MemberStatus
    for label in (
        status.value,
        status.label_vi,
        status.label_en,
        status.label_vi.removeprefix("Đảng viên "),
    )
} | {
    "mien_cong_tac": MemberStatus.EXEMPT,
    "mien_sinh_hoat_dang": MemberStatus.EXEMPT,
    "dinh_chi_sinh_hoat": MemberStatus.SUSPENDED,
}
_ROLE = {
    header_key(label): role for role in Role for label in (role.value, role.label_vi, role.label_en)
}
_YES = {"x", "co", "1", "true", "yes", "dung"}


def parse_date(text: str) -> dt.date:
    """``dd/mm/yyyy``, ``d/m/yyyy``, ``dd-mm-yyyy`` or ``yyyy-mm-dd``; ``ValueError`` else.

    The year has four digits ("05/01/25" is refused: which century?). A date of that form
    is returned even when no record may hold it (01/01/0001): the model's range check then
    refuses it as out of range, naming the field, rather than as "not a date".
    """
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    for sep in ("/", "-", "."):
        parts = [p.strip() for p in text.split(sep)]
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
            day, month, year = (int(p) for p in parts)
            if year >= 1:
                return dt.date(year, month, day)
    raise ValueError(text)


def _cell(row: Mapping[str, str], column: str) -> str | None:
    value = (row.get(column) or "").strip()
    return value or None


def _required(row: Mapping[str, str], column: str) -> str:
    value = _cell(row, column)
    if value is None:
        raise RowError(column, "thiếu giá trị bắt buộc", "a value is required")
    return value


def _date_cell(row: Mapping[str, str], column: str) -> dt.date | None:
    value = _cell(row, column)
    return None if value is None else cell_date(value, column)


def cell_date(value: object, column: str) -> dt.date:
    """The date a cell holds — a date, or its text (dd/mm/yyyy) — refused at ``column``
    (:class:`RowError`) when it is no date, or out of the model's range (9999-12-31, Excel's
    day 1 of 1900: refused here, where its row and column are known)."""
    if isinstance(value, dt.date):
        day, quoted = value, ""
    else:
        try:
            day = parse_date(str(value))
        except ValueError:
            raise RowError(
                column,
                f"'{value}' không phải ngày (dd/mm/yyyy)",
                f"'{value}' is not a date (dd/mm/yyyy)",
            ) from None
        quoted = f"'{value}': "
    problem = date_problem(day, birth=column == "ngay_sinh")
    if problem is not None:
        raise RowError(column, f"{quoted}{problem[0]}", f"{quoted}{problem[1]}")
    return day


def _lookup(row: Mapping[str, str], column: str, table: Mapping[str, T], default: T) -> T:
    value = _cell(row, column)
    if value is None:
        return default
    found = table.get(header_key(value))
    if found is None:
        raise RowError(column, f"không hiểu giá trị '{value}'", f"unknown value '{value}'")
    return found


def unit_from_row(row: Mapping[str, str]) -> OrgUnit:
    """An :class:`OrgUnit` from a row keyed by :func:`header_key` names."""
    return OrgUnit(
        id=_required(row, "ma"),
        name=_required(row, "ten"),
        level=_required(row, "cap"),
        parent_id=_cell(row, "ma_cap_tren"),
        grassroots=header_key(_cell(row, "co_so") or "") in _YES,
        place=_cell(row, "dia_danh"),
        committee=_cell(row, "cap_uy"),
    )


def _parts(row: Mapping[str, str], column: str) -> list[str]:
    return [p.strip() for p in (_cell(row, column) or "").split(";")]


def _roles(row: Mapping[str, str], cell_id: str) -> tuple[RoleAssignment, ...]:
    """The roles of a row: ``vai_tro`` may list several separated by ";" (a cell's Bí thư
    who is also the Phó Bí thư of the commune's Đảng ủy), with the units and start dates in
    the same order (one date or no unit stands for all: the member's cell by default)."""
    names = [n for n in _parts(row, "vai_tro") if n]
    if not names:
        return ()
    units, starts = _parts(row, "vai_tro_don_vi"), _parts(row, "vai_tro_tu_ngay")
    roles = []
    for i, name in enumerate(names):
        role = _lookup({"vai_tro": name}, "vai_tro", _ROLE, None)
        assert role is not None
        start_text = starts[i] if i < len(starts) else starts[-1]
        if not start_text:
            raise RowError(
                "vai_tro_tu_ngay",
                "cần ngày bắt đầu giữ chức vụ",
                "the role's start date is required",
            )
        start = _date_cell({"vai_tro_tu_ngay": start_text}, "vai_tro_tu_ngay")
        assert start is not None
        unit = (units[i] if i < len(units) else "") or cell_id
        roles.append(RoleAssignment(role=role, unit_id=unit, start=start))
    return tuple(roles)


def member_from_row(row: Mapping[str, str]) -> Member:
    """A :class:`Member` from a row keyed by :func:`header_key` names."""
    cell_id = _required(row, "chi_bo")
    roles = _roles(row, cell_id)
    duties = [d.strip() for d in (_cell(row, "nhiem_vu") or "").replace("\n", ";").split(";")]
    return Member(
        id=_required(row, "ma"),
        full_name=_required(row, "ho_va_ten"),
        cell_id=cell_id,
        status=_lookup(row, "trang_thai", _STATUS, MemberStatus.OFFICIAL),
        position=_cell(row, "chuc_vu"),
        duties=tuple(d for d in duties if d),
        workplace=_cell(row, "noi_cong_tac"),
        date_of_birth=_date_cell(row, "ngay_sinh"),
        joined_on=_date_cell(row, "ngay_vao_dang"),
        official_on=_date_cell(row, "ngay_chinh_thuc"),
        party_card_number=_cell(row, "so_the"),
        roles=roles,
        sort_key=_cell(row, "khoa_sap_xep"),
    )


_ALIASES = {
    "ho_ten": "ho_va_ten",
    "ten_dang_vien": "ho_va_ten",
    "ma_dang_vien": "ma",
    "ma_chi_bo": "chi_bo",
    "ma_don_vi": "ma",
    "ten_don_vi": "ten",
    "cap_tren": "ma_cap_tren",
    "nhiem_vu_duoc_giao": "nhiem_vu",
    "chuc_vu_dang": "vai_tro",
    "cap_uy_lanh_dao": "cap_uy",
    "ten_cap_uy": "cap_uy",
    "don_vi_vai_tro": "vai_tro_don_vi",
    "vai_tro_tai_don_vi": "vai_tro_don_vi",
}
UNIT_COLUMNS = frozenset({"ma", "ten", "cap", "ma_cap_tren", "co_so", "dia_danh", "cap_uy"})
MEMBER_COLUMNS = frozenset(
    {
        "ma",
        "ho_va_ten",
        "chi_bo",
        "trang_thai",
        "chuc_vu",
        "nhiem_vu",
        "noi_cong_tac",
        "ngay_sinh",
        "ngay_vao_dang",
        "ngay_chinh_thuc",
        "so_the",
        "vai_tro",
        "vai_tro_tu_ngay",
        "vai_tro_don_vi",
        "khoa_sap_xep",
    }
)


# The column a constructor's complaint is about, so a bad cell is named as the user wrote it.
_FIELD_COLUMNS = {
    "OrgUnit.id": "ma",
    "OrgUnit.name": "ten",
    "OrgUnit.level": "cap",
    "OrgUnit.parent_id": "ma_cap_tren",
    "OrgUnit.place": "dia_danh",
    "OrgUnit.committee": "cap_uy",
    "Member.id": "ma",
    "Member.full_name": "ho_va_ten",
    "Member.cell_id": "chi_bo",
    "Member.position": "chuc_vu",
    "Member.duties": "nhiem_vu",
    "Member.workplace": "noi_cong_tac",
    "Member.official_on": "ngay_chinh_thuc",
    "Member.party_card_number": "so_the",
    "Member.sort_key": "khoa_sap_xep",
    "RoleAssignment.unit_id": "vai_tro_don_vi",
}


def file_problem(
    source: str, vi: str, en: str, *, row: int | None = None, column: str | None = None
) -> Problem:
    """A problem of ``source`` (a file), its ``row`` and ``column`` (the header as the user
    wrote it), named in both languages: ``path`` is ``"<file>:<row>:<column>"``."""
    path, where_vi, where_en = source, source, source
    if row is not None:
        path, where_vi, where_en = (
            f"{path}:{row}",
            f"{where_vi}, dòng {row}",
            f"{where_en}, row {row}",
        )
        if column is not None:
            path = f"{path}:{column}"
            where_vi, where_en = f"{where_vi}, cột '{column}'", f"{where_en}, column '{column}'"
    return Problem(vi, en, path=path, where_vi=where_vi, where_en=where_en)


def json_problem(source: str, json_path: str, vi: str, en: str) -> Problem:
    """A problem at ``json_path`` (``"$.members[2].full_name"``) of the JSON file ``source``."""
    return Problem(vi, en, path=f"{source}: {json_path}")


def rows_to_values(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    build: Callable[[Mapping[str, str]], T],
    source: str,
    headers: Mapping[str, str],
) -> tuple[list[T], list[Problem]]:
    """Build a value from each (row number, row); collect problems naming the file, row and
    column (the column by the header the user wrote) in both languages."""
    values: list[T] = []
    problems: list[Problem] = []
    for number, row in rows:
        try:
            values.append(build(row))
        except RowError as exc:
            col = headers.get(exc.column, exc.column)
            problems.append(file_problem(source, exc.vi, exc.en, row=number, column=col))
        except ValidationFailed as exc:
            column = _FIELD_COLUMNS.get(re.sub(r"\[\d+\]$", "", exc.field or ""))
            if column is None:
                problems.append(file_problem(source, exc.message_vi, exc.message_en, row=number))
                continue
            col = headers.get(column, column)
            problems.append(
                file_problem(source, exc.reason_vi, exc.reason_en, row=number, column=col)
            )
    return values, problems


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ImportFailed(
            str(path),
            [
                file_problem(
                    str(path), f"không đọc được tệp: {reason}", f"cannot read the file: {reason}"
                )
            ],
        ) from exc
    try:
        return decode_bytes(data).text
    except EncodingError as exc:
        raise ImportFailed(
            str(path), [file_problem(str(path), exc.message_vi, exc.message_en)]
        ) from exc


_EXTRA = "__extra__"


def _whole(build: Callable[[Mapping[str, str]], T]) -> Callable[[Mapping[str, str]], T]:
    """``build``, refusing a row with more cells than headers: an unquoted separator in a
    cell shifts every later value into the wrong column, which must not pass silently."""

    def run(row: Mapping[str, str]) -> T:
        extra = row.get(_EXTRA)
        if extra is not None:
            cells, columns = extra.split("/")
            raise RowError(
                _EXTRA,
                f"dòng có {cells} ô, nhiều hơn {columns} cột của dòng tiêu đề; ô chứa dấu phân "
                "cách phải đặt trong ngoặc kép",
                f"the row has {cells} cells, more than the {columns} columns of the header; "
                "quote cells that contain the separator",
            )
        return build(row)

    return run


def _read_csv(path: Path, text: str) -> Roster:
    try:
        return _parse_csv(path, text)
    except csv.Error as exc:  # in the header row: the rows' are placed by _parse_csv
        raise ImportFailed(str(path), [_broken_csv(path, exc, 1)]) from exc


def _broken_csv(path: Path, exc: csv.Error, line: int) -> Problem:
    """The problem of a file the csv module could not read, at its ``line``: a cell longer
    than its limit is said so in both languages, anything else with the module's words."""
    limit = csv.field_size_limit()
    if "field larger than field limit" in str(exc):
        vi, en = f"ô dài quá {limit:,} ký tự", f"a cell longer than {limit:,} characters"
    else:
        vi, en = f"CSV hỏng ({exc})", f"broken CSV ({exc})"
    return file_problem(str(path), vi, en, row=line)


def _parse_csv(path: Path, text: str) -> Roster:
    sample = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(sample.splitlines()[0] if sample else ",", ",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is taken from the sniffer: sniffing a header without quotes turns
    # ``doublequote`` off, and Excel's "" inside a quoted cell would then be misread.
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    header_row = next(reader, None)
    if not header_row:
        raise ImportFailed(
            str(path),
            [file_problem(str(path), "tệp rỗng, thiếu dòng tiêu đề", "empty file, no header")],
        )
    keys = [_ALIASES.get(header_key(h), header_key(h)) for h in header_row]
    headers = dict(zip(keys, (h.strip() for h in header_row), strict=True))
    is_members = "ho_va_ten" in keys
    if not is_members and "cap" not in keys:
        raise ImportFailed(
            str(path),
            [
                file_problem(
                    str(path),
                    "không nhận ra loại danh sách: cần cột 'ho_va_ten' (đảng viên) hoặc 'cap' "
                    "(tổ chức)",
                    "unknown roster: a 'ho_va_ten' (members) or 'cap' (units) column is required",
                    row=1,
                )
            ],
        )
    # Columns the roster does not know (a cell's own "Ghi chú") are ignored, as the Excel
    # workbook ignores them; a misspelt required column is still reported as missing.
    known = MEMBER_COLUMNS if is_members else UNIT_COLUMNS
    repeated = sorted(
        {
            h.strip()
            for k, h in zip(keys, header_row, strict=True)
            if k in known and keys.count(k) > 1
        }
    )
    header_problems: list[Problem] = []
    if repeated:
        listed = ", ".join(f"'{r}'" for r in repeated)
        header_problems.append(
            file_problem(
                str(path),
                f"các cột {listed} trùng nghĩa nhau",
                f"columns {listed} mean the same field",
                row=1,
            )
        )
    if header_problems:
        raise ImportFailed(str(path), header_problems)
    rows = []
    number = 1  # the header: rows are counted as records, not lines (a cell may hold several)
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            row = {k: c for k, c in zip(keys, cells, strict=False) if k in known}
            if len(cells) > len(keys):
                row[_EXTRA] = f"{len(cells)}/{len(keys)}"
            rows.append((number, row))
    except csv.Error as exc:  # a cell over the csv module's limit, a NUL byte …
        raise ImportFailed(str(path), [_broken_csv(path, exc, number + 1)]) from exc
    headers = {**headers, _EXTRA: str(len(keys) + 1)}
    build: Callable[[Mapping[str, str]], Member | OrgUnit] = (
        _whole(member_from_row) if is_members else _whole(unit_from_row)
    )
    values, problems = rows_to_values(rows, build, str(path), headers)
    numbers = [number for number, _ in rows]
    if not problems:
        problems = _repeated_ids(path, numbers, values, headers)
    if problems:
        raise ImportFailed(str(path), problems)
    origins = {v.id: f"{path}:{n}" for n, v in zip(numbers, values, strict=True)}
    if is_members:
        return Roster(members=tuple(v for v in values if isinstance(v, Member)), origins=origins)
    return Roster(units=tuple(v for v in values if isinstance(v, OrgUnit)), origins=origins)


def _repeated_ids(
    path: Path,
    numbers: Sequence[int],
    values: Sequence[Member | OrgUnit],
    headers: Mapping[str, str],
) -> list[Problem]:
    """A later row with an id already used would silently replace the earlier one."""
    first: dict[str, int] = {}
    problems = []
    column = headers.get("ma", "ma")
    for number, value in zip(numbers, values, strict=True):
        if value.id in first:
            problems.append(
                file_problem(
                    str(path),
                    f"mã '{value.id}' đã dùng ở dòng {first[value.id]}",
                    f"id '{value.id}' is already used on row {first[value.id]}",
                    row=number,
                    column=column,
                )
            )
        first.setdefault(value.id, number)
    return problems


def _read_json(path: Path, text: str) -> Roster:
    try:
        data = parse_json(text, source=str(path))
    except ValidationFailed as exc:
        raise ImportFailed(
            str(path), [file_problem(str(path), exc.reason_vi, exc.reason_en)]
        ) from exc
    if not isinstance(data, dict) or set(data) - {"schema_version", "units", "members"}:
        raise ImportFailed(
            str(path),
            [
                json_problem(
                    str(path),
                    "$",
                    "cần đối tượng với 'units' và/hoặc 'members'",
                    "expected an object with 'units' and/or 'members'",
                )
            ],
        )
    version = data.get("schema_version", 1)
    try:
        # The layout version is the one of serde's documents: refused as serde refuses it
        # (newer than this release, not a whole number, no migration), once for the file
        # and even when it holds no unit or member; each item is then migrated by from_dict.
        _migrate({"schema_version": version})
    except ValidationFailed as exc:
        raise ImportFailed(
            str(path), [json_problem(str(path), "$.schema_version", exc.reason_vi, exc.reason_en)]
        ) from exc
    problems: list[Problem] = []

    def load(key: str, cls: type[T]) -> list[T]:
        items = data.get(key, [])
        if not isinstance(items, list):
            problems.append(
                json_problem(str(path), f"$.{key}", "phải là danh sách", "must be a list")
            )
            return []
        out = []
        for i, item in enumerate(items):
            try:
                out.append(
                    from_dict(
                        cls, {"schema_version": version, **item} if isinstance(item, dict) else item
                    )
                )
            except ValidationFailed as exc:
                # each problem's path is a JSON path within the item ("$.full_name")
                problems.extend(
                    json_problem(
                        str(path),
                        f"$.{key}[{i}]{(p.path or '$')[1:]}",
                        p.text_vi,
                        p.text_en,
                    )
                    for p in exc.problems
                )
        return out

    units, members = load("units", OrgUnit), load("members", Member)
    if problems:
        raise ImportFailed(str(path), problems)
    problems.extend(_repeated_in_json(path, "units", units))
    problems.extend(_repeated_in_json(path, "members", members))
    if problems:
        raise ImportFailed(str(path), problems)
    origins = {u.id: f"{path}: $.units[{i}]" for i, u in enumerate(units)}
    origins.update((m.id, f"{path}: $.members[{i}]") for i, m in enumerate(members))
    return Roster(tuple(units), tuple(members), origins)


def _repeated_in_json(path: Path, key: str, values: Sequence[Member | OrgUnit]) -> list[Problem]:
    """A later item with an id already used would silently replace the earlier one (as
    :func:`_repeated_ids` for a CSV file's rows)."""
    first: dict[str, int] = {}
    problems = []
    for i, value in enumerate(values):
        if value.id in first:
            at = f"$.{key}[{first[value.id]}]"
            problems.append(
                json_problem(
                    str(path),
                    f"$.{key}[{i}].id",
                    f"mã '{value.id}' đã dùng ở {at}",
                    f"id '{value.id}' is already used at {at}",
                )
            )
        first.setdefault(value.id, i)
    return problems


def _origin_problem(origin: str | None, vi: str, en: str) -> Problem:
    """A problem at an ``origins`` entry, named in both languages."""
    if origin is None or ": $" in origin:
        return Problem(vi, en, path=origin)
    source, _, row = origin.rpartition(":")
    return (
        file_problem(source, vi, en, row=int(row))
        if row.isdigit()
        else Problem(vi, en, path=origin)
    )


def read_roster(paths: Sequence[Path], *, stored_units: Iterable[OrgUnit] | None = None) -> Roster:
    """Read every file (CSV or JSON, by suffix) into one roster; all or nothing.

    With ``stored_units`` (the units a store holds already), the units read must form one
    tree with them and every member's cell must be one of them: every problem — bad rows,
    unknown cells, a broken tree — is reported at once.

    Raises:
        ImportFailed: listing every bad row of every file (file, row, column, reason).
    """
    roster = Roster()
    problems: list[str | Problem] = []
    # (unit or member) id → where each file has it: a later file would silently replace it
    units_at: dict[str, list[str]] = {}
    members_at: dict[str, list[str]] = {}
    for path in paths:
        try:
            text = _read_text(path)
            reader = _read_json if path.suffix.lower() == ".json" else _read_csv
            part = reader(path, text)
        except ImportFailed as exc:
            problems.extend(exc.problems)
            continue
        roster = roster + part
        for found, at in ((part.units, units_at), (part.members, members_at)):
            for item in found:
                at.setdefault(item.id, []).append(part.origins.get(item.id, str(path)))
    for at, vi, en in (
        (units_at, "mã tổ chức", "unit id"),
        (members_at, "mã đảng viên", "member id"),
    ):
        problems.extend(
            _origin_problem(
                places[-1],
                f"{vi} '{ident}' có trong {len(places)} tệp ({', '.join(places)})",
                f"{en} '{ident}' appears in {len(places)} files ({', '.join(places)})",
            )
            for ident, places in at.items()
            if len(places) > 1
        )
    if stored_units is not None:
        problems.extend(_placement_problems(roster, stored_units))
    if problems:
        raise ImportFailed(", ".join(str(p) for p in paths), problems)
    return roster


def _tree_problems(roster: Roster, merged: Mapping[str, OrgUnit]) -> list[Problem]:
    """The units read whose superior is unknown, or on a cycle, each at the file and row it
    was read from (the tree's own error names neither)."""
    problems = [
        _origin_problem(
            roster.origins.get(u.id),
            f"đơn vị {u.name} ('{u.id}') có cấp trên '{u.parent_id}' không có trong danh sách "
            "tổ chức",
            f"the unit '{u.id}' has an unknown parent '{u.parent_id}'",
        )
        for u in roster.units
        if u.parent_id is not None and u.parent_id not in merged
    ]
    if problems:
        return problems
    told: set[frozenset[str]] = set()
    for unit in roster.units:
        walked: list[str] = []
        current: str | None = unit.id
        while current is not None and current not in walked:
            walked.append(current)
            current = merged[current].parent_id
        if current != unit.id:
            continue  # not on a cycle (or on one another unit of it tells)
        cycle = frozenset(walked)
        if cycle in told:
            continue
        told.add(cycle)
        shown = " → ".join([*walked, unit.id])
        problems.append(
            _origin_problem(
                roster.origins.get(unit.id),
                f"cây tổ chức có vòng lặp: {shown} (mỗi đơn vị là cấp trên của chính nó)",
                f"the organisation tree has a cycle: {shown} (each unit is above itself)",
            )
        )
    return problems


def _placement_problems(roster: Roster, stored_units: Iterable[OrgUnit]) -> list[Problem]:
    """Units that do not form a tree with the stored ones; members in unknown cells."""
    merged = {u.id: u for u in stored_units}
    merged.update((u.id, u) for u in roster.units)
    broken = _tree_problems(roster, merged)
    if broken:
        return broken
    try:
        tree = OrgTree(merged.values())
    except (ValidationFailed, NotFound) as exc:
        return [Problem(exc.message_vi, exc.message_en)]
    problems = [
        _origin_problem(
            roster.origins.get(m.id, f"members[{i}]"),
            f"đảng viên {m.full_name} thuộc chi bộ '{m.cell_id}' không có trong danh sách tổ chức",
            f"member {m.id} belongs to an unknown cell '{m.cell_id}'",
        )
        for i, m in enumerate(roster.members)
        if m.cell_id not in tree
    ]
    problems.extend(
        _origin_problem(
            roster.origins.get(m.id, f"members[{i}]"),
            f"đảng viên {m.full_name} giữ chức {r.role.label_vi} tại đơn vị '{r.unit_id}' không "
            "có trong danh sách tổ chức",
            f"member {m.id} holds the office {r.role.label_en} in an unknown unit '{r.unit_id}'",
        )
        for i, m in enumerate(roster.members)
        for r in m.roles
        if r.unit_id not in tree and r.end is None  # an ended one may be another province's
    )
    return problems


publish("lamtheoguongbac.roster", Roster)
