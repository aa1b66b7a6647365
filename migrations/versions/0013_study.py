"""study: monthly topics, yearly pledges and reviews, resolution study with quizzes, role models

The study slice (services/study, handlers/study.py, docs/study.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "study_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=1000), nullable=False),
        sa.Column("reading_ref", sa.String(length=500), nullable=True),
        sa.Column("reading_kind", sa.String(length=16), nullable=True),
        sa.Column("reading_name", sa.String(length=200), nullable=True),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("for_agenda", sa.Boolean(), nullable=False),
        sa.Column("posted_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["posted_by_member_id"],
            ["members.id"],
            name=op.f("fk_study_topics_posted_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_study_topics_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_topics")),
        sa.UniqueConstraint("unit_id", "month", name="uq_study_topics_unit_month"),
    )
    op.create_index(op.f("ix_study_topics_unit_id"), "study_topics", ["unit_id"], unique=False)
    op.create_index(op.f("ix_study_topics_month"), "study_topics", ["month"], unique=False)
    op.create_table(
        "study_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("commitments", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("return_note", sa.String(length=300), nullable=True),
        sa.Column("submitted_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("decided_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by_member_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_study_pledges_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_member_id"],
            ["members.id"],
            name=op.f("fk_study_pledges_decided_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_study_pledges_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_pledges")),
        sa.UniqueConstraint("member_id", "year", name="uq_study_pledges_member_year"),
    )
    op.create_index(op.f("ix_study_pledges_cell_id"), "study_pledges", ["cell_id"], unique=False)
    op.create_index(
        op.f("ix_study_pledges_member_id"), "study_pledges", ["member_id"], unique=False
    )
    op.create_index(op.f("ix_study_pledges_year"), "study_pledges", ["year"], unique=False)
    op.create_table(
        "study_pledge_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pledge_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("ratings", sa.JSON(), nullable=False),
        sa.Column("submitted_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("confirmed_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("confirmed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by_member_id"],
            ["members.id"],
            name=op.f("fk_study_pledge_reviews_confirmed_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["pledge_id"],
            ["study_pledges.id"],
            name=op.f("fk_study_pledge_reviews_pledge_id_study_pledges"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_pledge_reviews")),
        sa.UniqueConstraint("pledge_id", "period", name="uq_study_pledge_reviews_pledge_period"),
    )
    op.create_index(
        op.f("ix_study_pledge_reviews_pledge_id"),
        "study_pledge_reviews",
        ["pledge_id"],
        unique=False,
    )

    op.create_table(
        "study_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("key_points", sa.String(length=2000), nullable=False),
        sa.Column("document_ref", sa.String(length=500), nullable=True),
        sa.Column("document_kind", sa.String(length=16), nullable=True),
        sa.Column("document_name", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_study_assignments_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_study_assignments_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_assignments")),
    )
    op.create_index(
        op.f("ix_study_assignments_unit_id"), "study_assignments", ["unit_id"], unique=False
    )
    op.create_table(
        "study_quiz_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("completed_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["study_assignments.id"],
            name=op.f("fk_study_quiz_results_assignment_id_study_assignments"),
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_study_quiz_results_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_study_quiz_results_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_quiz_results")),
        sa.UniqueConstraint(
            "assignment_id", "member_id", name="uq_study_quiz_results_assignment_member"
        ),
    )
    op.create_index(
        op.f("ix_study_quiz_results_assignment_id"),
        "study_quiz_results",
        ["assignment_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_study_quiz_results_cell_id"), "study_quiz_results", ["cell_id"], unique=False
    )
    op.create_index(
        op.f("ix_study_quiz_results_member_id"), "study_quiz_results", ["member_id"], unique=False
    )
    op.create_table(
        "study_role_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("story", sa.String(length=1500), nullable=False),
        sa.Column("photo_ref", sa.String(length=500), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_study_role_models_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_study_role_models_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_study_role_models")),
    )
    op.create_index(
        op.f("ix_study_role_models_unit_id"), "study_role_models", ["unit_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_study_role_models_unit_id"), table_name="study_role_models")
    op.drop_table("study_role_models")
    op.drop_index(op.f("ix_study_quiz_results_member_id"), table_name="study_quiz_results")
    op.drop_index(op.f("ix_study_quiz_results_cell_id"), table_name="study_quiz_results")
    op.drop_index(op.f("ix_study_quiz_results_assignment_id"), table_name="study_quiz_results")
    op.drop_table("study_quiz_results")
    op.drop_index(op.f("ix_study_assignments_unit_id"), table_name="study_assignments")
    op.drop_table("study_assignments")
    op.drop_index(op.f("ix_study_pledge_reviews_pledge_id"), table_name="study_pledge_reviews")
    op.drop_table("study_pledge_reviews")
    op.drop_index(op.f("ix_study_pledges_year"), table_name="study_pledges")
    op.drop_index(op.f("ix_study_pledges_member_id"), table_name="study_pledges")
    op.drop_index(op.f("ix_study_pledges_cell_id"), table_name="study_pledges")
    op.drop_table("study_pledges")
    op.drop_index(op.f("ix_study_topics_month"), table_name="study_topics")
    op.drop_index(op.f("ix_study_topics_unit_id"), table_name="study_topics")
    op.drop_table("study_topics")
