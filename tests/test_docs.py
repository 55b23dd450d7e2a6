"""The documentation's promises, checked: its examples run, and its references are complete.

* Every ```python block of ``docs/*.md`` runs, on its own, in a fresh temporary working
  directory holding a copy of ``examples/`` and ``plugin-template/`` (as if run from the
  root of a checkout). A block preceded by ``<!-- no-run -->`` is only compiled: keep that for
  what needs outside software (LibreOffice).
* Every ```console block whose first line starts with ``$ lamtheoguongbac`` runs its
  commands one after the other through the CLI's entry point, in such a directory. A
  command must exit with status 0 unless its line ends with a comment ``# exit status N``;
  the lines shown after a command must appear in its output, in order (lines may be left
  out; a line ``...`` stands for any output, and ``...`` within a line for any text there;
  runs of spaces and tabs compare equal).
* A block preceded by ``<!-- file: NAME -->`` is a file the page shows: it is written into
  the working directory of the page's later examples.
* Every hook of :mod:`lamtheoguongbac._hookspecs` appears in ``docs/hooks.md`` with its full
  signature, every rule and error code in ``docs/errors.md``, every exception class in the
  hierarchy there, and every public name in ``docs/api.md``.
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import re
import shlex
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

import lamtheoguongbac
import lamtheoguongbac.rules
from lamtheoguongbac import _errors as errors
from lamtheoguongbac import _hookspecs as hookspecs
from lamtheoguongbac._public import PUBLIC_NAMESPACES

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

NO_RUN = "<!-- no-run -->"
_FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^`\n]*)$")
_EXIT = re.compile(r"#\s*exit status (\d+)")
_FILE = re.compile(r"<!-- file: ([\w.-]+) -->")


@attrs.frozen
class Block:
    """A fenced code block of a page."""

    path: Path
    line: int  # 1-based line of the opening fence
    language: str
    code: str
    no_run: bool
    file_name: str | None = None  # set by a preceding <!-- file: NAME --> comment

    @property
    def id(self) -> str:
        return f"{self.path.name}:{self.line}"


def _blocks(path: Path) -> Iterator[Block]:
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    previous = ""  # the last non-blank line before the current one
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if opening is None:
            if lines[i].strip():
                previous = lines[i].strip()
            i += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        language = opening["info"].strip().split(" ")[0] if opening["info"].strip() else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not lines[j].strip().startswith(fence):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        named = _FILE.fullmatch(previous)
        yield Block(
            path,
            i + 1,
            language,
            "\n".join(body) + "\n",
            previous == NO_RUN,
            named[1] if named else None,
        )
        previous = ""
        i = j + 1


def _pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def _all_blocks() -> list[Block]:
    return [b for page in _pages() for b in _blocks(page)]


PYTHON = [b for b in _all_blocks() if b.language in ("python", "py")]
CONSOLE = [
    b
    for b in _all_blocks()
    if b.language in ("console", "sh", "shell") and b.code.lstrip().startswith("$ lamtheoguongbac")
]


def _write_files(block: Block) -> None:
    """Write the files a page shows before ``block`` (``<!-- file: NAME -->`` blocks)."""
    for shown in _blocks(block.path):
        if shown.file_name and shown.line < block.line:
            Path(shown.file_name).write_text(shown.code, encoding="utf-8")


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh working directory holding a copy of ``examples/`` and ``plugin-template/``, as
    at the root of a checkout, with a clean environment."""
    for folder in ("examples", "plugin-template"):
        shutil.copytree(
            ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    monkeypatch.chdir(tmp_path)
    for name in ("LAMTHEOGUONGBAC_STORE", "LAMTHEOGUONGBAC_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_docs_have_runnable_examples() -> None:
    assert len([b for b in PYTHON if not b.no_run]) >= 20
    assert len(CONSOLE) >= 3
    no_run = [b.id for b in PYTHON if b.no_run]
    assert len(no_run) <= 3, f"keep no-run blocks rare: {no_run}"


def test_no_run_blocks_still_compile() -> None:
    # They cannot run here (they need outside software) but must stay valid Python.
    for block in (b for b in PYTHON if b.no_run):
        compile(block.code, f"{block.path}:{block.line}", "exec")


@pytest.mark.parametrize("block", [b for b in PYTHON if not b.no_run], ids=lambda b: b.id)
def test_python_example_runs(block: Block, workdir: Path) -> None:
    from lamtheoguongbac.cli import cli

    _write_files(block)
    code = compile(block.code, f"{block.path}:{block.line}", "exec")
    namespace: dict[str, Any] = {"__name__": "__main__"}
    commands = dict(cli.commands)  # an example may add plugin commands, as the CLI does
    try:
        exec(code, namespace)
    finally:
        cli.commands.clear()
        cli.commands.update(commands)


# --- console blocks ------------------------------------------------------------------------


@attrs.frozen
class Command:
    args: list[str]
    status: int
    expected: list[str]


def _commands(block: Block) -> list[Command]:
    commands: list[Command] = []
    for line in block.code.splitlines():
        if line.startswith("$ "):
            text = line[2:]
            status = _EXIT.search(text)
            words = shlex.split(text, comments=True)
            assert words[0] == "lamtheoguongbac", f"{block.id}: only lamtheoguongbac commands run"
            commands.append(Command(words[1:], int(status[1]) if status else 0, []))
        elif line.strip() and commands:
            commands[-1].expected.append(line.rstrip())
    return commands


def _run_cli(args: list[str]) -> tuple[int, str]:
    """Run the command line as its console script does, in this process."""
    from click.testing import CliRunner

    from lamtheoguongbac import cli

    runner = CliRunner()
    commands = dict(cli.cli.commands)  # main() adds the plugins' commands to the group
    with runner.isolation() as (out, err, *_), contextlib.ExitStack() as stack:
        stack.enter_context(_argv(["lamtheoguongbac", *args]))
        try:
            cli.main()
            status = 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        finally:
            cli.cli.commands.clear()
            cli.cli.commands.update(commands)
        text = out.getvalue().decode("utf-8") + (err.getvalue().decode("utf-8") if err else "")
    return status, text


@contextlib.contextmanager
def _argv(argv: list[str]) -> Iterator[None]:
    saved = sys.argv
    sys.argv = argv
    try:
        yield
    finally:
        sys.argv = saved


def _same(actual: str, expected: str) -> bool:
    # Runs of whitespace (the tabs of tabular output) compare equal to one space; "..."
    # inside an expected line stands for any text there (a time, a version).
    if "..." not in expected.strip() or expected.strip() == "...":
        return actual.split() == expected.split()
    pattern = r"\s+".join(
        ".*".join(re.escape(piece) for piece in word.split("...")) for word in expected.split()
    )
    return re.fullmatch(pattern, " ".join(actual.split())) is not None


def _in_order(expected: list[str], actual: list[str]) -> bool:
    position = 0
    for line in expected:
        if line.strip() == "...":
            continue
        while position < len(actual) and not _same(actual[position], line):
            position += 1
        if position == len(actual):
            return False
        position += 1
    return True


@pytest.mark.parametrize("block", [b for b in CONSOLE if not b.no_run], ids=lambda b: b.id)
def test_console_example_runs(block: Block, workdir: Path) -> None:
    _write_files(block)
    for command in _commands(block):
        status, output = _run_cli(command.args)
        shown = f"$ lamtheoguongbac {shlex.join(command.args)}\n{output}"
        assert status == command.status, shown
        assert _in_order(command.expected, output.splitlines()), shown


# --- completeness of the references --------------------------------------------------------


def render_signature(function: Callable[..., Any]) -> str:
    """``name(arg: Type, …) -> Return`` with annotations as written in the source."""

    def text(annotation: Any) -> str:
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    signature = inspect.signature(function)
    params = ", ".join(
        f"{p.name}: {text(p.annotation)}" if p.annotation is not p.empty else p.name
        for p in signature.parameters.values()
    )
    returns = (
        f" -> {text(signature.return_annotation)}"
        if signature.return_annotation is not signature.empty
        else ""
    )
    return f"{function.__name__}({params}){returns}"


def _hookspecs() -> list[Callable[..., Any]]:
    return [
        getattr(hookspecs, name)
        for name in dir(hookspecs)
        if hasattr(getattr(hookspecs, name), f"{hookspecs.PROJECT}_spec")
    ]


def test_render_signature_writes_annotations_as_in_the_source() -> None:
    assert (
        render_signature(hookspecs.register_storage_backends)
        == "register_storage_backends(register: Callable[[StorageBackend], None]) -> None"
    )


@pytest.mark.parametrize("spec", _hookspecs(), ids=lambda f: f.__name__)
def test_every_hook_is_documented_with_its_full_signature(spec: Callable[..., Any]) -> None:
    page = (DOCS / "hooks.md").read_text(encoding="utf-8")
    signature = render_signature(spec)
    assert signature in page, f"docs/hooks.md must show `{signature}`"
    assert f"## `{spec.__name__}`" in page, f"docs/hooks.md needs a section for {spec.__name__}"


def _codes_in_source() -> set[str]:
    found: set[str] = set()
    for folder in [ROOT / "src", *(ROOT / "plugins").glob("*/src")]:
        for path in folder.rglob("*.py"):
            found |= set(re.findall(r"LTGB-[A-Z]\d{3}", path.read_text(encoding="utf-8")))
    return found


def test_every_code_is_documented() -> None:
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    codes = _codes_in_source() | {r.code for r in lamtheoguongbac.rules.BUILTIN_RULES}
    missing = sorted(c for c in codes if f"`{c}`" not in page)
    assert not missing, f"docs/errors.md does not explain {missing}"
    # …and explains no code the library never raises (a stale entry misleads as much).
    stale = sorted(set(re.findall(r"`(LTGB-[A-Z]\d{3})`", page)) - codes)
    assert not stale, f"docs/errors.md explains codes the library does not have: {stale}"


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_exception_is_in_the_documented_hierarchy() -> None:
    page = (DOCS / "errors.md").read_text(encoding="utf-8")
    for module in ("export", "spreadsheet", "_storage", "supervision", "testing"):
        importlib.import_module(f"lamtheoguongbac.{module}")
    classes = {
        c for c in _subclasses(errors.LamTheoGuongBacError) if c.__module__.startswith("lamtheo")
    }
    missing = sorted(
        c.__name__ for c in classes | {errors.LamTheoGuongBacError} if c.__name__ not in page
    )
    assert not missing, f"docs/errors.md does not show {missing} in the hierarchy"


@pytest.mark.parametrize("namespace", PUBLIC_NAMESPACES)
def test_every_public_name_is_in_the_api_reference(namespace: str) -> None:
    pages = [p.read_text(encoding="utf-8") for p in (DOCS / "api").glob("*.md")]
    page = "\n".join(pages)
    # A hand-written entry names its object relative to the page's module (``.. py:data::
    # NAME`` after ``.. py:module:: namespace``), so that it is indexed under its real name.
    home = "\n".join(p for p in pages if f".. py:module:: {namespace}\n" in p)
    names = importlib.import_module(namespace).__all__
    missing = [
        n
        for n in names
        if not re.search(rf"{re.escape(namespace)}\.{re.escape(n)}\b", page)
        and not re.search(rf"^\.\. py:\w+:: {re.escape(n)}$", home, re.MULTILINE)
    ]
    assert not missing, f"docs/api/ does not document {missing} of {namespace}"


def test_the_cli_reference_covers_every_command_and_option() -> None:
    import click

    sys.path.insert(0, str(DOCS / "_ext"))
    try:
        from ltgb_docs import MARKER, cli_reference
    finally:
        sys.path.remove(str(DOCS / "_ext"))
    from lamtheoguongbac.cli import cli

    assert MARKER in (DOCS / "cli.md").read_text(encoding="utf-8")
    reference = cli_reference()

    def walk(command: click.Command, path: list[str]) -> Iterator[tuple[list[str], click.Command]]:
        yield path, command
        if isinstance(command, click.Group):  # built-in commands load on first use
            ctx = click.Context(command)
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                yield from walk(sub, [*path, name])

    for path, command in walk(cli, []):
        if path:
            assert f"`{' '.join(path)}`" in reference, path
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if param.param_type_name == "option":
                    assert f"`{opt}`" in reference, (path, opt)


def test_every_page_is_in_the_table_of_contents() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in _pages():
        if page.stem != "index":
            assert re.search(rf"^{re.escape(page.stem)}$", index, re.M), page.name


def _command_path(words: list[str]) -> list[str]:
    """The command (and subcommand) a console line runs: its first word that names a
    command, then, for a group, its first word that names one of the group's commands."""
    import click

    from lamtheoguongbac.cli import cli

    path: list[str] = []
    group: click.Group = cli
    for word in words:
        if word.startswith("-"):
            continue
        sub = group.get_command(click.Context(group), word)
        if sub is None:
            if path:
                break
            continue  # the value of a global option (--store URL, --lang en)
        path.append(word)
        if not isinstance(sub, click.Group):
            break
        group = sub
    return path


def test_every_builtin_command_has_a_console_example_in_the_cli_page() -> None:
    import click

    from lamtheoguongbac.cli import cli
    from lamtheoguongbac.cli._group import BUILTIN_COMMANDS

    shown = {
        " ".join(_command_path(command.args))
        for block in CONSOLE
        if block.path.name == "cli.md" and not block.no_run
        for command in _commands(block)
    }
    wanted: list[str] = []
    for name in BUILTIN_COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        if isinstance(command, click.Group):
            wanted += [f"{name} {sub}" for sub in command.commands]
        else:
            wanted.append(name)
    missing = [name for name in wanted if name not in shown]
    assert not missing, f"docs/cli.md has no runnable console example of {missing}"


#: A cross-reference role of the pages (``{class}`~lamtheoguongbac.rules.Rule``` in MyST,
#: ``:py:class:`…``` in reST) and the dotted name it points at.
_XREF = re.compile(
    r"(?:\{(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj)\}|:(?:py:)?"
    r"(?:class|func|meth|mod|data|attr|exc|obj):)`~?(lamtheoguongbac[\w.]*)`"
)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            if not hasattr(found, attr):
                return False
            found = getattr(found, attr)
        return True
    return False


def test_every_cross_reference_of_the_docs_names_a_public_object() -> None:
    # Sphinx is not nitpicky here (the autodoc'd type hints name many third-party types),
    # so a reference to a name that moved renders as plain text without failing the build.
    broken = []
    for page in sorted(DOCS.rglob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for found in _XREF.finditer(line):
                name = found.group(1)
                private = any(p.startswith("_") for p in name.split(".")[1:])
                if private or not _resolves(name):
                    broken.append(f"{page.relative_to(DOCS)}:{number}: {name}")
    assert not broken, "\n".join(broken)
