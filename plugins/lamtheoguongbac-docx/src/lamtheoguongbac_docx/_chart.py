"""Native Word charts in a rendered document (biểu đồ trong văn bản Word).

A chart comes as data in the template context (see :mod:`lamtheoguongbac.export._report`):
a ``placeholder`` the template prints where the chart goes, ``categories``, and ``series``
each with a ``name``, an RGB ``color`` and one value per category. :func:`insert_charts`
replaces each placeholder in the rendered document with a DrawingML chart part — a stacked
horizontal bar chart, categories top to bottom in their given order, values labelled on the
bars — and embeds the data as a small workbook, so the chart stays editable in Word (format
it, or "Edit Data") and renders in LibreOffice. The parts are built with lxml; the package is
rewritten with :mod:`._zip`, copying every other part's compressed bytes as they are.
"""

from __future__ import annotations

import copy
import io
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
from lxml import etree  # type: ignore[import-untyped]

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx._zip import Entry, build_zip, deflate, read_entries

__all__ = ["Chart", "Series", "chart_part", "chart_workbook", "insert_charts"]

_NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_PKG_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CHART_CT = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_XLSX_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET = "Sheet1"
_FONT = "Times New Roman"
_EMU_PER_TWIP = 635
_EMU_PER_MM = 36_000
_DEFAULT_WIDTH = 165 * _EMU_PER_MM  # A4 less the 30 + 15 mm margins of Hướng dẫn 36-HD/VPTW
_XML_DECL = b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_PARSER = etree.XMLParser(resolve_entities=False)
_LABEL_FLAGS = (
    "showLegendKey",
    "showVal",
    "showCatName",
    "showSerName",
    "showPercent",
    "showBubbleSize",
)


def _q(name: str) -> str:
    prefix, _, local = name.partition(":")
    return f"{{{_NS[prefix]}}}{local}"


def _xml(element: etree._Element) -> bytes:
    return _XML_DECL + bytes(etree.tostring(element, encoding="UTF-8"))


@attrs.frozen
class Series:
    """One series of a chart: its name, RGB colour ("1B5E20") and values."""

    name: str
    color: str
    values: tuple[int | float, ...]


@attrs.frozen
class Chart:
    """A chart as the context describes it (see the module docstring)."""

    placeholder: str
    title: str
    value_axis_title: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]

    @classmethod
    def from_context(cls, key: str, data: Any) -> Chart:
        """The chart ``charts.<key>`` of a template context.

        Raises:
            TemplateError: the chart is not shaped as documented.
        """
        try:
            categories = tuple(str(c) for c in data["categories"])
            series = tuple(
                Series(str(s["name"]), _colour(s["color"]), tuple(_number(v) for v in s["values"]))
                for s in data["series"]
            )
            chart = cls(
                placeholder=str(data["placeholder"]),
                title=str(data.get("title", "")),
                value_axis_title=str(data.get("value_axis_title", "")),
                categories=categories,
                series=series,
            )
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            raise _bad(key, f"{type(exc).__name__}: {exc}") from None
        if not chart.placeholder.strip():
            raise _bad(key, "empty placeholder")
        for s in series:
            if len(s.values) != len(categories):
                counts = f"{len(s.values)} values for {len(categories)} categories"
                raise _bad(key, f"series '{s.name}' has {counts}")
        return chart

    def largest_total(self) -> float:
        """The longest stacked bar (0 without data)."""
        totals = [sum(s.values[i] for s in self.series) for i in range(len(self.categories))]
        return max(totals, default=0)


def _bad(key: str, why: str) -> TemplateError:
    return TemplateError(
        f"Dữ liệu biểu đồ 'charts.{key}' không đúng dạng: {why}",
        f"the chart data 'charts.{key}' is not shaped as documented: {why}",
    )


def _colour(value: Any) -> str:
    text = str(value).lstrip("#").upper()
    if len(text) != 6 or any(c not in "0123456789ABCDEF" for c in text):
        raise ValueError(f"colour {value!r} is not RRGGBB")
    return text


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"value {value!r} is not a number")
    return value


# --- the chart part --------------------------------------------------------------------------


def _el(parent: etree._Element, tag: str, val: Any = None, /, **attrs: str) -> etree._Element:
    """A child ``tag`` ("c:barDir") of ``parent`` with the attribute ``val`` and others
    ("r:id" for a namespaced one)."""
    # Declared where first needed, so the parts read with the usual prefixes ("c:", "a:").
    prefixes = {tag.partition(":")[0], *(k.partition(":")[0] for k in attrs if ":" in k)}
    missing = {p: _NS[p] for p in prefixes if parent.nsmap.get(p) != _NS[p]}
    el = etree.SubElement(parent, _q(tag), nsmap=missing or None)
    if val is not None:
        el.set("val", str(val))
    for key, value in attrs.items():
        el.set(_q(key) if ":" in key else key, value)
    return el


def _text_props(
    parent: etree._Element, *, size: int, bold: bool = False, color: str | None = None
) -> None:
    """Text properties of a chart element: font, size (1/100 pt), weight, colour."""
    tx = _el(parent, "c:txPr")
    _el(tx, "a:bodyPr")
    _el(tx, "a:lstStyle")
    p = _el(tx, "a:p")
    ppr = _el(p, "a:pPr")
    _default_run(ppr, size=size, bold=bold, color=color)
    _el(p, "a:endParaRPr", lang="vi-VN")


def _default_run(ppr: etree._Element, *, size: int, bold: bool, color: str | None) -> None:
    rpr = _el(ppr, "a:defRPr", sz=str(size), b="1" if bold else "0")
    if color is not None:
        _el(_el(rpr, "a:solidFill"), "a:srgbClr", color)
    _el(rpr, "a:latin", typeface=_FONT)
    _el(rpr, "a:cs", typeface=_FONT)


def _fill(parent: etree._Element, color: str, *, line: str | None = None) -> None:
    sp = _el(parent, "c:spPr")
    _el(_el(sp, "a:solidFill"), "a:srgbClr", color)
    ln = _el(sp, "a:ln", w="9525")
    if line is None:
        _el(ln, "a:noFill")
    else:
        _el(_el(ln, "a:solidFill"), "a:srgbClr", line)


def _column(index: int) -> str:
    """The spreadsheet column letters of the 0-based ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _label_colour(color: str) -> str:
    """Black or white, whichever reads better on ``color``."""
    r, g, b = (int(color[i : i + 2], 16) for i in (0, 2, 4))
    return "000000" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "FFFFFF"


def _major_unit(largest: float) -> int:
    """The step of the value axis: 1, 2, 5, 10, 20, … — the first giving at most ten
    gridlines (never a fraction: the values are head counts)."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if largest <= 10 * step:
                return step
        magnitude *= 10


def _str_cache(parent: etree._Element, formula: str, values: Sequence[str]) -> None:
    ref = _el(parent, "c:strRef")
    _el(ref, "c:f").text = formula
    cache = _el(ref, "c:strCache")
    _el(cache, "c:ptCount", len(values))
    for i, value in enumerate(values):
        _el(_el(cache, "c:pt", idx=str(i)), "c:v").text = value


def _series(bar: etree._Element, index: int, s: Series, chart: Chart) -> None:
    rows = len(chart.categories)
    col = _column(index + 1)
    ser = _el(bar, "c:ser")
    _el(ser, "c:idx", index)
    _el(ser, "c:order", index)
    _str_cache(_el(ser, "c:tx"), f"{_SHEET}!${col}$1", [s.name])
    _fill(ser, s.color, line="FFFFFF")
    _el(ser, "c:invertIfNegative", 0)
    labels = _el(ser, "c:dLbls")
    # Zeros are left unlabelled: a "0" on a bar of no width is clutter.
    _el(labels, "c:numFmt", formatCode="0;-0;;", sourceLinked="0")
    _el(_el(labels, "c:spPr"), "a:noFill")
    _text_props(labels, size=1000, bold=True, color=_label_colour(s.color))
    _el(labels, "c:dLblPos", "ctr")
    for flag in _LABEL_FLAGS:
        _el(labels, f"c:{flag}", int(flag == "showVal"))
    _str_cache(_el(ser, "c:cat"), f"{_SHEET}!$A$2:$A${rows + 1}", chart.categories)
    ref = _el(_el(ser, "c:val"), "c:numRef")
    _el(ref, "c:f").text = f"{_SHEET}!${col}$2:${col}${rows + 1}"
    cache = _el(ref, "c:numCache")
    _el(cache, "c:formatCode").text = "General"
    _el(cache, "c:ptCount", rows)
    for i, value in enumerate(s.values):
        _el(_el(cache, "c:pt", idx=str(i)), "c:v").text = str(value)


def _axis_title(axis: etree._Element, text: str) -> None:
    title = _el(axis, "c:title")
    rich = _el(_el(title, "c:tx"), "c:rich")
    _el(rich, "a:bodyPr")
    _el(rich, "a:lstStyle")
    p = _el(rich, "a:p")
    _default_run(_el(p, "a:pPr"), size=1000, bold=False, color=None)
    run = _el(p, "a:r")
    _el(run, "a:rPr", lang="vi-VN", sz="1000", b="0")
    _el(run, "a:t").text = text
    _el(title, "c:overlay", 0)


def _axes(plot: etree._Element, chart: Chart) -> None:
    cat = _el(plot, "c:catAx")
    _el(cat, "c:axId", 1001)
    # Top to bottom in the given order; the value axis then crosses at the far end, below.
    _el(_el(cat, "c:scaling"), "c:orientation", "maxMin")
    _el(cat, "c:delete", 0)
    _el(cat, "c:axPos", "l")
    _el(cat, "c:numFmt", formatCode="General", sourceLinked="0")
    _el(cat, "c:majorTickMark", "none")
    _el(cat, "c:minorTickMark", "none")
    _el(cat, "c:tickLblPos", "nextTo")
    _fill(cat, "FFFFFF", line="808080")
    _text_props(cat, size=1000)
    _el(cat, "c:crossAx", 1002)
    _el(cat, "c:crosses", "autoZero")
    _el(cat, "c:auto", 1)
    _el(cat, "c:lblAlgn", "ctr")
    _el(cat, "c:lblOffset", 100)
    _el(cat, "c:noMultiLvlLbl", 0)

    val = _el(plot, "c:valAx")
    _el(val, "c:axId", 1002)
    _el(_el(val, "c:scaling"), "c:orientation", "minMax")
    _el(val, "c:delete", 0)
    _el(val, "c:axPos", "b")
    grid = _el(_el(val, "c:majorGridlines"), "c:spPr")
    _el(_el(_el(grid, "a:ln", w="6350"), "a:solidFill"), "a:srgbClr", "D9D9D9")
    if chart.value_axis_title:
        _axis_title(val, chart.value_axis_title)
    _el(val, "c:numFmt", formatCode="0", sourceLinked="0")
    _el(val, "c:majorTickMark", "out")
    _el(val, "c:minorTickMark", "none")
    _el(val, "c:tickLblPos", "nextTo")
    _fill(val, "FFFFFF", line="808080")
    _text_props(val, size=1000)
    _el(val, "c:crossAx", 1001)
    _el(val, "c:crosses", "max")
    _el(val, "c:crossBetween", "between")
    _el(val, "c:majorUnit", _major_unit(chart.largest_total()))


def chart_part(chart: Chart, *, workbook_rid: str) -> bytes:
    """The chart part (``c:chartSpace``) of ``chart``, its data embedded as ``workbook_rid``."""
    space = etree.Element(_q("c:chartSpace"), nsmap={k: _NS[k] for k in ("c", "a", "r")})
    _el(space, "c:date1904", 0)
    _el(space, "c:lang", "vi-VN")
    _el(space, "c:roundedCorners", 0)
    body = _el(space, "c:chart")
    _el(body, "c:autoTitleDeleted", 1)
    plot = _el(body, "c:plotArea")
    _el(plot, "c:layout")
    bar = _el(plot, "c:barChart")
    _el(bar, "c:barDir", "bar")
    _el(bar, "c:grouping", "stacked")
    _el(bar, "c:varyColors", 0)
    for index, s in enumerate(chart.series):
        _series(bar, index, s, chart)
    _el(bar, "c:gapWidth", 50)
    _el(bar, "c:overlap", 100)
    _el(bar, "c:axId", 1001)
    _el(bar, "c:axId", 1002)
    _axes(plot, chart)
    legend = _el(body, "c:legend")
    _el(legend, "c:legendPos", "b")
    _el(legend, "c:overlay", 0)
    _text_props(legend, size=1000)
    _el(body, "c:plotVisOnly", 1)
    _el(body, "c:dispBlanksAs", "gap")
    _text_props(space, size=1000)
    data = _el(space, "c:externalData", **{"r:id": workbook_rid})
    _el(data, "c:autoUpdate", 0)
    return _xml(space)


# --- the embedded workbook -------------------------------------------------------------------

_WORKBOOK_FILES = {
    "[Content_Types].xml": (
        f'<Types xmlns="{_PKG_CT}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{_NS["r"]}"><sheets><sheet name="{_SHEET}" sheetId="1" r:id="rId1"/>'
        "</sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
        f'Type="{_REL}worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def chart_workbook(chart: Chart) -> bytes:
    """The chart's data as a minimal .xlsx: categories in column A, one column per series,
    names in row 1 — the cells the chart's formulas point at."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = etree.Element(f"{{{main}}}worksheet", nsmap={None: main})
    rows = etree.SubElement(sheet, f"{{{main}}}sheetData")

    def cell(row: etree._Element, ref: str, value: str | int | float) -> None:
        c = etree.SubElement(row, f"{{{main}}}c", r=ref)
        if isinstance(value, str):
            c.set("t", "inlineStr")
            text = etree.SubElement(etree.SubElement(c, f"{{{main}}}is"), f"{{{main}}}t")
            text.text = value
        else:
            etree.SubElement(c, f"{{{main}}}v").text = str(value)

    header = etree.SubElement(rows, f"{{{main}}}row", r="1")
    for i, s in enumerate(chart.series, start=1):
        cell(header, f"{_column(i)}1", s.name)
    for n, category in enumerate(chart.categories):
        row = etree.SubElement(rows, f"{{{main}}}row", r=str(n + 2))
        cell(row, f"A{n + 2}", category)
        for i, s in enumerate(chart.series, start=1):
            cell(row, f"{_column(i)}{n + 2}", s.values[n])
    files = {**_WORKBOOK_FILES, "xl/worksheets/sheet1.xml": etree.tostring(sheet).decode()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, xml in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, _XML_DECL + xml.encode("utf-8"))
    return out.getvalue()


# --- putting charts into a document ----------------------------------------------------------


def _inflate(entry: Entry) -> bytes:
    return zlib.decompress(entry.data, -15) if entry.method else entry.data


def _main_part(entries: Mapping[str, Entry]) -> str:
    rels = etree.fromstring(_inflate(entries["_rels/.rels"]), _PARSER)
    for rel in rels.iter(f"{{{_PKG_REL}}}Relationship"):
        if rel.get("Type") == _REL + "officeDocument":
            return str(rel.get("Target", "")).lstrip("/")
    return "word/document.xml"


def _text_width(root: etree._Element) -> int:
    """The text width of the document's last section, in EMU."""
    size = root.find(f"{_q('w:body')}/{_q('w:sectPr')}/{_q('w:pgSz')}")
    margins = root.find(f"{_q('w:body')}/{_q('w:sectPr')}/{_q('w:pgMar')}")
    try:
        twips = int(size.get(_q("w:w"))) - sum(
            int(margins.get(_q(f"w:{side}"))) for side in ("left", "right")
        )
    except (AttributeError, TypeError, ValueError):  # no section properties: A4's width
        return _DEFAULT_WIDTH
    return twips * _EMU_PER_TWIP if twips > 0 else _DEFAULT_WIDTH


def _height(chart: Chart) -> int:
    """Room for the bars (9 mm each), the value axis and a legend of two or three lines."""
    return min(max(45 + 9 * len(chart.categories), 80), 210) * _EMU_PER_MM


def _drawing_run(chart: Chart, rid: str, picture_id: int, width: int) -> etree._Element:
    run = etree.Element(_q("w:r"))
    inline = _el(_el(run, "w:drawing"), "wp:inline", distT="0", distB="0", distL="0", distR="0")
    _el(inline, "wp:extent", cx=str(width), cy=str(_height(chart)))
    _el(inline, "wp:effectExtent", l="0", t="0", r="0", b="0")
    _el(inline, "wp:docPr", id=str(picture_id), name=f"Biểu đồ {picture_id}", descr=chart.title)
    _el(inline, "wp:cNvGraphicFramePr")
    data = _el(_el(inline, "a:graphic"), "a:graphicData", uri=_NS["c"])
    _el(data, "c:chart", **{"r:id": rid})
    return run


def _piece(run: etree._Element, position: int, text: str, *, head: bool) -> etree._Element | None:
    """A copy of ``run`` with its content before (``head``) or after its child ``position``,
    that child's text set to ``text``; None when nothing is left."""
    piece = copy.deepcopy(run)
    for i, child in list(enumerate(piece)):
        if child.tag == _q("w:rPr"):
            continue
        if (i > position if head else i < position) or (i == position and not text):
            piece.remove(child)
        elif i == position:
            child.text = text
            child.set(f"{{{_XML_NS}}}space", "preserve")
    return piece if any(child.tag != _q("w:rPr") for child in piece) else None


def _replace(t: etree._Element, placeholder: str, drawing: etree._Element | None) -> None:
    """Put ``drawing`` (or nothing) where ``placeholder`` is in the text node ``t``; the
    text and other content around it stay in copies of its run, with its formatting."""
    run = t.getparent()
    position = run.index(t)
    before, _, after = (t.text or "").partition(placeholder)
    head = _piece(run, position, before, head=True)
    tail = _piece(run, position, after, head=False)
    for node in (head, drawing, tail):
        if node is not None:
            run.addprevious(node)
    run.getparent().remove(run)


def _next_placeholder(
    root: etree._Element, charts: Sequence[Chart]
) -> tuple[etree._Element, Chart] | None:
    for t in root.iter(_q("w:t")):
        chart = next((c for c in charts if c.placeholder in (t.text or "")), None)
        if chart is not None and t.getparent().tag == _q("w:r"):
            return t, chart
    return None


def _free(taken: set[str], *patterns: str) -> int:
    """The first number ``n`` for which no ``pattern.format(n)`` is taken (they are then)."""
    n = 1
    while any(p.format(n) in taken for p in patterns):
        n += 1
    taken.update(p.format(n) for p in patterns)
    return n


def _chart_entries(prefix: str, number: int, chart: Chart) -> list[Entry]:
    """The chart part ``chart<number>.xml``, its relationships and its workbook."""
    book = f"Microsoft_Excel_Worksheet{number}.xlsx"
    rels = (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}package" '
        f'Target="../embeddings/{book}"/></Relationships>'
    )
    return [
        deflate(f"{prefix}charts/chart{number}.xml", chart_part(chart, workbook_rid="rId1")),
        deflate(f"{prefix}charts/_rels/chart{number}.xml.rels", _XML_DECL + rels.encode()),
        deflate(f"{prefix}embeddings/{book}", chart_workbook(chart)),
    ]


def insert_charts(document: bytes, charts: Mapping[str, Any]) -> bytes:
    """``document`` with each chart of ``charts`` (a context's ``charts``) drawn where the
    main part prints its placeholder; the same bytes when no placeholder is printed. A chart
    without categories leaves nothing where its placeholder was.

    Raises:
        TemplateError: a chart is not shaped as documented, or the document is not a .docx.
    """
    found = [Chart.from_context(str(key), data) for key, data in charts.items()]
    entries = read_entries(document, "document")
    by_name = {e.name: e for e in entries}
    main = _main_part(by_name) if "_rels/.rels" in by_name else "word/document.xml"
    folder, _, file = main.rpartition("/")
    prefix = f"{folder}/" if folder else ""
    rels_name = f"{prefix}_rels/{file}.rels"
    if main not in by_name or rels_name not in by_name:
        raise TemplateError(
            f"Văn bản thiếu phần {main} hoặc {rels_name}",
            f"the document lacks its part {main} or {rels_name}",
        )
    root = etree.fromstring(_inflate(by_name[main]), _PARSER)
    rels = etree.fromstring(_inflate(by_name[rels_name]), _PARSER)
    types = etree.fromstring(_inflate(by_name["[Content_Types].xml"]), _PARSER)
    width = _text_width(root)
    picture_id = max(
        (int(d.get("id")) for d in root.iter(_q("wp:docPr")) if d.get("id", "").isdigit()),
        default=0,
    )
    taken_parts = set(by_name)
    taken_ids = {str(r.get("Id")) for r in rels}
    added: list[Entry] = []
    hits = 0
    while (hit := _next_placeholder(root, found)) is not None:
        t, chart = hit
        hits += 1
        if not chart.categories:
            _replace(t, chart.placeholder, None)
            continue
        number = _free(
            taken_parts,
            prefix + "charts/chart{}.xml",
            prefix + "embeddings/Microsoft_Excel_Worksheet{}.xlsx",
        )
        rid = f"rIdChart{_free(taken_ids, 'rIdChart{}')}"
        picture_id += 1
        _replace(t, chart.placeholder, _drawing_run(chart, rid, picture_id, width))
        added += _chart_entries(prefix, number, chart)
        relationship = etree.SubElement(rels, f"{{{_PKG_REL}}}Relationship", Id=rid)
        relationship.set("Type", _REL + "chart")
        relationship.set("Target", f"charts/chart{number}.xml")
        override = etree.SubElement(types, f"{{{_PKG_CT}}}Override")
        override.set("PartName", f"/{prefix}charts/chart{number}.xml")
        override.set("ContentType", _CHART_CT)
    if not hits:
        return document
    if added and not any(
        d.get("Extension", "").lower() == "xlsx" for d in types.iter(f"{{{_PKG_CT}}}Default")
    ):
        default = etree.Element(f"{{{_PKG_CT}}}Default", Extension="xlsx")
        default.set("ContentType", _XLSX_CT)
        types.insert(0, default)
    changed = {main: _xml(root), rels_name: _xml(rels), "[Content_Types].xml": _xml(types)}
    kept = [deflate(e.name, changed[e.name]) if e.name in changed else e for e in entries]
    return build_zip(kept + added)
