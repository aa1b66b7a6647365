"""delivery engine: shared per-token rate, parts of split messages, claim indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 20:28:56.562073
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_rates",
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("next_slot_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("paused_until", models.types.UTCDateTime(), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_delivery_rates")),
    )
    op.create_table(
        "delivery_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("platform_message_id", sa.String(length=64), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_delivery_parts_delivery_id_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_parts")),
        sa.UniqueConstraint("delivery_id", "part", name="uq_delivery_part"),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deliveries_chat", ["channel", "chat_id", "status", "sent_at"], unique=False
        )
        batch_op.create_index("ix_deliveries_claim", ["channel", "status", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_claim")
        batch_op.drop_index("ix_deliveries_chat")

    op.drop_table("delivery_parts")
    op.drop_table("delivery_rates")
