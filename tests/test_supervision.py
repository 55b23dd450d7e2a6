"""Roll-ups checked against a small organisation whose figures are worked out by hand."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import attrs
import pytest

from lamtheoguongbac import (
    Handbook,
    Handbooks,
    HandbookStatus,
    Member,
    MemberStatus,
    OrgUnit,
    Pledge,
    RatingLevel,
    Role,
)
from lamtheoguongbac._rollup import is_specific, summarise, year_members
from lamtheoguongbac._storage import MemoryStore
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.rules import DEFAULT_POLICY, Policy, TopRatingCap
from lamtheoguongbac.supervision import Figures, RatingCounts, ReminderStage, Rollup
from lamtheoguongbac.testing import creation_event, make_handbook, make_member

S = HandbookStatus
R = RatingLevel
YEAR = 2025
#: After every deadline of 2025 under the default policy (registration 02/03/2025, report
#: 31/12/2025, assessment 31/01/2026).
TODAY = dt.date(2026, 2, 10)

ROOT = OrgUnit(id="tinh", name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh")
GRASSROOTS = OrgUnit(
    id="xa", name="Đảng bộ xã An Phú", level="Đảng bộ cơ sở", parent_id="tinh", grassroots=True
)
# Plain sorted() would put "Bình" before "Ánh"; Vietnamese order is Ánh < Bình < Cây.
CELL_A = OrgUnit(id="cb-a", name="Chi bộ ấp Bình Hòa", level="Chi bộ", parent_id="xa")
CELL_B = OrgUnit(id="cb-b", name="Chi bộ ấp Ánh Dương", level="Chi bộ", parent_id="xa")
CELL_C = OrgUnit(id="cb-c", name="Chi bộ ấp Cây Dương", level="Chi bộ", parent_id="xa")
UNITS = (ROOT, GRASSROOTS, CELL_A, CELL_B, CELL_C)

GENERIC = Pledge(id="viec-chung", deed="Thực hiện tốt nhiệm vụ được giao")

# Cell A, member by member: (status, rating given at assessment); None: no handbook.
CELL_A_PLAN: tuple[tuple[S, R] | None, ...] = (
    (S.ASSESSED, R.EXCELLENT),  # 0, the Bí thư
    (S.ASSESSED, R.EXCELLENT),
    (S.ASSESSED, R.GOOD),
    (S.CLOSED, R.GOOD),  # closed still counts as registered, reported and assessed
    (S.ASSESSED, R.GOOD),
    (S.ASSESSED, R.COMPLETED),
    (S.REPORTED, R.GOOD),  # late for the assessment (due 31/01/2026)
    (S.REGISTERED, R.GOOD),  # late to report (due 31/12/2025); gets one generic pledge too
    (S.DRAFT, R.GOOD),  # late to register (due 02/03/2025)
    None,  # exempt from party work: a member, never chased
)


def _chain(cell: OrgUnit) -> tuple[OrgUnit, ...]:
    return (ROOT, GRASSROOTS, cell)


def _members(cell: OrgUnit, count: int, start: int) -> list[Member]:
    return [
        make_member(
            start + i,
            cell=cell.id,
            id=f"{cell.id}-{i:02d}",
            role=Role.SECRETARY if i == 0 else None,
        )
        for i in range(count)
    ]


@attrs.frozen
class Org:
    members: tuple[Member, ...]
    handbooks: tuple[Handbook, ...]


@pytest.fixture(scope="module")
def org() -> Org:
    a = _members(CELL_A, 10, 0)
    a[9] = attrs.evolve(a[9], status=MemberStatus.EXEMPT)
    b = _members(CELL_B, 3, 20)
    books = []
    for member, plan in zip(a, CELL_A_PLAN, strict=True):
        if plan is None:
            continue
        status, rating = plan
        hb = make_handbook(
            status, member=member, organisation=_chain(CELL_A), secretary=a[0], rating=rating
        )
        if status is S.REGISTERED:
            hb = attrs.evolve(hb, pledges=(*hb.pledges, GENERIC))
        books.append(hb)
    books += [
        make_handbook(S.ASSESSED, member=m, organisation=_chain(CELL_B), secretary=b[0]) for m in b
    ]
    return Org(members=tuple(a + b), handbooks=tuple(books))


def _summary(
    org: Org, organisation: OrgUnit = GRASSROOTS, policy: Policy = DEFAULT_POLICY
) -> Rollup:
    return summarise(
        organisation=organisation,
        units=[u for u in UNITS if u is organisation or u.parent_id == organisation.id],
        members=org.members,
        handbooks=org.handbooks,
        policy=policy,
        year=YEAR,
        today=TODAY,
    )


def test_the_figures_of_a_cell_match_the_hand_count(org: Org) -> None:
    cells = {c.cell_id: c.figures for c in _summary(org).cells}
    assert cells["cb-a"] == Figures(
        members=10,
        handbooks=9,
        registered=8,
        reported=7,
        assessed=6,
        overdue_registration=1,
        overdue_report=1,
        overdue_assessment=1,
        pledges=17,  # 8 registered handbooks × 2 pledges + the generic one
        specific_pledges=16,
        # not rated: the exempt member (by rule) and three the cell has not assessed yet
        ratings=RatingCounts(
            excellent=2,
            good=3,
            completed=1,
            not_completed=0,
            not_rated=4,
            not_rated_by_rule=1,
            not_assessed=3,
        ),
    )
    assert cells["cb-a"].ratings.assessed_unrated == 0
    assert cells["cb-a"].overdue == 3
    assert cells["cb-a"].specific_share == pytest.approx(16 / 17)
    assert cells["cb-a"].ratings.total == 10
    assert cells["cb-c"] == Figures()
    assert cells["cb-c"].specific_share is None


def test_the_total_adds_the_cells_up(org: Org) -> None:
    total = _summary(org).total
    assert (total.members, total.handbooks, total.registered, total.assessed) == (13, 12, 11, 9)
    assert total.ratings == RatingCounts(
        excellent=2, good=6, completed=1, not_rated=4, not_rated_by_rule=1, not_assessed=3
    )
    assert (total.pledges, total.specific_pledges) == (23, 22)


def test_cells_are_sorted_in_vietnamese_order(org: Org) -> None:
    names = [c.cell_name for c in _summary(org).cells]
    assert names == ["Chi bộ ấp Ánh Dương", "Chi bộ ấp Bình Hòa", "Chi bộ ấp Cây Dương"]
    assert sorted(names) != names  # what plain code-point order would have given


def test_the_top_rating_cap_is_checked_per_grassroots_organisation(org: Org) -> None:
    (cap,) = _summary(org).caps
    # 2 excellent against 20% of the 6 rated good: at most 1.
    assert (cap.organisation_id, cap.top_count, cap.base_count, cap.allowed) == ("xa", 2, 6, 1)
    assert cap.exceeded
    loose = attrs.evolve(DEFAULT_POLICY, top_rating_cap=TopRatingCap(ratio="0.5"))
    assert not _summary(org, policy=loose).caps_exceeded
    assert _summary(org, policy=attrs.evolve(DEFAULT_POLICY, top_rating_cap=None)).caps == ()


def test_before_the_deadlines_nobody_is_overdue(org: Org) -> None:
    early = summarise(
        organisation=GRASSROOTS,
        units=UNITS,
        members=org.members,
        handbooks=org.handbooks,
        policy=DEFAULT_POLICY,
        year=YEAR,
        today=dt.date(2025, 2, 1),
    )
    assert early.total.overdue == 0


def test_a_subtree_is_rolled_up_on_its_own(org: Org) -> None:
    only_b = _summary(org, organisation=CELL_B)
    assert [c.cell_id for c in only_b.cells] == ["cb-b"]
    assert only_b.total.members == 3


def test_table_and_json(org: Org) -> None:
    summary = _summary(org)
    headers, rows = summary.table()
    assert headers[0] == "Chi bộ"
    assert headers[-1] == "Việc cụ thể"
    assert rows[-1][0] == "Tổng cộng"
    assert rows[-1][1] == 13
    assert summary.table("en")[0][0] == "Cell"
    data = json.loads(json.dumps(summary.to_dict(), ensure_ascii=False))
    assert data["organisation"] == {"id": "xa", "name": "Đảng bộ xã An Phú"}
    a = next(c for c in data["cells"] if c["cell_id"] == "cb-a")
    assert a["ratings"] == {
        "HTXSNV": 2,
        "HTTNV": 3,
        "HTNV": 1,
        "KHTNV": 0,
        "not_rated": 4,
        "not_rated_by_rule": 1,
        "not_assessed": 3,
        "assessed_unrated": 0,
    }
    assert a["overdue"] == {"register": 1, "report": 1, "assess": 1}
    assert data["caps"][0]["exceeded"] is True
    assert data["total"]["specific_share"] == round(22 / 23, 4)


def test_exempt_members_count_as_not_rated_by_rule_only_when_the_policy_says_so(org: Org) -> None:
    strict = Policy(exempt_rating="required")
    a = next(c for c in _summary(org, policy=strict).cells if c.cell_id == "cb-a")
    assert (a.figures.ratings.not_rated_by_rule, a.figures.ratings.not_assessed) == (0, 4)


def test_is_specific_judges_as_the_registration_rule() -> None:
    assert not is_specific(GENERIC)
    hb = make_handbook(S.REGISTERED)
    assert all(is_specific(p) for p in hb.pledges)


def test_a_member_who_moved_counts_in_the_cell_of_their_handbook(org: Org) -> None:
    hb = org.handbooks[0]
    moved = attrs.evolve(hb.member, cell_id="cb-b")
    people = year_members([moved], [hb], {"cb-a", "cb-b"})
    assert [(m.id, m.cell_id) for m in people] == [(hb.member.id, "cb-a")]
    # A handbook owner no longer on the roster is still counted.
    assert [m.id for m in year_members([], [hb], {"cb-a"})] == [hb.member.id]


def test_a_member_who_joined_after_the_year_is_not_counted_in_it(org: Org) -> None:
    """Reminders and roll-ups of an earlier year counted a member who joined later as late
    to register; a handbook of that year still counts its owner, whatever the roster says."""
    hb = org.handbooks[0]
    newcomer = attrs.evolve(org.members[-1], joined_on=dt.date(YEAR, 4, 30), official_on=None)
    assert [m.id for m in year_members([newcomer], [], {newcomer.cell_id}, YEAR - 1)] == []
    assert [m.id for m in year_members([newcomer], [], {newcomer.cell_id}, YEAR)] == [newcomer.id]
    late = attrs.evolve(hb.member, joined_on=dt.date(YEAR + 1, 1, 1), official_on=None)
    assert [m.id for m in year_members([late], [hb], {hb.cell.id}, YEAR)] == [late.id]


@pytest.fixture
def service(org: Org) -> Iterator[Handbooks]:
    store = MemoryStore()
    store.save_roster(UNITS, org.members)
    store.add_many((hb, creation_event(hb)) for hb in org.handbooks)
    with Handbooks(store, registry=create_registry(load_entrypoints=False)) as svc:
        yield svc


def test_rollup_reads_the_store(org: Org, service: Handbooks) -> None:
    # the figures are the year's, under the policy of the year (Quy định 366-QĐ/TW for 2025)
    year_policy = service.policy_for_year(YEAR)
    assert year_policy.name == "qd-366-2025"
    found = service.supervision.rollup(organisation_id="xa", year=YEAR, today=TODAY)
    # From a store, the roll-up also adds up the year's inspections (none here).
    assert found.inspection is not None
    assert (found.inspection.inspections, found.inspection.findings) == ((), 0)
    assert attrs.evolve(found, inspection=None) == _summary(org, policy=year_policy)
    assert found.policy_name == "qd-366-2025"
    earlier = service.supervision.rollup(organisation_id="xa", year=2024, today=TODAY)
    assert earlier.total.handbooks == 0
    assert earlier.policy_name == "qd-124-2023"


def test_due_reminders_are_grouped_by_cell_in_step_order(service: Handbooks) -> None:
    found = service.supervision.reminders(year=YEAR, today=TODAY, organisation_id="xa")
    assert [(r.cell_id, r.stage) for r in found] == [
        ("cb-a", ReminderStage.REGISTER),
        ("cb-a", ReminderStage.REPORT),
        ("cb-a", ReminderStage.ASSESS),
    ]
    assert found[0].secretary_id == "cb-a-00"
    assert [m.member_id for m in found[0].members] == ["cb-a-08"]
    assert service.supervision.reminders(year=YEAR, today=TODAY) == found


def test_reminders_and_rollups_leave_out_a_member_who_joined_after_the_year(
    service: Handbooks,
) -> None:
    """A member with no handbook who joined the Party the next year was counted, and told
    late to register."""
    before = service.supervision.rollup(organisation_id="xa", year=YEAR, today=TODAY)
    base = service.roster.member("cb-a-01")
    newcomer = attrs.evolve(
        base, id="cb-a-moi", roles=(), joined_on=dt.date(YEAR, 3, 5), official_on=None
    )
    later = attrs.evolve(newcomer, id="cb-a-sau", joined_on=dt.date(YEAR + 1, 1, 5))
    service.roster.save([], [newcomer, later])
    after = service.supervision.rollup(organisation_id="xa", year=YEAR, today=TODAY)
    assert after.total.members == before.total.members + 1  # the newcomer, not the later one
    found = service.supervision.reminders(year=YEAR, today=TODAY, organisation_id="xa")
    late = [m.member_id for r in found for m in r.members]
    assert newcomer.id in late
    assert later.id not in late
