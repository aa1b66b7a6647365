"""delivery_workers: the delivery workers' heartbeats

A worker whose heartbeat stops is gone: the rows it held are sent again within seconds rather
than after their lease (bot/delivery/heartbeat.py, issue 16).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_workers",
        sa.Column("worker_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("started_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("seen_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_delivery_workers")),
    )
    with op.batch_alter_table("delivery_workers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_delivery_workers_seen_at"), ["seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("delivery_workers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delivery_workers_seen_at"))
    op.drop_table("delivery_workers")
