"""Several processes starting at once on one database migrate it once and all start.

Every `sotay` command migrates on start, so a deployment that starts the bot, the webhook server
and a worker together runs three `migrations.upgrade` at the same moment. Without a lock each
reads "no revision" and creates the same tables; PostgreSQL then fails one of them with a
`UniqueViolation` on `pg_type`. The processes here are real and released together through a
pipe barrier (each imports everything first, then waits for one line on standard input), so the
migrations overlap instead of one finishing during the others' imports.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

import migrations
import models
from tests.conftest import PG_ADMIN_URL
from tests.support import fresh_pg_database
from tests.test_migrations import not_raw_sql

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = 3
# Imports first, then "ready", then wait for the go line: the barrier that makes them overlap.
CHILD = """
import sys
import migrations
print("ready", flush=True)
sys.stdin.readline()
migrations.upgrade(sys.argv[1])
"""


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    """A freshly created, empty PostgreSQL database, dropped afterwards."""
    with fresh_pg_database(PG_ADMIN_URL, "sotay_lock") as url:
        yield url


def _migrate_together(url: str) -> None:
    """Start the processes, wait until each is ready, release them at once, expect exit 0."""
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready", child.stderr
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        results = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    failures = [
        (child.returncode, err) for child, (_out, err) in zip(children, results, strict=True)
    ]
    assert [code for code, _err in failures] == [0] * PROCESSES, failures


def _assert_at_head(url: str) -> None:
    head = ScriptDirectory.from_config(migrations.alembic_config(url)).get_current_head()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            opts = {"compare_type": True, "include_name": not_raw_sql}
            context = MigrationContext.configure(conn, opts=opts)
            assert context.get_current_heads() == (head,)
            assert compare_metadata(context, models.metadata) == []
    finally:
        engine.dispose()


def test_postgresql_processes_migrate_together(empty_pg_url: str) -> None:
    _migrate_together(empty_pg_url)
    _assert_at_head(empty_pg_url)


def test_sqlite_processes_migrate_together(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'together.db'}"
    _migrate_together(url)
    _assert_at_head(url)


def test_postgresql_lock_is_taken_before_the_revision_is_read(empty_pg_url: str) -> None:
    """While another session holds the migration lock, an upgrade waits before reading or
    creating anything. `lock_timeout` turns that wait into an error so the test never hangs:
    the upgrade fails on the lock, and the database is still empty."""
    holder = sa.create_engine(empty_pg_url, poolclass=sa.pool.NullPool)
    impatient = (
        sa.make_url(empty_pg_url)
        .update_query_dict({"options": "-c lock_timeout=50"})
        .render_as_string(hide_password=False)
    )
    try:
        with holder.connect() as conn:
            conn.execute(
                sa.text("SELECT pg_advisory_lock(:key)"), {"key": migrations.MIGRATION_LOCK_KEY}
            )
            conn.commit()
            with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
                migrations.upgrade(impatient)
            assert sa.inspect(conn).get_table_names() == []
            conn.execute(
                sa.text("SELECT pg_advisory_unlock(:key)"), {"key": migrations.MIGRATION_LOCK_KEY}
            )
            conn.commit()
        migrations.upgrade(empty_pg_url)
        _assert_at_head(empty_pg_url)
    finally:
        holder.dispose()
