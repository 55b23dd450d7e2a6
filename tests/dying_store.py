"""A store plugin for the tests of bulk steps' worker processes: ``dyingsqlite:PATH`` is a
SQLite store that kills the *worker process* writing the handbook of the member named in
``LTGB_TEST_DIE_MEMBER`` — inside the cell's transaction (``LTGB_TEST_DIE_WHEN=during``) or
right after its commit (``after``), as an out-of-memory kill would. The caller never dies."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Iterator

from lamtheoguongbac import Event, Handbook, hookimpl
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac.plugin import StorageBackend


def _in_a_worker() -> bool:
    return multiprocessing.parent_process() is not None


class DyingStore(SqliteStore):
    _dies_after_commit = False

    def update(self, handbook: Handbook, event: Event, *, expected_version: int) -> None:
        super().update(handbook, event, expected_version=expected_version)
        if _in_a_worker() and handbook.member.id == os.environ.get("LTGB_TEST_DIE_MEMBER"):
            if os.environ.get("LTGB_TEST_DIE_WHEN") == "after":
                self._dies_after_commit = True
            else:
                os._exit(9)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with super().transaction():
            yield
        if self._dies_after_commit:
            os._exit(9)


def _open(url: str) -> DyingStore:
    return DyingStore(url.split(":", 1)[1], url=url)


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    register(StorageBackend(scheme="dyingsqlite", open=_open))
