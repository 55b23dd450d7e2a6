"""What every ``lamtheoguongbac`` command shares: the message language, error reporting and
the service on the chosen store."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import click

from lamtheoguongbac._errors import LamTheoGuongBacError

# Light on purpose: every command imports this module, and ``lint`` must start fast without
# the service, the storage, the catalog or the plugins (issue 9).
if TYPE_CHECKING:
    from lamtheoguongbac._model import StudyTheme
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

__all__ = [
    "CommandState",
    "date_argument",
    "message_lang",
    "open_service",
    "reports_errors",
    "say",
    "theme_argument",
]

P = ParamSpec("P")
R = TypeVar("R")


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


def say(vi: str, en: str, **kwargs: Any) -> None:
    """Print a message in the chosen language."""
    click.echo(en if message_lang() == "en" else vi, **kwargs)


def _fail(exc: LamTheoGuongBacError) -> None:
    message = exc.message(message_lang())
    lines = [message]
    errors: tuple[str, ...] = getattr(exc, "errors", ())
    if len(errors) > 1 and errors[0] not in message:
        lines += [f"  - {e}" for e in errors]
    click.echo(("Lỗi: " if message_lang() != "en" else "Error: ") + "\n".join(lines), err=True)
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
def open_service() -> Iterator[Handbooks]:
    """The service on the store chosen by ``--store`` / the environment."""
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

    root = click.get_current_context().find_root()
    registry = root.obj["registry"]
    overrides = tuple(root.params.get("catalogs") or ())
    catalog = Catalog.load(*overrides) if overrides else None
    with Handbooks.open(root.params["store"], registry=registry, catalog=catalog) as service:
        yield service


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


def date_argument(value: str, option: str | None = None) -> dt.date:
    """A dd/mm/yyyy (or yyyy-mm-dd) command-line date; a bilingual usage error if not."""
    from lamtheoguongbac._roster import parse_date

    try:
        return parse_date(value)
    except ValueError:
        raise click.BadParameter(
            f"ngày không hợp lệ '{value}', cần dạng dd/mm/yyyy / invalid date '{value}', "
            "expected dd/mm/yyyy",
            param_hint=option,
        ) from None
