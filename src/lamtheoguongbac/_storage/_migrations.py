"""The SQLite store's schema, as numbered migration steps (các bước nâng cấp lược đồ).

``PRAGMA user_version`` holds how many steps a file has had. Opening a file applies the
missing steps in order, each in its own ``BEGIN IMMEDIATE`` transaction that also bumps
``user_version``, so two processes opening an old file at once cannot both apply a step and
a crash leaves the file at a whole step. A file with more steps than this release knows was
written by a newer release and is refused. Steps are append-only: never edit a released one.

``PRAGMA application_id`` marks the file as ours, so a SQLite file of another application is
recognised from its header and never touched.
"""

from __future__ import annotations

import sqlite3

from lamtheoguongbac._errors import StoreError

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "migrate", "too_new"]

#: The ``PRAGMA application_id`` of a lamtheoguongbac store: "LTGB" in ASCII.
APPLICATION_ID = 0x4C544742

_V1 = (
    # One row per handbook; the columns are what queries filter and sort on, ``document`` is
    # the whole handbook as serde JSON. ``sort_key`` is the member's roster order as a BLOB
    # (see storage.contract.roster_key); ``member_name``/``member_sort`` let it be recomputed.
    """
    CREATE TABLE handbooks (
        id TEXT PRIMARY KEY,
        member_id TEXT NOT NULL,
        cell_id TEXT NOT NULL,
        grassroots_id TEXT NOT NULL,
        year INTEGER NOT NULL,
        status TEXT NOT NULL,
        version INTEGER NOT NULL,
        member_name TEXT NOT NULL,
        member_sort TEXT,
        sort_key BLOB NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX handbooks_by_cell ON handbooks (cell_id, year, sort_key, id)",
    "CREATE INDEX handbooks_by_year ON handbooks (year, cell_id, sort_key, id)",
    "CREATE INDEX handbooks_by_status ON handbooks (status, year)",
    "CREATE INDEX handbooks_by_member ON handbooks (member_id, year)",
    "CREATE INDEX handbooks_by_grassroots ON handbooks (grassroots_id, year)",
    # Every unit of a handbook's organisation chain: an organisation-subtree query is one
    # range of this table's primary key. ``year`` and ``status`` repeat the handbook's so a
    # roll-up (count by status of a province for a year) never reads the handbooks table.
    """
    CREATE TABLE handbook_units (
        unit_id TEXT NOT NULL,
        handbook_id TEXT NOT NULL REFERENCES handbooks (id),
        year INTEGER NOT NULL,
        status TEXT NOT NULL,
        PRIMARY KEY (unit_id, handbook_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX handbook_units_by_handbook ON handbook_units (handbook_id)",
    """
    CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        handbook_id TEXT NOT NULL REFERENCES handbooks (id),
        version INTEGER NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX events_by_handbook ON events (handbook_id, seq)",
    """
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'nhật ký chỉ được ghi thêm / events are append-only'); END
    """,
    """
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'nhật ký chỉ được ghi thêm / events are append-only'); END
    """,
    "CREATE TABLE units (id TEXT PRIMARY KEY, document TEXT NOT NULL)",
    """
    CREATE TABLE members (
        id TEXT PRIMARY KEY,
        cell_id TEXT NOT NULL,
        full_name TEXT NOT NULL,
        sort_override TEXT,
        sort_key BLOB NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX members_by_cell ON members (cell_id, sort_key, id)",
    # Settings of the file, e.g. which collation computed the sort keys.
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
)

_V2 = (
    # Exemplars (gương điển hình), one row each with the serde JSON as ``document``. They are
    # few (a handful per cell and year), so a listing is sorted in Python by
    # ``exemplars.exemplar_order`` and needs no collation key here.
    """
    CREATE TABLE exemplars (
        id TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        version INTEGER NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX exemplars_by_year ON exemplars (year)",
    # Every unit of an exemplar's organisation chain, for organisation-subtree listings.
    """
    CREATE TABLE exemplar_units (
        unit_id TEXT NOT NULL,
        exemplar_id TEXT NOT NULL REFERENCES exemplars (id),
        PRIMARY KEY (unit_id, exemplar_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX exemplar_units_by_exemplar ON exemplar_units (exemplar_id)",
)

_V3 = (
    # Inspections (kiểm tra, giám sát), one row each with the serde JSON as ``document``;
    # like exemplars they are few, so listings are sorted in Python by
    # ``inspections.inspection_order``.
    """
    CREATE TABLE inspections (
        id TEXT PRIMARY KEY,
        year INTEGER NOT NULL,
        on_date TEXT NOT NULL,
        version INTEGER NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX inspections_by_year ON inspections (year, on_date)",
    # Every unit of the inspected cells' chains, for organisation-subtree listings.
    """
    CREATE TABLE inspection_units (
        unit_id TEXT NOT NULL,
        inspection_id TEXT NOT NULL REFERENCES inspections (id),
        PRIMARY KEY (unit_id, inspection_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX inspection_units_by_inspection ON inspection_units (inspection_id)",
    # The audit trail of exemplars and inspections (audit.RecordEvent), append-only.
    """
    CREATE TABLE record_events (
        seq INTEGER PRIMARY KEY,
        record_type TEXT NOT NULL,
        record_id TEXT NOT NULL,
        version INTEGER NOT NULL,
        document TEXT NOT NULL
    )
    """,
    "CREATE INDEX record_events_by_record ON record_events (record_type, record_id, seq)",
    """
    CREATE TRIGGER record_events_append_only_update BEFORE UPDATE ON record_events
    BEGIN SELECT RAISE(ABORT, 'nhật ký chỉ được ghi thêm / events are append-only'); END
    """,
    """
    CREATE TRIGGER record_events_append_only_delete BEFORE DELETE ON record_events
    BEGIN SELECT RAISE(ABORT, 'nhật ký chỉ được ghi thêm / events are append-only'); END
    """,
)

#: ``MIGRATIONS[n]`` takes a file from ``user_version`` n to n + 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3)

#: The ``user_version`` of a file this release has fully migrated.
SCHEMA_VERSION = len(MIGRATIONS)


def too_new(path: str, version: int) -> StoreError:
    """The error for a file written by a newer release."""
    return StoreError(
        f"Tệp {path} dùng lược đồ phiên bản {version}, mới hơn bản thư viện này hỗ trợ "
        f"({SCHEMA_VERSION}); hãy nâng cấp thư viện lamtheoguongbac",
        f"{path} uses schema version {version}, newer than this release supports "
        f"({SCHEMA_VERSION}); upgrade the library (lamtheoguongbac)",
    )


def migrate(conn: sqlite3.Connection, path: str) -> None:
    """Apply the steps ``conn``'s file lacks, one transaction each.

    ``conn`` must be in autocommit mode (``isolation_level=None``).

    Raises:
        StoreError: the file's schema is newer than :data:`SCHEMA_VERSION`.
        sqlite3.Error: as raised by SQLite (the caller names the file).
    """
    if conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return  # the usual case needs no write lock, so opening never waits for a writer
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise too_new(path, version)
            if version == SCHEMA_VERSION:
                conn.execute("COMMIT")
                return
            if version == 0:
                _refuse_foreign_tables(conn, path)
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _refuse_foreign_tables(conn: sqlite3.Connection, path: str) -> None:
    # The header showed no application_id and no tables, but another program's tables can
    # still sit in its -wal file: look again before creating anything.
    tables = [str(n) for (n,) in conn.execute("SELECT name FROM sqlite_master ORDER BY name")]
    if tables:
        listed = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
        raise StoreError(
            f"Không mở được kho {path}: đây là cơ sở dữ liệu SQLite của ứng dụng khác (có bảng "
            f"{listed}); không sửa gì",
            f"cannot open the store {path}: it is another application's SQLite database "
            f"(tables: {listed}); nothing was changed",
        )
