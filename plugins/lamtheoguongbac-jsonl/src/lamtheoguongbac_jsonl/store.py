"""The JSON-lines store (kho JSON Lines): every handbook, event and roster entry as a line.

URL forms (``%xx`` escapes are decoded; query options are not supported)::

    jsonl:///du-lieu                 a folder, relative to the working directory
    jsonl:///so-tay-2025.jsonl       one file (a name ending in .jsonl or .ndjson)
    jsonl:////var/lib/ltgb/so-tay    absolute (four slashes: three, then the path's own)

A folder holds the data file ``so-tay.jsonl`` and its lock file ``so-tay.jsonl.lock``; a
missing folder is created (its parent must exist). An existing file is always used as the
data file, an existing folder always as a folder.

The data file is UTF-8 JSON lines: a header line, then one record per line::

    {"format": "lamtheoguongbac-jsonl", "format_version": 1, "generation": 7, "write": "…"}
    {"type": "unit", "data": {"schema_version": 1, "id": "cb-vanphong", …}}
    {"type": "member", "data": {…}}
    {"type": "handbook", "data": {…}}
    {"type": "exemplar", "data": {…}}
    {"type": "inspection", "data": {…}}
    {"type": "event", "data": {…}}
    {"type": "record_event", "data": {…}}

Each ``data`` is the library's own JSON (:func:`lamtheoguongbac.to_dict`), so records carry
their ``schema_version`` and are migrated on load like any other document.

How the :class:`~lamtheoguongbac.Store` contract is kept:

* **atomic writes** — every write renders the whole file to a temporary file beside it,
  flushes it to disk and renames it over the data file (:func:`os.replace`): a reader or a
  crash sees the old file or the new one, never half of one;
* **one file lock** — writers take an exclusive lock on the ``.lock`` file, re-read the data
  file if another writer changed it (the header's ``write`` token tells), check, then
  replace it; readers need no lock, since the file they open is always whole;
* **optimistic concurrency** — :meth:`JsonLinesStore.update` compares the stored version
  with ``expected_version`` under the lock and raises
  :class:`~lamtheoguongbac.ConflictError` without writing when they differ;
* **append-only events** — event lines are only ever added at the end, never changed or
  removed;
* **transactions** — :meth:`JsonLinesStore.transaction` holds the file lock for a block,
  applies its writes to an in-memory copy and replaces the file once at the end (or not at
  all when the block raises).

Every write rewrites the file, so this backend suits a cell or a commune (hundreds of
handbooks), not a province: use ``sqlite:`` for those.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import urllib.parse
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import attrs

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
from lamtheoguongbac.plugin import (
    HandbookQuery,
    Inspection,
    RecordEvent,
    RecordType,
    check_entry,
    check_inspection_update,
    check_signatures,
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
)
from lamtheoguongbac.serde import from_dict, to_dict
from lamtheoguongbac.text import nfc
from lamtheoguongbac_jsonl._files import exclusive_lock, replace_atomically

__all__ = [
    "DATA_FILE",
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEME",
    "JsonLinesStore",
    "path_from_url",
    "url_for",
]

#: The URL scheme served by this backend.
SCHEME: Final = "jsonl"
#: The value of the header's ``format`` key.
FORMAT: Final = "lamtheoguongbac-jsonl"
#: The layout version of the file; a newer file is refused, never overwritten.
FORMAT_VERSION: Final = 1
#: The data file's name inside a store folder.
DATA_FILE: Final = "so-tay.jsonl"
_FILE_SUFFIXES = (".jsonl", ".ndjson")
_PREFIX = f"{SCHEME}:///"

# Compact and readable: Vietnamese text stays UTF-8 rather than \u escapes.
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# --- URLs and paths ------------------------------------------------------------------------


def path_from_url(url: str) -> Path:
    """The folder or file named by a ``jsonl:///…`` URL.

    Raises:
        StoreError: the URL is not of a supported form.
    """
    rest = url[len(_PREFIX) :] if url.startswith(_PREFIX) else ""
    if not rest or "?" in rest or "#" in rest:
        raise StoreError(
            f"Địa chỉ kho '{url}' không hợp lệ; dùng jsonl:///thư-mục, jsonl:///tệp.jsonl "
            "hoặc jsonl:////đường/dẫn/tuyệt/đối",
            f"invalid store URL '{url}'; use jsonl:///folder, jsonl:///file.jsonl or "
            "jsonl:////absolute/path",
        )
    return Path(urllib.parse.unquote(rest))


def url_for(path: str | os.PathLike[str]) -> str:
    """The ``jsonl:///…`` URL of a folder or file (absolute paths get four slashes)."""
    return _PREFIX + os.fspath(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")


def _data_file(target: Path) -> Path:
    """The data file for a URL's path; creates a missing store folder."""
    if target.is_dir():
        return target / DATA_FILE
    if target.exists():
        if not target.is_file():
            raise StoreError(
                f"Không mở được kho {target}: đây không phải tệp thường hay thư mục",
                f"cannot open the store {target}: it is neither a regular file nor a folder",
            )
        return target
    parent = target.absolute().parent
    if not parent.is_dir():
        raise StoreError(
            f"Không tạo được kho {target}: thư mục {parent} không tồn tại",
            f"cannot create the store {target}: the folder {parent} does not exist",
        )
    if target.suffix.lower() in _FILE_SUFFIXES:
        return target
    try:
        target.mkdir(exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"Không tạo được thư mục kho {target}: {exc}",
            f"cannot create the store folder {target}: {exc}",
        ) from exc
    return target / DATA_FILE


# --- the file's content --------------------------------------------------------------------


@attrs.frozen
class _Snapshot:
    """The whole store as read from (or about to be written to) the data file.

    Each value is kept with its encoded line so a write re-encodes only what changed. The
    mappings are never mutated once built: a write builds new ones.
    """

    header: bytes
    units: Mapping[str, tuple[OrgUnit, str]]
    members: Mapping[str, tuple[Member, str]]
    handbooks: Mapping[str, tuple[Handbook, str]]
    events: Mapping[str, tuple[Event, ...]]
    event_lines: tuple[str, ...]
    exemplars: Mapping[str, tuple[Exemplar, str]]
    inspections: Mapping[str, tuple[Inspection, str]] = attrs.field(factory=dict)
    record_events: Mapping[tuple[RecordType, str], tuple[RecordEvent, ...]] = attrs.field(
        factory=dict
    )
    record_lines: tuple[str, ...] = ()

    @property
    def generation(self) -> int:
        """How many writes made this file (0 for a new store)."""
        if not self.header:
            return 0
        value = json.loads(self.header).get("generation", 0)
        return value if isinstance(value, int) else 0


_EMPTY = _Snapshot(b"", {}, {}, {}, {}, (), {})


def _lookup(snapshot: _Snapshot) -> Callable[[str], Member | None]:
    """A roster lookup in ``snapshot`` (for the storage contract's signature checks)."""

    def find(member_id: str) -> Member | None:
        stored = snapshot.members.get(member_id)
        return None if stored is None else stored[0]

    return find


def _line(kind: str, value: object) -> str:
    return _encode({"type": kind, "data": to_dict(value)})


def _header(generation: int) -> bytes:
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generation": generation,
        "write": uuid.uuid4().hex,
    }
    return _encode(header).encode("utf-8")


def _render(snapshot: _Snapshot) -> bytes:
    """The data file's bytes: the header, then units, members, handbooks, exemplars,
    inspections, events and the records' events."""
    lines = [
        *(line for _, line in sorted(snapshot.units.values(), key=lambda v: v[0].id)),
        *(line for _, line in sorted(snapshot.members.values(), key=lambda v: v[0].id)),
        *(line for _, line in snapshot.handbooks.values()),
        *(line for _, line in snapshot.exemplars.values()),
        *(line for _, line in snapshot.inspections.values()),
        *snapshot.event_lines,
        *snapshot.record_lines,
    ]
    return snapshot.header + b"\n" + "".join(f"{line}\n" for line in lines).encode("utf-8")


def _refuse(path: Path, vi: str, en: str) -> StoreError:
    return StoreError(
        f"Không đọc được kho {path}: {vi}; tệp được giữ nguyên",
        f"cannot read the store {path}: {en}; the file was left untouched",
    )


def _check_header(path: Path, first: bytes) -> None:
    try:
        header = json.loads(first)
    except (ValueError, UnicodeDecodeError):
        header = None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise _refuse(
            path,
            "dòng đầu không phải tiêu đề của kho JSON Lines lamtheoguongbac (tệp của "
            "chương trình khác hoặc tệp hỏng)",
            "the first line is not a lamtheoguongbac JSON-lines header (another program's "
            "file or a corrupt file)",
        )
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _refuse(
            path,
            f"tệp dùng định dạng phiên bản {version}, mới hơn bản plugin này hỗ trợ "
            f"({FORMAT_VERSION}); hãy nâng cấp lamtheoguongbac-jsonl",
            f"the file's format version {version} is newer than this plugin supports "
            f"({FORMAT_VERSION}); upgrade lamtheoguongbac-jsonl",
        )


_KINDS: Final[dict[str, type[Any]]] = {
    "unit": OrgUnit,
    "member": Member,
    "handbook": Handbook,
    "exemplar": Exemplar,
    "inspection": Inspection,
    "event": Event,
    "record_event": RecordEvent,
}


def _record(path: Path, number: int, raw: bytes) -> tuple[str, Any, str]:
    """(kind, value, line) of the record on line ``number``."""
    try:
        line = raw.decode("utf-8").rstrip("\r\n")
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _refuse(
            path, f"dòng {number} không phải JSON hợp lệ ({exc})", f"line {number} is not JSON"
        ) from exc
    kind = record.get("type") if isinstance(record, dict) else None
    if kind not in _KINDS or not isinstance(record.get("data"), dict):
        raise _refuse(
            path,
            f"dòng {number} không phải bản ghi unit/member/handbook/exemplar/inspection/event/"
            "record_event",
            f"line {number} is not a unit/member/handbook/exemplar/inspection/event/record_event "
            "record",
        )
    try:
        value = from_dict(_KINDS[kind], record["data"])
    except ValidationFailed as exc:
        raise _refuse(
            path, f"dòng {number}: {exc.message_vi}", f"line {number}: {exc.message_en}"
        ) from exc
    return kind, value, line


def _parse(path: Path, first: bytes, rest: Iterable[bytes]) -> _Snapshot:
    if not first.strip():
        return _EMPTY  # an empty file is a new, empty store
    _check_header(path, first)
    units: dict[str, tuple[OrgUnit, str]] = {}
    members: dict[str, tuple[Member, str]] = {}
    handbooks: dict[str, tuple[Handbook, str]] = {}
    exemplars: dict[str, tuple[Exemplar, str]] = {}
    inspections: dict[str, tuple[Inspection, str]] = {}
    events: dict[str, list[Event]] = {}
    event_lines: list[str] = []
    record_events: dict[tuple[RecordType, str], list[RecordEvent]] = {}
    record_lines: list[str] = []
    seen: dict[tuple[str, str], int] = {}  # (kind, id) → the line it was first on
    for number, raw in enumerate(rest, start=2):
        if not raw.strip():
            continue
        kind, value, line = _record(path, number, raw)
        if kind in ("unit", "member", "handbook", "exemplar", "inspection"):
            # The store writes each record once; a second line (an edit, a bad merge)
            # would silently replace the first.
            first_on = seen.setdefault((kind, value.id), number)
            if first_on != number:
                raise _refuse(
                    path,
                    f"dòng {number}: '{value.id}' đã có ở dòng {first_on}",
                    f"line {number}: '{value.id}' is already on line {first_on}",
                )
        elif kind == "event":
            before = events.get(value.handbook_id, [])
            if before and value.version <= before[-1].version:
                raise _refuse(
                    path,
                    f"dòng {number}: nhật ký của sổ '{value.handbook_id}' không theo thứ tự "
                    f"phiên bản ({value.version} sau {before[-1].version})",
                    f"line {number}: the events of handbook '{value.handbook_id}' are out of "
                    f"version order ({value.version} after {before[-1].version})",
                )
        if kind == "unit":
            units[value.id] = (value, line)
        elif kind == "member":
            members[value.id] = (value, line)
        elif kind == "handbook":
            handbooks[value.id] = (value, line)
        elif kind == "exemplar":
            exemplars[value.id] = (value, line)
        elif kind == "inspection":
            inspections[value.id] = (value, line)
        elif kind == "record_event":
            record_events.setdefault((value.record_type, value.record_id), []).append(value)
            record_lines.append(line)
        else:
            events.setdefault(value.handbook_id, []).append(value)
            event_lines.append(line)
    for handbook_id, trail in events.items():
        held = handbooks.get(handbook_id)
        if held is None or held[0].version != trail[-1].version:
            # a handbook line edited, removed or out of date beside its events
            what_vi, what_en = (
                ("không có dòng sổ tay", "has no handbook line")
                if held is None
                else (
                    f"ở phiên bản {held[0].version}, nhật ký ở {trail[-1].version}",
                    f"is at version {held[0].version}, its events at {trail[-1].version}",
                )
            )
            raise _refuse(
                path,
                f"sổ '{handbook_id}' {what_vi}",
                f"handbook '{handbook_id}' {what_en}",
            )
    return _Snapshot(
        first.rstrip(b"\r\n"),
        units,
        members,
        handbooks,
        {k: tuple(v) for k, v in events.items()},
        tuple(event_lines),
        exemplars,
        inspections,
        {k: tuple(v) for k, v in record_events.items()},
        tuple(record_lines),
    )


# The checks, filter and order every backend shares come from the core's storage contract
# (lamtheoguongbac._storage.contract), so this store cannot drift from the built-in ones.


# --- the store -----------------------------------------------------------------------------


class JsonLinesStore:
    """A store kept in one JSON-lines file (kho JSON Lines); see the module docstring.

    Args:
        target: the store folder, or the data file itself (a name ending in ``.jsonl``).
        url: the URL to report as :attr:`url` (default: made from ``target``).
        timeout: seconds a write waits for another writer's lock before giving up.

    Raises:
        StoreError: the target cannot be created, or its file is not a store this plugin
            can read (it is then left untouched).
    """

    def __init__(
        self, target: str | os.PathLike[str], *, url: str | None = None, timeout: float = 30.0
    ) -> None:
        self.path = _data_file(Path(target))
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.url = url if url is not None else url_for(target)
        self.timeout = timeout
        self._lock = threading.RLock()
        self._closed = False
        self._snapshot = _EMPTY
        self._loaded = False
        # Inside transaction(): the block's content so far, written to the file at its end.
        self._pending: _Snapshot | None = None
        if not self.path.exists():
            self._write(lambda snapshot: snapshot)
        else:
            self._read()

    @classmethod
    def from_url(cls, url: str) -> JsonLinesStore:
        """Open the store named by a ``jsonl:///…`` URL (the ``open`` of the backend)."""
        return cls(path_from_url(url), url=url)

    def __repr__(self) -> str:
        return f"JsonLinesStore({self.url!r})"

    def __enter__(self) -> JsonLinesStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- reading and writing the file ------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(
                f"Kho {self.url} đã đóng, không dùng được nữa", f"the store {self.url} is closed"
            )

    def _current(self) -> _Snapshot:
        """The file's content, re-read only when another writer replaced it."""
        try:
            with self.path.open("rb") as file:
                first = file.readline()
                if self._loaded and first.rstrip(b"\r\n") == self._snapshot.header:
                    return self._snapshot
                snapshot = _parse(self.path, first, file)
        except FileNotFoundError:
            snapshot = _EMPTY  # not written yet, or removed by hand: an empty store
        except OSError as exc:
            raise _refuse(self.path, f"lỗi đọc tệp ({exc})", f"read error ({exc})") from exc
        self._snapshot, self._loaded = snapshot, True
        return snapshot

    def _read(self) -> _Snapshot:
        with self._lock:
            self._check_open()
            if self._pending is not None:
                return self._pending
            return self._current()

    def _write(self, change: Callable[[_Snapshot], _Snapshot]) -> None:
        """Apply ``change`` to the current content and replace the file, under the lock.

        ``change`` raises to refuse the write; nothing is written then. Inside
        :meth:`transaction` the change is only made to the block's content.
        """
        with self._lock:
            self._check_open()
            if self._pending is not None:
                self._pending = change(self._pending)
                return
            with exclusive_lock(self.lock_path, self.timeout):
                current = self._current()
                self._replace(current, change(current))

    def _replace(self, current: _Snapshot, new: _Snapshot) -> None:
        """Write ``new`` over the file read as ``current`` (the file lock is held)."""
        new = attrs.evolve(new, header=_header(current.generation + 1))
        try:
            replace_atomically(self.path, _render(new))
        except OSError as exc:
            raise StoreError(
                f"Không ghi được kho {self.path}: {exc}; dữ liệu cũ được giữ nguyên",
                f"cannot write the store {self.path}: {exc}; the old data is kept",
            ) from exc
        self._snapshot = new

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block reach the file together at its end, or not at all.

        The file lock (and this object's lock) is held for the whole block; the writes
        change an in-memory copy that reads inside the block see, and the file is replaced
        once when the block ends without an exception. An exception discards the copy and
        propagates. Nested blocks join the outer one (an inner block that fails undoes only
        its own writes).
        """
        with self._lock:
            self._check_open()
            if self._pending is not None:  # nested: join the outer block
                saved = self._pending
                try:
                    yield
                except BaseException:
                    self._pending = saved
                    raise
                return
            with exclusive_lock(self.lock_path, self.timeout):
                start = self._current()
                self._pending = start
                try:
                    yield
                    new = self._pending
                finally:
                    self._pending = None
                if new is not start:
                    self._check_open()
                    self._replace(start, new)

    def _not_found(self, kind_vi: str, kind_en: str, item_id: str) -> NotFound:
        return NotFound(
            f"Không tìm thấy {kind_vi} '{item_id}' trong {self.url}",
            f"no {kind_en} '{item_id}' in {self.url}",
        )

    # --- writes ----------------------------------------------------------------------------

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""
        self.add_many([(handbook, event)])

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks in one write; returns how many. All or none.

        Raises:
            ConflictError: an id is already stored or repeated in ``items``.
            ValidationFailed: an event does not record its handbook.
        """
        batch: dict[str, tuple[Handbook, Event]] = {}
        repeated: list[str] = []
        for handbook, event in items:  # consumed whole before anything is written
            check_entry(handbook, event)
            if handbook.id in batch:
                repeated.append(handbook.id)
            batch[handbook.id] = (handbook, event)
        if not batch:
            self._check_open()
            return 0

        def change(snapshot: _Snapshot) -> _Snapshot:
            taken = repeated + [i for i in batch if i in snapshot.handbooks]
            if taken:
                shown = ", ".join(f"'{i}'" for i in taken[:5]) + (" …" if len(taken) > 5 else "")
                raise ConflictError(
                    f"Sổ tay {shown} đã có trong {self.url}; không sổ nào được ghi",
                    f"handbook {shown} already exists in {self.url}; nothing was written",
                )
            for handbook, event in batch.values():
                check_signatures(handbook, event, _lookup(snapshot), added=True)
            handbooks = dict(snapshot.handbooks)
            events = dict(snapshot.events)
            new_lines = []
            for handbook_id, (handbook, event) in batch.items():
                handbooks[handbook_id] = (handbook, _line("handbook", handbook))
                events[handbook_id] = (event,)
                new_lines.append(_line("event", event))
            return attrs.evolve(
                snapshot,
                handbooks=handbooks,
                events=events,
                event_lines=(*snapshot.event_lines, *new_lines),
            )

        self._write(change)
        return len(batch)

    def update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        """Make several updates in one write of the file, all or none; returns how many.

        Each entry is ``(handbook, event, expected_version)``, as :meth:`update` takes them.

        Raises:
            NotFound, ConflictError, ValidationFailed: as :meth:`update`, for an entry
                refused; nothing of any entry is written.
        """
        count = 0
        with self.transaction():
            for handbook, event, expected_version in entries:
                self.update(handbook, event, expected_version=expected_version)
                count += 1
        return count

    def update(self, handbook: Handbook, event: Event, *, expected_version: int) -> None:
        """Replace a handbook stored at ``expected_version`` and append its event.

        Raises:
            NotFound: no handbook has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1`` or the event
                does not record it.
        """
        check_update(handbook, event, expected_version)

        def change(snapshot: _Snapshot) -> _Snapshot:
            stored = snapshot.handbooks.get(handbook.id)
            if stored is None:
                raise self._not_found("sổ tay", "handbook", handbook.id)
            if stored[0].version != expected_version:
                raise ConflictError(
                    f"Sổ tay '{handbook.id}' trong {self.url} đã được sửa (phiên bản hiện tại "
                    f"{stored[0].version}, bạn sửa từ phiên bản {expected_version}); không ghi "
                    "đè — hãy đọc lại và thử lại",
                    f"handbook '{handbook.id}' in {self.url} has changed (stored version "
                    f"{stored[0].version}, yours was {expected_version}); nothing was "
                    "overwritten — read it again and retry",
                )
            check_signatures(handbook, event, _lookup(snapshot), added=False)
            handbooks = {**snapshot.handbooks, handbook.id: (handbook, _line("handbook", handbook))}
            events = {**snapshot.events, handbook.id: (*snapshot.events[handbook.id], event)}
            return attrs.evolve(
                snapshot,
                handbooks=handbooks,
                events=events,
                event_lines=(*snapshot.event_lines, _line("event", event)),
            )

        self._write(change)

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace organisation units and members, in one write."""
        unit_lines = {u.id: (u, _line("unit", u)) for u in units}
        member_lines = {m.id: (m, _line("member", m)) for m in members}
        self._write(
            lambda snapshot: attrs.evolve(
                snapshot,
                units={**snapshot.units, **unit_lines},
                members={**snapshot.members, **member_lines},
            )
        )

    # --- reads -----------------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""
        handbook_id = nfc(handbook_id)
        stored = self._read().handbooks.get(handbook_id)
        if stored is None:
            raise self._not_found("sổ tay", "handbook", handbook_id)
        return stored[0]

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query``, by (year, cell id, roster order, id)."""
        query = normalise_query(query)
        found = [h for h, _ in self._read().handbooks.values() if matches(h, query)]
        return sorted(found, key=handbook_order)

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query`, as an iterator over the file as it is now."""
        return iter(self.query(query))

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""
        counts: dict[HandbookStatus, int] = {}
        for handbook in self.query(query):
            counts[handbook.status] = counts.get(handbook.status, 0) + 1
        return counts

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""
        handbook_id = nfc(handbook_id)
        snapshot = self._read()
        if handbook_id not in snapshot.handbooks:
            raise self._not_found("sổ tay", "handbook", handbook_id)
        return list(snapshot.events.get(handbook_id, ()))

    def units(self) -> list[OrgUnit]:
        """Every organisation unit, sorted by id."""
        return sorted((u for u, _ in self._read().units.values()), key=lambda u: u.id)

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell, when given) by cell, roster order and id."""
        cell = None if cell_id is None else nfc(cell_id)
        found = [m for m, _ in self._read().members.values() if cell is None or m.cell_id == cell]
        return sorted(found, key=member_order)

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if there is none."""
        member_id = nfc(member_id)
        stored = self._read().members.get(member_id)
        if stored is None:
            raise self._not_found("đảng viên", "member", member_id)
        return stored[0]

    # --- exemplars ------------------------------------------------------------------------

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar (gương điển hình); ``ConflictError`` if the id exists."""

        def change(snapshot: _Snapshot) -> _Snapshot:
            if exemplar.id in snapshot.exemplars:
                raise ConflictError(
                    f"Gương điển hình '{exemplar.id}' đã có trong {self.url} (đã được đề cử); "
                    "không ghi gì",
                    f"exemplar '{exemplar.id}' already exists in {self.url} (already "
                    "nominated); nothing was written",
                )
            line = _line("exemplar", exemplar)
            return attrs.evolve(
                snapshot, exemplars={**snapshot.exemplars, exemplar.id: (exemplar, line)}
            )

        self._write(change)

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace an exemplar stored at ``expected_version``.

        Raises:
            NotFound: no exemplar has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        if exemplar.version != expected_version + 1:
            raise ValidationFailed(
                f"gương điển hình '{exemplar.id}' cập nhật từ phiên bản {expected_version} "
                f"phải mang phiên bản {expected_version + 1}, không phải {exemplar.version}",
                f"exemplar '{exemplar.id}' updated from version {expected_version} must carry "
                f"version {expected_version + 1}, not {exemplar.version}",
                field="Exemplar.version",
            )

        def change(snapshot: _Snapshot) -> _Snapshot:
            stored = snapshot.exemplars.get(exemplar.id)
            if stored is None:
                raise self._not_found("gương điển hình", "exemplar", exemplar.id)
            if stored[0].version != expected_version:
                raise ConflictError(
                    f"Gương điển hình '{exemplar.id}' trong {self.url} đã được sửa (phiên bản "
                    f"hiện tại {stored[0].version}, bạn sửa từ phiên bản {expected_version}); "
                    "không ghi đè — hãy đọc lại và thử lại",
                    f"exemplar '{exemplar.id}' in {self.url} has changed (stored version "
                    f"{stored[0].version}, yours was {expected_version}); nothing was "
                    "overwritten — read it again and retry",
                )
            line = _line("exemplar", exemplar)
            return attrs.evolve(
                snapshot, exemplars={**snapshot.exemplars, exemplar.id: (exemplar, line)}
            )

        self._write(change)

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""
        exemplar_id = nfc(exemplar_id)
        stored = self._read().exemplars.get(exemplar_id)
        if stored is None:
            raise self._not_found("gương điển hình", "exemplar", exemplar_id)
        return stored[0]

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id`` (its whole subtree), by year,
        collectives before individuals, name (Vietnamese collation) and id."""
        unit = None if organisation_id is None else nfc(organisation_id)
        found = [
            e
            for e, _ in self._read().exemplars.values()
            if (year is None or e.year == year)
            and (unit is None or any(u.id == unit for u in e.organisation))
        ]
        return sorted(found, key=exemplar_order)

    # --- inspections and the records' audit trail ---------------------------------------

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection (cuộc kiểm tra); ``ConflictError`` if the id exists."""

        def change(snapshot: _Snapshot) -> _Snapshot:
            if inspection.id in snapshot.inspections:
                raise inspection_exists(inspection.id, self.url)
            line = _line("inspection", inspection)
            return attrs.evolve(
                snapshot, inspections={**snapshot.inspections, inspection.id: (inspection, line)}
            )

        self._write(change)

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace an inspection stored at ``expected_version``.

        Raises:
            NotFound: no inspection has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_inspection_update(inspection, expected_version)

        def change(snapshot: _Snapshot) -> _Snapshot:
            stored = snapshot.inspections.get(inspection.id)
            if stored is None:
                raise self._not_found("cuộc kiểm tra", "inspection", inspection.id)
            if stored[0].version != expected_version:
                raise inspection_stale(inspection.id, stored[0].version, expected_version, self.url)
            line = _line("inspection", inspection)
            return attrs.evolve(
                snapshot, inspections={**snapshot.inspections, inspection.id: (inspection, line)}
            )

        self._write(change)

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""
        inspection_id = nfc(inspection_id)
        stored = self._read().inspections.get(inspection_id)
        if stored is None:
            raise self._not_found("cuộc kiểm tra", "inspection", inspection_id)
        return stored[0]

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, by year,
        date and id."""
        unit = None if organisation_id is None else nfc(organisation_id)
        found = [
            i for i, _ in self._read().inspections.values() if inspection_matches(i, year, unit)
        ]
        return sorted(found, key=inspection_order)

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars, inspections and the roster."""
        self.append_record_events([event])

    def append_record_events(self, events: Sequence[RecordEvent]) -> None:
        """Append several events at once (the service uses it for a roster save's trail):
        the trail is copied once, not once an event — 60,000 members' audit entries one by
        one cost time quadratic in their number."""
        events = list(events)

        def change(snapshot: _Snapshot) -> _Snapshot:
            trail = dict(snapshot.record_events)
            for event in events:
                key = (event.record_type, event.record_id)
                trail[key] = (*trail.get(key, ()), event)
            return attrs.evolve(
                snapshot,
                record_events=trail,
                record_lines=(
                    *snapshot.record_lines,
                    *(_line("record_event", event) for event in events),
                ),
            )

        self._write(change)

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""
        return list(self._read().record_events.get((record_type, nfc(record_id)), ()))

    def close(self) -> None:
        """Forget the cached content; further use raises ``StoreError``. Idempotent."""
        with self._lock:
            self._closed = True
            self._snapshot, self._loaded = _EMPTY, False
