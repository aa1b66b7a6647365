"""zalo files: images served publicly for Zalo's sendPhoto, and received update keys

Two tables, both written by the Zalo channel:

* `public_files`: generated images under an unguessable token (`GET /files/<token>`), with
  the content hash unique so one chart sent to many members is stored once, and the expiry
  indexed for the purge;
* `inbound_updates`: one row per (channel, update key) received, so a repeated update is
  handled once across processes and restarts; purged by age (`received_at`).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_files",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_public_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_public_files_sha256")),
    )
    with op.batch_alter_table("public_files", schema=None) as batch_op:
        batch_op.create_index("ix_public_files_expires_at", ["expires_at"], unique=False)

    op.create_table(
        "inbound_updates",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=200), nullable=False),
        sa.Column("received_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("channel", "update_key", name=op.f("pk_inbound_updates")),
    )
    with op.batch_alter_table("inbound_updates", schema=None) as batch_op:
        batch_op.create_index("ix_inbound_updates_received_at", ["received_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inbound_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_updates_received_at")
    op.drop_table("inbound_updates")

    with op.batch_alter_table("public_files", schema=None) as batch_op:
        batch_op.drop_index("ix_public_files_expires_at")
    op.drop_table("public_files")
