"""Term handbooks (sổ tay cả nhiệm kỳ): yearly supplements, interim reviews, per-year results."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest

from lamtheoguongbac import (
    EventKind,
    Handbook,
    HandbookStatus,
    MemberStatus,
    NotAuthorised,
    Period,
    RatingLevel,
    RulesViolated,
    TransitionNotAllowed,
    ValidationFailed,
    serde,
)
from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._model import handbook_id
from lamtheoguongbac.rules import Policy
from strategies import (
    CHAIN,
    MEMBER,
    OUTSIDER,
    SECRETARY,
    assessment,
    at,
    full_report,
    generic_pledge,
    good_pledges,
    self_assessment,
)

S = HandbookStatus
TERM = Period.term(2021, 2025)


def term_draft() -> Handbook:
    return Handbook(id=handbook_id(MEMBER.id, TERM), member=MEMBER, organisation=CHAIN, period=TERM)


def registered_term() -> Handbook:
    pledges = tuple(
        attrs.evolve(p, deadline=dt.date(2025, 11, 30)) for p in good_pledges(2, year=2021)
    )
    return workflow.register(
        term_draft(), pledges, actor=MEMBER.as_actor(), at=at(2, 1, year=2021)
    ).handbook


def test_periods_read_and_print_as_a_year_or_a_term() -> None:
    assert Period.parse("2021-2025") == TERM == Period.parse(" 2021 – 2025 ")
    assert Period.parse("2025") == Period.year(2025)
    assert TERM.is_term
    assert not Period.year(2025).is_term
    assert TERM.years == (2021, 2022, 2023, 2024, 2025)
    assert TERM.label() == "nhiệm kỳ 2021–2025"
    assert Period.year(2025).label() == "năm 2025"
    odd = Period(start=dt.date(2025, 3, 1), end=dt.date(2026, 2, 28))
    assert odd.label() == "từ 01/03/2025 đến 28/02/2026"
    for bad in ("2025-2021", "20-25", "năm 2025", ""):
        with pytest.raises(ValidationFailed) as info:
            Period.parse(bad)
        assert (info.value.field or "").startswith("Period")


def test_registration_is_dated() -> None:
    hb = registered_term()
    assert hb.registered_on == dt.date(2021, 2, 1)


def test_a_registered_term_book_takes_a_yearly_supplement_without_reopening() -> None:
    hb = registered_term()
    added = tuple(
        attrs.evolve(p, id=f"bs-{p.id}", deadline=dt.date(2023, 11, 30))
        for p in good_pledges(1, year=2023)
    )
    t = workflow.supplement(hb, added, year=2023, actor=MEMBER.as_actor(), at=at(1, 20, year=2023))
    assert t.handbook.status is S.REGISTERED
    assert t.handbook.version == hb.version + 1
    assert t.event.kind is EventKind.SUPPLEMENTED
    assert [p.id for p in t.handbook.pledges] == ["viec-1", "viec-2", "bs-viec-1"]
    (sup,) = t.handbook.supplements
    assert (sup.year, sup.registered_on, sup.pledge_ids) == (
        2023,
        dt.date(2023, 1, 20),
        ("bs-viec-1",),
    )
    assert t.handbook.supplement_of("bs-viec-1") == sup
    assert t.handbook.supplement_of("viec-1") is None
    # once a year, a later year of the period, never the first
    for year in (2023, 2021, 2026):
        with pytest.raises(TransitionNotAllowed) as info:
            workflow.supplement(
                t.handbook, added, year=year, actor=MEMBER.as_actor(), at=at(2, 1, year=2023)
            )
        assert info.value.code == "LTGB-T010"
    with pytest.raises(NotAuthorised):
        workflow.supplement(hb, added, year=2023, actor=OUTSIDER, at=at(1, 20, year=2023))
    # the supplement is judged by the registration rules
    with pytest.raises(RulesViolated):
        workflow.supplement(
            hb, (generic_pledge(),), year=2023, actor=MEMBER.as_actor(), at=at(1, 20, year=2023)
        )
    with pytest.raises(ValidationFailed):  # nothing to add
        workflow.supplement(hb, (), year=2023, actor=MEMBER.as_actor(), at=at(1, 20, year=2023))
    # and survives the JSON round trip
    assert serde.loads(Handbook, serde.dumps(t.handbook)) == t.handbook


def test_yearly_reviews_give_per_year_results_and_interim_assessments() -> None:
    hb = registered_term()
    year_end = dt.date(2021, 12, 31)
    report = full_report(hb.pledges, submitted=dt.date(2021, 12, 10))
    t = workflow.interim_report(
        hb,
        report,
        checkpoint=year_end,
        actor=MEMBER.as_actor(),
        at=at(12, 10, year=2021),
        self_assessment=self_assessment(dt.date(2021, 12, 10)),
    )
    assert t.handbook.status is S.REGISTERED
    assert t.event.kind is EventKind.INTERIM_REPORTED
    (review,) = t.handbook.reviews
    assert review.heading == "Kiểm điểm năm 2021"
    assert review.assessment is None
    ca = assessment(SECRETARY, meeting=dt.date(2021, 12, 20), rating=None)
    done = workflow.interim_assess(
        t.handbook, ca, checkpoint=year_end, actor=SECRETARY.as_actor(), at=at(12, 20, year=2021)
    )
    assert done.event.kind is EventKind.INTERIM_ASSESSED
    assert done.handbook.review_at(year_end).assessment == ca  # type: ignore[union-attr]
    with pytest.raises(TransitionNotAllowed) as info:  # assessed once
        workflow.interim_assess(
            done.handbook, ca, checkpoint=year_end, actor=SECRETARY.as_actor(), at=at(12, 21)
        )
    assert info.value.code == "LTGB-T012"
    with pytest.raises(NotAuthorised):
        workflow.interim_assess(
            t.handbook, ca, checkpoint=year_end, actor=MEMBER.as_actor(), at=at(12, 20)
        )
    # checkpoints go forward, inside the period, before its last day
    for bad in (dt.date(2021, 6, 30), dt.date(2025, 12, 31), dt.date(2026, 6, 30)):
        with pytest.raises(TransitionNotAllowed) as info:
            workflow.interim_report(
                done.handbook,
                full_report(hb.pledges, submitted=bad),
                checkpoint=bad,
                actor=MEMBER.as_actor(),
                at=at(7, 1, year=2022),
            )
        assert info.value.code == "LTGB-T011"
    # a suspended member's interim assessment carries no rating
    suspended = attrs.evolve(t.handbook, member=attrs.evolve(MEMBER, status=MemberStatus.SUSPENDED))
    with pytest.raises(RulesViolated):
        workflow.interim_assess(
            suspended,
            attrs.evolve(ca, rating=RatingLevel.GOOD),
            checkpoint=year_end,
            actor=SECRETARY.as_actor(),
            at=at(12, 20, year=2021),
            policy=Policy(),
        )
    assert serde.loads(Handbook, serde.dumps(done.handbook)) == done.handbook
    # a supplement after the year's review
    added = attrs.evolve(hb.pledges[0], id="bs-2022", deadline=dt.date(2022, 11, 30))
    later = workflow.supplement(
        done.handbook, [added], year=2022, actor=MEMBER.as_actor(), at=at(1, 20, year=2022)
    )
    assert len(later.handbook.reviews) == 1


def test_reopening_to_draft_starts_the_term_book_over() -> None:
    hb = registered_term()
    year_end = dt.date(2021, 12, 31)
    hb = workflow.interim_report(
        hb,
        full_report(hb.pledges, submitted=dt.date(2021, 12, 10)),
        checkpoint=year_end,
        actor=MEMBER.as_actor(),
        at=at(12, 10, year=2021),
    ).handbook
    added = tuple(
        attrs.evolve(p, id=f"bs-{p.id}", deadline=dt.date(2022, 11, 30))
        for p in good_pledges(1, year=2022)
    )
    hb = workflow.supplement(
        hb, added, year=2022, actor=MEMBER.as_actor(), at=at(1, 4, year=2022)
    ).handbook
    assert hb.supplements
    step = workflow.reopen(
        hb, to=S.DRAFT, reason="Đăng ký lại", actor=SECRETARY.as_actor(), at=at(1, 5, year=2022)
    )
    back = step.handbook
    assert back.reviews == ()
    assert back.supplements == ()
    # nothing written is lost: the reopening event keeps what it took out
    assert step.event.cleared is not None
    assert step.event.cleared.supplements == hb.supplements
    assert step.event.cleared.reviews == hb.reviews


def test_a_version_1_document_is_migrated() -> None:
    hb = registered_term()
    doc = serde.to_dict(hb)
    doc["schema_version"] = 1
    for key in ("registered_on", "supplements", "reviews"):
        del doc[key]
    for unit in doc["organisation"]:
        del unit["committee"]
    doc["member"]
    old = serde.from_dict(Handbook, doc)
    assert old == attrs.evolve(hb, registered_on=None)
