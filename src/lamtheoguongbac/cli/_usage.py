"""Usage errors and crashes as the user reads them: Vietnamese by default, English with
``--lang en``, and a traceback only when asked for (``--debug`` or ``LAMTHEOGUONGBAC_DEBUG``).

click writes its own usage errors in English; they are rebuilt here from the exception's
fields, so a Vietnamese user reads what went wrong in Vietnamese, with click's English text
after it as the English variant.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import traceback
from collections.abc import Sequence

import click

__all__ = [
    "DEBUG_ENV",
    "LANG_ENV",
    "BadParameter",
    "UsageError",
    "debug_requested",
    "lang_requested",
    "log_to_stderr",
    "show_crash",
    "show_usage_error",
]

#: Set to 1 to print the traceback of an internal error.
DEBUG_ENV = "LAMTHEOGUONGBAC_DEBUG"
#: The message language when ``--lang`` is not given (``vi`` or ``en``).
LANG_ENV = "LAMTHEOGUONGBAC_LANG"


class UsageError(click.UsageError):
    """A usage error the library words itself, in Vietnamese and English apart: click shows
    the English (``--lang en``), :func:`show_usage_error` the Vietnamese."""

    def __init__(self, vi: str, en: str, ctx: click.Context | None = None) -> None:
        super().__init__(en, ctx)
        self.message_vi = vi


class BadParameter(click.BadParameter):
    """A bad option or argument value, worded by the library in Vietnamese and English."""

    def __init__(self, vi: str, en: str, *, param_hint: str | None = None) -> None:
        super().__init__(en, param_hint=param_hint)
        self.message_vi = vi


_PARAM_KIND = {"argument": "đối số", "option": "tùy chọn", "parameter": "tham số"}


def debug_requested(args: Sequence[str]) -> bool:
    """``--debug`` among the arguments, or the environment variable set."""
    return "--debug" in args or os.environ.get(DEBUG_ENV, "") not in ("", "0")


def lang_requested(args: Sequence[str]) -> str:
    """The language asked for on the command line or in the environment (default ``vi``)."""
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "vi"
        if arg.startswith("--lang="):
            return "en" if arg.partition("=")[2] == "en" else "vi"
    return "en" if os.environ.get(LANG_ENV) == "en" else "vi"


def _hint(exc: click.BadParameter) -> str:
    if exc.param_hint:
        return exc.param_hint if isinstance(exc.param_hint, str) else " / ".join(exc.param_hint)
    return exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else ""


def _vietnamese(exc: click.UsageError) -> str:
    """What went wrong, in Vietnamese."""
    if isinstance(exc, click.NoSuchOption):
        text = f"không có tùy chọn {exc.option_name}"
        if exc.possibilities:
            text += f" (có phải ý bạn là {', '.join(sorted(exc.possibilities))}?)"
        return text
    if isinstance(exc, click.MissingParameter):
        kind = _PARAM_KIND.get(
            exc.param_type or (exc.param.param_type_name if exc.param else ""), "giá trị"
        )
        hint = exc.param_hint or (
            exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else ""
        )
        return f"thiếu {kind} {hint}".rstrip()
    if isinstance(exc, click.BadParameter):
        hint = exc.param_hint or (
            exc.param.get_error_hint(exc.ctx) if exc.param and exc.ctx else ""
        )
        message = getattr(exc, "message_vi", exc.message)
        return f"giá trị không hợp lệ cho {hint}: {message}" if hint else message
    if isinstance(exc, UsageError):
        return exc.message_vi
    if isinstance(exc, click.BadOptionUsage):
        if "requires an argument" in exc.message:
            return f"tùy chọn {exc.option_name} cần một giá trị"
        return f"tùy chọn {exc.option_name} dùng sai: {exc.message}"
    found = re.match(r"No such command '(.+)'\.", exc.message)
    if found:
        return f"không có lệnh '{found[1]}'"
    found = re.match(r"Got unexpected extra arguments? \((.+)\)", exc.message)
    if found:
        return f"thừa đối số ({found[1]})"
    if exc.message.startswith("Missing command"):
        return "thiếu lệnh"
    return f"dùng lệnh sai: {exc.message}"


def show_usage_error(exc: click.UsageError, lang: str) -> None:
    """Print a usage error (exit status 2 follows) in the chosen language."""
    if lang == "en":
        exc.show()
        return
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage().replace("Usage:", "Cách dùng:", 1), err=True)
        click.echo(f"Thử '{ctx.command_path} --help' để xem trợ giúp.\n", err=True)
    if isinstance(exc, UsageError | BadParameter):  # the library's own words: Vietnamese only
        click.echo(f"Lỗi: {_vietnamese(exc)}", err=True)
    else:  # click's own English, translated, with the original after it
        click.echo(f"Lỗi: {_vietnamese(exc)} / Error: {exc.format_message()}", err=True)


def show_crash(exc: BaseException, *, debug: bool, lang: str) -> None:
    """Report an internal error: one line, or the whole traceback when debugging."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    en = f"internal error, please report it: {type(exc).__name__}: {exc}" + (
        "" if debug else f" (run again with --debug or {DEBUG_ENV}=1 for the traceback)"
    )
    vi = f"lỗi nội bộ, xin báo cho người phát triển: {type(exc).__name__}: {exc}" + (
        "" if debug else f" (chạy lại với --debug hoặc {DEBUG_ENV}=1 để xem chi tiết)"
    )
    click.echo(en if lang == "en" else f"{vi} / {en}", err=True)


class _Brief(logging.Formatter):
    """A log record's message alone: its traceback only when debugging."""

    def __init__(self, debug: bool) -> None:
        super().__init__("%(message)s")
        self.debug = debug

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and not self.debug:
            record = logging.makeLogRecord({**record.__dict__, "exc_info": None, "exc_text": None})
        return super().format(record)


def log_to_stderr(debug: bool) -> None:
    """Show the library's warnings (a plugin's hook that failed, a checkpoint that could
    not run) on stderr, one line each, with a traceback only when debugging — unless the
    program set up logging itself. Without this, Python's last-resort handler printed a
    plugin's whole traceback under a command that had succeeded."""
    library = logging.getLogger("lamtheoguongbac")
    if logging.getLogger().handlers or library.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(_Brief(debug))
    library.addHandler(handler)
