"""The plugins on the command line: ``plugins``, ``install``/``uninstall``, plugin commands,
``--set``, and a plugin that collides with the first-party ones, installed for real."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from lamtheoguongbac.cli import cli
from lamtheoguongbac.plugin import ALLOW_ENV, DISABLE_ENV, Registry, create_registry, hookimpl

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = [str(ROOT / "examples" / "to-chuc.csv"), str(ROOT / "examples" / "dang-vien.csv")]

SHADOW = """
from lamtheoguongbac.plugin import Exporter, StorageBackend, hookimpl
from lamtheoguongbac._storage.memory import MemoryStore


class _Renderer:
    def __init__(self, options):
        pass

    def render(self, context):
        return b"not a word document"

    def merge(self, documents):
        return b"".join(documents)


@hookimpl
def register_exporters(register):
    register(Exporter(name="docx", suffix=".docx", create_renderer=_Renderer))


@hookimpl
def register_storage_backends(register):
    register(StorageBackend(scheme="sqlite", open=MemoryStore.from_url))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out as pip installs a distribution: the ``ltgb-shadow`` plugin, whose
    entry point ``shadow`` registers the exporter ``docx`` and the storage scheme ``sqlite``
    next to the first-party plugins."""
    folder = tmp_path_factory.mktemp("site")
    (folder / "ltgb_shadow.py").write_text(textwrap.dedent(SHADOW), encoding="utf-8")
    info = folder / "ltgb_shadow-0.3.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ltgb-shadow\nVersion: 0.3.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[lamtheoguongbac]\nshadow = ltgb_shadow\n", encoding="utf-8"
    )
    return folder


def _run(site: Path, cwd: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    """``python -m lamtheoguongbac ARGS`` in ``cwd`` with the plugins installed in ``site``
    (and no plugin choice from this environment), plus ``env_extra``."""
    env = {k: v for k, v in os.environ.items() if k not in (ALLOW_ENV, DISABLE_ENV)}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=120,
    )


def test_a_colliding_plugin_is_listed_as_a_conflict_and_everything_else_works(
    site: Path, tmp_path: Path
) -> None:
    listing = _run(site, tmp_path, "plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    plugins = {p["name"]: p for p in json.loads(listing.stdout)}
    shadow = plugins["shadow"]
    assert (shadow["distribution"], shadow["version"], shadow["status"]) == (
        "ltgb-shadow",
        "0.3.0",
        "conflict",
    )
    assert "'sqlite' is already provided by lamtheoguongbac.builtins" in shadow["error"]
    assert "shadow (ltgb-shadow)" in shadow["error"]
    assert shadow["provides"]["exporters"] == []
    builtin = plugins["lamtheoguongbac.builtins"]
    assert builtin["provides"]["storage"] == ["memory", "sqlite"]
    assert builtin["version"] is not None
    docx = plugins["docx"]
    assert docx["status"] == "active"
    assert {"name": "docx", "kind": "handbook"} in docx["provides"]["exporters"]
    assert plugins["jsonl"]["provides"]["storage"] == ["jsonl"]

    text = _run(site, tmp_path, "plugins")
    assert "shadow\tltgb-shadow\t0.3.0\txung đột" in text.stdout
    assert "kho lưu trữ: memory:, sqlite:" in text.stdout
    english = _run(site, tmp_path, "--lang", "en", "plugins")
    assert "exporters: docx (handbook), docx-report (report), docx-yearbook (yearbook)" in (
        english.stdout
    )

    # every built-in store, and the first-party one, still works, and so does docx
    for store in ("sqlite:///so-tay.db", "jsonl:///du-lieu"):
        for step in (
            ["import", *EXAMPLES],
            ["create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01"],
            ["export", "--out", f"word-{store[:5]}", "--exporter", "docx"],
        ):
            done = _run(site, tmp_path, "--store", store, *step)
            assert done.returncode == 0, (store, step, done.stderr)
        written = sorted((tmp_path / f"word-{store[:5]}").glob("*.docx"))
        assert written
        with zipfile.ZipFile(written[0]) as document:
            assert "word/document.xml" in document.namelist()
    memory = _run(
        site, tmp_path, "--store", "memory:", "export", "--out", "m", "--exporter", "docx"
    )
    assert memory.returncode == 0, memory.stderr
    assert "Không có sổ tay nào phù hợp" in memory.stdout
    assert (tmp_path / "so-tay.db").stat().st_size > 0  # the real SQLite store, not the shadow's


def test_export_settings_are_checked_by_the_exporter(site: Path, tmp_path: Path) -> None:
    for step in (
        ["import", *EXAMPLES],
        ["create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01"],
    ):
        assert _run(site, tmp_path, *step).returncode == 0
    unknown = _run(site, tmp_path, "export", "--out", "w", "--set", "font=Arial")
    assert unknown.returncode == 2
    assert "thiết lập lạ 'font'" in unknown.stderr
    malformed = _run(site, tmp_path, "export", "--out", "w", "--set", "font")
    assert malformed.returncode == 2
    assert "--set" in malformed.stderr
    wrong_kind = _run(site, tmp_path, "export", "--out", "w", "--exporter", "docx-report")
    assert wrong_kind.returncode == 2
    assert "không làm sổ tay" in wrong_kind.stderr


# --- plugin commands -------------------------------------------------------------------------


class Count:
    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        @cli.command("dem-so")
        @click.pass_context
        def count(ctx: click.Context) -> None:
            """Đếm plugin / count plugins."""
            click.echo(str(len(ctx.find_root().obj["registry"].plugins())))


class TakesExport:
    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        cli.command("export")(lambda: None)


class Breaks:
    @hookimpl
    def register_commands(self, cli: click.Group) -> None:
        cli.command("nua-chung")(lambda: None)
        raise RuntimeError("lệnh hỏng")


def _group() -> click.Group:
    group = copy.copy(cli)
    group.commands = dict(cli.commands)  # leave the real command line as it is
    return group


def test_plugin_commands_are_added_and_collisions_refused() -> None:
    registry = create_registry(
        load_entrypoints=False, extra_plugins=[Count(), TakesExport(), Breaks()]
    )
    group = _group()
    builtin_export = group.get_command(click.Context(group), "export")
    registry.add_commands(group)
    registry.add_commands(group)  # once per group
    assert group.commands["export"] is builtin_export
    assert "nua-chung" not in group.commands
    runner = CliRunner()
    counted = runner.invoke(group, ["dem-so"], obj={"registry": registry})
    assert counted.exit_code == 0, counted.output
    assert counted.output.strip() == "4"
    listing = runner.invoke(group, ["plugins", "--json"], obj={"registry": registry})
    plugins = {p["name"]: p for p in json.loads(listing.output)}
    assert plugins["Count"]["provides"]["commands"] == ["dem-so"]
    assert plugins["TakesExport"]["status"] == "conflict"
    assert (
        "the command 'export' is already provided by lamtheoguongbac"
        in (plugins["TakesExport"]["error"])
    )
    assert plugins["Breaks"]["status"] == "failed"
    assert "lệnh hỏng" in plugins["Breaks"]["error"]


def test_plugins_runs_the_command_hooks_itself() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[Count()])
    listing = CliRunner().invoke(_group(), ["plugins", "--json"], obj={"registry": registry})
    assert listing.exit_code == 0, listing.output
    assert {p["name"]: p for p in json.loads(listing.output)}["Count"]["provides"]["commands"] == [
        "dem-so"
    ]


def test_plugins_shows_warnings_and_reasons() -> None:
    class Unmarked:
        def register_rules(self, register: Callable[[Any], None]) -> None:
            pass

    registry: Registry = create_registry(load_entrypoints=False, extra_plugins=[Unmarked()])
    shown = CliRunner().invoke(_group(), ["--lang", "en", "plugins"], obj={"registry": registry})
    assert "warning: 'register_rules'" in shown.output
    assert "looks like a hook but lacks @hookimpl" in shown.output


# --- install and uninstall -------------------------------------------------------------------


def test_install_and_uninstall_run_pip_of_this_interpreter(tmp_path: Path) -> None:
    project = tmp_path / "ltgb-tiny"
    (project / "src" / "ltgb_tiny").mkdir(parents=True)
    (project / "src" / "ltgb_tiny" / "__init__.py").write_text("", encoding="utf-8")
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"

            [project]
            name = "ltgb-tiny"
            version = "0.1.0"

            [project.entry-points.lamtheoguongbac]
            tiny = "ltgb_tiny"

            [tool.hatch.build.targets.wheel]
            packages = ["src/ltgb_tiny"]
            """
        ),
        encoding="utf-8",
    )
    target = tmp_path / "target"
    runner = CliRunner()
    pip_options = ["--no-deps", "--no-build-isolation", "--no-index", "--quiet"]
    done = runner.invoke(cli, ["install", *pip_options, "--target", str(target), str(project)])
    assert done.exit_code == 0, done.output
    assert f"{sys.executable} -m pip install" in done.output
    assert (target / "ltgb_tiny" / "__init__.py").is_file()
    assert list(target.glob("ltgb_tiny-0.1.0.dist-info/entry_points.txt"))

    gone = runner.invoke(cli, ["uninstall", "-y", "ltgb-not-installed-anywhere"])
    assert gone.exit_code == 0, gone.output
    assert f"{sys.executable} -m pip uninstall -y ltgb-not-installed-anywhere" in gone.output
    failed = runner.invoke(cli, ["install", "--no-index", "ltgb-not-on-any-index-xyz"])
    assert failed.exit_code != 0


FAILING_HOOK = """
from lamtheoguongbac import hookimpl

@hookimpl
def handbook_changed(event, handbook):
    raise RuntimeError("hook boom")
"""


def test_a_failing_hook_is_one_line_on_stderr_not_a_traceback(tmp_path: Path) -> None:
    """The step succeeds and the plugin's failure is reported; Python's last-resort handler
    printed the plugin's whole traceback under it."""
    site = tmp_path / "site"
    info = site / "ltgb_boom-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "ltgb_boom.py").write_text(FAILING_HOOK, encoding="utf-8")
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ltgb-boom\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[lamtheoguongbac]\nboom = ltgb_boom\n")
    examples = Path(__file__).parent.parent / "examples"
    store = ["--store", f"sqlite:///{tmp_path / 'so-tay.db'}"]
    assert _run(site, tmp_path, *store, "init").returncode == 0
    units, members = examples / "to-chuc.csv", examples / "dang-vien.csv"
    assert _run(site, tmp_path, *store, "import", str(units), str(members)).returncode == 0
    create = [*store, "create", "--member", "dv04", "--year", "2025", "--as", "dv01"]

    done = _run(site, tmp_path, *create)
    assert done.returncode == 0, done.stderr
    assert "hook boom" in done.stderr
    assert "Traceback" not in done.stderr
    assert len([line for line in done.stderr.splitlines() if "hook boom" in line]) == 1

    debug = ["--debug", *store, "create", "--member", "dv05", "--year", "2025", "--as", "dv01"]
    debugged = _run(site, tmp_path, *debug)
    assert debugged.returncode == 0, debugged.stderr
    assert "Traceback" in debugged.stderr
