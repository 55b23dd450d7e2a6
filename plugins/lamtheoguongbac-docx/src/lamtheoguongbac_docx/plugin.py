"""The entry point of the Word exporter: registers ``docx`` with lamtheoguongbac."""

from __future__ import annotations

from collections.abc import Callable

from lamtheoguongbac.export.base import Exporter
from lamtheoguongbac.hookspecs import hookimpl
from lamtheoguongbac_docx._check import check_template
from lamtheoguongbac_docx._renderer import create_renderer

__all__ = ["register_exporters"]


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``docx`` exporter (xuất sổ tay ra tệp Word)."""
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
