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

from lamtheoguongbac._audit import RecordEvent, RecordType
from lamtheoguongbac._errors import StoreError
from lamtheoguongbac._exemplars import Exemplar, exemplar_order
from lamtheoguongbac._inspections import Inspection, inspection_order
from lamtheoguongbac._model import Event, Handbook, HandbookStatus, Member, MemberStatus, OrgUnit
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac._storage.contract import (
    check_entry,
    check_exemplar_update,
    check_inspection_update,
    check_signatures,
    check_update,
    duplicate_error,
    exemplar_exists,
    exemplar_matches,
    exemplar_stale,
    handbook_order,
    inspection_exists,
    inspection_matches,
    inspection_stale,
    matches,
    member_order,
    normalise_query,
    not_found,
    stale_error,
)
from lamtheoguongbac.rules._aggregate import RatingTally, tally
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
        self._inspections: dict[str, Inspection] = {}
        self._record_events: dict[tuple[RecordType, str], list[RecordEvent]] = {}

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
                dict(self._inspections),
                {k: list(v) for k, v in self._record_events.items()},
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
                        self._inspections,
                        self._record_events,
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
            for handbook, event in batch.values():
                check_signatures(handbook, event, self._members.get, added=True)
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
        self._update_many([(handbook, event, expected_version)])

    def update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        """Make several updates at once, all or none; returns how many.

        Each entry is ``(handbook, event, expected_version)``, checked as :meth:`update`
        checks its arguments; an entry may update a handbook an earlier entry updated.

        Raises:
            NotFound, ConflictError, ValidationFailed: as :meth:`update`, for an entry
                refused; nothing of any entry is stored.
        """
        return self._update_many(entries)

    def _update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        entries = list(entries)
        for handbook, event, expected_version in entries:
            check_update(handbook, event, expected_version)
        with self._lock:
            self._check_open()
            versions: dict[str, int] = {}
            for handbook, event, expected_version in entries:
                stored = versions.get(handbook.id)
                if stored is None:
                    found = self._handbooks.get(handbook.id)
                    if found is None:
                        raise not_found("handbook", handbook.id, self.url)
                    stored = found.version
                if stored != expected_version:
                    raise stale_error(handbook.id, stored, expected_version, self.url)
                check_signatures(handbook, event, self._members.get, added=False)
                versions[handbook.id] = handbook.version
            for handbook, event, _ in entries:
                self._handbooks[handbook.id] = handbook
                self._events[handbook.id].append(event)
        return len(entries)

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

    def unit(self, unit_id: str) -> OrgUnit:
        """One organisation unit; ``NotFound`` if there is none (optional Store method)."""
        unit_id = nfc(unit_id)
        with self._lock:
            self._check_open()
            try:
                return self._units[unit_id]
            except KeyError:
                raise not_found("unit", unit_id, self.url) from None

    def rating_tally(
        self, grassroots_id: str, year: int, *, excluding: str | None = None
    ) -> RatingTally:
        """The top-rating cap's running figures of one grassroots organisation and year,
        leaving out the handbook ``excluding`` (optional Store method, see
        :class:`~lamtheoguongbac.rules.aggregate.RatingTally`)."""
        grassroots_id = nfc(grassroots_id)
        with self._lock:
            self._check_open()
            books = [
                h
                for h in self._handbooks.values()
                if h.year == year and h.grassroots.id == grassroots_id and h.id != excluding
            ]
            members = dict(self._members)

        def standing(hb: Handbook) -> MemberStatus:
            member = members.get(hb.member.id)
            return member.status if member is not None else hb.member.status

        return tally(books, standing)

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

    # --- inspections and the records' audit trail ---------------------------------------

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection; ``ConflictError`` if the id exists."""
        with self._lock:
            self._check_open()
            if inspection.id in self._inspections:
                raise inspection_exists(inspection.id, self.url)
            self._inspections[inspection.id] = inspection

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace an inspection stored at ``expected_version``.

        Raises:
            NotFound: no inspection has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_inspection_update(inspection, expected_version)
        with self._lock:
            self._check_open()
            stored = self._inspections.get(inspection.id)
            if stored is None:
                raise not_found("inspection", inspection.id, self.url)
            if stored.version != expected_version:
                raise inspection_stale(inspection.id, stored.version, expected_version, self.url)
            self._inspections[inspection.id] = inspection

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""
        inspection_id = nfc(inspection_id)
        with self._lock:
            self._check_open()
            try:
                return self._inspections[inspection_id]
            except KeyError:
                raise not_found("inspection", inspection_id, self.url) from None

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, in the
        contract's order."""
        unit = None if organisation_id is None else nfc(organisation_id)
        with self._lock:
            self._check_open()
            found = [i for i in self._inspections.values() if inspection_matches(i, year, unit)]
        return sorted(found, key=inspection_order)

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars and inspections."""
        with self._lock:
            self._check_open()
            self._record_events.setdefault((event.record_type, event.record_id), []).append(event)

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""
        with self._lock:
            self._check_open()
            return list(self._record_events.get((record_type, nfc(record_id)), ()))

    def close(self) -> None:
        """Drop the contents; further use raises ``StoreError``. Closing twice is harmless."""
        with self._lock:
            self._closed = True
            self._handbooks.clear()
            self._events.clear()
            self._units.clear()
            self._members.clear()
            self._exemplars.clear()
            self._inspections.clear()
            self._record_events.clear()
