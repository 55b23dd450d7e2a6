"""Build the yearbook and report templates (mẫu kỷ yếu gương điển hình, mẫu báo cáo tổng hợp)
with python-docx.

Usage: python scripts/build_report_templates.py [OUTPUT_FOLDER]

Like ``build_default_template.py`` (whose helpers this reuses), the output is deterministic,
so the committed .docx files change only when this script does. Page layout and the party
header follow Hướng dẫn 36-HD/VPTW: A4, Times New Roman, margins top/bottom 20 mm, left
30 mm, right 15 mm.

* ``ky-yeu-guong-dien-hinh.docx`` renders the yearbook context
  (:mod:`lamtheoguongbac.export._yearbook`): the cover with the committee as issuing body,
  the foreword, the contents with page numbers (PAGEREF fields to bookmarks on the foreword,
  each field and group and the index; Word is asked to update fields on opening,
  LibreOffice computes them as it lays out), then each field from a new page with its
  collectives and people set one after another (compact), the committee's signature, and
  the index of names in Vietnamese order with each exemplar's page.
* ``bao-cao-tong-hop.docx`` renders the report context
  (:mod:`lamtheoguongbac.export._report`): the committee's header (its superior, the
  committee as issuing body, the star, "Số …-BC/ĐU"), the summary, the progress table, the
  ratings table with the chart's placeholder under it, the top-rating cap, "Nơi nhận" and
  the committee's signature ("T/M ĐẢNG ỦY" / "BÍ THƯ" / the name).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_default_template import (  # a sibling script, not a package
    RED,
    TEXT_WIDTH,
    border,
    first_paragraph,
    fixed_zip,
    no_borders,
    page_field,
    para,
    repeat_header,
    setup,
    widths,
)

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "lamtheoguongbac_docx" / "templates"
YEARBOOK = "ky-yeu-guong-dien-hinh.docx"
REPORT = "bao-cao-tong-hop.docx"
CENTER, JUSTIFY = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT
HEADER_FILL = "E7E6E6"


def core_xml(title: str, subject: str) -> str:
    """Fixed document properties (see ``build_default_template.CORE_XML``)."""
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
        "<dc:creator>lamtheoguongbac</dc:creator>"
        "<dc:description>Mẫu mặc định của lamtheoguongbac-docx (docxtpl)</dc:description>"
        "<cp:lastModifiedBy>lamtheoguongbac</cp:lastModifiedBy><cp:revision>1</cp:revision>"
        '<dcterms:created xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2025-01-01T00:00:00Z</dcterms:modified>'
        "<dc:language>vi-VN</dc:language></cp:coreProperties>"
    )


def save(doc: DocumentObject, core: str) -> bytes:
    raw = io.BytesIO()
    doc.save(raw)
    return fixed_zip(raw.getvalue(), core)


def new_document() -> DocumentObject:
    doc = Document()
    doc._body.clear_content()
    setup(doc)
    return doc


def party_header(doc: DocumentObject, superior: str, issuer: str, place_date: str) -> None:
    """The two-column party header: superior body (when there is one), the issuing body in
    bold with a star under it; "ĐẢNG CỘNG SẢN VIỆT NAM" with its rule and the place-date."""
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(header)
    widths(header, [75, 90])
    left, right = header.rows[0].cells
    first_paragraph(left)
    first_paragraph(right)
    para(left, f"{{%p if {superior} %}}", after=0)
    para(left, f"{{{{ {superior}_upper }}}}", align=CENTER, after=0)
    para(left, "{%p endif %}", after=0)
    para(left, f"{{{{ {issuer} }}}}", align=CENTER, bold=True, after=0)
    para(left, "*", align=CENTER, after=0)
    para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, size=15, bold=True, after=0)
    rule = para(right, "", align=CENTER, size=4, after=0, indent=Mm(12))
    rule.paragraph_format.right_indent = Mm(12)
    border(rule, "top", size=6)
    para(right, f"{{{{ {place_date} }}}}", align=CENTER, italic=True, before=6, after=0)


def committee_header(doc: DocumentObject) -> None:
    """The header of a committee's document (Hướng dẫn 36-HD/VPTW): on the left the superior
    organisation, the committee (the issuing body) in bold, a star and the number line
    "Số 12-BC/ĐU"; on the right "ĐẢNG CỘNG SẢN VIỆT NAM", its rule and the place-date.
    Names come in lines broken between phrases (``*_lines`` keys)."""
    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(header)
    widths(header, [80, 85])
    left, right = header.rows[0].cells
    first_paragraph(left)
    first_paragraph(right)
    para(left, "{%p for line in superior.name_upper_lines %}", after=0)
    para(left, "{{ line }}", align=CENTER, after=0)
    para(left, "{%p endfor %}", after=0)
    para(left, "{%p for line in committee.name_upper_lines %}", after=0)
    para(left, "{{ line }}", align=CENTER, bold=True, after=0)
    para(left, "{%p endfor %}", after=0)
    para(left, "*", align=CENTER, after=0)
    para(left, "{{ document.number_line }}", align=CENTER, size=13, after=0)
    para(right, "ĐẢNG CỘNG SẢN VIỆT NAM", align=CENTER, size=15, bold=True, after=0)
    rule = para(right, "", align=CENTER, size=4, after=0, indent=Mm(10))
    rule.paragraph_format.right_indent = Mm(10)
    border(rule, "top", size=6)
    para(right, "{{ place_date }}", align=CENTER, italic=True, before=6, after=0)


def footer(doc: DocumentObject, text: str) -> None:
    p = doc.sections[0].footer.paragraphs[0]
    # Normal, not the built-in Footer style: its centre tab would catch a short line's tab.
    p.style = doc.styles["Normal"]
    p.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    p.paragraph_format.space_after = Pt(0)
    border(p, "top", size=4)
    run = p.add_run(f"{text}\tTrang ")
    run.font.size, run.font.italic = Pt(11), True
    page_field(p, 11)


def raw_runs(p: Paragraph, *elements: OxmlElement) -> None:
    for element in elements:
        p._p.append(element)


def element(tag: str, text: str | None = None, **attributes: str) -> OxmlElement:
    el = OxmlElement(tag)
    for key, value in attributes.items():
        el.set(qn(key.replace("_", ":", 1)), value)
    if text is not None:
        el.text = text
    return el


def field_runs(instruction: str, shown: str, size: float) -> list[OxmlElement]:
    """The runs of a complex field: begin, the instruction, separate, the shown value, end."""
    runs = []
    for part in ("begin", "instr", "separate", "shown", "end"):
        run = element("w:r")
        rpr = element("w:rPr")
        rpr.append(element("w:sz", w_val=str(int(size * 2))))
        run.append(rpr)
        if part == "instr":
            instr = element("w:instrText", instruction)
            instr.set(qn("xml:space"), "preserve")
            run.append(instr)
        elif part == "shown":
            run.append(element("w:t", shown))
        else:
            run.append(element("w:fldChar", w_fldCharType=part))
        runs.append(run)
    return runs


def bookmark(p: Paragraph, name: str, ident: str) -> None:
    """A bookmark ``name`` (Jinja allowed) around the paragraph's content."""
    ppr = p._p.pPr
    start = element("w:bookmarkStart", w_id=ident, w_name=name)
    if ppr is None:
        p._p.insert(0, start)
    else:
        ppr.addnext(start)
    p._p.append(element("w:bookmarkEnd", w_id=ident))


def update_fields_on_open(doc: DocumentObject) -> None:
    """Ask Word to update the fields (the contents' page numbers) when the file is opened."""
    settings = doc.settings.element
    flag = element("w:updateFields", w_val="true")
    # updateFields comes before these in the settings schema's sequence.
    later = (
        "w:hdrShapeDefaults",
        "w:footnotePr",
        "w:endnotePr",
        "w:compat",
        "w:docVars",
        "w:rsids",
        "m:mathPr",
        "w:attachedSchema",
        "w:themeFontLang",
    )
    for child in settings:
        if child.tag in {qn(t) for t in later}:
            child.addprevious(flag)
            return
    settings.append(flag)


def shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(element("w:shd", w_val="clear", w_color="auto", w_fill=fill))


# --- the yearbook ----------------------------------------------------------------------------


def yearbook_cover(doc: DocumentObject) -> None:
    party_header(doc, "superior.name", "committee.name_upper", "place_date")
    para(
        doc,
        "{{ yearbook.heading }}",
        align=CENTER,
        size=40,
        bold=True,
        before=170,
        after=18,
        color=RED,
    )
    para(doc, "{%p for line in yearbook.subject_lines %}")
    para(doc, "{{ line }}", align=CENTER, size=18, bold=True, after=6, color=RED)
    para(doc, "{%p endfor %}")
    para(doc, "{{ yearbook.year_line }}", align=CENTER, size=20, bold=True, before=24, after=0)
    rule = para(doc, "", align=CENTER, size=4, before=24, after=0, indent=Mm(60))
    rule.paragraph_format.right_indent = Mm(60)
    border(rule, "top", size=12)


def yearbook_foreword(doc: DocumentObject) -> None:
    """The foreword (lời giới thiệu) on its own page, signed by the committee's name."""
    heading = para(
        doc, "{{ foreword.title }}", align=CENTER, size=16, bold=True, page_break=True, after=12
    )
    bookmark(heading, "_GDH_LGT", "30001")
    para(doc, "{%p for text in foreword.paragraphs %}")
    para(doc, "{{ text }}", align=JUSTIFY, first_line=Mm(10), after=6)
    para(doc, "{%p endfor %}")
    para(doc, "{{ committee.name_upper }}", align=RIGHT, bold=True, before=12, after=0)


def contents_line(
    doc: DocumentObject, text: str, anchor: str, *, bold: bool, indent: float
) -> None:
    entry = para(doc, text, bold=bold, after=3, indent=Mm(indent), keep=bold)
    entry.paragraph_format.right_indent = Mm(10)
    entry.paragraph_format.tab_stops.add_tab_stop(
        TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )
    raw_runs(entry, *field_runs(f" PAGEREF {anchor} \\h ", "…", 14))


def yearbook_contents(doc: DocumentObject) -> None:
    """The contents: the foreword, each field and its groups, the index (page numbers by
    PAGEREF to bookmarks); the names themselves are in the index."""
    para(doc, "MỤC LỤC", align=CENTER, size=16, bold=True, page_break=True, after=18)
    contents_line(doc, "Lời giới thiệu\t", "_GDH_LGT", bold=True, indent=0)
    para(doc, "{%p for part in parts %}")
    contents_line(
        doc,
        "Phần {{ part.number }}. {{ part.title }} ({{ part.count }})\t",
        "{{ part.anchor }}",
        bold=True,
        indent=0,
    )
    para(doc, "{%p for g in part.groups %}")
    contents_line(
        doc,
        "{{ g.number }}. {{ g.title }} ({{ g.exemplars|length }})\t",
        "{{ g.anchor }}",
        bold=False,
        indent=8,
    )
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    contents_line(doc, "Bảng tra cứu tên\t", "_GDH_TRA", bold=True, indent=0)


def exemplar_entry(doc: DocumentObject) -> None:
    """One exemplar, compact: heading, who and where, the deeds, the figures, the decision."""
    heading = para(doc, "{{ e.number }}. {{ e.heading }}", bold=True, before=9, after=2, keep=True)
    bookmark(heading, "{{ e.anchor }}", "{{ e.number }}")
    para(
        doc,
        ("{{ e.standing }}", "i"),
        ("{% if e.unit_line %} – {{ e.unit_label }}: {{ e.unit_line }}{% endif %}", "i"),
        align=JUSTIFY,
        size=13,
        after=2,
        keep=True,
    )
    para(doc, "{%p if e.proposed_by %}")
    para(doc, ("Đơn vị đề xuất: ", "b"), "{{ e.proposed_by }}", size=13, after=2, keep=True)
    para(doc, "{%p endif %}")
    para(doc, "{%p for line in e.achievements_lines %}")
    para(doc, "{{ line }}", align=JUSTIFY, first_line=Mm(10), after=2)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if e.figures_line %}")
    para(doc, ("Kết quả nổi bật: ", "b"), "{{ e.figures_line }}.", align=JUSTIFY, after=2)
    para(doc, "{%p endif %}")
    para(
        doc,
        ("Khen thưởng: ", "b"),
        (
            "{% if e.commendation.text %}{{ e.commendation.text }}.{% else %}"
            "chưa có quyết định khen thưởng.{% endif %}",
            "i",
        ),
        align=JUSTIFY,
        after=3,
    )


def yearbook_exemplars(doc: DocumentObject) -> None:
    """Each field from a new page, its groups (collectives, then people) under it, and the
    entries one after another."""
    para(doc, "{%p for part in parts %}")
    title = para(
        doc,
        "PHẦN {{ part.number }}. {{ part.title_upper }}",
        align=CENTER,
        size=15,
        bold=True,
        page_break=True,
        after=6,
        keep=True,
    )
    bookmark(title, "{{ part.anchor }}", "{{ 10000 + loop.index }}")
    border(title, "bottom", size=8)
    para(doc, "{%p for g in part.groups %}")
    group = para(
        doc, "{{ g.number }}. {{ g.title|upper }}", bold=True, before=12, after=3, keep=True
    )
    bookmark(group, "{{ g.anchor }}", "{{ 20000 + (part.anchor[6:]|int) * 10 + loop.index }}")
    para(doc, "{%p for e in g.exemplars %}")
    exemplar_entry(doc)
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")
    para(doc, "{%p endfor %}")


def yearbook_signature(doc: DocumentObject) -> None:
    """The committee's signature (T/M ĐẢNG ỦY / BÍ THƯ / name) closing the book."""
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(t)
    widths(t, [75, 90])
    t.rows[0]._tr.get_or_add_trPr().append(element("w:cantSplit"))
    left, right = t.rows[0].cells
    first_paragraph(left)
    first_paragraph(right)
    para(left, "", after=0)
    para(right, "{{ signature.on_behalf }}", align=CENTER, bold=True, before=18, after=0)
    para(right, "{{ signature.title }}", align=CENTER, bold=True, after=0)
    para(right, "", after=60)
    para(right, "{{ signature.name }}", align=CENTER, bold=True, after=0)


def yearbook_index(doc: DocumentObject) -> None:
    """The index of names in Vietnamese order: name, number in the book, page."""
    title = para(
        doc, "BẢNG TRA CỨU TÊN", align=CENTER, size=16, bold=True, page_break=True, after=3
    )
    bookmark(title, "_GDH_TRA", "30002")
    para(
        doc,
        "(Xếp theo thứ tự chữ cái tiếng Việt; cá nhân theo tên, tập thể theo tên gọi)",
        align=CENTER,
        italic=True,
        size=13,
        after=12,
    )
    para(doc, "{%p for i in index %}")
    entry = para(
        doc,
        "{{ i.name }} ",
        ("({{ i.kind|lower }}, số {{ i.number }})", "i"),
        "\t",
        size=13,
        after=2,
    )
    entry.paragraph_format.tab_stops.add_tab_stop(
        TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS
    )
    raw_runs(entry, *field_runs(" PAGEREF {{ i.anchor }} \\h ", "…", 13))
    para(doc, "{%p endfor %}")


def build_yearbook() -> bytes:
    """The yearbook template's bytes, the same on every run."""
    doc = new_document()
    update_fields_on_open(doc)
    yearbook_cover(doc)
    yearbook_foreword(doc)
    yearbook_contents(doc)
    yearbook_exemplars(doc)
    yearbook_signature(doc)
    yearbook_index(doc)
    para(doc, "", size=1, after=0)
    footer(doc, "Kỷ yếu gương điển hình năm {{ yearbook.year }} – {{ committee.name }}")
    return save(
        doc,
        core_xml(
            "Kỷ yếu gương điển hình",
            "Mẫu kỷ yếu gương điển hình học tập và làm theo tư tưởng, đạo đức, phong cách "
            "Hồ Chí Minh",
        ),
    )


# --- the report ------------------------------------------------------------------------------


def table(
    doc: DocumentObject, heads: list[str], mm: list[float], *, head_size: float = 11
) -> Table:
    """A table of a header row (shaded, repeated on each page) and four rows to fill:
    ``{%tr for %}``, one cell's row, ``{%tr endfor %}``, the total."""
    t = doc.add_table(rows=5, cols=len(heads))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(t, mm)
    for row in t.rows:
        for cell in row.cells:
            first_paragraph(cell)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        para(cell, text, align=CENTER, size=head_size, bold=True, before=2, after=2)
        shade(cell, HEADER_FILL)
    repeat_header(t.rows[0]._tr)
    for row in (t.rows[2], t.rows[4]):  # a cell's figures are never split over two pages
        row._tr.get_or_add_trPr().append(element("w:cantSplit"))
    for index, text in ((1, "{%tr for c in cells %}"), (3, "{%tr endfor %}")):
        for column, cell in enumerate(t.rows[index].cells):
            para(cell, "" if column else text, size=11)
    return t


def fill_row(t: Table, index: int, values: list[str], *, bold: bool = False) -> None:
    for column, (cell, text) in enumerate(zip(t.rows[index].cells, values, strict=True)):
        align = WD_ALIGN_PARAGRAPH.LEFT if column == 1 else CENTER
        para(cell, text, align=align, size=12, bold=bold, before=2, after=2)


def report_heading(doc: DocumentObject, text: str, *, before: float = 12) -> None:
    para(doc, text, bold=True, before=before, after=6, keep=True)


def report_body(doc: DocumentObject) -> None:
    committee_header(doc)
    para(doc, "{{ report.title }}", align=CENTER, size=16, bold=True, before=18, after=0)
    para(doc, "{{ report.subject }}", align=CENTER, bold=True, after=0)
    para(
        doc,
        "(Số liệu tính đến {{ report.as_of_phrase }})",
        align=CENTER,
        italic=True,
        size=13,
        after=0,
    )
    rule = para(doc, "", align=CENTER, size=4, before=6, after=6, indent=Mm(65))
    rule.paragraph_format.right_indent = Mm(65)
    border(rule, "top", size=6)

    report_heading(doc, "I. TÌNH HÌNH CHUNG", before=6)
    para(doc, "{%p for line in summary %}")
    para(doc, "{{ line }}", align=JUSTIFY, first_line=Mm(10), after=3)
    para(doc, "{%p endfor %}")

    report_heading(doc, "II. TIẾN ĐỘ THỰC HIỆN SỔ TAY THEO CHI BỘ")
    heads = [
        "STT",
        "Chi bộ",
        "Đảng viên",
        "Đã đăng ký",
        "Đã báo cáo",
        "Đã đánh giá",
        "Trễ đăng ký",
        "Trễ báo cáo",
        "Trễ đánh giá",
        "Việc cụ thể",
    ]
    progress = table(doc, heads, [12, 47, 13, 13, 13, 13, 13, 13, 13, 15])
    keys = [
        "members",
        "registered",
        "reported",
        "assessed",
        "overdue_registration",
        "overdue_report",
        "overdue_assessment",
        "specific_share",
    ]
    fill_row(progress, 2, ["{{ c.number }}", "{{ c.name }}", *(f"{{{{ c.{k} }}}}" for k in keys)])
    fill_row(
        progress, 4, ["", "{{ total.name }}", *(f"{{{{ total.{k} }}}}" for k in keys)], bold=True
    )
    para(
        doc,
        "Đã đăng ký, đã báo cáo, đã đánh giá: số sổ tay đã qua bước đó; trễ: số đảng "
        "viên quá hạn của bước đó; việc cụ thể: tỷ lệ việc đăng ký cụ thể, lượng hóa được.",
        italic=True,
        size=12,
        align=JUSTIFY,
        before=3,
    )

    report_heading(doc, "III. KẾT QUẢ XẾP LOẠI ĐẢNG VIÊN")
    levels = ["HTXSNV", "HTTNV", "HTNV", "KHTNV"]
    unrated = ["not_rated_by_rule", "not_assessed", "assessed_unrated"]
    ratings = table(
        doc,
        ["STT", "Chi bộ", *levels, "Không XL theo QĐ", "Chưa đánh giá", "Chưa ghi XL", "Cộng"],
        [10, 34, 18, 16, 14, 16, 15, 15, 14, 13],
        head_size=9,
    )
    counts = [*levels, *unrated]
    fill_row(
        ratings,
        2,
        [
            "{{ c.number }}",
            "{{ c.name }}",
            *(f"{{{{ c.ratings.{k} }}}}" for k in counts),
            "{{ c.members }}",
        ],
    )
    fill_row(
        ratings,
        4,
        [
            "",
            "{{ total.name }}",
            *(f"{{{{ total.ratings.{k} }}}}" for k in counts),
            "{{ total.members }}",
        ],
        bold=True,
    )
    para(
        doc,
        "{% for l in rating_levels %}{{ l.abbreviation }}: {{ l.label }}"
        "{% if not loop.last %}; {% endif %}{% endfor %}. Không xếp loại theo quy định: đảng "
        "viên bị đình chỉ sinh hoạt đảng, đảng viên được miễn công tác và sinh hoạt đảng không "
        "xếp loại.",
        italic=True,
        size=12,
        align=JUSTIFY,
        before=3,
        after=6,
    )
    para(doc, "{{ charts.ratings.placeholder }}", align=CENTER, before=6, after=0, keep=True)
    para(doc, "Biểu đồ: {{ charts.ratings.title }}", align=CENTER, italic=True, size=12, after=6)

    report_heading(doc, "IV. TỶ LỆ XẾP LOẠI HOÀN THÀNH XUẤT SẮC NHIỆM VỤ")
    para(doc, "{%p for cap in caps %}")
    para(doc, "- {{ cap.text }}", align=JUSTIFY, first_line=Mm(10), after=3)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if caps_note %}")
    para(doc, "{{ caps_note }}", align=JUSTIFY, first_line=Mm(10), after=3)
    para(doc, "{%p endif %}")
    para(
        doc,
        "Số liệu tổng hợp từ sổ tay của đảng viên, tính đến {{ report.as_of_phrase }}.",
        italic=True,
        size=12,
        align=JUSTIFY,
        before=6,
        keep=True,
    )
    report_inspection(doc)
    closing(doc)


# --- the report's inspection section (kiểm tra, giám sát) ------------------------------------


def loop_table(doc: DocumentObject, heads: list[str], mm: list[float], loop: str) -> Table:
    """A table of a shaded, repeated header row and three rows: ``{%tr for … %}`` (``loop``),
    the row to repeat, ``{%tr endfor %}``."""
    t = doc.add_table(rows=4, cols=len(heads))
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths(t, mm)
    for row in t.rows:
        for cell in row.cells:
            first_paragraph(cell)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    for cell, text in zip(t.rows[0].cells, heads, strict=True):
        para(cell, text, align=CENTER, size=11, bold=True, before=2, after=2)
        shade(cell, HEADER_FILL)
    repeat_header(t.rows[0]._tr)
    t.rows[2]._tr.get_or_add_trPr().append(element("w:cantSplit"))
    for index, text in ((1, loop), (3, "{%tr endfor %}")):
        for column, cell in enumerate(t.rows[index].cells):
            para(cell, "" if column else text, size=11)
    return t


def report_inspection(doc: DocumentObject) -> None:
    """Section V: the year's inspections — the figures, a table per inspected cell, the
    findings with their requests and follow-ups, the two charts; a sentence when none."""
    report_heading(doc, "V. KẾT QUẢ KIỂM TRA, GIÁM SÁT VIỆC THỰC HIỆN SỔ TAY")
    para(doc, "{%p if inspection.note %}")
    para(doc, "{{ inspection.note }}", align=JUSTIFY, first_line=Mm(10), after=3)
    para(doc, "{%p else %}")
    para(doc, "{%p for line in inspection.summary %}")
    para(doc, "{{ line }}", align=JUSTIFY, first_line=Mm(10), after=3)
    para(doc, "{%p endfor %}")
    para(doc, "1. Kết quả theo chi bộ", italic=True, bold=True, before=6, after=3, keep=True)
    cells = loop_table(
        doc,
        [
            "STT",
            "Chi bộ",
            "Số lần kiểm tra",
            "Sổ được kiểm tra",
            "Phát hiện",
            "Yêu cầu",
            "Đã khắc phục",
            "Chưa xong",
            "Quá hạn",
        ],
        [12, 45, 16, 16, 16, 16, 16, 14, 14],
        "{%tr for r in inspection.rows %}",
    )
    keys = [
        "inspections",
        "handbooks",
        "findings",
        "requests",
        "requests_done",
        "requests_open",
        "requests_overdue",
    ]
    for column, (cell, text) in enumerate(
        zip(
            cells.rows[2].cells,
            ["{{ r.number }}", "{{ r.name }}", *(f"{{{{ r.{k} }}}}" for k in keys)],
            strict=True,
        )
    ):
        align = WD_ALIGN_PARAGRAPH.LEFT if column == 1 else CENTER
        para(cell, text, align=align, size=12, before=2, after=2)
    para(doc, "{%p if charts.findings.categories %}")
    para(doc, "{{ charts.findings.placeholder }}", align=CENTER, before=6, after=0, keep=True)
    para(doc, "Biểu đồ: {{ charts.findings.title }}", align=CENTER, italic=True, size=12, after=6)
    para(doc, "{%p endif %}")
    para(doc, "{%p if inspection.entries %}")
    para(
        doc,
        "2. Nội dung phát hiện, yêu cầu khắc phục và kết quả",
        italic=True,
        bold=True,
        before=6,
        after=3,
        keep=True,
    )
    entries = loop_table(
        doc,
        ["STT", "Chi bộ, ngày", "Loại", "Nội dung phát hiện", "Yêu cầu, hạn", "Kết quả khắc phục"],
        [12, 26, 25, 40, 31, 31],
        "{%tr for e in inspection.entries %}",
    )
    row = entries.rows[2].cells
    para(row[0], "{{ e.number }}", align=CENTER, size=11, before=2, after=2)
    para(row[1], "{{ e.cell }}", size=11, before=2, after=0)
    para(row[1], "({{ e.date }})", size=11, italic=True, after=2)
    para(row[2], "{{ e.kind }}", size=11, before=2, after=2)
    para(row[3], "{{ e.text }}", size=11, align=JUSTIFY, before=2, after=2)
    para(row[4], "{%p for q in e.requests %}")
    para(row[4], "{{ q.text }} (hạn {{ q.due }})", size=11, before=2, after=2)
    para(row[4], "{%p endfor %}")
    para(row[5], "{%p for q in e.requests %}")
    para(
        row[5],
        ("{{ q.status }}", "b"),
        "{% if q.follow_up %}: {{ q.follow_up }}{% endif %}",
        size=11,
        before=2,
        after=2,
    )
    para(row[5], "{%p endfor %}")
    para(doc, "{%p endif %}")
    para(doc, "{%p if charts.requests.categories %}")
    para(doc, "{{ charts.requests.placeholder }}", align=CENTER, before=6, after=0, keep=True)
    para(doc, "Biểu đồ: {{ charts.requests.title }}", align=CENTER, italic=True, size=12, after=6)
    para(doc, "{%p endif %}")
    para(doc, "{%p endif %}")


def closing(doc: DocumentObject) -> None:
    """ "Nơi nhận" on the left; the committee's signature on the right (T/M ĐẢNG ỦY)."""
    t = doc.add_table(rows=1, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    no_borders(t)
    widths(t, [75, 90])
    # The signature block moves to the next page whole, with the sentence before it.
    t.rows[0]._tr.get_or_add_trPr().append(element("w:cantSplit"))
    left, right = t.rows[0].cells
    first_paragraph(left)
    first_paragraph(right)
    para(left, ("Nơi nhận:", "bi"), size=12, before=12, after=0)
    para(left, "{%p for line in recipients %}", size=12, after=0)
    para(left, "{{ line }}", size=12, after=0)
    para(left, "{%p endfor %}", size=12, after=0)
    para(right, "{{ signature.on_behalf }}", align=CENTER, bold=True, before=12, after=0)
    para(right, "{{ signature.title_upper }}", align=CENTER, bold=True, after=0)
    para(right, "(Ký, ghi rõ họ tên)", align=CENTER, italic=True, size=13, after=0)
    para(right, "{{ signature.name }}", align=CENTER, bold=True, before=60, after=0)
    # The body must end with a paragraph: a small one, so it never spills onto a page alone.
    para(doc, "", size=1, after=0)


def build_report() -> bytes:
    """The report template's bytes, the same on every run."""
    doc = new_document()
    report_body(doc)
    footer(doc, "Báo cáo tổng hợp Sổ tay Làm theo gương Bác năm {{ report.year }}")
    return save(
        doc,
        core_xml(
            "Báo cáo tổng hợp Sổ tay Làm theo gương Bác",
            "Mẫu báo cáo tổng hợp kết quả thực hiện sổ tay gửi cấp ủy",
        ),
    )


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else TEMPLATES
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in ((YEARBOOK, build_yearbook), (REPORT, build_report)):
        (folder / name).write_bytes(build())
        print(f"wrote {folder / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
