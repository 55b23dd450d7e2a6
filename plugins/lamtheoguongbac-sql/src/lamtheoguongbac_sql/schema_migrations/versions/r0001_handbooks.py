"""Handbooks, their organisation links, the append-only event log, the roster and meta.

Revision ID: 0001
Revises:
Create Date: 2026-12-03

Released steps are never edited: a change to the schema is a new step.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

# The column types as this step created them (frozen here, not imported, so a later change
# to the current schema cannot rewrite history).
IDENTIFIER = (
    sa.Text()
    .with_variant(sa.Text(collation="C"), "postgresql")
    .with_variant(sa.String(255, collation="utf8mb4_bin"), "mysql", "mariadb")
    .with_variant(sa.Unicode(255), "mssql", "oracle")
)
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TEXT = sa.UnicodeText()
STATUS = sa.String(20)

APPEND_ONLY = "nhật ký chỉ được ghi thêm / events are append-only"

POSTGRESQL_TRIGGERS = (
    f"""
    CREATE FUNCTION ltgb_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION ltgb_events_append_only()
    """,
    """
    CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION ltgb_events_append_only()
    """,
)

SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END
    """,
    f"""
    CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END
    """,
)


def upgrade() -> None:
    op.create_table(
        "handbooks",
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("member_id", IDENTIFIER, nullable=False),
        sa.Column("cell_id", IDENTIFIER, nullable=False),
        sa.Column("grassroots_id", IDENTIFIER, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("member_name", TEXT, nullable=False),
        sa.Column("member_sort", TEXT, nullable=True),
        sa.Column("sort_key", sa.LargeBinary, nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("handbooks_by_cell", "handbooks", ["cell_id", "year", "sort_key", "id"])
    op.create_index("handbooks_by_year", "handbooks", ["year", "cell_id", "sort_key", "id"])
    op.create_index("handbooks_by_status", "handbooks", ["status", "year"])
    op.create_index("handbooks_by_member", "handbooks", ["member_id", "year"])
    op.create_index("handbooks_by_grassroots", "handbooks", ["grassroots_id", "year"])
    op.create_table(
        "handbook_units",
        sa.Column("unit_id", IDENTIFIER, primary_key=True),
        sa.Column(
            "handbook_id",
            IDENTIFIER,
            sa.ForeignKey("handbooks.id", name="handbook_units_handbook_fk"),
            primary_key=True,
        ),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", STATUS, nullable=False),
    )
    op.create_index("handbook_units_by_handbook", "handbook_units", ["handbook_id"])
    op.create_index("handbook_units_by_unit_year", "handbook_units", ["unit_id", "year", "status"])
    op.create_table(
        "events",
        sa.Column(
            "handbook_id",
            IDENTIFIER,
            sa.ForeignKey("handbooks.id", name="events_handbook_fk"),
            primary_key=True,
        ),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    dialect = op.get_context().dialect.name
    triggers = {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(dialect, ())
    for statement in triggers:
        op.execute(statement)
    op.create_table(
        "units",
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_table(
        "members",
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("cell_id", IDENTIFIER, nullable=False),
        sa.Column("full_name", TEXT, nullable=False),
        sa.Column("sort_override", TEXT, nullable=True),
        sa.Column("sort_key", sa.LargeBinary, nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("members_by_cell", "members", ["cell_id", "sort_key", "id"])
    meta = op.create_table(
        "meta",
        sa.Column("key", IDENTIFIER, primary_key=True),
        sa.Column("value", TEXT, nullable=False),
    )
    op.bulk_insert(meta, [{"key": "application", "value": "lamtheoguongbac"}])
