"""The plugin registry: a pluggy manager built by a factory, behind a typed facade.

There is no import-time global manager: :func:`create_registry` builds one, so embedding code
can keep isolated registries (one per tenant, one per test). Built-in backends register
through the same hooks as third-party plugins.

Isolation — no plugin can break another:

* each entry point loads in its own ``try``: a plugin that fails to import, implements a
  misspelt hook or raises in a hook is marked **failed** (with its error) and is never called
  again by this registry;
* registrations are checked plugin by plugin, in priority order — the built-ins, then
  ``extra_plugins`` in the order given, then entry points (in the order of the
  ``LAMTHEOGUONGBAC_PLUGINS`` allow-list when it is set, else by entry-point name), then
  plugins registered later. A plugin that registers a storage scheme, exporter name, rule
  code or command another plugin already provides is marked **conflict**, both providers
  named, and *none* of what it registers is used; everyone else keeps working, and the
  built-ins always win;
* rules **fail closed**: when a plugin that implements ``register_rules`` has failed (at
  registration, in a conflict, or in a rule's check), every step that runs rules is refused
  with a :class:`~lamtheoguongbac.PluginError` naming it, until the deployment fixes
  or disables it — or chooses ``on_failed_rules="skip"`` (``LAMTHEOGUONGBAC_ON_FAILED_RULES``).

Every hook is called through pluggy, one plugin at a time (a subset hook caller holding the
plugin's implementation and every ``wrapper=True`` implementation), so wrappers, tracing and
``add_hookcall_monitoring`` see each call and every error is attributed to its plugin.
"""

from __future__ import annotations

import copy
import inspect
import logging
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import pluggy

from lamtheoguongbac import _hookspecs as hookspecs
from lamtheoguongbac._errors import PluginError, Problem, StoreError
from lamtheoguongbac._public import publish

# The registry is built by every command line run; what it registers (storage, exporters,
# rules, the model) is imported only when a registration is checked or used, so that building
# it and loading the entry points stays cheap (issue 9: fast start-up).
if TYPE_CHECKING:
    from lamtheoguongbac._model import Event, Handbook
    from lamtheoguongbac._plugin_records import PluginInfo, Provides, Status
    from lamtheoguongbac._storage.base import StorageBackend, Store
    from lamtheoguongbac.export._base import DocumentKind, Exporter
    from lamtheoguongbac.rules._base import Rule, RuleContext, Stage, Violation

__all__ = [
    "ALLOW_ENV",
    "DISABLE_ENV",
    "ON_FAILED_RULES_ENV",
    "Registry",
    "create_registry",
]

log = logging.getLogger(__name__)

#: Comma-separated names of plugins not to load (entry-point names or distribution names).
DISABLE_ENV = "LAMTHEOGUONGBAC_DISABLE_PLUGINS"
#: Comma-separated names of the only entry-point plugins to load, in priority order.
ALLOW_ENV = "LAMTHEOGUONGBAC_PLUGINS"
#: ``refuse`` (the default) or ``skip``: what a step does when a rules plugin has failed.
ON_FAILED_RULES_ENV = "LAMTHEOGUONGBAC_ON_FAILED_RULES"

BUILTIN_NAME = "lamtheoguongbac.builtins"
_BUILTIN_DIST = "lamtheoguongbac"

OnFailedRules = Literal["refuse", "skip"]
T = TypeVar("T")

_REGISTRATION_HOOKS = ("register_storage_backends", "register_exporters", "register_rules")
_COMMANDS_HOOK = "register_commands"
# A wrapper of these hooks would run around other plugins' calls and receive *their*
# ``register`` callback (or the command group while they add to it): it could register in
# their name, make them fail or swallow their errors. Such a plugin is failed instead.
_NO_WRAPPERS = (*_REGISTRATION_HOOKS, _COMMANDS_HOOK)
#: The first-party plugin distributions: they rank right after the built-ins, so no
#: third-party plugin takes their entry-point names or what they register by sorting first.
FIRST_PARTY = frozenset({"lamtheoguongbac-docx", "lamtheoguongbac-jsonl", "lamtheoguongbac-sql"})
#: Rule (and violation) codes starting so are the library's own; plugins may not use them.
RESERVED_PREFIX = "LTGB-"
_STATUS_VI = {"active": "hoạt động", "disabled": "đã tắt", "failed": "lỗi", "conflict": "xung đột"}
# How plugins rank when two claim one name (see _Info.tier).
_TIER_BUILTIN, _TIER_EXPLICIT, _TIER_TRUSTED, _TIER_UNRANKED = 0, 1, 2, 3
_IMPL_MARK = f"{hookspecs.PROJECT}_impl"
# Named in a hint only (a distribution to install), never as an exporter: the core picks
# exporters by kind among what is registered.
_WORD_PLUGIN = "lamtheoguongbac-docx"


def _normalise(dist: str | None) -> str:
    return (dist or "").lower().replace("_", "-").replace(".", "-")


class _Info:
    """The registry's own record of a plugin: :class:`PluginInfo`'s fields but what it
    provides, a plain class (see :mod:`lamtheoguongbac._plugin_records`).

    ``reason`` is why it is not active, in both languages (a :class:`Problem`, never one
    fused string that would have to be cut apart again). ``tier`` is how it ranks when two
    plugins claim one name: the built-ins, then plugins the embedding code registered, then
    first-party or allow-listed entry points — each in priority order, the earlier winning —
    then other entry points, which have no order among themselves: when two of them claim a
    name, neither gets it.
    """

    __slots__ = (
        "distribution",
        "hooks",
        "name",
        "reason",
        "status",
        "tier",
        "version",
        "warnings",
    )

    def __init__(
        self,
        *,
        name: str,
        distribution: str | None,
        version: str | None,
        status: Status,
        hooks: tuple[str, ...] = (),
        reason: Problem | None = None,
        warnings: tuple[str, ...] = (),
        tier: int = _TIER_EXPLICIT,
    ) -> None:
        self.name, self.distribution, self.version = name, distribution, version
        self.status, self.hooks, self.reason, self.warnings = status, hooks, reason, warnings
        self.tier = tier

    @property
    def error(self) -> str | None:
        """The reason as one line, ``"<vi> / <en>"`` (just the text when both are one)."""
        if self.reason is None:
            return None
        vi, en = self.reason.text_vi, self.reason.text_en
        return vi if vi == en else f"{vi} / {en}"

    def evolve(self, *, status: Status, reason: Problem) -> _Info:
        return _Info(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            status=status,
            hooks=self.hooks,
            reason=reason,
            warnings=self.warnings,
            tier=self.tier,
        )

    def public(self, provides: Provides) -> PluginInfo:
        from lamtheoguongbac._plugin_records import PluginInfo

        return PluginInfo(
            name=self.name,
            distribution=self.distribution,
            version=self.version,
            status=self.status,
            hooks=self.hooks,
            error=self.error,
            reason=self.reason,
            provides=provides,
            warnings=self.warnings,
        )


class _Offer:
    """What one plugin's registration hooks registered (before conflicts are checked)."""

    def __init__(self) -> None:
        self.storage: dict[str, StorageBackend] = {}
        self.exporters: dict[str, Exporter] = {}
        self.rules: dict[str, Rule] = {}


class _Merged:
    """The winning registrations of the active plugins, each with its plugin's name."""

    def __init__(self) -> None:
        self.storage: dict[str, tuple[StorageBackend, str]] = {}
        self.exporters: dict[str, tuple[Exporter, str]] = {}
        self.rules: dict[str, tuple[Rule, str]] = {}


def _hook_names() -> set[str]:
    return {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "lamtheoguongbac_spec")}


def _names(value: str | None) -> list[str]:
    return [n.strip() for n in (value or "").split(",") if n.strip()]


def _library_version() -> str:
    from lamtheoguongbac._version import __version__

    return __version__


def _close_matches(word: str, choices: list[str], cutoff: float = 0.6) -> list[str]:
    import difflib  # only when a plugin looks wrong: difflib is slow to import

    return difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)


def _code_of(function: Any) -> Any:
    return getattr(inspect.unwrap(getattr(function, "__func__", function)), "__code__", None)


def _lint(plugin: object, specs: set[str]) -> list[str]:
    """Warnings about functions of ``plugin`` that look like hooks but will not run as meant."""
    found: list[str] = []
    for attr in sorted(dir(plugin)):
        if attr.startswith("_"):
            continue
        try:
            value = inspect.getattr_static(plugin, attr)
        except AttributeError:
            continue
        value = getattr(value, "__func__", value)
        if not inspect.isfunction(value):
            continue
        if isinstance(plugin, ModuleType) and value.__module__ != plugin.__name__:
            continue  # imported from elsewhere, not this plugin's own
        marked = getattr(value, _IMPL_MARK, None) is not None
        if not marked:
            if attr in specs:
                found.append(
                    f"'{attr}' trông như hook nhưng thiếu @hookimpl nên không bao giờ được gọi"
                    f" / '{attr}' looks like a hook but lacks @hookimpl, so it is never called"
                )
            else:
                close = _close_matches(attr, sorted(specs), cutoff=0.85)
                if close:
                    found.append(
                        f"'{attr}' giống hook '{close[0]}' nhưng thiếu @hookimpl và sai tên / "
                        f"'{attr}' looks like the hook '{close[0]}' but lacks @hookimpl and "
                        "is misspelt"
                    )
            continue
        parameters = inspect.signature(value).parameters.values()
        defaults = [p.name for p in parameters if p.default is not inspect.Parameter.empty]
        if defaults:
            listed = ", ".join(defaults)
            found.append(
                f"'{attr}': tham số có giá trị mặc định ({listed}) được truyền hay không tùy phiên "
                f"bản pluggy; hãy bỏ giá trị mặc định / '{attr}': whether arguments with defaults "
                f"({listed}) are passed depends on pluggy's version; remove the defaults"
            )
    return found


class Registry:
    """A typed facade over one pluggy ``PluginManager``.

    Args:
        on_failed_rules: ``"refuse"`` (default): steps that run rules are refused while a
            rules plugin has failed; ``"skip"``: they go on without its rules (logged).

    Example:
        >>> from lamtheoguongbac.plugin import create_registry
        >>> registry = create_registry(load_entrypoints=False)
        >>> sorted(registry.storage_backends())
        ['memory', 'sqlite']
        >>> store = registry.open_store("memory:")
        >>> store.units()
        []
        >>> store.close()
    """

    def __init__(self, *, on_failed_rules: Literal["refuse", "skip"] = "refuse") -> None:
        if on_failed_rules not in ("refuse", "skip"):
            raise PluginError(
                f"on_failed_rules phải là 'refuse' hoặc 'skip', không phải {on_failed_rules!r}",
                f"on_failed_rules must be 'refuse' or 'skip', not {on_failed_rules!r}",
            )
        self.on_failed_rules: OnFailedRules = on_failed_rules
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._specs = _hook_names()
        self._infos: dict[str, _Info] = {}
        self._shadowed: list[_Info] = []  # listed, not loaded: not holding their names
        self._order: list[str] = []  # registered plugins, highest priority first
        self._offers: dict[str, _Offer] = {}
        self._merged: _Merged | None = None
        self._commands: dict[str, tuple[str, ...]] = {}
        self._command_groups: set[int] = set()
        self._lock = threading.RLock()
        # how create_registry built it, for worker processes; None once changed by hand
        self._recipe: dict[str, Any] | None = None

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

        It ranks after every plugin already registered: its registrations lose any conflict
        with theirs.

        Raises:
            PluginError: the plugin implements an unknown (misspelt) hook or a hook with
                arguments the spec does not have, or the name is taken.
        """
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        with self._lock:
            self._recipe = None  # no longer what create_registry built
            if name in self._infos and self._infos[name].status not in ("disabled",):
                raise PluginError(
                    f"Plugin '{name}' đã được đăng ký", f"plugin '{name}' is already registered"
                )
            try:
                self.pm.register(plugin, name=name)
            except pluggy.PluginValidationError as exc:
                raise PluginError(
                    f"Plugin '{name}' không hợp lệ: {exc}", f"plugin '{name}' is invalid: {exc}"
                ) from exc
            except ValueError as exc:  # pluggy: the same object registered twice
                raise PluginError(
                    f"Plugin '{name}' đã được đăng ký: {exc}",
                    f"plugin '{name}' is already registered: {exc}",
                ) from exc
            callers = self.pm.get_hookcallers(plugin) or []
            unknown = [hc.name for hc in callers if hc.spec is None]
            if unknown:
                self.pm.unregister(plugin)
                hints = []
                for hook in unknown:
                    close = _close_matches(hook, sorted(self._specs))
                    hints.append(
                        f"'{hook}'" + (f" (ý bạn là / did you mean '{close[0]}'?)" if close else "")
                    )
                listed = ", ".join(hints)
                raise PluginError(
                    f"Plugin '{name}' cài đặt hook không tồn tại: {listed}",
                    f"plugin '{name}' implements unknown hooks: {listed}",
                )
            warnings = tuple(_lint(plugin, self._specs))
            for warning in warnings:
                log.warning("plugin %s: %s", name, warning)
            hooks = tuple(sorted(hc.name for hc in callers))
            wrapped = sorted(
                hc.name
                for hc in callers
                if hc.name in _NO_WRAPPERS
                for impl in hc.get_hookimpls()
                if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper)
            )
            reason = None
            if wrapped:
                listed = ", ".join(wrapped)
                reason = Problem(
                    f"cài đặt {listed} dạng wrapper (wrapper=True/hookwrapper=True): hook đăng "
                    "ký không nhận wrapper vì wrapper chạy quanh lời gọi của plugin khác và "
                    "nhận hàm register của họ",
                    f"implements {listed} as a wrapper (wrapper=True/hookwrapper=True): "
                    "registration hooks take no wrappers, which would run around other "
                    "plugins' calls and receive their register callback",
                )
                log.warning("plugin %s failed: %s", name, reason.text_en)
            tier = _TIER_BUILTIN if name == BUILTIN_NAME else _TIER_EXPLICIT
            self._infos[name] = _Info(
                name=name,
                distribution=distribution,
                version=version,
                status="failed" if wrapped else "active",
                hooks=hooks,
                reason=reason,
                warnings=warnings,
                tier=tier,
            )
            self._order.append(name)
            self._merged = None
        return name

    def unregister(self, name: str) -> None:
        """Remove the plugin registered as ``name``; ``PluginError`` if there is none."""
        with self._lock:
            if self.pm.get_plugin(name) is None:
                raise PluginError(f"Không có plugin '{name}'", f"no plugin named '{name}'")
            self._recipe = None
            self.pm.unregister(name=name)
            self._infos.pop(name, None)
            self._offers.pop(name, None)
            self._commands.pop(name, None)
            if name in self._order:
                self._order.remove(name)
            self._merged = None

    def _record(self, info: _Info) -> None:
        self._infos[info.name] = info

    def _shadow(self, info: _Info) -> None:
        """List ``info`` without taking its name: an entry point not loaded (disabled, or
        losing its name to another distribution's) is still shown, under its distribution."""
        self._shadowed.append(info)

    @staticmethod
    def _entry_point_winner(
        claimants: list[Any], rank: Mapping[str, int], first_party: Callable[[Any], bool]
    ) -> Any | None:
        """Which of the distributions declaring one entry-point name loads: the one the
        allow-list ranks strictly first, else the only first-party one, else none."""
        if rank:
            places = sorted(
                (min(rank.get(ep.name, len(rank)), rank.get(ep.dist.name, len(rank))), i)
                for i, ep in enumerate(claimants)
                if ep.dist is not None
            )
            if len(places) == len(claimants) and places[0][0] < places[1][0]:
                return claimants[places[0][1]]
        ours = [ep for ep in claimants if first_party(ep)]
        return ours[0] if len(ours) == 1 else None

    def _name_taken(self, ep: Any, claimants: list[Any], winner: Any | None) -> _Info:
        dists = ", ".join(ep.dist.name if ep.dist is not None else "?" for ep in claimants)
        if winner is not None:
            by = winner.dist.name if winner.dist is not None else winner.name
            vi = f"tên entry point '{ep.name}' đã thuộc về {by}; plugin này không được nạp"
            en = f"the entry-point name '{ep.name}' belongs to {by}; this plugin is not loaded"
        else:
            vi = (
                f"tên entry point '{ep.name}' do nhiều bản phân phối cùng khai báo ({dists}): "
                f"không nạp bản nào; chọn một bằng {ALLOW_ENV}=<tên bản phân phối>, tắt bản "
                f"kia bằng {DISABLE_ENV}, hoặc gỡ cài đặt một bản"
            )
            en = (
                f"the entry-point name '{ep.name}' is declared by several distributions "
                f"({dists}): none is loaded; choose one with {ALLOW_ENV}=<distribution>, "
                f"disable the other with {DISABLE_ENV}, or uninstall one"
            )
        log.warning("plugin %s (%s): %s", ep.name, ep.dist.name if ep.dist else None, en)
        return _Info(
            name=ep.name,
            distribution=ep.dist.name if ep.dist is not None else None,
            version=ep.dist.version if ep.dist is not None else None,
            status="conflict",
            reason=Problem(vi, en),
        )

    def _load(self, ep: Any, tier: int) -> None:
        """Import one entry point and register it; any failure — ``sys.exit()`` included —
        marks it failed (only ``KeyboardInterrupt`` goes through)."""
        dist = ep.dist.name if ep.dist is not None else None
        version = ep.dist.version if ep.dist is not None else None
        try:
            plugin = ep.load()
            self.register(plugin, ep.name, distribution=dist, version=version)
        except (Exception, SystemExit) as exc:  # a broken plugin must never break the host
            vi, error = _exc_texts(exc)
            log.warning("plugin %s (%s) failed to load: %s", ep.name, dist, error)
            self._record(
                _Info(
                    name=ep.name,
                    distribution=dist,
                    version=version,
                    status="failed",
                    reason=Problem(vi, error),
                )
            )
            return
        self._infos[ep.name].tier = tier

    def load_entrypoints(
        self, blocked: Iterable[str] = (), allowed: Sequence[str] | None = None
    ) -> None:
        """Load the plugins of the ``lamtheoguongbac`` entry-point group, each on its own.

        Args:
            blocked: entry-point or distribution names not to load (listed as disabled).
            allowed: when given, load only these (entry-point or distribution names), in
                this priority order; the others are listed as disabled, and a name that
                matches no installed plugin is listed as failed.
        """
        from lamtheoguongbac._entrypoints import entry_points

        blocked_set = set(blocked)

        def dist_of(ep: Any) -> str | None:
            return ep.dist.name if ep.dist is not None else None

        def first_party(ep: Any) -> bool:
            return _normalise(dist_of(ep)) in FIRST_PARTY

        # First-party plugins rank first, then by entry-point name — an order used only to
        # list and load: two third-party plugins claiming one name get neither (_resolve).
        found = sorted(
            entry_points(hookspecs.PROJECT),
            key=lambda ep: (not first_party(ep), ep.name, dist_of(ep) or ""),
        )
        rank: dict[str, int] = {}
        if allowed is not None:
            rank = {n: i for i, n in enumerate(allowed)}

            def position(ep: Any) -> int:
                return min(rank.get(ep.name, len(rank)), rank.get(dist_of(ep) or "", len(rank)))

            found.sort(key=position)
        matched: set[str] = set()
        candidates: list[Any] = []
        for ep in found:
            dist = dist_of(ep)

            def info(status: Status, vi: str, en: str, *, _ep: Any = ep, _d: Any = dist) -> _Info:
                return _Info(
                    name=_ep.name,
                    distribution=_d,
                    version=_ep.dist.version if _ep.dist is not None else None,
                    status=status,
                    reason=Problem(vi, en),
                )

            if ep.name in blocked_set or (dist is not None and dist in blocked_set):
                self._shadow(info("disabled", f"bị tắt bởi {DISABLE_ENV}", f"{DISABLE_ENV}"))
                continue
            if allowed is not None:
                names = {ep.name, dist}
                if not names & set(allowed):
                    self._shadow(
                        info("disabled", f"không có trong {ALLOW_ENV}", f"not in {ALLOW_ENV}")
                    )
                    continue
                matched |= {n for n in names if n}
            candidates.append(ep)
        # Two distributions declaring one entry-point name: the first-party one, or the one
        # the allow-list ranks first, is loaded; else none is — never the one sorting first.
        by_name: dict[str, list[Any]] = {}
        for ep in candidates:
            same = by_name.setdefault(ep.name, [])
            if all(dist_of(other) != dist_of(ep) for other in same):
                same.append(ep)  # the same distribution twice on sys.path counts once
        for ep in candidates:
            claimants = by_name[ep.name]
            if ep is not claimants[0] and ep not in claimants:
                continue
            if len(claimants) > 1:
                winner = self._entry_point_winner(claimants, rank, first_party)
                if ep is not winner:
                    self._shadow(self._name_taken(ep, claimants, winner))
                    continue
            elif ep.name in self._infos:
                log.warning("plugin %s (%s): name already registered", ep.name, dist_of(ep))
                continue
            trusted = first_party(ep) or allowed is not None
            self._load(ep, _TIER_TRUSTED if trusted else _TIER_UNRANKED)
        if allowed is not None:
            for name in allowed:
                if name not in matched and name not in self._infos:
                    self._record(
                        _Info(
                            name=name,
                            distribution=None,
                            version=None,
                            status="failed",
                            reason=Problem(
                                f"có trong {ALLOW_ENV} nhưng chưa cài",
                                f"named in {ALLOW_ENV} but not installed",
                            ),
                        )
                    )
        self.pm.check_pending()

    # --- calling hooks through pluggy, one plugin at a time -----------------------------

    def _active(self, name: str) -> bool:
        info = self._infos.get(name)
        return info is not None and info.status == "active"

    def _caller(self, hook: str, name: str) -> Any:
        """A pluggy caller of ``hook`` holding ``name``'s implementation and the wrappers of
        the active plugins."""
        keep = self.pm.get_plugin(name)
        remove = []
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            wrapper = impl.wrapper or impl.hookwrapper
            if impl.plugin is keep and not (wrapper and hook in _NO_WRAPPERS):
                continue
            if not wrapper or not self._active(impl.plugin_name) or hook in _NO_WRAPPERS:
                remove.append(impl.plugin)
        return self.pm.subset_hook_caller(hook, remove)

    def _implementers(self, hook: str) -> list[str]:
        """Active plugins with a (non-wrapper) implementation of ``hook``, in priority order."""
        have = {
            impl.plugin_name
            for impl in getattr(self.pm.hook, hook).get_hookimpls()
            if not (impl.wrapper or impl.hookwrapper)
        }
        return [n for n in self._order if n in have and self._active(n)]

    def _culprit(self, hook: str, name: str, exc: BaseException) -> str:
        """The plugin whose code raised ``exc`` in a call of ``hook`` for ``name``: the
        innermost implementation on the traceback (a wrapper's own error is its own)."""
        codes = {
            _code_of(impl.function): impl.plugin_name
            for impl in getattr(self.pm.hook, hook).get_hookimpls()
        }
        culprit = name
        tb: TracebackType | None = exc.__traceback__
        while tb is not None:
            culprit = codes.get(tb.tb_frame.f_code, culprit)
            tb = tb.tb_next
        return culprit

    def _call(
        self, hook: str, name: str, *, returned: list[Any] | None = None, **kwargs: Any
    ) -> bool:
        """Call ``name``'s ``hook`` through pluggy; on an error mark the culprit failed.

        Returns whether the call succeeded; what the implementations returned (other than
        None) is added to ``returned`` when given.
        """
        try:
            results = self._caller(hook, name)(**kwargs)
            if returned is not None and results:
                returned.extend(results)
        except (Exception, SystemExit) as exc:  # sys.exit() in a hook is a failure too
            vi, en = _exc_texts(exc)
            self._fail(self._culprit(hook, name, exc), f"{hook}: {vi}", f"{hook}: {en}", exc=exc)
            return False
        return True

    def _fail(
        self,
        name: str,
        vi: str,
        en: str,
        status: Status = "failed",
        *,
        exc: BaseException | None = None,
    ) -> None:
        # The traceback goes to the log too: a plugin author needs to see where it raised.
        log.warning("plugin %s %s: %s", name, status, en, exc_info=exc)
        with self._lock:
            old = self._infos.get(name)
            if old is not None and old.status == "active":
                self._infos[name] = old.evolve(status=status, reason=Problem(vi, en))
                self._merged = None

    # --- registrations -----------------------------------------------------------------

    def _offer(self, name: str) -> _Offer | None:
        """Call ``name``'s registration hooks once; None if the plugin failed in them."""
        if name in self._offers:
            return self._offers[name]
        from lamtheoguongbac._storage.base import StorageBackend
        from lamtheoguongbac.export._base import Exporter
        from lamtheoguongbac.rules._base import Rule

        offer = _Offer()
        problems: list[tuple[str, str]] = []
        kinds: dict[str, tuple[type, dict[str, Any], Callable[[Any], str], str]] = {
            "register_storage_backends": (
                StorageBackend,
                offer.storage,
                lambda b: b.scheme,
                "storage",
            ),
            "register_exporters": (Exporter, offer.exporters, lambda e: e.name, "exporter"),
            "register_rules": (Rule, offer.rules, lambda r: r.code, "rule"),
        }
        for hook in _REGISTRATION_HOOKS:
            if name not in self._implementers(hook):
                continue
            cls, into, key, what = kinds[hook]

            def register(
                item: Any, *, _cls: Any = cls, _into: Any = into, _key: Any = key, _what: str = what
            ) -> None:
                if not isinstance(item, _cls):
                    problems.append(
                        (
                            f"đăng ký {type(item).__name__}, không phải {_cls.__name__}",
                            f"registered a {type(item).__name__}, not a {_cls.__name__}",
                        )
                    )
                    return
                key_ = _key(item)
                if not isinstance(key_, str) or not key_.strip():
                    problems.append(
                        (
                            f"đăng ký {_what} có tên {key_!r} (cần chuỗi khác rỗng)",
                            f"registered a {_what} named {key_!r} (a non-blank str is needed)",
                        )
                    )
                    return
                if key_ in _into:
                    problems.append(
                        (
                            f"{_what} '{key_}' được đăng ký hai lần",
                            f"{_what} '{key_}' is registered twice",
                        )
                    )
                    return
                _into[key_] = item

            returned: list[Any] = []
            before = len(into), len(problems)
            if not self._call(hook, name, returned=returned, register=register):
                self._offers[name] = offer
                return None
            if any(returned) and (len(into), len(problems)) == before:
                # It registered nothing and returned what it provides: pluggy drops that.
                # (A hook that registers, then returns what register returned, is fine.)
                kind = type(returned[0]).__name__
                problems.append(
                    (
                        f"{hook} trả về {kind} thay vì gọi register(...) cho từng thứ nó cung cấp",
                        f"{hook} returned a {kind} instead of calling register(...) for each "
                        "thing it provides",
                    )
                )
        self._offers[name] = offer
        if problems:
            self._fail(
                name, "; ".join(vi for vi, _ in problems), "; ".join(en for _, en in problems)
            )
            return None
        return offer

    def _resolve(self) -> _Merged:
        """The winning registrations: each active plugin's offer, in priority order; a
        plugin whose offer clashes with an earlier one is marked conflict as a whole."""
        with self._lock:
            while self._merged is None:
                merged = _Merged()
                changed = False
                for name in list(self._order):
                    if not self._active(name):
                        continue
                    offer = self._offer(name)
                    if offer is None or not self._active(name):
                        changed = True
                        break  # a plugin failed: start over without it
                    clash = self._clash(merged, offer, name)
                    if clash is not None:
                        other, vi, en = clash
                        self._fail(name, vi, en, "conflict")
                        if other is not None:
                            # two plugins with no order between them: neither gets the name
                            self._fail(other, vi, en, "conflict")
                        changed = True
                        break
                    for key, backend in offer.storage.items():
                        merged.storage[key] = (backend, name)
                    for key, exporter in offer.exporters.items():
                        merged.exporters[key] = (exporter, name)
                    for key, rule in offer.rules.items():
                        merged.rules[key] = (rule, name)
                if not changed:
                    self._merged = merged
            return self._merged

    def _provider(self, name: str) -> str:
        info = self._infos.get(name)
        if info is not None and info.distribution and info.distribution != name:
            return f"{name} ({info.distribution})"
        return name

    def _tier(self, name: str) -> int:
        info = self._infos.get(name)
        return info.tier if info is not None else _TIER_UNRANKED

    def _clash(
        self, merged: _Merged, offer: _Offer, name: str
    ) -> tuple[str | None, str, str] | None:
        """Why ``name``'s offer cannot be used — a reserved rule code, or a name an earlier
        plugin provides — as ``(the other plugin to fail too, or None, vi, en)``."""
        me = self._provider(name)
        for code in offer.rules:
            if code.upper().startswith(RESERVED_PREFIX):
                return (
                    None,
                    f"mã quy tắc '{code}' dùng tiền tố {RESERVED_PREFIX} dành cho quy tắc của "
                    f"thư viện; {me} bị bỏ qua (hãy dùng tiền tố riêng)",
                    f"the rule code '{code}' uses the prefix {RESERVED_PREFIX}, kept for the "
                    f"library's own rules; {me} is not used (use your own prefix)",
                )
        for what_vi, what_en, taken, mine in (
            ("kho lưu trữ", "storage scheme", merged.storage, offer.storage),
            ("bộ xuất", "exporter", merged.exporters, offer.exporters),
            ("quy tắc", "rule code", merged.rules, offer.rules),
        ):
            for key in mine:
                if key not in taken:
                    continue
                owner = taken[key][1]
                first = self._provider(owner)
                if self._tier(owner) == self._tier(name) == _TIER_UNRANKED:
                    return (
                        owner,
                        f"{what_vi} '{key}' do cả {first} và {me} cung cấp: không dùng plugin "
                        f"nào; chọn một bằng {ALLOW_ENV} (theo thứ tự ưu tiên), tắt một bằng "
                        f"{DISABLE_ENV}, hoặc gỡ cài đặt một plugin",
                        f"{what_en} '{key}' is provided by both {first} and {me}: neither is "
                        f"used; choose one with {ALLOW_ENV} (in priority order), disable one "
                        f"with {DISABLE_ENV}, or uninstall one",
                    )
                return (
                    None,
                    f"{what_vi} '{key}' đã do {first} cung cấp, {me} bị bỏ qua",
                    f"{what_en} '{key}' is already provided by {first}; {me} is not used",
                )
        return None

    def storage_backends(self) -> dict[str, StorageBackend]:
        """Storage backends by URL scheme."""
        return {k: b for k, (b, _) in self._resolve().storage.items()}

    def exporters(self) -> dict[str, Exporter]:
        """Exporters by name."""
        return {k: e for k, (e, _) in self._resolve().exporters.items()}

    def _lost(self, attribute: str, key: str) -> str:
        """`` (plugin X, which provides it, is failed: …)`` when an inactive plugin offered
        ``key``, else ""."""
        for name, offer in self._offers.items():
            info = self._infos.get(name)
            if info is not None and info.status != "active" and key in getattr(offer, attribute):
                return f" [{self._provider(name)}: {info.status}: {info.error}]"
        return ""

    def exporter(self, name: str) -> Exporter:
        """The exporter called ``name``; ``PluginError`` listing those available if none."""
        exporters = self.exporters()
        if name not in exporters:
            have = ", ".join(sorted(exporters)) or "—"
            lost = self._lost("exporters", name)
            raise PluginError(
                f"Không có bộ xuất '{name}'{lost}; hiện có: {have}",
                f"no exporter '{name}'{lost}; available: {have}",
            )
        return exporters[name]

    def exporter_for(self, kind: DocumentKind | str, name: str | None = None) -> Exporter:
        """The exporter to render documents of ``kind``: the one called ``name``, or else
        the default of that kind — the first of that kind from the built-ins, the embedding
        code's plugins, a first-party plugin or an allow-listed one (in priority order), else
        the only one of that kind. Installing another plugin never changes the default
        silently: with several third-party exporters of a kind and none of those, the
        exporter must be named.

        Raises:
            PluginError: no exporter of that kind is registered, several third-party ones
                are and none is named, or ``name`` is unknown or renders another kind (both
                named).
        """
        from lamtheoguongbac.export._base import document_kind

        wanted = document_kind(kind)
        if name is not None:
            chosen = self.exporter(name)
            chosen.require_kind(wanted)
            return chosen
        of_kind = [(e, n) for e, n in self._resolve().exporters.values() if e.kind is wanted]
        for exporter, provider in of_kind:
            if self._tier(provider) < _TIER_UNRANKED:
                return exporter
        if len(of_kind) == 1:
            return of_kind[0][0]
        if of_kind:
            names = ", ".join(f"{e.name} ({self._provider(n)})" for e, n in of_kind)
            raise PluginError(
                f"Có nhiều bộ xuất làm {wanted.label_vi} ({wanted.value}) từ các plugin bên "
                f"ngoài: {names}; chọn một bằng --exporter (exporter=...), hoặc xếp thứ tự "
                f"bằng {ALLOW_ENV}",
                f"several third-party exporters render a {wanted.value}: {names}; choose "
                f"one with --exporter (exporter=...), or rank the plugins with {ALLOW_ENV}",
            )
        have = ", ".join(f"{e.name} ({e.kind.value})" for e in self.exporters().values()) or "—"
        for provider, offer in self._offers.items():
            info = self._infos.get(provider)
            if info is None or info.status == "active" or info.reason is None:
                continue
            names = ", ".join(n for n, e in offer.exporters.items() if e.kind is wanted)
            if names:  # installed, but failed or in conflict: installing again would not help
                who = self._provider(provider)
                raise PluginError(
                    f"Không có bộ xuất nào làm {wanted.label_vi} ({wanted.value}) đang hoạt "
                    f"động: plugin {who} có {names} và đã được cài, nhưng không hoạt động "
                    f"({_STATUS_VI[info.status]}: {info.reason.text_vi}); xem lamtheoguongbac "
                    f"plugins; hiện có: {have}",
                    f"no active exporter renders a {wanted.value}: the plugin {who}, which "
                    f"provides {names}, is installed but not active ({info.status}: "
                    f"{info.reason.text_en}); see lamtheoguongbac plugins; available: {have}",
                )
        # The first-party plugins are not on a package index: a bare name would fetch
        # whatever someone else published under it. Point at the checkout or the wheelhouse.
        raise PluginError(
            f"Không có bộ xuất nào làm {wanted.label_vi} ({wanted.value}); cài một plugin xuất "
            f"văn bản từ thư mục mã nguồn hoặc thư mục dist do make dist tạo, ví dụ văn bản "
            f"Word: lamtheoguongbac install --no-index --find-links dist {_WORD_PLUGIN} (xem "
            f"lamtheoguongbac plugins); hiện có: {have}",
            f"no exporter renders a {wanted.value}; install an exporter plugin from a checkout "
            f"or from the folder make dist builds, e.g. for Word: lamtheoguongbac install "
            f"--no-index --find-links dist {_WORD_PLUGIN} (see lamtheoguongbac plugins); "
            f"available: {have}",
        )

    def exporter_provider(self, name: str) -> str | None:
        """The name of the plugin providing the exporter ``name`` (None if there is none)."""
        found = self._resolve().exporters.get(name)
        return found[1] if found is not None else None

    def worker_plugins(self, exporter: str) -> tuple[str | object, ...]:
        """What a worker process must register to find ``exporter`` (``jobs > 1``): nothing
        for an installed distribution's plugin (workers load entry points themselves), the
        module's name for a module registered directly, the object itself for an object
        plugin that pickles.

        Raises:
            PluginError: the exporter comes from an object that cannot be sent to another
                process (the reason is given).
        """
        provider = self.exporter_provider(exporter)
        if provider is None:
            self.exporter(exporter)  # the PluginError naming what exists
        assert provider is not None
        info = self._infos[provider]
        if info.distribution is not None:
            return ()
        plugin = self.pm.get_plugin(provider)
        if isinstance(plugin, ModuleType):
            return (plugin.__name__,)
        import pickle  # only for jobs > 1

        try:
            pickle.dumps(plugin)
        except Exception as exc:
            raise PluginError(
                f"Bộ xuất '{exporter}' của plugin '{provider}' (một đối tượng) không gửi được "
                f"sang tiến trình phụ: {type(exc).__name__}: {exc}; dùng jobs=1, hoặc đăng ký "
                "plugin bằng một module hay một đối tượng pickle được (lớp ở cấp module)",
                f"the exporter '{exporter}' of the plugin '{provider}' (an object) cannot be "
                f"sent to worker processes: {type(exc).__name__}: {exc}; use jobs=1, or "
                "register the plugin as a module or a picklable object (a module-level class)",
            ) from exc
        return (plugin,)

    def worker_recipe(self) -> dict[str, Any]:
        """The arguments of :func:`create_registry` that build this registry again in a worker
        process (bulk steps with ``jobs > 1``): a module given in ``extra_plugins`` by its
        name, another plugin object as itself, the plugin environment variables as read.

        Raises:
            PluginError: the registry was changed after it was built (``register``,
                ``unregister``), or an ``extra_plugins`` object cannot be sent to another
                process; the message says to use ``jobs=1``.
        """
        import pickle  # only for jobs > 1

        if self._recipe is None:
            raise PluginError(
                "Bộ đăng ký plugin đã được đổi sau khi tạo (register/unregister): tiến trình "
                "phụ không dựng lại được; dùng jobs=1, hoặc đưa plugin vào create_registry("
                "extra_plugins=…)",
                "the plugin registry was changed after it was built (register/unregister): "
                "worker processes cannot build it again; use jobs=1, or give the plugins to "
                "create_registry(extra_plugins=…)",
            )
        recipe = dict(self._recipe)
        extra: list[object] = []
        for plugin in recipe["extra_plugins"]:
            if isinstance(plugin, ModuleType):
                extra.append(plugin.__name__)
                continue
            try:
                pickle.dumps(plugin)
            except Exception as exc:
                raise PluginError(
                    f"Plugin {plugin!r} (một đối tượng) không gửi được sang tiến trình phụ: "
                    f"{type(exc).__name__}: {exc}; dùng jobs=1, hoặc đăng ký plugin bằng một "
                    "module hay một đối tượng pickle được (lớp ở cấp module)",
                    f"the plugin {plugin!r} (an object) cannot be sent to worker processes: "
                    f"{type(exc).__name__}: {exc}; use jobs=1, or register the plugin as a "
                    "module or a picklable object (a module-level class)",
                ) from exc
            extra.append(plugin)
        recipe["extra_plugins"] = tuple(extra)
        return recipe

    def rules(self) -> list[Rule]:
        """Extra rules contributed by plugins, each guarded so that it fails closed; with
        ``on_failed_rules="refuse"``, one guard rule per stage for every failed rules plugin,
        refusing the step with a :class:`~lamtheoguongbac.PluginError` naming the plugin."""
        from lamtheoguongbac.rules._base import Stage

        merged = self._resolve()
        found = [self._guarded(rule, name) for rule, name in merged.rules.values()]
        if self.on_failed_rules == "refuse":
            for name in self.failed_rule_plugins():
                found += [self._refusal(name, stage) for stage in Stage]
        return found

    def failed_rule_plugins(self) -> list[str]:
        """Plugins implementing ``register_rules`` that are failed or in conflict."""
        self._resolve()
        return [
            info.name
            for info in self.plugins()
            if info.status in ("failed", "conflict") and "register_rules" in info.hooks
        ]

    def _refused(self, name: str) -> PluginError:
        info = self._infos.get(name)
        status = info.status if info is not None else "failed"
        problem = info.reason if info is not None else None
        reason_vi = problem.text_vi if problem is not None else ""
        reason = problem.text_en if problem is not None else ""
        return PluginError(
            f"Plugin quy tắc '{self._provider(name)}' bị lỗi ({_STATUS_VI[status]}: "
            f"{reason_vi}); bước này bị "
            f"từ chối để không bỏ sót kiểm tra. Sửa hoặc tắt plugin ({DISABLE_ENV}), hoặc đặt "
            f"{ON_FAILED_RULES_ENV}=skip",
            f"the rules plugin '{self._provider(name)}' has failed ({status}: {reason}); the "
            f"step is refused so that no check is skipped. Fix or disable the plugin "
            f"({DISABLE_ENV}), or set {ON_FAILED_RULES_ENV}=skip",
        )

    def _refusal(self, name: str, stage: Stage) -> Rule:
        from lamtheoguongbac.rules._base import Rule

        return Rule(
            code=f"LTGB-PLUGIN:{name}:{stage.value}",
            stage=stage,
            title_vi=f"Plugin quy tắc '{name}' bị lỗi",
            title_en=f"The rules plugin '{name}' has failed",
            check=_PluginCheck(self, name, None),
        )

    def _guarded(self, rule: Rule, name: str) -> Rule:
        import attrs  # only once a rule runs: building a registry must not import it

        return attrs.evolve(rule, check=_PluginCheck(self, name, rule))

    def open_store(self, url: str) -> Store:
        """Open the store at ``url`` with the backend registered for its scheme."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        url = scheme + url[len(scheme) :]  # schemes are case-insensitive (RFC 3986 §3.1)
        backends = self.storage_backends()
        if scheme not in backends:
            have = ", ".join(f"{s}:" for s in sorted(backends)) or "—"
            lost = self._lost("storage", scheme) if scheme else ""
            raise StoreError(
                f"Không nhận ra địa chỉ kho '{url}'{lost}; các loại hỗ trợ: {have}",
                f"unrecognised store URL '{url}'{lost}; supported schemes: {have}",
            )
        import contextlib

        from lamtheoguongbac._errors import LamTheoGuongBacError
        from lamtheoguongbac._storage.base import Store, missing_members

        # The backend is a plugin's code: what it raises or returns is checked here, so that
        # a failure names the URL and the plugin, not the library.
        found = self._resolve().storage[scheme][1]
        who = self._provider(found)
        try:
            store = backends[scheme].open(url)
        except LamTheoGuongBacError:
            raise
        except OSError as exc:
            raise StoreError(
                f"Không mở được kho '{url}' (plugin {who}): {exc}",
                f"cannot open the store '{url}' (plugin {who}): {exc}",
            ) from exc
        except Exception as exc:
            raise PluginError(
                f"Plugin {who} bị lỗi khi mở kho '{url}': {exc!r}",
                f"the plugin {who} failed opening the store '{url}': {exc!r}",
            ) from exc
        if not isinstance(store, Store):
            missing = missing_members(store)
            lacks = ", ".join(missing[:4]) + (", …" if len(missing) > 4 else "")
            with contextlib.suppress(Exception):
                store.close()
            raise PluginError(
                f"Plugin {who} mở kho '{url}' nhưng trả về {type(store).__name__}, không phải "
                f"một kho (thiếu: {lacks})",
                f"the plugin {who} opened the store '{url}' but returned "
                f"{type(store).__name__}, not a Store (missing: {lacks})",
            )
        return store

    # --- commands ------------------------------------------------------------------------

    def add_commands(self, group: Any) -> None:
        """Call every plugin's ``register_commands`` with the click ``group`` (once per group).

        A plugin that raises, or adds a command under a name already taken (a built-in
        command or an earlier plugin's), is marked failed or conflict and every command it
        added is taken back.
        """
        with self._lock:
            if id(group) in self._command_groups:
                return
            self._command_groups.add(id(group))
            owners = {c: n for n, cs in self._commands.items() for c in cs}
            # A group that loads its commands on first use lists names not loaded yet.
            lazy = set(getattr(group, "lazy_commands", ()))
            for name in self._implementers(_COMMANDS_HOOK):
                before = dict(group.commands)
                if not self._call(_COMMANDS_HOOK, name, cli=group):
                    group.commands.clear()
                    group.commands.update(before)
                    continue
                replaced = sorted(
                    k for k in {*before, *lazy} if group.commands.get(k) is not before.get(k)
                )
                if replaced:
                    group.commands.clear()
                    group.commands.update(before)
                    first = owners.get(replaced[0])
                    by = self._provider(first) if first else "lamtheoguongbac"
                    if first is not None and self._tier(first) == self._tier(name) == (
                        _TIER_UNRANKED
                    ):
                        # no order between the two: neither gets the name (nor its commands)
                        me = self._provider(name)
                        vi = (
                            f"lệnh '{replaced[0]}' do cả {by} và {me} cung cấp: không dùng "
                            f"plugin nào; chọn một bằng {ALLOW_ENV}, tắt một bằng "
                            f"{DISABLE_ENV}, hoặc gỡ cài đặt một plugin"
                        )
                        en = (
                            f"the command '{replaced[0]}' is provided by both {by} and {me}: "
                            f"neither is used; choose one with {ALLOW_ENV}, disable one with "
                            f"{DISABLE_ENV}, or uninstall one"
                        )
                        for command in self._commands.pop(first, ()):
                            group.commands.pop(command, None)
                            owners.pop(command, None)
                        self._fail(first, vi, en, "conflict")
                        self._fail(name, vi, en, "conflict")
                        continue
                    self._fail(
                        name,
                        f"lệnh '{replaced[0]}' đã do {by} cung cấp",
                        f"the command '{replaced[0]}' is already provided by {by}",
                        "conflict",
                    )
                    continue
                added = tuple(sorted(k for k in group.commands if k not in before))
                self._commands[name] = added
                owners.update(dict.fromkeys(added, name))

    # --- queries -------------------------------------------------------------------------

    def plugins(self) -> list[PluginInfo]:
        """Every plugin seen — active, disabled, failed, conflict — sorted by name, after
        running the registration hooks, with what each provides."""
        from lamtheoguongbac._plugin_records import Provides

        merged = self._resolve()
        result = []
        for info in [*self._infos.values(), *self._shadowed]:
            if info.status == "active":
                storage = sorted(k for k, (_, n) in merged.storage.items() if n == info.name)
                exporters = sorted(
                    (k, e.kind.value) for k, (e, n) in merged.exporters.items() if n == info.name
                )
                rules = sorted(k for k, (_, n) in merged.rules.items() if n == info.name)
                commands = self._commands.get(info.name, ())
            else:
                storage, exporters, rules, commands = [], [], [], ()
            events = tuple(
                h for h in info.hooks if h not in _REGISTRATION_HOOKS and h != _COMMANDS_HOOK
            )
            provides = Provides(
                storage=tuple(storage),
                exporters=tuple(exporters),
                rules=tuple(rules),
                commands=tuple(commands),
                events=events,
            )
            result.append(info.public(provides))
        return sorted(result, key=lambda p: (p.name, p.distribution or ""))

    # --- events ------------------------------------------------------------------------

    def notify_changed(self, event: Event, handbook: Handbook) -> None:
        """Fire ``handbook_changed`` on every plugin; a raising plugin is logged, marked
        failed and not called again."""
        self.call_each("handbook_changed", event=event, handbook=handbook)

    def call_each(self, hook: str, **kwargs: Any) -> None:
        """Call ``hook`` on every active plugin, one at a time through pluggy, isolating
        failures (for hooks without results). ``register_commands`` goes to
        :meth:`add_commands`."""
        if hook == _COMMANDS_HOOK:
            self.add_commands(kwargs["cli"])
            return
        for name in self._implementers(hook):
            # Each plugin gets its own copy: one that writes into what it is given, past the
            # frozen classes (object.__setattr__), changes neither a store that keeps the
            # objects themselves (memory:) nor what the next plugin sees.
            self._call(hook, name, **copy.deepcopy(kwargs))


def _exc_texts(exc: BaseException) -> tuple[str, str]:
    """``"<type>: <message>"`` in Vietnamese and in English: the library's own errors carry
    both languages, which one fused line would repeat in each."""
    from lamtheoguongbac._errors import LamTheoGuongBacError

    if isinstance(exc, LamTheoGuongBacError):
        return (
            f"{type(exc).__name__}: {exc.message('vi')}",
            f"{type(exc).__name__}: {exc.message('en')}",
        )
    text = f"{type(exc).__name__}: {exc}"
    return text, text


def _not_violations(result: object) -> tuple[str, str] | None:
    """Why a rule's result is not an iterable of violations (a list, a set, a generator …),
    else None: a mapping or a string read as "no violation" when empty, and a number or
    None is no iterable."""
    if isinstance(result, str | bytes | Mapping) or not isinstance(result, Iterable):
        kind = type(result).__name__
        return (
            f"trả về {kind} ({result!r:.60}), không phải danh sách Violation",
            f"returned a {kind} ({result!r:.60}), not a list of Violations",
        )
    return None


def _bad_violation(value: object) -> tuple[str, str] | None:
    """Why a rule's output ``value`` is not a violation a plugin may report, else None."""
    from lamtheoguongbac._errors import ValidationFailed
    from lamtheoguongbac.rules._base import Violation

    if not isinstance(value, Violation):
        return (
            f"trả về {type(value).__name__} ({value!r:.60}), không phải Violation",
            f"yielded a {type(value).__name__} ({value!r:.60}), not a Violation",
        )
    try:
        import attrs

        attrs.validate(value)  # made with object.__new__ or changed with object.__setattr__
    except ValidationFailed as exc:
        return (exc.message("vi"), exc.message("en"))
    except Exception as exc:
        return (f"Violation không hợp lệ: {exc}", f"an invalid Violation: {exc}")
    if value.code.upper().startswith(RESERVED_PREFIX):
        return (
            f"trả về vi phạm mã '{value.code}': tiền tố {RESERVED_PREFIX} dành cho quy tắc của "
            "thư viện, plugin không được mạo danh",
            f"yielded a violation coded '{value.code}': the prefix {RESERVED_PREFIX} is kept "
            "for the library's own rules, which a plugin may not pass itself off as",
        )
    return None


def _env_choice(value: str | None) -> OnFailedRules | None:
    if value is None or not value.strip():
        return None
    choice = value.strip().lower()
    if choice not in ("refuse", "skip"):
        raise PluginError(
            f"{ON_FAILED_RULES_ENV} phải là 'refuse' hoặc 'skip', không phải {value!r}",
            f"{ON_FAILED_RULES_ENV} must be 'refuse' or 'skip', not {value!r}",
        )
    return choice  # type: ignore[return-value]


class _PluginCheck:
    """A plugin's rule check as a policy runs it: guarded, so that it fails closed (or, with
    ``rule`` ``None``, the refusal standing for a rules plugin that failed). A policy tells
    the plugins' rules from a deployment's own by it (:func:`is_plugin_rule`)."""

    def __init__(self, registry: Registry, name: str, rule: Rule | None) -> None:
        self._registry, self._name, self._rule = registry, name, rule

    def __call__(self, handbook: Handbook, ctx: RuleContext) -> list[Violation]:
        registry, name, rule = self._registry, self._name, self._rule
        if rule is None:
            raise registry._refused(name)
        if not registry._active(name):
            if registry.on_failed_rules == "skip":
                return []
            raise registry._refused(name)
        try:
            # A copy: the handbook is the one the step would store, and a rule must not be
            # able to change it (past the frozen classes) after the library's rules ran.
            result = rule.check(copy.deepcopy(handbook), ctx)
            problem = _not_violations(result)
            found = [] if problem is not None else list(result)
            problem = problem or next(filter(None, (_bad_violation(v) for v in found)), None)
        except (Exception, SystemExit) as exc:  # sys.exit() in a rule fails it too
            vi, en = _exc_texts(exc)
            registry._fail(name, f"{rule.code}: {vi}", f"{rule.code}: {en}", exc=exc)
            if registry.on_failed_rules == "skip":
                return []
            raise registry._refused(name) from exc
        if problem is not None:
            # A malformed violation would be dropped or shown as nonsense, and a step it
            # should refuse would go through: the rule fails, closed, as if it raised.
            registry._fail(name, f"{rule.code}: {problem[0]}", f"{rule.code}: {problem[1]}")
            if registry.on_failed_rules == "skip":
                return []
            raise registry._refused(name)
        return found


def is_plugin_rule(rule: Rule) -> bool:
    """Whether ``rule`` is a plugin's, as a registry put it into a policy (guarded)."""
    return isinstance(rule.check, _PluginCheck)


def create_registry(
    *,
    load_entrypoints: bool = True,
    blocked: Iterable[str] = (),
    allowed: Iterable[str] | None = None,
    extra_plugins: Iterable[object] = (),
    on_failed_rules: Literal["refuse", "skip"] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Registry:
    """Build a registry: the built-ins, then ``extra_plugins``, then the entry points.

    Args:
        load_entrypoints: load installed plugins of the ``lamtheoguongbac`` group.
        blocked: plugin (entry-point or distribution) names not to load, added to those in
            the ``LAMTHEOGUONGBAC_DISABLE_PLUGINS`` environment variable.
        allowed: load only these entry-point plugins, in this priority order (default: the
            ``LAMTHEOGUONGBAC_PLUGINS`` environment variable if set, else every plugin).
        extra_plugins: plugin objects to register directly (modules or instances), ranked
            after the built-ins and before the entry points.
        on_failed_rules: ``"refuse"`` or ``"skip"`` (see :class:`Registry`); default: the
            ``LAMTHEOGUONGBAC_ON_FAILED_RULES`` environment variable, else ``"refuse"``.
        environ: where to read the environment variables (default: ``os.environ``).

    Raises:
        PluginError: an ``extra_plugins`` entry is invalid, or a setting is (entry-point
            plugins never raise: they are marked failed instead).

    Example:
        >>> from lamtheoguongbac.plugin import create_registry
        >>> registry = create_registry(load_entrypoints=False)
        >>> sorted(registry.storage_backends()), registry.exporters()
        (['memory', 'sqlite'], {})
    """
    from lamtheoguongbac import _builtin_plugins as builtin_plugins

    blocked, extra_plugins = tuple(blocked), tuple(extra_plugins)
    allowed = None if allowed is None else tuple(allowed)
    env = os.environ if environ is None else environ
    choice = on_failed_rules or _env_choice(env.get(ON_FAILED_RULES_ENV)) or "refuse"
    registry = Registry(on_failed_rules=choice)
    registry.register(
        builtin_plugins, BUILTIN_NAME, distribution=_BUILTIN_DIST, version=_library_version()
    )
    for plugin in extra_plugins:
        registry.register(plugin)
    if load_entrypoints:
        allow = list(allowed) if allowed is not None else None
        if allow is None and env.get(ALLOW_ENV, "").strip():
            allow = _names(env.get(ALLOW_ENV))
        registry.load_entrypoints([*blocked, *_names(env.get(DISABLE_ENV))], allow)
    registry._recipe = {
        "load_entrypoints": load_entrypoints,
        "blocked": blocked,
        "allowed": allowed,
        "extra_plugins": extra_plugins,
        "on_failed_rules": choice,
        "environ": {k: env[k] for k in (ALLOW_ENV, DISABLE_ENV) if k in env},
    }
    return registry


# Published here, not by lamtheoguongbac.plugin (which resolves names lazily): a registry made
# before that namespace is touched still reports its one public home.
publish("lamtheoguongbac.plugin", Registry)
