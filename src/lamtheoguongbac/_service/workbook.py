"""Applying a workbook to a store: validate everything first, then write."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._errors import (
    ImportFailed,
    NotAuthorised,
    NotFound,
    Problem,
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
    MemberStatus,
    OrgUnit,
    Period,
    Pledge,
    RatingLevel,
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
from lamtheoguongbac.rules._aggregate import RatingTally, tally
from lamtheoguongbac.rules._base import Violation
from lamtheoguongbac.rules._policy import Policy
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

__all__ = ["ApplyResult", "CapLedger", "apply_workbook", "check_workbook"]

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
        self.today = service._today()  # offices are judged on Viet Nam's calendar
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

    def violations(
        self, entry: HandbookEntry, found: Sequence[Violation], stage: Sheet
    ) -> list[str]:
        """The violations as problems at their sheet, row and column; one that says again,
        at the same row without a column, what another says at a column of it (a due date
        the deadline repeats) is told once."""
        placed = [(self.locate(entry, v.path, stage), v) for v in found]
        at_columns = {
            (sheet.name, row, v.code, v.message_en)
            for (sheet, row, key), v in placed
            if key is not None
        }
        told: list[str] = []
        for (sheet, row, key), v in placed:
            if key is None and (sheet.name, row, v.code, v.message_en) in at_columns:
                continue
            where_vi, where_en = self.where(sheet, row, key)
            told.append(
                f"{where_vi}: [{v.code}] {v.message_vi} / {where_en}: [{v.code}] {v.message_en}"
            )
        return told

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
            self.problems.extend(self.violations(entry, exc.violations, stage))
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
        self.warnings.extend(self.violations(entry, t.warnings, stage))
        return t.handbook

    def walk(
        self, entry: HandbookEntry, hb: Handbook, members: dict[str, Member]
    ) -> tuple[list[_Step], Handbook] | None:
        """The steps that take ``hb`` as far as ``entry`` goes, and the handbook they lead
        to; None when one is refused."""
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
            assessed = self.assess(entry, entry.assessment, hb, members)
            if assessed is None:
                return None
            step, hb = assessed
            steps.append(step)
        return steps, hb

    def assess(
        self, entry: HandbookEntry, a: AssessmentEntry, hb: Handbook, members: dict[str, Member]
    ) -> tuple[_Step, Handbook] | None:
        """Dry-run the cell's assessment, recorded by the caller; the step and the handbook
        it leads to, or None.

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
            vi, en = exc.message_vi, exc.message_en
            runner: Actor | None = getattr(self.service._deferred, "delegate", None)
            if runner is not None:  # a delegated import: the caller is who ran it
                vi = (
                    f"nhận xét của chi bộ ghi người ký là '{a.recorder_id}', nhưng lần nhập "
                    f"thay này do {runner.name} ('{runner.id}') thực hiện thay mặt {by.name} "
                    f"('{by.id}'): khi nhập thay, mọi nhận xét của một bảng tính phải do "
                    "cùng một Bí thư hoặc Phó Bí thư của chi bộ ghi"
                )
                en = (
                    f"the cell's assessment names '{a.recorder_id}' as the one who signs, but "
                    f"this delegated import, run by {runner.name} ('{runner.id}'), acts on "
                    f"behalf of {by.name} ('{by.id}'): under delegation, every assessment of "
                    "a workbook must be recorded by one Secretary or Deputy Secretary of the "
                    "cell"
                )
            sheet, row = self.anchor(entry, ASSESSMENTS)
            self.problem(sheet, row, "ma_nguoi_ghi", f"[{exc.code}] {vi}", f"[{exc.code}] {en}")
            return None
        assessment = workflow.signed_assessment(
            by, hb.cell.id, text=a.text, meeting_date=a.meeting_date, rating=a.rating
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

        def step(s: Handbooks, h: Handbook) -> StepResult:
            # The cap (LTGB-C001) is judged once on the import's final figures
            # (:class:`CapLedger`), not step by step: a running verdict would depend on the
            # order of the rows and re-read the organisation's figures for every row.
            return s._step(
                h.id,
                h.version,
                by,
                lambda b, who, at, p: workflow.assess(b, assessment, actor=who, at=at, policy=p),
            )

        return step, after


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


@attrs.frozen
class _Contribution:
    """What one workbook does to the cap's figures (LTGB-C001): per grassroots
    organisation it changes, the change to its :class:`RatingTally`, the assessment rows
    it records there with their rating, and the policy its handbooks run under."""

    units: dict[str, OrgUnit]
    delta: dict[str, RatingTally]
    rated: dict[str, list[tuple[HandbookEntry, RatingLevel | None]]]
    policies: dict[str, Policy]


def _minus(a: RatingTally, b: RatingTally) -> RatingTally:
    levels = set(a.ratings) | set(b.ratings)
    return RatingTally(
        ratings={k: a.count(k) - b.count(k) for k in levels}, pending=a.pending - b.pending
    )


def _counted(book: Handbook, standing: MemberStatus) -> RatingTally:
    """``book`` alone as the cap's figures count it, its member's standing ``standing``."""
    return tally([book], lambda _: standing)


def _changes(t: RatingTally) -> bool:
    return bool(t.pending or any(t.ratings.values()))


class CapLedger:
    """The top-rating cap's figures (LTGB-C001) over one import operation — one workbook,
    or every workbook of a bulk import.

    Each grassroots organisation's figures are read from the store once, before the
    operation writes to it; each imported workbook's changes are then added as running
    figures. The verdict is judged on the final figures only, so it never depends on the
    order of the workbooks or of their rows: warnings once per organisation when the
    operation is done (:meth:`verdicts`), and — when the policy enforces the cap — a workbook
    that records a top rating (or one outside the cap's base) in an organisation whose final
    figures are certain to exceed the cap is refused (:meth:`refusals`). The policy of an
    organisation is the one its handbooks run under, as for the single steps.
    """

    def __init__(self, service: Handbooks, year: int) -> None:
        self.service, self.year = service, year
        self.base: dict[str, RatingTally] = {}
        self.applied: dict[str, RatingTally] = {}
        self.units: dict[str, OrgUnit] = {}
        self.policies: dict[str, Policy] = {}
        #: organisations where an enforced cap is exceeded on the final figures of the
        #: whole operation, with the violation (set by a bulk import's first pass)
        self.exceeded: dict[str, list[Violation]] = {}
        self.settled = False

    @property
    def enforced(self) -> bool:
        """Whether a policy the operation may meet refuses ratings over the cap rather than
        warning: the year's, or a catalog policy a handbook may name."""
        known = [self.service.policy_for_year(self.year), *self.service.catalog.policies]
        return any(p.top_rating_cap is not None and p.top_rating_cap_enforced for p in known)

    def _read(self, c: _Contribution) -> None:
        for gid, unit in c.units.items():
            if gid not in self.base:  # read once per organisation, before any write to it
                self.policies[gid] = c.policies[gid]
                self.units[gid] = unit
                self.base[gid] = self.service.rating_tally(gid, self.year)

    def _enforced(self, gid: str) -> bool:
        policy = self.policies[gid]
        return policy.top_rating_cap is not None and policy.top_rating_cap_enforced

    def worsening(self, c: _Contribution, gid: str) -> list[HandbookEntry]:
        """The rows of ``c`` that can make the cap's outlook in ``gid`` worse: a top rating,
        or one outside the base (a rating in the base never can)."""
        cap = self.policies[gid].top_rating_cap
        if cap is None:
            return []
        return [e for e, r in c.rated.get(gid, []) if r is cap.level or r not in cap.of_levels]

    def judge(
        self, figures: dict[str, RatingTally], gids: Iterable[str]
    ) -> dict[str, list[Violation]]:
        """The cap's violations of each of ``gids`` on ``figures`` (severity error when the
        policy enforces the cap)."""
        out: dict[str, list[Violation]] = {}
        for gid in gids:
            found = self.service._cap_violations(
                self.units[gid], self.year, figures[gid], self.policies[gid]
            )
            if found:
                out[gid] = found
        return out

    def refusals(self, c: _Contribution) -> dict[str, list[Violation]]:
        """Per organisation, why ``c`` must be refused: the enforced cap is exceeded there
        on the final figures, and ``c`` records a rating that makes it worse."""
        self._read(c)  # before the workbook writes: its own changes are its delta
        gids = [g for g in c.units if self._enforced(g) and self.worsening(c, g)]
        if self.settled:  # a bulk import judged the whole operation first
            return {g: self.exceeded[g] for g in gids if g in self.exceeded}
        return self.judge({g: self.figures(g) + c.delta[g] for g in gids}, gids)

    def figures(self, gid: str) -> RatingTally:
        """The organisation's figures with every workbook recorded so far."""
        return self.base[gid] + self.applied.get(gid, RatingTally())

    def record(self, c: _Contribution) -> None:
        """Add a stored workbook's changes to the running figures."""
        self._read(c)
        for gid, d in c.delta.items():
            self.applied[gid] = self.applied.get(gid, RatingTally()) + d

    def verdicts(self) -> list[Violation]:
        """The cap on the final figures of every organisation whose figures the operation
        changed, sorted by organisation."""
        changed = sorted(gid for gid, d in self.applied.items() if _changes(d))
        found = self.judge({gid: self.figures(gid) for gid in changed}, changed)
        return [v for gid in changed for v in found.get(gid, [])]

    def settle(self, contributions: Sequence[_Contribution]) -> set[int]:
        """Judge a whole bulk import before anything is written: the indices of the
        workbooks an enforced cap refuses. Organisations exceeding the cap on the final
        figures of all the workbooks are found; every workbook making one of them worse is
        refused; the figures without those are judged again until nothing changes. The
        result depends on the set of workbooks only, never on their order."""
        self.settled = True
        for c in contributions:
            self._read(c)
        refused: set[int] = set()
        while True:
            figures = dict(self.base)
            for n, c in enumerate(contributions):
                if n not in refused:
                    for gid, d in c.delta.items():
                        figures[gid] = figures[gid] + d
            touched = {g for c in contributions for g in c.units if self._enforced(g)}
            new = self.judge(figures, sorted(touched - set(self.exceeded)))
            if not new:
                return refused
            self.exceeded.update(new)
            refused |= {
                n
                for n, c in enumerate(contributions)
                if any(self.worsening(c, gid) for gid in self.exceeded if gid in c.units)
            }


@attrs.frozen
class _Checked:
    """A workbook checked against the store: the steps to take, nothing written yet."""

    data: WorkbookData
    who: Actor
    checker: _Checker
    plans: list[_Plan]
    contribution: _Contribution


def check_workbook(
    service: Handbooks, data: WorkbookData, *, year: int, actor: Actor | Member
) -> _Checked:
    """Everything :func:`apply_workbook` checks, without writing: the plan, or the errors
    it raises."""
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
        require_may_change_roles(who, changed, tree, checker.today, set(stored))
        require_may_change_roster(
            who,
            data.units,
            data.members,
            stored_tree=checker.known,
            stored_members=stored,
            tree=tree,
            day=checker.today,
        )
    members = _KnownMembers(service, data.members)
    entries = {e.member_id: e for e in data.handbooks}
    for m in data.members:
        entries.setdefault(m.id, HandbookEntry(member_id=m.id))
    plans: list[_Plan] = []
    units: dict[str, OrgUnit] = {}
    delta: dict[str, RatingTally] = {}
    rated: dict[str, list[tuple[HandbookEntry, RatingLevel | None]]] = {}
    policies: dict[str, Policy] = {}
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
        walked = checker.walk(entry, start, members)
        if walked is None:
            continue
        steps, final = walked
        plans.append(_Plan(member_id=member_id, existing=existing, steps=steps))
        # The cap's figures count a member's standing as the roster has it: before, the
        # stored record; after, the workbook's (its roster rows are saved with the steps).
        before_status = (stored.get(member_id) or member).status
        was = _counted(existing, before_status) if existing else RatingTally()
        gid = final.grassroots.id
        units[gid] = final.grassroots
        policies.setdefault(gid, service.policy_for(final))
        delta[gid] = delta.get(gid, RatingTally()) + _minus(_counted(final, member.status), was)
        before_ca = existing.collective_assessment if existing else None
        ca = final.collective_assessment
        if ca is not None and before_ca is None:
            rated.setdefault(gid, []).append((entry, ca.rating))
    if checker.problems:
        raise ImportFailed(data.source or "workbook", checker.problems)
    # Only the organisations whose figures change, and whose policy has a cap, are judged:
    # a workbook of registrations alone costs no read of the cap's figures.
    kept = [g for g, d in delta.items() if _changes(d) and policies[g].top_rating_cap is not None]
    return _Checked(
        data=data,
        who=who,
        checker=checker,
        plans=plans,
        contribution=_Contribution(
            units={g: units[g] for g in kept},
            delta={g: delta[g] for g in kept},
            rated={g: rated[g] for g in kept if g in rated},
            policies={g: policies[g] for g in kept},
        ),
    )


def apply_workbook(
    service: Handbooks,
    data: WorkbookData,
    *,
    year: int,
    actor: Actor | Member,
    ledger: CapLedger | None = None,
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

    The top-rating cap (LTGB-C001) is judged on the final figures of each grassroots
    organisation whose figures the import changes (see :class:`CapLedger`): the result's
    ``cap_warnings`` say which exceed it; when the policy enforces the cap, an import that
    records a top rating where the cap is certain to be exceeded is refused, each such row
    named.

    Args:
        service: the service to write through.
        data: from :func:`~lamtheoguongbac.spreadsheet.read_workbook`.
        year: the handbooks' year.
        actor: the caller the embedding system authenticated, who takes every step and is
            recorded as doing so (as the stored roster knows them: name and offices). A
            member registers and reports for themselves; the cell's Bí thư / Phó Bí thư may
            do so for members, and records the collective assessment: an assessment row
            must name the caller as its recorder (LTGB-G001), see ``docs/permissions.md``.
        ledger: the cap's figures of a bulk import this workbook is part of; the bulk
            import then gives the cap's warnings once for the whole operation.

    Raises:
        ImportFailed: every problem, each naming its sheet, row and column (nothing written).
        NotAuthorised: the workbook changes the caller's own roles (LTGB-G003), or changes
            roles and also records steps (LTGB-G002); nothing written.
        ConflictError: a handbook changed between the check and the writes (nothing
            written; apply the workbook again).
    """
    checked = check_workbook(service, data, year=year, actor=actor)
    own = ledger is None
    cap = ledger if ledger is not None else CapLedger(service, year)
    if refused := cap.refusals(checked.contribution):
        # Records with the cap's code, so that a bulk import's outcome carries it too.
        problems: list[str | Problem] = []
        for gid, violations in sorted(refused.items()):
            for entry in cap.worsening(checked.contribution, gid):
                where_vi, where_en = checked.checker.where(
                    ASSESSMENTS, _first_row(entry, ASSESSMENTS), "xep_loai"
                )
                problems += [
                    Problem(
                        f"[{v.code}] {v.message_vi}",
                        f"[{v.code}] {v.message_en}",
                        code=v.code,
                        where_vi=where_vi,
                        where_en=where_en,
                    )
                    for v in violations
                ]
        raise ImportFailed(data.source or "workbook", problems)
    result = _write(service, checked, year)
    cap.record(checked.contribution)
    return attrs.evolve(result, cap_warnings=tuple(cap.verdicts())) if own else result


def _write(service: Handbooks, checked: _Checked, year: int) -> ApplyResult:
    data, who = checked.data, checked.who
    created: list[str] = []
    events: list[Event] = []
    books: list[Handbook] = []
    with service.transaction():  # all of it or nothing; hooks fire once it is committed
        if data.units or data.members:
            service.roster.save(data.units, data.members, actor=who)
        for plan in checked.plans:
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
        warnings=tuple(checked.checker.warnings),
    )
