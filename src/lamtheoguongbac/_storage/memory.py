"""The in-memory store (kho trong bộ nhớ): ``memory:``, for tests and short-lived tools.

Every value of :mod:`lamtheoguongbac._model` is deeply immutable (frozen attrs classes holding
tuples), so the store keeps the very objects it is given and hands them back: nobody can
change a stored handbook behind the store's back. A lock makes each operation atomic across
threads; the semantics are those of :class:`~lamtheoguongbac._storage.sqlite.SqliteStore`
(optimistic updates, append-only events, the contract's query order), checked by the same
conformance suite.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType

from lamtheoguongbac._errors import StoreError
from lamtheoguongbac._exemplars import Exemplar, exemplar_order
from lamtheoguongbac._model import Event, Handbook, HandbookStatus, Member, OrgUnit
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac._storage.contract import (
    check_entry,
    check_exemplar_update,
    check_update,
    duplicate_error,
    exemplar_exists,
    exemplar_matches,
    exemplar_stale,
    handbook_order,
    matches,
    member_order,
    normalise_query,
    not_found,
    stale_error,
)
from lamtheoguongbac.text import nfc

__all__ = ["MemoryStore"]


class MemoryStore:
    """A store held in this process's memory; it is gone when the process ends.

    Each ``memory:`` URL opened gives a fresh, empty store (``memory:<label>`` is accepted;
    the label only shows in :attr:`url`).
    """

    def __init__(self, url: str = "memory:") -> None:
        self.url = url
        self._lock = threading.RLock()
        self._closed = False
        self._handbooks: dict[str, Handbook] = {}
        self._events: dict[str, list[Event]] = {}
        self._units: dict[str, OrgUnit] = {}
        self._members: dict[str, Member] = {}
        self._exemplars: dict[str, Exemplar] = {}

    @classmethod
    def from_url(cls, url: str) -> MemoryStore:
        """Open a fresh store for a ``memory:`` URL.

        Raises:
            StoreError: the URL's scheme is not ``memory``.
        """
        if not url.startswith("memory:"):
            raise StoreError(
                f"Địa chỉ '{url}' không phải dạng 'memory:'", f"'{url}' is not a 'memory:' URL"
            )
        return cls(url)

    def __repr__(self) -> str:
        return f"MemoryStore({self.url!r}, {len(self._handbooks)} handbooks)"

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(
                f"Kho {self.url} đã đóng, không dùng được nữa", f"the store {self.url} is closed"
            )

    # --- transactions --------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block happen together at its end, or not at all.

        The lock is held for the whole block, so other threads wait; an exception leaving
        the block restores the contents as they were when it began and propagates. Nested
        blocks join the outer one (an inner block that fails undoes only its own writes).
        """
        with self._lock:
            self._check_open()
            saved = (
                dict(self._handbooks),
                {k: list(v) for k, v in self._events.items()},
                dict(self._units),
                dict(self._members),
                dict(self._exemplars),
            )
            try:
                yield
            except BaseException:
                if not self._closed:
                    (
                        self._handbooks,
                        self._events,
                        self._units,
                        self._members,
                        self._exemplars,
                    ) = saved
                raise

    # --- writes --------------------------------------------------------------------------

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""
        self.add_many([(handbook, event)])

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks at once; returns how many. All or none."""
        batch: dict[str, tuple[Handbook, Event]] = {}
        duplicates: list[str] = []
        for handbook, event in items:
            check_entry(handbook, event)
            if handbook.id in batch:
                duplicates.append(handbook.id)
            batch[handbook.id] = (handbook, event)
        with self._lock:
            self._check_open()
            duplicates += [i for i in batch if i in self._handbooks]
            if duplicates:
                raise duplicate_error(duplicates, self.url)
            for handbook_id, (handbook, event) in batch.items():
                self._handbooks[handbook_id] = handbook
                self._events[handbook_id] = [event]
        return len(batch)

    def update(self, handbook: Handbook, event: Event, *, expected_version: int) -> None:
        """Replace a handbook stored at ``expected_version`` and append the event.

        Raises:
            NotFound: no handbook has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1`` or the event
                does not record it.
        """
        check_update(handbook, event, expected_version)
        with self._lock:
            self._check_open()
            stored = self._handbooks.get(handbook.id)
            if stored is None:
                raise not_found("handbook", handbook.id, self.url)
            if stored.version != expected_version:
                raise stale_error(handbook.id, stored.version, expected_version, self.url)
            self._handbooks[handbook.id] = handbook
            self._events[handbook.id].append(event)

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace organisation units and members."""
        with self._lock:
            self._check_open()
            self._units.update((u.id, u) for u in units)
            self._members.update((m.id, m) for m in members)

    # --- reads ---------------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""
        handbook_id = nfc(handbook_id)
        with self._lock:
            self._check_open()
            try:
                return self._handbooks[handbook_id]
            except KeyError:
                raise not_found("handbook", handbook_id, self.url) from None

    def _select(self, query: HandbookQuery) -> list[Handbook]:
        query = normalise_query(query)
        with self._lock:
            self._check_open()
            found = [h for h in self._handbooks.values() if matches(h, query)]
        return sorted(found, key=handbook_order)

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query`` by (year, cell id, roster order, id)."""
        return self._select(query)

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query`, as an iterator over a snapshot taken now."""
        return iter(self._select(query))

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""
        counts: dict[HandbookStatus, int] = {}
        for handbook in self._select(query):
            counts[handbook.status] = counts.get(handbook.status, 0) + 1
        return counts

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""
        handbook_id = nfc(handbook_id)
        with self._lock:
            self._check_open()
            if handbook_id not in self._events:
                raise not_found("handbook", handbook_id, self.url)
            return list(self._events[handbook_id])

    def units(self) -> list[OrgUnit]:
        """Every organisation unit, sorted by id."""
        with self._lock:
            self._check_open()
            return sorted(self._units.values(), key=lambda u: u.id)

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell, when given) by cell, roster order and id."""
        cell = None if cell_id is None else nfc(cell_id)
        with self._lock:
            self._check_open()
            found = [m for m in self._members.values() if cell is None or m.cell_id == cell]
        return sorted(found, key=member_order)

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if there is none."""
        member_id = nfc(member_id)
        with self._lock:
            self._check_open()
            try:
                return self._members[member_id]
            except KeyError:
                raise not_found("member", member_id, self.url) from None

    # --- exemplars ------------------------------------------------------------------------

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar; ``ConflictError`` if the id exists."""
        with self._lock:
            self._check_open()
            if exemplar.id in self._exemplars:
                raise exemplar_exists(exemplar.id, self.url)
            self._exemplars[exemplar.id] = exemplar

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace an exemplar stored at ``expected_version``.

        Raises:
            NotFound: no exemplar has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_exemplar_update(exemplar, expected_version)
        with self._lock:
            self._check_open()
            stored = self._exemplars.get(exemplar.id)
            if stored is None:
                raise not_found("exemplar", exemplar.id, self.url)
            if stored.version != expected_version:
                raise exemplar_stale(exemplar.id, stored.version, expected_version, self.url)
            self._exemplars[exemplar.id] = exemplar

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""
        exemplar_id = nfc(exemplar_id)
        with self._lock:
            self._check_open()
            try:
                return self._exemplars[exemplar_id]
            except KeyError:
                raise not_found("exemplar", exemplar_id, self.url) from None

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id``, in the contract's order."""
        unit = None if organisation_id is None else nfc(organisation_id)
        with self._lock:
            self._check_open()
            found = [e for e in self._exemplars.values() if exemplar_matches(e, year, unit)]
        return sorted(found, key=exemplar_order)

    def close(self) -> None:
        """Drop the contents; further use raises ``StoreError``. Closing twice is harmless."""
        with self._lock:
            self._closed = True
            self._handbooks.clear()
            self._events.clear()
            self._units.clear()
            self._members.clear()
            self._exemplars.clear()
