"""Prove once per template that its documents are well-formed XML (chứng minh XML hợp lệ).

Every rendered part must be well-formed XML before a document is reported made. Parsing each
document again (expat) was a sixth of the exporter's time, though almost all of a document
is the template's own text, the same every time. For a template whose shape allows it, this
module proves once, when the template is compiled, that **every** rendering is well-formed as
long as each value printed is plain escaped text; per document only the printed values are
then checked (:func:`plain_text`). Any document the proof does not cover — a value that is
not plain text, a template the proof cannot follow, docxtpl's post-processing rewriting the
XML, Unicode normalisation changing it — is parsed whole, as before.

**The proof.** The part's Jinja syntax tree is turned into a *skeleton*: its static text as
written, a marker character (:data:`_VALUE`) for each printed value, and each branch of an
``{% if %}`` and the body and ``else`` of a ``{% for %}`` between an opening and a closing
marker (:data:`_OPEN`, :data:`_CLOSE`), every branch present once. The skeleton is parsed with
the part's fixed text around it, and the template is proved when:

* the skeleton is well-formed, with no DTD;
* every value marker is in text content or in an attribute value, outside a CDATA section;
* every opening and closing marker is in text content, outside a CDATA section, inside the
  root element, and the markup between a pair is balanced (it never closes an element it did
  not open, and closes all it opens);
* no ``>`` appears as a character of text content (only ``&gt;``), so ``]]>`` can never form
  in content whatever is put next to what;
* the template uses only text, printed expressions, ``{% if %}``, non-recursive
  ``{% for %}``, ``{% set x = … %}`` and ``{% with %}`` (macros, calls, filter and set
  blocks, ``{% autoescape %}`` and the rest are not followed), and no printed expression is
  one Jinja would fold into static text when compiling.

A rendering of such a template is the skeleton with each branch taken zero or more times and
each value marker replaced by the value's escaped text. Dropping or repeating a balanced run
of content inside the root element keeps a document well-formed (no text or second root can
appear outside it, no reference or tag is cut, no ``]]>`` can form); a value that is plain
text — valid XML characters, no ``<``, ``>``, quotes, and ``&`` only in the entities Jinja's
escaping writes — is well-formed wherever text or an attribute value may stand. So the
document is well-formed, and expat would say so.

**At render time**, a piece of output of the exact type ``str`` is static text (a constant of
the compiled template: checked by identity), and any other piece is a printed value (Jinja's
autoescaping makes every value a ``Markup``): :func:`plain_text` checks those in one pass.
"""

from __future__ import annotations

import re
import types
import unicodedata
from collections.abc import Iterable
from typing import Any
from xml.parsers import expat

import jinja2
from jinja2 import nodes
from jinja2.nodes import EvalContext

__all__ = ["nfc_constants", "nfc_values", "plain_text", "prove", "static_pieces"]

# Private-use characters: valid XML text, never in a name, and refused in a template holding
# them itself (see prove).
_VALUE, _OPEN, _CLOSE = "\ue000", "\ue001", "\ue002"
_MARKERS = re.compile("[\ue000-\ue002]")

# What a printed value may not hold to count as plain text: a character XML 1.0 does not allow
# (or a surrogate), markup, quotes, and an ampersand that does not start one of the entities
# markupsafe writes. Stricter than XML needs: a value it refuses only sends the document to
# the full parse.
_NOT_PLAIN = re.compile(
    "[<>\"'\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|&(?!(?:amp|lt|gt|#34|#39);)"
)
# The characters _NOT_PLAIN looks at: a text without any is plain (one fast scan).
_SPECIAL = re.compile("[<>\"'&\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def plain_text(values: Iterable[str]) -> bool:
    """Whether every one of ``values`` is plain escaped text (see the module docstring)."""
    # Joined with spaces, one search: a space cannot complete an entity split between two
    # values, so "&" + "amp;" is still refused.
    text = " ".join(values)
    return _SPECIAL.search(text) is None or _NOT_PLAIN.search(text) is None


def _constants(template: jinja2.Template) -> list[str]:
    found: list[str] = []
    stack: list[types.CodeType] = [template.root_render_func.__code__]
    while stack:
        code = stack.pop()
        for const in code.co_consts:
            if type(const) is str:
                found.append(const)
            elif isinstance(const, types.CodeType):
                stack.append(const)
    return found


def static_pieces(template: jinja2.Template) -> frozenset[int]:
    """The ids of the string constants of ``template``'s compiled code: the only objects its
    static text can be yielded as."""
    return frozenset(map(id, _constants(template)))


# --- Unicode normalisation, checked on the values alone ---------------------------------------
#
# A rendered part is normalised to NFC (every text of the library is). Normalising 30,000
# characters per document is wasted when the pieces are NFC and nothing can combine across
# their joins. A character that has canonical combining class 0 and is never the second
# character of a canonical composition has a normalisation boundary before it (UAX #15,
# "stable code points"): NFC(a + b) == NFC(a) + NFC(b) when b starts with one. The ranges
# below hold only such characters (Latin, Vietnamese, general punctuation; a test checks them
# against the whole Unicode database of the running Python); a value starting with anything
# else, or not NFC, sends its document to the full normalisation.
_STABLE = "\x00-\u02ff\u1e00-\u1eff\u2000-\u20cf"
_NOT_STABLE = re.compile(f"[^{_STABLE}]")
# In values joined by line breaks: a value (not the first) that starts outside the ranges.
_NOT_STABLE_AFTER_BREAK = re.compile(f"\n[^{_STABLE}]")


def starts_segment(text: str) -> bool:
    """Whether ``text`` is empty or starts with a character of the stable ranges."""
    return _NOT_STABLE.match(text) is None


def nfc_constants(template: jinja2.Template) -> bool:
    """Whether every string constant of ``template`` (its static text among them) is NFC and
    starts a normalisation segment."""
    return all(
        starts_segment(c) and unicodedata.is_normalized("NFC", c) for c in _constants(template)
    )


def nfc_values(values: list[str]) -> bool:
    """Whether ``values`` are NFC and each starts a normalisation segment, so that with
    :func:`nfc_constants` the rendered text is NFC without normalising it."""
    # Joined with line breaks: "\n" starts a segment, so the join is NFC iff each value is
    # (a line break inside a value only makes the check stricter).
    joined = "\n".join(values)
    return (
        starts_segment(joined)
        and _NOT_STABLE_AFTER_BREAK.search(joined) is None
        and unicodedata.is_normalized("NFC", joined)
    )


class _Unprovable(Exception):
    """The template uses what the proof does not follow."""


class _Skeleton:
    """Builds the skeleton of a syntax tree (see the module docstring)."""

    def __init__(self, env: jinja2.Environment) -> None:
        self.eval_ctx = EvalContext(env)
        self.parts: list[str] = []
        self.values = self.blocks = 0

    def body(self, body: list[nodes.Node]) -> None:
        for node in body:
            self.statement(node)

    def branch(self, body: list[nodes.Node]) -> None:
        self.parts.append(_OPEN)
        self.body(body)
        self.parts.append(_CLOSE)
        self.blocks += 1

    def statement(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    self.parts.append(child.data)
                    continue
                try:
                    child.as_const(self.eval_ctx)
                except Exception:  # evaluated when rendering: printed as an escaped value
                    self.parts.append(_VALUE)
                    self.values += 1
                else:  # folded into static text when compiling: not followed
                    raise _Unprovable
        elif isinstance(node, nodes.If):
            self.branch(node.body)
            for elif_ in node.elif_:
                self.branch(elif_.body)
            self.branch(node.else_)
        elif isinstance(node, nodes.For) and not node.recursive:
            self.branch(node.body)
            self.branch(node.else_)
        elif isinstance(node, nodes.With):
            self.body(node.body)  # rendered once, in place
        elif not isinstance(node, nodes.Assign):
            raise _Unprovable


class _Walk:
    """The expat handlers that check where the skeleton's markers fell."""

    def __init__(self, parser: Any, raw: bytes) -> None:
        self.parser, self.raw = parser, raw
        self.depth = 0
        self.open: list[int] = []  # the depth at each opening marker not yet closed
        self.values = self.blocks = 0
        self.cdata = False

    def start(self, name: str, attributes: list[str]) -> None:
        if _MARKERS.search(name):
            raise _Unprovable
        for i in range(0, len(attributes), 2):
            value = attributes[i + 1]
            if _MARKERS.search(attributes[i]) or _OPEN in value or _CLOSE in value:
                raise _Unprovable
            self.values += value.count(_VALUE)
        self.depth += 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.open and self.depth < self.open[-1]:
            raise _Unprovable  # a branch closes an element it did not open

    def at(self) -> int:
        index: int = self.parser.CurrentByteIndex
        return index

    def text(self, data: str) -> None:
        if ">" in data and self.raw[self.at() : self.at() + 1] != b"&":
            raise _Unprovable  # a raw ">" in content (a reference arrives alone, from "&")
        for marker in _MARKERS.findall(data):
            if self.cdata:
                raise _Unprovable
            if marker == _VALUE:
                self.values += 1
            elif marker == _OPEN:
                if self.depth < 1:
                    raise _Unprovable
                self.open.append(self.depth)
            elif not self.open or self.open.pop() != self.depth:
                raise _Unprovable
            else:
                self.blocks += 1

    def cdata_start(self) -> None:
        self.cdata = True

    def cdata_end(self) -> None:
        self.cdata = False

    def doctype(self, *args: Any) -> None:
        raise _Unprovable


def prove(env: jinja2.Environment, source: str | nodes.Template, prefix: str, suffix: str) -> bool:
    """Whether every rendering of the part ``prefix + source + suffix`` (``source`` compiled
    in ``env``, as text or as ``env.parse`` gave it) is well-formed XML once each printed
    value is plain text (module docstring). Never raises: what cannot be proved is simply
    parsed per document."""
    if not env.autoescape or env.finalize is not None:
        return False
    if _MARKERS.search(prefix) or _MARKERS.search(suffix):
        return False
    try:
        ast = env.parse(source) if isinstance(source, str) else source
        if any(_MARKERS.search(data.data) for data in ast.find_all(nodes.TemplateData)):
            return False  # the template holds a marker character itself
        skeleton = _Skeleton(env)
        skeleton.body(ast.body)
        raw = (prefix + "".join(skeleton.parts) + suffix).encode("utf-8")
        parser = expat.ParserCreate()
        walk = _Walk(parser, raw)
        parser.ordered_attributes = True
        parser.StartElementHandler = walk.start
        parser.EndElementHandler = walk.end
        parser.CharacterDataHandler = walk.text
        parser.StartCdataSectionHandler = walk.cdata_start
        parser.EndCdataSectionHandler = walk.cdata_end
        parser.StartDoctypeDeclHandler = walk.doctype
        parser.Parse(raw, True)
    except Exception:  # _Unprovable, a malformed skeleton, anything the parsers raise
        return False
    return (
        walk.depth == 0
        and not walk.open
        and walk.values == skeleton.values
        and walk.blocks == skeleton.blocks
    )
