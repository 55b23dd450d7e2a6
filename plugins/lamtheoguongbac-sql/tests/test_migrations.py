"""The schema's Alembic migrations: from an empty database and from every earlier revision,
on PostgreSQL and on SQLite; foreign and newer databases refused untouched."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import sqlalchemy as sa

from lamtheoguongbac import HandbookStatus, StoreError, serde
from lamtheoguongbac.plugin import HandbookQuery, create_registry, roster_key
from lamtheoguongbac.testing import advance, make_entry, make_exemplar, make_roster
from lamtheoguongbac_sql import SqlStore, create_engine, migrations, schema
from lamtheoguongbac_sql.__main__ import main as schema_main
from lamtheoguongbac_sql.cluster import TemporaryCluster

S = HandbookStatus
SPAWN = multiprocessing.get_context("spawn")


@pytest.fixture(params=["postgresql", "sqlite"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on each tested dialect."""
    if request.param == "sqlite":
        yield f"sqlalchemy+sqlite:///{tmp_path / 'so-tay.db'}"
        return
    cluster: TemporaryCluster = request.getfixturevalue("pg_cluster")
    yield cluster.url(request.getfixturevalue("pg_database"))


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the database with its rows, to show nothing changed."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            found = {}
            for name in sorted(inspector.get_table_names()):
                table = sa.Table(name, sa.MetaData(), autoload_with=connection)
                rows = connection.execute(sa.select(table)).all()
                found[name] = sorted(tuple(str(v) for v in r) for r in rows)
            return found
    finally:
        engine.dispose()


def test_revisions_form_one_line_ending_at_head() -> None:
    assert migrations.revisions() == ["0001", "0002", "0003"]
    assert migrations.head() == "0003"


def test_an_empty_database_is_migrated_to_head(empty_url: str) -> None:
    with SqlStore(empty_url) as store, store.engine.connect() as connection:
        assert migrations.stored_revision(connection) == migrations.head()
        tables = set(sa.inspect(connection).get_table_names())
    assert set(schema.metadata.tables) | {schema.VERSION_TABLE} == tables


def test_the_migrated_schema_matches_the_declared_one(empty_url: str) -> None:
    """The tables, columns and indexes the migrations build are those ``schema`` declares."""
    with SqlStore(empty_url) as store, store.engine.connect() as connection:
        inspector = sa.inspect(connection)
        for table in schema.metadata.sorted_tables:
            columns = {c["name"]: c for c in inspector.get_columns(table.name)}
            assert set(columns) == {c.name for c in table.c}, table.name
            for column in table.c:
                assert columns[column.name]["nullable"] == column.nullable, column
            indexes = {i["name"]: i["column_names"] for i in inspector.get_indexes(table.name)}
            assert indexes == {i.name: [c.name for c in i.columns] for i in table.indexes}
            assert set(inspector.get_pk_constraint(table.name)["constrained_columns"]) == {
                c.name for c in table.primary_key
            }


def test_documents_are_jsonb_on_postgresql(pg_url: str) -> None:
    with SqlStore(pg_url) as store, store.engine.connect() as connection:
        kinds = connection.exec_driver_sql(
            "SELECT table_name, data_type FROM information_schema.columns "
            "WHERE column_name = 'document' ORDER BY table_name"
        ).all()
    assert dict(kinds) == {
        "events": "jsonb",
        "exemplars": "jsonb",
        "handbooks": "jsonb",
        "inspections": "jsonb",
        "members": "jsonb",
        "record_events": "jsonb",
        "units": "jsonb",
    }


def _data_of_0001(connection: sa.Connection) -> tuple[Any, ...]:
    """Rows an 0001 database could hold, written with the tables of that revision."""
    roster = make_roster(cells=1, members_per_cell=2, grassroots=1)
    handbook, event = make_entry(S.REGISTERED, index=0)
    old = sa.MetaData()
    tables = {
        n: sa.Table(n, old, autoload_with=connection)
        for n in ("handbooks", "handbook_units", "events", "units", "members")
    }
    member = handbook.member
    connection.execute(
        tables["handbooks"].insert(),
        {
            "id": handbook.id,
            "member_id": member.id,
            "cell_id": handbook.cell.id,
            "grassroots_id": handbook.grassroots.id,
            "year": handbook.year,
            "status": handbook.status.value,
            "version": handbook.version,
            "member_name": member.full_name,
            "member_sort": member.sort_key,
            # A stale key, as if written by another collation: the upgrade re-keys it.
            "sort_key": b"stale",
            "document": serde.to_dict(handbook),
        },
    )
    connection.execute(
        tables["handbook_units"].insert(),
        [
            {
                "unit_id": u.id,
                "handbook_id": handbook.id,
                "year": handbook.year,
                "status": "registered",
            }
            for u in handbook.organisation
        ],
    )
    connection.execute(
        tables["events"].insert(),
        {"handbook_id": handbook.id, "version": event.version, "document": serde.to_dict(event)},
    )
    connection.execute(
        tables["units"].insert(), [{"id": u.id, "document": serde.to_dict(u)} for u in roster.units]
    )
    connection.execute(
        tables["members"].insert(),
        [
            {
                "id": m.id,
                "cell_id": m.cell_id,
                "full_name": m.full_name,
                "sort_override": m.sort_key,
                "sort_key": roster_key(m.full_name, m.sort_key),
                "document": serde.to_dict(m),
            }
            for m in roster.members
        ],
    )
    return handbook, event, roster


# Rows a database at each earlier revision could hold; a new revision adds its entry here.
_DATA_AT = {"0001": _data_of_0001, "0002": _data_of_0001, "0003": _data_of_0001}


@pytest.mark.parametrize("start", migrations.revisions()[:-1])
def test_a_database_at_each_earlier_revision_is_upgraded_keeping_its_data(
    empty_url: str, start: str
) -> None:
    engine = create_engine(empty_url)
    try:
        migrations.upgrade(engine, "test", target=start)
        with engine.begin() as connection:
            assert migrations.stored_revision(connection) == start
            handbook, event, roster = _DATA_AT[start](connection)
    finally:
        engine.dispose()
    with SqlStore(empty_url) as store:
        with store.engine.connect() as connection:
            assert migrations.stored_revision(connection) == migrations.head()
            key = connection.execute(
                sa.select(schema.handbooks.c.sort_key).where(schema.handbooks.c.id == handbook.id)
            ).scalar_one()
        assert key == roster_key(handbook.member.full_name, handbook.member.sort_key)
        assert store.get(handbook.id) == handbook
        assert store.events(handbook.id) == [event]
        assert store.units() == sorted(roster.units, key=lambda u: u.id)
        assert len(store.members()) == len(roster.members)
        assert store.query(HandbookQuery(organisation_id=handbook.grassroots.id)) == [handbook]
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)  # the table 0002 added
        assert store.exemplars() == [exemplar]


def test_migrate_false_refuses_a_database_that_is_behind(empty_url: str) -> None:
    with pytest.raises(StoreError, match="migrate=false") as raised:
        SqlStore(empty_url, migrate=False)
    assert "python -m lamtheoguongbac_sql upgrade" in raised.value.message_vi
    assert _snapshot(empty_url) == {}
    with pytest.raises(StoreError, match="migrate=false"):
        create_registry().open_store(
            empty_url + ("&" if "?" in empty_url else "?") + "migrate=false"
        )
    SqlStore(empty_url).close()
    SqlStore(empty_url, migrate=False).close()  # at head: opens


# --- foreign and newer databases -------------------------------------------------------------


def _foreign_tables(connection: sa.Connection) -> None:
    connection.exec_driver_sql("CREATE TABLE khach_hang (ma TEXT PRIMARY KEY, ten TEXT)")
    connection.exec_driver_sql("INSERT INTO khach_hang VALUES ('KH1', 'Công ty Hòa Bình')")


def _newer_revision(connection: sa.Connection) -> None:
    migrations.prepare(connection, "test")
    connection.execute(sa.text(f"UPDATE {schema.VERSION_TABLE} SET version_num = '0099'"))


def _damaged_version_table(connection: sa.Connection) -> None:
    migrations.prepare(connection, "test")
    connection.execute(sa.text(f"DELETE FROM {schema.VERSION_TABLE}"))


@pytest.mark.parametrize(
    ("make", "says_vi", "says_en"),
    [
        pytest.param(
            _foreign_tables,
            "không phải của lamtheoguongbac (có bảng khach_hang",
            "not a lamtheoguongbac store (it has tables khach_hang",
            id="foreign",
        ),
        pytest.param(
            _newer_revision,
            "phiên bản '0099', mới hơn",
            "revision '0099', newer than",
            id="newer",
        ),
        pytest.param(
            _damaged_version_table,
            "phải có đúng một phiên bản",
            "must hold exactly one revision",
            id="damaged-version-table",
        ),
    ],
)
def test_a_database_that_is_not_ours_or_newer_is_refused_untouched(
    empty_url: str, make: Callable[[sa.Connection], None], says_vi: str, says_en: str
) -> None:
    engine = create_engine(empty_url)
    try:
        with engine.begin() as connection:
            make(connection)
    finally:
        engine.dispose()
    before = _snapshot(empty_url)
    with pytest.raises(StoreError) as raised:
        create_registry().open_store(empty_url)
    assert says_vi in raised.value.message_vi
    assert says_en in raised.value.message_en
    assert _snapshot(empty_url) == before


def test_the_error_never_shows_the_password(pg_cluster: TemporaryCluster, pg_database: str) -> None:
    with psycopg.connect(pg_cluster.dsn(pg_database), autocommit=True) as conn:
        conn.execute("CREATE TABLE bang_khac (x int)")
    url = pg_cluster.url(pg_database).replace("postgres@", "postgres:mat-khau-bi-mat@")
    with pytest.raises(StoreError) as raised:
        SqlStore(url)
    assert "mat-khau-bi-mat" not in str(raised.value)
    assert "***" in raised.value.message_en


# --- several servers starting at once ------------------------------------------------------


def _open_child(url: str, barrier: Any, out: Any) -> None:
    barrier.wait(timeout=60)
    try:
        with SqlStore(url) as store:
            store.add(*make_entry(index=len(url) % 7))
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(f"{type(exc).__name__}: {exc}")
    else:
        out.put("ok")


def test_processes_opening_an_empty_database_at_once_migrate_it_once(empty_url: str) -> None:
    barrier, out = SPAWN.Barrier(4), SPAWN.Queue()
    children = [SPAWN.Process(target=_open_child, args=(empty_url, barrier, out)) for _ in range(4)]
    for child in children:
        child.start()
    outcomes = sorted(out.get(timeout=120) for _ in children)
    for child in children:
        child.join(timeout=60)
    # One add wins, the other three find the id taken: the schema was created exactly once.
    assert outcomes.count("ok") == 1, outcomes
    assert all(o == "ok" or o.startswith("ConflictError") for o in outcomes), outcomes
    with SqlStore(empty_url) as store, store.engine.connect() as connection:
        assert migrations.stored_revision(connection) == migrations.head()


# --- the schema commands -------------------------------------------------------------------


def test_schema_commands_upgrade_report_and_print_sql(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert schema_main(["current", empty_url]) == 0
    assert "trống / empty" in capsys.readouterr().out
    assert schema_main(["upgrade", empty_url]) == 0
    assert f"{migrations.head()} (head)" in capsys.readouterr().out
    assert schema_main(["current", empty_url]) == 0
    assert capsys.readouterr().out.strip().endswith(f"{migrations.head()} (head)")
    with SqlStore(empty_url, migrate=False) as store:  # migrated ahead: opens as it is
        store.add(*make_entry())
    assert schema_main(["sql", "postgresql"]) == 0
    printed = capsys.readouterr().out
    assert "CREATE TABLE handbooks" in printed
    assert "document JSONB NOT NULL" in printed
    assert "CREATE TRIGGER events_append_only" in printed


def test_schema_upgrade_refuses_a_foreign_database_untouched(
    empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_engine(empty_url)
    try:
        with engine.begin() as connection:
            _foreign_tables(connection)
    finally:
        engine.dispose()
    before = _snapshot(empty_url)
    assert schema_main(["upgrade", empty_url]) == 2
    error = capsys.readouterr().err
    assert "không phải của lamtheoguongbac" in error
    assert "not a lamtheoguongbac store" in error
    assert _snapshot(empty_url) == before


def test_a_sqlite_file_another_process_holds_is_switched_to_wal_once_it_is_free(
    tmp_path: Path,
) -> None:
    # The moment after one server migrated a new file, another may be taking it to switch
    # its journal mode too; SQLite refuses the switch to WAL at once ("database is locked",
    # without its busy wait). The opening store waits for the other process instead.
    path = tmp_path / "so-tay.db"
    SqlStore(f"sqlalchemy+sqlite:///{path}").close()
    with sqlite3.connect(path, isolation_level=None) as plain:
        assert plain.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")  # holds the write lock it would take to switch too
    release = threading.Timer(0.4, other.rollback)
    release.start()
    try:
        with SqlStore(f"sqlalchemy+sqlite:///{path}") as store:
            store.add(*make_entry(index=0))
            with store.engine.connect() as connection:
                mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        assert mode == "wal"
    finally:
        release.join()
        other.close()
