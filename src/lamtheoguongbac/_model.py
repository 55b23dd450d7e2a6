"""The vocabulary of the handbook: immutable, validated values with no I/O.

Every class is an ``attrs`` frozen, keyword-only value. Text is NFC-normalised and every
field type-checked at construction (see :mod:`lamtheoguongbac._checks`); a bad value raises
:class:`~lamtheoguongbac._errors.ValidationFailed` naming the field, so a value that exists is
well-formed. Lifecycle *rules* (how many pledges, who may assess, …) live in
:mod:`lamtheoguongbac.rules`; only the structure a value needs to make sense is checked here.
Edit a value with :func:`attrs.evolve`, which re-runs the checks.
"""

import datetime as dt
import enum
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from lamtheoguongbac._checks import BIRTH, LINE, checked, fail, require_id, require_text
from lamtheoguongbac._errors import NotFound
from lamtheoguongbac._public import publish

__all__ = [
    "Actor",
    "Basis",
    "BasisKind",
    "Checkpoint",
    "ClearedContent",
    "CollectiveAssessment",
    "DeliverableTarget",
    "Event",
    "EventKind",
    "Handbook",
    "HandbookStatus",
    "LabelledEnum",
    "Member",
    "MemberStatus",
    "OrgUnit",
    "Outcome",
    "Period",
    "Pledge",
    "PledgeResult",
    "QuantityTarget",
    "RatingLevel",
    "RegulationRef",
    "ResultReport",
    "Review",
    "Role",
    "RoleAssignment",
    "SelfAssessment",
    "StudyTheme",
    "Supplement",
    "Target",
    "committee_of",
    "handbook_id",
]


def _check_dates(where: str, start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and end < start:
        fail(
            where,
            f"ngày kết thúc {end.isoformat()} trước ngày bắt đầu {start.isoformat()}",
            f"end {end.isoformat()} is before start {start.isoformat()}",
        )


class LabelledEnum(enum.Enum):
    """An enum whose members carry a Vietnamese label and an English one."""

    label_vi: str
    label_en: str

    if TYPE_CHECKING:
        # What callers see: members are looked up by their value, ``RatingLevel("HTTNV")``.
        def __new__(cls, value: object) -> "LabelledEnum": ...

    else:

        def __new__(cls, value: str, label_vi: str, label_en: str) -> "LabelledEnum":
            member = object.__new__(cls)
            member._value_ = value
            member.label_vi = label_vi
            member.label_en = label_en
            return member

    def label(self, lang: str = "vi") -> str:
        """The label in ``"vi"`` (default) or ``"en"``."""
        return self.label_en if lang == "en" else self.label_vi


# --- organisation and people ---------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=checked)
class OrgUnit:
    """A party organisation unit (tổ chức đảng): a node of a tree with a free-text level.

    The hierarchy changes over time (the 2025 reform abolished districts), so levels are
    labels such as "Chi bộ" or "Đảng bộ cơ sở", not a fixed enum. ``grassroots`` marks the
    grassroots organisation (tổ chức cơ sở đảng), the scope of the top-rating cap.

    ``committee`` is the name of the unit's party committee (cấp ủy), the body that issues
    its documents ("Đảng ủy xã An Phú" for "Đảng bộ xã An Phú"). When it is not given,
    :attr:`committee_name` derives it from the name and level.

    Example:
        >>> from lamtheoguongbac import OrgUnit
        >>> commune = OrgUnit(
        ...     id="xa-anphu", name="Đảng bộ xã An Phú", level="Đảng bộ cơ sở", grassroots=True
        ... )
        >>> cell = OrgUnit(
        ...     id="cb-vanphong", name="Chi bộ Văn phòng", level="Chi bộ", parent_id="xa-anphu"
        ... )
        >>> commune.committee_name, cell.committee_name
        ('Đảng ủy xã An Phú', 'Chi ủy Văn phòng')
    """

    id: str = attrs.field(metadata=LINE)
    name: str = attrs.field(metadata=LINE)
    level: str = attrs.field(metadata=LINE)
    parent_id: str | None = attrs.field(default=None, metadata=LINE)
    grassroots: bool = False
    place: str | None = attrs.field(default=None, metadata=LINE)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    committee: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_id("OrgUnit.id", self.id)
        require_text("OrgUnit.name", self.name, max_len=300)
        require_text("OrgUnit.level", self.level, max_len=100)
        require_text("OrgUnit.place", self.place, max_len=200)
        require_text("OrgUnit.committee", self.committee, max_len=300)
        if self.parent_id is not None:
            require_id("OrgUnit.parent_id", self.parent_id)
            if self.parent_id == self.id:
                fail(
                    "OrgUnit.parent_id",
                    "một tổ chức không thể là cha của chính nó",
                    "a unit cannot be its own parent",
                )
        _check_dates("OrgUnit.valid_to", self.valid_from, self.valid_to)

    def valid_on(self, day: dt.date) -> bool:
        """Whether the unit exists on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    @property
    def committee_name(self) -> str:
        """The committee's name — ``committee`` when given, else derived from the name and
        level ("Đảng bộ tỉnh An Giang" → "Tỉnh ủy An Giang", "Chi bộ ấp Đông" → "Chi ủy ấp
        Đông")."""
        return self.committee if self.committee else committee_of(self.name, self.level)


# The organisation's words → its committee's (Điều lệ Đảng): a đảng bộ tỉnh is led by the
# Tỉnh ủy, a đảng bộ huyện by the Huyện ủy, … any other đảng bộ by its Đảng ủy, a chi bộ by
# its Chi ủy. Longest first, so "đảng bộ tỉnh" wins over "đảng bộ".
_COMMITTEE_WORDS = (
    ("đảng bộ thành phố", "Thành ủy"),
    ("đảng bộ thị xã", "Thị ủy"),
    ("đảng bộ tỉnh", "Tỉnh ủy"),
    ("đảng bộ huyện", "Huyện ủy"),
    ("đảng bộ quận", "Quận ủy"),
    ("đảng bộ", "Đảng ủy"),
    ("chi bộ", "Chi ủy"),
)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def committee_of(name: str, level: str = "") -> str:
    """The committee of a unit named ``name`` at ``level`` (cấp ủy của tổ chức đảng).

    "Đảng bộ xã An Phú" → "Đảng ủy xã An Phú"; "Đảng bộ tỉnh An Giang" → "Tỉnh ủy An
    Giang"; "Chi bộ ấp Đông" → "Chi ủy ấp Đông"; a name that does not start with its kind
    gets the committee's word in front ("Xã An Phú" at level "Đảng bộ xã" → "Đảng ủy Xã An
    Phú"). A unit whose name and level name neither kind keeps its own name.
    """
    name = " ".join(name.split())
    folded_name, folded_level = _fold(name), _fold(level)
    for words, committee in _COMMITTEE_WORDS:
        if folded_name.startswith(words + " "):
            rest = name.split(" ")[len(words.split()) :]
            return " ".join([committee, *rest])
    for words, committee in _COMMITTEE_WORDS[-2:]:
        if folded_level.startswith(words):
            return f"{committee} {name}"
    return name


class MemberStatus(LabelledEnum):
    """A party member's standing (tình trạng đảng viên).

    Example:
        >>> from lamtheoguongbac import MemberStatus
        >>> MemberStatus("du_bi").label_vi
        'Đảng viên dự bị'
    """

    OFFICIAL = ("chinh_thuc", "Đảng viên chính thức", "official member")
    PROBATIONARY = ("du_bi", "Đảng viên dự bị", "probationary member")
    EXEMPT = ("mien_sinh_hoat", "Miễn công tác và sinh hoạt đảng", "exempt from party work")
    SUSPENDED = ("dinh_chi", "Đình chỉ sinh hoạt đảng", "suspended")


class Role(LabelledEnum):
    """A position in a party cell's leadership (chức vụ đảng).

    Example:
        >>> from lamtheoguongbac import Role
        >>> Role.SECRETARY.value, Role.SECRETARY.label_vi, Role.SECRETARY.label_en
        ('bi_thu', 'Bí thư', 'Secretary')
    """

    SECRETARY = ("bi_thu", "Bí thư", "Secretary")
    DEPUTY_SECRETARY = ("pho_bi_thu", "Phó Bí thư", "Deputy Secretary")
    COMMITTEE_MEMBER = ("chi_uy_vien", "Chi ủy viên", "cell committee member")
    GROUP_LEADER = ("to_truong", "Tổ trưởng đảng", "party group leader")
    GROUP_DEPUTY = ("to_pho", "Tổ phó đảng", "party group deputy")
    # Held in a unit above the cells (a đảng bộ): the committee's standing members and the
    # officers of its support unit (bộ phận giúp việc), who inspect and commend.
    STANDING_MEMBER = ("uy_vien_btv", "Ủy viên Ban Thường vụ", "standing committee member")
    SUPPORT_OFFICER = (
        "can_bo_giup_viec",
        "Cán bộ cơ quan tham mưu, giúp việc cấp ủy",
        "officer of the committee's support unit",
    )


@attrs.frozen(kw_only=True, field_transformer=checked)
class RoleAssignment:
    """A role held in a unit over a span of dates (``end`` None: still held).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Role, RoleAssignment
        >>> term = RoleAssignment(
        ...     role=Role.DEPUTY_SECRETARY,
        ...     unit_id="cb-vanphong",
        ...     start=dt.date(2020, 7, 1),
        ...     end=dt.date(2025, 6, 30),
        ... )
        >>> term.holds_on(dt.date(2024, 1, 1)), term.holds_on(dt.date(2025, 7, 1))
        (True, False)
    """

    role: Role
    unit_id: str = attrs.field(metadata=LINE)
    start: dt.date
    end: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        require_id("RoleAssignment.unit_id", self.unit_id)
        _check_dates("RoleAssignment.end", self.start, self.end)

    def holds_on(self, day: dt.date) -> bool:
        """Whether the role is held on ``day``."""
        return self.start <= day and (self.end is None or day <= self.end)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Member:
    """A party member (đảng viên), holding only what the handbook needs.

    ``duties`` are the assigned tasks (nhiệm vụ được giao) pledges must tie to;
    ``party_card_number`` is opaque (its format is not public); ``sort_key`` overrides the
    roster sort for names that do not split as family–middle–given.

    Example:
        >>> from lamtheoguongbac import Member, MemberStatus
        >>> member = Member(
        ...     id="dv04",
        ...     full_name=" Phạm Thị Ánh ",
        ...     cell_id="cb-vanphong",
        ...     status=MemberStatus.PROBATIONARY,
        ...     duties=["Đăng ký hộ tịch"],
        ... )
        >>> member.full_name, member.duties
        ('Phạm Thị Ánh', ('Đăng ký hộ tịch',))
        >>> member.as_actor().name
        'Phạm Thị Ánh'
    """

    id: str = attrs.field(metadata=LINE)
    full_name: str = attrs.field(metadata=LINE)
    cell_id: str = attrs.field(metadata=LINE)
    status: MemberStatus = MemberStatus.OFFICIAL
    position: str | None = attrs.field(default=None, metadata=LINE)
    duties: tuple[str, ...] = attrs.field(default=(), metadata=LINE)
    workplace: str | None = attrs.field(default=None, metadata=LINE)
    date_of_birth: dt.date | None = attrs.field(default=None, metadata=BIRTH)
    joined_on: dt.date | None = None
    official_on: dt.date | None = None
    party_card_number: str | None = attrs.field(default=None, metadata=LINE)
    roles: tuple[RoleAssignment, ...] = ()
    sort_key: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_id("Member.id", self.id)
        require_id("Member.cell_id", self.cell_id)
        require_text("Member.full_name", self.full_name, max_len=200)
        require_text("Member.position", self.position, max_len=300)
        require_text("Member.workplace", self.workplace, max_len=300)
        require_text("Member.party_card_number", self.party_card_number, max_len=50)
        require_text("Member.sort_key", self.sort_key, max_len=200)
        for i, duty in enumerate(self.duties):
            require_text(f"Member.duties[{i}]", duty, max_len=1000)
        _check_dates("Member.official_on", self.joined_on, self.official_on)

    def roles_on(self, day: dt.date, unit_id: str | None = None) -> frozenset[Role]:
        """The roles held on ``day`` (in ``unit_id`` only, when given)."""
        return frozenset(
            r.role
            for r in self.roles
            if r.holds_on(day) and (unit_id is None or r.unit_id == unit_id)
        )

    def as_actor(self) -> "Actor":
        """This member as the actor of a lifecycle step."""
        return Actor(id=self.id, name=self.full_name, roles=self.roles)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Actor:
    """Who takes a lifecycle step: a member, or an official of a committee (người thực hiện).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Actor, Role, RoleAssignment
        >>> start = dt.date(2020, 7, 1)
        >>> secretary = Actor(
        ...     id="dv01",
        ...     name="Nguyễn Văn Hùng",
        ...     roles=(RoleAssignment(role=Role.SECRETARY, unit_id="cb-vanphong", start=start),),
        ... )
        >>> secretary.roles_on(dt.date(2025, 12, 20), "cb-vanphong")
        frozenset({<Role.SECRETARY: 'bi_thu'>})
    """

    id: str = attrs.field(metadata=LINE)
    name: str = attrs.field(metadata=LINE)
    roles: tuple[RoleAssignment, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_id("Actor.id", self.id)
        require_text("Actor.name", self.name, max_len=200)

    def roles_on(self, day: dt.date, unit_id: str) -> frozenset[Role]:
        """The roles the actor holds in ``unit_id`` on ``day``."""
        return frozenset(r.role for r in self.roles if r.holds_on(day) and r.unit_id == unit_id)


# --- themes, bases, pledges ----------------------------------------------------------------


@attrs.frozen(kw_only=True, field_transformer=checked)
class StudyTheme:
    """The year's (or term's) study theme (chuyên đề học tập và làm theo).

    Example:
        >>> from lamtheoguongbac import StudyTheme
        >>> theme = StudyTheme(
        ...     code="AP-2026",
        ...     title="Học tập và làm theo Bác về xây dựng ấp văn hóa",
        ...     first_year=2026,
        ...     last_year=2026,
        ... )
        >>> theme.code, theme.first_year
        ('AP-2026', 2026)
    """

    code: str
    title: str
    first_year: int
    last_year: int

    def __attrs_post_init__(self) -> None:
        require_id("StudyTheme.code", self.code)
        require_text("StudyTheme.title", self.title)
        if not 1945 <= self.first_year <= self.last_year <= 2200:
            fail(
                "StudyTheme.last_year",
                "khoảng năm không hợp lệ",
                f"invalid year range {self.first_year}–{self.last_year}",
            )

    def covers(self, year: int) -> bool:
        """Whether the theme applies to ``year``."""
        return self.first_year <= year <= self.last_year


class BasisKind(LabelledEnum):
    """The kind of ground a pledge rests on (loại căn cứ).

    Example:
        >>> from lamtheoguongbac import BasisKind
        >>> BasisKind("chuyen_de") is BasisKind.STUDY_THEME
        True
        >>> BasisKind.STUDY_THEME.label_vi
        'Chuyên đề học tập'
    """

    STUDY_THEME = ("chuyen_de", "Chuyên đề học tập", "study theme")
    ETHICAL_NORMS = (
        "chuan_muc_dao_duc",
        "Chuẩn mực đạo đức của cơ quan, đơn vị",
        "the unit's ethical norms",
    )
    PROHIBITIONS = (
        "dieu_khong_duoc_lam",
        "Những điều đảng viên không được làm",
        "things party members must not do",
    )
    EXEMPLARY_DUTY = ("trach_nhiem_neu_guong", "Trách nhiệm nêu gương", "exemplary duty")
    RESOLUTION = ("nghi_quyet", "Nghị quyết về xây dựng Đảng", "party-building resolution")
    TEACHING = ("loi_day", "Lời dạy của Bác", "Bác's teaching")
    OTHER = ("khac", "Căn cứ khác", "other")


@attrs.frozen(kw_only=True, field_transformer=checked)
class RegulationRef:
    """A reference to a regulation and article, e.g. ("37-QĐ/TW", 2): articles are renumbered
    between regulations, so a reference is always the pair.

    Example:
        >>> from lamtheoguongbac import RegulationRef
        >>> ref = RegulationRef(regulation="37-QĐ/TW", article=4)
        >>> ref.regulation, ref.article
        ('37-QĐ/TW', 4)
    """

    regulation: str = attrs.field(metadata=LINE)
    article: int | None = None
    clause: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("RegulationRef.regulation", self.regulation, max_len=100)
        require_text("RegulationRef.clause", self.clause, max_len=100)
        if self.article is not None and not 1 <= self.article <= 500:
            fail("RegulationRef.article", "số điều không hợp lệ", "invalid article number")

    def describe(self) -> str:
        """ "Điều 2 Quy định 37-QĐ/TW"-style text: a bare number-symbol ("37-QĐ/TW") gets
        the name of its document type in front (Quy định, Nghị quyết, Chỉ thị, …)."""
        parts = []
        if self.clause:
            parts.append(f"Khoản {self.clause}")
        if self.article is not None:
            parts.append(f"Điều {self.article}")
        parts.append(document_title(self.regulation))
        return " ".join(parts)


# The type abbreviation of a party document's symbol → the name of its type (Hướng dẫn
# 36-HD/VPTW, phụ lục: viết tắt tên loại văn bản).
_DOCUMENT_TYPES = {
    "QĐ": "Quy định", "QĐI": "Quy định", "NQ": "Nghị quyết", "CT": "Chỉ thị",
    "KL": "Kết luận", "HD": "Hướng dẫn", "QC": "Quy chế", "TB": "Thông báo",
}  # fmt: skip
_SYMBOL = re.compile(r"\d+[A-Za-z]?-(?P<kind>[A-Za-zĐđ]+)/\S+")


def document_title(symbol: str) -> str:
    """ "37-QĐ/TW" → "Quy định 37-QĐ/TW"; text that is not a bare symbol is kept."""
    text = symbol.strip()
    found = _SYMBOL.fullmatch(text)
    if found is None:
        return text
    kind = _DOCUMENT_TYPES.get(found.group("kind").upper())
    return f"{kind} {text}" if kind else text


@attrs.frozen(kw_only=True, field_transformer=checked)
class Basis:
    """A ground a pledge rests on (căn cứ): a kind with a regulation reference or free text.

    Example:
        >>> from lamtheoguongbac import Basis, BasisKind, RegulationRef
        >>> basis = Basis(
        ...     kind=BasisKind.PROHIBITIONS,
        ...     reference=RegulationRef(regulation="37-QĐ/TW", article=4),
        ... )
        >>> basis.kind.label_vi
        'Những điều đảng viên không được làm'
    """

    kind: BasisKind
    reference: RegulationRef | None = None
    text: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("Basis.text", self.text)
        if self.reference is None and self.text is None:
            fail(
                "Basis",
                "cần dẫn chiếu văn bản hoặc nội dung căn cứ",
                "a regulation reference or a text is required",
            )

    def describe(self) -> str:
        """Human-readable text of the basis, in Vietnamese."""
        parts = [p for p in (self.reference.describe() if self.reference else None, self.text) if p]
        return ": ".join(parts) if parts else self.kind.label_vi


_AMOUNT_MAX = Decimal(10) ** 15
_AMOUNT_STEP = Decimal("1e-9")


@attrs.frozen(kw_only=True, field_transformer=checked)
class QuantityTarget:
    """A measurable target: an amount with its unit ("100 %", "12 buổi").

    Example:
        >>> from lamtheoguongbac import QuantityTarget
        >>> QuantityTarget(amount="12", unit="buổi").amount
        Decimal('12')
    """

    amount: Decimal
    unit: str = attrs.field(metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("QuantityTarget.unit", self.unit, max_len=100)
        if self.amount < 0:
            fail("QuantityTarget.amount", "không được âm", "must not be negative")
        # Bounded so that "1e999999999" (a few bytes of JSON) cannot expand into a
        # gigabyte of digits when written out or described.
        if self.amount >= _AMOUNT_MAX or self.amount != self.amount.quantize(_AMOUNT_STEP):
            fail(
                "QuantityTarget.amount",
                "phải nhỏ hơn 10^15 và có tối đa 9 chữ số thập phân",
                "must be below 10^15 with at most 9 decimal places",
            )

    def describe(self, lang: str = "vi") -> str:
        """ "100%" / "12 buổi" (the unit as the member wrote it, in every ``lang``)."""
        amount = format(self.amount.normalize(), "f").replace(".", ",")
        return f"{amount}%" if self.unit.strip() == "%" else f"{amount} {self.unit}"


@attrs.frozen(kw_only=True, field_transformer=checked)
class DeliverableTarget:
    """A dated deliverable: something that exists by a date ("01 sáng kiến" by 30/11).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import DeliverableTarget
        >>> target = DeliverableTarget(
        ...     description="01 sáng kiến cải cách thủ tục hành chính", due=dt.date(2025, 11, 30)
        ... )
        >>> target.due.year
        2025
    """

    description: str = attrs.field(metadata=LINE)
    due: dt.date

    def __attrs_post_init__(self) -> None:
        require_text("DeliverableTarget.description", self.description, max_len=1000)

    def describe(self, lang: str = "vi") -> str:
        """ "<description> (trước 30/11/2025)"; with ``lang="en"``, "<description> (by
        30/11/2025)"."""
        return f"{self.description} ({'by' if lang == 'en' else 'trước'} {self.due:%d/%m/%Y})"


Target = QuantityTarget | DeliverableTarget


@attrs.frozen(kw_only=True, field_transformer=checked)
class Checkpoint:
    """An intermediate review date for a pledge (mốc kiểm điểm).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Checkpoint
        >>> Checkpoint(due=dt.date(2025, 6, 30), description="Sơ kết 6 tháng").due.isoformat()
        '2025-06-30'
    """

    due: dt.date
    description: str | None = attrs.field(default=None, metadata=LINE)

    def __attrs_post_init__(self) -> None:
        require_text("Checkpoint.description", self.description, max_len=1000)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Pledge:
    """A deed registered to follow Bác's example (việc đăng ký làm theo).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Basis, BasisKind, Pledge, QuantityTarget
        >>> pledge = Pledge(
        ...     id="v1",
        ...     deed="Tổ chức 06 buổi tuyên truyền pháp luật tại 6 ấp trong năm 2025",
        ...     target=QuantityTarget(amount=6, unit="buổi"),
        ...     deadline=dt.date(2025, 11, 30),
        ...     task="Phổ biến giáo dục pháp luật",
        ...     bases=[Basis(kind=BasisKind.STUDY_THEME, text="Chuyên đề năm 2025")],
        ... )
        >>> pledge.target.amount, type(pledge.bases).__name__
        (Decimal('6'), 'tuple')
    """

    id: str = attrs.field(metadata=LINE)
    deed: str
    target: QuantityTarget | DeliverableTarget | None = None
    deadline: dt.date | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    task: str | None = attrs.field(default=None, metadata=LINE)
    bases: tuple[Basis, ...] = ()
    shortcoming: str | None = None

    def __attrs_post_init__(self) -> None:
        require_id("Pledge.id", self.id)
        require_text("Pledge.deed", self.deed)
        require_text("Pledge.task", self.task, max_len=1000)
        require_text("Pledge.shortcoming", self.shortcoming)


# --- results and assessments ---------------------------------------------------------------


class Outcome(LabelledEnum):
    """How far a pledge was carried out (kết quả thực hiện).

    Example:
        >>> from lamtheoguongbac import Outcome
        >>> Outcome("mot_phan") is Outcome.PARTLY_DONE, Outcome.DONE.label_vi
        (True, 'Đã thực hiện')
    """

    DONE = ("hoan_thanh", "Đã thực hiện", "done")
    PARTLY_DONE = ("mot_phan", "Thực hiện một phần", "partly done")
    NOT_DONE = ("chua_thuc_hien", "Chưa thực hiện", "not done")


@attrs.frozen(kw_only=True, field_transformer=checked)
class PledgeResult:
    """The result for one pledge: what was achieved, what not, how to keep striving.

    Example:
        >>> from lamtheoguongbac import Outcome, PledgeResult
        >>> result = PledgeResult(
        ...     pledge_id="v1",
        ...     outcome=Outcome.DONE,
        ...     achieved="Tổ chức 06 buổi, 420 lượt người dự",
        ... )
        >>> result.outcome.label_vi
        'Đã thực hiện'
    """

    pledge_id: str = attrs.field(metadata=LINE)
    outcome: Outcome
    achieved: str | None = None
    not_done: str | None = None
    direction: str | None = None

    def __attrs_post_init__(self) -> None:
        require_id("PledgeResult.pledge_id", self.pledge_id)
        for name in ("achieved", "not_done", "direction"):
            require_text(f"PledgeResult.{name}", getattr(self, name))
        if self.outcome is not Outcome.DONE and self.not_done is None:
            fail(
                "PledgeResult.not_done",
                "cần nêu phần chưa thực hiện được",
                "say what was not done when the pledge is not fully done",
            )
        if self.outcome is not Outcome.NOT_DONE and self.achieved is None:
            fail("PledgeResult.achieved", "cần nêu kết quả đạt được", "say what was achieved")


@attrs.frozen(kw_only=True, field_transformer=checked)
class ResultReport:
    """The member's report of results (báo cáo kết quả thực hiện), one entry per pledge.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.testing import make_handbook
        >>> report = make_handbook(HandbookStatus.REPORTED).report
        >>> report.submitted_on.isoformat(), [r.outcome.value for r in report.results]
        ('2025-12-05', ['mot_phan', 'hoan_thanh'])
    """

    submitted_on: dt.date
    results: tuple[PledgeResult, ...]

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for i, r in enumerate(self.results):
            if r.pledge_id in seen:
                fail(
                    f"ResultReport.results[{i}].pledge_id",
                    f"việc '{r.pledge_id}' được báo cáo hai lần",
                    f"pledge '{r.pledge_id}' is reported twice",
                )
            seen.add(r.pledge_id)


@attrs.frozen(kw_only=True, field_transformer=checked)
class SelfAssessment:
    """The member's self-assessment (tự nhận xét, đánh giá).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import SelfAssessment
        >>> SelfAssessment(
        ...     text="Hoàn thành cơ bản các việc đã đăng ký.", written_on=dt.date(2025, 12, 5)
        ... ).written_on.isoformat()
        '2025-12-05'
    """

    text: str
    written_on: dt.date

    def __attrs_post_init__(self) -> None:
        require_text("SelfAssessment.text", self.text)


class RatingLevel(LabelledEnum):
    """The four rating levels, stable across every regulation (mức xếp loại).

    Example:
        >>> from lamtheoguongbac import RatingLevel
        >>> RatingLevel("HTTNV") is RatingLevel.GOOD, RatingLevel.GOOD.label_vi
        (True, 'Hoàn thành tốt nhiệm vụ')
    """

    EXCELLENT = ("HTXSNV", "Hoàn thành xuất sắc nhiệm vụ", "completed tasks excellently")
    GOOD = ("HTTNV", "Hoàn thành tốt nhiệm vụ", "completed tasks well")
    COMPLETED = ("HTNV", "Hoàn thành nhiệm vụ", "completed tasks")
    NOT_COMPLETED = ("KHTNV", "Không hoàn thành nhiệm vụ", "did not complete tasks")

    @property
    def abbreviation(self) -> str:
        """ "HTXSNV", "HTTNV", "HTNV" or "KHTNV"."""
        return str(self.value)

    @property
    def rank(self) -> int:
        """0 for the top level, 3 for the lowest."""
        return list(RatingLevel).index(self)


@attrs.frozen(kw_only=True, field_transformer=checked)
class CollectiveAssessment:
    """The party cell's collective assessment (tập thể chi bộ nhận xét, đánh giá).

    Written by the cell's Secretary or Deputy Secretary on behalf of the cell; ``rating`` is
    None for a member who is not rated (e.g. suspended).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import CollectiveAssessment, RatingLevel, Role
        >>> assessment = CollectiveAssessment(
        ...     text="Đồng chí thực hiện nghiêm túc, có kết quả cụ thể.",
        ...     meeting_date=dt.date(2025, 12, 20),
        ...     recorded_by="dv01",
        ...     recorder_name="Nguyễn Văn Hùng",
        ...     recorder_role=Role.SECRETARY,
        ...     rating=RatingLevel.GOOD,
        ... )
        >>> assessment.rating.label_vi
        'Hoàn thành tốt nhiệm vụ'
    """

    text: str
    meeting_date: dt.date
    recorded_by: str = attrs.field(metadata=LINE)
    recorder_name: str = attrs.field(metadata=LINE)
    recorder_role: Role
    rating: RatingLevel | None = None

    def __attrs_post_init__(self) -> None:
        require_text("CollectiveAssessment.text", self.text)
        require_id("CollectiveAssessment.recorded_by", self.recorded_by)
        require_text("CollectiveAssessment.recorder_name", self.recorder_name, max_len=200)


# --- the handbook --------------------------------------------------------------------------


#: The years a handbook may be of: from the Party's founding (1930) to 2200.
FIRST_YEAR, LAST_YEAR = 1930, 2200


def _check_year(where: str, year: object) -> None:
    if isinstance(year, bool) or not isinstance(year, int):
        fail(
            where,
            f"năm phải là số nguyên, không phải {type(year).__name__}",
            f"the year must be a whole number, not {type(year).__name__}",
        )
    if not FIRST_YEAR <= year <= LAST_YEAR:
        fail(
            where,
            f"năm {year} nằm ngoài khoảng {FIRST_YEAR}–{LAST_YEAR}",
            f"the year {year} is outside {FIRST_YEAR}–{LAST_YEAR}",
        )


@attrs.frozen(kw_only=True, field_transformer=checked)
class Period:
    """The span a handbook covers: normally a calendar year, possibly a congress term
    (nhiệm kỳ, e.g. 2021–2025) with a review at the end of each year.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Period
        >>> year = Period(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))
        >>> year.start.year, year.end.isoformat()
        (2025, '2025-12-31')
    """

    start: dt.date
    end: dt.date

    def __attrs_post_init__(self) -> None:
        _check_dates("Period.end", self.start, self.end)

    @classmethod
    def year(cls, year: int) -> "Period":
        """The calendar year ``year``.

        Raises:
            ValidationFailed: ``year`` is not a whole number from 1930 to 2200.
        """
        _check_year("year", year)
        return cls(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))

    @classmethod
    def term(cls, first_year: int, last_year: int) -> "Period":
        """Whole calendar years ``first_year``–``last_year`` (a congress term, nhiệm kỳ)."""
        _check_year("first_year", first_year)
        _check_year("last_year", last_year)
        if last_year < first_year:
            fail(
                "Period.end",
                f"năm cuối {last_year} trước năm đầu {first_year}",
                f"last year {last_year} is before first year {first_year}",
            )
        return cls(start=dt.date(first_year, 1, 1), end=dt.date(last_year, 12, 31))

    @classmethod
    def parse(cls, text: str) -> "Period":
        """ "2025" (a year) or "2021-2025" / "2021–2025" (a term of whole years).

        Raises:
            ValidationFailed: anything else.
        """
        found = re.fullmatch(r"\s*(\d{4})\s*(?:[-–—]\s*(\d{4})\s*)?", text or "")
        if found is None:
            fail(
                "Period",
                f"không hiểu kỳ '{text}': viết 2025 hoặc 2021-2025",
                f"cannot read the period '{text}': write 2025 or 2021-2025",
            )
        first = int(found.group(1))
        return cls.term(first, int(found.group(2) or first))

    @property
    def year_label(self) -> int:
        """The year the period starts in (the handbook's "year")."""
        return self.start.year

    @property
    def is_term(self) -> bool:
        """Whether the period spans more than one calendar year (a term book)."""
        return self.end.year > self.start.year

    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the period touches, in order."""
        return tuple(range(self.start.year, self.end.year + 1))

    @property
    def whole_years(self) -> bool:
        """Whether the period is made of whole calendar years."""
        return (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31)

    def label(self) -> str:
        """ "năm 2025", "nhiệm kỳ 2021–2025", or "từ 01/03/2025 đến 28/02/2026"."""
        if self.whole_years:
            if self.is_term:
                return f"nhiệm kỳ {self.start.year}–{self.end.year}"
            return f"năm {self.start.year}"
        return f"từ {self.start:%d/%m/%Y} đến {self.end:%d/%m/%Y}"

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls within the period."""
        return self.start <= day <= self.end


@attrs.frozen(kw_only=True, field_transformer=checked)
class Supplement:
    """A yearly supplement to a registered term book (đăng ký bổ sung hằng năm): the pledges
    added for ``year`` and the day they were registered.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.interim import Supplement
        >>> added = Supplement(
        ...     year=2026, registered_on=dt.date(2026, 1, 15), pledge_ids=("bs-2026",)
        ... )
        >>> added.year, added.pledge_ids
        (2026, ('bs-2026',))
        >>> Supplement(year=2026, registered_on=dt.date(2026, 1, 15), pledge_ids=())
        Traceback (most recent call last):
        ...
        lamtheoguongbac.ValidationFailed: Supplement.pledge_ids: cần ít nhất một việc bổ sung ...
    """

    year: int
    registered_on: dt.date
    pledge_ids: tuple[str, ...] = attrs.field(metadata=LINE)

    def __attrs_post_init__(self) -> None:
        if not self.pledge_ids:
            fail(
                "Supplement.pledge_ids",
                "cần ít nhất một việc bổ sung",
                "at least one added pledge is required",
            )
        for i, pid in enumerate(self.pledge_ids):
            require_id(f"Supplement.pledge_ids[{i}]", pid)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Review:
    """An interim review at a checkpoint (sơ kết, kiểm điểm theo mốc): the member's interim
    report up to ``checkpoint`` with an optional self-assessment, and — once the cell has
    met — the cell's interim assessment. A term book gets one at the end of each year (its
    per-year results); a yearly book may have one at a mid-year checkpoint.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.interim import Review
        >>> from lamtheoguongbac.testing import make_handbook
        >>> report = make_handbook(HandbookStatus.REPORTED, year=2025).report
        >>> Review(checkpoint=dt.date(2025, 6, 30), report=report).heading
        'Sơ kết đến ngày 30/06/2025'
        >>> Review(checkpoint=dt.date(2025, 12, 31), report=report).heading
        'Kiểm điểm năm 2025'
    """

    checkpoint: dt.date
    report: ResultReport
    title: str | None = None
    self_assessment: SelfAssessment | None = None
    assessment: CollectiveAssessment | None = None

    def __attrs_post_init__(self) -> None:
        require_text("Review.title", self.title, max_len=300)
        if self.assessment is not None and self.assessment.meeting_date < (
            self.report.submitted_on
        ):
            fail(
                "Review.assessment.meeting_date",
                "cuộc họp chi bộ diễn ra trước khi đảng viên báo cáo",
                "the cell's meeting is dated before the member's interim report",
            )

    @property
    def heading(self) -> str:
        """The title, or "Sơ kết đến ngày 30/06/2025" / "Kiểm điểm năm 2022" by default."""
        if self.title:
            return self.title
        if (self.checkpoint.month, self.checkpoint.day) == (12, 31):
            return f"Kiểm điểm năm {self.checkpoint.year}"
        return f"Sơ kết đến ngày {self.checkpoint:%d/%m/%Y}"


def handbook_id(member_id: str, period: Period) -> str:
    """The id a member's handbook for ``period`` gets: ``"dv04-2025"`` for a calendar year,
    ``"dv04-2021-2025"`` for whole years (a congress term), else both dates in full, so a
    term-long handbook and a yearly one of the same member never collide."""
    start, end = period.start, period.end
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        span = str(start.year) if start.year == end.year else f"{start.year}-{end.year}"
    else:
        span = f"{start:%Y%m%d}-{end:%Y%m%d}"
    return f"{member_id}-{span}"


class HandbookStatus(LabelledEnum):
    """Where a handbook is in the yearly cycle (trạng thái sổ tay).

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> HandbookStatus.REPORTED.value, HandbookStatus.REPORTED.label_vi
        ('reported', 'Đã báo cáo kết quả')
    """

    DRAFT = ("draft", "Đang soạn", "draft")
    REGISTERED = ("registered", "Đã đăng ký", "registered")
    REPORTED = ("reported", "Đã báo cáo kết quả", "reported")
    ASSESSED = ("assessed", "Đã được chi bộ đánh giá", "assessed")
    CLOSED = ("closed", "Đã khóa sổ", "closed")

    @property
    def order(self) -> int:
        """Position in the cycle, 0 for draft."""
        return _STATUS_ORDER[self]


# Looked up on every handbook made: counting the members each time cost more than the rest
# of the status check.
_STATUS_ORDER = {status: i for i, status in enumerate(HandbookStatus)}


@attrs.frozen(kw_only=True, field_transformer=checked)
class Handbook:
    """A member's handbook for one period (Sổ tay Làm theo gương Bác).

    ``organisation`` is the chain of units from the root to the member's cell, as they were
    named when the handbook was made, so an old handbook keeps its names after a reform.
    The content must agree with ``status``: no report before *reported*, no collective
    assessment before *assessed*.

    ``registered_on`` is the day the pledges were registered (None in a handbook stored
    before it was recorded). A term book (:attr:`Period.is_term`) may carry yearly
    ``supplements`` of pledges registered later, and ``reviews``: interim reports and the
    cell's interim assessments at checkpoints and year ends, in date order.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.testing import make_handbook
        >>> book = make_handbook(HandbookStatus.REGISTERED, year=2025)
        >>> book.id, book.status.value, book.version, len(book.pledges)
        ('sotay-2025-chibo-01-dv001', 'registered', 1, 2)
        >>> book.pledges[0].deed[:40]
        'Trong năm 2025, soạn 02 bài giảng điện t'
    """

    id: str = attrs.field(metadata=LINE)
    member: Member
    organisation: tuple[OrgUnit, ...]
    period: Period
    theme: StudyTheme | None = None
    #: the catalog policy chosen when the handbook was opened (None: the one for its year)
    policy: str | None = None
    pledges: tuple[Pledge, ...] = ()
    report: ResultReport | None = None
    self_assessment: SelfAssessment | None = None
    collective_assessment: CollectiveAssessment | None = None
    status: HandbookStatus = HandbookStatus.DRAFT
    version: int = 0
    registered_on: dt.date | None = None
    supplements: tuple[Supplement, ...] = ()
    reviews: tuple[Review, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_id("Handbook.id", self.id)
        require_text("Handbook.policy", self.policy, max_len=100)
        if not self.organisation:
            fail(
                "Handbook.organisation",
                "cần ít nhất chi bộ của đảng viên",
                "at least the member's cell is required",
            )
        for i in range(1, len(self.organisation)):
            if self.organisation[i].parent_id != self.organisation[i - 1].id:
                fail(
                    f"Handbook.organisation[{i}]",
                    "chuỗi tổ chức không liền mạch",
                    "each unit must be the child of the one before it",
                )
        if self.cell.id != self.member.cell_id:
            fail(
                "Handbook.organisation",
                "đơn vị cuối phải là chi bộ của đảng viên",
                "the last unit must be the member's cell",
            )
        if self.version < 0:
            fail("Handbook.version", "không được âm", "must not be negative")
        ids = [p.id for p in self.pledges]
        for i, pid in enumerate(ids):
            if pid in ids[:i]:
                fail(
                    f"Handbook.pledges[{i}].id",
                    f"mã việc '{pid}' bị trùng",
                    f"duplicate pledge id '{pid}'",
                )
        if self.report is not None:
            for i, r in enumerate(self.report.results):
                if r.pledge_id not in ids:
                    fail(
                        f"Handbook.report.results[{i}].pledge_id",
                        f"không có việc đăng ký '{r.pledge_id}'",
                        f"no registered pledge '{r.pledge_id}'",
                    )
        self._check_status_content()
        self._check_supplements(ids)
        self._check_reviews(ids)

    def _check_supplements(self, ids: list[str]) -> None:
        seen_years: set[int] = set()
        added: set[str] = set()
        for i, sup in enumerate(self.supplements):
            where = f"Handbook.supplements[{i}]"
            if sup.year in seen_years or not (
                self.period.start.year < sup.year <= self.period.end.year
            ):
                fail(
                    f"{where}.year",
                    f"năm bổ sung {sup.year} phải là một năm sau năm đầu của kỳ và chưa có "
                    "đợt bổ sung",
                    f"supplement year {sup.year} must be a later year of the period, once",
                )
            seen_years.add(sup.year)
            for pid in sup.pledge_ids:
                if pid not in ids or pid in added:
                    fail(
                        f"{where}.pledge_ids",
                        f"việc bổ sung '{pid}' không có trong sổ hoặc bị ghi hai lần",
                        f"supplement pledge '{pid}' is not in the handbook or listed twice",
                    )
                added.add(pid)
        if self.supplements and self.status is HandbookStatus.DRAFT:
            fail(
                "Handbook.supplements",
                "sổ chưa đăng ký không có đăng ký bổ sung",
                "a draft handbook has no supplements",
            )

    def _check_reviews(self, ids: list[str]) -> None:
        previous: dt.date | None = None
        for i, review in enumerate(self.reviews):
            where = f"Handbook.reviews[{i}]"
            if not self.period.contains(review.checkpoint) or (
                previous is not None and review.checkpoint <= previous
            ):
                fail(
                    f"{where}.checkpoint",
                    "mốc sơ kết phải nằm trong kỳ của sổ, theo thứ tự ngày, không trùng",
                    "review checkpoints lie within the period, in date order, once each",
                )
            previous = review.checkpoint
            for j, r in enumerate(review.report.results):
                if r.pledge_id not in ids:
                    fail(
                        f"{where}.report.results[{j}].pledge_id",
                        f"không có việc đăng ký '{r.pledge_id}'",
                        f"no registered pledge '{r.pledge_id}'",
                    )
        if self.reviews and self.status is HandbookStatus.DRAFT:
            fail(
                "Handbook.reviews",
                "sổ chưa đăng ký không có sơ kết",
                "a draft handbook has no interim reviews",
            )

    def review_at(self, checkpoint: dt.date) -> Review | None:
        """The interim review at ``checkpoint``, if there is one."""
        return next((r for r in self.reviews if r.checkpoint == checkpoint), None)

    def supplement_of(self, pledge_id: str) -> Supplement | None:
        """The yearly supplement that added ``pledge_id``; None for a pledge registered at
        the start."""
        return next((s for s in self.supplements if pledge_id in s.pledge_ids), None)

    def _check_status_content(self) -> None:
        order = self.status.order
        stages: list[tuple[str, Any, HandbookStatus]] = [
            ("report", self.report, HandbookStatus.REPORTED),
            ("self_assessment", self.self_assessment, HandbookStatus.REPORTED),
            ("collective_assessment", self.collective_assessment, HandbookStatus.ASSESSED),
        ]
        for name, value, needed in stages:
            if value is not None and order < needed.order:
                fail(
                    f"Handbook.{name}",
                    f"chưa thể có khi sổ ở trạng thái '{self.status.label_vi}'",
                    f"cannot be present while the handbook is {self.status.label_en}",
                )
        if order >= HandbookStatus.REGISTERED.order and not self.pledges:
            fail(
                "Handbook.pledges",
                "sổ đã đăng ký phải có việc đăng ký",
                "a registered handbook must have pledges",
            )
        if order >= HandbookStatus.REPORTED.order and self.report is None:
            fail("Handbook.report", "thiếu báo cáo kết quả", "the results report is missing")
        if order >= HandbookStatus.ASSESSED.order and self.collective_assessment is None:
            fail(
                "Handbook.collective_assessment",
                "thiếu đánh giá của tập thể chi bộ",
                "the collective assessment is missing",
            )

    @property
    def cell(self) -> OrgUnit:
        """The member's party cell (chi bộ)."""
        return self.organisation[-1]

    @property
    def superior(self) -> OrgUnit | None:
        """The unit directly above the cell (cấp ủy cấp trên), if known."""
        return self.organisation[-2] if len(self.organisation) > 1 else None

    @property
    def grassroots(self) -> OrgUnit:
        """The grassroots organisation — the nearest unit marked ``grassroots``, else the
        cell's parent, else the cell."""
        for unit in reversed(self.organisation):
            if unit.grassroots:
                return unit
        return self.superior or self.cell

    @property
    def year(self) -> int:
        """The year the handbook's period starts in."""
        return self.period.year_label

    def pledge(self, pledge_id: str) -> Pledge:
        """The pledge with ``pledge_id``.

        Raises:
            NotFound: the handbook has no such pledge.
        """
        for p in self.pledges:
            if p.id == pledge_id:
                return p
        raise NotFound(
            f"sổ {self.id} không có việc đăng ký '{pledge_id}'",
            f"handbook {self.id} has no pledge '{pledge_id}'",
        )

    def result_for(self, pledge_id: str) -> PledgeResult | None:
        """The reported result for ``pledge_id``, if reported."""
        if self.report is None:
            return None
        return next((r for r in self.report.results if r.pledge_id == pledge_id), None)


# --- audit ---------------------------------------------------------------------------------


class EventKind(LabelledEnum):
    """What a lifecycle event records (loại sự kiện).

    Example:
        >>> from lamtheoguongbac import EventKind
        >>> [kind.value for kind in EventKind][:3]
        ['created', 'registered', 'reported']
    """

    CREATED = ("created", "Lập sổ", "created")
    REGISTERED = ("registered", "Đăng ký làm theo", "registered pledges")
    REPORTED = ("reported", "Báo cáo kết quả", "reported results")
    SELF_ASSESSED = ("self_assessed", "Tự nhận xét, đánh giá", "wrote the self-assessment")
    ASSESSED = ("assessed", "Chi bộ đánh giá", "recorded the collective assessment")
    CLOSED = ("closed", "Khóa sổ", "closed")
    REOPENED = ("reopened", "Mở lại sổ", "reopened")
    SUPPLEMENTED = ("supplemented", "Đăng ký bổ sung", "registered a yearly supplement")
    INTERIM_REPORTED = ("interim_reported", "Báo cáo sơ kết", "reported at a checkpoint")
    INTERIM_ASSESSED = (
        "interim_assessed",
        "Chi bộ nhận xét sơ kết",
        "recorded the cell's interim assessment",
    )


@attrs.frozen(kw_only=True, field_transformer=checked)
class ClearedContent:
    """What reopening a handbook took out of it (nội dung bị xóa khi mở lại sổ), kept in the
    reopening event so nothing written is ever lost: the results report and self-assessment
    (reopened to *registered* or before), the cell's collective assessment (reopened to
    *reported* or before), each None when it was not cleared, and a term book's yearly
    supplements and interim reviews (reopened to *draft*), empty when there were none.

    Example:
        >>> from lamtheoguongbac import ClearedContent, HandbookStatus
        >>> from lamtheoguongbac.testing import make_handbook
        >>> book = make_handbook(HandbookStatus.REPORTED)
        >>> cleared = ClearedContent(report=book.report, self_assessment=book.self_assessment)
        >>> len(cleared.report.results), cleared.collective_assessment
        (2, None)
    """

    report: ResultReport | None = None
    self_assessment: SelfAssessment | None = None
    collective_assessment: CollectiveAssessment | None = None
    supplements: tuple[Supplement, ...] = ()
    reviews: tuple[Review, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing was cleared."""
        return (
            self.report is None
            and self.self_assessment is None
            and self.collective_assessment is None
            and not self.supplements
            and not self.reviews
        )


@attrs.frozen(kw_only=True, field_transformer=checked)
class Event:
    """One entry of a handbook's audit trail: who did what, when (nhật ký).

    ``actor_id``/``actor_name`` are who entered the step. When a committee officer entered it
    for a cell under a documented delegation (a folder of cell workbooks imported by the
    district), ``on_behalf_of``/``on_behalf_of_name`` name the cell officer on whose behalf
    (thay mặt) it was recorded; otherwise they are ``None``. A reopening event keeps in
    ``cleared`` what the reopening took out of the handbook (the previous report,
    self-assessment and collective assessment).

    Example:
        >>> from lamtheoguongbac import Event, EventKind
        >>> from lamtheoguongbac.testing import creation_event, make_handbook
        >>> event = creation_event(make_handbook())
        >>> event.kind is EventKind.CREATED, event.version, event.to_status.value
        (True, 0, 'draft')
    """

    handbook_id: str = attrs.field(metadata=LINE)
    kind: EventKind
    actor_id: str = attrs.field(metadata=LINE)
    actor_name: str = attrs.field(metadata=LINE)
    at: dt.datetime
    from_status: HandbookStatus
    to_status: HandbookStatus
    version: int
    reason: str | None = None
    on_behalf_of: str | None = attrs.field(default=None, metadata=LINE)
    on_behalf_of_name: str | None = attrs.field(default=None, metadata=LINE)
    cleared: ClearedContent | None = None

    def __attrs_post_init__(self) -> None:
        require_id("Event.handbook_id", self.handbook_id)
        require_id("Event.actor_id", self.actor_id)
        require_text("Event.reason", self.reason)
        if self.on_behalf_of is not None:
            require_id("Event.on_behalf_of", self.on_behalf_of)
        require_text("Event.on_behalf_of_name", self.on_behalf_of_name, max_len=200)
        if (self.on_behalf_of is None) != (self.on_behalf_of_name is None):
            fail(
                "Event.on_behalf_of",
                "cần cả mã và họ tên người được thay mặt",
                "on_behalf_of and on_behalf_of_name go together",
            )


publish(
    "lamtheoguongbac",
    OrgUnit,
    MemberStatus,
    Role,
    RoleAssignment,
    Member,
    Actor,
    StudyTheme,
    BasisKind,
    RegulationRef,
    Basis,
    QuantityTarget,
    DeliverableTarget,
    Checkpoint,
    Pledge,
    Outcome,
    PledgeResult,
    ResultReport,
    SelfAssessment,
    RatingLevel,
    CollectiveAssessment,
    Period,
    HandbookStatus,
    Handbook,
    EventKind,
    ClearedContent,
    Event,
)
# Their public home is a namespace (the root is kept small), whichever module loads them.
publish("lamtheoguongbac.interim", Supplement, Review)
