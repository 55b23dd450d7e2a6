"""Hostile input: no template can hang, flood or crash a run (issue 15, class 4).

Every payload is a ``TemplateError`` naming the paragraph, on the fast path, the docxtpl
fallback and every document kind; the command line exits 2; ``template check`` never raises.
"""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree

from hostile import cli_runner, open_cell, reported_handbook
from lamtheoguongbac import TemplateError, ValidationFailed
from lamtheoguongbac.export import build_context
from lamtheoguongbac.plugin import ExportOptions, create_registry
from strategies import YEAR

PAYLOADS = {
    "huge range": "{% for i in range(10**9) %}x{% endfor %}",
    "include": "{% include 'khac.docx' %}",
    "import": "{% import 'macro' as m %}",
    "extends": "{% extends 'goc' %}",
    "nested loops": "{% for i in range(100000) %}{% for j in range(100000) %}"
    "{% endfor %}{% endfor %}",
    "nested loops over a list": "{% set r = range(100000)|list %}"
    "{% for i in r %}{% for j in r %}{% endfor %}{% endfor %}",
    "repetition": "{{ 'a' * 10**9 }}",
    "filter width": "{{ 'a'|center(10**9) }}",
    "format width": "{{ '%0999999999d' % 1 }}",
    "str.format width": "{{ '{:>999999999}'.format(1) }}",
    "recursion": "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
    "division by zero": "{{ 1 / 0 }}",
    "a NUL into the XML": "{{ '\\x00' }}",
    "output flood": "{% for i in range(100000) %}{{ 'a' * 100000 }}{% endfor %}",
    # Built, not printed: each is refused before it is made, not when it reaches the output.
    "doubling with ~": "{% set ns = namespace(s='a') %}{% for i in range(26) %}"
    "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "doubling with join": "{% set ns = namespace(s='a') %}{% for i in range(26) %}"
    "{% set ns.s = [ns.s, ns.s]|join %}{% endfor %}{{ ns.s|length }}",
    "replace growth": "{{ ('a' * 3000)|replace('', 'b' * 3000)|length }}",
    "indent growth": "{{ ('a\\n' * 3000)|indent(3000)|length }}",
    "wordwrap growth": "{{ ('a ' * 3000)|wordwrap(1, wrapstring='x' * 3000)|length }}",
}
#: Tight limits, so the endless loops end fast.
SETTINGS = {"time_limit": 0.5, "max_output": 5_000_000}


def _template(tmp_path: Path, payload: str, *, fallback: bool = False) -> Path:
    doc = Document()
    doc.add_paragraph("Họ và tên: {{ member.full_name }}")
    doc.add_paragraph(payload)
    if fallback:  # a docxtpl-only tag sends the template down the plain docxtpl path
        doc.add_paragraph("{{r member.full_name }}")
    path = tmp_path / "mau.docx"
    doc.save(path)
    return path


@pytest.fixture(scope="module")
def context() -> dict[str, object]:
    service = open_cell()
    return build_context(service.get(reported_handbook(service)))


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("fallback", [False, True], ids=["fast path", "docxtpl"])
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_payload_is_a_template_error_naming_the_paragraph(
    name: str, fallback: bool, tmp_path: Path, context: dict[str, object]
) -> None:
    path = _template(tmp_path, PAYLOADS[name], fallback=fallback)
    exporter = create_registry().exporter("docx")
    if fallback and name == "a NUL into the XML":
        # docxtpl re-parses what it rendered and drops the character: still well-formed.
        renderer = exporter.create_renderer(ExportOptions(template=path, settings=SETTINGS))
        data = renderer.render(context)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            etree.fromstring(archive.read("word/document.xml"))
        return
    started = time.monotonic()

    def make_and_render() -> bytes:
        renderer = exporter.create_renderer(ExportOptions(template=path, settings=SETTINGS))
        return renderer.render(context)

    with pytest.raises(TemplateError) as refused:
        make_and_render()
    assert time.monotonic() - started < 30  # bounded: the 0.5 s limit, plus the retelling
    text = str(refused.value)
    if not fallback and name != "a NUL into the XML":
        assert "đoạn «" in text, text
        assert "paragraph «" in text, text


@pytest.mark.parametrize("kind", ["docx-yearbook", "docx-report"])
def test_every_document_kind_is_bounded(kind: str, tmp_path: Path) -> None:
    path = _template(tmp_path, PAYLOADS["nested loops"])
    exporter = create_registry().exporter(kind)
    renderer = exporter.create_renderer(ExportOptions(template=path, settings=SETTINGS))
    with pytest.raises(TemplateError, match=r"0\.5"):
        renderer.render({"member": {"full_name": "Nguyễn Văn An"}, "charts": {}})


def test_limits_are_settings_checked_when_the_renderer_is_made(tmp_path: Path) -> None:
    # Even a caller that skips Exporter.configure gets the same checks.
    exporter = create_registry().exporter("docx")
    for bad in ({"time_limit": -1}, {"time_limit": "dài"}, {"max_output": 0}):
        with pytest.raises(ValidationFailed, match="settings"):
            exporter.create_renderer(ExportOptions(settings=bad))


@pytest.mark.parametrize("name", ["huge range", "include", "recursion", "repetition"])
def test_template_check_never_raises(name: str, tmp_path: Path) -> None:
    check = create_registry().exporter("docx").check_template
    assert check is not None
    problems = check(_template(tmp_path, PAYLOADS[name]))
    assert len(problems) == 1
    assert " / " in problems[0]


def test_template_check_of_an_endless_loop_answers_within_its_limit(tmp_path: Path) -> None:
    check = create_registry().exporter("docx").check_template
    assert check is not None
    started = time.monotonic()
    problems = check(_template(tmp_path, PAYLOADS["nested loops"]))
    assert problems
    assert "quá 5 giây" in problems[0]
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("name", ["huge range", "include", "division by zero"])
def test_the_cli_exits_2_on_a_hostile_template(name: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    reported_handbook(service)
    service.close()
    run = cli_runner(url)
    path = _template(tmp_path, PAYLOADS[name])
    result = run("export", "--out", str(tmp_path / "ra"), "--year", str(YEAR), "--template",
                 str(path))  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Lỗi:" in result.output
    checked = run("template", "check", str(path))
    assert checked.exit_code == 1
