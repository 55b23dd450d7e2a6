"""A template proved well-formed once (lamtheoguongbac_docx._proof) skips the per-document
parse — and gives exactly what the per-document parse gives: the same bytes for every
document that is well-formed, the same error for every one that is not."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx import DEFAULT_TEMPLATE, _engine
from lamtheoguongbac_docx._documents import REPORT_TEMPLATE, YEARBOOK_TEMPLATE
from lamtheoguongbac_docx._engine import CompiledDocx, make_environment
from lamtheoguongbac_docx._proof import nfc_values, plain_text, prove, starts_segment

PREFIX = '<?xml version="1.0"?>\n<w:document xmlns:w="urn:w"><w:body>'
SUFFIX = "</w:body></w:document>"


def _proved(source: str, prefix: str = PREFIX, suffix: str = SUFFIX) -> bool:
    return prove(make_environment(), source, prefix, suffix)


@pytest.mark.parametrize("template", [DEFAULT_TEMPLATE, YEARBOOK_TEMPLATE, REPORT_TEMPLATE])
def test_the_shipped_templates_are_proved(template: Path) -> None:
    compiled = CompiledDocx(template.read_bytes(), name=template.name, env=make_environment())
    assert [p.statics is not None for p in compiled._parts] == [True] * len(compiled._parts)


@pytest.mark.parametrize(
    "source",
    [
        "<w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p>",
        '<w:p w:val="{{ a }}"><w:r><w:t xml:space="preserve">x {{ a }} y</w:t></w:r></w:p>',
        "{% for v in items %}<w:p><w:t>{{ v }}</w:t></w:p>{% else %}<w:p/>{% endfor %}",
        "{% if a %}<w:p>{{ a }}</w:p>{% elif b %}<w:p/>{% else %}text{% endif %}",
        "{% set x = a %}{% with y = b %}<w:p>{{ x }}{{ y }}</w:p>{% endwith %}",
        "<w:p>a &gt; b, ]] {{ a }} ]]</w:p>",
        "<w:p>{% for v in items %}{% if v %}<w:r>{{ v }}</w:r>{% endif %}{% endfor %}</w:p>",
    ],
)
def test_templates_the_proof_follows(source: str) -> None:
    assert _proved(source)


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("{% macro m() %}<w:p>{% endmacro %}{{ m() }}", "a macro"),
        ("{% filter upper %}<w:p/>{% endfilter %}", "a filter block"),
        ("{% set x %}<w:p>{% endset %}{{ x }}", "a set block"),
        ("{% autoescape false %}{{ a }}{% endautoescape %}", "autoescaping switched off"),
        ("{% for v in items recursive %}{{ loop(v) }}{% endfor %}", "a recursive loop"),
        ('<w:p>{{ "<w:p>"|safe }}</w:p>', "a value folded into static text"),
        ("<w:p>{{ 1 }}</w:p>", "a constant"),
        ("<w:p><w:r>{% if a %}</w:r><w:r>{% endif %}</w:r></w:p>", "a branch closing a tag"),
        ("<w:p>{% if a %}<w:r>{% endif %}</w:r></w:p>", "an unbalanced branch"),
        ('<w:p {% if a %}w:a="1"{% endif %}/>', "a branch inside a tag"),
        ('<w:p w:a="{% if a %}1{% endif %}"/>', "a branch inside an attribute"),
        ("<w:{{ a }}/>", "a value in a name"),
        ("<w:p {{ a }}/>", "a value among the attributes"),
        ("<w:p><![CDATA[{{ a }}]]></w:p>", "a value in CDATA"),
        ("<w:p><!-- {{ a }} --></w:p>", "a value in a comment"),
        ("<w:p><?pi {{ a }}?></w:p>", "a value in a processing instruction"),
        ("<w:p>a > b {{ a }}</w:p>", "a raw > in text"),
        ("<w:p>\ue001</w:p>", "a marker character in the template"),
        ("<w:p>&amp{{ a }};</w:p>", "a value inside a reference"),
        ("<w:p>", "malformed"),
    ],
)
def test_templates_the_proof_does_not_follow(source: str, why: str) -> None:
    assert not _proved(source), why


def test_a_branch_around_the_root_is_not_proved() -> None:
    assert not _proved("{% if a %}<w:ftr><w:p/></w:ftr>{% endif %}", '<?xml version="1.0"?>', "")
    assert _proved("<w:ftr>{% if a %}<w:p/>{% endif %}</w:ftr>", '<?xml version="1.0"?>', "")


def test_a_doctype_is_not_proved() -> None:
    assert not _proved(
        "<w:p/>", '<!DOCTYPE w:document []><w:document xmlns:w="urn:w">', "</w:document>"
    )


@pytest.mark.parametrize(
    ("values", "plain"),
    [
        (["Nguyễn Văn An", "&amp; &lt; &gt; &#34; &#39;", ""], True),
        (["a < b"], False),
        (["a > b"], False),
        (['"'], False),
        (["'"], False),
        (["&"], False),
        (["&", "amp;"], False),  # joining must not complete an entity
        (["&nbsp;"], False),
        (["\x01"], False),
        (["\ufffe"], False),
    ],
)
def test_plain_text(values: list[str], plain: bool) -> None:
    assert plain_text(values) is plain


# --- the proof changes nothing: differential checks against the per-document parse ----------

BODIES = [
    "<w:p><w:r><w:t>{{ a }}</w:t></w:r></w:p>",
    '<w:p><w:pPr><w:pStyle w:val="{{ a }}"/></w:pPr><w:r><w:t>x</w:t></w:r></w:p>',
    "{% for v in items %}<w:p><w:r><w:t>{{ v }}</w:t></w:r></w:p>{% endfor %}",
    "<w:p><w:r><w:t>{{ a|safe }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>]]{{ a }}]]&gt;{{ b }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{{ a }}{% if b %}x{% endif %}{{ b|safe }}</w:t></w:r></w:p>",
    '<w:p><w:r><w:t xml:space="preserve">&gt;{{ a }}{{ b }}</w:t></w:r></w:p>',
]

VALUES = st.lists(
    st.sampled_from(
        ["a", "ễ", " ", "<", ">", "&", '"', "'", "]", ";", "#", "\u0301", "\u0338", "\x01",
         "\n", "\t", "amp;", "&lt;", "&#39;", "<w:r>", "</w:t>", "\ufffe", "{_{", "😀"]
    ),
    max_size=6,
).map("".join)  # fmt: skip


def _with_body(text_template: Callable[..., Path], body: str) -> bytes:
    path = text_template("x")
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body>" + body.encode(), 1)
            dst.writestr(info.filename, data)
    return out.getvalue()


def _outcome(compiled: CompiledDocx, context: dict[str, Any]) -> bytes | str:
    try:
        return compiled.render(context)
    except TemplateError as exc:
        return str(exc)


@pytest.fixture(scope="module")
def pairs(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[CompiledDocx, CompiledDocx]]:
    """Each body compiled twice: as the exporter does, and with the proof taken away."""
    from docx import Document

    folder = tmp_path_factory.mktemp("proof")

    def text_template(line: str) -> Path:
        document = Document()
        document.add_paragraph(line)
        path = folder / "mau.docx"
        document.save(str(path))
        return path

    made = []
    for body in BODIES:
        data = _with_body(text_template, body)
        proved = CompiledDocx(data, name="mau.docx", env=make_environment())
        assert proved._parts[0].statics is not None, body
        parsed = CompiledDocx(data, name="mau.docx", env=make_environment())
        parsed._parts = [attrs.evolve(p, statics=None) for p in parsed._parts]
        made.append((proved, parsed))
    return made


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(a=VALUES, b=VALUES, items=st.lists(VALUES, max_size=3))
def test_the_proof_gives_what_the_parse_gives(
    pairs: list[tuple[CompiledDocx, CompiledDocx]], a: str, b: str, items: list[str]
) -> None:
    context = {"a": a, "b": b, "items": items}
    for proved, parsed in pairs:
        assert _outcome(proved, context) == _outcome(parsed, context)


def test_a_document_the_proof_does_not_cover_is_parsed(
    pairs: list[tuple[CompiledDocx, CompiledDocx]], monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = _engine.well_formed
    monkeypatch.setattr(
        _engine,
        "well_formed",
        lambda content, part, name: parsed.append(part) or real(content, part, name),
    )
    proved, _ = pairs[0]
    proved.render({"a": "Nguyễn Văn An", "b": "", "items": []})
    assert parsed == []  # proved: no parse
    with pytest.raises(TemplateError, match="well-formed"):
        proved.render({"a": "a\u0338"[1:], "b": "", "items": []})  # NFC joins it to the ">"
    proved.render({"a": "dòng 1\ndòng 2", "b": "", "items": []})  # docxtpl rewrites line breaks
    assert parsed == ["word/document.xml", "word/document.xml"]


# --- NFC without normalising: the stable ranges hold for this Python's Unicode database -----


def test_the_stable_ranges_hold_only_characters_with_a_boundary_before_them() -> None:
    stable = [chr(c) for c in range(0x110000) if starts_segment(chr(c)) and chr(c) != ""]
    assert all(unicodedata.combining(c) == 0 for c in stable)
    seconds = set()
    for code in range(0x110000):
        parts = unicodedata.decomposition(chr(code)).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            seconds.add(chr(int(parts[1], 16)))
    assert not seconds & set(stable)
    assert {"a", "Đ", "ễ", "Ư", "”", "…", "<", "\n"} <= set(stable)
    assert not starts_segment("\u0301a")  # a combining mark
    assert not starts_segment("\u1161")  # a Hangul vowel, composed with what precedes it


@pytest.mark.parametrize(
    ("values", "nfc"),
    [
        (["Nguyễn Văn An", "", "Đảng ủy", "“trích dẫn”"], True),
        (["e\u0301"], False),  # not NFC
        (["\u0301"], False),  # combines with what comes before it
        (["a", "\u0338"], False),
        (["10.000 ₫"], True),
        (["\u2126"], False),  # OHM SIGN: NFC is Ω
        (["中文"], False),  # outside the stable ranges: normalised in full (still right)
    ],
)
def test_nfc_values(values: list[str], nfc: bool) -> None:
    assert nfc_values(values) is nfc
