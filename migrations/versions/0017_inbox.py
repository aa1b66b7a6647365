"""inbound_inbox: webhook updates recorded before the answer, handled after

A Zalo webhook post is written here before it is answered 200, so a web process that dies
before handling it loses nothing: another process picks the row up (models/inbox.py,
services/inbox.py, docs/zalo.md).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 00:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_until", models.types.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("handled_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_inbox")),
        sa.UniqueConstraint("channel", "update_key", name=op.f("uq_inbound_inbox_channel")),
    )
    with op.batch_alter_table("inbound_inbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbound_inbox_pending", ["handled_at", "claimed_until"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inbound_inbox", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_inbox_pending")
    op.drop_table("inbound_inbox")
