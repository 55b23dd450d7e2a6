"""A store plugin for the tests of bulk steps' worker processes: ``dyingsqlite:PATH`` is a
SQLite store that kills the *worker process* writing the handbook of the member named in
``LTGB_TEST_DIE_MEMBER`` — inside the cell's transaction (``LTGB_TEST_DIE_WHEN=during``),
right after its commit (``after``), or once the worker has marked the cell stored
(``stored``), as an out-of-memory kill would — that makes a worker
reading the cell ``LTGB_TEST_SLOW_CELL`` wait 2 s, and that kills a worker as it opens the
store: every one when ``LTGB_TEST_DIE_AT_START`` is ``always``, else the first one, which
makes the file it names. The caller never dies nor waits."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator

from lamtheoguongbac import Event, Handbook, hookimpl
from lamtheoguongbac._service import workers
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac.plugin import HandbookQuery, StorageBackend


def _in_a_worker() -> bool:
    return multiprocessing.parent_process() is not None


class DyingStore(SqliteStore):
    _dies_after_commit = False

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        if _in_a_worker() and query.cell_id == os.environ.get("LTGB_TEST_SLOW_CELL"):
            time.sleep(2)
        return super().iter_query(query)

    def update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        # update() and the bulk steps' cell writes both come here
        entries = list(entries)
        member = os.environ.get("LTGB_TEST_DIE_MEMBER")
        if not (_in_a_worker() and any(h.member.id == member for h, _, _ in entries)):
            return super().update_many(entries)
        when = os.environ.get("LTGB_TEST_DIE_WHEN")
        if when == "stored":
            count = super().update_many(entries)
            _die_once_marked_stored()
            return count
        with self.transaction():
            count = super().update_many(entries)
            if when == "after":
                self._dies_after_commit = True  # once the outermost block has committed
            else:
                os._exit(9)
        return count

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        items = list(items)
        count = super().add_many(items)
        member = os.environ.get("LTGB_TEST_DIE_MEMBER")
        dying = _in_a_worker() and any(h.member.id == member for h, _ in items)
        if dying and os.environ.get("LTGB_TEST_DIE_WHEN") == "stored":
            _die_once_marked_stored()
        return count

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with super().transaction():
            yield
        if self._dies_after_commit and not self._depth:
            os._exit(9)


def _die_once_marked_stored() -> None:
    """Die as the worker marks the cell it is taking stored, after its commit."""
    mark_stored = workers.mark_stored

    def marked_then_die() -> None:
        mark_stored()
        os._exit(9)

    workers.mark_stored = marked_then_die


def _open(url: str) -> DyingStore:
    die = os.environ.get("LTGB_TEST_DIE_AT_START")
    if _in_a_worker() and die:
        if die == "always":
            os._exit(9)
        with contextlib.suppress(FileExistsError):
            os.close(os.open(die, os.O_CREAT | os.O_EXCL))
            os._exit(9)
    return DyingStore(url.split(":", 1)[1], url=url)


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    register(StorageBackend(scheme="dyingsqlite", open=_open))
