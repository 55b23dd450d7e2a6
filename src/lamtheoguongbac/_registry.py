"""The plugin registry: a pluggy manager built by a factory, behind a typed facade.

There is no import-time global manager: :func:`create_registry` builds one, so embedding code
can keep isolated registries (one per tenant, one per test). Built-in backends register
through the same hooks as third-party plugins. Each entry point loads in its own
``try``: a plugin that fails to import, implements a misspelt hook or raises while
registering is marked *failed* with its name and error, and the host goes on.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import logging
import os
from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar

import attrs
import pluggy

from lamtheoguongbac import _hookspecs as hookspecs
from lamtheoguongbac._errors import PluginError, StoreError
from lamtheoguongbac._model import Event, Handbook
from lamtheoguongbac._storage.base import StorageBackend, Store
from lamtheoguongbac.export._base import Exporter
from lamtheoguongbac.rules._base import Rule

__all__ = ["DISABLE_ENV", "PluginInfo", "Registry", "create_registry"]

log = logging.getLogger(__name__)

#: Comma-separated names of plugins not to load (entry-point names or distribution names).
DISABLE_ENV = "LAMTHEOGUONGBAC_DISABLE_PLUGINS"

BUILTIN_NAME = "lamtheoguongbac.builtins"

Status = Literal["active", "disabled", "failed"]
T = TypeVar("T")


@attrs.frozen(kw_only=True)
class PluginInfo:
    """What ``lamtheoguongbac plugins`` shows about one plugin."""

    name: str
    distribution: str | None
    version: str | None
    status: Status
    hooks: tuple[str, ...] = ()
    error: str | None = None


def _hook_names() -> set[str]:
    return {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "lamtheoguongbac_spec")}


class Registry:
    """A typed facade over one pluggy ``PluginManager``."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._infos: dict[str, PluginInfo] = {}
        self._dist: dict[str, str] = {}
        self._cache: dict[str, Any] = {}

    # --- registration ------------------------------------------------------------------

    def register(
        self,
        plugin: object,
        name: str | None = None,
        *,
        distribution: str | None = None,
        version: str | None = None,
    ) -> str:
        """Register a plugin object (a module or any object with ``@hookimpl`` methods).

        Raises:
            PluginError: the plugin implements an unknown (misspelt) hook or a hook with
                arguments the spec does not have, or the name is taken.
        """
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        if name in self._infos and self._infos[name].status == "active":
            raise PluginError(
                f"Plugin '{name}' đã được đăng ký", f"plugin '{name}' is already registered"
            )
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(
                f"Plugin '{name}' không hợp lệ: {exc}", f"plugin '{name}' is invalid: {exc}"
            ) from exc
        unknown = [hc.name for hc in self.pm.get_hookcallers(plugin) or [] if hc.spec is None]
        if unknown:
            self.pm.unregister(plugin)
            hints = []
            for hook in unknown:
                close = difflib.get_close_matches(hook, sorted(_hook_names()), n=1)
                hints.append(
                    f"'{hook}'" + (f" (ý bạn là / did you mean '{close[0]}'?)" if close else "")
                )
            listed = ", ".join(hints)
            raise PluginError(
                f"Plugin '{name}' cài đặt hook không tồn tại: {listed}",
                f"plugin '{name}' implements unknown hooks: {listed}",
            )
        hooks = tuple(sorted(hc.name for hc in self.pm.get_hookcallers(plugin) or []))
        self._infos[name] = PluginInfo(
            name=name, distribution=distribution, version=version, status="active", hooks=hooks
        )
        self._dist[name] = distribution or name
        self._cache.clear()
        return name

    def unregister(self, name: str) -> None:
        """Remove the plugin registered as ``name``; ``PluginError`` if there is none."""
        if self.pm.get_plugin(name) is None:
            raise PluginError(f"Không có plugin '{name}'", f"no plugin named '{name}'")
        self.pm.unregister(name=name)
        self._infos.pop(name, None)
        self._dist.pop(name, None)
        self._cache.clear()

    def _record(self, info: PluginInfo) -> None:
        self._infos[info.name] = info

    def load_entrypoints(self, blocked: Iterable[str] = ()) -> None:
        """Load every plugin of the ``lamtheoguongbac`` entry-point group, each on its own."""
        blocked_set = set(blocked)
        for ep in importlib.metadata.entry_points(group=hookspecs.PROJECT):
            dist = ep.dist.name if ep.dist is not None else None
            version = ep.dist.version if ep.dist is not None else None
            if ep.name in blocked_set or (dist is not None and dist in blocked_set):
                self._record(
                    PluginInfo(name=ep.name, distribution=dist, version=version, status="disabled")
                )
                continue
            if ep.name in self._infos:
                continue
            try:
                plugin = ep.load()
                self.register(plugin, ep.name, distribution=dist, version=version)
            except Exception as exc:  # a broken plugin must never break the host
                error = f"{type(exc).__name__}: {exc}"
                log.warning("plugin %s (%s) failed to load: %s", ep.name, dist, error)
                self._record(
                    PluginInfo(
                        name=ep.name,
                        distribution=dist,
                        version=version,
                        status="failed",
                        error=error,
                    )
                )
        self.pm.check_pending()

    # --- queries -----------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen: active, disabled and failed, sorted by name."""
        return sorted(self._infos.values(), key=lambda p: p.name)

    def _collect(
        self, hook: str, key: Callable[[T], str], kind_vi: str, kind_en: str
    ) -> dict[str, T]:
        if hook in self._cache:
            found: dict[str, T] = self._cache[hook]
            return found
        found = {}
        providers: dict[str, str] = {}
        caller = getattr(self.pm.hook, hook)
        # Called impl by impl (not through the hook caller) so each registration is
        # attributed to its plugin and one raising plugin does not stop the others.
        for impl in reversed(caller.get_hookimpls()):
            plugin_name = impl.plugin_name
            provider = self._dist.get(plugin_name, plugin_name)

            def register(item: T, _provider: str = provider) -> None:
                name = key(item)
                if name in found:
                    raise PluginError(
                        f"{kind_vi} '{name}' được đăng ký hai lần: bởi {providers[name]} "
                        f"và bởi {_provider}",
                        f"{kind_en} '{name}' is registered twice: by {providers[name]} "
                        f"and by {_provider}",
                    )
                found[name] = item
                providers[name] = _provider

            try:
                impl.function(register=register)
            except PluginError:
                raise
            except Exception as exc:
                self._fail(plugin_name, exc, hook)
        self._cache[hook] = found
        return found

    def _fail(self, plugin_name: str, exc: Exception, hook: str) -> None:
        error = f"{hook}: {type(exc).__name__}: {exc}"
        log.warning("plugin %s raised in %s", plugin_name, error)
        old = self._infos.get(plugin_name)
        if old is not None:
            self._infos[plugin_name] = attrs.evolve(old, status="failed", error=error)

    def storage_backends(self) -> dict[str, StorageBackend]:
        """Storage backends by URL scheme."""
        return self._collect(
            "register_storage_backends", lambda b: b.scheme, "Kho lưu trữ", "storage backend"
        )

    def exporters(self) -> dict[str, Exporter]:
        """Exporters by name."""
        return self._collect("register_exporters", lambda e: e.name, "Bộ xuất", "exporter")

    def rules(self) -> list[Rule]:
        """Extra rules contributed by plugins."""
        return list(self._collect("register_rules", lambda r: r.code, "Quy tắc", "rule").values())

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``; ``PluginError`` listing those available if none."""
        exporters = self.exporters()
        if name not in exporters:
            have = ", ".join(sorted(exporters)) or "—"
            hint_vi = " (cài plugin lamtheoguongbac-docx để xuất Word)" if name == "docx" else ""
            raise PluginError(
                f"Không có bộ xuất '{name}'{hint_vi}; hiện có: {have}",
                f"no exporter '{name}'; available: {have}",
            )
        return exporters[name]

    def open_store(self, url: str) -> Store:
        """Open the store at ``url`` with the backend registered for its scheme."""
        scheme = url.split(":", 1)[0] if ":" in url else ""
        backends = self.storage_backends()
        if scheme not in backends:
            have = ", ".join(f"{s}:" for s in sorted(backends)) or "—"
            raise StoreError(
                f"Không nhận ra địa chỉ kho '{url}'; các loại hỗ trợ: {have}",
                f"unrecognised store URL '{url}'; supported schemes: {have}",
            )
        return backends[scheme].open(url)

    # --- events ------------------------------------------------------------------------

    def notify_changed(self, event: Event, handbook: Handbook) -> None:
        """Fire ``handbook_changed`` on every plugin; a raising plugin is logged and skipped."""
        self._call_each("handbook_changed", event=event, handbook=handbook)

    def _call_each(self, hook: str, **kwargs: Any) -> None:
        for impl in reversed(getattr(self.pm.hook, hook).get_hookimpls()):
            try:
                impl.function(**{a: kwargs[a] for a in impl.argnames})
            except Exception as exc:
                self._fail(impl.plugin_name, exc, hook)

    def call_each(self, hook: str, **kwargs: Any) -> None:
        """Call ``hook`` on every plugin, isolating failures (for hooks without results)."""
        self._call_each(hook, **kwargs)


def create_registry(
    *,
    load_entrypoints: bool = True,
    blocked: Iterable[str] = (),
    extra_plugins: Iterable[object] = (),
) -> Registry:
    """Build a registry: the built-ins, then ``extra_plugins``, then the entry points.

    Args:
        load_entrypoints: load installed plugins of the ``lamtheoguongbac`` group.
        blocked: plugin (entry-point or distribution) names not to load, added to those in
            the ``LAMTHEOGUONGBAC_DISABLE_PLUGINS`` environment variable.
        extra_plugins: plugin objects to register directly (modules or instances).

    Raises:
        PluginError: an ``extra_plugins`` entry is invalid (entry-point plugins never raise:
            they are marked failed instead).
    """
    from lamtheoguongbac import _builtin_plugins as builtin_plugins

    registry = Registry()
    registry.register(builtin_plugins, BUILTIN_NAME, distribution="lamtheoguongbac")
    for plugin in extra_plugins:
        registry.register(plugin)
    if load_entrypoints:
        env = [n.strip() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()]
        registry.load_entrypoints([*blocked, *env])
    return registry
