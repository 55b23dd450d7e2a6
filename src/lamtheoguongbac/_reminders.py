"""Reminders for the cell secretaries: who is late to register, report or be assessed
(nhắc việc). Pure: the service feeds it stored handbooks and members.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from collections.abc import Iterable

import attrs

from lamtheoguongbac._model import Handbook, HandbookStatus, Member, MemberStatus, OrgUnit, Role
from lamtheoguongbac._public import publish
from lamtheoguongbac.rules._policy import Policy
from lamtheoguongbac.text import name_sort_key

__all__ = ["LateMember", "Reminder", "ReminderStage", "compute_reminders"]


class ReminderStage(enum.Enum):
    """What is late.

    Example:
        >>> from lamtheoguongbac.supervision import ReminderStage
        >>> [stage.value for stage in ReminderStage]
        ['register', 'report', 'assess']
    """

    REGISTER = "register"
    REPORT = "report"
    ASSESS = "assess"

    @property
    def label_vi(self) -> str:
        """Vietnamese wording of the step."""
        return {
            "register": "đăng ký làm theo",
            "report": "báo cáo kết quả",
            "assess": "được chi bộ đánh giá",
        }[self.value]

    @property
    def label_en(self) -> str:
        """English wording of the step."""
        return {
            "register": "register pledges",
            "report": "report results",
            "assess": "be assessed by the cell",
        }[self.value]


@attrs.frozen(kw_only=True)
class LateMember:
    """A member late for a step; ``handbook_id`` is None when no handbook was opened.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> secretary = roster.members[0]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.create_for_cell(secretary.cell_id, year=2025, actor=secretary)
        ...     (reminder,) = service.supervision.reminders(year=2025, today=dt.date(2025, 3, 31))
        ...
        >>> [(late.full_name, late.handbook_id) for late in reminder.members]
        [('Nguyễn Ngọc Hải', 'cb-00-0000-dv000-2025'), ('Trần Văn Sơn', 'cb-00-0000-dv001-2025')]
    """

    member_id: str
    full_name: str
    handbook_id: str | None


@attrs.frozen(kw_only=True)
class Reminder:
    """One cell's late members for one step, addressed to the cell's secretary.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary = roster.members[0]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.create_for_cell(secretary.cell_id, year=2025, actor=secretary)
        ...     (reminder,) = service.supervision.reminders(year=2025, today=dt.date(2025, 3, 31))
        ...
        >>> (
        ...     reminder.stage.value,
        ...     reminder.due.isoformat(),
        ...     reminder.secretary_name,
        ...     len(reminder.members),
        ... )
        ('register', '2025-03-02', 'Nguyễn Ngọc Hải', 3)
    """

    cell_id: str
    cell_name: str
    stage: ReminderStage
    due: dt.date
    secretary_id: str | None
    secretary_name: str | None
    members: tuple[LateMember, ...]

    def text_vi(self) -> str:
        """The reminder in Vietnamese, ready to send."""
        to = f"Đồng chí {self.secretary_name}" if self.secretary_name else "Chi ủy"
        names = ", ".join(m.full_name for m in self.members)
        return (
            f"{to} ({self.cell_name}): {len(self.members)} đảng viên chưa "
            f"{self.stage.label_vi} (hạn {self.due:%d/%m/%Y}): {names}."
        )

    def text_en(self) -> str:
        """The reminder in English."""
        to = self.secretary_name or "Cell committee"
        names = ", ".join(m.full_name for m in self.members)
        return (
            f"{to} ({self.cell_name}): "
            + ("1 member has" if len(self.members) == 1 else f"{len(self.members)} members have")
            + f" yet to {self.stage.label_en} (due {self.due.isoformat()}): {names}."
        )


def _secretary(members: Iterable[Member], cell_id: str, day: dt.date) -> Member | None:
    officers = [
        (0 if Role.SECRETARY in m.roles_on(day, cell_id) else 1, m)
        for m in members
        if m.roles_on(day, cell_id) & {Role.SECRETARY, Role.DEPUTY_SECRETARY}
    ]
    return min(officers, key=lambda o: o[0])[1] if officers else None


def compute_reminders(
    *,
    year: int,
    handbooks: Iterable[Handbook],
    members: Iterable[Member],
    units: Iterable[OrgUnit],
    policy: Policy,
    today: dt.date,
) -> list[Reminder]:
    """Reminders due on ``today`` for the handbooks of ``year``, grouped by cell.

    Members exempt from party work are not chased; a member without a handbook counts as
    late to register once the registration deadline has passed.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY
        >>> from lamtheoguongbac.supervision import compute_reminders
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> members = [make_secretary(), make_member(1)]
        >>> books = [make_handbook(HandbookStatus.DRAFT, member=members[1])]
        >>> reminders = compute_reminders(
        ...     year=2025,
        ...     handbooks=books,
        ...     members=members,
        ...     units=make_organisation(),
        ...     policy=DEFAULT_POLICY,
        ...     today=dt.date(2025, 4, 1),
        ... )
        >>> [(r.stage.value, r.cell_id, [m.member_id for m in r.members]) for r in reminders]
        [('register', 'chibo-01', ['chibo-01-dv000', 'chibo-01-dv001'])]
    """
    roster = [m for m in members if m.status is not MemberStatus.EXEMPT]
    books = {h.member.id: h for h in handbooks if h.year == year}
    names = {u.id: u.name for u in units}
    late: dict[tuple[str, ReminderStage], list[tuple[Member, Handbook | None]]] = defaultdict(list)
    dues: dict[tuple[str, ReminderStage], dt.date] = {}
    for m in roster:
        hb = books.get(m.id)
        if hb is None:
            due = dt.date(year, 1, 1) + dt.timedelta(days=policy.registration_due_days)
            stage: ReminderStage | None = ReminderStage.REGISTER if today > due else None
        elif hb.status is HandbookStatus.DRAFT:
            due = policy.registration_due(hb)
            stage = ReminderStage.REGISTER if today > due else None
        elif hb.status is HandbookStatus.REGISTERED:
            due = policy.report_due(hb)
            stage = ReminderStage.REPORT if today > due else None
        elif hb.status is HandbookStatus.REPORTED:
            due = policy.assessment_due(hb)
            stage = ReminderStage.ASSESS if today > due else None
        else:
            stage = None
        if stage is not None:
            late[(m.cell_id, stage)].append((m, hb))
            dues[(m.cell_id, stage)] = due
    by_cell: dict[str, list[Member]] = defaultdict(list)
    for m in roster:
        by_cell[m.cell_id].append(m)
    out = []
    for (cell_id, stage), items in sorted(late.items(), key=lambda kv: (kv[0][0], kv[0][1].value)):
        secretary = _secretary(by_cell[cell_id], cell_id, today)
        items.sort(key=lambda mh: name_sort_key(mh[0].full_name, mh[0].sort_key))
        out.append(
            Reminder(
                cell_id=cell_id,
                cell_name=names.get(cell_id, cell_id),
                stage=stage,
                due=dues[(cell_id, stage)],
                secretary_id=secretary.id if secretary else None,
                secretary_name=secretary.full_name if secretary else None,
                members=tuple(
                    LateMember(
                        member_id=m.id, full_name=m.full_name, handbook_id=h.id if h else None
                    )
                    for m, h in items
                ),
            )
        )
    return out


# Their public home, whichever module loads them first (the service's facet annotations
# name them before anyone imports the namespace).
publish("lamtheoguongbac.supervision", ReminderStage, LateMember, Reminder)
