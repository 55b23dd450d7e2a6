"""Tests for lamtheoguongbac.rules: one test per rule code, the policy, the top-rating cap."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings

from lamtheoguongbac import (
    Actor,
    Checkpoint,
    DeliverableTarget,
    Handbook,
    HandbookStatus,
    Member,
    MemberStatus,
    OrgUnit,
    Period,
    Pledge,
    RatingLevel,
    Role,
    ValidationFailed,
)
from lamtheoguongbac._linter import GENERIC_CODES
from lamtheoguongbac.rules import (
    BUILTIN_RULES,
    DEFAULT_POLICY,
    Policy,
    Rule,
    RuleContext,
    Severity,
    Stage,
    TopRatingCap,
    Violation,
    cap_figures,
    check_top_rating_cap,
)
from lamtheoguongbac.rules import _builtin as builtin_module
from strategies import (
    COMMITTEE,
    DEPUTY,
    FORMER,
    MEMBER,
    OTHER_SECRETARY,
    ROOT,
    SECRETARY,
    XA,
    HandbookCase,
    at,
    draft,
    full_report,
    generic_pledge,
    good_pledges,
    handbook_cases,
    handbook_in,
    self_assessment,
)

S = HandbookStatus
E, W = Severity.ERROR, Severity.WARNING
WHEN = at(12, 20)


def check(
    stage: Stage, hb: Handbook, policy: Policy = DEFAULT_POLICY, actor: Member | Actor = MEMBER
) -> list[Violation]:
    who = actor.as_actor() if isinstance(actor, Member) else actor
    return policy.check(stage, hb, who, WHEN)


def codes(violations: Iterable[Violation], severity: Severity | None = None) -> list[str]:
    return [v.code for v in violations if severity is None or v.severity is severity]


def registered(*pledges: Pledge, member: Member = MEMBER) -> Handbook:
    """The handbook as ``register`` would check it: registered with ``pledges``."""
    return attrs.evolve(draft(member), pledges=pledges, status=S.REGISTERED)


def reported(hb: Handbook | None = None, **changes: object) -> Handbook:
    hb = hb or handbook_in(S.REPORTED)
    return attrs.evolve(hb, **changes)  # type: ignore[arg-type]


def assessed(hb: Handbook | None = None, **ca_changes: object) -> Handbook:
    hb = hb or handbook_in(S.ASSESSED)
    assert hb.collective_assessment is not None
    ca = attrs.evolve(hb.collective_assessment, **ca_changes)  # type: ignore[arg-type]
    return attrs.evolve(hb, collective_assessment=ca)


def test_builtin_rules_have_unique_codes_titles_and_documentation() -> None:
    found = [r.code for r in BUILTIN_RULES]
    assert len(found) == len(set(found))
    assert set(found) == {
        *(f"LTGB-P00{i}" for i in range(1, 6)),
        "LTGB-L000",
        *(f"LTGB-B00{i}" for i in range(1, 5)),
        "LTGB-R001",
        "LTGB-R002",
        "LTGB-S001",
        *(f"LTGB-A00{i}" for i in range(1, 8)),
    }
    doc = builtin_module.__doc__ or ""
    for rule in BUILTIN_RULES:
        assert rule.title_vi
        assert rule.title_en
        assert rule.title_vi != rule.title_en
        assert re.search(rf"^{rule.code}\s", doc, re.MULTILINE), rule.code


@settings(max_examples=30, deadline=None)
@given(handbook_cases())
def test_generated_handbooks_pass_every_rule_of_the_stages_they_passed(case: HandbookCase) -> None:
    hb = case.handbook
    stages = []
    if hb.status.order >= S.REGISTERED.order:
        stages.append(Stage.REGISTRATION)
    if hb.status.order >= S.REPORTED.order:
        stages.append(Stage.REPORT)
    if hb.self_assessment is not None:
        stages.append(Stage.SELF_ASSESSMENT)
    if hb.status.order >= S.ASSESSED.order:
        stages.append(Stage.ASSESSMENT)
    actor = case.recorder or case.officer
    # checked at the time of the last step: after the cell's meeting (LTGB-A007)
    ca = hb.collective_assessment
    when = max(WHEN, dt.datetime.combine(ca.meeting_date, dt.time(23), WHEN.tzinfo)) if ca else WHEN
    for stage in stages:
        assert codes(DEFAULT_POLICY.check(stage, hb, actor, when), E) == [], stage


def test_good_registration_has_no_violations() -> None:
    assert check(Stage.REGISTRATION, registered(*good_pledges(3))) == []


# --- registration ------------------------------------------------------------------------------


def test_p001_minimum_pledges() -> None:
    empty = draft()  # checked before the step: a draft with nothing registered
    found = check(Stage.REGISTRATION, empty)
    assert codes(found) == ["LTGB-P001"]
    assert found[0].severity is E
    assert found[0].path == "pledges"
    assert "ít nhất 1" in found[0].message_vi
    assert "at least 1" in found[0].message_en
    two = Policy(min_pledges=2)
    assert codes(check(Stage.REGISTRATION, registered(*good_pledges(1)), two)) == ["LTGB-P001"]
    assert check(Stage.REGISTRATION, registered(*good_pledges(2)), two) == []


def test_p002_maximum_pledges() -> None:
    six = tuple(attrs.evolve(p, id=f"viec-{i}") for i, p in enumerate(good_pledges(6)))
    found = check(Stage.REGISTRATION, registered(*six))
    assert codes(found) == ["LTGB-P002"]
    assert "tối đa 5" in found[0].message_vi
    assert "found 6" in found[0].message_en
    assert check(Stage.REGISTRATION, registered(*six), Policy(max_pledges=6)) == []
    three = registered(*good_pledges(3))
    assert codes(check(Stage.REGISTRATION, three, Policy(min_pledges=1, max_pledges=2))) == [
        "LTGB-P002"
    ]


def test_p003_every_pledge_needs_a_basis() -> None:
    a, b = good_pledges(2)
    found = check(Stage.REGISTRATION, registered(a, attrs.evolve(b, bases=())))
    assert codes(found) == ["LTGB-P003"]
    assert found[0].path == "pledges[1].bases"
    assert "viec-2" in found[0].message_vi


def test_p004_deadline_and_checkpoints_within_the_period() -> None:
    a, b = good_pledges(2)
    late = attrs.evolve(a, deadline=dt.date(2026, 1, 15))
    early_checkpoint = attrs.evolve(
        b,
        checkpoints=(
            Checkpoint(due=dt.date(2025, 6, 30)),
            Checkpoint(due=dt.date(2024, 12, 31), description="Sơ kết"),
        ),
    )
    found = check(Stage.REGISTRATION, registered(late, early_checkpoint))
    assert codes(found) == ["LTGB-P004", "LTGB-P004"]
    assert [v.path for v in found] == ["pledges[0].deadline", "pledges[1].checkpoints[1].due"]
    assert "15/01/2026" in found[0].message_vi
    assert "2026-01-15" in found[0].message_en
    edges = attrs.evolve(
        a, deadline=dt.date(2025, 12, 31), checkpoints=(Checkpoint(due=dt.date(2025, 1, 1)),)
    )
    assert check(Stage.REGISTRATION, registered(edges)) == []


def test_p004_a_deliverable_due_outside_the_period() -> None:
    p = Pledge(
        id="viec-1",
        deed="Biên soạn 01 tài liệu hướng dẫn nộp hồ sơ một cửa trực tuyến cho nhân dân",
        target=DeliverableTarget(description="01 tài liệu hướng dẫn", due=dt.date(2026, 3, 31)),
        task="Tiếp nhận và giải quyết hồ sơ một cửa",
        bases=good_pledges(1)[0].bases,
    )
    found = check(Stage.REGISTRATION, registered(p))
    assert codes(found) == ["LTGB-P004"]
    assert found[0].path == "pledges[0].target.due"
    inside = attrs.evolve(p, target=attrs.evolve(p.target, due=dt.date(2025, 11, 30)))
    assert check(Stage.REGISTRATION, registered(inside)) == []


def test_p005_pledges_tie_to_the_assigned_duties() -> None:
    unrelated = attrs.evolve(
        good_pledges(1)[0],
        deed="Trồng 50 cây xanh ở khu dân cư ấp Tân Lợi trước ngày 30/6/2025",
        task=None,
    )
    found = check(Stage.REGISTRATION, registered(unrelated))
    assert codes(found) == ["LTGB-P005"]
    assert found[0].severity is W
    assert found[0].path == "pledges[0]"
    assert check(Stage.REGISTRATION, registered(unrelated), Policy(require_duty_link=False)) == []
    # a member without duties or position cannot be checked, so nothing is said
    free = attrs.evolve(MEMBER, duties=(), position=None)
    assert check(Stage.REGISTRATION, registered(unrelated, member=free)) == []
    # the task named on the pledge is enough to tie it
    tied = attrs.evolve(unrelated, task="Tiếp nhận và giải quyết hồ sơ một cửa")
    assert check(Stage.REGISTRATION, registered(tied)) == []


def test_l000_the_linter_refuses_generic_pledges() -> None:
    found = check(Stage.REGISTRATION, registered(generic_pledge()))
    found_codes = codes(found)
    assert "LTGB-L000" not in found_codes  # the rule reports its findings' own codes
    assert {"LTGB-L001", "LTGB-L003"} <= set(codes(found, E))
    assert set(codes(found, E)) <= GENERIC_CODES
    assert all(v.path == "pledges[0].deed" for v in found if v.code.startswith("LTGB-L"))
    l003 = [v for v in found if v.code == "LTGB-L003"]
    assert any("thực hiện tốt nhiệm vụ được giao" in v.message_vi.lower() for v in l003)
    linted = [v for v in found if v.code.startswith("LTGB-L")]
    assert all(" — " in v.message_vi and " — " in v.message_en for v in linted)


def test_l000_advice_never_blocks() -> None:
    # measurable but without a deadline anywhere: L002 is advice, a warning only
    undated = attrs.evolve(
        good_pledges(1)[0], deed="Giải quyết 100% hồ sơ một cửa của xã", deadline=None
    )
    found = check(Stage.REGISTRATION, registered(undated))
    assert codes(found) == ["LTGB-L002"]
    assert found[0].severity is W


def test_l000_linter_blocks_false_turns_errors_into_warnings() -> None:
    lenient = Policy(linter_blocks=False)
    found = check(Stage.REGISTRATION, registered(generic_pledge()), lenient)
    assert codes(found, E) == []
    assert {"LTGB-L001", "LTGB-L003"} <= set(codes(found, W))
    strict = check(Stage.REGISTRATION, registered(generic_pledge()))
    assert sorted(codes(strict)) == sorted(codes(found))


def test_l000_target_and_deadline_fields_count_for_the_text() -> None:
    p = attrs.evolve(
        good_pledges(1)[0], deed="Tiếp nhận và trả kết quả hồ sơ một cửa cho người dân"
    )
    assert check(Stage.REGISTRATION, registered(p)) == []
    bare = attrs.evolve(p, target=None, deadline=None)
    assert "LTGB-L001" in codes(check(Stage.REGISTRATION, registered(bare)), E)


# --- report and self-assessment ----------------------------------------------------------------


def test_r001_the_report_covers_every_pledge() -> None:
    hb = handbook_in(S.REPORTED)
    partial = attrs.evolve(full_report(hb.pledges), results=full_report(hb.pledges).results[:1])
    found = check(Stage.REPORT, reported(hb, report=partial))
    assert codes(found) == ["LTGB-R001"]
    assert "viec-2" in found[0].message_vi
    assert "pledges[1]" in found[0].path
    assert check(Stage.REPORT, hb) == []


def test_r002_report_dated_within_the_period_plus_grace() -> None:
    hb = handbook_in(S.REPORTED)
    late = attrs.evolve(hb.report, submitted_on=dt.date(2026, 1, 10))
    found = check(Stage.REPORT, reported(hb, report=late))
    assert codes(found) == ["LTGB-R002"]
    assert found[0].path == "report.submitted_on"
    assert "10/01/2026" in found[0].message_vi
    assert check(Stage.REPORT, reported(hb, report=late), Policy(report_grace_days=10)) == []
    assert codes(check(Stage.REPORT, reported(hb, report=late), Policy(report_grace_days=9))) == [
        "LTGB-R002"
    ]
    before = attrs.evolve(hb.report, submitted_on=dt.date(2024, 12, 31))
    assert codes(check(Stage.REPORT, reported(hb, report=before))) == ["LTGB-R002"]


def test_s001_self_assessment_dated_within_the_period() -> None:
    hb = handbook_in(S.REPORTED)
    found = check(
        Stage.SELF_ASSESSMENT, reported(hb, self_assessment=self_assessment(dt.date(2026, 2, 1)))
    )
    assert codes(found) == ["LTGB-S001"]
    assert found[0].path == "self_assessment.written_on"
    assert check(Stage.SELF_ASSESSMENT, hb) == []
    assert (
        check(
            Stage.SELF_ASSESSMENT,
            reported(hb, self_assessment=self_assessment(dt.date(2026, 1, 31))),
            Policy(report_grace_days=31),
        )
        == []
    )


# --- collective assessment ---------------------------------------------------------------------


def test_a001_recorded_by_the_secretary_holding_the_role() -> None:
    assert check(Stage.ASSESSMENT, handbook_in(S.ASSESSED), actor=SECRETARY) == []


def test_a001_deputy_secretary_may_record() -> None:
    hb = assessed(
        recorded_by=DEPUTY.id, recorder_name=DEPUTY.full_name, recorder_role=Role.DEPUTY_SECRETARY
    )
    assert check(Stage.ASSESSMENT, hb, actor=DEPUTY) == []


@pytest.mark.parametrize(
    ("actor", "changes"),
    [
        pytest.param(COMMITTEE, {}, id="chi-uy-vien"),
        pytest.param(MEMBER, {}, id="the-member-himself"),
        pytest.param(OTHER_SECRETARY, {}, id="bi-thu-of-another-cell"),
        pytest.param(FORMER, {}, id="former-bi-thu"),
        pytest.param(SECRETARY, {"recorded_by": DEPUTY.id}, id="recorded-in-someone-elses-name"),
        pytest.param(DEPUTY, {"recorded_by": DEPUTY.id}, id="deputy-claims-the-secretary-role"),
        pytest.param(SECRETARY, {"meeting_date": dt.date(2020, 6, 1)}, id="before-taking-office"),
    ],
)
def test_a001_refuses_anyone_else(actor: Member, changes: dict[str, object]) -> None:
    who = actor.as_actor()
    base = {"recorded_by": who.id, "recorder_name": who.name, "recorder_role": Role.SECRETARY}
    hb = assessed(**(base | changes))
    found = check(Stage.ASSESSMENT, hb, actor=actor)
    assert "LTGB-A001" in codes(found, E)
    a001 = next(v for v in found if v.code == "LTGB-A001")
    assert a001.path == "collective_assessment.recorded_by"
    assert actor.full_name in a001.message_vi


def test_a001_former_secretary_while_still_in_office() -> None:
    who = FORMER.as_actor()
    hb = assessed(
        recorded_by=who.id,
        recorder_name=who.name,
        meeting_date=dt.date(2025, 6, 30),
    )
    hb = attrs.evolve(
        hb,
        report=attrs.evolve(hb.report, submitted_on=dt.date(2025, 6, 20)),
        self_assessment=self_assessment(dt.date(2025, 6, 20)),
    )
    assert check(Stage.ASSESSMENT, hb, actor=FORMER) == []


def test_a002_meeting_after_the_report() -> None:
    early = reported(
        handbook_in(S.ASSESSED), self_assessment=self_assessment(dt.date(2025, 11, 28))
    )
    hb = assessed(early, meeting_date=dt.date(2025, 12, 1))  # the report is dated 05/12
    found = check(Stage.ASSESSMENT, hb, actor=SECRETARY)
    assert codes(found) == ["LTGB-A002"]
    assert found[0].path == "collective_assessment.meeting_date"
    assert "05/12/2025" in found[0].message_vi
    same_day = assessed(meeting_date=dt.date(2025, 12, 5))
    assert check(Stage.ASSESSMENT, same_day, actor=SECRETARY) == []


def test_a003_suspended_members_are_not_rated() -> None:
    suspended = attrs.evolve(MEMBER, status=MemberStatus.SUSPENDED)
    hb = handbook_in(S.ASSESSED, suspended, rating=None)
    assert check(Stage.ASSESSMENT, hb, actor=SECRETARY) == []
    rated = assessed(hb, rating=RatingLevel.COMPLETED)
    found = check(Stage.ASSESSMENT, rated, actor=SECRETARY)
    assert codes(found) == ["LTGB-A003"]
    assert found[0].path == "collective_assessment.rating"


def test_a004_by_default_the_handbook_needs_no_rating() -> None:
    # The rating belongs to the rating process: by default the book records none.
    for status in MemberStatus:
        hb = assessed(
            attrs.evolve(handbook_in(S.ASSESSED), member=attrs.evolve(MEMBER, status=status)),
            rating=None,
        )
        assert check(Stage.ASSESSMENT, hb, actor=SECRETARY) == [], status


def test_a004_a_rating_is_required_where_the_handbook_records_it() -> None:
    printed = Policy(rating_in_handbook=True)
    for status in (MemberStatus.OFFICIAL, MemberStatus.PROBATIONARY):
        hb = assessed(
            attrs.evolve(handbook_in(S.ASSESSED), member=attrs.evolve(MEMBER, status=status)),
            rating=None,
        )
        found = check(Stage.ASSESSMENT, hb, printed, actor=SECRETARY)
        assert codes(found) == ["LTGB-A004"], status
    # Exempt members are rated only when they still take part (the default "optional").
    exempt = attrs.evolve(MEMBER, status=MemberStatus.EXEMPT)
    hb = assessed(attrs.evolve(handbook_in(S.ASSESSED), member=exempt), rating=None)
    assert check(Stage.ASSESSMENT, hb, printed, actor=SECRETARY) == []
    strict = Policy(rating_in_handbook=True, exempt_rating="required")
    assert codes(check(Stage.ASSESSMENT, hb, strict, actor=SECRETARY)) == ["LTGB-A004"]
    never = Policy(exempt_rating="none")
    rated = assessed(hb, rating=RatingLevel.GOOD)
    assert codes(check(Stage.ASSESSMENT, rated, never, actor=SECRETARY)) == ["LTGB-A003"]
    assert check(Stage.ASSESSMENT, rated, actor=SECRETARY) == []
    unrated = assessed(rating=None)
    relaxed = Policy(rating_in_handbook=True, require_rating=False)
    assert check(Stage.ASSESSMENT, unrated, relaxed, actor=SECRETARY) == []


def test_a_policy_refuses_an_unknown_rating_rule() -> None:
    with pytest.raises(ValidationFailed) as info:
        Policy(exempt_rating="sometimes")
    assert info.value.field == "Policy.exempt_rating"


@pytest.mark.parametrize(
    ("values", "field", "en"),
    [
        ({"top_rating_cap": "20%"}, "Policy.top_rating_cap", "must be a TopRatingCap or None"),
        ({"linter_blocks": "no"}, "Policy.linter_blocks", "must be true or false"),
        ({"top_rating_cap_enforced": 1}, "Policy.top_rating_cap_enforced", "true or false"),
        ({"report_grace_days": 10**9}, "Policy.report_grace_days", "at most 3660 days"),
        ({"registration_due_days": 3661}, "Policy.registration_due_days", "at most 3660 days"),
    ],
)
def test_a_policy_refuses_values_that_would_fail_later_in_a_step(
    values: dict[str, object], field: str, en: str
) -> None:
    """Accepted, they failed in the middle of a step: AttributeError on the cap, an
    OverflowError adding the days to a date (exit 70 from the command line), and "no" was
    true."""
    with pytest.raises(ValidationFailed) as info:
        Policy(**values)  # type: ignore[arg-type]
    assert info.value.field == field
    assert en in info.value.message("en")
    assert Policy(registration_due_days=3660).registration_due_days == 3660


def test_a005_self_assessment_written_first() -> None:
    hb = assessed(reported(handbook_in(S.ASSESSED), self_assessment=None))
    found = check(Stage.ASSESSMENT, hb, actor=SECRETARY)
    assert codes(found) == ["LTGB-A005"]
    assert found[0].path == "self_assessment"
    lenient = Policy(require_self_assessment=False)
    assert check(Stage.ASSESSMENT, hb, lenient, actor=SECRETARY) == []


def test_a005_self_assessment_dated_after_the_meeting() -> None:
    hb = reported(handbook_in(S.ASSESSED), self_assessment=self_assessment(dt.date(2025, 12, 27)))
    found = check(Stage.ASSESSMENT, hb, actor=SECRETARY)
    assert codes(found) == ["LTGB-A005"]
    assert found[0].path == "self_assessment.written_on"


# --- the policy --------------------------------------------------------------------------------


def test_policy_parameters_are_validated() -> None:
    with pytest.raises(ValidationFailed) as info:
        Policy(min_pledges=3, max_pledges=2)
    assert info.value.field == "Policy.max_pledges"
    for name in ("min_pledges", "max_pledges", "report_grace_days", "registration_due_days"):
        with pytest.raises(ValidationFailed) as info:
            Policy(**{name: -1})  # type: ignore[arg-type]
        assert info.value.field == f"Policy.{name}"
    with pytest.raises(ValidationFailed):
        Policy(min_pledges=True)
    with pytest.raises(ValidationFailed) as info:
        TopRatingCap(ratio=Decimal("1.5"))
    assert info.value.field == "TopRatingCap.ratio"


def test_policy_due_dates() -> None:
    hb = draft()
    policy = Policy(registration_due_days=45, report_due_days=10, assessment_due_days=20)
    assert policy.registration_due(hb) == dt.date(2025, 2, 15)
    assert policy.report_due(hb) == dt.date(2026, 1, 10)
    assert policy.assessment_due(hb) == dt.date(2026, 1, 20)
    assert DEFAULT_POLICY.report_due(hb) == dt.date(2025, 12, 31)


def test_without_switches_rules_off() -> None:
    a, b = good_pledges(2)
    hb = registered(a, attrs.evolve(b, bases=()))
    assert codes(check(Stage.REGISTRATION, hb)) == ["LTGB-P003"]
    relaxed = DEFAULT_POLICY.without("LTGB-P003")
    assert check(Stage.REGISTRATION, hb, relaxed) == []
    assert "LTGB-P003" not in {r.code for r in relaxed.rules}
    assert len(relaxed.rules) == len(BUILTIN_RULES) - 1
    no_linter = DEFAULT_POLICY.without("LTGB-L000", "LTGB-P005")
    assert check(Stage.REGISTRATION, registered(generic_pledge()), no_linter) == []
    assert DEFAULT_POLICY.rules == BUILTIN_RULES  # the original is untouched


def _no_night_meetings(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    if ctx.at.hour >= 22:
        yield Violation(
            code="AG-001",
            severity=Severity.WARNING,
            path="collective_assessment.meeting_date",
            message_vi="chi bộ không họp sau 22 giờ",
            message_en="the cell does not meet after 10 pm",
        )


NIGHT_RULE = Rule(
    code="AG-001",
    stage=Stage.ASSESSMENT,
    title_vi="Không họp đêm",
    title_en="No night meetings",
    check=_no_night_meetings,
)


def test_with_rules_adds_a_custom_rule() -> None:
    policy = DEFAULT_POLICY.with_rules([NIGHT_RULE])
    hb = handbook_in(S.ASSESSED)
    late = policy.check(Stage.ASSESSMENT, hb, SECRETARY.as_actor(), at(12, 20, 23))
    assert codes(late, W) == ["AG-001"]
    assert policy.check(Stage.ASSESSMENT, hb, SECRETARY.as_actor(), at(12, 20, 15)) == []
    # a rule only runs at its own stage
    assert policy.check(Stage.REPORT, hb, MEMBER.as_actor(), at(12, 20, 23)) == []
    assert (
        codes(
            policy.without("AG-001").check(
                Stage.ASSESSMENT, hb, SECRETARY.as_actor(), at(12, 20, 23)
            )
        )
        == []
    )


def test_duplicate_rule_codes_are_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        DEFAULT_POLICY.with_rules([NIGHT_RULE, NIGHT_RULE])
    assert info.value.field == "Policy.rules"
    assert "AG-001" in info.value.message_vi
    clash = attrs.evolve(NIGHT_RULE, code="LTGB-P001")
    with pytest.raises(ValidationFailed) as info:
        DEFAULT_POLICY.with_rules([clash])
    assert "LTGB-P001" in info.value.message_en


# --- the top-rating cap (LTGB-C001) ------------------------------------------------------------

XA2 = OrgUnit(
    id="xa-an-phu",
    name="Đảng bộ xã An Phú",
    level="Đảng bộ cơ sở",
    parent_id=ROOT.id,
    grassroots=True,
)
CELL2 = OrgUnit(id="chibo-phuhiep", name="Chi bộ ấp Phú Hiệp", level="Chi bộ", parent_id=XA2.id)


def rated(ratings: Iterable[RatingLevel | None], *, second_org: bool = False) -> list[Handbook]:
    """Assessed handbooks, one per rating, in xã Tịnh Biên (or xã An Phú)."""
    template = handbook_in(S.ASSESSED)
    assert template.collective_assessment is not None
    out = []
    for i, rating in enumerate(ratings):
        member = attrs.evolve(template.member, id=f"dv-{i:03d}")
        hb = attrs.evolve(
            template,
            id=f"sotay-{i:03d}",
            member=member,
            collective_assessment=attrs.evolve(template.collective_assessment, rating=rating),
        )
        if second_org:
            hb = attrs.evolve(
                hb, member=attrs.evolve(member, cell_id=CELL2.id), organisation=(ROOT, XA2, CELL2)
            )
        out.append(hb)
    return out


EX, GOOD, DONE = RatingLevel.EXCELLENT, RatingLevel.GOOD, RatingLevel.COMPLETED


def test_c001_two_excellent_of_ten_good_allowed() -> None:
    books = rated([EX] * 2 + [GOOD] * 10 + [DONE] * 3)
    (figures,) = cap_figures(books, TopRatingCap())
    assert figures.organisation_id == XA.id
    assert figures.organisation_name == "Đảng bộ xã Tịnh Biên"
    assert (figures.top_count, figures.base_count, figures.allowed) == (2, 10, 2)
    assert not figures.exceeded
    assert check_top_rating_cap(books, DEFAULT_POLICY) == []


def test_c001_three_excellent_of_ten_good_refused() -> None:
    books = rated([EX] * 3 + [GOOD] * 10)
    (figures,) = cap_figures(books, TopRatingCap())
    assert (figures.top_count, figures.allowed) == (3, 2)
    assert figures.exceeded
    (v,) = check_top_rating_cap(books, DEFAULT_POLICY)
    assert v.code == "LTGB-C001"
    assert v.severity is E
    assert v.path == f"organisation[{XA.id}].year[2025]"
    assert "Đảng bộ xã Tịnh Biên" in v.message_vi
    assert "3 đảng viên xếp loại HTXSNV" in v.message_vi
    assert "20%" in v.message_vi
    assert "20%" in v.message_en
    assert "(tối đa 2)" in v.message_vi


def test_c001_counts_per_grassroots_organisation() -> None:
    books = rated([EX] * 3 + [GOOD] * 10) + rated([EX] * 2 + [GOOD] * 10, second_org=True)
    figures = {c.organisation_id: c for c in cap_figures(books, TopRatingCap())}
    assert set(figures) == {XA.id, XA2.id}
    assert figures[XA.id].exceeded
    assert not figures[XA2.id].exceeded
    assert [v.path for v in check_top_rating_cap(books, DEFAULT_POLICY)] == [
        f"organisation[{XA.id}].year[2025]"
    ]


def test_c001_counts_each_year_on_its_own() -> None:
    # 2 of 10 in 2025 is fine; a 2026 handbook with 1 excellent and no good is over its cap
    books = rated([EX] * 2 + [GOOD] * 10)
    later = attrs.evolve(books[0], id="sotay-2026", period=Period.year(2026))
    figures = cap_figures([*books, later], TopRatingCap())
    assert [(c.year, c.top_count, c.base_count) for c in figures] == [(2025, 2, 10), (2026, 1, 0)]
    (over,) = check_top_rating_cap([*books, later], DEFAULT_POLICY)
    assert over.path == f"organisation[{XA.id}].year[2026]"
    assert "năm 2026" in over.message_vi


def test_c001_organisations_are_not_pooled() -> None:
    # 3 of 20 would pass if both xã were counted together; xã Tịnh Biên alone has 3 of 10
    books = rated([EX] * 3 + [GOOD] * 10) + rated([GOOD] * 10, second_org=True)
    assert [c.exceeded for c in cap_figures(books, TopRatingCap())] == [False, True]
    assert len(check_top_rating_cap(books, DEFAULT_POLICY)) == 1
    pooled = rated([EX] * 3 + [GOOD] * 20)
    assert not cap_figures(pooled, TopRatingCap())[0].exceeded


def test_c001_parameters() -> None:
    books = rated([EX] * 3 + [GOOD] * 10)
    assert check_top_rating_cap(books, Policy(top_rating_cap=None)) == []
    wider = Policy(top_rating_cap=TopRatingCap(ratio=Decimal("0.30")))
    assert check_top_rating_cap(books, wider) == []
    counting_top = TopRatingCap(of_levels=(EX, GOOD))  # 13 rated good or better -> 2 allowed
    assert cap_figures(books, counting_top)[0].base_count == 13
    unrated = rated([None, EX, GOOD])
    assert cap_figures(unrated, TopRatingCap())[0].top_count == 1
    not_yet = [handbook_in(S.REPORTED)]
    (empty,) = cap_figures(not_yet, TopRatingCap())
    assert (empty.top_count, empty.base_count, empty.allowed) == (0, 0, 0)


def test_policy_period_length_does_not_change_the_rules() -> None:
    term = attrs.evolve(
        draft(), period=Period(start=dt.date(2021, 1, 1), end=dt.date(2025, 12, 31))
    )
    a = attrs.evolve(good_pledges(1)[0], deadline=dt.date(2023, 6, 30))
    assert check(Stage.REGISTRATION, attrs.evolve(term, pledges=(a,), status=S.REGISTERED)) == []


def test_a006_warns_when_the_recorder_assesses_their_own_handbook() -> None:
    hb = assessed()
    assert hb.collective_assessment is not None
    own = attrs.evolve(
        hb, collective_assessment=attrs.evolve(hb.collective_assessment, recorded_by=hb.member.id)
    )
    assert codes(check(Stage.ASSESSMENT, own, actor=SECRETARY), W) == ["LTGB-A006"]
    assert "LTGB-A006" not in codes(check(Stage.ASSESSMENT, hb, actor=SECRETARY))


def test_a007_the_meeting_must_have_taken_place() -> None:
    hb = assessed()
    assert hb.collective_assessment is not None
    meeting = hb.collective_assessment.meeting_date
    before = dt.datetime.combine(meeting - dt.timedelta(days=1), dt.time(9), WHEN.tzinfo)
    after = dt.datetime.combine(meeting, dt.time(21), WHEN.tzinfo)
    who = SECRETARY.as_actor()
    assert "LTGB-A007" in codes(DEFAULT_POLICY.check(Stage.ASSESSMENT, hb, who, before), E)
    assert "LTGB-A007" not in codes(DEFAULT_POLICY.check(Stage.ASSESSMENT, hb, who, after))
