"""``Handbooks``: the facade embedding code uses (dịch vụ quản lý sổ tay).

It opens a store by URL, runs every step through the pure lifecycle of
:mod:`lamtheoguongbac._workflow` and the policy's rules (plus rules from plugins), saves with
optimistic concurrency and fires the ``handbook_changed`` hook after each stored step::

    with Handbooks.open("sqlite:///so-tay.db") as hb:
        hb.roster.import_files([Path("to-chuc.csv"), Path("dang-vien.csv")])
        book = hb.create("dv-001", year=2025, actor=secretary)
        book = hb.register_pledges(book.id, pledges, actor=member)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType
from typing import Any

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._errors import (
    ConflictError,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    RulesViolated,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac._exemplars import Exemplar
from lamtheoguongbac._inspections import Inspection
from lamtheoguongbac._model import (
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
    RoleAssignment,
    SelfAssessment,
    StudyTheme,
    handbook_id,
)
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._public import publish
from lamtheoguongbac._registry import Registry, create_registry, is_plugin_rule
from lamtheoguongbac._service.bulk import BulkSteps
from lamtheoguongbac._service.exemplars import ExemplarsFacet
from lamtheoguongbac._service.inspections import InspectionsFacet
from lamtheoguongbac._service.roster import RosterFacet
from lamtheoguongbac._service.supervision import SupervisionFacet
from lamtheoguongbac._service.workbook import ApplyResult, apply_workbook
from lamtheoguongbac._storage.base import HandbookQuery, Store
from lamtheoguongbac._storage.contract import check_signatures, wrong_handbook
from lamtheoguongbac.catalog import Catalog
from lamtheoguongbac.rules._aggregate import (
    RatingTally,
    check_cap_outlook,
    tally,
)
from lamtheoguongbac.rules._base import Severity, Violation, local_date
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy
from lamtheoguongbac.spreadsheet._data import WorkbookData
from lamtheoguongbac.text import nfc

__all__ = ["Handbooks", "StepResult"]

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    return dt.datetime.now(dt.UTC)


@attrs.frozen(kw_only=True)
class StepResult:
    """A stored lifecycle step: the new handbook, its event and the rules' warnings.

    Example:
        >>> from lamtheoguongbac import Handbooks, StepResult
        >>> from lamtheoguongbac.testing import advance, make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(roster.members[1].id, year=2025, actor=roster.members[0])
        ...     step = service.register_pledges(
        ...         book.id, advance(book).handbook.pledges, actor=roster.members[1]
        ...     )
        ...
        >>> (
        ...     isinstance(step, StepResult),
        ...     step.event.kind.value,
        ...     step.handbook.version,
        ...     step.warnings,
        ... )
        (True, 'registered', 2, ())
    """

    handbook: Handbook
    event: Event
    warnings: tuple[Violation, ...] = ()


_Step = Callable[[Handbook, Actor, dt.datetime, Policy], workflow.Transition]


class Handbooks:
    """The application service over one store (dịch vụ quản lý sổ tay).

    **Threads and processes.** One ``Handbooks`` may be shared by the threads of a process:
    the built-in stores serialise their work with a lock, every step reads, checks and
    writes with optimistic versions (a step that lost a race raises ``ConflictError``; read
    again and retry), and :meth:`transaction` is per thread. Do not share one across
    ``fork`` or send it to another process: each process (a web server's worker, an export
    worker) opens its own with :meth:`open` on the same URL. Plugin stores document their
    own rules; the conformance suite checks one instance, not several threads or processes
    sharing a store (a caching plugin store passes it and can still serve a stale read to a
    second instance: its own tests must cover that).

    Args:
        store: an open :class:`~lamtheoguongbac.plugin.Store`.
        registry: plugins (default: a new :func:`~lamtheoguongbac.plugin.create_registry`).
        policy: the rules in force for every handbook (plugin rules are added to it).
            Default: each handbook's own — the policy named when it was opened, else the
            catalog's policy for its year (:meth:`policy_for`).
        catalog: study themes, regulations and policies (default: the shipped catalog).
        clock: returns the current timezone-aware time (inject one in tests).

    Example:
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import advance, make_roster
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary, member = roster.members[0], roster.members[1]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(member.id, year=2025, actor=secretary)
        ...     done = book
        ...     for _ in range(3):  # register, report, assess: the content a member would write
        ...         done = advance(done).handbook
        ...     _ = service.register_pledges(book.id, done.pledges, actor=member)
        ...     _ = service.report_results(
        ...         book.id, done.report, actor=member, self_assessment=done.self_assessment
        ...     )
        ...     _ = service.record_assessment(
        ...         book.id, done.collective_assessment, actor=secretary
        ...     )
        ...     step = service.close_handbook(book.id, actor=secretary)
        ...     print(step.handbook.status.value, step.handbook.version)
        ...     print([event.kind.value for event in service.history(book.id)])
        ...
        closed 5
        ['created', 'registered', 'reported', 'assessed', 'closed']
    """

    def __init__(
        self,
        store: Store,
        *,
        registry: Registry | None = None,
        policy: Policy | None = None,
        catalog: Catalog | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.store = store
        self.registry = registry if registry is not None else create_registry()
        self.catalog = catalog if catalog is not None else Catalog.load()
        self._policies: dict[str, Policy] = {}
        self._policy = self._in_force(policy if policy is not None else DEFAULT_POLICY)
        self._policy_given = policy is not None
        self.clock = clock
        # per thread: notifications held by transaction(), the officer a delegated import
        # runs for
        self._deferred = threading.local()
        #: the organisation units and members (danh sách)
        self.roster = RosterFacet(store, lambda: self.clock())
        #: roll-ups, reminders and the top-rating cap (kiểm tra, giám sát)
        self.supervision = SupervisionFacet(self)
        #: exemplars: nominations and commendations (gương điển hình)
        self.exemplars = ExemplarsFacet(self)
        #: inspections, their findings, requests and follow-ups (kiểm tra, giám sát)
        self.inspections = InspectionsFacet(self)
        #: bulk steps for an organisation subtree (thao tác hàng loạt)
        self.bulk = BulkSteps(self)

    @property
    def policy(self) -> Policy:
        """The policy given to the service (else the default), with plugins' rules."""
        return self._policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        # The plugins' rules stay in force (they fail closed): a policy read from this
        # property holds them already, and they are not added twice.
        self._policy, self._policy_given = self._in_force(value), True

    def _today(self) -> dt.date:
        """Today on the calendar dates are judged by (the service's policy's zone, Viet Nam
        unless it names another): the clock's UTC date is still the day before until 07:00
        there, which would judge an office that changed hands at midnight a day late."""
        return local_date(self.clock(), self._policy.timezone)

    def _in_force(self, policy: Policy) -> Policy:
        policy = self._without_plugin_rules(policy).with_rules(self.registry.rules())
        return policy if policy.catalog is not None else attrs.evolve(policy, catalog=self.catalog)

    def _without_plugin_rules(self, policy: Policy) -> Policy:
        """``policy`` without the plugins' rules a registry put into it (guarded checks: a
        deployment's own rule is never taken for a plugin's, whatever its code)."""
        kept = tuple(r for r in policy.rules if not is_plugin_rule(r))
        return policy if len(kept) == len(policy.rules) else attrs.evolve(policy, rules=kept)

    def policy_for(self, handbook: Handbook) -> Policy:
        """The policy a handbook's steps run under (quy định áp dụng cho sổ).

        The policy given to the service, if any; else the one named when the handbook was
        opened (``Handbook.policy``); else the catalog's policy for the handbook's year
        (:meth:`~lamtheoguongbac.catalog.Catalog.policy_for_year`); else
        :data:`~lamtheoguongbac.rules.DEFAULT_POLICY`. Plugins' rules are added, and
        references are checked against the service's catalog.
        """
        return self._policy_named(handbook.policy, handbook.year)

    def _policy_named(self, name: str | None, year: int) -> Policy:
        """:meth:`policy_for` of a handbook of ``year`` naming the policy ``name``."""
        if self._policy_given or name is None:
            return self.policy_for_year(year)
        if name not in self._policies:
            self._policies[name] = self._in_force(self.catalog.policy(name))
        return self._policies[name]

    def policy_for_year(self, year: int) -> Policy:
        """The policy for handbooks of ``year`` that name none: the service's, if it was
        given one, else the catalog's for the year, else
        :data:`~lamtheoguongbac.rules.DEFAULT_POLICY`."""
        if self._policy_given:
            return self._policy
        key = f"@{year}"
        if key not in self._policies:
            chosen = self.catalog.policy_for_year(year) or DEFAULT_POLICY
            self._policies[key] = self._in_force(chosen)
        return self._policies[key]

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

        Wraps :meth:`Store.transaction <lamtheoguongbac.plugin.Store.transaction>`:
        the writes commit together when the outermost block ends, or not at all when an
        exception leaves it. The ``handbook_changed`` hooks of the steps taken inside (and the
        ``exemplar_changed`` and ``inspection_changed`` hooks) are held back and fired, in
        order, only once the outermost block has committed; on a rollback they are dropped.
        Blocks nest (an inner block joins the outer one).
        """
        pending: list[Callable[[], None]] | None = getattr(self._deferred, "pending", None)
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
        for fire in pending:
            fire()

    def _notify(self, event: Event, book: Handbook) -> None:
        """Fire ``handbook_changed`` now, or when the open :meth:`transaction` commits."""
        self._later(lambda: self.registry.notify_changed(event, book))

    def _later(self, fire: Callable[[], None]) -> None:
        """Run a hook call now, or when the open :meth:`transaction` commits."""
        pending: list[Callable[[], None]] | None = getattr(self._deferred, "pending", None)
        if pending is not None:
            pending.append(fire)
        else:
            fire()

    def _record(
        self,
        record: Exemplar | Inspection,
        action: RecordAction,
        actor: Actor,
        note: str | None,
    ) -> RecordEvent:
        """Append the audit event of a stored change to an exemplar or an inspection (inside
        the caller's transaction) and fire its hook once that commits."""
        record_type = RecordType.EXEMPLAR if isinstance(record, Exemplar) else RecordType.INSPECTION
        event = RecordEvent(
            record_type=record_type,
            record_id=record.id,
            action=action,
            actor_id=actor.id,
            actor_name=actor.name,
            at=self.clock(),
            version=record.version,
            note=note,
        )
        self.store.append_record_event(event)
        if isinstance(record, Exemplar):
            exemplar = record
            self._later(
                lambda: self.registry.call_each("exemplar_changed", event=event, exemplar=exemplar)
            )
        else:
            inspection = record
            self._later(
                lambda: self.registry.call_each(
                    "inspection_changed", event=event, inspection=inspection
                )
            )
        return event

    def _rostered(self, actor: Actor | Member) -> tuple[Actor, tuple[RoleAssignment, ...]]:
        """The trusted actor and the roles the stored roster gives them — none for someone
        outside the roster: the committee's work is authorised by the roster only."""
        who = self._trusted(actor)
        try:
            return who, self.store.member(who.id).roles
        except NotFound:
            return who, ()

    def __enter__(self) -> Handbooks:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _trusted(self, actor: Actor | Member) -> Actor:
        """The actor as the roster knows it: who may act is never taken on the caller's word.

        A member of the roster acts with the name and roles stored for them. Someone outside
        the roster (a committee official) keeps the roles given in the committees above the
        cells — a provincial Bí thư included — except a cell's Bí thư and Phó Bí thư roles,
        which only the roster can grant: those in a unit the roster's members belong to (a
        cell, a chi bộ cơ sở) or in a unit the store does not know.
        """
        _require_actor(actor)
        try:
            return self.store.member(actor.id).as_actor()
        except NotFound:
            given = _as_actor(actor)
            roles = tuple(
                r
                for r in given.roles
                if r.role not in _CELL_OFFICES or self._above_the_cells(r.unit_id)
            )
            return attrs.evolve(given, roles=roles)

    def _above_the_cells(self, unit_id: str) -> bool:
        """Whether ``unit_id`` is a stored unit with units below it and no member of the
        roster directly in it (a committee above the cells). A cell is never one, members
        or not: one whose members all moved away keeps its handbooks."""
        tree = self.roster.tree()
        if unit_id not in tree or len(tree.subtree(unit_id)) < 2:
            return False
        return not self.store.members(unit_id)

    # --- creating handbooks ------------------------------------------------------------

    def _new_handbook(
        self,
        member: Member,
        tree: OrgTree,
        period: Period,
        theme: StudyTheme | None,
        actor: Actor,
        at: dt.datetime,
        policy: str | None = None,
    ) -> tuple[Handbook, Event]:
        book = self.draft(member, period, tree=tree, theme=theme, policy=policy)
        event = workflow.new_event(book, EventKind.CREATED, actor, at, HandbookStatus.DRAFT)
        return book, self._as_recorded(event)

    def _as_recorded(self, event: Event) -> Event:
        """The event as the audit trail keeps it: under a delegated import (see
        :meth:`lamtheoguongbac.bulk.BulkSteps.import_folder`) the person who ran
        it is the actor, and the cell officer the step ran as is ``on_behalf_of``."""
        runner: Actor | None = getattr(self._deferred, "delegate", None)
        if runner is None or runner.id == event.actor_id:
            return event  # the officer ran it themselves: no one acted on their behalf
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
        policy: str | None = None,
    ) -> Handbook:
        """The draft handbook :meth:`create` would store for ``member`` (nothing is stored).

        Its id is made of the member's id and the period (``"dv04-2025"``); the theme
        defaults to the catalog's theme for the period's year; ``policy`` names a catalog policy to
        keep for this handbook (``NotFound`` if the catalog has none of that name).
        """
        if policy is not None:
            policy = self.catalog.policy(policy).name
        tree = tree if tree is not None else self.roster.tree_for([member.cell_id])
        return Handbook(
            id=handbook_id(member.id, period),
            member=member,
            organisation=tree.chain(member.cell_id),
            period=period,
            theme=self._theme(period, theme),
            policy=policy,
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
        role in the handbook's cell on the meeting date (Bí thư, else Phó Bí thư).

        Raises:
            NotAuthorised: the recorder holds neither office in that cell on that date
                (``LTGB-A001``).
        """
        recorder = self.store.member(recorder_id)
        cell = self._read(handbook_id).cell
        held = recorder.roles_on(meeting_date, cell.id)
        if Role.SECRETARY not in held and Role.DEPUTY_SECRETARY not in held:
            raise NotAuthorised(
                f"{recorder.full_name} không phải Bí thư hoặc Phó Bí thư của {cell.name} vào "
                f"ngày {meeting_date:%d/%m/%Y}: không được ghi nhận xét của tập thể chi bộ",
                f"{recorder.full_name} is not the Secretary or Deputy Secretary of {cell.name} "
                f"on {meeting_date.isoformat()} and may not record the assessment",
                code="LTGB-A001",
            )
        return workflow.signed_assessment(
            recorder.as_actor(), cell.id, text=text, meeting_date=meeting_date, rating=rating
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
        policy: str | None = None,
        actor: Actor | Member,
    ) -> Handbook:
        """Open a member's handbook for a year (or any ``period``), in draft.

        The id is made of the member's id and the period (``"dv04-2025"`` for a calendar
        year); the theme defaults to the catalog's theme
        for that year. ``policy`` names the catalog policy its steps run under (default:
        the catalog's policy for its year, see :meth:`policy_for`).
        ``ConflictError`` if the member already has that handbook.
        """
        period = _period(year, period)
        member = self.store.member(_require_text(member_id, "member_id"))
        at = self.clock()
        book, event = self._new_handbook(
            member,
            self.roster.tree_for([member.cell_id]),
            period,
            theme,
            self._trusted(actor),
            at,
            policy,
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
        policy: str | None = None,
    ) -> list[Handbook]:
        """Open handbooks for every member of a cell who has none for the period, in one
        transaction. Suspended members get one too (they report; they are not rated)."""
        period = _period(year, period)
        cell_id = nfc(_require_text(cell_id, "cell_id"))
        tree, at, who = self.roster.tree_for([cell_id]), self.clock(), self._trusted(actor)
        tree.unit(cell_id)
        have = {
            h.member.id
            for h in self.store.query(HandbookQuery(cell_id=cell_id, year=period.year_label))
        }
        items = [
            self._new_handbook(m, tree, period, theme, who, at, policy)
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
        current = self._with_current_status(self._read(handbook_id))
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
        trusted actor ``who``, and store it."""
        result = self._prepare_step(current, who, step, after)
        self._store_step(result, expected_version=current.version)
        return result

    def _prepare_step(
        self,
        current: Handbook,
        who: Actor,
        step: _Step,
        after: Callable[[Handbook], list[Violation]] | None = None,
        *,
        member_of: Callable[[str], Member | None] | None = None,
    ) -> StepResult:
        """The step taken on ``current`` by ``who`` and checked, nothing stored yet: the
        bulk facet takes a whole cell's steps first and then writes them in one short
        transaction (:meth:`_store_step`), reading the roster through ``member_of`` (its
        cache for the cell: one officer signs them all)."""
        t = step(current, who, self.clock(), self.policy_for(current))
        found = after(t.handbook) if after is not None else []
        errors = [v for v in found if v.severity is Severity.ERROR]
        if errors:
            raise RulesViolated(errors)
        event = self._as_recorded(t.event)
        # The backend checks who signs too, but it may be a third party's: the service keeps
        # its own check, which costs one roster read for an assessment only.
        check_signatures(t.handbook, event, member_of or self._member_or_none, added=False)
        return StepResult(handbook=t.handbook, event=event, warnings=(*t.warnings, *found))

    def _store_step(self, result: StepResult, *, expected_version: int) -> None:
        """Store a step :meth:`_prepare_step` took on the handbook read at
        ``expected_version`` (``ConflictError`` if it changed since) and fire its hook."""
        self.store.update(result.handbook, result.event, expected_version=expected_version)
        self._notify(result.event, result.handbook)

    def _member_or_none(self, member_id: str) -> Member | None:
        try:
            return self.store.member(member_id)
        except NotFound:
            return None

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
        policy = self.policy_for(handbook)
        cap = policy.top_rating_cap
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
        return self._cap_violations(handbook.grassroots, handbook.year, figures, policy)

    def _cap_violations(
        self, grassroots: OrgUnit, year: int, figures: RatingTally, policy: Policy
    ) -> list[Violation]:
        found = check_cap_outlook(
            figures,
            policy,
            organisation_id=grassroots.id,
            organisation_name=grassroots.name,
            year=year,
        )
        severity = Severity.ERROR if policy.top_rating_cap_enforced else Severity.WARNING
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

    def supplement_pledges(
        self,
        handbook_id: str,
        pledges: Sequence[Pledge],
        *,
        year: int,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Add a yearly supplement of pledges to a registered term book (đăng ký bổ sung),
        without reopening it."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.supplement(
                h, pledges, year=year, actor=a, at=at, policy=p
            ),
        )

    def report_interim(
        self,
        handbook_id: str,
        report: ResultReport,
        *,
        checkpoint: dt.date,
        actor: Actor | Member,
        title: str | None = None,
        self_assessment: SelfAssessment | None = None,
        expected_version: int | None = None,
    ) -> StepResult:
        """Report results at a checkpoint or a year's end (báo cáo sơ kết); the handbook
        stays registered."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.interim_report(
                h,
                report,
                checkpoint=checkpoint,
                actor=a,
                at=at,
                title=title,
                self_assessment=self_assessment,
                policy=p,
            ),
        )

    def record_interim_assessment(
        self,
        handbook_id: str,
        assessment: CollectiveAssessment,
        *,
        checkpoint: dt.date,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> StepResult:
        """Record the cell's interim assessment on the review at ``checkpoint`` (Bí thư/Phó
        Bí thư)."""
        return self._step(
            handbook_id,
            expected_version,
            actor,
            lambda h, a, at, p: workflow.interim_assess(
                h, assessment, checkpoint=checkpoint, actor=a, at=at, policy=p
            ),
        )

    def import_workbook(
        self, data: WorkbookData, *, year: int, actor: Actor | Member
    ) -> ApplyResult:
        """Apply a cell's filled workbook (nhập bảng tính) for ``year``, all or nothing.

        ``data`` comes from :func:`lamtheoguongbac.spreadsheet.read_workbook`. Every row is
        checked as the single steps are — the same transitions, rules and authorisation —
        and everything is one store transaction: if any row fails, nothing is stored. The
        top-rating cap (LTGB-C001) is judged on the import's final figures:
        ``ApplyResult.cap_warnings``, or — when the policy enforces the cap — a refusal
        naming each top-rated row.

        Raises:
            ImportFailed: a row breaks a rule or a transition (each named by sheet and row).
            NotAuthorised: ``actor`` may not take a step the workbook records.
        """
        return apply_workbook(self, data, year=year, actor=actor)

    # --- queries -----------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """One handbook; ``NotFound`` if none."""
        return self._read(handbook_id)

    def _read(self, handbook_id: str) -> Handbook:
        """The stored handbook ``handbook_id``, refused if the store answered with another.

        The store may be a third party's plugin: a buggy ``get`` must not make a step land
        in another member's handbook.

        Raises:
            StoreError: the store returned a handbook with another id.
        """
        handbook_id = _require_text(handbook_id, "handbook_id")
        try:
            found = self.store.get(handbook_id)
        except LamTheoGuongBacError:
            raise
        except Exception as exc:  # a plugin store's own error (a KeyError for NotFound …)
            raise StoreError(
                f"Kho {self.store.url} lỗi khi đọc sổ '{nfc(handbook_id)}': "
                f"{type(exc).__name__}: {exc}",
                f"the store {self.store.url} failed reading handbook '{nfc(handbook_id)}': "
                f"{type(exc).__name__}: {exc}",
            ) from exc
        if found.id != nfc(handbook_id):
            raise wrong_handbook(nfc(handbook_id), found.id, self.store.url)
        return found

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
        return self.store.events(_require_text(handbook_id, "handbook_id"))

    def reopenings(self, handbook_id: str) -> list[Event]:
        """The handbook's reopening events, oldest first, each keeping in ``cleared``
        (:class:`~lamtheoguongbac.ClearedContent`) the report, self-assessment and
        collective assessment the reopening took out: the earlier versions of the book are
        never lost. ``NotFound`` for an unknown id."""
        events = self.store.events(_require_text(handbook_id, "handbook_id"))
        return [e for e in events if e.kind is EventKind.REOPENED]


def _as_actor(actor: Actor | Member) -> Actor:
    return actor.as_actor() if isinstance(actor, Member) else actor


def _require_actor(actor: object) -> None:
    """Refuse an actor that is not one: an id or None failed with an ``AttributeError``."""
    if not isinstance(actor, Actor | Member):
        raise ValidationFailed(
            "phải là Actor hoặc Member (người mà hệ thống đã xác thực), không phải "
            f"{type(actor).__name__}",
            "must be an Actor or a Member (the person the system authenticated), not "
            f"{type(actor).__name__}",
            field="actor",
        )


def _require_text(value: object, name: str) -> str:
    """``value``, refused unless it is text (an id given as None or a number failed deep in
    the store with a ``TypeError``)."""
    if not isinstance(value, str):
        raise ValidationFailed(
            f"phải là chuỗi ký tự, không phải {type(value).__name__}",
            f"must be text, not {type(value).__name__}",
            field=name,
        )
    return value


_CELL_OFFICES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})


def _period(year: int | None, period: Period | None) -> Period:
    if (year is None) == (period is None):
        raise ValidationFailed(
            "cần đúng một trong 'year' hoặc 'period'",
            "give exactly one of 'year' or 'period'",
            field="year",
        )
    return period if period is not None else Period.year(year or 0)


publish("lamtheoguongbac", StepResult, Handbooks)
