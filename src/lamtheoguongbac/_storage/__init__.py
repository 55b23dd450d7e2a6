"""Where handbooks are kept (lưu trữ): the storage contract and the built-in backends.

* :class:`Store` — the protocol every backend implements (see :mod:`.base` for the contract);
* :class:`MemoryStore` — ``memory:``, in this process's memory;
* :class:`SqliteStore` — ``sqlite:///path.db``, one embedded SQLite file (the default).

Open a store by URL through a registry (``create_registry().open_store(url)``) so plugin
backends are found too; a third-party backend checks itself against
:class:`lamtheoguongbac.testing.StoreConformance`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from lamtheoguongbac._storage.base import HandbookQuery, StorageBackend, Store

if TYPE_CHECKING:
    from lamtheoguongbac._storage.memory import MemoryStore
    from lamtheoguongbac._storage.sqlite import SqliteStore

__all__ = ["HandbookQuery", "MemoryStore", "SqliteStore", "StorageBackend", "Store"]

# The backends load when used: importing the storage contract (every registry does, and so
# every command's start-up) must not import them.
_BACKENDS = {"MemoryStore": "memory", "SqliteStore": "sqlite"}


def __getattr__(name: str) -> Any:
    if name not in _BACKENDS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_BACKENDS[name]}"), name)
    globals()[name] = value
    return value
