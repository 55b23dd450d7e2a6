"""Exemplars (gương điển hình): the values, the service's nominations and commendations, and
the SQLite migration that adds them to an existing store."""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from lamtheoguongbac import (
    Actor,
    Commendation,
    ConflictError,
    Event,
    Exemplar,
    ExemplarKind,
    Handbook,
    Handbooks,
    HandbookStatus,
    MemberStatus,
    NotAuthorised,
    NotFound,
    Outcome,
    RatingLevel,
    Role,
    RoleAssignment,
    TransitionNotAllowed,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac._exemplars import (
    achievements_from,
    nomination_from_handbook,
    with_commendation,
)
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac._storage import _migrations as migrations
from lamtheoguongbac._storage.contract import trusted_restore
from lamtheoguongbac.committee import (
    ExemplarDetails,
    ExemplarField,
    Figure,
    Locality,
    RecordAction,
    RecordEvent,
    RecordType,
)
from lamtheoguongbac.plugin import create_registry, exemplar_order
from lamtheoguongbac.serde import dumps, loads
from lamtheoguongbac.testing import (
    creation_event,
    make_exemplar,
    make_handbook,
    make_member,
    make_roster,
)

YEAR = 2025
TODAY = dt.date(2026, 1, 3)
OFFICIAL = Actor(id="ubkt-01", name="Trần Văn Bình")  # as stored in the roster below
TEXT = (
    "Được Ban Thường vụ Đảng ủy xã An Phú tặng Giấy khen theo Quyết định số 125-QĐ/ĐU "
    "ngày 05 tháng 01 năm 2026"
)


def _an_phu(**changes: Any) -> Commendation:
    fields: dict[str, Any] = {
        "authority": "Ban Thường vụ Đảng ủy xã An Phú",
        "decision_number": "125-QĐ/ĐU",
        "decided_on": dt.date(2026, 1, 5),
    }
    return Commendation(**{**fields, **changes})


# --- values --------------------------------------------------------------------------------


def test_the_commendation_reads_as_the_yearbook_writes_it() -> None:
    commendation = _an_phu()
    assert commendation.form == "Giấy khen"
    assert commendation.describe() == TEXT
    exemplar = attrs.evolve(make_exemplar(), commendation=commendation, version=2)
    assert exemplar.commended
    assert exemplar.commendation_text() == TEXT
    assert make_exemplar().commendation_text() is None


def test_an_exemplar_carries_what_a_yearbook_page_needs() -> None:
    person = make_exemplar(commended=True)
    assert person.kind_label() == "Cá nhân"
    assert person.kind_label("en") == "individual"
    assert person.cell.name.startswith("Chi bộ")
    assert person.superior is not None
    assert person.superior.name.startswith("Đảng bộ xã Tịnh Biên")
    cell = make_exemplar(ExemplarKind.COLLECTIVE)
    assert cell.kind_label() == "Tập thể"
    assert cell.name == cell.cell.name
    assert cell.member_id is None


def test_text_is_normalised_to_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Ban Thường vụ Đảng ủy xã An Phú")
    assert _an_phu(authority=nfd).authority == "Ban Thường vụ Đảng ủy xã An Phú"
    exemplar = make_exemplar(name=unicodedata.normalize("NFD", "Phạm Thị Ánh"))
    assert exemplar.name == "Phạm Thị Ánh"


def test_an_exemplar_round_trips_through_json() -> None:
    for exemplar in (make_exemplar(commended=True), make_exemplar(ExemplarKind.COLLECTIVE)):
        assert loads(Exemplar, dumps(exemplar)) == exemplar


def _individual(**changes: Any) -> Exemplar:
    return attrs.evolve(make_exemplar(), **changes)


def _collective(**changes: Any) -> Exemplar:
    return attrs.evolve(make_exemplar(ExemplarKind.COLLECTIVE), **changes)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        pytest.param(lambda: _individual(member_id=None), "Exemplar.member_id", id="no-member"),
        pytest.param(
            lambda: _collective(member_id="dv-01"), "Exemplar.member_id", id="cell-member"
        ),
        pytest.param(
            lambda: _collective(source_handbook_id="sotay-1"),
            "Exemplar.source_handbook_id",
            id="cell+handbook",
        ),
        pytest.param(lambda: _individual(organisation=()), "Exemplar.organisation", id="no-chain"),
        pytest.param(
            lambda: _individual(organisation=tuple(reversed(make_exemplar().organisation))),
            "Exemplar.organisation[1]",
            id="broken-chain",
        ),
        pytest.param(lambda: _individual(name="  "), "Exemplar.name", id="blank-name"),
        pytest.param(lambda: _individual(achievements=""), "Exemplar.achievements", id="blank"),
        pytest.param(lambda: _individual(year=1800), "Exemplar.year", id="year"),
        pytest.param(lambda: _individual(year="2025"), "Exemplar.year", id="year-as-text"),
        pytest.param(lambda: _individual(kind="nhóm"), "Exemplar.kind", id="kind"),
        pytest.param(
            lambda: _individual(nominated_on=dt.date(2024, 12, 31)),
            "Exemplar.nominated_on",
            id="nominated-before-the-year",
        ),
        pytest.param(
            lambda: _individual(commendation=_an_phu(decided_on=dt.date(2024, 6, 1))),
            "Exemplar.commendation.decided_on",
            id="commended-before-the-year",
        ),
        pytest.param(lambda: _an_phu(authority=""), "Commendation.authority", id="authority"),
        pytest.param(
            lambda: _an_phu(decision_number=" "), "Commendation.decision_number", id="decision"
        ),
        pytest.param(
            lambda: _an_phu(decided_on="05/01/2026"), "Commendation.decided_on", id="date-as-text"
        ),
        pytest.param(
            lambda: _an_phu(recorded_by="ubkt-01"), "Commendation.recorder_name", id="recorder"
        ),
    ],
)
def test_bad_values_are_refused_naming_the_field(build: Callable[[], object], field: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        build()
    assert raised.value.field == field
    assert raised.value.message_vi.startswith(field)
    assert raised.value.message_en.startswith(field)
    assert raised.value.reason_vi != raised.value.reason_en


def test_collectives_come_first_then_people_by_given_name_as_in_the_yearbook() -> None:
    names = ["Ông Văn Cường", "Âu Thị Hà", "Bùi Văn An", "Đỗ Văn Đức", "Lê An"]
    people = [make_exemplar(name=n, index=i) for i, n in enumerate(names)]
    cell = make_exemplar(ExemplarKind.COLLECTIVE, name="Chi bộ ấp Đông")
    ordered = sorted([*people, cell], key=exemplar_order)
    assert [e.name for e in ordered] == [
        "Chi bộ ấp Đông",
        "Lê An",
        "Bùi Văn An",
        "Ông Văn Cường",
        "Đỗ Văn Đức",
        "Âu Thị Hà",
    ]


def test_commending_records_who_entered_it_and_moves_the_version_on() -> None:
    exemplar = make_exemplar()
    commended = with_commendation(exemplar, _an_phu(), actor=OFFICIAL)
    assert commended.version == exemplar.version + 1
    assert commended.commendation == _an_phu(recorded_by="ubkt-01", recorder_name="Trần Văn Bình")
    with pytest.raises(TransitionNotAllowed, match="125-QĐ/ĐU") as raised:
        with_commendation(commended, _an_phu(decision_number="130-QĐ/ĐU"), actor=OFFICIAL)
    assert "already commended" in raised.value.message_en


def test_achievements_are_the_pledges_reported_done() -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    assert handbook.report is not None
    done = [r for r in handbook.report.results if r.outcome is Outcome.DONE]
    assert 0 < len(done) < len(handbook.pledges)  # the factory leaves the first one partly done
    lines = achievements_from(handbook).splitlines()
    assert len(lines) == len(done)
    pledge = handbook.pledge(done[0].pledge_id)
    assert lines[0] == f"1. {pledge.deed} — Kết quả: {done[0].achieved}"


def test_a_handbook_with_nothing_done_gives_no_achievements() -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    assert handbook.report is not None
    partly = tuple(
        attrs.evolve(r, outcome=Outcome.PARTLY_DONE, not_done="Còn dở dang")
        for r in handbook.report.results
    )
    handbook = attrs.evolve(handbook, report=attrs.evolve(handbook.report, results=partly))
    with pytest.raises(ValidationFailed) as raised:
        achievements_from(handbook)
    assert raised.value.field == "Handbook.report"
    with pytest.raises(ValidationFailed):
        nomination_from_handbook(handbook, actor=OFFICIAL, on=TODAY)


# --- the service ---------------------------------------------------------------------------


class Recorder:
    """Remembers every ``handbook_changed`` and ``exemplar_changed`` call."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.exemplars: list[tuple[str, str, int]] = []

    @hookimpl
    def handbook_changed(self, event: Event, handbook: Handbook) -> None:
        self.seen.append(handbook.id)

    @hookimpl
    def exemplar_changed(self, event: RecordEvent, exemplar: Exemplar) -> None:
        self.exemplars.append((event.action.value, exemplar.id, exemplar.version))


_BASE = make_roster(cells=2, members_per_cell=4, grassroots=1)
GRASSROOTS = _BASE.units[1].id
# A standing member of the grassroots committee, who sits in the second cell: the roster
# makes him an officer of the body that nominates and commends.
OFFICER = attrs.evolve(
    make_member(90, cell=_BASE.cell_ids[1], id="ubkt-01", full_name="Trần Văn Bình"),
    roles=(
        RoleAssignment(role=Role.STANDING_MEMBER, unit_id=GRASSROOTS, start=dt.date(2020, 1, 1)),
    ),
)
ROSTER = attrs.evolve(_BASE, members=(*_BASE.members, OFFICER))
CELL = ROSTER.cell_ids[0]
MEMBERS = [m for m in ROSTER.members if m.cell_id == CELL]
SECRETARY = MEMBERS[0]


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["memory", "sqlite"])
def service(
    request: pytest.FixtureRequest, tmp_path: Path, recorder: Recorder
) -> Iterator[Handbooks]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'st.db'}"
    registry = create_registry(load_entrypoints=False, extra_plugins=[recorder])
    clock = dt.datetime(2026, 1, 3, 8, tzinfo=dt.UTC)
    with Handbooks.open(url, registry=registry, clock=lambda: clock) as service:
        service.roster.save(ROSTER.units, ROSTER.members)
        yield service


def _stored(
    service: Handbooks,
    status: HandbookStatus,
    *,
    index: int = 1,
    rating: RatingLevel = RatingLevel.GOOD,
) -> Handbook:
    member = MEMBERS[index]
    handbook = make_handbook(
        status,
        year=YEAR,
        member=member,
        organisation=ROSTER.organisation(CELL),
        secretary=SECRETARY,
        rating=rating,
    )
    service.store.add(handbook, creation_event(handbook))
    return handbook


@pytest.mark.parametrize(
    ("status", "rating"),
    [(HandbookStatus.ASSESSED, RatingLevel.GOOD), (HandbookStatus.CLOSED, RatingLevel.EXCELLENT)],
)
def test_nominate_from_an_assessed_or_closed_handbook(
    service: Handbooks, recorder: Recorder, status: HandbookStatus, rating: RatingLevel
) -> None:
    handbook = _stored(service, status, rating=rating)
    exemplar = service.exemplars.nominate_from_handbook(handbook.id, actor=SECRETARY)
    assert exemplar.kind is ExemplarKind.INDIVIDUAL
    assert exemplar.name == handbook.member.full_name
    assert exemplar.member_id == handbook.member.id
    assert exemplar.source_handbook_id == handbook.id
    assert exemplar.organisation == handbook.organisation
    assert exemplar.achievements == achievements_from(handbook)
    assert (exemplar.nominated_by, exemplar.nominator_name) == (SECRETARY.id, SECRETARY.full_name)
    assert exemplar.nominated_on == TODAY
    assert exemplar.version == 1
    assert service.exemplars.get(exemplar.id) == exemplar
    assert recorder.seen == []  # handbook_changed is about handbooks only
    assert recorder.exemplars == [("nominated", exemplar.id, 1)]
    [event] = service.exemplars.history(exemplar.id)
    assert (event.record_type, event.action, event.actor_id) == (
        RecordType.EXEMPLAR,
        RecordAction.NOMINATED,
        SECRETARY.id,
    )


@pytest.mark.parametrize(
    ("status", "rating", "expected"),
    [
        (HandbookStatus.REPORTED, RatingLevel.GOOD, "Đã báo cáo kết quả"),
        (HandbookStatus.ASSESSED, RatingLevel.COMPLETED, "HTNV"),
        (HandbookStatus.CLOSED, RatingLevel.NOT_COMPLETED, "KHTNV"),
    ],
)
def test_nominate_from_handbook_refuses_what_does_not_qualify(
    service: Handbooks, status: HandbookStatus, rating: RatingLevel, expected: str
) -> None:
    handbook = _stored(service, status, rating=rating)
    with pytest.raises(TransitionNotAllowed, match=expected) as raised:
        service.exemplars.nominate_from_handbook(handbook.id, actor=SECRETARY)
    assert handbook.id in raised.value.message_en
    assert service.exemplars.list() == []


def test_nominate_from_an_unknown_handbook_raises_not_found(service: Handbooks) -> None:
    with pytest.raises(NotFound):
        service.exemplars.nominate_from_handbook("không-có-sổ", actor=SECRETARY)


def test_a_member_is_nominated_once_a_year(service: Handbooks) -> None:
    handbook = _stored(service, HandbookStatus.ASSESSED)
    first = service.exemplars.nominate_from_handbook(handbook.id, actor=SECRETARY)
    with pytest.raises(ConflictError, match="đã được đề cử"):
        service.exemplars.nominate(
            handbook.member.id, year=YEAR, achievements="Cứu người đuối nước", actor=SECRETARY
        )
    assert service.exemplars.list() == [first]


def test_nominate_a_member_by_hand(service: Handbooks) -> None:
    member = MEMBERS[2]
    exemplar = service.exemplars.nominate(
        member.id,
        year=YEAR,
        achievements="Hiến 200 m² đất làm đường giao thông nông thôn",
        actor=SECRETARY,
        on=dt.date(2025, 12, 22),
    )
    assert exemplar.kind is ExemplarKind.INDIVIDUAL
    assert exemplar.name == member.full_name
    assert exemplar.organisation == ROSTER.organisation(CELL)
    assert exemplar.source_handbook_id is None
    assert exemplar.nominated_on == dt.date(2025, 12, 22)
    with pytest.raises(NotFound):
        service.exemplars.nominate(
            "không-có-ai", year=YEAR, achievements="Việc tốt", actor=SECRETARY
        )


def test_a_suspended_member_is_not_nominated(service: Handbooks) -> None:
    """A suspended member is not rated (DOMAIN §4); nominating one by hand was accepted."""
    member = attrs.evolve(MEMBERS[3], status=MemberStatus.SUSPENDED)
    service.roster.save([], [member])
    with pytest.raises(ValidationFailed) as refused:
        service.exemplars.nominate(
            member.id, year=YEAR, achievements="Việc tốt", actor=SECRETARY, on=dt.date(2025, 12, 22)
        )
    assert refused.value.field == "member_id"
    assert "suspended" in refused.value.message("en")
    assert service.exemplars.list(year=YEAR) == []


def test_nominate_a_cell_as_a_collective(service: Handbooks) -> None:
    unit = ROSTER.organisation(CELL)[-1]
    exemplar = service.exemplars.nominate_collective(
        unicodedata.normalize("NFD", CELL),
        year=YEAR,
        achievements="Chi bộ 5 năm liền hoàn thành tốt nhiệm vụ",
        actor=OFFICIAL,
    )
    assert exemplar.kind is ExemplarKind.COLLECTIVE
    assert exemplar.name == unit.name
    assert exemplar.cell == unit
    assert exemplar.member_id is None
    with pytest.raises(NotFound):
        service.exemplars.nominate_collective(
            "không-có-chi-bộ", year=YEAR, achievements="x", actor=OFFICIAL
        )


def test_bad_nominations_name_the_field(service: Handbooks) -> None:
    with pytest.raises(ValidationFailed) as raised:
        service.exemplars.nominate(MEMBERS[1].id, year=YEAR, achievements="   ", actor=SECRETARY)
    assert raised.value.field == "Exemplar.achievements"
    with pytest.raises(ValidationFailed) as raised:
        service.exemplars.nominate_collective(
            CELL, year=1900, achievements="Việc tốt", actor=OFFICIAL
        )
    assert raised.value.field == "Exemplar.year"
    assert service.exemplars.list() == []


def test_commend_once(service: Handbooks) -> None:
    exemplar = service.exemplars.nominate_collective(
        CELL, year=YEAR, achievements="Chi bộ trong sạch, vững mạnh tiêu biểu", actor=OFFICIAL
    )
    commended = service.exemplars.commend(
        exemplar.id, _an_phu(), actor=OFFICIAL, expected_version=1
    )
    assert commended.version == 2
    assert commended.commendation_text() == TEXT
    assert commended.commendation is not None
    assert commended.commendation.recorded_by == OFFICIAL.id
    assert service.exemplars.get(exemplar.id) == commended
    with pytest.raises(TransitionNotAllowed, match="đã được khen thưởng"):
        service.exemplars.commend(exemplar.id, _an_phu(decision_number="130-QĐ/ĐU"), actor=OFFICIAL)
    assert service.exemplars.get(exemplar.id) == commended


@pytest.mark.parametrize(
    "named",
    [
        {"recorded_by": "dv009", "recorder_name": "Lê Thị Út"},
        {"recorded_by": "dv009", "recorder_name": OFFICIAL.name},
        {"recorded_by": OFFICIAL.id, "recorder_name": "Lê Thị Út"},
    ],
    ids=["someone else", "another id", "another name"],
)
def test_a_commendation_naming_another_recorder_is_refused_not_rewritten(
    service: Handbooks, named: dict[str, str]
) -> None:
    """As an assessment naming another recorder is (finding F17): nobody signs for someone
    else, and the data cannot say who did."""
    exemplar = service.exemplars.nominate_collective(
        CELL, year=YEAR, achievements="Chi bộ trong sạch, vững mạnh tiêu biểu", actor=OFFICIAL
    )
    with pytest.raises(NotAuthorised) as refused:
        service.exemplars.commend(exemplar.id, _an_phu(**named), actor=OFFICIAL)
    assert refused.value.code == "LTGB-G001"
    assert "nobody signs for someone else" in refused.value.message("en")
    assert "không ai được ký thay người khác" in refused.value.message("vi")
    assert service.exemplars.get(exemplar.id) == exemplar
    with pytest.raises(NotAuthorised, match="không ai được ký thay"):
        with_commendation(exemplar, _an_phu(**named), actor=OFFICIAL)


def test_a_commendation_naming_the_caller_as_recorder_is_recorded(service: Handbooks) -> None:
    exemplar = service.exemplars.nominate_collective(
        CELL, year=YEAR, achievements="Chi bộ trong sạch, vững mạnh tiêu biểu", actor=OFFICIAL
    )
    own = _an_phu(recorded_by=OFFICIAL.id, recorder_name=OFFICIAL.name)
    commended = service.exemplars.commend(exemplar.id, own, actor=OFFICIAL)
    assert commended.commendation is not None
    assert commended.commendation.recorded_by == OFFICIAL.id
    assert commended.commendation.recorder_name == OFFICIAL.name


def test_a_stale_commend_raises_conflict(service: Handbooks) -> None:
    exemplar = service.exemplars.nominate(
        MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=SECRETARY
    )
    service.exemplars.commend(exemplar.id, _an_phu(), actor=OFFICIAL)
    with pytest.raises(ConflictError, match="phiên bản 2"):
        service.exemplars.commend(
            exemplar.id, _an_phu(decision_number="130-QĐ/ĐU"), actor=OFFICIAL, expected_version=1
        )
    stored = service.exemplars.get(exemplar.id)
    assert stored.commendation is not None
    assert stored.commendation.decision_number == "125-QĐ/ĐU"


def test_commend_before_the_year_is_refused(service: Handbooks) -> None:
    exemplar = service.exemplars.nominate(
        MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=SECRETARY
    )
    with pytest.raises(ValidationFailed) as raised:
        service.exemplars.commend(
            exemplar.id, _an_phu(decided_on=dt.date(2024, 1, 5)), actor=OFFICIAL
        )
    assert raised.value.field == "Exemplar.commendation.decided_on"
    assert service.exemplars.get(exemplar.id) == exemplar


def test_exemplars_by_year_and_organisation(service: Handbooks) -> None:
    other_cell = ROSTER.cell_ids[1]
    here = service.exemplars.nominate(
        MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=OFFICIAL
    )
    there = service.exemplars.nominate_collective(
        other_cell, year=YEAR, achievements="Tập thể tiêu biểu", actor=OFFICIAL
    )
    last_year = service.exemplars.nominate(
        MEMBERS[2].id, year=2024, achievements="Việc tốt", actor=OFFICIAL
    )
    assert service.exemplars.list() == [last_year, there, here]
    assert service.exemplars.list(YEAR) == [there, here]
    assert service.exemplars.list(organisation_id=CELL) == [last_year, here]
    assert service.exemplars.list(year=YEAR, organisation_id=other_cell) == [there]
    assert service.exemplars.list(organisation_id=ROSTER.units[0].id) == [last_year, there, here]


# --- the SQLite migration ------------------------------------------------------------------


def test_a_store_made_before_exemplars_opens_and_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "so-tay-cu.db"
    handbook = make_handbook(HandbookStatus.CLOSED, rating=RatingLevel.EXCELLENT)
    with monkeypatch.context() as old_release:
        old_release.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:1])
        old_release.setattr(migrations, "SCHEMA_VERSION", 1)
        with SqliteStore(path) as store, trusted_restore():  # the old file's data, restored
            store.add(handbook, creation_event(handbook))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    assert not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'exemplars'").fetchone()
    conn.close()

    with Handbooks.open(
        f"sqlite:///{path}", registry=create_registry(load_entrypoints=False)
    ) as service:
        assert service.get(handbook.id) == handbook
        officer = attrs.evolve(
            make_member(90, cell=handbook.cell.id, id="ubkt-01"),
            roles=(
                RoleAssignment(
                    role=Role.STANDING_MEMBER,
                    unit_id=handbook.grassroots.id,
                    start=dt.date(2020, 1, 1),
                ),
            ),
        )
        service.roster.save(handbook.organisation, [officer])
        exemplar = service.exemplars.nominate_from_handbook(handbook.id, actor=OFFICIAL, on=TODAY)
        service.exemplars.commend(exemplar.id, _an_phu(), actor=OFFICIAL)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION == 3
    conn.close()
    with SqliteStore(path) as store:
        [stored] = store.exemplars(year=handbook.year, organisation_id=handbook.grassroots.id)
        assert stored.commendation_text() == TEXT
        assert store.events(handbook.id) == [creation_event(handbook)]


# --- who may nominate and commend (LTGB-E001, LTGB-E002, LTGB-E003) --------------------------


def test_an_ordinary_member_may_neither_nominate_nor_commend(
    service: Handbooks, recorder: Recorder
) -> None:
    ordinary = MEMBERS[2]
    with pytest.raises(NotAuthorised) as refused:
        service.exemplars.nominate(ordinary.id, year=YEAR, achievements="Việc tốt", actor=ordinary)
    assert refused.value.code == "LTGB-E001"
    exemplar = service.exemplars.nominate(
        ordinary.id, year=YEAR, achievements="Việc tốt", actor=SECRETARY
    )
    with pytest.raises(NotAuthorised) as refused:
        service.exemplars.commend(exemplar.id, _an_phu(), actor=ordinary)
    assert refused.value.code == "LTGB-E002"
    # A cell's Bí thư is no officer of the grassroots committee that awards a Giấy khen.
    with pytest.raises(NotAuthorised):
        service.exemplars.commend(exemplar.id, _an_phu(body_id=GRASSROOTS), actor=SECRETARY)
    assert service.exemplars.get(exemplar.id).commendation is None
    assert [a for a, _, _ in recorder.exemplars] == ["nominated"]


def test_roles_claimed_by_someone_outside_the_roster_are_not_trusted(service: Handbooks) -> None:
    claimed = Actor(
        id="khach",
        name="Người ngoài",
        roles=(RoleAssignment(role=Role.STANDING_MEMBER, unit_id=GRASSROOTS, start=TODAY),),
    )
    with pytest.raises(NotAuthorised):
        service.exemplars.nominate_collective(
            CELL, year=YEAR, achievements="Tập thể tốt", actor=claimed
        )


def test_the_commendation_is_an_event_and_names_its_body(
    service: Handbooks, recorder: Recorder
) -> None:
    exemplar = service.exemplars.nominate(
        MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=OFFICIAL
    )
    commended = service.exemplars.commend(exemplar.id, _an_phu(), actor=OFFICIAL)
    assert commended.commendation is not None
    assert commended.commendation.body_id == GRASSROOTS  # where the recorder is an officer
    _nominated, recorded = service.exemplars.history(exemplar.id)
    assert recorded.action is RecordAction.COMMENDED
    assert recorded.version == 2
    assert recorded.note is not None
    assert "125-QĐ/ĐU" in recorded.note
    assert recorder.exemplars[-1] == ("commended", exemplar.id, 2)


def test_an_awarding_body_outside_the_chain_is_refused(service: Handbooks) -> None:
    exemplar = service.exemplars.nominate(
        MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=OFFICIAL
    )
    with pytest.raises(ValidationFailed) as refused:
        service.exemplars.commend(exemplar.id, _an_phu(body_id=ROSTER.cell_ids[1]), actor=OFFICIAL)
    assert refused.value.code == "LTGB-E003"
    assert refused.value.field == "Commendation.body_id"


def test_a_refused_step_inside_a_transaction_fires_no_hook(
    service: Handbooks, recorder: Recorder
) -> None:
    def nominate_then_fail() -> None:
        with service.transaction():
            service.exemplars.nominate(
                MEMBERS[1].id, year=YEAR, achievements="Việc tốt", actor=OFFICIAL
            )
            raise RuntimeError("huỷ")

    with pytest.raises(RuntimeError):
        nominate_then_fail()
    assert recorder.exemplars == []
    assert service.exemplars.list() == []


# --- exemplars among the people ------------------------------------------------------------


ROAD = ExemplarDetails(
    field=ExemplarField.NEW_RURAL,
    locality=Locality(hamlet="Ấp Tân Lợi", commune="xã Tịnh Biên"),
    figures=(
        Figure(amount=50_000_000, unit="đồng", what="tiền mặt"),  # type: ignore[arg-type]
        Figure(amount=120, unit="ngày công"),  # type: ignore[arg-type]
        Figure(amount=350, unit="m", what="đường bê tông"),  # type: ignore[arg-type]
    ),
    proposed_by="Ban Công tác Mặt trận ấp Tân Lợi",
    evidence=("Biên bản họp dân ấp Tân Lợi ngày 12/10/2025",),
)


def test_a_household_outside_the_party_is_nominated_and_commended(
    service: Handbooks, recorder: Recorder
) -> None:
    household = service.exemplars.nominate_outside_party(
        "Hộ ông Trần Văn Ba",
        kind=ExemplarKind.COLLECTIVE,
        organisation_id=CELL,
        year=YEAR,
        achievements="Hiến 200 m² đất và góp tiền, ngày công làm đường giao thông nông thôn",
        details=ROAD,
        actor=SECRETARY,
    )
    assert household.id == f"tap_the-{YEAR}-{CELL}-ho-ong-tran-van-ba"
    assert not household.party
    assert household.member_id is None
    assert household.cell.id == CELL
    assert household.details.figures[0].describe() == "50.000.000 đồng tiền mặt"
    assert household.details.locality is not None
    assert household.details.locality.describe() == "Ấp Tân Lợi, xã Tịnh Biên"
    commended = service.exemplars.commend(household.id, _an_phu(), actor=OFFICIAL)
    assert commended.commendation_text() == TEXT
    assert service.exemplars.get(household.id) == commended
    assert loads(Exemplar, dumps(commended)) == commended
    assert [a for a, _, _ in recorder.exemplars] == ["nominated", "commended"]
    with pytest.raises(ConflictError):
        service.exemplars.nominate_outside_party(
            "Hộ ông Trần Văn Ba",
            kind=ExemplarKind.COLLECTIVE,
            organisation_id=CELL,
            year=YEAR,
            achievements="x",
            actor=SECRETARY,
        )


def test_a_citizen_outside_the_party_has_no_member_id() -> None:
    citizen = attrs.evolve(make_exemplar(), member_id=None, party=False)
    assert not citizen.unit_is_subject
    with pytest.raises(ValidationFailed) as refused:
        attrs.evolve(citizen, member_id="dv-01")
    assert refused.value.field == "Exemplar.member_id"


def test_a_version_1_exemplar_document_still_reads() -> None:
    exemplar = make_exemplar(commended=True)
    doc = dumps(exemplar)
    import json

    old = json.loads(doc)
    old["schema_version"] = 1
    del old["party"], old["details"]
    del old["commendation"]["body_id"]
    assert loads(Exemplar, json.dumps(old)) == exemplar


def test_details_refuse_bad_values() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Locality()
    assert refused.value.field == "Locality"
    with pytest.raises(ValidationFailed) as refused:
        Figure(amount=-1, unit="đồng")  # type: ignore[arg-type]
    assert refused.value.field == "Figure.amount"


def test_names_with_no_latin_letter_get_ids_of_their_own(service: Handbooks) -> None:
    """Both got the id "ca_nhan-2025-<cell>-", and the second was refused as "already
    nominated"."""
    first, second = (
        service.exemplars.nominate_outside_party(
            name,
            kind=ExemplarKind.INDIVIDUAL,
            organisation_id=CELL,
            year=YEAR,
            achievements="Giúp đỡ bà con vùng lũ",
            actor=SECRETARY,
        )
        for name in ("李", "王")
    )
    assert first.id != second.id
    assert not first.id.endswith("-")
    assert [e.name for e in service.exemplars.list(year=YEAR)] == sorted(["李", "王"])
