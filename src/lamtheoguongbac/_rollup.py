"""Roll-ups for supervision: where every cell of an organisation stands in the year (tổng hợp
phục vụ kiểm tra, giám sát).

For an organisation subtree and a year, per cell and in total: members, handbooks opened,
registered, reported, assessed and overdue (by the policy's deadlines on a given ``today``),
the rating distribution, the share of pledges the linter finds specific, and the top-rating
cap per grassroots organisation. The figures are computed by pure functions
(:func:`summarise`) from values; ``handbooks.supervision`` fetches those values from the
store.

Who counts as a member of a cell in a year: the stored roster's members of the cells in the
subtree, each placed in the cell of their handbook for that year when they have one (a member
who moved keeps the year in the cell that holds their handbook), plus the owners of handbooks
who have left the roster. Members exempt from party work count as members but are never
overdue, as in :func:`~lamtheoguongbac._reminders.compute_reminders`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from lamtheoguongbac._inspection_rules import InspectionSummary
from lamtheoguongbac._linter import is_generic
from lamtheoguongbac._model import Handbook, HandbookStatus, Member, OrgUnit, Pledge, RatingLevel
from lamtheoguongbac._public import publish
from lamtheoguongbac._reminders import ReminderStage, compute_reminders
from lamtheoguongbac.rules._aggregate import CapCheck, cap_figures
from lamtheoguongbac.rules._policy import Policy
from lamtheoguongbac.text import collation_key

__all__ = [
    "TABLE_COLUMNS",
    "CellRollup",
    "Figures",
    "RatingCounts",
    "Rollup",
    "is_specific",
    "summarise",
    "year_members",
]

_LEVEL_FIELDS = {
    RatingLevel.EXCELLENT: "excellent",
    RatingLevel.GOOD: "good",
    RatingLevel.COMPLETED: "completed",
    RatingLevel.NOT_COMPLETED: "not_completed",
}


@attrs.frozen(kw_only=True)
class RatingCounts:
    """How many members got each rating level (kết quả xếp loại) and how many have none.

    ``not_rated`` counts every member without a rating — not assessed yet, suspended, or
    without a handbook — so the five counts add up to the members counted. Two parts of it
    are told apart: ``not_rated_by_rule``, members whose standing means no rating (suspended;
    exempt and left unrated, see :meth:`~lamtheoguongbac.rules.Policy.rating_rule`), and
    ``not_assessed``, the others whose cell has not assessed them yet (no handbook, or not
    assessed). The rest of ``not_rated`` (:attr:`assessed_unrated`) were assessed without a
    recorded rating.

    Example:
        >>> from lamtheoguongbac.supervision import RatingCounts
        >>> counts = RatingCounts(excellent=1, good=6, completed=2, not_assessed=1)
        >>> counts.good, counts.not_rated
        (6, 0)
    """

    excellent: int = 0
    good: int = 0
    completed: int = 0
    not_completed: int = 0
    not_rated: int = 0
    not_rated_by_rule: int = 0
    not_assessed: int = 0

    @property
    def assessed_unrated(self) -> int:
        """Members assessed by their cell with no rating recorded (a rated standing)."""
        return max(self.not_rated - self.not_rated_by_rule - self.not_assessed, 0)

    def count(self, level: RatingLevel | None) -> int:
        """The count for ``level``; ``None`` gives ``not_rated``."""
        return self.not_rated if level is None else int(getattr(self, _LEVEL_FIELDS[level]))

    @property
    def total(self) -> int:
        """Every member counted, rated or not."""
        return self.not_rated + sum(self.count(level) for level in RatingLevel)

    def __add__(self, other: RatingCounts) -> RatingCounts:
        return RatingCounts(**_added(self, other))

    def to_dict(self) -> dict[str, int]:
        """``{"HTXSNV": …, "HTTNV": …, "HTNV": …, "KHTNV": …, "not_rated": …,
        "not_rated_by_rule": …, "not_assessed": …, "assessed_unrated": …}``."""
        return {level.abbreviation: self.count(level) for level in RatingLevel} | {
            "not_rated": self.not_rated,
            "not_rated_by_rule": self.not_rated_by_rule,
            "not_assessed": self.not_assessed,
            "assessed_unrated": self.assessed_unrated,
        }


@attrs.frozen(kw_only=True)
class Figures:
    """The counts of one cell, or of a whole subtree (số liệu tổng hợp).

    ``registered``, ``reported`` and ``assessed`` count handbooks that have reached at least
    that step (a closed handbook counts in all three); the ``overdue_*`` counts are members
    past the policy's deadline for that step on ``today``.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=4)
        >>> secretary = roster.members[0]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.create_for_cell(secretary.cell_id, year=2025, actor=secretary)
        ...     rollup = service.supervision.rollup(
        ...         organisation_id="db-00", year=2025, today=dt.date(2025, 3, 31)
        ...     )
        ...
        >>> figures = rollup.cells[0].figures
        >>> figures.members, figures.handbooks, figures.registered, figures.overdue_registration
        (4, 4, 0, 4)
    """

    members: int = 0
    handbooks: int = 0
    registered: int = 0
    reported: int = 0
    assessed: int = 0
    overdue_registration: int = 0
    overdue_report: int = 0
    overdue_assessment: int = 0
    pledges: int = 0
    specific_pledges: int = 0
    ratings: RatingCounts = RatingCounts()

    @property
    def overdue(self) -> int:
        """Members late for any step."""
        return self.overdue_registration + self.overdue_report + self.overdue_assessment

    @property
    def specific_share(self) -> float | None:
        """The share (0–1) of pledges that are specific; ``None`` when there are none."""
        return self.specific_pledges / self.pledges if self.pledges else None

    def __add__(self, other: Figures) -> Figures:
        return Figures(**_added(self, other))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        share = self.specific_share
        return {
            "members": self.members,
            "handbooks": self.handbooks,
            "registered": self.registered,
            "reported": self.reported,
            "assessed": self.assessed,
            "overdue": {
                ReminderStage.REGISTER.value: self.overdue_registration,
                ReminderStage.REPORT.value: self.overdue_report,
                ReminderStage.ASSESS.value: self.overdue_assessment,
            },
            "ratings": self.ratings.to_dict(),
            "pledges": self.pledges,
            "specific_pledges": self.specific_pledges,
            "specific_share": None if share is None else round(share, 4),
        }


@attrs.frozen(kw_only=True)
class CellRollup:
    """The figures of one party cell (chi bộ).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     rollup = service.supervision.rollup(
        ...         organisation_id="db-00", year=2025, today=dt.date(2025, 3, 31)
        ...     )
        ...
        >>> [
        ...     (cell.cell_id, cell.figures.members, cell.figures.handbooks)
        ...     for cell in rollup.cells
        ... ]
        [('cb-00-0000', 3, 0), ('cb-00-0001', 3, 0)]
    """

    cell_id: str
    cell_name: str
    figures: Figures

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {"cell_id": self.cell_id, "cell_name": self.cell_name, **self.figures.to_dict()}


#: The roll-up table, column by column: (key, Vietnamese header, English header).
TABLE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cell", "Chi bộ", "Cell"),
    ("members", "Đảng viên", "Members"),
    ("handbooks", "Sổ", "Handbooks"),
    ("registered", "Đã đăng ký", "Registered"),
    ("reported", "Đã báo cáo", "Reported"),
    ("assessed", "Đã đánh giá", "Assessed"),
    ("overdue_registration", "Trễ đăng ký", "Late to register"),
    ("overdue_report", "Trễ báo cáo", "Late to report"),
    ("overdue_assessment", "Trễ đánh giá", "Late assessment"),
    *((level.abbreviation, level.abbreviation, level.abbreviation) for level in RatingLevel),
    ("not_rated", "Chưa xếp loại", "Not rated"),
    ("specific_share", "Việc cụ thể", "Specific pledges"),
)


@attrs.frozen(kw_only=True)
class Rollup:
    """Where an organisation's cells stand in a year (báo cáo tổng hợp).

    ``cells`` are sorted by the Vietnamese collation of their names; ``caps`` holds the
    top-rating cap figures per grassroots organisation, over the handbooks in the subtree
    only (a subtree below a grassroots organisation gives partial figures for it).
    ``inspection`` adds up the year's inspections of the subtree's cells (kiểm tra, giám
    sát), when the roll-up was made from a store (``handbooks.supervision.rollup``).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     rollup = service.supervision.rollup(
        ...         organisation_id="db-00", year=2025, today=dt.date(2025, 3, 31)
        ...     )
        ...
        >>> rollup.organisation_name, rollup.year, rollup.policy_name, len(rollup.cells)
        ('Đảng bộ xã số 1', 2025, 'qd-366-2025', 2)
    """

    organisation_id: str
    organisation_name: str
    year: int
    today: dt.date
    policy_name: str
    policy_version: str
    cells: tuple[CellRollup, ...]
    caps: tuple[CapCheck, ...] = ()
    inspection: InspectionSummary | None = None

    @property
    def total(self) -> Figures:
        """The figures of every cell added up."""
        return sum((c.figures for c in self.cells), Figures())

    @property
    def caps_exceeded(self) -> tuple[CapCheck, ...]:
        """The grassroots organisations over the top-rating cap."""
        return tuple(c for c in self.caps if c.exceeded)

    def table(self, lang: str = "vi") -> tuple[list[str], list[list[Any]]]:
        """Headers and rows (one per cell, then the total) of the roll-up table.

        Values are ``str`` for the cell, ``int`` counts, and the specific share as a
        ``float`` (0–1) or ``None``.
        """
        headers = [en if lang == "en" else vi for _, vi, en in TABLE_COLUMNS]
        rows = [_row(c.cell_name, c.figures) for c in self.cells]
        rows.append(_row("Total" if lang == "en" else "Tổng cộng", self.total))
        return headers, rows

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "organisation": {"id": self.organisation_id, "name": self.organisation_name},
            "year": self.year,
            "today": self.today.isoformat(),
            "policy": {"name": self.policy_name, "version": self.policy_version},
            "cells": [c.to_dict() for c in self.cells],
            "total": self.total.to_dict(),
            "caps": [
                {
                    "organisation_id": c.organisation_id,
                    "organisation_name": c.organisation_name,
                    "top_count": c.top_count,
                    "base_count": c.base_count,
                    "allowed": c.allowed,
                    "exceeded": c.exceeded,
                }
                for c in self.caps
            ],
            "inspection": None if self.inspection is None else self.inspection.to_dict(),
        }


def _added(a: RatingCounts | Figures, b: RatingCounts | Figures) -> dict[str, Any]:
    """Field-by-field sums of two values of the same class."""
    return {k: v + getattr(b, k) for k, v in attrs.asdict(a, recurse=False).items()}


def _row(label: str, f: Figures) -> list[Any]:
    values: dict[str, Any] = {
        "cell": label,
        "members": f.members,
        "handbooks": f.handbooks,
        "registered": f.registered,
        "reported": f.reported,
        "assessed": f.assessed,
        "overdue_registration": f.overdue_registration,
        "overdue_report": f.overdue_report,
        "overdue_assessment": f.overdue_assessment,
        **f.ratings.to_dict(),
        "specific_share": f.specific_share,
    }
    return [values[key] for key, _, _ in TABLE_COLUMNS]


def is_specific(pledge: Pledge) -> bool:
    """Whether the linter finds the pledge specific, judged as the registration rule
    (LTGB-L000) judges it: the deed with its target, the target and deadline fields counted."""
    text = pledge.deed if pledge.target is None else f"{pledge.deed} {pledge.target.describe()}"
    return not is_generic(
        text,
        target_given=pledge.target is not None,
        deadline_given=pledge.deadline is not None or bool(pledge.checkpoints),
    )


def year_members(
    members: Iterable[Member],
    handbooks: Iterable[Handbook],
    cell_ids: Iterable[str],
    year: int | None = None,
) -> list[Member]:
    """The members of ``cell_ids`` for a year's handbooks (see the module docstring).

    A roster member with a handbook is placed in the handbook's cell; the owner of a handbook
    missing from the roster is taken from the handbook. With ``year``, a member without a
    handbook who joined the Party after that year is left out: they were no member then, and
    a reminder or a roll-up of an earlier year would count them late.
    """
    books = {hb.member.id: hb for hb in handbooks}
    wanted = set(cell_ids)
    people: dict[str, Member] = {}
    for m in members:
        hb = books.get(m.id)
        joined = m.joined_on
        if hb is None and year is not None and joined is not None and joined.year > year:
            continue
        if hb is not None and hb.cell.id != m.cell_id:
            m = attrs.evolve(m, cell_id=hb.cell.id)
        people[m.id] = m
    for member_id, hb in books.items():
        people.setdefault(member_id, hb.member)
    return [m for m in people.values() if m.cell_id in wanted]


def summarise(
    *,
    organisation: OrgUnit,
    units: Iterable[OrgUnit],
    members: Iterable[Member],
    handbooks: Iterable[Handbook],
    policy: Policy,
    year: int,
    today: dt.date,
) -> Rollup:
    """Roll up one organisation's year from values.

    Args:
        organisation: the unit at the top of the subtree.
        units: the units of the subtree (the organisation included).
        members: roster members (others than the subtree's are ignored).
        handbooks: handbooks (others than the subtree's for ``year`` are ignored).
        policy: gives the deadlines and the top-rating cap.
        year: the handbooks' year.
        today: the day deadlines are judged on.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY
        >>> from lamtheoguongbac.supervision import summarise
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> units = make_organisation()
        >>> members = [make_secretary(), make_member(1), make_member(2)]
        >>> books = [
        ...     make_handbook(HandbookStatus.CLOSED, member=members[1]),
        ...     make_handbook(HandbookStatus.REGISTERED, member=members[2]),
        ... ]
        >>> rollup = summarise(
        ...     organisation=units[1],
        ...     units=units,
        ...     members=members,
        ...     handbooks=books,
        ...     policy=DEFAULT_POLICY,
        ...     year=2025,
        ...     today=dt.date(2026, 1, 15),
        ... )
        >>> total = rollup.cells[0].figures
        >>> total.members, total.handbooks, total.registered, total.assessed
        (3, 2, 2, 1)
    """
    units = list(units)
    books = [
        hb
        for hb in handbooks
        if hb.year == year and any(u.id == organisation.id for u in hb.organisation)
    ]
    names = {u.id: u.name for u in units}
    parents = {u.parent_id for u in units}
    # A cell is a leaf of the subtree, or any unit that holds members or handbooks.
    cell_ids = {u.id for u in units if u.id not in parents}
    for hb in books:
        names.setdefault(hb.cell.id, hb.cell.name)
        cell_ids.add(hb.cell.id)
    people = year_members(members, books, set(names), year)
    cell_ids.update(m.cell_id for m in people)
    reminders = compute_reminders(
        year=year, handbooks=books, members=people, units=units, policy=policy, today=today
    )
    late: dict[tuple[str, ReminderStage], int] = {
        (r.cell_id, r.stage): len(r.members) for r in reminders
    }
    by_cell: dict[str, list[Handbook]] = defaultdict(list)
    for hb in books:
        by_cell[hb.cell.id].append(hb)
    in_cell: dict[str, list[Member]] = defaultdict(list)
    for m in people:
        in_cell[m.cell_id].append(m)
    cells = [
        CellRollup(
            cell_id=cid,
            cell_name=names[cid],
            figures=_figures(in_cell[cid], by_cell[cid], late, cid, policy),
        )
        for cid in sorted(cell_ids)
    ]
    cap = policy.top_rating_cap
    caps = cap_figures(books, cap) if cap is not None else []
    return Rollup(
        organisation_id=organisation.id,
        organisation_name=organisation.name,
        year=year,
        today=today,
        policy_name=policy.name,
        policy_version=policy.version,
        cells=tuple(sorted(cells, key=lambda c: collation_key(c.cell_name))),
        caps=tuple(sorted(caps, key=lambda c: collation_key(c.organisation_name))),
    )


def _figures(
    people: Sequence[Member],
    books: Sequence[Handbook],
    late: dict[tuple[str, ReminderStage], int],
    cell_id: str,
    policy: Policy,
) -> Figures:
    def reached(status: HandbookStatus) -> int:
        return sum(1 for hb in books if hb.status.order >= status.order)

    heads = len(people)
    ratings: dict[str, int] = defaultdict(int)
    rated: set[str] = set()
    assessed: set[str] = set()
    for hb in books:
        ca = hb.collective_assessment
        if ca is not None:
            assessed.add(hb.member.id)
            if ca.rating is not None:
                ratings[_LEVEL_FIELDS[ca.rating]] += 1
                rated.add(hb.member.id)
    unrated = [m for m in people if m.id not in rated]
    # Not rated by rule: a standing that is never rated, or one rated only optionally and
    # left unrated; the others without a rating are waiting for the cell (or its record).
    by_rule = sum(1 for m in unrated if policy.rating_rule(m.status) != "required")
    not_assessed = sum(
        1 for m in unrated if policy.rating_rule(m.status) == "required" and m.id not in assessed
    )
    pledges = [p for hb in books for p in hb.pledges]
    return Figures(
        members=heads,
        handbooks=len(books),
        registered=reached(HandbookStatus.REGISTERED),
        reported=reached(HandbookStatus.REPORTED),
        assessed=reached(HandbookStatus.ASSESSED),
        overdue_registration=late.get((cell_id, ReminderStage.REGISTER), 0),
        overdue_report=late.get((cell_id, ReminderStage.REPORT), 0),
        overdue_assessment=late.get((cell_id, ReminderStage.ASSESS), 0),
        pledges=len(pledges),
        specific_pledges=sum(1 for p in pledges if is_specific(p)),
        ratings=RatingCounts(
            **ratings,
            not_rated=max(heads - sum(ratings.values()), 0),
            not_rated_by_rule=by_rule,
            not_assessed=not_assessed,
        ),
    )


# Their public home, whichever module loads them first (the service's facet annotations
# name them before anyone imports the namespace).
publish("lamtheoguongbac.supervision", RatingCounts, Figures, CellRollup, Rollup)
