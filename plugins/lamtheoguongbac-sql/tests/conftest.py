"""A throwaway PostgreSQL cluster for the whole test session, and fresh databases in it.

The cluster is started once per session (as the ``postgres`` user when the tests run as
root), listens only on a Unix socket in a temporary folder, and is stopped and removed at
the end. Where no PostgreSQL server is installed the tests **fail** with a message saying
how to install it: a skipped test would hide that the store was never checked.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from lamtheoguongbac_sql import SqlStore
from lamtheoguongbac_sql.cluster import ClusterUnavailable, TemporaryCluster

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

_NAMES = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[TemporaryCluster]:
    """The session's PostgreSQL cluster; fails (never skips) where there is no server."""
    try:
        cluster = TemporaryCluster().start()
    except ClusterUnavailable as exc:
        pytest.fail(f"PostgreSQL is needed for these tests / cần PostgreSQL:\n{exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_database(pg_cluster: TemporaryCluster) -> Iterator[str]:
    """The name of a fresh, empty database (no tables), dropped after the test."""
    name = f"ltgb_test_{os.getpid()}_{next(_NAMES)}"
    pg_cluster.create_database(name)
    yield name
    pg_cluster.drop_database(name)


@pytest.fixture(scope="session")
def _pg_store_database(pg_cluster: TemporaryCluster) -> str:
    """One database migrated once to the current schema, shared by the store tests."""
    url = pg_cluster.create_database("ltgb_store")
    SqlStore(url).close()
    return url


# Emptied between tests as the superuser, with triggers off (session_replication_role) since
# the append-only trigger refuses TRUNCATE of the event log to everyone else.
_EMPTY = (
    "SET session_replication_role = replica; "
    "TRUNCATE events, handbook_units, handbooks, members, units, exemplar_units, exemplars, "
    "record_events, inspection_units, inspections"
)


@pytest.fixture
def pg_url(pg_cluster: TemporaryCluster, _pg_store_database: str) -> str:
    """The ``postgresql://`` URL of an empty store (current schema, no records)."""
    with psycopg.connect(pg_cluster.dsn("ltgb_store"), autocommit=True) as conn:
        conn.execute(_EMPTY)
    return _pg_store_database
