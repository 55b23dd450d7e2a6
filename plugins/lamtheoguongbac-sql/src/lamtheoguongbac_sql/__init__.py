"""A database-server store for lamtheoguongbac on SQLAlchemy Core (kho máy chủ cơ sở dữ liệu).

Install the distribution and open a store by URL; the ``postgresql``, ``postgresql+psycopg``
and ``sqlalchemy+sqlite`` schemes are registered through the ``lamtheoguongbac`` entry-point
group::

    from lamtheoguongbac import Handbooks

    with Handbooks.open("postgresql://ltgb@db.example.vn/so_tay") as service:
        ...

See :mod:`lamtheoguongbac_sql.store` for the URL options and how the store contract is kept,
:mod:`lamtheoguongbac_sql.migrations` for the schema's versions, and
:mod:`lamtheoguongbac_sql.cluster` for a throwaway PostgreSQL cluster to test against.
"""

from lamtheoguongbac_sql.store import SCHEMES, PoolSettings, SqlStore, create_engine, engine_url

__all__ = ["SCHEMES", "PoolSettings", "SqlStore", "create_engine", "engine_url"]
