"""Registering a plugin for the length of a ``with`` block."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from lamtheoguongbac._registry import Registry

__all__ = ["register_temporary_plugin"]


@contextlib.contextmanager
def register_temporary_plugin(
    registry: Registry, plugin: object, name: str | None = None
) -> Iterator[str]:
    """Register ``plugin`` in ``registry`` inside the block, and unregister it after.

    Yields the name it was registered under::

        with register_temporary_plugin(registry, MyPlugin()) as name:
            store = registry.open_store("jsonl:///tmp/x")

    Raises:
        PluginError: as :meth:`Registry.register <lamtheoguongbac.plugin.Registry.register>` does.

    Example:
        >>> from lamtheoguongbac import hookimpl
        >>> from lamtheoguongbac.plugin import create_registry
        >>> from lamtheoguongbac.testing import register_temporary_plugin
        >>> class Silent:
        ...     @hookimpl
        ...     def handbook_changed(self, event, handbook):
        ...         pass
        ...
        >>> registry = create_registry(load_entrypoints=False)
        >>> with register_temporary_plugin(registry, Silent(), name="im-lang") as name:
        ...     print(name, any(p.name == "im-lang" for p in registry.plugins()))
        ...
        im-lang True
        >>> any(p.name == "im-lang" for p in registry.plugins())
        False
    """
    registered = registry.register(plugin, name)
    try:
        yield registered
    finally:
        registry.unregister(registered)
