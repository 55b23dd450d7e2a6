"""The entry point of the Word exporter: registers ``docx`` (kind ``handbook``) with
lamtheoguongbac, and ``docx-yearbook`` (kind ``yearbook``) and ``docx-report`` (kind
``report``) for the yearbook and the committee's summary report. The core picks them by
kind, never by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac import hookimpl
from lamtheoguongbac_docx._factories import (
    check_template,
    create_renderer,
    create_report_renderer,
    create_yearbook_renderer,
)

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import Exporter

__all__ = ["register_exporters"]


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``docx`` exporter (xuất sổ tay ra tệp Word) and the yearbook and report
    exporters (``check_template`` checks handbook templates only, so they have none).

    All three take the same settings, the render limits of a document: ``time_limit``
    (seconds) and ``max_output`` (characters of XML), each bounded (see
    :mod:`lamtheoguongbac_docx._settings`)."""
    # Imported when the registry asks, not when it loads this module (start-up time).
    from lamtheoguongbac.plugin import DocumentKind, Exporter, settings_validator
    from lamtheoguongbac_docx._settings import max_output, time_limit

    # The template says everything else; the limits are the one thing a user may tune.
    limits = settings_validator(time_limit=time_limit, max_output=max_output)

    register(
        Exporter(
            name="docx",
            suffix=".docx",
            kind=DocumentKind.HANDBOOK,
            validate_settings=limits,
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
            kind=DocumentKind.YEARBOOK,
            validate_settings=limits,
            create_renderer=create_yearbook_renderer,
            description_vi="Kỷ yếu gương điển hình dạng Word (.docx), lệnh 'yearbook'",
            description_en="The yearbook of exemplars as Word (.docx), command 'yearbook'",
        )
    )
    register(
        Exporter(
            name="docx-report",
            suffix=".docx",
            kind=DocumentKind.REPORT,
            validate_settings=limits,
            create_renderer=create_report_renderer,
            description_vi="Báo cáo tổng hợp gửi cấp ủy dạng Word (.docx), lệnh 'report'",
            description_en="The committee's summary report as Word (.docx), command 'report'",
        )
    )
