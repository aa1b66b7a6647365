"""study: placeholder (filled in by the study slice)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 09:00:00.000000
"""

from __future__ import annotations

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
