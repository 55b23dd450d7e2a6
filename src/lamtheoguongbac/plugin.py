"""The declared surface for plugin authors (giao diện cho người viết plugin).

A plugin — first-party or third-party — imports only from here, from the package root, and
from :mod:`lamtheoguongbac.testing` (for its tests)::

    from lamtheoguongbac.plugin import hookimpl, Exporter, StorageBackend, Store

It holds the hook marker, the exporter and renderer protocols with their options, the
storage protocol, its query, the store URL convention (:func:`parse_store_url`) and the
contract helpers every backend calls (with the committee's records a store keeps:
:class:`Inspection`, :class:`RecordEvent`), the rule vocabulary with the Viet Nam time zone
rules judge dates in, the exporter's :class:`DocumentKind`, atomic writes and safe archive
opening.
"""

from __future__ import annotations

import importlib

# Names resolve on first use (module ``__getattr__``), like the package root's: a plugin's
# entry-point module imports ``hookimpl`` from here while the registry loads it at every
# start, and must not pay for storage, export and rules it may never use (issue 9).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lamtheoguongbac._audit import RecordEvent, RecordType
    from lamtheoguongbac._exemplars import exemplar_order
    from lamtheoguongbac._fsutil import UnsafeArchive, atomic_write, atomic_write_many, check_zip
    from lamtheoguongbac._hookspecs import PROJECT, hookimpl
    from lamtheoguongbac._inspections import Inspection, inspection_order
    from lamtheoguongbac._plugin_records import PluginInfo, Provides
    from lamtheoguongbac._registry import (
        ALLOW_ENV,
        DISABLE_ENV,
        ON_FAILED_RULES_ENV,
        Registry,
        create_registry,
    )
    from lamtheoguongbac._storage._json import decode_json, encode_json
    from lamtheoguongbac._storage.base import (
        HandbookHeading,
        HandbookQuery,
        StorageBackend,
        Store,
    )
    from lamtheoguongbac._storage.contract import (
        check_entry,
        check_exemplar_update,
        check_inspection_update,
        check_signatures,
        check_update,
        checked_chunks,
        collation_fingerprint,
        duplicate_error,
        exemplar_exists,
        exemplar_matches,
        exemplar_stale,
        handbook_order,
        inspection_exists,
        inspection_matches,
        inspection_stale,
        matches,
        member_order,
        normalise_query,
        not_found,
        read_stored,
        roster_key,
        stale_error,
        trusted_restore,
    )
    from lamtheoguongbac._storage.url import StoreURL, parse_store_url, store_url
    from lamtheoguongbac.export._base import (
        DocumentKind,
        Exporter,
        ExportOptions,
        Renderer,
        SettingsValidator,
        settings_validator,
    )
    from lamtheoguongbac.export._context import CONTEXT_SCHEMA, Schema
    from lamtheoguongbac.rules import Rule, RuleContext, Severity, Stage, Violation
    from lamtheoguongbac.rules._base import VIETNAM_TIMEZONE, timezone

#: where each name is defined
_HOMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "RecordEvent",
            "RecordType",
        ),
        "lamtheoguongbac._audit",
    ),
    "exemplar_order": "lamtheoguongbac._exemplars",
    **dict.fromkeys(
        (
            "UnsafeArchive",
            "atomic_write",
            "atomic_write_many",
            "check_zip",
        ),
        "lamtheoguongbac._fsutil",
    ),
    **dict.fromkeys(
        (
            "PROJECT",
            "hookimpl",
        ),
        "lamtheoguongbac._hookspecs",
    ),
    **dict.fromkeys(
        (
            "Inspection",
            "inspection_order",
        ),
        "lamtheoguongbac._inspections",
    ),
    **dict.fromkeys(
        (
            "ALLOW_ENV",
            "DISABLE_ENV",
            "ON_FAILED_RULES_ENV",
            "Registry",
            "create_registry",
        ),
        "lamtheoguongbac._registry",
    ),
    **dict.fromkeys(("PluginInfo", "Provides"), "lamtheoguongbac._plugin_records"),
    **dict.fromkeys(("decode_json", "encode_json"), "lamtheoguongbac._storage._json"),
    **dict.fromkeys(
        (
            "HandbookHeading",
            "HandbookQuery",
            "StorageBackend",
            "Store",
        ),
        "lamtheoguongbac._storage.base",
    ),
    **dict.fromkeys(
        (
            "check_entry",
            "check_exemplar_update",
            "check_inspection_update",
            "check_signatures",
            "check_signatures",
            "check_update",
            "checked_chunks",
            "collation_fingerprint",
            "duplicate_error",
            "exemplar_exists",
            "exemplar_matches",
            "exemplar_stale",
            "handbook_order",
            "inspection_exists",
            "inspection_matches",
            "inspection_stale",
            "matches",
            "member_order",
            "normalise_query",
            "not_found",
            "read_stored",
            "roster_key",
            "stale_error",
            "trusted_restore",
            "trusted_restore",
        ),
        "lamtheoguongbac._storage.contract",
    ),
    **dict.fromkeys(
        (
            "StoreURL",
            "parse_store_url",
            "store_url",
        ),
        "lamtheoguongbac._storage.url",
    ),
    **dict.fromkeys(
        (
            "DocumentKind",
            "ExportOptions",
            "Exporter",
            "Renderer",
            "SettingsValidator",
            "settings_validator",
        ),
        "lamtheoguongbac.export._base",
    ),
    **dict.fromkeys(
        (
            "CONTEXT_SCHEMA",
            "Schema",
        ),
        "lamtheoguongbac.export._context",
    ),
    **dict.fromkeys(
        (
            "Rule",
            "RuleContext",
            "Severity",
            "Stage",
            "Violation",
        ),
        "lamtheoguongbac.rules",
    ),
    **dict.fromkeys(
        (
            "VIETNAM_TIMEZONE",
            "timezone",
        ),
        "lamtheoguongbac.rules._base",
    ),
}

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
    "HandbookHeading",
    "HandbookQuery",
    "Inspection",
    "PluginInfo",
    "Provides",
    "RecordEvent",
    "RecordType",
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
    "check_inspection_update",
    "check_signatures",
    "check_update",
    "check_zip",
    "checked_chunks",
    "collation_fingerprint",
    "create_registry",
    "decode_json",
    "duplicate_error",
    "encode_json",
    "exemplar_exists",
    "exemplar_matches",
    "exemplar_order",
    "exemplar_stale",
    "handbook_order",
    "hookimpl",
    "inspection_exists",
    "inspection_matches",
    "inspection_order",
    "inspection_stale",
    "matches",
    "member_order",
    "normalise_query",
    "not_found",
    "parse_store_url",
    "read_stored",
    "roster_key",
    "settings_validator",
    "stale_error",
    "store_url",
    "timezone",
    "trusted_restore",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from lamtheoguongbac._public import publish_namespace

    value = getattr(importlib.import_module(_HOMES[name]), name)
    publish_namespace(__name__, {name: value})
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
