"""The public surface: a small root, public namespaces, private modules, no import cycles,
the layers of ARCHITECTURE.md, plugins importing only what is declared, errors that pickle."""

from __future__ import annotations

import ast
import importlib
import itertools
import pickle
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import lamtheoguongbac
from lamtheoguongbac import (
    ConflictError,
    ImportFailed,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    PluginError,
    Problem,
    RulesViolated,
    StoreError,
    TemplateError,
    TransitionNotAllowed,
    ValidationFailed,
)
from lamtheoguongbac._public import PUBLIC_NAMESPACES
from lamtheoguongbac.rules import Severity, Violation

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "lamtheoguongbac"


def test_the_root_exports_at_most_45_names_and_each_resolves() -> None:
    assert len(lamtheoguongbac.__all__) <= 45
    assert len(set(lamtheoguongbac.__all__)) == len(lamtheoguongbac.__all__)
    for name in lamtheoguongbac.__all__:
        assert getattr(lamtheoguongbac, name) is not None
    assert set(lamtheoguongbac.__all__) <= set(dir(lamtheoguongbac))
    with pytest.raises(AttributeError, match="no attribute 'register'"):
        _ = lamtheoguongbac.register  # type: ignore[attr-defined]


@pytest.mark.parametrize("namespace", PUBLIC_NAMESPACES)
def test_public_classes_report_a_public_module(namespace: str) -> None:
    module = importlib.import_module(namespace)
    private = [
        f"{name} ({obj.__module__})"
        for name in module.__all__
        if isinstance(obj := getattr(module, name), type)
        and obj.__module__.startswith("lamtheoguongbac")
        and any(part.startswith("_") for part in obj.__module__.split(".")[1:])
        and namespace != "lamtheoguongbac.testing"
    ]
    assert not private, f"{namespace} exports classes with a private __module__: {private}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _runtime_imports(path: Path) -> Iterator[str]:
    """Modules of ours imported when ``path`` is imported (not under TYPE_CHECKING, not
    inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    me = _module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]

    def walk(nodes: list[ast.stmt]) -> Iterator[str]:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                yield from walk(node.orelse)
                continue
            if isinstance(node, ast.Import):
                yield from (a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                yield base
                for alias in node.names:  # `from pkg import submodule`
                    if (SRC.parent / base.replace(".", "/") / alias.name).exists() or (
                        SRC.parent / base.replace(".", "/") / f"{alias.name}.py"
                    ).exists():
                        yield f"{base}.{alias.name}"
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []):
                        yield from walk(
                            child.body if isinstance(child, ast.ExceptHandler) else [child]
                        )

    for name in walk(tree.body):
        if name.startswith("lamtheoguongbac"):
            yield name


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        me = _module_name(path)
        edges: set[str] = set()
        for target in _runtime_imports(path):
            # Importing a.b.c runs a/__init__ and a/b/__init__ first.
            parts = target.split(".")
            edges.update(".".join(parts[:i]) for i in range(2, len(parts) + 1))
        # A module's own packages are being imported already when it runs: no edge.
        parts = me.split(".")
        edges.difference_update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
        edges.discard("lamtheoguongbac")  # the root imports nothing at run time
        graph[me] = edges
    return graph


def _nested(a: str, b: str) -> bool:
    return a.startswith(b + ".") or b.startswith(a + ".")


def test_the_import_graph_of_src_has_no_cycles() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if state.get(nxt) == 1:
                # A package importing its own submodule is no cycle unless the submodule
                # imports the package back through another module.
                cycle = [*stack[stack.index(nxt) :], nxt]
                if not all(_nested(a, b) for a, b in itertools.pairwise(cycle)):
                    cycles.append(cycle)
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles:\n" + "\n".join(" → ".join(c) for c in cycles)


#: module prefix → prefixes it must never import (ARCHITECTURE.md: dependencies point down)
LAYERS = {
    "lamtheoguongbac._errors": ("lamtheoguongbac.",),
    "lamtheoguongbac._model": (
        "lamtheoguongbac._service",
        "lamtheoguongbac._storage",
        "lamtheoguongbac._registry",
        "lamtheoguongbac.export",
        "lamtheoguongbac.cli",
        "lamtheoguongbac.rules",
        "lamtheoguongbac._workflow",
    ),
    "lamtheoguongbac._workflow": (
        "lamtheoguongbac._service",
        "lamtheoguongbac._storage",
        "lamtheoguongbac._registry",
        "lamtheoguongbac.export",
        "lamtheoguongbac.cli",
    ),
    "lamtheoguongbac.rules": (
        "lamtheoguongbac._service",
        "lamtheoguongbac._storage",
        "lamtheoguongbac._registry",
        "lamtheoguongbac.export",
        "lamtheoguongbac.cli",
    ),
    "lamtheoguongbac._rollup": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac._reminders": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac.text": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac.serde": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac.spreadsheet": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac.export": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac._storage": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac._registry": ("lamtheoguongbac._service", "lamtheoguongbac.cli"),
    "lamtheoguongbac._service": ("lamtheoguongbac.cli",),
}


def test_dependencies_point_downwards() -> None:
    broken = [
        f"{module} imports {target}"
        for module, targets in _graph().items()
        for layer, forbidden in LAYERS.items()
        if module == layer or module.startswith(layer + ".")
        for target in targets
        if any(target == f.rstrip(".") or target.startswith(f) for f in forbidden)
        and not target.startswith(layer)
    ]
    assert not broken, "\n".join(broken)


def test_only_the_cli_imports_click() -> None:
    users = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if any(name == "click" or name.startswith("click.") for name in _all_imports(path))
        and "cli" not in path.relative_to(SRC).parts
    ]
    assert not users, f"click is imported outside cli/: {users}"


def _all_imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def _plugin_sources() -> Iterator[Path]:
    for folder in (ROOT / "plugins", ROOT / "plugin-template"):
        yield from folder.rglob("*.py")


def test_plugins_and_the_template_import_only_declared_public_modules() -> None:
    offenders = []
    for path in _plugin_sources():
        text = path.read_text(encoding="utf-8")
        try:
            tree = ast.parse(text)
        except SyntaxError:  # a cookiecutter file with template tags: read its lines
            names = [
                line.split()[1]
                for line in text.splitlines()
                if line.strip().startswith(("from lamtheoguongbac", "import lamtheoguongbac"))
            ]
        else:
            names = list(_all_imports(path))
            del tree
        for name in names:
            if not name.startswith("lamtheoguongbac") or name.startswith("lamtheoguongbac_"):
                continue
            if any(part.startswith("_") for part in name.split(".")[1:]):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert not offenders, "private imports in plugins:\n" + "\n".join(offenders)


ERRORS = [
    ValidationFailed("sai", "wrong", field="Pledge.deed", code="LTGB-X"),
    ImportFailed("a.csv", ["a.csv, dòng 3: thiếu / a.csv, row 3: missing", Problem("x", "y")]),
    RulesViolated(
        [
            Violation(
                code="LTGB-P001",
                severity=Severity.ERROR,
                path="pledges[0]",
                message_vi="chung chung",
                message_en="generic",
            )
        ]
    ),
    TransitionNotAllowed("không được", "not allowed"),
    NotAuthorised("không có quyền", "not authorised", code="LTGB-A001"),
    NotFound("không thấy", "not found"),
    ConflictError("xung đột", "conflict"),
    StoreError("hỏng", "broken"),
    PluginError("plugin lỗi", "plugin failed"),
    TemplateError("mẫu lỗi", "bad template"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_errors_pickle_and_unpickle_intact(error: LamTheoGuongBacError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert vars(again) == vars(error)
    assert str(again) == str(error)
    assert again.problems == error.problems
    assert type(error).__module__ == "lamtheoguongbac"


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_each_error_is_records_in_two_languages(error: LamTheoGuongBacError) -> None:
    assert error.problems
    for problem in error.problems:
        assert problem.text_vi
        assert problem.text_en
    english = error.message("en")
    for word in ("không", "dòng", "lỗi"):
        assert word not in english.lower(), english


def test_importing_the_package_loads_nothing_heavy() -> None:
    code = (
        "import sys, lamtheoguongbac;"
        "heavy = [m for m in ('attrs', 'cattrs', 'pluggy', 'icu', 'importlib.metadata',"
        " 'lamtheoguongbac._service', 'lamtheoguongbac.catalog') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_every_module_without_an_underscore_is_a_listed_public_namespace() -> None:
    """The one list the reference, the examples and these tests read names every public
    module: a new one cannot go unlisted (and so undocumented)."""
    public = {
        f"lamtheoguongbac.{path.stem if path.is_file() else path.name}"
        for path in SRC.iterdir()
        if not path.name.startswith("_")
        and (path.suffix == ".py" or (path / "__init__.py").is_file())
    }
    assert public | {"lamtheoguongbac"} == set(PUBLIC_NAMESPACES)
