"""The pytest plugin of lamtheoguongbac: fixtures for code that builds on the library.

Installed through the ``pytest11`` entry point, so any project with lamtheoguongbac
installed gets, with no configuration:

* ``ltgb_registry`` — a fresh registry with the built-ins only (no installed plugins);
* ``ltgb_memory_store`` — an empty ``memory:`` store, closed after the test;
* ``ltgb_sqlite_store`` — an empty SQLite store in ``tmp_path``, closed after the test.

The ``ltgb_`` prefix keeps them out of the way of a project's own fixtures: pytest loads this
plugin in every project where lamtheoguongbac is installed.

The fixtures import what they need when first used, so a project that does not use them
pays only for importing the ``lamtheoguongbac`` package itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry
    from lamtheoguongbac._storage import MemoryStore, SqliteStore

# Plain ``assert`` in the conformance suite should explain itself like a test's would.
pytest.register_assert_rewrite("lamtheoguongbac.testing._conformance")


@pytest.fixture
def ltgb_registry() -> Registry:
    """A fresh registry: the built-in plugins only, no entry points loaded."""
    from lamtheoguongbac._registry import create_registry

    return create_registry(load_entrypoints=False)


@pytest.fixture
def ltgb_memory_store() -> Iterator[MemoryStore]:
    """An empty in-memory store (kho trong bộ nhớ)."""
    from lamtheoguongbac._storage import MemoryStore

    with MemoryStore() as store:
        yield store


@pytest.fixture
def ltgb_sqlite_store(tmp_path: Path) -> Iterator[SqliteStore]:
    """An empty SQLite store in ``tmp_path / "so-tay.db"``."""
    from lamtheoguongbac._storage import SqliteStore

    with SqliteStore(tmp_path / "so-tay.db") as store:
        yield store
