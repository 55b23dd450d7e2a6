"""The committee's summary report as a Word document (``docx-report``) with a native chart of
the ratings per cell, read back as a user would: python-docx, the package's parts, a PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import attrs
import pytest
from docx import Document
from docx.enum.shape import WD_INLINE_SHAPE
from docx_helpers import all_text, document_text
from lxml import etree

from lamtheoguongbac import (
    Handbook,
    HandbookStatus,
    RatingLevel,
    Role,
    RoleAssignment,
    TemplateError,
)
from lamtheoguongbac.export import (
    CommitteeHeading,
    build_report_context,
    convert_to_pdf,
    export_rollup_report,
)
from lamtheoguongbac.rules import DEFAULT_POLICY
from lamtheoguongbac.supervision import RatingCounts, Rollup, summarise
from lamtheoguongbac.testing import make_handbook, make_roster
from lamtheoguongbac_docx import ReportRenderer, insert_charts

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "s": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
}
ROSTER = make_roster(cells=3, members_per_cell=5)
LEVELS = list(RatingLevel)
UNRATED = ["not_rated_by_rule", "not_assessed"]
LABELS = [level.label_vi for level in LEVELS] + [
    "Không xếp loại theo quy định",
    "Chưa được chi bộ đánh giá",
]
# The Bí thư of the commune's party committee: a member of a cell holding the role in the
# đảng bộ itself.
COMMITTEE_SECRETARY = attrs.evolve(
    ROSTER.members[6],
    roles=(
        *ROSTER.members[6].roles,
        RoleAssignment(role=Role.SECRETARY, unit_id=ROSTER.units[1].id, start=dt.date(2020, 1, 1)),
    ),
)


def _counts(ratings: RatingCounts) -> list[str]:
    values = ratings.to_dict()
    return [str(values[k]) for k in [*(v.abbreviation for v in LEVELS), *UNRATED]]


def _handbooks() -> list[Handbook]:
    """Four of five members per cell have a handbook, assessed with varied ratings."""
    books = []
    for c, cell in enumerate(ROSTER.cell_ids):
        members = [m for m in ROSTER.members if m.cell_id == cell]
        for i, member in enumerate(members[:4]):
            books.append(
                make_handbook(
                    HandbookStatus.ASSESSED,
                    member=member,
                    organisation=ROSTER.organisation(cell),
                    secretary=members[0],
                    rating=LEVELS[(i + c) % 4],
                )
            )
    return books


@pytest.fixture(scope="module")
def rolled() -> Rollup:
    return summarise(
        organisation=ROSTER.units[1],
        units=ROSTER.units,
        members=ROSTER.members,
        handbooks=_handbooks(),
        policy=DEFAULT_POLICY,
        year=2025,
        today=dt.date(2026, 1, 5),
    )


@pytest.fixture(scope="module")
def heading() -> CommitteeHeading:
    return CommitteeHeading.of_unit(
        ROSTER.units[:2],
        [*ROSTER.members[:6], COMMITTEE_SECRETARY],
        on=dt.date(2026, 1, 5),
        number="12",
        place="Tịnh Biên",
    )


@pytest.fixture(scope="module")
def report(
    rolled: Rollup, heading: CommitteeHeading, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return export_rollup_report(
        tmp_path_factory.mktemp("bao-cao") / "bao-cao-2025.docx", rolled, heading=heading
    ).path


def test_the_committee_heading_comes_from_the_roster(heading: CommitteeHeading) -> None:
    assert heading.committee == "Đảng ủy xã số 1"
    assert heading.superior == "Đảng bộ tỉnh An Giang"
    assert (heading.signer_name, heading.signer_role) == (
        COMMITTEE_SECRETARY.full_name,
        Role.SECRETARY,
    )
    ctx = heading.context()
    assert ctx["committee"]["name_upper"] == "ĐẢNG ỦY XÃ SỐ 1"
    assert ctx["document"] == {"number": "12-BC/ĐU", "number_line": "Số 12-BC/ĐU"}
    assert ctx["signature"]["on_behalf"] == "T/M ĐẢNG ỦY"
    assert ctx["recipients"] == [
        "- Ban Thường vụ Tỉnh ủy An Giang,",
        "- Các chi bộ trực thuộc,",
        "- Lưu Văn phòng Đảng ủy.",
    ]
    # Without a Bí thư, the Phó Bí thư signs; without either, the name is left to write in.
    deputy = attrs.evolve(
        COMMITTEE_SECRETARY,
        roles=(
            RoleAssignment(role=Role.DEPUTY_SECRETARY, unit_id="db-00", start=dt.date(2020, 1, 1)),
        ),
    )
    alone = CommitteeHeading.of_unit(ROSTER.units[:2], [deputy], on=dt.date(2026, 1, 5))
    assert alone.context()["signature"]["title_upper"] == "PHÓ BÍ THƯ"
    assert alone.number_line() == "Số       -BC/ĐU"
    nobody = CommitteeHeading.of_unit(ROSTER.units[:2], ROSTER.members, on=dt.date(2026, 1, 5))
    assert nobody.signer_name == ""
    assert nobody.context()["signature"]["title_upper"] == "BÍ THƯ"


def test_the_report_has_the_figures_per_cell(report: Path, rolled: Rollup) -> None:
    data = report.read_bytes()
    text = all_text(data)

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "ĐẢNG BỘ TỈNH AN GIANG",
        "ĐẢNG ỦY XÃ SỐ 1",
        "Số 12-BC/ĐU",
        "Tịnh Biên, ngày 05 tháng 01 năm 2026",
        "BÁO CÁO",
        "Tổng hợp kết quả thực hiện Sổ tay Làm theo gương Bác năm 2025",
        "I. TÌNH HÌNH CHUNG",
        "Đảng bộ xã số 1 có 3 chi bộ với 15 đảng viên",
        "3 đảng viên chưa được chi bộ nhận xét, đánh giá",
        "IV. TỶ LỆ XẾP LOẠI HOÀN THÀNH XUẤT SẮC NHIỆM VỤ",
        "Nơi nhận:",
        "- Lưu Văn phòng Đảng ủy.",
        "T/M ĐẢNG ỦY",
        "BÍ THƯ",
        COMMITTEE_SECRETARY.full_name,
        "Biểu đồ: Kết quả xếp loại đảng viên theo chi bộ năm 2025",
    ):
        assert expected in text, expected
    assert "ĐẢNG BỘ XÃ SỐ 1" not in text  # the committee issues it, not the organisation
    assert "NGƯỜI TỔNG HỢP" not in text
    assert "mac-dinh" not in text
    assert "[[chart:" not in text
    assert "{{" not in text
    _, progress, ratings, _ = document_text(data)["tables"]
    assert progress[0][:3] == ["STT", "Chi bộ", "Đảng viên"]
    for n, cell in enumerate(rolled.cells, start=1):
        f = cell.figures
        assert progress[n] == [
            str(n),
            cell.cell_name,
            *map(
                str,
                (
                    f.members,
                    f.registered,
                    f.reported,
                    f.assessed,
                    f.overdue_registration,
                    f.overdue_report,
                    f.overdue_assessment,
                ),
            ),
            "100%",
        ]
        counts = [*_counts(f.ratings), str(f.ratings.assessed_unrated)]
        assert ratings[n] == [str(n), cell.cell_name, *counts, str(f.members)]
    total = rolled.total
    assert ratings[-1][1:] == [
        "Tổng cộng",
        *_counts(total.ratings),
        str(total.ratings.assessed_unrated),
        str(total.members),
    ]


def _chart(data: bytes) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """Categories and (series name, values) of the document's first chart part."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/charts/chart1.xml"))
    series = root.findall(".//c:barChart/c:ser", NS)
    categories = [v.text for v in series[0].findall("c:cat//c:pt/c:v", NS)]
    return categories, [
        (s.find("c:tx//c:v", NS).text, [float(v.text) for v in s.findall("c:val//c:pt/c:v", NS)])
        for s in series
    ]


def test_the_chart_is_a_native_word_chart_of_the_ratings_per_cell(
    report: Path, rolled: Rollup
) -> None:
    data = report.read_bytes()

    [shape] = Document(io.BytesIO(data)).inline_shapes
    assert shape.type == WD_INLINE_SHAPE.CHART
    categories, series = _chart(data)
    assert categories == [c.cell_name for c in rolled.cells]
    assert [name for name, _ in series] == LABELS
    for i, cell in enumerate(rolled.cells):
        assert [values[i] for _, values in series] == [
            int(v) for v in _counts(cell.figures.ratings)
        ]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        types = archive.read("[Content_Types].xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        chart_rels = archive.read("word/charts/_rels/chart1.xml.rels").decode()
        book = archive.read("word/embeddings/Microsoft_Excel_Worksheet1.xlsx")
    assert 'PartName="/word/charts/chart1.xml"' in types
    assert 'Extension="xlsx"' in types
    assert re.search(r'relationships/chart" Target="charts/chart1\.xml"', rels)
    assert "../embeddings/Microsoft_Excel_Worksheet1.xlsx" in chart_rels
    assert "word/embeddings/Microsoft_Excel_Worksheet1.xlsx" in names
    with zipfile.ZipFile(io.BytesIO(book)) as workbook:
        sheet = etree.fromstring(workbook.read("xl/worksheets/sheet1.xml"))
    rows = [
        [c.findtext(".//s:t", namespaces=NS) or c.findtext("s:v", namespaces=NS) for c in row]
        for row in sheet.iterfind(".//s:row", NS)
    ]
    assert rows[0] == LABELS
    assert [row[0] for row in rows[1:]] == categories


def _document(*paragraphs: str) -> bytes:
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _chart_data(**change: Any) -> dict[str, Any]:
    return {
        "placeholder": "[[chart:x]]",
        "title": "Thử",
        "value_axis_title": "Số",
        "categories": ["Chi bộ A", "Chi bộ Ă"],
        "series": [{"code": "a", "name": "Một", "color": "1B5E20", "values": [1, 0]}],
        **change,
    }


def test_a_placeholder_amid_text_keeps_the_text_around_the_chart() -> None:
    data = insert_charts(_document("Trước [[chart:x]] sau", "[[chart:x]]"), {"x": _chart_data()})

    document = Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs] == ["Trước  sau", ""]
    assert len(document.inline_shapes) == 2
    body = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert re.findall(r'<wp:docPr id="(\d+)"', body) == ["1", "2"]
    assert re.findall(r'<c:chart [^>]*r:id="(\w+)"', body) == ["rIdChart1", "rIdChart2"]
    assert _chart(data)[0] == ["Chi bộ A", "Chi bộ Ă"]


def test_without_a_placeholder_the_document_is_unchanged() -> None:
    document = _document("Không có biểu đồ")

    assert insert_charts(document, {"x": _chart_data()}) is document


def test_a_chart_without_categories_leaves_nothing_behind() -> None:
    data = insert_charts(
        _document("[[chart:x]]"),
        {
            "x": _chart_data(
                categories=[], series=[{"name": "Một", "color": "000000", "values": []}]
            )
        },
    )

    assert [p.text for p in Document(io.BytesIO(data)).paragraphs] == [""]
    assert not any("charts/" in n for n in zipfile.ZipFile(io.BytesIO(data)).namelist())


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"categories": ["một"]}, "has 2 values for 1 categories"),
        ({"series": [{"name": "Một", "color": "xanh", "values": [1, 2]}]}, "not RRGGBB"),
        ({"series": [{"name": "Một", "color": "000000", "values": ["1", 2]}]}, "not a number"),
        ({"placeholder": " "}, "empty placeholder"),
    ],
)
def test_malformed_chart_data_is_a_bilingual_template_error(
    change: dict[str, Any], why: str
) -> None:
    with pytest.raises(TemplateError, match=why) as caught:
        insert_charts(_document("[[chart:x]]"), {"x": _chart_data(**change)})
    assert "Dữ liệu biểu đồ 'charts.x' không đúng dạng" in caught.value.message_vi


def test_reports_are_not_merged(rolled: Rollup) -> None:
    renderer = ReportRenderer()
    one = renderer.render(build_report_context(rolled))

    with pytest.raises(TemplateError, match="cannot be merged"):
        renderer.merge([one, one])


@pytest.mark.soffice
def test_the_report_and_its_chart_read_right_as_a_pdf(
    report: Path, rolled: Rollup, tmp_path: Path
) -> None:
    [pdf] = convert_to_pdf(tmp_path, [report]).written
    # "Số đảng viên" is the chart's value axis title: found only if LibreOffice drew the chart.
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout

    for expected in (
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "BÁO CÁO",
        "TIẾN ĐỘ THỰC HIỆN SỔ TAY THEO CHI BỘ",
        "KẾT QUẢ XẾP LOẠI ĐẢNG VIÊN",
        "Số đảng viên",
    ):
        assert expected in text, expected
    # The committee's heading and signature, in this order on the page.
    order = ["ĐẢNG BỘ TỈNH AN GIANG", "ĐẢNG ỦY XÃ SỐ 1", "Số 12-BC/ĐU", "BÁO CÁO", "Nơi nhận:"]
    order += ["T/M ĐẢNG ỦY", "BÍ THƯ", COMMITTEE_SECRETARY.full_name]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, list(zip(order, positions, strict=True))
    assert positions == sorted(positions), list(zip(order, positions, strict=True))
    assert "ĐẢNG BỘ XÃ SỐ 1" not in text
    assert "mac-dinh" not in text
    for cell in rolled.cells:
        # in the two tables and on the chart
        assert text.count(cell.cell_name.split(" (")[0]) >= 3, cell.cell_name
