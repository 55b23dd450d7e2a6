"""The plugin system: registration, isolation of broken plugins, entry points, the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lamtheoguongbac import Handbooks, PluginError, hookimpl
from lamtheoguongbac._registry import DISABLE_ENV
from lamtheoguongbac._storage.memory import MemoryStore
from lamtheoguongbac.plugin import Exporter, ExportOptions, StorageBackend, create_registry


def make_distribution(site: Path, dist: str, module: str, code: str, entry: str) -> None:
    """Install a plugin distribution the way pip lays one out: a module and a dist-info
    folder with its entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[lamtheoguongbac]\n{entry} = {module}\n", encoding="utf-8"
    )


GOOD = """
from lamtheoguongbac.plugin import Exporter
from lamtheoguongbac import hookimpl

class _Renderer:
    def __init__(self, options):
        self.options = options
    def render(self, context):
        return ("# " + context["member"]["full_name"]).encode("utf-8")
    def merge(self, documents):
        return b"\\n".join(documents)

@hookimpl
def register_exporters(register):
    register(Exporter(name="md-demo", suffix=".md", create_renderer=_Renderer))
"""

BROKEN = """
raise RuntimeError("hỏng từ lúc nhập")
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    make_distribution(folder, "ltgb-demo-good", "ltgb_demo_good", GOOD, "demo_good")
    make_distribution(folder, "ltgb-demo-broken", "ltgb_demo_broken", BROKEN, "demo_broken")
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    for name in ("ltgb_demo_good", "ltgb_demo_broken"):
        sys.modules.pop(name, None)


def test_builtins_register_through_the_hooks() -> None:
    registry = create_registry(load_entrypoints=False)
    assert set(registry.storage_backends()) >= {"memory", "sqlite"}
    builtin = {p.name: p for p in registry.plugins()}["lamtheoguongbac.builtins"]
    assert builtin.status == "active"
    assert "register_storage_backends" in builtin.hooks


def test_entry_point_plugins_are_found_and_broken_ones_reported(site: Path) -> None:
    registry = create_registry()
    infos = {p.name: p for p in registry.plugins()}
    assert infos["demo_good"].status == "active"
    assert infos["demo_good"].version == "1.2.3"
    assert infos["demo_good"].distribution == "ltgb-demo-good"
    assert infos["demo_broken"].status == "failed"
    assert "hỏng từ lúc nhập" in (infos["demo_broken"].error or "")
    renderer = registry.exporter("md-demo").create_renderer(ExportOptions())
    assert renderer.render({"member": {"full_name": "Lê An"}}) == "# Lê An".encode()


def test_environment_variable_disables_named_plugins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DISABLE_ENV, "demo_good, ltgb-demo-broken")
    infos = {p.name: p for p in create_registry().plugins()}
    assert infos["demo_good"].status == "disabled"
    assert infos["demo_broken"].status == "disabled"
    with pytest.raises(PluginError, match="md-demo"):
        create_registry(blocked=["demo_good"]).exporter("md-demo")


def test_misspelt_hook_fails_loudly_with_a_suggestion() -> None:
    class Typo:
        @hookimpl
        def register_exporter(self, register: Callable[[Exporter], None]) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError, match="register_exporters"):
        create_registry(load_entrypoints=False, extra_plugins=[Typo()])


def test_two_registrations_of_one_name_report_both_providers() -> None:
    class Shadow:
        @hookimpl
        def register_storage_backends(self, register: Callable[[StorageBackend], None]) -> None:
            register(StorageBackend(scheme="memory", open=MemoryStore.from_url))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Shadow()])
    with pytest.raises(PluginError) as caught:
        registry.storage_backends()
    message = str(caught.value)
    assert "lamtheoguongbac" in message
    assert "Shadow" in message


def test_a_raising_plugin_is_isolated_and_reported() -> None:
    seen: list[str] = []

    class Raises:
        @hookimpl
        def handbook_changed(self) -> None:
            raise RuntimeError("mất kết nối")

        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            raise ValueError("không đăng ký được")

    class Listens:
        @hookimpl
        def handbook_changed(self, event: object) -> None:
            seen.append(type(event).__name__)

    registry = create_registry(load_entrypoints=False, extra_plugins=[Raises(), Listens()])
    assert registry.exporters() == {}
    from lamtheoguongbac.testing import make_handbook

    book = make_handbook()
    with Handbooks(MemoryStore.from_url("memory:"), registry=registry) as service:
        service.roster.save(list(book.organisation), [book.member])
        created = service.create(book.member.id, year=book.year, actor=book.member)
        assert service.get(created.id).version == 1
    assert seen == ["Event"]
    failed = {p.name: p for p in registry.plugins()}["Raises"]
    assert failed.status == "failed"
    assert "mất kết nối" in (failed.error or "") or "không đăng ký được" in (failed.error or "")


def _cli(
    site: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(site), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", *args],
        capture_output=True,
        text=True,
        env=environ,
        check=False,
        timeout=60,
    )


def test_cli_lists_plugins_and_keeps_working_with_a_broken_one(site: Path) -> None:
    listing = _cli(site, "plugins", "--json")
    assert listing.returncode == 0, listing.stderr
    status = {p["name"]: p["status"] for p in json.loads(listing.stdout)}
    assert status["demo_good"] == "active"
    assert status["demo_broken"] == "failed"
    linted = _cli(site, "lint", "Giải quyết 100% hồ sơ một cửa đúng hạn trong năm 2025")
    assert linted.returncode == 0, linted.stderr
    assert "CỤ THỂ" in linted.stdout
