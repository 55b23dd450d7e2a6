"""Start-up stays fast (issue 9): the command line lists its commands without importing them,
imports a command's module only when it runs, and ``lint`` never loads the service, the
storage, the plugins or cattrs. Timings live in ``bench/bench_startup.py``; these tests pin
what is imported, so that the gain cannot silently regress."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import textwrap

import click
from click.testing import CliRunner

from lamtheoguongbac.cli import cli
from lamtheoguongbac.cli._group import BUILTIN_COMMANDS, LazyGroup

_MODULES = ["_main", "_lint", "_export", "_supervision", "_exemplars", "_reports", "_inspections"]


def _defined_commands() -> dict[str, click.Command]:
    """Every top-level command the CLI modules define (sub-commands of their groups aside)."""
    found: dict[str, click.Command] = {}
    for name in _MODULES:
        module = importlib.import_module(f"lamtheoguongbac.cli.{name}")
        commands = [
            v for v in vars(module).values() if isinstance(v, click.Command) and v is not cli
        ]
        nested = {
            id(sub)
            for group in commands
            if isinstance(group, click.Group)
            for sub in group.commands.values()
        }
        found |= {c.name or "": c for c in commands if id(c) not in nested}
    return found


def _first_paragraph(command: click.Command) -> str:
    if command.short_help:
        return command.short_help
    return " ".join((command.help or "").split("\n\n")[0].split())


def test_the_table_lists_every_builtin_command_with_its_own_short_help() -> None:
    defined = _defined_commands()
    assert set(BUILTIN_COMMANDS) == set(defined)
    for name, (module, attribute, short_help) in BUILTIN_COMMANDS.items():
        command = getattr(importlib.import_module(module), attribute)
        assert command is defined[name]
        assert command.name == name
        assert short_help == _first_paragraph(command), name


def test_help_reads_the_same_as_with_every_command_loaded() -> None:
    lazy = LazyGroup(name="cli", params=cli.params, lazy_commands=BUILTIN_COMMANDS)
    eager = click.Group(name="cli", params=cli.params, commands=_defined_commands())
    runner = CliRunner()
    shown = runner.invoke(lazy, ["--help"])
    assert shown.exit_code == 0
    assert shown.output == runner.invoke(eager, ["--help"]).output
    assert not lazy.commands  # help imported none of them


def _imported(code: str) -> list[str]:
    """Modules imported by ``code`` run in a fresh interpreter."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


HEAVY = (
    "cattrs",
    "docxtpl",
    "docx",
    "jinja2",
    "lxml",
    "openpyxl",
    "lamtheoguongbac._service",
    "lamtheoguongbac._storage",
    "lamtheoguongbac._registry",
    "lamtheoguongbac._model",
    "lamtheoguongbac.export",
    "lamtheoguongbac.serde",
    "lamtheoguongbac_docx",
    "lamtheoguongbac_jsonl",
)


def _heavy(modules: list[str], extra: tuple[str, ...] = ()) -> list[str]:
    names = (*HEAVY, *extra)
    return [m for m in modules if any(m == n or m.startswith(n + ".") for n in names)]


def test_importing_the_command_line_imports_nothing_heavy() -> None:
    assert _heavy(_imported("import lamtheoguongbac.cli"), ("importlib.metadata",)) == []


def test_lint_loads_neither_the_service_nor_the_plugins() -> None:
    modules = _imported(
        """
        import sys
        from lamtheoguongbac.cli import main
        sys.argv = ["lamtheoguongbac", "lint", "Giải quyết 100% hồ sơ đúng hạn trong năm 2025"]
        try:
            main()
        except SystemExit as exc:
            assert exc.code == 0, exc.code
        """
    )
    assert "lamtheoguongbac._linter" in modules  # it did run
    assert _heavy(modules, ("importlib.metadata", "icu", "lamtheoguongbac.catalog")) == []


def test_help_loads_the_plugins_modules_but_not_their_libraries() -> None:
    modules = _imported(
        """
        import sys
        from lamtheoguongbac.cli import main
        sys.argv = ["lamtheoguongbac", "--help"]
        try:
            main()
        except SystemExit as exc:
            assert exc.code == 0, exc.code
        """
    )
    assert "lamtheoguongbac._registry" in modules  # plugin commands are listed
    assert "lamtheoguongbac_docx.plugin" in modules
    heavy = _heavy(modules)
    allowed = (
        "lamtheoguongbac._registry",
        "lamtheoguongbac_docx",
        "lamtheoguongbac_jsonl",
        "lamtheoguongbac_sql",
    )
    assert [m for m in heavy if not m.startswith(allowed)] == []
    # Entry points and the version are read without importlib.metadata (and its email,
    # zipfile, csv), the registry's records without attrs.
    slow = ("importlib.metadata", "email", "attr", "attrs")
    assert [m for m in modules if m.split(".")[0] in slow or m.startswith(slow[0])] == []
    assert [
        m
        for m in modules
        if m.startswith(("lamtheoguongbac_docx.", "lamtheoguongbac_jsonl.", "lamtheoguongbac_sql."))
    ] == [
        "lamtheoguongbac_docx._factories",
        "lamtheoguongbac_docx.plugin",
        "lamtheoguongbac_jsonl.plugin",
        "lamtheoguongbac_sql.plugin",
    ]


def test_a_subcommand_another_module_adds_runs_on_its_own() -> None:
    # `workbook import-folder` is added to the group by cli._bulk: loading the group alone
    # must load it too (it used to answer "no such command" unless `create` ran first).
    done = subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", "workbook", "import-folder", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--on-behalf-of-cell-officer" in done.stdout
