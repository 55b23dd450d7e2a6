"""The one exception hierarchy of lamtheoguongbac (exported from the package root).

Every error the library raises on purpose derives from :class:`LamTheoGuongBacError` and
carries its message twice: in Vietnamese (``message_vi``, shown first) and in English
(``message_en``), and as records (:class:`Problem`: code, path, Vietnamese and English
text). ``str(error)`` gives ``"<vi> / <en>"``; ``error.message("en")`` only English.

::

    LamTheoGuongBacError
    ├── ValidationFailed        bad input to a constructor, the JSON loader or an importer
    │   ├── ImportFailed        a roster or workbook file with bad rows (file/row/column)
    │   └── UnsafeArchive       a .docx/.xlsx archive refused (lamtheoguongbac.plugin)
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

UnsafeArchive and the last two live beside the features that raise them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lamtheoguongbac.rules._base import Violation

__all__ = [
    "ConflictError",
    "ImportFailed",
    "LamTheoGuongBacError",
    "NotAuthorised",
    "NotFound",
    "PluginError",
    "Problem",
    "RulesViolated",
    "StoreError",
    "TemplateError",
    "TransitionNotAllowed",
    "ValidationFailed",
]

_LANGS = ("vi", "en")


class Problem:
    """One thing wrong, as a record (một lỗi): a stable ``code`` (or None), where it is,
    and the text in Vietnamese and in English.

    ``path`` says where for a program, the same in every language: a field like
    ``"Pledge.deed"``, a JSON path like ``"$.pledges[2].deed"`` (after the file name,
    ``"so-tay.json: $.pledges[2].deed"``), or a file's row and column as
    ``"<file>:<row>:<column header>"`` (``"dang-vien.csv:3:Họ và tên"``; ``"<file>:<row>"``
    for a whole row, ``"<file>"`` for the whole file). ``where_vi`` and ``where_en`` say the
    same for a person, in each language (``"dang-vien.csv, dòng 3, cột 'Họ và tên'"`` /
    ``"dang-vien.csv, row 3, column 'Họ và tên'"``); when not given they are ``path``.

    Immutable, comparable and picklable. :meth:`message` renders it in one language.

    Example:
        >>> from lamtheoguongbac import Problem
        >>> problem = Problem("không được để trống", "must not be blank", path="Pledge.deed")
        >>> problem.path, problem.text_en
        ('Pledge.deed', 'must not be blank')
        >>> cell = Problem(
        ...     "thiếu giá trị",
        ...     "a value is required",
        ...     path="dang-vien.csv:3:Họ và tên",
        ...     where_vi="dang-vien.csv, dòng 3, cột 'Họ và tên'",
        ...     where_en="dang-vien.csv, row 3, column 'Họ và tên'",
        ... )
        >>> print(cell.message("en"))
        dang-vien.csv, row 3, column 'Họ và tên': a value is required
    """

    __slots__ = ("code", "path", "text_en", "text_vi", "where_en", "where_vi")

    code: str | None
    path: str | None
    text_vi: str
    text_en: str
    where_vi: str | None
    where_en: str | None

    def __init__(
        self,
        text_vi: str,
        text_en: str,
        *,
        path: str | None = None,
        code: str | None = None,
        where_vi: str | None = None,
        where_en: str | None = None,
    ) -> None:
        for name, value in (
            ("text_vi", text_vi),
            ("text_en", text_en),
            ("path", path),
            ("code", code),
            ("where_vi", where_vi if where_vi is not None else path),
            ("where_en", where_en if where_en is not None else path),
        ):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Problem is immutable: cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _problem,
            (self.text_vi, self.text_en, self.path, self.code, self.where_vi, self.where_en),
        )

    def _key(self) -> tuple[str | None, ...]:
        return (self.code, self.path, self.text_vi, self.text_en, self.where_vi, self.where_en)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Problem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Problem(code={self.code!r}, path={self.path!r}, text_vi={self.text_vi!r}, "
            f"text_en={self.text_en!r})"
        )

    def where(self, lang: str = "vi") -> str | None:
        """Where the problem is, for a person, in one language (``"vi"`` or ``"en"``)."""
        return self.where_en if lang == "en" else self.where_vi

    @classmethod
    def from_text(cls, text: str, *, path: str | None = None, code: str | None = None) -> Problem:
        """A problem from a ``"<vi> / <en>"`` line (either half alone is used for both)."""
        vi, sep, en = text.partition(" / ")
        return cls(vi, en if sep else vi, path=path, code=code)

    def message(self, lang: str = "vi") -> str:
        """The problem in one language (``"vi"`` or ``"en"``), with its path in front."""
        text = self.text_en if lang == "en" else self.text_vi
        where = self.where(lang)
        return f"{where}: {text}" if where else text


def _problem(
    text_vi: str,
    text_en: str,
    path: str | None,
    code: str | None,
    where_vi: str | None = None,
    where_en: str | None = None,
) -> Problem:
    return Problem(text_vi, text_en, path=path, code=code, where_vi=where_vi, where_en=where_en)


def _count(n: int, noun: str) -> str:
    """``"1 problem"``, ``"3 problems"``: English counts need the plural (Vietnamese not)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _as_problems(items: Iterable[str | Problem]) -> tuple[Problem, ...]:
    return tuple(p if isinstance(p, Problem) else Problem.from_text(p) for p in items)


def _restore(cls: type[LamTheoGuongBacError], state: dict[str, Any]) -> LamTheoGuongBacError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, f"{state['message_vi']} / {state['message_en']}")
    return error


class LamTheoGuongBacError(Exception):
    """Base of every error raised by lamtheoguongbac (lỗi của thư viện).

    ``problems`` holds the records (:class:`Problem`) — one, or one per thing found wrong;
    ``message(lang)`` renders them in Vietnamese (default) or English; ``str(error)`` is
    ``"<vi> / <en>"``. Every error pickles and unpickles intact (export workers send them
    between processes).

    Example:
        >>> from lamtheoguongbac import Handbooks, LamTheoGuongBacError
        >>> try:
        ...     with Handbooks.open("memory:") as service:
        ...         service.get("khong-co-2025")
        ... except LamTheoGuongBacError as error:
        ...     print(type(error).__name__, error.code)
        ...     print(error.message("en"))
        ...
        NotFound None
        no handbook 'khong-co-2025' in memory:
    """

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        code: str | None = None,
        problems: Iterable[str | Problem] = (),
    ) -> None:
        self.message_vi = message_vi
        self.message_en = message_en
        self.code = code
        self.problems = _as_problems(problems) or (Problem(message_vi, message_en, code=code),)
        super().__init__(f"{message_vi} / {message_en}")

    def message(self, lang: str = "vi") -> str:
        """The message in one language: ``"vi"`` (default) or ``"en"``."""
        return self.message_en if lang == "en" else self.message_vi

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))


class ValidationFailed(LamTheoGuongBacError, ValueError):
    """Input that cannot make a valid value; ``field`` names where (dữ liệu không hợp lệ).

    ``field`` is a dotted attribute name (``"Pledge.deed"``) for constructors or a JSON path
    (``"$.pledges[2].target.amount"``) for the loader. ``problems`` lists every problem found
    when there are several, each naming its own field; ``errors`` is the same list as
    ``"<vi> / <en>"`` lines.

    Example:
        >>> from lamtheoguongbac import Member, ValidationFailed
        >>> try:
        ...     Member(id="dv05", full_name="   ", cell_id="cb-vanphong")
        ... except ValidationFailed as error:
        ...     print(error.field, "-", error.message("en"))
        ...
        Member.full_name - Member.full_name: must not be blank
    """

    def __init__(
        self,
        message_vi: str,
        message_en: str,
        *,
        field: str | None = None,
        errors: Sequence[str | Problem] = (),
        code: str | None = None,
    ) -> None:
        self.field = field
        #: the messages without the field prefix
        self.reason_vi, self.reason_en = message_vi, message_en
        found = _as_problems(errors)
        self.errors = tuple(f"{p.message('vi')} / {p.message('en')}" for p in found)
        if field:
            message_vi = f"{field}: {message_vi}"
            message_en = f"{field}: {message_en}"
        super().__init__(
            message_vi,
            message_en,
            code=code,
            problems=found or (Problem(self.reason_vi, self.reason_en, path=field, code=code),),
        )


class ImportFailed(ValidationFailed):
    """A file could not be imported; each of ``problems`` names file, row and column.

    Nothing is imported when this is raised (nhập dữ liệu thất bại, không ghi gì).

    Example:
        >>> from lamtheoguongbac import ImportFailed, Problem
        >>> problem = Problem(
        ...     "thiếu giá trị",
        ...     "a value is required",
        ...     path="dang-vien.csv:3:ho_va_ten",
        ...     where_vi="dang-vien.csv, dòng 3, cột 'ho_va_ten'",
        ...     where_en="dang-vien.csv, row 3, column 'ho_va_ten'",
        ... )
        >>> error = ImportFailed("dang-vien.csv", [problem])
        >>> print(error.message("en").rstrip())
        Could not import dang-vien.csv (1 problem, nothing was written):
          - dang-vien.csv, row 3, column 'ho_va_ten': a value is required
    """

    def __init__(self, source: str, problems: Sequence[str | Problem]) -> None:
        self.source = source
        found = _as_problems(problems)
        listing = {lang: "\n".join(f"  - {p.message(lang)}" for p in found) for lang in _LANGS}
        super().__init__(
            f"Không nhập được tệp {source} ({len(found)} lỗi, không dữ liệu nào được ghi):"
            f"\n{listing['vi']}\n",
            f"Could not import {source} ({_count(len(found), 'problem')}, nothing was written):"
            f"\n{listing['en']}\n",
            errors=found,
        )


class RulesViolated(LamTheoGuongBacError):
    """A step refused because one or more rules found errors (vi phạm quy định).

    Example:
        >>> from lamtheoguongbac import Handbooks, Pledge, RulesViolated
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(roster.members[1].id, year=2025, actor=roster.members[0])
        ...     try:
        ...         service.register_pledges(
        ...             book.id,
        ...             [Pledge(id="v1", deed="Nâng cao ý thức trách nhiệm")],
        ...             actor=roster.members[1],
        ...         )
        ...     except RulesViolated as error:
        ...         print(sorted({v.code for v in error.violations})[:3])
        ...
        ['LTGB-L001', 'LTGB-L003', 'LTGB-P003']
    """

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        vi = "; ".join(f"[{v.code}] {v.path}: {v.message_vi}" for v in self.violations)
        en = "; ".join(f"[{v.code}] {v.path}: {v.message_en}" for v in self.violations)
        first = self.violations[0].code if self.violations else None
        super().__init__(
            f"Không đạt quy định: {vi}",
            f"Rules not met: {en}",
            code=first,
            problems=[
                Problem(v.message_vi, v.message_en, path=v.path, code=v.code)
                for v in self.violations
            ],
        )


class TransitionNotAllowed(LamTheoGuongBacError):
    """The lifecycle does not allow this step from the handbook's status.

    Example:
        >>> from lamtheoguongbac import Handbooks, TransitionNotAllowed
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> secretary, member = roster.members
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(member.id, year=2025, actor=secretary)
        ...     try:  # a draft cannot be closed: nothing was registered, reported or assessed
        ...         service.close_handbook(book.id, actor=secretary)
        ...     except TransitionNotAllowed as error:
        ...         print(error.code, book.status.value)
        ...
        LTGB-T001 draft
    """


class NotAuthorised(LamTheoGuongBacError, PermissionError):
    """The actor may not take this step (không có thẩm quyền).

    Example:
        >>> from lamtheoguongbac import Handbooks, NotAuthorised
        >>> from lamtheoguongbac.testing import advance, make_roster
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary, member, other = roster.members
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(member.id, year=2025, actor=secretary)
        ...     try:  # an ordinary member of the cell may not register for another
        ...         service.register_pledges(book.id, advance(book).handbook.pledges, actor=other)
        ...     except NotAuthorised as error:
        ...         print(error.code)
        ...
        LTGB-T002
    """


class NotFound(LamTheoGuongBacError, LookupError):
    """No such handbook, member or organisation unit (không tìm thấy).

    Example:
        >>> from lamtheoguongbac import Handbooks, NotFound
        >>> with Handbooks.open("memory:") as service:
        ...     try:
        ...         service.roster.member("dv99")
        ...     except NotFound as error:
        ...         print(error.message("en"))
        ...
        no member 'dv99' in memory:
    """


class ConflictError(LamTheoGuongBacError):
    """A stale write: the handbook's version changed since it was read (xung đột phiên bản).

    The write was refused and nothing was overwritten; read the handbook again and retry.

    Example:
        >>> from lamtheoguongbac import ConflictError, Handbooks
        >>> from lamtheoguongbac.testing import advance, make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> secretary, member = roster.members
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(member.id, year=2025, actor=secretary)
        ...     pledges = advance(book).handbook.pledges
        ...     try:  # the handbook is at version 1: a write expecting 0 is stale
        ...         service.register_pledges(book.id, pledges, actor=member, expected_version=0)
        ...     except ConflictError as error:
        ...         print(type(error).__name__, error.code)
        ...
        ConflictError None
    """


class StoreError(LamTheoGuongBacError):
    """The store cannot be opened or read: corrupt, foreign or too new (lỗi kho dữ liệu).

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import Handbooks, StoreError
        >>> folder = tempfile.TemporaryDirectory()
        >>> path = Path(folder.name, "hong.db")
        >>> _ = path.write_bytes(b"not a database")
        >>> try:
        ...     Handbooks.open(f"sqlite:///{path}")
        ... except StoreError as error:
        ...     print(type(error).__name__, error.code)
        ...
        StoreError None
        >>> folder.cleanup()
    """


class PluginError(LamTheoGuongBacError):
    """A plugin failed to import, registered something invalid, or raised (lỗi plugin).

    Example:
        >>> from lamtheoguongbac import PluginError
        >>> from lamtheoguongbac.plugin import create_registry
        >>> registry = create_registry(load_entrypoints=False)
        >>> try:
        ...     registry.exporter("khong-co")
        ... except PluginError as error:
        ...     print(error.message("en")[:60])
        ...
        no exporter 'khong-co'; available: —
    """


class TemplateError(LamTheoGuongBacError):
    """A document template is invalid or failed to render (lỗi mẫu văn bản).

    Example:
        >>> from lamtheoguongbac import TemplateError
        >>> class PlainText:
        ...     def render(self, context):
        ...         return context["member"]["full_name"].encode("utf-8")
        ...
        ...     def merge(self, documents):
        ...         raise TemplateError(
        ...             "định dạng này không gộp được", "this format cannot be merged"
        ...         )
        ...
        >>> try:
        ...     PlainText().merge([b"a", b"b"])
        ... except TemplateError as error:
        ...     print(error.message("en"))
        ...
        this format cannot be merged
    """


for _cls in (
    Problem,
    LamTheoGuongBacError,
    ValidationFailed,
    ImportFailed,
    RulesViolated,
    TransitionNotAllowed,
    NotAuthorised,
    NotFound,
    ConflictError,
    StoreError,
    PluginError,
    TemplateError,
):
    _cls.__module__ = "lamtheoguongbac"
