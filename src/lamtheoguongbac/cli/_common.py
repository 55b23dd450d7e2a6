"""What every ``lamtheoguongbac`` command shares: the message language, error reporting, the
service on the chosen store, and the options several commands take (one definition each, so
that a name, a type or a help text cannot drift between commands)."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from lamtheoguongbac._errors import LamTheoGuongBacError
from lamtheoguongbac.cli._usage import BadParameter

# Light on purpose: every command imports this module, and ``lint`` must start fast without
# the service, the storage, the catalog or the plugins (issue 9).
if TYPE_CHECKING:
    from lamtheoguongbac._model import StudyTheme
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

__all__ = [
    "EXISTING_FILE",
    "OUT_FILE",
    "CommandState",
    "actor_option",
    "assessment_options",
    "checkpoint_option",
    "date_argument",
    "handbook_file_option",
    "listing_options",
    "message_lang",
    "open_service",
    "options",
    "reports_errors",
    "say",
    "show_notes",
    "theme_argument",
    "today_argument",
    "writing",
]

P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])

#: A file to write (its folder is created by the command); an existing file to read.
OUT_FILE = click.Path(dir_okay=False, path_type=Path)
EXISTING_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

# --- option stacks shared by several commands ------------------------------------------------


def options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """Several click decorators as one, applied as if written one above the other in this
    order (so ``--help`` lists the options in the order given)."""

    def apply(function: F) -> F:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


def actor_option(help: str | None = None) -> Callable[[F], F]:
    """``--as ID`` (required): who takes the step, as the embedding system authenticated
    them; the parameter is ``actor_id``."""
    return click.option("--as", "actor_id", required=True, help=help)


def jobs_option(help: str) -> Callable[[F], F]:
    """``--jobs N`` (a whole number from 1, default 1): how many worker processes share the
    work; the parameter is ``jobs``."""
    return click.option(
        "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help=help
    )


#: ``--file`` of each JSON document a step reads, by what it holds.
_HANDBOOK_FILES = {
    "pledges": 'JSON {"pledges": [...]}',
    "report": 'JSON {"report": {...}, "self_assessment": {...}}',
}


def handbook_file_option(holds: str) -> Callable[[F], F]:
    """``--file PATH`` (required, existing): the JSON document of ``holds`` — ``"pledges"``
    or ``"report"``; the parameter is ``path``."""
    return click.option(
        "--file",
        "path",
        required=True,
        type=click.Path(exists=True, path_type=Path),
        help=_HANDBOOK_FILES[holds],
    )


def checkpoint_option() -> Callable[[F], F]:
    """``--checkpoint DATE`` (required): the interim review's date."""
    return click.option("--checkpoint", required=True, help="Mốc sơ kết / checkpoint (dd/mm/yyyy).")


def assessment_options(*, text_help: str, rating_help: str | None = None) -> Callable[[F], F]:
    """The cell's assessment: ``--text`` (required), ``--rating``, ``--meeting-date``
    (required) and ``--as``, the Secretary or Deputy Secretary who records it."""
    from lamtheoguongbac._model import RatingLevel

    return options(
        click.option("--text", required=True, help=text_help),
        click.option(
            "--rating", type=click.Choice([r.value for r in RatingLevel]), help=rating_help
        ),
        click.option("--meeting-date", required=True, help="dd/mm/yyyy"),
        actor_option("Bí thư/Phó Bí thư / the recorder."),
    )


def listing_options() -> Callable[[F], F]:
    """``--year``, ``--org`` and ``--json`` of a ``list`` sub-command (exemplars,
    inspections)."""
    return options(
        click.option("--year", type=int, help="Năm / year."),
        click.option("--org", "organisation_id", help="Chỉ trong đơn vị / only within a unit."),
        click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON."),
    )


class CommandState(dict[str, Any]):
    """The root context's ``obj``: ``state["registry"]`` is the plugin registry, built (with
    the entry points) the first time a command asks for it, so commands that need no plugin
    never pay for loading them. A registry put there beforehand (tests, ``main``) is used."""

    def __missing__(self, key: str) -> Any:
        if key != "registry":
            raise KeyError(key)
        from lamtheoguongbac._registry import create_registry

        registry = self[key] = create_registry()
        return registry


def message_lang() -> str:
    ctx = click.get_current_context(silent=True)
    return str(ctx.find_root().params.get("lang", "vi")) if ctx else "vi"


def in_lang(vi: str, en: str) -> str:
    """The text in the chosen language (``--lang``)."""
    return en if message_lang() == "en" else vi


def say(vi: str, en: str, **kwargs: Any) -> None:
    """Print a message in the chosen language."""
    click.echo(in_lang(vi, en), **kwargs)


def _fail(exc: LamTheoGuongBacError) -> None:
    lang = message_lang()
    message = exc.message(lang)
    lines = [message.rstrip("\n")]
    # Each problem in the chosen language only, unless the message lists them already.
    found = [p.message(lang) for p in exc.problems]
    if len(found) > 1 and found[0] not in message:
        lines += [f"  - {p}" for p in found]
    click.echo(("Lỗi: " if lang != "en" else "Error: ") + "\n".join(lines), err=True)
    sys.exit(2)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn library errors into a message on stderr and exit status 2."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except LamTheoGuongBacError as exc:
            _fail(exc)
            raise AssertionError("unreachable") from exc
        except OSError as exc:
            where = exc.filename if exc.filename is not None else ""
            reason = exc.strerror or str(exc)
            _fail(
                LamTheoGuongBacError(
                    f"không ghi/đọc được '{where}': {reason}",
                    f"cannot read or write '{where}': {reason}",
                )
            )
            raise AssertionError("unreachable") from exc

    return wrapper


@contextmanager
def open_service(*, create: bool = False) -> Iterator[Handbooks]:
    """The service on the store chosen by ``--store`` / the environment.

    Only commands that add data pass ``create=True``: they may create a store that does not
    exist yet, and say so. Every other command refuses a store that does not exist (a
    mistyped ``--store sqlite:///tpyo.db`` must not answer "0 sổ" from a new, empty file).

    Raises:
        StoreError: the store does not exist and ``create`` is false.
    """
    from lamtheoguongbac._errors import StoreError
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

    root = click.get_current_context().find_root()
    registry = root.obj["registry"]
    url: str = root.params["store"]
    scheme = url.split(":", 1)[0] if ":" in url else ""
    backend = registry.storage_backends().get(scheme)
    exists = backend is None or backend.exists is None or backend.exists(url)
    if not exists and not create:
        raise StoreError(
            f"Không có kho '{url}' (sai địa chỉ?); tạo kho mới bằng lệnh 'init' hoặc 'import'",
            f"there is no store at '{url}' (a typo?); create one with 'init' or 'import'",
        )
    overrides = tuple(root.params.get("catalogs") or ())
    catalog = Catalog.load(*overrides) if overrides else None
    try:
        with Handbooks.open(url, registry=registry, catalog=catalog) as service:
            if not exists:
                say(
                    f"Đã tạo kho mới {service.store.url}",
                    f"Created a new store {service.store.url}",
                )
            yield service
    except BaseException as exc:
        failed = not (isinstance(exc, SystemExit) and not exc.code)
        if failed and not exists and backend is not None and backend.remove is not None:
            _remove_new_store(backend.remove, url)
        raise


def _remove_new_store(remove: Callable[[str], None], url: str) -> None:
    """Remove the store a failed command created, saying so; the command's own error is
    what the user reads, so a store that cannot be removed is only told."""
    try:
        remove(url)
    except (LamTheoGuongBacError, OSError) as exc:
        say(
            f"Không xóa được kho mới tạo {url}: {exc}",
            f"Could not remove the new store {url}: {exc}",
            err=True,
        )
        return
    say(
        f"Đã xóa kho mới tạo {url}: lệnh không thành công, không giữ lại gì",
        f"Removed the new store {url}: the command failed, nothing was kept",
        err=True,
    )


def theme_argument(catalog: Catalog, value: str, year: int) -> StudyTheme:
    """``--theme``: a catalog theme by code ("2021-2025") or by title (compared loosely),
    else a theme of the member's own wording for ``year``. A single word that is no code
    of the catalog is refused, listing the codes, rather than taken for a title."""
    from lamtheoguongbac._errors import NotFound
    from lamtheoguongbac._model import StudyTheme
    from lamtheoguongbac.text import nfc

    text = " ".join(nfc(value).split())
    for theme in catalog.themes:
        if theme.code == text:
            return theme
    found = catalog.find_theme(text)
    if found is not None:
        return found
    if " " not in text:
        known = ", ".join(t.code for t in catalog.themes)
        raise NotFound(
            f"không có chuyên đề mã '{text}' trong danh mục (có: {known}); muốn dùng chuyên đề "
            "riêng, hãy ghi cả câu",
            f"no theme with code '{text}' in the catalog (known: {known}); for a theme of "
            "your own, give its full wording",
        )
    return StudyTheme(code=f"rieng-{year}", title=text, first_year=year, last_year=year)


@contextmanager
def writing(dest: Path) -> Iterator[None]:
    """Report a file system error while writing ``dest`` as a bilingual error naming it."""
    from lamtheoguongbac._errors import ValidationFailed

    try:
        yield
    except OSError as exc:
        raise ValidationFailed(
            f"không ghi được: {exc}", f"cannot write: {exc}", field=str(dest)
        ) from exc


def show_notes(notes: Iterable[str]) -> None:
    """Print an export's notes (the renderer's warnings, e.g. a template falling back to a
    slower path)."""
    for note in notes:
        say(f"Lưu ý: {note}", f"Note: {note}")


def today_argument(value: str | None) -> dt.date:
    """The date of ``--today`` (today when not given)."""
    if value is None:
        from lamtheoguongbac.rules._base import local_today  # the model: not at start-up

        return local_today()
    return date_argument(value, "--today")


def date_argument(value: str, option: str | None = None) -> dt.date:
    """A dd/mm/yyyy (or yyyy-mm-dd) command-line date; a bilingual usage error if not, or if
    it is out of the range of the model's dates."""
    from lamtheoguongbac._checks import date_problem
    from lamtheoguongbac._roster import parse_date

    try:
        day = parse_date(value)
    except ValueError:
        raise BadParameter(
            f"ngày không hợp lệ '{value}', cần dạng dd/mm/yyyy",
            f"invalid date '{value}', expected dd/mm/yyyy",
            param_hint=option,
        ) from None
    problem = date_problem(day)
    if problem is not None:
        raise BadParameter(
            f"'{value}': {problem[0]}", f"'{value}': {problem[1]}", param_hint=option
        )
    return day
