"""The inspections facet of the service (kiểm tra, giám sát): ``handbooks.inspections``.

A facet of :class:`~lamtheoguongbac.Handbooks`: it resolves an inspection's scope
against the stored organisation tree and handbooks, checks who may act (rules LTGB-K001,
LTGB-K002 of :mod:`lamtheoguongbac.committee`, against the roster), validates the finding
kinds against the policy (LTGB-K003), stores the inspection and its follow-ups with an event
of the audit trail each, and fires the ``inspection_changed`` hook::

    with Handbooks.open("sqlite:///so-tay.db") as hb:
        drafts = hb.inspections.suggest(InspectionScope(kind=ScopeKind.CELL, unit_id="cb-ap3"),
                                        year=2025)
        done = hb.inspections.record(scope=..., year=2025, findings=drafts, actor=officer)
        hb.inspections.follow_up(done.id, "y1", text="Đã đăng ký lại", done=True,
                                 actor=secretary)
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._errors import ConflictError, NotAuthorised, NotFound, ValidationFailed
from lamtheoguongbac._exemplars import OFFICER_ROLES
from lamtheoguongbac._inspection_rules import (
    InspectionSummary,
    suggest_findings,
    summarise_inspections,
)
from lamtheoguongbac._inspections import (
    Finding,
    FindingKind,
    InspectedCell,
    Inspection,
    InspectionScope,
    ScopeKind,
    authorise_follow_up,
    authorise_inspection,
    with_follow_up,
)
from lamtheoguongbac._model import Actor, Handbook, Member, OrgUnit, RoleAssignment
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac.text import collation_key, nfc

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks

__all__ = ["InspectionsFacet"]


class InspectionsFacet:
    """Record, follow up and list inspections; reached as ``handbooks.inspections``."""

    def __init__(self, handbooks: Handbooks) -> None:
        self._service = handbooks

    # --- reading -------------------------------------------------------------------------

    def kinds(self) -> tuple[FindingKind, ...]:
        """The kinds of finding the policy allows (built-in, then the policy's own)."""
        return self._service.policy.inspection_kinds()

    def get(self, inspection_id: str) -> Inspection:
        """One inspection; ``NotFound`` if none."""
        return self._service.store.get_inspection(inspection_id)

    def list(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> builtins.list[Inspection]:
        """Inspections of a year covering cells under ``organisation_id``, by year, date, id."""
        return self._service.store.inspections(year=year, organisation_id=organisation_id)

    def history(self, inspection_id: str) -> builtins.list[RecordEvent]:
        """The inspection's audit trail (recorded, follow-ups), oldest first."""
        return self._service.store.record_events(RecordType.INSPECTION, nfc(inspection_id))

    def summary(
        self, *, organisation_id: str, year: int, today: dt.date | None = None
    ) -> InspectionSummary:
        """The year's inspections of cells under ``organisation_id`` added up on ``today``
        (default: the clock's date): see
        :func:`~lamtheoguongbac.committee.summarise_inspections`."""
        return summarise_inspections(
            self.list(year=year, organisation_id=organisation_id),
            today=today or self._service._today(),
            kinds=self.kinds(),
            organisation_id=organisation_id,
        )

    # --- the scope -----------------------------------------------------------------------

    def cells(self, scope: InspectionScope, *, year: int) -> tuple[InspectedCell, ...]:
        """The cells ``scope`` covers for ``year``, each with its chain (as the tree names it
        now) and its handbooks of the year, in Vietnamese order of the cell names.

        Raises:
            NotFound: an unknown unit or handbook.
            ValidationFailed: a chosen handbook is not of ``year``.
        """
        store, tree = self._service.store, self._service.roster.tree()
        books: builtins.list[Handbook]
        if scope.kind is ScopeKind.HANDBOOKS:
            books = [store.get(h) for h in scope.handbook_ids]
            for i, hb in enumerate(books):
                if hb.year != year:
                    raise ValidationFailed(
                        f"sổ '{hb.id}' là của năm {hb.year}, không phải {year}",
                        f"handbook '{hb.id}' is for {hb.year}, not {year}",
                        field=f"scope.handbook_ids[{i}]",
                    )
            cell_ids = {hb.cell.id for hb in books}
        elif scope.kind is ScopeKind.CELL:
            unit = tree.unit(nfc(scope.unit_id or ""))
            books = store.query(HandbookQuery(cell_id=unit.id, year=year))
            cell_ids = {unit.id}
        else:
            unit = tree.unit(nfc(scope.unit_id or ""))
            units = tree.subtree(unit.id)
            parents = {u.parent_id for u in units}
            books = store.query(HandbookQuery(organisation_id=unit.id, year=year))
            cell_ids = {u.id for u in units if u.id not in parents} | {h.cell.id for h in books}
        by_cell: dict[str, builtins.list[str]] = {c: [] for c in cell_ids}
        chains: dict[str, tuple[OrgUnit, ...]] = {}
        for hb in books:
            by_cell[hb.cell.id].append(hb.id)
            chains.setdefault(hb.cell.id, hb.organisation)
        found = [
            InspectedCell(organisation=_chain(tree, c, chains.get(c)), handbook_ids=tuple(ids))
            for c, ids in by_cell.items()
        ]
        return tuple(sorted(found, key=lambda c: (collation_key(c.cell.name), c.cell.id)))

    def suggest(
        self,
        scope: InspectionScope,
        *,
        year: int,
        on: dt.date | None = None,
        request_days: int = 30,
    ) -> builtins.list[Finding]:
        """Draft findings for ``scope`` from what the rules already know — generic pledges,
        late registrations and reports, missing assessments — judged on ``on`` (default: the
        clock's date); see :func:`~lamtheoguongbac.committee.suggest_findings`."""
        cells = self.cells(scope, year=year)
        ids = {c.cell.id for c in cells}
        wanted = {h for c in cells for h in c.handbook_ids}
        store = self._service.store
        books = [store.get(h) for h in sorted(wanted)]
        return suggest_findings(
            handbooks=books,
            members=[m for m in store.members() if m.cell_id in ids]
            if scope.kind is not ScopeKind.HANDBOOKS
            else [hb.member for hb in books],
            units=[u for c in cells for u in c.organisation],
            cell_ids=ids,
            policy=self._service.policy,
            year=year,
            on=on or self._service._today(),
            request_days=request_days,
        )

    # --- writing -------------------------------------------------------------------------

    def _officer(self, actor: Actor | Member) -> tuple[Actor, tuple[RoleAssignment, ...]]:
        return self._service._rostered(actor)

    def record(
        self,
        *,
        scope: InspectionScope,
        year: int,
        findings: Sequence[Finding],
        actor: Actor | Member,
        on: dt.date | None = None,
        body_id: str | None = None,
        body_name: str | None = None,
        conclusion: str | None = None,
        inspection_id: str | None = None,
    ) -> Inspection:
        """Record an inspection (ghi kết quả kiểm tra, giám sát) with its findings and
        requests; an event of the audit trail, and ``inspection_changed`` fires.

        Args:
            scope: what was inspected (a cell, a subtree, chosen handbooks).
            year: the year of the handbooks inspected.
            findings: what was found, each with its requests (e.g. from :meth:`suggest`).
            actor: who records it: an officer of the inspecting body (LTGB-K001).
            on: the inspection date (default: the clock's date).
            body_id: the inspecting unit; default: the nearest unit above every inspected
                cell where ``actor`` is an officer on ``on``.
            body_name: the body as it signs ("Ban Thường vụ Đảng ủy xã An Phú").
            conclusion: the inspection's conclusion (kết luận).
            inspection_id: default ``"kt-<yyyymmdd>-<scope unit or body id>"`` (with
                ``-2``, ``-3`` … when taken).

        Raises:
            NotFound: an unknown unit or handbook.
            NotAuthorised: ``actor`` is no officer of the body (LTGB-K001).
            ValidationFailed: an unknown finding kind (LTGB-K003), a finding outside the
                scope, a deadline before the inspection, …
            ConflictError: ``inspection_id`` is taken.
        """
        service = self._service
        day = on or service._today()
        who, roles = self._officer(actor)
        cells = self.cells(scope, year=year)
        if not cells:
            raise ValidationFailed(
                "phạm vi kiểm tra không có chi bộ nào",
                "the scope covers no cell",
                field="scope",
            )
        tree = service.roster.tree()
        body = _body(tree, body_id, cells, who, roles, day)
        authorise_inspection(body[-1], day, who, roles)
        self._check_kinds(findings)
        for i, finding in enumerate(findings):
            for j, request in enumerate(finding.requests):
                if request.follow_ups:
                    # Each is the cell's own, signed by its Bí thư through follow_up (K002):
                    # recorded with the inspection, it would be signed by whoever wrote it.
                    raise ValidationFailed(
                        "kết quả khắc phục do chi bộ tự ghi sau (follow_up), không ghi kèm cuộc "
                        "kiểm tra",
                        "follow-ups are recorded by the cell afterwards (follow_up), not with "
                        "the inspection",
                        field=f"findings[{i}].requests[{j}].follow_ups",
                    )
        inspection = Inspection(
            id=inspection_id or self._free_id(day, scope.unit_id or body[-1].id),
            year=year,
            on=day,
            body=body,
            scope=scope,
            cells=cells,
            recorded_by=who.id,
            recorder_name=who.name,
            body_name=body_name,
            conclusion=conclusion,
            findings=tuple(findings),
        )
        with service.transaction():
            service.store.add_inspection(inspection)
            note = f"{len(inspection.cells)} chi bộ, {len(inspection.findings)} phát hiện"
            service._record(inspection, RecordAction.INSPECTED, who, note)
        return inspection

    def follow_up(
        self,
        inspection_id: str,
        request_id: str,
        *,
        text: str,
        done: bool,
        actor: Actor | Member,
        on: dt.date | None = None,
        expected_version: int | None = None,
    ) -> Inspection:
        """Record what the cell did about a request (báo cáo kết quả khắc phục): by the
        Bí thư or Phó Bí thư of the finding's cell (LTGB-K002); ``done`` says the request
        is met. An event of the audit trail; ``inspection_changed`` fires.

        Raises:
            NotFound: no such inspection.
            NotAuthorised: ``actor`` is not the cell's Bí thư nor Phó Bí thư on ``on``.
            ValidationFailed: no such request, the request is done already, or the date is
                before the inspection.
            ConflictError: the inspection changed meanwhile (``expected_version``).
        """
        service = self._service
        current = self.get(inspection_id)
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(
                f"Cuộc kiểm tra {current.id} đã thay đổi (phiên bản {current.version}, bạn "
                f"đang sửa phiên bản {expected_version}); hãy tải lại",
                f"inspection {current.id} changed (version {current.version}, you edited "
                f"{expected_version}); reload it",
            )
        today = service._today()
        day = on or today
        if day > today:
            # Offices are judged on this day, and a request reported done stays done: a date
            # to come would let someone act under an office not yet theirs, and lock it.
            raise ValidationFailed(
                f"ngày khắc phục {day:%d/%m/%Y} chưa tới (hôm nay {today:%d/%m/%Y})",
                f"the follow-up date {day.isoformat()} has not come yet (today is "
                f"{today.isoformat()})",
                field="on",
            )
        who, roles = self._officer(actor)
        finding, _ = current.request(nfc(request_id))
        role = authorise_follow_up(finding, day, who, roles)
        updated = with_follow_up(
            current, nfc(request_id), text=text, on=day, done=done, actor=who, role=role
        )
        with service.transaction():
            service.store.update_inspection(updated, expected_version=current.version)
            state = "đã khắc phục" if done else "đang khắc phục"
            note = f"yêu cầu {nfc(request_id)}: {state}"
            service._record(updated, RecordAction.FOLLOWED_UP, who, note)
        return updated

    def _check_kinds(self, findings: Sequence[Finding]) -> None:
        known = {k.code for k in self.kinds()}
        for i, f in enumerate(findings):
            if not isinstance(f, Finding):
                raise ValidationFailed(
                    f"phần tử thứ {i + 1} không phải phát hiện (Finding)",
                    f"item {i + 1} is not a Finding",
                    field=f"findings[{i}]",
                )
            if f.kind not in known:
                allowed = ", ".join(sorted(known))
                raise ValidationFailed(
                    f"loại phát hiện '{f.kind}' không có trong danh mục ({allowed})",
                    f"unknown finding kind '{f.kind}' (known: {allowed})",
                    field=f"findings[{i}].kind",
                    code="LTGB-K003",
                )

    def _free_id(self, day: dt.date, unit_id: str) -> str:
        base = f"kt-{day:%Y%m%d}-{unit_id}"
        n = 1
        while True:
            candidate = base if n == 1 else f"{base}-{n}"
            try:
                self._service.store.get_inspection(candidate)
            except NotFound:
                return candidate
            n += 1


def _chain(
    tree: OrgTree, cell_id: str, fallback: tuple[OrgUnit, ...] | None
) -> tuple[OrgUnit, ...]:
    if cell_id in tree:
        return tuple(tree.chain(cell_id))
    if fallback is None:
        raise NotFound(
            f"Không tìm thấy chi bộ '{cell_id}' trong cây tổ chức",
            f"no cell '{cell_id}' in the organisation tree",
        )
    return fallback


def _body(
    tree: OrgTree,
    body_id: str | None,
    cells: Sequence[InspectedCell],
    who: Actor,
    roles: Sequence[RoleAssignment],
    day: dt.date,
) -> tuple[OrgUnit, ...]:
    if body_id is not None:
        return tuple(tree.chain(nfc(body_id)))
    # The units above every inspected cell, nearest first; the first where the actor is an
    # officer inspects.
    chains = [[u.id for u in c.organisation[:-1]] for c in cells]
    common = [u for u in reversed(chains[0]) if all(u in ch for ch in chains[1:])]
    for unit_id in common:
        if any(r.role in OFFICER_ROLES and r.unit_id == unit_id and r.holds_on(day) for r in roles):
            return tuple(tree.chain(unit_id)) if unit_id in tree else _upto(cells[0], unit_id)
    raise NotAuthorised(
        f"{who.name} không phải cán bộ của cấp ủy nào trên các chi bộ được kiểm tra (theo danh "
        f"sách tổ chức, vào ngày {day:%d/%m/%Y}): không được ghi kết quả kiểm tra",
        f"{who.name} is no officer of a committee above the inspected cells (as the roster "
        f"says on {day.isoformat()}) and may not record an inspection",
        code="LTGB-K001",
    )


def _upto(cell: InspectedCell, unit_id: str) -> tuple[OrgUnit, ...]:
    ids = [u.id for u in cell.organisation]
    return cell.organisation[: ids.index(unit_id) + 1]
