"""Bringing a database to the store's schema with Alembic (nâng cấp lược đồ cơ sở dữ liệu).

The migration steps live in ``schema_migrations/versions`` (revisions ``0001``, ``0002``,
…; released steps are never edited). :func:`prepare` runs when a store opens:

1. it takes the migration lock — ``pg_advisory_xact_lock`` on PostgreSQL, ``BEGIN
   IMMEDIATE`` on SQLite — so two application servers starting at once cannot both migrate;
2. it refuses, changing nothing, a database that is not ours (it has tables but no
   ``lamtheoguongbac_version`` table) or that is newer than this release (its revision is
   not one of ours);
3. it applies the missing steps and re-keys the roster order if the collation in use
   changed, all in the same transaction, so a failure leaves the database as it was.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

from lamtheoguongbac import StoreError
from lamtheoguongbac.plugin import collation_fingerprint, roster_key
from lamtheoguongbac_sql import schema

# Alembic is imported when first needed: the plugin is loaded by every command of the CLI
# (entry points), and most of them never migrate anything.
if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

__all__ = [
    "LOCK_KEY",
    "SCRIPTS",
    "head",
    "prepare",
    "revisions",
    "stored_revision",
    "upgrade",
]

#: The folder holding Alembic's ``env.py`` and the ``versions`` of the schema.
SCRIPTS = Path(__file__).parent / "schema_migrations"

#: The PostgreSQL advisory lock taken while checking and migrating: "LTGB" in ASCII.
LOCK_KEY = 0x4C544742


@functools.cache
def _scripts() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(SCRIPTS))


def config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration for the store's migrations (on ``connection`` if given)."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def revisions() -> list[str]:
    """Every revision of the schema, oldest first."""
    return [s.revision for s in reversed(list(_scripts().walk_revisions()))]


def head() -> str:
    """The newest revision: the schema this release reads and writes."""
    found = _scripts().get_current_head()
    assert found is not None  # the package ships its versions
    return found


def stored_revision(connection: sa.Connection) -> str | None:
    """The revision recorded in the database, or ``None`` where there is no version table.

    Raises:
        StoreError: the version table holds no revision or several (it is damaged).
    """
    if not sa.inspect(connection).has_table(schema.VERSION_TABLE):
        return None
    table = sa.table(schema.VERSION_TABLE, sa.column("version_num"))
    found = list(connection.execute(sa.select(table.c.version_num)).scalars())
    if len(found) != 1:
        raise StoreError(
            f"Bảng {schema.VERSION_TABLE} phải có đúng một phiên bản, nhưng có {len(found)}; "
            "không sửa gì",
            f"the table {schema.VERSION_TABLE} must hold exactly one revision, not "
            f"{len(found)}; nothing was changed",
        )
    return str(found[0])


def _lock(connection: sa.Connection) -> None:
    # SQLite's write connections start with BEGIN IMMEDIATE (see store.create_engine), which
    # is the lock; other servers rely on the version table's primary key.
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _foreign(where: str, tables: Sequence[str]) -> StoreError:
    listed = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    return StoreError(
        f"Không mở được kho {where}: cơ sở dữ liệu này không phải của lamtheoguongbac (có bảng "
        f"{listed} nhưng không có bảng {schema.VERSION_TABLE}); không sửa gì. Hãy dùng một cơ sở "
        "dữ liệu trống riêng cho kho",
        f"cannot open the store {where}: this database is not a lamtheoguongbac store (it has "
        f"tables {listed} but no {schema.VERSION_TABLE} table); nothing was changed. Give the "
        "store an empty database of its own",
    )


def _too_new(where: str, revision: str) -> StoreError:
    return StoreError(
        f"Không mở được kho {where}: lược đồ ở phiên bản '{revision}', mới hơn hoặc không thuộc "
        f"bản lamtheoguongbac-sql này (bản này biết đến '{head()}'); không sửa gì. Hãy nâng cấp "
        "lamtheoguongbac-sql",
        f"cannot open the store {where}: its schema is at revision '{revision}', newer than "
        f"or unknown to this release of lamtheoguongbac-sql (which knows up to '{head()}'); "
        "nothing was changed. Upgrade lamtheoguongbac-sql",
    )


def _not_migrated(where: str, revision: str | None) -> StoreError:
    shown = revision or "trống / empty"
    return StoreError(
        f"Kho {where} ở phiên bản lược đồ '{shown}', cần '{head()}', và việc tự nâng cấp đã tắt "
        "(migrate=false); hãy chạy: python -m lamtheoguongbac_sql upgrade URL",
        f"the store {where} is at schema revision '{shown}', '{head()}' is needed, and "
        "automatic migration is off (migrate=false); run: python -m lamtheoguongbac_sql "
        "upgrade URL",
    )


def check(connection: sa.Connection, where: str) -> str | None:
    """The database's revision, after refusing a foreign or newer database.

    Raises:
        StoreError: the database is not ours, or newer than this release.
    """
    revision = stored_revision(connection)
    if revision is None:
        tables = sa.inspect(connection).get_table_names()
        if tables:
            raise _foreign(where, tables)
    elif revision not in revisions():
        raise _too_new(where, revision)
    return revision


def _collation_current(connection: sa.Connection) -> bool:
    row = connection.execute(
        sa.select(schema.meta.c.value).where(schema.meta.c.key == "roster_collation")
    ).first()
    return row is not None and row[0] == collation_fingerprint()


def ready(connection: sa.Connection) -> bool:
    """Whether the database is at :func:`head` with the roster keyed by this collation
    (the common case, checked without taking the lock)."""
    return stored_revision(connection) == head() and _collation_current(connection)


def prepare(
    connection: sa.Connection, where: str, *, migrate: bool = True, target: str | None = None
) -> None:
    """Check the database and bring it to ``target`` (default: :func:`head`).

    ``connection`` must be in a transaction; the caller commits it.

    Raises:
        StoreError: the database is not ours, newer than this release, or behind while
            ``migrate`` is false; nothing was changed.
    """
    target = target or head()
    _lock(connection)
    revision = check(connection, where)
    if revision != target:
        if not migrate:
            raise _not_migrated(where, revision)
        from alembic import command

        command.upgrade(config(connection), target)
    if target == head() and not _collation_current(connection):
        _rekey(connection)


def upgrade(engine: sa.Engine, where: str, *, target: str | None = None) -> None:
    """Check the database behind ``engine`` and migrate it to ``target`` in one transaction.

    Raises:
        StoreError: the database is not ours or newer than this release; nothing changed.
    """
    with engine.begin() as connection:
        prepare(connection, where, target=target)


def _rekey(connection: sa.Connection) -> None:
    # Sort keys depend on the collation (PyICU or not, the release); rows keyed by another
    # are re-keyed so a database never mixes two.
    for table, name, override in (
        (schema.handbooks, "member_name", "member_sort"),
        (schema.members, "full_name", "sort_override"),
    ):
        rows = connection.execute(sa.select(table.c.id, table.c[name], table.c[override]))
        keys = [{"b_id": i, "b_key": roster_key(n, o)} for i, n, o in rows]
        if keys:
            connection.execute(
                sa.update(table)
                .where(table.c.id == sa.bindparam("b_id"))
                .values(sort_key=sa.bindparam("b_key")),
                keys,
            )
    fingerprint = collation_fingerprint()
    updated = connection.execute(
        sa.update(schema.meta)
        .where(schema.meta.c.key == "roster_collation")
        .values(value=fingerprint)
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(schema.meta).values(key="roster_collation", value=fingerprint))
