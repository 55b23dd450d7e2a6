"""Applying a workbook to a store: validate everything first, then write."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._errors import (
    ImportFailed,
    NotAuthorised,
    NotFound,
    RulesViolated,
    TransitionNotAllowed,
    ValidationFailed,
)
from lamtheoguongbac._model import (
    Actor,
    CollectiveAssessment,
    DeliverableTarget,
    Event,
    Handbook,
    Member,
    Period,
    Pledge,
    Role,
)
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._permissions import (
    changed_roles,
    require_may_change_roles,
    require_may_change_roster,
    require_no_role_change_with_steps,
    require_not_own_roles,
    require_signer,
)
from lamtheoguongbac.rules._base import Violation
from lamtheoguongbac.spreadsheet._data import (
    ApplyResult,
    AssessmentEntry,
    HandbookEntry,
    WorkbookData,
)
from lamtheoguongbac.spreadsheet._layout import (
    ASSESSMENTS,
    MEMBERS,
    PLEDGES,
    RESULTS,
    SELF_ASSESSMENTS,
    UNITS,
    Sheet,
    place,
)

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks, StepResult

__all__ = ["ApplyResult", "apply_workbook"]

_Step = Callable[["Handbooks", Handbook], "StepResult"]
_PLEDGE_PATH = re.compile(r"pledges\[(\d+)\](?:\.(\w+))?")
_PLEDGE_FIELDS = {
    "deed": "viec_lam",
    "deadline": "thoi_han",
    "checkpoints": "thoi_han",
    "bases": "loai_can_cu",
}
_ASSESSMENT_FIELDS = {
    "rating": "xep_loai",
    "meeting_date": "ngay_hop",
    "recorded_by": "ma_nguoi_ghi",
}


@attrs.define
class _Plan:
    member_id: str
    existing: Handbook | None
    steps: list[_Step]


class _Checker:
    """Dry-runs a workbook against the store, collecting problems and the steps to take."""

    def __init__(self, service: Handbooks, data: WorkbookData, actor: Actor) -> None:
        self.service, self.data, self.actor = service, data, actor
        self.at = service.clock()
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.known = OrgTree(())  # the stored tree, once roster() has read it

    def where(self, sheet: Sheet, row: int, key: str | None) -> tuple[str, str]:
        return place(sheet, row, key, self.data.columns.get(sheet.name, {}))

    def problem(self, sheet: Sheet, row: int, key: str | None, vi: str, en: str) -> None:
        where_vi, where_en = self.where(sheet, row, key)
        self.problems.append(f"{where_vi}: {vi} / {where_en}: {en}")

    # --- roster ------------------------------------------------------------------------

    def roster(self) -> OrgTree | None:
        """The organisation tree once the workbook's units are added; None if they are bad."""
        data = self.data
        # the service's tree: read once per bulk operation, not once per workbook
        known = self.known = self.service.roster.tree()
        given = {u.id for u in data.units}
        orphans = [
            u
            for u in data.units
            if u.parent_id and u.parent_id not in given and u.parent_id not in known
        ]
        for u in orphans:
            self.problem(
                UNITS,
                data.unit_rows.get(u.id, 0),
                "ma_cap_tren",
                f"không có đơn vị cấp trên '{u.parent_id}' (ở trang này hay trong kho)",
                f"no parent unit '{u.parent_id}' (on this sheet or in the store)",
            )
        if orphans:
            return None
        try:
            tree = known.with_units(data.units)
        except ValidationFailed as exc:
            self.problem(UNITS, 0, None, exc.message_vi, exc.message_en)
            return None
        for m in data.members:
            if m.cell_id not in tree:
                self.problem(
                    MEMBERS,
                    data.member_rows.get(m.id, 0),
                    "chi_bo",
                    f"không có chi bộ '{m.cell_id}' (ở trang '{UNITS.name}' hay trong kho)",
                    f"no cell '{m.cell_id}' (on the '{UNITS.name}' sheet or in the store)",
                )
        return tree

    # --- locating problems -------------------------------------------------------------

    def anchor(self, entry: HandbookEntry, sheet: Sheet) -> tuple[Sheet, int]:
        """The first row of ``entry`` on ``sheet``, else the member's own row."""
        row = _first_row(entry, sheet)
        return (sheet, row) if row or not entry.rows.member else (MEMBERS, entry.rows.member)

    def locate(
        self, entry: HandbookEntry, path: str, stage: Sheet
    ) -> tuple[Sheet, int, str | None]:
        """The sheet, row and column a rule's ``path`` points at in ``entry``; the first row
        of the ``stage`` being checked when the path names no row."""
        if m := _PLEDGE_PATH.match(path):
            i, rows = int(m.group(1)), entry.rows.pledges
            row = rows[i] if i < len(rows) else self.anchor(entry, PLEDGES)[1]
            return PLEDGES, row, _PLEDGE_FIELDS.get(m.group(2) or "")
        head, _, attr = path.partition(".")
        targets: dict[str, tuple[Sheet, str | None]] = {
            "pledges": (PLEDGES, None),
            "report": (RESULTS, "ngay_bao_cao" if attr == "submitted_on" else None),
            "self_assessment": (SELF_ASSESSMENTS, "ngay_viet" if attr == "written_on" else None),
            "collective_assessment": (ASSESSMENTS, _ASSESSMENT_FIELDS.get(attr)),
        }
        sheet, key = targets.get(head.split(" ")[0], (stage, None))
        row = _first_row(entry, sheet)
        if not row:
            sheet, row = self.anchor(entry, stage)
            key = None
        return sheet, row, key

    def violation(self, entry: HandbookEntry, v: Violation, stage: Sheet) -> str:
        sheet, row, key = self.locate(entry, v.path, stage)
        where_vi, where_en = self.where(sheet, row, key)
        return f"{where_vi}: [{v.code}] {v.message_vi} / {where_en}: [{v.code}] {v.message_en}"

    # --- walking a handbook ------------------------------------------------------------

    def attempt(
        self,
        entry: HandbookEntry,
        stage: Sheet,
        stored: bool,
        run: Callable[[], workflow.Transition],
    ) -> Handbook | None:
        """Dry-run one transition; the new handbook, or None with the problems recorded.

        ``stored`` says the stored handbook already has different content for this stage,
        which is the likely cause when the transition is not allowed.
        """
        try:
            t = run()
        except RulesViolated as exc:
            self.problems.extend(self.violation(entry, v, stage) for v in exc.violations)
            return None
        except (TransitionNotAllowed, NotAuthorised, ValidationFailed) as exc:
            vi, en = exc.message_vi, exc.message_en
            if isinstance(exc, NotAuthorised) and exc.code:
                vi, en = f"[{exc.code}] {vi}", f"[{exc.code}] {en}"
            if stored and isinstance(exc, TransitionNotAllowed):
                vi += " — sổ đã lưu có nội dung khác; muốn sửa thì mở lại sổ (reopen)"
                en += " — the stored handbook differs; reopen it to change it"
            sheet, row = self.anchor(entry, stage)
            key = (
                "ma_nguoi_ghi" if isinstance(exc, NotAuthorised) and stage is ASSESSMENTS else None
            )
            self.problem(sheet, row, key, vi, en)
            return None
        self.warnings.extend(self.violation(entry, v, stage) for v in t.warnings)
        return t.handbook

    def walk(
        self, entry: HandbookEntry, hb: Handbook, members: dict[str, Member]
    ) -> list[_Step] | None:
        """The steps that take ``hb`` as far as ``entry`` goes; None when one is refused."""
        steps: list[_Step] = []
        who, at, policy = self.actor, self.at, self.service.policy_for(hb)
        pledges, report, sa = entry.pledges, entry.report, entry.self_assessment
        if pledges and not _same_pledges(pledges, hb.pledges):
            stored = bool(hb.pledges)
            after = self.attempt(
                entry,
                PLEDGES,
                stored,
                lambda: workflow.register(hb, pledges, actor=who, at=at, policy=policy),
            )
            if after is None:
                return None
            hb = after
            steps.append(
                lambda s, h: s.register_pledges(
                    h.id, pledges, actor=who, expected_version=h.version
                )
            )
        if report is not None and report != hb.report:
            with_sa = sa if sa != hb.self_assessment else None
            after = self.attempt(
                entry,
                RESULTS,
                hb.report is not None,
                lambda: workflow.report(
                    hb, report, actor=who, at=at, policy=policy, self_assessment=with_sa
                ),
            )
            if after is None:
                return None
            hb = after
            steps.append(
                lambda s, h: s.report_results(
                    h.id, report, actor=who, self_assessment=with_sa, expected_version=h.version
                )
            )
        if sa is not None and sa != hb.self_assessment:
            after = self.attempt(
                entry,
                SELF_ASSESSMENTS,
                hb.self_assessment is not None,
                lambda: workflow.self_assess(hb, sa, actor=who, at=at, policy=policy),
            )
            if after is None:
                return None
            hb = after
            steps.append(
                lambda s, h: s.self_assess(h.id, sa, actor=who, expected_version=h.version)
            )
        if entry.assessment is not None and not _same(hb.collective_assessment, entry.assessment):
            step = self.assess(entry, entry.assessment, hb, members)
            if step is None:
                return None
            steps.append(step)
        return steps

    def assess(
        self, entry: HandbookEntry, a: AssessmentEntry, hb: Handbook, members: dict[str, Member]
    ) -> _Step | None:
        """Dry-run the cell's assessment, recorded by the caller; the step, or None.

        The recorder the row names must be the caller (LTGB-G001): the assessment is signed
        "T/M CHI BỘ" with the recorder's name, and the audit trail credits whoever runs the
        import, so a workbook can never sign for someone else.
        """
        by = self.actor
        try:
            require_signer(
                by,
                a.recorder_id,
                what_vi="nhận xét của chi bộ",
                what_en="the cell's assessment",
            )
        except NotAuthorised as exc:
            sheet, row = self.anchor(entry, ASSESSMENTS)
            self.problem(
                sheet, row, "ma_nguoi_ghi", f"[{exc.code}] {exc.message_vi}", exc.message_en
            )
            return None
        held = by.roles_on(a.meeting_date, hb.cell.id)
        assessment = CollectiveAssessment(
            text=a.text,
            meeting_date=a.meeting_date,
            recorded_by=by.id,
            recorder_name=by.name,
            recorder_role=Role.SECRETARY if Role.SECRETARY in held else Role.DEPUTY_SECRETARY,
            rating=a.rating,
        )
        after = self.attempt(
            entry,
            ASSESSMENTS,
            hb.collective_assessment is not None,
            lambda: workflow.assess(
                hb, assessment, actor=by, at=self.at, policy=self.service.policy_for(hb)
            ),
        )
        if after is None:
            return None
        return lambda s, h: s.record_assessment(
            h.id, assessment, actor=by, expected_version=h.version
        )


class _KnownMembers(dict[str, Member]):
    """The workbook's members, then the store's, each read when first asked for: a workbook
    of one cell never reads the province's whole roster."""

    def __init__(self, service: Handbooks, given: Sequence[Member]) -> None:
        super().__init__((m.id, m) for m in given)
        self.service = service

    def get(self, key: str, default: Member | None = None) -> Member | None:  # type: ignore[override]
        if key not in self:
            try:
                self[key] = self.service.roster.member(key)
            except NotFound:
                return default
        return self[key]


def _first_row(entry: HandbookEntry, sheet: Sheet) -> int:
    """The first row ``entry`` has on ``sheet``; 0 when none (or not read from a file)."""
    r = entry.rows
    rows = {
        PLEDGES.name: r.pledges[:1],
        RESULTS.name: r.results[:1],
        SELF_ASSESSMENTS.name: (r.self_assessment,),
        ASSESSMENTS.name: (r.assessment,),
    }
    return next(iter(rows.get(sheet.name, ())), 0)


def _plain(pledge: Pledge) -> Pledge:
    """``pledge`` as a workbook row gives it back: a deliverable's due date is its deadline
    (the sheet has one date column for both)."""
    if isinstance(pledge.target, DeliverableTarget) and pledge.deadline is None:
        return attrs.evolve(pledge, deadline=pledge.target.due)
    return pledge


def _same_pledges(given: tuple[Pledge, ...], stored: tuple[Pledge, ...]) -> bool:
    return [_plain(p) for p in given] == [_plain(p) for p in stored]


def _same(stored: CollectiveAssessment | None, given: AssessmentEntry) -> bool:
    return stored is not None and (
        stored.text,
        stored.meeting_date,
        stored.recorded_by,
        stored.rating,
    ) == (given.text, given.meeting_date, given.recorder_id, given.rating)


def apply_workbook(
    service: Handbooks, data: WorkbookData, *, year: int, actor: Actor | Member
) -> ApplyResult:
    """Import a workbook's roster and walk each member's handbook as far as its data goes.

    Every member on the members sheet or with entries gets a handbook for ``year`` (opened
    when missing); each is then registered, reported (with the self-assessment) and assessed
    by the recorder named, as far as the workbook's data goes. A stage the stored handbook
    already has with the same content is skipped, so applying the same workbook twice
    changes nothing.

    Everything is checked first — the roster, and each step by dry-running the pure
    :mod:`~lamtheoguongbac._workflow` transitions with the service's policy — and nothing is
    written unless all of it passes. The writes that follow — roster, new handbooks, steps —
    are one store transaction (:meth:`~lamtheoguongbac._service.core.Handbooks.transaction`): if
    any fails (a handbook changed by someone else since the check raises ``ConflictError``,
    or the store fails), none of them is kept and no ``handbook_changed`` hook fires; the
    hooks fire only after everything is committed.

    Args:
        service: the service to write through.
        data: from :func:`~lamtheoguongbac.spreadsheet.read_workbook`.
        year: the handbooks' year.
        actor: the caller the embedding system authenticated, who takes every step and is
            recorded as doing so (as the stored roster knows them: name and offices). A
            member registers and reports for themselves; the cell's Bí thư / Phó Bí thư may
            do so for members, and records the collective assessment: an assessment row
            must name the caller as its recorder (LTGB-G001), see ``docs/permissions.md``.

    Raises:
        ImportFailed: every problem, each naming its sheet, row and column (nothing written).
        NotAuthorised: the workbook changes the caller's own roles (LTGB-G003), or changes
            roles and also records steps (LTGB-G002); nothing written.
        ConflictError: a handbook changed between the check and the writes (nothing
            written; apply the workbook again).
    """
    # Who acts is the caller as the stored roster knows them (their name, their offices),
    # never the roles the workbook itself sets.
    who = service._trusted(actor)
    stored: dict[str, Member] = {}  # the stored records of the workbook's members only
    for m in data.members:
        with contextlib.suppress(NotFound):
            stored[m.id] = service.roster.member(m.id)
    changed = changed_roles(stored, data.members)
    require_not_own_roles(who, changed)
    require_no_role_change_with_steps(changed, any(not e.empty for e in data.handbooks))
    checker = _Checker(service, data, who)
    tree = checker.roster()
    if tree is not None:
        require_may_change_roles(who, changed, tree, checker.at.date(), set(stored))
        require_may_change_roster(
            who,
            data.units,
            data.members,
            stored_tree=checker.known,
            stored_members=stored,
            tree=tree,
            day=checker.at.date(),
        )
    members = _KnownMembers(service, data.members)
    entries = {e.member_id: e for e in data.handbooks}
    for m in data.members:
        entries.setdefault(m.id, HandbookEntry(member_id=m.id))
    plans: list[_Plan] = []
    for member_id, entry in entries.items():
        member = members.get(member_id)
        if member is None:
            sheet, row = checker.anchor(entry, PLEDGES if entry.pledges else RESULTS)
            checker.problem(
                sheet,
                row,
                "ma_dang_vien",
                f"không có đảng viên '{member_id}' (ở trang '{MEMBERS.name}' hay trong kho)",
                f"no member '{member_id}' (on the '{MEMBERS.name}' sheet or in the store)",
            )
            continue
        if tree is None or member.cell_id not in tree:
            continue  # the roster's problem is already reported
        existing = next(iter(service.find(member_id=member_id, year=year)), None)
        start = existing or service.draft(member, Period.year(year), tree=tree)
        steps = checker.walk(entry, start, members)
        if steps is not None:
            plans.append(_Plan(member_id=member_id, existing=existing, steps=steps))
    if checker.problems:
        raise ImportFailed(data.source or "workbook", checker.problems)
    created: list[str] = []
    events: list[Event] = []
    books: list[Handbook] = []
    with service.transaction():  # all of it or nothing; hooks fire once it is committed
        if data.units or data.members:
            service.roster.save(data.units, data.members, actor=who)
        for plan in plans:
            hb = plan.existing
            if hb is None:
                hb = service.create(plan.member_id, year=year, actor=who)
                created.append(hb.id)
            for step in plan.steps:
                result = step(service, hb)
                events.append(result.event)
                hb = result.handbook
            books.append(hb)
    return ApplyResult(
        units=len(data.units),
        members=len(data.members),
        created=tuple(created),
        events=tuple(events),
        handbooks=tuple(books),
        warnings=tuple(checker.warnings),
    )
