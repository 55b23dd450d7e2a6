"""Compile a .docx template once, render it many times (biên dịch mẫu văn bản Word).

Plain docxtpl repeats all of its per-template work for every document: unzip, parse, patch
the XML with its regular expressions, compile Jinja, re-compress every part. Here that work
runs once per template and process (:class:`CompiledDocx`), **reusing docxtpl's own
functions** for the XML patching (``{%p``, ``{%tr``, ``{%tc``, ``{%r`` tags, split runs,
``{%-`` merging, listings, table fixing) so templates behave exactly as under docxtpl. Per
document only the templated parts (body, headers, footers, footnotes) are rendered and
deflated; every other entry's compressed bytes are copied as they are (:mod:`._zip`).

What the fast path does not handle falls back to plain docxtpl (still sandboxed and
escaped), with a :class:`FallbackWarning` naming the reason:

* tags whose values are docxtpl objects: ``{{r …}}``, ``{{p …}}``, ``{{tr …}}``, ``{{tc …}}``;
* Jinja tags in the document properties (``docProps/core.xml``);
* a context holding docxtpl objects (``InlineImage``, ``RichText``, ``RichTextParagraph``).

Assumption of the fast path, kept from the template: a table row's cells are fixed unless
cell-level tags (``{%tc``, ``colspan``, ``{% hm %}``, ``{% vm %}``) are used; with those,
or with a table whose grid does not match its cells, docxtpl's ``fix_tables`` runs per
document as docxtpl does.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs
import jinja2
from docxtpl import (  # type: ignore[import-untyped]
    DocxTemplate,
    InlineImage,
    RichText,
    RichTextParagraph,
    Subdoc,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]

from lamtheoguongbac.errors import TemplateError
from lamtheoguongbac_docx._zip import Entry, build_zip, deflate, read_entries

__all__ = [
    "CompiledDocx",
    "FallbackWarning",
    "Loaded",
    "by_paragraph",
    "context_fallback",
    "has_tags",
    "load",
    "make_environment",
    "paragraph_at",
    "prepare",
    "read_template",
    "render_with_docxtpl",
    "template_error",
    "warn_fallback",
]

_XML_DECL = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_OFFICE_DOCUMENT = _REL + "officeDocument"
_HEADER_FOOTER = (_REL + "header", _REL + "footer")
_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# The same settings python-docx parses parts with (docx.oxml.parser), so the XML docxtpl
# patches here is the XML it patches when it renders.
_PARSER = etree.XMLParser(remove_blank_text=True, resolve_entities=False)

_TAGS = re.compile(r"<[^>]+>")
_PARAGRAPH = re.compile(r"<w:p([ >])")
# A tag where docxtpl removed a whole paragraph, row or cell ({%p, {%tr, {%tc).
_BLOCK_TAG = re.compile(r"(</w:(?:p|tc|tr|tbl)>|<w:tr>|<w:tc>)(\{%)")
# docxtpl tags whose value is an object (RichText, Subdoc, …) spliced in as XML.
_OBJECT_TAG = re.compile(r"\{\{(r|p|tr|tc) ")
# Cell-level tags change how many cells a row has, so the table grid must be fixed per render.
_CELL_TAG = re.compile(r"\{%-?\s*(?:tc\s|colspan\s|hm\s*-?%\}|vm\s*-?%\})|\{\{tc ")
_DOCPR_ID = re.compile(r'(<wp:docPr\b[^>]*?\sid=")[^"]*(")')
_LISTING_CHARS = ("\n", "\t", "\a", "\f")
_PLAIN = (str, int, float, type(None))
_BOUND_OBJECTS = (RichText, RichTextParagraph, InlineImage)


class FallbackWarning(UserWarning):
    """The fast path cannot render this template or context; plain docxtpl is used."""


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, looking up ``a.b`` on a plain dict as a key first.

    Jinja tries the attribute first, so every ``member.full_name`` on a context dict raised
    and caught an ``AttributeError`` — about a quarter of the render time. A dict's items are data
    the sandbox allows anyway (``a["b"]``); anything that is not a key (``d.items``) still
    goes through the sandbox's checks.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def make_environment() -> ImmutableSandboxedEnvironment:
    """The Jinja environment every template renders in: sandboxed (a template can neither run
    code nor change the data it is given), autoescaped (``&``, ``<``, ``>`` in data stay
    text and never break the XML) and strict (a misspelt name is an error, not a blank)."""
    return _Sandbox(autoescape=True, undefined=jinja2.StrictUndefined)


def paragraph_at(source: str, lineno: int | None) -> str:
    """The text of the paragraph on ``lineno`` (parts are compiled one paragraph a line)."""
    if lineno is None:
        return ""
    lines = source.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    text = " ".join(_TAGS.sub("", lines[lineno - 1]).split())
    return text if len(text) <= 120 else text[:117] + "…"


def _lineno(exc: Exception) -> int | None:
    """The template line an error was raised on: syntax errors carry it; for errors while
    rendering, Jinja rewrites the traceback so template frames show template lines."""
    lineno: int | None = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while lineno is None and tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return lineno


def template_error(exc: Exception, part: str, source: str) -> TemplateError:
    """A bilingual :class:`TemplateError` for a Jinja error raised in ``part``."""
    where = paragraph_at(source, _lineno(exc))
    at_vi = f" — đoạn «{where}»" if where else ""
    at_en = f" — paragraph «{where}»" if where else ""
    if isinstance(exc, SecurityError):
        vi, en = "mẫu thực hiện thao tác không được phép", "the template tried an unsafe operation"
    elif isinstance(exc, jinja2.UndefinedError):
        vi, en = "mẫu dùng tên không có trong dữ liệu", "the template uses a name not in the data"
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        vi, en = "mẫu sai cú pháp", "template syntax error"
    else:
        vi, en = "lỗi khi điền mẫu", "the template failed to render"
    return TemplateError(
        f"Mẫu văn bản ({part}): {vi}: {exc}{at_vi}",
        f"document template ({part}): {en}: {exc}{at_en}",
    )


@attrs.frozen
class _Part:
    """A templated part: its compiled Jinja template and the static text around it."""

    index: int
    name: str
    source: str
    template: jinja2.Template
    prefix: bytes
    suffix: bytes
    fix_tables: bool
    renumber_pictures: bool


@attrs.frozen
class _Source:
    """A part's XML as docxtpl would patch it, and the static text around it."""

    name: str
    xml: str
    prefix: str = ""
    suffix: str = ""


def _inflate(entry: Entry) -> bytes:
    return zlib.decompress(entry.data, -15) if entry.method else entry.data


def _body_source(name: str, data: bytes) -> tuple[_Source, etree._Element]:
    root = etree.fromstring(data, _PARSER)
    body = root.find(f"{{{_W}}}body")
    if body is None:
        raise TemplateError(
            f"Tệp mẫu không có thân văn bản ({name})", f"the template has no document body ({name})"
        )
    xml = etree.tostring(body, encoding="unicode")
    root.replace(body, etree.Element(body.tag))
    shell = etree.tostring(root, encoding="unicode")
    empty = f"<{body.prefix}:body/>" if body.prefix else "<body/>"
    prefix, _, suffix = shell.partition(empty)
    return _Source(name, xml, _XML_DECL + prefix, suffix), body


def _relationship_targets(
    entries: dict[str, Entry], rels_name: str, types: tuple[str, ...]
) -> list[str]:
    if rels_name not in entries:
        return []
    base = rels_name.split("_rels/")[0]
    root = etree.fromstring(_inflate(entries[rels_name]), _PARSER)
    found = []
    for rel in root.iter(f"{_REL_NS}Relationship"):
        if rel.get("Type") in types and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            found.append(target.lstrip("/") if target.startswith("/") else base + target)
    return found


def _content_types(entries: dict[str, Entry]) -> dict[str, str]:
    root = etree.fromstring(_inflate(entries["[Content_Types].xml"]), _PARSER)
    return {
        o.get("PartName", "").lstrip("/"): o.get("ContentType", "")
        for o in root.iter(f"{_CT_NS}Override")
    }


def has_tags(xml: str) -> bool:
    return any(t in xml for t in ("{{", "{%", "{#", "{_", "_}"))


@attrs.frozen
class Loaded:
    """A template's entries and the sources of its templated parts, body first."""

    entries: list[Entry]
    by_name: dict[str, Entry]
    sources: list[_Source]
    body: etree._Element


def load(data: bytes, name: str) -> Loaded:
    """Read a .docx template: its entries and the XML docxtpl would patch for each part.

    Raises:
        TemplateError: not a .docx file.
    """
    entries = read_entries(data, name)
    by_name = {e.name: e for e in entries}
    if "[Content_Types].xml" not in by_name:
        raise TemplateError(
            f"Tệp mẫu {name} không phải tệp .docx", f"template {name} is not a .docx file"
        )
    main = next(
        iter(_relationship_targets(by_name, "_rels/.rels", (_OFFICE_DOCUMENT,))),
        "word/document.xml",
    )
    if main not in by_name:
        raise TemplateError(
            f"Tệp mẫu {name} thiếu phần {main}", f"template {name} lacks its part {main}"
        )
    folder, _, file = main.rpartition("/")
    body, body_element = _body_source(main, _inflate(by_name[main]))
    sources = [body]
    for target in _relationship_targets(by_name, f"{folder}/_rels/{file}.rels", _HEADER_FOOTER):
        if target in by_name and by_name[target].size:
            root = etree.fromstring(_inflate(by_name[target]), _PARSER)
            sources.append(_Source(target, etree.tostring(root, encoding="unicode"), _XML_DECL))
    for part, content_type in _content_types(by_name).items():
        if content_type == _FOOTNOTES_CT and part in by_name:
            sources.append(_Source(part, _inflate(by_name[part]).decode("utf-8")))
    return Loaded(entries, by_name, sources, body_element)


def prepare(helper: DocxTemplate, xml: str) -> str:
    """The Jinja source of a part: the XML as docxtpl's ``patch_xml`` rewrites it."""
    return str(helper.patch_xml(xml))


def by_paragraph(source: str) -> str:
    """``source`` with one paragraph a line, as docxtpl's ``render_xml_part`` compiles it,
    and each ``{%p``/``{%tr``/``{%tc`` tag on a line of its own, so an error's line number
    points at one paragraph or tag.

    The fast path compiles ``source`` without these newlines: docxtpl removes those before
    paragraphs again after rendering, so the output is the same, and two passes over every
    document are saved. The numbered source is compiled only to explain an error.
    """
    return _BLOCK_TAG.sub("\\1\n\\2", _PARAGRAPH.sub(r"\n<w:p\1", source))


class CompiledDocx:
    """A .docx template compiled for the fast path; :meth:`render` makes one document.

    ``fallback_reason`` is set (and the template must be rendered with
    :func:`render_with_docxtpl`) when the template uses what the fast path does not handle.
    """

    def __init__(self, data: bytes, *, name: str, env: jinja2.Environment) -> None:
        self.name = name
        self._env = env
        self._helper = DocxTemplate(io.BytesIO(data))
        loaded = load(data, name)
        self._entries = loaded.entries
        self.fallback_reason = self._static_fallback(loaded.sources, loaded.by_name)
        static_grid_ok = self._grid_matches(loaded.body)
        index = {e.name: i for i, e in enumerate(loaded.entries)}
        self._parts = [
            self._compile(s, index[s.name], env, static_grid_ok)
            for s in loaded.sources
            if has_tags(s.xml)
        ]

    @staticmethod
    def _static_fallback(sources: list[_Source], by_name: dict[str, Entry]) -> str | None:
        for s in sources:
            match = _OBJECT_TAG.search(_TAGS.sub("", s.xml))
            if match:
                return (
                    f"thẻ '{{{{{match.group(1)} …}}}}' trong {s.name} cần đối tượng docxtpl / "
                    f"the '{{{{{match.group(1)} …}}}}' tag in {s.name} needs docxtpl objects"
                )
        core = by_name.get("docProps/core.xml")
        if core is not None and has_tags(_inflate(core).decode("utf-8", "replace")):
            return (
                "thuộc tính văn bản (docProps/core.xml) chứa thẻ Jinja / "
                "the document properties (docProps/core.xml) hold Jinja tags"
            )
        return None

    def _grid_matches(self, body: etree._Element) -> bool:
        """Whether docxtpl's ``fix_tables`` leaves the template's tables as they are."""
        if body.find(f".//{{{_W}}}tbl") is None:
            return True
        xml = etree.tostring(body, encoding="unicode")
        fixed = etree.tostring(self._helper.fix_tables(xml), encoding="unicode")
        return bool(fixed == etree.tostring(etree.fromstring(xml), encoding="unicode"))

    def _compile(
        self, s: _Source, index: int, env: jinja2.Environment, static_grid_ok: bool
    ) -> _Part:
        source = prepare(self._helper, s.xml)
        try:
            template = env.from_string(source)
        except jinja2.TemplateError:
            raise self._explain(s.name, source, None) from None
        is_body = s.prefix.startswith(_XML_DECL) and bool(s.suffix)
        cell_tags = bool(_CELL_TAG.search(_TAGS.sub("", s.xml)))
        return _Part(
            index=index,
            name=s.name,
            source=source,
            template=template,
            prefix=s.prefix.encode(),
            suffix=s.suffix.encode(),
            fix_tables=is_body and (cell_tags or not static_grid_ok),
            renumber_pictures=is_body and "docPr" in source,
        )

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One document for ``context``.

        Raises:
            TemplateError: the template failed on this context (unknown name, unsafe
                operation, …); the message names the part and the paragraph.
        """
        entries = list(self._entries)
        for part in self._parts:
            try:
                xml = part.template.render(context)
            except jinja2.TemplateError:
                raise self._explain(part.name, part.source, context) from None
            entries[part.index] = deflate(part.name, self._finish(part, xml))
        return build_zip(entries)

    def _explain(self, name: str, source: str, context: Mapping[str, Any] | None) -> TemplateError:
        """The error of ``source`` (compiling, or rendering ``context``) as a TemplateError
        naming its paragraph: the one-paragraph-a-line source is compiled and run again."""
        numbered = by_paragraph(source)
        try:
            template = self._env.from_string(numbered)
            if context is not None:
                template.render(context)
        except jinja2.TemplateError as exc:
            return template_error(exc, name, numbered)
        raise AssertionError("the numbered source must fail as the source did")

    def _finish(self, part: _Part, xml: str) -> bytes:
        """docxtpl's post-processing of a rendered part, skipping the steps that would not
        change it, encoded."""
        if "_" in xml and ("{_" in xml or "_}" in xml):
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))  # fmt: skip
        if any(c in xml for c in _LISTING_CHARS):
            xml = self._helper.resolve_listing(xml)
        if part.fix_tables:
            tree = self._helper.fix_tables(xml)
            self._helper.docx_ids_index = 1000
            self._helper.fix_docpr_ids(tree)
            xml = etree.tostring(tree, encoding="unicode")
        elif part.renumber_pictures:
            xml = _renumber_pictures(xml)
        return b"".join((part.prefix, unicodedata.normalize("NFC", xml).encode(), part.suffix))


def _renumber_pictures(xml: str) -> str:
    """docxtpl's ``fix_docpr_ids`` without parsing: picture ids 1001, 1002, … in order."""
    counter = iter(range(1001, 1 << 31))
    return _DOCPR_ID.sub(lambda m: f"{m.group(1)}{next(counter)}{m.group(2)}", xml)


def context_fallback(context: Mapping[str, Any]) -> str | None:
    """Why ``context`` needs plain docxtpl (it holds docxtpl objects), or None.

    Raises:
        TemplateError: the context holds a ``Subdoc``, which only the ``DocxTemplate`` that
            made it can render.
    """
    stack: list[Any] = [context]
    while stack:
        value = stack.pop()
        kind = type(value)
        # Exact types first: a context of plain data is walked at C speed.
        if kind is str or kind is int:
            continue
        if kind is dict:
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif isinstance(value, _PLAIN):
            continue
        elif isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, Subdoc):
            raise TemplateError(
                "Không hỗ trợ Subdoc trong dữ liệu: Subdoc gắn với một DocxTemplate khác",
                "Subdoc values are not supported: a Subdoc is bound to another DocxTemplate",
            )
        elif isinstance(value, _BOUND_OBJECTS):
            return (
                f"dữ liệu chứa đối tượng {type(value).__name__} của docxtpl / "
                f"the context holds a docxtpl {type(value).__name__} object"
            )
    return None


def render_with_docxtpl(
    data: bytes, context: Mapping[str, Any], env: jinja2.Environment, *, name: str
) -> bytes:
    """Render with plain docxtpl (a new ``DocxTemplate``), sandboxed and escaped as the fast
    path. ``InlineImage`` values are bound to that ``DocxTemplate`` (make them with
    ``tpl=None``)."""
    tpl = DocxTemplate(io.BytesIO(data))
    _bind_images(context, tpl)
    try:
        tpl.render(dict(context), jinja_env=env, autoescape=True)
    except jinja2.TemplateError as exc:
        lines = "\n".join(getattr(exc, "docx_context", ()))
        raise template_error(exc, name, lines) from exc
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


def _bind_images(context: Mapping[str, Any], tpl: DocxTemplate) -> None:
    stack: list[Any] = [context]
    while stack:
        value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, InlineImage):
            value.tpl = tpl


def warn_fallback(reason: str, name: str) -> None:
    """Tell the user a template renders through plain docxtpl, and why."""
    warnings.warn(
        f"Mẫu {name} được điền bằng docxtpl thường (chậm hơn): {reason}",
        FallbackWarning,
        stacklevel=3,
    )


def read_template(path: Path) -> bytes:
    """The bytes of the template at ``path``; a bilingual error when unreadable."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise TemplateError(
            f"Không đọc được tệp mẫu {path}: {exc.strerror}",
            f"cannot read template {path}: {exc.strerror}",
        ) from exc
