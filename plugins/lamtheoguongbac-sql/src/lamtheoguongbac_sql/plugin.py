"""The entry point of the plugin: registers the database-server storage backend.

Named in ``pyproject.toml`` so that installing the distribution is all it takes::

    [project.entry-points.lamtheoguongbac]
    sql = "lamtheoguongbac_sql.plugin"
"""

from __future__ import annotations

from collections.abc import Callable

from lamtheoguongbac.plugin import StorageBackend, hookimpl
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


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the SQLAlchemy backend (kho máy chủ cơ sở dữ liệu) for its URL schemes."""
    for scheme, (vi, en) in _DESCRIPTIONS.items():
        register(
            StorageBackend(
                scheme=scheme, open=SqlStore.from_url, description_vi=vi, description_en=en
            )
        )
