"""The ``Handbooks`` service as embedding code uses it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from lamtheoguongbac import (
    Actor,
    CollectiveAssessment,
    ConflictError,
    Event,
    Handbook,
    Handbooks,
    HandbookStatus,
    ImportFailed,
    Member,
    MemberStatus,
    NotAuthorised,
    NotFound,
    Period,
    RatingLevel,
    Role,
    RoleAssignment,
    RulesViolated,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_handbook, make_roster

YEAR = 2025
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


class Recorder:
    """A plugin that remembers every change it is told about."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, int]] = []

    @hookimpl
    def handbook_changed(self, event: Event, handbook: Handbook) -> None:
        self.seen.append((event.kind.value, handbook.version))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["memory:", "sqlite"])
def service(
    request: pytest.FixtureRequest, tmp_path: Path, recorder: Recorder
) -> Iterator[Handbooks]:
    url = "memory:" if request.param == "memory:" else f"sqlite:///{tmp_path / 'st.db'}"
    registry = create_registry(load_entrypoints=False, extra_plugins=[recorder])
    clock = iter(
        dt.datetime(2025, 12, 28, 8, tzinfo=dt.UTC) + dt.timedelta(minutes=i) for i in range(10_000)
    )
    with Handbooks.open(url, registry=registry, clock=lambda: next(clock)) as svc:
        roster = make_roster(cells=2, members_per_cell=4)
        svc.roster.save(roster.units, roster.members)
        yield svc


def _cell(service: Handbooks) -> str:
    return service.roster.members()[0].cell_id


def _secretary(service: Handbooks, cell: str) -> Actor:
    return next(
        m
        for m in service.roster.members(cell)
        if Role.SECRETARY in m.roles_on(dt.date(YEAR, 12, 20), cell)
    ).as_actor()


def _template(member_id: str, service: Handbooks) -> Handbook:
    """A handbook of the same member walked to ASSESSED by the factories (for its data)."""
    return make_handbook(
        HandbookStatus.ASSESSED,
        member=service.roster.member(member_id),
        year=YEAR,
        organisation=service.roster.tree().chain(service.roster.member(member_id).cell_id),
    )


def test_full_cycle_fires_the_hook_and_keeps_history(
    service: Handbooks, recorder: Recorder
) -> None:
    cell = _cell(service)
    secretary = _secretary(service, cell)
    books = service.create_for_cell(cell, year=YEAR, actor=secretary)
    assert len(books) == 4
    assert service.create_for_cell(cell, year=YEAR, actor=secretary) == []

    book = next(b for b in books if b.member.id != secretary.id)
    data = _template(book.member.id, service)
    member = service.roster.member(book.member.id)
    assert data.report is not None
    assert data.collective_assessment is not None
    step = service.register_pledges(book.id, data.pledges, actor=member)
    assert step.handbook.status is HandbookStatus.REGISTERED
    service.report_results(book.id, data.report, actor=member, self_assessment=data.self_assessment)
    service.record_assessment(book.id, data.collective_assessment, actor=secretary)
    closed = service.close_handbook(book.id, actor=secretary).handbook
    assert closed.status is HandbookStatus.CLOSED
    assert closed.version == 5
    kinds = [e.kind.value for e in service.history(book.id)]
    assert kinds == ["created", "registered", "reported", "assessed", "closed"]
    assert ("closed", 5) in recorder.seen
    assert [b.id for b in service.find(status=HandbookStatus.CLOSED)] == [book.id]
    counts = service.count_by_status(cell_id=cell, year=YEAR)
    assert counts == {HandbookStatus.DRAFT: 3, HandbookStatus.CLOSED: 1}


def test_stale_expected_version_is_refused(service: Handbooks) -> None:
    cell = _cell(service)
    member = service.roster.members(cell)[1]
    book = service.create(member.id, year=YEAR, actor=member)
    data = _template(member.id, service)
    with pytest.raises(ConflictError):
        service.register_pledges(book.id, data.pledges, actor=member, expected_version=7)
    assert service.get(book.id).status is HandbookStatus.DRAFT
    with pytest.raises(ConflictError):
        service.create(member.id, year=YEAR, actor=member)


def test_refusals_store_nothing(service: Handbooks) -> None:
    cell = _cell(service)
    member = service.roster.members(cell)[1]
    other = service.roster.members(cell)[2]
    book = service.create(member.id, year=YEAR, actor=member)
    data = _template(member.id, service)
    with pytest.raises(NotAuthorised):
        service.register_pledges(book.id, data.pledges, actor=other)
    too_many = [attrs.evolve(data.pledges[0], id=f"p{i}") for i in range(6)]
    with pytest.raises(RulesViolated) as refused:
        service.register_pledges(book.id, too_many, actor=member)
    assert "LTGB-P002" in {v.code for v in refused.value.violations}
    assert service.get(book.id).version == 1
    assert len(service.history(book.id)) == 1


def test_only_the_cells_secretary_records_the_assessment(service: Handbooks) -> None:
    cells = sorted({m.cell_id for m in service.roster.members()})
    member = service.roster.members(cells[0])[1]
    book = service.create(member.id, year=YEAR, actor=member)
    data = _template(member.id, service)
    assert data.report is not None
    service.register_pledges(book.id, data.pledges, actor=member)
    service.report_results(book.id, data.report, actor=member, self_assessment=data.self_assessment)
    foreign = _secretary(service, cells[1])
    assessment = CollectiveAssessment(
        text="Hoàn thành tốt",
        meeting_date=dt.date(YEAR, 12, 20),
        recorded_by=foreign.id,
        recorder_name=foreign.name,
        recorder_role=Role.SECRETARY,
        rating=RatingLevel.GOOD,
    )
    with pytest.raises(NotAuthorised):
        service.record_assessment(book.id, assessment, actor=foreign)
    assert service.get(book.id).collective_assessment is None


def test_roster_import_is_all_or_nothing(service: Handbooks, tmp_path: Path) -> None:
    before = len(service.roster.members())
    members = tmp_path / "dv.csv"
    members.write_text("Mã,Họ và tên,Chi bộ\nx1,Lê An,khong-co-chi-bo\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="khong-co-chi-bo"):
        service.roster.import_files([members])
    bad = tmp_path / "bad.csv"
    bad.write_text("Mã,Họ và tên,Chi bộ,Trạng thái\nx2,Lê Bình,cb,lạ\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="cột 'Trạng thái'"):
        service.roster.import_files([EXAMPLES / "to-chuc.csv", bad])
    assert len(service.roster.members()) == before
    roster = service.roster.import_files([EXAMPLES / "to-chuc.csv", EXAMPLES / "dang-vien.csv"])
    assert len(roster.members) == 10
    assert service.roster.member("dv04").duties[0] == "Đăng ký hộ tịch"
    with pytest.raises(NotFound):
        service.roster.member("khong-co")


def test_cap_check_over_the_grassroots_organisation(service: Handbooks) -> None:
    assert service.supervision.check_cap(year=YEAR) == []


def _reported(service: Handbooks, index: int = 1) -> tuple[Handbook, Member]:
    cell = _cell(service)
    member = service.roster.members(cell)[index]
    book = service.create(member.id, year=YEAR, actor=member)
    data = _template(member.id, service)
    assert data.report is not None
    service.register_pledges(book.id, data.pledges, actor=member)
    service.report_results(book.id, data.report, actor=member, self_assessment=data.self_assessment)
    return book, member


def _assessment(recorder: Actor, rating: RatingLevel | None) -> CollectiveAssessment:
    return CollectiveAssessment(
        text="Hoàn thành các việc đăng ký",
        meeting_date=dt.date(YEAR, 12, 20),
        recorded_by=recorder.id,
        recorder_name=recorder.name,
        recorder_role=Role.SECRETARY,
        rating=rating,
    )


def test_a_member_suspended_after_the_handbook_opened_is_not_rated(service: Handbooks) -> None:
    book, member = _reported(service)
    service.roster.save([], [attrs.evolve(member, status=MemberStatus.SUSPENDED)])
    secretary = _secretary(service, member.cell_id)
    with pytest.raises(RulesViolated) as refused:
        service.record_assessment(
            book.id, _assessment(secretary, RatingLevel.EXCELLENT), actor=secretary
        )
    assert [v.code for v in refused.value.violations] == ["LTGB-A003"]
    step = service.record_assessment(book.id, _assessment(secretary, None), actor=secretary)
    assert step.handbook.member.status is MemberStatus.SUSPENDED


def test_roles_come_from_the_roster_not_from_the_caller(service: Handbooks) -> None:
    book, member = _reported(service)
    impostor = Actor(
        id="nguoi-ngoai",
        name="Người Ngoài",
        roles=(
            RoleAssignment(role=Role.SECRETARY, unit_id=member.cell_id, start=dt.date(2020, 1, 1)),
        ),
    )
    with pytest.raises(NotAuthorised):
        service.record_assessment(book.id, _assessment(impostor, RatingLevel.GOOD), actor=impostor)
    plain = service.roster.members(member.cell_id)[2]
    dressed_up = attrs.evolve(plain.as_actor(), roles=impostor.roles)
    with pytest.raises(NotAuthorised):
        service.record_assessment(
            book.id, _assessment(dressed_up, RatingLevel.GOOD), actor=dressed_up
        )
    secretary = _secretary(service, member.cell_id)
    signed_by_another = attrs.evolve(
        _assessment(secretary, RatingLevel.GOOD), recorder_name="Người Khác Ký Thay"
    )
    with pytest.raises(RulesViolated, match="Người Khác Ký Thay"):
        service.record_assessment(book.id, signed_by_another, actor=secretary)


@pytest.mark.parametrize("enforced", [False, True])
def test_the_cap_is_checked_when_the_assessment_is_recorded(
    service: Handbooks, enforced: bool
) -> None:
    service.policy = attrs.evolve(service.policy, top_rating_cap_enforced=enforced)
    book, member = _reported(service)
    secretary = _secretary(service, member.cell_id)
    excellent = _assessment(secretary, RatingLevel.EXCELLENT)
    if enforced:
        with pytest.raises(RulesViolated) as refused:
            service.record_assessment(book.id, excellent, actor=secretary)
        assert [v.code for v in refused.value.violations] == ["LTGB-C001"]
        assert service.get(book.id).status is HandbookStatus.REPORTED
    else:
        step = service.record_assessment(book.id, excellent, actor=secretary)
        assert [v.code for v in step.warnings if v.code == "LTGB-C001"] == ["LTGB-C001"]
        # the cap is the grassroots organisation's, even when one cell is asked about
        assert [v.code for v in service.supervision.check_cap(organisation_id=member.cell_id)] == [
            "LTGB-C001"
        ]


def test_a_term_long_handbook_and_a_yearly_one_do_not_collide(service: Handbooks) -> None:
    member = service.roster.members(_cell(service))[1]
    term = service.create(
        member.id,
        period=Period(start=dt.date(2021, 1, 1), end=dt.date(2025, 12, 31)),
        actor=member,
    )
    yearly = service.create(member.id, year=2021, actor=member)
    assert (term.id, yearly.id) == (f"{member.id}-2021-2025", f"{member.id}-2021")


# --- transaction() -------------------------------------------------------------------------


def test_a_transaction_fires_the_hooks_only_once_it_has_committed(
    service: Handbooks, recorder: Recorder
) -> None:
    cell = _cell(service)
    secretary = _secretary(service, cell)
    member = service.roster.members(cell)[1]
    with service.transaction():
        book = service.create(member.id, year=YEAR, actor=secretary)
        with service.transaction():  # an inner block joins the outer one
            service.register_pledges(book.id, _template(member.id, service).pledges, actor=member)
        assert service.get(book.id).version == book.version + 1  # reads see its writes
        assert recorder.seen == []
    assert recorder.seen == [("created", book.version), ("registered", book.version + 1)]


def test_a_failed_transaction_keeps_nothing_and_fires_no_hook(
    service: Handbooks, recorder: Recorder
) -> None:
    cell = _cell(service)
    secretary = _secretary(service, cell)
    before = service.find(year=YEAR)

    def stale_last() -> None:
        with service.transaction():
            service.create_for_cell(cell, year=YEAR, actor=secretary)
            member = service.roster.members(cell)[1]
            book = service.find(member_id=member.id, year=YEAR)[0]
            service.register_pledges(
                book.id, _template(member.id, service).pledges, actor=member, expected_version=9
            )

    with pytest.raises(ConflictError):
        stale_last()
    assert service.find(year=YEAR) == before == []
    assert recorder.seen == []
    book = service.create(service.roster.members(cell)[1].id, year=YEAR, actor=secretary)
    assert recorder.seen == [("created", book.version)]


def test_an_inner_block_that_fails_drops_only_its_own_hooks(
    service: Handbooks, recorder: Recorder
) -> None:
    cell = _cell(service)
    secretary = _secretary(service, cell)
    first, second = service.roster.members(cell)[1:3]

    def inner_fails() -> None:
        with service.transaction():
            service.create(second.id, year=YEAR, actor=secretary)
            raise RuntimeError("the inner block fails")

    with service.transaction():
        service.create(first.id, year=YEAR, actor=secretary)
        with pytest.raises(RuntimeError):
            inner_fails()
    assert [b.member.id for b in service.find(year=YEAR)] == [first.id]
    assert recorder.seen == [("created", 1)]


def test_a_query_of_the_wrong_kind_is_refused_not_answered_with_nothing(
    service: Handbooks,
) -> None:
    """A year given as text or a status by a name that is not one matched nothing: the
    caller read "no handbooks" where there were some."""
    cell = _cell(service)
    service.create_for_cell(cell, year=YEAR, actor=_secretary(service, cell))
    assert len(service.find(status="draft")) == len(service.find(status=HandbookStatus.DRAFT))
    for wrong, field in (
        ({"year": str(YEAR)}, "year"),
        ({"status": "nháp"}, "status"),
        ({"cell_id": 1}, "cell_id"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            service.find(**wrong)  # type: ignore[arg-type]
        assert refused.value.problems[0].path == field
        if field != "status":
            with pytest.raises(ValidationFailed):
                service.count_by_status(**wrong)  # type: ignore[arg-type]
    with pytest.raises(ValidationFailed, match="whole number"):
        service.exemplars.list(year=str(YEAR))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s, who: s.get(None), "handbook_id"),
        (lambda s, who: s.history(7), "handbook_id"),
        (lambda s, who: s.create(None, year=YEAR, actor=who), "member_id"),
        (lambda s, who: s.create_for_cell(5, year=YEAR, actor=who), "cell_id"),
        (lambda s, who: s.create(who.id, year=YEAR, actor=None), "actor"),
        (lambda s, who: s.create(who.id, year=YEAR, actor=who.id), "actor"),
    ],
)
def test_an_argument_of_the_wrong_type_is_named_not_a_raw_error(
    service: Handbooks, call: Any, field: str
) -> None:
    """An id given as None or a number, or an actor given as an id, failed deep inside with
    a TypeError or an AttributeError."""
    who = _secretary(service, _cell(service))
    with pytest.raises(ValidationFailed) as refused:
        call(service, who)
    assert refused.value.problems[0].path == field
    assert service.find() == []


def test_a_store_raising_its_own_error_on_get_is_a_store_error() -> None:
    """A plugin store raising KeyError for an unknown id leaked it raw through get and every
    step (the conformance suite catches such a store; the service guards itself too)."""
    from lamtheoguongbac import StoreError
    from lamtheoguongbac._storage import MemoryStore

    class KeyErrorStore(MemoryStore):
        def get(self, handbook_id: str) -> Handbook:
            raise KeyError(handbook_id)

    registry = create_registry(load_entrypoints=False)
    with Handbooks(KeyErrorStore(), registry=registry) as svc, pytest.raises(StoreError) as refused:
        svc.get("sotay-khong-co")
    assert "KeyError" in refused.value.message("en")
    assert "sotay-khong-co" in refused.value.message("vi")
