"""Check a user's .docx template before exporting (kiểm tra mẫu văn bản).

Each templated part is patched and compiled exactly as for rendering; problems come back as
lines "<Vietnamese> / <English>" naming the part and the paragraph: Jinja syntax errors,
names that are not in the documented context (:mod:`lamtheoguongbac.export._context`) —
including misspelt keys such as ``member.fullname`` and keys of loop variables such as
``p.dead`` in ``{% for p in pledges %}`` — and, when nothing else is wrong, errors of a
trial render with a sample context (unsafe operations, wrong types).

A file that is not a safe, well-formed .docx (too large, a zip bomb, damaged, malformed XML)
is one problem line too: the checker never raises for a bad template.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate  # type: ignore[import-untyped]
from jinja2 import meta, nodes
from lxml import etree  # type: ignore[import-untyped]

from lamtheoguongbac import TemplateError
from lamtheoguongbac.plugin import CONTEXT_SCHEMA, Schema
from lamtheoguongbac_docx._engine import (
    CompiledDocx,
    by_paragraph,
    has_tags,
    load,
    make_environment,
    paragraph_at,
    prepare,
    read_template,
    too_deep,
)

__all__ = ["check_template", "sample_context"]

_UNKNOWN: Any = object()  # the shape of a value the checker cannot follow


def _part_label(part: str) -> tuple[str, str]:
    file = part.rsplit("/", 1)[-1]
    if file.startswith("header"):
        return f"đầu trang ({file})", f"header ({file})"
    if file.startswith("footer"):
        return f"chân trang ({file})", f"footer ({file})"
    if file.startswith("footnotes"):
        return "chú thích", "footnotes"
    return "thân văn bản", "document body"


def _problem(part: str, source: str, lineno: int | None, vi: str, en: str) -> str:
    part_vi, part_en = _part_label(part)
    where = paragraph_at(source, lineno)
    at_vi = f", đoạn «{where}»" if where else ""
    at_en = f", paragraph «{where}»" if where else ""
    return f"{part_vi}{at_vi}: {vi} / {part_en}{at_en}: {en}"


def _chain(node: nodes.Node) -> tuple[nodes.Name, list[str | int]] | None:
    """``a.b[0].c`` as (Name a, ["b", 0, "c"]); None when the chain is not static."""
    path: list[str | int] = []
    while True:
        if isinstance(node, nodes.Getattr):
            path.append(node.attr)
            node = node.node
        elif (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and (isinstance(node.arg.value, str | int))
        ):
            path.append(node.arg.value)
            node = node.node
        elif isinstance(node, nodes.Name):
            return node, path[::-1]
        else:
            return None


def _hint(wrong: str, shape: dict[str, Schema]) -> tuple[str, str]:
    close = difflib.get_close_matches(wrong, list(shape), n=1)
    if not close:
        return "", ""
    return f" (ý bạn là '{close[0]}'?)", f" (did you mean '{close[0]}'?)"


class _Names:
    """Walks a template's AST with the shapes of the names in scope."""

    def __init__(self, part: str, source: str) -> None:
        self.part = part
        self.source = source
        self.problems: list[str] = []

    def visit(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            self.visit(node.iter, scope)
            inner = dict(scope)
            shape = self.shape(node.iter, scope)
            self.bind(node.target, shape[0] if isinstance(shape, list) else _UNKNOWN, inner)
            inner["loop"] = _UNKNOWN
            for child in (*node.body, *([node.test] if node.test else [])):
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self.visit(node.node, scope)
            self.bind(node.target, self.shape(node.node, scope), scope)
            return
        if isinstance(node, nodes.Macro | nodes.CallBlock | nodes.With | nodes.AssignBlock):
            # Their own names (arguments, targets) hide context names: do not follow them.
            inner = dict(scope)
            for target in node.find_all(nodes.Name):
                if target.ctx in ("store", "param"):
                    inner[target.name] = _UNKNOWN
            for child in node.iter_child_nodes():
                self.visit(child, inner)
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            chain = _chain(node)
            if chain is not None:
                self.shape(node, scope)
                return
        for child in node.iter_child_nodes():
            self.visit(child, scope)

    def bind(self, target: nodes.Node, shape: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        else:  # tuple unpacking: the parts' shapes are not followed
            for name in target.find_all(nodes.Name):
                scope[name.name] = _UNKNOWN

    def shape(self, node: nodes.Node, scope: dict[str, Any]) -> Any:
        """The shape of ``node``'s value, reporting unknown keys on the way."""
        chain = _chain(node)
        if chain is None:
            for child in node.iter_child_nodes():
                self.visit(child, scope)
            return _UNKNOWN
        name, path = chain
        shape: Any = (
            scope[name.name] if name.name in scope else CONTEXT_SCHEMA.get(name.name, _UNKNOWN)
        )
        walked = name.name
        for step in path:
            if isinstance(shape, dict) and isinstance(step, str) and step in shape:
                shape = shape[step]
            elif isinstance(shape, list) and isinstance(step, int):
                shape = shape[0]
            elif shape is _UNKNOWN or (
                isinstance(step, str) and hasattr(list if isinstance(shape, list) else
                                                  dict if isinstance(shape, dict) else shape, step)
            ):  # fmt: skip
                return _UNKNOWN  # a method (.items, .upper, …) or a shape not followed
            else:
                hint_vi, hint_en = _hint(str(step), shape if isinstance(shape, dict) else {})
                self.problems.append(
                    _problem(
                        self.part,
                        self.source,
                        node.lineno,
                        f"'{walked}' không có khóa '{step}'{hint_vi}",
                        f"'{walked}' has no key '{step}'{hint_en}",
                    )
                )
                return _UNKNOWN
            walked += f".{step}" if isinstance(step, str) else f"[{step}]"
        return shape


def _first_use(ast: nodes.Template, name: str) -> int | None:
    for node in ast.find_all(nodes.Name):
        if node.name == name and node.ctx == "load":
            return node.lineno
    return None


def _check_part(env: jinja2.Environment, part: str, source: str) -> Iterator[str]:
    try:
        ast = env.parse(source)
        env.compile(ast)  # unknown filters and tests are found when compiling
    except jinja2.TemplateSyntaxError as exc:
        yield _problem(
            part, source, exc.lineno, f"lỗi cú pháp: {exc.message}", f"syntax error: {exc.message}"
        )
        return
    except RecursionError:
        yield str(too_deep(part))
        return
    known = set(CONTEXT_SCHEMA) | set(env.globals)
    for name in sorted(meta.find_undeclared_variables(ast) - known):
        close = difflib.get_close_matches(name, list(CONTEXT_SCHEMA), n=1)
        hint_vi = f" (ý bạn là '{close[0]}'?)" if close else ""
        hint_en = f" (did you mean '{close[0]}'?)" if close else ""
        yield _problem(
            part,
            source,
            _first_use(ast, name),
            f"tên '{name}' không có trong dữ liệu mẫu{hint_vi}",
            f"'{name}' is not in the template context{hint_en}",
        )
    walker = _Names(part, source)
    walker.visit(ast, {})
    yield from walker.problems


def sample_context(schema: Schema = CONTEXT_SCHEMA) -> Any:
    """A context of the documented shape with placeholder values (one item per list)."""
    if isinstance(schema, dict):
        return {k: sample_context(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [sample_context(schema[0])]
    return 1 if schema is int else "…"


def check_template(path: Path) -> list[str]:
    """Problems of the .docx template at ``path``, one bilingual line each; empty when fine.

    Never raises for a bad template: a file that cannot be read, is too large or not a safe
    .docx (a zip bomb), or has malformed XML is one problem line.
    """
    path = Path(path)
    try:
        return _check(path)
    except TemplateError as exc:
        return [str(exc)]
    except (ValueError, LookupError, AttributeError, TypeError, etree.LxmlError) as exc:
        # A malformation the parsers above let through and a library below trips over:
        # still a problem of this template, told as one line.
        return [
            f"Không kiểm tra được mẫu {path.name}: {type(exc).__name__}: {exc} / "
            f"cannot check template {path.name}: {type(exc).__name__}: {exc}"
        ]


def _check(path: Path) -> list[str]:
    data = read_template(path)
    loaded = load(data, path.name)
    env = make_environment()
    helper = DocxTemplate(io.BytesIO(data))
    problems: list[str] = []
    for s in loaded.sources:
        if has_tags(s.xml):
            problems.extend(_check_part(env, s.name, by_paragraph(prepare(helper, s.xml))))
    if not problems:
        CompiledDocx(data, name=path.name, env=env).render(sample_context())
    return problems
