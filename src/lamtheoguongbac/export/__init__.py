"""Exporting handbooks as documents (xuất văn bản): the exporter protocol, the template
context, batch export and PDF conversion.

The document formats themselves come from plugins (``lamtheoguongbac-docx`` registers
``docx``); this package holds what every format shares and stays free of their dependencies.
"""

from lamtheoguongbac.export.base import Exporter, ExportOptions, Renderer
from lamtheoguongbac.export.batch import ExportResult, export_handbooks, file_name
from lamtheoguongbac.export.context import CONTEXT_SCHEMA, CONTEXT_VERSION, build_context
from lamtheoguongbac.export.pdf import PdfConversionError, convert_to_pdf, soffice_available

__all__ = [
    "CONTEXT_SCHEMA",
    "CONTEXT_VERSION",
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "PdfConversionError",
    "Renderer",
    "build_context",
    "convert_to_pdf",
    "export_handbooks",
    "file_name",
    "soffice_available",
]
