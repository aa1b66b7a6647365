"""assessment: a cell's period, points added or removed, the band decided per member

The assessment slice (services/assessment, handlers/assessment*.py; docs/assessment.md),
Quy định 366-QĐ/TW. The suggestion is computed from the other features' facts; these tables
hold what the cell and the committee above decide.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_periods",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("submitted_by_member_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("approved_by_member_id", sa.Integer(), nullable=True),
        sa.Column("unlocked_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("unlocked_by_member_id", sa.Integer(), nullable=True),
        sa.Column("unlock_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by_member_id"],
            ["members.id"],
            name=op.f("fk_assessment_periods_approved_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_assessment_periods_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_member_id"],
            ["members.id"],
            name=op.f("fk_assessment_periods_submitted_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["unlocked_by_member_id"],
            ["members.id"],
            name=op.f("fk_assessment_periods_unlocked_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_periods")),
        sa.UniqueConstraint("cell_id", "period", name="uq_assessment_cell_period"),
    )
    op.create_index(
        op.f("ix_assessment_periods_cell_id"), "assessment_periods", ["cell_id"], unique=False
    )
    op.create_index(
        op.f("ix_assessment_periods_period"), "assessment_periods", ["period"], unique=False
    )
    op.create_table(
        "assessment_adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_assessment_adjustments_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_assessment_adjustments_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["assessment_periods.id"],
            name=op.f("fk_assessment_adjustments_period_id_assessment_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_adjustments")),
    )
    op.create_index(
        op.f("ix_assessment_adjustments_member_id"),
        "assessment_adjustments",
        ["member_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_assessment_adjustments_period_id"),
        "assessment_adjustments",
        ["period_id"],
        unique=False,
    )
    op.create_table(
        "assessment_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(length=24), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=True),
        sa.Column("votes_cast", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("suggested_score", sa.Integer(), nullable=True),
        sa.Column("suggested_band", sa.String(length=24), nullable=True),
        sa.Column("breakdown", sa.JSON(), nullable=False),
        sa.Column("decided_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("decided_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_member_id"],
            ["members.id"],
            name=op.f("fk_assessment_decisions_decided_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_assessment_decisions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["assessment_periods.id"],
            name=op.f("fk_assessment_decisions_period_id_assessment_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_decisions")),
        sa.UniqueConstraint("period_id", "member_id", name="uq_assessment_decision"),
    )
    op.create_index(
        op.f("ix_assessment_decisions_member_id"),
        "assessment_decisions",
        ["member_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_assessment_decisions_period_id"),
        "assessment_decisions",
        ["period_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assessment_decisions_period_id"), table_name="assessment_decisions")
    op.drop_index(op.f("ix_assessment_decisions_member_id"), table_name="assessment_decisions")
    op.drop_table("assessment_decisions")
    op.drop_index(op.f("ix_assessment_adjustments_period_id"), table_name="assessment_adjustments")
    op.drop_index(op.f("ix_assessment_adjustments_member_id"), table_name="assessment_adjustments")
    op.drop_table("assessment_adjustments")
    op.drop_index(op.f("ix_assessment_periods_period"), table_name="assessment_periods")
    op.drop_index(op.f("ix_assessment_periods_cell_id"), table_name="assessment_periods")
    op.drop_table("assessment_periods")
