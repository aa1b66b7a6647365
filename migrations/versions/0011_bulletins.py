"""bulletins: committee bulletins and the RSS/Atom feeds polled for a unit

The bulletins slice (services/bulletins, handlers/bulletins.py, docs/bulletins.md).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bulletin_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("next_poll_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("last_ok_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_bulletin_feeds_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletin_feeds")),
    )
    op.create_index(op.f("ix_bulletin_feeds_unit_id"), "bulletin_feeds", ["unit_id"], unique=False)
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=4000), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("file_ref", sa.String(length=500), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=True),
        sa.Column("guid", sa.String(length=200), nullable=True),
        sa.Column("author_member_id", sa.Integer(), nullable=True),
        sa.Column("posted_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("pushed_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("pushed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_member_id"],
            ["members.id"],
            name=op.f("fk_bulletins_author_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["bulletin_feeds.id"], name=op.f("fk_bulletins_feed_id_bulletin_feeds")
        ),
        sa.ForeignKeyConstraint(
            ["pushed_by_member_id"],
            ["members.id"],
            name=op.f("fk_bulletins_pushed_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_bulletins_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint("feed_id", "guid", name="uq_bulletins_feed_guid"),
    )
    op.create_index(op.f("ix_bulletins_feed_id"), "bulletins", ["feed_id"], unique=False)
    op.create_index(op.f("ix_bulletins_updated_at"), "bulletins", ["updated_at"], unique=False)
    op.create_index("ix_bulletins_unit_posted", "bulletins", ["unit_id", "posted_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_bulletins_unit_posted", table_name="bulletins")
    op.drop_index(op.f("ix_bulletins_updated_at"), table_name="bulletins")
    op.drop_index(op.f("ix_bulletins_feed_id"), table_name="bulletins")
    op.drop_table("bulletins")
    op.drop_index(op.f("ix_bulletin_feeds_unit_id"), table_name="bulletin_feeds")
    op.drop_table("bulletin_feeds")
