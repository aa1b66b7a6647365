"""supervision: task progress reports, closures, escalation steps, the yearly programme

The supervision slice (services/supervision, handlers/supervision.py, docs/supervision.md).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "task_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("file_ref", sa.String(length=500), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("reported_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_task_reports_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_reports_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_reports")),
    )
    op.create_index(
        "ix_task_reports_task_at", "task_reports", ["task_id", "reported_at"], unique=False
    )
    op.create_table(
        "task_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("closed_by_member_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_member_id"],
            ["members.id"],
            name=op.f("fk_task_closures_closed_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_closures_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_closures")),
        sa.UniqueConstraint("task_id", name=op.f("uq_task_closures_task_id")),
    )
    op.create_table(
        "task_escalations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["task_id"], ["tasks.id"], name=op.f("fk_task_escalations_task_id_tasks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_escalations")),
        sa.UniqueConstraint("task_id", "step", name="uq_task_escalations_step"),
    )
    op.create_table(
        "supervision_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("content", sa.String(length=1000), nullable=False),
        sa.Column("conclusion", sa.String(length=2000), nullable=True),
        sa.Column("concluded_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("concluded_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_supervision_items_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["concluded_by_member_id"],
            ["members.id"],
            name=op.f("fk_supervision_items_concluded_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_supervision_items_created_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_items")),
    )
    op.create_index(
        "ix_supervision_items_cell_year",
        "supervision_items",
        ["cell_id", "year"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_supervision_items_cell_year", table_name="supervision_items")
    op.drop_table("supervision_items")
    op.drop_table("task_escalations")
    op.drop_table("task_closures")
    op.drop_index("ix_task_reports_task_at", table_name="task_reports")
    op.drop_table("task_reports")
