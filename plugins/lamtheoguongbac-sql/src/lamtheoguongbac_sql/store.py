"""The database-server store on SQLAlchemy Core (kho trên máy chủ cơ sở dữ liệu).

URL forms (the scheme picks this backend; the rest is SQLAlchemy's URL)::

    postgresql://user:password@db.example.vn:5432/so_tay        PostgreSQL through psycopg 3
    postgresql+psycopg://user@/so_tay?host=/run/postgresql      the same, on a Unix socket
    sqlalchemy+sqlite:///so-tay.db                              SQLite through SQLAlchemy

Query options read by the store (removed before the URL reaches the driver; everything else,
e.g. ``sslmode`` or ``connect_timeout``, goes to the driver): ``pool_size`` (default 5),
``max_overflow`` (10), ``pool_timeout`` (30 s), ``pool_recycle`` (1800 s), ``pool_pre_ping``
(true) and ``migrate`` (true; false refuses a database that is behind instead of migrating).

How the store keeps the contract:

* every write is one transaction (``BEGIN`` … ``COMMIT``, rolled back on any error);
  :meth:`SqlStore.transaction` holds one connection and transaction for the block in the
  calling thread, and the writes inside it run as savepoints, so a write that fails inside
  a block changes nothing and nested blocks undo only their own writes;
* updates are optimistic, enforced by the database: ``UPDATE … WHERE id = :id AND version =
  :expected`` and a row count of 0 means :class:`~lamtheoguongbac.ConflictError` (or
  ``NotFound``). Under PostgreSQL's READ COMMITTED a concurrent writer waits for the row
  lock and then re-checks the version, so of two writers of one version exactly one wins;
* events are append-only: triggers refuse ``UPDATE``/``DELETE`` (and ``TRUNCATE`` on
  PostgreSQL), and the primary key ``(handbook_id, version)`` refuses a second event for one
  version;
* one :class:`SqlStore` may be shared by the threads of a process (each thread checks its
  own connection out of the pool) and survives ``fork`` (a child drops the parent's pooled
  connections and opens its own); any number of processes and machines may open the same
  database.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import attrs
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.dialects import postgresql, sqlite

from lamtheoguongbac import (
    ConflictError,
    Event,
    Exemplar,
    Handbook,
    HandbookStatus,
    LamTheoGuongBacError,
    Member,
    OrgUnit,
    StoreError,
    serde,
)
from lamtheoguongbac.plugin import (
    HandbookHeading,
    HandbookQuery,
    Inspection,
    RecordEvent,
    RecordType,
    check_exemplar_update,
    check_inspection_update,
    check_signatures,
    check_update,
    checked_chunks,
    decode_json,
    duplicate_error,
    encode_json,
    exemplar_exists,
    exemplar_order,
    exemplar_stale,
    inspection_exists,
    inspection_order,
    inspection_stale,
    normalise_query,
    not_found,
    read_stored,
    roster_key,
    stale_error,
)
from lamtheoguongbac.text import nfc
from lamtheoguongbac_sql import migrations
from lamtheoguongbac_sql.schema import (
    events,
    exemplar_units,
    exemplars,
    handbook_units,
    handbooks,
    inspection_units,
    inspections,
    members,
    record_events,
    units,
)

__all__ = [
    "SCHEMES",
    "PoolSettings",
    "SqlStore",
    "create_engine",
    "engine_url",
]

T = TypeVar("T")

#: The URL schemes this backend registers.
SCHEMES = ("postgresql", "postgresql+psycopg", "sqlalchemy+sqlite")

#: How long a SQLite connection waits for another process's write (seconds).
SQLITE_WAIT = 30.0

_CHUNK = 1000  # handbooks checked and inserted per statement batch in add_many
_PAGE = 500  # documents fetched per statement by iter_query
_ORDER = (handbooks.c.year, handbooks.c.cell_id, handbooks.c.sort_key, handbooks.c.id)
# A handbook's document read as JSON text and parsed by ``_load``: on PostgreSQL this is
# faster than psycopg building the dicts from JSONB (measured in ``bench/bench_sql.py``'s
# development: about 0.4 ms of a 5 ms one-cell query), and the same on every dialect.
_DOCUMENT = sa.cast(handbooks.c.document, sa.UnicodeText).label("document")
# The name of a handbook's cell (the last unit of its organisation chain) as each dialect's
# JSON functions read it from the document, for ``iter_headings``; constants only.
_CELL_NAME: dict[str, Any] = {
    "postgresql": handbooks.c.document.op("->")(sa.literal_column("'organisation'"))
    .op("->")(sa.literal_column("-1"))
    .op("->>")(sa.literal_column("'name'")),
    "sqlite": sa.case(
        (
            sa.func.json_valid(handbooks.c.document) == 1,
            # the last unit's index counted, not written '[#-1]' (SQLite 3.31 and later)
            sa.func.json_extract(
                handbooks.c.document,
                sa.literal_column(
                    "'$.organisation[' || "
                    "(json_array_length(handbooks.document, '$.organisation') - 1) || '].name'"
                ),
            ),
        ),
        else_=None,
    ),
}

# Compact and readable: Vietnamese text is stored as UTF-8, not \u escapes.

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@attrs.frozen(kw_only=True)
class PoolSettings:
    """The connection pool of a store (bể kết nối); see ``docs/deploy-postgresql.md``.

    Each process holds up to ``size + max_overflow`` connections: ``size`` kept open between
    uses, ``max_overflow`` more opened under load and closed when returned. A thread that
    finds all in use waits ``timeout`` seconds, then gets ``StoreError``. Connections older
    than ``recycle`` seconds are replaced (firewalls and PgBouncer drop idle ones), and with
    ``pre_ping`` each is tested when checked out, so a restarted server costs no request.
    """

    size: int = attrs.field(default=5, validator=attrs.validators.ge(1))
    max_overflow: int = attrs.field(default=10, validator=attrs.validators.ge(0))
    timeout: float = attrs.field(default=30.0, validator=attrs.validators.gt(0))
    recycle: int = attrs.field(default=1800, validator=attrs.validators.ge(-1))
    pre_ping: bool = True


def _bad_url(url: str, vi: str, en: str) -> StoreError:
    return StoreError(
        f"Địa chỉ kho '{_mask(url)}' không hợp lệ: {vi}",
        f"invalid store URL '{_mask(url)}': {en}",
    )


def _mask(url: str) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL has no password field to hide
        return url.split("@")[-1] if "@" in url else url


def _flag(url: str, name: str, value: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _bad_url(
        url, f"{name}={value} phải là true hoặc false", f"{name}={value} must be true or false"
    )


def _number(url: str, name: str, value: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise _bad_url(
            url, f"{name}={value} phải là một số", f"{name}={value} must be a number"
        ) from None


def engine_url(url: str) -> tuple[sa.URL, PoolSettings, bool]:
    """The SQLAlchemy URL, pool settings and ``migrate`` flag of a store URL.

    Raises:
        StoreError: the scheme is not one of :data:`SCHEMES` or an option is invalid.
    """
    scheme = url.split(":", 1)[0]
    if scheme not in SCHEMES or "://" not in url:
        raise _bad_url(
            url,
            "dùng postgresql://người-dùng@máy-chủ/cơ-sở-dữ-liệu hoặc sqlalchemy+sqlite:///tệp.db",
            "use postgresql://user@host/database or sqlalchemy+sqlite:///file.db",
        )
    rest = url[len(scheme) :]
    driver = "sqlite" if scheme == "sqlalchemy+sqlite" else "postgresql+psycopg"
    try:
        parsed = sa.make_url(driver + rest)
    except sa.exc.ArgumentError as exc:
        raise _bad_url(url, str(exc), str(exc)) from exc
    query = dict(parsed.query)

    def option(name: str) -> str | None:
        value = query.pop(name, None)
        return value if value is None or isinstance(value, str) else value[-1]

    options: dict[str, Any] = {}
    for name, field, kind in (
        ("pool_size", "size", int),
        ("max_overflow", "max_overflow", int),
        ("pool_timeout", "timeout", float),
        ("pool_recycle", "recycle", int),
    ):
        if (value := option(name)) is not None:
            options[field] = _number(url, name, value, kind)
    if (value := option("pool_pre_ping")) is not None:
        options["pre_ping"] = _flag(url, "pool_pre_ping", value)
    migrate = True
    if (value := option("migrate")) is not None:
        migrate = _flag(url, "migrate", value)
    try:
        pool = PoolSettings(**options)
    except ValueError as exc:
        raise _bad_url(
            url, f"thiết lập bể kết nối sai ({exc})", f"bad pool setting ({exc})"
        ) from exc
    parsed = parsed.set(query=query)
    if driver == "sqlite":
        database = urllib.parse.unquote(parsed.database or "")
        if not database or database == ":memory:" or database.startswith("file:"):
            raise _bad_url(
                url,
                "cần đường dẫn tệp: sqlalchemy+sqlite:///tương/đối.db hoặc "
                "sqlalchemy+sqlite:////tuyệt/đối.db (kho tạm trong bộ nhớ: memory:)",
                "a file path is needed: sqlalchemy+sqlite:///relative.db or "
                "sqlalchemy+sqlite:////absolute.db (for a store in memory: memory:)",
            )
        folder = os.path.dirname(os.path.abspath(database))
        if not os.path.isdir(folder):
            raise StoreError(
                f"Không tạo được kho {database}: thư mục {folder} không tồn tại",
                f"cannot create the store {database}: the folder {folder} does not exist",
            )
        parsed = parsed.set(database=database)
    return parsed, pool, migrate


def create_engine(url: str | sa.URL, pool: PoolSettings | None = None) -> sa.Engine:
    """A SQLAlchemy engine set up as the store needs it.

    ``url`` is a store URL (``postgresql://…``, ``sqlalchemy+sqlite:///…``) or a SQLAlchemy
    URL of any dialect. On SQLite, write transactions start with ``BEGIN IMMEDIATE`` (so
    two writers queue instead of failing to upgrade a read lock) and wait up to 30 s for
    another process's write; :class:`SqlStore` puts a file it has checked into WAL mode.
    """
    if isinstance(url, str) and url.split(":", 1)[0] in SCHEMES:
        url, found, _ = engine_url(url)
        pool = pool or found
    pool = pool or PoolSettings()
    target = sa.make_url(url)
    kwargs: dict[str, Any] = {
        "pool_size": pool.size,
        "max_overflow": pool.max_overflow,
        "pool_timeout": pool.timeout,
        "pool_recycle": pool.recycle,
        "pool_pre_ping": pool.pre_ping,
        "json_serializer": encode_json,  # the library's codec: orjson, as its SQLite store
        "json_deserializer": decode_json,
    }
    if target.get_backend_name() == "postgresql" and "application_name" not in target.query:
        kwargs["connect_args"] = {"application_name": "lamtheoguongbac"}
    if target.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_WAIT, "check_same_thread": False}
        kwargs["poolclass"] = sa.pool.QueuePool
    engine = sa.create_engine(target, **kwargs)
    if engine.dialect.name == "sqlite":
        _setup_sqlite(engine)
    return engine


def _setup_sqlite(engine: sa.Engine) -> None:
    # pysqlite's own transaction handling starts transactions lazily and never as
    # IMMEDIATE; take it over (SQLAlchemy's documented recipe) and begin writes IMMEDIATE.
    @sa_event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in ("synchronous = NORMAL", "foreign_keys = ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def _begin(connection: sa.Connection) -> None:
        if not connection.get_execution_options().get("ltgb_read"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _switch_to_wal(connection: sa.Connection, *, patience: float = SQLITE_WAIT) -> None:
    # Changing the journal mode needs the file to itself, and SQLite answers "database is
    # locked" at once, without its busy wait, while another process that opened the new
    # file at the same moment still reads it in the old mode: wait for it here instead.
    deadline = time.monotonic() + patience
    pause = 0.005
    while True:
        try:
            connection.exec_driver_sql("PRAGMA journal_mode = WAL")
            return
        except sa.exc.OperationalError as exc:
            locked = "locked" in str(exc.orig) or "busy" in str(exc.orig)
            if not locked or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


class _Block(threading.local):
    """The calling thread's open :meth:`SqlStore.transaction` block, if any."""

    connection: sa.Connection | None = None


def _handbook_row(handbook: Handbook) -> dict[str, Any]:
    member = handbook.member
    return {
        "id": handbook.id,
        "member_id": member.id,
        "cell_id": handbook.cell.id,
        "grassroots_id": handbook.grassroots.id,
        "year": handbook.year,
        "status": handbook.status.value,
        "version": handbook.version,
        "member_name": member.full_name,
        "member_sort": member.sort_key,
        "sort_key": roster_key(member.full_name, member.sort_key),
        "document": serde.to_dict(handbook),
    }


def _event_row(event: Event) -> dict[str, Any]:
    return {
        "handbook_id": event.handbook_id,
        "version": event.version,
        "document": serde.to_dict(event),
    }


def _unit_rows(handbook: Handbook) -> list[dict[str, Any]]:
    # A chain may name a unit twice (A → B → A is a valid chain); link it once.
    return [
        {
            "unit_id": unit_id,
            "handbook_id": handbook.id,
            "year": handbook.year,
            "status": handbook.status.value,
        }
        for unit_id in dict.fromkeys(u.id for u in handbook.organisation)
    ]


def _exemplar_unit_rows(exemplar: Exemplar) -> list[dict[str, Any]]:
    return [
        {"unit_id": unit_id, "exemplar_id": exemplar.id}
        for unit_id in dict.fromkeys(u.id for u in exemplar.organisation)
    ]


def _parameters(query: HandbookQuery) -> dict[str, Any]:
    """The bound values of a normalised ``query``: one per criterion it sets."""
    values = {
        "organisation_id": query.organisation_id,
        "cell_id": query.cell_id,
        "year": query.year,
        "status": None if query.status is None else query.status.value,
        "member_id": query.member_id,
    }
    return {name: value for name, value in values.items() if value is not None}


def _unit_conditions(criteria: frozenset[str]) -> list[sa.ColumnElement[bool]]:
    u = handbook_units.c
    conditions = [u.unit_id == sa.bindparam("organisation_id")]
    conditions += [u[name] == sa.bindparam(name) for name in ("year", "status") if name in criteria]
    return conditions


def _conditions(criteria: frozenset[str]) -> list[sa.ColumnElement[bool]]:
    """The conditions on ``handbooks`` of a query setting ``criteria`` (bound by name)."""
    h = handbooks.c
    conditions: list[sa.ColumnElement[bool]] = []
    if "organisation_id" in criteria:
        inner = _unit_conditions(criteria)
        if "cell_id" not in criteria and "member_id" not in criteria:
            conditions.append(h.id.in_(sa.select(handbook_units.c.handbook_id).where(*inner)))
        else:  # a cell or member is the narrower start: probe the subtree per row
            conditions.append(sa.exists().where(*inner, handbook_units.c.handbook_id == h.id))
    else:
        conditions += [
            h[name] == sa.bindparam(name) for name in ("year", "status") if name in criteria
        ]
    conditions += [
        h[name] == sa.bindparam(name) for name in ("cell_id", "member_id") if name in criteria
    ]
    return conditions


# A query's statement is built once per shape (which criteria it sets), not per call: a
# one-cell query is a few milliseconds, and building and hashing a new statement each time
# was a tenth of it. SQLAlchemy then finds the SQL in its compiled cache.
@functools.cache
def _select(what: str, criteria: frozenset[str]) -> sa.Select[Any]:
    if what == "count":
        if "organisation_id" in criteria and not {"cell_id", "member_id"} & criteria:
            # The subtree's rows repeat year and status: the count never reads handbooks.
            u = handbook_units.c
            return (
                sa.select(u.status, sa.func.count())
                .where(*_unit_conditions(criteria))
                .group_by(u.status)
            )
        h = handbooks.c
        return sa.select(h.status, sa.func.count()).where(*_conditions(criteria)).group_by(h.status)
    columns = [handbooks.c.id] if what == "ids" else [handbooks.c.id, _DOCUMENT]
    return sa.select(*columns).where(*_conditions(criteria)).order_by(*_ORDER)


def _shape(query: HandbookQuery) -> tuple[frozenset[str], dict[str, Any]]:
    parameters = _parameters(normalise_query(query))
    return frozenset(parameters), parameters


# SQLSTATEs after which retrying the write is the remedy: serialization failure, deadlock.
_RETRY_STATES = {"40001", "40P01"}


class SqlStore:
    """A store in a database server (or SQLite) through SQLAlchemy Core.

    Args:
        url: a store URL (see the module docstring), or a ready SQLAlchemy ``Engine`` of any
            dialect (the store then neither changes its settings nor disposes it on close).
        pool: pool settings (default: those in the URL, else :class:`PoolSettings`).
        migrate: bring a database that is behind to the current schema (default: the URL's
            ``migrate`` option, else true).

    Raises:
        StoreError: the URL is invalid, the server unreachable, or the database not a store
            this release can open (not ours, or newer); the database is left untouched.
    """

    def __init__(
        self,
        url: str | sa.Engine,
        *,
        pool: PoolSettings | None = None,
        migrate: bool | None = None,
    ) -> None:
        if isinstance(url, sa.Engine):
            self._engine = url
            self._owns_engine = False
            rendered = url.url.render_as_string(hide_password=False)
            # A SQLite engine's URL must reopen this backend, not the built-in sqlite: one.
            sqlite_url = url.dialect.name == "sqlite" and rendered.startswith("sqlite:")
            self.url = "sqlalchemy+" + rendered if sqlite_url else rendered
            wanted = True
            #: The pool settings the store created its engine with (``None``: handed in).
            self.pool: PoolSettings | None = None
        else:
            sa_url, found, wanted = engine_url(url)
            self.pool = pool or found
            self._engine = create_engine(sa_url, self.pool)
            self._owns_engine = True
            self.url = url
        self._where = _mask(self.url)
        self._closed = False
        self._pid = os.getpid()
        self._block = _Block()
        self._lock = threading.Lock()
        dialect = self._engine.dialect.name
        self.dialect = dialect
        self._reader = (
            self._engine.execution_options(ltgb_read=True)
            if dialect == "sqlite"
            else self._engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        try:
            self._open(wanted if migrate is None else migrate)
        except BaseException:
            if self._owns_engine:
                self._engine.dispose()
            raise

    def _open(self, migrate: bool) -> None:
        try:
            with self._reader.connect() as connection:
                ready = migrations.ready(connection)  # the usual case takes no lock
            if not ready:
                with self._engine.begin() as connection:
                    migrations.prepare(connection, self._where, migrate=migrate)
            if self.dialect == "sqlite":
                # Only now that the file is known to be ours: WAL lets readers and a writer
                # work at once (it is a property of the file, kept once set).
                with self._reader.connect() as connection:
                    _switch_to_wal(connection)
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @classmethod
    def from_url(cls, url: str) -> SqlStore:
        """Open the store at a ``postgresql://…`` or ``sqlalchemy+sqlite:///…`` URL."""
        return cls(url)

    @property
    def engine(self) -> sa.Engine:
        """The SQLAlchemy engine (for monitoring the pool, or running reports in SQL)."""
        return self._engine

    def __repr__(self) -> str:
        return f"SqlStore({self._where!r})"

    def __enter__(self) -> SqlStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- plumbing --------------------------------------------------------------------------

    def _error(self, exc: sa.exc.SQLAlchemyError) -> LamTheoGuongBacError:
        original = getattr(exc, "orig", None)
        text = str(original or exc).strip().splitlines()[0] if str(original or exc) else ""
        state = getattr(original, "sqlstate", None)
        if isinstance(exc, sa.exc.IntegrityError) or state in _RETRY_STATES:
            return ConflictError(
                f"Ghi vào kho {self._where} xung đột với một lần ghi khác cùng lúc ({text}); "
                "không ghi gì — hãy đọc lại và thử lại",
                f"a write to the store {self._where} clashed with another one made at the same "
                f"time ({text}); nothing was written — read again and retry",
            )
        if isinstance(exc, sa.exc.TimeoutError):
            return StoreError(
                f"Kho {self._where}: mọi kết nối trong bể đang bận quá lâu ({text}); hãy tăng "
                "pool_size/max_overflow hoặc thử lại sau",
                f"the store {self._where}: every pooled connection stayed busy too long ({text}); "
                "raise pool_size/max_overflow or try again later",
            )
        if isinstance(exc, sa.exc.DBAPIError) and (
            exc.connection_invalidated or isinstance(exc, sa.exc.OperationalError)
        ):
            return StoreError(
                f"Không làm việc được với máy chủ cơ sở dữ liệu của kho {self._where}: {text}",
                f"cannot work with the database server of the store {self._where}: {text}",
            )
        return StoreError(
            f"Lỗi kho dữ liệu {self._where}: {text}", f"store error in {self._where}: {text}"
        )

    def _live(self) -> None:
        if self._closed:
            raise StoreError(
                f"Kho {self._where} đã đóng, không dùng được nữa",
                f"the store {self._where} is closed",
            )
        pid = os.getpid()
        if pid != self._pid:
            with self._lock:
                if pid != self._pid:
                    # A forked child must not use the parent's sockets: forget them (without
                    # closing them under the parent) and open its own.
                    self._engine.dispose(close=False)
                    self._block = _Block()
                    self._pid = pid

    @contextlib.contextmanager
    def _read(self) -> Iterator[sa.Connection]:
        self._live()
        try:
            block = self._block.connection
            if block is not None:
                yield block
            else:
                with self._reader.connect() as connection:
                    yield connection
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @contextlib.contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        """One transaction, or a savepoint of the thread's open :meth:`transaction` block."""
        self._live()
        try:
            block = self._block.connection
            if block is not None:
                with block.begin_nested():
                    yield block
            else:
                with self._engine.begin() as connection:
                    yield connection
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from exc

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Writes inside the block commit together at its end, or not at all.

        The block holds one pooled connection and one database transaction in the calling
        thread; the writes made in it are savepoints of that transaction, and reads in it
        see them. Rows it writes stay locked until it ends (another writer of the same
        handbook waits, then gets ``ConflictError``). Nested blocks are savepoints: an inner
        block that fails undoes only its own writes. Other threads are not part of the block.
        """
        self._live()
        block = self._block
        if block.connection is not None:
            try:
                savepoint = block.connection.begin_nested()
            except sa.exc.SQLAlchemyError as exc:
                raise self._error(exc) from exc
            try:
                yield
            except BaseException:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    savepoint.rollback()
                raise
            try:
                savepoint.commit()
            except sa.exc.SQLAlchemyError as exc:
                raise self._error(exc) from exc
            return
        try:
            connection = self._engine.connect()
            outer = connection.begin()
        except sa.exc.SQLAlchemyError as exc:
            raise self._error(exc) from exc
        block.connection = connection
        try:
            try:
                yield
            except BaseException:
                with contextlib.suppress(sa.exc.SQLAlchemyError):
                    outer.rollback()
                raise
            try:
                outer.commit()
            except sa.exc.SQLAlchemyError as exc:
                raise self._error(exc) from exc
        finally:
            block.connection = None
            with contextlib.suppress(sa.exc.SQLAlchemyError):
                connection.close()

    def _load(self, cls: type[T], item_id: str, document: Any) -> T:
        return read_stored(cls, document, item_id=item_id, where=self._where)

    def _status(self, value: str) -> HandbookStatus:
        try:
            return HandbookStatus(value)
        except ValueError:
            raise StoreError(
                f"Trạng thái '{value}' không hợp lệ trong kho {self._where}",
                f"invalid status '{value}' in the store {self._where}",
            ) from None

    def _upsert(
        self, connection: sa.Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """Insert ``rows`` or replace those whose ``id`` exists, race-free where the
        dialect has ``ON CONFLICT`` (PostgreSQL, SQLite), else update-then-insert."""
        if not rows:
            return
        name = connection.dialect.name
        if name in ("postgresql", "sqlite"):
            insert = postgresql.insert(table) if name == "postgresql" else sqlite.insert(table)
            changed = {c.name: insert.excluded[c.name] for c in table.c if c.name != "id"}
            connection.execute(
                insert.on_conflict_do_update(index_elements=[table.c.id], set_=changed), rows
            )
            return
        for row in rows:
            values = {k: v for k, v in row.items() if k != "id"}
            done = connection.execute(
                sa.update(table).where(table.c.id == row["id"]).values(**values)
            )
            if done.rowcount == 0:
                connection.execute(sa.insert(table).values(**row))

    # --- writes ----------------------------------------------------------------------------

    def add(self, handbook: Handbook, event: Event) -> None:
        """Store a new handbook with its first event; ``ConflictError`` if the id exists."""
        self.add_many([(handbook, event)])

    def add_many(self, items: Iterable[tuple[Handbook, Event]]) -> int:
        """Store many new handbooks in one transaction; returns how many. All or none.

        ``items`` is consumed in chunks of 1,000 inside the transaction, so a large import
        needs little memory.

        Raises:
            ConflictError: an id exists already or repeats in ``items``; nothing is stored.
            ValidationFailed: an event does not record its handbook; nothing is stored.
        """
        count = 0
        with self._write() as connection:
            for chunk in checked_chunks(items, self._where, size=_CHUNK):
                ids = [handbook.id for handbook, _ in chunk]
                taken = connection.execute(
                    sa.select(handbooks.c.id).where(handbooks.c.id.in_(ids))
                ).scalars()
                existing = sorted(str(i) for i in taken)
                if existing:
                    raise duplicate_error(existing, self._where)
                roster = self._recorders(connection, chunk)
                for handbook, event in chunk:  # who acts is who signs (LTGB-G004…G006)
                    check_signatures(handbook, event, roster, added=True)
                connection.execute(handbooks.insert(), [_handbook_row(h) for h, _ in chunk])
                connection.execute(
                    handbook_units.insert(), [r for h, _ in chunk for r in _unit_rows(h)]
                )
                connection.execute(events.insert(), [_event_row(e) for _, e in chunk])
                count += len(chunk)
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
        checks its arguments. The documents are encoded before the transaction begins, and
        the unit links and events of all the entries are written in one statement each
        (the bulk steps write a cell this way: a few round trips, not a few per member).

        Raises:
            NotFound, ConflictError, ValidationFailed: as :meth:`update`, for an entry
                refused; nothing of any entry is stored.
        """
        return self._update_many(entries)

    def _update_many(self, entries: Iterable[tuple[Handbook, Event, int]]) -> int:
        prepared: list[tuple[Handbook, Event, int, dict[str, Any]]] = []
        for handbook, event, expected_version in entries:
            check_update(handbook, event, expected_version)
            row = _handbook_row(handbook)
            del row["id"]
            prepared.append((handbook, event, expected_version, row))
        if not prepared:
            return 0
        links = {h.id: _unit_rows(h) for h, _, _, _ in prepared}  # the last version's
        event_rows = [_event_row(e) for _, e, _, _ in prepared]
        with self._write() as connection:
            # one read per recorder: a cell's assessments are all signed by its Bí thư
            member_in = functools.cache(self._member_in(connection))
            for handbook, event, expected_version, row in prepared:
                changed = connection.execute(
                    sa.update(handbooks)
                    .where(handbooks.c.id == handbook.id, handbooks.c.version == expected_version)
                    .values(**row)
                )
                if changed.rowcount == 0:
                    found = connection.execute(
                        sa.select(handbooks.c.version).where(handbooks.c.id == handbook.id)
                    ).first()
                    if found is None:
                        raise not_found("handbook", handbook.id, self._where)
                    raise stale_error(handbook.id, found[0], expected_version, self._where)
                # Checked inside the transaction: a refusal rolls the updates back.
                check_signatures(handbook, event, member_in, added=False)
            connection.execute(
                sa.delete(handbook_units).where(handbook_units.c.handbook_id.in_(list(links)))
            )
            connection.execute(
                handbook_units.insert(), [r for rows in links.values() for r in rows]
            )
            connection.execute(events.insert(), event_rows)
        return len(prepared)

    def save_roster(self, units_: Sequence[OrgUnit], members_: Sequence[Member]) -> None:
        """Insert or replace organisation units and members, in one transaction."""
        unit_rows = [{"id": u.id, "document": serde.to_dict(u)} for u in units_]
        member_rows = [
            {
                "id": m.id,
                "cell_id": m.cell_id,
                "full_name": m.full_name,
                "sort_override": m.sort_key,
                "sort_key": roster_key(m.full_name, m.sort_key),
                "document": serde.to_dict(m),
            }
            for m in members_
        ]
        with self._write() as connection:
            self._upsert(connection, units, unit_rows)
            self._upsert(connection, members, member_rows)

    # --- reads -----------------------------------------------------------------------------

    def get(self, handbook_id: str) -> Handbook:
        """The handbook with this id; ``NotFound`` if there is none."""
        handbook_id = nfc(handbook_id)
        with self._read() as connection:
            row = connection.execute(
                sa.select(_DOCUMENT).where(handbooks.c.id == handbook_id)
            ).first()
        if row is None:
            raise not_found("handbook", handbook_id, self._where)
        return self._load(Handbook, handbook_id, row[0])

    def query(self, query: HandbookQuery) -> list[Handbook]:
        """The handbooks matching ``query`` by (year, cell id, roster order, id)."""
        criteria, parameters = _shape(query)
        with self._read() as connection:
            rows = connection.execute(_select("documents", criteria), parameters).all()
        return [self._load(Handbook, i, doc) for i, doc in rows]

    def iter_query(self, query: HandbookQuery) -> Iterator[Handbook]:
        """Like :meth:`query`, streaming documents in pages of 500 (for large exports).

        The matching ids are read in order when called; each page of documents is then read
        by its own statement, so no connection stays checked out while the caller works,
        and a handbook updated meanwhile is seen as it is when its page is read.
        """
        criteria, parameters = _shape(query)
        with self._read() as connection:
            found = connection.execute(_select("ids", criteria), parameters).scalars()
            ids = [str(i) for i in found]
        return self._pages(ids)

    def iter_headings(self, query: HandbookQuery) -> Iterator[HandbookHeading]:
        """The headings of :meth:`iter_query`'s handbooks, in its order and pages, read from
        the columns and, for the cell's name, by the database's JSON functions: no handbook
        is decoded (an export's listing). A row whose heading cannot be read that way is
        read whole (and refused as :meth:`get` refuses it, if damaged); on a dialect
        without known JSON functions every handbook is."""
        criteria, parameters = _shape(query)
        with self._read() as connection:
            found = connection.execute(_select("ids", criteria), parameters).scalars()
            ids = [str(i) for i in found]
        return self._heading_pages(ids)

    def _heading_pages(self, ids: list[str]) -> Iterator[HandbookHeading]:
        cell_name = _CELL_NAME.get(self.dialect, sa.null())
        columns = (handbooks.c.version, handbooks.c.year, cell_name, handbooks.c.member_name)
        for start in range(0, len(ids), _PAGE):
            page = ids[start : start + _PAGE]
            with self._read() as connection:
                rows = connection.execute(
                    sa.select(handbooks.c.id, *columns).where(handbooks.c.id.in_(page))
                ).all()
            found = {str(row[0]): tuple(row[1:]) for row in rows}
            for handbook_id in page:
                yield HandbookHeading.from_columns(handbook_id, *found[handbook_id], whole=self.get)

    def _pages(self, ids: list[str]) -> Iterator[Handbook]:
        """The handbooks of ``ids``, in order, one statement per page; an id deleted since
        it was listed is skipped (as the built-in SQLite store does)."""
        for start in range(0, len(ids), _PAGE):
            page = ids[start : start + _PAGE]
            with self._read() as connection:
                rows = connection.execute(
                    sa.select(handbooks.c.id, _DOCUMENT).where(handbooks.c.id.in_(page))
                ).all()
            documents = {str(i): doc for i, doc in rows}
            for handbook_id in page:
                if handbook_id in documents:
                    yield self._load(Handbook, handbook_id, documents[handbook_id])

    def count_by_status(self, query: HandbookQuery) -> dict[HandbookStatus, int]:
        """How many handbooks match ``query``, per status (statuses with none omitted)."""
        criteria, parameters = _shape(query)
        with self._read() as connection:
            rows = connection.execute(_select("count", criteria), parameters).all()
        counts = {self._status(status): int(n) for status, n in rows}
        return {s: counts[s] for s in HandbookStatus if s in counts}

    def events(self, handbook_id: str) -> list[Event]:
        """The handbook's audit trail, oldest first; ``NotFound`` for an unknown id."""
        handbook_id = nfc(handbook_id)
        with self._read() as connection:
            rows = connection.execute(
                sa.select(events.c.document)
                .where(events.c.handbook_id == handbook_id)
                .order_by(events.c.version)
            ).all()
            known = (
                bool(rows)
                or connection.execute(
                    sa.select(handbooks.c.id).where(handbooks.c.id == handbook_id)
                ).first()
                is not None
            )
        if not known:
            raise not_found("handbook", handbook_id, self._where)
        return [self._load(Event, handbook_id, doc) for (doc,) in rows]

    def units(self) -> list[OrgUnit]:
        """Every organisation unit, sorted by id."""
        with self._read() as connection:
            rows = connection.execute(
                sa.select(units.c.id, units.c.document).order_by(units.c.id)
            ).all()
        return [self._load(OrgUnit, i, doc) for i, doc in rows]

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell, when given) by cell, roster order and id."""
        statement = sa.select(members.c.id, members.c.document).order_by(
            members.c.cell_id, members.c.sort_key, members.c.id
        )
        if cell_id is not None:
            statement = statement.where(members.c.cell_id == nfc(cell_id))
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return [self._load(Member, i, doc) for i, doc in rows]

    def _member_in(self, connection: sa.Connection) -> Callable[[str], Member | None]:
        """A roster lookup inside the open write transaction (the contract's checks)."""

        def find(member_id: str) -> Member | None:
            row = connection.execute(
                sa.select(members.c.document).where(members.c.id == member_id)
            ).first()
            return None if row is None else self._load(Member, member_id, row[0])

        return find

    def _recorders(
        self, connection: sa.Connection, chunk: Sequence[tuple[Handbook, Event]]
    ) -> Callable[[str], Member | None]:
        """The roster entries of the chunk's assessment recorders, read in one statement: a
        lookup per handbook would cost ``add_many`` a round trip per assessed handbook."""
        wanted = {
            h.collective_assessment.recorded_by
            for h, _ in chunk
            if h.collective_assessment is not None
        }
        found: dict[str, Member] = {}
        if wanted:
            rows = connection.execute(
                sa.select(members.c.id, members.c.document).where(members.c.id.in_(sorted(wanted)))
            ).all()
            found = {str(i): self._load(Member, i, doc) for i, doc in rows}
        return found.get

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if there is none."""
        member_id = nfc(member_id)
        with self._read() as connection:
            row = connection.execute(
                sa.select(members.c.document).where(members.c.id == member_id)
            ).first()
        if row is None:
            raise not_found("member", member_id, self._where)
        return self._load(Member, member_id, row[0])

    # --- exemplars ------------------------------------------------------------------------

    def add_exemplar(self, exemplar: Exemplar) -> None:
        """Store a new exemplar; ``ConflictError`` if the id exists."""
        document = serde.to_dict(exemplar)
        with self._write() as connection:
            taken = connection.execute(
                sa.select(exemplars.c.id).where(exemplars.c.id == exemplar.id)
            ).first()
            if taken is not None:
                raise exemplar_exists(exemplar.id, self._where)
            connection.execute(
                exemplars.insert().values(
                    id=exemplar.id, year=exemplar.year, version=exemplar.version, document=document
                )
            )
            connection.execute(exemplar_units.insert(), _exemplar_unit_rows(exemplar))

    def update_exemplar(self, exemplar: Exemplar, *, expected_version: int) -> None:
        """Replace an exemplar stored at ``expected_version``.

        Raises:
            NotFound: no exemplar has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_exemplar_update(exemplar, expected_version)
        document = serde.to_dict(exemplar)
        with self._write() as connection:
            changed = connection.execute(
                sa.update(exemplars)
                .where(exemplars.c.id == exemplar.id, exemplars.c.version == expected_version)
                .values(year=exemplar.year, version=exemplar.version, document=document)
            )
            if changed.rowcount == 0:
                found = connection.execute(
                    sa.select(exemplars.c.version).where(exemplars.c.id == exemplar.id)
                ).first()
                if found is None:
                    raise not_found("exemplar", exemplar.id, self._where)
                raise exemplar_stale(exemplar.id, found[0], expected_version, self._where)
            connection.execute(
                sa.delete(exemplar_units).where(exemplar_units.c.exemplar_id == exemplar.id)
            )
            connection.execute(exemplar_units.insert(), _exemplar_unit_rows(exemplar))

    def get_exemplar(self, exemplar_id: str) -> Exemplar:
        """The exemplar with this id; ``NotFound`` if there is none."""
        exemplar_id = nfc(exemplar_id)
        with self._read() as connection:
            row = connection.execute(
                sa.select(exemplars.c.document).where(exemplars.c.id == exemplar_id)
            ).first()
        if row is None:
            raise not_found("exemplar", exemplar_id, self._where)
        return self._load(Exemplar, exemplar_id, row[0])

    def exemplars(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Exemplar]:
        """The exemplars of ``year`` under ``organisation_id``, in the contract's order."""
        statement = sa.select(exemplars.c.id, exemplars.c.document)
        if year is not None:
            statement = statement.where(exemplars.c.year == year)
        if organisation_id is not None:
            statement = statement.where(
                exemplars.c.id.in_(
                    sa.select(exemplar_units.c.exemplar_id).where(
                        exemplar_units.c.unit_id == nfc(organisation_id)
                    )
                )
            )
        with self._read() as connection:
            rows = connection.execute(statement).all()
        return sorted((self._load(Exemplar, i, doc) for i, doc in rows), key=exemplar_order)

    # --- inspections and the records' audit trail ---------------------------------------

    def add_inspection(self, inspection: Inspection) -> None:
        """Store a new inspection; ``ConflictError`` if the id exists."""
        document = serde.to_dict(inspection)
        with self._write() as connection:
            taken = connection.execute(
                sa.select(inspections.c.id).where(inspections.c.id == inspection.id)
            ).first()
            if taken is not None:
                raise inspection_exists(inspection.id, self._where)
            connection.execute(
                inspections.insert().values(
                    id=inspection.id,
                    year=inspection.year,
                    on_date=inspection.on,
                    version=inspection.version,
                    document=document,
                )
            )
            self._link_inspection(connection, inspection)

    def _link_inspection(self, connection: sa.Connection, inspection: Inspection) -> None:
        rows = [
            {"unit_id": unit_id, "inspection_id": inspection.id}
            for unit_id in dict.fromkeys(inspection.unit_ids())
        ]
        if rows:
            connection.execute(inspection_units.insert(), rows)

    def update_inspection(self, inspection: Inspection, *, expected_version: int) -> None:
        """Replace an inspection stored at ``expected_version``.

        Raises:
            NotFound: no inspection has this id.
            ConflictError: the stored version is not ``expected_version``; nothing changes.
            ValidationFailed: the new version is not ``expected_version + 1``.
        """
        check_inspection_update(inspection, expected_version)
        document = serde.to_dict(inspection)
        with self._write() as connection:
            changed = connection.execute(
                sa.update(inspections)
                .where(inspections.c.id == inspection.id, inspections.c.version == expected_version)
                .values(
                    year=inspection.year,
                    on_date=inspection.on,
                    version=inspection.version,
                    document=document,
                )
            )
            if changed.rowcount == 0:
                found = connection.execute(
                    sa.select(inspections.c.version).where(inspections.c.id == inspection.id)
                ).first()
                if found is None:
                    raise not_found("inspection", inspection.id, self._where)
                raise inspection_stale(inspection.id, found[0], expected_version, self._where)
            connection.execute(
                sa.delete(inspection_units).where(inspection_units.c.inspection_id == inspection.id)
            )
            self._link_inspection(connection, inspection)

    def get_inspection(self, inspection_id: str) -> Inspection:
        """The inspection with this id; ``NotFound`` if there is none."""
        inspection_id = nfc(inspection_id)
        with self._read() as connection:
            row = connection.execute(
                sa.select(inspections.c.document).where(inspections.c.id == inspection_id)
            ).first()
        if row is None:
            raise not_found("inspection", inspection_id, self._where)
        return self._load(Inspection, inspection_id, row[0])

    def inspections(
        self, *, year: int | None = None, organisation_id: str | None = None
    ) -> list[Inspection]:
        """The inspections of ``year`` covering a cell under ``organisation_id``, in the
        contract's order."""
        statement = sa.select(inspections.c.id, inspections.c.document)
        if year is not None:
            statement = statement.where(inspections.c.year == year)
        if organisation_id is not None:
            statement = statement.where(
                inspections.c.id.in_(
                    sa.select(inspection_units.c.inspection_id).where(
                        inspection_units.c.unit_id == nfc(organisation_id)
                    )
                )
            )
        with self._read() as connection:
            rows = connection.execute(statement).all()
        found = (self._load(Inspection, i, doc) for i, doc in rows)
        return sorted(found, key=inspection_order)

    def append_record_event(self, event: RecordEvent) -> None:
        """Append one event to the audit trail of exemplars and inspections."""
        with self._write() as connection:
            connection.execute(
                record_events.insert().values(
                    record_type=event.record_type.value,
                    record_id=event.record_id,
                    version=event.version,
                    document=serde.to_dict(event),
                )
            )

    def record_events(self, record_type: RecordType, record_id: str) -> list[RecordEvent]:
        """The audit trail of one exemplar or inspection, oldest first (empty if none)."""
        record_id = nfc(record_id)
        with self._read() as connection:
            rows = connection.execute(
                sa.select(record_events.c.document)
                .where(
                    record_events.c.record_type == record_type.value,
                    record_events.c.record_id == record_id,
                )
                .order_by(record_events.c.seq)
            ).all()
        return [self._load(RecordEvent, record_id, doc) for (doc,) in rows]

    def close(self) -> None:
        """Close the pool's connections; further use raises ``StoreError``. Closing twice is
        harmless; an engine handed in by the caller is left to the caller."""
        if self._closed:
            return
        self._closed = True
        if self._owns_engine:
            # In a forked child the sockets belong to the parent: drop them, don't close them.
            self._engine.dispose(close=os.getpid() == self._pid)
