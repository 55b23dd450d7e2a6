"""The storage protocol every backend implements (kho lưu trữ sổ tay).

A backend is registered through the ``register_storage_backends`` hook as a
:class:`StorageBackend` (a URL scheme and an ``open`` function) and selected by URL:
``memory:`` or ``sqlite:///path/to/file.db``. Third-party backends run the conformance suite
in :mod:`lamtheoguongbac.testing` against themselves.

Contract:

* every write is one transaction: it happens whole or not at all;
* :meth:`Store.transaction` groups writes: inside ``with store.transaction():`` every write
  made through the store commits together when the block ends, or — if an exception leaves
  the block — none of them does (the exception propagates). Reads inside the block see the
  block's own writes. Blocks nest: an inner block joins the outer one (nothing is committed
  before the outer block ends), and an exception leaving an inner block undoes that block's
  writes only. A write that fails inside a block (``ConflictError``, ``NotFound``, …)
  changes nothing, as outside one. Other users of the store wait until the block ends;
* :meth:`Store.update` is **optimistic**: it writes only if the stored version equals
  ``expected_version`` and otherwise raises :class:`~lamtheoguongbac._errors.ConflictError`
  without touching anything; the new handbook's version must be ``expected_version + 1``
  and the event must carry the handbook's id and new version (else ``ValidationFailed``),
  so a write can never keep a version a stale writer could still match;
* events are append-only; :meth:`Store.events` returns them oldest first;
* queries return handbooks sorted by (year, cell id, member roster order, id) — the roster
  order being :func:`lamtheoguongbac.text.name_sort_key` of the member;
* exemplars (gương điển hình) follow the same rules: :meth:`Store.update_exemplar` is
  optimistic like :meth:`Store.update` (the new version must be ``expected_version + 1``),
  and :meth:`Store.exemplars` returns them sorted by
  :func:`lamtheoguongbac._exemplars.exemplar_order` (year, collectives before individuals,
  Vietnamese collation of the name, id).
* inspections (kiểm tra, giám sát) likewise: :meth:`Store.update_inspection` is optimistic,
  :meth:`Store.inspections` returns them sorted by
  :func:`lamtheoguongbac.committee.inspection_order` (year, inspection date, id), and an
  organisation filter selects the inspections that cover a cell under that unit
  (:meth:`Inspection.unit_ids <lamtheoguongbac.committee.Inspection.unit_ids>`);
* the audit trail of exemplars and inspections (:class:`~lamtheoguongbac.committee.RecordEvent`)
  is append-only like the handbooks' events; :meth:`Store.record_events` returns a record's
  events oldest first (an empty list for a record with none).

Optional: ``iter_headings(query)`` streams a :class:`HandbookHeading` per handbook of
``query``, in the order of :meth:`Store.iter_query`, without decoding the handbooks. An
export whose workers read the handbooks themselves lists them with it (see
:func:`~lamtheoguongbac.export.export_handbooks`); a store without it is listed through
:meth:`Store.iter_query`.

Optional: ``update_many(entries)`` makes several updates, each ``(handbook, event,
expected_version)`` as :meth:`Store.update` takes them, in one transaction, all or none, and
returns how many. The bulk steps (:class:`~lamtheoguongbac.bulk.BulkSteps`) write each cell
with it; a store without it gets one :meth:`Store.update` per member inside
:meth:`Store.transaction`. The built-in stores and the jsonl and sql plugins have it; the
SQLite store encodes the documents before it takes its write lock.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import attrs

from lamtheoguongbac._audit import RecordEvent, RecordType
from lamtheoguongbac._checks import fail
from lamtheoguongbac._exemplars import Exemplar
from lamtheoguongbac._inspections import Inspection
from lamtheoguongbac._model import (
    Event,
    Handbook,
    HandbookStatus,
    Member,
    OrgUnit,
    _check_year,
)
from lamtheoguongbac._public import publish_namespace

__all__ = ["HandbookHeading", "HandbookQuery", "StorageBackend", "Store"]


# A query's criteria are checked: a year given as text ("2025") or an unknown status matched
# nothing, and the caller read "no handbooks" instead of a mistake.
def _optional_text(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and not isinstance(value, str):
        fail(
            attribute.name,
            f"phải là chuỗi ký tự, không phải {type(value).__name__}",
            f"must be text, not {type(value).__name__}",
        )


def _optional_year(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None:
        _check_year(attribute.name, value)


def _optional_status(value: object) -> HandbookStatus | None:
    if value is None or isinstance(value, HandbookStatus):
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            return HandbookStatus(value)
    known = ", ".join(s.value for s in HandbookStatus)
    fail(
        "status",
        f"trạng thái {value!r} không có (các trạng thái: {known})",
        f"no status {value!r} (the statuses: {known})",
    )


@attrs.frozen(kw_only=True)
class HandbookQuery:
    """Which handbooks to fetch; every given criterion must hold.

    ``organisation_id`` selects the whole subtree under that unit (any handbook whose
    organisation chain contains it); ``cell_id`` selects one cell.

    Example:
        >>> from lamtheoguongbac import Handbooks, HandbookStatus
        >>> from lamtheoguongbac.plugin import HandbookQuery
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=2)
        >>> secretary = roster.members[0]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.create_for_cell(secretary.cell_id, year=2025, actor=secretary)
        ...     found = service.store.query(
        ...         HandbookQuery(cell_id=secretary.cell_id, status=HandbookStatus.DRAFT)
        ...     )
        ...
        >>> [book.id for book in found]
        ['cb-00-0000-dv000-2025', 'cb-00-0000-dv001-2025']
    """

    organisation_id: str | None = attrs.field(default=None, validator=_optional_text)
    cell_id: str | None = attrs.field(default=None, validator=_optional_text)
    year: int | None = attrs.field(default=None, validator=_optional_year)
    status: HandbookStatus | None = attrs.field(default=None, converter=_optional_status)
    member_id: str | None = attrs.field(default=None, validator=_optional_text)


@attrs.frozen(kw_only=True)
class HandbookHeading:
    """What names a handbook's document, without its content (tiêu đề sổ tay): its id and
    version, its year, and the names of its cell and member as the handbook holds them.

    A store's optional ``iter_headings(query)`` yields these; an export that sends only ids
    to its workers needs nothing more to name their files and keep its manifest.

    Example:
        >>> from lamtheoguongbac.plugin import HandbookHeading
        >>> from lamtheoguongbac.testing import make_handbook
        >>> heading = HandbookHeading.of(make_handbook(year=2025))
        >>> heading.year, heading.cell_name, heading.member_name
        (2025, 'Chi bộ ấp Tân Lợi (chibo-01)', 'Trần Văn Sơn')
    """

    id: str
    version: int
    year: int
    cell_name: str
    member_name: str

    @classmethod
    def of(cls, handbook: Handbook) -> HandbookHeading:
        """The heading of ``handbook``."""
        return cls(
            id=handbook.id,
            version=handbook.version,
            year=handbook.year,
            cell_name=handbook.cell.name,
            member_name=handbook.member.full_name,
        )

    @classmethod
    def from_columns(
        cls,
        handbook_id: str,
        version: object,
        year: object,
        cell_name: object,
        member_name: object,
        *,
        whole: Callable[[str], Handbook],
    ) -> HandbookHeading:
        """The heading of a handbook read from a store's columns, for an ``iter_headings``;
        when a value is not of its type (a damaged or hand-edited row), the heading of
        ``whole(handbook_id)`` — the store's ``get``, which reads the row whole and says
        what is wrong with it.

        Example:
            >>> from lamtheoguongbac.plugin import HandbookHeading
            >>> from lamtheoguongbac.testing import make_handbook
            >>> book = make_handbook(year=2025)
            >>> row = (book.version, book.year, "Chi bộ ấp Tân Lợi", book.member.full_name)
            >>> HandbookHeading.from_columns(book.id, *row, whole={}.get).cell_name
            'Chi bộ ấp Tân Lợi'
            >>> HandbookHeading.from_columns(book.id, 1, 2025, None, "?", whole=lambda _: book)
            ... # doctest: +ELLIPSIS
            HandbookHeading(id='sotay-2025-chibo-01-dv001', ..., member_name='Trần Văn Sơn')
        """
        if (
            type(version) is int
            and type(year) is int
            and isinstance(cell_name, str)
            and isinstance(member_name, str)
        ):
            return cls(
                id=handbook_id,
                version=version,
                year=year,
                cell_name=cell_name,
                member_name=member_name,
            )
        return cls.of(whole(handbook_id))


def iter_headings(store: Store, query: HandbookQuery) -> Iterator[HandbookHeading]:
    """The headings of ``query``'s handbooks: the store's own ``iter_headings`` when it has
    one, else taken from :meth:`Store.iter_query`."""
    own = getattr(store, "iter_headings", None)
    if own is not None:
        return iter(own(query))
    return (HandbookHeading.of(handbook) for handbook in store.iter_query(query))


@runtime_checkable
class Store(Protocol):
    """A place handbooks, their events, the roster and the exemplars live.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.plugin import HandbookQuery, Store, create_registry
        >>> from lamtheoguongbac.testing import make_entry
        >>> store = create_registry(load_entrypoints=False).open_store("memory:")
        >>> isinstance(store, Store)
        True
        >>> with store.transaction():
        ...     store.add(*make_entry(HandbookStatus.DRAFT))
        ...
        >>> store.count_by_status(HandbookQuery(year=2025))
        {<HandbookStatus.DRAFT: 'draft'>: 1}
        >>> store.close()
    """

    url: str

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks in one transaction; returns how many. All or none."""

    def update(self, handbook: Handbook, event: Event, *, expected_version: int) -> None:
        """Replace a handbook if its stored version is ``expected_version`` and append the
        event, in one transaction; else raise ``ConflictError`` (``NotFound`` if absent)."""

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query`` (see the module docstring for the order)."""

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query` but streaming, for large exports."""

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace organisation units and members, in one transaction."""

    def units(self) -> list[OrgUnit]:
        """Every organisation unit, sorted by id."""

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members of one cell in roster order; with no cell, sorted by (cell id, roster
        order, id)."""

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if there is none."""

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar; ``ConflictError`` if the id exists."""

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace an exemplar if its stored version is ``expected_version``; else raise
        ``ConflictError`` (``NotFound`` if absent). The new version must be
        ``expected_version + 1`` (else ``ValidationFailed``)."""

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id`` (the whole subtree: any exemplar
        whose organisation chain contains it), in the contract's order."""

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection; ``ConflictError`` if the id exists."""

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace an inspection if its stored version is ``expected_version``; else raise
        ``ConflictError`` (``NotFound`` if absent). The new version must be
        ``expected_version + 1`` (else ``ValidationFailed``)."""

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, in the
        contract's order."""

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars and inspections."""

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""

    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes commit together at its end, or not at all.

        An exception leaving the block rolls back every write made in it and propagates;
        reads inside see the block's writes; nested blocks join the outer one (see the
        module docstring)::

            with store.transaction():
                store.save_roster(units, members)
                store.add(handbook, event)
        """

    def close(self) -> None:
        """Release the store's resources; further use raises ``StoreError``."""


def missing_members(candidate: object) -> list[str]:
    """The attributes of the :class:`Store` protocol ``candidate`` lacks (empty for a
    store), for the error about a backend that opened something else.

    Example:
        >>> from lamtheoguongbac._storage.base import missing_members
        >>> missing_members({})[:3]
        ['url', 'add', 'add_many']
    """
    wanted = [*Store.__annotations__, *(n for n in vars(Store) if not n.startswith("_"))]
    return [name for name in dict.fromkeys(wanted) if not hasattr(candidate, name)]


@attrs.frozen(kw_only=True)
class StorageBackend:
    """A storage backend's registration: the URL ``scheme`` it serves and how to open it.

    ``open`` receives the full URL (``"sqlite:///data/so-tay.db"``) and returns a
    :class:`Store`; it raises :class:`~lamtheoguongbac.StoreError` when the URL's
    target is unusable. ``open`` creates a store that does not exist yet; ``exists``
    (optional) says whether the URL names a store that exists already, without creating
    anything, so that commands which only read can refuse a mistyped URL instead of
    creating an empty store (a backend without it is always opened). ``remove`` (optional)
    deletes a store that ``open`` has just created, for a command that created it and then
    failed, so that it leaves nothing behind; a backend without it keeps what it made (a
    server database is not the library's to drop).

    Example:
        >>> from lamtheoguongbac import Handbooks, hookimpl
        >>> from lamtheoguongbac.plugin import StorageBackend, create_registry
        >>> class Scratch:  # serves ``nhap:`` URLs with the built-in in-memory store
        ...     @hookimpl
        ...     def register_storage_backends(self, register):
        ...         memory = create_registry(load_entrypoints=False).storage_backends()["memory"]
        ...         register(
        ...             StorageBackend(scheme="nhap", open=lambda url: memory.open("memory:"))
        ...         )
        ...
        >>> registry = create_registry(load_entrypoints=False, extra_plugins=[Scratch()])
        >>> with Handbooks.open("nhap:", registry=registry) as service:
        ...     print(service.find())
        ...
        []
    """

    scheme: str
    open: Callable[[str], Store] = attrs.field(eq=False)
    exists: Callable[[str], bool] | None = attrs.field(default=None, eq=False, kw_only=True)
    remove: Callable[[str], None] | None = attrs.field(default=None, eq=False, kw_only=True)
    description_vi: str = ""
    description_en: str = ""


# Their public home is lamtheoguongbac.plugin (which resolves names lazily), however reached.
publish_namespace(
    "lamtheoguongbac.plugin",
    {
        "HandbookHeading": HandbookHeading,
        "HandbookQuery": HandbookQuery,
        "StorageBackend": StorageBackend,
        "Store": Store,
    },
)
