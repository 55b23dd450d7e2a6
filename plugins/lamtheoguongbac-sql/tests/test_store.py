"""What the SQL store promises beyond the conformance suite: URLs and pool settings, the
event log protected by the database itself, indexes the queries use, errors that name the
database without its password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import attrs
import psycopg
import pytest
import sqlalchemy as sa

from lamtheoguongbac import ConflictError, Handbooks, HandbookStatus, StoreError, serde
from lamtheoguongbac.committee import RecordAction
from lamtheoguongbac.plugin import (
    HandbookQuery,
    RecordEvent,
    RecordType,
    collation_fingerprint,
    create_registry,
    trusted_restore,
)
from lamtheoguongbac.testing import (
    advance,
    creation_event,
    make_entry,
    make_exemplar,
    make_handbook,
    make_roster,
    make_secretary,
)
from lamtheoguongbac_sql import SCHEMES, PoolSettings, SqlStore, create_engine, engine_url, schema
from lamtheoguongbac_sql.cluster import TemporaryCluster
from lamtheoguongbac_sql.store import _select, _shape

S = HandbookStatus


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store's URL on each tested dialect."""
    if request.param == "sqlite":
        yield f"sqlalchemy+sqlite:///{tmp_path / 'so-tay.db'}"
    else:
        yield request.getfixturevalue("pg_url")


# --- the entry point and URLs -----------------------------------------------------------------


def test_the_plugin_registers_its_schemes(tmp_path: Path) -> None:
    backends = create_registry().storage_backends()
    opened = backends["sqlalchemy+sqlite"].open(f"sqlalchemy+sqlite:///{tmp_path}/so-tay.db")
    assert isinstance(opened, SqlStore)  # the same opener serves every scheme
    opened.close()
    for scheme in SCHEMES:
        assert backends[scheme].open is backends["postgresql"].open
        assert backends[scheme].description_vi
        assert backends[scheme].description_en
    assert "sqlite" in backends  # the built-in sqlite: is not shadowed


@pytest.mark.parametrize(
    ("url", "driver_url"),
    [
        (
            "postgresql://ltgb@db.example.vn/so_tay",
            "postgresql+psycopg://ltgb@db.example.vn/so_tay",
        ),
        (
            "postgresql+psycopg://ltgb:bí-mật@db.example.vn:5433/so_tay?sslmode=require",
            "postgresql+psycopg://ltgb:***@db.example.vn:5433/so_tay?sslmode=require",
        ),
        (
            "postgresql://ltgb@/so_tay?host=/run/postgresql&pool_size=20&migrate=false",
            "postgresql+psycopg://ltgb@/so_tay?host=%2Frun%2Fpostgresql",
        ),
    ],
)
def test_url_forms(url: str, driver_url: str) -> None:
    parsed, _, _ = engine_url(url)
    assert parsed.render_as_string(hide_password=True) == driver_url


def test_pool_options_in_the_url_reach_the_pool() -> None:
    parsed, pool, migrate = engine_url(
        "postgresql://ltgb@/so_tay?host=/tmp&pool_size=12&max_overflow=3&pool_timeout=2.5"
        "&pool_recycle=600&pool_pre_ping=false&migrate=no&application_name=so-tay"
    )
    assert pool == PoolSettings(size=12, max_overflow=3, timeout=2.5, recycle=600, pre_ping=False)
    assert migrate is False
    assert dict(parsed.query) == {"host": "/tmp", "application_name": "so-tay"}
    engine = create_engine(parsed, pool)
    try:
        assert engine.pool.size() == 12  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 3  # type: ignore[attr-defined]
        assert engine.pool._timeout == 2.5  # type: ignore[attr-defined]
        assert engine.pool._recycle == 600
        assert engine.pool._pre_ping is False
    finally:
        engine.dispose()
    assert PoolSettings() == PoolSettings(
        size=5, max_overflow=10, timeout=30.0, recycle=1800, pre_ping=True
    )


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql:", "postgresql://user@host/database"),
        ("mysql://x@y/z", "postgresql://user@host/database"),
        ("postgresql://x@/db?pool_size=nhiều", "pool_size=nhiều must be a number"),
        ("postgresql://x@/db?pool_size=0", "bad pool setting"),
        ("postgresql://x@/db?migrate=có", "migrate=có must be true or false"),
        ("sqlalchemy+sqlite:///:memory:", "a file path is needed"),
        ("sqlalchemy+sqlite://", "a file path is needed"),
        ("sqlalchemy+sqlite:///không/có/thư-mục/x.db", "does not exist"),
    ],
)
def test_bad_urls_are_refused_in_both_languages(url: str, says: str) -> None:
    with pytest.raises(StoreError) as raised:
        engine_url(url)
    assert says in raised.value.message_en
    assert raised.value.message_vi != raised.value.message_en


def test_an_unreachable_server_is_a_store_error_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://ltgb:mat-khau@/so_tay?host={tmp_path}&port=1&connect_timeout=2"
    with pytest.raises(StoreError) as raised:
        SqlStore(url)
    assert "mat-khau" not in str(raised.value)
    assert "cannot work with the database server" in raised.value.message_en
    assert "Không làm việc được với máy chủ" in raised.value.message_vi


def test_url_is_kept_and_repr_hides_the_password(pg_url: str) -> None:
    with_password = pg_url.replace("postgres@", "postgres:bi-mat@")
    with SqlStore(with_password) as store:
        assert store.url == with_password  # workers reopen the store from it
        assert store.pool == PoolSettings()
        assert "bi-mat" not in repr(store)
        assert "***" in repr(store)


def test_an_engine_handed_in_is_used_and_left_open(url: str) -> None:
    engine = create_engine(url)
    try:
        with SqlStore(engine) as store:
            store.add(*make_entry())
            # Its URL opens this backend again (as batch export's workers do).
            again = create_registry().open_store(store.url)
            assert isinstance(again, SqlStore)
            assert len(again.query(HandbookQuery())) == 1
            again.close()
        with engine.connect() as connection:  # still usable: the caller owns it
            assert (
                connection.execute(
                    sa.select(sa.func.count()).select_from(schema.handbooks)
                ).scalar()
                == 1
            )
    finally:
        engine.dispose()


# --- the database protects the event log --------------------------------------------------


def _events_statements(dialect: str) -> list[str]:
    statements = []
    for table in ("events", "record_events"):
        statements += [f"UPDATE {table} SET version = version + 1", f"DELETE FROM {table}"]
        if dialect == "postgresql":
            statements.append(f"TRUNCATE {table}")
    return statements


def test_a_handbook_gone_between_listing_and_reading_is_skipped(url: str) -> None:
    # iter_query lists the ids, then reads them page by page: a row removed in between
    # (from outside: no store method removes one) is left out, not a KeyError
    handbook, created = make_entry(S.REGISTERED)
    with SqlStore(url) as store:
        store.add(handbook, created)
        assert list(store._pages(["so-da-bi-xoa", handbook.id])) == [handbook]


def test_the_database_refuses_to_change_or_delete_events(url: str) -> None:
    handbook, created = make_entry(S.REGISTERED)
    exemplar = make_exemplar()
    with SqlStore(url) as store:
        store.add(handbook, created)
        store.add_exemplar(exemplar)
        store.append_record_event(
            RecordEvent(
                record_type=RecordType.EXEMPLAR,
                record_id=exemplar.id,
                action=RecordAction.NOMINATED,
                actor_id="ubkt-01",
                actor_name="Trần Văn Bình",
                at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
                version=exemplar.version,
            )
        )
        for statement in _events_statements(store.dialect):
            with (
                pytest.raises(sa.exc.DBAPIError, match="events are append-only"),
                store.engine.begin() as connection,
            ):
                connection.exec_driver_sql(statement)
        # A second event for one version is refused by the key, whoever writes it.
        with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as connection:
            connection.execute(
                schema.events.insert(),
                {
                    "handbook_id": handbook.id,
                    "version": created.version,
                    "document": serde.to_dict(created),
                },
            )
        assert store.events(handbook.id) == [created]


def test_an_update_racing_inside_a_block_waits_then_conflicts(pg_url: str) -> None:
    """A row a transaction() block wrote stays locked; a second writer of the same version
    waits for the block and then gets ConflictError (READ COMMITTED re-checks the version)."""
    import threading

    handbook, created = make_entry(S.REPORTED)
    with SqlStore(pg_url) as store:
        store.add(handbook, created)
        # The Bí thư who assesses in ``advance``, so the store backs the signature (G004).
        store.save_roster([], [make_secretary(handbook.cell.id)])
        first, second = advance(handbook), advance(handbook)
        outcome: list[str] = []
        entered = threading.Event()

        def other_writer() -> None:
            entered.wait(timeout=30)
            try:
                store.update(second.handbook, second.event, expected_version=handbook.version)
            except ConflictError:
                outcome.append("conflict")
            else:
                outcome.append("won")

        thread = threading.Thread(target=other_writer)
        thread.start()
        with store.transaction():
            store.update(first.handbook, first.event, expected_version=handbook.version)
            entered.set()
            thread.join(timeout=0.5)
            assert thread.is_alive()  # blocked on the row lock while the block is open
        thread.join(timeout=30)
        assert outcome == ["conflict"]
        assert store.events(handbook.id) == [created, first.event]


# --- indexes --------------------------------------------------------------------------------


def test_queries_use_the_indexes(pg_url: str) -> None:
    roster = make_roster(cells=40, members_per_cell=25, grassroots=4)
    bases = {
        2024: make_handbook(S.REGISTERED, year=2024),
        2025: make_handbook(S.CLOSED, year=2025),
    }
    items = []
    for member in roster.members:
        for year, base in bases.items():
            handbook = attrs.evolve(
                base,
                id=f"{member.id}-{year}",
                member=member,
                organisation=roster.organisation(member.cell_id),
            )
            items.append((handbook, creation_event(handbook)))
    with SqlStore(pg_url) as store:
        with trusted_restore():  # generated closed books: their recorders are in no roster
            store.add_many(items)
        with store.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            cell = roster.cell_ids[3]
            subtree = roster.organisation(cell)[1].id
            # The statements the store runs, explained as it sends them (bound parameters).
            plans = {
                "cell": ("documents", HandbookQuery(cell_id=cell)),
                "member": ("documents", HandbookQuery(member_id=roster.members[7].id)),
                "subtree-count": ("count", HandbookQuery(organisation_id=subtree, year=2025)),
                "status": ("ids", HandbookQuery(status=S.ASSESSED, year=2025)),
            }
            used = {}
            for name, (what, query) in plans.items():
                criteria, parameters = _shape(query)
                compiled = _select(what, criteria).compile(dialect=connection.dialect)
                plan = connection.exec_driver_sql(
                    "EXPLAIN " + str(compiled), compiled.construct_params(parameters)
                )
                used[name] = " ".join(plan.scalars().all())
        assert "handbooks_by_cell" in used["cell"]
        assert "handbooks_by_member" in used["member"]
        assert "handbook_units_by_unit_year" in used["subtree-count"]
        assert "handbooks_by_status" in used["status"]
        assert len(store.query(HandbookQuery(cell_id=cell))) == 50


# --- the collation of roster keys ----------------------------------------------------------


def test_keys_written_under_another_collation_are_recomputed_on_open(url: str) -> None:
    roster = make_roster(cells=1, members_per_cell=6, grassroots=1)
    with SqlStore(url) as store:
        store.save_roster(roster.units, roster.members)
        store.add_many(make_entry(index=i) for i in range(4))
        expected = store.members()
        with store.engine.begin() as connection:
            connection.execute(sa.update(schema.members).values(sort_key=b"\x00"))
            connection.execute(sa.update(schema.handbooks).values(sort_key=b"\x00"))
            connection.execute(
                sa.update(schema.meta)
                .where(schema.meta.c.key == "roster_collation")
                .values(value="py:another-release")
            )
    with SqlStore(url) as store:
        assert store.members() == expected
        with store.engine.connect() as connection:
            keys = connection.execute(sa.select(schema.members.c.sort_key)).scalars().all()
            stored = connection.execute(
                sa.select(schema.meta.c.value).where(schema.meta.c.key == "roster_collation")
            ).scalar_one()
        assert b"\x00" not in keys
        assert stored == collation_fingerprint()


# --- the service on top -----------------------------------------------------------------------


def test_the_service_runs_on_the_store(pg_url: str) -> None:
    roster = make_roster(cells=2, members_per_cell=3, grassroots=1)
    with Handbooks.open(pg_url) as service:
        service.store.save_roster(roster.units, roster.members)
        assert len(service.store.members()) == 6
        assert isinstance(service.store, SqlStore)


def test_psycopg_scheme_opens_the_same_database(pg_cluster: TemporaryCluster, pg_url: str) -> None:
    handbook, created = make_entry()
    store = create_registry().open_store(pg_url)
    store.add(handbook, created)
    store.close()
    explicit = create_registry().open_store(pg_url.replace("postgresql:", "postgresql+psycopg:"))
    assert isinstance(explicit, SqlStore)
    assert explicit.get(handbook.id) == handbook
    explicit.close()
    with psycopg.connect(pg_cluster.dsn("ltgb_store")) as conn:
        row = conn.execute("SELECT document->>'id' FROM handbooks").fetchone()
    assert row == (handbook.id,)


# --- an application role without schema rights (docs/deploy-postgresql.md) ------------------

_GRANTS = """
CREATE ROLE {role} LOGIN;
GRANT SELECT ON lamtheoguongbac_version TO {role};
GRANT SELECT, INSERT ON events, record_events TO {role};
GRANT SELECT, INSERT, UPDATE ON handbooks, exemplars, inspections, units, members, meta
    TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON handbook_units, exemplar_units, inspection_units
    TO {role};
"""


def test_the_documented_application_role_is_enough_and_cannot_touch_events(
    pg_cluster: TemporaryCluster, pg_database: str
) -> None:
    owner_url = pg_cluster.url(pg_database)
    SqlStore(owner_url).close()  # the owner migrates
    role = f"ltgb_app_{pg_database}"
    with psycopg.connect(pg_cluster.dsn(pg_database), autocommit=True) as conn:
        conn.execute(_GRANTS.format(role=role))
    app_url = owner_url.replace("postgres@", f"{role}@") + "&migrate=false"
    roster = make_roster(cells=1, members_per_cell=3, grassroots=1)
    handbook, created = make_entry(S.REPORTED)
    with SqlStore(app_url) as store:
        with store.transaction():
            store.save_roster(roster.units, roster.members)
            store.save_roster(roster.units, roster.members)  # replaces: UPDATE
            # The Bí thư who assesses in ``advance`` backs the signature (LTGB-G004).
            store.save_roster([], [make_secretary(handbook.cell.id)])
            store.add(handbook, created)
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)
        store.update_exemplar(
            attrs.evolve(exemplar, version=exemplar.version + 1),
            expected_version=exemplar.version,
        )
        assert store.events(handbook.id) == [created, step.event]
        for statement in ("UPDATE events SET version = 9", "DELETE FROM events"):
            with pytest.raises(sa.exc.ProgrammingError), store.engine.begin() as connection:
                connection.exec_driver_sql(statement)
        with pytest.raises(sa.exc.ProgrammingError), store.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE events")
    with psycopg.connect(pg_cluster.dsn(pg_database), autocommit=True) as conn:
        conn.execute(f"DROP OWNED BY {role}; DROP ROLE {role}")
