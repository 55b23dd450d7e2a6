"""The default handbook template rendered by the docx exporter."""

from __future__ import annotations

import copy
import io
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from docx import Document
from docx_helpers import all_text, document_text

from conftest import TODAY
from lamtheoguongbac import Handbook, HandbookStatus, MemberStatus, TemplateError
from lamtheoguongbac.export import build_context
from lamtheoguongbac.rules import Policy
from lamtheoguongbac.testing import make_handbook
from lamtheoguongbac_docx import DEFAULT_TEMPLATE, DocxRenderer


@pytest.fixture(scope="module")
def renderer() -> DocxRenderer:
    return DocxRenderer()


def test_an_assessed_handbook_has_every_part_of_the_form(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    data = renderer.render(context)
    text = all_text(data)

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        *context["superior"]["name_upper_lines"],
        *context["cell"]["name_upper_lines"],
        "SỔ TAY",
        "LÀM THEO GƯƠNG BÁC",
        "NĂM 2025",
        context["theme"]["title"],
        "1. Họ và tên: " + context["member"]["full_name"],
        "2. Ngày sinh: " + context["member"]["date_of_birth"],
        "Chỉ tiêu, kết quả cần đạt",
        context["pledges"][0]["deed"],
        "- Điều 3 Quy định 37-QĐ/TW",
        "- Chưa làm được: Không",
        "4. Tình trạng đảng viên: Đảng viên chính thức",
        context["handbook"]["registration_place_date"],
        "NGƯỜI ĐĂNG KÝ",
        "NGƯỜI TỰ ĐÁNH GIÁ",
        "T/M CHI BỘ",
        "BÍ THƯ",
        context["collective"]["recorder_name"],
        "Tịnh Biên, ngày 20 tháng 12 năm 2025",
    ):
        assert expected in text, expected
    assert context["handbook"]["registration_place_date"].startswith("Tịnh Biên, ngày ")
    # The cover is a personal book's: no export date; and by default no rating is printed.
    assert "ngày 05 tháng 01 năm 2026" not in text
    assert "xếp loại" not in text.lower()
    assert "Hoàn thành tốt nhiệm vụ" not in text
    assert "Chi bộ: Chi bộ" not in text
    assert "TM." not in text
    assert "{{" not in text
    assert "{%" not in text
    registration = document_text(data)["tables"][1]
    assert registration[0] == ["STT", "Việc làm đăng ký", "Căn cứ", "Chỉ tiêu, kết quả cần đạt",
                               "Thời hạn"]  # fmt: skip
    assert [row[0] for row in registration[1:]] == ["1", "2"]
    assert registration[1][4] == "30/11/2025"
    footer = document_text(data)["footers"][0]
    assert footer[0].startswith(context["member"]["full_name"] + " – Sổ tay Làm theo gương Bác")


def test_a_draft_keeps_blanks_to_fill_in_by_hand(
    renderer: DocxRenderer, draft_context: dict[str, Any]
) -> None:
    parts = document_text(renderer.render(draft_context))

    registration = parts["tables"][1]
    assert len(registration) == 2  # the header and one blank row
    assert registration[1] == ["", "", "", "", ""]
    assert not any("xếp loại" in p for p in parts["paragraphs"])
    assert "BÍ THƯ" in parts["paragraphs"]
    # the registration's date is a blank to fill in by hand
    assert "…………, ngày …… tháng …… năm ………" in parts["paragraphs"]


def test_a_province_that_prints_the_rating_gets_the_line(
    renderer: DocxRenderer, assessed: Handbook
) -> None:
    printed = Policy(rating_in_handbook=True)
    text = all_text(renderer.render(build_context(assessed, today=TODAY, policy=printed)))
    assert "Chi bộ xếp loại: Hoàn thành tốt nhiệm vụ (HTTNV)" in text
    blank = build_context(make_handbook(HandbookStatus.DRAFT, index=2), policy=printed)
    assert "Chi bộ xếp loại: \t" in document_text(renderer.render(blank))["paragraphs"]
    # a suspended member is not rated: the reason, not a blank to fill in
    suspended = attrs.evolve(
        assessed,
        member=attrs.evolve(assessed.member, status=MemberStatus.SUSPENDED),
        collective_assessment=attrs.evolve(assessed.collective_assessment, rating=None),
    )
    text = all_text(renderer.render(build_context(suspended, today=TODAY, policy=printed)))
    assert "Chi bộ xếp loại: Không xếp loại (đảng viên đang bị đình chỉ sinh hoạt đảng)" in text
    assert "4. Tình trạng đảng viên: Đình chỉ sinh hoạt đảng" in text


def test_the_page_is_a4_with_the_party_margins() -> None:
    section = Document(str(DEFAULT_TEMPLATE)).sections[0]

    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert 20 <= round(section.top_margin.mm) <= 25
    assert 20 <= round(section.bottom_margin.mm) <= 25
    assert 30 <= round(section.left_margin.mm) <= 35
    assert 15 <= round(section.right_margin.mm) <= 20
    normal = Document(str(DEFAULT_TEMPLATE)).styles["Normal"].font
    assert (normal.name, normal.size.pt) == ("Times New Roman", 14)


def test_markup_characters_in_data_are_kept_as_text(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    tricky = copy.deepcopy(context)
    tricky["pledges"][0]["deed"] = "Ngoại ngữ & tin học <nâng cao> \"A\" 'B' ]]> {{ x }}"
    tricky["member"]["full_name"] = "Lê <Thị> & Văn"

    text = all_text(renderer.render(tricky))

    assert "Ngoại ngữ & tin học <nâng cao> \"A\" 'B' ]]> {{ x }}" in text
    assert "1. Họ và tên: Lê <Thị> & Văn" in text


def test_decomposed_text_comes_out_precomposed(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    decomposed = copy.deepcopy(context)
    decomposed["member"]["full_name"] = unicodedata.normalize("NFD", "Đỗ Thị Ánh Nguyệt")

    data = renderer.render(decomposed)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    assert unicodedata.is_normalized("NFC", body)
    assert "1. Họ và tên: Đỗ Thị Ánh Nguyệt" in all_text(data)


def test_line_breaks_in_data_become_line_breaks(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    multiline = copy.deepcopy(context)
    multiline["self_assessment"]["text"] = "Dòng một\nDòng hai"

    assert "Dòng một\nDòng hai" in all_text(renderer.render(multiline))


def test_the_output_is_a_valid_deterministic_zip(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    data = renderer.render(context)

    assert data == renderer.render(context)
    with zipfile.ZipFile(io.BytesIO(data)) as archive, zipfile.ZipFile(DEFAULT_TEMPLATE) as tpl:
        assert archive.testzip() is None
        assert archive.namelist() == tpl.namelist()
        assert archive.read("word/styles.xml") == tpl.read("word/styles.xml")


def test_a_missing_key_is_a_bilingual_error_naming_the_paragraph(
    renderer: DocxRenderer, context: dict[str, Any]
) -> None:
    broken = copy.deepcopy(context)
    del broken["member"]["position"]

    with pytest.raises(TemplateError) as caught:
        renderer.render(broken)

    assert "position" in caught.value.message_en
    # The first use, on the cover page.
    assert "đoạn «Chức vụ: {{ member.position }}»" in caught.value.message_vi
    assert "paragraph «Chức vụ: {{ member.position }}»" in caught.value.message_en


def test_merge_puts_every_handbook_in_one_document(
    renderer: DocxRenderer, context: dict[str, Any], draft_context: dict[str, Any]
) -> None:
    merged = renderer.merge([renderer.render(context), renderer.render(draft_context)])

    paragraphs = document_text(merged)["paragraphs"]
    assert paragraphs.count("LÀM THEO GƯƠNG BÁC") == 2
    assert "1. Họ và tên: " + draft_context["member"]["full_name"] in paragraphs
    with pytest.raises(TemplateError):
        renderer.merge([])


def test_an_unreadable_template_is_a_bilingual_error(tmp_path: Path) -> None:
    (tmp_path / "not.docx").write_text("không phải docx")

    with pytest.raises(TemplateError, match=r"not a valid \.docx"):
        DocxRenderer(tmp_path / "not.docx")
    with pytest.raises(TemplateError, match="cannot read template"):
        DocxRenderer(tmp_path / "missing.docx")
