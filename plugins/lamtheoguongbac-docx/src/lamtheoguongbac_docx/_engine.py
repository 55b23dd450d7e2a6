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

Templates are data from users. Before anything is inflated the archive is checked against
the limits of :func:`lamtheoguongbac._fsutil.check_zip` (file size, entries, total size,
compression ratio: no zip bombs); entries are inflated no further than the size the archive
declares; XML is parsed without entities, network access or lxml's ``huge_tree``, and a part
with a DTD is refused (OOXML parts have none). A damaged archive or malformed XML is a
:class:`TemplateError` naming the file and the part, never a parser's traceback.

Two more limits bound the work a template can ask for, which grows faster than its size
(a 3 MB template holding 20 MB of XML with a tag per paragraph took 2 minutes and 4 GB to
compile): each XML part read here is at most :data:`MAX_PART_SIZE`, and a template holds at
most :data:`MAX_TEMPLATE_TAGS` Jinja tags. The default handbook template has a 40 KB body
with under 100 tags.

Rendering is bounded too (:class:`RenderLimits`): per document, a time limit
(:data:`DEFAULT_TIME_LIMIT` seconds) and an output limit (:data:`DEFAULT_MAX_OUTPUT`
characters of XML), checked from inside the sandbox — at every call, attribute lookup,
operator and loop step, and on each piece of output — so they hold in worker threads and
processes alike (no signals). Repetition (``'a' * 10**9``), powers, ``%``/``format`` widths
and integer arguments (``center(10**9)``) whose result would pass the output limit are
refused before they run; ``range`` is the sandbox's (at most 100,000 items);
``include``/``import``/``extends`` are refused (a template is one file). Every failure —
these limits, recursion, memory, any exception a template raises — is a
:class:`TemplateError` naming the part and the paragraph.

Assumption of the fast path, kept from the template: a table row's cells are fixed unless
cell-level tags (``{%tc``, ``colspan``, ``{% hm %}``, ``{% vm %}``) are used; with those,
or with a table whose grid does not match its cells, docxtpl's ``fix_tables`` runs per
document as docxtpl does.
"""

from __future__ import annotations

import contextlib
import functools
import io
import math
import re
import threading
import time
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any
from xml.parsers import expat

import attrs
import jinja2
from docxtpl import (  # type: ignore[import-untyped]
    DocxTemplate,
    InlineImage,
    RichText,
    RichTextParagraph,
    Subdoc,
)
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]
from markupsafe import Markup, escape

from lamtheoguongbac import TemplateError
from lamtheoguongbac.plugin import UnsafeArchive, check_zip
from lamtheoguongbac_docx._proof import (
    nfc_constants,
    nfc_values,
    plain_text,
    prove,
    static_pieces,
)
from lamtheoguongbac_docx._settings import (
    DEFAULT_MAX_OUTPUT,
    DEFAULT_TIME_LIMIT,
    MAX_OUTPUT_CEILING,
    TIME_LIMIT_CEILING,
    max_output,
    time_limit,
)
from lamtheoguongbac_docx._zip import Entry, build_zip, deflate, read_entries

__all__ = [
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_TIME_LIMIT",
    "MAX_PART_SIZE",
    "MAX_TEMPLATE_TAGS",
    "CompiledDocx",
    "FallbackWarning",
    "LimitExceeded",
    "Loaded",
    "RenderLimits",
    "by_paragraph",
    "check_archive",
    "context_fallback",
    "has_tags",
    "load",
    "make_environment",
    "paragraph_at",
    "prepare",
    "read_template",
    "render_with_docxtpl",
    "template_error",
    "too_deep",
    "warn_fallback",
    "well_formed",
]

#: The largest XML part of a template (body, header, footer, footnotes, relationships, …)
#: parsed and compiled: 10 MiB.
MAX_PART_SIZE = 10 * 1024 * 1024
#: The most Jinja tags (``{{``, ``{%``, ``{#``) a template's parts may hold together.
MAX_TEMPLATE_TAGS = 5_000

_XML_DECL = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_OFFICE_DOCUMENT = _REL + "officeDocument"
_HEADER_FOOTER = (_REL + "header", _REL + "footer")
_FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# The same settings python-docx parses parts with (docx.oxml.parser), so the XML docxtpl
# patches here is the XML it patches when it renders; the safe ones spelt out (lxml's
# defaults, but a template is untrusted): no entities, no network, libxml2's size limits.
_PARSER = etree.XMLParser(
    remove_blank_text=True, resolve_entities=False, no_network=True, huge_tree=False
)
# For re-reading XML this module serialised itself, as docxtpl's ``fix_tables`` reads it.
_PLAIN_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

_TAGS = re.compile(r"<[^>]+>")
_JINJA_TAG = re.compile(r"\{[{%#]")
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


@attrs.frozen(kw_only=True)
class RenderLimits:
    """What one document may cost to render (giới hạn khi điền mẫu): ``seconds`` of time and
    ``max_output`` characters of XML. Set through the exporter's settings
    (``ExportOptions(settings={"time_limit": 10, "max_output": 10_000_000})``), each at most
    its ceiling (:data:`~lamtheoguongbac_docx._settings.TIME_LIMIT_CEILING`,
    :data:`~lamtheoguongbac_docx._settings.MAX_OUTPUT_CEILING`): no limit can be switched off."""

    seconds: float = attrs.field(
        default=DEFAULT_TIME_LIMIT,
        validator=[attrs.validators.gt(0), attrs.validators.le(TIME_LIMIT_CEILING)],
    )
    max_output: int = attrs.field(
        default=DEFAULT_MAX_OUTPUT,
        validator=[attrs.validators.gt(0), attrs.validators.le(MAX_OUTPUT_CEILING)],
    )

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> RenderLimits:
        """The limits an exporter's ``settings`` ask for (``time_limit``, ``max_output``),
        checked as ``Exporter.configure`` checks them (a caller may skip it).

        Raises:
            ValidationFailed: a limit is not a number in its range (naming the setting).
        """
        return cls(
            seconds=time_limit(settings.get("time_limit", DEFAULT_TIME_LIMIT)),
            max_output=max_output(settings.get("max_output", DEFAULT_MAX_OUTPUT)),
        )


class LimitExceeded(jinja2.TemplateError):
    """A template went past a limit of :class:`RenderLimits` or the sandbox's bounds."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _too_slow(seconds: float) -> LimitExceeded:
    return LimitExceeded(
        f"điền mẫu quá {seconds:g} giây (vòng lặp quá lớn hoặc không dừng?)",
        f"rendering took over {seconds:g} seconds (a loop too large, or endless?)",
    )


def _too_large(limit: int) -> LimitExceeded:
    return LimitExceeded(
        f"văn bản điền ra vượt quá {limit:,} ký tự",
        f"the rendered document would exceed {limit:,} characters",
    )


# The widths and precisions of printf-style (``%10.3f``) and format-style (``{:>10}``) fields.
_PERCENT_FIELD = re.compile(r"%[#0\- +]*(\d*)(?:\.(\d*))?")
_BRACE_SPEC = re.compile(r"\{[^{}]*:([^{}]*)\}")
_DIGITS = re.compile(r"\d+")


class _NoLoader(jinja2.BaseLoader):
    """A template is one file: ``include``, ``import`` and ``extends`` are refused."""

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        raise LimitExceeded(
            f"mẫu không được dùng include/import/extends ('{template}'): mỗi mẫu là một tệp",
            f"templates may not use include/import/extends ('{template}'): a template is one file",
        )


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every ``{% for %}`` iterating through the environment's
    ``ltgb_iterate``, which checks the time limit as it goes (nested loops over data make no
    call the sandbox could see).

    ``ltgb_iterate`` is called directly, not through the sandbox's ``call`` (which checks a
    template's calls of data's callables): it is the sandbox's own method, and the checks
    of a call were a tenth of the render of a handbook with its nine loops. (The parser never
    makes an ``EnvironmentAttribute``: only ``visit_For`` below does.)"""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        original = node.iter
        node.iter = nodes.Call(
            nodes.EnvironmentAttribute("ltgb_iterate", lineno=original.lineno),
            [original],
            [],
            None,
            None,
            lineno=original.lineno,
        )
        try:
            super().visit_For(node, frame)
        finally:
            node.iter = original  # the AST stays as parsed (the template checker reads it)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        """``a ~ b``, its parts measured by the environment's ``ltgb_concat`` before they are
        joined: the operator is no binary operation the sandbox intercepts, so a template
        doubling a string in a loop (``{% set s = s ~ s %}``) built gigabytes unchecked."""
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.ltgb_concat({join}, (")
        for part in node.nodes:
            self.visit(part, frame)
            self.write(", ")
        self.write("))")

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        if isinstance(node.node, nodes.EnvironmentAttribute) and node.node.name == "ltgb_iterate":
            self.write("environment.ltgb_iterate(")
            self.visit(node.args[0], frame)
            self.write(")")
            return
        super().visit_Call(node, frame, forward_caller=forward_caller)

    def _output_child_pre(
        self, node: nodes.Expr, frame: Frame, finalize: CodeGenerator._FinalizeInfo
    ) -> None:
        """A printed value is escaped by :func:`escape_value` (the template's module global
        ``ltgb_escape``, bound by :meth:`visit_Template`) where Jinja would call markupsafe's
        ``escape``."""
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            self.write("ltgb_escape(")
            if finalize.src is not None:
                self.write(finalize.src)
            return
        super()._output_child_pre(node, frame, finalize)

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        super().visit_Template(node, frame)
        # At the end of the module: the render functions read it when they run.
        self.writeline("ltgb_escape = environment.ltgb_escape")


try:  # markupsafe 3: escape() is Python around this C function
    from markupsafe._speedups import _escape_inner as _escape_text
except ImportError:  # pragma: no cover - markupsafe 2 (escape is C), or no C speedups
    _escape_text = escape
if _escape_text("<&>\"'x") != escape("<&>\"'x"):  # pragma: no cover - a markupsafe to come
    _escape_text = escape  # whose private function no longer escapes as escape() does


def escape_value(value: Any) -> Markup:
    """markupsafe's ``escape(value)``, a text in one C call and one allocation.

    A handbook prints about sixty values, nearly all of them ``str``; markupsafe 3's
    ``escape`` makes each through two Python calls (``escape``, then ``Markup.__new__`` asking
    the escaped text for ``__html__``), a tenth of a handbook's rendering. Anything other
    than an exact ``str`` goes to ``escape`` itself.

    Example:
        >>> from lamtheoguongbac_docx._engine import escape_value
        >>> escape_value("Tô Hiến Thành & <Lý>")
        Markup('Tô Hiến Thành &amp; &lt;Lý&gt;')
    """
    if type(value) is str:
        return str.__new__(Markup, _escape_text(value))
    return escape(value)


class _BoundedTemplate(jinja2.Template):
    """A template whose :meth:`render` stops as soon as its output passes the limit in force.

    The fast path streams its pieces itself; plain docxtpl (the fallback) calls ``render``,
    which joined the whole output before any size was measured: gigabytes for a loop
    printing a large string, refused only once built.
    """

    def render(self, *args: Any, **kwargs: Any) -> str:
        env = self.environment
        if not isinstance(env, _Sandbox) or env._local.limits is None:
            return super().render(*args, **kwargs)
        budget, size = env.max_output, 0
        pieces: list[str] = []
        for piece in self.generate(*args, **kwargs):
            size += len(piece)
            if size > budget:
                raise _too_large(budget)
            pieces.append(piece)
        return "".join(pieces)


class _Limits(threading.local):
    """The limits in force in this thread (none outside :meth:`_Sandbox.limited`)."""

    deadline: float | None = None
    limits: RenderLimits | None = None


_monotonic = time.monotonic


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, bounded in time and output, looking up ``a.b`` on a plain dict
    as a key first.

    Jinja tries the attribute first, so every ``member.full_name`` on a context dict raised
    and caught an ``AttributeError`` — about a quarter of the render time. A dict's items are data
    the sandbox allows anyway (``a["b"]``); anything that is not a key (``d.items``) still
    goes through the sandbox's checks.

    The limits of :meth:`limited` hold per thread: a deadline checked at every call,
    attribute lookup, operator and loop step, and bounds on what one operation may build.
    """

    code_generator_class = _BoundedCodeGenerator
    template_class = _BoundedTemplate
    ltgb_escape = staticmethod(escape_value)
    intercepted_binops = frozenset({"*", "**", "%", "+", "//"})

    def __init__(self, **options: Any) -> None:
        super().__init__(loader=_NoLoader(), **options)
        self._local = _Limits()
        self.filters = {name: self._bounded(f) for name, f in self.filters.items()}

    # --- limits ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def limited(self, limits: RenderLimits) -> Iterator[None]:
        """Render under ``limits`` in this thread for the duration of the block."""
        local = self._local
        saved = local.deadline, local.limits
        local.deadline = time.monotonic() + limits.seconds
        local.limits = limits
        try:
            yield
        finally:
            local.deadline, local.limits = saved

    @property
    def max_output(self) -> int:
        limits = self._local.limits
        return DEFAULT_MAX_OUTPUT if limits is None else limits.max_output

    def tick(self) -> None:
        """Raise :class:`LimitExceeded` once the deadline of :meth:`limited` has passed."""
        local = self._local
        deadline = local.deadline
        if deadline is not None and _monotonic() > deadline:
            local.deadline = None  # one error is enough; the caller unwinds
            raise _too_slow(local.limits.seconds if local.limits else DEFAULT_TIME_LIMIT)

    def ltgb_iterate(self, iterable: Any) -> Iterator[Any]:
        """``iterable``, checking the deadline every 256 items."""
        for i, item in enumerate(iterable):
            if not i & 255:
                self.tick()
            yield item

    def _check_size(self, n: int) -> None:
        if n > self.max_output:
            raise _too_large(self.max_output)

    def ltgb_concat(self, join: Callable[[Iterable[Any]], str], parts: tuple[Any, ...]) -> str:
        """``join(parts)`` (the ``~`` operator), refused before it is built when it would
        pass the output limit."""
        self.tick()
        self._check_size(sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts))
        return join(parts)

    def _check_growth(
        self, f: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]
    ) -> tuple[Any, ...]:
        """Refuse, before it is built, what a filter that multiplies its input would make
        past the output limit (``join``, ``replace``, ``indent``, ``wordwrap``); the
        arguments to call it with (an iterable to join is read once, here)."""
        if f is _JOIN_FILTER and len(args) >= 2:
            items = list(self.ltgb_iterate(args[1]))
            sep = args[2] if len(args) > 2 else kwargs.get("d", "")
            by_attribute = len(args) > 3 or kwargs.get("attribute") is not None
            size = (
                0 if by_attribute else sum(len(i if isinstance(i, str) else str(i)) for i in items)
            )
            self._check_size(size + len(str(sep)) * max(len(items) - 1, 0))
            return (args[0], items, *args[2:])
        if f is _REPLACE_FILTER and len(args) >= 4 and isinstance(args[1], str):
            text, old, new = args[1], str(args[2]), str(args[3])
            found = text.count(old) if old else len(text) + 1
            self._check_size(len(text) + found * max(len(new) - len(old), 0))
        elif f is _INDENT_FILTER and args and isinstance(args[0], str):
            width = args[1] if len(args) > 1 else kwargs.get("width", 4)
            each = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
            self._check_size(len(args[0]) + (args[0].count("\n") + 1) * each)
        elif f is _WORDWRAP_FILTER and len(args) >= 2 and isinstance(args[1], str):
            width = args[2] if len(args) > 2 else kwargs.get("width", 79)
            wrap = args[4] if len(args) > 4 else kwargs.get("wrapstring")
            if isinstance(width, int) and width > 0 and isinstance(wrap, str):
                self._check_size(len(args[1]) + (len(args[1]) // width + 1) * len(wrap))
        return args

    def _check_args(self, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool):
                self._check_size(abs(value))

    def _check_widths(self, fmt: str) -> None:
        """A format string may not ask for a field wider than the output limit."""
        found = [d for m in _PERCENT_FIELD.finditer(fmt) for d in m.groups() if d]
        found += [d for m in _BRACE_SPEC.finditer(fmt) for d in _DIGITS.findall(m.group(1))]
        for digits in found:
            if len(digits) > 12 or int(digits) > self.max_output:
                raise _too_large(self.max_output)

    def _bounded(self, f: Any) -> Any:
        @functools.wraps(f)  # keeps jinja_pass_arg (pass_context, pass_environment …)
        def bounded(*args: Any, **kwargs: Any) -> Any:
            self.tick()
            rest = args[1:] if getattr(f, "jinja_pass_arg", None) is None else args[2:]
            if f is _FORMAT_FILTER and rest and isinstance(rest[0], str):
                self._check_widths(rest[0])
            self._check_args(rest, kwargs)
            if f in _GROWING_FILTERS:
                args = self._check_growth(f, args, kwargs)
            return f(*args, **kwargs)

        return bounded

    # --- the sandbox's hooks --------------------------------------------------------------

    def getattr(self, obj: Any, attribute: str) -> Any:
        deadline = self._local.deadline  # tick(), inlined: the commonest hook by far
        if deadline is not None and _monotonic() > deadline:
            self.tick()
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        self.tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.tick()
        if __obj is __self.globals.get("range") and any(
            isinstance(a, int) and abs(a) > MAX_RANGE for a in args
        ):
            raise LimitExceeded(
                f"range() quá lớn (tối đa {MAX_RANGE:,} phần tử)",
                f"range() too large (at most {MAX_RANGE:,} items)",
            )
        __self._check_args(args, kwargs)
        # The sandbox hands str.format out wrapped (functools.update_wrapper): look through.
        method = getattr(__obj, "__wrapped__", __obj)
        name = getattr(method, "__name__", "")
        if isinstance(getattr(method, "__self__", None), str):
            text: str = method.__self__
            if name in ("format", "format_map"):
                __self._check_widths(text)
            elif name == "replace" and len(args) >= 2 and isinstance(args[1], str):
                __self._check_size(len(text) + (len(text) + 1) * len(args[1]))
        return super().call(__context, __obj, *args, **kwargs)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.tick()
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple | bytes) and isinstance(n, int):
                    self._check_size(len(seq) * abs(n))
        elif operator == "**":
            if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 0:
                # The digits of the result: refuse a number longer than the output limit.
                self._check_size(int(right * math.log10(abs(left))))
        elif operator == "%" and isinstance(left, str):
            self._check_widths(left)
            values = right if isinstance(right, tuple) else (right,)
            self._check_args(values, {})
        elif operator == "+" and isinstance(left, str | list | tuple) and hasattr(right, "__len__"):
            self._check_size(len(left) + len(right))
        return super().call_binop(context, operator, left, right)


_FORMAT_FILTER = jinja2.filters.do_format
_JOIN_FILTER = jinja2.filters.do_join
_REPLACE_FILTER = jinja2.filters.do_replace
_INDENT_FILTER = jinja2.filters.do_indent
_WORDWRAP_FILTER = jinja2.filters.do_wordwrap
_GROWING_FILTERS = frozenset({_JOIN_FILTER, _REPLACE_FILTER, _INDENT_FILTER, _WORDWRAP_FILTER})


def make_environment() -> ImmutableSandboxedEnvironment:
    """The Jinja environment every template renders in: sandboxed (a template can neither run
    code nor change the data it is given), autoescaped (``&``, ``<``, ``>`` in data stay
    text and never break the XML), strict (a misspelt name is an error, not a blank) and
    bounded (:class:`RenderLimits`, applied with ``env.limited(limits)``)."""
    return _Sandbox(autoescape=True, undefined=jinja2.StrictUndefined)


def limited(
    env: jinja2.Environment, limits: RenderLimits
) -> contextlib.AbstractContextManager[None]:
    """``env.limited(limits)`` for the library's sandbox; no limits for another environment."""
    if isinstance(env, _Sandbox):
        return env.limited(limits)
    return contextlib.nullcontext()


def paragraph_at(source: str, lineno: int | None) -> str:
    """The text of the paragraph on ``lineno`` (parts are compiled one paragraph a line)."""
    if lineno is None:
        return ""
    lines = source.splitlines()
    if not 1 <= lineno <= len(lines):
        return ""
    text = " ".join(_TAGS.sub("", lines[lineno - 1]).split())
    return text if len(text) <= 120 else text[:117] + "…"


# The start of a paragraph, not of its properties (<w:pPr>) or a proofing mark (<w:proofErr>).
_PARAGRAPH_START = re.compile(r"<w:p[\s>/]")


def _last_paragraph(xml: str) -> str:
    """The text of the last paragraph begun in rendered ``xml`` (up to its end), for a
    message: the text after its opening tag, tags left out; "" when none begins in it."""
    starts = list(_PARAGRAPH_START.finditer(xml))
    if not starts:
        return ""
    rest = xml[starts[-1].start() :].partition(">")[2]  # past the paragraph's own tag
    return paragraph_at(rest.replace("\n", " "), 1)


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


def template_error(
    exc: Exception, part: str, source: str, *, at: Exception | None = None
) -> TemplateError:
    """A bilingual :class:`TemplateError` for a Jinja error raised in ``part``; the paragraph
    is where ``at`` (default: ``exc`` itself) was raised."""
    where = paragraph_at(source, _lineno(at or exc))
    at_vi = f" — đoạn «{where}»" if where else ""
    at_en = f" — paragraph «{where}»" if where else ""
    if isinstance(exc, LimitExceeded):
        vi, en = exc.vi, exc.en
        return TemplateError(
            f"Mẫu văn bản ({part}): {vi}{at_vi}", f"document template ({part}): {en}{at_en}"
        )
    if isinstance(exc, SecurityError):
        vi, en = "mẫu thực hiện thao tác không được phép", "the template tried an unsafe operation"
    elif isinstance(exc, jinja2.UndefinedError):
        vi, en = "mẫu dùng tên không có trong dữ liệu", "the template uses a name not in the data"
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        vi, en = "mẫu sai cú pháp", "template syntax error"
    elif isinstance(exc, RecursionError):
        vi, en = (
            "biểu thức lồng nhau hoặc macro gọi lại chính nó quá sâu",
            "expressions nested, or macros recursing, too deeply",
        )
    elif isinstance(exc, MemoryError):
        vi, en = "mẫu dùng hết bộ nhớ", "the template ran out of memory"
    elif not isinstance(exc, jinja2.TemplateError):
        vi, en = "lỗi khi điền mẫu", "the template failed to render"
        detail = f"{type(exc).__name__}: {exc}"
        return TemplateError(
            f"Mẫu văn bản ({part}): {vi}: {detail}{at_vi}",
            f"document template ({part}): {en}: {detail}{at_en}",
        )
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
    #: the ids of the template's static text when every rendering is proved well-formed
    #: given plain-text values (:mod:`._proof`), else None (each document is parsed)
    statics: frozenset[int] | None = None
    #: every string constant of the template is NFC and starts a normalisation segment
    nfc_statics: bool = False


@attrs.frozen
class _Source:
    """A part's XML as docxtpl would patch it, and the static text around it."""

    name: str
    xml: str
    prefix: str = ""
    suffix: str = ""


def _inflate(entry: Entry) -> bytes:
    """The entry's content, inflated no further than the size the archive declares.

    Raises:
        zlib.error: the data is damaged or does not inflate to the declared size.
    """
    if not entry.method:
        return entry.data
    inflater = zlib.decompressobj(-15)
    content = inflater.decompress(entry.data, entry.size + 1)
    if len(content) != entry.size or not inflater.eof:
        raise zlib.error(f"'{entry.name}' does not inflate to its declared {entry.size} bytes")
    return content


def _content(entry: Entry, name: str) -> bytes:
    """The content of a part of the template ``name`` that is parsed here.

    Raises:
        TemplateError: the part is larger than :data:`MAX_PART_SIZE`.
        zlib.error: the part is damaged.
    """
    if entry.size > MAX_PART_SIZE:
        size, limit = entry.size / 2**20, MAX_PART_SIZE / 2**20
        raise TemplateError(
            f"Tệp mẫu {name} bị từ chối: phần '{entry.name}' quá lớn ({size:.1f} MB; tối đa "
            f"{limit:.0f} MB)",
            f"template {name} was refused: its part '{entry.name}' is too large ({size:.1f} MB;"
            f" at most {limit:.0f} MB)",
        )
    return _inflate(entry)


def _count_tags(sources: list[_Source], name: str) -> None:
    """Refuse a template of more than :data:`MAX_TEMPLATE_TAGS` Jinja tags."""
    count = sum(len(_JINJA_TAG.findall(_TAGS.sub("", s.xml))) for s in sources if has_tags(s.xml))
    if count > MAX_TEMPLATE_TAGS:
        raise TemplateError(
            f"Tệp mẫu {name} bị từ chối: có {count} thẻ Jinja (tối đa {MAX_TEMPLATE_TAGS}); "
            "hãy dùng vòng lặp {% for %} thay cho các đoạn lặp lại",
            f"template {name} was refused: it has {count} Jinja tags (at most "
            f"{MAX_TEMPLATE_TAGS}); use {{% for %}} loops instead of repeated paragraphs",
        )


@contextlib.contextmanager
def _reading(name: str) -> Iterator[None]:
    """Turn a damaged part of the template ``name`` into a :class:`TemplateError`."""
    try:
        yield
    except (zlib.error, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise TemplateError(
            f"Tệp mẫu {name} bị hỏng: {exc}", f"template {name} is damaged: {exc}"
        ) from exc


def _parse(data: bytes | str, part: str, name: str) -> etree._Element:
    """The root of the XML ``part`` of the template ``name``.

    Raises:
        TemplateError: the part is not well-formed XML, or has a DTD.
    """
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise TemplateError(
            f"Tệp mẫu {name}: phần '{part}' không phải XML hợp lệ ({exc})",
            f"template {name}: part '{part}' is not well-formed XML ({exc})",
        ) from exc
    if root.getroottree().docinfo.internalDTD is not None:
        raise TemplateError(
            f"Tệp mẫu {name}: phần '{part}' có khai báo DTD (tệp .docx không được có)",
            f"template {name}: part '{part}' has a DTD declaration (a .docx must not)",
        )
    return root


def _body_source(data: bytes, part: str, name: str) -> tuple[_Source, etree._Element]:
    root = _parse(data, part, name)
    body = root.find(f"{{{_W}}}body")
    if body is None:
        raise TemplateError(
            f"Tệp mẫu không có thân văn bản ({part})", f"the template has no document body ({part})"
        )
    xml = etree.tostring(body, encoding="unicode")
    # Emptied in place (attributes and tail too), not replaced: lxml moving a detached body
    # to a document of its own took time growing faster than its size (30 s for 9 MB).
    empty = f"<{body.prefix}:body/>" if body.prefix else "<body/>"
    body.clear()
    shell = etree.tostring(root, encoding="unicode")
    prefix, _, suffix = shell.partition(empty)
    return _Source(part, xml, _XML_DECL + prefix, suffix), etree.fromstring(xml, _PARSER)


def _relationship_targets(
    entries: dict[str, Entry], rels_name: str, types: tuple[str, ...], name: str
) -> list[str]:
    if rels_name not in entries:
        return []
    base = rels_name.split("_rels/")[0]
    root = _parse(_content(entries[rels_name], name), rels_name, name)
    found = []
    for rel in root.iter(f"{_REL_NS}Relationship"):
        if rel.get("Type") in types and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            found.append(target.lstrip("/") if target.startswith("/") else base + target)
    return found


def _content_types(entries: dict[str, Entry], name: str) -> dict[str, str]:
    root = _parse(_content(entries["[Content_Types].xml"], name), "[Content_Types].xml", name)
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


def _refused(exc: UnsafeArchive | zipfile.BadZipFile, name: str) -> TemplateError:
    if isinstance(exc, UnsafeArchive):
        return TemplateError(
            f"Tệp mẫu {name} bị từ chối: {exc.reason_vi}",
            f"template {name} was refused: {exc.reason_en}",
        )
    return TemplateError(
        f"Không đọc được tệp mẫu {name}: không phải tệp .docx hợp lệ (tệp ZIP hỏng)",
        f"cannot read template {name}: not a valid .docx file ({exc})",
    )


def check_archive(data: bytes, name: str) -> None:
    """Refuse a template that breaks the limits of :func:`~lamtheoguongbac._fsutil.check_zip`
    (a zip bomb, or simply too large) or is not a ZIP archive.

    Raises:
        TemplateError: naming the template and the entry at fault.
    """
    try:
        check_zip(data)
    except (UnsafeArchive, zipfile.BadZipFile) as exc:
        raise _refused(exc, name) from exc


def load(data: bytes, name: str) -> Loaded:
    """Read a .docx template: its entries and the XML docxtpl would patch for each part.

    The archive is checked first (:func:`check_archive`), then each part read against
    :data:`MAX_PART_SIZE` and the whole against :data:`MAX_TEMPLATE_TAGS`.

    Raises:
        TemplateError: not a .docx file, too large, damaged, a part is malformed XML, or the
            template has too many tags.
    """
    check_archive(data, name)
    with _reading(name):
        return _load(data, name)


def _load(data: bytes, name: str) -> Loaded:
    entries = read_entries(data, name)
    by_name = {e.name: e for e in entries}
    if "[Content_Types].xml" not in by_name:
        raise TemplateError(
            f"Tệp mẫu {name} không phải tệp .docx", f"template {name} is not a .docx file"
        )
    main = next(
        iter(_relationship_targets(by_name, "_rels/.rels", (_OFFICE_DOCUMENT,), name)),
        "word/document.xml",
    )
    if main not in by_name:
        raise TemplateError(
            f"Tệp mẫu {name} thiếu phần {main}", f"template {name} lacks its part {main}"
        )
    folder, _, file = main.rpartition("/")
    body, body_element = _body_source(_content(by_name[main], name), main, name)
    sources = [body]
    rels = f"{folder}/_rels/{file}.rels"
    for target in _relationship_targets(by_name, rels, _HEADER_FOOTER, name):
        if target in by_name and by_name[target].size:
            root = _parse(_content(by_name[target], name), target, name)
            sources.append(_Source(target, etree.tostring(root, encoding="unicode"), _XML_DECL))
    for part, content_type in _content_types(by_name, name).items():
        if content_type == _FOOTNOTES_CT and part in by_name:
            content = _content(by_name[part], name)
            _parse(content, part, name)  # kept as it is, but it must be well-formed
            sources.append(_Source(part, content.decode("utf-8")))
    _count_tags(sources, name)
    # Every other XML part is copied into each document as it is: one that is not
    # well-formed (a damaged styles.xml) would make documents Word cannot open.
    done = {s.name for s in sources}
    for entry in entries:
        if entry.name not in done and entry.name.endswith((".xml", ".rels")) and entry.size:
            _parse(_content(entry, name), entry.name, name)
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
        with _reading(name):
            self.fallback_reason = self._static_fallback(loaded.sources, loaded.by_name)
        static_grid_ok = self._grid_matches(loaded.body)
        index = {e.name: i for i, e in enumerate(loaded.entries)}
        self._parts = [
            self._compile(s, index[s.name], env, static_grid_ok)
            for s in loaded.sources
            if has_tags(s.xml)
        ]

    def _static_fallback(self, sources: list[_Source], by_name: dict[str, Entry]) -> str | None:
        for s in sources:
            match = _OBJECT_TAG.search(_TAGS.sub("", s.xml))
            if match:
                return (
                    f"thẻ '{{{{{match.group(1)} …}}}}' trong {s.name} cần đối tượng docxtpl / "
                    f"the '{{{{{match.group(1)} …}}}}' tag in {s.name} needs docxtpl objects"
                )
        core = by_name.get("docProps/core.xml")
        if core is not None and has_tags(_content(core, self.name).decode("utf-8", "replace")):
            return (
                "thuộc tính văn bản (docProps/core.xml) chứa thẻ Jinja / "
                "the document properties (docProps/core.xml) hold Jinja tags"
            )
        return None

    def _grid_matches(self, body: etree._Element) -> bool:
        """Whether docxtpl's ``fix_tables`` leaves the template's tables as they are.

        Raises:
            TemplateError: a table is malformed (e.g. has no grid).
        """
        if body.find(f".//{{{_W}}}tbl") is None:
            return True
        xml = etree.tostring(body, encoding="unicode")
        fixed = etree.tostring(self._fix_tables(xml, "word/document.xml"), encoding="unicode")
        return bool(
            fixed == etree.tostring(etree.fromstring(xml, _PLAIN_PARSER), encoding="unicode")
        )

    def _fix_tables(self, xml: str, part: str) -> etree._Element:
        """docxtpl's ``fix_tables``, which fails on a table without its grid (``w:tblGrid``)."""
        try:
            return self._helper.fix_tables(xml)
        except (AttributeError, TypeError, ValueError, etree.LxmlError) as exc:
            raise TemplateError(
                f"Tệp mẫu {self.name}: bảng trong phần '{part}' bị hỏng (thiếu lưới cột?): {exc}",
                f"template {self.name}: a table in part '{part}' is malformed (no column "
                f"grid?): {exc}",
            ) from exc

    def _compile(
        self, s: _Source, index: int, env: jinja2.Environment, static_grid_ok: bool
    ) -> _Part:
        source = prepare(self._helper, s.xml)
        try:
            # Parsed once, for the proof and the compiler; proved before it is compiled.
            ast = env.parse(source)
            proved = prove(env, ast, s.prefix, s.suffix)
            template = env.from_string(ast)
        except RecursionError:
            raise too_deep(s.name) from None
        except Exception as exc:  # a syntax error, or anything else the compiler trips on
            raise self._explain(s.name, source, None, exc) from None
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
            statics=static_pieces(template) if proved else None,
            nfc_statics=proved and nfc_constants(template),
        )

    def render(self, context: Mapping[str, Any], limits: RenderLimits | None = None) -> bytes:
        """One document for ``context``, within ``limits`` (default :class:`RenderLimits`).

        Raises:
            TemplateError: the template failed on this context (unknown name, unsafe
                operation, a limit passed, any exception it raised, output that is not
                well-formed XML); the message names the part and the paragraph.
        """
        limits = limits or RenderLimits()
        entries = list(self._entries)
        with limited(self._env, limits):
            budget = limits.max_output
            for part in self._parts:
                xml, proved, nfc = self._render_part(part, context, limits, budget)
                budget -= len(xml)
                content, unchanged = self._finish(part, xml, nfc)
                if not (proved and unchanged):  # else well-formed by proof (see ._proof)
                    well_formed(content, part.name, self.name)
                entries[part.index] = deflate(part.name, content)
        return build_zip(entries)

    def _render_part(
        self, part: _Part, context: Mapping[str, Any], limits: RenderLimits, budget: int
    ) -> tuple[str, bool, bool]:
        """The rendered XML of ``part``, stopped as soon as it passes ``budget`` characters;
        whether it is well-formed by the part's proof (:mod:`._proof`): every piece the
        template's static text, or a value that is plain text; and whether it is NFC by the
        same pieces (:func:`._proof.nfc_values`)."""
        pieces: list[str] = []
        append = pieces.append
        size = 0
        template = part.template
        try:
            # Template.generate without its wrapper (a generator more per piece): an error
            # is explained by _explain, which renders again for the paragraph.
            for piece in template.root_render_func(template.new_context(dict(context))):
                size += len(piece)
                if size > budget:
                    tail = _last_paragraph("".join(pieces[-50:]))
                    raise _output_error(part.name, limits.max_output, tail)
                append(piece)
        except TemplateError:
            raise
        except Exception as exc:  # every failure of a user's template is the template's
            raise self._explain(part.name, part.source, context, exc, limits) from None
        xml = "".join(pieces)
        statics = part.statics
        if statics is None:
            return xml, False, False
        # The printed values: every piece that is not the template's static text. A plain
        # ``str`` among them is not a value Jinja escaped: the proof does not cover it.
        values = [piece for piece in pieces if id(piece) not in statics]
        if str in set(map(type, values)):
            return xml, False, False
        return xml, plain_text(values), part.nfc_statics and nfc_values(values)

    def _explain(
        self,
        name: str,
        source: str,
        context: Mapping[str, Any] | None,
        first: Exception | None = None,
        limits: RenderLimits | None = None,
    ) -> TemplateError:
        """The error of ``source`` (compiling, or rendering ``context``) as a TemplateError
        naming its paragraph: the one-paragraph-a-line source is compiled and run again
        (after a time-out, for at most two more seconds: an endless loop is found again in
        its paragraph)."""
        numbered = by_paragraph(source)
        again = limits or RenderLimits()
        if isinstance(first, LimitExceeded):
            again = attrs.evolve(again, seconds=min(again.seconds, 2.0))
        try:
            with limited(self._env, again):
                template = self._env.from_string(numbered)
                if context is not None:
                    template.render(context)
        except Exception as exc:
            if isinstance(first, LimitExceeded) and isinstance(exc, LimitExceeded):
                return template_error(first, name, numbered, at=exc)  # the first one's limit
            return template_error(exc, name, numbered)
        if first is not None:  # not repeated (e.g. memory): told without its paragraph
            return template_error(first, name, "")
        raise AssertionError("the numbered source must fail as the source did")

    def _finish(self, part: _Part, xml: str, nfc: bool = False) -> tuple[bytes, bool]:
        """docxtpl's post-processing of a rendered part, skipping the steps that would not
        change it, encoded; and whether nothing changed the rendered text. ``nfc``: the
        rendered text is known to be NFC (then it is not normalised again unless changed)."""
        rendered = xml
        if "_" in xml and ("{_" in xml or "_}" in xml):
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))  # fmt: skip
        if "\n" in xml or "\t" in xml or "\a" in xml or "\f" in xml:  # _LISTING_CHARS
            xml = self._helper.resolve_listing(xml)
        if part.fix_tables:
            tree = self._fix_tables(xml, part.name)
            self._helper.docx_ids_index = 1000
            self._helper.fix_docpr_ids(tree)
            xml = etree.tostring(tree, encoding="unicode")
        elif part.renumber_pictures:
            xml = _renumber_pictures(xml)
        if not (nfc and xml is rendered):
            xml = unicodedata.normalize("NFC", xml)
        # normalize returns its argument itself when it is already NFC (the usual case).
        unchanged = xml is rendered or xml == rendered
        try:
            body = xml.encode()
        except UnicodeEncodeError as exc:  # a lone surrogate the template printed
            raise _unwritable(part.name, xml, exc) from None
        return b"".join((part.prefix, body, part.suffix)), unchanged


def _unwritable(part: str, xml: str, exc: UnicodeEncodeError) -> TemplateError:
    """The error of a rendered part holding a character no file can hold (a lone surrogate,
    which only a template's own escape such as ``'\\ud800'`` makes: the model refuses one)."""
    where = _last_paragraph(xml[: exc.start])
    code = f"U+{ord(xml[exc.start]):04X}"
    at_vi = f" — đoạn «{where}»" if where else ""
    at_en = f" — paragraph «{where}»" if where else ""
    return TemplateError(
        f"Mẫu văn bản ({part}): điền ra ký tự {code} không ghi được vào tệp (nửa cặp thay "
        f"thế đứng một mình){at_vi}",
        f"document template ({part}): it printed the character {code}, which no file can "
        f"hold (a lone surrogate){at_en}",
    )


def _output_error(part: str, limit: int, where: str) -> TemplateError:
    at_vi = f" — đoạn «{where}»" if where else ""
    at_en = f" — paragraph «{where}»" if where else ""
    error = _too_large(limit)
    return TemplateError(
        f"Mẫu văn bản ({part}): {error.vi}{at_vi}", f"document template ({part}): {error.en}{at_en}"
    )


def well_formed(content: bytes, part: str, name: str) -> None:
    """Check that a rendered part is well-formed XML before the document is reported made.

    Raises:
        TemplateError: naming the template, the part and the parser's complaint.
    """
    # expat only tokenises (no tree is built): about twice as fast as lxml for this.
    parser = expat.ParserCreate()
    try:
        parser.Parse(content, True)
    except expat.ExpatError as exc:
        raise TemplateError(
            f"Mẫu {name}: phần '{part}' điền ra không phải XML hợp lệ ({exc}); Word sẽ không "
            "mở được tệp, nên không ghi",
            f"template {name}: the rendered part '{part}' is not well-formed XML ({exc}); "
            "Word could not open the file, so it is not written",
        ) from exc


def too_deep(part: str) -> TemplateError:
    """The error of a template nested or recursing too deeply for Python (Jinja compiles and
    runs a template as Python code)."""
    return TemplateError(
        f"Mẫu văn bản ({part}): biểu thức lồng nhau hoặc macro gọi lại chính nó quá sâu",
        f"document template ({part}): expressions nested, or macros recursing, too deeply",
    )


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
    data: bytes,
    context: Mapping[str, Any],
    env: jinja2.Environment,
    *,
    name: str,
    limits: RenderLimits | None = None,
) -> bytes:
    """Render with plain docxtpl (a new ``DocxTemplate``), sandboxed, escaped and bounded as
    the fast path (the output limit is checked on each XML part docxtpl wrote). ``InlineImage``
    values are bound to that ``DocxTemplate`` (make them with ``tpl=None``)."""
    limits = limits or RenderLimits()
    tpl = DocxTemplate(io.BytesIO(data))
    _bind_images(context, tpl)
    try:
        with limited(env, limits):
            tpl.render(dict(context), jinja_env=env, autoescape=True)
        out = io.BytesIO()
        tpl.save(out)
    except jinja2.TemplateError as exc:
        lines = "\n".join(getattr(exc, "docx_context", ()))
        raise template_error(exc, name, lines) from exc
    except RecursionError:
        raise too_deep(name) from None
    except (etree.LxmlError, ValueError, KeyError, AttributeError, zipfile.BadZipFile) as exc:
        # python-docx reads the parts the fast path did not (styles, settings, …), and
        # docxtpl fails on some malformed structures (a picture it cannot find, …).
        raise TemplateError(
            f"Không điền được mẫu {name} bằng docxtpl: {type(exc).__name__}: {exc}",
            f"docxtpl could not render template {name}: {type(exc).__name__}: {exc}",
        ) from exc
    except Exception as exc:  # every failure of a user's template is the template's
        raise template_error(exc, name, "") from exc
    document = out.getvalue()
    _check_output(document, name, limits)
    return document


def _check_output(document: bytes, name: str, limits: RenderLimits) -> None:
    """The XML parts of a document docxtpl wrote: within the output limit, well-formed."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(document)) as archive:
        for info in archive.infolist():
            if info.filename.endswith(".xml") or info.filename.endswith(".rels"):
                total += info.file_size
                if total > limits.max_output:
                    raise _output_error(info.filename, limits.max_output, "")
                well_formed(archive.read(info), info.filename, name)


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
    """The bytes of the template at ``path``, read no further than the size limit and checked
    as an archive (:func:`~lamtheoguongbac._fsutil.check_zip`).

    Raises:
        TemplateError: the file cannot be read, is too large, or is not a safe .docx.
    """
    try:
        return check_zip(path)
    except OSError as exc:
        raise TemplateError(
            f"Không đọc được tệp mẫu {path}: {exc.strerror or exc}",
            f"cannot read template {path}: {exc.strerror or exc}",
        ) from exc
    except (UnsafeArchive, zipfile.BadZipFile) as exc:
        raise _refused(exc, path.name) from exc
