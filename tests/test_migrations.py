"""Migrations build exactly the models' schema, on SQLite and PostgreSQL, and go back down."""

from __future__ import annotations

import uuid
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import migrations
import models
from tests.conftest import PG_ADMIN_URL

# The search's full text, made in raw SQL by migration 0010, has no model: SQLite's FTS5 table
# (and its shadow tables), PostgreSQL's stored tsvector column and its GIN index.
RAW_SQL_NAMES = ("search_fts", "search_vector", "ix_search_items_fts")


def not_raw_sql(name: str | None, _type: str, _parents: object) -> bool:
    return not (name or "").startswith(RAW_SQL_NAMES)


def _assert_matches_models(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_name": not_raw_sql}
        context = MigrationContext.configure(conn, opts=opts)
        diff = compare_metadata(context, models.metadata)
    engine.dispose()
    assert diff == []


def _round_trip(url: str) -> None:
    migrations.upgrade(url)
    _assert_matches_models(url)
    migrations.downgrade(url, "base")
    engine = sa.create_engine(url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrations.upgrade(url)
    migrations.upgrade(url)  # idempotent at head
    _assert_matches_models(url)


def test_sqlite_round_trip(tmp_path: Path) -> None:
    _round_trip(f"sqlite:///{tmp_path / 'm.db'}")


def test_postgresql_round_trip() -> None:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_mig_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        _round_trip(url)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
