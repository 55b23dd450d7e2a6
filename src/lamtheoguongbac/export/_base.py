"""The exporter protocol: how a plugin turns handbooks into documents (xuất văn bản).

An exporter plugin registers an :class:`Exporter` through the ``register_exporters`` hook.
The core does everything around rendering — choosing handbooks, file names that cannot
escape their folder, atomic writes, resume, zip, worker processes, progress — and asks the
exporter only for bytes: ``create_renderer(options)`` is called once per process (so a
template is compiled once), then ``renderer.render(context)`` once per handbook with the
documented template context (:mod:`lamtheoguongbac.export._context`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

__all__ = ["ExportOptions", "Exporter", "Renderer"]


@attrs.frozen(kw_only=True)
class ExportOptions:
    """What the user chose for an export: a template file (None: the exporter's default)
    and exporter-specific settings."""

    template: Path | None = None
    settings: Mapping[str, Any] = attrs.field(factory=dict)


class Renderer(Protocol):
    """Renders template contexts to document bytes; made once per process."""

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One document for one handbook's context."""

    def merge(self, documents: Sequence[bytes]) -> bytes:
        """Many rendered documents as one (for ``--merged``); may raise ``TemplateError``
        when the format cannot be merged."""


@attrs.frozen(kw_only=True)
class Exporter:
    """An exporter's registration: a ``name`` (``"docx"``), the file ``suffix`` it writes
    (``".docx"``), and the factory of its :class:`Renderer`.

    ``create_renderer`` must be importable by worker processes: it is looked up again by
    ``name`` in each worker, so register the exporter from a module-level hook.
    ``check_template`` (optional) reports problems of a user template as bilingual lines.
    """

    name: str
    suffix: str
    create_renderer: Callable[[ExportOptions], Renderer] = attrs.field(eq=False)
    description_vi: str = ""
    description_en: str = ""
    check_template: Callable[[Path], list[str]] | None = attrs.field(default=None, eq=False)
