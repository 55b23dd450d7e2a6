"""Schema commands for database administrators (lệnh quản trị lược đồ)::

    python -m lamtheoguongbac_sql upgrade URL     check the database and migrate it to head
    python -m lamtheoguongbac_sql current URL     print the database's schema revision
    python -m lamtheoguongbac_sql sql [DIALECT]   print the migrations as SQL (default postgresql)

``upgrade`` refuses, changing nothing, a database that is not ours or is newer than this
release, exactly as opening a store does.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from alembic import command

from lamtheoguongbac import StoreError
from lamtheoguongbac_sql import migrations
from lamtheoguongbac_sql.store import _mask, create_engine


def main(argv: Sequence[str] | None = None) -> int:
    """Run one schema command; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m lamtheoguongbac_sql", description=(__doc__ or "").split("::")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("upgrade", "nâng cấp lược đồ lên bản mới nhất / migrate the schema to head"),
        ("current", "phiên bản lược đồ hiện tại / the schema revision in the database"),
    ):
        commands.add_parser(name, help=text).add_argument("url")
    sql = commands.add_parser("sql", help="in các bước nâng cấp ra SQL / print the migrations")
    sql.add_argument("dialect", nargs="?", default="postgresql")
    args = parser.parse_args(argv)

    if args.command == "sql":
        cfg = migrations.config()
        cfg.set_main_option("dialect", args.dialect)
        command.upgrade(cfg, migrations.head(), sql=True)
        return 0
    where = _mask(args.url)
    try:
        engine = create_engine(args.url)
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        if args.command == "upgrade":
            migrations.upgrade(engine, where)
            print(f"{where}: {migrations.head()} (head)")
        else:
            with engine.connect() as connection:
                revision = migrations.check(connection, where)
            suffix = " (head)" if revision == migrations.head() else ""
            print(f"{where}: {revision or 'trống / empty'}{suffix}")
    except StoreError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:  # a driver error: say which database, not a traceback
        print(f"{where}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
