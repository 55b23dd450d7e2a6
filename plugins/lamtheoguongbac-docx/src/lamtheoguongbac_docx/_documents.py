"""The yearbook and the committee report as Word documents (kỷ yếu, báo cáo tổng hợp).

Two more exporters besides ``docx``, each with its default template: ``docx-yearbook``
renders the yearbook context (:mod:`lamtheoguongbac.export._yearbook`) and ``docx-report``
the report context (:mod:`lamtheoguongbac.export._report`), through the same sandboxed,
compiled-once :class:`~lamtheoguongbac_docx.DocxRenderer`. The report renderer then draws
the context's charts as native Word charts (:func:`~lamtheoguongbac_docx._chart.insert_charts`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from lamtheoguongbac import TemplateError
from lamtheoguongbac_docx._chart import insert_charts
from lamtheoguongbac_docx._renderer import DocxRenderer

__all__ = [
    "REPORT_TEMPLATE",
    "YEARBOOK_TEMPLATE",
    "ReportRenderer",
]

_TEMPLATES = resources.files("lamtheoguongbac_docx") / "templates"
#: The default yearbook template: cover, contents with page numbers, a page per exemplar.
YEARBOOK_TEMPLATE = Path(str(_TEMPLATES / "ky-yeu-guong-dien-hinh.docx"))
#: The default report template: figures per cell, ratings with their chart, the cap check.
REPORT_TEMPLATE = Path(str(_TEMPLATES / "bao-cao-tong-hop.docx"))


class ReportRenderer:
    """Renders report contexts: the template through :class:`DocxRenderer`, then each chart
    of the context's ``charts`` where the template printed its placeholder.

    Raises:
        TemplateError: the template cannot be read, is refused or damaged (as for
            :class:`DocxRenderer`), or has a syntax error.
    """

    def __init__(self, template: Path | None = None) -> None:
        self._docx = DocxRenderer(template or REPORT_TEMPLATE)
        self.template = self._docx.template

    def render(self, context: Mapping[str, Any]) -> bytes:
        """One .docx report for ``context``, its charts drawn.

        Raises:
            TemplateError: the template failed on this context, or a chart is not shaped as
                documented.
        """
        data = self._docx.render(context)
        charts = context.get("charts", {})
        if not isinstance(charts, Mapping):
            raise TemplateError(
                "'charts' trong dữ liệu phải là một từ điển tên → biểu đồ",
                "'charts' in the context must map names to charts",
            )
        return insert_charts(data, charts) if charts else data

    def merge(self, documents: Sequence[bytes]) -> bytes:
        """Not supported: reports are written one at a time.

        Raises:
            TemplateError: always.
        """
        raise TemplateError(
            "Không gộp được các báo cáo tổng hợp (có biểu đồ) thành một tệp",
            "summary reports (with charts) cannot be merged into one file",
        )
