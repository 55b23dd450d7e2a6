"""Hypothesis strategies for the vocabulary of lamtheoguongbac.

Two families:

* *structural* strategies (``org_units()``, ``pledges()``, ``events()`` …) build any value
  the constructors accept — free text included — for round trips and property tests;
* *rule-valid* strategies (``handbook_cases()``, ``handbooks()``) build handbooks in any
  status whose content passes every rule of the default policy for the stages the status
  has passed: concrete, dated pledges with bases, a complete report dated in the period, a
  self-assessment, and a collective assessment recorded by the cell's Bí thư or Phó Bí thư
  holding the role on the meeting date.

Names, places and deeds are Vietnamese; a drawn text is sometimes handed over in NFD, as it
arrives from macOS or some copy-paste paths, so constructors get to normalise it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import strategies as st

from lamtheoguongbac import (
    Actor,
    Basis,
    BasisKind,
    Checkpoint,
    CollectiveAssessment,
    DeliverableTarget,
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
)

__all__ = [
    "BIDI_CONTROLS",
    "CELL",
    "CHAIN",
    "COMMITTEE",
    "DEPUTY",
    "FAMILY",
    "FORMER",
    "GIVEN",
    "ICT",
    "LINE_CHARACTERS",
    "MEMBER",
    "MIDDLE",
    "OTHER_CELL",
    "OTHER_SECRETARY",
    "OUTSIDER",
    "REFUSED_IN_LINE",
    "ROOT",
    "SECRETARY",
    "SUPERIOR",
    "VALUE_STRATEGIES",
    "XA",
    "XML_CHARACTERS",
    "YEAR",
    "HandbookCase",
    "actors",
    "assessment",
    "at",
    "aware_datetimes",
    "bases",
    "checkpoints",
    "collective_assessments",
    "deliverable_targets",
    "draft",
    "events",
    "free_text",
    "full_names",
    "full_report",
    "generic_pledge",
    "good_pledges",
    "handbook_cases",
    "handbook_in",
    "handbooks",
    "identifiers",
    "line_text",
    "maybe_nfd",
    "members",
    "org_chains",
    "org_units",
    "periods",
    "pledge_results",
    "pledges",
    "quantity_targets",
    "refused_text",
    "regulation_refs",
    "result_reports",
    "role_assignments",
    "self_assessment",
    "self_assessments",
    "study_themes",
    "vietnamese_text",
]

#: Vietnam's time zone (UTC+7).
ICT = dt.timezone(dt.timedelta(hours=7))

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ")
MIDDLE = ("Văn", "Thị", "Minh", "Ngọc", "Hữu", "Đức", "Thanh", "Thị Thu", "Quốc")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hạnh", "Hùng", "Lan", "Ánh", "Đức", "Yến", "Ước")

_WORDS = (
    "học tập",
    "làm theo",
    "tư tưởng",
    "đạo đức",
    "phong cách",
    "Hồ Chí Minh",
    "chi bộ",
    "đảng viên",
    "nhân dân",
    "hồ sơ",
    "một cửa",
    "đúng hạn",
    "giải quyết",
    "tuyên truyền",
    "hộ gia đình",
    "ấp Tân Lợi",
    "xã Tịnh Biên",
    "hoà giải",
    "khoẻ mạnh",
    "thuỷ lợi",
    "Đồng chí",
    "năm",
    "tháng",
)

_PLACES = ("An Giang", "Tịnh Biên", "Châu Đốc", "Hà Nội", "Thừa Thiên Huế", "Cần Thơ")
_HAMLETS = ("Đông", "Tây", "Hòa Bình", "Tân Lợi", "An Hòa", "Phú Cường", "Xuân Hiệp")


def maybe_nfd(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """``strategy``'s text, sometimes decomposed (NFD) the way macOS hands it over."""
    return st.tuples(strategy, st.booleans()).map(
        lambda t: unicodedata.normalize("NFD", t[0]) if t[1] else t[0]
    )


def vietnamese_text(min_words: int = 1, max_words: int = 10) -> st.SearchStrategy[str]:
    """A phrase of Vietnamese words (NFC or NFD)."""
    return maybe_nfd(
        st.lists(st.sampled_from(_WORDS), min_size=min_words, max_size=max_words).map(" ".join)
    )


#: The bidirectional embeddings, overrides and isolates: no text of the library holds one.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

#: Every character a text of many lines can hold: what a document can hold (XML 1.0: no
#: control characters but tab and line feed, no surrogates, no U+FFFE/U+FFFF; CR becomes
#: LF) less the bidirectional controls (:data:`BIDI_CONTROLS`). The library refuses the
#: others, and :func:`refused_text` draws them.
XML_CHARACTERS = st.characters(
    blacklist_categories=("Cs",),
    blacklist_characters="".join(chr(c) for c in range(32) if c not in (9, 10))
    + "\ufffe\uffff"
    + BIDI_CONTROLS,
)

#: Every character one line of text (a name, a position, a task …) can hold: no control
#: character (tab and line breaks included), no line or paragraph separator, no invisible
#: format character (category Cf: zero-width ones, the byte-order mark, bidirectional
#: marks and controls …).
LINE_CHARACTERS = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Cn"))

#: What one line of text refuses although a text of many lines may hold it: line breaks, the
#: tab and the other invisible characters Vietnamese never needs.
REFUSED_IN_LINE = "\t\n\r\x85\u2028\u2029\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"


def free_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any non-blank text of many lines a user might type or paste (a deed, a report):
    Vietnamese, or arbitrary Unicode that such a text can hold (:data:`XML_CHARACTERS`)."""
    arbitrary = st.text(XML_CHARACTERS, min_size=1, max_size=max_size).filter(
        lambda s: s.strip() != ""
    )
    return st.one_of(vietnamese_text(), arbitrary)


def line_text(max_size: int = 60) -> st.SearchStrategy[str]:
    """Any non-blank one-line text (a name, a task, a basis …): Vietnamese, or arbitrary
    Unicode one line can hold (:data:`LINE_CHARACTERS`), with spaces around it sometimes
    (the model trims them)."""
    arbitrary = st.text(LINE_CHARACTERS, min_size=1, max_size=max_size).filter(
        lambda s: s.strip() != ""
    )
    padding = st.sampled_from(["", " ", "\n", " \t"])
    return st.builds(
        lambda a, t, b: a + t + b, padding, st.one_of(vietnamese_text(), arbitrary), padding
    )


@st.composite
def refused_text(draw: st.DrawFn, *, one_line: bool) -> tuple[str, str]:
    """A text holding one character the library refuses — in any text (a bidirectional
    control, a control character XML cannot carry) or, with ``one_line``, also what one line
    refuses (:data:`REFUSED_IN_LINE`) — strictly inside it (trimming cannot remove it), with
    that character; the text is otherwise acceptable."""
    refused = BIDI_CONTROLS + "\x00\x0b\x1f\ufffe"
    if one_line:
        refused += REFUSED_IN_LINE
    char = draw(st.sampled_from(refused))
    before = draw(vietnamese_text())
    after = draw(vietnamese_text())
    return f"{before}{char}x{after}", char


def identifiers(prefix: str = "") -> st.SearchStrategy[str]:
    """Identifiers such as ``chibo-01`` or ``dv-0042``."""
    return st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True).map(lambda s: prefix + s)


def full_names() -> st.SearchStrategy[str]:
    """A Vietnamese full name, family–middle–given (NFC or NFD)."""
    return maybe_nfd(
        st.builds(
            lambda f, m, g: f"{f} {m} {g}",
            st.sampled_from(FAMILY),
            st.sampled_from(MIDDLE),
            st.sampled_from(GIVEN),
        )
    )


def aware_datetimes(
    min_value: dt.datetime = dt.datetime(1990, 1, 1),
    max_value: dt.datetime = dt.datetime(2100, 1, 1),
) -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes with a fixed offset between -12:00 and +14:00."""
    offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
        lambda m: dt.timezone(dt.timedelta(minutes=m))
    )
    return st.datetimes(min_value=min_value, max_value=max_value, timezones=offsets)


def _dates_in(start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=start, max_value=end)


# --- structural strategies -----------------------------------------------------------------


def periods() -> st.SearchStrategy[Period]:
    """A calendar year, or a span of 1–5 years (a congress term)."""
    return st.builds(
        lambda y, n: Period(start=dt.date(y, 1, 1), end=dt.date(y + n - 1, 12, 31)),
        st.integers(2010, 2035),
        st.sampled_from([1, 1, 1, 5]),
    )


def org_units(parent_id: st.SearchStrategy[str | None] | None = None) -> st.SearchStrategy[OrgUnit]:
    """Any organisation unit (with or without parent, validity dates, place)."""

    @st.composite
    def build(draw: st.DrawFn) -> OrgUnit:
        uid = draw(identifiers("u-"))
        pid = draw(parent_id if parent_id is not None else st.none() | identifiers("p-"))
        start = draw(st.none() | st.dates(dt.date(1930, 1, 1), dt.date(2030, 1, 1)))
        end = None
        if draw(st.booleans()):
            end = draw(st.dates(start or dt.date(1930, 1, 1), dt.date(2040, 1, 1)))
        return OrgUnit(
            id=uid,
            name=draw(maybe_nfd(st.sampled_from(_HAMLETS).map(lambda h: f"Chi bộ ấp {h}"))),
            level=draw(st.sampled_from(["Chi bộ", "Đảng bộ cơ sở", "Đảng bộ xã", "Đảng bộ tỉnh"])),
            parent_id=pid,
            grassroots=draw(st.booleans()),
            place=draw(st.none() | st.sampled_from(_PLACES)),
            valid_from=start,
            valid_to=end,
        )

    return build()


@st.composite
def org_chains(draw: st.DrawFn, cell_id: str | None = None) -> tuple[OrgUnit, ...]:
    """root (tỉnh) → [huyện] → grassroots (xã) → cell, ids unique, grassroots marked."""
    place = draw(st.sampled_from(_PLACES))
    hamlet = draw(st.sampled_from(_HAMLETS))
    suffix = draw(st.integers(1, 99))
    root = OrgUnit(id=f"tinh-{suffix}", name=f"Đảng bộ tỉnh {place}", level="Đảng bộ tỉnh")
    chain = [root]
    if draw(st.booleans()):  # before the 2025 reform there was a district level
        chain.append(
            OrgUnit(
                id=f"huyen-{suffix}",
                name=f"Đảng bộ huyện {place}",
                level="Đảng bộ huyện",
                parent_id=root.id,
                valid_to=dt.date(2025, 6, 30),
            )
        )
    chain.append(
        OrgUnit(
            id=f"xa-{suffix}",
            name=f"Đảng bộ xã {hamlet}",
            level="Đảng bộ cơ sở",
            parent_id=chain[-1].id,
            grassroots=True,
            place=place,
        )
    )
    chain.append(
        OrgUnit(
            id=cell_id or f"chibo-{suffix}",
            name=f"Chi bộ ấp {hamlet}",
            level="Chi bộ",
            parent_id=chain[-1].id,
        )
    )
    return tuple(chain)


def role_assignments(unit_id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    """A role held in a unit from a start date, possibly ended."""

    @st.composite
    def build(draw: st.DrawFn) -> RoleAssignment:
        start = draw(st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)))
        end = draw(st.none() | st.dates(start, dt.date(2035, 1, 1)))
        return RoleAssignment(
            role=draw(st.sampled_from(Role)),
            unit_id=draw(unit_id if unit_id is not None else identifiers("chibo-")),
            start=start,
            end=end,
        )

    return build()


@st.composite
def members(
    draw: st.DrawFn,
    cell_id: str | None = None,
    status: st.SearchStrategy[MemberStatus] | None = None,
) -> Member:
    """A party member with a position, duties and personal dates."""
    cell = cell_id or draw(identifiers("chibo-"))
    born = draw(st.dates(dt.date(1940, 1, 1), dt.date(2000, 12, 31)))
    joined = draw(st.none() | st.dates(born, dt.date(2024, 12, 31)))
    official = None
    if joined is not None and draw(st.booleans()):
        official = joined + dt.timedelta(days=365)
    position, duty, _ = draw(st.sampled_from(_PROFILES))
    return Member(
        id=draw(identifiers("dv-")),
        full_name=draw(full_names()),
        cell_id=cell,
        status=draw(status if status is not None else st.sampled_from(MemberStatus)),
        position=position,
        duties=(duty,),
        workplace=draw(st.none() | st.sampled_from(_PLACES).map(lambda p: f"UBND xã, {p}")),
        date_of_birth=born,
        joined_on=joined,
        official_on=official,
        party_card_number=draw(st.none() | st.from_regex(r"[0-9.]{8,12}", fullmatch=True)),
        roles=tuple(draw(st.lists(role_assignments(st.just(cell)), max_size=2))),
        sort_key=draw(st.none() | st.sampled_from(GIVEN)),
    )


def actors() -> st.SearchStrategy[Actor]:
    """Any actor with a few roles."""
    return st.builds(
        lambda i, n, r: Actor(id=i, name=n, roles=tuple(r)),
        identifiers("dv-"),
        full_names(),
        st.lists(role_assignments(), max_size=3),
    )


def study_themes() -> st.SearchStrategy[StudyTheme]:
    """A yearly or term-long study theme."""
    return st.builds(
        lambda y, n, t: StudyTheme(code=f"CD-{y}", title=t, first_year=y, last_year=y + n),
        st.integers(2006, 2040),
        st.sampled_from([0, 0, 4]),
        vietnamese_text(3, 15),
    )


def regulation_refs() -> st.SearchStrategy[RegulationRef]:
    """A reference such as Điều 2 Quy định 37-QĐ/TW."""
    return st.builds(
        RegulationRef,
        regulation=st.sampled_from(["37-QĐ/TW", "47-QĐ/TW", "101-QĐ/TW", "144-QĐ/TW"]),
        article=st.none() | st.integers(1, 19),
        clause=st.none() | st.sampled_from(["1", "2", "3a"]),
    )


# The kind each sampled regulation is filed under (LTGB-B004), or "other", always right.
_REFERENCE_KINDS = {
    "37-QĐ/TW": BasisKind.PROHIBITIONS,
    "47-QĐ/TW": BasisKind.PROHIBITIONS,
    "101-QĐ/TW": BasisKind.EXEMPLARY_DUTY,
    "144-QĐ/TW": BasisKind.ETHICAL_NORMS,
}


def _filed_right(ref: RegulationRef, other: bool) -> BasisKind:
    return BasisKind.OTHER if other else _REFERENCE_KINDS[ref.regulation]


def bases() -> st.SearchStrategy[Basis]:
    """A basis with a regulation reference (filed under its own kind), a text, or both."""
    referenced = st.tuples(regulation_refs(), st.booleans()).map(lambda r: (r[0], _filed_right(*r)))
    return st.one_of(
        referenced.map(lambda r: Basis(kind=r[1], reference=r[0])),
        st.builds(Basis, kind=st.sampled_from(BasisKind), text=line_text()),
        st.builds(
            lambda r, text: Basis(kind=r[1], reference=r[0], text=text), referenced, line_text()
        ),
    )


def quantity_targets() -> st.SearchStrategy[QuantityTarget]:
    """A non-negative amount with a unit."""
    amounts = st.decimals(
        min_value=0, max_value=10**9, allow_nan=False, allow_infinity=False, places=3
    ) | st.integers(0, 10**6).map(Decimal)
    units = st.sampled_from(["%", "hồ sơ", "buổi", "hộ", "bài giảng", "triệu đồng", "km"])
    return st.builds(QuantityTarget, amount=amounts, unit=maybe_nfd(units))


def deliverable_targets() -> st.SearchStrategy[DeliverableTarget]:
    """A dated deliverable."""
    return st.builds(
        DeliverableTarget,
        description=line_text(),
        due=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
    )


def checkpoints() -> st.SearchStrategy[Checkpoint]:
    """An intermediate review date."""
    return st.builds(
        Checkpoint,
        due=st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
        description=st.none() | line_text(),
    )


def pledges(pledge_id: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Pledge]:
    """Any structurally valid pledge (not necessarily a concrete one)."""
    return st.builds(
        Pledge,
        id=pledge_id if pledge_id is not None else identifiers("viec-"),
        deed=free_text(),
        target=st.none() | quantity_targets() | deliverable_targets(),
        deadline=st.none() | st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31)),
        checkpoints=st.lists(checkpoints(), max_size=2),
        task=st.none() | line_text(),
        bases=st.lists(bases(), max_size=3),
        shortcoming=st.none() | free_text(),
    )


@st.composite
def pledge_results(draw: st.DrawFn, pledge_id: str | None = None) -> PledgeResult:
    """A result whose texts agree with its outcome."""
    outcome = draw(st.sampled_from(Outcome))
    return PledgeResult(
        pledge_id=pledge_id or draw(identifiers("viec-")),
        outcome=outcome,
        achieved=None if outcome is Outcome.NOT_DONE else draw(free_text()),
        not_done=None if outcome is Outcome.DONE else draw(free_text()),
        direction=draw(st.none() | free_text()),
    )


@st.composite
def result_reports(draw: st.DrawFn) -> ResultReport:
    """A report with distinct pledge ids."""
    ids = draw(st.lists(identifiers("viec-"), max_size=4, unique=True))
    return ResultReport(
        submitted_on=draw(st.dates(dt.date(2000, 1, 1), dt.date(2040, 12, 31))),
        results=tuple(draw(pledge_results(i)) for i in ids),
    )


def self_assessments() -> st.SearchStrategy[SelfAssessment]:
    """Any self-assessment."""
    return st.builds(
        SelfAssessment,
        text=free_text(),
        written_on=st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
    )


def collective_assessments() -> st.SearchStrategy[CollectiveAssessment]:
    """Any collective assessment (structurally; who may record it is a rule)."""
    return st.builds(
        CollectiveAssessment,
        text=free_text(),
        meeting_date=st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
        recorded_by=identifiers("dv-"),
        recorder_name=full_names(),
        recorder_role=st.sampled_from(Role),
        rating=st.none() | st.sampled_from(RatingLevel),
    )


def events() -> st.SearchStrategy[Event]:
    """Any audit event."""
    return st.builds(
        Event,
        handbook_id=identifiers("sotay-"),
        kind=st.sampled_from(EventKind),
        actor_id=identifiers("dv-"),
        actor_name=full_names(),
        at=aware_datetimes(),
        from_status=st.sampled_from(HandbookStatus),
        to_status=st.sampled_from(HandbookStatus),
        version=st.integers(0, 10**6),
        reason=st.none() | free_text(),
    )


# --- rule-valid handbooks ------------------------------------------------------------------

# (position, duty, deed templates taking the amount ``n`` and the ``year``; unit)
_PROFILES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Công chức một cửa",
        "Tiếp nhận và giải quyết hồ sơ một cửa",
        (
            (
                "Giải quyết {n}% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm {year}.",
                "%",
            ),
            ("Số hóa {n} hồ sơ một cửa lưu trữ trước ngày 30/11/{year}.", "hồ sơ"),
        ),
    ),
    (
        "Giáo viên Toán",
        "Giảng dạy môn Toán lớp 9",
        (
            ("Trong năm {year}, soạn {n} bài giảng điện tử môn Toán lớp 9.", "bài giảng"),
            ("Phụ đạo miễn phí cho {n} học sinh yếu môn Toán lớp 9, mỗi tuần 2 buổi.", "học sinh"),
        ),
    ),
    (
        "Trưởng ấp",
        "Vận động nhân dân trong ấp xây dựng nông thôn mới",
        (
            ("Vận động {n} hộ dân trong ấp hiến đất làm đường giao thông nông thôn.", "hộ"),
            ("Tổ chức {n} buổi tuyên truyền pháp luật cho nhân dân trong ấp năm {year}.", "buổi"),
        ),
    ),
    (
        "Đảng viên nghỉ hưu",
        "Tham gia công tác khuyến học ở khu dân cư",
        (
            (
                "Hằng tháng đến thăm hỏi, động viên {n} gia đình chính sách trên địa bàn.",
                "gia đình",
            ),
            ("Vận động quyên góp {n} suất học bổng khuyến học cho học sinh nghèo.", "suất"),
        ),
    ),
)


@st.composite
def _good_pledge(draw: st.DrawFn, pid: str, period: Period, profile_index: int) -> Pledge:
    _, duty, deeds = _PROFILES[profile_index]
    template, unit = draw(st.sampled_from(deeds))
    n = draw(st.integers(1, 100))
    deadline = draw(_dates_in(period.start, period.end))
    cps = draw(st.lists(_dates_in(period.start, deadline), max_size=2))
    return Pledge(
        id=pid,
        deed=draw(maybe_nfd(st.just(template.format(n=f"{n:02d}", year=period.start.year)))),
        target=QuantityTarget(amount=Decimal(n), unit=unit),
        deadline=deadline,
        checkpoints=tuple(Checkpoint(due=d, description="Sơ kết giữa kỳ") for d in sorted(cps)),
        task=duty,
        bases=tuple(draw(st.lists(bases(), min_size=1, max_size=3))),
        shortcoming=draw(st.none() | st.just("Có lúc còn chậm cập nhật hồ sơ")),
    )


@attrs.frozen
class HandbookCase:
    """A rule-valid handbook with the people around it.

    ``recorder`` is the officer who recorded the collective assessment (set from *assessed*
    on) and ``officer`` one who may record, close and reopen at any date of the period.
    """

    handbook: Handbook
    officer: Actor
    recorder: Actor | None


@st.composite
def handbook_cases(
    draw: st.DrawFn, status: HandbookStatus | st.SearchStrategy[HandbookStatus] | None = None
) -> HandbookCase:
    """A handbook in ``status`` (any when None) whose content passes the default policy."""
    if status is None:
        status = st.sampled_from(HandbookStatus)
    wanted = status if isinstance(status, HandbookStatus) else draw(status)
    year = draw(st.integers(2013, 2030))
    term = draw(st.sampled_from([1, 1, 1, 5]))
    period = Period(start=dt.date(year, 1, 1), end=dt.date(year + term - 1, 12, 31))
    chain = draw(org_chains())
    cell = chain[-1].id
    profile_index = draw(st.integers(0, len(_PROFILES) - 1))
    position, duty, _ = _PROFILES[profile_index]
    member_status = draw(st.sampled_from(MemberStatus))
    member = Member(
        id=f"{cell}-dv{draw(st.integers(1, 40)):03d}",
        full_name=draw(full_names()),
        cell_id=cell,
        status=member_status,
        position=position,
        duties=(duty,),
    )
    officer_role = draw(st.sampled_from([Role.SECRETARY, Role.DEPUTY_SECRETARY]))
    officer_member = Member(
        id=f"{cell}-bt",
        full_name=draw(full_names()),
        cell_id=cell,
        roles=(RoleAssignment(role=officer_role, unit_id=cell, start=period.start),),
    )
    officer = officer_member.as_actor()
    count = draw(st.integers(1, 3))
    items = tuple(
        draw(_good_pledge(f"viec-{i}", period, profile_index)) for i in range(1, count + 1)
    )
    order = wanted.order
    fields: dict[str, Any] = {}
    # a draft may already hold the pledges being written
    if order >= HandbookStatus.REGISTERED.order or draw(st.booleans()):
        fields["pledges"] = items
    recorder = None
    if order >= HandbookStatus.REPORTED.order:
        submitted = draw(_dates_in(period.end - dt.timedelta(days=40), period.end))
        fields["report"] = ResultReport(
            submitted_on=submitted,
            results=tuple(draw(pledge_results(p.id)) for p in items),
        )
        fields["self_assessment"] = SelfAssessment(
            text=draw(vietnamese_text(3, 20)),
            written_on=draw(_dates_in(period.start, submitted)),
        )
        if order >= HandbookStatus.ASSESSED.order:
            meeting = draw(_dates_in(submitted, period.end + dt.timedelta(days=30)))
            recorder = officer
            fields["collective_assessment"] = CollectiveAssessment(
                text=f"Đồng chí {member.full_name} thực hiện nghiêm túc các việc đã đăng ký.",
                meeting_date=meeting,
                recorded_by=officer.id,
                recorder_name=officer.name,
                recorder_role=officer_role,
                rating=None
                if member_status is MemberStatus.SUSPENDED
                else draw(st.sampled_from(RatingLevel)),
            )
        elif draw(st.booleans()):
            del fields["self_assessment"]  # it may come later (self_assess)
    handbook = Handbook(
        id=f"sotay-{year}-{member.id}",
        member=member,
        organisation=chain,
        period=period,
        theme=draw(st.none() | study_themes()),
        status=wanted,
        version=draw(st.integers(order, order + 5)),
        **fields,
    )
    return HandbookCase(handbook=handbook, officer=officer, recorder=recorder)


def handbooks(
    status: HandbookStatus | st.SearchStrategy[HandbookStatus] | None = None,
) -> st.SearchStrategy[Handbook]:
    """Rule-valid handbooks in ``status`` (any when None)."""
    return handbook_cases(status).map(lambda c: c.handbook)


#: A strategy for every value class of the model, for round trips.
VALUE_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {
    OrgUnit: org_units(),
    RoleAssignment: role_assignments(),
    Member: members(),
    Actor: actors(),
    StudyTheme: study_themes(),
    RegulationRef: regulation_refs(),
    Basis: bases(),
    QuantityTarget: quantity_targets(),
    DeliverableTarget: deliverable_targets(),
    Checkpoint: checkpoints(),
    Pledge: pledges(),
    PledgeResult: pledge_results(),
    ResultReport: result_reports(),
    SelfAssessment: self_assessments(),
    CollectiveAssessment: collective_assessments(),
    Period: periods(),
    Event: events(),
    Handbook: handbooks(),
}


# --- fixed examples: one cell of xã Tịnh Biên and the people around it ----------------------

YEAR = 2025
ROOT = OrgUnit(id="tinh-ag", name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh", place="An Giang")
XA = OrgUnit(
    id="xa-tb",
    name="Đảng bộ xã Tịnh Biên",
    level="Đảng bộ cơ sở",
    parent_id=ROOT.id,
    grassroots=True,
    place="Tịnh Biên",
)
CELL = OrgUnit(id="chibo-tanloi", name="Chi bộ ấp Tân Lợi", level="Chi bộ", parent_id=XA.id)
OTHER_CELL = OrgUnit(id="chibo-anhoa", name="Chi bộ ấp An Hòa", level="Chi bộ", parent_id=XA.id)
CHAIN = (ROOT, XA, CELL)


def _role(role: Role, unit: OrgUnit, start: dt.date, end: dt.date | None = None) -> RoleAssignment:
    return RoleAssignment(role=role, unit_id=unit.id, start=start, end=end)


MEMBER = Member(
    id="dv-an",
    full_name="Nguyễn Văn An",
    cell_id=CELL.id,
    position="Công chức một cửa",
    duties=("Tiếp nhận và giải quyết hồ sơ một cửa",),
    workplace="UBND xã Tịnh Biên",
)
SECRETARY = Member(
    id="dv-binh",
    full_name="Trần Thị Bình",
    cell_id=CELL.id,
    roles=(_role(Role.SECRETARY, CELL, dt.date(2020, 7, 1)),),
)
DEPUTY = Member(
    id="dv-cuong",
    full_name="Lê Minh Cường",
    cell_id=CELL.id,
    roles=(_role(Role.DEPUTY_SECRETARY, CELL, dt.date(2020, 7, 1)),),
)
COMMITTEE = Member(
    id="dv-anh",
    full_name="Phạm Thị Ánh",
    cell_id=CELL.id,
    roles=(_role(Role.COMMITTEE_MEMBER, CELL, dt.date(2020, 7, 1)),),
)
#: Bí thư until 30/6/2025, a plain member afterwards.
FORMER = Member(
    id="dv-dung",
    full_name="Võ Văn Dũng",
    cell_id=CELL.id,
    roles=(_role(Role.SECRETARY, CELL, dt.date(2015, 7, 1), dt.date(YEAR, 6, 30)),),
)
OTHER_SECRETARY = Member(
    id="dv-duc",
    full_name="Đỗ Văn Đức",
    cell_id=OTHER_CELL.id,
    roles=(_role(Role.SECRETARY, OTHER_CELL, dt.date(2020, 7, 1)),),
)
#: A member of the xã's party committee (Đảng ủy xã), the cell's superior.
SUPERIOR = Actor(
    id="dv-hanh",
    name="Hoàng Thị Hạnh",
    roles=(_role(Role.COMMITTEE_MEMBER, XA, dt.date(2020, 10, 1)),),
)
OUTSIDER = Actor(id="dv-hung", name="Bùi Văn Hùng")


def at(month: int, day: int, hour: int = 8, *, year: int = YEAR) -> dt.datetime:
    """A moment of ``year`` in Vietnam's time zone."""
    return dt.datetime(year, month, day, hour, tzinfo=ICT)


def good_pledges(n: int = 2, *, year: int = YEAR) -> tuple[Pledge, ...]:
    """``n`` concrete, dated pledges of a one-stop-shop clerk, each with a basis."""
    deeds = (
        ("Giải quyết 100% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm {y}.", 100, "%"),
        ("Số hóa 500 hồ sơ một cửa lưu trữ trước ngày 30/11/{y}.", 500, "hồ sơ"),
        ("Hướng dẫn 20 hộ dân nộp hồ sơ một cửa trực tuyến trong năm {y}.", 20, "hộ"),
    )
    out = []
    for i in range(n):
        deed, amount, unit = deeds[i % len(deeds)]
        out.append(
            Pledge(
                id=f"viec-{i + 1}",
                deed=deed.format(y=year),
                target=QuantityTarget(amount=Decimal(amount), unit=unit),
                deadline=dt.date(year, 11, 30),
                task="Tiếp nhận và giải quyết hồ sơ một cửa",
                bases=(
                    Basis(kind=BasisKind.STUDY_THEME, text="Chuyên đề năm " + str(year)),
                    Basis(
                        kind=BasisKind.PROHIBITIONS,
                        reference=RegulationRef(regulation="37-QĐ/TW", article=2),
                    ),
                ),
            )
        )
    return tuple(out)


def generic_pledge(pid: str = "viec-chung") -> Pledge:
    """A generic registration ("đăng ký chung chung") with a basis, as many still write."""
    return Pledge(
        id=pid,
        deed="Thực hiện tốt nhiệm vụ được giao, nâng cao ý thức trách nhiệm",
        bases=(Basis(kind=BasisKind.STUDY_THEME, text="Chuyên đề năm 2025"),),
    )


def full_report(
    items: tuple[Pledge, ...], submitted: dt.date = dt.date(YEAR, 12, 5)
) -> ResultReport:
    """A report with one result per pledge."""
    return ResultReport(
        submitted_on=submitted,
        results=tuple(
            PledgeResult(
                pledge_id=p.id,
                outcome=Outcome.DONE,
                achieved=f"Đã thực hiện: {p.deed}",
                direction="Tiếp tục duy trì trong năm sau",
            )
            for p in items
        ),
    )


def self_assessment(day: dt.date = dt.date(YEAR, 12, 5)) -> SelfAssessment:
    """The member's self-assessment."""
    return SelfAssessment(
        text="Bản thân hoàn thành các việc đã đăng ký, còn chậm số hóa hồ sơ.", written_on=day
    )


def assessment(
    recorder: Member | Actor = SECRETARY,
    *,
    role: Role = Role.SECRETARY,
    meeting: dt.date = dt.date(YEAR, 12, 20),
    rating: RatingLevel | None = RatingLevel.GOOD,
) -> CollectiveAssessment:
    """The cell's collective assessment as ``recorder`` writes it."""
    actor = recorder.as_actor() if isinstance(recorder, Member) else recorder
    return CollectiveAssessment(
        text="Đồng chí thực hiện nghiêm túc các việc đã đăng ký, có kết quả cụ thể.",
        meeting_date=meeting,
        recorded_by=actor.id,
        recorder_name=actor.name,
        recorder_role=role,
        rating=rating,
    )


def draft(member: Member = MEMBER, *, year: int = YEAR, hid: str | None = None) -> Handbook:
    """A new, empty handbook of ``member`` for ``year``."""
    return Handbook(
        id=hid or f"sotay-{year}-{member.id}",
        member=member,
        organisation=CHAIN,
        period=Period.year(year),
    )


def handbook_in(
    status: HandbookStatus,
    member: Member = MEMBER,
    *,
    rating: RatingLevel | None = RatingLevel.GOOD,
    hid: str | None = None,
) -> Handbook:
    """``member``'s handbook moved to ``status`` through the real workflow."""
    from lamtheoguongbac import _workflow as workflow

    hb = draft(member, hid=hid)
    officer = SECRETARY.as_actor()
    if status.order >= HandbookStatus.REGISTERED.order:
        hb = workflow.register(hb, good_pledges(), actor=member.as_actor(), at=at(1, 15)).handbook
    if status.order >= HandbookStatus.REPORTED.order:
        hb = workflow.report(
            hb,
            full_report(hb.pledges),
            self_assessment=self_assessment(),
            actor=member.as_actor(),
            at=at(12, 5),
        ).handbook
    if status.order >= HandbookStatus.ASSESSED.order:
        hb = workflow.assess(hb, assessment(rating=rating), actor=officer, at=at(12, 20)).handbook
    if status.order >= HandbookStatus.CLOSED.order:
        hb = workflow.close(hb, actor=officer, at=at(12, 28)).handbook
    return hb
