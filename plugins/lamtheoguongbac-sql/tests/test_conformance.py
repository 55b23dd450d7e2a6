"""The SQL store against the library's storage conformance suite, on every tested dialect.

Stores are opened by URL through a registry that loads installed plugins, exactly as an
application would: this checks the entry point as well as the store. Each PostgreSQL test
gets the session's database emptied; each SQLite test a new file (migrated from empty).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtheoguongbac.plugin import Store, create_registry
from lamtheoguongbac.testing import StoreConformance


class TestPostgreSQL(StoreConformance):
    @pytest.fixture
    def store(self, pg_url: str) -> Iterator[Store]:
        store = create_registry().open_store(pg_url)
        yield store
        store.close()


class TestSQLiteThroughSQLAlchemy(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = create_registry().open_store(f"sqlalchemy+sqlite:///{tmp_path / 'so-tay.db'}")
        yield store
        store.close()
