"""questions and answers: relayed questions, imported and published FAQ entries, approvals

The FAQ slice (services/faq, handlers/faq.py). The curated FAQ itself ships as a data file;
these tables hold what a deployment adds or decides (docs/faq.md).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("asked_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=True),
        sa.Column("answered_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("answered_by_member_id", sa.Integer(), nullable=True),
        sa.Column("reminded_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answered_by_member_id"],
            ["members.id"],
            name=op.f("fk_faq_questions_answered_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_faq_questions_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_faq_questions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_questions")),
    )
    op.create_index(op.f("ix_faq_questions_cell_id"), "faq_questions", ["cell_id"], unique=False)
    op.create_index(
        op.f("ix_faq_questions_member_id"), "faq_questions", ["member_id"], unique=False
    )
    op.create_index(
        "ix_faq_questions_status_asked", "faq_questions", ["status", "asked_at"], unique=False
    )
    op.create_table(
        "faq_reviews",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("reviewed_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("reviewed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["reviewed_by_member_id"],
            ["members.id"],
            name=op.f("fk_faq_reviews_reviewed_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_faq_reviews")),
    )
    op.create_table(
        "faq_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("question", sa.String(length=1000), nullable=False),
        sa.Column("answer", sa.String(length=2000), nullable=False),
        sa.Column("source", sa.String(length=300), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_faq_entries_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["faq_questions.id"],
            name=op.f("fk_faq_entries_question_id_faq_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_faq_entries_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_faq_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_faq_entries_key")),
    )
    op.create_index(op.f("ix_faq_entries_unit_id"), "faq_entries", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_faq_entries_unit_id"), table_name="faq_entries")
    op.drop_table("faq_entries")
    op.drop_table("faq_reviews")
    op.drop_index("ix_faq_questions_status_asked", table_name="faq_questions")
    op.drop_index(op.f("ix_faq_questions_member_id"), table_name="faq_questions")
    op.drop_index(op.f("ix_faq_questions_cell_id"), table_name="faq_questions")
    op.drop_table("faq_questions")
