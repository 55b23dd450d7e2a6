"""The Word renderer behind the ``docx`` exporter (bộ xuất sổ tay ra tệp Word)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from docx import Document
from docxcompose.composer import Composer  # type: ignore[import-untyped]

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx._engine import (
    CompiledDocx,
    context_fallback,
    make_environment,
    read_template,
    render_with_docxtpl,
    warn_fallback,
)

__all__ = ["DEFAULT_TEMPLATE", "DocxRenderer"]

#: The handbook template shipped with the plugin (A4, Times New Roman, Hướng dẫn 36-HD/VPTW).
DEFAULT_TEMPLATE = Path(
    str(resources.files("lamtheoguongbac_docx") / "templates" / "so-tay-lam-theo-guong-bac.docx")
)


class DocxRenderer:
    """Renders template contexts into .docx bytes; compile once, render many.

    Rendering is sandboxed, autoescaped and strict (see :func:`make_environment`). The
    template is compiled for the fast path when the renderer is made; what the fast path does
    not handle goes through plain docxtpl with a ``FallbackWarning``, and
    ``fallback_reason`` says why (``uses_fallback`` is then true).

    The template is a file from a user: it is refused before anything is inflated when it
    breaks the archive limits of :mod:`lamtheoguongbac._fsutil` (a zip bomb, a file over
    20 MB), and when a part is over ``MAX_PART_SIZE`` or the template holds more than
    ``MAX_TEMPLATE_TAGS`` tags (:mod:`lamtheoguongbac_docx._engine`).

    Raises:
        TemplateError: the template cannot be read, is refused, is damaged or has malformed
            XML (naming the file and the part), or has a Jinja syntax error.
    """

    def __init__(self, template: Path | None = None) -> None:
        self.template = DEFAULT_TEMPLATE if template is None else Path(template)
        self._data = read_template(self.template)
        self._env = make_environment()
        self._compiled = CompiledDocx(self._data, name=self.template.name, env=self._env)
        self.fallback_reason: str | None = None
        if self._compiled.fallback_reason is not None:
            self._note(self._compiled.fallback_reason)

    @property
    def uses_fallback(self) -> bool:
        """Whether any document of this renderer went (or will go) through plain docxtpl."""
        return self.fallback_reason is not None

    def _note(self, reason: str) -> None:
        if reason != self.fallback_reason:
            self.fallback_reason = reason
            warn_fallback(reason, self.template.name)

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One .docx document for ``context``.

        Raises:
            TemplateError: the template failed on this context.
        """
        if self._compiled.fallback_reason is None:
            reason = context_fallback(context)
            if reason is None:
                return self._compiled.render(context)
            self._note(reason)
        return render_with_docxtpl(self._data, context, self._env, name=self.template.name)

    def merge(self, documents: Sequence[bytes]) -> bytes:
        """One .docx holding ``documents`` in order, each starting on a new page.

        Raises:
            TemplateError: there is nothing to merge.
        """
        if not documents:
            raise TemplateError("Không có văn bản nào để gộp", "there are no documents to merge")
        composer = Composer(Document(io.BytesIO(documents[0])))
        for data in documents[1:]:
            composer.doc.add_page_break()
            composer.append(Document(io.BytesIO(data)))
        out = io.BytesIO()
        composer.save(out)
        return out.getvalue()
