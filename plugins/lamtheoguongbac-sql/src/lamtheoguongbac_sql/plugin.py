"""The entry point of the plugin: registers the database-server storage backend.

Named in ``pyproject.toml`` so that installing the distribution is all it takes::

    [project.entry-points.lamtheoguongbac]
    sql = "lamtheoguongbac_sql.plugin"
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac.plugin import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import StorageBackend
    from lamtheoguongbac_sql.store import SqlStore

__all__ = ["register_storage_backends"]

_DESCRIPTIONS = {
    "postgresql": (
        "Máy chủ PostgreSQL (psycopg 3), nhiều máy chủ ứng dụng dùng chung",
        "A PostgreSQL server (psycopg 3), shared by many application servers",
    ),
    "postgresql+psycopg": (
        "Máy chủ PostgreSQL, như postgresql://",
        "A PostgreSQL server, as postgresql://",
    ),
    "sqlalchemy+sqlite": (
        "Tệp SQLite qua SQLAlchemy (cùng mã với PostgreSQL; kho mặc định là sqlite:///)",
        "A SQLite file through SQLAlchemy (the PostgreSQL code path; the default is sqlite:///)",
    ),
}


def _open(url: str) -> SqlStore:
    # SQLAlchemy is imported when a store is opened, not when the plugin is loaded (every
    # command's start-up loads the entry points).
    from lamtheoguongbac_sql.store import SqlStore

    return SqlStore.from_url(url)


def _sqlite_file(url: str) -> str:
    from lamtheoguongbac_sql.store import engine_url

    database = engine_url(url)[0].database
    assert database  # engine_url refuses a sqlite URL without a file
    return database


def _sqlite_exists(url: str) -> bool:
    """Whether the SQLite file of a ``sqlalchemy+sqlite:///…`` URL exists (a command that
    only reads refuses a mistyped path instead of creating an empty store)."""
    return os.path.isfile(_sqlite_file(url))


def _sqlite_remove(url: str) -> None:
    """Delete the SQLite file a failed command has just created, and its journals."""
    path = _sqlite_file(url)
    for suffix in ("", "-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the SQLAlchemy backend (kho máy chủ cơ sở dữ liệu) for its URL schemes.

    A SQLite file is the library's own: a read-only command refuses one that does not
    exist, and a command that created one and failed removes it. A server database is not
    the library's to drop: it is always opened (and migrated), and never removed.
    """
    from lamtheoguongbac.plugin import StorageBackend

    for scheme, (vi, en) in _DESCRIPTIONS.items():
        file = scheme == "sqlalchemy+sqlite"
        register(
            StorageBackend(
                scheme=scheme,
                open=_open,
                exists=_sqlite_exists if file else None,
                remove=_sqlite_remove if file else None,
                description_vi=vi,
                description_en=en,
            )
        )
