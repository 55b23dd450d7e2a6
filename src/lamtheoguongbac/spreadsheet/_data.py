"""What a workbook holds, as values: the roster and, per member, the year's handbook entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from lamtheoguongbac._model import (
    Event,
    EventKind,
    Handbook,
    Member,
    OrgUnit,
    Pledge,
    RatingLevel,
    ResultReport,
    SelfAssessment,
)

__all__ = [
    "ApplyResult",
    "AssessmentEntry",
    "EntryRows",
    "HandbookEntry",
    "WorkbookData",
    "workbook_data",
]


@attrs.frozen(kw_only=True)
class AssessmentEntry:
    """The cell's assessment as the workbook gives it: the recorder by member id only (the name
    and role come from the roster when the workbook is applied)."""

    text: str
    meeting_date: dt.date
    recorder_id: str
    rating: RatingLevel | None = None


@attrs.frozen(kw_only=True)
class EntryRows:
    """Where a handbook entry came from: the sheet row of each pledge (its first row), of each
    result, of the self-assessment and of the assessment; 0 when not read from a file."""

    member: int = 0
    pledges: tuple[int, ...] = ()
    results: tuple[int, ...] = ()
    self_assessment: int = 0
    assessment: int = 0


@attrs.frozen(kw_only=True)
class HandbookEntry:
    """What a workbook says about one member's handbook for the year (nội dung sổ tay)."""

    member_id: str
    pledges: tuple[Pledge, ...] = ()
    report: ResultReport | None = None
    self_assessment: SelfAssessment | None = None
    assessment: AssessmentEntry | None = None
    rows: EntryRows = attrs.field(factory=EntryRows, eq=False)

    @property
    def empty(self) -> bool:
        """Whether the entry says nothing beyond the member."""
        return not (self.pledges or self.report or self.self_assessment or self.assessment)


@attrs.frozen(kw_only=True)
class WorkbookData:
    """The content of a handbook workbook (sổ tay dạng bảng tính), read or to be written.

    Two values are equal when their content is: where each item came from (``source``, the
    rows, the columns found) and the notes about legacy text are not compared.

    ``columns`` maps each sheet read to its columns as found in the file: key → (column
    letter, header as written).
    """

    units: tuple[OrgUnit, ...] = ()
    members: tuple[Member, ...] = ()
    handbooks: tuple[HandbookEntry, ...] = ()
    source: str = attrs.field(default="", eq=False)
    unit_rows: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)
    member_rows: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)
    columns: Mapping[str, Mapping[str, tuple[str, str]]] = attrs.field(
        factory=dict, eq=False, repr=False
    )
    notes: tuple[str, ...] = attrs.field(default=(), eq=False)

    def member(self, member_id: str) -> Member | None:
        """The member ``member_id`` of the workbook's roster, if listed."""
        return next((m for m in self.members if m.id == member_id), None)


def _entry(hb: Handbook) -> HandbookEntry:
    ca = hb.collective_assessment
    return HandbookEntry(
        member_id=hb.member.id,
        pledges=hb.pledges,
        report=hb.report,
        self_assessment=hb.self_assessment,
        assessment=None
        if ca is None
        else AssessmentEntry(
            text=ca.text,
            meeting_date=ca.meeting_date,
            recorder_id=ca.recorded_by,
            rating=ca.rating,
        ),
    )


def workbook_data(
    handbooks: Iterable[Handbook], members: Iterable[Member], units: Iterable[OrgUnit]
) -> WorkbookData:
    """The workbook content for handbooks and the roster they belong to.

    Handbooks with nothing to write yet (drafts) give no entry; their members are still
    listed when in ``members``.
    """
    entries = tuple(e for e in map(_entry, handbooks) if not e.empty)
    return WorkbookData(units=tuple(units), members=tuple(members), handbooks=entries)


@attrs.frozen(kw_only=True)
class ApplyResult:
    """What applying a workbook stored (kết quả nhập bảng tính).

    ``handbooks`` are the year's handbooks of every member the workbook names, as stored
    afterwards (changed or not); ``events`` the lifecycle steps taken, in order; ``warnings``
    the rules' warnings, each naming its sheet and row.
    """

    units: int
    members: int
    created: tuple[str, ...]
    events: tuple[Event, ...]
    handbooks: tuple[Handbook, ...]
    warnings: tuple[str, ...] = ()

    def count(self, kind: EventKind) -> int:
        """How many steps of ``kind`` were taken."""
        return sum(1 for e in self.events if e.kind is kind)

    @property
    def self_assessments(self) -> int:
        """How many self-assessments were stored: on their own, or with the report."""
        with_report = {h.id for h in self.handbooks if h.self_assessment is not None}
        return self.count(EventKind.SELF_ASSESSED) + sum(
            1 for e in self.events if e.kind is EventKind.REPORTED and e.handbook_id in with_report
        )
