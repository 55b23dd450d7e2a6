"""Exporting handbooks as documents (xuất văn bản): the exporter protocol, the template
context, batch export and PDF conversion.

The document formats themselves come from exporter plugins, each declaring the
:class:`DocumentKind` it renders; this package holds what every format shares and stays free
of their dependencies.

Every function that writes a document has one shape: ``f(dest, what, *, options…)``, the
destination first, returning an :class:`ExportResult` — :func:`export_handbooks`,
:func:`export_yearbook`, :func:`export_rollup_report`, :func:`convert_to_pdf` here, and the
workbook writers of :mod:`lamtheoguongbac.spreadsheet`.
"""

from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac.export._base import DocumentKind, Exporter, ExportOptions, Renderer
from lamtheoguongbac.export._batch import choose_jobs, export_handbooks, file_name
from lamtheoguongbac.export._committee import CommitteeHeading, committee_signer
from lamtheoguongbac.export._context import CONTEXT_SCHEMA, CONTEXT_VERSION, build_context
from lamtheoguongbac.export._dask import dask_executor
from lamtheoguongbac.export._pdf import PdfConversionError, convert_to_pdf, soffice_available
from lamtheoguongbac.export._report import (
    REPORT_CONTEXT_VERSION,
    REPORT_SCHEMA,
    build_report_context,
    export_rollup_report,
)
from lamtheoguongbac.export._result import ExportResult
from lamtheoguongbac.export._yearbook import (
    YEARBOOK_CONTEXT_VERSION,
    YEARBOOK_SCHEMA,
    build_yearbook_context,
    export_yearbook,
)

__all__ = [
    "CONTEXT_SCHEMA",
    "CONTEXT_VERSION",
    "REPORT_CONTEXT_VERSION",
    "REPORT_SCHEMA",
    "YEARBOOK_CONTEXT_VERSION",
    "YEARBOOK_SCHEMA",
    "CommitteeHeading",
    "DocumentKind",
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "PdfConversionError",
    "Renderer",
    "build_context",
    "build_report_context",
    "build_yearbook_context",
    "choose_jobs",
    "committee_signer",
    "convert_to_pdf",
    "dask_executor",
    "export_handbooks",
    "export_rollup_report",
    "export_yearbook",
    "file_name",
    "soffice_available",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
