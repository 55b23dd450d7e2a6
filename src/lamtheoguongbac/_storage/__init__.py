"""Where handbooks are kept (lưu trữ): the storage contract and the built-in backends.

* :class:`Store` — the protocol every backend implements (see :mod:`.base` for the contract);
* :class:`MemoryStore` — ``memory:``, in this process's memory;
* :class:`SqliteStore` — ``sqlite:///path.db``, one embedded SQLite file (the default).

Open a store by URL through a registry (``create_registry().open_store(url)``) so plugin
backends are found too; a third-party backend checks itself against
:class:`lamtheoguongbac.testing.StoreConformance`.
"""

from lamtheoguongbac._storage.base import HandbookQuery, StorageBackend, Store
from lamtheoguongbac._storage.memory import MemoryStore
from lamtheoguongbac._storage.sqlite import SqliteStore

__all__ = ["HandbookQuery", "MemoryStore", "SqliteStore", "StorageBackend", "Store"]
