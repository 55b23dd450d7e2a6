"""The embedded SQLite store (kho SQLite): one file, the default backend.

URL forms (``%xx`` escapes are decoded; query options are not supported)::

    sqlite:///so-tay.db                  relative to the working directory
    sqlite:///du-lieu/so-tay.db          relative, in a folder that must exist
    sqlite:////var/lib/ltgb/so-tay.db    absolute (four slashes: three, then the path's own)

A missing file is created (its folder must exist). The file runs in WAL mode with
``synchronous=NORMAL`` and foreign keys on; its ``application_id`` marks it as ours and its
``user_version`` counts the schema migrations applied (see ``_migrations``).

Before SQLite ever opens a file for writing, its header is read: a file that is not SQLite
(text, random bytes), is shorter than its header says (a truncated copy), belongs to another
application (another ``application_id``, or tables without ours) or was written by a newer
release raises :class:`~lamtheoguongbac.StoreError` naming the file, and the file is
left byte-for-byte as it was (another application's file is only inspected through an
immutable read-only connection, which creates no ``-wal``/``-shm`` files).

Every write is one ``BEGIN IMMEDIATE`` transaction, rolled back on any error; inside
:meth:`SqliteStore.transaction` the writes join the block's single transaction. Updates are
optimistic: ``UPDATE … WHERE id = ? AND version = ?`` and, if no row changed, nothing is
written and :class:`~lamtheoguongbac._errors.ConflictError` (or ``NotFound``) is raised.
Events are append-only, enforced by triggers. Each process opens its own store: one object
may be shared by the threads of its process (a lock serialises them) but not across
``fork``. Concurrent processes wait for each other's writes up to ``timeout`` seconds.
"""

from __future__ import annotations

import array
import contextlib
import functools
import itertools
import logging
import os
import pathlib
import sqlite3
import stat
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import TracebackType
from typing import Any, TypeVar

from lamtheoguongbac import serde
from lamtheoguongbac._audit import RecordEvent, RecordType
from lamtheoguongbac._errors import StoreError
from lamtheoguongbac._exemplars import Exemplar, exemplar_order
from lamtheoguongbac._inspections import Inspection, inspection_order
from lamtheoguongbac._model import (
    Event,
    Handbook,
    HandbookStatus,
    Member,
    MemberStatus,
    OrgUnit,
    RatingLevel,
)
from lamtheoguongbac._storage import _json
from lamtheoguongbac._storage._migrations import APPLICATION_ID, SCHEMA_VERSION, migrate, too_new
from lamtheoguongbac._storage.base import HandbookHeading, HandbookQuery
from lamtheoguongbac._storage.contract import (
    check_exemplar_update,
    check_inspection_update,
    check_signatures,
    check_update,
    checked_chunks,
    collation_fingerprint,
    duplicate_error,
    exemplar_exists,
    exemplar_stale,
    inspection_exists,
    inspection_stale,
    normalise_query,
    not_found,
    read_stored,
    roster_key,
    stale_error,
)
from lamtheoguongbac.rules._aggregate import RatingTally, counts_as_pending
from lamtheoguongbac.text import nfc

__all__ = ["SqliteStore"]

T = TypeVar("T")

_SCHEME = "sqlite:///"
_MAGIC = b"SQLite format 3\x00"
log = logging.getLogger("lamtheoguongbac.store")

_CHUNK = 1000  # handbooks prepared and inserted per executemany in add_many
# Documents are read as ``CAST(document AS BLOB)``: their UTF-8 bytes go to the JSON parser
# as they are, instead of being decoded into text by sqlite3 and encoded again by the parser
# (6 µs of 19 for a handbook; every bulk step and the export read each one, issue 11).
_DOCUMENT = "CAST(document AS BLOB)"
# ... and written the same way: orjson's UTF-8 bytes bound as they are, taken as text by
# SQLite (the column still holds TEXT, for json_extract and for any reader).
_TEXT = "CAST(? AS TEXT)"
_AUTOCHECKPOINT = 1000  # SQLite's default: pages in the log before a commit checkpoints it
_CHECKPOINT_EVERY = 256  # handbooks a gated store writes between its own checkpoints

Gate = Callable[[], contextlib.AbstractContextManager[None]]
_PAGE = 500  # documents fetched per statement by iter_query
_ORDER = "ORDER BY year, cell_id, sort_key, id"

# Compact and readable: Vietnamese text is stored as UTF-8, not \u escapes.

_INSERT_HANDBOOK = (
    "INSERT INTO handbooks (id, member_id, cell_id, grassroots_id, year, status, version, "
    "member_name, member_sort, sort_key, document) "
    f"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, {_TEXT})"
)
_UPDATE_HANDBOOK = (
    "UPDATE handbooks SET member_id = ?, cell_id = ?, grassroots_id = ?, year = ?, status = ?, "
    f"version = ?, member_name = ?, member_sort = ?, sort_key = ?, document = {_TEXT} "
    "WHERE id = ? AND version = ?"
)
_UPDATE_STEP = (
    f"UPDATE handbooks SET status = ?, version = ?, document = {_TEXT} WHERE id = ? "
    "AND version = ? "
    "AND member_id = ? AND cell_id = ? AND grassroots_id = ? AND year = ? "
    "AND member_name = ? AND member_sort IS ? AND sort_key = ?"
)
_LINKED_UNITS = "SELECT unit_id FROM handbook_units WHERE handbook_id = ?"
_UPDATE_UNIT_LINKS = "UPDATE handbook_units SET year = ?, status = ? WHERE handbook_id = ?"
_INSERT_UNIT_LINK = (
    "INSERT INTO handbook_units (unit_id, handbook_id, year, status) VALUES (?, ?, ?, ?)"
)
_INSERT_EVENT = f"INSERT INTO events (handbook_id, version, document) VALUES (?, ?, {_TEXT})"
_INSERT_EXEMPLAR_UNIT = "INSERT INTO exemplar_units (unit_id, exemplar_id) VALUES (?, ?)"
_INSERT_INSPECTION_UNIT = "INSERT INTO inspection_units (unit_id, inspection_id) VALUES (?, ?)"
_DONE = "('assessed', 'closed')"
_OPEN = "('draft', 'registered', 'reported')"
# Per (status, rating, member standing): the rating of assessed handbooks and the standing
# (the roster's, else the handbook's copy) of those still open, read by SQLite from the JSON.
_RATING_TALLY = (
    "SELECT h.status, "
    f"CASE WHEN h.status IN {_DONE} "
    "THEN json_extract(h.document, '$.collective_assessment.rating') END, "
    f"CASE WHEN h.status IN {_OPEN} THEN coalesce(json_extract(m.document, '$.status'), "
    "json_extract(h.document, '$.member.status')) END, count(*) "
    "FROM handbooks AS h LEFT JOIN members AS m ON m.id = h.member_id "
    "WHERE h.grassroots_id = ? AND h.year = ? AND h.id != ? GROUP BY 1, 2, 3"
)


class _PackedIds:
    """The ids an ``iter_query`` will read, as one block of UTF-8 and their end offsets.

    A province's or a nation's export streams hundreds of thousands of handbooks: a list of
    id strings (and the rows they came in) would grow the reader's peak memory by ~250 bytes
    a handbook, about 40 bytes this way.
    """

    __slots__ = ("_blob", "_ends")

    def __init__(self) -> None:
        self._blob = bytearray()
        self._ends = array.array("Q")

    def append(self, handbook_id: str) -> None:
        self._blob += handbook_id.encode("utf-8")
        self._ends.append(len(self._blob))

    def __len__(self) -> int:
        return len(self._ends)

    def page(self, start: int, stop: int) -> list[str]:
        """The ids ``start`` to ``stop`` (exclusive), decoded."""
        ends = self._ends[start:stop]
        first = self._ends[start - 1] if start else 0
        out: list[str] = []
        for end in ends:
            out.append(self._blob[first:end].decode("utf-8"))
            first = end
        return out


def _handbook_row(handbook: Handbook) -> tuple[Any, ...]:
    member = handbook.member
    return (
        handbook.id,
        member.id,
        handbook.cell.id,
        handbook.grassroots.id,
        handbook.year,
        handbook.status.value,
        handbook.version,
        member.full_name,
        member.sort_key,
        roster_key(member.full_name, member.sort_key),
        _json.encode_json_utf8(serde.to_dict(handbook)),
    )


def _event_row(event: Event) -> tuple[str, int, bytes]:
    return (event.handbook_id, event.version, _json.encode_json_utf8(serde.to_dict(event)))


def _rows_of(conn: sqlite3.Connection, sql: str, ids: Sequence[str]) -> Iterator[Any]:
    """The rows of ``sql`` (whose ``IN ({})`` takes the ids) for every id, :data:`_PAGE`
    ids a statement: SQLite limits the parameters of one statement (999 before 3.32)."""
    for start in range(0, len(ids), _PAGE):
        page = ids[start : start + _PAGE]
        yield from conn.execute(sql.format(",".join("?" * len(page))), page)


def _unit_rows(handbook: Handbook) -> list[tuple[str, str, int, str]]:
    # A chain may name a unit twice (A → B → A is a valid chain); link it once.
    return [
        (unit_id, handbook.id, handbook.year, handbook.status.value)
        for unit_id in dict.fromkeys(u.id for u in handbook.organisation)
    ]


def _exemplar_unit_rows(exemplar: Exemplar) -> list[tuple[str, str]]:
    return [
        (unit_id, exemplar.id) for unit_id in dict.fromkeys(u.id for u in exemplar.organisation)
    ]


def _where(query: HandbookQuery) -> tuple[str, list[Any]]:
    """The SQL condition on ``handbooks`` for a normalised ``query``, and its parameters."""
    clauses: list[str] = []
    params: list[Any] = []
    status = None if query.status is None else query.status.value
    if query.organisation_id is not None:
        inner, params = _unit_where(query.organisation_id, query.year, status)
        if query.cell_id is None and query.member_id is None:
            clauses.append(f"id IN (SELECT handbook_id FROM handbook_units WHERE {inner})")
        else:  # a cell or member is the narrower start: probe the subtree per row
            clauses.append(
                f"EXISTS (SELECT 1 FROM handbook_units WHERE {inner} "
                "AND handbook_id = handbooks.id)"
            )
    else:
        for column, value in (("year", query.year), ("status", status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
    for column, value in (("cell_id", query.cell_id), ("member_id", query.member_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses) or "1", params


def _unit_where(unit_id: str, year: int | None, status: str | None) -> tuple[str, list[Any]]:
    clauses: list[str] = ["unit_id = ?"]
    params: list[Any] = [unit_id]
    for column, value in (("year", year), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params


# --- URLs and files ------------------------------------------------------------------------


def path_from_url(url: str) -> str:
    """The file path of a ``sqlite:///…`` URL (see the module docstring for the forms).

    Raises:
        StoreError: the URL is not of a supported form.
    """
    rest = url[len(_SCHEME) :] if url.startswith(_SCHEME) else ""
    if not rest or "?" in rest or rest == ":memory:":
        raise StoreError(
            f"Địa chỉ kho '{url}' không hợp lệ; dùng sqlite:///đường/dẫn/tương/đối.db hoặc "
            "sqlite:////đường/dẫn/tuyệt/đối.db (kho tạm trong bộ nhớ: memory:)",
            f"invalid store URL '{url}'; use sqlite:///relative/path.db or "
            "sqlite:////absolute/path.db (for a store in memory: memory:)",
        )
    return urllib.parse.unquote(rest)


def url_for(path: str | os.PathLike[str]) -> str:
    """The ``sqlite:///…`` URL of ``path`` (absolute paths get four slashes)."""
    return _SCHEME + os.fspath(path).replace("%", "%25").replace("?", "%3F")


def _refuse(path: str, vi: str, en: str) -> StoreError:
    return StoreError(
        f"Không mở được kho {path}: {vi}; tệp được giữ nguyên, không sửa gì",
        f"cannot open the store {path}: {en}; the file was left untouched",
    )


def _has_wal(path: str) -> bool:
    try:
        return os.path.getsize(path + "-wal") > 0
    except OSError:
        return False


def _inspect(path: str) -> None:
    """Refuse, without writing anything, a file that is not a store this release can open."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise StoreError(
                f"Không tạo được kho {path}: thư mục {folder} không tồn tại",
                f"cannot create the store {path}: the folder {folder} does not exist",
            ) from None
        return
    except OSError as exc:
        raise _refuse(
            path, f"không đọc được tệp ({exc})", f"the file is unreadable ({exc})"
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, "đây không phải là một tệp thường", "it is not a regular file")
    if info.st_size == 0:
        return  # SQLite treats an empty file as a new, empty database
    try:
        with open(path, "rb") as file:
            header = file.read(100)
    except OSError as exc:
        raise _refuse(
            path, f"không đọc được tệp ({exc})", f"the file is unreadable ({exc})"
        ) from exc
    if header[:16] != _MAGIC and not (len(header) < 16 and _MAGIC.startswith(header)):
        raise _refuse(
            path,
            "tệp không phải là cơ sở dữ liệu SQLite (tệp văn bản, tệp của "
            "chương trình khác hoặc tệp hỏng)",
            "it is not a SQLite database (a text file, another program's file or a corrupt file)",
        )
    page_size = int.from_bytes(header[16:18], "big") if len(header) >= 18 else 0
    page_size = 65536 if page_size == 1 else page_size
    if len(header) < 100 or page_size < 512 or page_size & (page_size - 1):
        raise _refuse(
            path,
            "phần đầu tệp SQLite bị cắt cụt hoặc hỏng",
            "the SQLite header is truncated or corrupt",
        )
    pages = int.from_bytes(header[28:32], "big")
    header_size_valid = pages > 0 and header[24:28] == header[92:96]
    if not _has_wal(path) and (
        info.st_size % page_size or (header_size_valid and info.st_size < pages * page_size)
    ):
        raise _refuse(
            path,
            f"tệp bị cắt cụt ({info.st_size} byte, phần đầu ghi {pages} trang × {page_size} byte)",
            f"the file is truncated ({info.st_size} bytes, the header says {pages} pages × "
            f"{page_size} bytes)",
        )
    application_id = int.from_bytes(header[68:72], "big")
    if application_id == APPLICATION_ID:
        version = int.from_bytes(header[60:64], "big")
        if version > SCHEMA_VERSION:
            raise too_new(path, version)
        return
    if application_id != 0:
        raise _refuse(
            path,
            f"đây là cơ sở dữ liệu SQLite của ứng dụng khác (application_id "
            f"0x{application_id:08x})",
            f"it is another application's SQLite database (application_id 0x{application_id:08x})",
        )
    tables = _foreign_tables(path)
    if tables:
        listed = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise _refuse(
            path,
            f"đây là cơ sở dữ liệu SQLite của ứng dụng khác (có bảng {listed})",
            f"it is another application's SQLite database (tables: {listed})",
        )


def _foreign_tables(path: str) -> list[str]:
    # immutable=1: no locks, no -wal/-shm files, nothing written.
    uri = pathlib.Path(path).absolute().as_uri() + "?mode=ro&immutable=1"
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            rows = conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _refuse(
            path, f"tệp SQLite bị hỏng ({exc})", f"the SQLite file is corrupt ({exc})"
        ) from exc
    return [str(name) for (name,) in rows]


# --- the store -----------------------------------------------------------------------------


class SqliteStore:
    """A store in one SQLite file (see the module docstring for the file's guarantees).

    Args:
        path: the database file; created if missing (its folder must exist).
        timeout: seconds to wait for another process's write before giving up.
        url: the URL to show as :attr:`url` (default: built from ``path``).

    Raises:
        StoreError: the file is not a store this release can open; the message names it.

    Attributes:
        write_gate: ``None``, or a function returning the context manager to enter before
            each write transaction begins (and leave once it has ended). Processes that
            write one file together may take turns through it instead of SQLite's busy
            wait, which polls: the bulk operations' worker processes set it to a shared
            file lock. Writes inside a :meth:`transaction` block pass it once, for the block.
            While a gate is set, the store copies its write-ahead log into the file itself
            (a passive checkpoint, every 256 handbooks written), after leaving the gate:
            SQLite's automatic checkpoint would run inside the commit, holding it.
    """

    def __init__(
        self, path: str | os.PathLike[str], *, timeout: float = 10.0, url: str | None = None
    ) -> None:
        self.path = os.fspath(path)
        self.url = url or url_for(self.path)
        self._timeout = timeout
        self._lock = threading.RLock()
        self._depth = 0  # open transaction() blocks; the writes inside join them
        self._write_gate: Gate | None = None
        self._unsaved = 0  # handbooks written since the last checkpoint of a gated store
        # Members the open write transaction read for its signature checks (a cell's steps
        # are all signed by one officer), forgotten when it ends or saves the roster.
        self._members_read: dict[str, Member | None] | None = None
        self._pid = os.getpid()
        _inspect(self.path)
        self._conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise self._error(exc) from exc
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode != "wal":
                raise StoreError(
                    f"Tệp {self.path} không dùng được chế độ WAL (đang là '{mode}'); hãy đặt "
                    "kho trên ổ đĩa cục bộ",
                    f"{self.path} cannot use WAL mode (got '{mode}'); put the store on a local "
                    "disk",
                )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            migrate(conn, self.path)
            self._conn = conn
            stored = conn.execute(
                "SELECT value FROM meta WHERE key = 'roster_collation'"
            ).fetchone()
            if stored is None or stored[0] != collation_fingerprint():
                with self._transaction():
                    pass  # a write transaction re-keys the roster order first
        except BaseException as exc:
            self._conn = None
            conn.close()
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from exc
            raise

    @classmethod
    def from_url(cls, url: str) -> SqliteStore:
        """Open the store at a ``sqlite:///…`` URL.

        Raises:
            StoreError: the URL is invalid or the file is not a store this release can open.
        """
        return cls(path_from_url(url), url=url)

    def __repr__(self) -> str:
        return f"SqliteStore({self.url!r})"

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------

    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc)
        if any(m in text for m in ("malformed", "not a database")):
            return StoreError(
                f"Kho {self.path} bị hỏng ({text}); hãy khôi phục từ bản sao lưu",
                f"the store {self.path} is corrupt ({text}); restore it from a backup",
            )
        if "locked" in text or "busy" in text:
            return StoreError(
                f"Kho {self.path} đang bận: tiến trình khác ghi quá {self._timeout:g} giây; "
                "hãy thử lại sau",
                f"the store {self.path} is busy: another process has been writing for more "
                f"than {self._timeout:g} s; try again later",
            )
        if "readonly" in text or "unable to open" in text:
            # WAL keeps two files beside the store (-wal, -shm): even a read needs to write
            # them, so a store in a folder one may not write to cannot be opened at all.
            return StoreError(
                f"Không ghi được kho {self.path} hoặc thư mục của nó (SQLite cần tạo các tệp "
                f"-wal, -shm bên cạnh, kể cả khi chỉ đọc); hãy cấp quyền ghi ({text})",
                f"cannot write the store {self.path} or its folder (SQLite needs to make its "
                f"-wal and -shm files beside it, even to read); allow writing there ({text})",
            )
        return StoreError(
            f"Lỗi kho dữ liệu {self.path}: {text}", f"store error in {self.path}: {text}"
        )

    @property
    def write_gate(self) -> Gate | None:
        return self._write_gate

    @write_gate.setter
    def write_gate(self, gate: Gate | None) -> None:
        with self._lock:
            conn = self._connection()
            # gated, the store checkpoints itself outside the gate (see _transaction)
            conn.execute(f"PRAGMA wal_autocheckpoint = {0 if gate else _AUTOCHECKPOINT}")
            self._write_gate = gate

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError(
                f"Kho {self.path} đã đóng, không dùng được nữa", f"the store {self.path} is closed"
            )
        if os.getpid() != self._pid:
            raise StoreError(
                f"Kho {self.path} được mở ở tiến trình khác; hãy mở lại trong tiến trình này",
                f"the store {self.path} was opened in another process; open it again in this one",
            )
        return self._conn

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._error(exc) from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block commit together at its end, or not at all.

        One ``BEGIN IMMEDIATE`` is held for the whole block (other threads and processes
        wait for it); the write methods called inside run as savepoints of it instead of
        committing on their own. An exception leaving the block rolls it all back and
        propagates. Nested blocks join the outer one as savepoints (an inner block that
        fails undoes only its own writes).
        """
        with self._transaction():
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error.

        Inside :meth:`transaction` it is a savepoint of the open transaction instead:
        rolled back to on error, committed only when the outer block ends.
        """
        with self._lock:
            conn = self._connection()
            if self._depth:
                yield from self._savepoint(conn)
                return
            gate = self._write_gate
            try:
                with gate() if gate is not None else contextlib.nullcontext():
                    conn.execute("BEGIN IMMEDIATE")
                    self._members_read = {}
                    try:
                        self._ensure_collation(conn)
                        yield conn
                        conn.execute("COMMIT")
                    except BaseException:
                        if conn.in_transaction:
                            conn.execute("ROLLBACK")
                        raise
                    finally:
                        self._members_read = None
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
            if gate is not None and self._unsaved >= _CHECKPOINT_EVERY:
                self._checkpoint(conn)

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the file now: a passive checkpoint,
        which waits for no reader or writer and copies what none of them still needs.

        The bulk steps run it once their worker processes are done: a worker with a
        :attr:`write_gate` checkpoints only every 256 handbooks, and the log would
        otherwise keep the rest while this connection stays open. A failure is logged,
        not raised: what the log holds is committed already, and stays readable.
        """
        with self._lock:
            self._checkpoint(self._connection())

    def _checkpoint(self, conn: sqlite3.Connection) -> None:
        self._unsaved = 0  # after a failure too: tried again 256 handbooks later
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:  # the writes are committed: a later checkpoint copies them
            log.warning("cannot checkpoint the log of %s", self.path, exc_info=True)

    def _savepoint(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            conn.execute("SAVEPOINT ltgb_write")
            try:
                yield conn
            except BaseException:
                if self._members_read is not None:  # it may have held a roster undone now
                    self._members_read.clear()
                if conn.in_transaction:
                    conn.execute("ROLLBACK TO ltgb_write")
                    conn.execute("RELEASE ltgb_write")
                raise
            conn.execute("RELEASE ltgb_write")
        except sqlite3.Error as exc:
            raise self._error(exc) from exc

    def _ensure_collation(self, conn: sqlite3.Connection) -> None:
        # Sort keys depend on the collation (PyICU or not, the release); rows keyed by
        # another are re-keyed so a file never mixes two.
        fingerprint = collation_fingerprint()
        row = conn.execute("SELECT value FROM meta WHERE key = 'roster_collation'").fetchone()
        if row is not None and row[0] == fingerprint:
            return
        handbooks = conn.execute("SELECT id, member_name, member_sort FROM handbooks")
        conn.executemany(
            "UPDATE handbooks SET sort_key = ? WHERE id = ?",
            [(roster_key(name, sort), i) for i, name, sort in handbooks.fetchall()],
        )
        members = conn.execute("SELECT id, full_name, sort_override FROM members")
        conn.executemany(
            "UPDATE members SET sort_key = ? WHERE id = ?",
            [(roster_key(name, sort), i) for i, name, sort in members.fetchall()],
        )
        conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('roster_collation', ?)",
            (fingerprint,),
        )

    def _load(self, cls: type[T], item_id: str, document: str) -> T:
        return read_stored(cls, document, item_id=item_id, where=self.path)

    def _status(self, value: str) -> HandbookStatus:
        try:
            return HandbookStatus(value)
        except ValueError:
            raise StoreError(
                f"Trạng thái '{value}' không hợp lệ trong kho {self.path}",
                f"invalid status '{value}' in the store {self.path}",
            ) from None

    # --- writes ----------------------------------------------------------------------------

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""
        self.add_many([(handbook, event)])

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks in one transaction; returns how many. All or none.

        ``items`` is consumed in chunks of 1,000 inside the transaction, so a large import
        needs little memory; the store's write lock is held until it ends. The first chunk
        (a cell's handbooks, in a bulk open) is encoded before the lock is taken.

        Raises:
            ConflictError: an id exists already or repeats in ``items``; nothing is stored.
            ValidationFailed: an event does not record its handbook; nothing is stored.
        """
        chunks = (
            (
                chunk,
                [_handbook_row(h) for h, _ in chunk],
                [r for h, _ in chunk for r in _unit_rows(h)],
                [_event_row(e) for _, e in chunk],
            )
            for chunk in checked_chunks(items, self.path, size=_CHUNK)
        )
        first = next(chunks, None)
        count = 0
        with self._transaction() as conn:
            # One read per recorder, not per assessed handbook: a cell's are all signed by
            # its Bí thư. The roster does not change inside this transaction.
            member_in = functools.cache(self._member_in(conn))
            for chunk, handbook_rows, unit_rows, event_rows in itertools.chain(
                () if first is None else (first,), chunks
            ):
                ids = [handbook.id for handbook, _ in chunk]
                marks = ",".join("?" * len(ids))
                taken = conn.execute(f"SELECT id FROM handbooks WHERE id IN ({marks})", ids)
                existing = [str(i) for (i,) in taken.fetchall()]
                if existing:
                    raise duplicate_error(existing, self.path)
                for handbook, event in chunk:
                    check_signatures(handbook, event, member_in, added=True)
                conn.executemany(_INSERT_HANDBOOK, handbook_rows)
                conn.executemany(_INSERT_UNIT_LINK, unit_rows)
                conn.executemany(_INSERT_EVENT, event_rows)
                count += len(chunk)
            self._unsaved += count
        return count

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
        """Make several updates in one transaction, all or none; returns how many.

        Each entry is ``(handbook, event, expected_version)``, checked as :meth:`update`
        checks its arguments. The documents are encoded before the write lock is taken,
        so the lock is held for the writes alone (the bulk steps write a cell this way).

        Raises:
            NotFound, ConflictError, ValidationFailed: as :meth:`update`, for an entry
                refused; nothing of any entry is stored.
        """
        return self._update_many(entries)

    def _update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        prepared: list[tuple[Handbook, Event, int, tuple[Any, ...], tuple[str, int, bytes]]] = []
        for handbook, event, expected_version in entries:
            check_update(handbook, event, expected_version)
            prepared.append(
                (handbook, event, expected_version, _handbook_row(handbook), _event_row(event))
            )
        with self._transaction() as conn:
            if len(prepared) < 2 or not self._write_updates(conn, prepared):
                for handbook, event, expected_version, row, event_row in prepared:
                    self._write_update(conn, handbook, event, expected_version, row, event_row)
            self._unsaved += len(prepared)
        return len(prepared)

    def _write_updates(
        self,
        conn: sqlite3.Connection,
        prepared: Sequence[tuple[Handbook, Event, int, tuple[Any, ...], tuple[str, int, bytes]]],
    ) -> bool:
        """Lifecycle steps of several handbooks in a few statements (one per kind, not one
        per handbook); ``False``, with nothing written, unless each is a plain step of the
        version stored, of a different handbook: then :meth:`_write_update` takes them one
        by one (and names one stale, unknown, or whose member's copy changed)."""
        ids = [h.id for h, _, _, _, _ in prepared]
        if len(set(ids)) != len(ids):
            return False
        stored = {
            row[0]: row[1:]
            for row in _rows_of(
                conn,
                "SELECT id, version, member_id, cell_id, grassroots_id, year, member_name, "
                "member_sort, sort_key FROM handbooks WHERE id IN ({})",
                ids,
            )
        }
        for handbook, _, version, row, _ in prepared:
            if stored.get(handbook.id) != (version, *row[1:5], *row[7:10]):
                return False
        linked: dict[str, list[str]] = {i: [] for i in ids}
        for handbook_id, unit_id in _rows_of(
            conn, "SELECT handbook_id, unit_id FROM handbook_units WHERE handbook_id IN ({})", ids
        ):
            linked[handbook_id].append(unit_id)
        conn.executemany(
            f"UPDATE handbooks SET status = ?, version = ?, document = {_TEXT} WHERE id = ?",
            [(*row[5:7], row[10], h.id) for h, _, _, row, _ in prepared],
        )
        # Checked after the writes, inside the transaction: a refusal rolls them back.
        member_in = self._member_in(conn)
        same: list[tuple[int, str, str]] = []
        for handbook, event, _, _, _ in prepared:
            check_signatures(handbook, event, member_in, added=False)
            links = _unit_rows(handbook)
            if sorted(linked[handbook.id]) == sorted(u for u, *_ in links):
                same.append((handbook.year, handbook.status.value, handbook.id))
            else:
                conn.execute("DELETE FROM handbook_units WHERE handbook_id = ?", (handbook.id,))
                conn.executemany(_INSERT_UNIT_LINK, links)
        conn.executemany(_UPDATE_UNIT_LINKS, same)
        conn.executemany(_INSERT_EVENT, [e for _, _, _, _, e in prepared])
        return True

    def _write_update(
        self,
        conn: sqlite3.Connection,
        handbook: Handbook,
        event: Event,
        expected_version: int,
        row: tuple[Any, ...],
        event_row: tuple[str, int, bytes],
    ) -> None:
        """One update's statements, inside the open write transaction."""
        # A lifecycle step changes only the status, version and document: the narrow
        # statement leaves the indexes on the other columns untouched (SQLite rewrites
        # every index whose column is SET, whatever the value); when one of them did
        # change, the full statement runs.
        changed = conn.execute(
            _UPDATE_STEP,
            (*row[5:7], row[10], handbook.id, expected_version, *row[1:5], *row[7:10]),
        )
        if changed.rowcount == 0:
            changed = conn.execute(_UPDATE_HANDBOOK, (*row[1:], handbook.id, expected_version))
        if changed.rowcount == 0:
            found = conn.execute(
                "SELECT version FROM handbooks WHERE id = ?", (handbook.id,)
            ).fetchone()
            if found is None:
                raise not_found("handbook", handbook.id, self.path)
            raise stale_error(handbook.id, found[0], expected_version, self.path)
        # Checked after the write, inside the transaction: a refusal rolls it back.
        check_signatures(handbook, event, self._member_in(conn), added=False)
        links = _unit_rows(handbook)
        linked = conn.execute(_LINKED_UNITS, (handbook.id,)).fetchall()
        if sorted(u for (u,) in linked) == sorted(u for u, *_ in links):
            conn.execute(_UPDATE_UNIT_LINKS, (handbook.year, handbook.status.value, handbook.id))
        else:
            conn.execute("DELETE FROM handbook_units WHERE handbook_id = ?", (handbook.id,))
            conn.executemany(_INSERT_UNIT_LINK, links)
        conn.execute(_INSERT_EVENT, event_row)

    def save_roster(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace organisation units and members, in one transaction."""
        unit_rows = [(u.id, _json.encode_json_utf8(serde.to_dict(u))) for u in units]
        member_rows = [
            (
                m.id,
                m.cell_id,
                m.full_name,
                m.sort_key,
                roster_key(m.full_name, m.sort_key),
                _json.encode_json_utf8(serde.to_dict(m)),
            )
            for m in members
        ]
        with self._transaction() as conn:
            if self._members_read is not None:  # the roster changes: read it afresh
                self._members_read.clear()
            conn.executemany(
                f"INSERT OR REPLACE INTO units (id, document) VALUES (?, {_TEXT})", unit_rows
            )
            conn.executemany(
                "INSERT OR REPLACE INTO members (id, cell_id, full_name, sort_override, "
                f"sort_key, document) VALUES (?, ?, ?, ?, ?, {_TEXT})",
                member_rows,
            )

    # --- reads -----------------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""
        handbook_id = nfc(handbook_id)
        rows = self._read(
            f"SELECT {_DOCUMENT}, member_id, cell_id, status, version FROM handbooks WHERE id = ?",
            (handbook_id,),
        )
        if not rows:
            raise not_found("handbook", handbook_id, self.path)
        document, *columns = rows[0]
        found = self._load(Handbook, handbook_id, document)
        # The row's columns are what queries and steps go by: a document edited to name
        # another member would hand them the handbook (a step is taken on what get returns).
        held = (found.member.id, found.cell.id, found.status.value, found.version)
        if held != tuple(columns):
            names = ("member_id", "cell_id", "status", "version")
            wrong = ", ".join(
                f"{n} {a!r} ≠ {b!r}" for n, a, b in zip(names, held, columns, strict=True) if a != b
            )
            raise StoreError(
                f"Sổ tay '{handbook_id}' trong kho {self.path} bị hỏng: tài liệu khác với dòng "
                f"của nó ({wrong})",
                f"handbook '{handbook_id}' in the store {self.path} is damaged: its document "
                f"disagrees with its row ({wrong})",
            )
        return found

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query`` by (year, cell id, roster order, id)."""
        where, params = _where(normalise_query(query))
        rows = self._read(f"SELECT id, {_DOCUMENT} FROM handbooks WHERE {where} {_ORDER}", params)
        return [self._load(Handbook, i, doc) for i, doc in rows]

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query`, streaming documents in pages of 500 (for large exports).

        The matching ids are read in order when called; each page of documents is then read
        by its own statement, so no read stays open while the caller works, and a handbook
        updated meanwhile is seen as it is when its page is read.
        """
        return self._pages(self._ids(query))

    def iter_headings(self, query: HandbookQuery) -> Iterator[HandbookHeading]:
        """The headings of :meth:`iter_query`'s handbooks, in its order and pages, read from
        the columns and, for the cell's name, by SQLite's JSON functions: no handbook is
        decoded. A row whose heading cannot be read that way is read whole (and refused as
        :meth:`get` refuses it, if damaged)."""
        return self._heading_pages(self._ids(query))

    def _ids(self, query: HandbookQuery) -> _PackedIds:
        """The ids of ``query``'s handbooks, in order, read now."""
        where, params = _where(normalise_query(query))
        ids = _PackedIds()
        with self._lock:
            try:
                for (handbook_id,) in self._connection().execute(
                    f"SELECT id FROM handbooks WHERE {where} {_ORDER}", params
                ):
                    ids.append(handbook_id)
            except sqlite3.Error as exc:
                raise self._error(exc) from exc
        return ids

    def _page_rows(self, ids: _PackedIds, columns: str) -> Iterator[tuple[str, tuple[Any, ...]]]:
        """(id, its row of ``columns``) for each id, in order, one statement per page;
        an id deleted meanwhile is skipped."""
        for start in range(0, len(ids), _PAGE):
            page = ids.page(start, start + _PAGE)
            marks = ",".join("?" * len(page))
            rows = {
                row[0]: row[1:]
                for row in self._read(
                    f"SELECT id, {columns} FROM handbooks WHERE id IN ({marks})", page
                )
            }
            for handbook_id in page:
                if handbook_id in rows:
                    yield handbook_id, rows[handbook_id]

    def _pages(self, ids: _PackedIds) -> Iterator[Handbook]:
        for handbook_id, (document,) in self._page_rows(ids, _DOCUMENT):
            yield self._load(Handbook, handbook_id, document)

    def _heading_pages(self, ids: _PackedIds) -> Iterator[HandbookHeading]:
        # The last unit's index is counted, not written '[#-1]' (SQLite 3.31 and later).
        columns = (
            "version, year, CASE WHEN json_valid(document) THEN json_extract(document, "
            "'$.organisation[' || (json_array_length(document, '$.organisation') - 1) || "
            "'].name') END, member_name"
        )
        for handbook_id, row in self._page_rows(ids, columns):
            yield HandbookHeading.from_columns(handbook_id, *row, whole=self.get)

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""
        query = normalise_query(query)
        by_unit = query.cell_id is None and query.member_id is None
        if query.organisation_id is not None and by_unit:
            status = None if query.status is None else query.status.value
            where, params = _unit_where(query.organisation_id, query.year, status)
            table = "handbook_units"
        else:
            where, params = _where(query)
            table = "handbooks"
        rows = self._read(
            f"SELECT status, count(*) FROM {table} WHERE {where} GROUP BY status", params
        )
        counts = {self._status(status): n for status, n in rows}
        return {s: counts[s] for s in HandbookStatus if s in counts}

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""
        handbook_id = nfc(handbook_id)
        rows = self._read(
            f"SELECT {_DOCUMENT} FROM events WHERE handbook_id = ? ORDER BY seq", (handbook_id,)
        )
        if not rows and not self._read("SELECT 1 FROM handbooks WHERE id = ?", (handbook_id,)):
            raise not_found("handbook", handbook_id, self.path)
        return [self._load(Event, handbook_id, doc) for (doc,) in rows]

    def units(self) -> list[OrgUnit]:
        """Every organisation unit, sorted by id."""
        rows = self._read(f"SELECT id, {_DOCUMENT} FROM units ORDER BY id")
        return [self._load(OrgUnit, i, doc) for i, doc in rows]

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell, when given) by cell, roster order and id."""
        where, params = ("1", []) if cell_id is None else ("cell_id = ?", [nfc(cell_id)])
        rows = self._read(
            f"SELECT id, {_DOCUMENT} FROM members WHERE {where} ORDER BY cell_id, sort_key, id",
            params,
        )
        return [self._load(Member, i, doc) for i, doc in rows]

    def _member_in(self, conn: sqlite3.Connection) -> Callable[[str], Member | None]:
        """A roster lookup inside the open write transaction (for the contract's checks)."""

        def find(member_id: str) -> Member | None:
            seen = self._members_read
            if seen is not None and member_id in seen:
                return seen[member_id]
            row = conn.execute(
                f"SELECT {_DOCUMENT} FROM members WHERE id = ?", (member_id,)
            ).fetchone()
            found = None if row is None else self._load(Member, member_id, row[0])
            if seen is not None:
                seen[member_id] = found
            return found

        return find

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if there is none."""
        member_id = nfc(member_id)
        rows = self._read(f"SELECT {_DOCUMENT} FROM members WHERE id = ?", (member_id,))
        if not rows:
            raise not_found("member", member_id, self.path)
        return self._load(Member, member_id, rows[0][0])

    def unit(self, unit_id: str) -> OrgUnit:
        """One organisation unit; ``NotFound`` if there is none (optional Store method)."""
        unit_id = nfc(unit_id)
        rows = self._read(f"SELECT {_DOCUMENT} FROM units WHERE id = ?", (unit_id,))
        if not rows:
            raise not_found("unit", unit_id, self.path)
        return self._load(OrgUnit, unit_id, rows[0][0])

    def rating_tally(
        self, grassroots_id: str, year: int, *, excluding: str | None = None
    ) -> RatingTally:
        """The top-rating cap's running figures of one grassroots organisation and year,
        leaving out the handbook ``excluding`` (optional Store method, see
        :class:`~lamtheoguongbac.rules.aggregate.RatingTally`).

        Counted in SQL from the stored JSON, so no handbook is decoded: a step that checks
        the cap costs a scan of one organisation's rows, not of its documents in Python.
        """
        rows = self._read(_RATING_TALLY, (nfc(grassroots_id), year, excluding or ""))
        ratings: dict[RatingLevel, int] = {}
        pending = 0
        for status, rating, member_status, n in rows:
            if rating is not None:
                level = _enum(RatingLevel, rating, self.path)
                ratings[level] = ratings.get(level, 0) + n
            elif member_status is not None:
                standing = _enum(MemberStatus, member_status, self.path)
                pending += n * counts_as_pending(self._status(status), standing)
        return RatingTally(ratings=ratings, pending=pending)

    # --- exemplars ------------------------------------------------------------------------

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar; ``ConflictError`` if the id exists."""
        document = _json.encode_json_utf8(serde.to_dict(exemplar))
        with self._transaction() as conn:
            if conn.execute("SELECT 1 FROM exemplars WHERE id = ?", (exemplar.id,)).fetchone():
                raise exemplar_exists(exemplar.id, self.path)
            conn.execute(
                f"INSERT INTO exemplars (id, year, version, document) VALUES (?, ?, ?, {_TEXT})",
                (exemplar.id, exemplar.year, exemplar.version, document),
            )
            conn.executemany(_INSERT_EXEMPLAR_UNIT, _exemplar_unit_rows(exemplar))

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace an exemplar stored at ``expected_version``.

        Raises:
            NotFound: no exemplar has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_exemplar_update(exemplar, expected_version)
        document = _json.encode_json_utf8(serde.to_dict(exemplar))
        with self._transaction() as conn:
            changed = conn.execute(
                f"UPDATE exemplars SET year = ?, version = ?, document = {_TEXT} "
                "WHERE id = ? AND version = ?",
                (exemplar.year, exemplar.version, document, exemplar.id, expected_version),
            )
            if changed.rowcount == 0:
                found = conn.execute(
                    "SELECT version FROM exemplars WHERE id = ?", (exemplar.id,)
                ).fetchone()
                if found is None:
                    raise not_found("exemplar", exemplar.id, self.path)
                raise exemplar_stale(exemplar.id, found[0], expected_version, self.path)
            conn.execute("DELETE FROM exemplar_units WHERE exemplar_id = ?", (exemplar.id,))
            conn.executemany(_INSERT_EXEMPLAR_UNIT, _exemplar_unit_rows(exemplar))

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""
        exemplar_id = nfc(exemplar_id)
        rows = self._read(f"SELECT {_DOCUMENT} FROM exemplars WHERE id = ?", (exemplar_id,))
        if not rows:
            raise not_found("exemplar", exemplar_id, self.path)
        return self._load(Exemplar, exemplar_id, rows[0][0])

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id``, in the contract's order."""
        clauses: list[str] = []
        params: list[Any] = []
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if organisation_id is not None:
            clauses.append("id IN (SELECT exemplar_id FROM exemplar_units WHERE unit_id = ?)")
            params.append(nfc(organisation_id))
        where = " AND ".join(clauses) or "1"
        rows = self._read(f"SELECT id, {_DOCUMENT} FROM exemplars WHERE {where}", params)
        return sorted((self._load(Exemplar, i, doc) for i, doc in rows), key=exemplar_order)

    # --- inspections and the records' audit trail ---------------------------------------

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection; ``ConflictError`` if the id exists."""
        document = _json.encode_json_utf8(serde.to_dict(inspection))
        with self._transaction() as conn:
            found = conn.execute("SELECT 1 FROM inspections WHERE id = ?", (inspection.id,))
            if found.fetchone():
                raise inspection_exists(inspection.id, self.path)
            conn.execute(
                "INSERT INTO inspections (id, year, on_date, version, document) "
                f"VALUES (?, ?, ?, ?, {_TEXT})",
                (
                    inspection.id,
                    inspection.year,
                    inspection.on.isoformat(),
                    inspection.version,
                    document,
                ),
            )
            conn.executemany(
                _INSERT_INSPECTION_UNIT, [(u, inspection.id) for u in inspection.unit_ids()]
            )

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace an inspection stored at ``expected_version``.

        Raises:
            NotFound: no inspection has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_inspection_update(inspection, expected_version)
        document = _json.encode_json_utf8(serde.to_dict(inspection))
        with self._transaction() as conn:
            cursor = conn.execute(
                f"UPDATE inspections SET year = ?, on_date = ?, version = ?, document = {_TEXT} "
                "WHERE id = ? AND version = ?",
                (
                    inspection.year,
                    inspection.on.isoformat(),
                    inspection.version,
                    document,
                    inspection.id,
                    expected_version,
                ),
            )
            if cursor.rowcount == 0:
                found = conn.execute(
                    "SELECT version FROM inspections WHERE id = ?", (inspection.id,)
                ).fetchone()
                if found is None:
                    raise not_found("inspection", inspection.id, self.path)
                raise inspection_stale(inspection.id, found[0], expected_version, self.path)
            conn.execute("DELETE FROM inspection_units WHERE inspection_id = ?", (inspection.id,))
            conn.executemany(
                _INSERT_INSPECTION_UNIT, [(u, inspection.id) for u in inspection.unit_ids()]
            )

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""
        inspection_id = nfc(inspection_id)
        rows = self._read(f"SELECT {_DOCUMENT} FROM inspections WHERE id = ?", (inspection_id,))
        if not rows:
            raise not_found("inspection", inspection_id, self.path)
        return self._load(Inspection, inspection_id, rows[0][0])

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, in the
        contract's order."""
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if year is not None:
            clauses.append("year = ?")
            params.append(year)
        if organisation_id is not None:
            clauses.append("id IN (SELECT inspection_id FROM inspection_units WHERE unit_id = ?)")
            params.append(nfc(organisation_id))
        rows = self._read(
            f"SELECT id, {_DOCUMENT} FROM inspections WHERE {' AND '.join(clauses)}", params
        )
        found = (self._load(Inspection, i, doc) for i, doc in rows)
        return sorted(found, key=inspection_order)

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars, inspections and the roster."""
        self.append_record_events([event])

    def append_record_events(self, events: Iterable[RecordEvent]) -> None:
        """Append several events at once, in order, all or none (the service uses it for a
        roster save's trail: one statement for 60,000 members' entries, not one savepoint
        and insert each)."""
        rows = [
            (e.record_type.value, e.record_id, e.version, _json.encode_json_utf8(serde.to_dict(e)))
            for e in events
        ]
        if not rows:
            return  # nothing to write: no write lock taken
        with self._transaction() as conn:
            conn.executemany(
                "INSERT INTO record_events (record_type, record_id, version, document) "
                f"VALUES (?, ?, ?, {_TEXT})",
                rows,
            )

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""
        record_id = nfc(record_id)
        rows = self._read(
            f"SELECT {_DOCUMENT} FROM record_events WHERE record_type = ? AND record_id = ? "
            "ORDER BY seq",
            (record_type.value, record_id),
        )
        return [self._load(RecordEvent, record_id, doc) for (doc,) in rows]

    def close(self) -> None:
        """Close the file; further use raises ``StoreError``. Closing twice is harmless."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None and os.getpid() == self._pid:
                try:
                    conn.close()
                except sqlite3.Error as exc:
                    raise self._error(exc) from exc


E = TypeVar("E", RatingLevel, MemberStatus)


def _enum(cls: type[E], value: object, path: str) -> E:
    try:
        return cls(value)
    except ValueError:
        raise StoreError(
            f"Giá trị '{value}' không hợp lệ trong kho {path}",
            f"invalid value '{value}' in the store {path}",
        ) from None
