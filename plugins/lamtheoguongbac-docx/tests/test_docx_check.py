"""check_template: a user's template is checked before any handbook is exported."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from docx.document import Document as DocumentObject

from lamtheoguongbac_docx import DEFAULT_TEMPLATE, check_template, sample_context

TextTemplate = Callable[..., Path]


def test_the_default_template_is_clean() -> None:
    assert check_template(DEFAULT_TEMPLATE) == []


def test_a_clean_custom_template_with_loops_and_sets_is_clean(text_template: TextTemplate) -> None:
    template = text_template(
        "{{ member.full_name|upper }} – {{ member.full_name.upper() }}",
        "{%p for p in pledges %}",
        "{{ loop.index }}. {{ p.deed }} ({{ p.result.outcome }}) {{ p.bases[0] }}",
        "{%p endfor %}",
        "{% set ten = member.full_name %}{{ ten }} {{ organisation[0].name }}",
        "{% for k, v in handbook.items() %}{{ k }}={{ v }}{% endfor %}",
    )

    assert check_template(template) == []


def test_a_syntax_error_names_its_paragraph_in_both_languages(text_template: TextTemplate) -> None:
    problems = check_template(text_template("Mở đầu", "Họ tên: {% if member %}", "Cuối"))

    assert len(problems) == 1
    vi, en = problems[0].split(" / ", 1)
    assert vi.startswith("thân văn bản, đoạn «Họ tên: {% if member %}»: lỗi cú pháp: Unexpected")
    assert en.startswith("document body, paragraph «Họ tên: {% if member %}»: syntax error")


def test_unknown_names_and_keys_are_reported_with_a_hint(text_template: TextTemplate) -> None:
    problems = check_template(
        text_template(
            "Tên: {{ membr.full_name }}",
            "Chức vụ: {{ member.postion }}",
            "{%p for p in pledges %}",
            "Việc: {{ p.dead }} — {{ p.result.outcom }}",
            "{%p endfor %}",
            "Ngày: {{ collective.meeting_date.phrase }}",
        )
    )

    assert problems == [
        "thân văn bản, đoạn «Tên: {{ membr.full_name }}»: tên 'membr' không có trong dữ liệu "
        "mẫu (ý bạn là 'member'?) / document body, paragraph «Tên: {{ membr.full_name }}»: "
        "'membr' is not in the template context (did you mean 'member'?)",
        "thân văn bản, đoạn «Chức vụ: {{ member.postion }}»: 'member' không có khóa 'postion' "
        "(ý bạn là 'position'?) / document body, paragraph «Chức vụ: {{ member.postion }}»: "
        "'member' has no key 'postion' (did you mean 'position'?)",
        "thân văn bản, đoạn «Việc: {{ p.dead }} — {{ p.result.outcom }}»: 'p' không có khóa "
        "'dead' (ý bạn là 'deed'?) / document body, paragraph «Việc: {{ p.dead }} — "
        "{{ p.result.outcom }}»: 'p' has no key 'dead' (did you mean 'deed'?)",
        "thân văn bản, đoạn «Việc: {{ p.dead }} — {{ p.result.outcom }}»: 'p.result' không có "
        "khóa 'outcom' (ý bạn là 'outcome'?) / document body, paragraph «Việc: {{ p.dead }} — "
        "{{ p.result.outcom }}»: 'p.result' has no key 'outcom' (did you mean 'outcome'?)",
        "thân văn bản, đoạn «Ngày: {{ collective.meeting_date.phrase }}»: "
        "'collective.meeting_date' không có khóa 'phrase' / document body, paragraph «Ngày: "
        "{{ collective.meeting_date.phrase }}»: 'collective.meeting_date' has no key 'phrase'",
    ]


def test_headers_and_footers_are_checked_too(
    make_template: Callable[[Callable[[DocumentObject], None]], Path],
) -> None:
    def fill(document: DocumentObject) -> None:
        document.sections[0].header.paragraphs[0].text = "{{ cel.name }}"
        document.sections[0].footer.paragraphs[0].text = "{% if %}"
        document.add_paragraph("{{ cell.name }}")

    problems = check_template(make_template(fill))

    assert len(problems) == 2
    assert problems[0].startswith("đầu trang (header1.xml), đoạn «{{ cel.name }}»: tên 'cel'")
    assert " / header (header1.xml), paragraph «{{ cel.name }}»" in problems[0]
    assert problems[1].startswith("chân trang (footer1.xml), đoạn «{% if %}»: lỗi cú pháp")


def test_unsafe_operations_are_found_by_a_trial_render(text_template: TextTemplate) -> None:
    problems = check_template(text_template("{{ pledges.append(member) }}"))

    assert len(problems) == 1
    assert "thao tác không được phép" in problems[0]
    assert "unsafe operation" in problems[0]


def test_a_file_that_is_not_a_docx_is_one_problem(tmp_path: Path) -> None:
    (tmp_path / "mau.docx").write_bytes(b"not a zip")

    problems = check_template(tmp_path / "mau.docx")

    assert len(problems) == 1
    assert "không phải tệp .docx hợp lệ" in problems[0]
    assert "not a valid .docx file" in problems[0]


def test_the_sample_context_has_the_documented_shape() -> None:
    sample = sample_context()

    assert sample["pledges"][0]["result"]["outcome"] == "…"
    assert sample["handbook"]["year"] == 1
    assert sample["member"]["duties"] == ["…"]
