"""Word (.docx) handbooks for lamtheoguongbac (xuất sổ tay ra tệp Word).

Installing this distribution registers the ``docx`` exporter through the ``lamtheoguongbac``
entry-point group, and ``docx-yearbook`` and ``docx-report`` for the yearbook of exemplars
and the committee's summary report (with a native Word chart). Templates are docxtpl
templates rendered in a sandboxed, autoescaped Jinja environment and compiled once per
process; see :class:`DocxRenderer`. The context every
template sees is documented in :mod:`lamtheoguongbac.export._context`.
"""

from __future__ import annotations

import importlib

# Names resolve on first use: lamtheoguongbac loads this package (its entry point) at every
# start, and docxtpl, python-docx, lxml and Jinja are slow to import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lamtheoguongbac_docx._chart import insert_charts
    from lamtheoguongbac_docx._check import sample_context
    from lamtheoguongbac_docx._documents import REPORT_TEMPLATE, YEARBOOK_TEMPLATE, ReportRenderer
    from lamtheoguongbac_docx._engine import FallbackWarning, make_environment
    from lamtheoguongbac_docx._factories import (
        check_template,
        create_renderer,
        create_report_renderer,
        create_yearbook_renderer,
    )
    from lamtheoguongbac_docx._renderer import DEFAULT_TEMPLATE, DocxRenderer

_HOMES = {
    "DEFAULT_TEMPLATE": "_renderer",
    "DocxRenderer": "_renderer",
    "REPORT_TEMPLATE": "_documents",
    "YEARBOOK_TEMPLATE": "_documents",
    "ReportRenderer": "_documents",
    "FallbackWarning": "_engine",
    "make_environment": "_engine",
    "insert_charts": "_chart",
    "sample_context": "_check",
    "check_template": "_factories",
    "create_renderer": "_factories",
    "create_report_renderer": "_factories",
    "create_yearbook_renderer": "_factories",
}

__all__ = [
    "DEFAULT_TEMPLATE",
    "REPORT_TEMPLATE",
    "YEARBOOK_TEMPLATE",
    "DocxRenderer",
    "FallbackWarning",
    "ReportRenderer",
    "check_template",
    "create_renderer",
    "create_report_renderer",
    "create_yearbook_renderer",
    "insert_charts",
    "make_environment",
    "sample_context",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
