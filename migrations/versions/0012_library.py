"""library: published documents and each member's saved documents

The library slice (services/library, handlers/library.py, handlers/library_manage.py;
docs/library.md).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "library_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("number_key", sa.String(length=64), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.String(length=1500), nullable=False),
        sa.Column("folded", sa.String(length=2000), nullable=False),
        sa.Column("file_ref", sa.String(length=500), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_kind", sa.String(length=16), nullable=True),
        sa.Column("file_channel", sa.String(length=16), nullable=True),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("published_by_member_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("withdrawn_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["published_by_member_id"],
            ["members.id"],
            name=op.f("fk_library_documents_published_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["superseded_by_id"],
            ["library_documents.id"],
            name=op.f("fk_library_documents_superseded_by_id_library_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_library_documents_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_documents")),
    )
    op.create_index(
        op.f("ix_library_documents_number_key"), "library_documents", ["number_key"], unique=False
    )
    op.create_index(
        op.f("ix_library_documents_updated_at"), "library_documents", ["updated_at"], unique=False
    )
    op.create_index(
        "ix_library_documents_unit_issued",
        "library_documents",
        ["unit_id", "issued_on"],
        unique=False,
    )
    op.create_table(
        "library_saved",
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("saved_at", models.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["library_documents.id"],
            name=op.f("fk_library_saved_document_id_library_documents"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_library_saved_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "document_id", name=op.f("pk_library_saved")),
    )


def downgrade() -> None:
    op.drop_table("library_saved")
    op.drop_index("ix_library_documents_unit_issued", table_name="library_documents")
    op.drop_index(op.f("ix_library_documents_updated_at"), table_name="library_documents")
    op.drop_index(op.f("ix_library_documents_number_key"), table_name="library_documents")
    op.drop_table("library_documents")
