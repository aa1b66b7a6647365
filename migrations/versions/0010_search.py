"""search: one index of what the features offer, its readers, its refresh state, full text

The search slice (services/search, handlers/search.py). Full text over the text folded by
`services.textnorm` (so both databases see the same words, đ already d):

- SQLite: `search_fts`, an FTS5 table with external content (`search_items`), so the text is
  stored once; the triggers below keep it in step with every write to `search_items`, and
  `INSERT INTO search_fts(search_fts) VALUES('rebuild')` rebuilds it. A later migration that
  rebuilds `search_items` in batch mode (copy and rename) must create the triggers again.
- PostgreSQL: `search_vector`, a stored generated column (the weighted tsvector of the folded
  title and body; 'simple' configuration: no stemming, no stop words; `unaccent` is neither
  needed nor immutable), with a GIN index. Stored, not only indexed: ts_rank and the index's
  recheck read it instead of parsing each matching row's text again (at 100,000 items a
  common word cost seconds without it). It is not in the model (SQLite has no such type).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import models

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# The PostgreSQL expression of the stored `search_vector` column.
TSVECTOR = (
    "(setweight(to_tsvector('simple'::regconfig, title_folded), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_folded), 'B'))"
)

_SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title_folded, body_folded, "
    "content='search_items', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_items_ai AFTER INSERT ON search_items BEGIN "
    "INSERT INTO search_fts(rowid, title_folded, body_folded) "
    "VALUES (new.id, new.title_folded, new.body_folded); END",
    "CREATE TRIGGER search_items_ad AFTER DELETE ON search_items BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_folded, body_folded) "
    "VALUES ('delete', old.id, old.title_folded, old.body_folded); END",
    "CREATE TRIGGER search_items_au AFTER UPDATE ON search_items BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_folded, body_folded) "
    "VALUES ('delete', old.id, old.title_folded, old.body_folded); "
    "INSERT INTO search_fts(rowid, title_folded, body_folded) "
    "VALUES (new.id, new.title_folded, new.body_folded); END",
]


def upgrade() -> None:
    op.create_table(
        "search_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("title_folded", sa.Text(), nullable=False),
        sa.Column("body_folded", sa.Text(), nullable=False),
        sa.Column("at", models.types.UTCDateTime(), nullable=False),
        sa.Column("opens", sa.String(length=64), nullable=True),
        sa.Column("indexed_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_items")),
        sa.UniqueConstraint("kind", "ref_id", name="uq_search_items_kind_ref"),
    )
    op.create_index("ix_search_items_kind_at", "search_items", ["kind", "at"], unique=False)
    op.create_table(
        "search_readers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["search_items.id"], name=op.f("fk_search_readers_item_id_search_items")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_search_readers_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_search_readers_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_readers")),
    )
    op.create_index(op.f("ix_search_readers_item_id"), "search_readers", ["item_id"], unique=False)
    op.create_index(
        "ix_search_readers_unit", "search_readers", ["unit_id", "item_id"], unique=False
    )
    op.create_index(
        "ix_search_readers_member", "search_readers", ["member_id", "item_id"], unique=False
    )
    op.create_table(
        "search_state",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("refreshed_at", models.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_search_state")),
    )
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    elif dialect == "postgresql":
        op.execute(
            f"ALTER TABLE search_items ADD COLUMN search_vector tsvector "
            f"GENERATED ALWAYS AS {TSVECTOR} STORED"
        )
        op.execute("CREATE INDEX ix_search_items_fts ON search_items USING gin (search_vector)")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for trigger in ("search_items_ai", "search_items_ad", "search_items_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_search_items_fts")
    op.drop_table("search_state")
    op.drop_index("ix_search_readers_member", table_name="search_readers")
    op.drop_index("ix_search_readers_unit", table_name="search_readers")
    op.drop_index(op.f("ix_search_readers_item_id"), table_name="search_readers")
    op.drop_table("search_readers")
    op.drop_index("ix_search_items_kind_at", table_name="search_items")
    op.drop_table("search_items")
