"""The fast path says exactly what plain docxtpl says, and falls back where it cannot."""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx.document import Document as DocumentObject
from docx.shared import Mm
from docx_helpers import all_text, document_text, tiny_png
from docxtpl import DocxTemplate, InlineImage, RichText  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2.sandbox import ImmutableSandboxedEnvironment

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx import DEFAULT_TEMPLATE, DocxRenderer, FallbackWarning, make_environment

TemplateBuilder = Callable[[Callable[[DocumentObject], None]], Path]


def _plain_docxtpl(template: Path, context: dict[str, Any]) -> bytes:
    """What users do today: a new DocxTemplate per document (sandboxed and escaped)."""
    tpl = DocxTemplate(str(template))
    tpl.render(copy.deepcopy(context), jinja_env=make_environment(), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _tricky(context: dict[str, Any]) -> dict[str, Any]:
    tricky = copy.deepcopy(context)
    tricky["pledges"][0]["deed"] = "Ngoại ngữ & tin học <nâng cao> \"A\" 'B'"
    tricky["self_assessment"]["text"] = "Dòng một\nDòng hai\tcó tab"
    return tricky


def _fill_custom(document: DocumentObject) -> None:
    """Headers, footers, a row loop, a column loop, run and paragraph tags, a picture."""
    section = document.sections[0]
    section.header.paragraphs[0].text = "{{ cell.name_upper }} — {{ handbook.id }}"
    section.footer.paragraphs[0].text = "{{ member.full_name }} · {{ today.date }}"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Trang đầu {{ handbook.year }}"
    document.add_paragraph("Kính gửi: {{ superior.name }}")
    document.add_paragraph("{%p if theme.title %}")
    document.add_paragraph("Chuyên đề: {{ theme.title }}")
    document.add_paragraph("{%p endif %}")
    p = document.add_paragraph("Xếp loại: ")
    p.add_run("{%r if collective.rating %}")
    p.add_run("{{ collective.rating }}").bold = True
    p.add_run("{%r endif %}")
    rows = document.add_table(rows=4, cols=3)
    rows.style = document.styles["Table Grid"]
    rows.rows[0].cells[0].text, rows.rows[0].cells[1].text = "STT", "Việc"
    rows.rows[1].cells[0].text = "{%tr for p in pledges %}"
    rows.rows[2].cells[0].text = "{{ p.number }}"
    rows.rows[2].cells[1].text = "{{ p.deed }}"
    rows.rows[2].cells[2].text = "{{ p.bases|join('; ') }}"
    rows.rows[3].cells[0].text = "{%tr endfor %}"
    columns = document.add_table(rows=1, cols=3)
    columns.rows[0].cells[0].text = "{%tc for n in range(4) %}"
    columns.rows[0].cells[1].text = "{{ n }}"
    columns.rows[0].cells[2].text = "{%tc endfor %}"
    document.add_picture(io.BytesIO(tiny_png()), width=Mm(10))
    document.add_paragraph("{{ self_assessment.text }}")
    document.add_paragraph("Dữ liệu: {{ member.full_name }} {%- if member.position %}, "
                           "{{ member.position }}{% endif %}")  # fmt: skip
    document.add_picture(io.BytesIO(tiny_png()), width=Mm(5))


def test_default_template_matches_plain_docxtpl(
    context: dict[str, Any], draft_context: dict[str, Any]
) -> None:
    renderer = DocxRenderer()
    assert not renderer.uses_fallback
    for data in (_tricky(context), draft_context):
        assert document_text(renderer.render(data)) == document_text(
            _plain_docxtpl(DEFAULT_TEMPLATE, data)
        )


def test_custom_template_with_headers_footers_tables_matches_plain_docxtpl(
    make_template: TemplateBuilder, context: dict[str, Any], draft_context: dict[str, Any]
) -> None:
    template = make_template(_fill_custom)
    renderer = DocxRenderer(template)
    assert not renderer.uses_fallback

    for data in (_tricky(context), draft_context):
        fast, plain = (
            document_text(renderer.render(data)),
            document_text(_plain_docxtpl(template, data)),
        )
        assert fast == plain
    header = "CHI BỘ ẤP TÂN LỢI (CHIBO-01) — " + draft_context["handbook"]["id"]
    assert fast["headers"] == [[header], ["Trang đầu 2025"]]
    assert fast["pictures"] == ["1001", "1002"]
    assert fast["tables"][1] == [["0", "1", "2", "3"]]  # the column loop outgrew the grid


def test_a_rich_text_tag_falls_back_to_docxtpl_with_a_warning(
    text_template: Callable[..., Path], context: dict[str, Any]
) -> None:
    template = text_template("Họ tên: {{r name }}", "Năm {{ handbook.year }}")

    with pytest.warns(FallbackWarning, match=r"\{\{r …\}\}"):
        renderer = DocxRenderer(template)

    assert renderer.uses_fallback
    assert renderer.fallback_reason is not None
    data = {**context, "name": RichText("Nguyễn & Văn", bold=True)}
    assert "Họ tên: Nguyễn & Văn\nNăm 2025" in all_text(renderer.render(data))


def test_an_image_in_the_context_falls_back_and_is_inserted(
    text_template: Callable[..., Path], context: dict[str, Any]
) -> None:
    renderer = DocxRenderer(text_template("Ảnh: {{ photo }}", "{{ member.full_name }}"))
    assert not renderer.uses_fallback
    data = {**context, "photo": InlineImage(None, io.BytesIO(tiny_png()), width=Mm(20))}

    with pytest.warns(FallbackWarning, match="InlineImage"):
        rendered = renderer.render(data)

    assert renderer.uses_fallback
    with zipfile.ZipFile(io.BytesIO(rendered)) as archive:
        assert any(n.startswith("word/media/") for n in archive.namelist())
    assert context["member"]["full_name"] in all_text(rendered)


def test_tags_in_the_document_properties_fall_back(
    make_template: TemplateBuilder, context: dict[str, Any]
) -> None:
    def fill(document: DocumentObject) -> None:
        document.core_properties.title = "Sổ tay {{ member.full_name }}"
        document.add_paragraph("{{ member.full_name }}")

    with pytest.warns(FallbackWarning, match=r"docProps/core\.xml"):
        renderer = DocxRenderer(make_template(fill))

    rendered = renderer.render(context)
    from docx import Document

    title = Document(io.BytesIO(rendered)).core_properties.title
    assert title == "Sổ tay " + context["member"]["full_name"]


def test_a_subdoc_in_the_context_is_refused(
    text_template: Callable[..., Path], context: dict[str, Any]
) -> None:
    template = text_template("{{ member.full_name }}")
    subdoc = DocxTemplate(str(template)).new_subdoc()

    with pytest.raises(TemplateError, match="Subdoc"):
        DocxRenderer(template).render({**context, "extra": [subdoc]})


class _Html:
    """An object that renders itself as markup (as ``Markup`` and docxtpl's objects do)."""

    def __html__(self) -> str:
        return "<w:br/>"


class _Text(str):
    """A ``str`` subclass: escaped through its own ``__str__``, as markupsafe does."""


@settings(max_examples=300)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none()))
def test_printed_values_are_escaped_as_markupsafe_escapes_them(value: object) -> None:
    from markupsafe import Markup, escape

    from lamtheoguongbac_docx._engine import escape_value

    for item in (value, _Text(str(value)), Markup(str(value)), _Html()):
        mine = escape_value(item)
        assert type(mine) is Markup
        assert mine == escape(item)
    # And in a template: the library's sandbox prints what Jinja's own sandbox prints.
    stock = ImmutableSandboxedEnvironment(autoescape=True)
    source = "{{ a }}|{{ b }}|{% for x in c %}{{ x }};{% endfor %}{{ d ~ a }}"
    data = {"a": value, "b": _Html(), "c": [value, _Text("<&>"), Markup("<b/>")], "d": "&"}
    assert make_environment().from_string(source).render(data) == stock.from_string(source).render(
        data
    )
