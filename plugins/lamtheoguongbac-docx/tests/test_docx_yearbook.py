"""The yearbook of exemplars as a Word document (``docx-yearbook``), read back as a user would:
with python-docx, and as a PDF through LibreOffice."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import attrs
import pytest
from docx_helpers import all_text

from lamtheoguongbac import Exemplar, ExemplarKind
from lamtheoguongbac.committee import ExemplarDetails, ExemplarField, Figure, Locality
from lamtheoguongbac.export import ExportOptions, convert_to_pdf, export_yearbook
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


ROAD = ExemplarDetails(
    field=ExemplarField.NEW_RURAL,
    locality=Locality(hamlet="Ấp 3", commune="xã An Phú"),
    figures=(
        Figure(amount=Decimal(50_000_000), unit="đồng", what="tiền mặt"),
        Figure(amount=Decimal(120), unit="ngày công"),
        Figure(amount=Decimal(350), unit="m", what="đường bê tông"),
    ),
    proposed_by="Ban Công tác Mặt trận ấp 3",
)


def _exemplars() -> list[Exemplar]:
    people = [make_exemplar(index=i, commended=True) for i in (3, 1, 2)]
    people[1] = attrs.evolve(people[1], achievements=ACHIEVEMENTS)
    units = [
        make_exemplar(ExemplarKind.COLLECTIVE, cell=cell, commended=cell == "chibo-02")
        for cell in ("chibo-03", "chibo-02")
    ]
    # A household outside the party, commended for building a rural road.
    household = attrs.evolve(
        make_exemplar(ExemplarKind.COLLECTIVE, cell="chibo-04", commended=True),
        id="tap_the-2025-chibo-04-ho-ong-tran-van-ba",
        name="Hộ ông Trần Văn Ba",
        party=False,
        details=ROAD,
    )
    return [*units, *people, household]


EXEMPLARS = _exemplars()


@pytest.fixture(scope="module")
def yearbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_yearbook(
        tmp_path_factory.mktemp("ky-yeu") / "ky-yeu-2025.docx",
        EXEMPLARS,
        title_year=2025,
        organisation_name="Đảng bộ xã Tịnh Biên",
        superior_name="Đảng bộ tỉnh An Giang",
        place="Tịnh Biên",
        today=TODAY,
        signer_name="Nguyễn Văn Hải",
    ).path


def test_the_exporters_are_registered_with_their_default_templates() -> None:
    registry = create_registry()

    book, summary = registry.exporter("docx-yearbook"), registry.exporter("docx-report")
    assert (book.kind.value, summary.kind.value) == ("yearbook", "report")
    assert registry.exporter_for("yearbook") is book
    assert registry.exporter_for("report") is summary
    assert (book.suffix, book.create_renderer) == (".docx", create_yearbook_renderer)
    assert (summary.suffix, summary.create_renderer) == (".docx", create_report_renderer)
    assert YEARBOOK_TEMPLATE.is_file()
    assert REPORT_TEMPLATE.is_file()


def test_every_exemplar_is_in_the_yearbook(yearbook: Path) -> None:
    text = all_text(yearbook.read_bytes())

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH AN GIANG",
        "ĐẢNG ỦY XÃ TỊNH BIÊN",
        "Tịnh Biên, ngày 05 tháng 01 năm 2026",
        "KỶ YẾU\nGƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO\nTƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH",
        "NĂM 2025",
        "LỜI GIỚI THIỆU",
        "Kỷ yếu này giới thiệu 6 gương điển hình (3 tập thể, 3 cá nhân, trong đó 1 gương điển "
        "hình trong Nhân dân) thuộc 2 lĩnh vực",
        "MỤC LỤC",
        "PHẦN I. XÂY DỰNG NÔNG THÔN MỚI, ĐÔ THỊ VĂN MINH",
        "PHẦN II. LĨNH VỰC KHÁC",
        "1. TẬP THỂ",
        "2. CÁ NHÂN",
        "Kỷ yếu gương điển hình năm 2025 – Đảng ủy xã Tịnh Biên\tTrang ",
        "1. Hộ ông Trần Văn Ba\nTập thể – Địa bàn: Ấp 3, xã An Phú",
        "Đơn vị đề xuất: Ban Công tác Mặt trận ấp 3",
        "Kết quả nổi bật: 50.000.000 đồng tiền mặt; 120 ngày công; 350 m đường bê tông.",
        "1. Vận động 15 hộ dân hiến đất làm đường giao thông nông thôn — Kết quả: 18 hộ hiến "
        "2.400 m² đất",
        "2. Tổ chức 04 buổi tuyên truyền pháp luật — Kết quả: 4 buổi, 320 lượt dự",
        "Khen thưởng: chưa có quyết định khen thưởng.",
        "T/M ĐẢNG ỦY\nBÍ THƯ",
        "Nguyễn Văn Hải",
        "BẢNG TRA CỨU TÊN",
    ):
        assert expected in text, expected
    for e in EXEMPLARS:
        heading = f"Đồng chí {e.name}" if e.kind is ExemplarKind.INDIVIDUAL else e.name
        assert text.count(f". {heading}") == 1, heading  # once, numbered, on its page
        assert text.count(f"{e.name} (") == 1, e.name  # once in the index
        assert e.achievements.splitlines()[0] in text
        if e.commended:
            assert f"Khen thưởng: {e.commendation_text()}." in text
    assert "{{" not in text
    assert "{%" not in text


def test_the_contents_and_the_index_point_at_bookmarks(yearbook: Path) -> None:
    with zipfile.ZipFile(yearbook) as archive:
        body = archive.read("word/document.xml").decode()
        settings = archive.read("word/settings.xml").decode()

    marks = re.findall(r'<w:bookmarkStart w:id="(\d+)" w:name="(_GDH_[^"]+)"/>', body)
    names = [name for _, name in marks]
    ids = [ident for ident, _ in marks]
    assert len(set(ids)) == len(ids)  # every bookmark has its own id
    exemplars = [n for n in names if re.fullmatch(r"_GDH_\d{4}", n)]
    assert exemplars == [f"_GDH_{n:04d}" for n in range(1, len(EXEMPLARS) + 1)]
    assert {"_GDH_LGT", "_GDH_TRA", "_GDH_P01", "_GDH_P01_1", "_GDH_P02_2"} <= set(names)
    refs = re.findall(r"PAGEREF (_GDH_[^ ]+) \\h", body)
    assert set(refs) <= set(names)
    assert sorted(r for r in refs if re.fullmatch(r"_GDH_\d{4}", r)) == exemplars  # the index
    assert '<w:updateFields w:val="true"/>' in settings
    # Compact: the foreword, the contents, each field and the index start a page; no
    # exemplar does.
    assert body.count("<w:pageBreakBefore/>") == 1 + 1 + 2 + 1


def test_fields_then_collectives_first_then_people_by_given_name(yearbook: Path) -> None:
    text = all_text(yearbook.read_bytes())
    body = text[text.index("PHẦN I. ") : text.index("BẢNG TRA CỨU TÊN")]

    headings = re.findall(r"^\d+\. ((?:Đồng chí |Hộ |Chi bộ ).+)$", body, flags=re.MULTILINE)
    people = sorted(
        (e for e in EXEMPLARS if e.kind is ExemplarKind.INDIVIDUAL),
        key=lambda e: name_sort_key(e.name),
    )
    units = sorted(
        (e.name for e in EXEMPLARS if e.kind is ExemplarKind.COLLECTIVE and e.party),
        key=collation_key,
    )
    assert headings == ["Hộ ông Trần Văn Ba", *units, *(f"Đồng chí {e.name}" for e in people)]


def test_a_custom_yearbook_template_is_used(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("{{ yearbook.title }}")
    document.add_paragraph("{%p for e in exemplars %}")
    document.add_paragraph("{{ e.number }}/{{ yearbook.count }}: {{ e.name_upper }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(tmp_path / "mau.docx"))

    written = export_yearbook(
        tmp_path / "out.docx",
        EXEMPLARS[:2],
        title_year=2024,
        organisation_name="Chi bộ",
        options=ExportOptions(template=tmp_path / "mau.docx"),
    ).path

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
    [pdf] = convert_to_pdf(tmp_path, [yearbook]).written
    text = _pdf_text(pdf)

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG ỦY XÃ TỊNH BIÊN",
        "KỶ YẾU",
        "PHONG CÁCH HỒ CHÍ MINH",
        "NĂM 2025",
        "LỜI GIỚI THIỆU",
        "MỤC LỤC",
        "PHẦN I. XÂY DỰNG NÔNG THÔN MỚI, ĐÔ THỊ VĂN MINH",
        "Hộ ông Trần Văn Ba",
        "Kết quả nổi bật: 50.000.000 đồng tiền mặt; 120 ngày công; 350 m đường bê tông.",
        "2.400 m² đất",
        "Được Ban Thường vụ Đảng ủy xã Tịnh Biên tặng Giấy khen",
        "T/M ĐẢNG ỦY",
        "Nguyễn Văn Hải",
        "BẢNG TRA CỨU TÊN",
    ):
        assert expected in text, expected
    # The household is printed under its field, before the other field.
    assert text.index("Hộ ông Trần Văn Ba\n") < text.index("PHẦN II. LĨNH VỰC KHÁC")
    for e in EXEMPLARS:
        assert e.name in text, e.name
    # LibreOffice fills the page numbers: the contents (foreword on page 2, the first field
    # on page 4), then the index, one line per exemplar, all within the book.
    numbers = [int(n) for n in re.findall(r"\.{4,}\s*(\d+)\s*$", text, flags=re.MULTILINE)]
    assert numbers[:2] == [2, 4]
    pages = text.count("\f") + 1
    assert len(numbers) == 1 + 2 + 3 + 1 + len(EXEMPLARS)
    assert all(2 <= n <= pages for n in numbers)
