"""``Handbooks``: the facade embedding code uses (dịch vụ quản lý sổ tay).

It opens a store by URL, runs every step through the pure lifecycle of
:mod:`lamtheoguongbac.workflow` and the policy's rules (plus rules from plugins), saves with
optimistic concurrency and fires the ``handbook_changed`` hook after each stored step::

    with Handbooks.open("sqlite:///so-tay.db") as hb:
        hb.import_roster([Path("to-chuc.csv"), Path("dang-vien.csv")])
        book = hb.create("dv-001", year=2025, actor=secretary)
        book = hb.register_pledges(book.id, pledges, actor=member)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs

from lamtheoguongbac import workflow
from lamtheoguongbac.catalog import Catalog
from lamtheoguongbac.errors import ConflictError, NotFound, RulesViolated, ValidationFailed
from lamtheoguongbac.exemplars import (
    Commendation,
    Exemplar,
    ExemplarKind,
    exemplar_id,
    nomination_from_handbook,
    with_commendation,
)
from lamtheoguongbac.model import (
    Actor,
    CollectiveAssessment,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    OrgUnit,
    Period,
    Pledge,
    RatingLevel,
    ResultReport,
    Role,
    SelfAssessment,
    StudyTheme,
    handbook_id,
)
from lamtheoguongbac.orgtree import OrgTree
from lamtheoguongbac.registry import Registry, create_registry
from lamtheoguongbac.reminders import Reminder
from lamtheoguongbac.roster import Roster, read_roster
from lamtheoguongbac.rules.aggregate import (
    RatingTally,
    check_cap_outlook,
    check_top_rating_cap,
    tally,
)
from lamtheoguongbac.rules.base import Severity, Violation
from lamtheoguongbac.rules.policy import DEFAULT_POLICY, Policy
from lamtheoguongbac.service_bulk import BulkSteps
from lamtheoguongbac.storage.base import HandbookQuery, Store
from lamtheoguongbac.supervision import Rollup, due_reminders, rollup
from lamtheoguongbac.text import nfc

__all__ = ["Handbooks", "StepResult"]

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class StepResult:
    """A stored lifecycle step: the new handbook, its event and the rules' warnings."""

    handbook: Handbook
    event: Event
    warnings: tuple[Violation, ...] = ()


_Step = Callable[[Handbook, Actor, dt.datetime, Policy], workflow.Transition]


class Handbooks:
    """The application service over one store.

    Args:
        store: an open :class:`~lamtheoguongbac.storage.base.Store`.
        registry: plugins (default: a new :func:`create_registry`).
        policy: the rules in force (plugin rules are added to it).
        catalog: study themes and regulations (default: the shipped catalog).
        clock: returns the current timezone-aware time (inject one in tests).
    """

    def __init__(
        self,
        store: Store,
        *,
        registry: Registry | None = None,
        policy: Policy = DEFAULT_POLICY,
        catalog: Catalog | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.store = store
        self.registry = registry if registry is not None else create_registry()
        self.policy = policy.with_rules(self.registry.rules())
        self.catalog = catalog if catalog is not None else Catalog.load()
        self.clock = clock
        # per thread: notifications held by transaction(), the organisation tree read once
        # for a bulk operation, the officer a delegated import runs for
        self._deferred = threading.local()
        self.bulk = BulkSteps(self)  #: bulk steps for an organisation subtree (hàng loạt)

    @classmethod
    def open(cls, url: str, *, registry: Registry | None = None, **kwargs: Any) -> Handbooks:
        """Open the store at ``url`` (``sqlite:///so-tay.db``, ``memory:``, or a plugin's)."""
        registry = registry if registry is not None else create_registry()
        return cls(registry.open_store(url), registry=registry, **kwargs)

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Make every write inside the block in one store transaction (giao dịch).

        Wraps :meth:`Store.transaction <lamtheoguongbac.storage.base.Store.transaction>`:
        the writes commit together when the outermost block ends, or not at all when an
        exception leaves it. The ``handbook_changed`` hooks of the steps taken inside are
        held back and fired, in order, only once the outermost block has committed; on a
        rollback they are dropped. Blocks nest (an inner block joins the outer one).
        """
        pending: list[tuple[Event, Handbook]] | None = getattr(self._deferred, "pending", None)
        if pending is not None:  # nested: join the outer block
            mark = len(pending)
            try:
                with self.store.transaction():
                    yield
            except BaseException:
                del pending[mark:]  # the inner block's writes were undone
                raise
            return
        pending = self._deferred.pending = []
        try:
            with self.store.transaction():
                yield
        finally:
            self._deferred.pending = None
        for event, book in pending:
            self.registry.notify_changed(event, book)

    def _notify(self, event: Event, book: Handbook) -> None:
        """Fire ``handbook_changed`` now, or when the open :meth:`transaction` commits."""
        pending: list[tuple[Event, Handbook]] | None = getattr(self._deferred, "pending", None)
        if pending is not None:
            pending.append((event, book))
        else:
            self.registry.notify_changed(event, book)

    def __enter__(self) -> Handbooks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- roster ------------------------------------------------------------------------

    def import_roster(self, paths: Sequence[Path]) -> Roster:
        """Import units and members from CSV/JSON files, all or nothing.

        The combined roster (what is stored plus the files) must form a valid tree and every
        member's cell must exist; otherwise nothing is written.

        Raises:
            ImportFailed: a file has bad rows (each named by file, row and column).
            ValidationFailed: the units do not form a tree or a cell is unknown.
        """
        roster = read_roster(paths)
        self.save_roster(roster.units, roster.members)
        return roster

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace units and members after checking the tree and the cells."""
        tree = self.org_tree().with_units(units)
        for i, m in enumerate(members):
            if m.cell_id not in tree:
                raise ValidationFailed(
                    f"đảng viên {m.full_name} thuộc chi bộ '{m.cell_id}' không có trong danh "
                    "sách tổ chức",
                    f"member {m.id} belongs to an unknown cell '{m.cell_id}'",
                    field=f"members[{i}].cell_id",
                )
        self.store.save_roster(units, members)
        if getattr(self._deferred, "tree", None) is not None:
            self._deferred.tree = tree  # the operation goes on with the units just saved

    def org_tree(self) -> OrgTree:
        """The stored organisation tree (cây tổ chức).

        Inside :meth:`operation_tree` it is the tree read once when the operation began
        (with the units the operation saved since), so a bulk step never re-reads it.
        """
        cached: OrgTree | None = getattr(self._deferred, "tree", None)
        return cached if cached is not None else OrgTree(self.store.units())

    @contextlib.contextmanager
    def operation_tree(self) -> Iterator[OrgTree]:
        """Read the organisation tree once for the block: :meth:`org_tree`, :meth:`create`,
        :meth:`create_for_cell` and :meth:`save_roster` inside use (and update) that copy
        instead of reading every unit again. Blocks nest (an inner one joins the outer)."""
        cached: OrgTree | None = getattr(self._deferred, "tree", None)
        if cached is not None:
            yield cached
            return
        tree = self._deferred.tree = OrgTree(self.store.units())
        try:
            yield tree
        finally:
            self._deferred.tree = None

    def _tree_for(self, cell_ids: Iterable[str]) -> OrgTree:
        """A tree holding the chains above ``cell_ids``: the operation's tree when one is
        open, else just those chains when the store can read one unit (``Store.unit``, an
        optional method), so a step on one cell never decodes every unit of a province."""
        cached: OrgTree | None = getattr(self._deferred, "tree", None)
        if cached is not None:
            return cached
        lookup: Callable[[str], OrgUnit] | None = getattr(self.store, "unit", None)
        if lookup is None:
            return self.org_tree()
        return OrgTree.of_chains(lookup, cell_ids)

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell), in roster order."""
        return self.store.members(cell_id)

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if none."""
        return self.store.member(member_id)

    def _trusted(self, actor: Actor | Member) -> Actor:
        """The actor as the roster knows it: who may act is never taken on the caller's word.

        A member of the roster acts with the name and roles stored for them. Someone outside
        the roster (a committee official) keeps the roles given, except a cell's Bí thư and
        Phó Bí thư roles, which only the roster can grant.
        """
        try:
            return self.store.member(actor.id).as_actor()
        except NotFound:
            given = _as_actor(actor)
            roles = tuple(r for r in given.roles if r.role not in _CELL_OFFICES)
            return attrs.evolve(given, roles=roles)

    def actor(self, member_id: str) -> Actor:
        """The stored member ``member_id`` as the actor of a step."""
        return self.store.member(member_id).as_actor()

    # --- creating handbooks ------------------------------------------------------------

    def _new_handbook(
        self,
        member: Member,
        tree: OrgTree,
        period: Period,
        theme: StudyTheme | None,
        actor: Actor,
        at: dt.datetime,
    ) -> tuple[Handbook, Event]:
        book = self.draft(member, period, tree=tree, theme=theme)
        event = workflow.new_event(book, EventKind.CREATED, actor, at, HandbookStatus.DRAFT)
        return book, self._as_recorded(event)

    def _as_recorded(self, event: Event) -> Event:
        """The event as the audit trail keeps it: under a delegated import (see
        :meth:`lamtheoguongbac.service_bulk.BulkSteps.import_workbooks`) the person who ran
        it is the actor, and the cell officer the step ran as is ``on_behalf_of``."""
        runner: Actor | None = getattr(self._deferred, "delegate", None)
        if runner is None:
            return event
        return attrs.evolve(
            event,
            actor_id=runner.id,
            actor_name=runner.name,
            on_behalf_of=event.actor_id,
            on_behalf_of_name=event.actor_name,
        )

    @contextlib.contextmanager
    def _delegated(self, runner: Actor) -> Iterator[None]:
        """Record every step of the block as entered by ``runner`` on behalf of the actor it
        runs as. Only the bulk facet opens it, after checking ``runner`` may delegate."""
        self._deferred.delegate = runner
        try:
            yield
        finally:
            self._deferred.delegate = None

    def draft(
        self,
        member: Member,
        period: Period,
        *,
        tree: OrgTree | None = None,
        theme: StudyTheme | None = None,
    ) -> Handbook:
        """The draft handbook :meth:`create` would store for ``member`` (nothing is stored).

        Its id is :func:`handbook_id` of the member and the period; the theme defaults to the
        catalog's theme for the period's year.
        """
        tree = tree if tree is not None else self._tree_for([member.cell_id])
        return Handbook(
            id=handbook_id(member.id, period),
            member=member,
            organisation=tree.chain(member.cell_id),
            period=period,
            theme=self._theme(period, theme),
            version=1,
        )

    def assessment_by(
        self,
        recorder_id: str,
        handbook_id: str,
        *,
        text: str,
        meeting_date: dt.date,
        rating: RatingLevel | None,
    ) -> CollectiveAssessment:
        """The collective assessment as the stored recorder signs it: their name, and their
        role in the handbook's cell on the meeting date (Bí thư, else Phó Bí thư)."""
        recorder = self.store.member(recorder_id)
        held = recorder.roles_on(meeting_date, self.store.get(handbook_id).cell.id)
        return CollectiveAssessment(
            text=text,
            meeting_date=meeting_date,
            recorded_by=recorder.id,
            recorder_name=recorder.full_name,
            recorder_role=Role.SECRETARY if Role.SECRETARY in held else Role.DEPUTY_SECRETARY,
            rating=rating,
        )

    def _theme(self, period: Period, theme: StudyTheme | None) -> StudyTheme | None:
        return theme if theme is not None else self.catalog.theme_for_year(period.year_label)

    def create(
        self,
        member_id: str,
        *,
        year: int | None = None,
        period: Period | None = None,
        theme: StudyTheme | None = None,
        actor: Actor | Member,
    ) -> Handbook:
        """Open a member's handbook for a year (or any ``period``), in draft.

        The id is :func:`~lamtheoguongbac.model.handbook_id` (``"dv04-2025"`` for a calendar
        year); the theme defaults to the catalog's theme
        for that year. ``ConflictError`` if the member already has that handbook.
        """
        period = _period(year, period)
        member = self.store.member(member_id)
        at = self.clock()
        book, event = self._new_handbook(
            member, self._tree_for([member.cell_id]), period, theme, self._trusted(actor), at
        )
        self.store.add(book, event)
        self._notify(event, book)
        return book

    def create_for_cell(
        self,
        cell_id: str,
        *,
        year: int | None = None,
        period: Period | None = None,
        actor: Actor | Member,
        theme: StudyTheme | None = None,
    ) -> list[Handbook]:
        """Open handbooks for every member of a cell who has none for the period, in one
        transaction. Suspended members get one too (they report; they are not rated)."""
        period = _period(year, period)
        cell_id = nfc(cell_id)
        tree, at, who = self._tree_for([cell_id]), self.clock(), self._trusted(actor)
        tree.unit(cell_id)
        have = {
            h.member.id
            for h in self.store.query(HandbookQuery(cell_id=cell_id, year=period.year_label))
        }
        items = [
            self._new_handbook(m, tree, period, theme, who, at)
            for m in self.store.members(cell_id)
            if m.id not in have
        ]
        self.store.add_many(items)
        for book, event in items:
            self._notify(event, book)
        return [book for book, _ in items]

    # --- lifecycle ---------------------------------------------------------------------

    def _step(
        self,
        handbook_id: str,
        expected_version: int | None,
        actor: Actor | Member,
        step: _Step,
        after: Callable[[Handbook], list[Violation]] | None = None,
    ) -> StepResult:
        current = self._with_current_status(self.store.get(handbook_id))
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(
                f"Sổ {handbook_id} đã thay đổi (phiên bản {current.version}, bạn đang sửa "
                f"phiên bản {expected_version}); hãy tải lại",
                f"handbook {handbook_id} changed (version {current.version}, you edited "
                f"{expected_version}); reload it",
            )
        return self._commit_step(current, self._trusted(actor), step, after)

    def _commit_step(
        self,
        current: Handbook,
        who: Actor,
        step: _Step,
        after: Callable[[Handbook], list[Violation]] | None = None,
    ) -> StepResult:
        """Run ``step`` on ``current`` (as read, with the member's current standing) by the
        trusted actor ``who``, and store it; the bulk facet calls it with what it read once
        per cell."""
        t = step(current, who, self.clock(), self.policy)
        found = after(t.handbook) if after is not None else []
        errors = [v for v in found if v.severity is Severity.ERROR]
        if errors:
            raise RulesViolated(errors)
        event = self._as_recorded(t.event)
        self.store.update(t.handbook, event, expected_version=current.version)
        self._notify(event, t.handbook)
        return StepResult(handbook=t.handbook, event=event, warnings=(*t.warnings, *found))

    def _with_current_status(self, handbook: Handbook) -> Handbook:
        """The handbook with its member's standing as the roster has it now.

        The member is copied into the handbook when it is opened; a suspension recorded
        later must still keep the member from being rated (LTGB-A003).
        """
        if handbook.status is HandbookStatus.CLOSED:
            return handbook
        try:
            status = self.store.member(handbook.member.id).status
        except NotFound:
            return handbook
        if status is handbook.member.status:
            return handbook
        return attrs.evolve(handbook, member=attrs.evolve(handbook.member, status=status))

    def _cap_after(self, handbook: Handbook) -> list[Violation]:
        """The top-rating cap (LTGB-C001) over the handbook's whole grassroots organisation
        and year, with ``handbook`` as it would be stored; an error only when the policy
        enforces the cap, else a warning.

        It fires only when the cap is certain to be exceeded whatever the handbooks not yet
        assessed are rated (:func:`~lamtheoguongbac.rules.aggregate.check_cap_outlook`), so
        the outcome depends on the figures, never on the order ratings are entered in.
        """
        cap = self.policy.top_rating_cap
        ca = handbook.collective_assessment
        if cap is None or ca is None:
            return []
        # A rating in the base moves a handbook from "may still be rated" into the base:
        # the most the cap can allow stays the same and the top count does not grow, so
        # only a top rating or one outside the base can make the outlook worse.
        if ca.rating is not cap.level and ca.rating in cap.of_levels:
            return []
        figures = self.rating_tally(
            handbook.grassroots.id, handbook.year, excluding=handbook.id
        ).rated(ca.rating, was_pending=False)
        return self._cap_violations(handbook.grassroots, handbook.year, figures)

    def _cap_violations(
        self, grassroots: OrgUnit, year: int, figures: RatingTally
    ) -> list[Violation]:
        found = check_cap_outlook(
            figures,
            self.policy,
            organisation_id=grassroots.id,
            organisation_name=grassroots.name,
            year=year,
        )
        severity = Severity.ERROR if self.policy.top_rating_cap_enforced else Severity.WARNING
        return [attrs.evolve(v, severity=severity) for v in found]

    def rating_tally(
        self, grassroots_id: str, year: int, *, excluding: str | None = None
    ) -> RatingTally:
        """The top-rating cap's running figures of a grassroots organisation and year
        (ratings so far, handbooks that may still be rated), leaving out ``excluding``.

        Counted by the store when it can (``Store.rating_tally``, an optional method: the
        built-in stores count without decoding a handbook), else from the handbooks.
        """
        counted: Callable[..., RatingTally] | None = getattr(self.store, "rating_tally", None)
        if counted is not None:
            return counted(grassroots_id, year, excluding=excluding)
        scope = HandbookQuery(organisation_id=grassroots_id, year=year)
        books = [
            h
            for h in self.store.iter_query(scope)
            if h.id != excluding and h.grassroots.id == grassroots_id
        ]
        return tally(books, lambda h: self._with_current_status(h).member.status)

    def register_pledges(
        self,
        handbook_id: str,
        pledges: Sequence[Pledge],
        *,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Register pledges (đăng ký làm theo): draft → registered."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.register(h, pledges, actor=a, at=at, policy=p),
        )

    def report_results(
        self,
        handbook_id: str,
        report: ResultReport,
        *,
        actor: Actor | Member,
        self_assessment: SelfAssessment | None = None,
        expected_version: int | None = None,
    ) -> StepResult:
        """Report results (báo cáo kết quả): registered → reported."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.report(
                h, report, actor=a, at=at, policy=p, self_assessment=self_assessment
            ),
        )

    def self_assess(
        self,
        handbook_id: str,
        assessment: SelfAssessment,
        *,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Write the self-assessment (tự nhận xét, đánh giá)."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.self_assess(h, assessment, actor=a, at=at, policy=p),
        )

    def record_assessment(
        self,
        handbook_id: str,
        assessment: CollectiveAssessment,
        *,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Record the cell's collective assessment: reported → assessed (Bí thư/Phó Bí thư)."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.assess(h, assessment, actor=a, at=at, policy=p),
            after=self._cap_after,
        )

    def close_handbook(
        self, handbook_id: str, *, actor: Actor | Member, expected_version: int | None = None
    ) -> StepResult:
        """Close the handbook (khóa sổ): assessed → closed."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.close(h, actor=a, at=at, policy=p),
        )

    def reopen_handbook(
        self,
        handbook_id: str,
        *,
        to: HandbookStatus,
        reason: str,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Reopen to an earlier status with a written reason (mở lại sổ)."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.reopen(h, to=to, reason=reason, actor=a, at=at, policy=p),
        )

    # --- queries -----------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """One handbook; ``NotFound`` if none."""
        return self.store.get(handbook_id)

    def find(
        self,
        *,
        organisation_id: str | None = None,
        cell_id: str | None = None,
        year: int | None = None,
        status: HandbookStatus | None = None,
        member_id: str | None = None,
    ) -> list[Handbook]:
        """Handbooks matching every given criterion (organisation = the whole subtree)."""
        return self.store.query(
            HandbookQuery(
                organisation_id=organisation_id,
                cell_id=cell_id,
                year=year,
                status=status,
                member_id=member_id,
            )
        )

    def count_by_status(
        self,
        *,
        organisation_id: str | None = None,
        cell_id: str | None = None,
        year: int | None = None,
    ) -> dict[HandbookStatus, int]:
        """How many handbooks per status."""
        return self.store.count_by_status(
            HandbookQuery(organisation_id=organisation_id, cell_id=cell_id, year=year)
        )

    def history(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first."""
        return self.store.events(handbook_id)

    def check_cap(
        self, *, organisation_id: str | None = None, year: int | None = None
    ) -> list[Violation]:
        """The top-rating cap (LTGB-C001) for every grassroots organisation that has handbooks
        in the selection, each counted over its whole membership (the cap's scope), never
        over part of it."""
        grassroots = sorted(
            {
                (h.grassroots.id, h.year)
                for h in self.store.iter_query(
                    HandbookQuery(organisation_id=organisation_id, year=year)
                )
            }
        )
        return check_top_rating_cap(
            (
                h
                for gid, y in grassroots
                for h in self.store.iter_query(HandbookQuery(organisation_id=gid, year=y))
            ),
            self.policy,
        )

    # --- supervision -------------------------------------------------------------------

    def rollup(self, *, organisation_id: str, year: int, today: dt.date | None = None) -> Rollup:
        """Figures for a subtree and year (tổng hợp): per cell and in total, see
        :func:`lamtheoguongbac.supervision.rollup`; ``today`` defaults to the clock's date."""
        return rollup(
            self, organisation_id=organisation_id, year=year, today=today or self.clock().date()
        )

    def reminders(
        self, *, year: int, today: dt.date | None = None, organisation_id: str | None = None
    ) -> list[Reminder]:
        """Who is late to register, report or be assessed, grouped by cell (nhắc việc)."""
        return due_reminders(
            self, year=year, today=today or self.clock().date(), organisation_id=organisation_id
        )

    def send_reminders(
        self, *, year: int, today: dt.date | None = None, organisation_id: str | None = None
    ) -> list[Reminder]:
        """Compute the reminders and hand them to the ``reminders_due`` hook; returns them."""
        found = self.reminders(year=year, today=today, organisation_id=organisation_id)
        if found:
            self.registry.call_each("reminders_due", reminders=found)
        return found

    # --- exemplars ---------------------------------------------------------------------

    def nominate_from_handbook(
        self, handbook_id: str, *, actor: Actor | Member, on: dt.date | None = None
    ) -> Exemplar:
        """Nominate a handbook's owner as an exemplar (đề cử gương điển hình).

        Only from an assessed or closed handbook rated at least HTTNV; the achievements are
        its pledges reported done, the organisation chain the handbook's. ``on`` (the
        nomination date) defaults to the clock's date.

        Raises:
            NotFound: no such handbook.
            TransitionNotAllowed: the handbook is not assessed or closed, or rated below HTTNV.
            ValidationFailed: no pledge of the handbook was reported done.
            ConflictError: the member is already nominated for that year.
        """
        handbook = self.store.get(handbook_id)
        exemplar = nomination_from_handbook(
            handbook, actor=self._trusted(actor), on=on or self.clock().date()
        )
        self.store.add_exemplar(exemplar)
        return exemplar

    def nominate(
        self,
        member_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
    ) -> Exemplar:
        """Nominate a member by hand, with the ``achievements`` written out.

        Raises:
            NotFound: no such member, or the member's cell is not in the stored tree.
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the member is already nominated for ``year``.
        """
        member = self.store.member(member_id)
        return self._nominate(
            ExemplarKind.INDIVIDUAL,
            member.full_name,
            member.cell_id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
            member_id=member.id,
        )

    def nominate_collective(
        self,
        cell_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
    ) -> Exemplar:
        """Nominate a collective — a cell (chi bộ) or another stored unit — by hand.

        Raises:
            NotFound: no such unit in the stored tree.
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the unit is already nominated for ``year``.
        """
        unit = self.org_tree().unit(nfc(cell_id))
        return self._nominate(
            ExemplarKind.COLLECTIVE,
            unit.name,
            unit.id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
        )

    def _nominate(
        self,
        kind: ExemplarKind,
        name: str,
        cell_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None,
        member_id: str | None = None,
    ) -> Exemplar:
        who = self._trusted(actor)
        exemplar = Exemplar(
            id=exemplar_id(kind, year, member_id or cell_id),
            year=year,
            kind=kind,
            name=name,
            organisation=self.org_tree().chain(cell_id),
            achievements=achievements,
            nominated_by=who.id,
            nominator_name=who.name,
            nominated_on=on or self.clock().date(),
            member_id=member_id,
        )
        self.store.add_exemplar(exemplar)
        return exemplar

    def commend(
        self,
        exemplar_id: str,
        commendation: Commendation,
        *,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> Exemplar:
        """Record the exemplar's commendation (ghi nhận khen thưởng); ``actor`` is recorded as
        who entered it. Returns the commended exemplar at its next version.

        Raises:
            NotFound: no such exemplar.
            ConflictError: ``expected_version`` is not the stored version, or another writer
                changed the exemplar meanwhile.
            TransitionNotAllowed: the exemplar is commended already.
            ValidationFailed: the decision is dated before the exemplar's year.
        """
        current = self.store.get_exemplar(exemplar_id)
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(
                f"Gương điển hình {current.id} đã thay đổi (phiên bản {current.version}, bạn "
                f"đang sửa phiên bản {expected_version}); hãy tải lại",
                f"exemplar {current.id} changed (version {current.version}, you edited "
                f"{expected_version}); reload it",
            )
        commended = with_commendation(current, commendation, actor=self._trusted(actor))
        self.store.update_exemplar(commended, expected_version=current.version)
        return commended

    def exemplar(self, exemplar_id: str) -> Exemplar:
        """One exemplar; ``NotFound`` if none."""
        return self.store.get_exemplar(exemplar_id)

    def exemplars(
        self, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """Exemplars of a year and/or an organisation subtree: by year, collectives first,
        then in Vietnamese alphabetical order of the name."""
        return self.store.exemplars(year=year, organisation_id=organisation_id)


def _as_actor(actor: Actor | Member) -> Actor:
    return actor.as_actor() if isinstance(actor, Member) else actor


_CELL_OFFICES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})


def _period(year: int | None, period: Period | None) -> Period:
    if (year is None) == (period is None):
        raise ValidationFailed(
            "cần đúng một trong 'year' hoặc 'period'",
            "give exactly one of 'year' or 'period'",
            field="year",
        )
    return period if period is not None else Period.year(year or 0)
