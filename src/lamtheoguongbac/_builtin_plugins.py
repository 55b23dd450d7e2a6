"""The built-in plugin: registers the ``memory:`` and ``sqlite:`` storage backends through
the same hooks third-party plugins use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac._hookspecs import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import StorageBackend, Store


def _open_memory(url: str) -> Store:
    from lamtheoguongbac._storage.memory import MemoryStore

    return MemoryStore.from_url(url)


def _open_sqlite(url: str) -> Store:
    from lamtheoguongbac._storage.sqlite import SqliteStore

    return SqliteStore.from_url(url)


def _sqlite_exists(url: str) -> bool:
    """Whether the SQLite file of ``url`` exists (nothing is created)."""
    from lamtheoguongbac._storage.sqlite import path_from_url

    return os.path.exists(path_from_url(url))


def _remove_sqlite(url: str) -> None:
    """Delete the SQLite file of ``url`` and its journals (a store just created)."""
    from lamtheoguongbac._storage.sqlite import path_from_url

    path = path_from_url(url)
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the in-memory and the embedded SQLite backends."""
    # The stores are imported when one is opened: every registry runs this hook (the command
    # line's --help too), most never open a store.
    from lamtheoguongbac._storage.base import StorageBackend

    register(
        StorageBackend(
            scheme="memory",
            open=_open_memory,
            description_vi="Lưu trong bộ nhớ (mất khi thoát chương trình)",
            description_en="In memory (gone when the process ends)",
        )
    )
    register(
        StorageBackend(
            scheme="sqlite",
            open=_open_sqlite,
            exists=_sqlite_exists,
            remove=_remove_sqlite,
            description_vi="Một tệp SQLite nhúng (mặc định)",
            description_en="One embedded SQLite file (the default)",
        )
    )
