"""What every ``lamtheoguongbac`` command shares: the message language, error reporting and
the service on the chosen store."""

from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import click

from lamtheoguongbac._errors import LamTheoGuongBacError
from lamtheoguongbac._roster import parse_date
from lamtheoguongbac._service.core import Handbooks

__all__ = ["date_argument", "message_lang", "open_service", "reports_errors", "say"]

P = ParamSpec("P")
R = TypeVar("R")


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
    root = click.get_current_context().find_root()
    registry = root.obj["registry"]
    with Handbooks.open(root.params["store"], registry=registry) as service:
        yield service


def date_argument(value: str, option: str | None = None) -> dt.date:
    """A dd/mm/yyyy (or yyyy-mm-dd) command-line date; a bilingual usage error if not."""
    try:
        return parse_date(value)
    except ValueError:
        raise click.BadParameter(
            f"ngày không hợp lệ '{value}', cần dạng dd/mm/yyyy / invalid date '{value}', "
            "expected dd/mm/yyyy",
            param_hint=option,
        ) from None
