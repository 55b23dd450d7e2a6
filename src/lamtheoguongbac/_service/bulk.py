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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._errors import (
    ImportFailed,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    RulesViolated,
    ValidationFailed,
)
from lamtheoguongbac._model import (
    Actor,
    CollectiveAssessment,
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
)
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac._storage.contract import wrong_handbook
from lamtheoguongbac.rules._aggregate import RatingTally, counts_as_pending
from lamtheoguongbac.rules._base import Severity, Violation
from lamtheoguongbac.rules._policy import Policy
from lamtheoguongbac.text import nfc

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks, StepResult

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


@attrs.frozen(kw_only=True)
class Source:
    """Where an entry came from: a file and, when known, its sheet and row (nguồn dữ liệu).

    Example:
        >>> from lamtheoguongbac.bulk import Source
        >>> Source(file="chi-bo-01.xlsx", row=12, sheet="Việc đăng ký")
        Source(file='chi-bo-01.xlsx', row=12, sheet='Việc đăng ký')
    """

    file: str
    row: int | None = None
    sheet: str | None = None

    def describe(self, lang: str = "vi") -> str:
        """``"chi-bo-01.xlsx, trang 'Kết quả', dòng 5"`` (or the English form)."""
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'" if lang == "en" else f"trang '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}" if lang == "en" else f"dòng {self.row}")
        return ", ".join(parts)


@attrs.frozen(kw_only=True)
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

    member_id: str = attrs.field(converter=nfc)
    pledges: tuple[Pledge, ...] = attrs.field(converter=tuple)
    source: Source | None = None


@attrs.frozen(kw_only=True)
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

    member_id: str = attrs.field(converter=nfc)
    report: ResultReport
    self_assessment: SelfAssessment | None = None
    source: Source | None = None


@attrs.frozen(kw_only=True)
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

    member_id: str = attrs.field(converter=nfc)
    text: str
    meeting_date: dt.date
    rating: RatingLevel | None
    source: Source | None = None


@attrs.frozen(kw_only=True)
class MemberClosing:
    """One member's handbook to close (khóa sổ).

    Example:
        >>> from lamtheoguongbac.bulk import MemberClosing, Source
        >>> MemberClosing(
        ...     member_id="dv04", source=Source(file="chi-bo.xlsx", sheet="Đảng viên", row=7)
        ... ).source.row
        7
    """

    member_id: str = attrs.field(converter=nfc)
    source: Source | None = None


E = TypeVar("E", MemberRegistration, MemberReport, MemberAssessment, MemberClosing)


@attrs.frozen(kw_only=True)
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

    cell_id: str = attrs.field(converter=nfc)
    year: int
    submitter: Actor | Member
    entries: tuple[E, ...] = attrs.field(converter=tuple)


@attrs.frozen(kw_only=True)
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

    path: Path
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


class _CellRefused(Exception):
    """Leaves a cell's transaction so that none of its writes is kept."""


@attrs.define
class _Tallies:
    """The cap's running figures per grassroots organisation and year for one operation."""

    service: Handbooks
    figures: dict[tuple[str, int], RatingTally] = attrs.field(factory=dict)
    units: dict[str, OrgUnit] = attrs.field(factory=dict)

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
    ) -> BulkResult:
        """Open the year's handbooks (mở sổ) for every member of the subtree under
        ``organisation_id`` who has none, one transaction per cell, as
        :meth:`~lamtheoguongbac.Handbooks.create_for_cell` does for one cell.

        Raises:
            NotFound: there is no unit ``organisation_id``.
            ValidationFailed: neither or both of ``year`` and ``period`` are given.
        """
        hb = self._hb
        if (year is None) == (period is None):  # the caller's mistake, not a cell's
            raise ValidationFailed(
                "cần đúng một trong 'year' hoặc 'period'",
                "give exactly one of 'year' or 'period'",
                field="year",
            )
        outcomes: list[MemberOutcome] = []
        with hb.roster.operation() as tree:
            units = tree.subtree(nfc(organisation_id))
            for i, unit in enumerate(units, 1):
                try:
                    books = hb.create_for_cell(
                        unit.id, year=year, period=period, actor=actor, theme=theme, policy=policy
                    )
                except LamTheoGuongBacError as exc:
                    outcomes.extend(
                        _failed(exc, unit.id, member_id=m.id) for m in hb.store.members(unit.id)
                    )
                else:
                    outcomes.extend(
                        MemberOutcome(
                            outcome=BulkOutcome.DONE,
                            cell_id=unit.id,
                            member_id=b.member.id,
                            handbook_id=b.id,
                        )
                        for b in books
                    )
                if progress is not None:
                    progress(i, len(units))
        return BulkResult(step="open", outcomes=tuple(outcomes))

    # --- lifecycle steps ----------------------------------------------------------------

    def register(
        self,
        batches: Iterable[CellBatch[MemberRegistration]],
        *,
        progress: Progress | None = None,
    ) -> BulkResult:
        """Register each member's pledges (đăng ký làm theo): draft → registered."""
        return self._run(
            "register",
            batches,
            lambda e, _: (
                lambda h, a, at, p: workflow.register(h, e.pledges, actor=a, at=at, policy=p)
            ),
            progress,
        )

    def report(
        self, batches: Iterable[CellBatch[MemberReport]], *, progress: Progress | None = None
    ) -> BulkResult:
        """Report each member's results, with the self-assessment when given (báo cáo kết
        quả): registered → reported."""
        return self._run(
            "report",
            batches,
            lambda e, _: (
                lambda h, a, at, p: workflow.report(
                    h, e.report, actor=a, at=at, policy=p, self_assessment=e.self_assessment
                )
            ),
            progress,
        )

    def assess(
        self, batches: Iterable[CellBatch[MemberAssessment]], *, progress: Progress | None = None
    ) -> BulkResult:
        """Record the cell's collective assessment of each member, signed by the batch's
        submitter (chi bộ đánh giá): reported → assessed.

        The top-rating cap (LTGB-C001) is kept as running figures per grassroots
        organisation; when the policy enforces it, a cell whose ratings would make the cap
        certain to be exceeded is refused (its top ratings fail); otherwise the operation's
        :attr:`BulkResult.warnings` say which organisations exceed it once the step is done.
        """
        return self._run("assess", batches, self._assessment_step, progress)

    def close(
        self, batches: Iterable[CellBatch[MemberClosing]], *, progress: Progress | None = None
    ) -> BulkResult:
        """Close each member's handbook (khóa sổ): assessed → closed."""
        return self._run(
            "close",
            batches,
            lambda e, _: lambda h, a, at, p: workflow.close(h, actor=a, at=at, policy=p),
            progress,
        )

    def _assessment_step(
        self, entry: MemberAssessment, who: Actor
    ) -> Callable[[Handbook, Actor, dt.datetime, Policy], workflow.Transition]:
        def step(h: Handbook, a: Actor, at: dt.datetime, p: Policy) -> workflow.Transition:
            held = a.roles_on(entry.meeting_date, h.cell.id)
            assessment = CollectiveAssessment(
                text=entry.text,
                meeting_date=entry.meeting_date,
                recorded_by=a.id,
                recorder_name=a.name,
                recorder_role=Role.SECRETARY if Role.SECRETARY in held else Role.DEPUTY_SECRETARY,
                rating=entry.rating,
            )
            return workflow.assess(h, assessment, actor=a, at=at, policy=p)

        return step

    def _run(
        self,
        name: str,
        batches: Iterable[CellBatch[E]],
        step_for: Callable[[E, Actor], Callable[..., workflow.Transition]],
        progress: Progress | None,
    ) -> BulkResult:
        tallies = _Tallies(self._hb) if name == "assess" else None
        outcomes: list[MemberOutcome] = []
        for i, batch in enumerate(batches, 1):
            outcomes.extend(self._cell(batch, step_for, tallies))
            if progress is not None:
                progress(i, None)
        warnings: list[Violation] = []
        if tallies is not None:
            for (gid, year), figures in sorted(tallies.figures.items()):
                # the cap of the year's policy, as supervision's check_cap judges it
                policy = self._hb.policy_for_year(year)
                warnings += self._hb._cap_violations(tallies.units[gid], year, figures, policy)
        return BulkResult(step=name, outcomes=tuple(outcomes), warnings=tuple(warnings))

    def _cell(
        self,
        batch: CellBatch[E],
        step_for: Callable[[E, Actor], Callable[..., workflow.Transition]],
        tallies: _Tallies | None,
    ) -> list[MemberOutcome]:
        """One cell, all or nothing: its handbooks and members read once, each entry's
        step taken as the submitter inside one transaction."""
        hb = self._hb
        cell = batch.cell_id
        try:
            who = hb._trusted(batch.submitter)
            scope = HandbookQuery(cell_id=cell, year=batch.year)
            books = {
                b.member.id: _of_cell(b, cell, batch.year, hb) for b in hb.store.iter_query(scope)
            }
            standing = {m.id: m.status for m in hb.store.members(cell)}
            if tallies is not None:  # the figures before this cell's first write
                for stored in books.values():
                    tallies.get(stored.grassroots, stored.year)
        except LamTheoGuongBacError as exc:
            return [_failed(exc, cell, entry=e) for e in batch.entries]
        done: dict[int, StepResult] = {}
        failed: dict[int, MemberOutcome] = {}
        running: dict[tuple[str, int], RatingTally] = {}
        try:
            with hb.transaction():
                for n, entry in enumerate(batch.entries):
                    found = books.get(entry.member_id)
                    if found is None:
                        missing = _no_handbook(entry.member_id, cell, batch.year)
                        failed[n] = _failed(missing, cell, entry=entry)
                        continue
                    if found.member.id not in standing:  # moved to another cell since
                        with contextlib.suppress(NotFound):
                            moved = hb.store.member(found.member.id)
                            standing[moved.id] = moved.status
                    book = _with_standing(found, standing)
                    try:
                        result = hb._commit_step(book, who, step_for(entry, who))
                    except LamTheoGuongBacError as exc:
                        failed[n] = _failed(exc, cell, entry=entry, handbook_id=book.id)
                        continue
                    books[entry.member_id] = result.handbook
                    done[n] = result
                    if tallies is not None:
                        _count(tallies, running, book, result.handbook)
                if tallies is not None and not failed:
                    failed.update(self._enforce_cap(tallies, running, batch, done))
                if failed:
                    raise _CellRefused
        except _CellRefused:
            pass
        except LamTheoGuongBacError as exc:  # the cell's commit itself failed
            return [_failed(exc, cell, entry=e) for e in batch.entries]
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
            policy = hb.policy_for_year(year)
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
        """Import every filled workbook (``*.xlsx``) of ``folder``, in name order.

        Without delegation each workbook is imported as ``runner``, who must then be
        entitled to each step as in a single import (the member, or the cell's Bí thư or
        Phó Bí thư). With ``on_behalf_of_cell_officer=True`` (the delegation, ủy quyền
        nhập thay), ``runner`` must be in the roster holding an office (Bí thư, Phó Bí thư,
        ủy viên) in a committee above the workbook's cell on the day of the import; each
        workbook — which must then be of one cell — is imported as that cell's Bí thư (else
        Phó Bí thư) per the stored roster, and every event records ``runner`` as the actor
        and the cell officer as ``on_behalf_of``.

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
        paths = sorted(
            p
            for p in folder.iterdir()
            if p.suffix.lower() == ".xlsx" and p.is_file() and not p.name.startswith(("~$", "."))
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
        from lamtheoguongbac.spreadsheet import read_workbook

        hb = self._hb
        outcomes: list[MemberOutcome] = []
        notes: list[str] = []
        with hb.roster.operation():
            for i, (path, submitter, delegate) in enumerate(items, 1):
                source = Source(file=str(path))
                try:
                    data = read_workbook(path)
                    with self._delegation(data, delegate) as acting:
                        result = hb.import_workbook(data, year=year, actor=acting or submitter)
                except ImportFailed as exc:
                    outcomes.extend(
                        MemberOutcome(
                            outcome=BulkOutcome.FAILED,
                            cell_id=None,
                            problem_vi=p.message("vi"),
                            problem_en=p.message("en"),
                            code=p.code,
                            source=source,
                        )
                        for p in exc.problems
                    )
                except LamTheoGuongBacError as exc:
                    outcomes.append(_failed(exc, None, source=source))
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
        return BulkResult(step="import", outcomes=tuple(outcomes), notes=tuple(notes))

    @contextlib.contextmanager
    def _delegation(self, data: object, delegate: Actor | None) -> Iterator[Member | None]:
        """Under delegation: check ``delegate`` may import for the workbook's cell, and
        yield the cell's officer, with every event recorded as ``delegate`` on their behalf.
        Without: yield None."""
        if delegate is None:
            yield None
            return
        hb = self._hb
        cell = self._cell_of(data)
        day = hb.clock().date()
        self._check_entitled(delegate, cell, day)
        officer = self.cell_officer(cell, on=day)
        with hb._delegated(delegate):
            yield officer

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
        members = self._hb.store.members(nfc(cell_id))
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


def _no_handbook(member_id: str, cell_id: str, year: int) -> NotFound:
    return NotFound(
        f"Đảng viên {member_id} không có sổ năm {year} ở chi bộ {cell_id}",
        f"member {member_id} has no handbook for {year} in cell {cell_id}",
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
    before: Handbook,
    after: Handbook,
) -> None:
    """Move one assessed handbook into the cell's running figures of the cap."""
    ca = after.collective_assessment
    key = (after.grassroots.id, after.year)
    figures = running[key] if key in running else tallies.get(after.grassroots, after.year)
    was_pending = counts_as_pending(before.status, before.member.status)
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
