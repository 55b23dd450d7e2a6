"""Exemplars (gương điển hình) and their organisation links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03

Exemplars are few (a handful per cell and year), so a listing is sorted in Python by
``exemplar_order`` and needs no collation key here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

IDENTIFIER = (
    sa.Text()
    .with_variant(sa.Text(collation="C"), "postgresql")
    .with_variant(sa.String(255, collation="utf8mb4_bin"), "mysql", "mariadb")
    .with_variant(sa.Unicode(255), "mssql", "oracle")
)
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "exemplars",
        sa.Column("id", IDENTIFIER, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("document", DOCUMENT, nullable=False),
    )
    op.create_index("exemplars_by_year", "exemplars", ["year"])
    op.create_table(
        "exemplar_units",
        sa.Column("unit_id", IDENTIFIER, primary_key=True),
        sa.Column(
            "exemplar_id",
            IDENTIFIER,
            sa.ForeignKey("exemplars.id", name="exemplar_units_exemplar_fk"),
            primary_key=True,
        ),
    )
    op.create_index("exemplar_units_by_exemplar", "exemplar_units", ["exemplar_id"])
