"""References checked against the catalog (LTGB-B001…B004), policies that follow the year, and
LTGB-P005 on a task that is one of the member's duties word for word."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from decimal import Decimal
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtheoguongbac import (
    Basis,
    BasisKind,
    Handbook,
    HandbookStatus,
    Member,
    Pledge,
    QuantityTarget,
    RegulationRef,
    ValidationFailed,
)
from lamtheoguongbac.catalog import ArticleMap, Catalog, Regulation, regulation_key
from lamtheoguongbac.rules import DEFAULT_POLICY, Policy, Severity, Stage, Violation
from lamtheoguongbac.rules._builtin import _CITED, _cited
from lamtheoguongbac.text import nfc
from strategies import MEMBER, at, draft

E, W = Severity.ERROR, Severity.WARNING
DEED = "Giải quyết 100% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm {y}."


def pledge(*bases: Basis, year: int = 2025, deed: str | None = None) -> Pledge:
    return Pledge(
        id="v1",
        deed=deed or DEED.format(y=year),
        target=QuantityTarget(amount=Decimal(100), unit="%"),
        deadline=dt.date(year, 11, 30),
        task="Tiếp nhận và giải quyết hồ sơ một cửa",
        bases=bases,
    )


def ref(code: str, article: int | None = None, kind: BasisKind = BasisKind.PROHIBITIONS) -> Basis:
    return Basis(kind=kind, reference=RegulationRef(regulation=code, article=article))


def registered(p: Pledge, year: int = 2025, member: Member = MEMBER) -> Handbook:
    return attrs.evolve(draft(member, year=year), pledges=(p,), status=HandbookStatus.REGISTERED)


def check(hb: Handbook, policy: Policy = DEFAULT_POLICY) -> list[Violation]:
    return policy.check(Stage.REGISTRATION, hb, MEMBER.as_actor(), at(12, 1, year=hb.year))


def found(hb: Handbook, prefix: str = "LTGB-B") -> list[Violation]:
    return [v for v in check(hb) if v.code.startswith(prefix)]


# --- the catalog's fields --------------------------------------------------------------------


def test_shipped_catalog_knows_replacements_articles_and_the_crosswalk() -> None:
    catalog = Catalog.shipped()
    assert catalog is Catalog.shipped()  # read once
    new = catalog.successor("47-qd/tw")
    assert new is not None
    assert new.code == "37-QĐ/TW"
    assert new.articles == 19 == catalog.regulation("47-QĐ/TW").articles  # type: ignore[union-attr]
    entry = new.article_for(1)
    assert entry is not None
    assert entry.new == 1
    assert entry.verified
    assert entry.source
    assert catalog.successor("37-QĐ/TW") is None
    assert regulation_key("37 - QĐ/TW") == regulation_key("37-qd/tw")


def test_catalog_refuses_a_crosswalk_past_the_regulations_articles(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="crosswalk"):
        Regulation(
            code="9-QĐ/TW",
            title="x",
            kind=BasisKind.PROHIBITIONS,
            articles=3,
            replaces="8-QĐ/TW",
            crosswalk=(ArticleMap(old=1, new=4),),
        )
    with pytest.raises(ValidationFailed, match="replaces"):
        Regulation(code="9-QĐ/TW", title="x", kind=BasisKind.OTHER, crosswalk=(ArticleMap(old=1),))
    bad = tmp_path / "sai.json"
    bad.write_text(
        json.dumps(
            {
                "regulations": [
                    {"code": "1-QĐ/TW", "title": "x", "kind": "khac", "crosswalk": [{"old": "một"}]}
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ValidationFailed) as err:
        Catalog.load(bad)
    assert "sai.json" in str(err.value.field)


# --- LTGB-B001 unknown regulation ------------------------------------------------------------


def test_b001_an_unknown_central_regulation_is_an_error() -> None:
    (v,) = found(registered(pledge(ref("99-QĐ/TW"))))
    assert (v.code, v.severity, v.path) == ("LTGB-B001", E, "pledges[0].bases[0].reference")
    assert "99-QĐ/TW" in v.message_vi
    assert "99-QĐ/TW" in v.message_en


def test_b001_also_in_a_basis_text_and_in_the_deed() -> None:
    text = Basis(kind=BasisKind.PROHIBITIONS, text="Điều 3 Quy định số 99-QĐ/TW")
    deed = "Giải quyết 100% hồ sơ một cửa đúng hạn theo Hướng dẫn 77-HD/VPTW trong năm 2025."
    violations = found(registered(pledge(text, deed=deed)))
    assert [(v.code, v.path) for v in violations] == [
        ("LTGB-B001", "pledges[0].bases[0].text"),
        ("LTGB-B001", "pledges[0].deed"),
    ]


def test_b001_a_local_document_warns_as_a_reference_and_is_free_in_text(tmp_path: Path) -> None:
    local = ref("05-QĐ/ĐU", kind=BasisKind.ETHICAL_NORMS)
    (v,) = found(registered(pledge(local)))
    assert (v.code, v.severity) == ("LTGB-B001", W)
    in_text = Basis(kind=BasisKind.ETHICAL_NORMS, text="Quy định 05-QĐ/ĐU của Đảng ủy xã")
    assert found(registered(pledge(in_text))) == []
    # a committee adds its own documents with an override file, and the warning goes
    extra = tmp_path / "xa.json"
    extra.write_text(
        json.dumps(
            {
                "regulations": [
                    {
                        "code": "05-QĐ/ĐU",
                        "title": "Chuẩn mực đạo đức của cán bộ xã",
                        "kind": "chuan_muc_dao_duc",
                    }
                ]
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    policy = attrs.evolve(DEFAULT_POLICY, catalog=Catalog.load(extra))
    assert [v for v in check(registered(pledge(local)), policy) if v.code == "LTGB-B001"] == []


def test_known_references_and_state_documents_pass() -> None:
    bases = (
        ref("37-QĐ/TW", 5),
        ref("37-qđ/tw", 19),
        Basis(kind=BasisKind.EXEMPLARY_DUTY, text="Quy định 08-QĐi/TW về trách nhiệm nêu gương"),
        Basis(kind=BasisKind.OTHER, text="Quyết định 123/QĐ-UBND của UBND xã"),
        Basis(kind=BasisKind.STUDY_THEME, text="Chuyên đề năm 2025 theo Kết luận 01-KL/TW"),
        ref("144-QĐ/TW", kind=BasisKind.EXEMPLARY_DUTY),
    )
    assert found(registered(pledge(*bases))) == []


# --- LTGB-B002 article out of range ----------------------------------------------------------


@pytest.mark.parametrize(
    "basis",
    [
        ref("37-QĐ/TW", 25),
        Basis(kind=BasisKind.PROHIBITIONS, text="Điều 25 Quy định 37-QĐ/TW"),
        Basis(kind=BasisKind.PROHIBITIONS, text="Khoản 2 Điều 20 của Quy định số 37-QĐ/TW"),
    ],
)
def test_b002_an_article_beyond_the_regulation_is_an_error(basis: Basis) -> None:
    (v,) = found(registered(pledge(basis)))
    assert (v.code, v.severity) == ("LTGB-B002", E)
    assert "19" in v.message_vi
    assert "37-QĐ/TW" in v.message_en


# --- LTGB-B003 replaced regulation -----------------------------------------------------------


def test_b003_a_replaced_regulation_names_the_successor_and_the_new_article() -> None:
    (v,) = found(registered(pledge(ref("47-QĐ/TW", 1))))
    assert (v.code, v.severity, v.path) == ("LTGB-B003", W, "pledges[0].bases[0].reference")
    assert "37-QĐ/TW" in v.message_vi
    assert "25/10/2021" in v.message_vi
    assert "Điều 1 nay là Điều 1 Quy định 37-QĐ/TW" in v.message_vi
    assert "chưa xác minh" not in v.message_vi
    assert "article 1 is now article 1 of 37-QĐ/TW" in v.message_en


def test_b003_without_a_crosswalk_entry_says_to_check_the_text() -> None:
    (v,) = found(registered(pledge(ref("47-QĐ/TW", 7))))
    assert v.code == "LTGB-B003"
    assert "chưa có điều tương ứng với Điều 7" in v.message_vi


def test_b003_an_unverified_pairing_says_so(tmp_path: Path) -> None:
    new = Catalog.shipped().regulation("37-QĐ/TW")
    assert new is not None
    guess = attrs.evolve(new, crosswalk=(*new.crosswalk, ArticleMap(old=7, new=9)))
    catalog = attrs.evolve(
        Catalog.shipped(),
        regulations=tuple(
            guess if r.code == new.code else r for r in Catalog.shipped().regulations
        ),
    )
    policy = attrs.evolve(DEFAULT_POLICY, catalog=catalog)
    (v,) = [x for x in check(registered(pledge(ref("47-QĐ/TW", 7))), policy) if x.code[5] == "B"]
    assert "Điều 7 nay là Điều 9 Quy định 37-QĐ/TW (chưa xác minh)" in v.message_vi


def test_b003_not_for_a_period_that_began_before_the_replacement() -> None:
    p2021 = pledge(ref("47-QĐ/TW", 1), year=2021)
    assert found(registered(p2021, year=2021)) == []
    p2022 = pledge(ref("47-QĐ/TW", 1), year=2022)
    assert [v.code for v in found(registered(p2022, year=2022))] == ["LTGB-B003"]
    # in a basis text too, and chains of directives
    text = Basis(kind=BasisKind.STUDY_THEME, text="Chỉ thị 03-CT/TW về học tập và làm theo")
    assert [v.code for v in found(registered(pledge(text)))] == ["LTGB-B003"]


# --- LTGB-B004 wrong kind --------------------------------------------------------------------


def test_b004_a_regulation_filed_as_a_study_theme_is_an_error() -> None:
    (v,) = found(registered(pledge(ref("37-QĐ/TW", 5, kind=BasisKind.STUDY_THEME))))
    assert (v.code, v.severity, v.path) == ("LTGB-B004", E, "pledges[0].bases[0].kind")
    assert "Những điều đảng viên không được làm" in v.message_vi
    assert "Chuyên đề học tập" in v.message_vi
    text = Basis(kind=BasisKind.RESOLUTION, text="Điều 2 Quy định 37-QĐ/TW")
    assert [v.code for v in found(registered(pledge(text)))] == ["LTGB-B004"]
    # filing under "other" is never wrong
    assert found(registered(pledge(ref("37-QĐ/TW", 5, kind=BasisKind.OTHER)))) == []


def test_the_four_cases_of_the_issue_together() -> None:
    bases = (
        ref("47-QĐ/TW", 1),
        ref("37-QĐ/TW", 25),
        ref("99-QĐ/TW"),
        ref("37-QĐ/TW", 2, kind=BasisKind.STUDY_THEME),
    )
    violations = found(registered(pledge(*bases)))
    assert [(v.code, v.severity, v.path[:19]) for v in violations] == [
        ("LTGB-B001", E, "pledges[0].bases[2]"),
        ("LTGB-B002", E, "pledges[0].bases[1]"),
        ("LTGB-B003", W, "pledges[0].bases[0]"),
        ("LTGB-B004", E, "pledges[0].bases[3]"),
    ]


# --- policies per year -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "name"),
    [
        (2018, "qd-132-2018"),
        (2019, "qd-132-2018"),
        (2022, "qd-132-2018"),
        (2023, "qd-124-2023"),
        (2024, "qd-124-2023"),
        (2025, "qd-366-2025"),
        (2030, "qd-366-2025"),
    ],
)
def test_policy_for_year(year: int, name: str) -> None:
    policy = Catalog.shipped().policy_for_year(year)
    assert policy is not None
    assert policy.name == name
    assert policy.covers(year)


def test_policy_366_is_marked_unverified_with_its_scale() -> None:
    policy = Catalog.shipped().policy("qd-366-2025")
    assert policy.verified is False
    assert policy.note is not None
    assert "100 điểm" in policy.note
    assert Catalog.shipped().policy("qd-124-2023").verified
    assert Catalog.shipped().policy_for_year(2010) is None
    assert not DEFAULT_POLICY.covers(2025)


def test_policy_is_published_under_its_namespace() -> None:
    # its catalog field is typed by a protocol the rules own, so the annotation resolves
    assert Policy.__module__ == "lamtheoguongbac.rules"
    assert ArticleMap.__module__ == "lamtheoguongbac.catalog"


def test_policy_years_are_validated(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed, match="last_year"):
        Policy(first_year=2025, last_year=2024)
    with pytest.raises(ValidationFailed, match="first_year"):
        Policy(first_year=99)
    bad = tmp_path / "p.json"
    bad.write_text(json.dumps({"policies": [{"name": "x", "catalog": {}}]}), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="catalog"):
        Catalog.load(bad)
    for field, value in (("first_year", "2025"), ("note", 5), ("verified", "no")):
        bad.write_text(json.dumps({"policies": [{"name": "x", field: value}]}), encoding="utf-8")
        with pytest.raises(ValidationFailed, match=field):
            Catalog.load(bad)
    decomposed = unicodedata.normalize("NFD", "Quy định của tỉnh")
    good = tmp_path / "nfd.json"
    good.write_text(
        json.dumps({"policies": [{"name": "tinh", "note": decomposed, "last_year": None}]}),
        encoding="utf-8",
    )
    policy = Catalog.load(good).policy("tinh")
    assert policy.note == "Quy định của tỉnh"
    assert unicodedata.is_normalized("NFC", policy.note)


def test_an_override_policy_for_later_years_wins(tmp_path: Path) -> None:
    extra = tmp_path / "tinh.json"
    extra.write_text(
        json.dumps({"policies": [{"name": "tinh-2026", "first_year": 2026, "min_pledges": 2}]}),
        encoding="utf-8",
    )
    catalog = Catalog.load(extra)
    assert catalog.policy_for_year(2026).name == "tinh-2026"  # type: ignore[union-attr]
    assert catalog.policy_for_year(2025).name == "qd-366-2025"  # type: ignore[union-attr]


# --- LTGB-P005 and a task that is one of the duties -----------------------------------------


def test_p005_silent_when_the_task_is_exactly_a_listed_duty() -> None:
    # Of this duty only single syllables are left once "phụ trách công tác" is set aside,
    # so no shared word pair can tie a pledge to it: the task naming it is what ties it.
    member = attrs.evolve(MEMBER, position=None, duties=("Phụ trách công tác Đoàn, Hội",))
    deed = "Tổ chức 04 buổi sinh hoạt chuyên đề cho thanh niên thôn trước 30/9/2025."
    task_variants = (
        "Phụ trách công tác Đoàn, Hội",
        "phụ trách công tác Đoàn – Hội.",
        "PHỤ TRÁCH CÔNG TÁC ĐOÀN HỘI",
    )
    for task in task_variants:
        p = attrs.evolve(pledge(ref("37-QĐ/TW", 5), deed=deed), task=task)
        assert [v for v in check(registered(p, member=member)) if v.code == "LTGB-P005"] == []
    other = attrs.evolve(pledge(ref("37-QĐ/TW", 5), deed=deed), task="Trồng cây xanh")
    assert [v.code for v in check(registered(other, member=member)) if v.code == "LTGB-P005"] == [
        "LTGB-P005"
    ]


# --- the linter inside the registration rule ----------------------------------------------------


def test_registration_refuses_a_pledge_typed_without_diacritics_and_says_why() -> None:
    p = attrs.evolve(
        pledge(ref("37-QĐ/TW", 5)), deed="Giai quyet 100% ho so mot cua dung han nam 2025"
    )
    linted = [v for v in check(registered(p)) if v.code.startswith("LTGB-L")]
    assert [(v.code, v.severity) for v in linted] == [("LTGB-L007", E)]
    assert "có dấu" in linted[0].message_vi
    lenient = attrs.evolve(DEFAULT_POLICY, linter_blocks=False)
    assert [v.severity for v in check(registered(p), lenient) if v.code == "LTGB-L007"] == [W]


def test_registration_hints_use_the_members_own_work() -> None:
    teacher = attrs.evolve(MEMBER, position="Giáo viên Toán", duties=("Chủ nhiệm lớp 9A",))
    generic = Pledge(
        id="v1",
        deed="Thực hiện tốt 100% nhiệm vụ được giao trong năm 2025",
        bases=(ref("37-QĐ/TW", 5),),
    )
    found = [v for v in check(registered(generic, member=teacher)) if v.code == "LTGB-L001"]
    assert len(found) == 1
    assert found[0].severity is E
    assert "học sinh" in found[0].message_vi
    assert "hồ sơ một cửa" not in found[0].message_vi


@settings(max_examples=500)
@given(st.text(alphabet="0123456789 -–/ĐđiềuĐiều Quyđịnhsố TWHDBTCtw,QĐ", max_size=60))
def test_the_quick_pre_check_finds_every_citation_the_full_pattern_finds(text: str) -> None:
    # _cited skips texts without "digit, dash"; the full pattern must find nothing there.
    full = [" ".join(m.group("code").split()) for m in _CITED.finditer(nfc(text))]
    assert [code for code, _ in _cited(text)] == full
