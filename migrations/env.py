"""Alembic environment: runs online against the configured URL, batch mode for SQLite.

Everything runs inside `migrations.migration_lock`, so processes that start together migrate
one after the other and the later ones find the head already there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

import models
from migrations import migration_lock

config = context.config
target_metadata = models.metadata


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    # NullPool: the connection (and with it any lock it still held) closes with the block.
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection, migration_lock(connection):
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; give a database URL")
run_migrations_online()
