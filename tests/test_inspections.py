"""Inspections (kiểm tra, giám sát): values, suggestions from the rules, the service facet with
its authorisation and audit trail, and the roll-up and report figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest

from lamtheoguongbac import (
    Handbooks,
    HandbookStatus,
    NotAuthorised,
    Role,
    RoleAssignment,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac.committee import (
    Finding,
    FindingKind,
    Inspection,
    InspectionScope,
    RecordAction,
    RecordEvent,
    Request,
    RequestStatus,
    ScopeKind,
    summarise_inspections,
)
from lamtheoguongbac.export import build_report_context
from lamtheoguongbac.export._report import REPORT_SCHEMA
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.rules import Policy
from lamtheoguongbac.testing import (
    creation_event,
    make_handbook,
    make_inspection,
    make_member,
    make_roster,
)

YEAR = 2025
NOW = dt.datetime(2025, 7, 1, 8, tzinfo=dt.UTC)
DAY = NOW.date()

_BASE = make_roster(cells=2, members_per_cell=4, grassroots=1)
ROOT, GRASSROOTS = _BASE.units[0].id, _BASE.units[1].id
CELL, OTHER_CELL = _BASE.cell_ids
OFFICER = attrs.evolve(
    make_member(90, cell=OTHER_CELL, id="ubkt-01", full_name="Trần Văn Bình"),
    roles=(
        RoleAssignment(role=Role.SUPPORT_OFFICER, unit_id=GRASSROOTS, start=dt.date(2020, 1, 1)),
    ),
)
ROSTER = attrs.evolve(_BASE, members=(*_BASE.members, OFFICER))
MEMBERS = [m for m in ROSTER.members if m.cell_id == CELL]
SECRETARY = MEMBERS[0]
GENERIC = "Thực hiện tốt nhiệm vụ được giao"


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str, int]] = []

    @hookimpl
    def inspection_changed(self, event: RecordEvent, inspection: Inspection) -> None:
        self.seen.append((event.action.value, inspection.id, inspection.version))


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture(params=["memory", "sqlite"])
def service(
    request: pytest.FixtureRequest, tmp_path: Path, recorder: Recorder
) -> Iterator[Handbooks]:
    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'kt.db'}"
    registry = create_registry(load_entrypoints=False, extra_plugins=[recorder])
    with Handbooks.open(url, registry=registry, clock=lambda: NOW) as hb:
        hb.roster.save(ROSTER.units, ROSTER.members)
        # dv001 registered with one generic pledge; dv002 reported, not assessed (late by
        # the assessment deadline? no: it is only July) — dv003 has no handbook at all.
        generic = make_handbook(
            HandbookStatus.REGISTERED,
            member=MEMBERS[1],
            organisation=ROSTER.organisation(CELL),
            year=YEAR,
        )
        pledge = attrs.evolve(generic.pledges[0], deed=GENERIC, target=None, deadline=None)
        generic = attrs.evolve(generic, pledges=(pledge, *generic.pledges[1:]))
        hb.store.add(generic, creation_event(generic))
        good = make_handbook(
            HandbookStatus.REGISTERED,
            member=MEMBERS[2],
            organisation=ROSTER.organisation(CELL),
            year=YEAR,
        )
        hb.store.add(good, creation_event(good))
        yield hb


def _cell_scope() -> InspectionScope:
    return InspectionScope(kind=ScopeKind.CELL, unit_id=CELL)


def test_the_scope_resolves_to_cells_and_their_handbooks(service: Handbooks) -> None:
    [cell] = service.inspections.cells(_cell_scope(), year=YEAR)
    assert cell.cell.id == CELL
    assert sorted(cell.handbook_ids) == sorted(h.id for h in service.find(cell_id=CELL))
    subtree = InspectionScope(kind=ScopeKind.SUBTREE, unit_id=GRASSROOTS)
    assert {c.cell.id for c in service.inspections.cells(subtree, year=YEAR)} == {
        CELL,
        OTHER_CELL,
    }
    one = service.find(cell_id=CELL)[0]
    chosen = InspectionScope(kind=ScopeKind.HANDBOOKS, handbook_ids=(one.id,))
    [only] = service.inspections.cells(chosen, year=YEAR)
    assert only.handbook_ids == (one.id,)
    with pytest.raises(ValidationFailed):
        service.inspections.cells(chosen, year=2024)


def test_suggestions_come_from_what_the_rules_know(service: Handbooks) -> None:
    drafts = service.inspections.suggest(_cell_scope(), year=YEAR)
    kinds = [f.kind for f in drafts]
    assert kinds == ["dang_ky_chung_chung", "chua_dang_ky"]
    generic, late = drafts
    assert GENERIC in generic.text
    assert generic.handbook_id == f"sotay-{YEAR}-{MEMBERS[1].id}"
    # The Bí thư and the member without a handbook are late to register (deadline 02/03).
    assert MEMBERS[3].full_name in late.text
    assert [r.due for f in drafts for r in f.requests] == [DAY + dt.timedelta(days=30)] * 2


def test_an_officer_records_and_the_cell_secretary_follows_up(
    service: Handbooks, recorder: Recorder
) -> None:
    drafts = service.inspections.suggest(_cell_scope(), year=YEAR)
    done = service.inspections.record(
        scope=_cell_scope(),
        year=YEAR,
        findings=drafts,
        actor=OFFICER,
        conclusion="Chi bộ cần chấn chỉnh việc đăng ký",
    )
    assert done.id == f"kt-20250701-{CELL}"
    assert done.unit.id == GRASSROOTS  # the nearest body above where the officer serves
    assert (done.recorded_by, done.version) == (OFFICER.id, 1)
    assert service.inspections.get(done.id) == done
    assert service.inspections.list(year=YEAR, organisation_id=ROOT) == [done]
    followed = service.inspections.follow_up(
        done.id, "y1", text="Đồng chí đã đăng ký lại cụ thể", done=True, actor=SECRETARY
    )
    _, request = followed.request("y1")
    assert request.done
    assert request.follow_ups[0].recorder_role is Role.SECRETARY
    assert request.status(DAY) is RequestStatus.DONE
    assert followed.request("y2")[1].status(DAY) is RequestStatus.OPEN
    assert followed.request("y2")[1].status(DAY + dt.timedelta(days=31)) is RequestStatus.OVERDUE
    history = service.inspections.history(done.id)
    assert [e.action for e in history] == [RecordAction.INSPECTED, RecordAction.FOLLOWED_UP]
    assert [e.actor_id for e in history] == [OFFICER.id, SECRETARY.id]
    assert recorder.seen == [("inspected", done.id, 1), ("followed_up", done.id, 2)]
    with pytest.raises(ValidationFailed):
        service.inspections.follow_up(done.id, "y1", text="lần nữa", done=True, actor=SECRETARY)


def test_only_officers_of_the_body_record_and_only_the_cell_follows_up(
    service: Handbooks, recorder: Recorder
) -> None:
    with pytest.raises(NotAuthorised) as refused:
        service.inspections.record(scope=_cell_scope(), year=YEAR, findings=[], actor=MEMBERS[2])
    assert refused.value.code == "LTGB-K001"
    # A cell's own Bí thư does not inspect the cell.
    with pytest.raises(NotAuthorised):
        service.inspections.record(scope=_cell_scope(), year=YEAR, findings=[], actor=SECRETARY)
    with pytest.raises(NotAuthorised):
        service.inspections.record(
            scope=_cell_scope(), year=YEAR, findings=[], actor=SECRETARY, body_id=GRASSROOTS
        )
    done = service.inspections.record(
        scope=_cell_scope(),
        year=YEAR,
        findings=service.inspections.suggest(_cell_scope(), year=YEAR),
        actor=OFFICER,
    )
    with pytest.raises(NotAuthorised) as refused:
        service.inspections.follow_up(done.id, "y1", text="x", done=True, actor=MEMBERS[2])
    assert refused.value.code == "LTGB-K002"
    with pytest.raises(NotAuthorised):  # an officer above is not the cell's secretary
        service.inspections.follow_up(done.id, "y1", text="x", done=True, actor=OFFICER)
    assert [a for a, _, _ in recorder.seen] == ["inspected"]


def test_finding_kinds_are_checked_and_a_policy_adds_its_own(
    tmp_path: Path, service: Handbooks
) -> None:
    finding = Finding(
        id="f1",
        kind="so_tay_dep",
        text="Sổ trình bày đẹp",
        cell_id=CELL,
        requests=(Request(id="y1", text="Nhân rộng", due=DAY),),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.inspections.record(
            scope=_cell_scope(), year=YEAR, findings=[finding], actor=OFFICER
        )
    assert refused.value.code == "LTGB-K003"
    assert refused.value.field == "findings[0].kind"
    extra = FindingKind(code="so_tay_dep", label_vi="Sổ trình bày đẹp", label_en="neat book")
    policy = Policy(finding_kinds=(extra,))
    with Handbooks.open(
        "memory:", registry=create_registry(load_entrypoints=False), policy=policy
    ) as other:
        other.roster.save(ROSTER.units, ROSTER.members)
        stored = other.inspections.record(
            scope=_cell_scope(), year=YEAR, findings=[finding], actor=OFFICER, on=DAY
        )
        assert stored.findings[0].kind == "so_tay_dep"
        assert other.inspections.kinds()[-1] == extra
    with pytest.raises(ValidationFailed):
        Policy(finding_kinds=(extra, extra)).inspection_kinds()
    # A catalog's JSON gives kinds as objects.
    given = {"code": "so_tay_dep", "label_vi": "Sổ trình bày đẹp", "label_en": "neat book"}
    assert Policy(finding_kinds=[given]).finding_kinds == (extra,)  # type: ignore[list-item]
    with pytest.raises(ValidationFailed) as refused:
        Policy(finding_kinds=[{"code": "x", "mau": "đỏ"}])  # type: ignore[list-item]
    assert refused.value.field == "Policy.finding_kinds[0]"


def test_a_finding_outside_the_scope_or_a_deadline_before_the_inspection_is_refused(
    service: Handbooks,
) -> None:
    outside = Finding(id="f1", kind="khac", text="x", cell_id=OTHER_CELL)
    with pytest.raises(ValidationFailed) as refused:
        service.inspections.record(
            scope=_cell_scope(), year=YEAR, findings=[outside], actor=OFFICER
        )
    assert refused.value.field == "Inspection.findings[0].cell_id"
    early = Finding(
        id="f1",
        kind="khac",
        text="x",
        cell_id=CELL,
        requests=(Request(id="y1", text="y", due=DAY - dt.timedelta(days=1)),),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.inspections.record(scope=_cell_scope(), year=YEAR, findings=[early], actor=OFFICER)
    assert refused.value.field == "Inspection.findings[0].requests[0].due"
    assert service.inspections.list() == []


def test_the_rollup_and_the_report_show_inspections(service: Handbooks) -> None:
    done = service.inspections.record(
        scope=_cell_scope(),
        year=YEAR,
        findings=service.inspections.suggest(_cell_scope(), year=YEAR),
        actor=OFFICER,
    )
    service.inspections.follow_up(done.id, "y1", text="Đã sửa", done=True, actor=SECRETARY)
    figures = service.supervision.rollup(organisation_id=GRASSROOTS, year=YEAR, today=DAY)
    summary = figures.inspection
    assert summary is not None
    assert (summary.cells, summary.findings, summary.requests) == (1, 2, 2)
    assert (summary.requests_done, summary.requests_open) == (1, 1)
    assert figures.to_dict()["inspection"]["requests_done"] == 1
    context = build_report_context(figures)
    section = context["inspection"]
    assert section["count"] == 1
    assert section["handbooks"] == 2
    assert {k["code"]: k["count"] for k in section["kinds"]}["dang_ky_chung_chung"] == 1
    first = section["entries"][0]
    assert first["requests"][0]["status"] == "Đã khắc phục"
    assert "Đã sửa" in first["requests"][0]["follow_up"]
    assert "1 đã khắc phục" in " ".join(section["summary"])
    assert context["charts"]["findings"]["categories"]
    assert context["charts"]["requests"]["categories"] == [ROSTER.organisation(CELL)[-1].name]
    assert set(REPORT_SCHEMA["inspection"]) == set(section)  # type: ignore[arg-type]


def test_summaries_count_only_the_cells_under_the_organisation() -> None:
    roster = make_roster(cells=2, members_per_cell=1, grassroots=2)
    inspection = make_inspection(
        cells=[roster.organisation(c) for c in roster.cell_ids][:1], followed_up=True
    )
    one = summarise_inspections([inspection], today=dt.date(2025, 8, 1))
    assert (one.cells, one.findings, one.requests_done) == (1, 1, 1)
    none = summarise_inspections([inspection], today=DAY, organisation_id="db-01")
    assert (none.cells, none.findings) == (0, 0)


def test_follow_ups_cannot_come_with_the_inspection(service: Handbooks) -> None:
    """A findings file could carry follow-ups "signed" by anyone: the cell's Bí thư records
    them afterwards, as themselves (LTGB-K002), and the audit trail says so."""
    from lamtheoguongbac.committee import FollowUp

    forged = FollowUp(
        text="xong",
        on=DAY,
        done=True,
        recorded_by="dv-khac",
        recorder_name="Ai đó",
        recorder_role=Role.SECRETARY,
    )
    finding = Finding(
        id="f1",
        kind=service.inspections.kinds()[0].code,
        text="Sổ chưa ghi kết quả",
        cell_id=CELL,
        requests=(Request(id="y1", text="Bổ sung", due=DAY, follow_ups=(forged,)),),
    )
    with pytest.raises(ValidationFailed) as refused:
        service.inspections.record(
            scope=_cell_scope(), year=YEAR, findings=[finding], actor=OFFICER, on=DAY
        )
    assert refused.value.field == "findings[0].requests[0].follow_ups"
    assert service.inspections.list(year=YEAR) == []


def test_a_follow_up_dated_in_the_future_is_refused(service: Handbooks) -> None:
    """Accepted, it closed the request "done on 15/06/2099" and locked it; and the office
    was judged on a day to come."""
    recorded = service.inspections.record(
        scope=_cell_scope(),
        year=YEAR,
        findings=service.inspections.suggest(_cell_scope(), year=YEAR),
        actor=OFFICER,
        on=DAY,
    )
    request = recorded.findings[0].requests[0]
    with pytest.raises(ValidationFailed) as refused:
        service.inspections.follow_up(
            recorded.id,
            request.id,
            text="xong",
            done=True,
            actor=SECRETARY,
            on=DAY + dt.timedelta(days=1),
        )
    assert refused.value.field == "on"
    assert not service.inspections.get(recorded.id).request(request.id)[1].done
