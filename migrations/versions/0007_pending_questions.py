"""pending questions: earlier numbered questions a chat without buttons has not answered yet

On Zalo and in the terminal a member answers with a digit, and a digit can only answer the
question shown last. When a second message with options arrives before the first is answered,
the first one waits in `conversation_states.pending` (oldest first) and is offered again once
the newer one is answered (`services.questions`). A JSON list, empty for every existing row.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-28 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.add_column(sa.Column("pending", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("conversation_states") as batch:
        batch.drop_column("pending")
