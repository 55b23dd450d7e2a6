"""The cookiecutter template for new plugins (``plugin-template/``) makes working packages.

Each kind of plugin (storage, exporter, rules, commands, events) is rendered into
``tmp_path``, installed without network into a temporary target folder (as ``pip install``
would lay it out, entry point included), and its own tests are run in a subprocess that
finds it on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "plugin-template"

cookiecutter_main = pytest.importorskip(
    "cookiecutter.main", reason="cookiecutter is in the dev dependency group"
)


def _render(tmp_path: Path, **context: str) -> Path:
    out = cookiecutter_main.cookiecutter(
        str(TEMPLATE), no_input=True, output_dir=str(tmp_path / "out"), extra_context=context
    )
    return Path(out)


def _install(project: Path, target: Path) -> None:
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [
            *pip,
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(project),
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def _run_tests(project: Path, target: Path) -> subprocess.CompletedProcess[str]:
    drop = ("LAMTHEOGUONGBAC_DISABLE_PLUGINS", "LAMTHEOGUONGBAC_PLUGINS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(target), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


KIND_FILES = {
    "storage": {"store.py", "test_conformance.py"},
    "exporter": {"renderer.py", "test_exporter.py"},
    "rules": {"rules.py", "test_rules.py"},
    "commands": {"commands.py", "test_commands.py"},
    "events": {"events.py", "test_events.py"},
}


@pytest.mark.parametrize("kind", sorted(KIND_FILES))
def test_the_generated_plugin_installs_and_its_tests_pass(tmp_path: Path, kind: str) -> None:
    project = _render(tmp_path, plugin_kind=kind, distribution_name=f"lamtheoguongbac-thu-{kind}")
    names = {p.name for p in project.rglob("*") if p.is_file()}
    assert KIND_FILES[kind] <= names
    others = set().union(*KIND_FILES.values()) - KIND_FILES[kind]
    assert not others & names
    assert {".gitignore", "plugin.py", "test_smoke.py", "pyproject.toml"} <= names
    assert (
        f'"thu{kind}" = "lamtheoguongbac_thu_{kind}.plugin"'
        in (project / "pyproject.toml").read_text()
    )

    target = tmp_path / "site"
    _install(project, target)
    assert (target / f"lamtheoguongbac_thu_{kind}" / "plugin.py").is_file()

    done = _run_tests(project, target)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout
    assert "failed" not in done.stdout
    assert "error" not in done.stdout


def test_the_generated_code_is_lint_clean(tmp_path: Path) -> None:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.skip("ruff is not installed")
    for kind in KIND_FILES:
        project = _render(tmp_path / kind, plugin_kind=kind)
        checked = subprocess.run(
            [ruff, "check", "--no-cache", str(project)], capture_output=True, text=True
        )
        assert checked.returncode == 0, checked.stdout
        formatted = subprocess.run(
            [ruff, "format", "--check", "--no-cache", str(project)], capture_output=True, text=True
        )
        assert formatted.returncode == 0, formatted.stdout


def test_bad_names_are_refused_before_anything_is_written(tmp_path: Path) -> None:
    from cookiecutter.exceptions import FailedHookException

    with pytest.raises(FailedHookException):
        _render(tmp_path, distribution_name="Sổ tay của tôi")
    assert not (tmp_path / "out" / "Sổ tay của tôi").exists()


def test_the_events_plugin_tests_pass_next_to_another_rules_plugin(tmp_path: Path) -> None:
    # A plugin's own tests must not depend on what else is installed (user trial F14): the
    # rules kind's deadline rule refused the events kind's steps once the wall clock passed.
    target = tmp_path / "site"
    for kind in ("rules", "events"):
        project = _render(
            tmp_path / kind, plugin_kind=kind, distribution_name=f"lamtheoguongbac-canh-{kind}"
        )
        _install(project, target)
    done = _run_tests(project, target)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "failed" not in done.stdout


@pytest.mark.parametrize(
    ("kind", "name"),
    [("storage", "sqlite"), ("storage", "jsonl"), ("exporter", "docx"), ("rules", "ltgb")],
)
def test_names_the_library_or_its_plugins_use_are_refused(
    tmp_path: Path, kind: str, name: str
) -> None:
    from cookiecutter.exceptions import FailedHookException

    with pytest.raises(FailedHookException):
        _render(tmp_path, plugin_kind=kind, name=name, distribution_name="lamtheoguongbac-trung")
    assert not (tmp_path / "out" / "lamtheoguongbac-trung").exists()


def test_the_generated_plugin_has_a_vietnamese_description_and_no_private_module(
    tmp_path: Path,
) -> None:
    project = _render(tmp_path, plugin_kind="exporter", distribution_name="lamtheoguongbac-mo-ta")
    plugin = (project / "src" / "lamtheoguongbac_mo_ta" / "plugin.py").read_text()
    assert 'description_vi="Một plugin cho lamtheoguongbac"' in plugin
    assert 'description_en="A lamtheoguongbac plugin"' in plugin
    for path in project.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "export._context" not in text, path  # a private module: not for plugins
            assert "CONTEXT_SCHEMA" in text or path.name != "renderer.py"
