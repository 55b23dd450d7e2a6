"""What every export function returns, and the check of its first two arguments.

Every public function that writes a document has one shape (issue 9):
``f(dest, what, *, options…) -> ExportResult`` — the destination first, then what to export,
then keyword-only options.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs

from lamtheoguongbac._errors import ValidationFailed

__all__ = ["ARGUMENT_ORDER", "ExportResult", "destination_first"]

#: The code of the error raised when a function that writes a document gets its arguments in
#: another order (0.1's, for those that took what to export first).
ARGUMENT_ORDER = "LTGB-X001"


@attrs.frozen(kw_only=True)
class ExportResult:
    """What an export wrote (kết quả xuất văn bản): the one return type of every function
    that writes a document — handbooks, the yearbook, the summary report, workbooks.

    ``written`` holds the files written, in input order: one per handbook for a folder
    export of handbooks, else the one document (the zip, the merged document, the yearbook,
    the report, the workbook — also :attr:`path`). ``skipped`` counts the handbooks
    ``resume=True`` found already written (folder exports; 0 otherwise). ``notes`` are the
    renderer's warnings, such as a template falling back to a slower path.

    Example:
        >>> from pathlib import Path
        >>> from lamtheoguongbac.export import ExportResult
        >>> result = ExportResult(written=[Path("so-tay.zip")], skipped=2)
        >>> result.path.name, result.skipped, result.notes
        ('so-tay.zip', 2, ())
    """

    written: Sequence[Path] = ()
    skipped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        """The one document written — by a single-document export (yearbook, report,
        workbook) or a handbook export in ``"zip"`` or ``"merged"`` mode.

        Raises:
            ValidationFailed: the export wrote no file or several (a folder export: read
                :attr:`written`).
        """
        if len(self.written) != 1:
            raise ValidationFailed(
                f"lần xuất này ghi {len(self.written)} tệp, không phải một: xem written",
                f"this export wrote {len(self.written)} files, not one: read written",
                field="ExportResult.path",
            )
        return self.written[0]


def destination_first(usage: str, dest: object, what: object = None, what_name: str = "") -> Path:
    """``dest`` as a path, refusing a call whose arguments are in another order (0.1 put
    what to export first) with a message that shows the right one, ``usage``.

    Args:
        usage: how the function is called, e.g. ``"export_handbooks(dest, handbooks, …)"``.
        dest: what the caller passed as the destination.
        what: what the caller passed as what to export (None for a function without one).
        what_name: the name of that parameter, for the error's field.

    Raises:
        ValidationFailed: ``dest`` is not a path (code :data:`ARGUMENT_ORDER`, field
            ``dest``), or ``what`` is a path (field ``what_name``).
    """
    if not isinstance(dest, str | os.PathLike):
        raise ValidationFailed(
            f"cần đường dẫn của tệp hoặc thư mục để ghi, không phải {type(dest).__name__}; "
            f"nơi ghi đứng trước: {usage}",
            f"expected the path of the file or folder to write, not {type(dest).__name__}; "
            f"the destination comes first: {usage}",
            field="dest",
            code=ARGUMENT_ORDER,
        )
    if isinstance(what, str | os.PathLike):
        raise ValidationFailed(
            f"nhận được đường dẫn {os.fspath(what)!r} thay cho dữ liệu cần xuất; "
            f"nơi ghi đứng trước: {usage}",
            f"got the path {os.fspath(what)!r} instead of what to export; "
            f"the destination comes first: {usage}",
            field=what_name,
            code=ARGUMENT_ORDER,
        )
    return Path(dest)
