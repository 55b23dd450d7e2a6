"""Bad input to the bulk steps (``hb.bulk``): entries checked at construction, duplicates in a
batch, bad years, member ids too long for a handbook id, unexpected errors in one member's
step, and the place and code of a workbook's problems — each refused with a clear error, and
never an operation left half done without its :class:`BulkResult`."""

from __future__ import annotations

import datetime as dt
import logging
import unicodedata
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from lamtheoguongbac import (
    Actor,
    Event,
    Handbook,
    Handbooks,
    HandbookStatus,
    ImportFailed,
    Member,
    NotFound,
    Period,
    RatingLevel,
    StoreError,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac._storage import MemoryStore, SqliteStore
from lamtheoguongbac.bulk import (
    BulkOutcome,
    CellBatch,
    MemberAssessment,
    MemberClosing,
    MemberRegistration,
    MemberReport,
    Source,
    WorkbookSubmission,
)
from lamtheoguongbac.cli import cli
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.spreadsheet import export_workbook
from lamtheoguongbac.testing import ICT, advance, make_handbook, make_roster
from lamtheoguongbac.testing import SampleRoster as Roster
from test_bulk import MEETING, TEXT, YEAR, _cell_books, _service


@pytest.fixture
def roster() -> Roster:
    return make_roster(cells=3, members_per_cell=4, grassroots=1)


@pytest.fixture
def hb(store: MemoryStore | SqliteStore, roster: Roster) -> Handbooks:
    service = _service(store)
    service.roster.save(roster.units, roster.members)
    return service


def _secretary(roster: Roster, cell: str) -> Member:
    return next(m for m in roster.members if m.cell_id == cell and m.roles)


def _registrations(hb: Handbooks, roster: Roster) -> list[CellBatch[MemberRegistration]]:
    return [
        CellBatch(
            cell_id=cell,
            year=YEAR,
            submitter=_secretary(roster, cell),
            entries=[
                MemberRegistration(member_id=b.member.id, pledges=advance(b).handbook.pledges)
                for b in hb.find(cell_id=cell, year=YEAR)
            ],
        )
        for cell in roster.cell_ids
    ]


def _open(hb: Handbooks, roster: Roster) -> None:
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok


def _statuses(hb: Handbooks, cell: str) -> set[HandbookStatus]:
    return {b.status for b in hb.find(cell_id=cell, year=YEAR)}


# --- F1: the entry classes check their fields at construction ----------------------------

ASSESSMENT: dict[str, Any] = {
    "member_id": "dv04",
    "text": TEXT,
    "meeting_date": MEETING,
    "rating": RatingLevel.GOOD,
}
PLEDGES = make_handbook(HandbookStatus.REGISTERED).pledges
REPORTED = make_handbook(HandbookStatus.REPORTED)
SUBMITTER = Actor(id="dv01", name="Nguyễn Văn Hùng")


def _batch(**changes: Any) -> CellBatch[MemberClosing]:
    fields: dict[str, Any] = {
        "cell_id": "cb-01",
        "year": YEAR,
        "submitter": SUBMITTER,
        "entries": [MemberClosing(member_id="dv04")],
    }
    return CellBatch(**{**fields, **changes})


BAD_ENTRIES: list[tuple[str, Any, str]] = [
    (
        "meeting date as text",
        lambda: MemberAssessment(**{**ASSESSMENT, "meeting_date": "22/12/2025"}),
        "MemberAssessment.meeting_date",
    ),
    (
        "meeting date as a datetime",
        lambda: MemberAssessment(
            **{**ASSESSMENT, "meeting_date": dt.datetime(2025, 12, 22, 9, tzinfo=ICT)}
        ),
        "MemberAssessment.meeting_date",
    ),
    (
        "no text",
        lambda: MemberAssessment(**{**ASSESSMENT, "text": None}),
        "MemberAssessment.text",
    ),
    (
        "text a number",
        lambda: MemberAssessment(**{**ASSESSMENT, "text": 5}),
        "MemberAssessment.text",
    ),
    (
        "blank text",
        lambda: MemberAssessment(**{**ASSESSMENT, "text": "  "}),
        "MemberAssessment.text",
    ),
    (
        "unknown rating",
        lambda: MemberAssessment(**{**ASSESSMENT, "rating": "bogus"}),
        "MemberAssessment.rating",
    ),
    (
        "blank member id",
        lambda: MemberAssessment(**{**ASSESSMENT, "member_id": " "}),
        "MemberAssessment.member_id",
    ),
    (
        "member id with a zero-width space",
        lambda: MemberClosing(member_id="dv\u200b04"),
        "MemberClosing.member_id",
    ),
    (
        "pledges not a list",
        lambda: MemberRegistration(member_id="dv04", pledges="v1"),
        "MemberRegistration.pledges",
    ),
    (
        "a pledge as a dict",
        lambda: MemberRegistration(member_id="dv04", pledges=[{"id": "v1"}]),
        "MemberRegistration.pledges",
    ),
    (
        "report as text",
        lambda: MemberReport(member_id="dv04", report="đã làm"),
        "MemberReport.report",
    ),
    (
        "self-assessment of the wrong type",
        lambda: MemberReport(member_id="dv04", report=REPORTED.report, self_assessment="tốt"),
        "MemberReport.self_assessment",
    ),
    (
        "source as text",
        lambda: MemberClosing(member_id="dv04", source="chi-bo.xlsx"),
        "MemberClosing.source",
    ),
    ("row 0", lambda: Source(file="chi-bo.xlsx", row=0), "Source.row"),
    ("row as text", lambda: Source(file="chi-bo.xlsx", row="5"), "Source.row"),
    ("blank file", lambda: Source(file=""), "Source.file"),
    ("year as text", lambda: _batch(year="2025"), "CellBatch.year"),
    ("year 0", lambda: _batch(year=0), "CellBatch.year"),
    ("year 10000", lambda: _batch(year=10000), "CellBatch.year"),
    ("year a boolean", lambda: _batch(year=True), "CellBatch.year"),
    ("blank cell", lambda: _batch(cell_id=""), "CellBatch.cell_id"),
    ("submitter as an id", lambda: _batch(submitter="dv01"), "CellBatch.submitter"),
    ("entries as text", lambda: _batch(entries="dv04"), "CellBatch.entries"),
    ("an entry as a dict", lambda: _batch(entries=[{"member_id": "dv04"}]), "CellBatch.entries[0]"),
    (
        "entries of two kinds",
        lambda: _batch(
            entries=[
                MemberClosing(member_id="dv04"),
                MemberRegistration(member_id="dv05", pledges=PLEDGES),
            ]
        ),
        "CellBatch.entries[1]",
    ),
    (
        "workbook path a number",
        lambda: WorkbookSubmission(path=5, submitter=SUBMITTER),
        "WorkbookSubmission.path",
    ),
    (
        "workbook path blank",
        lambda: WorkbookSubmission(path=" ", submitter=SUBMITTER),
        "WorkbookSubmission.path",
    ),
    (
        "workbook submitter as an id",
        lambda: WorkbookSubmission(path="chi-bo.xlsx", submitter="dv01"),
        "WorkbookSubmission.submitter",
    ),
]


@pytest.mark.parametrize(
    ("make", "field"), [(m, f) for _, m, f in BAD_ENTRIES], ids=[i for i, _, _ in BAD_ENTRIES]
)
def test_an_entry_of_the_wrong_type_is_refused_at_construction_naming_its_field(
    make: Any, field: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        make()
    assert refused.value.field == field
    assert refused.value.message("vi").startswith(f"{field}: ")
    assert refused.value.message("en").startswith(f"{field}: ")
    assert refused.value.message("vi") != refused.value.message("en")


def test_attrs_evolve_checks_too() -> None:
    entry = MemberAssessment(**ASSESSMENT)
    with pytest.raises(ValidationFailed, match=r"MemberAssessment\.meeting_date"):
        attrs.evolve(entry, meeting_date="22/12/2025")


def test_entries_are_normalised_as_the_model_is() -> None:
    nfd = unicodedata.normalize("NFD", "  dv-Đức ")
    assert MemberClosing(member_id=nfd).member_id == "dv-Đức"
    entry = MemberAssessment(**{**ASSESSMENT, "rating": "HTXSNV"})
    assert entry.rating is RatingLevel.EXCELLENT
    batch = _batch(cell_id=unicodedata.normalize("NFD", "cb-Ấp"), entries=iter([]))
    assert batch.cell_id == "cb-Ấp"
    assert batch.entries == ()
    submission = WorkbookSubmission(path="chi-bo.xlsx", submitter=SUBMITTER)
    assert submission.path == Path("chi-bo.xlsx")
    assert Source(file="a.xlsx", sheet=" Kết quả ", row=3).sheet == "Kết quả"


def test_a_bad_entry_cannot_leave_earlier_cells_committed(hb: Handbooks, roster: Roster) -> None:
    """The trial's F1: the second batch's bad date used to raise TypeError after the first
    cell was committed; now it is refused before the step starts, and nothing is stored."""
    _open(hb, roster)
    cells = roster.cell_ids
    with pytest.raises(ValidationFailed, match=r"MemberAssessment\.meeting_date"):
        hb.bulk.assess(
            [
                CellBatch(
                    cell_id=cell,
                    year=YEAR,
                    submitter=_secretary(roster, cell),
                    entries=[
                        MemberAssessment(
                            **{
                                **ASSESSMENT,
                                "member_id": b.member.id,
                                "meeting_date": "22/12/2025" if cell == cells[1] else MEETING,
                            }
                        )
                        for b in hb.find(cell_id=cell, year=YEAR)
                    ],
                )
                for cell in cells[:2]
            ]
        )
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: len(roster.members)}


def test_a_batch_the_step_cannot_take_fails_alone(hb: Handbooks, roster: Roster) -> None:
    _open(hb, roster)
    first, second, third = _registrations(hb, roster)
    closings = CellBatch(
        cell_id=second.cell_id,
        year=YEAR,
        submitter=second.submitter,
        entries=[MemberClosing(member_id=e.member_id) for e in second.entries],
    )
    result = hb.bulk.register([first, closings, "cb-khong-phai-lo", third])  # type: ignore[list-item]
    assert result.cells(BulkOutcome.DONE) == (first.cell_id, third.cell_id)
    wrong_kind = [o for o in result.failed if o.cell_id == second.cell_id]
    assert [o.member_id for o in wrong_kind] == [e.member_id for e in second.entries]
    assert "takes MemberRegistration entries, not MemberClosing" in (
        wrong_kind[0].problem("en") or ""
    )
    assert "MemberRegistration" in (wrong_kind[0].problem("vi") or "")
    [not_a_batch] = [o for o in result.failed if o.cell_id is None]
    assert "item 3 is not a CellBatch but str" in (not_a_batch.problem("en") or "")
    assert _statuses(hb, second.cell_id) == {HandbookStatus.DRAFT}


# --- F1: an unexpected error in one member's step -----------------------------------------


class _FaultyStores:
    """Stores whose write of one handbook raises an error that is not the library's, as a
    broken driver or a bug would."""

    @staticmethod
    def make(kind: str, tmp_path: Path, faulty_id: str) -> MemoryStore | SqliteStore:
        base: type[Any] = MemoryStore if kind == "memory" else SqliteStore

        def check(handbook: Handbook) -> None:
            if handbook.id == faulty_id:
                raise OSError(28, "No space left on device")

        class Faulty(base):  # type: ignore[misc,valid-type]
            def update(self, handbook: Handbook, *args: Any, **kwargs: Any) -> None:
                check(handbook)
                super().update(handbook, *args, **kwargs)

            if hasattr(base, "update_many"):  # the bulk steps write a cell with it

                def update_many(self, entries: Any) -> int:
                    entries = list(entries)
                    for handbook, _, _ in entries:
                        check(handbook)
                    return int(super().update_many(entries))

        return Faulty() if kind == "memory" else Faulty(tmp_path / "so-tay.db")


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_a_handbook_changed_meanwhile_fails_its_member_and_rolls_back_its_cell(
    kind: str, tmp_path: Path, roster: Roster
) -> None:
    # Another writer registers one member's handbook between the cell's read and its write:
    # the store's update_many refuses the cell, and the entry-by-entry write names him.
    victim = roster.members[6]
    base: type[Any] = MemoryStore if kind == "memory" else SqliteStore

    class Racing(base):  # type: ignore[misc,valid-type]
        def update_many(self, entries: Any) -> int:
            entries = list(entries)
            for handbook, event, version in entries:
                if handbook.member.id == victim.id and self.get(handbook.id).version == version:
                    self.update(handbook, event, expected_version=version)  # the other writer
            return int(super().update_many(entries))

    hb = _service(Racing() if kind == "memory" else Racing(tmp_path / "so-tay.db"))
    heard: list[str] = []
    hb.registry.register(_Heard(heard), "heard")
    hb.roster.save(roster.units, roster.members)
    _open(hb, roster)
    heard.clear()
    result = hb.bulk.register(_registrations(hb, roster))
    [failure] = result.failed
    assert failure.member_id == victim.id
    assert "has changed" in (failure.problem("en") or "")
    assert "đã được sửa" in (failure.problem("vi") or "")
    assert result.cells(BulkOutcome.ROLLED_BACK) == (victim.cell_id,)
    assert len(result.done) == len(roster.members) - 4
    cell = {b.id for b in hb.find(cell_id=victim.cell_id)}
    assert not cell & set(heard)  # no hook for the cell rolled back
    assert sorted(heard) == sorted(o.handbook_id for o in result.done)  # the others', once
    by_member = {b.member.id: b.status for b in hb.find(cell_id=victim.cell_id)}
    assert by_member.pop(victim.id) is HandbookStatus.REGISTERED  # the other writer's
    assert set(by_member.values()) == {HandbookStatus.DRAFT}


class _Heard:
    def __init__(self, heard: list[str]) -> None:
        self.heard = heard

    @hookimpl
    def handbook_changed(self, event: Event, handbook: Handbook) -> None:
        self.heard.append(handbook.id)


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_an_unexpected_error_fails_its_member_rolls_back_its_cell_and_is_logged(
    kind: str, tmp_path: Path, roster: Roster, caplog: pytest.LogCaptureFixture
) -> None:
    faulty = roster.members[6]  # in the second cell, not its secretary
    store = _FaultyStores.make(kind, tmp_path, f"{faulty.id}-{YEAR}")
    hb = _service(store)
    hb.roster.save(roster.units, roster.members)
    _open(hb, roster)
    batches = _registrations(hb, roster)
    with caplog.at_level(logging.ERROR, logger="lamtheoguongbac.bulk"):
        result = hb.bulk.register(batches)
    [failure] = result.failed
    assert failure.member_id == faulty.id
    assert failure.cell_id == faulty.cell_id
    assert failure.handbook_id == f"{faulty.id}-{YEAR}"
    assert "unexpected error" in (failure.problem("en") or "")
    assert "OSError" in (failure.problem("en") or "")
    assert "lỗi ngoài dự kiến" in (failure.problem("vi") or "")
    assert result.cells(BulkOutcome.ROLLED_BACK) == (faulty.cell_id,)
    assert len(result.done) == len(roster.members) - 4
    assert _statuses(hb, faulty.cell_id) == {HandbookStatus.DRAFT}
    for cell in roster.cell_ids:
        if cell != faulty.cell_id:
            assert _statuses(hb, cell) == {HandbookStatus.REGISTERED}
    # the traceback is not lost
    [record] = [r for r in caplog.records if r.name == "lamtheoguongbac.bulk"]
    assert record.exc_info is not None
    assert faulty.cell_id in record.getMessage()
    store.close()


# --- F10: one member twice in a batch -----------------------------------------------------


def test_a_member_twice_in_a_batch_fails_as_a_duplicate(hb: Handbooks, roster: Roster) -> None:
    _open(hb, roster)
    first, second, third = _registrations(hb, roster)
    entry = second.entries[1]
    again = attrs.evolve(entry, source=Source(file="dang-ky.xlsx", sheet="Việc đăng ký", row=9))
    earlier = attrs.evolve(entry, source=Source(file="dang-ky.xlsx", sheet="Việc đăng ký", row=4))
    entries = [second.entries[0], earlier, *second.entries[2:], again]
    result = hb.bulk.register([first, attrs.evolve(second, entries=entries), third])
    [failure] = result.failed
    assert failure.member_id == entry.member_id
    assert failure.source == again.source
    en, vi = failure.problem("en") or "", failure.problem("vi") or ""
    assert f"member {entry.member_id} appears twice in the batch of cell {second.cell_id}" in en
    assert "row 4" in en
    assert "row 9" in en
    assert "needs draft" not in en  # the false state message of the trial
    assert "hai mục" in vi
    assert "dòng 4" in vi
    assert "dòng 9" in vi
    # the cell is all or nothing: the first entry is valid, and rolled back with the rest
    assert {o.member_id for o in result.rolled_back} == {e.member_id for e in second.entries}
    assert _statuses(hb, second.cell_id) == {HandbookStatus.DRAFT}
    assert result.cells(BulkOutcome.DONE) == (first.cell_id, third.cell_id)


def test_a_duplicate_without_a_source_is_named_by_its_position(
    hb: Handbooks, roster: Roster
) -> None:
    _open(hb, roster)
    batch = _registrations(hb, roster)[0]
    result = hb.bulk.register([attrs.evolve(batch, entries=[*batch.entries, batch.entries[0]])])
    [failure] = result.failed
    assert "(entry 1 and entry 5)" in (failure.problem("en") or "")
    assert "(mục 1 và mục 5)" in (failure.problem("vi") or "")


# --- F16: a bad year is the caller's mistake ----------------------------------------------


@pytest.mark.parametrize("year", [0, -5, 10000, "2025", True, 2025.0])
def test_open_year_refuses_a_bad_year_once(hb: Handbooks, roster: Roster, year: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        hb.bulk.open_year(roster.units[0].id, year=year, actor=roster.members[0])
    assert refused.value.field == "year"
    assert hb.find(year=YEAR) == []


def test_open_year_checks_its_other_arguments_once(hb: Handbooks, roster: Roster) -> None:
    with pytest.raises(NotFound, match="khong-co"):
        hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0], policy="khong-co")
    with pytest.raises(ValidationFailed) as refused:
        hb.bulk.open_year(roster.units[0].id, year=YEAR, actor="dv01")  # type: ignore[arg-type]
    assert refused.value.field == "actor"
    with pytest.raises(ValidationFailed) as refused:
        hb.bulk.open_year(roster.units[0].id, period="2025", actor=roster.members[0])  # type: ignore[arg-type]
    assert refused.value.field == "period"
    assert hb.find(year=YEAR) == []


# --- F2: member ids too long to carry a handbook id ---------------------------------------


def test_the_roster_refuses_a_new_member_id_too_long_for_a_handbook_id(
    hb: Handbooks, roster: Roster
) -> None:
    cell = roster.cell_ids[0]
    too_long = Member(id="x" * 183, full_name="Mai Văn Bảy", cell_id=cell)
    with pytest.raises(ValidationFailed) as refused:
        hb.roster.save([], [roster.members[0], too_long])
    assert refused.value.field == "members[1].id"
    assert "183 characters long; at most 182" in refused.value.message("en")
    assert "Mai Văn Bảy" in refused.value.message("vi")
    assert "tối đa 182 ký tự" in refused.value.message("vi")
    with pytest.raises(NotFound):
        hb.roster.member(too_long.id)
    # the longest id taken carries a handbook id for any period, and a nomination's id
    longest = attrs.evolve(too_long, id="x" * 182)
    hb.roster.save([], [longest])
    odd = Period(start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28))
    book = hb.create(longest.id, period=odd, actor=roster.members[0])
    assert len(book.id) == 200


def test_a_roster_file_with_a_member_id_too_long_names_its_row(
    hb: Handbooks, roster: Roster, tmp_path: Path
) -> None:
    cell = roster.cell_ids[0]
    members = tmp_path / "dang-vien.csv"
    members.write_text(
        f"Mã,Họ và tên,Chi bộ\ndv-moi,Lê Văn An,{cell}\n{'x' * 190},Mai Văn Bảy,{cell}\n",
        "utf-8",
    )
    with pytest.raises(ImportFailed) as refused:
        hb.roster.import_files([members])
    [problem] = refused.value.problems
    assert problem.path == f"{members}:3"
    assert "190 characters long; at most 182" in problem.message("en")
    assert problem.message("vi").startswith(f"{members}, dòng 3: mã đảng viên 'xxx")
    with pytest.raises(NotFound):
        hb.roster.member("dv-moi")  # all or nothing


def _legacy_store(store: MemoryStore | SqliteStore, roster: Roster, long_id: Member) -> Handbooks:
    """A roster saved before the limit: one member id of 200 characters, stored directly."""
    service = _service(store)
    service.roster.save(roster.units, roster.members)
    store.save_roster([], [long_id])
    return service


def test_open_year_fails_only_the_member_whose_id_is_too_long(
    store: MemoryStore | SqliteStore, roster: Roster
) -> None:
    cells = roster.cell_ids
    long_id = Member(id="x" * 200, full_name="Mai Văn Bảy", cell_id=cells[1])
    hb = _legacy_store(store, roster, long_id)
    # a member already stored keeps their id: saving them again is not refused
    hb.roster.save([], [long_id])
    already = roster.members[5]  # in the second cell, with a handbook already
    hb.create(already.id, year=YEAR, actor=roster.members[0])
    result = hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    [failure] = result.failed
    assert failure.member_id == long_id.id
    assert failure.cell_id == cells[1]
    assert "the member id 'xxxx" in (failure.problem("en") or "")
    assert "200 characters long" in (failure.problem("en") or "")
    assert "at most 182" in (failure.problem("en") or "")
    assert "mã đảng viên" in (failure.problem("vi") or "")
    # only the members whose handbooks would have been made with it are rolled back; the
    # one who already had theirs is not blamed
    others = {m.id for m in roster.members if m.cell_id == cells[1]} - {already.id}
    assert {o.member_id for o in result.rolled_back} == others
    assert all(o.cell_id == cells[1] for o in result.rolled_back)
    assert already.id not in {o.member_id for o in result.outcomes}
    assert result.cells(BulkOutcome.DONE) == (cells[0], cells[2])
    assert [b.member.id for b in hb.find(cell_id=cells[1], year=YEAR)] == [already.id]


# --- F9: unknown cells and members, honestly --------------------------------------------


def test_an_unknown_cell_is_reported_as_one(hb: Handbooks, roster: Roster) -> None:
    _open(hb, roster)
    batch = _registrations(hb, roster)[0]
    result = hb.bulk.register([attrs.evolve(batch, cell_id="cb-khong-co")])
    assert {o.problem("en") for o in result.failed} == {
        "there is no cell cb-khong-co in the organisation roster"
    }
    assert len(result.failed) == len(batch.entries)


def test_a_member_of_another_cell_or_of_none_is_told_apart(hb: Handbooks, roster: Roster) -> None:
    _open(hb, roster)
    first, second, _ = _registrations(hb, roster)
    pledges = first.entries[0].pledges
    stranger = MemberRegistration(member_id="khong-co", pledges=pledges)
    other = MemberRegistration(member_id=second.entries[1].member_id, pledges=pledges)
    result = hb.bulk.register([attrs.evolve(first, entries=[*first.entries, stranger, other])])
    problems = {o.member_id: o.problem("en") for o in result.failed}
    assert problems == {
        "khong-co": "there is no member khong-co in the roster",
        other.member_id: f"member {other.member_id} belongs to cell {second.cell_id}, "
        f"not to this batch's cell {first.cell_id}",
    }


# --- F9: a workbook's problems with their code, sheet and row -----------------------------


def test_a_refused_workbook_problem_carries_its_code_sheet_and_row(
    hb: Handbooks, roster: Roster, tmp_path: Path
) -> None:
    cell = roster.cell_ids[0]
    members = [m for m in roster.members if m.cell_id == cell]
    books = _cell_books(roster, cell, HandbookStatus.REGISTERED)
    path = tmp_path / "chi-bo.xlsx"
    export_workbook(path, books, members=[], units=[])
    # a plain member may not register their colleagues' pledges
    result = hb.bulk.import_workbooks(
        [WorkbookSubmission(path=path, submitter=members[1])], year=YEAR
    )
    assert result.failed
    for failure in result.failed:
        assert failure.code == "LTGB-T002", failure.problem("en")
        assert failure.source is not None
        assert failure.source.file == str(path)
        assert failure.source.sheet == "Việc đăng ký"
        assert failure.source.row is not None
        assert f"row {failure.source.row}" in (failure.problem("en") or "")
    assert hb.find(year=YEAR) == []


def test_the_cli_names_a_workbook_problem_s_place_once(tmp_path: Path, roster: Roster) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(roster.units, roster.members)
    cell = roster.cell_ids[0]
    members = [m for m in roster.members if m.cell_id == cell]
    folder = tmp_path / "bang-tinh"
    folder.mkdir()
    books = _cell_books(roster, cell, HandbookStatus.REGISTERED)
    export_workbook(folder / "chi-bo.xlsx", books, members=[], units=[])
    args = ["--store", url, "--lang", "en", "workbook", "import-folder", str(folder)]
    result = CliRunner().invoke(cli, [*args, "--year", "2025", "--as", members[1].id])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if "LTGB-T002" in line]
    assert lines
    for line in lines:
        assert line.count("sheet 'Việc đăng ký'") == 1, line
        assert "chi-bo.xlsx: sheet 'Việc đăng ký', row " in line


def test_open_year_reports_a_cell_whose_members_cannot_be_read(
    hb: Handbooks, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The store failing to list one cell's members (a lost connection) used to drop that
    # cell from the result silently, the operation still "ok".
    bad = roster.cell_ids[1]
    listed = hb.store.members

    def members(cell_id: str | None = None) -> list[Member]:
        if cell_id == bad:
            raise StoreError("mất kết nối", "connection lost")
        return listed(cell_id)

    monkeypatch.setattr(hb.store, "members", members)
    result = hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    assert not result.ok
    (failed,) = result.failed
    assert failed.cell_id == bad
    assert failed.member_id is None
    assert failed.problem("en") is not None
    assert "connection lost" in (failed.problem("en") or "")
