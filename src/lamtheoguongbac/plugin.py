"""The declared surface for plugin authors (giao diện cho người viết plugin).

A plugin — first-party or third-party — imports only from here, from the package root, and
from :mod:`lamtheoguongbac.testing` (for its tests)::

    from lamtheoguongbac.plugin import hookimpl, Exporter, StorageBackend, Store

It holds the hook marker, the exporter and renderer protocols with their options, the
storage protocol, its query, the store URL convention (:func:`parse_store_url`) and the
contract helpers every backend calls, the rule vocabulary with the Viet Nam time zone rules
judge dates in, the exporter's :class:`DocumentKind`, atomic writes and safe archive opening.
"""

from lamtheoguongbac.exemplars import exemplar_order
from lamtheoguongbac.export.base import (
    DocumentKind,
    Exporter,
    ExportOptions,
    Renderer,
    SettingsValidator,
    settings_validator,
)
from lamtheoguongbac.export.context import CONTEXT_SCHEMA, Schema
from lamtheoguongbac.fsutil import UnsafeArchive, atomic_write, atomic_write_many, check_zip
from lamtheoguongbac.hookspecs import PROJECT, hookimpl
from lamtheoguongbac.registry import (
    ALLOW_ENV,
    DISABLE_ENV,
    ON_FAILED_RULES_ENV,
    PluginInfo,
    Provides,
    Registry,
    create_registry,
)
from lamtheoguongbac.rules import Rule, RuleContext, Severity, Stage, Violation
from lamtheoguongbac.rules.base import VIETNAM_TIMEZONE, timezone
from lamtheoguongbac.storage.base import HandbookQuery, StorageBackend, Store
from lamtheoguongbac.storage.contract import (
    check_entry,
    check_exemplar_update,
    check_update,
    collation_fingerprint,
    duplicate_error,
    exemplar_exists,
    exemplar_matches,
    exemplar_stale,
    handbook_order,
    matches,
    member_order,
    normalise_query,
    not_found,
    roster_key,
    stale_error,
)
from lamtheoguongbac.storage.url import StoreURL, parse_store_url, store_url

__all__ = [
    "ALLOW_ENV",
    "CONTEXT_SCHEMA",
    "DISABLE_ENV",
    "ON_FAILED_RULES_ENV",
    "PROJECT",
    "VIETNAM_TIMEZONE",
    "DocumentKind",
    "ExportOptions",
    "Exporter",
    "HandbookQuery",
    "PluginInfo",
    "Provides",
    "Registry",
    "Renderer",
    "Rule",
    "RuleContext",
    "Schema",
    "SettingsValidator",
    "Severity",
    "Stage",
    "StorageBackend",
    "Store",
    "StoreURL",
    "UnsafeArchive",
    "Violation",
    "atomic_write",
    "atomic_write_many",
    "check_entry",
    "check_exemplar_update",
    "check_update",
    "check_zip",
    "collation_fingerprint",
    "create_registry",
    "duplicate_error",
    "exemplar_exists",
    "exemplar_matches",
    "exemplar_order",
    "exemplar_stale",
    "handbook_order",
    "hookimpl",
    "matches",
    "member_order",
    "normalise_query",
    "not_found",
    "parse_store_url",
    "roster_key",
    "settings_validator",
    "stale_error",
    "store_url",
    "timezone",
]
