"""The yearbook of exemplars as a Word document (``docx-yearbook``), read back as a user would:
with python-docx, and as a PDF through LibreOffice."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from docx_helpers import all_text

from lamtheoguongbac import Exemplar, ExemplarKind
from lamtheoguongbac.export import convert_to_pdf, export_yearbook
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_exemplar
from lamtheoguongbac.text import collation_key, name_sort_key
from lamtheoguongbac_docx import (
    REPORT_TEMPLATE,
    YEARBOOK_TEMPLATE,
    DocxRenderer,
    create_report_renderer,
    create_yearbook_renderer,
)

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_report_templates.py"
TODAY = dt.date(2026, 1, 5)
ACHIEVEMENTS = (
    "1. Vận động 15 hộ dân hiến đất làm đường giao thông nông thôn — Kết quả: 18 hộ hiến "
    "2.400 m² đất\n2. Tổ chức 04 buổi tuyên truyền pháp luật — Kết quả: 4 buổi, 320 lượt dự"
)


def _exemplars() -> list[Exemplar]:
    people = [make_exemplar(index=i, commended=True) for i in (3, 1, 2)]
    people[1] = attrs.evolve(people[1], achievements=ACHIEVEMENTS)
    units = [
        make_exemplar(ExemplarKind.COLLECTIVE, cell=cell, commended=cell == "chibo-02")
        for cell in ("chibo-03", "chibo-02")
    ]
    return [*units, *people]


EXEMPLARS = _exemplars()


@pytest.fixture(scope="module")
def yearbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_yearbook(
        EXEMPLARS,
        tmp_path_factory.mktemp("ky-yeu") / "ky-yeu-2025.docx",
        title_year=2025,
        organisation_name="Đảng bộ xã Tịnh Biên",
        superior_name="Đảng bộ tỉnh An Giang",
        place="Tịnh Biên",
        today=TODAY,
    )


def test_the_exporters_are_registered_with_their_default_templates() -> None:
    registry = create_registry()

    book, summary = registry.exporter("docx-yearbook"), registry.exporter("docx-report")
    assert (book.suffix, book.create_renderer) == (".docx", create_yearbook_renderer)
    assert (summary.suffix, summary.create_renderer) == (".docx", create_report_renderer)
    assert YEARBOOK_TEMPLATE.is_file()
    assert REPORT_TEMPLATE.is_file()


def test_every_exemplar_is_in_the_yearbook(yearbook: Path) -> None:
    text = all_text(yearbook.read_bytes())

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH AN GIANG",
        "ĐẢNG BỘ XÃ TỊNH BIÊN",
        "Tịnh Biên, ngày 05 tháng 01 năm 2026",
        "KỶ YẾU",
        "KỶ YẾU\nGƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO\nTƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH",
        "NĂM 2025",
        "MỤC LỤC",
        "PHẦN I. GƯƠNG ĐIỂN HÌNH CÁ NHÂN",
        "PHẦN II. GƯƠNG ĐIỂN HÌNH TẬP THỂ",
        "Kỷ yếu gương điển hình năm 2025 – Đảng bộ xã Tịnh Biên\tTrang ",
        "1. Vận động 15 hộ dân hiến đất làm đường giao thông nông thôn — Kết quả: 18 hộ hiến "
        "2.400 m² đất",
        "2. Tổ chức 04 buổi tuyên truyền pháp luật — Kết quả: 4 buổi, 320 lượt dự",
        "Khen thưởng: chưa có quyết định khen thưởng.",
    ):
        assert expected in text, expected
    for e in EXEMPLARS:
        heading = f"Đồng chí {e.name}" if e.kind is ExemplarKind.INDIVIDUAL else e.name
        assert text.count(heading) == 2, heading  # in the contents and on its page
        assert e.achievements.splitlines()[0] in text
        if e.commended:
            assert f"Khen thưởng: {e.commendation_text()}." in text
    assert "{{" not in text
    assert "{%" not in text


def test_the_contents_point_at_each_exemplar_by_bookmark(yearbook: Path) -> None:
    with zipfile.ZipFile(yearbook) as archive:
        body = archive.read("word/document.xml").decode()
        settings = archive.read("word/settings.xml").decode()

    marks = re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="(_GDH_\d{4})"/>', body)
    assert marks == [(str(n), f"_GDH_{n:04d}") for n in range(1, len(EXEMPLARS) + 1)]
    assert re.findall(r"PAGEREF (_GDH_\d{4}) \\h", body) == [name for _, name in marks]
    assert '<w:updateFields w:val="true"/>' in settings
    # The contents and each part start a page, and so does every exemplar but a part's first.
    parts = 2
    assert body.count("<w:pageBreakBefore/>") == 1 + parts + len(EXEMPLARS) - parts


def test_individuals_come_first_in_collation_order(yearbook: Path) -> None:
    text = all_text(yearbook.read_bytes())
    contents = text[text.index("MỤC LỤC") : text.index("PHẦN I\n")]

    headings = re.findall(r"^\d+\. (.+?) – ", contents, flags=re.MULTILINE)
    people = sorted(
        (e for e in EXEMPLARS if e.kind is ExemplarKind.INDIVIDUAL),
        key=lambda e: name_sort_key(e.name),
    )
    units = sorted(
        (e.name for e in EXEMPLARS if e.kind is ExemplarKind.COLLECTIVE), key=collation_key
    )
    assert headings == [f"Đồng chí {e.name}" for e in people] + units


def test_a_custom_yearbook_template_is_used(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("{{ yearbook.title }}")
    document.add_paragraph("{%p for e in exemplars %}")
    document.add_paragraph("{{ e.number }}/{{ yearbook.count }}: {{ e.name_upper }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(tmp_path / "mau.docx"))

    written = export_yearbook(
        EXEMPLARS[:2],
        tmp_path / "out.docx",
        title_year=2024,
        organisation_name="Chi bộ",
        template=tmp_path / "mau.docx",
    )

    text = all_text(written.read_bytes())
    assert text.startswith(
        "KỶ YẾU GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO TƯ TƯỞNG, ĐẠO ĐỨC, PHONG "
        "CÁCH HỒ CHÍ MINH NĂM 2024"
    )
    assert "2/2: CHI BỘ ẤP PHÚ CƯỜNG (CHIBO-03)" in text


def _script() -> ModuleType:
    """The build script, loaded as a module; the sibling script it imports and the folder it
    adds to ``sys.path`` are taken away again."""
    spec = importlib.util.spec_from_file_location("build_report_templates", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    path, had_base = list(sys.path), "build_default_template" in sys.modules
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
        if not had_base:
            sys.modules.pop("build_default_template", None)
    return module


def test_the_committed_templates_are_what_the_script_builds() -> None:
    script = _script()

    for template, build in (
        (YEARBOOK_TEMPLATE, script.build_yearbook),
        (REPORT_TEMPLATE, script.build_report),
    ):
        built = build()
        assert built == build()
        assert built == template.read_bytes(), "run scripts/build_report_templates.py"
        assert not DocxRenderer(template).uses_fallback


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.mark.soffice
def test_the_yearbook_reads_right_as_a_pdf(yearbook: Path, tmp_path: Path) -> None:
    [pdf] = convert_to_pdf([yearbook], tmp_path)
    text = _pdf_text(pdf)

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "KỶ YẾU",
        "PHONG CÁCH HỒ CHÍ MINH",
        "NĂM 2025",
        "MỤC LỤC",
        "Thành tích tiêu biểu:",
        "2.400 m² đất",
        "Được Ban Thường vụ Đảng ủy xã Tịnh Biên tặng Giấy khen",
    ):
        assert expected in text, expected
    for e in EXEMPLARS:
        assert e.name in text, e.name
    # LibreOffice fills the contents' page numbers: cover, contents, then a page each.
    numbers = re.findall(r"\.{4,}\s*(\d+)\s*$", text, flags=re.MULTILINE)
    assert numbers == [str(n) for n in range(3, 3 + len(EXEMPLARS))]
