"""What an inspection starts from, and what the inspections of a year add up to (gợi ý nội dung
kiểm tra; tổng hợp kết quả kiểm tra, giám sát).

:func:`suggest_findings` turns what the rules already know about the inspected handbooks into
draft findings with a request each: pledges the linter calls generic, members late to
register or report (the reminders' deadlines), reports the cell has not assessed.
:func:`summarise_inspections` adds up a year's inspections for the roll-up and the committee's
summary report: cells and handbooks inspected, findings by kind, requests open, overdue and
done. Both are pure functions of values.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from lamtheoguongbac._inspections import (
    FINDING_KINDS,
    Finding,
    FindingKind,
    Inspection,
    Request,
    RequestStatus,
)
from lamtheoguongbac._linter import is_generic
from lamtheoguongbac._model import Handbook, Member, OrgUnit, Pledge
from lamtheoguongbac._reminders import ReminderStage, compute_reminders
from lamtheoguongbac.rules._policy import Policy
from lamtheoguongbac.text import collation_key

__all__ = [
    "CellInspections",
    "InspectionSummary",
    "KindCount",
    "suggest_findings",
    "summarise_inspections",
]

_STAGE_KINDS = {
    ReminderStage.REGISTER: (
        "chua_dang_ky",
        "chưa đăng ký việc làm theo",
        "Hoàn thành đăng ký việc làm theo gương Bác cho các đồng chí trên",
    ),
    ReminderStage.REPORT: (
        "bao_cao_cham",
        "chưa báo cáo kết quả thực hiện",
        "Hoàn thành báo cáo kết quả và tự nhận xét, đánh giá",
    ),
    ReminderStage.ASSESS: (
        "chua_danh_gia",
        "đã báo cáo nhưng chưa được chi bộ nhận xét, đánh giá",
        "Tổ chức họp chi bộ nhận xét, đánh giá và ghi vào sổ tay",
    ),
}


def _specific(pledge: Pledge) -> bool:
    # As the roll-up's share of specific pledges judges it (supervision.is_specific).
    text = pledge.deed if pledge.target is None else f"{pledge.deed} {pledge.target.describe()}"
    return not is_generic(
        text,
        target_given=pledge.target is not None,
        deadline_given=pledge.deadline is not None or bool(pledge.checkpoints),
    )


def _quote(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def suggest_findings(
    *,
    handbooks: Iterable[Handbook],
    members: Iterable[Member],
    units: Iterable[OrgUnit],
    cell_ids: Iterable[str],
    policy: Policy,
    year: int,
    on: dt.date,
    request_days: int = 30,
) -> list[Finding]:
    """Draft findings for the cells ``cell_ids`` on the inspection date ``on``.

    One finding per handbook with generic pledges (``dang_ky_chung_chung``, listing them),
    and one per cell and late step (``chua_dang_ky``, ``bao_cao_cham``, ``chua_danh_gia``,
    naming the members, judged by the policy's deadlines on ``on``); each with one request
    due ``request_days`` after ``on``. Ids are ``f1``, ``f2`` … and ``y1``, ``y2`` …; edit
    or drop any of them before recording the inspection.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.committee import suggest_findings
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY
        >>> from lamtheoguongbac.testing import (
        ...     make_handbook,
        ...     make_member,
        ...     make_organisation,
        ...     make_secretary,
        ... )
        >>> members = [make_secretary(), make_member(1), make_member(2)]
        >>> books = [make_handbook(HandbookStatus.REGISTERED, member=members[1])]
        >>> findings = suggest_findings(
        ...     handbooks=books,
        ...     members=members,
        ...     units=make_organisation(),
        ...     cell_ids=["chibo-01"],
        ...     policy=DEFAULT_POLICY,
        ...     year=2025,
        ...     on=dt.date(2025, 6, 15),
        ... )
        >>> [(finding.kind, finding.handbook_id) for finding in findings]
        [('chua_dang_ky', None)]
    """
    wanted = set(cell_ids)
    books = [h for h in handbooks if h.year == year and h.cell.id in wanted]
    due = on + dt.timedelta(days=request_days)
    drafts: list[tuple[str, str | None, str, str, str]] = []
    for hb in sorted(books, key=lambda h: (collation_key(h.cell.name), h.id)):
        generic = [p for p in hb.pledges if not _specific(p)]
        if generic:
            quoted = "; ".join(_quote(p.deed) for p in generic)
            drafts.append(
                (
                    hb.cell.id,
                    hb.id,
                    "dang_ky_chung_chung",
                    f"Sổ tay của đồng chí {hb.member.full_name}: {len(generic)}/"
                    f"{len(hb.pledges)} việc đăng ký còn chung chung, chưa lượng hóa được: "
                    f"{quoted}.",
                    "Đăng ký lại cụ thể: việc gì, bao nhiêu, đến khi nào, gắn với nhiệm vụ "
                    "được giao",
                )
            )
    late = compute_reminders(
        year=year,
        handbooks=books,
        members=[m for m in members if m.cell_id in wanted],
        units=units,
        policy=policy,
        today=on,
    )
    for r in sorted(
        late, key=lambda r: (collation_key(r.cell_name), list(ReminderStage).index(r.stage))
    ):
        kind, what, ask = _STAGE_KINDS[r.stage]
        names = ", ".join(m.full_name for m in r.members)
        drafts.append(
            (
                r.cell_id,
                None,
                kind,
                f"{r.cell_name}: {len(r.members)} đảng viên {what} (hạn {r.due:%d/%m/%Y}): "
                f"{names}.",
                ask,
            )
        )
    return [
        Finding(
            id=f"f{i}",
            kind=kind,
            text=text,
            cell_id=cell_id,
            handbook_id=handbook_id,
            requests=(Request(id=f"y{i}", text=ask, due=due),),
        )
        for i, (cell_id, handbook_id, kind, text, ask) in enumerate(drafts, start=1)
    ]


@attrs.frozen(kw_only=True)
class KindCount:
    """How many findings of one kind.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.committee import summarise_inspections
        >>> from lamtheoguongbac.testing import make_inspection
        >>> summary = summarise_inspections([make_inspection()], today=dt.date(2025, 8, 1))
        >>> [(count.code, count.count) for count in summary.by_kind if count.count]
        [('dang_ky_chung_chung', 1)]
    """

    code: str
    label_vi: str
    label_en: str
    count: int


@attrs.frozen(kw_only=True)
class CellInspections:
    """One inspected cell's figures: times inspected, handbooks looked at, findings,
    requests and how many are done.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.committee import summarise_inspections
        >>> from lamtheoguongbac.testing import make_inspection
        >>> summary = summarise_inspections(
        ...     [make_inspection(year=2025)], today=dt.date(2025, 8, 1)
        ... )
        >>> (cell,) = summary.per_cell
        >>> cell.cell_id, cell.inspections, cell.findings, cell.requests, cell.requests_overdue
        ('chibo-01', 1, 1, 1, 1)
    """

    cell_id: str
    cell_name: str
    inspections: int
    handbooks: int
    findings: int
    requests: int
    requests_done: int
    requests_overdue: int

    @property
    def requests_open(self) -> int:
        """Requests not done yet (overdue ones included)."""
        return self.requests - self.requests_done


@attrs.frozen(kw_only=True)
class InspectionSummary:
    """A year's inspections added up (kết quả kiểm tra, giám sát), as judged on ``today``.

    ``cells`` and ``handbooks`` count distinct cells and handbooks inspected; ``by_kind``
    lists every known kind (with zero counts) in the kinds' order, then unknown codes.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.committee import summarise_inspections
        >>> from lamtheoguongbac.testing import make_inspection
        >>> summary = summarise_inspections(
        ...     [make_inspection(year=2025, followed_up=True)], today=dt.date(2025, 8, 1)
        ... )
        >>> len(summary.inspections), summary.findings, summary.requests, summary.requests_done
        (1, 1, 1, 1)
    """

    today: dt.date
    inspections: tuple[Inspection, ...]
    cells: int
    handbooks: int
    findings: int
    by_kind: tuple[KindCount, ...]
    requests: int
    requests_done: int
    requests_overdue: int
    per_cell: tuple[CellInspections, ...]

    @property
    def requests_open(self) -> int:
        """Requests not done yet (overdue ones included)."""
        return self.requests - self.requests_done

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "today": self.today.isoformat(),
            "inspections": len(self.inspections),
            "cells": self.cells,
            "handbooks": self.handbooks,
            "findings": self.findings,
            "by_kind": [
                {"code": k.code, "label_vi": k.label_vi, "label_en": k.label_en, "count": k.count}
                for k in self.by_kind
            ],
            "requests": self.requests,
            "requests_open": self.requests_open,
            "requests_overdue": self.requests_overdue,
            "requests_done": self.requests_done,
            "per_cell": [
                {**attrs.asdict(c), "requests_open": c.requests_open} for c in self.per_cell
            ],
        }


def summarise_inspections(
    inspections: Iterable[Inspection],
    *,
    today: dt.date,
    kinds: Sequence[FindingKind] = FINDING_KINDS,
    organisation_id: str | None = None,
) -> InspectionSummary:
    """Add up ``inspections`` on ``today``; with ``organisation_id``, only the cells (and
    their findings) under that unit count.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.committee import summarise_inspections
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspections = [
        ...     make_inspection(year=2025),
        ...     make_inspection(year=2025, id="kt-2", followed_up=True),
        ... ]
        >>> summary = summarise_inspections(inspections, today=dt.date(2025, 8, 1))
        >>> (
        ...     len(summary.inspections),
        ...     summary.requests,
        ...     summary.requests_done,
        ...     summary.requests_overdue,
        ... )
        (2, 2, 1, 1)
    """
    found = tuple(inspections)
    names: dict[str, str] = {}
    times: dict[str, int] = defaultdict(int)
    books: dict[str, set[str]] = defaultdict(set)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # findings, req, done, late
    by_kind: dict[str, int] = defaultdict(int)
    for insp in found:
        inside = {
            c.cell.id
            for c in insp.cells
            if organisation_id is None or any(u.id == organisation_id for u in c.organisation)
        }
        for c in insp.cells:
            if c.cell.id in inside:
                names[c.cell.id] = c.cell.name
                times[c.cell.id] += 1
                books[c.cell.id].update(c.handbook_ids)
        for f in insp.findings:
            if f.cell_id not in inside:
                continue
            by_kind[f.kind] += 1
            row = counts[f.cell_id]
            row[0] += 1
            for r in f.requests:
                status = r.status(today)
                row[1] += 1
                row[2] += status is RequestStatus.DONE
                row[3] += status is RequestStatus.OVERDUE
    labels = {k.code: k for k in kinds}
    kind_rows = [
        KindCount(
            code=k.code, label_vi=k.label_vi, label_en=k.label_en, count=by_kind.get(k.code, 0)
        )
        for k in kinds
    ]
    kind_rows += [
        KindCount(code=code, label_vi=code, label_en=code, count=n)
        for code, n in sorted(by_kind.items())
        if code not in labels
    ]
    per_cell = tuple(
        CellInspections(
            cell_id=cid,
            cell_name=names[cid],
            inspections=times[cid],
            handbooks=len(books[cid]),
            findings=counts[cid][0],
            requests=counts[cid][1],
            requests_done=counts[cid][2],
            requests_overdue=counts[cid][3],
        )
        for cid in sorted(names, key=lambda c: (collation_key(names[c]), c))
    )
    return InspectionSummary(
        today=today,
        inspections=found,
        cells=len(per_cell),
        handbooks=sum(c.handbooks for c in per_cell),
        findings=sum(c.findings for c in per_cell),
        by_kind=tuple(kind_rows),
        requests=sum(c.requests for c in per_cell),
        requests_done=sum(c.requests_done for c in per_cell),
        requests_overdue=sum(c.requests_overdue for c in per_cell),
        per_cell=per_cell,
    )
