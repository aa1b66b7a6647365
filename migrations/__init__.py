"""Alembic migrations; `migrations.upgrade()` brings any database to the current schema.

Every `sotay` command migrates on start, so several processes often migrate one database at the
same moment. `migration_lock` makes them take turns: the first migrates, the others then read
the head revision and do nothing. `env.py` runs every Alembic command inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

HERE = Path(__file__).resolve().parent

# The PostgreSQL advisory lock key that migrations hold: the bytes "sotaymig" as a signed 64-bit
# integer. Fixed forever, so processes of different versions still exclude each other.
MIGRATION_LOCK_KEY = int.from_bytes(b"sotaymig", "big")
# How long a SQLite migration waits for another process's migration (or a long write) to finish.
SQLITE_BUSY_TIMEOUT_MS = 300_000


def alembic_config(url: str) -> Config:
    """A config that works both from a checkout and from an installed package."""
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@contextmanager
def migration_lock(connection: sa.Connection) -> Iterator[None]:
    """Hold the database's migration lock and one open transaction for the migrations.

    The lock is taken before Alembic reads the current revision and released after its last
    write is committed, so a process that waited sees the head and migrates nothing.

    PostgreSQL: a session-level advisory lock, taken and committed *before* the migration
    transaction begins, so that transaction's snapshot (whatever the default isolation level)
    already sees what the previous holder committed. Closing the connection also releases it.

    SQLite: `BEGIN IMMEDIATE` takes the file's write lock up front (a second process waits in
    SQLite's busy handler), and the whole upgrade runs in that one transaction, which also makes
    it atomic (the driver would otherwise run each DDL statement in autocommit).

    The caller configures Alembic on `connection` inside this block: Alembic then sees an
    external transaction and leaves the commit to us.
    """
    dialect = connection.dialect.name
    if dialect == "postgresql":
        key = {"key": MIGRATION_LOCK_KEY}
        connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), key)
        connection.commit()
        try:
            with connection.begin():
                yield
        finally:
            # A broken connection has already lost the lock with its session.
            if not connection.invalidated:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), key)
                connection.commit()
    elif dialect == "sqlite" and connection.dialect.driver == "pysqlite":
        connection.exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        connection.commit()
        with connection.begin():
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield
    else:
        with connection.begin():
            yield


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate to `revision`; safe to call from several processes at once (`migration_lock`)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)
