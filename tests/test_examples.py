"""Every public function and class shows a runnable example, and every example runs.

A public name is one of the ``__all__`` of the root or of a public namespace. Its docstring
holds an ``Example:`` section of doctest lines (``>>>`` and the output they print), which
the API reference renders (napoleon) and this test runs with :mod:`doctest`, in an empty
temporary working directory that must stay empty: an example writes under
:func:`tempfile.mkdtemp`-style folders of its own, never where the reader happens to be.

Click commands keep their example after the ``\\f`` of the command function's docstring,
where ``--help`` stops reading; the CLI commands' console examples are in ``docs/cli.md``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest

from lamtheoguongbac._public import PUBLIC_NAMESPACES

#: Names that need no example of their own: data constants and type aliases, whose entry in
#: the API reference says what they hold. Each with the reason; keep this list short.
EXEMPT = {
    "lamtheoguongbac.__version__": "a version string",
    "lamtheoguongbac.plugin.PROJECT": "a constant: the project and entry-point group name",
    "lamtheoguongbac.plugin.ALLOW_ENV": "a constant: an environment variable's name",
    "lamtheoguongbac.plugin.DISABLE_ENV": "a constant: an environment variable's name",
    "lamtheoguongbac.plugin.ON_FAILED_RULES_ENV": "a constant: an environment variable's name",
    "lamtheoguongbac.plugin.VIETNAM_TIMEZONE": "a constant: the tzinfo of Vietnam (UTC+7)",
    "lamtheoguongbac.plugin.CONTEXT_SCHEMA": "data: the template context's JSON Schema",
    "lamtheoguongbac.plugin.Schema": "a type alias (a JSON Schema fragment)",
    "lamtheoguongbac.plugin.SettingsValidator": "a type alias (Callable)",
    "lamtheoguongbac.rules.BUILTIN_RULES": "data: the tuple of built-in rules",
    "lamtheoguongbac.rules.DEFAULT_POLICY": "data: a Policy instance (Policy has examples)",
    "lamtheoguongbac.text.ICU_AVAILABLE": "a constant: whether PyICU is installed",
    "lamtheoguongbac.serde.MIGRATIONS": "data: the schema migrations table",
    "lamtheoguongbac.serde.SCHEMA_VERSION": "a constant: the JSON layout's version",
    "lamtheoguongbac.export.CONTEXT_SCHEMA": "data: the template context's JSON Schema",
    "lamtheoguongbac.export.CONTEXT_VERSION": "a constant: a context layout version",
    "lamtheoguongbac.export.REPORT_CONTEXT_VERSION": "a constant: a context layout version",
    "lamtheoguongbac.export.YEARBOOK_CONTEXT_VERSION": "a constant: a context layout version",
    "lamtheoguongbac.export.REPORT_SCHEMA": "data: the report context's shape",
    "lamtheoguongbac.export.YEARBOOK_SCHEMA": "data: the yearbook context's shape",
    "lamtheoguongbac.spreadsheet.INSPECTION_COLUMNS": "data: the inspection sheet's columns",
    "lamtheoguongbac.spreadsheet.INSPECTION_SHEET": "a constant: a sheet name",
    "lamtheoguongbac.spreadsheet.SHEETS": "data: the workbook's sheets and columns",
    "lamtheoguongbac.testing.ICT": "a constant: the tzinfo of Vietnam (UTC+7)",
    "lamtheoguongbac.committee.FINDING_KINDS": "data: the finding kinds' labels",
    "lamtheoguongbac.committee.OFFICER_ROLES": "data: the roles that act for a committee",
    "lamtheoguongbac.bulk.Progress": "a type alias (Callable)",
}

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def docstring(obj: Any) -> str:
    """The docstring that documents ``obj``: a click command's is its function's (the
    example sits after ``\\f``); an instance (the ``hookimpl`` marker) has its class's."""
    if isinstance(obj, click.Command) and obj.callback is not None:
        return inspect.getdoc(obj.callback) or ""
    return inspect.getdoc(obj) or ""


def public_names() -> Iterator[tuple[str, Any]]:
    for namespace in PUBLIC_NAMESPACES:
        module = importlib.import_module(namespace)
        for name in module.__all__:
            yield f"{namespace}.{name}", getattr(module, name)


def _examples() -> dict[str, Any]:
    """One entry per documented object (a class exported by two namespaces runs once)."""
    found: dict[str, Any] = {}
    seen: set[int] = set()
    for full, obj in public_names():
        if full in EXEMPT or id(obj) in seen:
            continue
        seen.add(id(obj))
        found[full] = obj
    return found


EXAMPLES = _examples()


def test_every_public_name_has_an_example() -> None:
    missing = [
        full for full, obj in public_names() if full not in EXEMPT and ">>>" not in docstring(obj)
    ]
    assert not missing, (
        f"{len(missing)} public names have no '>>>' example in their docstring "
        "(add an 'Example:' section, or, for a data constant, an entry of EXEMPT with "
        f"the reason): {missing}"
    )


def test_the_exemptions_are_data_and_still_public() -> None:
    public = dict(public_names())
    for full in EXEMPT:
        assert full in public, f"EXEMPT names {full}, which is no longer public"
        obj = public[full]
        code = inspect.isfunction(obj) or inspect.isclass(obj)
        assert not code, f"{full} is a function or class: give it an example, not an exemption"


@pytest.mark.parametrize("full", sorted(EXAMPLES))
def test_the_example_runs(full: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    obj = EXAMPLES[full]
    text = docstring(obj)
    if ">>>" not in text:
        pytest.fail(f"{full} has no example (see test_every_public_name_has_an_example)")
    try:
        source = inspect.getsourcefile(obj.callback if isinstance(obj, click.Command) else obj)
    except TypeError:
        source = None
    test = doctest.DocTestParser().get_doctest(text, {}, full, source, 0)
    monkeypatch.chdir(tmp_path)
    for name in ("LAMTHEOGUONGBAC_STORE", "LAMTHEOGUONGBAC_DISABLE_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert not os.listdir(tmp_path), f"{full}'s example wrote into the working directory"
