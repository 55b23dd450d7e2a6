"""Tests for lamtheoguongbac._workflow: each transition, each refusal, reopening."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtheoguongbac import (
    Actor,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    MemberStatus,
    NotAuthorised,
    RatingLevel,
    Role,
    RulesViolated,
    TransitionNotAllowed,
    ValidationFailed,
)
from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._workflow import Transition
from lamtheoguongbac.rules import DEFAULT_POLICY, Policy, Severity
from strategies import (
    COMMITTEE,
    DEPUTY,
    FORMER,
    MEMBER,
    OTHER_SECRETARY,
    OUTSIDER,
    SECRETARY,
    SUPERIOR,
    HandbookCase,
    assessment,
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


def actor(who: Member | Actor) -> Actor:
    return who.as_actor() if isinstance(who, Member) else who


def assert_step(
    t: Transition,
    before: Handbook,
    *,
    kind: EventKind,
    to: HandbookStatus,
    who: Member | Actor,
    when: dt.datetime,
) -> None:
    """The new handbook is one version on, and the event says who did what, when."""
    a = actor(who)
    assert t.handbook.status is to
    assert t.handbook.version == before.version + 1
    assert t.handbook.id == before.id
    e = t.event
    assert e.handbook_id == before.id
    assert e.kind is kind
    assert (e.actor_id, e.actor_name) == (a.id, a.name)
    assert e.at == when
    assert (e.from_status, e.to_status) == (before.status, to)
    assert e.version == t.handbook.version


# --- register ----------------------------------------------------------------------------------


def test_register_happy_path() -> None:
    hb = draft()
    pledges = good_pledges(2)
    t = workflow.register(hb, list(pledges), actor=MEMBER.as_actor(), at=at(1, 15))
    assert_step(t, hb, kind=EventKind.REGISTERED, to=S.REGISTERED, who=MEMBER, when=at(1, 15))
    assert t.handbook.pledges == pledges
    assert t.warnings == ()
    assert hb.status is S.DRAFT  # values are immutable: the old handbook is unchanged
    assert hb.pledges == ()


@pytest.mark.parametrize("officer", [SECRETARY, DEPUTY], ids=["bi-thu", "pho-bi-thu"])
def test_cell_officers_register_on_the_members_behalf(officer: Member) -> None:
    t = workflow.register(draft(), good_pledges(1), actor=officer.as_actor(), at=at(1, 20))
    assert t.event.actor_id == officer.id
    assert t.handbook.member == MEMBER


@pytest.mark.parametrize(
    "who",
    [COMMITTEE, OTHER_SECRETARY, OUTSIDER, SUPERIOR],
    ids=["chi-uy-vien", "bi-thu-chi-bo-khac", "nguoi-ngoai", "cap-uy-cap-tren"],
)
def test_register_by_anyone_else_is_not_authorised(who: Member | Actor) -> None:
    with pytest.raises(NotAuthorised) as info:
        workflow.register(draft(), good_pledges(1), actor=actor(who), at=at(1, 15))
    assert info.value.code == "LTGB-T002"
    assert actor(who).name in info.value.message_vi
    assert MEMBER.full_name in info.value.message_en


def test_former_secretary_cannot_act_after_the_role_ended() -> None:
    with pytest.raises(NotAuthorised):
        workflow.register(draft(), good_pledges(1), actor=FORMER.as_actor(), at=at(9, 1))
    t = workflow.register(draft(), good_pledges(1), actor=FORMER.as_actor(), at=at(6, 30))
    assert t.handbook.status is S.REGISTERED


def test_register_twice_is_not_allowed() -> None:
    hb = handbook_in(S.REGISTERED)
    with pytest.raises(TransitionNotAllowed) as info:
        workflow.register(hb, good_pledges(1), actor=MEMBER.as_actor(), at=at(2, 1))
    assert info.value.code == "LTGB-T001"
    assert "'Đã đăng ký'" in info.value.message_vi
    assert "registered" in info.value.message_en


def test_register_generic_pledges_violates_the_rules() -> None:
    with pytest.raises(RulesViolated) as info:
        workflow.register(draft(), [generic_pledge()], actor=MEMBER.as_actor(), at=at(1, 15))
    found = {v.code for v in info.value.violations}
    assert {"LTGB-L001", "LTGB-L003"} <= found
    assert all(v.severity is Severity.ERROR for v in info.value.violations)
    assert info.value.code in found
    assert "[LTGB-L001]" in info.value.message_vi


def test_register_too_many_or_none() -> None:
    with pytest.raises(RulesViolated) as info:
        workflow.register(
            draft(),
            good_pledges(3),
            actor=MEMBER.as_actor(),
            at=at(1, 15),
            policy=Policy(max_pledges=2),
        )
    assert [v.code for v in info.value.violations] == ["LTGB-P002"]
    # no pledges at all cannot even make a registered handbook
    with pytest.raises(ValidationFailed) as info2:
        workflow.register(draft(), [], actor=MEMBER.as_actor(), at=at(1, 15))
    assert info2.value.field == "Handbook.pledges"


def test_register_with_a_lenient_policy_returns_warnings() -> None:
    lenient = Policy(linter_blocks=False)
    t = workflow.register(
        draft(), [generic_pledge()], actor=MEMBER.as_actor(), at=at(1, 15), policy=lenient
    )
    assert t.handbook.status is S.REGISTERED
    assert {"LTGB-L001", "LTGB-L003", "LTGB-P005"} <= {w.code for w in t.warnings}
    assert all(w.severity is Severity.WARNING for w in t.warnings)


# --- report and self-assessment ----------------------------------------------------------------


def test_report_happy_path_with_self_assessment() -> None:
    hb = handbook_in(S.REGISTERED)
    t = workflow.report(
        hb,
        full_report(hb.pledges),
        self_assessment=self_assessment(),
        actor=MEMBER.as_actor(),
        at=at(12, 5, 9),
    )
    assert_step(t, hb, kind=EventKind.REPORTED, to=S.REPORTED, who=MEMBER, when=at(12, 5, 9))
    assert t.handbook.report == full_report(hb.pledges)
    assert t.handbook.self_assessment == self_assessment()


def test_report_then_self_assess() -> None:
    hb = handbook_in(S.REGISTERED)
    t = workflow.report(hb, full_report(hb.pledges), actor=MEMBER.as_actor(), at=at(12, 5))
    assert t.handbook.self_assessment is None
    t2 = workflow.self_assess(t.handbook, self_assessment(), actor=MEMBER.as_actor(), at=at(12, 6))
    assert_step(
        t2, t.handbook, kind=EventKind.SELF_ASSESSED, to=S.REPORTED, who=MEMBER, when=at(12, 6)
    )
    assert t2.handbook.self_assessment == self_assessment()
    # written again: replaced
    newer = self_assessment(dt.date(2025, 12, 8))
    t3 = workflow.self_assess(t2.handbook, newer, actor=SECRETARY.as_actor(), at=at(12, 8))
    assert t3.handbook.self_assessment == newer
    assert t3.handbook.version == 4


def test_incomplete_report_is_refused() -> None:
    hb = handbook_in(S.REGISTERED)
    partial = attrs.evolve(full_report(hb.pledges), results=full_report(hb.pledges).results[1:])
    with pytest.raises(RulesViolated) as info:
        workflow.report(hb, partial, actor=MEMBER.as_actor(), at=at(12, 5))
    assert [v.code for v in info.value.violations] == ["LTGB-R001"]


def test_report_dated_out_of_period_and_bad_self_assessment_are_refused_together() -> None:
    hb = handbook_in(S.REGISTERED)
    late = full_report(hb.pledges, submitted=dt.date(2026, 1, 5))
    with pytest.raises(RulesViolated) as info:
        workflow.report(
            hb,
            late,
            self_assessment=self_assessment(dt.date(2026, 1, 5)),
            actor=MEMBER.as_actor(),
            at=at(1, 5, year=2026),
        )
    assert [v.code for v in info.value.violations] == ["LTGB-R002", "LTGB-S001"]


def test_report_refusals() -> None:
    with pytest.raises(TransitionNotAllowed):
        workflow.report(draft(), full_report(()), actor=MEMBER.as_actor(), at=at(12, 5))
    hb = handbook_in(S.REGISTERED)
    with pytest.raises(NotAuthorised):
        workflow.report(hb, full_report(hb.pledges), actor=COMMITTEE.as_actor(), at=at(12, 5))
    with pytest.raises(TransitionNotAllowed):
        workflow.self_assess(hb, self_assessment(), actor=MEMBER.as_actor(), at=at(12, 5))
    reported = handbook_in(S.REPORTED)
    with pytest.raises(NotAuthorised):
        workflow.self_assess(reported, self_assessment(), actor=OUTSIDER, at=at(12, 6))
    with pytest.raises(RulesViolated) as info:
        workflow.self_assess(
            reported, self_assessment(dt.date(2024, 12, 1)), actor=MEMBER.as_actor(), at=at(12, 6)
        )
    assert [v.code for v in info.value.violations] == ["LTGB-S001"]
    for status in (S.ASSESSED, S.CLOSED):
        with pytest.raises(TransitionNotAllowed):
            workflow.self_assess(
                handbook_in(status), self_assessment(), actor=MEMBER.as_actor(), at=at(12, 29)
            )


# --- assess ------------------------------------------------------------------------------------


def test_assess_by_the_secretary() -> None:
    hb = handbook_in(S.REPORTED)
    ca = assessment(SECRETARY, rating=RatingLevel.EXCELLENT)
    t = workflow.assess(hb, ca, actor=SECRETARY.as_actor(), at=at(12, 20, 16))
    assert_step(t, hb, kind=EventKind.ASSESSED, to=S.ASSESSED, who=SECRETARY, when=at(12, 20, 16))
    assert t.handbook.collective_assessment == ca


def test_assess_by_the_deputy_secretary() -> None:
    hb = handbook_in(S.REPORTED)
    ca = assessment(DEPUTY, role=Role.DEPUTY_SECRETARY)
    t = workflow.assess(hb, ca, actor=DEPUTY.as_actor(), at=at(12, 20))
    assert t.handbook.collective_assessment is not None
    assert t.handbook.collective_assessment.recorder_role is Role.DEPUTY_SECRETARY


@pytest.mark.parametrize(
    "who",
    [MEMBER, COMMITTEE, FORMER, OTHER_SECRETARY, SUPERIOR, OUTSIDER],
    ids=[
        "the-member",
        "chi-uy-vien",
        "former-bi-thu",
        "bi-thu-chi-bo-khac",
        "cap-uy-cap-tren",
        "nguoi-ngoai",
    ],
)
def test_assess_by_anyone_else_is_not_authorised(who: Member | Actor) -> None:
    hb = handbook_in(S.REPORTED)
    with pytest.raises(NotAuthorised) as info:
        workflow.assess(hb, assessment(who), actor=actor(who), at=at(12, 20))
    assert info.value.code == "LTGB-A001"
    assert "20/12/2025" in info.value.message_vi
    assert "Chi bộ ấp Tân Lợi" in info.value.message_vi


def test_former_secretary_judged_on_the_meeting_date_not_today() -> None:
    """Role ended 30/6: a meeting of 25/6 recorded later is his; one of 1/7 is not."""
    hb = handbook_in(S.REGISTERED)
    hb = workflow.report(
        hb,
        full_report(hb.pledges, submitted=dt.date(2025, 6, 20)),
        self_assessment=self_assessment(dt.date(2025, 6, 20)),
        actor=MEMBER.as_actor(),
        at=at(6, 20),
    ).handbook
    ok = assessment(FORMER, meeting=dt.date(2025, 6, 25))
    t = workflow.assess(hb, ok, actor=FORMER.as_actor(), at=at(7, 3))
    assert t.handbook.status is S.ASSESSED
    with pytest.raises(NotAuthorised):
        workflow.assess(
            hb,
            assessment(FORMER, meeting=dt.date(2025, 7, 1)),
            actor=FORMER.as_actor(),
            at=at(7, 1),
        )


def test_assess_rule_violations() -> None:
    hb = handbook_in(S.REPORTED)
    officer = SECRETARY.as_actor()
    cases = [
        (assessment(DEPUTY), "LTGB-A001"),  # in the deputy's name, recorded by the secretary
        (assessment(SECRETARY, role=Role.DEPUTY_SECRETARY), "LTGB-A001"),
        (assessment(SECRETARY, meeting=dt.date(2025, 12, 1)), "LTGB-A002"),
        (assessment(SECRETARY, rating=None), "LTGB-A004"),
    ]
    printed = Policy(rating_in_handbook=True)
    for ca, code in cases:
        with pytest.raises(RulesViolated) as info:
            workflow.assess(hb, ca, actor=officer, at=at(12, 20), policy=printed)
        assert code in [v.code for v in info.value.violations], code
    no_sa = attrs.evolve(hb, self_assessment=None)
    with pytest.raises(RulesViolated) as info:
        workflow.assess(no_sa, assessment(SECRETARY), actor=officer, at=at(12, 20))
    assert [v.code for v in info.value.violations] == ["LTGB-A005"]
    for status in (S.DRAFT, S.REGISTERED, S.ASSESSED, S.CLOSED):
        with pytest.raises(TransitionNotAllowed):
            workflow.assess(handbook_in(status), assessment(), actor=officer, at=at(12, 29))


def test_suspended_member_is_assessed_without_rating() -> None:
    suspended = attrs.evolve(MEMBER, status=MemberStatus.SUSPENDED)
    hb = handbook_in(S.REPORTED, suspended)
    t = workflow.assess(hb, assessment(rating=None), actor=SECRETARY.as_actor(), at=at(12, 20))
    assert t.handbook.collective_assessment is not None
    assert t.handbook.collective_assessment.rating is None
    with pytest.raises(RulesViolated) as info:
        workflow.assess(
            hb, assessment(rating=RatingLevel.GOOD), actor=SECRETARY.as_actor(), at=at(12, 20)
        )
    assert [v.code for v in info.value.violations] == ["LTGB-A003"]


def test_assessment_rules_can_be_relaxed_by_policy() -> None:
    hb = attrs.evolve(handbook_in(S.REPORTED), self_assessment=None)
    relaxed = Policy(require_self_assessment=False, require_rating=False)
    t = workflow.assess(
        hb, assessment(rating=None), actor=SECRETARY.as_actor(), at=at(12, 20), policy=relaxed
    )
    assert t.handbook.status is S.ASSESSED


# --- close -------------------------------------------------------------------------------------


def test_close_happy_path_and_refusals() -> None:
    hb = handbook_in(S.ASSESSED)
    t = workflow.close(hb, actor=DEPUTY.as_actor(), at=at(12, 28))
    assert_step(t, hb, kind=EventKind.CLOSED, to=S.CLOSED, who=DEPUTY, when=at(12, 28))
    assert t.handbook.collective_assessment == hb.collective_assessment
    for who in (MEMBER, COMMITTEE, FORMER, OTHER_SECRETARY, SUPERIOR):
        with pytest.raises(NotAuthorised) as info:
            workflow.close(hb, actor=actor(who), at=at(12, 28))
        assert info.value.code == "LTGB-T003"
    for status in (S.DRAFT, S.REGISTERED, S.REPORTED, S.CLOSED):
        with pytest.raises(TransitionNotAllowed):
            workflow.close(handbook_in(status), actor=SECRETARY.as_actor(), at=at(12, 28))


# --- reopen ------------------------------------------------------------------------------------

REASON = "Chi bộ họp lại để đánh giá theo hướng dẫn mới của Đảng ủy xã"


def test_reopen_to_reported_clears_the_assessment() -> None:
    hb = handbook_in(S.CLOSED)
    t = workflow.reopen(hb, to=S.REPORTED, reason=REASON, actor=SECRETARY.as_actor(), at=at(12, 29))
    assert_step(t, hb, kind=EventKind.REOPENED, to=S.REPORTED, who=SECRETARY, when=at(12, 29))
    assert t.event.reason == REASON
    assert t.handbook.collective_assessment is None
    assert t.handbook.report == hb.report
    assert t.handbook.self_assessment == hb.self_assessment
    # and the stage can be done again
    again = workflow.assess(
        t.handbook,
        assessment(DEPUTY, role=Role.DEPUTY_SECRETARY, rating=RatingLevel.COMPLETED),
        actor=DEPUTY.as_actor(),
        at=at(12, 30),
    )
    assert again.handbook.version == hb.version + 2


def test_reopen_to_registered_clears_report_and_self_assessment() -> None:
    hb = handbook_in(S.ASSESSED)
    t = workflow.reopen(
        hb, to=S.REGISTERED, reason="  Báo cáo thiếu số liệu  ", actor=SUPERIOR, at=at(12, 22)
    )
    assert t.handbook.status is S.REGISTERED
    assert (t.handbook.report, t.handbook.self_assessment, t.handbook.collective_assessment) == (
        None,
        None,
        None,
    )
    assert t.handbook.pledges == hb.pledges
    assert t.event.reason == "Báo cáo thiếu số liệu"
    assert t.event.actor_id == SUPERIOR.id


def test_reopen_to_draft_keeps_the_pledges_to_rework() -> None:
    hb = handbook_in(S.REGISTERED)
    t = workflow.reopen(hb, to=S.DRAFT, reason=REASON, actor=DEPUTY.as_actor(), at=at(2, 1))
    assert t.handbook.status is S.DRAFT
    assert t.handbook.pledges == hb.pledges
    t2 = workflow.register(t.handbook, good_pledges(3), actor=MEMBER.as_actor(), at=at(2, 2))
    assert len(t2.handbook.pledges) == 3
    assert t2.handbook.version == 3


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_reopen_needs_a_reason(reason: str) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        workflow.reopen(
            handbook_in(S.CLOSED),
            to=S.REPORTED,
            reason=reason,
            actor=SECRETARY.as_actor(),
            at=at(12, 29),
        )
    assert info.value.code == "LTGB-T005"


@pytest.mark.parametrize(
    ("status", "to"),
    [
        (S.DRAFT, S.DRAFT),
        (S.REGISTERED, S.REGISTERED),
        (S.REPORTED, S.ASSESSED),
        (S.ASSESSED, S.CLOSED),
        (S.CLOSED, S.CLOSED),
    ],
)
def test_reopen_only_goes_back(status: HandbookStatus, to: HandbookStatus) -> None:
    with pytest.raises(TransitionNotAllowed) as info:
        workflow.reopen(
            handbook_in(status), to=to, reason=REASON, actor=SECRETARY.as_actor(), at=at(12, 29)
        )
    assert info.value.code == "LTGB-T004"


@pytest.mark.parametrize(
    "who", [MEMBER, COMMITTEE, OTHER_SECRETARY, OUTSIDER, FORMER], ids=lambda m: m.id
)
def test_reopen_by_others_is_not_authorised(who: Member | Actor) -> None:
    with pytest.raises(NotAuthorised) as info:
        workflow.reopen(
            handbook_in(S.CLOSED), to=S.REPORTED, reason=REASON, actor=actor(who), at=at(12, 29)
        )
    assert info.value.code == "LTGB-T006"


def test_transitions_do_not_depend_on_the_policy_object_identity() -> None:
    hb = draft()
    a = workflow.register(hb, good_pledges(2), actor=MEMBER.as_actor(), at=at(1, 15))
    b = workflow.register(
        hb, good_pledges(2), actor=MEMBER.as_actor(), at=at(1, 15), policy=Policy()
    )
    assert a == b
    assert Policy() == DEFAULT_POLICY


# --- properties over generated handbooks -------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(handbook_cases(st.sampled_from([S.REPORTED, S.ASSESSED, S.CLOSED])))
def test_generated_handbooks_move_on_with_the_right_officer(case: HandbookCase) -> None:
    hb, officer = case.handbook, case.officer
    day = hb.period.end
    when = dt.datetime(day.year, day.month, day.day, 16, tzinfo=dt.UTC)
    if hb.status is S.REPORTED:
        assert hb.report is not None
        role = next(iter(officer.roles_on(day, hb.cell.id)))
        sa = hb.self_assessment
        meeting = max(day, hb.report.submitted_on, sa.written_on if sa else day)
        rating = None if hb.member.status is MemberStatus.SUSPENDED else RatingLevel.GOOD
        ca = assessment(officer, role=role, meeting=meeting, rating=rating)
        policy = Policy(require_self_assessment=sa is not None)
        t = workflow.assess(hb, ca, actor=officer, at=when, policy=policy)
    elif hb.status is S.ASSESSED:
        t = workflow.close(hb, actor=officer, at=when)
    else:
        t = workflow.reopen(hb, to=S.REGISTERED, reason=REASON, actor=officer, at=when)
        assert t.handbook.report is None
    assert t.handbook.version == hb.version + 1
    assert t.event.from_status is hb.status
    assert t.handbook.member == hb.member
    assert t.handbook.pledges == hb.pledges
