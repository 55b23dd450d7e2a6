"""The lifecycle of a handbook as pure transitions (chu trình của sổ tay).

::

    draft ──register──▶ registered ──report──▶ reported ──assess──▶ assessed ──close──▶ closed
                                        ▲  self_assess (in reported)  │
                                        └──────── reopen(to, reason) ◀┘  (from any later status)

    while registered: supplement (a term book's yearly pledges), interim_report and
    interim_assess (a review at a checkpoint or a year's end) — the status stays *registered*

A transition is a function of (handbook, what, actor, time, policy). It checks the rules of
its stage on the handbook it would produce and returns a :class:`Transition` — the new
handbook (version + 1) and the :class:`~lamtheoguongbac._model.Event` for the audit trail —
or raises :class:`~lamtheoguongbac._errors.TransitionNotAllowed`,
:class:`~lamtheoguongbac._errors.NotAuthorised` or
:class:`~lamtheoguongbac._errors.RulesViolated`. Nothing here does I/O or reads a clock.

Who may act: the member, or the Bí thư / Phó Bí thư of the member's cell on the member's
behalf (a paper handbook typed in by the cell), registers, reports and self-assesses; only
the cell's Bí thư or Phó Bí thư records the collective assessment and closes; reopening is
for them or for anyone holding a role in a unit above the cell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs

from lamtheoguongbac._errors import (
    NotAuthorised,
    RulesViolated,
    TransitionNotAllowed,
    ValidationFailed,
)
from lamtheoguongbac._model import (
    Actor,
    ClearedContent,
    CollectiveAssessment,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Pledge,
    RatingLevel,
    ResultReport,
    Review,
    Role,
    SelfAssessment,
    Supplement,
)
from lamtheoguongbac.rules._base import Severity, Stage, Violation, local_date
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy

__all__ = [
    "Transition",
    "assess",
    "close",
    "interim_assess",
    "interim_report",
    "new_event",
    "register",
    "reopen",
    "report",
    "self_assess",
    "supplement",
]

S = HandbookStatus
_OFFICERS = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})


@attrs.frozen(kw_only=True)
class Transition:
    """What a step produced (bước chuyển trạng thái): the new handbook, its event, and any rule
    warnings. The service stores it and answers with a :class:`~lamtheoguongbac.StepResult`;
    :func:`lamtheoguongbac.testing.advance` returns it as it is.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.testing import Transition, advance, make_handbook
        >>> step = advance(make_handbook(HandbookStatus.DRAFT))
        >>> isinstance(step, Transition), step.handbook.status.value, step.warnings
        (True, 'registered', ())
    """

    handbook: Handbook
    event: Event
    warnings: tuple[Violation, ...] = ()


def new_event(
    handbook: Handbook,
    kind: EventKind,
    actor: Actor,
    at: dt.datetime,
    before: HandbookStatus,
    reason: str | None = None,
) -> Event:
    """The audit event for ``handbook`` having reached its current state."""
    return Event(
        handbook_id=handbook.id,
        kind=kind,
        actor_id=actor.id,
        actor_name=actor.name,
        at=at,
        from_status=before,
        to_status=handbook.status,
        version=handbook.version,
        reason=reason,
    )


def _require_status(hb: Handbook, step_vi: str, step_en: str, *allowed: HandbookStatus) -> None:
    if hb.status not in allowed:
        wanted_vi = " hoặc ".join(f"'{s.label_vi}'" for s in allowed)
        wanted_en = " or ".join(s.label_en for s in allowed)
        raise TransitionNotAllowed(
            f"Không thể {step_vi}: sổ của {hb.member.full_name} đang ở trạng thái "
            f"'{hb.status.label_vi}', cần {wanted_vi}",
            f"Cannot {step_en}: handbook {hb.id} is {hb.status.label_en}, needs {wanted_en}",
            code="LTGB-T001",
        )


def _is_cell_officer(hb: Handbook, actor: Actor, day: dt.date) -> bool:
    return bool(actor.roles_on(day, hb.cell.id) & _OFFICERS)


def _require_member_or_officer(
    hb: Handbook, actor: Actor, day: dt.date, step_vi: str, step_en: str
) -> None:
    if actor.id != hb.member.id and not _is_cell_officer(hb, actor, day):
        raise NotAuthorised(
            f"{actor.name} không được {step_vi} thay cho đảng viên {hb.member.full_name}: "
            "chỉ đảng viên hoặc Bí thư, Phó Bí thư chi bộ mới được làm",
            f"{actor.name} may not {step_en} for {hb.member.full_name}: only the member or "
            "the cell's Secretary or Deputy Secretary may",
            code="LTGB-T002",
        )


def _finish(
    before: Handbook,
    after: Handbook,
    stages: Sequence[Stage],
    kind: EventKind,
    actor: Actor,
    at: dt.datetime,
    policy: Policy,
) -> Transition:
    """Check ``after`` — the handbook as it will be stored, its version already moved on —
    against the stages' rules, and make the step's event."""
    found = [v for stage in stages for v in policy.check(stage, after, actor, at)]
    errors = [v for v in found if v.severity is Severity.ERROR]
    if errors:
        raise RulesViolated(errors)
    event = new_event(after, kind, actor, at, before.status)
    return Transition(
        handbook=after,
        event=event,
        warnings=tuple(v for v in found if v.severity is Severity.WARNING),
    )


def register(
    hb: Handbook,
    pledges: Sequence[Pledge],
    *,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Register the member's pledges (đăng ký làm theo): draft → registered."""
    _require_status(hb, "đăng ký", "register", S.DRAFT)
    day = local_date(at, policy.timezone)
    _require_member_or_officer(hb, actor, day, "đăng ký", "register")
    after = attrs.evolve(
        hb,
        pledges=tuple(pledges),
        status=S.REGISTERED,
        registered_on=day,
        version=hb.version + 1,
    )
    return _finish(hb, after, [Stage.REGISTRATION], EventKind.REGISTERED, actor, at, policy)


def supplement(
    hb: Handbook,
    pledges: Sequence[Pledge],
    *,
    year: int,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Register a yearly supplement to a registered term book (đăng ký bổ sung): the pledges
    are added for ``year`` without reopening; the status stays *registered*.

    The added pledges are checked by the registration rules as a registration of their own
    (how many, how specific, tied to duties, deadlines within the period).

    Raises:
        TransitionNotAllowed: the book is not registered, or ``year`` is not a later year
            of its period, or that year already has a supplement.
    """
    _require_status(hb, "đăng ký bổ sung", "register a supplement", S.REGISTERED)
    day = local_date(at, policy.timezone)
    _require_member_or_officer(hb, actor, day, "đăng ký bổ sung", "add pledges")
    if year not in hb.period.years[1:] or any(s.year == year for s in hb.supplements):
        raise TransitionNotAllowed(
            f"Không thể đăng ký bổ sung năm {year} vào sổ {hb.period.label()}: chỉ bổ sung "
            "cho một năm sau năm đầu của kỳ, mỗi năm một lần",
            f"Cannot add a {year} supplement to handbook {hb.id}: only a later year of its "
            "period, once a year",
            code="LTGB-T010",
        )
    added = tuple(pledges)
    taken = {p.id for p in hb.pledges}
    clash = sorted({p.id for p in added} & taken)
    if clash:
        raise ValidationFailed(
            f"mã việc đã có trong sổ: {', '.join(clash)}",
            f"pledge ids already in the handbook: {', '.join(clash)}",
            field="pledges",
        )
    entry = Supplement(year=year, registered_on=day, pledge_ids=tuple(p.id for p in added))
    after = attrs.evolve(
        hb,
        pledges=(*hb.pledges, *added),
        supplements=tuple(sorted((*hb.supplements, entry), key=lambda s: s.year)),
    )
    # The supplement is judged as a registration of its own pledges.
    alone = attrs.evolve(after, pledges=added, supplements=(), reviews=())
    found = policy.check(Stage.REGISTRATION, alone, actor, at)
    errors = [v for v in found if v.severity is Severity.ERROR]
    if errors:
        raise RulesViolated(errors)
    after = attrs.evolve(after, version=hb.version + 1)
    event = new_event(after, EventKind.SUPPLEMENTED, actor, at, hb.status)
    warnings = tuple(v for v in found if v.severity is Severity.WARNING)
    return Transition(handbook=after, event=event, warnings=warnings)


def interim_report(
    hb: Handbook,
    result_report: ResultReport,
    *,
    checkpoint: dt.date,
    actor: Actor,
    at: dt.datetime,
    title: str | None = None,
    self_assessment: SelfAssessment | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Report results at a checkpoint or a year's end (báo cáo sơ kết): a new
    :class:`~lamtheoguongbac.interim.Review`; the status stays *registered*.

    Raises:
        TransitionNotAllowed: the book is not registered; the checkpoint is outside the
            period, at its end (that is the final report), not after the last review, or
            after the report's date.
    """
    _require_status(hb, "báo cáo sơ kết", "report at a checkpoint", S.REGISTERED)
    _require_member_or_officer(
        hb, actor, local_date(at, policy.timezone), "báo cáo sơ kết", "report"
    )
    last = hb.reviews[-1].checkpoint if hb.reviews else None
    if (
        not hb.period.start <= checkpoint < hb.period.end
        or (last is not None and checkpoint <= last)
        or result_report.submitted_on < checkpoint - dt.timedelta(days=31)
    ):
        raise TransitionNotAllowed(
            f"Mốc sơ kết {checkpoint:%d/%m/%Y} không hợp lệ: phải trong kỳ "
            f"{hb.period.label()}, trước ngày cuối kỳ (báo cáo cuối kỳ là bước báo cáo kết "
            "quả), sau mốc sơ kết trước, và báo cáo không sớm hơn mốc quá 31 ngày",
            f"Checkpoint {checkpoint.isoformat()} is not valid: within the period, before its "
            "last day (the final report is the report step), after the previous review, and "
            "reported no more than 31 days before it",
            code="LTGB-T011",
        )
    review = Review(
        checkpoint=checkpoint,
        report=result_report,
        title=title,
        self_assessment=self_assessment,
    )
    after = attrs.evolve(hb, reviews=(*hb.reviews, review), version=hb.version + 1)
    event = new_event(after, EventKind.INTERIM_REPORTED, actor, at, hb.status)
    return Transition(handbook=after, event=event)


def interim_assess(
    hb: Handbook,
    assessment: CollectiveAssessment,
    *,
    checkpoint: dt.date,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Record the cell's interim assessment (chi bộ nhận xét sơ kết) on the review at
    ``checkpoint``; only the cell's Bí thư or Phó Bí thư. A rating follows the member's
    standing as for the final assessment (never for a member who is not rated).

    Raises:
        TransitionNotAllowed: no review at ``checkpoint``, or it is already assessed.
        NotAuthorised: the actor is not the cell's Bí thư or Phó Bí thư on the meeting date.
    """
    _require_status(hb, "ghi nhận xét sơ kết", "record an interim assessment", S.REGISTERED)
    review = hb.review_at(checkpoint)
    if review is None or review.assessment is not None:
        raise TransitionNotAllowed(
            f"Không có báo cáo sơ kết chưa được nhận xét tại mốc {checkpoint:%d/%m/%Y}",
            f"No unassessed interim report at {checkpoint.isoformat()}",
            code="LTGB-T012",
        )
    if not _is_cell_officer(hb, actor, assessment.meeting_date):
        raise NotAuthorised(
            f"{actor.name} không phải Bí thư hoặc Phó Bí thư của {hb.cell.name}: không được "
            "ghi nhận xét sơ kết của chi bộ",
            f"{actor.name} is not the cell's Secretary or Deputy Secretary and may not record "
            "the interim assessment",
            code="LTGB-A001",
        )
    if assessment.rating is not None and policy.rating_rule(hb.member.status) == "none":
        raise RulesViolated(
            [
                Violation(
                    code="LTGB-A003",
                    severity=Severity.ERROR,
                    path="reviews.assessment.rating",
                    message_vi=f"đảng viên '{hb.member.status.label_vi}' không được xếp loại",
                    message_en=f"a member who is {hb.member.status.label_en} is not rated",
                )
            ]
        )
    done = attrs.evolve(review, assessment=assessment)
    reviews = tuple(done if r.checkpoint == checkpoint else r for r in hb.reviews)
    after = attrs.evolve(hb, reviews=reviews, version=hb.version + 1)
    event = new_event(after, EventKind.INTERIM_ASSESSED, actor, at, hb.status)
    return Transition(handbook=after, event=event)


def report(
    hb: Handbook,
    result_report: ResultReport,
    *,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
    self_assessment: SelfAssessment | None = None,
) -> Transition:
    """Report results per pledge (báo cáo kết quả): registered → reported.

    The self-assessment may come with the report or later through :func:`self_assess`.
    """
    _require_status(hb, "báo cáo kết quả", "report", S.REGISTERED)
    _require_member_or_officer(hb, actor, local_date(at, policy.timezone), "báo cáo", "report")
    after = attrs.evolve(
        hb,
        report=result_report,
        status=S.REPORTED,
        self_assessment=self_assessment or hb.self_assessment,
        version=hb.version + 1,
    )
    stages = [Stage.REPORT] + ([Stage.SELF_ASSESSMENT] if self_assessment else [])
    return _finish(hb, after, stages, EventKind.REPORTED, actor, at, policy)


def self_assess(
    hb: Handbook,
    assessment: SelfAssessment,
    *,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Write or replace the self-assessment (tự nhận xét, đánh giá) while reported."""
    _require_status(hb, "tự đánh giá", "self-assess", S.REPORTED)
    _require_member_or_officer(
        hb, actor, local_date(at, policy.timezone), "viết tự đánh giá", "self-assess"
    )
    after = attrs.evolve(hb, self_assessment=assessment, version=hb.version + 1)
    return _finish(hb, after, [Stage.SELF_ASSESSMENT], EventKind.SELF_ASSESSED, actor, at, policy)


def signed_assessment(
    by: Actor,
    cell_id: str,
    *,
    text: str,
    meeting_date: dt.date,
    rating: RatingLevel | None,
) -> CollectiveAssessment:
    """The cell's collective assessment as ``by`` signs it: their name, and the office they
    hold in the cell on the meeting date (Bí thư, else Phó Bí thư). :func:`assess` refuses
    it when they hold neither."""
    held = by.roles_on(meeting_date, cell_id)
    return CollectiveAssessment(
        text=text,
        meeting_date=meeting_date,
        recorded_by=by.id,
        recorder_name=by.name,
        recorder_role=Role.SECRETARY if Role.SECRETARY in held else Role.DEPUTY_SECRETARY,
        rating=rating,
    )


def assess(
    hb: Handbook,
    assessment: CollectiveAssessment,
    *,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Record the cell's collective assessment (chi bộ đánh giá): reported → assessed.

    Only the Bí thư or Phó Bí thư of the member's cell, holding that role on the meeting
    date, may record it (rule LTGB-A001, checked by the policy).
    """
    _require_status(hb, "ghi nhận xét của chi bộ", "record the assessment", S.REPORTED)
    if not _is_cell_officer(hb, actor, assessment.meeting_date):
        raise NotAuthorised(
            f"{actor.name} không phải Bí thư hoặc Phó Bí thư của {hb.cell.name} vào ngày "
            f"{assessment.meeting_date:%d/%m/%Y}: không được ghi nhận xét của tập thể chi bộ",
            f"{actor.name} is not the Secretary or Deputy Secretary of {hb.cell.name} on "
            f"{assessment.meeting_date.isoformat()} and may not record the assessment",
            code="LTGB-A001",
        )
    after = attrs.evolve(
        hb, collective_assessment=assessment, status=S.ASSESSED, version=hb.version + 1
    )
    return _finish(hb, after, [Stage.ASSESSMENT], EventKind.ASSESSED, actor, at, policy)


def close(
    hb: Handbook, *, actor: Actor, at: dt.datetime, policy: Policy = DEFAULT_POLICY
) -> Transition:
    """Close the handbook for the period (khóa sổ): assessed → closed."""
    _require_status(hb, "khóa sổ", "close", S.ASSESSED)
    if not _is_cell_officer(hb, actor, local_date(at, policy.timezone)):
        raise NotAuthorised(
            f"{actor.name} không phải Bí thư hoặc Phó Bí thư của {hb.cell.name}: "
            "không được khóa sổ",
            f"{actor.name} is not the cell's Secretary or Deputy Secretary and may not close",
            code="LTGB-T003",
        )
    after = attrs.evolve(hb, status=S.CLOSED, version=hb.version + 1)
    return _finish(hb, after, [Stage.CLOSE], EventKind.CLOSED, actor, at, policy)


def reopen(
    hb: Handbook,
    *,
    to: HandbookStatus,
    reason: str,
    actor: Actor,
    at: dt.datetime,
    policy: Policy = DEFAULT_POLICY,
) -> Transition:
    """Reopen to an earlier status with a written reason (mở lại sổ).

    What belongs to the later stages is cleared (reopening to *registered* drops the report
    and self-assessment, to *reported* drops the collective assessment), so the stage can be
    done again; the event keeps the reason and, in ``cleared``
    (:class:`~lamtheoguongbac.ClearedContent`), everything it took out, so nothing
    written is lost.
    """
    if to.order >= hb.status.order:
        raise TransitionNotAllowed(
            f"Chỉ mở lại về trạng thái trước '{hb.status.label_vi}'",
            f"Can only reopen to a status before {hb.status.label_en}",
            code="LTGB-T004",
        )
    if not reason or not reason.strip():
        raise TransitionNotAllowed(
            "Mở lại sổ phải ghi rõ lý do", "Reopening needs a written reason", code="LTGB-T005"
        )
    ancestors = {u.id for u in hb.organisation[:-1]}
    day = local_date(at, policy.timezone)
    committee = any(r.holds_on(day) and r.unit_id in ancestors for r in actor.roles)
    if not (_is_cell_officer(hb, actor, day) or committee):
        raise NotAuthorised(
            f"{actor.name} không được mở lại sổ: cần Bí thư, Phó Bí thư chi bộ hoặc cấp ủy "
            "cấp trên",
            f"{actor.name} may not reopen: the cell's officers or a superior committee may",
            code="LTGB-T006",
        )
    changes: dict[str, object] = {"status": to}
    if to.order < S.ASSESSED.order:
        changes["collective_assessment"] = None
    if to.order < S.REPORTED.order:
        changes["report"] = None
        changes["self_assessment"] = None
    if to is S.DRAFT:  # registering again starts over: supplements and reviews go too
        changes["supplements"] = ()
        changes["reviews"] = ()
    cleared = ClearedContent(**{name: getattr(hb, name) for name in changes if name != "status"})
    after = attrs.evolve(hb, version=hb.version + 1, **changes)  # type: ignore[arg-type]
    event = new_event(after, EventKind.REOPENED, actor, at, hb.status, reason=reason.strip())
    if not cleared.empty:
        event = attrs.evolve(event, cleared=cleared)
    return Transition(handbook=after, event=event)
