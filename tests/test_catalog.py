"""Tests for lamtheoguongbac.catalog: shipped themes, regulations, policies and overrides."""

from __future__ import annotations

import json
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import BasisKind, NotFound, RatingLevel, StudyTheme, ValidationFailed
from lamtheoguongbac.catalog import Catalog

THEME_2017 = (
    "Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh về phòng, chống suy thoái "
    'tư tưởng chính trị, đạo đức, lối sống, "tự diễn biến", "tự chuyển hóa" trong nội bộ'
)
THEME_2019 = (
    "Xây dựng ý thức tôn trọng Nhân dân, phát huy dân chủ, chăm lo đời sống Nhân dân theo tư "
    "tưởng, đạo đức, phong cách Hồ Chí Minh"
)


@pytest.fixture(scope="module")
def shipped() -> Catalog:
    return Catalog.load()


def write(tmp_path: Path, name: str, data: Any, *, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text, encoding=encoding)
    return path


# --- shipped data ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "code"),
    [
        (2013, "2013"),
        (2015, "2015"),
        (2017, "2017"),
        (2018, "2018"),
        (2019, "2019"),
        (2021, "2021-2025"),
        (2022, "2022"),
        (2023, "2021-2025"),
        (2025, "2021-2025"),
    ],
)
def test_shipped_theme_for_year(shipped: Catalog, year: int, code: str) -> None:
    theme = shipped.theme_for_year(year)
    assert theme is not None
    assert theme.code == code
    assert theme.covers(year)


@pytest.mark.parametrize("year", [2012, 2014, 2016, 2020, 2026])
def test_unknown_years_have_no_theme(shipped: Catalog, year: int) -> None:
    assert shipped.theme_for_year(year) is None


def test_single_year_theme_beats_the_term_theme(shipped: Catalog) -> None:
    theme_2022 = shipped.theme_for_year(2022)
    assert theme_2022 is not None
    assert (theme_2022.first_year, theme_2022.last_year) == (2022, 2022)
    assert "tiên phong, gương mẫu" in theme_2022.title
    term = next(t for t in shipped.themes if t.code == "2021-2025")
    assert term.covers(2022)
    assert "tự lực, tự cường" in term.title


def test_shipped_texts_are_nfc(shipped: Catalog) -> None:
    for t in shipped.themes:
        assert unicodedata.is_normalized("NFC", t.title)
    for r in shipped.regulations:
        assert unicodedata.is_normalized("NFC", r.title)


def test_shipped_regulations(shipped: Catalog) -> None:
    qd37 = shipped.regulation("37-QĐ/TW")
    assert qd37 is not None
    assert qd37.kind is BasisKind.PROHIBITIONS
    assert qd37.articles == 19
    assert qd37.replaces == "47-QĐ/TW"
    assert shipped.regulation("37-qđ/tw") == qd37  # case
    assert shipped.regulation("37-QÐ/TW") == qd37  # the look-alike Ð (U+00D0)
    assert shipped.regulation(unicodedata.normalize("NFD", "37-QĐ/TW")) == qd37
    unverified = shipped.regulation("12-NQ/TW")
    assert unverified is not None
    assert not unverified.verified
    assert shipped.regulation("99-QĐ/TW") is None


def test_shipped_policies(shipped: Catalog) -> None:
    p = shipped.policy("qd-132-2018")
    assert p.top_rating_cap is not None
    assert p.top_rating_cap.ratio == Decimal("0.20")
    assert p.top_rating_cap.level is RatingLevel.EXCELLENT
    assert p.top_rating_cap.of_levels == (RatingLevel.GOOD,)
    assert shipped.policy("qd-124-2023").version == "124-QĐ/TW"
    with pytest.raises(NotFound) as info:
        shipped.policy("qd-999")
    assert "qd-132-2018" in str(info.value)


# --- finding a theme by its title --------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        THEME_2019,
        THEME_2019.upper(),
        THEME_2019.lower(),
        unicodedata.normalize("NFD", THEME_2019),
        "  " + THEME_2019.replace(", ", " ,  ") + ".  ",
        THEME_2019.replace(",", ""),
    ],
    ids=["exact", "upper", "lower", "nfd", "spacing-and-punctuation", "no-commas"],
)
def test_find_theme_ignores_case_form_spacing_and_punctuation(shipped: Catalog, query: str) -> None:
    theme = shipped.find_theme(query)
    assert theme is not None
    assert theme.code == "2019"


def test_find_theme_ignores_tone_placement_and_quotes(shipped: Catalog) -> None:
    # shipped with "chuyển hóa" (old style) and straight quotes
    pasted = THEME_2017.replace("chuyển hóa", "chuyển hoá").replace('"tự', "“tự")
    pasted = pasted.replace('biến"', "biến”").replace('hoá"', "hoá”")
    theme = shipped.find_theme(pasted)
    assert theme is not None
    assert theme.code == "2017"


def test_find_theme_does_not_match_a_different_title(shipped: Catalog) -> None:
    assert (
        shipped.find_theme("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh") is None
    )
    assert shipped.find_theme(THEME_2019 + " năm 2019") is None
    assert shipped.find_theme("") is None


# --- overrides ---------------------------------------------------------------------------------


def test_override_replaces_and_adds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "chuyen-de-tinh.json",
        {
            "schema_version": 1,
            "themes": [
                {
                    "code": "2022",
                    "first_year": 2022,
                    "last_year": 2022,
                    "title": "Chuyên đề năm 2022 theo hướng dẫn của Tỉnh ủy",
                },
                {
                    "code": "2026",
                    "first_year": 2026,
                    "last_year": 2026,
                    "title": "Học tập và làm theo Bác về chuyển đổi số",
                },
            ],
            "regulations": [
                {
                    "code": "366-QĐ/TW",
                    "kind": "khac",
                    "issued_on": "2025-08-08",
                    "title": "Quy định về kiểm điểm, đánh giá, xếp loại chất lượng",
                    "verified": True,
                },
                {
                    "code": "01-QĐ/TU",
                    "kind": "chuan_muc_dao_duc",
                    "title": "Chuẩn mực đạo đức của cán bộ, đảng viên tỉnh An Giang",
                },
            ],
            "policies": [
                {
                    "name": "an-giang-2025",
                    "version": "366-QĐ/TW",
                    "min_pledges": 2,
                    "max_pledges": 4,
                    "linter_blocks": False,
                    "top_rating_cap": {"ratio": "0.15", "of_levels": ["HTTNV", "HTXSNV"]},
                },
                {"name": "qd-124-2023", "version": "124-QĐ/TW", "top_rating_cap": None},
            ],
        },
    )
    shipped = Catalog.load()
    catalog = Catalog.load(path)
    assert len(catalog.themes) == len(shipped.themes) + 1
    theme_2022 = catalog.theme_for_year(2022)
    assert theme_2022 is not None
    assert theme_2022.title == "Chuyên đề năm 2022 theo hướng dẫn của Tỉnh ủy"
    theme_2026 = catalog.theme_for_year(2026)
    assert theme_2026 is not None
    assert theme_2026.code == "2026"
    assert catalog.find_theme("học tập và làm theo bác về chuyển đổi số") == theme_2026
    qd366 = catalog.regulation("366-QĐ/TW")
    assert qd366 is not None
    assert qd366.verified
    assert str(qd366.issued_on) == "2025-08-08"
    assert catalog.regulation("01-QĐ/TU") is not None
    policy = catalog.policy("an-giang-2025")
    assert (policy.min_pledges, policy.max_pledges, policy.linter_blocks) == (2, 4, False)
    assert policy.top_rating_cap is not None
    assert policy.top_rating_cap.ratio == Decimal("0.15")
    assert policy.top_rating_cap.of_levels == (RatingLevel.GOOD, RatingLevel.EXCELLENT)
    assert catalog.policy("qd-124-2023").top_rating_cap is None
    assert catalog.policy("qd-132-2018").top_rating_cap is not None  # untouched


def test_later_overrides_win(tmp_path: Path) -> None:
    first = write(
        tmp_path,
        "a.json",
        {"themes": [{"code": "2026", "first_year": 2026, "last_year": 2026, "title": "Bản nháp"}]},
    )
    second = write(
        tmp_path,
        "b.json",
        {"themes": [{"code": "2026", "first_year": 2026, "last_year": 2026, "title": "Bản chính"}]},
    )
    assert Catalog.load(first, second).theme_for_year(2026).title == "Bản chính"  # type: ignore[union-attr]
    assert Catalog.load(second, first).theme_for_year(2026).title == "Bản nháp"  # type: ignore[union-attr]


def test_override_with_bom_and_nfd(tmp_path: Path) -> None:
    title = unicodedata.normalize("NFD", "Học tập và làm theo Bác về ý chí tự lực")
    path = write(
        tmp_path,
        "bom.json",
        {"themes": [{"code": "2027", "first_year": 2027, "last_year": 2027, "title": title}]},
        encoding="utf-8-sig",
    )
    theme = Catalog.load(path).theme_for_year(2027)
    assert theme is not None
    assert theme.title == unicodedata.normalize("NFC", title)


def test_with_themes(shipped: Catalog) -> None:
    extra = StudyTheme(code="2026", title="Chuyên đề 2026", first_year=2026, last_year=2026)
    replaced = StudyTheme(
        code="2019", title="Chuyên đề 2019 (sửa)", first_year=2019, last_year=2019
    )
    catalog = shipped.with_themes([extra, replaced])
    assert catalog.theme_for_year(2026) == extra
    assert catalog.theme_for_year(2019) == replaced
    assert shipped.theme_for_year(2026) is None


# --- bad override files ------------------------------------------------------------------------


def refused(*paths: Path) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        Catalog.load(*paths)
    return info.value


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "hong.json", '{\n  "themes": [\n    {"code": "2026",}\n  ]\n}')
    err = refused(path)
    assert err.field == str(path)
    assert "dòng 3" in err.message_vi
    assert "line 3" in err.message_en


def test_missing_file_is_named(tmp_path: Path) -> None:
    err = refused(tmp_path / "khong-co.json")
    assert err.field is not None
    assert "khong-co.json" in err.field


@pytest.mark.parametrize(
    ("data", "entry", "detail"),
    [
        ({"themes": {"code": "2026"}}, "", "'themes' must be a list"),
        ({"themes": ["2026"]}, "", "'themes' must be a list"),
        ([], "", "JSON object"),
        (
            {
                "themes": [
                    {"code": "2026", "first_year": 2026, "last_year": 2026, "title": "Được"},
                    {"code": "2027", "first_year": "2027", "last_year": 2027, "title": "Sai"},
                ]
            },
            "themes[1] $.first_year",
            "integer",
        ),
        (
            {"themes": [{"code": "2026", "first_year": 2026, "last_year": 2021, "title": "Ngược"}]},
            "themes[0] $.last_year",
            "year range",
        ),
        (
            {"themes": [{"code": "2026", "first_year": 2026, "last_year": 2026, "title": " "}]},
            "themes[0] $.title",
            "blank",
        ),
        (
            {
                "themes": [
                    {
                        "code": "2026",
                        "first_year": 2026,
                        "last_year": 2026,
                        "title": "Đúng",
                        "nam": 2026,
                    }
                ]
            },
            "themes[0] $",
            "nam",
        ),
        (
            {"regulations": [{"code": "01-QĐ/TU", "kind": "quy_dinh", "title": "Chuẩn mực"}]},
            "regulations[0] $.kind",
            "one of",
        ),
        ({"policies": [{"name": "x", "so_viec": 2}]}, "policies[0]", "so_viec"),
        ({"policies": [{"name": "x", "min_pledges": "2"}]}, "policies[0]", "min_pledges"),
        ({"policies": [{"name": "x", "linter_blocks": "no"}]}, "policies[0]", "linter_blocks"),
        (
            {"policies": [{"name": "x", "min_pledges": 3, "max_pledges": 2}]},
            "policies[0]",
            "min_pledges",
        ),
        ({"policies": [{"name": "x", "min_pledges": -1}]}, "policies[0]", "non-negative"),
        ({"policies": [{"name": "x", "top_rating_cap": {"ratio": "1.5"}}]}, "policies[0]", "0–1"),
        (
            {"policies": [{"name": "x", "top_rating_cap": {"ratioo": "0.1"}}]},
            "policies[0]",
            "ratioo",
        ),
        ({"policies": [{"name": "x", "top_rating_cap": "0.2"}]}, "policies[0]", "object"),
        ({"policies": [{"name": "x", "top_rating_cap": {"level": "XS"}}]}, "policies[0]", "XS"),
        ({"policies": [{"name": 5}]}, "policies[0]", "name"),
    ],
)
def test_bad_override_entries_name_file_and_entry(
    tmp_path: Path, data: Any, entry: str, detail: str
) -> None:
    good = write(
        tmp_path,
        "tot.json",
        {"themes": [{"code": "2030", "first_year": 2030, "last_year": 2030, "title": "Tốt"}]},
    )
    path = write(tmp_path, "ghi-de.json", data)
    err = refused(good, path)
    assert err.field is not None
    assert err.field.startswith(str(path))
    assert "tot.json" not in err.field
    assert entry in err.field
    assert detail in err.message_en
    assert err.message_vi != err.message_en
