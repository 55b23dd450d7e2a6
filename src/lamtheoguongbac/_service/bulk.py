"""Bulk steps for an organisation subtree (thao tác hàng loạt): ``handbooks.bulk``.

A province committee runs the yearly cycle for tens of thousands of members at once. Each
bulk step takes the work **per cell** (chi bộ), as a :class:`CellBatch` naming the cell, the
year, the officer the embedding system authenticated as its **submitter**, and one entry per
member::

    result = hb.bulk.register(
        [CellBatch(cell_id="chibo-01", year=2025, submitter=secretary,
                   entries=[MemberRegistration(member_id="dv-001", pledges=pledges)])]
    )
    for failure in result.failed:
        print(failure.member_id, failure.problem("en"))

The rules are those of the single steps: every member's step is run by the same lifecycle
and rules as :meth:`~lamtheoguongbac.Handbooks.register_pledges` (and friends), as
the submitter — never as a name read from the data — so a submitter who may not take the
step for a member is refused for that member. A cell is **all or nothing**: when any
member's step in it fails, none of the cell's steps is kept (the others are reported
:attr:`BulkOutcome.ROLLED_BACK`) and the other cells go on; each failure names the member and,
when the data came from a file, the file and row. ``handbook_changed`` hooks fire per cell,
once it is committed.

Entries and batches check their fields at construction, as the model's values do (a
``ValidationFailed`` naming the field); what only the step can find — a member twice in a
batch, an unknown cell or member, an unexpected error (not the library's) in one member's
step — fails that member and rolls back its cell, so an operation always ends with its
:class:`BulkResult`; an unexpected error's traceback is logged on ``lamtheoguongbac.bulk``.

Costs are linear: the organisation tree is read once per operation, each cell's handbooks
and members once, and the top-rating cap (LTGB-C001) is kept as running figures per
grassroots organisation; its warning is judged on the figures once the step is done.

A folder of filled cell workbooks is imported by :meth:`BulkSteps.import_folder` (the CLI's
``workbook import-folder``): recorded as the person who ran it, or — only with
``on_behalf_of_cell_officer=True``, for someone holding an office in a committee above each
cell — on behalf of each cell's Bí thư (Phó Bí thư), with both in the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import functools
import logging
import os
import re
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._checks import ID_MAX, LINE, checked, fail, require_id, require_text
from lamtheoguongbac._errors import (
    ImportFailed,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    Problem,
    RulesViolated,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac._model import (
    Actor,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    MemberStatus,
    OrgUnit,
    Period,
    Pledge,
    RatingLevel,
    ResultReport,
    Role,
    SelfAssessment,
    StudyTheme,
    _check_year,
    handbook_id,
)
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._service import workers
from lamtheoguongbac._service.roster import MEMBER_ID_MAX
from lamtheoguongbac._service.workers import WorkerSpec, ordered_map
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac._storage.contract import wrong_handbook
from lamtheoguongbac.rules._aggregate import RatingTally, counts_as_pending
from lamtheoguongbac.rules._base import Severity, Violation
from lamtheoguongbac.rules._policy import Policy
from lamtheoguongbac.text import nfc

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks, StepResult
    from lamtheoguongbac.spreadsheet import WorkbookData

__all__ = [
    "BulkOutcome",
    "BulkResult",
    "BulkSteps",
    "CellBatch",
    "MemberAssessment",
    "MemberClosing",
    "MemberOutcome",
    "MemberRegistration",
    "MemberReport",
    "Progress",
    "Source",
    "WorkbookSubmission",
]

#: Called after each cell (or workbook) with how many are done and the total, when known.
Progress = Callable[[int, int | None], None]

#: Offices of a committee that may import a cell's workbook on behalf of its officer.
_COMMITTEE_OFFICES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY, Role.COMMITTEE_MEMBER})

# An unexpected error (a bug, a plugin's exception) in one member's step is reported as that
# member's failure and its cell rolled back; the traceback goes here so it is not lost.
log = logging.getLogger("lamtheoguongbac.bulk")

#: Field metadata: the field is checked by its class, not by ``checked`` (a type variable,
#: a path that may be given as text).
_OWN_CHECK: dict[str, bool] = {"own_check": True}


def _entry_fields(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """attrs ``field_transformer`` of the entry classes: every field type-checked at
    construction as the model classes are (:func:`~lamtheoguongbac._checks.checked`),
    but those marked ``_OWN_CHECK``, which their class checks itself."""
    own = [f.metadata.get("own_check", False) for f in fields]
    plain = iter(checked(cls, [f for f, mine in zip(fields, own, strict=True) if not mine]))
    return [f if mine else next(plain) for f, mine in zip(fields, own, strict=True)]


class BulkOutcome(enum.Enum):
    """What became of one member's step in a bulk operation (kết quả từng đảng viên).

    Example:
        >>> from lamtheoguongbac.bulk import BulkOutcome
        >>> [outcome.value for outcome in BulkOutcome]
        ['done', 'failed', 'rolled_back']
    """

    #: stored
    DONE = "done"
    #: refused: the outcome's problem says why (nothing of its cell or workbook is stored)
    FAILED = "failed"
    #: valid, but not stored because another member of the same cell failed
    ROLLED_BACK = "rolled_back"


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class Source:
    """Where an entry came from: a file and, when known, its sheet and row (nguồn dữ liệu).

    Example:
        >>> from lamtheoguongbac.bulk import Source
        >>> Source(file="chi-bo-01.xlsx", row=12, sheet="Việc đăng ký")
        Source(file='chi-bo-01.xlsx', row=12, sheet='Việc đăng ký')
    """

    file: str
    row: int | None = None
    sheet: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("Source.file", self.file, max_len=4000)
        require_text("Source.sheet", self.sheet, max_len=200)
        if self.row is not None and self.row < 1:
            fail("Source.row", f"số dòng {self.row} phải từ 1", f"row {self.row} must be 1 or more")

    def describe(self, lang: str = "vi") -> str:
        """``"chi-bo-01.xlsx, trang 'Kết quả', dòng 5"`` (or the English form)."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'" if lang == "en" else f"trang '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}" if lang == "en" else f"dòng {self.row}")
        return ", ".join(parts)


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class MemberRegistration:
    """One member's pledges to register (đăng ký làm theo).

    Example:
        >>> from lamtheoguongbac.bulk import MemberRegistration
        >>> from lamtheoguongbac.testing import advance, make_handbook
        >>> pledges = advance(make_handbook()).handbook.pledges
        >>> entry = MemberRegistration(member_id="chibo-01-dv001", pledges=pledges)
        >>> len(entry.pledges), entry.source
        (2, None)
    """

    member_id: str = attrs.field(metadata=LINE)
    pledges: tuple[Pledge, ...]
    source: Source | None = None

    def __attrs_post_init__(self) -> None:
        require_id("MemberRegistration.member_id", self.member_id)


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class MemberReport:
    """One member's results report, with the self-assessment when given (báo cáo kết quả).

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.bulk import MemberReport
        >>> from lamtheoguongbac.testing import make_handbook
        >>> done = make_handbook(HandbookStatus.REPORTED)
        >>> entry = MemberReport(
        ...     member_id=done.member.id, report=done.report, self_assessment=done.self_assessment
        ... )
        >>> len(entry.report.results), entry.self_assessment.written_on.isoformat()
        (2, '2025-12-05')
    """

    member_id: str = attrs.field(metadata=LINE)
    report: ResultReport
    self_assessment: SelfAssessment | None = None
    source: Source | None = None

    def __attrs_post_init__(self) -> None:
        require_id("MemberReport.member_id", self.member_id)


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class MemberAssessment:
    """The cell's collective assessment of one member (chi bộ nhận xét, đánh giá).

    It is signed by the batch's submitter — their stored name and role in the cell — never
    by a name given with the data.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import RatingLevel
        >>> from lamtheoguongbac.bulk import MemberAssessment
        >>> entry = MemberAssessment(
        ...     member_id="dv04",
        ...     text="Đồng chí thực hiện nghiêm túc, có kết quả cụ thể.",
        ...     meeting_date=dt.date(2025, 12, 20),
        ...     rating=RatingLevel.GOOD,
        ... )
        >>> entry.rating.value, entry.source
        ('HTTNV', None)
    """

    member_id: str = attrs.field(metadata=LINE)
    text: str
    meeting_date: dt.date
    rating: RatingLevel | None
    source: Source | None = None

    def __attrs_post_init__(self) -> None:
        require_id("MemberAssessment.member_id", self.member_id)
        require_text("MemberAssessment.text", self.text)


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class MemberClosing:
    """One member's handbook to close (khóa sổ).

    Example:
        >>> from lamtheoguongbac.bulk import MemberClosing, Source
        >>> MemberClosing(
        ...     member_id="dv04", source=Source(file="chi-bo.xlsx", sheet="Đảng viên", row=7)
        ... ).source.row
        7
    """

    member_id: str = attrs.field(metadata=LINE)
    source: Source | None = None

    def __attrs_post_init__(self) -> None:
        require_id("MemberClosing.member_id", self.member_id)


E = TypeVar("E", MemberRegistration, MemberReport, MemberAssessment, MemberClosing)

_ENTRY_KINDS = (MemberRegistration, MemberReport, MemberAssessment, MemberClosing)


def _entries(value: Any) -> tuple[Any, ...]:
    """A batch's entries as a tuple, each one of the entry classes and all of one kind."""
    where = "CellBatch.entries"
    if isinstance(value, str | bytes | dict) or not isinstance(value, Iterable):
        fail(where, "phải là một danh sách", f"must be a list, got {type(value).__name__}")
    entries = tuple(value)
    kinds = ", ".join(k.__name__ for k in _ENTRY_KINDS)
    for i, entry in enumerate(entries):
        if not isinstance(entry, _ENTRY_KINDS):
            fail(
                f"{where}[{i}]",
                f"phải là một trong {kinds}, không phải {type(entry).__name__}",
                f"must be one of {kinds}, got {type(entry).__name__}",
            )
        first = type(entries[0]).__name__
        if type(entry) is not type(entries[0]):
            fail(
                f"{where}[{i}]",
                f"mọi mục của một lô phải cùng loại: mục đầu là {first}, mục này là "
                f"{type(entry).__name__}",
                f"every entry of a batch is of one kind: the first is {first}, this one "
                f"{type(entry).__name__}",
            )
    return entries


def _path(value: Any) -> Path:
    """A workbook's path, given as a :class:`~pathlib.Path` or as text."""
    if isinstance(value, str | os.PathLike) and not isinstance(value, bytes):
        text = os.fspath(value)
        if isinstance(text, str) and text.strip():
            return Path(text)
    fail(
        "WorkbookSubmission.path",
        "phải là đường dẫn tệp (Path hoặc văn bản, không để trống)",
        f"must be a file path (a Path or non-blank text), got {type(value).__name__}",
    )


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class CellBatch(Generic[E]):
    """One cell's entries for a bulk step, and who submits them (lô của một chi bộ).

    ``submitter`` is the officer the embedding system authenticated for this cell (usually
    its Bí thư or Phó Bí thư); every entry's step is taken, checked and recorded as them.
    The entries address each member's handbook for ``year``.

    Example:
        >>> from lamtheoguongbac.bulk import CellBatch, MemberClosing, Source
        >>> from lamtheoguongbac.testing import make_secretary
        >>> batch = CellBatch(
        ...     cell_id="chibo-01",
        ...     year=2025,
        ...     submitter=make_secretary(),
        ...     entries=[
        ...         MemberClosing(
        ...             member_id="chibo-01-dv001", source=Source(file="chi-bo-01.xlsx", row=4)
        ...         )
        ...     ],
        ... )
        >>> batch.entries[0].member_id, batch.submitter.full_name
        ('chibo-01-dv001', 'Nguyễn Ngọc Hải')
    """

    cell_id: str = attrs.field(metadata=LINE)
    year: int
    submitter: Actor | Member
    entries: tuple[E, ...] = attrs.field(metadata=_OWN_CHECK, converter=_entries)

    def __attrs_post_init__(self) -> None:
        require_id("CellBatch.cell_id", self.cell_id)
        _check_year("CellBatch.year", self.year)


@attrs.frozen(kw_only=True, field_transformer=_entry_fields)
class WorkbookSubmission:
    """A filled cell workbook and the officer the embedding system authenticated as its
    submitter (bảng tính nộp lên).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.bulk import WorkbookSubmission
        >>> from lamtheoguongbac.testing import make_secretary
        >>> submission = WorkbookSubmission(
        ...     path=Path(tempfile.gettempdir(), "chi-bo-01.xlsx"), submitter=make_secretary()
        ... )
        >>> submission.path.name, submission.submitter.id
        ('chi-bo-01.xlsx', 'chibo-01-dv000')
    """

    path: Path = attrs.field(metadata=_OWN_CHECK, converter=_path)
    submitter: Actor | Member


@attrs.frozen(kw_only=True)
class MemberOutcome:
    """One member's (or, for a file refused as a whole, one problem's) outcome.

    Example:
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.bulk import CellBatch, MemberClosing
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> secretary, member = roster.members
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.bulk.open_year("db-00", year=2025, actor=secretary)
        ...     batch = CellBatch(
        ...         cell_id=secretary.cell_id,
        ...         year=2025,
        ...         submitter=secretary,
        ...         entries=[MemberClosing(member_id=member.id)],
        ...     )
        ...     result = service.bulk.close([batch])
        ...
        >>> (outcome,) = result.outcomes
        >>> outcome.outcome.value, outcome.member_id, outcome.code
        ('failed', 'cb-00-0000-dv001', 'LTGB-T001')
        >>> print(outcome.problem("en")[:60])
        Cannot close: handbook cb-00-0000-dv001-2025 is draft, needs
    """

    outcome: BulkOutcome
    cell_id: str | None
    member_id: str | None = None
    handbook_id: str | None = None
    problem_vi: str | None = None
    problem_en: str | None = None
    code: str | None = None
    source: Source | None = None
    warnings: tuple[Violation, ...] = ()

    def problem(self, lang: str = "vi") -> str | None:
        """Why the step failed, in ``"vi"`` (default) or ``"en"``; None when it did not."""
        return self.problem_en if lang == "en" else self.problem_vi


@attrs.frozen(kw_only=True)
class BulkResult:
    """What a bulk step did, member by member (kết quả thao tác hàng loạt).

    ``warnings`` are the operation's own — the top-rating cap on the final figures of each
    grassroots organisation touched; ``notes`` are textual warnings of imported files, each
    naming its file, sheet and row.

    Example:
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     result = service.bulk.open_year("db-00", year=2025, actor=roster.members[0])
        ...
        >>> result.ok, len(result.done), result.failed, result.cells(result.done[0].outcome)
        (True, 6, (), ('cb-00-0000', 'cb-00-0001'))
    """

    step: str
    outcomes: tuple[MemberOutcome, ...]
    warnings: tuple[Violation, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def done(self) -> tuple[MemberOutcome, ...]:
        """The stored steps."""
        return tuple(o for o in self.outcomes if o.outcome is BulkOutcome.DONE)

    @property
    def failed(self) -> tuple[MemberOutcome, ...]:
        """The refused steps, each with its problem."""
        return tuple(o for o in self.outcomes if o.outcome is BulkOutcome.FAILED)

    @property
    def rolled_back(self) -> tuple[MemberOutcome, ...]:
        """Valid steps not stored because their cell had a failure."""
        return tuple(o for o in self.outcomes if o.outcome is BulkOutcome.ROLLED_BACK)

    @property
    def ok(self) -> bool:
        """Whether every step was stored."""
        return all(o.outcome is BulkOutcome.DONE for o in self.outcomes)

    def cells(self, outcome: BulkOutcome) -> tuple[str, ...]:
        """The cells with at least one member of ``outcome``, sorted."""
        return tuple(
            sorted({o.cell_id for o in self.outcomes if o.outcome is outcome and o.cell_id})
        )


@attrs.define
class _Tallies:
    """The cap's running figures per grassroots organisation and year for one operation."""

    service: Handbooks
    figures: dict[tuple[str, int], RatingTally] = attrs.field(factory=dict)
    units: dict[str, OrgUnit] = attrs.field(factory=dict)
    # the name of the policy the handbooks of an organisation and year run under (a
    # handbook may name a catalog policy other than the year's: Handbooks.policy_for)
    policies: dict[tuple[str, int], str | None] = attrs.field(factory=dict)

    def policy(self, grassroots_id: str, year: int) -> Policy:
        return self.service._policy_named(self.policies.get((grassroots_id, year)), year)

    def get(self, grassroots: OrgUnit, year: int) -> RatingTally:
        key = (grassroots.id, year)
        if key not in self.figures:  # read once per organisation, then kept running
            self.figures[key] = self.service.rating_tally(grassroots.id, year)
            self.units[grassroots.id] = grassroots
        return self.figures[key]


class BulkSteps:
    """The bulk facet of :class:`~lamtheoguongbac.Handbooks`: ``hb.bulk``.

    Example:
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.bulk import CellBatch, MemberRegistration
        >>> from lamtheoguongbac.testing import advance, make_roster
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary = roster.members[0]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     opened = service.bulk.open_year("db-00", year=2025, actor=secretary)
        ...     books = service.find(year=2025)
        ...     entries = [
        ...         MemberRegistration(member_id=b.member.id, pledges=advance(b).handbook.pledges)
        ...         for b in books
        ...     ]
        ...     result = service.bulk.register(
        ...         [
        ...             CellBatch(
        ...                 cell_id=secretary.cell_id,
        ...                 year=2025,
        ...                 submitter=secretary,
        ...                 entries=entries,
        ...             )
        ...         ]
        ...     )
        ...     print(result.ok, len(result.done), service.count_by_status(year=2025))
        ...
        True 3 {<HandbookStatus.REGISTERED: 'registered'>: 3}
    """

    def __init__(self, service: Handbooks) -> None:
        self._hb = service

    # --- opening ------------------------------------------------------------------------

    def open_year(
        self,
        organisation_id: str,
        *,
        actor: Actor | Member,
        year: int | None = None,
        period: Period | None = None,
        theme: StudyTheme | None = None,
        policy: str | None = None,
        progress: Progress | None = None,
        jobs: int | None = None,
    ) -> BulkResult:
        """Open the year's handbooks (mở sổ) for every member of the subtree under
        ``organisation_id`` who has none, one transaction per cell, as
        :meth:`~lamtheoguongbac.Handbooks.create_for_cell` does for one cell; ``jobs``
        worker processes share the cells as for :meth:`register`.

        The arguments are checked once, before any cell: a bad year is the caller's
        mistake, not each member's. A cell is all or nothing: a member whose handbook
        cannot be made fails with its problem and code, the others of the cell are
        reported rolled back; members who already have the handbook are not listed.

        Raises:
            NotFound: there is no unit ``organisation_id``, or no catalog policy ``policy``.
            ValidationFailed: neither or both of ``year`` and ``period`` are given, the year
                is not a whole number from 1930 to 2200, or an argument is of the wrong
                type.
        """
        hb = self._hb
        if (year is None) == (period is None):  # the caller's mistake, not a cell's
            raise ValidationFailed(
                "cần đúng một trong 'year' hoặc 'period'",
                "give exactly one of 'year' or 'period'",
                field="year",
            )
        if period is None:
            period = Period.year(year)  # type: ignore[arg-type]  # raises for a bad year
        _require(period, Period, "period")
        _require(actor, (Actor, Member), "actor")
        if theme is not None:
            _require(theme, StudyTheme, "theme")
        if policy is not None:
            policy = hb.catalog.policy(policy).name  # NotFound once, not per member
        who = hb._trusted(actor)
        jobs = _jobs(jobs)
        spec = WorkerSpec.of(hb) if jobs > 1 else None  # refused before any work
        outcomes: list[MemberOutcome] = []
        with hb.roster.operation() as tree, contextlib.ExitStack() as stack:
            units = tree.subtree(nfc(organisation_id))
            if spec is None:
                done: Iterable[list[MemberOutcome]] = (
                    self._open_cell(unit.id, tree, period, who, theme, policy) for unit in units
                )
            else:
                listening = bool(hb.registry._implementers("handbook_changed"))
                tasks = (
                    _OpenTask(
                        index=i,
                        unit_id=unit.id,
                        period=period,
                        who=who,
                        theme=theme,
                        policy=policy,
                        listening=listening,
                    )
                    for i, unit in enumerate(units)
                )
                results = ordered_map(
                    _open_in_worker,
                    tasks,
                    jobs=jobs,
                    spec=spec,
                    route=lambda task: task.unit_id,
                    here=lambda task: None,
                    failed=_open_failed,
                    settle=self._fire,  # what a worker stored when the step stopped
                )
                stack.enter_context(workers.log_copied(hb.store))
                stack.enter_context(contextlib.closing(results))
                done = (self._fire(cell) for cell in results)
            for i, cell_outcomes in enumerate(done, 1):
                outcomes.extend(cell_outcomes)
                if progress is not None:
                    progress(i, len(units))
        return BulkResult(step="open", outcomes=tuple(outcomes))

    def _fire(self, done: _WorkerCell) -> list[MemberOutcome]:
        """A cell's outcomes, once the ``handbook_changed`` hooks of what its worker
        committed have fired here (cells come in order)."""
        for event, book in done.heard:
            self._hb.registry.notify_changed(event, book)
        return done.outcomes

    def _open_cell(
        self,
        cell: str,
        tree: OrgTree,
        period: Period,
        who: Actor,
        theme: StudyTheme | None,
        policy: str | None,
    ) -> list[MemberOutcome]:
        """Open the handbooks of one cell's members who have none, all or nothing."""
        hb = self._hb
        at = hb.clock()
        members: list[Member] = []
        try:
            members = hb.store.members(cell)
            if not members:
                return []
            query = HandbookQuery(cell_id=cell, year=period.year_label)
            have = {h.member.id for h in hb.store.iter_query(query)}
        except Exception as exc:
            error = _as_library_error(exc, cell)
            if not members:  # the members themselves could not be read: the cell fails
                return [_failed(error, cell)]
            return [_failed(error, cell, member_id=m.id) for m in members]
        items: list[tuple[Handbook, Event]] = []
        failed: list[MemberOutcome] = []
        for m in members:
            if m.id in have:
                continue
            try:
                items.append(hb._new_handbook(m, tree, period, theme, who, at, policy))
            except Exception as exc:
                error = _as_library_error(exc, cell, m.id)
                failed.append(_failed(_member_id_problem(error, m, period), cell, member_id=m.id))
        if failed:
            return failed + [
                MemberOutcome(
                    outcome=BulkOutcome.ROLLED_BACK,
                    cell_id=cell,
                    member_id=book.member.id,
                    handbook_id=book.id,
                )
                for book, _ in items
            ]
        try:
            with workers.write_turn():
                hb.store.add_many(items)
            workers.mark_stored()
        except Exception as exc:  # the cell's write failed: nothing of it is kept
            error = _as_library_error(exc, cell)
            return [_failed(error, cell, member_id=b.member.id, handbook_id=b.id) for b, _ in items]
        for book, event in items:
            hb._notify(event, book)
        return [
            MemberOutcome(
                outcome=BulkOutcome.DONE,
                cell_id=cell,
                member_id=book.member.id,
                handbook_id=book.id,
            )
            for book, _ in items
        ]

    # --- lifecycle steps ----------------------------------------------------------------

    def register(
        self,
        batches: Iterable[CellBatch[MemberRegistration]],
        *,
        progress: Progress | None = None,
        jobs: int | None = None,
    ) -> BulkResult:
        """Register each member's pledges (đăng ký làm theo): draft → registered.

        ``jobs``: how many worker processes take, check and write the cells (default 1:
        this process); the outcomes come back, and the ``handbook_changed`` hooks fire,
        here and in the batches' order. See :ref:`bulk-jobs`.
        """
        return self._run("register", batches, progress, jobs)

    def report(
        self,
        batches: Iterable[CellBatch[MemberReport]],
        *,
        progress: Progress | None = None,
        jobs: int | None = None,
    ) -> BulkResult:
        """Report each member's results, with the self-assessment when given (báo cáo kết
        quả): registered → reported. ``jobs`` as for :meth:`register`."""
        return self._run("report", batches, progress, jobs)

    def assess(
        self,
        batches: Iterable[CellBatch[MemberAssessment]],
        *,
        progress: Progress | None = None,
        jobs: int | None = None,
    ) -> BulkResult:
        """Record the cell's collective assessment of each member, signed by the batch's
        submitter (chi bộ đánh giá): reported → assessed. ``jobs`` as for :meth:`register`.

        The top-rating cap (LTGB-C001) is kept as running figures per grassroots
        organisation; when the policy enforces it, a cell whose ratings would make the cap
        certain to be exceeded is refused (its top ratings fail); otherwise the operation's
        :attr:`BulkResult.warnings` say which organisations exceed it once the step is done.
        """
        return self._run("assess", batches, progress, jobs)

    def close(
        self,
        batches: Iterable[CellBatch[MemberClosing]],
        *,
        progress: Progress | None = None,
        jobs: int | None = None,
    ) -> BulkResult:
        """Close each member's handbook (khóa sổ): assessed → closed. ``jobs`` as for
        :meth:`register`."""
        return self._run("close", batches, progress, jobs)

    def _run(
        self,
        name: str,
        batches: Iterable[CellBatch[E]],
        progress: Progress | None,
        jobs: int | None,
    ) -> BulkResult:
        jobs = _jobs(jobs)
        kind = _STEP_ENTRIES[name]
        tallies = _Tallies(self._hb) if name == "assess" else None
        outcomes: list[MemberOutcome] = []
        spec = WorkerSpec.of(self._hb) if jobs > 1 else None  # refused before any work
        # the tree read once for the operation: an unknown cell is told from a cell without
        # handbooks without reading it again per cell
        with self._hb.roster.operation() as tree, contextlib.ExitStack() as stack:
            checked = (
                (i, batch, _wrong_batch(name, kind, i, batch)) for i, batch in enumerate(batches, 1)
            )
            if spec is None:
                done: Iterator[tuple[int, list[MemberOutcome]]] = (
                    (i, refused or self._taken(batch, _take_steps(self._hb, name, batch), tallies))
                    for i, batch, refused in checked
                )
            else:  # closed here, whatever stops the loop: the workers' stores are settled
                done = stack.enter_context(
                    contextlib.closing(self._in_workers(name, checked, jobs, spec, tree, tallies))
                )
            for i, cell_outcomes in done:
                outcomes.extend(cell_outcomes)
                if progress is not None:
                    progress(i, None)
        warnings: list[Violation] = []
        if tallies is not None:
            for (gid, year), figures in sorted(tallies.figures.items()):
                # the cap of the policy the handbooks run under, as a single step judges it
                policy = tallies.policy(gid, year)
                warnings += self._hb._cap_violations(tallies.units[gid], year, figures, policy)
        return BulkResult(step=name, outcomes=tuple(outcomes), warnings=tuple(warnings))

    def _in_workers(
        self,
        name: str,
        checked: Iterable[tuple[int, CellBatch[E], list[MemberOutcome] | None]],
        jobs: int,
        spec: WorkerSpec,
        tree: OrgTree,
        tallies: _Tallies | None,
    ) -> Generator[tuple[int, list[MemberOutcome]], None, None]:
        """The cells taken, checked and written by ``jobs`` worker processes, in order.

        The batches of one cell go to one worker, in order; when assessing under an
        enforced cap, every cell of one grassroots organisation does, so its running
        figures are kept by one process in the batches' order, as in this one. Otherwise
        the cap's final figures are read here once the workers are done. The
        ``handbook_changed`` hooks fire here, in order, for what each worker committed."""
        hb = self._hb
        listening = bool(hb.registry._implementers("handbook_changed"))
        moved: dict[tuple[str, int], OrgUnit] = {}  # organisations whose figures changed

        def task(item: tuple[int, CellBatch[E], list[MemberOutcome] | None]) -> _CellTask[E]:
            i, batch, refused = item
            if refused is not None:
                return _CellTask(index=i, batch=batch, refused=refused)
            if tallies is not None and self._may_enforce_cap(batch.year):
                key = _grassroots_of(tree, batch.cell_id) or batch.cell_id
                return _CellTask(index=i, batch=batch, step=name, listening=listening, key=key)
            return _CellTask(
                index=i, batch=batch, step=name, listening=listening, route=batch.cell_id
            )

        def here(item: _CellTask[E]) -> _WorkerCell | None:
            if item.refused is None:
                return None
            return _WorkerCell(index=item.index, outcomes=item.refused)  # never sent

        with (
            workers.log_copied(hb.store),
            contextlib.closing(
                ordered_map(
                    _cell_in_worker,
                    (task(item) for item in checked),
                    jobs=jobs,
                    spec=spec,
                    route=lambda t: t.key or t.route,
                    pinned=lambda t: t.key is not None,  # the worker keeps its cap figures
                    here=here,
                    failed=self._cell_failed,
                    settle=self._fire,  # what a worker stored when the step stopped
                )
            ) as results,
        ):
            for done in results:
                if tallies is not None:
                    tallies.figures.update(done.figures)
                    tallies.units.update(done.units)
                    moved.update(done.moved)
                    for key, named in done.policies.items():
                        tallies.policies.setdefault(key, named)
                yield done.index, self._fire(done)
        if tallies is not None:  # the final figures of what no worker kept running
            for (gid, year), unit in moved.items():
                if (gid, year) not in tallies.figures:
                    tallies.figures[gid, year] = hb.rating_tally(gid, year)
                    tallies.units[gid] = unit

    def _cell_failed(self, task: _CellTask[E], exc: BaseException) -> _WorkerCell:
        """The outcomes of a cell whose worker process failed (it died, or its result did
        not come back). When it died after its commit (``StoredThenDied``) the cell is read
        back from the store: done, its hooks fired with the handbooks as stored; otherwise
        whether it stored the cell (whole) is not known here."""
        batch = task.batch
        if isinstance(exc, workers.StoredThenDied):
            try:
                return self._read_back(task)
            except Exception:  # the store cannot tell now: say what is known
                log.exception("cannot read back cell %s, stored by a worker", batch.cell_id)
        error = _worker_error(batch.cell_id, exc)
        outcomes = [_failed(error, batch.cell_id, entry=e) for e in batch.entries]
        return _WorkerCell(index=task.index, outcomes=outcomes)

    def _read_back(self, task: _CellTask[E]) -> _WorkerCell:
        """A cell its worker stored, then died: its outcomes, hooks and rating figures read
        from the store (the steps' warnings are lost; a log record says so)."""
        hb, batch = self._hb, task.batch
        query = HandbookQuery(cell_id=batch.cell_id, year=batch.year)
        books = {h.member.id: h for h in hb.store.iter_query(query)}
        stored = [books[e.member_id] for e in batch.entries]  # KeyError: not all there
        heard: list[tuple[Event, Handbook]] = []
        for book in stored if task.listening else ():
            last = hb.store.events(book.id)[-1]
            if last.kind is _STEP_KINDS[task.step] and last.version == book.version:
                heard.append((last, book))
            else:  # another writer changed it since: its process told its own hooks
                log.warning(
                    "handbook %s changed again after the worker stored it; the hooks do not "
                    "hear this step's change",
                    book.id,
                )
        # the organisations whose rating figures the cell moved, as _cell_in_worker says
        moved = {(b.grassroots.id, b.year): b.grassroots for b in stored}
        figures: dict[tuple[str, int], RatingTally] = {}
        if task.step == "assess" and task.key is not None:  # the running figures, as stored
            figures = {(gid, year): hb.rating_tally(gid, year) for gid, year in moved}
        log.warning(
            "the worker process died after storing cell %s: its outcomes were read back from "
            "the store; the warnings of its steps are lost",
            batch.cell_id,
        )
        outcomes = [
            MemberOutcome(
                outcome=BulkOutcome.DONE,
                cell_id=batch.cell_id,
                member_id=entry.member_id,
                handbook_id=book.id,
                source=entry.source,
            )
            for entry, book in zip(batch.entries, stored, strict=True)
        ]
        if task.step != "assess":
            return _WorkerCell(index=task.index, outcomes=outcomes, heard=heard)
        if task.key is not None:
            units = {gid: unit for (gid, _), unit in moved.items()}
            return _WorkerCell(
                index=task.index, outcomes=outcomes, figures=figures, units=units, heard=heard
            )
        return _WorkerCell(index=task.index, outcomes=outcomes, moved=moved, heard=heard)

    def _taken(
        self,
        batch: CellBatch[E],
        taken: _CellSteps | list[MemberOutcome],
        tallies: _Tallies | None,
    ) -> list[MemberOutcome]:
        """:meth:`_cell` for steps taken, or the cell's outcomes when it could not be read."""
        return taken if isinstance(taken, list) else self._cell(batch, taken, tallies)

    def _cell(
        self, batch: CellBatch[E], taken: _CellSteps, tallies: _Tallies | None
    ) -> list[MemberOutcome]:
        """One cell, all or nothing: its steps taken and checked (:func:`_take_steps`, here
        or in a worker), then, when none failed, the cap's running figures moved on and all
        of them written in one transaction — the store's write lock is held for the writes
        alone, not while the rules run."""
        cell = batch.cell_id
        done, failed = taken.done, dict(taken.failed)
        running: dict[tuple[str, int], RatingTally] = {}
        if tallies is not None:
            for unit, year in taken.organisations:  # the figures before this cell's writes
                tallies.get(unit, year)
            for n, result in done.items():
                _count(tallies, running, result.handbook, was_pending=taken.was_pending[n])
                book = result.handbook
                tallies.policies.setdefault((book.grassroots.id, book.year), book.policy)
        if tallies is not None and not failed:
            failed.update(self._enforce_cap(tallies, running, batch, done))
        if not failed:
            refused = self._write_cell(done, taken.read_at)
            if refused is not None:
                at, cause = refused
                if at is None:  # the cell's commit itself failed: nothing of it is kept
                    error = _as_library_error(cause, cell)
                    return [
                        _failed(
                            error,
                            cell,
                            entry=e,
                            handbook_id=done[n].handbook.id if n in done else None,
                        )
                        for n, e in enumerate(batch.entries)
                    ]
                entry = batch.entries[at]
                error = _as_library_error(cause, cell, entry.member_id)
                handbook_id = done[at].handbook.id
                failed[at] = _failed(error, cell, entry=entry, handbook_id=handbook_id)
        if tallies is not None and not failed:
            tallies.figures.update(running)
        outcomes: list[MemberOutcome] = []
        for n, entry in enumerate(batch.entries):
            if n in failed:
                outcomes.append(failed[n])
                continue
            result = done[n]
            outcomes.append(
                MemberOutcome(
                    outcome=BulkOutcome.ROLLED_BACK if failed else BulkOutcome.DONE,
                    cell_id=cell,
                    member_id=entry.member_id,
                    handbook_id=result.handbook.id,
                    source=entry.source,
                    warnings=result.warnings,
                )
            )
        return outcomes

    def _write_cell(
        self, done: dict[int, StepResult], read_at: dict[int, int]
    ) -> tuple[int | None, Exception] | None:
        """Store a cell's steps in one transaction; ``None`` when it committed, else the
        entry whose write was refused (``None`` for the commit itself) and why — nothing of
        the cell is then stored.

        A store with ``update_many`` writes them in one call. When it refuses an entry
        (nothing is stored then), they are written again one by one, which tells the entry
        refused; the second try may succeed (a write another process held up has ended),
        and then the cell is stored. A :class:`StoreError` (the store busy, its disk full)
        fails the cell's commit at once, without a second wait."""
        hb = self._hb
        many = getattr(hb.store, "update_many", None)
        if many is not None:  # the store encodes the cell before it takes its write lock
            try:
                with workers.write_turn():
                    many([(r.handbook, r.event, read_at[n]) for n, r in done.items()])
            except StoreError as exc:
                return None, exc
            except Exception:  # nothing was stored: written again one by one, below
                pass
            else:
                workers.mark_stored()
                for result in done.values():
                    hb._notify(result.event, result.handbook)
                return None
        writing: int | None = None
        try:
            with workers.write_turn(), hb.transaction():
                for n, result in done.items():
                    writing = n
                    hb._store_step(result, expected_version=read_at[n])
                writing = None
        except Exception as exc:
            return writing, exc
        workers.mark_stored()
        return None

    def _may_enforce_cap(self, year: int) -> bool:
        """Whether a handbook of ``year`` may run under a policy that enforces the cap: the
        year's, or any catalog policy a handbook may name (read only once a worker has it);
        then a grassroots organisation's cells go to one worker, which keeps its figures."""
        hb = self._hb
        if _cap_enforced(hb.policy_for_year(year)):
            return True
        return not hb._policy_given and any(_cap_enforced(p) for p in hb.catalog.policies)

    def _enforce_cap(
        self,
        tallies: _Tallies,
        running: dict[tuple[str, int], RatingTally],
        batch: CellBatch[E],
        done: dict[int, StepResult],
    ) -> dict[int, MemberOutcome]:
        """When the policy enforces the cap and this cell makes it certain to be exceeded,
        each of the cell's top ratings fails with the cap's violation."""
        hb = self._hb
        refused: dict[int, MemberOutcome] = {}
        for (gid, year), figures in running.items():
            policy = tallies.policy(gid, year)
            cap = policy.top_rating_cap
            if cap is None or not policy.top_rating_cap_enforced:
                continue
            found = hb._cap_violations(tallies.units[gid], year, figures, policy)
            errors = [v for v in found if v.severity is Severity.ERROR]
            if not errors:
                continue
            exc = RulesViolated(errors)
            for n, result in done.items():
                book = result.handbook
                ca = book.collective_assessment
                if ca is not None and ca.rating is cap.level and book.grassroots.id == gid:
                    refused[n] = _failed(
                        exc, batch.cell_id, entry=batch.entries[n], handbook_id=book.id
                    )
        return refused

    # --- workbooks ----------------------------------------------------------------------

    def import_workbooks(
        self,
        submissions: Iterable[WorkbookSubmission],
        *,
        year: int,
        progress: Progress | None = None,
        total: int | None = None,
    ) -> BulkResult:
        """Import filled cell workbooks, each as its submitter (nhập nhiều bảng tính).

        Each workbook goes through :meth:`~lamtheoguongbac.Handbooks.import_workbook` — the
        single-workbook path, with its checks — all or nothing per workbook; a refused one
        is reported problem by problem (each naming its sheet, row and column) and the
        others go on. The organisation tree is read once for the whole run.

        The top-rating cap (LTGB-C001) is judged as :meth:`assess` judges it, once on the
        final figures of the whole run (:attr:`BulkResult.warnings`); when the policy
        enforces it, every workbook is checked first (nothing written) and each one that
        records a top rating in an organisation whose final figures exceed the cap is
        refused — the verdict depends on the set of workbooks, never on their order.
        """
        return self._import(
            ((s.path, s.submitter, None) for s in submissions), year, progress, total
        )

    def import_folder(
        self,
        folder: Path,
        *,
        year: int,
        runner: Actor | Member,
        on_behalf_of_cell_officer: bool = False,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Import every filled workbook (``*.xlsx``) of ``folder``, in name order (a link to
        a file outside the folder is not one of them).

        Without delegation each workbook is imported as ``runner``, who must then be
        entitled to each step as in a single import (the member, or the cell's Bí thư or
        Phó Bí thư). With ``on_behalf_of_cell_officer=True`` (the delegation, ủy quyền
        nhập thay), ``runner`` must be in the roster holding an office (Bí thư, Phó Bí thư,
        ủy viên) in a committee above the workbook's cell on the day of the import; each
        workbook — which must then be of one cell — is imported as the officer its
        assessment rows name as recorder when they hold the cell's Bí thư or Phó Bí thư
        office (either may write the cell's assessment), else as the cell's Bí thư (else Phó
        Bí thư) per the stored roster, and every event records ``runner`` as the actor and
        the cell officer as ``on_behalf_of``. The cap is judged as in
        :meth:`import_workbooks`.

        Raises:
            ValidationFailed: ``folder`` is not a folder.
        """
        folder = Path(folder)
        if not folder.is_dir():
            raise ValidationFailed(
                f"'{folder}' không phải là thư mục",
                f"'{folder}' is not a folder",
                field=str(folder),
            )
        inside = folder.resolve()
        paths = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() == ".xlsx"
            and p.is_file()
            and not p.name.startswith(("~$", "."))
            # a link to a file outside the folder is not one of its workbooks
            and p.resolve().parent == inside
        )
        delegate = self._hb._trusted(runner) if on_behalf_of_cell_officer else None
        items = ((p, runner, delegate) for p in paths)
        return self._import(items, year, progress, len(paths))

    def _import(
        self,
        items: Iterable[tuple[Path, Actor | Member, Actor | None]],
        year: int,
        progress: Progress | None,
        total: int | None,
    ) -> BulkResult:
        from lamtheoguongbac._service.workbook import CapLedger, apply_workbook, check_workbook
        from lamtheoguongbac.spreadsheet import read_workbook

        hb = self._hb
        outcomes: list[MemberOutcome] = []
        notes: list[str] = []
        # The top-rating cap is judged on the final figures of the whole run, never per
        # workbook: the verdict must not depend on the order of the files.
        ledger = CapLedger(hb, year)
        with hb.roster.operation():
            work: Iterable[
                tuple[
                    Path, Actor | Member, Actor | None, WorkbookData | LamTheoGuongBacError | None
                ]
            ]
            if ledger.enforced:
                # An enforced cap refuses the workbooks that make an organisation's final
                # figures exceed it: every workbook is checked (nothing written) first.
                loaded = [(p, s, d, _load(p, read_workbook)) for p, s, d in items]
                checked = []
                for _, submitter, delegate, data in loaded:
                    if isinstance(data, LamTheoGuongBacError):
                        continue
                    with contextlib.suppress(LamTheoGuongBacError):
                        with self._delegation(data, delegate) as acting:
                            found = check_workbook(hb, data, year=year, actor=acting or submitter)
                        checked.append(found.contribution)
                ledger.settle(checked)
                work = loaded
            else:
                work = ((p, s, d, None) for p, s, d in items)
            for i, (path, submitter, delegate, loaded_data) in enumerate(work, 1):
                source = _source_of(path)
                read: object = None  # the workbook, once read
                try:
                    if isinstance(loaded_data, LamTheoGuongBacError):
                        raise loaded_data
                    data = loaded_data if loaded_data is not None else read_workbook(path)
                    read = data
                    with self._delegation(data, delegate) as acting:
                        result = apply_workbook(
                            hb, data, year=year, actor=acting or submitter, ledger=ledger
                        )
                except ImportFailed as exc:
                    outcomes.extend(
                        MemberOutcome(
                            outcome=BulkOutcome.FAILED,
                            cell_id=None,
                            problem_vi=p.message("vi"),
                            problem_en=p.message("en"),
                            code=p.code or _code_in(p),
                            source=_located(p, source),
                        )
                        for p in exc.problems
                    )
                except LamTheoGuongBacError as exc:
                    cell = None  # the workbook's cell, when it was read and is of one
                    if read is not None:
                        with contextlib.suppress(LamTheoGuongBacError):
                            cell = self._cell_of(read)
                    outcomes.append(_failed(exc, cell, source=source))
                else:
                    notes.extend(f"{path.name}: {w}" for w in result.warnings)
                    outcomes.extend(
                        MemberOutcome(
                            outcome=BulkOutcome.DONE,
                            cell_id=b.cell.id,
                            member_id=b.member.id,
                            handbook_id=b.id,
                            source=source,
                        )
                        for b in result.handbooks
                    )
                if progress is not None:
                    progress(i, total)
        return BulkResult(
            step="import",
            outcomes=tuple(outcomes),
            warnings=tuple(ledger.verdicts()),
            notes=tuple(notes),
        )

    @contextlib.contextmanager
    def _delegation(self, data: object, delegate: Actor | None) -> Iterator[Member | None]:
        """Under delegation: check ``delegate`` may import for the workbook's cell, and
        yield the cell officer it runs as — the one who recorded the workbook's
        assessments when they hold the cell's Bí thư or Phó Bí thư office, else the cell's
        Bí thư (Phó Bí thư) — with every event recorded as ``delegate`` on their behalf.
        Without: yield None."""
        if delegate is None:
            yield None
            return
        hb = self._hb
        cell = self._cell_of(data)
        day = hb._today()
        self._check_entitled(delegate, cell, day)
        officer = self._recorder(data, cell, day) or self.cell_officer(cell, on=day)
        with hb._delegated(delegate):
            yield officer

    def _recorder(self, data: object, cell_id: str, day: dt.date) -> Member | None:
        """The one officer the workbook's assessment rows name as recorder, as the stored
        roster has them, when they hold the cell's Bí thư or Phó Bí thư office on the day
        of the import or of a meeting they recorded (DOMAIN: either may write the cell's
        assessment); else None."""
        from lamtheoguongbac.spreadsheet import WorkbookData

        assert isinstance(data, WorkbookData)
        named = [e.assessment for e in data.handbooks if e.assessment is not None]
        if len({a.recorder_id for a in named}) != 1:
            return None
        try:
            member = self._hb.store.member(named[0].recorder_id)
        except NotFound:
            return None
        days = {day, *(a.meeting_date for a in named)}
        offices = {Role.SECRETARY, Role.DEPUTY_SECRETARY}
        if any(member.roles_on(d, cell_id) & offices for d in days):
            return member
        return None

    def _cell_of(self, data: object) -> str:
        from lamtheoguongbac.spreadsheet import WorkbookData

        assert isinstance(data, WorkbookData)
        cells = {m.cell_id for m in data.members}
        for entry in data.handbooks:
            if not any(m.id == entry.member_id for m in data.members):
                with contextlib.suppress(NotFound):
                    cells.add(self._hb.roster.member(entry.member_id).cell_id)
        if len(cells) != 1:
            listed = ", ".join(sorted(cells)) or "-"
            raise ValidationFailed(
                f"nhập thay cần bảng tính của đúng một chi bộ (bảng này có: {listed})",
                f"a delegated import needs a workbook of exactly one cell (this one has: {listed})",
                field=data.source or "workbook",
            )
        return cells.pop()

    def _check_entitled(self, runner: Actor, cell_id: str, day: dt.date) -> None:
        """``runner`` — as the stored roster has them — holds a committee office above
        ``cell_id`` on ``day``."""
        hb = self._hb
        try:
            stored = hb.store.member(runner.id).as_actor()
        except NotFound:
            stored = None
        above = hb.roster.tree().chain(cell_id)[:-1]
        if stored is not None and any(
            stored.roles_on(day, u.id) & _COMMITTEE_OFFICES for u in above
        ):
            return
        raise NotAuthorised(
            f"{runner.name} không được nhập thay cho chi bộ {cell_id}: chỉ Bí thư, Phó Bí thư "
            "hoặc ủy viên cấp ủy cấp trên của chi bộ (theo danh sách đảng viên) mới được nhập "
            "thay",
            f"{runner.name} may not import on behalf of cell {cell_id}: only a Secretary, "
            "Deputy Secretary or committee member of a committee above the cell (as the roster "
            "says) may",
            code="LTGB-T007",
        )

    def cell_officer(self, cell_id: str, *, on: dt.date) -> Member:
        """The cell's Bí thư on ``on`` as the stored roster says, else its Phó Bí thư.

        Raises:
            NotFound: the roster names neither for that day.
        """
        cell_id = nfc(cell_id)
        members = self._hb.store.members(cell_id)
        for role in (Role.SECRETARY, Role.DEPUTY_SECRETARY):
            for m in members:
                if role in m.roles_on(on, cell_id):
                    return m
        raise NotFound(
            f"Danh sách đảng viên không có Bí thư hay Phó Bí thư của chi bộ {cell_id} vào ngày "
            f"{on:%d/%m/%Y}",
            f"the roster names no Secretary or Deputy Secretary of cell {cell_id} on "
            f"{on.isoformat()}",
        )


def _load(path: Path, read: Callable[[Path], WorkbookData]) -> WorkbookData | LamTheoGuongBacError:
    """The workbook read from ``path``, or the error reading it raised."""
    try:
        return read(path)
    except LamTheoGuongBacError as exc:
        return exc


def _source_of(path: Path) -> Source:
    """The workbook's file as a :class:`Source`: a name from an untrusted folder holding a
    character a source may not (a bidi control, a byte that is no UTF-8) is shown escaped,
    so that workbook fails or imports on its own instead of stopping the run."""
    name = str(path)
    try:
        return Source(file=name)
    except ValidationFailed:
        shown = "".join(
            c if c.isprintable() and unicodedata.category(c) not in ("Cf", "Cs") else
            f"\\u{ord(c):04x}"
            for c in name
        )  # fmt: skip
        return Source(file=shown)


def _failed(
    exc: LamTheoGuongBacError,
    cell_id: str | None,
    *,
    entry: object = None,
    member_id: str | None = None,
    handbook_id: str | None = None,
    source: Source | None = None,
) -> MemberOutcome:
    return MemberOutcome(
        outcome=BulkOutcome.FAILED,
        cell_id=cell_id,
        member_id=getattr(entry, "member_id", member_id),
        handbook_id=handbook_id,
        problem_vi=exc.message_vi,
        problem_en=exc.message_en,
        code=exc.code,
        source=getattr(entry, "source", None) or source,
    )


#: The entry class each step takes.
#: The event each bulk step records.
_STEP_KINDS: dict[str, EventKind] = {
    "register": EventKind.REGISTERED,
    "report": EventKind.REPORTED,
    "assess": EventKind.ASSESSED,
    "close": EventKind.CLOSED,
}
_STEP_ENTRIES: dict[str, type] = {
    "register": MemberRegistration,
    "report": MemberReport,
    "assess": MemberAssessment,
    "close": MemberClosing,
}


def _wrong_batch(step: str, kind: type, i: int, batch: object) -> list[MemberOutcome] | None:
    """The failures of a batch the step cannot take at all — not a :class:`CellBatch`, or
    entries of another step — else None; like any failed cell, nothing of it is stored."""
    if not isinstance(batch, CellBatch):
        error = ValidationFailed(
            f"mục thứ {i} không phải CellBatch mà là {type(batch).__name__}",
            f"item {i} is not a CellBatch but {type(batch).__name__}",
            field=f"batches[{i - 1}]",
        )
        return [_failed(error, None)]
    if not batch.entries or isinstance(batch.entries[0], kind):
        return None
    got = type(batch.entries[0]).__name__
    error = ValidationFailed(
        f"bước '{step}' nhận các mục {kind.__name__}, không nhận {got}",
        f"the '{step}' step takes {kind.__name__} entries, not {got}",
        field="CellBatch.entries",
    )
    return [_failed(error, batch.cell_id, entry=e) for e in batch.entries]


def _require(value: object, kind: type | tuple[type, ...], name: str) -> None:
    """An argument of the caller's is of the right type, else ValidationFailed naming it."""
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " | ".join(k.__name__ for k in kinds)
        raise ValidationFailed(
            f"phải là {names}, không phải {type(value).__name__}",
            f"must be {names}, got {type(value).__name__}",
            field=name,
        )


def _member_id_problem(
    error: LamTheoGuongBacError, member: Member, period: Period
) -> LamTheoGuongBacError:
    """For a member whose id is too long to carry a handbook id (a roster saved before
    :data:`~lamtheoguongbac._service.roster.MEMBER_ID_MAX` was checked), an error naming
    the member id instead of the handbook id it could not make."""
    made = handbook_id(member.id, period)
    if len(made) <= ID_MAX:
        return error
    shown = member.id if len(member.id) <= 40 else member.id[:40] + "…"
    return ValidationFailed(
        f"mã đảng viên '{shown}' dài {len(member.id)} ký tự, quá dài để làm mã sổ "
        f"'<mã đảng viên>-{made[len(member.id) + 1 :]}' (tối đa {ID_MAX} ký tự); hãy đổi mã "
        f"đảng viên (tối đa {MEMBER_ID_MAX} ký tự)",
        f"the member id '{shown}' is {len(member.id)} characters long, too long for the "
        f"handbook id '<member id>-{made[len(member.id) + 1 :]}' (at most {ID_MAX} "
        f"characters); give the member a shorter id (at most {MEMBER_ID_MAX} characters)",
        field="Member.id",
    )


# A workbook problem's place as the library writes it (spreadsheet ``place``): "sheet
# 'Việc đăng ký', row 3, column C 'Việc làm'" in English, in front of the text; and a rule's
# or a check's code in brackets, "[LTGB-T002]".
_WHERE = re.compile(r"sheet '(?P<sheet>[^']+)'(?:, row (?P<row>\d+))?")
_CODE = re.compile(r"\[(?P<code>LTGB-[A-Z]\d{3})\]")


def _located(problem: Problem, source: Source) -> Source:
    """``source`` with the sheet and row ``problem`` names, when it names them."""
    where = problem.where("en")  # a location: the sheet may follow the file's name
    found = _WHERE.search(where) if where else _WHERE.match(problem.text_en)
    if found is None:
        return source
    row = found.group("row")
    return attrs.evolve(source, sheet=found.group("sheet"), row=int(row) if row else None)


def _code_in(problem: Problem) -> str | None:
    """The code a problem read from text carries in brackets (the first), if any."""
    found = _CODE.search(problem.text_en)
    return found.group("code") if found else None


def _no_cell(cell_id: str) -> NotFound:
    return NotFound(
        f"Không có chi bộ {cell_id} trong danh sách tổ chức",
        f"there is no cell {cell_id} in the organisation roster",
    )


def _twice(
    n: int, entry: object, earlier_n: int, earlier: object, cell_id: str
) -> ValidationFailed:
    """The error of an entry for a member who already has one earlier in the batch (its
    step would run on what the earlier one made, and report a false state)."""
    member_id = getattr(entry, "member_id", "")

    def where(i: int, e: object, lang: str) -> str:
        source: Source | None = getattr(e, "source", None)
        if source is not None:
            return source.describe(lang)
        return f"mục {i + 1}" if lang == "vi" else f"entry {i + 1}"

    return ValidationFailed(
        f"đảng viên {member_id} có hai mục trong lô của chi bộ {cell_id} "
        f"({where(earlier_n, earlier, 'vi')} và {where(n, entry, 'vi')}): mỗi đảng viên "
        "chỉ một mục",
        f"member {member_id} appears twice in the batch of cell {cell_id} "
        f"({where(earlier_n, earlier, 'en')} and {where(n, entry, 'en')}): one entry per "
        "member",
        field="CellBatch.entries",
    )


def _as_library_error(
    exc: Exception, cell_id: str, member_id: str | None = None
) -> LamTheoGuongBacError:
    """``exc`` as the library's error: itself, or — for an unexpected one (a bug, a
    plugin's exception) — an error naming its type and text, the traceback logged."""
    if isinstance(exc, LamTheoGuongBacError):
        return exc
    who = f" (member {member_id})" if member_id else ""
    log.error("unexpected error in a bulk step, cell %s%s", cell_id, who, exc_info=exc)
    shown = f"{type(exc).__name__}: {exc}"
    return LamTheoGuongBacError(
        f"lỗi ngoài dự kiến khi thực hiện bước ({shown}); không ghi gì của chi bộ {cell_id}",
        f"unexpected error while taking the step ({shown}); nothing of cell {cell_id} is stored",
    )


# --- one cell's steps, taken here or in a worker process ---------------------------------------


def _registration_step(entry: MemberRegistration, who: Actor) -> _Step:
    return lambda h, a, at, p: workflow.register(h, entry.pledges, actor=a, at=at, policy=p)


def _report_step(entry: MemberReport, who: Actor) -> _Step:
    return lambda h, a, at, p: workflow.report(
        h, entry.report, actor=a, at=at, policy=p, self_assessment=entry.self_assessment
    )


def _assessment_step(entry: MemberAssessment, who: Actor) -> _Step:
    def step(h: Handbook, a: Actor, at: dt.datetime, p: Policy) -> workflow.Transition:
        assessment = workflow.signed_assessment(
            a, h.cell.id, text=entry.text, meeting_date=entry.meeting_date, rating=entry.rating
        )
        return workflow.assess(h, assessment, actor=a, at=at, policy=p)

    return step


def _closing_step(entry: MemberClosing, who: Actor) -> _Step:
    return lambda h, a, at, p: workflow.close(h, actor=a, at=at, policy=p)


_Step = Callable[[Handbook, Actor, dt.datetime, Policy], workflow.Transition]
#: Each bulk step's entry turned into the lifecycle step the submitter takes.
_STEPS: dict[str, Callable[[Any, Actor], _Step]] = {
    "register": _registration_step,
    "report": _report_step,
    "assess": _assessment_step,
    "close": _closing_step,
}


@attrs.frozen(kw_only=True)
class _CellSteps:
    """A cell's steps taken and checked, nothing stored (by this process or a worker)."""

    done: dict[int, StepResult]  # by the entry's position in the batch
    failed: dict[int, MemberOutcome]
    read_at: dict[int, int]  # the version each step was taken on
    was_pending: dict[int, bool]  # whether the cap counted the handbook as still pending
    # (grassroots organisation, year) of the cell's handbooks: whose cap figures it moves
    organisations: tuple[tuple[OrgUnit, int], ...]


def _take_steps(hb: Handbooks, name: str, batch: CellBatch[E]) -> _CellSteps | list[MemberOutcome]:
    """Read a cell's handbooks and members once and take every entry's step as the
    submitter, checked (the rules, the signatures) but not stored; the cell's failed
    outcomes instead when it cannot be read at all.

    An unexpected error (not the library's own: a bug, a plugin's exception) in one
    member's step fails that member like any refusal — its type and text as the problem,
    the traceback logged on ``lamtheoguongbac.bulk`` — so nothing of the cell is stored and
    the operation goes on to a :class:`BulkResult`."""
    cell = batch.cell_id
    try:
        who = hb._trusted(batch.submitter)
        scope = HandbookQuery(cell_id=cell, year=batch.year)
        books = {b.member.id: _of_cell(b, cell, batch.year, hb) for b in hb.store.iter_query(scope)}
        standing = {m.id: m.status for m in hb.store.members(cell)}
        if cell not in hb.roster.tree():
            raise _no_cell(cell)
    except Exception as exc:
        error = _as_library_error(exc, cell)
        return [_failed(error, cell, entry=e) for e in batch.entries]
    step_for = _STEPS[name]
    member_of = functools.cache(hb._member_or_none)  # the roster, read once a member
    taken = _CellSteps(
        done={},
        failed={},
        read_at={},
        was_pending={},
        organisations=tuple(dict.fromkeys((b.grassroots, b.year) for b in books.values())),
    )
    first_of: dict[str, int] = {}
    for n, entry in enumerate(batch.entries):
        if entry.member_id in first_of:  # its step would run on its own result
            earlier = first_of[entry.member_id]
            twice = _twice(n, entry, earlier, batch.entries[earlier], cell)
            taken.failed[n] = _failed(twice, cell, entry=entry)
            continue
        first_of[entry.member_id] = n
        found = books.get(entry.member_id)
        if found is None:
            missing = _no_handbook(hb, entry.member_id, cell, batch.year)
            taken.failed[n] = _failed(missing, cell, entry=entry)
            continue
        if found.member.id not in standing:  # moved to another cell since
            with contextlib.suppress(NotFound):
                moved = hb.store.member(found.member.id)
                standing[moved.id] = moved.status
        book = _with_standing(found, standing)
        try:
            result = hb._prepare_step(book, who, step_for(entry, who), member_of=member_of)
        except Exception as exc:
            error = _as_library_error(exc, cell, entry.member_id)
            taken.failed[n] = _failed(error, cell, entry=entry, handbook_id=book.id)
            continue
        taken.done[n], taken.read_at[n] = result, book.version
        taken.was_pending[n] = counts_as_pending(book.status, book.member.status)
    return taken


@attrs.frozen(kw_only=True)
class _WorkerCell:
    """What a worker process sends back for one cell (tiến trình phụ làm xong một chi bộ)."""

    index: int
    outcomes: list[MemberOutcome]
    # under an enforced cap: the running figures of the organisations the cell moved, as
    # the one worker keeping them has them
    figures: dict[tuple[str, int], RatingTally] = attrs.field(factory=dict)
    units: dict[str, OrgUnit] = attrs.field(factory=dict)
    # otherwise: the organisations whose figures the cell moved, read again at the end
    moved: dict[tuple[str, int], OrgUnit] = attrs.field(factory=dict)
    # the names of the policies their handbooks run under (to judge the cap by)
    policies: dict[tuple[str, int], str | None] = attrs.field(factory=dict)
    # the committed steps, for the caller's handbook_changed hooks (only when one listens)
    heard: list[tuple[Event, Handbook]] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class _CellTask(Generic[E]):
    """One cell for a worker process: its batch and step, or the outcomes it was refused
    with already (then it is never sent)."""

    index: int
    batch: CellBatch[E]
    step: str = ""
    listening: bool = False  # whether the caller's handbook_changed hooks want the steps
    # an enforced cap's assessment: the grassroots organisation the cell was routed by
    key: str | None = None
    route: str = ""  # else what it was routed by (its cell)
    refused: list[MemberOutcome] | None = None


_worker_tallies: dict[str, _Tallies] = {}  # a worker process's running cap figures, per step


def _cell_in_worker(task: _CellTask[E]) -> _WorkerCell:
    """One cell taken, checked and written in a worker process."""
    hb = workers.service()
    batch = task.batch
    tallies = None
    if task.key is not None:  # assessing under an enforced cap: the figures are kept here
        tallies = _worker_tallies.setdefault(task.step, _Tallies(hb))
    taken = _take_steps(hb, task.step, batch)
    if isinstance(taken, list):
        return _WorkerCell(index=task.index, outcomes=taken)
    moved = {unit.id for unit, _ in taken.organisations}
    if tallies is not None and moved - {task.key}:
        # The cap's running figures of an organisation live in the one worker its cells are
        # routed to; these handbooks count in another (the roster moved the cell since they
        # were opened).
        error = ValidationFailed(
            f"Sổ của chi bộ {batch.cell_id} tính vào tổ chức cơ sở {sorted(moved)}, không phải "
            f"{task.key} như cây tổ chức hiện nay; với giới hạn xếp loại bắt buộc, hãy đánh "
            "giá chi bộ này với jobs=1",
            f"the handbooks of cell {batch.cell_id} count in the grassroots organisation "
            f"{sorted(moved)}, not {task.key} as the organisation tree has it now; under an "
            "enforced cap, assess this cell with jobs=1",
            field="jobs",
        )
        outcomes = [_failed(error, batch.cell_id, entry=e) for e in batch.entries]
        return _WorkerCell(index=task.index, outcomes=outcomes)
    heard: list[tuple[Event, Handbook]] = []
    with workers.heard_into(heard if task.listening else None):
        outcomes = hb.bulk._cell(batch, taken, tallies)
    named = {(b.grassroots.id, b.year): b.policy for b in (r.handbook for r in taken.done.values())}
    if tallies is not None:
        return _WorkerCell(
            index=task.index,
            outcomes=outcomes,
            figures={k: f for k, f in tallies.figures.items() if k[0] in moved},
            units={u.id: u for u, _ in taken.organisations},
            heard=heard,
            policies=named,
        )
    organisations = {(u.id, year): u for u, year in taken.organisations}
    return _WorkerCell(
        index=task.index,
        outcomes=outcomes,
        moved=organisations if task.step == "assess" else {},
        heard=heard,
        policies=named if task.step == "assess" else {},
    )


def _cap_enforced(policy: Policy) -> bool:
    return policy.top_rating_cap is not None and policy.top_rating_cap_enforced


@attrs.frozen(kw_only=True)
class _OpenTask:
    """One cell (or other unit) of :meth:`BulkSteps.open_year` for a worker process."""

    index: int
    unit_id: str
    period: Period
    who: Actor  # the trusted actor, as the caller's service found them
    theme: StudyTheme | None
    policy: str | None
    listening: bool


def _open_in_worker(task: _OpenTask) -> _WorkerCell:
    """One cell's handbooks opened in a worker process."""
    hb = workers.service()
    heard: list[tuple[Event, Handbook]] = []
    with workers.heard_into(heard if task.listening else None):
        outcomes = hb.bulk._open_cell(
            task.unit_id, hb.roster.tree(), task.period, task.who, task.theme, task.policy
        )
    return _WorkerCell(index=task.index, outcomes=outcomes, heard=heard)


def _open_failed(task: _OpenTask, exc: BaseException) -> _WorkerCell:
    """The outcome of a cell whose worker process failed while opening its handbooks."""
    error = _worker_error(task.unit_id, exc)
    return _WorkerCell(index=task.index, outcomes=[_failed(error, task.unit_id)])


def _worker_error(cell_id: str, exc: BaseException) -> LamTheoGuongBacError:
    if isinstance(exc, workers.StoredThenDied):
        return LamTheoGuongBacError(
            f"tiến trình phụ làm chi bộ {cell_id} dừng đột ngột sau khi đã ghi trọn vẹn chi bộ "
            f"({exc}); không báo được kết quả từng người: hãy xem lại sổ của chi bộ này",
            f"the worker process taking cell {cell_id} died after storing the cell whole "
            f"({exc}); its outcomes could not be reported: check its handbooks",
        )
    if isinstance(exc, workers.NotSent):
        return LamTheoGuongBacError(
            f"chi bộ {cell_id} không đến được tiến trình phụ nào ({exc}); không có gì của chi "
            "bộ được ghi: hãy làm lại chi bộ này, với jobs=1 nếu lỗi còn",
            f"cell {cell_id} never reached a worker process ({exc}); nothing of it was stored: "
            "take it again, with jobs=1 if this persists",
        )
    return LamTheoGuongBacError(
        f"tiến trình phụ làm chi bộ {cell_id} bị lỗi ({type(exc).__name__}: {exc}); chi bộ "
        "được ghi trọn vẹn hoặc không ghi gì, tùy lúc lỗi: hãy xem lại sổ của chi bộ này",
        f"the worker process taking cell {cell_id} failed ({type(exc).__name__}: {exc}); "
        "the cell is stored whole or not at all, depending on when: check its handbooks",
    )


def _grassroots_of(tree: OrgTree, cell_id: str) -> str | None:
    """The grassroots organisation a handbook of ``cell_id`` opened now would count in (as
    :attr:`Handbook.grassroots <lamtheoguongbac.Handbook.grassroots>` finds it)."""
    if cell_id not in tree:
        return None
    chain = tree.chain(cell_id)
    marked = next((u for u in reversed(chain) if u.grassroots), None)
    if marked is not None:
        return marked.id
    return chain[-2].id if len(chain) > 1 else cell_id


def _jobs(jobs: object) -> int:
    """``jobs`` checked: ``None`` (one process) or a whole number from 1."""
    if jobs is None:
        return 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValidationFailed(
            f"jobs phải là số nguyên từ 1 trở lên, không phải {jobs!r}",
            f"jobs must be a whole number from 1, not {jobs!r}",
            field="jobs",
        )
    return jobs


def _no_handbook(hb: Handbooks, member_id: str, cell_id: str, year: int) -> NotFound:
    """Why ``member_id`` has no handbook for ``year`` in ``cell_id``: not in the roster,
    a member of another cell, or no handbook opened (read only on this failure)."""
    try:
        member = hb.store.member(member_id)
    except NotFound:
        return NotFound(
            f"Không có đảng viên {member_id} trong danh sách đảng viên",
            f"there is no member {member_id} in the roster",
        )
    if member.cell_id != cell_id:
        return NotFound(
            f"Đảng viên {member_id} thuộc chi bộ {member.cell_id}, không thuộc chi bộ "
            f"{cell_id} của lô này",
            f"member {member_id} belongs to cell {member.cell_id}, not to this batch's "
            f"cell {cell_id}",
        )
    return NotFound(
        f"Đảng viên {member_id} chưa có sổ năm {year} ở chi bộ {cell_id} (hãy mở sổ trước)",
        f"member {member_id} has no handbook for {year} in cell {cell_id} (open it first)",
    )


def _with_standing(book: Handbook, standing: dict[str, MemberStatus]) -> Handbook:
    """The handbook with its member's standing as the roster has it now (as a single step
    does): a suspension recorded after opening still keeps the member from being rated."""
    status = standing.get(book.member.id, book.member.status)
    if book.status is HandbookStatus.CLOSED or status is book.member.status:
        return book
    return attrs.evolve(book, member=attrs.evolve(book.member, status=status))


def _count(
    tallies: _Tallies,
    running: dict[tuple[str, int], RatingTally],
    after: Handbook,
    *,
    was_pending: bool,
) -> None:
    """Move one assessed handbook into the cell's running figures of the cap."""
    ca = after.collective_assessment
    key = (after.grassroots.id, after.year)
    figures = running[key] if key in running else tallies.get(after.grassroots, after.year)
    running[key] = figures.rated(ca.rating if ca else None, was_pending=was_pending)


def _of_cell(book: Handbook, cell: str, year: int, hb: Handbooks) -> Handbook:
    """``book`` as the store answered a query for a cell's handbooks of a year, refused if
    it is of another cell or year (a buggy third-party store must not make a step land in a
    handbook nobody asked for)."""
    if book.cell.id != cell or book.year != year:
        raise wrong_handbook(
            "",
            book.id,
            hb.store.url,
            asked_vi=f"các sổ của chi bộ '{cell}' năm {year}",
            asked_en=f"the handbooks of cell '{cell}' in {year}",
        )
    return book
