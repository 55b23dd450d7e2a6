"""openpyxl is an optional extra: import it only when a workbook is touched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtheoguongbac._errors import LamTheoGuongBacError
from lamtheoguongbac._fsutil import atomic_write

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = [
    "FORMULA_TRIGGERS",
    "XlsxUnavailable",
    "neutralise",
    "require_openpyxl",
    "restore",
    "save_atomic",
    "text_cell",
]

#: The first characters that make a spreadsheet program read a cell as a formula (OWASP
#: "CSV injection"): ``=``, ``+``, ``-``, ``@``, tab and carriage return.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(value: str) -> bool:
    # Leading quotes are looked through so that the mark stays reversible: a value that
    # itself starts with "'=" is written "''=" and read back as "'=".
    rest = value.lstrip("'")
    return rest[:1] in FORMULA_TRIGGERS and rest != ""


def neutralise(value: str) -> str:
    """``value`` as a workbook cell must hold it: text a spreadsheet would take for a formula
    (``=HYPERLINK(…)``, ``+1``, ``-2+3``, ``@SUM(…)``, a leading tab or CR) gets a single
    quote in front, as OWASP recommends; :func:`restore` takes it off again."""
    return "'" + value if _needs_quote(value) else value


def restore(value: str) -> str:
    """The text :func:`neutralise` was given: one leading quote of a neutralised value is
    dropped, anything else is returned as it is (``restore(neutralise(v)) == v``)."""
    return value[1:] if value.startswith("'") and _needs_quote(value) else value


class XlsxUnavailable(LamTheoGuongBacError):
    """openpyxl, which reads and writes Excel workbooks, is not installed (thiếu phần hỗ trợ
    Excel).

    Example:
        >>> from lamtheoguongbac import LamTheoGuongBacError
        >>> from lamtheoguongbac.spreadsheet import XlsxUnavailable
        >>> error = XlsxUnavailable()
        >>> isinstance(error, LamTheoGuongBacError), error.message("en")[:54]
        (True, 'Excel support is not installed; run in a checkout: pip')
    """

    def __init__(self) -> None:
        super().__init__(
            "Chưa cài phần hỗ trợ tệp Excel; hãy chạy trong thư mục mã nguồn: "
            'pip install ".[xlsx]", hoặc từ thư mục do make dist tạo: '
            'pip install --no-index --find-links dist "lamtheoguongbac[xlsx]"',
            'Excel support is not installed; run in a checkout: pip install ".[xlsx]", or from '
            "the folder make dist builds: "
            'pip install --no-index --find-links dist "lamtheoguongbac[xlsx]"',
        )


def require_openpyxl() -> None:
    """Raise :class:`XlsxUnavailable` unless openpyxl can be imported."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise XlsxUnavailable() from exc


def text_cell(cell: Any, value: str) -> None:
    """Write ``value`` into the openpyxl ``cell`` as text, never as a formula: neutralised
    (:func:`neutralise`), typed as a string (openpyxl would make any text starting with
    ``=`` a formula) and marked "quote prefix", so editing the cell in Excel keeps it text."""
    cell.value = neutralise(value)
    cell.data_type = "s"
    if cell.value != value:
        cell.quotePrefix = True


def save_atomic(workbook: Workbook, path: Path) -> None:
    """Save ``workbook`` to ``path`` whole or not at all, fsync-ed, with a new file's
    permissions (:func:`lamtheoguongbac._fsutil.atomic_write`)."""
    atomic_write(Path(path), workbook.save)
