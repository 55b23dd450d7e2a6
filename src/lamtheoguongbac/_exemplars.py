"""Exemplars and their commendation (gương điển hình và khen thưởng): values and pure helpers.

Outstanding individuals and collectives are nominated for a year — from a member's assessed
handbook, or by hand — and then commended once by a party committee; the commended ones are
compiled into the yearbook (kỷ yếu). Most of a committee's exemplars are not party members:
households that give money and working days to build a road, a citizen who helps students, a
school or a cooperative ("gương điển hình trong Nhân dân"); ``Exemplar.party`` is False for
them and their organisation chain is the party unit they were nominated under (the hamlet's
cell, the commune's đảng bộ). An :class:`Exemplar` keeps everything a yearbook page needs as
it was when nominated: the name, the organisation chain (so the cell and its superior keep
their names after a reform), the achievements, its :class:`ExemplarDetails` (field, locality,
figures, proposing body, evidence) and the commendation.

Who may nominate and who may record a commendation is a rule of the organisation roster
(:func:`authorise_nomination`, rule LTGB-E001; :func:`authorise_commendation`, LTGB-E002):
an officer — Bí thư, Phó Bí thư, cấp ủy viên, Ủy viên Ban Thường vụ or an officer of the
committee's support unit — of a unit of the exemplar's organisation chain, and, for a
commendation, of the body that awards it.

Like :mod:`lamtheoguongbac._model`, every class is an ``attrs`` frozen, keyword-only value,
NFC-normalised and checked at construction; a bad value raises
:class:`~lamtheoguongbac._errors.ValidationFailed` naming the field. The helpers here are pure:
storing and the clock belong to :class:`~lamtheoguongbac._service.core.Handbooks`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal

import attrs

from lamtheoguongbac._checks import LINE, checked, fail, require_id, require_text
from lamtheoguongbac._errors import NotAuthorised, TransitionNotAllowed, ValidationFailed
from lamtheoguongbac._model import (
    Actor,
    Handbook,
    HandbookStatus,
    LabelledEnum,
    OrgUnit,
    Outcome,
    RatingLevel,
    Role,
    RoleAssignment,
)
from lamtheoguongbac._permissions import require_signer
from lamtheoguongbac._public import publish
from lamtheoguongbac.text import collation_key, date_phrase, name_sort_key, nfc, strip_accents

__all__ = [
    "OFFICER_ROLES",
    "Commendation",
    "Exemplar",
    "ExemplarDetails",
    "ExemplarField",
    "ExemplarKind",
    "Figure",
    "Locality",
    "achievements_from",
    "authorise_commendation",
    "authorise_nomination",
    "exemplar_id",
    "exemplar_order",
    "nomination_from_handbook",
    "subject_slug",
    "with_commendation",
]

#: The roles that make a member an officer of a unit for the committee's work — nominating
#: and commending exemplars, inspecting (Bí thư, Phó Bí thư, cấp ủy viên, Ủy viên Ban Thường
#: vụ, officer of the committee's support unit).
OFFICER_ROLES = frozenset(
    {
        Role.SECRETARY,
        Role.DEPUTY_SECRETARY,
        Role.COMMITTEE_MEMBER,
        Role.STANDING_MEMBER,
        Role.SUPPORT_OFFICER,
    }
)

_NAME_MAX = 300
_ACHIEVEMENTS_MAX = 20_000


class ExemplarKind(LabelledEnum):
    """Whether the exemplar is a collective or a person (loại gương điển hình).

    Collectives come first, as in commendation decisions and yearbooks.

    Example:
        >>> from lamtheoguongbac import ExemplarKind
        >>> ExemplarKind("tap_the") is ExemplarKind.COLLECTIVE
        True
    """

    COLLECTIVE = ("tap_the", "Tập thể", "collective")
    INDIVIDUAL = ("ca_nhan", "Cá nhân", "individual")

    @property
    def order(self) -> int:
        """Position in listings (0 for collectives, 1 for individuals)."""
        return list(ExemplarKind).index(self)


class ExemplarField(LabelledEnum):
    """The field an exemplar stands out in (lĩnh vực), in the order a yearbook groups them.

    Example:
        >>> from lamtheoguongbac.committee import ExemplarField
        >>> ExemplarField("giao_duc") is ExemplarField.EDUCATION, ExemplarField.EDUCATION.label_vi
        (True, 'Giáo dục, khuyến học')
    """

    ECONOMY = ("kinh_te", "Phát triển kinh tế", "economic development")
    NEW_RURAL = (
        "nong_thon_moi",
        "Xây dựng nông thôn mới, đô thị văn minh",
        "new rural areas and civilised towns",
    )
    SOCIAL_WELFARE = (
        "an_sinh_xa_hoi",
        "An sinh xã hội, nhân đạo, từ thiện",
        "social welfare and charity",
    )
    EDUCATION = ("giao_duc", "Giáo dục, khuyến học", "education")
    HEALTH = ("y_te", "Y tế, chăm sóc sức khỏe Nhân dân", "health")
    CULTURE = ("van_hoa", "Văn hóa, thể thao", "culture and sport")
    ENVIRONMENT = ("moi_truong", "Bảo vệ môi trường", "environment")
    SECURITY = ("quoc_phong_an_ninh", "Quốc phòng, an ninh, trật tự", "defence and security")
    ADMINISTRATION = (
        "cai_cach_hanh_chinh",
        "Cải cách hành chính, chuyển đổi số",
        "administrative reform",
    )
    PARTY_BUILDING = (
        "xay_dung_dang",
        "Xây dựng Đảng và hệ thống chính trị",
        "party building",
    )
    OTHER = ("khac", "Lĩnh vực khác", "other fields")

    @property
    def order(self) -> int:
        """Position in a yearbook (the order of this list)."""
        return list(ExemplarField).index(self)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Locality:
    """Where an exemplar lives or works (địa bàn): hamlet, commune, district, province.

    Example:
        >>> from lamtheoguongbac.committee import Locality
        >>> Locality(hamlet="Ấp Đông", commune="Xã Tịnh Biên", province="An Giang").province
        'An Giang'
    """

    hamlet: str | None = attrs.field(default=None, metadata=LINE)
    commune: str | None = attrs.field(default=None, metadata=LINE)
    district: str | None = attrs.field(default=None, metadata=LINE)
    province: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        for name in ("hamlet", "commune", "district", "province"):
            require_text(f"Locality.{name}", getattr(self, name), max_len=200)
        if not any((self.hamlet, self.commune, self.district, self.province)):
            fail(
                "Locality",
                "cần ít nhất một địa danh (ấp/thôn, xã/phường, …)",
                "at least one place name is required (hamlet, commune, …)",
            )

    def describe(self) -> str:
        """ "Ấp 3, xã An Phú, tỉnh An Giang" (the names as written, joined by commas)."""
        return ", ".join(p for p in (self.hamlet, self.commune, self.district, self.province) if p)


_FIGURE_MAX = Decimal(10) ** 15


def _vi_number(amount: Decimal) -> str:
    """ "50.000.000", "1,5": dots between thousands, a comma before decimals."""
    text = format(amount.normalize(), "f")
    whole, _, frac = text.partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return f"{grouped},{frac}" if frac else grouped


@attrs.frozen(kw_only=True, field_transformer=checked)
class Figure:
    """A figure of what an exemplar did (số liệu): 50.000.000 đồng, 120 ngày công, 350 m
    đường, 15 học sinh được giúp đỡ. ``what`` says what was counted.

    Example:
        >>> from lamtheoguongbac.committee import Figure
        >>> Figure(amount="50000000", unit="đồng", what="ủng hộ xây nhà tình nghĩa").amount
        Decimal('50000000')
    """

    amount: Decimal
    unit: str = attrs.field(metadata=LINE)
    what: str | None = None

    def __attrs_post_init__(self) -> None:
        require_text("Figure.unit", self.unit, max_len=100)
        require_text("Figure.what", self.what, max_len=300)
        if self.amount < 0 or self.amount >= _FIGURE_MAX:
            fail(
                "Figure.amount",
                "phải từ 0 đến dưới 10^15",
                "must be at least 0 and below 10^15",
            )
        if self.amount != self.amount.quantize(Decimal("0.001")):
            fail(
                "Figure.amount",
                "có tối đa 3 chữ số thập phân",
                "has at most 3 decimal places",
            )

    def describe(self) -> str:
        """ "50.000.000 đồng tiền mặt ủng hộ làm đường" (amount, unit, then what)."""
        text = f"{_vi_number(self.amount)} {self.unit}"
        return f"{text} {self.what}" if self.what else text


@attrs.frozen(kw_only=True, field_transformer=checked)
class ExemplarDetails:
    """What a committee records about an exemplar beyond its deeds (thông tin gương điển hình).

    ``field`` is the field it stands out in; ``locality`` where it lives or works;
    ``figures`` what it did in numbers; ``proposed_by`` the body that proposed it (a party
    unit, the Fatherland Front, a mass organisation, a hamlet meeting); ``evidence`` the
    papers that back it (minutes, receipts, a confirmation by the commune).

    Example:
        >>> from lamtheoguongbac.committee import ExemplarDetails, ExemplarField, Figure, Locality
        >>> details = ExemplarDetails(
        ...     field=ExemplarField.NEW_RURAL,
        ...     locality=Locality(hamlet="Ấp Đông", commune="Xã An Phú"),
        ...     figures=(Figure(amount=350, unit="m", what="đường bê tông"),),
        ... )
        >>> details.field.label_vi, details.locality.commune, details.figures[0].amount
        ('Xây dựng nông thôn mới, đô thị văn minh', 'Xã An Phú', Decimal('350'))
    """

    field: ExemplarField = ExemplarField.OTHER
    locality: Locality | None = None
    figures: tuple[Figure, ...] = ()
    proposed_by: str | None = attrs.field(default=None, metadata=LINE)
    evidence: tuple[str, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_text("ExemplarDetails.proposed_by", self.proposed_by, max_len=300)
        if len(self.figures) > 50:
            fail("ExemplarDetails.figures", "tối đa 50 số liệu", "at most 50 figures")
        if len(self.evidence) > 50:
            fail("ExemplarDetails.evidence", "tối đa 50 minh chứng", "at most 50 items")
        for i, item in enumerate(self.evidence):
            require_text(f"ExemplarDetails.evidence[{i}]", item, max_len=1000)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Commendation:
    """A commendation (khen thưởng): who gave it, by which decision, on which day, in what form.

    ``authority`` is the commending body as the decision names it ("Ban Thường vụ Đảng ủy
    xã An Phú"), ``body_id`` the id of its unit in the organisation tree (the service fills
    it when not given, see :func:`~lamtheoguongbac.committee.authorise_commendation`),
    ``decision_number`` the decision's number ("125-QĐ/ĐU") and ``form`` what was given
    ("Giấy khen", "Bằng khen").
    ``recorded_by``/``recorder_name`` name who entered it in the system;
    :meth:`handbooks.exemplars.commend <lamtheoguongbac._service.exemplars.ExemplarsFacet.commend>`
    fills them from its actor, and refuses a commendation whose data names anyone else
    (LTGB-G001).

    Example:
        >>> from lamtheoguongbac.testing import make_commendation
        >>> commendation = make_commendation(2025)
        >>> commendation.decision_number, commendation.decided_on.isoformat(), commendation.form
        ('125-QĐ/ĐU', '2026-01-05', 'Giấy khen')
    """

    authority: str = attrs.field(metadata=LINE)
    decision_number: str = attrs.field(metadata=LINE)
    decided_on: dt.date
    form: str = attrs.field(default="Giấy khen", metadata=LINE)
    recorded_by: str | None = attrs.field(default=None, metadata=LINE)
    recorder_name: str | None = attrs.field(default=None, metadata=LINE)
    body_id: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("Commendation.authority", self.authority, max_len=_NAME_MAX)
        require_text("Commendation.decision_number", self.decision_number, max_len=100)
        require_text("Commendation.form", self.form, max_len=100)
        if self.recorded_by is not None:
            require_id("Commendation.recorded_by", self.recorded_by)
        require_text("Commendation.recorder_name", self.recorder_name, max_len=200)
        if self.body_id is not None:
            require_id("Commendation.body_id", self.body_id)
        if (self.recorded_by is None) != (self.recorder_name is None):
            fail(
                "Commendation.recorder_name",
                "cần cả mã và họ tên người ghi nhận, hoặc không có cả hai",
                "give both the recorder's id and name, or neither",
            )

    def describe(self) -> str:
        """ "Được Ban Thường vụ Đảng ủy xã An Phú tặng Giấy khen theo Quyết định số 125-QĐ/ĐU
        ngày 05 tháng 01 năm 2026"."""
        return (
            f"Được {self.authority} tặng {self.form} theo Quyết định số {self.decision_number} "
            f"{date_phrase(self.decided_on)}"
        )


@attrs.frozen(kw_only=True, field_transformer=checked)
class Exemplar:
    """An outstanding individual or collective of a year (gương điển hình, người tốt việc tốt).

    ``organisation`` is the chain of units from the root down to the individual's cell, or
    down to the collective itself, as named on nomination. An individual carries its
    ``member_id`` (and ``source_handbook_id`` when nominated from the handbook); a collective
    is the chain's last unit and has neither. ``party`` is False for an exemplar among the
    people (quần chúng: a citizen, a household, a school …): it has no member id and its
    chain ends at the party unit it was nominated under. ``achievements`` are the deeds and
    what they achieved; ``details`` the field, locality, figures, proposing body and
    evidence. ``commendation`` is set once (re-commending is refused, see
    :meth:`handbooks.exemplars.commend
    <lamtheoguongbac._service.exemplars.ExemplarsFacet.commend>`); ``version`` moves on by one with
    every stored change.

    Example:
        >>> from lamtheoguongbac import ExemplarKind
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> exemplar = make_exemplar(ExemplarKind.INDIVIDUAL, year=2025)
        >>> exemplar.year, exemplar.kind.value, exemplar.commendation is None
        (2025, 'ca_nhan', True)
    """

    id: str = attrs.field(metadata=LINE)
    year: int
    kind: ExemplarKind
    name: str = attrs.field(metadata=LINE)
    organisation: tuple[OrgUnit, ...]
    achievements: str
    nominated_by: str = attrs.field(metadata=LINE)
    nominator_name: str = attrs.field(metadata=LINE)
    nominated_on: dt.date
    member_id: str | None = attrs.field(default=None, metadata=LINE)
    source_handbook_id: str | None = attrs.field(default=None, metadata=LINE)
    commendation: Commendation | None = None
    version: int = 1
    party: bool = True
    details: ExemplarDetails = ExemplarDetails()

    def __attrs_post_init__(self) -> None:
        require_id("Exemplar.id", self.id)
        if not 1945 <= self.year <= 2200:
            fail("Exemplar.year", f"năm {self.year} không hợp lệ", f"invalid year {self.year}")
        require_text("Exemplar.name", self.name, max_len=_NAME_MAX)
        require_text("Exemplar.achievements", self.achievements, max_len=_ACHIEVEMENTS_MAX)
        require_id("Exemplar.nominated_by", self.nominated_by)
        require_text("Exemplar.nominator_name", self.nominator_name, max_len=200)
        if self.version < 0:
            fail("Exemplar.version", "không được âm", "must not be negative")
        self._check_organisation()
        self._check_subject()
        self._check_dates()

    def _check_organisation(self) -> None:
        if not self.organisation:
            fail(
                "Exemplar.organisation",
                "cần ít nhất chi bộ (tập thể được đề cử hoặc chi bộ của đảng viên)",
                "at least the cell is required (the collective, or the member's cell)",
            )
        for i in range(1, len(self.organisation)):
            if self.organisation[i].parent_id != self.organisation[i - 1].id:
                fail(
                    f"Exemplar.organisation[{i}]",
                    "chuỗi tổ chức không liền mạch",
                    "each unit must be the child of the one before it",
                )

    def _check_subject(self) -> None:
        if not self.party:
            if self.member_id is not None or self.source_handbook_id is not None:
                fail(
                    "Exemplar.member_id",
                    "gương điển hình ngoài Đảng không mang mã đảng viên hay sổ tay",
                    "an exemplar outside the party has no member id nor handbook",
                )
            return
        if self.kind is ExemplarKind.INDIVIDUAL:
            if self.member_id is None:
                fail(
                    "Exemplar.member_id",
                    "gương điển hình cá nhân cần mã đảng viên",
                    "an individual exemplar needs the member's id",
                )
            require_id("Exemplar.member_id", self.member_id)
            if self.source_handbook_id is not None:
                require_id("Exemplar.source_handbook_id", self.source_handbook_id)
            return
        if self.member_id is not None:
            fail(
                "Exemplar.member_id",
                "gương điển hình tập thể không mang mã đảng viên (tập thể là đơn vị cuối "
                "của chuỗi tổ chức)",
                "a collective exemplar has no member id (the collective is the last unit of "
                "the organisation chain)",
            )
        if self.source_handbook_id is not None:
            fail(
                "Exemplar.source_handbook_id",
                "chỉ đề cử cá nhân mới lấy từ sổ tay",
                "only an individual is nominated from a handbook",
            )

    def _check_dates(self) -> None:
        start = dt.date(self.year, 1, 1)
        if self.nominated_on < start:
            fail(
                "Exemplar.nominated_on",
                f"ngày đề cử {self.nominated_on:%d/%m/%Y} trước năm {self.year}",
                f"nominated on {self.nominated_on.isoformat()}, before the year {self.year}",
            )
        if self.commendation is not None and self.commendation.decided_on < start:
            fail(
                "Exemplar.commendation.decided_on",
                f"quyết định khen thưởng ngày {self.commendation.decided_on:%d/%m/%Y} trước "
                f"năm {self.year}",
                f"the commendation of {self.commendation.decided_on.isoformat()} is dated "
                f"before the year {self.year}",
            )

    @property
    def cell(self) -> OrgUnit:
        """The individual's cell (chi bộ), the collective itself, or — for an exemplar outside
        the party — the party unit it was nominated under."""
        return self.organisation[-1]

    @property
    def unit_is_subject(self) -> bool:
        """Whether the exemplar is the last unit of its chain (a party collective)."""
        return self.party and self.kind is ExemplarKind.COLLECTIVE

    @property
    def superior(self) -> OrgUnit | None:
        """The unit directly above :attr:`cell` (cấp ủy cấp trên), if known."""
        return self.organisation[-2] if len(self.organisation) > 1 else None

    @property
    def commended(self) -> bool:
        """Whether the commendation has been recorded."""
        return self.commendation is not None

    def kind_label(self, lang: str = "vi") -> str:
        """ "Cá nhân"/"Tập thể" (or the English label with ``lang="en"``)."""
        return self.kind.label(lang)

    def commendation_text(self) -> str | None:
        """The commendation as the yearbook writes it (see :meth:`Commendation.describe`);
        ``None`` while not commended."""
        return None if self.commendation is None else self.commendation.describe()


def exemplar_id(kind: ExemplarKind, year: int, subject_id: str) -> str:
    """The id the service gives a nomination: ``"<kind>-<year>-<member or cell id>"``, so a
    person or a cell is nominated at most once a year (``"ca_nhan-2025-dv01"``); for an
    exemplar outside the party the subject is :func:`subject_slug`."""
    return f"{kind.value}-{year}-{subject_id}"


def subject_slug(unit_id: str, name: str) -> str:
    """The subject part of the id of an exemplar outside the party: the unit it is nominated
    under and its name without accents ("cb-ap3-ho-ong-tran-van-ba").

    Example:
        >>> from lamtheoguongbac.committee import subject_slug
        >>> subject_slug("cb-ap3", "Hộ ông Trần Văn Bá")
        'cb-ap3-ho-ong-tran-van-ba'
    """
    words = re.findall(r"[a-z0-9]+", strip_accents(name).lower().replace("đ", "d"))
    slug = "-".join(words)[:80].strip("-")
    if not slug:  # a name of no Latin letter or digit ("李"): two such would share an id
        slug = hashlib.blake2b(nfc(name).encode(), digest_size=5).hexdigest()
    return f"{unit_id}-{slug}"


def _name_key(exemplar: Exemplar) -> tuple[bytes, ...]:
    # People by given name, then middle and family name, as a roster; collectives (a cell,
    # a household, a school) by their whole name.
    if exemplar.kind is ExemplarKind.INDIVIDUAL:
        return name_sort_key(exemplar.name)
    return (collation_key(exemplar.name),)


def exemplar_order(exemplar: Exemplar) -> tuple[int, int, tuple[bytes, ...], str]:
    """The order stores list exemplars in, the yearbook's within a field: (year, kind —
    collectives first, the name in Vietnamese order — people by given name, then middle and
    family name, collectives by their whole name — id).

    Example:
        >>> from lamtheoguongbac import ExemplarKind
        >>> from lamtheoguongbac.plugin import exemplar_order
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> people = [make_exemplar(index=i) for i in (1, 2)]
        >>> cell = make_exemplar(ExemplarKind.COLLECTIVE, index=3)
        >>> [e.kind.value for e in sorted([*people, cell], key=exemplar_order)]
        ['tap_the', 'ca_nhan', 'ca_nhan']
    """
    return (exemplar.year, exemplar.kind.order, _name_key(exemplar), exemplar.id)


def _offices(roles: Iterable[RoleAssignment], unit_ids: Iterable[str], day: dt.date) -> bool:
    wanted = set(unit_ids)
    return any(r.role in OFFICER_ROLES and r.unit_id in wanted and r.holds_on(day) for r in roles)


def authorise_nomination(exemplar: Exemplar, actor: Actor, roles: Iterable[RoleAssignment]) -> None:
    """Rule LTGB-E001: a nomination is made by an officer (:data:`OFFICER_ROLES`) of a unit of
    the exemplar's organisation chain — its cell, the unit it was nominated under, or any
    unit above — holding that role on the nomination date, as the roster (``roles``) says.

    Raises:
        NotAuthorised: ``actor`` holds no such role.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import NotAuthorised
        >>> from lamtheoguongbac.committee import authorise_nomination
        >>> from lamtheoguongbac.testing import make_exemplar, make_member, make_secretary
        >>> exemplar = make_exemplar()
        >>> secretary = make_secretary("chibo-01")
        >>> authorise_nomination(exemplar, secretary.as_actor(), secretary.roles)
        >>> try:
        ...     authorise_nomination(exemplar, make_member(5).as_actor(), ())
        ... except NotAuthorised as error:
        ...     print(error.code)
        ...
        LTGB-E001
    """
    if not _offices(roles, (u.id for u in exemplar.organisation), exemplar.nominated_on):
        raise NotAuthorised(
            f"{actor.name} không được đề cử gương điển hình '{exemplar.name}': chỉ Bí thư, "
            f"Phó Bí thư, cấp ủy viên hoặc cán bộ giúp việc của {exemplar.cell.name} hay của "
            "cấp ủy cấp trên (theo danh sách tổ chức) mới được đề cử",
            f"{actor.name} may not nominate '{exemplar.name}': only an officer of "
            f"{exemplar.cell.name} or of a committee above it, as the roster says, may",
            code="LTGB-E001",
        )


def authorise_commendation(
    exemplar: Exemplar,
    commendation: Commendation,
    actor: Actor,
    roles: Iterable[RoleAssignment],
    on: dt.date,
) -> Commendation:
    """Rule LTGB-E002: a commendation is recorded by an officer (:data:`OFFICER_ROLES`) of the
    awarding body on ``on`` (the day it is recorded), as the roster (``roles``) says; the
    body is a unit of the exemplar's organisation chain.

    Returns the commendation with ``body_id`` filled: when not given, the highest unit of the
    chain where ``actor`` is an officer.

    Raises:
        ValidationFailed: ``commendation.body_id`` is not in the exemplar's chain
            (LTGB-E003).
        NotAuthorised: ``actor`` is no officer of the awarding body.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import NotAuthorised, Role, RoleAssignment
        >>> from lamtheoguongbac.testing import make_commendation, make_exemplar, make_member
        >>> from lamtheoguongbac.committee import authorise_commendation
        >>> exemplar = make_exemplar(year=2025)
        >>> commendation = make_commendation(2025)
        >>> officer = make_member(9, cell="chibo-01")
        >>> roles = [
        ...     RoleAssignment(
        ...         role=Role.STANDING_MEMBER, unit_id="dangbo-xa-tb", start=dt.date(2020, 1, 1)
        ...     )
        ... ]
        >>> recorded = authorise_commendation(
        ...     exemplar, commendation, officer.as_actor(), roles, dt.date(2026, 1, 5)
        ... )
        >>> recorded.body_id  # the body the officer acts for
        'dangbo-xa-tb'
        >>> try:
        ...     authorise_commendation(
        ...         exemplar, commendation, officer.as_actor(), [], dt.date(2026, 1, 5)
        ...     )
        ... except NotAuthorised as error:
        ...     print(error.code)
        ...
        LTGB-E002
    """
    roles = tuple(roles)
    chain = [u.id for u in exemplar.organisation]
    body = commendation.body_id
    if body is not None and body not in chain:
        raise ValidationFailed(
            f"cấp khen thưởng '{body}' không thuộc chuỗi tổ chức của gương điển hình "
            f"'{exemplar.name}' ({' › '.join(chain)})",
            f"the awarding body '{body}' is not in the organisation chain of '{exemplar.name}' "
            f"({' › '.join(chain)})",
            field="Commendation.body_id",
            code="LTGB-E003",
        )
    if body is None:
        body = next((u for u in chain if _offices(roles, (u,), on)), None)
    if body is None or not _offices(roles, (body,), on):
        raise NotAuthorised(
            f"{actor.name} không được ghi nhận khen thưởng cho '{exemplar.name}': chỉ Bí thư, "
            "Phó Bí thư, cấp ủy viên hoặc cán bộ giúp việc của cấp khen thưởng (theo danh "
            "sách tổ chức) mới được ghi nhận",
            f"{actor.name} may not record the commendation of '{exemplar.name}': only an "
            "officer of the awarding body, as the roster says, may",
            code="LTGB-E002",
        )
    return attrs.evolve(commendation, body_id=body)


def achievements_from(handbook: Handbook) -> str:
    """The achievements of a handbook: each pledge reported *done*, with what it achieved.

    One numbered line per pledge, "1. <deed> — Kết quả: <achieved>".

    Raises:
        ValidationFailed: no pledge of the handbook was reported done.
    """
    lines: list[str] = []
    for pledge in handbook.pledges:
        result = handbook.result_for(pledge.id)
        if result is not None and result.outcome is Outcome.DONE:
            lines.append(f"{len(lines) + 1}. {pledge.deed} — Kết quả: {result.achieved}")
    if not lines:
        raise ValidationFailed(
            f"sổ '{handbook.id}' không có việc nào được báo cáo đã thực hiện",
            f"handbook '{handbook.id}' has no pledge reported done",
            field="Handbook.report",
        )
    return "\n".join(lines)


def nomination_from_handbook(handbook: Handbook, *, actor: Actor, on: dt.date) -> Exemplar:
    """Nominate the owner of an assessed or closed handbook rated at least "Hoàn thành tốt
    nhiệm vụ"; the achievements are its pledges reported done (:func:`achievements_from`).

    Raises:
        TransitionNotAllowed: the handbook is not assessed or closed, or is rated below
            HTTNV (or not rated).
        ValidationFailed: no pledge was reported done, or a value is invalid.
    """
    if handbook.status not in (HandbookStatus.ASSESSED, HandbookStatus.CLOSED):
        raise TransitionNotAllowed(
            f"Chỉ đề cử gương điển hình từ sổ đã được chi bộ đánh giá hoặc đã khóa; sổ "
            f"'{handbook.id}' đang ở trạng thái '{handbook.status.label_vi}'",
            f"only an assessed or closed handbook can back a nomination; handbook "
            f"'{handbook.id}' is {handbook.status.label_en}",
        )
    assessment = handbook.collective_assessment
    rating = None if assessment is None else assessment.rating
    if rating is None or rating.rank > RatingLevel.GOOD.rank:
        given_vi = "chưa được xếp loại" if rating is None else f"xếp loại {rating.abbreviation}"
        given_en = "is not rated" if rating is None else f"is rated {rating.abbreviation}"
        raise TransitionNotAllowed(
            f"Sổ '{handbook.id}' {given_vi}: chỉ đề cử đảng viên xếp loại từ Hoàn thành tốt "
            "nhiệm vụ (HTTNV) trở lên",
            f"handbook '{handbook.id}' {given_en}: only members rated HTTNV (completed tasks "
            "well) or better can be nominated",
        )
    member = handbook.member
    return Exemplar(
        id=exemplar_id(ExemplarKind.INDIVIDUAL, handbook.year, member.id),
        year=handbook.year,
        kind=ExemplarKind.INDIVIDUAL,
        name=member.full_name,
        organisation=handbook.organisation,
        achievements=achievements_from(handbook),
        nominated_by=actor.id,
        nominator_name=actor.name,
        nominated_on=on,
        member_id=member.id,
        source_handbook_id=handbook.id,
    )


def with_commendation(exemplar: Exemplar, commendation: Commendation, *, actor: Actor) -> Exemplar:
    """``exemplar`` commended, recorded by ``actor``, at the next version.

    A commendation whose data already names a recorder (``recorded_by``/``recorder_name``)
    must name ``actor``, as an assessment's must: it is refused, not silently rewritten, so a
    caller who believes the data speaks for someone learns that it does not (LTGB-G001).

    Raises:
        NotAuthorised: the commendation names someone other than ``actor`` as its recorder
            (LTGB-G001).
        TransitionNotAllowed: the exemplar is commended already (a commendation is recorded
            once; a second decision is refused).
        ValidationFailed: the decision is dated before the exemplar's year.
    """
    what = ("Việc khen thưởng", "The commendation")
    if commendation.recorded_by is not None:
        require_signer(actor, commendation.recorded_by, what_vi=what[0], what_en=what[1])
    if commendation.recorder_name is not None and commendation.recorder_name != actor.name:
        raise NotAuthorised(
            f"{what[0]} ghi tên người ghi nhận là '{commendation.recorder_name}' nhưng người "
            f"thực hiện là {actor.name} ('{actor.id}'): không ai được ký thay người khác; "
            "người ghi phải tự nhập",
            f"{what[1]} names '{commendation.recorder_name}' as its recorder, but the caller "
            f"is {actor.name} ('{actor.id}'): nobody signs for someone else; the recorder "
            "must enter it themselves",
            code="LTGB-G001",
        )
    if exemplar.commendation is not None:
        raise TransitionNotAllowed(
            f"Gương điển hình '{exemplar.id}' ({exemplar.name}) đã được khen thưởng theo "
            f"Quyết định số {exemplar.commendation.decision_number}; không ghi nhận lần nữa",
            f"exemplar '{exemplar.id}' ({exemplar.name}) is already commended by decision "
            f"{exemplar.commendation.decision_number}; it cannot be commended again",
        )
    recorded = attrs.evolve(commendation, recorded_by=actor.id, recorder_name=actor.name)
    return attrs.evolve(exemplar, commendation=recorded, version=exemplar.version + 1)


publish("lamtheoguongbac", ExemplarKind, Commendation, Exemplar)
