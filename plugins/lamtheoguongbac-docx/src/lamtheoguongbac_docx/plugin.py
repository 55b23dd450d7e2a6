"""The entry point of the Word exporter: registers ``docx`` with lamtheoguongbac, and
``docx-yearbook`` and ``docx-report`` for the yearbook and the committee's summary report."""

from __future__ import annotations

from collections.abc import Callable

from lamtheoguongbac import hookimpl
from lamtheoguongbac.plugin import Exporter
from lamtheoguongbac_docx._check import check_template
from lamtheoguongbac_docx._documents import create_report_renderer, create_yearbook_renderer
from lamtheoguongbac_docx._renderer import create_renderer

__all__ = ["register_exporters"]


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``docx`` exporter (xuất sổ tay ra tệp Word) and the yearbook and report
    exporters (``check_template`` checks handbook templates only, so they have none)."""
    register(
        Exporter(
            name="docx",
            suffix=".docx",
            create_renderer=create_renderer,
            check_template=check_template,
            description_vi="Sổ tay dạng Word (.docx) theo mẫu docxtpl",
            description_en="Word (.docx) handbooks from a docxtpl template",
        )
    )
    register(
        Exporter(
            name="docx-yearbook",
            suffix=".docx",
            create_renderer=create_yearbook_renderer,
            description_vi="Kỷ yếu gương điển hình dạng Word (.docx), lệnh 'yearbook'",
            description_en="The yearbook of exemplars as Word (.docx), command 'yearbook'",
        )
    )
    register(
        Exporter(
            name="docx-report",
            suffix=".docx",
            create_renderer=create_report_renderer,
            description_vi="Báo cáo tổng hợp gửi cấp ủy dạng Word (.docx), lệnh 'report'",
            description_en="The committee's summary report as Word (.docx), command 'report'",
        )
    )
