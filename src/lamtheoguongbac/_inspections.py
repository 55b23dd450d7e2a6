"""Inspection and supervision by a committee (kiểm tra, giám sát việc thực hiện sổ tay): values
and pure transitions.

A committee — its standing members, or the officers of its support unit (bộ phận giúp việc)
— inspects how cells and members keep their handbooks. An :class:`Inspection` records, on a
date, which cells and handbooks were looked at (its :class:`InspectionScope`: one cell, an
organisation subtree, or chosen handbooks), what was found (:class:`Finding`, per cell or per
handbook, each of a :class:`FindingKind` from :data:`FINDING_KINDS` or from the policy's
``finding_kinds``), and what the inspected cells are asked to fix by when
(:class:`Request`). The inspected cell's Bí thư or Phó Bí thư then records the follow-up
(:class:`FollowUp`); a request is *done* once a follow-up says so.

Who may do what (rules with codes, raised as :class:`~lamtheoguongbac.NotAuthorised`):

* **LTGB-K001** — an inspection is recorded by an officer (Bí thư, Phó Bí thư, cấp ủy viên,
  Ủy viên Ban Thường vụ, officer of the support unit: :data:`OFFICER_ROLES
  <lamtheoguongbac.committee.OFFICER_ROLES>`) of the inspecting body on the inspection date,
  as the roster says; the body is a unit above every inspected cell (a cell does not inspect
  itself).
* **LTGB-K002** — a follow-up is recorded by the Bí thư or Phó Bí thư of the cell the finding
  concerns, holding that role on the follow-up date.

Like :mod:`lamtheoguongbac`, every class is an ``attrs`` frozen, keyword-only value,
NFC-normalised and checked at construction. Storing and the clock belong to the service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import attrs

from lamtheoguongbac._checks import LINE, checked, fail, require_id, require_text
from lamtheoguongbac._errors import NotAuthorised, ValidationFailed
from lamtheoguongbac._exemplars import OFFICER_ROLES
from lamtheoguongbac._model import Actor, LabelledEnum, OrgUnit, Role, RoleAssignment

__all__ = [
    "FINDING_KINDS",
    "Finding",
    "FindingKind",
    "FollowUp",
    "InspectedCell",
    "Inspection",
    "InspectionScope",
    "Request",
    "RequestStatus",
    "ScopeKind",
    "authorise_follow_up",
    "authorise_inspection",
    "check_finding_kinds",
    "inspection_order",
    "with_follow_up",
]

_TEXT_MAX = 4000


@attrs.frozen(kw_only=True, field_transformer=checked)
class FindingKind:
    """A kind of finding (loại phát hiện), e.g. "Đăng ký chung chung".

    ``code`` is what a :class:`Finding` stores; ``positive`` marks good practice, which asks
    for no fix. A policy adds its own kinds through ``Policy.finding_kinds``.

    Example:
        >>> from lamtheoguongbac.committee import FINDING_KINDS, FindingKind
        >>> generic = next(kind for kind in FINDING_KINDS if kind.code == "dang_ky_chung_chung")
        >>> generic.label_en, generic.positive
        ('generic pledges that cannot be measured', False)
        >>> FindingKind(
        ...     code="xa-01",
        ...     label_vi="Sổ ghi bằng bút chì",
        ...     label_en="handbook written in pencil",
        ... ).positive
        False
    """

    code: str
    label_vi: str
    label_en: str
    positive: bool = False

    def __attrs_post_init__(self) -> None:
        require_id("FindingKind.code", self.code)
        require_text("FindingKind.label_vi", self.label_vi, max_len=200)
        require_text("FindingKind.label_en", self.label_en, max_len=200)


#: The built-in kinds of finding, in the order reports list them.
FINDING_KINDS: tuple[FindingKind, ...] = (
    FindingKind(
        code="chua_dang_ky",
        label_vi="Chưa đăng ký hoặc đăng ký chậm",
        label_en="not registered, or registered late",
    ),
    FindingKind(
        code="dang_ky_chung_chung",
        label_vi="Việc đăng ký chung chung, không lượng hóa được",
        label_en="generic pledges that cannot be measured",
    ),
    FindingKind(
        code="khong_gan_nhiem_vu",
        label_vi="Việc đăng ký không gắn với nhiệm vụ được giao",
        label_en="pledges not tied to assigned duties",
    ),
    FindingKind(
        code="bao_cao_cham",
        label_vi="Chưa báo cáo kết quả hoặc báo cáo chậm",
        label_en="results not reported, or reported late",
    ),
    FindingKind(
        code="chua_danh_gia",
        label_vi="Chi bộ chưa nhận xét, đánh giá",
        label_en="the cell's assessment not written",
    ),
    FindingKind(
        code="ghi_chep_sai_sot",
        label_vi="Ghi chép sổ tay chưa đầy đủ, sai sót",
        label_en="the handbook incomplete or wrongly kept",
    ),
    FindingKind(
        code="cach_lam_hay",
        label_vi="Cách làm hay, điển hình",
        label_en="good practice",
        positive=True,
    ),
    FindingKind(code="khac", label_vi="Nội dung khác", label_en="other"),
)


def check_finding_kinds(kinds: Iterable[FindingKind]) -> tuple[FindingKind, ...]:
    """``kinds`` as a tuple, refusing two kinds with one code.

    Raises:
        ValidationFailed: a code is given twice.
    """
    found = tuple(kinds)
    codes = [k.code for k in found]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise ValidationFailed(
                f"loại phát hiện '{code}' bị trùng",
                f"finding kind '{code}' is given twice",
                field=f"finding_kinds[{i}]",
            )
    return found


class ScopeKind(LabelledEnum):
    """What an inspection covers (phạm vi kiểm tra).

    Example:
        >>> from lamtheoguongbac.committee import ScopeKind
        >>> ScopeKind("chi_bo") is ScopeKind.CELL
        True
    """

    CELL = ("chi_bo", "Một chi bộ", "one cell")
    SUBTREE = ("to_chuc", "Một tổ chức đảng và các chi bộ trực thuộc", "an organisation subtree")
    HANDBOOKS = ("so_tay", "Các sổ tay được chọn", "chosen handbooks")


@attrs.frozen(kw_only=True, field_transformer=checked)
class InspectionScope:
    """The scope as asked for: a cell or a subtree (``unit_id``), or ``handbook_ids``.

    Example:
        >>> from lamtheoguongbac.committee import InspectionScope, ScopeKind
        >>> InspectionScope(kind=ScopeKind.CELL, unit_id="cb-vanphong").kind.value
        'chi_bo'
        >>> InspectionScope(kind=ScopeKind.HANDBOOKS, handbook_ids=("dv04-2025",)).handbook_ids
        ('dv04-2025',)
    """

    kind: ScopeKind
    unit_id: str | None = None
    handbook_ids: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if self.kind is ScopeKind.HANDBOOKS:
            if not self.handbook_ids or self.unit_id is not None:
                fail(
                    "InspectionScope.handbook_ids",
                    "phạm vi 'sổ tay' cần danh sách sổ, không kèm đơn vị",
                    "a 'handbooks' scope needs handbook ids and no unit",
                )
            for i, hid in enumerate(self.handbook_ids):
                require_id(f"InspectionScope.handbook_ids[{i}]", hid)
            return
        if self.unit_id is None or self.handbook_ids:
            fail(
                "InspectionScope.unit_id",
                "phạm vi chi bộ/tổ chức cần mã đơn vị, không kèm danh sách sổ",
                "a cell or subtree scope needs a unit id and no handbook ids",
            )
        require_id("InspectionScope.unit_id", self.unit_id)


@attrs.frozen(kw_only=True, field_transformer=checked)
class InspectedCell:
    """A cell the inspection covered: its organisation chain (root first, as named on the
    inspection date) and the handbooks looked at.

    Example:
        >>> from lamtheoguongbac.testing import make_inspection
        >>> cell = make_inspection().cells[0]
        >>> [unit.id for unit in cell.organisation], cell.handbook_ids
        (['dangbo-tinh-ag', 'dangbo-xa-tb', 'chibo-01'], ('chibo-01-dv000-2025',))
    """

    organisation: tuple[OrgUnit, ...]
    handbook_ids: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        if not self.organisation:
            fail("InspectedCell.organisation", "cần chi bộ", "the cell is required")
        for i in range(1, len(self.organisation)):
            if self.organisation[i].parent_id != self.organisation[i - 1].id:
                fail(
                    f"InspectedCell.organisation[{i}]",
                    "chuỗi tổ chức không liền mạch",
                    "each unit must be the child of the one before it",
                )
        for i, hid in enumerate(self.handbook_ids):
            require_id(f"InspectedCell.handbook_ids[{i}]", hid)

    @property
    def cell(self) -> OrgUnit:
        """The cell (chi bộ)."""
        return self.organisation[-1]


@attrs.frozen(kw_only=True, field_transformer=checked)
class FollowUp:
    """What the cell did about a request (kết quả khắc phục), as its Bí thư or Phó Bí thư
    recorded it; ``done`` says the request is met (False: work in progress).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspection = make_inspection(followed_up=True)
        >>> follow_up = inspection.findings[0].requests[0].follow_ups[0]
        >>> follow_up.done, follow_up.recorder_role.label_vi
        (True, 'Bí thư')
    """

    text: str
    on: dt.date
    done: bool
    recorded_by: str = attrs.field(metadata=LINE)
    recorder_name: str = attrs.field(metadata=LINE)
    recorder_role: Role

    def __attrs_post_init__(self) -> None:
        require_text("FollowUp.text", self.text, max_len=_TEXT_MAX)
        require_id("FollowUp.recorded_by", self.recorded_by)
        require_text("FollowUp.recorder_name", self.recorder_name, max_len=200)


class RequestStatus(LabelledEnum):
    """Where a request stands on a given day.

    Example:
        >>> from lamtheoguongbac.committee import RequestStatus
        >>> RequestStatus("overdue") is RequestStatus.OVERDUE
        True
    """

    OPEN = ("open", "Đang khắc phục, còn hạn", "open")
    OVERDUE = ("overdue", "Quá hạn khắc phục", "overdue")
    DONE = ("done", "Đã khắc phục", "done")


@attrs.frozen(kw_only=True, field_transformer=checked)
class Request:
    """A request to fix something by a date (yêu cầu khắc phục), with its follow-ups.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.testing import make_inspection
        >>> request = make_inspection(year=2025).findings[0].requests[0]
        >>> request.id, request.due.isoformat(), request.follow_ups
        ('y1', '2025-07-15', ())
    """

    id: str = attrs.field(metadata=LINE)
    text: str
    due: dt.date
    follow_ups: tuple[FollowUp, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_id("Request.id", self.id)
        require_text("Request.text", self.text, max_len=_TEXT_MAX)

    @property
    def done(self) -> bool:
        """Whether a follow-up says the request is met."""
        return any(f.done for f in self.follow_ups)

    @property
    def done_on(self) -> dt.date | None:
        """The day of the first follow-up that met the request."""
        return next((f.on for f in self.follow_ups if f.done), None)

    def status(self, today: dt.date) -> RequestStatus:
        """Done, overdue (past ``due`` on ``today`` and not done) or open."""
        if self.done:
            return RequestStatus.DONE
        return RequestStatus.OVERDUE if today > self.due else RequestStatus.OPEN


@attrs.frozen(kw_only=True, field_transformer=checked)
class Finding:
    """What the inspection found (nội dung phát hiện) in one cell, or in one handbook of it.

    ``kind`` is a :class:`FindingKind` code; ``requests`` what the cell must fix, by when.

    Example:
        >>> from lamtheoguongbac.testing import make_inspection
        >>> finding = make_inspection().findings[0]
        >>> finding.kind, finding.cell_id, [request.id for request in finding.requests]
        ('dang_ky_chung_chung', 'chibo-01', ['y1'])
    """

    id: str = attrs.field(metadata=LINE)
    kind: str = attrs.field(metadata=LINE)
    text: str
    cell_id: str = attrs.field(metadata=LINE)
    handbook_id: str | None = attrs.field(default=None, metadata=LINE)
    requests: tuple[Request, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_id("Finding.id", self.id)
        require_id("Finding.kind", self.kind)
        require_text("Finding.text", self.text, max_len=_TEXT_MAX)
        require_id("Finding.cell_id", self.cell_id)
        if self.handbook_id is not None:
            require_id("Finding.handbook_id", self.handbook_id)


def _ancestor_check(body: tuple[OrgUnit, ...], cells: Sequence[InspectedCell]) -> None:
    body_id = body[-1].id
    for i, c in enumerate(cells):
        chain = [u.id for u in c.organisation]
        if body_id not in chain[:-1]:
            fail(
                f"Inspection.cells[{i}]",
                f"{c.cell.name} không trực thuộc {body[-1].name} (cấp ủy kiểm tra phải là cấp "
                "trên của chi bộ được kiểm tra)",
                f"{c.cell.name} is not under {body[-1].name} (the inspecting body must be above "
                "every inspected cell)",
            )


@attrs.frozen(kw_only=True, field_transformer=checked)
class Inspection:
    """An inspection of how handbooks are kept (cuộc kiểm tra, giám sát).

    ``body`` is the chain (root first) down to the inspecting unit — the party organisation
    whose committee inspects; ``body_name`` the body as it signs ("Ban Thường vụ Đảng ủy xã
    An Phú", "Ủy ban Kiểm tra Đảng ủy"), by default the unit's name. ``year`` is the year
    of the handbooks inspected; ``on`` the inspection date; ``cells`` what was covered.
    ``version`` moves on by one with every stored change (each follow-up).

    Example:
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspection = make_inspection(year=2025)
        >>> inspection.on.isoformat(), len(inspection.cells), len(inspection.findings)
        ('2025-06-15', 1, 1)
        >>> inspection.findings[0].requests[0].due.isoformat()
        '2025-07-15'
    """

    id: str = attrs.field(metadata=LINE)
    year: int
    on: dt.date
    body: tuple[OrgUnit, ...]
    scope: InspectionScope
    cells: tuple[InspectedCell, ...]
    recorded_by: str = attrs.field(metadata=LINE)
    recorder_name: str = attrs.field(metadata=LINE)
    body_name: str | None = attrs.field(default=None, metadata=LINE)
    conclusion: str | None = None
    findings: tuple[Finding, ...] = ()
    version: int = 1

    def __attrs_post_init__(self) -> None:
        require_id("Inspection.id", self.id)
        if not 1945 <= self.year <= 2200:
            fail("Inspection.year", f"năm {self.year} không hợp lệ", f"invalid year {self.year}")
        if not self.body:
            fail("Inspection.body", "cần cấp ủy kiểm tra", "the inspecting body is required")
        require_text("Inspection.body_name", self.body_name, max_len=300)
        require_text("Inspection.conclusion", self.conclusion, max_len=20_000)
        require_id("Inspection.recorded_by", self.recorded_by)
        require_text("Inspection.recorder_name", self.recorder_name, max_len=200)
        if self.version < 1:
            fail("Inspection.version", "phải từ 1 trở lên", "must be at least 1")
        if not self.cells:
            fail(
                "Inspection.cells",
                "phạm vi kiểm tra không có chi bộ nào",
                "the inspection covers no cell",
            )
        _ancestor_check(self.body, self.cells)
        self._check_findings()

    def _check_findings(self) -> None:
        books = {c.cell.id: set(c.handbook_ids) for c in self.cells}
        finding_ids: set[str] = set()
        request_ids: set[str] = set()
        for i, f in enumerate(self.findings):
            where = f"Inspection.findings[{i}]"
            if f.id in finding_ids:
                fail(f"{where}.id", f"mã '{f.id}' bị trùng", f"duplicate finding id '{f.id}'")
            finding_ids.add(f.id)
            if f.cell_id not in books:
                fail(
                    f"{where}.cell_id",
                    f"chi bộ '{f.cell_id}' không thuộc phạm vi kiểm tra",
                    f"cell '{f.cell_id}' is not in the inspection's scope",
                )
            if f.handbook_id is not None and f.handbook_id not in books[f.cell_id]:
                fail(
                    f"{where}.handbook_id",
                    f"sổ '{f.handbook_id}' không thuộc các sổ được kiểm tra của chi bộ "
                    f"'{f.cell_id}'",
                    f"handbook '{f.handbook_id}' is not among the inspected handbooks of cell "
                    f"'{f.cell_id}'",
                )
            for j, r in enumerate(f.requests):
                if r.id in request_ids:
                    fail(
                        f"{where}.requests[{j}].id",
                        f"mã yêu cầu '{r.id}' bị trùng",
                        f"duplicate request id '{r.id}'",
                    )
                request_ids.add(r.id)
                if r.due < self.on:
                    fail(
                        f"{where}.requests[{j}].due",
                        f"hạn khắc phục {r.due:%d/%m/%Y} trước ngày kiểm tra {self.on:%d/%m/%Y}",
                        f"the deadline {r.due.isoformat()} is before the inspection "
                        f"({self.on.isoformat()})",
                    )
                for k, fu in enumerate(r.follow_ups):
                    if fu.on < self.on:
                        fail(
                            f"{where}.requests[{j}].follow_ups[{k}].on",
                            "báo cáo khắc phục trước ngày kiểm tra",
                            "the follow-up is dated before the inspection",
                        )

    @property
    def unit(self) -> OrgUnit:
        """The inspecting unit (the last of :attr:`body`)."""
        return self.body[-1]

    @property
    def inspector(self) -> str:
        """The inspecting body as it signs — :attr:`body_name`, else the unit's name."""
        return self.body_name or self.unit.name

    @property
    def handbook_count(self) -> int:
        """How many handbooks were looked at."""
        return sum(len(c.handbook_ids) for c in self.cells)

    def cell(self, cell_id: str) -> InspectedCell:
        """The inspected cell ``cell_id``.

        Raises:
            ValidationFailed: the cell is not in the inspection.
        """
        for c in self.cells:
            if c.cell.id == cell_id:
                return c
        raise ValidationFailed(
            f"chi bộ '{cell_id}' không thuộc cuộc kiểm tra '{self.id}'",
            f"cell '{cell_id}' is not in inspection '{self.id}'",
            field="cell_id",
        )

    def requests(self) -> list[tuple[Finding, Request]]:
        """Every request with its finding, in the order given."""
        return [(f, r) for f in self.findings for r in f.requests]

    def request(self, request_id: str) -> tuple[Finding, Request]:
        """The request ``request_id`` and its finding.

        Raises:
            ValidationFailed: no such request.
        """
        for f, r in self.requests():
            if r.id == request_id:
                return f, r
        raise ValidationFailed(
            f"cuộc kiểm tra '{self.id}' không có yêu cầu '{request_id}'",
            f"inspection '{self.id}' has no request '{request_id}'",
            field="request_id",
        )

    def unit_ids(self) -> list[str]:
        """Every unit of the inspected cells' chains, each once (what an organisation filter
        matches)."""
        return list(dict.fromkeys(u.id for c in self.cells for u in c.organisation))


def inspection_order(inspection: Inspection) -> tuple[int, dt.date, str]:
    """The order stores list inspections in: (year, inspection date, id).

    Example:
        >>> from lamtheoguongbac.plugin import inspection_order
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspections = [
        ...     make_inspection(year=2025, id="kt-b"),
        ...     make_inspection(year=2024, id="kt-a"),
        ... ]
        >>> [i.id for i in sorted(inspections, key=inspection_order)]
        ['kt-a', 'kt-b']
    """
    return (inspection.year, inspection.on, inspection.id)


def _officer_of(roles: Iterable[RoleAssignment], unit_id: str, day: dt.date) -> bool:
    return any(r.role in OFFICER_ROLES and r.unit_id == unit_id and r.holds_on(day) for r in roles)


def authorise_inspection(
    body: OrgUnit, on: dt.date, actor: Actor, roles: Iterable[RoleAssignment]
) -> None:
    """Rule LTGB-K001: the inspection is recorded by an officer of the inspecting body on the
    inspection date, as the roster (``roles``) says.

    Raises:
        NotAuthorised: ``actor`` holds no such role.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Actor, NotAuthorised, Role, RoleAssignment
        >>> from lamtheoguongbac.committee import authorise_inspection
        >>> from lamtheoguongbac.testing import make_organisation
        >>> body = make_organisation()[1]
        >>> roles = (
        ...     RoleAssignment(
        ...         role=Role.STANDING_MEMBER, unit_id=body.id, start=dt.date(2020, 1, 1)
        ...     ),
        ... )
        >>> inspector = Actor(id="ubkt-01", name="Võ Thị Mai", roles=roles)
        >>> authorise_inspection(body, dt.date(2025, 6, 15), inspector, roles)
        >>> try:
        ...     authorise_inspection(body, dt.date(2025, 6, 15), inspector, ())
        ... except NotAuthorised as error:
        ...     print(error.code)
        ...
        LTGB-K001
    """
    if not _officer_of(roles, body.id, on):
        raise NotAuthorised(
            f"{actor.name} không được ghi kết quả kiểm tra của {body.name}: chỉ Bí thư, Phó "
            "Bí thư, cấp ủy viên, Ủy viên Ban Thường vụ hoặc cán bộ cơ quan giúp việc của cấp "
            f"ủy (theo danh sách tổ chức, vào ngày {on:%d/%m/%Y}) mới được ghi",
            f"{actor.name} may not record an inspection by {body.name}: only its committee's "
            f"officers or support-unit officers, as the roster says on {on.isoformat()}, may",
            code="LTGB-K001",
        )


def authorise_follow_up(
    finding: Finding, on: dt.date, actor: Actor, roles: Iterable[RoleAssignment]
) -> Role:
    """Rule LTGB-K002: a follow-up is recorded by the Bí thư or Phó Bí thư of the finding's
    cell on the follow-up date, as the roster (``roles``) says. Returns the role held.

    Raises:
        NotAuthorised: ``actor`` is not that cell's Bí thư nor Phó Bí thư on ``on``.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import NotAuthorised
        >>> from lamtheoguongbac.committee import authorise_follow_up
        >>> from lamtheoguongbac.testing import make_inspection, make_member, make_secretary
        >>> finding = make_inspection().findings[0]
        >>> secretary = make_secretary(finding.cell_id)
        >>> authorise_follow_up(
        ...     finding, dt.date(2025, 7, 1), secretary.as_actor(), secretary.roles
        ... )
        <Role.SECRETARY: 'bi_thu'>
        >>> try:
        ...     authorise_follow_up(finding, dt.date(2025, 7, 1), make_member(3).as_actor(), ())
        ... except NotAuthorised as error:
        ...     print(error.code)
        ...
        LTGB-K002
    """
    held = {r.role for r in roles if r.unit_id == finding.cell_id and r.holds_on(on)}
    for role in (Role.SECRETARY, Role.DEPUTY_SECRETARY):
        if role in held:
            return role
    raise NotAuthorised(
        f"{actor.name} không phải Bí thư hoặc Phó Bí thư của chi bộ '{finding.cell_id}' vào "
        f"ngày {on:%d/%m/%Y}: không được báo cáo kết quả khắc phục",
        f"{actor.name} is not the Secretary or Deputy Secretary of cell '{finding.cell_id}' on "
        f"{on.isoformat()} and may not record the follow-up",
        code="LTGB-K002",
    )


def with_follow_up(
    inspection: Inspection,
    request_id: str,
    *,
    text: str,
    on: dt.date,
    done: bool,
    actor: Actor,
    role: Role,
) -> Inspection:
    """``inspection`` with a follow-up added to ``request_id``, at the next version.

    Raises:
        ValidationFailed: no such request, the request is done already, or the follow-up is
            dated before the inspection.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Role
        >>> from lamtheoguongbac.committee import with_follow_up
        >>> from lamtheoguongbac.testing import make_inspection, make_secretary
        >>> inspection = make_inspection(year=2025)
        >>> request = inspection.findings[0].requests[0]
        >>> secretary = make_secretary(inspection.findings[0].cell_id)
        >>> updated = with_follow_up(
        ...     inspection,
        ...     request.id,
        ...     text="Đã hướng dẫn đảng viên đăng ký lại",
        ...     on=dt.date(2025, 7, 1),
        ...     done=True,
        ...     actor=secretary.as_actor(),
        ...     role=Role.SECRETARY,
        ... )
        >>> (
        ...     updated.version - inspection.version,
        ...     updated.findings[0].requests[0].follow_ups[0].done,
        ... )
        (1, True)
    """
    finding, request = inspection.request(request_id)
    if request.done:
        raise ValidationFailed(
            f"yêu cầu '{request_id}' đã được báo cáo khắc phục xong ngày "
            f"{request.done_on:%d/%m/%Y}",
            f"request '{request_id}' was already reported done on {request.done_on}",
            field="request_id",
        )
    follow_up = FollowUp(
        text=text,
        on=on,
        done=done,
        recorded_by=actor.id,
        recorder_name=actor.name,
        recorder_role=role,
    )
    new_request = attrs.evolve(request, follow_ups=(*request.follow_ups, follow_up))
    new_finding = attrs.evolve(
        finding, requests=tuple(new_request if r is request else r for r in finding.requests)
    )
    return attrs.evolve(
        inspection,
        findings=tuple(new_finding if f is finding else f for f in inspection.findings),
        version=inspection.version + 1,
    )
