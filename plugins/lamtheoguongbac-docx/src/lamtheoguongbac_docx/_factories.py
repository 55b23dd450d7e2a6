"""The exporters' factories and the template check, as the entry point registers them.

They import the renderer, docxtpl, python-docx, lxml and Jinja only when called: the
registry loads the entry-point module at every start of lamtheoguongbac, most runs never
render a document, and those libraries take a good part of a second to import.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from lamtheoguongbac.plugin import ExportOptions
    from lamtheoguongbac_docx._documents import ReportRenderer
    from lamtheoguongbac_docx._renderer import DocxRenderer

__all__ = [
    "check_template",
    "create_renderer",
    "create_report_renderer",
    "create_yearbook_renderer",
]


def create_renderer(options: ExportOptions) -> DocxRenderer:
    """The exporter's factory: a renderer for ``options.template`` (None: the default)."""
    from lamtheoguongbac_docx._renderer import DocxRenderer

    return DocxRenderer(options.template)


def create_yearbook_renderer(options: ExportOptions) -> DocxRenderer:
    """The ``docx-yearbook`` exporter's factory: ``options.template`` or the default one."""
    from lamtheoguongbac_docx._documents import YEARBOOK_TEMPLATE
    from lamtheoguongbac_docx._renderer import DocxRenderer

    return DocxRenderer(options.template or YEARBOOK_TEMPLATE)


def create_report_renderer(options: ExportOptions) -> ReportRenderer:
    """The ``docx-report`` exporter's factory: ``options.template`` or the default one."""
    from lamtheoguongbac_docx._documents import ReportRenderer

    return ReportRenderer(options.template)


def check_template(path: Path) -> list[str]:
    """Problems of the .docx template at ``path``, one bilingual line each; empty when fine.

    Never raises for a bad template: a file that cannot be read, is too large or not a safe
    .docx (a zip bomb), or has malformed XML is one problem line.
    """
    from lamtheoguongbac_docx import _check

    return _check.check_template(path)
