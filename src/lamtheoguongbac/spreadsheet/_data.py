"""What a workbook holds, as values: the roster and, per member, the year's handbook entries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

import attrs

from lamtheoguongbac._errors import ValidationFailed
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
from lamtheoguongbac.rules._base import Violation

T = TypeVar("T")

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
    and role come from the roster when the workbook is applied).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import RatingLevel
        >>> from lamtheoguongbac.spreadsheet import AssessmentEntry
        >>> entry = AssessmentEntry(
        ...     text="Hoàn thành tốt nhiệm vụ được giao.",
        ...     meeting_date=dt.date(2025, 12, 20),
        ...     recorder_id="dv01",
        ...     rating=RatingLevel.GOOD,
        ... )
        >>> entry.recorder_id, entry.rating.label_vi
        ('dv01', 'Hoàn thành tốt nhiệm vụ')
    """

    text: str
    meeting_date: dt.date
    recorder_id: str
    rating: RatingLevel | None = None


@attrs.frozen(kw_only=True)
class EntryRows:
    """Where a handbook entry came from: the sheet row of each pledge (its first row), of each
    result, of the self-assessment and of the assessment; 0 when not read from a file.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.spreadsheet import read_workbook, workbook_data, write_workbook
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> members = [make_secretary(), make_member(1)]
        >>> book = make_handbook(HandbookStatus.REPORTED, member=members[1])
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "chi-bo.xlsx")
        >>> _ = write_workbook(path, workbook_data([book], members, make_organisation()))
        >>> rows = read_workbook(path).handbooks[0].rows
        >>> rows.pledges, rows.results
        ((2, 4), (2, 3))
        >>> folder.cleanup()
    """

    member: int = 0
    pledges: tuple[int, ...] = ()
    results: tuple[int, ...] = ()
    self_assessment: int = 0
    assessment: int = 0


@attrs.frozen(kw_only=True)
class HandbookEntry:
    """What a workbook says about one member's handbook for the year (nội dung sổ tay).

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.spreadsheet import workbook_data
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> members = [make_secretary(), make_member(1)]
        >>> book = make_handbook(HandbookStatus.REPORTED, member=members[1])
        >>> (entry,) = workbook_data([book], members, make_organisation()).handbooks
        >>> (
        ...     entry.member_id,
        ...     len(entry.pledges),
        ...     entry.report.submitted_on.isoformat(),
        ...     entry.assessment,
        ... )
        ('chibo-01-dv001', 2, '2025-12-05', None)
    """

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

    Example:
        >>> from lamtheoguongbac.spreadsheet import WorkbookData
        >>> from lamtheoguongbac.testing import make_member, make_organisation
        >>> data = WorkbookData(units=make_organisation(), members=[make_member(1)])
        >>> len(data.units), data.members[0].full_name, data.handbooks
        (3, 'Trần Văn Sơn', ())
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

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.spreadsheet import workbook_data
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> members = [make_secretary(), make_member(1), make_member(2)]
        >>> books = [make_handbook(HandbookStatus.REGISTERED, member=m) for m in members[1:]]
        >>> data = workbook_data(books, members, make_organisation())
        >>> len(data.units), len(data.members), [entry.member_id for entry in data.handbooks]
        (3, 3, ['chibo-01-dv001', 'chibo-01-dv002'])
    """
    books = _all_of(handbooks, Handbook, "handbooks")
    entries = tuple(e for e in map(_entry, books) if not e.empty)
    return WorkbookData(
        units=_all_of(units, OrgUnit, "units"),
        members=_all_of(members, Member, "members"),
        handbooks=entries,
    )


def _all_of(values: Iterable[Any], cls: type[T], field: str) -> tuple[T, ...]:
    """``values`` as a tuple, each checked to be a ``cls`` (swapped arguments, such as the
    units given as ``members``, are told by name instead of failing inside the writer)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationFailed(
            f"'{field}' phải là một danh sách {cls.__name__}, không phải {type(values).__name__}",
            f"'{field}' must be a list of {cls.__name__}, not {type(values).__name__}",
            field=field,
        )
    out = tuple(values)
    for i, value in enumerate(out):
        if not isinstance(value, cls):
            raise ValidationFailed(
                f"{field}[{i}] phải là {cls.__name__}, không phải {type(value).__name__}",
                f"{field}[{i}] must be {_a(cls.__name__)}, not {_a(type(value).__name__)}",
                field=f"{field}[{i}]",
            )
    return out


def _a(name: str) -> str:
    return f"{'an' if name[:1] in 'AEIOU' else 'a'} {name}"


@attrs.frozen(kw_only=True)
class ApplyResult:
    """What applying a workbook stored (kết quả nhập bảng tính).

    ``handbooks`` are the year's handbooks of every member the workbook names, as stored
    afterwards (changed or not); ``events`` the lifecycle steps taken, in order; ``warnings``
    the rules' warnings, each naming its sheet and row; ``cap_warnings`` the top-rating cap
    (LTGB-C001) judged on the final figures of each grassroots organisation the import
    changed.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.spreadsheet import read_workbook, workbook_data, write_workbook
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary = roster.members[0]
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "chi-bo.xlsx")
        >>> _ = write_workbook(path, workbook_data([], roster.members, roster.units))
        >>> with Handbooks.open("memory:") as service:
        ...     # the roster is stored already: the workbook's roster rows match it
        ...     service.roster.save(roster.units, roster.members)
        ...     result = service.import_workbook(read_workbook(path), year=2025, actor=secretary)
        ...
        >>> result.units, result.members, len(result.created), result.handbooks[0].status.value
        (3, 3, 3, 'draft')
        >>> folder.cleanup()
    """

    units: int
    members: int
    created: tuple[str, ...]
    events: tuple[Event, ...]
    handbooks: tuple[Handbook, ...]
    warnings: tuple[str, ...] = ()
    #: the top-rating cap (LTGB-C001) on the final figures of each grassroots organisation
    #: whose figures the import changed (in a bulk import: ``BulkResult.warnings`` instead)
    cap_warnings: tuple[Violation, ...] = ()

    def count(self, kind: EventKind) -> int:
        """How many steps of ``kind`` were taken."""
        return sum(1 for e in self.events if e.kind is kind)

    @property
    def self_assessments(self) -> int:
        """How many self-assessments were stored, on their own or with the report."""
        with_report = {h.id for h in self.handbooks if h.self_assessment is not None}
        return self.count(EventKind.SELF_ASSESSED) + sum(
            1 for e in self.events if e.kind is EventKind.REPORTED and e.handbook_id in with_report
        )
