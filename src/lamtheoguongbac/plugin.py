"""The declared surface for plugin authors (giao diện cho người viết plugin).

A plugin — first-party or third-party — imports only from here, from the package root, and
from :mod:`lamtheoguongbac.testing` (for its tests)::

    from lamtheoguongbac.plugin import hookimpl, Exporter, StorageBackend, Store

It holds the hook marker, the exporter and renderer protocols with their options, the
storage protocol, its query and the contract helpers every backend calls, the rule
vocabulary, atomic writes and safe archive opening.
"""

from lamtheoguongbac._exemplars import exemplar_order
from lamtheoguongbac._fsutil import UnsafeArchive, atomic_write, atomic_write_many, check_zip
from lamtheoguongbac._hookspecs import PROJECT, hookimpl
from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac._registry import PluginInfo, Registry, create_registry
from lamtheoguongbac._storage.base import HandbookQuery, StorageBackend, Store
from lamtheoguongbac._storage.contract import (
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
from lamtheoguongbac.export._base import Exporter, ExportOptions, Renderer
from lamtheoguongbac.export._context import CONTEXT_SCHEMA, Schema
from lamtheoguongbac.rules import Rule, RuleContext, Severity, Stage, Violation

__all__ = [
    "CONTEXT_SCHEMA",
    "PROJECT",
    "ExportOptions",
    "Exporter",
    "HandbookQuery",
    "PluginInfo",
    "Registry",
    "Renderer",
    "Rule",
    "RuleContext",
    "Schema",
    "Severity",
    "Stage",
    "StorageBackend",
    "Store",
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
    "roster_key",
    "stale_error",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
