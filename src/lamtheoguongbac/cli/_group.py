"""The root command group, loading each built-in command on first use (nhóm lệnh gốc).

Start-up time is the point (issue 9): ``lamtheoguongbac --help`` lists every command from
:data:`BUILTIN_COMMANDS` without importing one, and running a command imports only its own
module. The plugins' ``register_commands`` hook runs only when it can matter: for help, for
no command, and for a command that is not built in. This module imports click and nothing
else of the library at import time.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import click

from lamtheoguongbac.cli._common import CommandState
from lamtheoguongbac.cli._usage import (
    DEBUG_ENV,
    LANG_ENV,
    debug_requested,
    lang_requested,
    log_to_stderr,
    show_crash,
    show_usage_error,
)

__all__ = ["BUILTIN_COMMANDS", "LazyGroup", "cli", "main"]

STORE_ENV = "LAMTHEOGUONGBAC_STORE"
CATALOG_ENV = "LAMTHEOGUONGBAC_CATALOG"
DEFAULT_STORE = "sqlite:///lamtheoguongbac.db"

_CLI = "lamtheoguongbac.cli."
#: Every built-in command: name → (module, attribute, the first paragraph of its help). A test
#: checks this table against the commands themselves, so it cannot drift from them.
BUILTIN_COMMANDS: dict[str, tuple[str, str, str]] = {
    "assess": (
        _CLI + "_main",
        "assess",
        "Ghi nhận xét, đánh giá của chi bộ / record the cell's collective assessment.",
    ),
    "close": (
        _CLI + "_main",
        "close_",
        "Khóa sổ / close the handbook.",
    ),
    "create": (
        _CLI + "_main",
        "create",
        "Mở sổ tay cho năm hoặc nhiệm kỳ / open handbooks for a year or a term.",
    ),
    "exemplar": (
        _CLI + "_exemplars",
        "exemplar",
        "Gương điển hình: đề cử, khen thưởng / exemplars: nominate, commend, list.",
    ),
    "export": (
        _CLI + "_export",
        "export",
        "Xuất sổ tay ra văn bản (Word) / export handbooks as documents.",
    ),
    "history": (
        _CLI + "_main",
        "history",
        "Nhật ký của sổ / the handbook's audit trail.",
    ),
    "import": (
        _CLI + "_main",
        "import_",
        "Nhập tổ chức và đảng viên từ CSV/JSON / import units and members (CSV, JSON).",
    ),
    "init": (
        _CLI + "_main",
        "init",
        "Tạo kho (và nhập danh sách nếu có) / create the store (and import a roster).",
    ),
    "inspect": (
        _CLI + "_inspections",
        "inspect",
        "Kiểm tra, giám sát việc thực hiện sổ tay / inspections of how handbooks are kept.",
    ),
    "install": (
        _CLI + "_main",
        "install",
        "Cài plugin vào đúng môi trường / install plugins into this command's environment.",
    ),
    "lint": (
        _CLI + "_lint",
        "lint",
        "Kiểm tra việc đăng ký có chung chung không / flag generic pledges.",
    ),
    "list": (
        _CLI + "_main",
        "list_",
        "Liệt kê sổ tay / list handbooks.",
    ),
    "interim-assess": (
        _CLI + "_main",
        "interim_assess",
        "Ghi nhận xét sơ kết của chi bộ / record the cell's interim assessment.",
    ),
    "interim-report": (
        _CLI + "_main",
        "interim_report",
        "Báo cáo sơ kết tại một mốc / report results at a checkpoint or a year's end.",
    ),
    "plugins": (
        _CLI + "_main",
        "plugins",
        "Các plugin đã cài / installed plugins: status and what each provides.",
    ),
    "register": (
        _CLI + "_main",
        "register",
        "Đăng ký việc làm theo / register pledges from a JSON file.",
    ),
    "remind": (
        _CLI + "_supervision",
        "remind",
        "Nhắc việc cho bí thư chi bộ / reminders for the cell secretaries, grouped by cell.",
    ),
    "reopen": (
        _CLI + "_main",
        "reopen",
        "Mở lại sổ về trạng thái trước / reopen to an earlier status.",
    ),
    "report": (
        _CLI + "_main",
        "report",
        "Báo cáo kết quả (kèm tự đánh giá) / report results (and self-assessment).",
    ),
    "supplement": (
        _CLI + "_main",
        "supplement",
        "Đăng ký bổ sung hằng năm vào sổ nhiệm kỳ / add a yearly supplement to a term book.",
    ),
    "self-assess": (
        _CLI + "_main",
        "self_assess",
        "Viết phần tự nhận xét, đánh giá / write the self-assessment.",
    ),
    "show": (
        _CLI + "_main",
        "show",
        "Xem một sổ tay / show one handbook.",
    ),
    "stats": (
        _CLI + "_supervision",
        "stats",
        "Tổng hợp theo chi bộ / roll-up per cell: progress, ratings, specific pledges, cap.",
    ),
    "summary-report": (
        _CLI + "_reports",
        "summary_report",
        "Báo cáo tổng hợp của cấp ủy (Word, có biểu đồ) / the committee's summary report.",
    ),
    "template": (
        _CLI + "_export",
        "template",
        "Mẫu văn bản / document templates.",
    ),
    "uninstall": (
        _CLI + "_main",
        "uninstall",
        "Gỡ plugin khỏi môi trường này / uninstall plugins from this command's environment.",
    ),
    "workbook": (
        _CLI + "_bulk",  # the group of _supervision, with `import-folder` added by _bulk
        "workbook",
        "Bảng tính Excel của sổ tay / the handbook's Excel workbook.",
    ),
    "yearbook": (
        _CLI + "_reports",
        "yearbook",
        "Kỷ yếu gương điển hình (Word) / the yearbook of exemplars as a Word document.",
    ),
}


class LazyGroup(click.Group):
    """A click group whose built-in commands are imported when first looked up.

    Args:
        lazy_commands: name → (module, attribute, short help) of the commands to load on
            demand; commands added the usual way (``add_command``) take precedence.
    """

    def __init__(
        self,
        *args: Any,
        lazy_commands: Mapping[str, tuple[str, str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is None and cmd_name in self.lazy_commands:
            module, attribute, _ = self.lazy_commands[cmd_name]
            command = getattr(importlib.import_module(module), attribute)
            assert isinstance(command, click.Command)
            self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The commands section of ``--help``, as click writes it, from the table's short
        help for commands not loaded yet (so that help imports none of them)."""
        commands: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name)
            if command is None and name in self.lazy_commands:
                command = click.Command(name, help=self.lazy_commands[name][2])
            if command is None or command.hidden:
                continue
            commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def invoked_command(self, args: Sequence[str]) -> str | None:
        """The name of the command ``args`` run (None: none, or help of the group)."""
        takes_value = {
            opt
            for param in self.params
            if isinstance(param, click.Option) and not param.is_flag and not param.count
            for opt in param.opts
        }
        help_names = set(self.context_settings.get("help_option_names", ["--help"]))
        words = iter(args)
        for word in words:
            if word in help_names:
                return None
            if word == "--":
                return next(words, None)
            if word in takes_value:
                next(words, None)
            elif not word.startswith("-"):
                return word
        return None


@click.group(cls=LazyGroup, lazy_commands=BUILTIN_COMMANDS)
@click.option(
    "--store",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    help="Địa chỉ kho / store URL (sqlite:///tep.db, memory:, …).",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    envvar=LANG_ENV,
    help="Ngôn ngữ thông báo / message language.",
)
@click.option(
    "--catalog",
    "catalogs",
    envvar=CATALOG_ENV,
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tệp danh mục riêng (chuyên đề, văn bản, chính sách), áp sau danh mục có sẵn; "
    "dùng nhiều lần / a catalog override file (themes, regulations, policies); repeatable.",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar=DEBUG_ENV,
    help="In chi tiết (traceback) khi có lỗi nội bộ / print the traceback of an internal error.",
)
@click.version_option(package_name="lamtheoguongbac")
@click.pass_context
def cli(ctx: click.Context, store: str, lang: str, catalogs: tuple[Path, ...], debug: bool) -> None:
    """Sổ tay Làm theo gương Bác — đăng ký, báo cáo, đánh giá, xuất văn bản.

    \f
    The ``click`` group of every command: embed it, or test through it with click's runner
    (``--help`` stops at the form feed above, so this example stays out of the terminal).

    Example:
        >>> import os, tempfile
        >>> from click.testing import CliRunner
        >>> from lamtheoguongbac.cli import cli
        >>> result = CliRunner().invoke(cli, ["--lang", "en", "lint", "Nâng cao ý thức"])
        >>> result.exit_code, result.output.splitlines()[0]
        (1, '[GENERIC] Nâng cao ý thức')
        >>> folder = tempfile.TemporaryDirectory()
        >>> store = "sqlite:///" + os.path.join(folder.name, "so-tay.db")
        >>> result = CliRunner().invoke(cli, ["--store", store, "--lang", "en", "list"])
        >>> result.exit_code
        2
        >>> print(result.output)
        Error: there is no store at 'sqlite:///...so-tay.db' (a typo?); create one with 'init' ...
        >>> print(CliRunner().invoke(cli, ["--help"]).output.splitlines()[2])
          Sổ tay Làm theo gương Bác — đăng ký, báo cáo, đánh giá, xuất văn bản.
        >>> folder.cleanup()
    """
    # The registry (plugins, entry points) is built when a command first asks for it.
    if not isinstance(ctx.obj, CommandState):
        ctx.obj = CommandState(ctx.obj or {})


def main(args: Sequence[str] | None = None) -> None:
    """Entry point: add plugin commands when they can matter, then run; usage errors in the
    chosen language.

    Example:
        >>> import contextlib, io
        >>> from lamtheoguongbac.cli import main
        >>> out = io.StringIO()
        >>> with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):
        ...     main(
        ...         [
        ...             "--lang",
        ...             "en",
        ...             "lint",
        ...             "Hằng tháng thăm hỏi 03 gia đình chính sách trên địa bàn ấp Đông",
        ...         ]
        ...     )
        ...
        >>> out.getvalue().splitlines()[0]
        '[SPECIFIC] Hằng tháng thăm hỏi 03 gia đình chính sách trên địa bàn ấp Đông'
    """
    from lamtheoguongbac._errors import LamTheoGuongBacError

    argv = list(sys.argv[1:] if args is None else args)
    lang, debug = lang_requested(argv), debug_requested(argv)
    log_to_stderr(debug)
    state = CommandState()
    assert isinstance(cli, LazyGroup)
    if cli.invoked_command(argv) not in BUILTIN_COMMANDS:
        try:
            registry = state["registry"]
        except LamTheoGuongBacError as exc:  # a bad setting in the environment
            click.echo(("Error: " if lang == "en" else "Lỗi: ") + exc.message(lang), err=True)
            sys.exit(2)
        registry.add_commands(cli)
    try:
        code = cli.main(args=argv, prog_name="lamtheoguongbac", obj=state, standalone_mode=False)
    except click.UsageError as exc:
        show_usage_error(exc, lang)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Đã hủy / Aborted" if lang != "en" else "Aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except LamTheoGuongBacError as exc:  # e.g. a bad plugin setting met by a command
        click.echo(("Error: " if lang == "en" else "Lỗi: ") + exc.message(lang), err=True)
        sys.exit(2)
    except Exception as exc:  # the last resort: a bug must not print a bare traceback
        show_crash(exc, debug=debug, lang=lang)
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
