"""The rules run inside the service's steps, loaded through the entry point."""

import datetime as dt

import attrs
import pytest
from lamtheoguongbac import Handbook, Handbooks, RulesViolated
from lamtheoguongbac.plugin import RuleContext, create_registry
from lamtheoguongbac.rules import DEFAULT_POLICY
from lamtheoguongbac.testing import advance, make_handbook

from {{ cookiecutter.package_name }} import plugin
from {{ cookiecutter.package_name }}.rules import PREFIX, deadlines_not_past


def _open(day: dt.date) -> tuple[Handbooks, Handbook, Handbook]:
    """A service whose clock says ``day`` (noon in Viet Nam), with one handbook opened, and
    the same handbook with realistic pledges (not registered yet)."""
    noon = dt.datetime.combine(day, dt.time(5), tzinfo=dt.UTC)
    # This plugin only: another installed rules plugin must not decide these tests.
    registry = create_registry(load_entrypoints=False, extra_plugins=[plugin])
    service = Handbooks.open("memory:", registry=registry, clock=lambda: noon)
    book = make_handbook()
    service.roster.save(list(book.organisation), [book.member])
    created = service.create(book.member.id, year=book.year, actor=book.member)
    return service, created, advance(book).handbook


def test_the_rules_are_registered_through_the_entry_point() -> None:
    codes = {r.code for r in create_registry().rules()}
    assert {f"{PREFIX}-001", f"{PREFIX}-002"} <= codes


def test_a_pledge_without_a_shortcoming_is_warned() -> None:
    service, created, filled = _open(dt.date(2025, 1, 10))
    pledges = [attrs.evolve(p, shortcoming=None) for p in filled.pledges]
    with service:
        step = service.register_pledges(created.id, pledges, actor=created.member)
    assert f"{PREFIX}-001" in {w.code for w in step.warnings}


def test_a_deadline_already_past_is_refused() -> None:
    service, created, filled = _open(dt.date(2025, 3, 1))
    pledges = [attrs.evolve(p, deadline=dt.date(2025, 2, 1)) for p in filled.pledges]
    with service, pytest.raises(RulesViolated) as refused:
        service.register_pledges(created.id, pledges, actor=created.member)
    assert f"{PREFIX}-002" in str(refused.value)


def test_dates_are_judged_in_viet_nam() -> None:
    book = advance(make_handbook()).handbook
    book = attrs.evolve(
        book, pledges=[attrs.evolve(p, deadline=dt.date(2025, 1, 14)) for p in book.pledges]
    )

    def found(at: dt.datetime) -> bool:
        ctx = RuleContext(policy=DEFAULT_POLICY, actor=book.member, at=at)
        return any(deadlines_not_past(book, ctx))

    assert not found(dt.datetime(2025, 1, 14, 16, 0, tzinfo=dt.UTC))  # 23:00 on the 14th
    assert found(dt.datetime(2025, 1, 14, 18, 0, tzinfo=dt.UTC))  # 01:00 on the 15th
