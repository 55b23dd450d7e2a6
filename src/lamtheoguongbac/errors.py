"""The one exception hierarchy of lamtheoguongbac.

Every error the library raises on purpose derives from :class:`LamTheoGuongBacError` and
carries its message twice: in Vietnamese (``message_vi``, shown first) and in English
(``message_en``). ``str(error)`` gives ``"<vi> / <en>"``.

::

    LamTheoGuongBacError
    ├── ValidationFailed        bad input to a constructor, the JSON loader or an importer
    │   └── ImportFailed        a roster or workbook file with bad rows (file/row/column)
    ├── RulesViolated           a transition refused because rules found errors
    ├── TransitionNotAllowed    the lifecycle does not allow this step from this status
    ├── NotAuthorised           the actor may not do this (e.g. record the assessment)
    ├── NotFound                no such handbook, member or unit in the store
    ├── ConflictError           a stale write: the handbook changed since it was read
    ├── StoreError              the store file is corrupt, foreign or unreadable
    ├── PluginError             a plugin failed to load, registered badly or raised
    ├── TemplateError           a document template is invalid or failed to render
    ├── PdfConversionError      LibreOffice is missing or failed (lamtheoguongbac.export)
    └── XlsxUnavailable         openpyxl is not installed (lamtheoguongbac.spreadsheet)

The last two live beside the optional features that raise them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lamtheoguongbac.rules.base import Violation

__all__ = [
    "ConflictError",
    "ImportFailed",
    "LamTheoGuongBacError",
    "NotAuthorised",
    "NotFound",
    "PluginError",
    "RulesViolated",
    "StoreError",
    "TemplateError",
    "TransitionNotAllowed",
    "ValidationFailed",
]


class LamTheoGuongBacError(Exception):
    """Base of every error raised by lamtheoguongbac (lỗi của thư viện)."""

    def __init__(self, message_vi: str, message_en: str, *, code: str | None = None) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code
        super().__init__(f"{message_vi} / {message_en}")

    def message(self, lang: str = "vi") -> str:
        """The message in one language: ``"vi"`` (default) or ``"en"``."""
        return self.message_en if lang == "en" else self.message_vi


class ValidationFailed(LamTheoGuongBacError, ValueError):
    """Input that cannot make a valid value; ``field`` names where (dữ liệu không hợp lệ).

    ``field`` is a dotted attribute name (``"Pledge.deed"``) for constructors or a JSON path
    (``"$.pledges[2].target.amount"``) for the loader. ``errors`` lists every problem found
    when there are several, each already naming its own field.
    """

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        field: str | None = None,
        errors: Sequence[str] = (),
        code: str | None = None,
    ) -> None:
        self.field = field
        self.errors = tuple(errors)
        #: the messages without the field prefix
        self.reason_vi, self.reason_en = message_vi, message_en
        if field:
            message_vi = f"{field}: {message_vi}"
            message_en = f"{field}: {message_en}"
        super().__init__(message_vi, message_en, code=code)


class ImportFailed(ValidationFailed):
    """A file could not be imported; each entry of ``problems`` names file, row and column.

    Nothing is imported when this is raised (nhập dữ liệu thất bại, không ghi gì).
    """

    def __init__(self, source: str, problems: Sequence[str]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listing = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(
            f"Không nhập được tệp {source} ({len(self.problems)} lỗi, không dữ liệu nào được ghi):"
            f"\n{listing}\n",
            f"Could not import {source} ({len(self.problems)} problems, nothing was written):"
            f"\n{listing}\n",
            errors=self.problems,
        )


class RulesViolated(LamTheoGuongBacError):
    """A step refused because one or more rules found errors (vi phạm quy định)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        vi = "; ".join(f"[{v.code}] {v.path}: {v.message_vi}" for v in self.violations)
        en = "; ".join(f"[{v.code}] {v.path}: {v.message_en}" for v in self.violations)
        first = self.violations[0].code if self.violations else None
        super().__init__(f"Không đạt quy định: {vi}", f"Rules not met: {en}", code=first)


class TransitionNotAllowed(LamTheoGuongBacError):
    """The lifecycle does not allow this step from the handbook's status."""


class NotAuthorised(LamTheoGuongBacError, PermissionError):
    """The actor may not take this step (không có thẩm quyền)."""


class NotFound(LamTheoGuongBacError, LookupError):
    """No such handbook, member or organisation unit (không tìm thấy)."""


class ConflictError(LamTheoGuongBacError):
    """A stale write: the handbook's version changed since it was read (xung đột phiên bản).

    The write was refused and nothing was overwritten; read the handbook again and retry.
    """


class StoreError(LamTheoGuongBacError):
    """The store cannot be opened or read: corrupt, foreign or too new (lỗi kho dữ liệu)."""


class PluginError(LamTheoGuongBacError):
    """A plugin failed to import, registered something invalid, or raised (lỗi plugin)."""


class TemplateError(LamTheoGuongBacError):
    """A document template is invalid or failed to render (lỗi mẫu văn bản)."""
