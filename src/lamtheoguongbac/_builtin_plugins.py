"""The built-in plugin: registers the ``memory:`` and ``sqlite:`` storage backends through
the same hooks third-party plugins use."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac._hookspecs import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import StorageBackend


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the in-memory and the embedded SQLite backends."""
    # Imported here: every registry loads this module, most never open a store (start-up).
    from lamtheoguongbac._storage.base import StorageBackend
    from lamtheoguongbac._storage.memory import MemoryStore
    from lamtheoguongbac._storage.sqlite import SqliteStore

    register(
        StorageBackend(
            scheme="memory",
            open=MemoryStore.from_url,
            description_vi="Lưu trong bộ nhớ (mất khi thoát chương trình)",
            description_en="In memory (gone when the process ends)",
        )
    )
    register(
        StorageBackend(
            scheme="sqlite",
            open=SqliteStore.from_url,
            description_vi="Một tệp SQLite nhúng (mặc định)",
            description_en="One embedded SQLite file (the default)",
        )
    )
