"""The supervision facet of the service (kiểm tra, giám sát): ``handbooks.supervision``.

Roll-ups, reminders and the top-rating cap over what the store holds.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac._model import Handbook, Member, OrgUnit
from lamtheoguongbac._reminders import Reminder, ReminderStage, compute_reminders
from lamtheoguongbac._rollup import Rollup, summarise, year_members
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac.rules._aggregate import check_top_rating_cap
from lamtheoguongbac.rules._base import Violation
from lamtheoguongbac.text import collation_key

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks

__all__ = ["SupervisionFacet"]


class SupervisionFacet:
    """Figures, reminders and the cap for a subtree; reached as ``handbooks.supervision``."""

    def __init__(self, handbooks: Handbooks) -> None:
        self._hb = handbooks

    def check_cap(
        self, *, organisation_id: str | None = None, year: int | None = None
    ) -> list[Violation]:
        """The top-rating cap (LTGB-C001) for every grassroots organisation that has handbooks
        in the selection, each counted over its whole membership (the cap's scope), never
        over part of it."""
        grassroots = sorted(
            {
                (h.grassroots.id, h.year)
                for h in self._hb.store.iter_query(
                    HandbookQuery(organisation_id=organisation_id, year=year)
                )
            }
        )
        found: list[Violation] = []
        for y in sorted({y for _, y in grassroots}):  # each year under its own policy
            found += check_top_rating_cap(
                (
                    h
                    for gid, hy in grassroots
                    if hy == y
                    for h in self._hb.store.iter_query(HandbookQuery(organisation_id=gid, year=y))
                ),
                self._hb.policy_for_year(y),
            )
        return found

    def rollup(self, *, organisation_id: str, year: int, today: dt.date | None = None) -> Rollup:
        """Figures for a subtree and year (tổng hợp), per cell and in total; ``today``
        (for what is overdue) defaults to the clock's date.

        Raises:
            NotFound: there is no unit ``organisation_id``.
        """
        organisation = self._hb.roster.tree().unit(organisation_id)
        units, members, books = self._scope(organisation_id, year)
        day = today or self._hb._today()
        figures = summarise(
            organisation=organisation,
            units=units,
            members=members,
            handbooks=books,
            policy=self._hb.policy_for_year(year),
            year=year,
            today=day,
        )
        # The year's inspections of the subtree's cells (kiểm tra, giám sát) come with it.
        checked = self._hb.inspections.summary(
            organisation_id=organisation.id, year=year, today=day
        )
        return attrs.evolve(figures, inspection=checked)

    def reminders(
        self, *, year: int, today: dt.date | None = None, organisation_id: str | None = None
    ) -> list[Reminder]:
        """Who is late to register, report or be assessed, grouped by cell (nhắc việc)."""
        units, members, books = self._scope(organisation_id, year)
        found = compute_reminders(
            year=year,
            handbooks=books,
            members=members,
            units=units,
            policy=self._hb.policy_for_year(year),
            today=today or self._hb._today(),
        )
        stages = list(ReminderStage)
        return sorted(
            found, key=lambda r: (collation_key(r.cell_name), r.cell_id, stages.index(r.stage))
        )

    def send_reminders(
        self, *, year: int, today: dt.date | None = None, organisation_id: str | None = None
    ) -> list[Reminder]:
        """Compute the reminders and hand them to the ``reminders_due`` hook; returns them.

        The plugins get a tuple: one plugin cannot empty or change what the next plugin,
        and the caller, receive.
        """
        found = self.reminders(year=year, today=today, organisation_id=organisation_id)
        if found:
            self._hb.registry.call_each("reminders_due", reminders=tuple(found))
        return found

    def _scope(
        self, organisation_id: str | None, year: int
    ) -> tuple[list[OrgUnit], list[Member], list[Handbook]]:
        """The units, the year's members and the handbooks of a subtree (or the store)."""
        store = self._hb.store
        if organisation_id is None:
            units = store.units()
        else:
            units = self._hb.roster.tree().subtree(organisation_id)
        books = store.query(HandbookQuery(organisation_id=organisation_id, year=year))
        cells = {u.id for u in units} | {hb.cell.id for hb in books}
        return units, year_members(store.members(), books, cells, year), books
