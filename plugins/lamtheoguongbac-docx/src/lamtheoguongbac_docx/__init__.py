"""Word (.docx) handbooks for lamtheoguongbac (xuất sổ tay ra tệp Word).

Installing this distribution registers the ``docx`` exporter through the ``lamtheoguongbac``
entry-point group, and ``docx-yearbook`` and ``docx-report`` for the yearbook of exemplars
and the committee's summary report (with a native Word chart). Templates are docxtpl
templates rendered in a sandboxed, autoescaped Jinja environment and compiled once per
process; see :class:`DocxRenderer`. The context every
template sees is documented in :mod:`lamtheoguongbac.export._context`.
"""

from lamtheoguongbac_docx._chart import insert_charts
from lamtheoguongbac_docx._check import check_template, sample_context
from lamtheoguongbac_docx._documents import (
    REPORT_TEMPLATE,
    YEARBOOK_TEMPLATE,
    ReportRenderer,
    create_report_renderer,
    create_yearbook_renderer,
)
from lamtheoguongbac_docx._engine import FallbackWarning, make_environment
from lamtheoguongbac_docx._renderer import DEFAULT_TEMPLATE, DocxRenderer, create_renderer

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
