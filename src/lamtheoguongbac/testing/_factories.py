"""Builders of realistic Vietnamese test data (dữ liệu mẫu) for tests and benchmarks.

Every builder returns a valid value with sensible defaults; pass keywords to change what a
test cares about. Handbooks are moved through their states by the real transitions of
:mod:`lamtheoguongbac._workflow` with the default policy, so a handbook built in any status
obeys the rules (concrete, dated pledges; the cell's Bí thư records the assessment)::

    from lamtheoguongbac._model import HandbookStatus
    from lamtheoguongbac.testing import make_handbook, make_entry

    handbook = make_handbook(HandbookStatus.ASSESSED, year=2024, cell="chibo-03")
    handbook, event = make_entry()          # ready for ``store.add(handbook, event)``

Exemplars (gương điển hình) come from :func:`make_exemplar`, their commendation from
:func:`make_commendation`.

Identifiers are deterministic: a member's id and name come from its cell and index, a
handbook's id from its member and year, so building the same thing twice gives equal values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac._exemplars import Commendation, Exemplar, ExemplarKind, exemplar_id
from lamtheoguongbac._inspections import (
    Finding,
    FollowUp,
    InspectedCell,
    Inspection,
    InspectionScope,
    Request,
    ScopeKind,
)
from lamtheoguongbac._model import (
    Actor,
    Basis,
    BasisKind,
    CollectiveAssessment,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    MemberStatus,
    OrgUnit,
    Outcome,
    Period,
    Pledge,
    PledgeResult,
    QuantityTarget,
    RatingLevel,
    RegulationRef,
    ResultReport,
    Role,
    RoleAssignment,
    SelfAssessment,
    StudyTheme,
    handbook_id,
)
from lamtheoguongbac._public import publish
from lamtheoguongbac._workflow import Transition

__all__ = [
    "DEFAULT_CELL",
    "DEFAULT_GRASSROOTS",
    "DEFAULT_ROOT",
    "ICT",
    "SampleRoster",
    "Transition",
    "advance",
    "creation_event",
    "make_commendation",
    "make_entry",
    "make_exemplar",
    "make_handbook",
    "make_inspection",
    "make_member",
    "make_organisation",
    "make_roster",
    "make_secretary",
    "make_unit",
    "member_name",
]

#: Vietnam's time zone (UTC+7), used for every timestamp the builders make.
ICT = dt.timezone(dt.timedelta(hours=7))

DEFAULT_ROOT = "dangbo-tinh-ag"
DEFAULT_GRASSROOTS = "dangbo-xa-tb"
DEFAULT_CELL = "chibo-01"

_FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
_MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hữu", "Đức", "Thanh", "Quang", "Thị Thu", "Văn Hoài")
_GIVEN = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Hương",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Ánh",
    "Đức",
    "Yến",
    "Ơn",
    "Ước",
)
_HAMLETS = ("Đông", "Tây", "Hòa Bình", "Tân Lợi", "An Hòa", "Phú Cường", "Xuân Hiệp", "Ấp 3")


@attrs.frozen
class _Profile:
    position: str
    duty: str
    deeds: tuple[tuple[str, Decimal, str], ...]  # (deed with {year}, amount, unit)


_PROFILES = (
    _Profile(
        "Công chức một cửa",
        "Tiếp nhận và giải quyết hồ sơ một cửa",
        (
            (
                "Giải quyết 100% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm {year}.",
                Decimal(100),
                "%",
            ),
            ("Số hóa 500 hồ sơ một cửa lưu trữ trước ngày 30/11/{year}.", Decimal(500), "hồ sơ"),
        ),
    ),
    _Profile(
        "Giáo viên Toán",
        "Giảng dạy môn Toán lớp 9",
        (
            (
                "Trong năm {year}, soạn 02 bài giảng điện tử môn Toán lớp 9 và dự giờ đồng nghiệp "
                "ít nhất 18 tiết.",
                Decimal(2),
                "bài giảng",
            ),
            (
                "Phụ đạo miễn phí cho 05 học sinh yếu môn Toán lớp 9, mỗi tuần 2 buổi, đến hết "
                "tháng 11/{year}.",
                Decimal(5),
                "học sinh",
            ),
        ),
    ),
    _Profile(
        "Trưởng ấp",
        "Vận động nhân dân trong ấp xây dựng nông thôn mới",
        (
            (
                "Vận động 15 hộ dân trong ấp hiến đất làm đường giao thông nông thôn, hoàn thành "
                "trước 30/9/{year}.",
                Decimal(15),
                "hộ",
            ),
            (
                "Tổ chức 04 buổi tuyên truyền pháp luật cho nhân dân trong ấp, mỗi quý 1 buổi, "
                "trong năm {year}.",
                Decimal(4),
                "buổi",
            ),
        ),
    ),
    _Profile(
        "Đảng viên nghỉ hưu",
        "Tham gia công tác khuyến học ở khu dân cư",
        (
            (
                "Hằng tháng đến thăm hỏi, động viên 03 gia đình chính sách trên địa bàn trong năm "
                "{year}.",
                Decimal(3),
                "gia đình",
            ),
            (
                "Vận động quyên góp 20 suất học bổng khuyến học cho học sinh nghèo trước ngày "
                "31/8/{year}.",
                Decimal(20),
                "suất",
            ),
        ),
    ),
)

_TERM_THEME = StudyTheme(
    code="CD-2021-2025",
    title="Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về ý chí tự lực, tự "
    "cường và khát vọng phát triển đất nước phồn vinh, hạnh phúc",
    first_year=2021,
    last_year=2025,
)


def _theme(year: int) -> StudyTheme:
    if _TERM_THEME.covers(year):
        return _TERM_THEME
    return StudyTheme(
        code=f"CD-{year}",
        title=f"Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm {year}",
        first_year=year,
        last_year=year,
    )


def _at(year: int, month: int, day: int, hour: int = 8) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=ICT)


# --- organisation and people ---------------------------------------------------------------


def make_unit(
    id: str = DEFAULT_CELL,
    *,
    name: str | None = None,
    level: str = "Chi bộ",
    parent_id: str | None = DEFAULT_GRASSROOTS,
    grassroots: bool = False,
    place: str | None = None,
) -> OrgUnit:
    """An organisation unit (tổ chức đảng); by default a cell under the default grassroots.

    Args:
        id: the unit id.
        name: the unit's name; derived from ``level`` and ``id`` when omitted.
        level: the free-text level label ("Chi bộ", "Đảng bộ cơ sở", …).
        parent_id: the parent unit's id (``None`` for a root).
        grassroots: whether the unit is the grassroots organisation.
        place: the place name used on documents.

    Example:
        >>> from lamtheoguongbac.testing import make_unit
        >>> unit = make_unit("chibo-05", place="Ấp Đông")
        >>> unit.name, unit.parent_id, unit.place
        ('Chi bộ ấp Ấp 3 (chibo-05)', 'dangbo-xa-tb', 'Ấp Đông')
    """
    if name is None:
        suffix = _HAMLETS[sum(map(ord, id)) % len(_HAMLETS)]
        name = f"{level} ấp {suffix} ({id})"
    return OrgUnit(
        id=id, name=name, level=level, parent_id=parent_id, grassroots=grassroots, place=place
    )


def make_organisation(
    cell: str = DEFAULT_CELL,
    *,
    grassroots: str = DEFAULT_GRASSROOTS,
    root: str = DEFAULT_ROOT,
) -> tuple[OrgUnit, ...]:
    """The chain root → grassroots organisation → cell, as ``Handbook.organisation`` wants.

    Args:
        cell: the cell (chi bộ) id.
        grassroots: the grassroots organisation (đảng bộ cơ sở) id.
        root: the provincial committee (đảng bộ tỉnh) id at the top.

    Example:
        >>> from lamtheoguongbac.testing import make_organisation
        >>> [(unit.id, unit.level) for unit in make_organisation("chibo-07")]
        [('dangbo-tinh-ag', 'Đảng bộ tỉnh'), ('dangbo-xa-tb', 'Đảng bộ cơ sở'), ('chibo-07', 'Chi...
    """
    return (
        OrgUnit(id=root, name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh", place="An Giang"),
        OrgUnit(
            id=grassroots,
            name=f"Đảng bộ xã Tịnh Biên ({grassroots})",
            level="Đảng bộ cơ sở",
            parent_id=root,
            grassroots=True,
            place="Tịnh Biên",
        ),
        make_unit(cell, parent_id=grassroots),
    )


def member_name(index: int) -> str:
    """A plausible Vietnamese full name, deterministic in ``index``.

    Example:
        >>> from lamtheoguongbac.testing import member_name
        >>> [member_name(i) for i in range(3)]
        ['Nguyễn Ngọc Hải', 'Trần Văn Sơn', 'Lê Quang Cường']
        >>> member_name(7) == member_name(7)
        True
    """
    family = _FAMILY[index % len(_FAMILY)]
    middle = _MIDDLE[(index * 7 + 3) % len(_MIDDLE)]
    given = _GIVEN[(index * 11 + 5) % len(_GIVEN)]
    return f"{family} {middle} {given}"


def make_member(
    index: int = 1,
    *,
    cell: str = DEFAULT_CELL,
    id: str | None = None,
    full_name: str | None = None,
    status: MemberStatus = MemberStatus.OFFICIAL,
    role: Role | None = None,
    sort_key: str | None = None,
) -> Member:
    """A party member (đảng viên) of ``cell`` with a position and assigned duties.

    Args:
        index: picks the name and the occupation; members of a cell differ by index.
        cell: the member's cell id.
        id: the member id; ``"<cell>-dv<index>"`` when omitted.
        full_name: overrides the generated name.
        status: the member's standing.
        role: a role held in the cell since 2000 (e.g. ``Role.SECRETARY``).
        sort_key: the roster sort override.

    Example:
        >>> from lamtheoguongbac import Role
        >>> from lamtheoguongbac.testing import make_member
        >>> member = make_member(3, cell="chibo-02", role=Role.DEPUTY_SECRETARY)
        >>> member.id, member.full_name, [r.role.value for r in member.roles]
        ('chibo-02-dv003', 'Phạm Hữu Nga', ['pho_bi_thu'])
    """
    profile = _PROFILES[index % len(_PROFILES)]
    roles = (
        ()
        if role is None
        else (RoleAssignment(role=role, unit_id=cell, start=dt.date(2000, 1, 1)),)
    )
    return Member(
        id=id or f"{cell}-dv{index:03d}",
        full_name=full_name or member_name(index),
        cell_id=cell,
        status=status,
        position=profile.position,
        duties=(profile.duty,),
        workplace=f"Xã Tịnh Biên, ấp {_HAMLETS[index % len(_HAMLETS)]}",
        date_of_birth=dt.date(1960 + index % 40, 1 + index % 12, 1 + index % 28),
        joined_on=dt.date(1990 + index % 30, 5, 19),
        official_on=dt.date(1991 + index % 30, 5, 19),
        party_card_number=f"{index:08d}",
        roles=roles,
        sort_key=sort_key,
    )


def make_secretary(cell: str = DEFAULT_CELL, *, index: int = 0) -> Member:
    """The Bí thư chi bộ of ``cell``: the member who records assessments and closes.

    Example:
        >>> from lamtheoguongbac import Role
        >>> from lamtheoguongbac.testing import make_secretary
        >>> secretary = make_secretary("chibo-02")
        >>> secretary.id, secretary.roles[0].role is Role.SECRETARY, secretary.roles[0].unit_id
        ('chibo-02-dv000', True, 'chibo-02')
    """
    return make_member(index, cell=cell, role=Role.SECRETARY)


# --- handbooks -----------------------------------------------------------------------------


def _pledges(member: Member, year: int) -> tuple[Pledge, ...]:
    profile = next((p for p in _PROFILES if p.position == member.position), _PROFILES[0])
    pledges = []
    for i, (deed, amount, unit) in enumerate(profile.deeds, start=1):
        pledges.append(
            Pledge(
                id=f"viec-{i}",
                deed=deed.format(year=year),
                target=QuantityTarget(amount=amount, unit=unit),
                deadline=dt.date(year, 11, 30),
                task=profile.duty,
                bases=(
                    Basis(kind=BasisKind.STUDY_THEME, text=_theme(year).title),
                    Basis(
                        kind=BasisKind.PROHIBITIONS,
                        reference=RegulationRef(regulation="37-QĐ/TW", article=2 + i),
                    ),
                ),
                shortcoming="Có lúc còn chậm cập nhật hồ sơ" if i == 1 else None,
            )
        )
    return tuple(pledges)


def _report(hb: Handbook) -> ResultReport:
    year = hb.year
    return ResultReport(
        submitted_on=dt.date(year, 12, 5),
        results=tuple(
            PledgeResult(
                pledge_id=p.id,
                outcome=_outcome(i),
                achieved=f"Đã thực hiện: {p.deed}",
                not_done=None if i else "Còn 01 phần việc chưa xong do thiếu kinh phí",
                direction="Tiếp tục duy trì trong năm sau",
            )
            for i, p in enumerate(hb.pledges)
        ),
    )


def _outcome(index: int) -> Outcome:
    return Outcome.PARTLY_DONE if index == 0 else Outcome.DONE


def advance(
    handbook: Handbook,
    *,
    secretary: Member | None = None,
    rating: RatingLevel = RatingLevel.GOOD,
) -> Transition:
    """The next lifecycle step of ``handbook`` with realistic content, via the workflow.

    draft → registered → reported (with the self-assessment) → assessed → closed, and from
    closed a reopen back to *reported*, so calling it repeatedly never runs out of steps.

    Args:
        handbook: the handbook to move on.
        secretary: the cell's Bí thư (assessment, closing, reopening); by default
            :func:`make_secretary` of the handbook's cell.
        rating: the rating the cell gives (none for a suspended member).

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.testing import advance, make_handbook
        >>> step = advance(make_handbook(HandbookStatus.REGISTERED))
        >>> step.handbook.status.value, step.event.kind.value, step.event.version
        ('reported', 'reported', 2)
    """
    year = handbook.year
    member_actor = handbook.member.as_actor()
    officer = (secretary or make_secretary(handbook.cell.id)).as_actor()
    status = handbook.status
    S = HandbookStatus
    if status is S.DRAFT:
        return workflow.register(
            handbook, _pledges(handbook.member, year), actor=member_actor, at=_at(year, 1, 20)
        )
    if status is S.REGISTERED:
        self_assessment = SelfAssessment(
            text="Bản thân luôn giữ gìn phẩm chất đạo đức, hoàn thành các việc đã đăng ký.",
            written_on=dt.date(year, 12, 5),
        )
        return workflow.report(
            handbook,
            _report(handbook),
            actor=member_actor,
            at=_at(year, 12, 5),
            self_assessment=self_assessment,
        )
    if status is S.REPORTED:
        suspended = handbook.member.status is MemberStatus.SUSPENDED
        return workflow.assess(
            handbook,
            _assessment(handbook, officer, suspended, rating),
            actor=officer,
            at=_at(year, 12, 20, 15),
        )
    if status is S.ASSESSED:
        return workflow.close(handbook, actor=officer, at=_at(year, 12, 28))
    return workflow.reopen(
        handbook,
        to=S.REPORTED,
        actor=officer,
        at=_at(year, 12, 29),
        reason="Chi bộ họp lại để đánh giá theo hướng dẫn mới",
    )


def _assessment(
    hb: Handbook, officer: Actor, suspended: bool, rating: RatingLevel
) -> CollectiveAssessment:
    return CollectiveAssessment(
        text=f"Đồng chí {hb.member.full_name} thực hiện nghiêm túc các việc đã đăng ký.",
        meeting_date=dt.date(hb.year, 12, 20),
        recorded_by=officer.id,
        recorder_name=officer.name,
        recorder_role=Role.SECRETARY,
        rating=None if suspended else rating,
    )


def make_handbook(
    status: HandbookStatus = HandbookStatus.DRAFT,
    *,
    year: int = 2025,
    cell: str = DEFAULT_CELL,
    member: Member | None = None,
    index: int = 1,
    id: str | None = None,
    organisation: Sequence[OrgUnit] | None = None,
    grassroots: str = DEFAULT_GRASSROOTS,
    secretary: Member | None = None,
    rating: RatingLevel = RatingLevel.GOOD,
) -> Handbook:
    """A rule-valid handbook (sổ tay) in ``status``, built through the real workflow.

    Args:
        status: the status wanted; each step on the way adds 1 to ``version``.
        year: the calendar year the handbook covers.
        cell: the cell id (ignored when ``member`` or ``organisation`` is given).
        member: the owner; ``make_member(index, cell=cell)`` when omitted.
        index: picks the generated member when ``member`` is omitted.
        id: the handbook id; ``"sotay-<year>-<member id>"`` when omitted.
        organisation: the unit chain ending at the member's cell; by default
            ``make_organisation(cell, grassroots=grassroots)``.
        grassroots: the grassroots organisation id of the default chain.
        secretary: the Bí thư who assesses and closes (default :func:`make_secretary`).
        rating: the rating given at assessment.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, RatingLevel
        >>> from lamtheoguongbac.testing import make_handbook
        >>> book = make_handbook(
        ...     HandbookStatus.ASSESSED, year=2024, cell="chibo-03", rating=RatingLevel.EXCELLENT
        ... )
        >>> (
        ...     book.id,
        ...     book.collective_assessment.rating.value,
        ...     book.collective_assessment.recorder_role.value,
        ... )
        ('sotay-2024-chibo-03-dv001', 'HTXSNV', 'bi_thu')
    """
    if organisation is not None:
        cell = organisation[-1].id
    elif member is not None:
        cell = member.cell_id
    member = member or make_member(index, cell=cell)
    chain = (
        tuple(organisation)
        if organisation is not None
        else make_organisation(member.cell_id, grassroots=grassroots)
    )
    handbook = Handbook(
        id=id or f"sotay-{year}-{member.id}",
        member=member,
        organisation=chain,
        period=Period.year(year),
        theme=_theme(year),
    )
    while handbook.status is not status:
        handbook = advance(handbook, secretary=secretary, rating=rating).handbook
    return handbook


def creation_event(
    handbook: Handbook, *, actor: Actor | None = None, at: dt.datetime | None = None
) -> Event:
    """The first event of ``handbook`` for :meth:`~lamtheoguongbac.plugin.Store.add` (kind
    *created*, its version).

    Args:
        handbook: the handbook being stored.
        actor: who made it; the member by default.
        at: when; 2 January of the handbook's year by default.

    Example:
        >>> from lamtheoguongbac.testing import creation_event, make_handbook
        >>> event = creation_event(make_handbook())
        >>> event.kind.value, event.version, event.actor_id
        ('created', 0, 'chibo-01-dv001')
    """
    return workflow.new_event(
        handbook,
        EventKind.CREATED,
        actor or handbook.member.as_actor(),
        at or _at(handbook.year, 1, 2),
        HandbookStatus.DRAFT,
    )


def make_entry(
    status: HandbookStatus = HandbookStatus.DRAFT, **kwargs: Any
) -> tuple[Handbook, Event]:
    """``(handbook, creation event)``, ready for ``store.add(*make_entry())``.

    Takes the same arguments as :func:`make_handbook`.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.plugin import create_registry
        >>> from lamtheoguongbac.testing import make_entry
        >>> store = create_registry(load_entrypoints=False).open_store("memory:")
        >>> handbook, event = make_entry(HandbookStatus.REPORTED, year=2024)
        >>> store.add(handbook, event)
        >>> store.get(handbook.id).status.value, event.to_status.value
        ('reported', 'reported')
        >>> store.close()
    """
    handbook = make_handbook(status, **kwargs)
    return handbook, creation_event(handbook)


# --- whole rosters -------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SampleRoster:
    """Units and members of a few grassroots organisations (danh sách tổ chức, đảng viên).

    Example:
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=5)
        >>> len(roster.units), len(roster.members), list(roster.chains)
        (4, 10, ['cb-00-0000', 'cb-00-0001'])
        >>> [unit.id for unit in roster.chains["cb-00-0001"]]
        ['dangbo-tinh-ag', 'db-00', 'cb-00-0001']
    """

    units: tuple[OrgUnit, ...]
    members: tuple[Member, ...]
    chains: dict[str, tuple[OrgUnit, ...]] = attrs.field(eq=False, repr=False)

    def organisation(self, cell_id: str) -> tuple[OrgUnit, ...]:
        """The chain root → grassroots → cell for ``cell_id``."""
        return self.chains[cell_id]

    @property
    def cell_ids(self) -> list[str]:
        """Every cell id, in the order built."""
        return list(self.chains)


def make_roster(
    cells: int = 3,
    members_per_cell: int = 10,
    *,
    grassroots: int = 1,
    root: str = DEFAULT_ROOT,
) -> SampleRoster:
    """Cells spread over ``grassroots`` organisations under one provincial committee.

    The first member (index 0) of every cell is its Bí thư. Cell ids are ``"cb-<g>-<n>"``
    and grassroots ids ``"db-<g>"``.

    Example:
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=4, members_per_cell=10, grassroots=2)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     print(len(service.roster.members()), len(service.roster.tree().units()))
        ...
        40 7
    """
    top = OrgUnit(id=root, name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh", place="An Giang")
    tops = [
        OrgUnit(
            id=f"db-{g:02d}",
            name=f"Đảng bộ xã số {g + 1}",
            level="Đảng bộ cơ sở",
            parent_id=root,
            grassroots=True,
        )
        for g in range(grassroots)
    ]
    units: list[OrgUnit] = [top, *tops]
    members: list[Member] = []
    chains: dict[str, tuple[OrgUnit, ...]] = {}
    for c in range(cells):
        g = c % grassroots
        cell_id = f"cb-{g:02d}-{c // grassroots:04d}"
        cell_unit = make_unit(cell_id, parent_id=tops[g].id)
        units.append(cell_unit)
        chains[cell_id] = (top, tops[g], cell_unit)
        for i in range(members_per_cell):
            members.append(
                make_member(
                    i + c * members_per_cell,
                    cell=cell_id,
                    id=f"{cell_id}-dv{i:03d}",
                    role=Role.SECRETARY if i == 0 else None,
                )
            )
    return SampleRoster(units=tuple(units), members=tuple(members), chains=chains)


# --- exemplars -----------------------------------------------------------------------------


def make_commendation(
    year: int = 2025,
    *,
    authority: str = "Ban Thường vụ Đảng ủy xã Tịnh Biên",
    decision_number: str = "125-QĐ/ĐU",
    decided_on: dt.date | None = None,
    form: str = "Giấy khen",
) -> Commendation:
    """A commendation (khen thưởng) of the exemplars of ``year``, decided on 5 January of
    the next year unless ``decided_on`` is given.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.testing import make_commendation
        >>> make_commendation(2025, decided_on=dt.date(2026, 1, 20), form="Bằng khen").form
        'Bằng khen'
    """
    return Commendation(
        authority=authority,
        decision_number=decision_number,
        decided_on=decided_on or dt.date(year + 1, 1, 5),
        form=form,
    )


def make_exemplar(
    kind: ExemplarKind = ExemplarKind.INDIVIDUAL,
    *,
    year: int = 2025,
    cell: str = DEFAULT_CELL,
    index: int = 1,
    id: str | None = None,
    name: str | None = None,
    organisation: Sequence[OrgUnit] | None = None,
    grassroots: str = DEFAULT_GRASSROOTS,
    commended: bool = False,
) -> Exemplar:
    """An exemplar (gương điển hình) nominated by hand on 20 December of ``year``.

    Args:
        kind: an individual (the member ``make_member(index, cell=cell)``) or a collective
            (the cell itself).
        year: the year of the deeds.
        cell: the cell id (ignored when ``organisation`` is given).
        index: picks the member of an individual exemplar.
        id: the exemplar id; ``"<kind>-<year>-<subject id>"``, as the service gives it, when
            omitted.
        name: overrides the member's name or the cell's name.
        organisation: the unit chain ending at the cell; by default
            ``make_organisation(cell, grassroots=grassroots)``.
        grassroots: the grassroots organisation id of the default chain.
        commended: whether to add :func:`make_commendation` (the version is then 2, else 1).

    Example:
        >>> from lamtheoguongbac import ExemplarKind
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> make_exemplar(ExemplarKind.COLLECTIVE, year=2025).name
        'Chi bộ ấp Tân Lợi (chibo-01)'
        >>> make_exemplar(commended=True).commendation.decision_number
        '125-QĐ/ĐU'
    """
    chain = (
        tuple(organisation)
        if organisation is not None
        else make_organisation(cell, grassroots=grassroots)
    )
    cell_unit = chain[-1]
    member = make_member(index, cell=cell_unit.id) if kind is ExemplarKind.INDIVIDUAL else None
    subject = member.id if member is not None else cell_unit.id
    secretary = make_secretary(cell_unit.id)
    return Exemplar(
        id=id or exemplar_id(kind, year, subject),
        year=year,
        kind=kind,
        name=name or (member.full_name if member is not None else cell_unit.name),
        organisation=chain,
        achievements=(
            f"1. Giải quyết 100% hồ sơ một cửa đúng hạn trong năm {year} — Kết quả: giải "
            "quyết 1.204 hồ sơ, không hồ sơ nào trễ hạn"
        ),
        nominated_by=secretary.id,
        nominator_name=secretary.full_name,
        nominated_on=dt.date(year, 12, 20),
        member_id=None if member is None else member.id,
        commendation=make_commendation(year) if commended else None,
        version=2 if commended else 1,
    )


# --- inspections ---------------------------------------------------------------------------


def make_inspection(
    *,
    year: int = 2025,
    cells: Sequence[Sequence[OrgUnit]] | None = None,
    id: str | None = None,
    on: dt.date | None = None,
    followed_up: bool = False,
) -> Inspection:
    """An inspection (cuộc kiểm tra) by the grassroots committee of the cells ``cells`` (each
    a chain root → grassroots → cell; default: ``make_organisation()``) on 15 June of
    ``year``: one finding per cell with one request due a month later, and — with
    ``followed_up`` — the first request reported done by the cell's secretary.

    The inspecting body is the unit above the first cell.

    Example:
        >>> from lamtheoguongbac.testing import make_inspection, make_organisation
        >>> inspection = make_inspection(
        ...     cells=[make_organisation("chibo-01"), make_organisation("chibo-02")]
        ... )
        >>> [finding.cell_id for finding in inspection.findings]
        ['chibo-01', 'chibo-02']
    """
    chains = [tuple(c) for c in cells] if cells is not None else [make_organisation()]
    day = on or dt.date(year, 6, 15)
    inspected = tuple(
        InspectedCell(
            organisation=chain,
            handbook_ids=(_handbook_id_of(make_member(i, cell=chain[-1].id), year),),
        )
        for i, chain in enumerate(chains)
    )
    findings = []
    for i, c in enumerate(inspected, start=1):
        follow_ups: tuple[FollowUp, ...] = ()
        if followed_up and i == 1:
            secretary = make_secretary(c.cell.id)
            follow_ups = (
                FollowUp(
                    text="Đã họp chi bộ, 3 đồng chí đăng ký lại việc làm cụ thể",
                    on=day + dt.timedelta(days=20),
                    done=True,
                    recorded_by=secretary.id,
                    recorder_name=secretary.full_name,
                    recorder_role=Role.SECRETARY,
                ),
            )
        findings.append(
            Finding(
                id=f"f{i}",
                kind="dang_ky_chung_chung",
                text=f"{c.cell.name}: 3 đảng viên đăng ký chung chung",
                cell_id=c.cell.id,
                handbook_id=c.handbook_ids[0],
                requests=(
                    Request(
                        id=f"y{i}",
                        text="Đăng ký lại cụ thể, lượng hóa được",
                        due=day + dt.timedelta(days=30),
                        follow_ups=follow_ups,
                    ),
                ),
            )
        )
    body = chains[0][:-1]
    return Inspection(
        id=id or f"kt-{day:%Y%m%d}-{body[-1].id}",
        year=year,
        on=day,
        body=body,
        scope=InspectionScope(kind=ScopeKind.SUBTREE, unit_id=body[-1].id),
        cells=inspected,
        recorded_by="ubkt-01",
        recorder_name="Trần Văn Bình",
        body_name=f"Ban Thường vụ {body[-1].name}",
        conclusion="Các chi bộ cơ bản thực hiện tốt; cần khắc phục việc đăng ký chung chung.",
        findings=tuple(findings),
        version=2 if followed_up else 1,
    )


def _handbook_id_of(member: Member, year: int) -> str:
    return handbook_id(member.id, Period.year(year))


# The workflow is private: what advance returns is reached, and documented, here.
publish("lamtheoguongbac.testing", Transition)
