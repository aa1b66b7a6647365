"""party fees: bases with history, reductions, collectors, payee accounts, payments, closes

The fees slice (services/fees, handlers/fees.py). What a member owes is computed from these
facts (docs/fees.md); nothing here is a running total.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fee_collectors",
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("appointed_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("appointed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["appointed_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_collectors_appointed_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_fee_collectors_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_fee_collectors_member_id_members")
        ),
        sa.PrimaryKeyConstraint("cell_id", name=op.f("pk_fee_collectors")),
    )
    op.create_index(
        op.f("ix_fee_collectors_member_id"), "fee_collectors", ["member_id"], unique=False
    )
    op.create_table(
        "fee_month_closes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("expected", sa.BigInteger(), nullable=False),
        sa.Column("collected", sa.BigInteger(), nullable=False),
        sa.Column("remit", sa.BigInteger(), nullable=False),
        sa.Column("closed_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("closed_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_fee_month_closes_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_month_closes_closed_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_month_closes")),
        sa.UniqueConstraint("cell_id", "month", name="uq_fee_month_closes_month"),
    )
    op.create_index(
        op.f("ix_fee_month_closes_cell_id"), "fee_month_closes", ["cell_id"], unique=False
    )
    op.create_table(
        "fee_payments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("extra", sa.BigInteger(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("book_month", sa.Date(), nullable=True),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("receipt_ref", sa.String(length=500), nullable=True),
        sa.Column("reject_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", models.types.UTCDateTime(), nullable=True),
        sa.Column("decided_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_fee_payments_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_payments_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_payments_decided_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_fee_payments_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_payments")),
        sa.UniqueConstraint("key", name=op.f("uq_fee_payments_key")),
    )
    op.create_index(
        "ix_fee_payments_cell_book", "fee_payments", ["cell_id", "book_month"], unique=False
    )
    op.create_index(op.f("ix_fee_payments_member_id"), "fee_payments", ["member_id"], unique=False)
    op.create_table(
        "fee_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=24), nullable=False),
        sa.Column("income", sa.BigInteger(), nullable=True),
        sa.Column("region", sa.Integer(), nullable=True),
        sa.Column("exemption", sa.String(length=24), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_profiles_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_fee_profiles_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_profiles")),
        sa.UniqueConstraint("member_id", "valid_from", name="uq_fee_profiles_month"),
    )
    op.create_index(op.f("ix_fee_profiles_member_id"), "fee_profiles", ["member_id"], unique=False)
    op.create_table(
        "fee_reductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("created_by_member_id", sa.Integer(), nullable=True),
        sa.Column("cancelled_at", models.types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_reductions_created_by_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_fee_reductions_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fee_reductions")),
    )
    op.create_index(
        op.f("ix_fee_reductions_member_id"), "fee_reductions", ["member_id"], unique=False
    )
    op.create_table(
        "fee_reminders",
        sa.Column("cell_id", sa.Integer(), nullable=False),
        sa.Column("sent_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("sent_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cell_id"], ["units.id"], name=op.f("fk_fee_reminders_cell_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_reminders_sent_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("cell_id", name=op.f("pk_fee_reminders")),
    )
    op.create_table(
        "fee_unit_settings",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("region", sa.Integer(), nullable=True),
        sa.Column("bank_bin", sa.String(length=6), nullable=True),
        sa.Column("account_number", sa.String(length=19), nullable=True),
        sa.Column("account_holder", sa.String(length=100), nullable=True),
        sa.Column("payee_member_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", models.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by_member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["payee_member_id"],
            ["members.id"],
            name=op.f("fk_fee_unit_settings_payee_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_fee_unit_settings_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_member_id"],
            ["members.id"],
            name=op.f("fk_fee_unit_settings_updated_by_member_id_members"),
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_fee_unit_settings")),
    )


def downgrade() -> None:
    op.drop_table("fee_unit_settings")
    op.drop_table("fee_reminders")
    op.drop_index(op.f("ix_fee_reductions_member_id"), table_name="fee_reductions")
    op.drop_table("fee_reductions")
    op.drop_index(op.f("ix_fee_profiles_member_id"), table_name="fee_profiles")
    op.drop_table("fee_profiles")
    op.drop_index(op.f("ix_fee_payments_member_id"), table_name="fee_payments")
    op.drop_index("ix_fee_payments_cell_book", table_name="fee_payments")
    op.drop_table("fee_payments")
    op.drop_index(op.f("ix_fee_month_closes_cell_id"), table_name="fee_month_closes")
    op.drop_table("fee_month_closes")
    op.drop_index(op.f("ix_fee_collectors_member_id"), table_name="fee_collectors")
    op.drop_table("fee_collectors")
