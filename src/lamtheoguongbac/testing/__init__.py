"""Test helpers for lamtheoguongbac and for code built on it (công cụ kiểm thử).

Public and stable, documented for plugin authors:

* builders of realistic Vietnamese data — :func:`make_handbook` (any status, moved there by
  the real workflow), :func:`make_entry`, :func:`make_member`, :func:`make_unit`,
  :func:`make_roster`, :func:`advance`, … (see :mod:`.factories`);
* :class:`StoreConformance` — the conformance suite a storage backend runs against itself
  (needs pytest and Hypothesis);
* :func:`register_temporary_plugin` — register a plugin for the length of a ``with`` block;
* pytest fixtures ``ltgb_registry``, ``ltgb_memory_store`` and ``ltgb_sqlite_store``, from
  the plugin
  :mod:`lamtheoguongbac.testing.pytest_plugin` that pytest loads through its entry point.

Names are imported on first use: pytest imports this package at start-up (for the plugin) in
every project where lamtheoguongbac is installed, and should pay for nothing it does not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lamtheoguongbac.testing._conformance import StoreConformance, contract_order
    from lamtheoguongbac.testing._factories import (
        ICT,
        SampleRoster,
        Transition,
        advance,
        creation_event,
        make_commendation,
        make_entry,
        make_exemplar,
        make_handbook,
        make_inspection,
        make_member,
        make_organisation,
        make_roster,
        make_secretary,
        make_unit,
        member_name,
    )
    from lamtheoguongbac.testing._registry import register_temporary_plugin

__all__ = [
    "ICT",
    "SampleRoster",
    "StoreConformance",
    "Transition",
    "advance",
    "contract_order",
    "creation_event",
    "make_commendation",
    "make_entry",
    "make_exemplar",
    "make_handbook",
    "make_inspection",
    "make_member",
    "make_organisation",
    "make_roster",
    "make_secretary",
    "make_unit",
    "member_name",
    "register_temporary_plugin",
]

_HOMES = {
    "register_temporary_plugin": "_registry",
    "StoreConformance": "_conformance",
    "contract_order": "_conformance",
}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_HOMES.get(name, '_factories')}")
    return getattr(module, name)


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
