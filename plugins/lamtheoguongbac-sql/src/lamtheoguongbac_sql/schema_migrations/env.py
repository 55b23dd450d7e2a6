"""Alembic's environment for the store's migrations.

The store runs the migrations itself when it opens a database (see
:mod:`lamtheoguongbac_sql.migrations`), handing its connection over in
``config.attributes["connection"]``. A DBA can also run them with ``python -m
lamtheoguongbac_sql upgrade URL``, or print them as SQL for review with ``python -m
lamtheoguongbac_sql sql postgresql`` (Alembic's offline mode).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from lamtheoguongbac_sql.schema import VERSION_TABLE

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        version_table=VERSION_TABLE,
        transactional_ddl=True,
        # One transaction for the whole upgrade: a failed step leaves the earlier version.
        transaction_per_migration=False,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        dialect_name=config.get_main_option("dialect", "postgresql"),
        version_table=VERSION_TABLE,
        transactional_ddl=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    given = config.attributes.get("connection")
    if not isinstance(given, sa.Connection):
        # The store's own runner checks the database is ours and takes the migration lock
        # first; running Alembic on a bare URL would skip both.
        raise SystemExit(
            "Hãy chạy: python -m lamtheoguongbac_sql upgrade URL / "
            "run: python -m lamtheoguongbac_sql upgrade URL"
        )
    _run(given)
