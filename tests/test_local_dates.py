"""Offices and the dates a step records are judged on Viet Nam's calendar, not the clock's
UTC date: between 00:00 and 07:00 in Viet Nam the UTC date is still the day before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import attrs
import pytest

from lamtheoguongbac import Handbooks, HandbookStatus, NotAuthorised, Role, RoleAssignment
from lamtheoguongbac.testing import make_handbook, make_roster

# 06:30 on 1 June 2025 in Viet Nam: the UTC date is still 31 May.
MORNING = dt.datetime(2025, 5, 31, 23, 30, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2025, 6, 1)
PLEDGES = make_handbook(HandbookStatus.REGISTERED).pledges


@pytest.fixture
def handover() -> Iterator[tuple[Handbooks, str, str, str]]:
    """A cell whose Bí thư hands over at midnight, Viet Nam time: the old one's office
    ends on 31 May, the new one's starts on 1 June. Yields the service, the old and the new
    officer's ids and a member's handbook id."""
    roster = make_roster(cells=1, members_per_cell=4)
    old, new, member = roster.members[:3]
    cell = old.cell_id
    assert Role.SECRETARY in old.roles_on(FIRST_DAY, cell)
    ended = attrs.evolve(
        old, roles=tuple(attrs.evolve(r, end=dt.date(2025, 5, 31)) for r in old.roles)
    )
    started = attrs.evolve(
        new, roles=(RoleAssignment(role=Role.SECRETARY, unit_id=cell, start=FIRST_DAY),)
    )
    with Handbooks.open("memory:", clock=lambda: MORNING) as service:
        service.roster.save(roster.units, [ended, started, *roster.members[2:]])
        book = service.create(member.id, year=2025, actor=started)
        yield service, old.id, new.id, book.id


def test_the_new_officer_acts_from_the_first_hour_of_the_first_day(
    handover: tuple[Handbooks, str, str, str],
) -> None:
    service, _, new, book = handover
    result = service.register_pledges(book, PLEDGES, actor=service.roster.member(new))
    assert result.handbook.registered_on == FIRST_DAY


def test_the_old_officer_may_not_act_the_day_after_the_office_ended(
    handover: tuple[Handbooks, str, str, str],
) -> None:
    service, old, _, book = handover
    with pytest.raises(NotAuthorised) as refused:
        service.register_pledges(book, PLEDGES, actor=service.roster.member(old))
    assert refused.value.problems[0].code == "LTGB-T002"
    assert service.get(book).status is HandbookStatus.DRAFT
