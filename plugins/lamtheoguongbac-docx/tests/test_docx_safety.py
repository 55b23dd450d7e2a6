"""Templates are data from users: they render sandboxed, escaped and strict."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx_helpers import all_text

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx import DocxRenderer

TextTemplate = Callable[..., Path]


@pytest.mark.parametrize(
    "line",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ member.__class__.__subclasses__() }}",
        "{{ pledges.append(1) }}",
        "{% set _ = member.update({'full_name': 'X'}) %}",
        "{{ member.pop('full_name') }}",
        "{{ cycler.__init__.__globals__ }}",
        "{{ self._TemplateReference__context }}",
    ],
)
def test_a_malicious_template_cannot_reach_code_or_change_data(
    text_template: TextTemplate, context: dict[str, Any], line: str
) -> None:
    renderer = DocxRenderer(text_template("Trước", line, "Sau"))
    before = copy.deepcopy(context)

    with pytest.raises(TemplateError) as caught:
        renderer.render(context)

    error = caught.value
    assert error.message_vi.startswith("Mẫu văn bản (word/document.xml): ")
    assert error.message_en.startswith("document template (word/document.xml): ")
    assert str(error) == f"{error.message_vi} / {error.message_en}"
    assert context == before


def test_the_sandbox_error_says_what_was_unsafe(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    with pytest.raises(TemplateError) as caught:
        DocxRenderer(text_template("{{ pledges.append(1) }}")).render(context)

    assert "thao tác không được phép" in caught.value.message_vi
    assert "unsafe operation" in caught.value.message_en
    assert "«{{ pledges.append(1) }}»" in caught.value.message_en


def test_data_is_escaped_and_kept_whole(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    data = copy.deepcopy(context)
    data["member"]["full_name"] = "Ngoại ngữ & tin học </w:t></w:r><w:r><w:t>chèn"
    renderer = DocxRenderer(text_template("Tên: {{ member.full_name }}|"))

    assert "Tên: Ngoại ngữ & tin học </w:t></w:r><w:r><w:t>chèn|" in all_text(renderer.render(data))


def test_an_unknown_name_is_an_error_not_a_blank(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    renderer = DocxRenderer(text_template("Xin chào", "Họ tên: {{ membr.full_name }}"))

    with pytest.raises(TemplateError) as caught:
        renderer.render(context)

    assert "'membr' is undefined" in caught.value.message_en
    assert "đoạn «Họ tên: {{ membr.full_name }}»" in caught.value.message_vi


def test_a_syntax_error_is_found_when_the_renderer_is_made(text_template: TextTemplate) -> None:
    with pytest.raises(TemplateError) as caught:
        DocxRenderer(text_template("Đầu", "{% if member.full_name %}không đóng", "Cuối"))

    assert "mẫu sai cú pháp" in caught.value.message_vi
    assert "template syntax error" in caught.value.message_en


def test_a_lone_surrogate_the_template_prints_is_a_template_error_naming_the_paragraph(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    """It failed encoding the part: a plugin failure whose message held the whole part."""
    renderer = DocxRenderer(text_template("Đầu", "Tên: {{ member.full_name ~ '\\udc80' }}"))
    with pytest.raises(TemplateError) as caught:
        renderer.render(context)
    error = caught.value
    name = context["member"]["full_name"]
    assert error.message_vi.startswith("Mẫu văn bản (word/document.xml): điền ra ký tự U+DC80")
    assert f"which no file can hold (a lone surrogate) — paragraph «Tên: {name}»" in str(error)
    assert "<w:" not in str(error)


def test_the_output_limit_names_the_paragraph_it_was_passed_in(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    """The paragraph was named as «>», the rest of its own opening tag."""
    from lamtheoguongbac_docx._engine import RenderLimits

    renderer = DocxRenderer(
        text_template("Đầu", "Tên: {{ member.full_name }} {{ range(20_000)|list }}"),
        limits=RenderLimits(max_output=50_000),
    )
    with pytest.raises(TemplateError) as caught:
        renderer.render(context)
    assert f"— paragraph «Tên: {context['member']['full_name']}»" in caught.value.message_en


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_docxtpl_path_stops_at_the_output_limit_before_building_the_rest(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    """docxtpl joined a part's whole output before its size was measured: a loop printing a
    large string built it all (gigabytes for a larger one), refused only afterwards."""
    import tracemalloc

    from lamtheoguongbac_docx._engine import RenderLimits

    renderer = DocxRenderer(
        text_template(
            "{{r member.full_name }}",  # a docxtpl-only tag: the template takes plain docxtpl
            "{% for i in range(40) %}{{ 'a' * 1_000_000 }}{% endfor %}",
        ),
        limits=RenderLimits(max_output=3_000_000),
    )
    assert renderer.uses_fallback
    tracemalloc.start()
    try:
        with pytest.raises(TemplateError, match="would exceed 3,000,000 characters"):
            renderer.render(context)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 25_000_000  # the 40 MB of output were never built
