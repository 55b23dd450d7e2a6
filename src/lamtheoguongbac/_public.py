"""Report public classes under their public module (``lamtheoguongbac``), not a private one.

Documentation, reprs of types, error tracebacks and pickles then name the one import path
users have. attrs classes get their string annotations resolved first, while the defining
(private) module's globals are still what resolves them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["PUBLIC_NAMESPACES", "publish", "publish_namespace"]

#: The root and every public namespace: the import paths users have. The API reference, the
#: examples test and the public-API tests all read this one list.
PUBLIC_NAMESPACES = (
    "lamtheoguongbac",
    "lamtheoguongbac.plugin",
    "lamtheoguongbac.interim",
    "lamtheoguongbac.rules",
    "lamtheoguongbac.text",
    "lamtheoguongbac.serde",
    "lamtheoguongbac.export",
    "lamtheoguongbac.spreadsheet",
    "lamtheoguongbac.supervision",
    "lamtheoguongbac.committee",
    "lamtheoguongbac.bulk",
    "lamtheoguongbac.roster",
    "lamtheoguongbac.catalog",
    "lamtheoguongbac.testing",
    "lamtheoguongbac.cli",
)


def publish(module: str, *objects: Any, localns: dict[str, Any] | None = None) -> None:
    """Set ``__module__`` of each class to ``module`` (after resolving attrs annotations;
    ``localns`` supplies names the defining module imports only for type checking)."""
    for obj in objects:
        # Not attrs.has(): importing attrs here would cost every start-up (issue 9), and an
        # attrs class has imported it already.
        if hasattr(obj, "__attrs_attrs__"):
            import attrs

            attrs.resolve_types(obj, localns=localns)
        obj.__module__ = module


def publish_namespace(module: str, names: dict[str, Any]) -> None:
    """Publish the classes a public namespace re-exports that still name a private module.

    A class another namespace published first keeps that home (each class has one). A class
    whose annotations cannot be resolved outside its module keeps its private home.
    """
    private = [
        obj
        for obj in names.values()
        if isinstance(obj, type) and "._" in getattr(obj, "__module__", "")
    ]
    if not private:  # e.g. a name resolved on first use: the model need not load
        return
    from lamtheoguongbac import _model

    known = {**vars(_model), **names}
    for obj in private:
        try:
            publish(module, obj, localns=known)
        except NameError:
            continue
