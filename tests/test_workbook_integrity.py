"""Integrity of the workbook import path: the top-rating cap judged on the final figures
(LTGB-C001) by single and bulk imports, hidden sheets refused, logical cells quoted as
they are, and a delegated import of a workbook the Phó Bí thư recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import openpyxl
import pytest
from click.testing import CliRunner

from lamtheoguongbac import (
    EventKind,
    Handbooks,
    HandbookStatus,
    ImportFailed,
    Member,
    RatingLevel,
    Role,
    RoleAssignment,
)
from lamtheoguongbac._storage import MemoryStore, SqliteStore
from lamtheoguongbac.bulk import WorkbookSubmission
from lamtheoguongbac.cli import cli
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.rules import DEFAULT_POLICY
from lamtheoguongbac.spreadsheet import (
    export_workbook,
    read_workbook,
    workbook_data,
    write_workbook,
)
from lamtheoguongbac.testing import ICT, make_handbook, make_roster
from lamtheoguongbac.testing._factories import SampleRoster

YEAR = 2025
TOP, GOOD = RatingLevel.EXCELLENT, RatingLevel.GOOD
ENFORCED = attrs.evolve(DEFAULT_POLICY, top_rating_cap_enforced=True)


def _clock() -> dt.datetime:
    return dt.datetime(YEAR, 12, 21, 9, tzinfo=ICT)


@pytest.fixture
def roster() -> SampleRoster:
    # one grassroots organisation (db-00) of two cells of five members
    return make_roster(cells=2, members_per_cell=5, grassroots=1)


def _service(
    store: MemoryStore | SqliteStore,
    roster: SampleRoster,
    members: Sequence[Member] = (),
    **kw: object,
) -> Handbooks:
    service = Handbooks(store, registry=create_registry(load_entrypoints=False), clock=_clock, **kw)  # type: ignore[arg-type]
    given = {m.id: m for m in members}
    service.roster.save(roster.units, [given.get(m.id, m) for m in roster.members])
    # every member's handbook is open: the cap counts them as "may still be rated"
    assert service.bulk.open_year("db-00", year=YEAR, actor=roster.members[0]).ok
    return service


def _cell(roster: SampleRoster, n: int) -> tuple[str, list[Member]]:
    cell = roster.cell_ids[n]
    return cell, [m for m in roster.members if m.cell_id == cell]


def _workbook(
    folder: Path,
    roster: SampleRoster,
    n: int,
    ratings: Sequence[RatingLevel],
) -> Path:
    """Cell ``n``'s workbook, every member assessed with ``ratings`` (in member order)."""
    cell, members = _cell(roster, n)
    books = [
        make_handbook(
            HandbookStatus.ASSESSED,
            cell=cell,
            member=m,
            organisation=roster.organisation(cell),
            secretary=members[0],
            rating=r,
        )
        for m, r in zip(members, ratings, strict=True)
    ]
    folder.mkdir(exist_ok=True)
    path = folder / f"{cell}.xlsx"
    export_workbook(path, books, members=[], units=[])
    return path


def _edit(
    path: Path, sheet: str, change: Callable[[openpyxl.worksheet.worksheet.Worksheet], None]
) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb[sheet])
    wb.save(path)


def _recorded_by(path: Path, member_id: str) -> None:
    """Name ``member_id`` as the recorder on every row of the assessment sheet."""

    def name(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        col = _column(ws, "Mã người ghi")
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=col).value = member_id

    _edit(path, "Đánh giá chi bộ", name)


def _column(ws: openpyxl.worksheet.worksheet.Worksheet, header: str) -> int:
    return next(c.column for c in ws[1] if c.value == header)


def _problems(exc: ImportFailed) -> list[str]:
    return [p.message("en") for p in exc.problems]


# --- F3: the top-rating cap ---------------------------------------------------------------


def test_a_single_import_warns_on_the_cap_as_check_cap_does(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    service = _service(store, roster)
    secretary = _cell(roster, 0)[1][0]
    path = _workbook(tmp_path / "wb", roster, 0, [TOP] * 5)
    result = service.import_workbook(read_workbook(path), year=YEAR, actor=secretary)
    assert result.count(EventKind.ASSESSED) == 5
    assert [v.code for v in result.cap_warnings] == ["LTGB-C001"]
    # the verdict supervision's check gives on the stored figures, here judged on the
    # import's final figures (the other cell's 5 members may still be rated)
    assert [v.code for v in service.supervision.check_cap(year=YEAR)] == ["LTGB-C001"]
    (warning,) = result.cap_warnings
    assert "5 rated HTXSNV" in warning.message_en
    assert "even if the 5 not yet assessed are all rated HTTNV (at most 1)" in warning.message_en
    assert "5 đảng viên xếp loại HTXSNV" in warning.message_vi
    # importing it again changes nothing: the figures are not changed, so no warning
    assert service.import_workbook(read_workbook(path), year=YEAR, actor=secretary).events == ()


def test_bulk_imports_warn_once_on_the_final_figures_whatever_the_order(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    # 1 top + 4 good in each cell: within the cap after either workbook alone (1 of 9), over
    # it once both are in (2 tops, 8 good: at most 1)
    paths = [_workbook(tmp_path / "wb", roster, n, [TOP, GOOD, GOOD, GOOD, GOOD]) for n in (0, 1)]
    verdicts = []
    for order in (paths, paths[::-1]):
        service = _service(MemoryStore(), roster)
        submissions = [
            WorkbookSubmission(path=p, submitter=_cell(roster, paths.index(p))[1][0]) for p in order
        ]
        result = service.bulk.import_workbooks(submissions, year=YEAR)
        assert result.ok, [o.problem("en") for o in result.failed]
        assert [v.code for v in result.warnings] == ["LTGB-C001"]
        assert not any("C001" in n for n in result.notes)
        verdicts.append([v.message_en for v in result.warnings])
    assert verdicts[0] == verdicts[1]
    assert "2 rated HTXSNV" in verdicts[0][0]


def test_an_enforced_cap_refuses_a_single_import_naming_each_row(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    service = _service(store, roster, policy=ENFORCED)
    secretary = _cell(roster, 0)[1][0]
    path = _workbook(tmp_path / "wb", roster, 0, [TOP, TOP, GOOD, GOOD, GOOD])
    with pytest.raises(ImportFailed) as excinfo:
        service.import_workbook(read_workbook(path), year=YEAR, actor=secretary)
    problems = _problems(excinfo.value)
    assert len(problems) == 2  # the two top ratings, each at its row and column
    assert all("[LTGB-C001]" in p and "'Xếp loại'" in p for p in problems)
    assert {p.code for p in excinfo.value.problems} == {"LTGB-C001"}
    assert {p.split(",")[1].strip() for p in problems} == {"row 2", "row 3"}
    assert str(path) in excinfo.value.message("en")
    assert service.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: 10}


def test_an_enforced_cap_judges_a_bulk_import_on_its_final_figures_not_its_order(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    # each workbook alone stays within the cap; together they exceed it, so neither can be
    # told to be the one at fault: both are refused, in either order
    both = [_workbook(tmp_path / "a", roster, n, [TOP, GOOD, GOOD, GOOD, GOOD]) for n in (0, 1)]
    # a top rating with only good ones beside it: the top-rated cell is refused, the other
    # (nothing but ratings in the cap's base) is stored
    mixed = [
        _workbook(tmp_path / "b", roster, 0, [TOP, TOP, GOOD, GOOD, GOOD]),
        _workbook(tmp_path / "b", roster, 1, [GOOD] * 5),
    ]
    for paths, refused in ((both, {0, 1}), (mixed, {0})):
        seen = []
        for order in (paths, paths[::-1]):
            service = _service(MemoryStore(), roster, policy=ENFORCED)
            submissions = [
                WorkbookSubmission(path=p, submitter=_cell(roster, paths.index(p))[1][0])
                for p in order
            ]
            result = service.bulk.import_workbooks(submissions, year=YEAR)
            failed = {o.source.file for o in result.failed if o.source}
            assert failed == {str(paths[n]) for n in refused}
            # each problem names its file, sheet, row and the column 'Xếp loại'
            assert {o.code for o in result.failed} == {"LTGB-C001"}
            for o in result.failed:
                assert "[LTGB-C001]" in (o.problem("en") or "")
                assert "'Xếp loại'" in (o.problem("en") or "")
            stored = service.count_by_status(year=YEAR)
            seen.append((sorted(failed), stored, [v.message_en for v in result.warnings]))
            assert stored.get(HandbookStatus.ASSESSED, 0) == 5 * (2 - len(refused))
        assert seen[0] == seen[1]


def test_the_cli_prints_the_cap_warning_of_a_workbook_import(
    roster: SampleRoster, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = _service(SqliteStore(tmp_path / "so-tay.db"), roster)
    service.close()
    secretary = _cell(roster, 0)[1][0]
    folder = tmp_path / "wb"
    _workbook(folder, roster, 0, [TOP] * 5)
    runner = CliRunner()
    args = ["--store", url, "--lang", "en", "workbook", "import-folder", str(folder)]
    out = runner.invoke(cli, [*args, "--year", "2025", "--as", secretary.id])
    assert out.exit_code == 0, out.output
    assert "Warning [LTGB-C001]" in out.stdout
    assert "5 rated HTXSNV" in out.stdout
    # the single import of the other cell's workbook reports the same final figures
    other = _workbook(tmp_path / "wb2", roster, 1, [GOOD] * 5)
    officer = _cell(roster, 1)[1][0]
    args = ["--store", url, "--lang", "vi", "workbook", "import", str(other), "--year", "2025"]
    out = runner.invoke(cli, [*args, "--as", officer.id])
    assert out.exit_code == 0, out.output
    assert "Lưu ý [LTGB-C001]" in out.stdout
    assert "5 đảng viên xếp loại HTXSNV" in out.stdout


# --- F14: hidden sheets -------------------------------------------------------------------


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_of_the_layout_is_refused(
    state: str, store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    service = _service(store, roster)
    secretary = _cell(roster, 0)[1][0]
    path = _workbook(tmp_path / "wb", roster, 0, [GOOD] * 5)

    def hide(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        ws.sheet_state = state

    _edit(path, "Đánh giá chi bộ", hide)
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(path)
    message = excinfo.value.message("en")
    assert str(path) in message
    how = "is very hidden" if state == "veryHidden" else "is hidden"
    assert f"the sheet 'Đánh giá chi bộ' {how}" in message
    assert "trang 'Đánh giá chi bộ' đang bị ẩn" in excinfo.value.message("vi")
    result = service.bulk.import_workbooks(
        [WorkbookSubmission(path=path, submitter=secretary)], year=YEAR
    )
    assert not result.done
    assert service.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: 10}


@pytest.mark.parametrize("what", ["row", "column"])
def test_hidden_rows_or_columns_of_the_layout_are_refused(
    what: str, roster: SampleRoster, tmp_path: Path
) -> None:
    """The reason hidden sheets are refused holds for hidden rows and columns: a hidden
    rating column, an assessment row, were applied in the submitter's name unseen."""
    path = _workbook(tmp_path / "wb", roster, 0, [GOOD] * 5)

    def hide(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        if what == "row":
            ws.row_dimensions[3].hidden = True
        else:
            ws.column_dimensions["C"].hidden = True

    _edit(path, "Đánh giá chi bộ", hide)
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(path)
    shown = "row 3" if what == "row" else "column C"
    assert f"the sheet 'Đánh giá chi bộ' has {shown} hidden" in excinfo.value.message("en")
    assert "bị ẩn: người nộp không thấy" in excinfo.value.message("vi")


def test_a_hidden_sheet_outside_the_layout_is_still_ignored(
    roster: SampleRoster, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "wb", roster, 0, [GOOD] * 5)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Ghi chú riêng").sheet_state = "hidden"
    wb.save(path)
    assert len(read_workbook(path).handbooks) == 5


# --- F15: logical cells -------------------------------------------------------------------


def test_a_logical_cell_is_quoted_as_the_value_it_holds(
    roster: SampleRoster, tmp_path: Path
) -> None:
    path = _workbook(tmp_path / "wb", roster, 0, [GOOD] * 5)

    def tick(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        ws.cell(row=2, column=_column(ws, "Xếp loại")).value = True
        ws.cell(row=3, column=_column(ws, "Xếp loại")).value = False

    _edit(path, "Đánh giá chi bộ", tick)
    with pytest.raises(ImportFailed) as excinfo:
        read_workbook(path)
    problems = _problems(excinfo.value)
    assert len(problems) == 2
    assert "sheet 'Đánh giá chi bộ', row 2, column" in problems[0]
    assert "'Xếp loại': unknown value 'TRUE'" in problems[0]
    assert "row 3" in problems[1]
    assert "unknown value 'FALSE'" in problems[1]
    assert "'x'" not in excinfo.value.message("en")
    assert str(path) in excinfo.value.message("en")


def test_a_logical_cell_still_means_yes_or_no_where_the_column_takes_one(
    roster: SampleRoster, tmp_path: Path
) -> None:
    path = tmp_path / "to-chuc.xlsx"
    write_workbook(path, workbook_data([], roster.members, roster.units))

    def logical(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        col = _column(ws, "Cơ sở")
        for row in range(2, ws.max_row + 1):
            ws.cell(row=row, column=col).value = ws.cell(row=row, column=1).value == "db-00"

    _edit(path, "Tổ chức", logical)
    units = {u.id: u for u in read_workbook(path).units}
    assert units["db-00"].grassroots
    assert not any(u.grassroots for k, u in units.items() if k != "db-00")


# --- F11: a delegated import of what the Phó Bí thư recorded ------------------------------


def _with_office(member: Member, role: Role, unit_id: str) -> Member:
    office = RoleAssignment(role=role, unit_id=unit_id, start=dt.date(2020, 1, 1))
    return attrs.evolve(member, roles=(*member.roles, office))


def test_a_delegated_import_takes_a_workbook_the_deputy_recorded(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    cell, members = _cell(roster, 0)
    deputy = _with_office(members[1], Role.DEPUTY_SECRETARY, cell)
    officer = _with_office(_cell(roster, 1)[1][2], Role.DEPUTY_SECRETARY, "db-00")
    service = _service(store, roster, members=[deputy, officer])
    folder = tmp_path / "wb"
    _recorded_by(_workbook(folder, roster, 0, [GOOD] * 5), deputy.id)
    result = service.bulk.import_folder(
        folder, year=YEAR, runner=officer, on_behalf_of_cell_officer=True
    )
    assert result.ok, [o.problem("en") for o in result.failed]
    assert len(result.done) == 5
    for outcome in result.done:
        book = service.get(outcome.handbook_id or "")
        ca = book.collective_assessment
        assert ca is not None
        assert (ca.recorded_by, ca.recorder_role) == (deputy.id, Role.DEPUTY_SECRETARY)
        for event in service.history(book.id)[1:]:  # the opening was not delegated
            assert (event.actor_id, event.on_behalf_of) == (officer.id, deputy.id)


def test_a_delegated_import_names_the_runner_when_the_recorder_holds_no_cell_office(
    store: MemoryStore | SqliteStore, roster: SampleRoster, tmp_path: Path
) -> None:
    _, members = _cell(roster, 0)
    officer = _with_office(_cell(roster, 1)[1][2], Role.DEPUTY_SECRETARY, "db-00")
    service = _service(store, roster, members=[officer])
    folder = tmp_path / "wb"
    path = _workbook(folder, roster, 0, [GOOD] * 5)
    plain = members[3]
    _recorded_by(path, plain.id)
    result = service.bulk.import_folder(
        folder, year=YEAR, runner=officer, on_behalf_of_cell_officer=True
    )
    assert not result.done
    problem = result.failed[0].problem("en") or ""
    assert "[LTGB-G001]" in problem
    assert f"run by {officer.full_name} ('{officer.id}')" in problem
    assert f"on behalf of {members[0].full_name} ('{members[0].id}')" in problem
    assert "the caller is" not in problem
    assert f"do {officer.full_name} ('{officer.id}') thực hiện" in (
        result.failed[0].problem("vi") or ""
    )
    assert service.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: 10}


def test_hidden_lines_are_found_in_a_sheet_expat_cannot_parse() -> None:
    """A character XML 1.0 forbids (which the sheet reader tolerates and refuses in its
    cell) stopped the scan; the tags are then read as they are."""
    import contextlib
    import io

    from lamtheoguongbac.spreadsheet._read import _hidden_lines

    xml = (
        b'<worksheet xmlns="x"><cols><col min="3" max="4" hidden="1"/><col min="8" max="8" '
        b'width="0"/></cols><sheetData>'
        b'<row r="2"><c r="A2" t="inlineStr"><is><t>a\x0bb</t></is></c></row>'
        b'<row r="5" hidden="true"/><row r="7" ht="0" customHeight="1"/></sheetData></worksheet>'
    )

    class Sheet:
        def _get_source(self) -> contextlib.AbstractContextManager[io.BytesIO]:
            return contextlib.nullcontext(io.BytesIO(xml))

    # hidden, or of height or width 0 (as good as hidden)
    assert _hidden_lines(Sheet()) == ({5, 7}, {3, 4, 8})


@pytest.mark.parametrize("what", ["empty row", "empty columns", "a column not read"])
def test_hidden_rows_or_columns_holding_nothing_read_are_left_alone(
    what: str, roster: SampleRoster, tmp_path: Path
) -> None:
    """Hiding unused columns, or a column of one's own notes, is everyday Excel use."""
    path = _workbook(tmp_path / "wb", roster, 0, [GOOD] * 5)

    def hide(ws: openpyxl.worksheet.worksheet.Worksheet) -> None:
        if what == "empty row":
            ws.row_dimensions[500].hidden = True
        elif what == "empty columns":
            ws.column_dimensions.group("AA", "AZ", hidden=True)
        else:
            ws.cell(row=1, column=30, value="Ghi chú riêng")
            ws.cell(row=2, column=30, value="chỉ mình tôi đọc")
            ws.column_dimensions["AD"].hidden = True

    _edit(path, "Đánh giá chi bộ", hide)
    assert len(read_workbook(path).handbooks) == 5
