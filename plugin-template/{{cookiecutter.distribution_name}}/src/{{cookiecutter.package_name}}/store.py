"""The storage backend (kho lưu trữ) for ``{{ cookiecutter.name }}:`` URLs.

This skeleton keeps everything in this process's memory and already passes the storage
conformance suite. Replace the parts marked ``STORAGE:`` with calls to your storage and keep
the contract of :class:`lamtheoguongbac.Store`:

* every write is one transaction: whole or not at all;
* :meth:`Store.transaction` groups writes: they commit together at the end of the block or,
  when an exception leaves it, not at all; reads inside see the block's writes; nested
  blocks join the outer one;
* :meth:`Store.update` is optimistic: it writes only if the stored version equals
  ``expected_version`` and otherwise raises ``ConflictError`` without touching anything;
* events are append-only; :meth:`Store.events` returns them oldest first;
* queries return handbooks by (year, cell id, roster order of the member, id);
* identifiers are compared in Unicode NFC (``nfc()`` what you are given);
* :mod:`lamtheoguongbac._storage.contract` has the checks, filter and order written once;
* any use after :meth:`Store.close` raises ``StoreError``.

Store values with :func:`lamtheoguongbac.to_dict` and read them back with
:func:`lamtheoguongbac.from_dict`: the library migrates old documents for you.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from lamtheoguongbac import (
    ConflictError,
    Event,
    Exemplar,
    Handbook,
    HandbookStatus,
    Member,
    NotFound,
    OrgUnit,
    StoreError,
    ValidationFailed,
)

# The contract's checks, filter and order, shared with every other backend: keep using them
# so your store behaves exactly like the built-in ones.
from lamtheoguongbac.plugin import (
    HandbookQuery,
    Inspection,
    RecordEvent,
    RecordType,
    check_entry,
    check_inspection_update,
    check_update,
    exemplar_order,
    handbook_order,
    inspection_exists,
    inspection_matches,
    inspection_order,
    inspection_stale,
    matches,
    member_order,
    normalise_query,
    parse_store_url,
)
from lamtheoguongbac.text import nfc

SCHEME = "{{ cookiecutter.name }}"


class Store:
    """A ``{{ cookiecutter.name }}:`` store; each URL opened gives a fresh, empty store."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.path: Path | None = None  # the path of a ``scheme:///…`` URL
        self._lock = threading.RLock()
        self._closed = False
        # STORAGE: replace these dicts with your database, files or service.
        self._handbooks: dict[str, Handbook] = {}
        self._events: dict[str, list[Event]] = {}
        self._units: dict[str, OrgUnit] = {}
        self._members: dict[str, Member] = {}
        self._exemplars: dict[str, Exemplar] = {}
        self._inspections: dict[str, Inspection] = {}
        self._record_events: dict[tuple[RecordType, str], list[RecordEvent]] = {}

    @classmethod
    def from_url(cls, url: str) -> Store:
        """Open the store named by ``url`` (the backend's ``open``).

        The URL follows the library's convention (:func:`lamtheoguongbac.plugin.parse_store_url`):
        ``{{ cookiecutter.name }}:`` or ``{{ cookiecutter.name }}:name``, and for a store kept in
        files ``{{ cookiecutter.name }}:///relative/path`` or
        ``{{ cookiecutter.name }}:////absolute/path``. STORAGE: a file-backed store opens
        ``parsed.path`` (pass ``path=True`` to require one).

        Raises:
            StoreError: the URL is not a ``{{ cookiecutter.name }}:`` URL of those forms.
        """
        parsed = parse_store_url(url, scheme=SCHEME)
        store = cls(url)
        store.path = parsed.path
        return store

    def __enter__(self) -> Store:
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
            raise StoreError(f"Kho {self.url} đã đóng", f"the store {self.url} is closed")

    def _not_found(self, what: str, item_id: str) -> NotFound:
        return NotFound(
            f"Không tìm thấy '{item_id}' trong {self.url}", f"no {what} '{item_id}' in {self.url}"
        )

    # --- transactions ----------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block commit together at its end, or not at all.

        STORAGE: begin one transaction of your database here (a savepoint when one is
        already open), make the write methods join it instead of committing on their own,
        and commit it when the outermost block ends; roll back when an exception leaves.
        """
        with self._lock:  # other threads wait for the whole block
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

    # --- writes ----------------------------------------------------------------------------

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""
        self.add_many([(handbook, event)])

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks in one transaction; returns how many. All or none."""
        batch: dict[str, tuple[Handbook, Event]] = {}
        for handbook, event in items:  # read it all before writing anything
            check_entry(handbook, event)
            if handbook.id in batch:
                raise ConflictError(
                    f"Sổ '{handbook.id}' lặp lại", f"handbook '{handbook.id}' is repeated"
                )
            batch[handbook.id] = (handbook, event)
        with self._lock:
            self._check_open()
            taken = [i for i in batch if i in self._handbooks]
            if taken:
                raise ConflictError(f"Sổ {taken} đã có", f"handbooks {taken} already exist")
            # STORAGE: one transaction inserting every handbook and its first event.
            for handbook_id, (handbook, event) in batch.items():
                self._handbooks[handbook_id] = handbook
                self._events[handbook_id] = [event]
        return len(batch)

    def update(self, handbook: Handbook, event: Event, *, expected_version: int) -> None:
        """Replace the handbook stored at ``expected_version`` and append its event."""
        check_update(handbook, event, expected_version)
        with self._lock:
            self._check_open()
            # STORAGE: in one transaction, "UPDATE … WHERE id = ? AND version = ?", then
            # insert the event; nothing at all when no row matched.
            stored = self._handbooks.get(handbook.id)
            if stored is None:
                raise self._not_found("handbook", handbook.id)
            if stored.version != expected_version:
                raise ConflictError(
                    f"Sổ '{handbook.id}' đã được sửa (phiên bản {stored.version}); hãy đọc lại",
                    f"handbook '{handbook.id}' has changed (version {stored.version}); reload it",
                )
            self._handbooks[handbook.id] = handbook
            self._events[handbook.id].append(event)

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace organisation units and members, in one transaction."""
        with self._lock:
            self._check_open()
            self._units.update((u.id, u) for u in units)
            self._members.update((m.id, m) for m in members)

    # --- reads -----------------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""
        with self._lock:
            self._check_open()
            found = self._handbooks.get(nfc(handbook_id))
        if found is None:
            raise self._not_found("handbook", handbook_id)
        return found

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query``, in the contract's order."""
        with self._lock:
            self._check_open()
            query = normalise_query(query)
            found = [h for h in self._handbooks.values() if matches(h, query)]
        return sorted(found, key=handbook_order)

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query`, streaming (fetch in pages from a real database)."""
        return iter(self.query(query))

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""
        counts: dict[HandbookStatus, int] = {}
        for handbook in self.query(query):
            counts[handbook.status] = counts.get(handbook.status, 0) + 1
        return counts

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""
        with self._lock:
            self._check_open()
            found = self._events.get(nfc(handbook_id))
        if found is None:
            raise self._not_found("handbook", handbook_id)
        return list(found)

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
        with self._lock:
            self._check_open()
            found = self._members.get(nfc(member_id))
        if found is None:
            raise self._not_found("member", member_id)
        return found

    # --- exemplars (gương điển hình) ----------------------------------------------------------

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar; ``ConflictError`` if the id exists."""
        with self._lock:
            self._check_open()
            if exemplar.id in self._exemplars:
                raise ConflictError(
                    f"Gương điển hình '{exemplar.id}' đã có", f"exemplar '{exemplar.id}' exists"
                )
            self._exemplars[exemplar.id] = exemplar

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace the exemplar stored at ``expected_version`` (optimistic, like ``update``)."""
        if exemplar.version != expected_version + 1:
            raise ValidationFailed(
                f"phiên bản mới phải là {expected_version + 1}",
                f"the new version must be {expected_version + 1}",
                field="Exemplar.version",
            )
        with self._lock:
            self._check_open()
            stored = self._exemplars.get(exemplar.id)
            if stored is None:
                raise self._not_found("exemplar", exemplar.id)
            if stored.version != expected_version:
                raise ConflictError(
                    f"Gương điển hình '{exemplar.id}' đã được sửa; hãy đọc lại",
                    f"exemplar '{exemplar.id}' has changed; reload it",
                )
            self._exemplars[exemplar.id] = exemplar

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""
        with self._lock:
            self._check_open()
            found = self._exemplars.get(nfc(exemplar_id))
        if found is None:
            raise self._not_found("exemplar", exemplar_id)
        return found

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id`` (its subtree), in order."""
        unit = None if organisation_id is None else nfc(organisation_id)
        with self._lock:
            self._check_open()
            found = [
                e
                for e in self._exemplars.values()
                if (year is None or e.year == year)
                and (unit is None or any(u.id == unit for u in e.organisation))
            ]
        return sorted(found, key=exemplar_order)

    # --- inspections (kiểm tra, giám sát) and the records' audit trail ---------------------

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection; ``ConflictError`` if the id exists."""
        with self._lock:
            self._check_open()
            if inspection.id in self._inspections:
                raise inspection_exists(inspection.id, self.url)
            self._inspections[inspection.id] = inspection

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace the inspection stored at ``expected_version`` (optimistic, like ``update``)."""
        check_inspection_update(inspection, expected_version)
        with self._lock:
            self._check_open()
            stored = self._inspections.get(inspection.id)
            if stored is None:
                raise self._not_found("inspection", inspection.id)
            if stored.version != expected_version:
                raise inspection_stale(inspection.id, stored.version, expected_version, self.url)
            self._inspections[inspection.id] = inspection

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""
        with self._lock:
            self._check_open()
            found = self._inspections.get(nfc(inspection_id))
        if found is None:
            raise self._not_found("inspection", inspection_id)
        return found

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, in order."""
        unit = None if organisation_id is None else nfc(organisation_id)
        with self._lock:
            self._check_open()
            found = [i for i in self._inspections.values() if inspection_matches(i, year, unit)]
        return sorted(found, key=inspection_order)

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars and inspections."""
        with self._lock:
            self._check_open()
            # STORAGE: an append-only table keyed by (record type, record id, sequence).
            self._record_events.setdefault((event.record_type, event.record_id), []).append(event)

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""
        with self._lock:
            self._check_open()
            return list(self._record_events.get((record_type, nfc(record_id)), ()))

    def close(self) -> None:
        """Release the store; further use raises ``StoreError``. Closing twice is harmless."""
        with self._lock:
            self._closed = True
