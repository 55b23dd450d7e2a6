"""The handbook lifecycle as a Hypothesis state machine with several actors.

The member, the cell's Bí thư and Phó Bí thư, a chi ủy viên, a former Bí thư (role ended
30/6), the Bí thư of another cell, a member of the xã's party committee and an outsider issue
random commands. Each command is judged by an oracle written here from the domain rules
(who may act, from which status, which rule codes the content breaks); the library must
agree exactly. Whatever is reached must satisfy the rules of every stage it has passed, its
version must count the accepted steps, and a collective assessment may only be there when the
cell's Bí thư or Phó Bí thư holding the role on the meeting date recorded it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import attrs
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from lamtheoguongbac import (
    Actor,
    EventKind,
    Handbook,
    HandbookStatus,
    MemberStatus,
    NotAuthorised,
    RatingLevel,
    Role,
    RulesViolated,
    TransitionNotAllowed,
)
from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._workflow import Transition
from lamtheoguongbac.rules import DEFAULT_POLICY, Severity, Stage
from strategies import (
    CELL,
    COMMITTEE,
    DEPUTY,
    FORMER,
    MEMBER,
    OTHER_SECRETARY,
    OUTSIDER,
    SECRETARY,
    SUPERIOR,
    XA,
    YEAR,
    assessment,
    draft,
    full_report,
    generic_pledge,
    good_pledges,
    self_assessment,
)

S = HandbookStatus
ICT = dt.timezone(dt.timedelta(hours=7))
OFFICER_ROLES = {Role.SECRETARY, Role.DEPUTY_SECRETARY}
REASON = "Đảng ủy xã yêu cầu chi bộ rà soát lại"
#: How often each outcome happened (to see that the machine reaches every branch).
STATS: Counter[str] = Counter()

ACTORS: dict[str, Actor] = {
    "bi-thu": SECRETARY.as_actor(),
    "pho-bi-thu": DEPUTY.as_actor(),
    "chi-uy-vien": COMMITTEE.as_actor(),
    "bi-thu-cu": FORMER.as_actor(),
    "bi-thu-chi-bo-khac": OTHER_SECRETARY.as_actor(),
    "dang-uy-xa": SUPERIOR,
    "nguoi-ngoai": OUTSIDER,
}
#: Anyone, with the people entitled to act drawn more often.
WHO = st.sampled_from(["dang-vien", "dang-vien", "bi-thu", "bi-thu", "pho-bi-thu", *ACTORS])
DAYS = st.sampled_from(
    [
        dt.date(YEAR, 1, 15),
        dt.date(YEAR, 6, 20),
        dt.date(YEAR, 6, 30),
        dt.date(YEAR, 7, 1),
        dt.date(YEAR, 12, 5),
        dt.date(YEAR, 12, 20),
        dt.date(YEAR, 12, 31),
    ]
)
REPORT_DAYS = st.sampled_from(
    [dt.date(YEAR, 6, 20), dt.date(YEAR, 12, 5), dt.date(YEAR, 12, 31), dt.date(YEAR + 1, 1, 5)]
)
MEETING_DAYS = st.sampled_from(
    [dt.date(YEAR, 6, 25), dt.date(YEAR, 6, 30), dt.date(YEAR, 7, 1), dt.date(YEAR, 12, 20)]
)


def holds_office(actor: Actor, day: dt.date) -> set[Role]:
    """The officer roles ``actor`` holds in the cell on ``day`` (the oracle's own reading)."""
    return {
        r.role
        for r in actor.roles
        if r.unit_id == CELL.id
        and r.role in OFFICER_ROLES
        and r.start <= day
        and (r.end is None or day <= r.end)
    }


def in_superior_committee(actor: Actor, day: dt.date) -> bool:
    return any(
        r.unit_id == XA.id and r.start <= day and (r.end is None or day <= r.end)
        for r in actor.roles
    )


def when(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 9, tzinfo=ICT)


class Lifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.hb: Handbook = draft()
        self.accepted = 0
        self.recorder: Actor | None = None

    @initialize(suspended=st.booleans())
    def open_handbook(self, suspended: bool) -> None:
        member = attrs.evolve(MEMBER, status=MemberStatus.SUSPENDED) if suspended else MEMBER
        self.hb = draft(member)

    # --- helpers ------------------------------------------------------------------------------

    def actor(self, name: str) -> Actor:
        return self.hb.member.as_actor() if name == "dang-vien" else ACTORS[name]

    def member_or_officer(self, actor: Actor, day: dt.date) -> bool:
        return actor.id == self.hb.member.id or bool(holds_office(actor, day))

    def attempt(
        self,
        step: Any,
        *,
        allowed_from: set[HandbookStatus] | None,
        authorised: bool,
        expected_codes: set[str],
        actor: Actor,
        at: dt.datetime,
        kind: EventKind,
        to: HandbookStatus | None = None,
        exact: bool = True,
    ) -> Transition | None:
        """Run ``step`` and check it against the oracle; returns the transition if accepted."""
        before = self.hb
        try:
            outcome: Transition | Exception = step()
        except (TransitionNotAllowed, NotAuthorised, RulesViolated) as exc:
            outcome = exc
        STATS[type(outcome).__name__] += 1
        if isinstance(outcome, TransitionNotAllowed):
            assert allowed_from is not None
            assert before.status not in allowed_from
            return None
        assert allowed_from is None or before.status in allowed_from
        if isinstance(outcome, NotAuthorised):
            assert not authorised
            return None
        assert authorised
        if isinstance(outcome, RulesViolated):
            found = {v.code for v in outcome.violations}
            assert all(v.severity is Severity.ERROR for v in outcome.violations)
            assert expected_codes
            if exact:
                assert found == expected_codes
            else:
                assert expected_codes <= found
            return None
        assert isinstance(outcome, Transition)
        t = outcome
        assert not expected_codes
        assert t.handbook.version == before.version + 1
        assert t.event.kind is kind
        assert (t.event.actor_id, t.event.at) == (actor.id, at)
        assert (t.event.from_status, t.event.to_status) == (before.status, t.handbook.status)
        assert t.event.version == t.handbook.version
        if to is not None:
            assert t.handbook.status is to
        self.hb = t.handbook
        self.accepted += 1
        return t

    # --- commands -----------------------------------------------------------------------------

    @precondition(lambda m: m.hb.status is S.DRAFT)
    @rule(
        kind=st.sampled_from(["good", "generic", "too-many", "no-basis"]),
        n=st.integers(1, 3),
        who=WHO,
        day=DAYS,
    )
    def register(self, kind: str, n: int, who: str, day: dt.date) -> None:
        items = {
            "good": good_pledges(n),
            "generic": (generic_pledge(),),
            "too-many": tuple(attrs.evolve(good_pledges(1)[0], id=f"viec-{i}") for i in range(6)),
            "no-basis": (attrs.evolve(good_pledges(1)[0], bases=()),),
        }[kind]
        expected = {
            "good": set(),
            "generic": {"LTGB-L001"},
            "too-many": {"LTGB-P002"},
            "no-basis": {"LTGB-P003"},
        }[kind]
        actor = self.actor(who)
        self.attempt(
            lambda: workflow.register(self.hb, items, actor=actor, at=when(day)),
            allowed_from={S.DRAFT},
            authorised=self.member_or_officer(actor, day),
            expected_codes=expected,
            actor=actor,
            at=when(day),
            kind=EventKind.REGISTERED,
            to=S.REGISTERED,
            exact=kind != "generic",
        )

    @precondition(lambda m: m.hb.status is S.REGISTERED)
    @rule(
        complete=st.booleans(),
        with_sa=st.booleans(),
        submitted=REPORT_DAYS,
        written=REPORT_DAYS,
        who=WHO,
        day=DAYS,
    )
    def report(
        self,
        complete: bool,
        with_sa: bool,
        submitted: dt.date,
        written: dt.date,
        who: str,
        day: dt.date,
    ) -> None:
        report = full_report(self.hb.pledges, submitted=submitted)
        if not complete and len(report.results) > 1:
            report = attrs.evolve(report, results=report.results[:-1])
        elif not complete:
            complete = True  # one pledge: nothing can be left out
        sa = self_assessment(written) if with_sa else None
        expected = set()
        if not complete:
            expected.add("LTGB-R001")
        if submitted.year != YEAR:
            expected.add("LTGB-R002")
        if sa is not None and written.year != YEAR:
            expected.add("LTGB-S001")
        actor = self.actor(who)
        self.attempt(
            lambda: workflow.report(self.hb, report, self_assessment=sa, actor=actor, at=when(day)),
            allowed_from={S.REGISTERED},
            authorised=self.member_or_officer(actor, day),
            expected_codes=expected,
            actor=actor,
            at=when(day),
            kind=EventKind.REPORTED,
            to=S.REPORTED,
        )

    @precondition(lambda m: m.hb.status is S.REPORTED)
    @rule(written=REPORT_DAYS, who=WHO, day=DAYS)
    def self_assess(self, written: dt.date, who: str, day: dt.date) -> None:
        actor = self.actor(who)
        self.attempt(
            lambda: workflow.self_assess(
                self.hb, self_assessment(written), actor=actor, at=when(day)
            ),
            allowed_from={S.REPORTED},
            authorised=self.member_or_officer(actor, day),
            expected_codes={"LTGB-S001"} if written.year != YEAR else set(),
            actor=actor,
            at=when(day),
            kind=EventKind.SELF_ASSESSED,
            to=S.REPORTED,
        )

    @precondition(lambda m: m.hb.status is S.REPORTED)
    @rule(
        who=WHO,
        meeting=MEETING_DAYS,
        rating=st.none() | st.sampled_from(RatingLevel),
        claim=st.sampled_from(["own", "own", "own", "wrong-role", "someone-else"]),
    )
    def assess(self, who: str, meeting: dt.date, rating: RatingLevel | None, claim: str) -> None:
        actor = self.actor(who)
        held = holds_office(actor, meeting)
        own_role = min(held, key=lambda r: r.value) if held else Role.SECRETARY
        role = own_role
        recorder = actor
        if claim == "wrong-role":
            role = Role.DEPUTY_SECRETARY if own_role is Role.SECRETARY else Role.SECRETARY
        elif claim == "someone-else":
            recorder = ACTORS["pho-bi-thu"] if actor.id != DEPUTY.id else ACTORS["bi-thu"]
        ca = assessment(recorder, role=role, meeting=meeting, rating=rating)
        expected = set()
        if claim != "own" or role not in held:
            expected.add("LTGB-A001")
        hb = self.hb
        if hb.report is not None and meeting < hb.report.submitted_on:
            expected.add("LTGB-A002")
        suspended = hb.member.status is MemberStatus.SUSPENDED
        if suspended and rating is not None:
            expected.add("LTGB-A003")
        # The rating belongs to the rating process: required only where the policy prints it
        # in the handbook (not by default).
        records_rating = DEFAULT_POLICY.rating_in_handbook and DEFAULT_POLICY.require_rating
        if records_rating and not suspended and rating is None:
            expected.add("LTGB-A004")
        sa = hb.self_assessment
        if sa is None or sa.written_on > meeting:
            expected.add("LTGB-A005")
        t = self.attempt(
            lambda: workflow.assess(self.hb, ca, actor=actor, at=when(meeting)),
            allowed_from={S.REPORTED},
            authorised=bool(held),
            expected_codes=expected,
            actor=actor,
            at=when(meeting),
            kind=EventKind.ASSESSED,
            to=S.ASSESSED,
        )
        if t is not None:
            self.recorder = actor

    @precondition(lambda m: m.hb.status is S.ASSESSED)
    @rule(who=WHO, day=DAYS)
    def close(self, who: str, day: dt.date) -> None:
        actor = self.actor(who)
        self.attempt(
            lambda: workflow.close(self.hb, actor=actor, at=when(day)),
            allowed_from={S.ASSESSED},
            authorised=bool(holds_office(actor, day)),
            expected_codes=set(),
            actor=actor,
            at=when(day),
            kind=EventKind.CLOSED,
            to=S.CLOSED,
        )

    @precondition(lambda m: m.hb.status is not S.DRAFT)
    @rule(
        to=st.sampled_from(HandbookStatus),
        reason=st.sampled_from([REASON, "", "   "]),
        who=WHO,
        day=DAYS,
    )
    def reopen(self, to: HandbookStatus, reason: str, who: str, day: dt.date) -> None:
        actor = self.actor(who)
        before = self.hb
        going_back = to.order < before.status.order
        authorised = bool(holds_office(actor, day)) or in_superior_committee(actor, day)
        try:
            outcome: Transition | Exception = workflow.reopen(
                before, to=to, reason=reason, actor=actor, at=when(day)
            )
        except (TransitionNotAllowed, NotAuthorised) as exc:
            outcome = exc
        STATS["reopen:" + type(outcome).__name__] += 1
        if isinstance(outcome, TransitionNotAllowed):
            assert not going_back or not reason.strip()
            assert outcome.code == ("LTGB-T004" if not going_back else "LTGB-T005")
            return
        if isinstance(outcome, NotAuthorised):
            assert going_back
            assert reason.strip()
            assert not authorised
            return
        assert isinstance(outcome, Transition)
        t = outcome
        assert going_back
        assert reason.strip()
        assert authorised
        assert t.handbook.status is to
        assert t.handbook.version == before.version + 1
        assert t.event.kind is EventKind.REOPENED
        assert t.event.reason == reason.strip()
        # what belongs to later stages is gone, the rest is kept
        if to.order < S.ASSESSED.order:
            assert t.handbook.collective_assessment is None
        else:
            assert t.handbook.collective_assessment == before.collective_assessment
        if to.order < S.REPORTED.order:
            assert t.handbook.report is None
            assert t.handbook.self_assessment is None
        else:
            assert t.handbook.report == before.report
        assert t.handbook.pledges == before.pledges
        self.hb = t.handbook
        self.accepted += 1
        if t.handbook.collective_assessment is None:
            self.recorder = None

    @rule(
        step=st.sampled_from(["register", "report", "self_assess", "assess", "close"]),
        who=WHO,
    )
    def out_of_turn(self, step: str, who: str) -> None:
        """Any step from any status: refused unless the status allows it."""
        actor = self.actor(who)
        at = when(dt.date(YEAR, 12, 20))
        hb = self.hb
        calls = {
            "register": (
                S.DRAFT,
                lambda: workflow.register(hb, good_pledges(1), actor=actor, at=at),
            ),
            "report": (
                S.REGISTERED,
                lambda: workflow.report(hb, full_report(hb.pledges), actor=actor, at=at),
            ),
            "self_assess": (
                S.REPORTED,
                lambda: workflow.self_assess(hb, self_assessment(), actor=actor, at=at),
            ),
            "assess": (S.REPORTED, lambda: workflow.assess(hb, assessment(), actor=actor, at=at)),
            "close": (S.ASSESSED, lambda: workflow.close(hb, actor=actor, at=at)),
        }
        allowed, call = calls[step]
        if hb.status is allowed:
            return  # the in-turn rules cover this
        with pytest.raises(TransitionNotAllowed) as info:
            call()
        STATS["out-of-turn"] += 1
        assert info.value.code == "LTGB-T001"
        assert self.hb is hb

    @rule(data=st.data())
    def advance(self, data: st.DataObject) -> None:
        """The next step done right by the right person, so every status gets reached."""
        hb = self.hb
        if hb.status is S.DRAFT:
            self.register("good", data.draw(st.integers(1, 3)), "dang-vien", dt.date(YEAR, 1, 15))
        elif hb.status is S.REGISTERED:
            self.report(
                True,
                True,
                dt.date(YEAR, 12, 5),
                dt.date(YEAR, 12, 5),
                "dang-vien",
                dt.date(YEAR, 12, 5),
            )
        elif hb.status is S.REPORTED:
            suspended = hb.member.status is MemberStatus.SUSPENDED
            rating = None if suspended else data.draw(st.sampled_from(RatingLevel))
            who = data.draw(st.sampled_from(["bi-thu", "pho-bi-thu"]))
            self.assess(who, dt.date(YEAR, 12, 31), rating, "own")
        elif hb.status is S.ASSESSED:
            self.close(data.draw(st.sampled_from(["bi-thu", "pho-bi-thu"])), dt.date(YEAR, 12, 31))
        else:
            self.reopen(
                data.draw(st.sampled_from(list(S)[:-1])),
                REASON,
                "dang-uy-xa",
                dt.date(YEAR, 12, 31),
            )

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def version_counts_the_accepted_steps(self) -> None:
        assert self.hb.version == self.accepted

    @invariant()
    def every_passed_stage_still_holds(self) -> None:
        hb = self.hb
        order = hb.status.order
        stages: list[tuple[Stage, Actor]] = []
        member = hb.member.as_actor()
        if order >= S.REGISTERED.order:
            stages.append((Stage.REGISTRATION, member))
        if order >= S.REPORTED.order:
            stages.append((Stage.REPORT, member))
        if order >= S.REPORTED.order and hb.self_assessment is not None:
            stages.append((Stage.SELF_ASSESSMENT, member))
        if order >= S.ASSESSED.order:
            assert self.recorder is not None
            stages.append((Stage.ASSESSMENT, self.recorder))
        for stage, actor in stages:
            errors = [
                v
                for v in DEFAULT_POLICY.check(stage, hb, actor, when(dt.date(YEAR, 12, 31)))
                if v.severity is Severity.ERROR
            ]
            assert errors == [], (stage, errors)

    @invariant()
    def only_an_officer_in_office_records_the_assessment(self) -> None:
        ca = self.hb.collective_assessment
        if ca is None:
            return
        recorder = next(a for a in ACTORS.values() if a.id == ca.recorded_by)
        held = holds_office(recorder, ca.meeting_date)
        assert ca.recorder_role in held
        assert recorder.id in {SECRETARY.id, DEPUTY.id, FORMER.id}
        assert self.hb.status.order >= S.ASSESSED.order


Lifecycle.TestCase.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestLifecycle = Lifecycle.TestCase
