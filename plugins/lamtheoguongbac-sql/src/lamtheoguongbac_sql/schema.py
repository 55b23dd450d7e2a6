"""The tables the store reads and writes, as SQLAlchemy Core metadata (lược đồ cơ sở dữ liệu).

This is the schema at the newest migration (``alembic/versions``); the migrations create it
and are the only thing that changes it. Every query the service makes has an index:

* ``handbooks``: one row per handbook; ``document`` is the whole handbook as the library's
  JSON (JSONB on PostgreSQL). The other columns are what queries filter and sort on: cell,
  year, status, member, grassroots organisation, and ``sort_key`` — the member's roster order
  as bytes (:func:`lamtheoguongbac.plugin.roster_key`), compared byte by byte by every
  database, so Vietnamese collation never depends on the server's locale;
* ``handbook_units``: one row per unit of a handbook's organisation chain, so an
  organisation-subtree query or count is one index range; ``year`` and ``status`` repeat the
  handbook's so a status count of a province never reads ``handbooks``;
* ``events``: the append-only audit trail, one row per (handbook, version); a trigger refuses
  ``UPDATE``, ``DELETE`` (and on PostgreSQL ``TRUNCATE``);
* ``units``, ``members``: the roster; ``exemplars``, ``exemplar_units``: the exemplars;
* ``inspections``, ``inspection_units``: inspections; ``record_events``: the append-only
  audit trail of exemplars and inspections;
* ``meta``: settings of the database (the collation that computed ``sort_key``).

Identifiers compare by code point, as the storage contract orders them: PostgreSQL columns
use the ``"C"`` collation (UTF-8 bytes in order), SQLite's default ``BINARY`` is the same.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

__all__ = [
    "APPLICATION",
    "DOCUMENT",
    "IDENTIFIER",
    "VERSION_TABLE",
    "events",
    "exemplar_units",
    "exemplars",
    "handbook_units",
    "handbooks",
    "inspection_units",
    "inspections",
    "members",
    "meta",
    "metadata",
    "record_events",
    "units",
]

#: The Alembic version table: its presence marks a database as ours.
VERSION_TABLE = "lamtheoguongbac_version"

#: The value of ``meta.application`` in every database this plugin created.
APPLICATION = "lamtheoguongbac"

#: Identifiers and other compared text: code-point order everywhere. Servers that need a
#: length for an indexed column get one (MySQL and SQL Server also need a binary collation
#: such as ``utf8mb4_bin`` / ``Latin1_General_100_BIN2_UTF8`` for the contract's order).
IDENTIFIER = (
    sa.Text()
    .with_variant(sa.Text(collation="C"), "postgresql")
    .with_variant(sa.String(255, collation="utf8mb4_bin"), "mysql", "mariadb")
    .with_variant(sa.Unicode(255), "mssql", "oracle")
)

#: A whole record as the library's JSON: JSONB on PostgreSQL, JSON text elsewhere.
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

_TEXT = sa.UnicodeText()
_STATUS = sa.String(20)

metadata = sa.MetaData()

handbooks = sa.Table(
    "handbooks",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("member_id", IDENTIFIER, nullable=False),
    sa.Column("cell_id", IDENTIFIER, nullable=False),
    sa.Column("grassroots_id", IDENTIFIER, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("status", _STATUS, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("member_name", _TEXT, nullable=False),
    sa.Column("member_sort", _TEXT, nullable=True),
    sa.Column("sort_key", sa.LargeBinary, nullable=False),
    sa.Column("document", DOCUMENT, nullable=False),
    sa.Index("handbooks_by_cell", "cell_id", "year", "sort_key", "id"),
    sa.Index("handbooks_by_year", "year", "cell_id", "sort_key", "id"),
    sa.Index("handbooks_by_status", "status", "year"),
    sa.Index("handbooks_by_member", "member_id", "year"),
    sa.Index("handbooks_by_grassroots", "grassroots_id", "year"),
)

handbook_units = sa.Table(
    "handbook_units",
    metadata,
    sa.Column("unit_id", IDENTIFIER, primary_key=True),
    sa.Column(
        "handbook_id",
        IDENTIFIER,
        sa.ForeignKey("handbooks.id", name="handbook_units_handbook_fk"),
        primary_key=True,
    ),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("status", _STATUS, nullable=False),
    sa.Index("handbook_units_by_handbook", "handbook_id"),
    sa.Index("handbook_units_by_unit_year", "unit_id", "year", "status"),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column(
        "handbook_id",
        IDENTIFIER,
        sa.ForeignKey("handbooks.id", name="events_handbook_fk"),
        primary_key=True,
    ),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("document", DOCUMENT, nullable=False),
)

units = sa.Table(
    "units",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("document", DOCUMENT, nullable=False),
)

members = sa.Table(
    "members",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("cell_id", IDENTIFIER, nullable=False),
    sa.Column("full_name", _TEXT, nullable=False),
    sa.Column("sort_override", _TEXT, nullable=True),
    sa.Column("sort_key", sa.LargeBinary, nullable=False),
    sa.Column("document", DOCUMENT, nullable=False),
    sa.Index("members_by_cell", "cell_id", "sort_key", "id"),
)

meta = sa.Table(
    "meta",
    metadata,
    sa.Column("key", IDENTIFIER, primary_key=True),
    sa.Column("value", _TEXT, nullable=False),
)

exemplars = sa.Table(
    "exemplars",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", DOCUMENT, nullable=False),
    sa.Index("exemplars_by_year", "year"),
)

exemplar_units = sa.Table(
    "exemplar_units",
    metadata,
    sa.Column("unit_id", IDENTIFIER, primary_key=True),
    sa.Column(
        "exemplar_id",
        IDENTIFIER,
        sa.ForeignKey("exemplars.id", name="exemplar_units_exemplar_fk"),
        primary_key=True,
    ),
    sa.Index("exemplar_units_by_exemplar", "exemplar_id"),
)

inspections = sa.Table(
    "inspections",
    metadata,
    sa.Column("id", IDENTIFIER, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("on_date", sa.Date, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", DOCUMENT, nullable=False),
    sa.Index("inspections_by_year", "year", "on_date"),
)

inspection_units = sa.Table(
    "inspection_units",
    metadata,
    sa.Column("unit_id", IDENTIFIER, primary_key=True),
    sa.Column(
        "inspection_id",
        IDENTIFIER,
        sa.ForeignKey("inspections.id", name="inspection_units_inspection_fk"),
        primary_key=True,
    ),
    sa.Index("inspection_units_by_inspection", "inspection_id"),
)

#: The append-only audit trail of exemplars and inspections, oldest first by ``seq``.
record_events = sa.Table(
    "record_events",
    metadata,
    sa.Column(
        "seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), sa.Identity(), primary_key=True
    ),
    sa.Column("record_type", sa.String(20), nullable=False),
    sa.Column("record_id", IDENTIFIER, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("document", DOCUMENT, nullable=False),
    sa.Index("record_events_by_record", "record_type", "record_id", "seq"),
)
