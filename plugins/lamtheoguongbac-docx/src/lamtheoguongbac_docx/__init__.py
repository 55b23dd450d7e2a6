"""Word (.docx) handbooks for lamtheoguongbac (xuất sổ tay ra tệp Word).

Installing this distribution registers the ``docx`` exporter through the ``lamtheoguongbac``
entry-point group. Templates are docxtpl templates rendered in a sandboxed, autoescaped Jinja
environment and compiled once per process; see :class:`DocxRenderer`. The context every
template sees is documented in :mod:`lamtheoguongbac.export.context`.
"""

from lamtheoguongbac_docx._check import check_template, sample_context
from lamtheoguongbac_docx._engine import FallbackWarning, make_environment
from lamtheoguongbac_docx._renderer import DEFAULT_TEMPLATE, DocxRenderer, create_renderer

__all__ = [
    "DEFAULT_TEMPLATE",
    "DocxRenderer",
    "FallbackWarning",
    "check_template",
    "create_renderer",
    "make_environment",
    "sample_context",
]
