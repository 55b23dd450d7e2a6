"""openpyxl is an optional extra: import it only when a workbook is touched."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lamtheoguongbac._errors import LamTheoGuongBacError
from lamtheoguongbac._fsutil import atomic_write

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["XlsxUnavailable", "require_openpyxl", "save_atomic"]


class XlsxUnavailable(LamTheoGuongBacError):
    """openpyxl, which reads and writes Excel workbooks, is not installed (thiếu phần hỗ trợ
    Excel)."""

    def __init__(self) -> None:
        super().__init__(
            'Chưa cài phần hỗ trợ tệp Excel; hãy chạy: pip install "lamtheoguongbac[xlsx]"',
            'Excel support is not installed; run: pip install "lamtheoguongbac[xlsx]"',
        )


def require_openpyxl() -> None:
    """Raise :class:`XlsxUnavailable` unless openpyxl can be imported."""
    try:
        import openpyxl  # noqa: F401
    except ImportError as exc:
        raise XlsxUnavailable() from exc


def save_atomic(workbook: Workbook, path: Path) -> None:
    """Save ``workbook`` to ``path`` whole or not at all, fsync-ed, with a new file's
    permissions (:func:`lamtheoguongbac._fsutil.atomic_write`)."""
    atomic_write(Path(path), workbook.save)
