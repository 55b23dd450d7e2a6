"""Build the default handbook template (mẫu Sổ tay Làm theo gương Bác) with python-docx.

Usage: python scripts/build_default_template.py [OUTPUT.docx]

The output is deterministic (fixed document properties and ZIP timestamps), so the committed
.docx changes only when this script does. Layout per Hướng dẫn 36-HD/VPTW: A4, Times New
Roman 14 pt, margins top/bottom 20 mm, left 30 mm, right 15 mm; the party header (superior
body and the cell on the left with a star, "ĐẢNG CỘNG SẢN VIỆT NAM" with a rule on the
right). The handbook is a personal book, not an issued document: its cover has no
place-date line; the registration, each supplement, the self-assessment and the cell's
assessment carry their own date and signature ("T/M CHI BỘ" over "BÍ THƯ"). The rating is
printed only when the policy says so (``collective.rating_shown``). A term book prints its
period ("NHIỆM KỲ 2021–2025"), its yearly supplements and its interim reviews.
"""

from __future__ import annotations

import io
import posixpath
import sys
import zipfile
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "src"
    / "lamtheoguongbac_docx"
    / "templates"
    / "so-tay-lam-theo-guong-bac.docx"
)
FONT = "Times New Roman"
RED = RGBColor(0xC0, 0x00, 0x00)
TEXT_WIDTH = Mm(165)  # A4 210 mm less 30 mm left and 15 mm right margins
SIGNATURE_INDENT = Mm(70)  # signature blocks sit centred in the right 95 mm
# Written whole rather than through python-docx's core_properties, whose output changed when
# other packages (docxcompose) had been imported first: the bytes must not depend on that.
CORE_XML = """<?xml version='1.0' encoding='UTF-8' standalone='yes'?>
<cp:coreProperties \
xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\
<dc:title>Sổ tay Làm theo gương Bác</dc:title>\
<dc:subject>Mẫu sổ tay đăng ký học tập và làm theo tư tưởng, đạo đức, phong cách \
Hồ Chí Minh</dc:subject>\
<dc:creator>lamtheoguongbac</dc:creator>\
<cp:keywords>làm theo gương Bác; sổ tay đảng viên</cp:keywords>\
<dc:description>Mẫu mặc định của lamtheoguongbac-docx (docxtpl)</dc:description>\
<cp:lastModifiedBy>lamtheoguongbac</cp:lastModifiedBy><cp:revision>1</cp:revision>\
<dcterms:created xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:created>\
<dcterms:modified xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:modified>\
<dc:language>vi-VN</dc:language></cp:coreProperties>"""

Container = DocumentObject | _Cell


def _set_fonts(rpr: OxmlElement, size: Pt | None = None) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def para(
    where: Container,
    *runs: str | tuple[str, str],
    align: int = WD_ALIGN_PARAGRAPH.LEFT,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    before: float = 0,
    after: float = 3,
    indent: Mm | None = None,
    first_line: Mm | None = None,
    keep: bool = False,
    page_break: bool = False,
    color: RGBColor | None = None,
) -> Paragraph:
    """Add a paragraph; a run given as (text, "b"/"i"/"bi") gets its own emphasis."""
    p = where.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = align
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    fmt.keep_with_next = keep
    fmt.page_break_before = page_break
    if indent is not None:
        fmt.left_indent = indent
    if first_line is not None:
        fmt.first_line_indent = first_line
    for item in runs:
        text, style = (item, "") if isinstance(item, str) else item
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.font.bold = bold or "b" in style
        run.font.italic = italic or "i" in style
        if color is not None:
            run.font.color.rgb = color
    return p


def field(
    where: Container,
    label: str,
    value: str,
    blank_if: str | None = None,
    *,
    bold_value: bool = False,
    first_line: Mm | None = None,
    keep: bool = False,
) -> Paragraph:
    """ "label value" on one line; when ``blank_if`` holds, a dotted leader to the right
    margin follows, to fill in by hand (a ``{%r if %}`` keeps or drops the tab's run)."""
    value_run = (value, "b" if bold_value else "")
    if blank_if is None:
        return para(
            where,
            label,
            value_run,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            first_line=first_line,
            keep=keep,
        )
    p = para(
        where,
        label,
        value_run,
        f"{{%r if {blank_if} %}}",
        "",
        "{%r endif %}",
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line=first_line,
        keep=keep,
    )
    # Tab positions count from the margin, not the indent, in Word and LibreOffice alike.
    p.paragraph_format.tab_stops.add_tab_stop(
        TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )
    p.runs[3].add_tab()
    return p


def dotted_lines(where: Container, count: int, *, keep: bool = False) -> None:
    """Empty lines of dots across the text width, to write on by hand."""
    for _ in range(count):
        p = para(where, "", keep=keep)
        p.paragraph_format.tab_stops.add_tab_stop(
            TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
        )
        p.runs[0].add_tab()


def border(p: Paragraph, side: str, *, size: int = 8) -> None:
    """A single rule on one side of a paragraph (size in eighths of a point)."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", str(size)),
        ("w:space", "1"),
        ("w:color", "auto"),
    ):
        edge.set(qn(key), value)
    bdr.append(edge)
    ppr.append(bdr)


def no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tbl_pr.append(borders)


def widths(table: Table, mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, w in zip(row.cells, mm, strict=True):
            cell.width = Mm(w)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), mm, strict=True):
        col.set(qn("w:w"), str(int(Mm(w).twips)))


def first_paragraph(cell: _Cell) -> Paragraph:
    """The cell's own empty paragraph, removed so content starts at the top."""
    p = cell.paragraphs[0]
    p._p.getparent().remove(p._p)
    return p


def repeat_header(row_tr: OxmlElement) -> None:
    trpr = row_tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trpr.append(el)


def page_field(p: Paragraph, size: float) -> None:
    """A PAGE field (the page number) at the end of ``p``."""
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        run = p.add_run()
        run.font.size = Pt(size)
        run.font.italic = True
        if kind is not None:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""


def setup(doc: DocumentObject) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    _set_fonts(rpr)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    rpr.append(lang)
    normal.paragraph_format.line_spacing = 1.1
    normal.paragraph_format.space_after = Pt(3)
    grid = doc.styles["Table Grid"].element.get_or_add_rPr()
    _set_fonts(grid)
    # python-docx's own blank-page thumbnail would show in file browsers: drop it.
    rels = doc.part.package.rels
    for rid in [r for r, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


def footer_paragraph(doc: DocumentObject) -> Paragraph:
    """The footer's paragraph with one right tab at the margin and no other: the built-in
    "Footer" style's centre tab would catch the tab of a short line ("…năm 2025Trang 2")."""
    p = doc.sections[0].footer.paragraphs[0]
    p.style = doc.styles["Normal"]
    p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    p.paragraph_format.space_after = Pt(0)
    border(p, "top", size=4)
    return p


def footer(doc: DocumentObject) -> None:
    p = footer_paragraph(doc)
    run = p.add_run(
        "{{ member.full_name }} – Sổ tay Làm theo gương Bác {{ handbook.period_text }}\tTrang "
    )
    run.font.size, run.font.italic = Pt(11), True
    page_field(p, 11)


def cover(doc: DocumentObject) -> None:
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(header)
    widths(header, [75, 90])
    left, right = header.rows[0].cells
    first_paragraph(left)
    first_paragraph(right)
    center = WD_ALIGN_PARAGRAPH.CENTER
    # Names come in lines broken between phrases (name_upper_lines), never mid-phrase.
    para(left, "{%p for line in superior.name_upper_lines %}", after=0)
    para(left, "{{ line }}", align=center, after=0)
    para(left, "{%p endfor %}", after=0)
    para(left, "{%p for line in cell.name_upper_lines %}", after=0)
    para(left, "{{ line }}", align=center, bold=True, after=0)
    para(left, "{%p endfor %}", after=0)
    para(left, "*", align=center, after=0)
    para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", align=center, size=15, bold=True, after=0)
    rule = para(right, "", align=center, size=4, after=0, indent=Mm(14))
    rule.paragraph_format.right_indent = Mm(14)
    border(rule, "top", size=6)
    # A personal book, not an issued document: no place-date line on the cover.

    para(doc, "SỔ TAY", align=center, size=30, bold=True, before=150, after=6, color=RED)
    para(doc, "LÀM THEO GƯƠNG BÁC", align=center, size=26, bold=True, after=12, color=RED)
    para(doc, "{{ handbook.period_label }}", align=center, size=18, bold=True, after=24)
    para(doc, "{%p if theme.title %}")
    theme = para(
        doc,
        ("Chuyên đề: ", "b"),
        "“{{ theme.title }}”",
        align=center,
        italic=True,
        after=0,
        indent=Mm(10),
    )
    theme.paragraph_format.right_indent = Mm(10)
    para(doc, "{%p endif %}")
    member = Mm(30)
    para(doc, "Họ và tên: ", ("{{ member.full_name }}", "b"), indent=member, before=110)
    para(doc, "Chức vụ: ", "{{ member.position }}", indent=member)
    para(doc, "Sinh hoạt tại: ", "{{ cell.name }}", indent=member)


def member_information(doc: DocumentObject) -> None:
    para(doc, "I. THÔNG TIN CỦA ĐẢNG VIÊN", bold=True, page_break=True, after=6)
    field(doc, "1. Họ và tên: ", "{{ member.full_name }}")
    field(doc, "2. Ngày sinh: ", "{{ member.date_of_birth }}", "not member.date_of_birth")
    field(
        doc,
        "3. Ngày vào Đảng: ",
        "{{ member.joined_on }}{% if member.official_on %}; "
        "ngày chính thức: {{ member.official_on }}{% endif %}",
        "not member.joined_on",
    )
    field(doc, "4. Tình trạng đảng viên: ", "{{ member.status }}")
    field(
        doc,
        "5. Số thẻ đảng viên: ",
        "{{ member.party_card_number }}",
        "not member.party_card_number",
    )
    field(doc, "6. Chức vụ: ", "{{ member.position }}", "not member.position")
    field(doc, "7. Nhiệm vụ được giao: ", "{{ member.duties_text }}", "not member.duties")
    field(doc, "8. Nơi công tác: ", "{{ member.workplace }}", "not member.workplace")
    field(
        doc,
        "9. Sinh hoạt tại: ",
        "{{ cell.name }}{% if superior.name %}, {{ superior.name }}{% endif %}",
    )


def pledge_table(doc: DocumentObject, items: str, *, blank_row: bool) -> None:
    """The table of pledges ``items`` (a context list); with ``blank_row``, a row to fill
    in by hand when the list is empty."""
    # Rows: header, {%tr for %}, one pledge, [{%tr else %}, a blank row,] {%tr endfor %}.
    rows = 6 if blank_row else 4
    table = doc.add_table(rows=rows, cols=5)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(table, [12, 60, 40, 28, 25])
    center, justify = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
    for row in table.rows:
        for cell in row.cells:
            first_paragraph(cell)
    heads = ["STT", "Việc làm đăng ký", "Căn cứ", "Chỉ tiêu, kết quả cần đạt", "Thời hạn"]
    for cell, text in zip(table.rows[0].cells, heads, strict=True):
        para(cell, text, align=center, size=12, bold=True, before=3, after=3)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    repeat_header(table.rows[0]._tr)
    tags = [(1, f"{{%tr for p in {items} %}}")]
    tags += [(3, "{%tr else %}"), (5, "{%tr endfor %}")] if blank_row else [(3, "{%tr endfor %}")]
    for index, text in tags:
        for column, cell in enumerate(table.rows[index].cells):
            para(cell, "" if column else text, size=12)
    number, deed, bases, target, deadline = table.rows[2].cells
    para(number, "{{ p.number }}", align=center, size=12, before=3)
    para(deed, "{{ p.deed }}", align=justify, size=12, before=3)
    para(deed, "{%p if p.task %}", size=12)
    para(deed, "(Nhiệm vụ: {{ p.task }})", align=justify, size=12, italic=True)
    para(deed, "{%p endif %}", size=12)
    # The personal shortcoming the deed starts from (tự soi, tự sửa), where the member gave it.
    para(deed, "{%p if p.shortcoming %}", size=12)
    para(deed, ("Tự soi, tự sửa: ", "i"), "{{ p.shortcoming }}", align=justify, size=12)
    para(deed, "{%p endif %}", size=12)
    para(bases, "{%p for b in p.bases %}", size=12)
    para(bases, "- {{ b }}", size=12, before=3)
    para(bases, "{%p else %}", size=12)
    para(bases, "", size=12)
    para(bases, "{%p endfor %}", size=12)
    para(target, "{{ p.target }}", align=center, size=12, before=3)
    para(deadline, "{{ p.deadline }}", align=center, size=12, before=3)
    para(deadline, "{%p for c in p.checkpoints %}", size=12)
    para(deadline, ("Mốc: ", "i"), "{{ c }}", align=center, size=11, before=3)
    para(deadline, "{%p endfor %}", size=12)
    if blank_row:
        for cell in table.rows[4].cells:
            para(cell, "", size=12, after=40)


BLANK_DATE = "…………, ngày …… tháng …… năm ………"


def registration(doc: DocumentObject) -> None:
    para(
        doc,
        "II. ĐĂNG KÝ VIỆC LÀM THEO GƯƠNG BÁC {{ handbook.period_label }}",
        bold=True,
        before=12,
        after=6,
        keep=True,
    )
    para(
        doc,
        "Căn cứ chuyên đề học tập {{ handbook.period_text }}, chức trách, nhiệm vụ được "
        "giao, tôi đăng ký thực hiện những việc làm cụ thể sau:",
        italic=True,
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
        first_line=Mm(10),
        after=6,
        keep=True,
    )
    pledge_table(doc, "initial_pledges", blank_row=True)
    signature(
        doc,
        "{{ handbook.registration_place_date or '" + BLANK_DATE + "' }}",
        "NGƯỜI ĐĂNG KÝ",
        "{{ member.full_name }}",
        before=12,
    )
    # A term book's yearly supplements, each with its own table, date and signature.
    para(doc, "{%p for s in supplements %}")
    para(
        doc,
        "ĐĂNG KÝ BỔ SUNG NĂM {{ s.year }}",
        bold=True,
        before=12,
        after=6,
        keep=True,
    )
    pledge_table(doc, "s.pledges", blank_row=False)
    signature(doc, "{{ s.place_date }}", "NGƯỜI ĐĂNG KÝ", "{{ member.full_name }}", before=12)
    para(doc, "{%p endfor %}")


def signature(
    doc: DocumentObject,
    place_date: str | None,
    *titles_and_name: str,
    before: float = 6,
    space: float = 60,
) -> None:
    """A signature block in the right half: place-date, titles, space to sign, the name."""
    *titles, name = titles_and_name
    center = WD_ALIGN_PARAGRAPH.CENTER
    if place_date is not None:
        para(
            doc,
            place_date,
            align=center,
            italic=True,
            indent=SIGNATURE_INDENT,
            keep=True,
            before=before,
            after=0,
        )
        before = 0
    for title in titles:
        para(
            doc,
            title,
            align=center,
            bold=True,
            indent=SIGNATURE_INDENT,
            keep=True,
            before=before,
            after=0,
        )
        before = 0
    para(
        doc,
        "(Ký, ghi rõ họ tên)",
        align=center,
        italic=True,
        size=13,
        indent=SIGNATURE_INDENT,
        keep=True,
        after=0,
    )
    para(doc, name, align=center, bold=True, indent=SIGNATURE_INDENT, before=space, after=6)


def result_fields(doc: DocumentObject, r: str) -> None:
    """The four lines of one pledge's result ``r`` (a context dict), blanks to fill in by
    hand where it has not been reported."""
    bullet = Mm(10)
    field(
        doc,
        "- Mức độ thực hiện: ",
        f"{{{{ {r}.outcome }}}}",
        f"not {r}.outcome",
        first_line=bullet,
    )
    field(doc, "- Đã làm được: ", f"{{{{ {r}.achieved }}}}", f"not {r}.achieved", first_line=bullet)
    # A deed carried out in full has nothing left undone: "Không", not a blank to fill in.
    field(
        doc,
        "- Chưa làm được: ",
        f"{{{{ {r}.not_done or ('Không' if {r}.outcome else '') }}}}",
        f"not {r}.outcome",
        first_line=bullet,
    )
    field(
        doc,
        "- Hướng phấn đấu: ",
        f"{{{{ {r}.direction }}}}",
        f"not {r}.direction",
        first_line=bullet,
    )


def reviews(doc: DocumentObject) -> None:
    """Interim reviews (sơ kết, kiểm điểm hằng năm): the results reported at each
    checkpoint, the member's self-assessment and the cell's interim assessment."""
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    para(doc, "{%p for rv in reviews %}")
    para(
        doc,
        ("{{ rv.number }}. {{ rv.title }}", "b"),
        (" (báo cáo ngày {{ rv.report_date }})", "i"),
        before=6,
        after=3,
        keep=True,
    )
    para(doc, "{%p for r in rv.results %}")
    para(doc, ("Việc {{ r.number }}: ", "b"), "{{ r.deed }}", align=justify, keep=True)
    result_fields(doc, "r")
    para(doc, "{%p endfor %}")
    para(doc, "{%p if rv.self_assessment.text %}")
    para(
        doc,
        ("Tự nhận xét ({{ rv.self_assessment.date }}): ", "b"),
        "{{ rv.self_assessment.text }}",
        align=justify,
        first_line=Mm(10),
    )
    para(doc, "{%p endif %}")
    para(doc, "{%p if rv.collective.text %}")
    para(
        doc,
        ("Chi bộ nhận xét ({{ rv.collective.meeting_date }}): ", "b"),
        "{{ rv.collective.text }}",
        align=justify,
        first_line=Mm(10),
        keep=True,
    )
    para(doc, "{%p if rv.collective.rating_line %}")
    para(doc, "Chi bộ xếp loại: ", ("{{ rv.collective.rating_line }}", "b"), first_line=Mm(10))
    para(doc, "{%p endif %}")
    signature(
        doc,
        "{{ rv.collective.place_date }}",
        "{{ rv.collective.on_behalf }}",
        "{{ rv.collective.recorder_role_upper }}",
        "{{ rv.collective.recorder_name }}",
        space=36,
    )
    para(doc, "{%p endif %}")
    para(doc, "{%p endfor %}")


def results(doc: DocumentObject) -> None:
    justify = WD_ALIGN_PARAGRAPH.JUSTIFY
    # No page break: the results follow the registration on the same page when they fit.
    para(
        doc,
        "III. KẾT QUẢ THỰC HIỆN VIỆC ĐĂNG KÝ LÀM THEO",
        bold=True,
        before=18,
        after=6,
        keep=True,
    )
    para(doc, "{%p if reviews %}")
    reviews(doc)
    para(
        doc,
        "{{ reviews|length + 1 }}. Kết quả cuối {% if handbook.is_term %}nhiệm kỳ"
        "{% else %}năm{% endif %}",
        bold=True,
        before=6,
        after=3,
        keep=True,
    )
    para(doc, "{%p endif %}")
    para(doc, "{%p for p in pledges %}")
    para(
        doc,
        ("Việc {{ p.number }}: ", "b"),
        ("{{ p.deed }}", "b"),
        ("{% if p.supplement_year %} (bổ sung năm {{ p.supplement_year }}){% endif %}", "i"),
        align=justify,
        before=6,
        keep=True,
    )
    result_fields(doc, "p.result")
    para(doc, "{%p else %}")
    dotted_lines(doc, 8)
    para(doc, "{%p endfor %}")


def text_or_lines(doc: DocumentObject, key: str, lines: int) -> None:
    """The text at ``key``, or dotted lines to write it by hand when it is empty; kept on
    the page of the signature that follows."""
    para(doc, f"{{%p if {key} %}}")
    para(doc, f"{{{{ {key} }}}}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line=Mm(10), keep=True)
    para(doc, "{%p else %}")
    dotted_lines(doc, lines, keep=True)
    para(doc, "{%p endif %}")


def assessments(doc: DocumentObject) -> None:
    # Each block (heading, text, signature) stays whole; no forced page break, so a short
    # results part does not leave half a page empty.
    para(doc, "IV. TỰ NHẬN XÉT, ĐÁNH GIÁ CỦA ĐẢNG VIÊN", bold=True, before=18, after=6,
         keep=True)  # fmt: skip
    text_or_lines(doc, "self_assessment.text", 5)
    signature(
        doc,
        "{{ self_assessment.place_date or '" + BLANK_DATE + "' }}",
        "NGƯỜI TỰ ĐÁNH GIÁ",
        "{{ member.full_name }}",
    )
    para(doc, "V. NHẬN XÉT, ĐÁNH GIÁ CỦA TẬP THỂ CHI BỘ", bold=True, before=12, after=6, keep=True)
    text_or_lines(doc, "collective.text", 5)
    # The rating belongs to the rating process: the line is there only where the policy
    # prints the rating in the book (a member not rated by standing gets the reason).
    para(doc, "{%p if collective.rating_shown %}")
    field(
        doc,
        "Chi bộ xếp loại: ",
        "{{ collective.rating_line }}",
        "not collective.rating_line",
        bold_value=True,
        first_line=Mm(10),
        keep=True,
    )
    para(doc, "{%p endif %}")
    signature(
        doc,
        "{{ collective.place_date or '" + BLANK_DATE + "' }}",
        "{{ collective.on_behalf }}",
        "{{ collective.recorder_role_upper or 'BÍ THƯ' }}",
        "{{ collective.recorder_name }}",
    )


def build() -> bytes:
    """The template's bytes, the same on every run."""
    doc = Document()
    doc._body.clear_content()
    setup(doc)
    cover(doc)
    member_information(doc)
    registration(doc)
    results(doc)
    assessments(doc)
    footer(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _fixed_zip(raw.getvalue())


def _fixed_zip(data: bytes) -> bytes:
    return fixed_zip(data, CORE_XML)


def fixed_zip(data: bytes, core: str) -> bytes:
    """Rewrite the archive with fixed timestamps and document properties ``core``, so the
    bytes depend on nothing but the script, and without what python-docx's own template
    carries and no document uses (:func:`slim`)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        parts = slim({info.filename: src.read(info.filename) for info in src.infolist()})
        for name, content in parts.items():
            fixed = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            if name == "docProps/core.xml":
                content = core.encode("utf-8")
            dst.writestr(fixed, content)
    return out.getvalue()


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# the elements whose w:val names a style, in any part but the styles
_STYLE_REFERENCES = ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
_UNUSED_PARTS = {"word/stylesWithEffects.xml", "word/webSettings.xml"}


def slim(parts: dict[str, bytes]) -> dict[str, bytes]:
    """``parts`` without the weight of python-docx's default template, which every
    exported document copies: 790 KB of style XML (26 KB compressed, two thirds of a
    handbook's file), for a handful of styles in use.

    * parts no document of ours needs go, with their relationships and content types:
      ``word/stylesWithEffects.xml`` (Word 2010's second copy of the styles; Word makes it
      again when it saves), ``word/webSettings.xml`` (settings for saving as a web page)
      and ``customXml/`` (an empty bibliography);
    * ``word/styles.xml`` keeps its document defaults and only the styles that are a
      default, that a part names, or that those are based on, linked to or followed by;
      its latent styles (Word's style gallery entries) go: Word falls back to its own.
    """
    from lxml import etree

    def xml(tree: Any) -> bytes:
        return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)

    parts = dict(parts)
    unused = {n for n in parts if n in _UNUSED_PARTS or n.startswith("customXml/")}
    for name in unused:
        del parts[name]
    for name in [n for n in parts if n.endswith(".rels")]:  # what pointed at them
        tree = etree.fromstring(parts[name])
        source = posixpath.dirname(posixpath.dirname(name))  # "word/_rels/x.rels" → "word"
        for rel in list(tree):
            target = posixpath.normpath(posixpath.join(source, rel.get("Target", "")))
            if target in unused:
                tree.remove(rel)
        parts[name] = xml(tree)
    types = etree.fromstring(parts["[Content_Types].xml"])
    for override in list(types):
        if override.get("PartName", "").lstrip("/") in unused:
            types.remove(override)
    parts["[Content_Types].xml"] = xml(types)
    styles = etree.fromstring(parts["word/styles.xml"])
    for latent in styles.findall(f"{_W}latentStyles"):
        styles.remove(latent)
    by_id = {s.get(f"{_W}styleId"): s for s in styles.findall(f"{_W}style")}
    wanted = [i for i, s in by_id.items() if s.get(f"{_W}default") == "1"]
    for name, content in parts.items():
        if name.endswith(".xml") and name.startswith("word/") and name != "word/styles.xml":
            tree = etree.fromstring(content)
            for tag in _STYLE_REFERENCES:
                wanted += [e.get(f"{_W}val") for e in tree.iter(f"{_W}{tag}")]
    kept: set[str] = set()
    while wanted:
        style_id = wanted.pop()
        if style_id in kept or style_id not in by_id:
            continue
        kept.add(style_id)
        for tag in ("basedOn", "next", "link"):
            wanted += [e.get(f"{_W}val") for e in by_id[style_id].findall(f"{_W}{tag}")]
    for style_id, style in by_id.items():
        if style_id not in kept:
            styles.remove(style)
    parts["word/styles.xml"] = xml(styles)
    return parts


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else OUTPUT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(build())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
