"""Tests for lamtheoguongbac._model: every value validates and normalises on construction."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
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
    NotFound,
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
    ValidationFailed,
)
from strategies import (
    CELL,
    CHAIN,
    MEMBER,
    ROOT,
    SECRETARY,
    VALUE_STRATEGIES,
    XA,
    at,
    draft,
    full_report,
    good_pledges,
    handbook_in,
    handbooks,
    self_assessment,
    vietnamese_text,
)

NFD = "NFD"
S = HandbookStatus


def nfd(text: str) -> str:
    return unicodedata.normalize(NFD, text)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def refused(build: Callable[[], Any], field: str) -> ValidationFailed:
    """Assert that ``build()`` raises ValidationFailed naming ``field`` in both languages."""
    with pytest.raises(ValidationFailed) as info:
        build()
    err = info.value
    assert err.field == field
    assert err.message_vi.startswith(f"{field}: ")
    assert err.message_en.startswith(f"{field}: ")
    assert err.reason_vi
    assert err.reason_en
    assert err.reason_vi != err.reason_en
    assert str(err) == f"{err.message_vi} / {err.message_en}"
    return err


def pledge(**changes: Any) -> Pledge:
    return attrs.evolve(good_pledges(1)[0], **changes)


# --- good input --------------------------------------------------------------------------------


def test_every_class_constructs_from_good_input() -> None:
    unit = OrgUnit(
        id="chibo-01",
        name="Chi bộ ấp Đông",
        level="Chi bộ",
        parent_id="xa-01",
        place="Tịnh Biên",
        valid_from=dt.date(2025, 7, 1),
    )
    role = RoleAssignment(role=Role.SECRETARY, unit_id=unit.id, start=dt.date(2020, 1, 1))
    member = Member(
        id="dv-01",
        full_name="Nguyễn Thị Ánh",
        cell_id=unit.id,
        status=MemberStatus.PROBATIONARY,
        position="Giáo viên Toán",
        duties=("Giảng dạy môn Toán lớp 9", "Chủ nhiệm lớp 9A"),
        date_of_birth=dt.date(1990, 5, 19),
        joined_on=dt.date(2024, 9, 2),
        party_card_number="01.234.567",
        roles=(role,),
        sort_key="Ánh Thị Nguyễn",
    )
    theme = StudyTheme(
        code="2019", title="Xây dựng ý thức tôn trọng Nhân dân", first_year=2019, last_year=2019
    )
    basis = Basis(kind=BasisKind.PROHIBITIONS, reference=RegulationRef(regulation="37-QĐ/TW"))
    target = DeliverableTarget(description="01 sáng kiến kinh nghiệm", due=dt.date(2025, 11, 30))
    p = Pledge(
        id="viec-1",
        deed="Viết 01 sáng kiến kinh nghiệm dạy Toán lớp 9",
        target=target,
        checkpoints=(Checkpoint(due=dt.date(2025, 6, 30), description="Nộp đề cương"),),
        bases=(basis,),
        shortcoming="Chậm đổi mới phương pháp",
    )
    result = PledgeResult(pledge_id="viec-1", outcome=Outcome.DONE, achieved="Đã viết xong")
    report = ResultReport(submitted_on=dt.date(2025, 12, 5), results=(result,))
    sa = SelfAssessment(text="Hoàn thành các việc đã đăng ký", written_on=dt.date(2025, 12, 5))
    ca = CollectiveAssessment(
        text="Thực hiện tốt",
        meeting_date=dt.date(2025, 12, 20),
        recorded_by="dv-01",
        recorder_name="Nguyễn Thị Ánh",
        recorder_role=Role.SECRETARY,
        rating=RatingLevel.EXCELLENT,
    )
    root = OrgUnit(id="xa-01", name="Đảng bộ xã Tịnh Biên", level="Đảng bộ cơ sở", grassroots=True)
    hb = Handbook(
        id="sotay-1",
        member=member,
        organisation=(root, unit),
        period=Period.year(2025),
        theme=theme,
        pledges=(p,),
        report=report,
        self_assessment=sa,
        collective_assessment=ca,
        status=S.CLOSED,
        version=4,
    )
    event = Event(
        handbook_id=hb.id,
        kind=EventKind.CLOSED,
        actor_id="dv-01",
        actor_name="Nguyễn Thị Ánh",
        at=at(12, 28),
        from_status=S.ASSESSED,
        to_status=S.CLOSED,
        version=4,
    )
    assert hb.cell is unit
    assert hb.superior is root
    assert hb.grassroots is root
    assert hb.year == 2025
    assert hb.pledge("viec-1") is p
    assert hb.result_for("viec-1") is result
    assert hb.result_for("khong-co") is None
    assert member.as_actor() == Actor(id="dv-01", name="Nguyễn Thị Ánh", roles=(role,))
    assert event.to_status is S.CLOSED
    with pytest.raises(NotFound, match="khong-co"):
        hb.pledge("khong-co")


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(list(VALUE_STRATEGIES)).flatmap(lambda cls: VALUE_STRATEGIES[cls]))
def test_generated_values_are_normalised_and_immutable(value: Any) -> None:
    for a in attrs.fields(type(value)):
        v = getattr(value, a.name)
        assert not isinstance(v, list)
        if isinstance(v, str):
            assert is_nfc(v)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        value.__setattr__(attrs.fields(type(value))[0].name, None)


def test_labels_and_orders() -> None:
    assert MemberStatus.SUSPENDED.label() == "Đình chỉ sinh hoạt đảng"
    assert MemberStatus.SUSPENDED.label("en") == "suspended"
    assert Role.SECRETARY.label_vi == "Bí thư"
    assert Role.DEPUTY_SECRETARY.label_vi == "Phó Bí thư"
    assert [r.abbreviation for r in RatingLevel] == ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    assert [r.rank for r in RatingLevel] == [0, 1, 2, 3]
    assert [s.order for s in S] == [0, 1, 2, 3, 4]
    assert RatingLevel.GOOD.label() == "Hoàn thành tốt nhiệm vụ"


def test_enums_accept_their_stored_value() -> None:
    m = Member(id="dv-1", full_name="Lê An", cell_id="cb", status="dinh_chi")  # type: ignore[arg-type]
    assert m.status is MemberStatus.SUSPENDED
    err = refused(
        lambda: Member(id="dv-1", full_name="Lê An", cell_id="cb", status="official"),  # type: ignore[arg-type]
        "Member.status",
    )
    assert "'chinh_thuc'" in err.reason_en


def test_role_assignment_and_member_roles_on_dates() -> None:
    held = RoleAssignment(
        role=Role.SECRETARY, unit_id=CELL.id, start=dt.date(2020, 1, 1), end=dt.date(2025, 6, 30)
    )
    deputy = RoleAssignment(role=Role.DEPUTY_SECRETARY, unit_id=XA.id, start=dt.date(2025, 7, 1))
    m = Member(id="dv-1", full_name="Võ Văn Dũng", cell_id=CELL.id, roles=(held, deputy))
    assert held.holds_on(dt.date(2025, 6, 30))
    assert not held.holds_on(dt.date(2025, 7, 1))
    assert not held.holds_on(dt.date(2019, 12, 31))
    assert m.roles_on(dt.date(2025, 3, 1)) == {Role.SECRETARY}
    assert m.roles_on(dt.date(2025, 8, 1)) == {Role.DEPUTY_SECRETARY}
    assert m.roles_on(dt.date(2025, 8, 1), CELL.id) == frozenset()
    assert m.as_actor().roles_on(dt.date(2025, 3, 1), CELL.id) == {Role.SECRETARY}
    assert m.as_actor().roles_on(dt.date(2025, 3, 1), XA.id) == frozenset()


def test_describe_texts() -> None:
    assert QuantityTarget(amount=Decimal(100), unit="%").describe() == "100%"
    assert QuantityTarget(amount=Decimal("12.0"), unit="buổi").describe() == "12 buổi"
    assert QuantityTarget(amount=Decimal("2.5"), unit="giờ").describe() == "2,5 giờ"
    d = DeliverableTarget(description="01 sáng kiến", due=dt.date(2025, 3, 5))
    assert d.describe() == "01 sáng kiến (trước 05/03/2025)"
    ref = RegulationRef(regulation="37-QĐ/TW", article=2, clause="1")
    assert ref.describe() == "Khoản 1 Điều 2 Quy định 37-QĐ/TW"
    assert Basis(kind=BasisKind.TEACHING, text="Lời Bác dạy").describe() == "Lời Bác dạy"
    assert Basis(kind=BasisKind.PROHIBITIONS, reference=ref, text="không tham ô").describe() == (
        "Khoản 1 Điều 2 Quy định 37-QĐ/TW: không tham ô"
    )


def test_period_and_theme_helpers() -> None:
    p = Period.year(2024)
    assert (p.start, p.end, p.year_label) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31), 2024)
    assert p.contains(dt.date(2024, 2, 29))
    assert not p.contains(dt.date(2025, 1, 1))
    term = StudyTheme(
        code="2021-2025", title="Ý chí tự lực, tự cường", first_year=2021, last_year=2025
    )
    assert term.covers(2021)
    assert term.covers(2025)
    assert not term.covers(2026)


def test_org_unit_valid_on() -> None:
    huyen = OrgUnit(
        id="huyen-tb",
        name="Đảng bộ huyện Tịnh Biên",
        level="Đảng bộ huyện",
        valid_to=dt.date(2025, 6, 30),
    )
    assert huyen.valid_on(dt.date(2025, 6, 30))
    assert not huyen.valid_on(dt.date(2025, 7, 1))


# --- bad input ---------------------------------------------------------------------------------

BAD_INPUT: list[tuple[str, Callable[[], Any], str]] = [
    ("blank unit name", lambda: attrs.evolve(CELL, name="   "), "OrgUnit.name"),
    ("unit id of wrong type", lambda: attrs.evolve(CELL, id=7), "OrgUnit.id"),
    ("blank unit id", lambda: attrs.evolve(CELL, id=" "), "OrgUnit.id"),
    ("control char in id", lambda: attrs.evolve(CELL, id="chi\nbo"), "OrgUnit.id"),
    ("id too long", lambda: attrs.evolve(CELL, id="x" * 201), "OrgUnit.id"),
    ("own parent", lambda: attrs.evolve(CELL, parent_id=CELL.id), "OrgUnit.parent_id"),
    ("grassroots not bool", lambda: attrs.evolve(CELL, grassroots="có"), "OrgUnit.grassroots"),
    (
        "unit ends before it starts",
        lambda: attrs.evolve(CELL, valid_from=dt.date(2025, 7, 1), valid_to=dt.date(2025, 1, 1)),
        "OrgUnit.valid_to",
    ),
    (
        "role ends before start",
        lambda: RoleAssignment(
            role=Role.SECRETARY, unit_id="cb", start=dt.date(2025, 1, 2), end=dt.date(2025, 1, 1)
        ),
        "RoleAssignment.end",
    ),
    (
        "role not a Role",
        lambda: RoleAssignment(role="Bí thư", unit_id="cb", start=dt.date(2025, 1, 1)),
        "RoleAssignment.role",
    ),
    (
        "datetime where a date is wanted",
        lambda: RoleAssignment(role=Role.SECRETARY, unit_id="cb", start=at(1, 1)),
        "RoleAssignment.start",
    ),
    ("name not text", lambda: attrs.evolve(MEMBER, full_name=42), "Member.full_name"),
    ("blank name", lambda: attrs.evolve(MEMBER, full_name="\t"), "Member.full_name"),
    ("blank duty", lambda: attrs.evolve(MEMBER, duties=("Dạy Toán", " ")), "Member.duties[1]"),
    ("duties as one text", lambda: attrs.evolve(MEMBER, duties="Dạy Toán"), "Member.duties"),
    (
        "official before joining",
        lambda: attrs.evolve(
            MEMBER, joined_on=dt.date(2020, 5, 19), official_on=dt.date(2019, 5, 19)
        ),
        "Member.official_on",
    ),
    ("role list of text", lambda: attrs.evolve(MEMBER, roles=("Bí thư",)), "Member.roles"),
    ("actor without name", lambda: Actor(id="dv-1", name=""), "Actor.name"),
    (
        "theme years reversed",
        lambda: StudyTheme(code="x", title="Chuyên đề", first_year=2025, last_year=2021),
        "StudyTheme.last_year",
    ),
    (
        "theme year as text",
        lambda: StudyTheme(code="x", title="Chuyên đề", first_year="2025", last_year=2025),
        "StudyTheme.first_year",
    ),
    ("article 0", lambda: RegulationRef(regulation="37-QĐ/TW", article=0), "RegulationRef.article"),
    (
        "article is bool",
        lambda: RegulationRef(regulation="37-QĐ/TW", article=True),
        "RegulationRef.article",
    ),
    ("empty basis", lambda: Basis(kind=BasisKind.OTHER), "Basis"),
    ("blank basis text", lambda: Basis(kind=BasisKind.OTHER, text=" "), "Basis.text"),
    (
        "negative amount",
        lambda: QuantityTarget(amount=Decimal(-1), unit="hồ sơ"),
        "QuantityTarget.amount",
    ),
    (
        "amount not a number",
        lambda: QuantityTarget(amount="mười", unit="hộ"),
        "QuantityTarget.amount",
    ),
    ("amount is NaN", lambda: QuantityTarget(amount="NaN", unit="hộ"), "QuantityTarget.amount"),
    ("amount is bool", lambda: QuantityTarget(amount=True, unit="hộ"), "QuantityTarget.amount"),
    (
        "amount infinite",
        lambda: QuantityTarget(amount=float("inf"), unit="%"),
        "QuantityTarget.amount",
    ),
    ("blank unit", lambda: QuantityTarget(amount=1, unit=""), "QuantityTarget.unit"),
    (
        "amount that would print a gigabyte of zeros",
        lambda: QuantityTarget(amount="1e999999999", unit="hộ"),
        "QuantityTarget.amount",
    ),
    (
        "amount with a billion decimal places",
        lambda: QuantityTarget(amount="1e-999999999", unit="hộ"),
        "QuantityTarget.amount",
    ),
    (
        "amount of 10^15",
        lambda: QuantityTarget(amount=10**15, unit="đồng"),
        "QuantityTarget.amount",
    ),
    (
        "deliverable without date",
        lambda: DeliverableTarget(description="01 sáng kiến", due=None),
        "DeliverableTarget.due",
    ),
    ("blank deed", lambda: pledge(deed="  "), "Pledge.deed"),
    ("target of wrong type", lambda: pledge(target="100%"), "Pledge.target"),
    (
        "checkpoint not a Checkpoint",
        lambda: pledge(checkpoints=(dt.date(2025, 6, 1),)),
        "Pledge.checkpoints",
    ),
    (
        "partly done without what was not done",
        lambda: PledgeResult(pledge_id="viec-1", outcome=Outcome.PARTLY_DONE, achieved="Một phần"),
        "PledgeResult.not_done",
    ),
    (
        "done without what was achieved",
        lambda: PledgeResult(pledge_id="viec-1", outcome=Outcome.DONE),
        "PledgeResult.achieved",
    ),
    (
        "outcome as label",
        lambda: PledgeResult(pledge_id="viec-1", outcome="Đã thực hiện", achieved="x"),
        "PledgeResult.outcome",
    ),
    (
        "pledge reported twice",
        lambda: ResultReport(
            submitted_on=dt.date(2025, 12, 5),
            results=(
                PledgeResult(pledge_id="viec-1", outcome=Outcome.DONE, achieved="Xong"),
                PledgeResult(pledge_id="viec-1", outcome=Outcome.NOT_DONE, not_done="Chưa"),
            ),
        ),
        "ResultReport.results[1].pledge_id",
    ),
    (
        "blank self-assessment",
        lambda: SelfAssessment(text=" \n", written_on=dt.date(2025, 12, 5)),
        "SelfAssessment.text",
    ),
    (
        "rating as abbreviation of unknown level",
        lambda: CollectiveAssessment(
            text="Tốt",
            meeting_date=dt.date(2025, 12, 20),
            recorded_by="dv-binh",
            recorder_name="Trần Thị Bình",
            recorder_role=Role.SECRETARY,
            rating="XUATSAC",
        ),
        "CollectiveAssessment.rating",
    ),
    (
        "period ends before it starts",
        lambda: Period(start=dt.date(2025, 12, 31), end=dt.date(2025, 1, 1)),
        "Period.end",
    ),
    (
        "naive event time",
        lambda: Event(
            handbook_id="sotay-1",
            kind=EventKind.CREATED,
            actor_id="dv-an",
            actor_name="Nguyễn Văn An",
            at=dt.datetime(2025, 1, 2, 8),
            from_status=S.DRAFT,
            to_status=S.DRAFT,
            version=0,
        ),
        "Event.at",
    ),
    (
        "event time is a date",
        lambda: Event(
            handbook_id="sotay-1",
            kind=EventKind.CREATED,
            actor_id="dv-an",
            actor_name="Nguyễn Văn An",
            at=dt.date(2025, 1, 2),
            from_status=S.DRAFT,
            to_status=S.DRAFT,
            version=0,
        ),
        "Event.at",
    ),
]


@pytest.mark.parametrize(
    ("build", "field"), [(b, f) for _, b, f in BAD_INPUT], ids=[n for n, _, _ in BAD_INPUT]
)
def test_bad_input_names_the_field_in_both_languages(build: Callable[[], Any], field: str) -> None:
    refused(build, field)


def test_wrong_type_message_says_what_was_given() -> None:
    err = refused(lambda: attrs.evolve(MEMBER, full_name=42), "Member.full_name")
    assert err.reason_vi == "phải là văn bản"
    assert "got int" in err.reason_en


# --- the handbook as a whole -------------------------------------------------------------------


def test_duplicate_pledge_ids_refused() -> None:
    a, b = good_pledges(2)
    err = refused(
        lambda: attrs.evolve(draft(), pledges=(a, attrs.evolve(b, id=a.id))),
        "Handbook.pledges[1].id",
    )
    assert "viec-1" in err.reason_vi
    assert "duplicate" in err.reason_en


def test_report_for_unknown_pledge_refused() -> None:
    hb = handbook_in(S.REGISTERED)
    stray = PledgeResult(pledge_id="viec-9", outcome=Outcome.DONE, achieved="Đã xong")
    report = attrs.evolve(
        full_report(hb.pledges), results=(*full_report(hb.pledges).results, stray)
    )
    err = refused(
        lambda: attrs.evolve(hb, report=report, status=S.REPORTED),
        "Handbook.report.results[2].pledge_id",
    )
    assert "viec-9" in err.reason_en


STATUS_MISMATCH: list[tuple[str, Callable[[], Any], str]] = [
    (
        "collective assessment on a registered handbook",
        lambda: attrs.evolve(
            handbook_in(S.REGISTERED),
            collective_assessment=handbook_in(S.ASSESSED).collective_assessment,
        ),
        "Handbook.collective_assessment",
    ),
    (
        "collective assessment while reported",
        lambda: attrs.evolve(handbook_in(S.ASSESSED), status=S.REPORTED),
        "Handbook.collective_assessment",
    ),
    (
        "report on a draft",
        lambda: attrs.evolve(handbook_in(S.REPORTED), status=S.DRAFT, self_assessment=None),
        "Handbook.report",
    ),
    (
        "self-assessment on a registered handbook",
        lambda: attrs.evolve(handbook_in(S.REGISTERED), self_assessment=self_assessment()),
        "Handbook.self_assessment",
    ),
    (
        "registered without pledges",
        lambda: attrs.evolve(draft(), status=S.REGISTERED),
        "Handbook.pledges",
    ),
    (
        "reported without report",
        lambda: attrs.evolve(handbook_in(S.REGISTERED), status=S.REPORTED),
        "Handbook.report",
    ),
    (
        "assessed without assessment",
        lambda: attrs.evolve(handbook_in(S.REPORTED), status=S.ASSESSED),
        "Handbook.collective_assessment",
    ),
    (
        "closed without assessment",
        lambda: attrs.evolve(handbook_in(S.REPORTED), status=S.CLOSED),
        "Handbook.collective_assessment",
    ),
]


@pytest.mark.parametrize(
    ("build", "field"),
    [(b, f) for _, b, f in STATUS_MISMATCH],
    ids=[n for n, _, _ in STATUS_MISMATCH],
)
def test_status_and_content_must_agree(build: Callable[[], Any], field: str) -> None:
    refused(build, field)


def test_organisation_chain_checked() -> None:
    refused(lambda: attrs.evolve(draft(), organisation=()), "Handbook.organisation")
    refused(lambda: attrs.evolve(draft(), organisation=(ROOT, CELL)), "Handbook.organisation[1]")
    refused(lambda: attrs.evolve(draft(), organisation=(ROOT, XA)), "Handbook.organisation")
    refused(lambda: attrs.evolve(draft(), version=-1), "Handbook.version")
    refused(lambda: attrs.evolve(draft(), status="xong"), "Handbook.status")


def test_grassroots_falls_back_to_the_cells_parent_then_the_cell() -> None:
    plain_xa = attrs.evolve(XA, grassroots=False)
    hb = attrs.evolve(draft(), organisation=(ROOT, plain_xa, CELL))
    assert hb.grassroots == plain_xa
    lone = attrs.evolve(CELL, parent_id=None)
    hb = attrs.evolve(draft(), organisation=(lone,))
    assert hb.grassroots == lone
    assert hb.superior is None


# --- normalisation -----------------------------------------------------------------------------


def test_nfd_input_comes_out_nfc() -> None:
    m = Member(
        id="dv-02",
        full_name=nfd("Nguyễn Thị Ánh"),
        cell_id=CELL.id,
        position=nfd("Công chức địa chính"),
        duties=[nfd("Đo đạc, cấp giấy chứng nhận"), "Hoà giải tranh chấp đất đai"],
    )
    assert m.full_name == "Nguyễn Thị Ánh"
    assert is_nfc(m.full_name)
    assert m.full_name != nfd("Nguyễn Thị Ánh")
    assert m.position == "Công chức địa chính"
    assert m.duties == ("Đo đạc, cấp giấy chứng nhận", "Hoà giải tranh chấp đất đai")
    # NFC keeps the user's tone placement: "hoà" stays "hoà", it is not rewritten to "hòa"
    assert "Hoà" in m.duties[1]
    p = pledge(deed=nfd("Giải quyết 100% hồ sơ một cửa đúng hạn"), task=nfd("Tiếp dân"))
    assert p.deed == "Giải quyết 100% hồ sơ một cửa đúng hạn"
    assert p.task == "Tiếp dân"


@settings(max_examples=40, deadline=None)
@given(vietnamese_text(1, 12))
def test_any_text_comes_out_nfc(text: str) -> None:
    sa = SelfAssessment(text=nfd(text), written_on=dt.date(2025, 12, 5))
    assert sa.text == unicodedata.normalize("NFC", text)
    assert SelfAssessment(text=sa.text, written_on=sa.written_on) == sa


def test_lists_become_tuples() -> None:
    hb = Handbook(
        id="sotay-x",
        member=MEMBER,
        organisation=list(CHAIN),
        period=Period.year(2025),
        pledges=list(good_pledges(2)),
    )
    assert isinstance(hb.organisation, tuple)
    assert isinstance(hb.pledges, tuple)
    assert hb == attrs.evolve(hb, pledges=tuple(hb.pledges))
    assert isinstance(attrs.evolve(MEMBER, duties=["Tiếp dân"]).duties, tuple)
    report = ResultReport(submitted_on=dt.date(2025, 12, 5), results=[])
    assert report.results == ()


def test_numbers_become_decimals() -> None:
    assert QuantityTarget(amount="999999999999999.5", unit="đồng").describe() == (
        "999999999999999,5 đồng"
    )
    assert QuantityTarget(amount="0.125000000000", unit="ha").describe() == "0,125 ha"
    assert QuantityTarget(amount=12, unit="buổi").amount == Decimal(12)
    assert QuantityTarget(amount=" 2.5 ", unit="giờ").amount == Decimal("2.5")
    assert QuantityTarget(amount=0.1, unit="%").amount == Decimal("0.1")


def test_evolve_revalidates_and_normalises() -> None:
    p = good_pledges(1)[0]
    with pytest.raises(ValidationFailed) as info:
        attrs.evolve(p, deed="")
    assert info.value.field == "Pledge.deed"
    assert attrs.evolve(p, deed=nfd("Tiếp 30 lượt công dân")).deed == "Tiếp 30 lượt công dân"
    hb = handbook_in(S.ASSESSED)
    with pytest.raises(ValidationFailed) as info:
        attrs.evolve(hb, status=S.REGISTERED)
    assert info.value.field in {"Handbook.report", "Handbook.collective_assessment"}
    with pytest.raises(ValidationFailed):
        attrs.evolve(SECRETARY, cell_id="")


@settings(max_examples=20, deadline=None)
@given(handbooks())
def test_generated_handbooks_are_valid_in_every_status(hb: Handbook) -> None:
    assert attrs.evolve(hb) == hb
    if hb.status.order >= S.REGISTERED.order:
        assert hb.pledges
    assert (hb.report is not None) == (hb.status.order >= S.REPORTED.order)
    assert (hb.collective_assessment is not None) == (hb.status.order >= S.ASSESSED.order)


def test_one_line_fields_are_trimmed_as_the_workbook_import_trims_its_cells() -> None:
    # issue 16: the API kept surrounding spaces the importers remove, so the same pledge typed
    # in a workbook and sent as JSON were two different values.
    from lamtheoguongbac import Basis, BasisKind, Pledge, QuantityTarget, RegulationRef

    pledge = Pledge(
        id=" v1 ",
        deed="Tổ chức 06 buổi tuyên truyền pháp luật tại 6 ấp trong năm 2025\n",
        target=QuantityTarget(amount=6, unit=" buổi "),
        deadline=dt.date(2025, 11, 30),
        task="\tPhổ biến giáo dục pháp luật ",
        bases=(
            Basis(kind=BasisKind.PROHIBITIONS, reference=RegulationRef(regulation=" 37-QĐ/TW")),
        ),
    )
    assert (pledge.id, pledge.task, pledge.target.unit) == (
        "v1",
        "Phổ biến giáo dục pháp luật",
        "buổi",
    )
    assert pledge.bases[0].reference is not None
    assert pledge.bases[0].reference.regulation == "37-QĐ/TW"
    # a free text keeps its lines as written: only one-line fields are trimmed
    assert pledge.deed.endswith("\n")
