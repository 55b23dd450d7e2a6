"""What the registry reports about each plugin (:class:`PluginInfo`, :class:`Provides`).

Apart from the registry so that building one — which every command line run does — need
not import attrs: the registry keeps plain records and makes these only when asked
(:meth:`~lamtheoguongbac.plugin.Registry.plugins`; issue 9, fast start-up).
"""

from __future__ import annotations

from typing import Any, Literal

import attrs

from lamtheoguongbac._errors import Problem
from lamtheoguongbac._public import publish

__all__ = ["PluginInfo", "Provides", "Status"]

Status = Literal["active", "disabled", "failed", "conflict"]


@attrs.frozen(kw_only=True)
class Provides:
    """What one plugin provides: storage schemes, exporters as ``(name, kind)``, rule codes,
    CLI commands, and the event hooks it implements.

    Example:
        >>> from lamtheoguongbac.plugin import create_registry
        >>> registry = create_registry(load_entrypoints=False)
        >>> provides = {p.name: p.provides for p in registry.plugins()}
        >>> sorted(scheme for p in provides.values() for scheme in p.storage)
        ['memory', 'sqlite']
    """

    storage: tuple[str, ...] = ()
    exporters: tuple[tuple[str, str], ...] = ()
    rules: tuple[str, ...] = ()
    commands: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        return {
            "storage": list(self.storage),
            "exporters": [{"name": n, "kind": k} for n, k in self.exporters],
            "rules": list(self.rules),
            "commands": list(self.commands),
            "events": list(self.events),
        }


@attrs.frozen(kw_only=True)
class PluginInfo:
    """What ``lamtheoguongbac plugins`` shows about one plugin: its distribution and version,
    its status with the reason, the hooks it implements, what it provides and the warnings
    about hook-like functions it holds.

    The reason is ``reason``, a :class:`~lamtheoguongbac.Problem` with the text in each
    language (``reason.message("en")``); ``error`` is the same on one line,
    ``"<vi> / <en>"``, for logs — do not cut it apart (either half may contain " / ").
    Two installed distributions declaring one entry-point name are both listed, under
    that name, each with its ``distribution``.

    Example:
        >>> from lamtheoguongbac import hookimpl
        >>> from lamtheoguongbac.plugin import create_registry
        >>> class Audit:
        ...     @hookimpl
        ...     def handbook_changed(self, event, handbook):
        ...         pass
        ...
        >>> registry = create_registry(load_entrypoints=False, extra_plugins=[Audit()])
        >>> info = [p for p in registry.plugins() if p.hooks == ("handbook_changed",)][0]
        >>> info.status, info.provides.events
        ('active', ('handbook_changed',))
    """

    name: str
    distribution: str | None
    version: str | None
    # Status spelled out, here and in other public signatures: the reference shows the values.
    status: Literal["active", "disabled", "failed", "conflict"]
    hooks: tuple[str, ...] = ()
    error: str | None = None
    provides: Provides = Provides()
    #: why the plugin is not active, in both languages (``reason.message("en")``), or None
    reason: Problem | None = attrs.field(default=None, eq=False)
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON (``lamtheoguongbac plugins --json``)."""
        return {
            "name": self.name,
            "distribution": self.distribution,
            "version": self.version,
            "status": self.status,
            "error": self.error,
            "reason": (
                None
                if self.reason is None
                else {"vi": self.reason.text_vi, "en": self.reason.text_en}
            ),
            "hooks": list(self.hooks),
            "provides": self.provides.as_dict(),
            "warnings": list(self.warnings),
        }


publish("lamtheoguongbac.plugin", Provides, PluginInfo)
