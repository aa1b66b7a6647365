"""Fixtures: every database test runs on SQLite and on PostgreSQL, on a migrated schema.

PostgreSQL is required, not optional: if it cannot be reached the PostgreSQL half of the suite
fails. Set SOTAY_TEST_PG_URL to point elsewhere (default: the local server, trust auth).
"""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

import migrations
import models
from bot.features import build_core
from handlers.context import CoreConfig
from handlers.core import Core
from models import Database
from services.demo import seed_demo
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo, running_fake_zalo
from tests.support import ChatDriver, FakeClock

# CI's second run: the wall clock a year ahead, here and in every subprocess (see the module).
_CLOCKSHIFT = Path(__file__).with_name("clockshift")
if os.environ.get("SOTAY_TEST_CLOCK_SHIFT_DAYS", "").strip():
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(_CLOCKSHIFT), os.environ.get("PYTHONPATH", "")) if p
    )
    sys.path.insert(0, str(_CLOCKSHIFT))
    import sitecustomize  # noqa: F401  (starts the shifted clock in this process)

PG_ADMIN_URL = os.environ.get(
    "SOTAY_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
# The shifted run looks for dates, not dialects: the first run has covered PostgreSQL, so the
# second runs the database tests on SQLite only (the tests that name PostgreSQL still run).
DIALECTS = (
    ["sqlite"]
    if os.environ.get("SOTAY_TEST_CLOCK_SHIFT_DAYS", "").strip()
    else [
        "sqlite",
        "postgresql",
    ]
)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrate once; every test gets a copy of the file (far faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    migrations.upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh database for this test run, migrated once, dropped at the end."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sotay_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:  # pragma: no cover - CI must have PostgreSQL
        pytest.fail(f"PostgreSQL is required for the test suite: {exc}")
    url = sa.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    migrations.upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# Children first, so no foreign key is ever violated; then every id sequence back to 1, as
# TRUNCATE … RESTART IDENTITY would. DELETE on tables of a few rows takes ~15 ms where TRUNCATE
# of forty tables took 200–600 ms (it rewrites every table's files), for each PostgreSQL test.
_EMPTY_ALL = "; ".join(
    f'DELETE FROM "{table.name}"' for table in reversed(models.metadata.sorted_tables)
)
_RESTART_IDS = "SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'"


def _truncate_all(db: Database) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(_EMPTY_ALL)
        conn.exec_driver_sql(_RESTART_IDS)


@pytest.fixture(params=DIALECTS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    if database.dialect == "postgresql":
        _truncate_all(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def core(db: Database, clock: FakeClock) -> Core:
    return build_core(db, CoreConfig(telegram_bot_username="SoTayTestBot"), clock=clock)


@pytest.fixture
def demo(db: Database, clock: FakeClock) -> Database:
    with db.session() as session:
        seed_demo(session, now=clock())
    return db


@pytest.fixture
def chat_as(core: Core, demo: Database, clock: FakeClock):
    """`chat_as("DV001")`: a terminal chat already linked to that member; with `channel`,
    a private chat on that channel (`zalo`, `telegram`) linked as an invite would link it."""
    from services.identities import find_member, local_identity, touch_identity
    from services.invites import link_identity

    def make(code: str, channel: str = "terminal") -> ChatDriver:
        with demo.session() as session:
            member = find_member(session, code)
            assert member is not None, code
            if channel == "terminal":
                identity = local_identity(session, member, now=clock())
            else:
                key = f"{channel}-{code.lower()}"
                identity = touch_identity(session, channel, key, key, now=clock())
                link_identity(session, identity, member, now=clock())
            user_id = identity.external_id
        return ChatDriver(core, user_id=user_id, channel=channel)

    return make


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """The fake Zalo Bot API on 127.0.0.1 (`tests.channels.zalo_polling` runs the bot on it)."""
    async with running_fake_zalo(empty_wait=0.2) as server:
        yield server


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API on 127.0.0.1."""
    with FakeTelegram() as server:
        yield server
