"""Bulk steps for an organisation subtree (``hb.bulk``) and their commands: per-cell
atomicity, per-member failures, who submits and who may delegate, the cap's running figures,
and the linear reads (the tree once per operation, one cell's chain for one cell)."""

from __future__ import annotations

import datetime as dt
import itertools
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from lamtheoguongbac import (
    Event,
    EventKind,
    Handbook,
    Handbooks,
    HandbookStatus,
    Member,
    MemberStatus,
    RatingLevel,
    Role,
    RoleAssignment,
    ValidationFailed,
    hookimpl,
    serde,
)
from lamtheoguongbac._storage import MemoryStore, SqliteStore
from lamtheoguongbac.bulk import (
    BulkOutcome,
    BulkResult,
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
from lamtheoguongbac.rules import (
    DEFAULT_POLICY,
    RatingTally,
    Rule,
    RuleContext,
    Stage,
    TopRatingCap,
    Violation,
    cap_outlook,
    check_cap_outlook,
)
from lamtheoguongbac.spreadsheet import export_workbook
from lamtheoguongbac.testing import ICT, advance, make_handbook, make_roster
from lamtheoguongbac.testing import SampleRoster as Roster

YEAR = 2025
TEXT = "Đồng chí thực hiện nghiêm túc các việc đã đăng ký, có kết quả cụ thể."
MEETING = dt.date(YEAR, 12, 20)


def _clock() -> dt.datetime:
    return dt.datetime(YEAR, 12, 21, 9, tzinfo=ICT)


def _service(store: MemoryStore | SqliteStore, **kwargs: object) -> Handbooks:
    return Handbooks(
        store, registry=create_registry(load_entrypoints=False), clock=_clock, **kwargs
    )  # type: ignore[arg-type]


@pytest.fixture
def roster() -> Roster:
    return make_roster(cells=4, members_per_cell=5, grassroots=2)


@pytest.fixture
def hb(store: MemoryStore | SqliteStore, roster: Roster) -> Handbooks:
    service = _service(store)
    service.roster.save(roster.units, roster.members)
    return service


def _secretaries(roster: Roster) -> dict[str, Member]:
    return {m.cell_id: m for m in roster.members if m.roles}


def _batches(
    hb: Handbooks,
    roster: Roster,
    make: Callable[[Handbook], object],
    submitters: dict[str, Member] | None = None,
) -> list[CellBatch]:  # type: ignore[type-arg]
    submitters = submitters or _secretaries(roster)
    return [
        CellBatch(
            cell_id=cell,
            year=YEAR,
            submitter=submitters[cell],
            entries=[make(b) for b in hb.find(cell_id=cell, year=YEAR)],
        )
        for cell in roster.cell_ids
    ]


def _registration(b: Handbook) -> MemberRegistration:
    return MemberRegistration(member_id=b.member.id, pledges=advance(b).handbook.pledges)


def _report(b: Handbook) -> MemberReport:
    after = advance(b).handbook
    assert after.report is not None
    return MemberReport(
        member_id=b.member.id, report=after.report, self_assessment=after.self_assessment
    )


def _assessment(rating: Callable[[Handbook], RatingLevel]) -> Callable[[Handbook], object]:
    return lambda b: MemberAssessment(
        member_id=b.member.id, text=TEXT, meeting_date=MEETING, rating=rating(b)
    )


def _to_reported(hb: Handbooks, roster: Roster) -> None:
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
    assert hb.bulk.register(_batches(hb, roster, _registration)).ok
    assert hb.bulk.report(_batches(hb, roster, _report)).ok


# --- the whole cycle ----------------------------------------------------------------------


def test_the_whole_cycle_in_bulk(store: MemoryStore | SqliteStore, roster: Roster) -> None:
    changed: list[Event] = []
    registry = create_registry(load_entrypoints=False, extra_plugins=[_Recorder(changed)])
    hb = Handbooks(store, registry=registry, clock=_clock)
    hb.roster.save(roster.units, roster.members)
    opened = hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    assert opened.ok
    assert len(opened.done) == len(roster.members)
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).done == ()
    for result in (
        hb.bulk.register(_batches(hb, roster, _registration)),
        hb.bulk.report(_batches(hb, roster, _report)),
        hb.bulk.assess(_batches(hb, roster, _assessment(lambda b: RatingLevel.GOOD))),
        hb.bulk.close(_batches(hb, roster, lambda b: MemberClosing(member_id=b.member.id))),
    ):
        assert result.ok, [o.problem("en") for o in result.failed]
        assert len(result.done) == len(roster.members)
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.CLOSED: len(roster.members)}
    book = hb.get(opened.done[3].handbook_id or "")
    secretary = _secretaries(roster)[book.cell.id]
    assert book.collective_assessment is not None
    # signed by the submitter as the roster has them, never by a name from the data
    assert book.collective_assessment.recorded_by == secretary.id
    assert book.collective_assessment.recorder_name == secretary.full_name
    kinds = [e.kind for e in hb.history(book.id)]
    assert kinds[0] is EventKind.CREATED
    assert kinds[-1] is EventKind.CLOSED
    assert {e.actor_id for e in hb.history(book.id)[1:]} == {secretary.id}
    assert len(changed) == 5 * len(roster.members)  # hooks fire once each, after commit


class _Recorder:
    def __init__(self, into: list[Event]) -> None:
        self.into = into

    @hookimpl
    def handbook_changed(self, event: Event, handbook: Handbook) -> None:
        self.into.append(event)


def test_progress_is_reported_per_cell(hb: Handbooks, roster: Roster) -> None:
    seen: list[tuple[int, int | None]] = []
    hb.bulk.open_year(
        roster.units[0].id,
        year=YEAR,
        actor=roster.members[0],
        progress=lambda n, total: seen.append((n, total)),
    )
    units = len(roster.units)
    assert seen == [(n, units) for n in range(1, units + 1)]


# --- atomicity and failures ---------------------------------------------------------------


def test_a_failure_rolls_back_its_cell_only_and_names_the_member_and_row(
    hb: Handbooks, roster: Roster
) -> None:
    hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    batches = _batches(hb, roster, _registration)
    bad_cell = batches[1]
    broken = attrs.evolve(bad_cell.entries[2], pledges=(), source=Source(file="chi-bo.csv", row=7))
    batches[1] = attrs.evolve(
        bad_cell, entries=[*bad_cell.entries[:2], broken, *bad_cell.entries[3:]]
    )
    result = hb.bulk.register(batches)
    assert not result.ok
    [failure] = result.failed
    assert failure.member_id == broken.member_id
    assert failure.cell_id == bad_cell.cell_id
    assert failure.source == Source(file="chi-bo.csv", row=7)
    assert failure.source.describe("vi") == "chi-bo.csv, dòng 7"
    assert failure.problem("vi")
    assert failure.problem("en")
    assert {o.member_id for o in result.rolled_back} == {e.member_id for e in bad_cell.entries} - {
        broken.member_id
    }
    assert result.cells(BulkOutcome.FAILED) == (bad_cell.cell_id,)
    # nothing of the failed cell is stored; every other cell is
    assert {b.status for b in hb.find(cell_id=bad_cell.cell_id, year=YEAR)} == {
        HandbookStatus.DRAFT
    }
    for batch in batches[:1] + batches[2:]:
        assert {b.status for b in hb.find(cell_id=batch.cell_id, year=YEAR)} == {
            HandbookStatus.REGISTERED
        }
    for event in hb.history(f"{broken.member_id}-{YEAR}"):
        assert event.kind is EventKind.CREATED


def _registration_rule(check: Callable[[Handbook], None]) -> Rule:
    """A deployment's rule at registration that runs ``check`` on each handbook."""

    def run(handbook: Handbook, ctx: RuleContext) -> Iterator[Violation]:
        check(handbook)
        return iter(())

    return Rule(code="AG-900", stage=Stage.REGISTRATION, title_vi="t", title_en="t", check=run)


def test_the_rules_run_while_the_store_is_free_for_other_writers(
    tmp_path: Path, roster: Roster
) -> None:
    # A cell's steps are taken and checked first and written after in one short
    # transaction: a rule (a plugin's, a slow one) never holds other writers up.
    path = tmp_path / "so-tay.db"
    free: list[bool] = []

    def try_to_write(_: Handbook) -> None:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            free.append(True)
        except sqlite3.OperationalError:  # database is locked
            free.append(False)
        finally:
            other.close()

    store = SqliteStore(path)
    policy = DEFAULT_POLICY.with_rules([_registration_rule(try_to_write)])
    hb = _service(store, policy=policy)
    hb.roster.save(roster.units, roster.members)
    hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    assert hb.bulk.register(_batches(hb, roster, _registration)).ok
    store.close()
    assert free == [True] * len(roster.members)


def test_a_handbook_changed_meanwhile_fails_its_member_and_rolls_back_the_cell(
    tmp_path: Path, roster: Roster
) -> None:
    path = tmp_path / "so-tay.db"
    store = SqliteStore(path)
    victim: list[str] = []

    def change_it_elsewhere(book: Handbook) -> None:
        if victim:
            return
        victim.append(book.member.id)
        # another process takes the same member's step meanwhile, as the cell's secretary
        with Handbooks.open(f"sqlite:///{path}", clock=_clock) as other:
            secretary = _secretaries(roster)[book.cell.id]
            pledges = advance(other.get(book.id)).handbook.pledges
            other.register_pledges(book.id, pledges, actor=secretary)

    policy = DEFAULT_POLICY.with_rules([_registration_rule(change_it_elsewhere)])
    hb = _service(store, policy=policy)
    hb.roster.save(roster.units, roster.members)
    hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    batches = _batches(hb, roster, _registration)
    result = hb.bulk.register(batches)
    [failure] = result.failed
    assert failure.member_id == victim[0]
    assert "changed" in (failure.problem("en") or ""), failure.problem("en")
    first = batches[0]
    assert {o.member_id for o in result.rolled_back} == {e.member_id for e in first.entries} - set(
        victim
    )
    # the other writer's step stands; nothing else of the cell is stored
    statuses = {b.member.id: b.status for b in hb.find(cell_id=first.cell_id, year=YEAR)}
    assert statuses.pop(victim[0]) is HandbookStatus.REGISTERED
    assert set(statuses.values()) == {HandbookStatus.DRAFT}
    assert len(result.done) == len(roster.members) - len(first.entries)
    store.close()


def test_a_member_without_a_handbook_fails_alone(hb: Handbooks, roster: Roster) -> None:
    hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    [first, *rest] = _batches(hb, roster, _registration)
    stranger = MemberRegistration(member_id="khong-co", pledges=first.entries[0].pledges)
    result = hb.bulk.register([attrs.evolve(first, entries=[*first.entries, stranger]), *rest])
    [failure] = result.failed
    assert failure.member_id == "khong-co"
    assert "khong-co" in (failure.problem("en") or "")
    assert len(result.rolled_back) == len(first.entries)
    assert len(result.done) == sum(len(b.entries) for b in rest)


# --- who submits --------------------------------------------------------------------------


def test_the_submitter_must_be_entitled_for_each_member(hb: Handbooks, roster: Roster) -> None:
    hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    secretaries = _secretaries(roster)
    cells = roster.cell_ids
    # the secretary of another cell may not register for this one's members
    wrong = {**secretaries, cells[0]: secretaries[cells[1]]}
    result = hb.bulk.register(_batches(hb, roster, _registration, wrong))
    assert result.cells(BulkOutcome.FAILED) == (cells[0],)
    assert {o.code for o in result.failed} == {"LTGB-T002"}
    # each member fails but the one member who is the submitter: their own handbook is theirs
    assert len(result.failed) == 5
    assert {b.status for b in hb.find(cell_id=cells[0], year=YEAR)} == {HandbookStatus.DRAFT}


def test_a_submitter_outside_the_roster_cannot_claim_a_cell_office(
    hb: Handbooks, roster: Roster
) -> None:
    _to_reported(hb, roster)
    cell = roster.cell_ids[0]
    impostor = Member(
        id="nguoi-ngoai",
        full_name="Người Ngoài",
        cell_id=cell,
        roles=(RoleAssignment(role=Role.SECRETARY, unit_id=cell, start=dt.date(2000, 1, 1)),),
    )
    batch = CellBatch(
        cell_id=cell,
        year=YEAR,
        submitter=impostor,
        entries=[
            MemberAssessment(member_id=b.member.id, text=TEXT, meeting_date=MEETING, rating=None)
            for b in hb.find(cell_id=cell, year=YEAR)
        ],
    )
    result = hb.bulk.assess([batch])
    assert not result.done
    assert all(o.outcome is BulkOutcome.FAILED for o in result.outcomes)


def test_a_suspension_recorded_after_opening_still_counts(hb: Handbooks, roster: Roster) -> None:
    _to_reported(hb, roster)
    cell = roster.cell_ids[0]
    member = next(m for m in roster.members if m.cell_id == cell and not m.roles)
    hb.roster.save([], [attrs.evolve(member, status=MemberStatus.SUSPENDED)])
    batch = _batches(hb, roster, _assessment(lambda b: RatingLevel.GOOD))[0]
    result = hb.bulk.assess([batch])
    [failure] = result.failed
    assert failure.member_id == member.id
    assert failure.code == "LTGB-A003"


# --- the top-rating cap -------------------------------------------------------------------


def _ratings(tops: set[str]) -> Callable[[Handbook], RatingLevel]:
    return lambda b: RatingLevel.EXCELLENT if b.member.id in tops else RatingLevel.GOOD


def test_the_cap_warning_depends_on_the_final_figures_not_the_order() -> None:
    # 10 members in one grassroots organisation: 2 excellent of 10 rated good or better is
    # within 20% only if the excellent ones count in the base — here they do not, so the
    # cap is 20% of the 8 rated HTTNV = 1: the final figures exceed it. With the two top
    # ratings entered first, a running count used to warn at once; the outlook waits until
    # it is certain, then warns exactly once per step that makes it certain.
    roster = make_roster(cells=2, members_per_cell=5, grassroots=1)
    ids = [m.id for m in roster.members]
    for order in (ids, list(reversed(ids))):
        service = _service(MemoryStore())
        service.roster.save(roster.units, roster.members)
        _to_reported(service, roster)
        tops = {ids[0], ids[9]} if order is ids else {ids[0]}
        warned: list[str] = []
        for member_id in order:
            book = service.find(member_id=member_id, year=YEAR)[0]
            secretary = _secretaries(roster)[book.cell.id]
            rating = RatingLevel.EXCELLENT if member_id in tops else RatingLevel.GOOD
            step = service.record_assessment(
                book.id,
                service.assessment_by(
                    secretary.id, book.id, text=TEXT, meeting_date=MEETING, rating=rating
                ),
                actor=secretary,
            )
            warned += [member_id for w in step.warnings if w.code == "LTGB-C001"]
        if order is ids:
            # 2 top of 8 base: certain only once the last rating is in
            assert warned == [ids[9]]
        else:
            assert warned == []  # 1 top of 9 base: within the cap all along


def test_bulk_assess_warns_once_on_the_final_figures(hb: Handbooks, roster: Roster) -> None:
    _to_reported(hb, roster)
    tops = {m.id for m in roster.members[:6]}
    result = hb.bulk.assess(_batches(hb, roster, _assessment(_ratings(tops))))
    assert result.ok
    assert all(
        not o.warnings or "LTGB-C001" not in {w.code for w in o.warnings} for o in result.done
    )
    assert result.warnings
    assert {w.code for w in result.warnings} == {"LTGB-C001"}
    assert [v.message_en for v in result.warnings] == [
        v.message_en for v in hb.supervision.check_cap(year=YEAR)
    ]


def test_bulk_assess_in_any_order_reaches_the_same_verdict(
    store: MemoryStore | SqliteStore, roster: Roster
) -> None:
    tops = {roster.members[1].id, roster.members[7].id}
    verdicts = []
    for reverse in (False, True):
        service = _service(MemoryStore())
        service.roster.save(roster.units, roster.members)
        _to_reported(service, roster)
        batches = _batches(service, roster, _assessment(_ratings(tops)))
        if reverse:
            batches = [attrs.evolve(b, entries=b.entries[::-1]) for b in reversed(batches)]
        result = service.bulk.assess(batches)
        verdicts.append(([v.message_en for v in result.warnings], len(result.done)))
    assert verdicts[0] == verdicts[1]


def test_an_enforced_cap_refuses_the_cell_that_makes_it_certain(
    store: MemoryStore | SqliteStore, roster: Roster
) -> None:
    policy = attrs.evolve(DEFAULT_POLICY, top_rating_cap_enforced=True)
    service = _service(store, policy=policy)
    service.roster.save(roster.units, roster.members)
    _to_reported(service, roster)
    # grassroots db-00 holds cells 0 and 2 (10 members): every member of cell 0 rated top
    cell = roster.cell_ids[0]
    tops = {m.id for m in roster.members if m.cell_id == cell}
    result = service.bulk.assess(_batches(service, roster, _assessment(_ratings(tops))))
    assert result.cells(BulkOutcome.FAILED) == (cell,)
    assert {o.code for o in result.failed} == {"LTGB-C001"}
    assert {o.member_id for o in result.failed} == tops
    assert not result.warnings
    assert service.count_by_status(cell_id=cell, year=YEAR) == {HandbookStatus.REPORTED: 5}


def test_cap_outlook_is_the_final_figure_once_nothing_is_pending() -> None:
    cap = TopRatingCap()
    names = {"organisation_id": "db", "organisation_name": "Đảng bộ", "year": YEAR}
    figures = RatingTally(ratings={RatingLevel.EXCELLENT: 2, RatingLevel.GOOD: 5}, pending=5)
    assert not cap_outlook(figures, cap, **names).exceeded  # 2 ≤ 20% of (5 + 5)
    final = RatingTally(ratings={RatingLevel.EXCELLENT: 2, RatingLevel.GOOD: 5}, pending=0)
    assert cap_outlook(final, cap, **names).exceeded
    [v] = check_cap_outlook(final, DEFAULT_POLICY, **names)
    assert "2 rated HTXSNV" in v.message_en
    assert "not yet assessed" not in v.message_en
    grown = figures.rated(RatingLevel.EXCELLENT, was_pending=True)
    assert grown.count(RatingLevel.EXCELLENT) == 3
    assert grown.pending == 4


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_stores_count_the_running_figures_without_the_excluded_one(
    kind: str, tmp_path: Path
) -> None:
    store = MemoryStore() if kind == "memory" else SqliteStore(tmp_path / "t.db")
    service = _service(store)
    roster = make_roster(cells=2, members_per_cell=3, grassroots=1)
    suspended = attrs.evolve(roster.members[2], status=MemberStatus.SUSPENDED)
    service.roster.save(roster.units, [*roster.members[:2], suspended, *roster.members[3:]])
    _to_reported(service, roster)
    book = next(b for b in service.find(year=YEAR) if b.member.id != suspended.id)
    grassroots = book.grassroots.id
    assert service.rating_tally(grassroots, YEAR) == RatingTally(ratings={}, pending=5)
    secretary = _secretaries(roster)[book.cell.id]
    service.record_assessment(
        book.id,
        service.assessment_by(
            secretary.id,
            book.id,
            text=TEXT,
            meeting_date=MEETING,
            rating=RatingLevel.EXCELLENT,
        ),
        actor=secretary,
    )
    assert service.rating_tally(grassroots, YEAR) == RatingTally(
        ratings={RatingLevel.EXCELLENT: 1}, pending=4
    )
    assert service.rating_tally(grassroots, YEAR, excluding=book.id) == RatingTally(
        ratings={}, pending=4
    )
    store.close()


# --- linear reads -------------------------------------------------------------------------


class _CountingStore(MemoryStore):
    """A memory store that counts full reads of the organisation units."""

    def __init__(self) -> None:
        super().__init__()
        self.unit_reads = 0

    def units(self):  # type: ignore[no-untyped-def]
        self.unit_reads += 1
        return super().units()


def test_the_tree_is_read_once_per_operation_and_never_for_one_cell(roster: Roster) -> None:
    store = _CountingStore()
    service = _service(store)
    service.roster.save(roster.units, roster.members)
    store.unit_reads = 0
    service.create_for_cell(roster.cell_ids[0], year=YEAR, actor=roster.members[0])
    service.create(roster.members[6].id, year=YEAR, actor=roster.members[0])
    assert store.unit_reads == 0  # just the cell's chain, unit by unit
    service.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    assert store.unit_reads == 1


def test_the_cli_create_for_a_cell_decodes_only_its_chain(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(roster.units, roster.members)
    reads: list[int] = []
    original = SqliteStore.units
    monkeypatch.setattr(SqliteStore, "units", lambda self: reads.append(1) or original(self))
    result = CliRunner().invoke(
        cli,
        [
            "--store",
            url,
            "create",
            "--cell",
            roster.cell_ids[0],
            "--year",
            "2025",
            "--as",
            roster.members[0].id,
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert reads == []


# --- the audit trail: schema 2 ------------------------------------------------------------


def test_an_event_of_schema_1_still_reads() -> None:
    book = make_handbook()
    event = Event(
        handbook_id=book.id,
        kind=EventKind.CREATED,
        actor_id="dv",
        actor_name="Nguyễn Văn A",
        at=_clock(),
        from_status=HandbookStatus.DRAFT,
        to_status=HandbookStatus.DRAFT,
        version=1,
    )
    old = serde.to_dict(event)
    del old["on_behalf_of"], old["on_behalf_of_name"]
    old["schema_version"] = 1
    assert serde.from_dict(Event, old) == event
    delegated = attrs.evolve(event, on_behalf_of="bt", on_behalf_of_name="Trần Văn B")
    assert serde.loads(Event, serde.dumps(delegated)) == delegated
    with pytest.raises(ValidationFailed, match="on_behalf_of"):
        attrs.evolve(event, on_behalf_of="bt")


# --- workbooks ----------------------------------------------------------------------------


def _officer(roster: Roster, grassroots: str = "db-00") -> Member:
    """A member of the first cell who also sits on the grassroots committee."""
    member = roster.members[1]
    office = RoleAssignment(
        role=Role.DEPUTY_SECRETARY, unit_id=grassroots, start=dt.date(2020, 1, 1)
    )
    return attrs.evolve(member, roles=(*member.roles, office))


def _cell_books(roster: Roster, cell: str, status: HandbookStatus) -> list[Handbook]:
    """The cell's members' handbooks in ``status``, as a cell workbook would hold them."""
    members = [m for m in roster.members if m.cell_id == cell]
    return [
        make_handbook(
            status,
            cell=cell,
            member=m,
            organisation=roster.organisation(cell),
            secretary=members[0],
        )
        for m in members
    ]


def _workbooks(tmp_path: Path, roster: Roster, cells: Sequence[str]) -> Path:
    """A folder of filled cell workbooks: each cell's members registered and reported."""
    folder = tmp_path / "bang-tinh"
    folder.mkdir()
    for cell in cells:
        books = _cell_books(roster, cell, HandbookStatus.REPORTED)
        export_workbook(folder / f"{cell}.xlsx", books, members=[], units=[])
    (folder / "~$cb-00-0000.xlsx").write_bytes(b"lock file")
    (folder / "ghi-chu.txt").write_text("không phải bảng tính")
    return folder


def _stored_roster(store: MemoryStore | SqliteStore, roster: Roster, officer: Member) -> Handbooks:
    service = _service(store)
    members = [officer if m.id == officer.id else m for m in roster.members]
    service.roster.save(roster.units, members)
    return service


def test_import_workbooks_each_as_its_submitter(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    service = _stored_roster(store, roster, roster.members[1])
    folder = _workbooks(tmp_path, roster, roster.cell_ids[:2])
    secretaries = _secretaries(roster)
    result = service.bulk.import_workbooks(
        [
            WorkbookSubmission(path=folder / f"{cell}.xlsx", submitter=secretaries[cell])
            for cell in roster.cell_ids[:2]
        ],
        year=YEAR,
    )
    assert result.ok, [o.problem("en") for o in result.failed]
    assert len(result.done) == 10
    book = service.get(result.done[0].handbook_id or "")
    assert book.status is HandbookStatus.REPORTED
    registered = next(e for e in service.history(book.id) if e.kind is EventKind.REGISTERED)
    assert registered.actor_id == secretaries[book.cell.id].id
    assert registered.on_behalf_of is None


def test_import_folder_without_delegation_records_the_runner_and_checks_each_step(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    officer = _officer(roster)
    service = _stored_roster(store, roster, officer)
    folder = _workbooks(tmp_path, roster, roster.cell_ids[:2])
    result = service.bulk.import_folder(folder, year=YEAR, runner=officer)
    # the grassroots officer is neither the member nor the cell's officer: refused
    assert not result.done
    assert result.failed
    assert all(o.source and o.source.file.endswith(".xlsx") for o in result.failed)
    assert any("may not register" in (o.problem("en") or "") for o in result.failed)
    assert service.find(year=YEAR) == []


def test_import_folder_on_behalf_of_each_cell_officer(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    officer = _officer(roster)
    service = _stored_roster(store, roster, officer)
    cells = [c for c in roster.cell_ids if c.startswith("cb-00")]  # under db-00
    folder = _workbooks(tmp_path, roster, cells)
    seen: list[tuple[int, int | None]] = []
    result = service.bulk.import_folder(
        folder,
        year=YEAR,
        runner=officer,
        on_behalf_of_cell_officer=True,
        progress=lambda n, total: seen.append((n, total)),
    )
    assert result.ok, [o.problem("en") for o in result.failed]
    assert seen == [(1, 2), (2, 2)]
    assert len(result.done) == 10
    secretaries = _secretaries(roster)
    for outcome in result.done:
        for event in service.history(outcome.handbook_id or ""):
            assert event.actor_id == officer.id
            assert event.actor_name == officer.full_name
            assert event.on_behalf_of == secretaries[outcome.cell_id or ""].id
            assert event.on_behalf_of_name == secretaries[outcome.cell_id or ""].full_name


def test_a_cell_officer_importing_their_own_cell_under_delegation_acts_as_themselves(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    """The trail read "Nguyễn Văn Hùng (thay mặt Nguyễn Văn Hùng)": on their own behalf."""
    cell = roster.cell_ids[0]
    secretary = _secretaries(roster)[cell]
    officer = _officer(roster)
    both = attrs.evolve(secretary, roles=(*secretary.roles, *officer.roles[-1:]))
    service = _stored_roster(store, roster, both)
    folder = _workbooks(tmp_path, roster, [cell])
    result = service.bulk.import_folder(
        folder, year=YEAR, runner=both, on_behalf_of_cell_officer=True
    )
    assert result.ok, [o.problem("en") for o in result.failed]
    for outcome in result.done:
        for event in service.history(outcome.handbook_id or ""):
            assert (event.actor_id, event.on_behalf_of) == (both.id, None)


def test_delegation_needs_a_committee_office_above_the_cell(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    officer = _officer(roster, grassroots="db-01")  # sits on the other grassroots committee
    service = _stored_roster(store, roster, officer)
    cells = roster.cell_ids[:2]  # one under db-00, one under db-01
    folder = _workbooks(tmp_path, roster, cells)
    result = service.bulk.import_folder(
        folder, year=YEAR, runner=officer, on_behalf_of_cell_officer=True
    )
    [failure] = result.failed
    assert failure.code == "LTGB-T007"
    assert failure.cell_id == cells[0]  # the workbook's cell (it was None)
    assert failure.source is not None
    assert failure.source.file.endswith(f"{cells[0]}.xlsx")
    assert {o.cell_id for o in result.done} == {cells[1]}
    # a plain member may not delegate at all
    plain = roster.members[7]
    again = service.bulk.import_folder(
        folder, year=YEAR, runner=plain, on_behalf_of_cell_officer=True
    )
    assert {o.code for o in again.failed} == {"LTGB-T007"}


def test_import_folder_refuses_a_file_path(hb: Handbooks, tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(ValidationFailed, match="folder"):
        hb.bulk.import_folder(path, year=YEAR, runner=hb.roster.actor(hb.roster.members()[0].id))


# --- the commands ------------------------------------------------------------------------


def _cli(url: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--store", url, *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_cli_create_for_an_organisation(tmp_path: Path, roster: Roster) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(roster.units, roster.members)
    code, out, err = _cli(
        url, "create", "--organisation", "db-00", "--year", "2025", "--as", roster.members[0].id
    )
    assert code == 0, err
    assert "10 thành công, 0 lỗi" in out
    code, out, _ = _cli(
        url,
        "--lang",
        "en",
        "create",
        "--organisation",
        "db-00",
        "--year",
        "2025",
        "--as",
        roster.members[0].id,
    )
    assert code == 0
    assert "Opened: 0 done, 0 failed" in out
    code, _, err = _cli(
        url,
        "create",
        "--organisation",
        "db-00",
        "--cell",
        "x",
        "--year",
        "2025",
        "--as",
        roster.members[0].id,
    )
    assert code == 2
    assert "--organisation" in err
    code, _, err = _cli(
        url, "create", "--organisation", "khong-co", "--year", "2025", "--as", roster.members[0].id
    )
    assert code == 2
    assert "khong-co" in err


def test_cli_create_for_an_organisation_for_a_term_and_with_workers(
    tmp_path: Path, roster: Roster
) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(roster.units, roster.members)
    actor = roster.members[0].id
    code, out, err = _cli(url, "create", "--organisation", "db-00", "--period", "2021-2025",
                          "--as", actor)  # fmt: skip
    assert code == 0, err
    assert "10 thành công, 0 lỗi" in out
    code, out, err = _cli(url, "create", "--organisation", "dangbo-tinh-ag", "--year", "2025",
                          "--as", actor, "--jobs", "2")  # fmt: skip
    assert code == 0, err
    assert f"{len(roster.members)} thành công, 0 lỗi" in out
    code, _, err = _cli(url, "create", "--cell", roster.cell_ids[0], "--year", "2024",
                        "--as", actor, "--jobs", "2")  # fmt: skip
    assert code == 2
    assert "--jobs" in err
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        assert len(service.find(year=2021)) == 10
        assert len(service.find(year=2025)) == len(roster.members)
        assert service.find(year=2024) == []


def test_open_year_with_workers_opens_what_one_process_opens(
    tmp_path: Path, roster: Roster
) -> None:
    found = {}
    for jobs in (1, 2):
        changed: list[Event] = []
        registry = create_registry(load_entrypoints=False, extra_plugins=[_Recorder(changed)])
        with Handbooks(
            SqliteStore(tmp_path / f"jobs-{jobs}.db"), registry=registry, clock=_clock
        ) as hb:
            hb.roster.save(roster.units, roster.members)
            seen: list[tuple[int, int | None]] = []
            result = hb.bulk.open_year(
                roster.units[0].id,
                year=YEAR,
                actor=roster.members[0],
                jobs=jobs,
                progress=lambda n, total, seen=seen: seen.append((n, total)),
            )
            found[jobs] = (result, hb.find(year=YEAR), changed, seen)
    assert found[2] == found[1]
    result, books, changed, seen = found[2]
    assert result.ok
    assert len(books) == len(changed) == len(roster.members)
    assert seen[-1] == (len(seen), len(seen))


def test_cli_import_folder_with_and_without_delegation(tmp_path: Path, roster: Roster) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    officer = _officer(roster)
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        members = [officer if m.id == officer.id else m for m in roster.members]
        service.roster.save(roster.units, members)
    cells = [c for c in roster.cell_ids if c.startswith("cb-00")]
    folder = _workbooks(tmp_path, roster, cells)
    code, out, err = _cli(
        url,
        "--lang",
        "en",
        "workbook",
        "import-folder",
        str(folder),
        "--year",
        "2025",
        "--as",
        officer.id,
    )
    assert code == 2
    assert "may not register" in out
    assert ".xlsx" in out
    assert "Imported: 0 done" in out
    code, out, err = _cli(
        url,
        "--lang",
        "en",
        "workbook",
        "import-folder",
        str(folder),
        "--year",
        "2025",
        "--as",
        officer.id,
        "--on-behalf-of-cell-officer",
    )
    assert code == 0, err
    assert "Imported: 10 done, 0 failed" in out
    code, out, _ = _cli(url, "history", f"{cells[0]}-dv002-2025", "--json")
    events = serde.parse_json(out)
    assert {e["actor_id"] for e in events} == {officer.id}
    assert {e["on_behalf_of"] for e in events} == {f"{cells[0]}-dv000"}


def test_results_are_plain_values(hb: Handbooks, roster: Roster) -> None:
    result = hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0])
    assert isinstance(result, BulkResult)
    assert result.step == "open"
    assert list(itertools.islice((o.outcome for o in result.outcomes), 1)) == [BulkOutcome.DONE]


def test_open_year_needs_exactly_one_of_year_and_period(hb: Handbooks, roster: Roster) -> None:
    with pytest.raises(ValidationFailed, match="year"):
        hb.bulk.open_year(roster.units[0].id, actor=roster.members[0])
    assert hb.find(year=YEAR) == []


@pytest.mark.parametrize(
    "odd_name", ["zz-\u202exslx.exe.xlsx", b"zz-\xff.xlsx"], ids=["bidi-override", "not-utf8"]
)
def test_an_odd_file_name_in_the_folder_fails_alone(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path, odd_name: str | bytes
) -> None:
    # A name from an untrusted folder that no Source may hold (a bidi control, a byte that
    # is no UTF-8) used to stop the run after earlier workbooks were committed.
    officer = _officer(roster)
    service = _stored_roster(store, roster, officer)
    cells = [c for c in roster.cell_ids if c.startswith("cb-00")]
    folder = _workbooks(tmp_path, roster, cells)
    name = odd_name if isinstance(odd_name, bytes) else os.fsencode(odd_name)
    with open(os.path.join(os.fsencode(folder), name), "wb") as f:
        f.write(b"not a workbook")
    result = service.bulk.import_folder(
        folder, year=YEAR, runner=officer, on_behalf_of_cell_officer=True
    )
    assert len(result.done) == 10
    (bad,) = result.failed
    assert bad.source is not None
    assert bad.source.file is not None
    assert "\\u" in bad.source.file  # the offending character shown escaped


def test_the_cell_officer_is_found_by_an_nfd_cell_id() -> None:
    """``bulk.cell_officer`` read the members by the NFC id but compared their offices with
    the id as given: an NFD id found no officer."""
    import unicodedata

    from lamtheoguongbac.testing import make_unit

    sample = make_roster(cells=1, members_per_cell=2)
    cell = make_unit("cb-đông", name="Chi bộ ấp Đông", parent_id=sample.units[1].id)
    secretary, member = (
        attrs.evolve(
            m, cell_id=cell.id, roles=tuple(attrs.evolve(r, unit_id=cell.id) for r in m.roles)
        )
        for m in sample.members
    )
    with Handbooks.open("memory:") as service:
        service.roster.save([*sample.units, cell], [secretary, member])
        nfd = unicodedata.normalize("NFD", cell.id)
        assert nfd != cell.id
        found = service.bulk.cell_officer(nfd, on=dt.date(2025, 6, 1))
    assert found.id == secretary.id


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_enforced_cap_of_the_policy_the_handbooks_name_is_enforced_too(
    tmp_path: Path, roster: Roster, jobs: int
) -> None:
    """The bulk step judged the cap under the year's policy: handbooks opened under a
    catalog policy that enforces it got their over-cap ratings stored with a warning, where
    a single step refused them."""
    import json

    from lamtheoguongbac.catalog import Catalog

    overrides = tmp_path / "danh-muc.json"
    enforced = {
        "name": "xa-enf",
        "version": "1",
        "top_rating_cap": {"ratio": "0.20", "level": "HTXSNV", "of_levels": ["HTTNV"]},
        "top_rating_cap_enforced": True,
    }
    overrides.write_text(json.dumps({"schema_version": 1, "policies": [enforced]}), "utf-8")
    store = SqliteStore(tmp_path / "so-tay.db")
    service = _service(store, catalog=Catalog.load(overrides))
    service.roster.save(roster.units, roster.members)
    opened = service.bulk.open_year(
        roster.units[0].id, year=YEAR, actor=roster.members[0], policy="xa-enf"
    )
    assert opened.ok
    assert service.bulk.register(_batches(service, roster, _registration)).ok
    assert service.bulk.report(_batches(service, roster, _report)).ok
    cell = roster.cell_ids[0]
    tops = {m.id for m in roster.members if m.cell_id == cell}
    result = service.bulk.assess(_batches(service, roster, _assessment(_ratings(tops))), jobs=jobs)
    assert result.cells(BulkOutcome.FAILED) == (cell,)
    assert {o.code for o in result.failed} == {"LTGB-C001"}
    assert service.count_by_status(cell_id=cell, year=YEAR) == {HandbookStatus.REPORTED: 5}


def test_a_link_in_the_folder_to_a_workbook_outside_it_is_not_imported(
    store: MemoryStore | SqliteStore, roster: Roster, tmp_path: Path
) -> None:
    """The folder's files are what is imported: a link to a file elsewhere was followed."""
    service = _stored_roster(store, roster, roster.members[1])
    (tmp_path / "khac").mkdir()
    elsewhere = _workbooks(tmp_path / "khac", roster, roster.cell_ids[:1])
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    (folder / "lien-ket.xlsx").symlink_to(elsewhere / f"{roster.cell_ids[0]}.xlsx")
    secretary = _secretaries(roster)[roster.cell_ids[0]]
    result = service.bulk.import_folder(folder, year=YEAR, runner=secretary)
    assert result.outcomes == ()
    assert service.find(year=YEAR) == []


def test_a_cell_refused_by_a_busy_store_names_each_handbook(tmp_path: Path, roster: Roster) -> None:
    """The outcomes of a cell whose commit the store refused (another writer held it) had
    no handbook id, though every step was taken on one."""
    path = tmp_path / "so-tay.db"
    hb = _service(SqliteStore(path, timeout=0.2))
    hb.roster.save(roster.units, roster.members)
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
    batches = _batches(hb, roster, _registration)[:1]
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = hb.bulk.register(batches)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert not result.done
    assert result.failed
    assert all(o.handbook_id for o in result.failed)
    assert {o.handbook_id for o in result.failed} == {
        b.id for b in hb.find(cell_id=batches[0].cell_id, year=YEAR)
    }
