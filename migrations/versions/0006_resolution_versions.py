"""resolution versions: every text a resolution had, every vote recorded on it

Two tables, written by `services.meetings.resolutions`:

* `resolution_versions`: one row per version of a meeting's resolution, numbered from 1 per
  resolution, with the kind of change (first text, correction of wording, change of content)
  and when that version went to members;
* `resolution_votes`: one row per recorded vote, on one version, numbered from 1 per
  resolution, with the denominator as it was; a new vote never overwrites an older one.

Existing data is kept: a resolution with a text, a file or a vote becomes version 1 (published
when the resolution was), and its vote becomes vote 1 on that version. The columns of
`resolutions` stay as they were (they mirror the current version and its vote), so the
downgrade only drops the two tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-21 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolution_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("file_ref", sa.String(length=500), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("published_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_resolution_versions_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_resolution_versions_resolution_id_resolutions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_versions")),
        sa.UniqueConstraint("resolution_id", "number", name="uq_resolution_versions_number"),
    )
    op.create_table(
        "resolution_votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("votes_for", sa.Integer(), nullable=False),
        sa.Column("votes_against", sa.Integer(), nullable=False),
        sa.Column("votes_abstain", sa.Integer(), nullable=False),
        sa.Column("convened", sa.Integer(), nullable=False),
        sa.Column("eligible_present", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_member_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_member_id"],
            ["members.id"],
            name=op.f("fk_resolution_votes_recorded_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["resolution_id"],
            ["resolutions.id"],
            name=op.f("fk_resolution_votes_resolution_id_resolutions"),
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["resolution_versions.id"],
            name=op.f("fk_resolution_votes_version_id_resolution_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_votes")),
        sa.UniqueConstraint("resolution_id", "number", name="uq_resolution_votes_number"),
    )
    with op.batch_alter_table("resolution_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resolution_votes_version_id"), ["version_id"], unique=False
        )

    # Existing resolutions: their text or file becomes version 1, their vote vote 1. The
    # recorder of an old vote was not kept, so it stays unknown (NULL).
    op.execute(
        sa.text(
            "INSERT INTO resolution_versions (resolution_id, number, change, text, file_ref,"
            " file_kind, created_by_member_id, created_at, published_at)"
            " SELECT id, 1, 'ban_dau', text, file_ref, file_kind, created_by_member_id,"
            " created_at, published_at FROM resolutions"
            " WHERE text IS NOT NULL OR file_ref IS NOT NULL OR voted_at IS NOT NULL"
        )
    )
    op.execute(
        sa.text(
            "INSERT INTO resolution_votes (resolution_id, version_id, number, votes_for,"
            " votes_against, votes_abstain, convened, eligible_present, passed,"
            " recorded_by_member_id, recorded_at)"
            " SELECT r.id, v.id, 1, COALESCE(r.votes_for, 0), COALESCE(r.votes_against, 0),"
            " COALESCE(r.votes_abstain, 0), COALESCE(r.convened, 0),"
            " COALESCE(r.eligible_present, 0), COALESCE(r.passed, :no), NULL, r.voted_at"
            " FROM resolutions r JOIN resolution_versions v"
            " ON v.resolution_id = r.id AND v.number = 1"
            " WHERE r.voted_at IS NOT NULL"
        ).bindparams(sa.bindparam("no", False, type_=sa.Boolean()))
    )


def downgrade() -> None:
    # `resolutions` still holds the current version and its vote; the history goes.
    with op.batch_alter_table("resolution_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolution_votes_version_id"))
    op.drop_table("resolution_votes")
    op.drop_table("resolution_versions")
