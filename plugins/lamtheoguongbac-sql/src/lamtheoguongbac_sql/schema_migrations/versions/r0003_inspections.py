"""Inspections (kiểm tra, giám sát) and the append-only audit trail of exemplars and
inspections (record events).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04

Inspections are few, so a listing is sorted in Python by ``inspection_order``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

IDENTIFIER = (
    sa.Text()
    .with_variant(sa.Text(collation="C"), "postgresql")
    .with_variant(sa.String(255, collation="utf8mb4_bin"), "mysql", "mariadb")
    .with_variant(sa.Unicode(255), "mssql", "oracle")
)
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

APPEND_ONLY = "nhật ký chỉ được ghi thêm / events are append-only"

POSTGRESQL_TRIGGERS = (
    # The function is 0001's (ltgb_events_append_only): it refuses whatever it guards.
    """
    CREATE TRIGGER record_events_append_only BEFORE UPDATE OR DELETE ON record_events
    FOR EACH ROW EXECUTE FUNCTION ltgb_events_append_only()
    """,
    """
    CREATE TRIGGER record_events_no_truncate BEFORE TRUNCATE ON record_events
    FOR EACH STATEMENT EXECUTE FUNCTION ltgb_events_append_only()
    """,
)

SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER record_events_append_only_update BEFORE UPDATE ON record_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END
    """,
    f"""
    CREATE TRIGGER record_events_append_only_delete BEFORE DELETE ON record_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END
    """,
)


def upgrade() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("inspections_by_year", "inspections", ["year", "on_date"])
    op.create_table(
        "inspection_units",
        sa.Column("unit_id", IDENTIFIER, primary_key=True),
        sa.Column(
            "inspection_id",
            IDENTIFIER,
            sa.ForeignKey("inspections.id", name="inspection_units_inspection_fk"),
            primary_key=True,
        ),
    )
    op.create_index("inspection_units_by_inspection", "inspection_units", ["inspection_id"])
    op.create_table(
        "record_events",
        sa.Column("seq", SEQUENCE, sa.Identity(), primary_key=True),
        sa.Column("record_type", sa.String(20), nullable=False),
        sa.Column("record_id", IDENTIFIER, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("record_events_by_record", "record_events", ["record_type", "record_id", "seq"])
    dialect = op.get_context().dialect.name
    triggers = {"postgresql": POSTGRESQL_TRIGGERS, "sqlite": SQLITE_TRIGGERS}.get(dialect, ())
    for statement in triggers:
        op.execute(statement)
