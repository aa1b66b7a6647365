"""`models.upsert`: one INSERT … ON CONFLICT DO NOTHING for SQLite and PostgreSQL.

Every "first caller wins" of the project (inbound updates, scheduler claims, outbox rows,
rate rows) goes through it, so it is checked here once on both databases: duplicates are
skipped without an error, RETURNING names only the rows that went in, it works from a
Connection and from a Session, and two transactions inserting the same key never both win.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from models import Database, DeliveryRate, InboundUpdate, ScheduledRun
from models.upsert import dialect_insert, dialect_of, insert_ignoring, insert_new, table_of

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def update_row(key: str) -> dict[str, Any]:
    return {"channel": "zalo", "update_key": key, "received_at": NOW}


def run_row(key: str, **extra: Any) -> dict[str, Any]:
    return {
        "job_key": key,
        "kind": "test",
        "ref_id": None,
        "due_at": NOW,
        "claimed_at": NOW,
        "claimed_by": "test",
        "outcome": "sent",
        "deliveries": 0,
        "note": None,
        **extra,
    }


def update_keys(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.exec(select(InboundUpdate.update_key)).all())


def test_duplicates_are_skipped_and_returning_names_only_the_new_rows(db: Database) -> None:
    with db.session() as session:
        first = insert_new(
            session,
            InboundUpdate,
            [update_row("a"), update_row("b")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
    with db.session() as session:
        second = insert_new(
            session,
            InboundUpdate,
            [update_row("b"), update_row("c")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
        again = insert_new(
            session,
            InboundUpdate,
            [update_row("c")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
    assert sorted(first) == ["a", "b"]
    assert second == ["c"]
    assert again == []  # the same transaction sees its own row as taken
    assert update_keys(db) == ["a", "b", "c"]


def test_from_a_connection_returning_gives_the_new_ids(db: Database) -> None:
    with db.engine.begin() as conn:
        ids = insert_new(
            conn,
            ScheduledRun,
            [run_row("k1"), run_row("k2")],
            index_elements=["job_key"],
            returning="id",
        )
    with db.engine.begin() as conn:
        more = insert_new(
            conn,
            ScheduledRun,
            [run_row("k2"), run_row("k3")],
            index_elements=["job_key"],
            returning="id",
        )
    with db.session() as session:
        stored = dict(session.exec(select(ScheduledRun.job_key, ScheduledRun.id)).all())
    assert sorted(ids) == sorted([stored["k1"], stored["k2"]])
    assert more == [stored["k3"]]
    assert all(isinstance(i, int) for i in ids + more)


def test_a_key_twice_in_one_statement_goes_in_once(db: Database) -> None:
    with db.session() as session:
        got = insert_new(
            session,
            InboundUpdate,
            [update_row("same"), update_row("same")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
    assert got == ["same"]
    assert update_keys(db) == ["same"]


def test_no_rows_touch_nothing(db: Database) -> None:
    with db.session() as session:
        assert (
            insert_new(
                session, InboundUpdate, [], index_elements=["channel"], returning="update_key"
            )
            == []
        )


def test_a_conflict_on_another_constraint_still_raises(db: Database) -> None:
    """Only the named index means "already there"; any other violation is a real error."""
    with db.engine.begin() as conn:
        insert_new(
            conn, ScheduledRun, [run_row("k1", id=7)], index_elements=["job_key"], returning="id"
        )
    with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
        insert_new(
            conn, ScheduledRun, [run_row("k2", id=7)], index_elements=["job_key"], returning="id"
        )


def test_the_statement_alone_is_executed_by_the_caller(db: Database) -> None:
    """`insert_ignoring` without RETURNING, as the delivery engine creates a rate row."""
    for _ in range(2):
        with db.engine.begin() as conn:
            conn.execute(
                insert_ignoring(DeliveryRate, ["key"], conn).values(
                    key="token", next_slot_at=NOW, updated_at=NOW
                )
            )
    with db.session() as session:
        assert session.exec(select(DeliveryRate.key)).all() == ["token"]


def test_the_dialect_is_read_from_whatever_the_caller_holds(db: Database) -> None:
    name = db.dialect
    with db.engine.connect() as conn, Session(db.engine) as session:
        assert dialect_of(conn) == dialect_of(session) == dialect_of(db.engine) == name
    assert dialect_of(name) == name
    expected = postgresql.Insert if name == "postgresql" else sqlite.Insert
    assert isinstance(dialect_insert(InboundUpdate, db.engine), expected)
    assert table_of(InboundUpdate) is table_of(table_of(InboundUpdate))


def test_the_statement_for_each_dialect_names_the_conflict_target() -> None:
    dialects: dict[str, sa.Dialect] = {
        "sqlite": sqlite.dialect(),
        "postgresql": postgresql.dialect(),
    }
    for name, dialect in dialects.items():
        statement = insert_ignoring(InboundUpdate, ["channel", "update_key"], name)
        sql = str(statement.values(update_row("x")).compile(dialect=dialect))
        assert "ON CONFLICT (channel, update_key) DO NOTHING" in sql


def _racing(db: Database, first_ends: Callable[[sa.Connection], None]) -> tuple[list[Any], bool]:
    """Transaction A inserts key "race" and holds it open; B, another engine as another
    process would be, inserts the same key meanwhile. A then ends by `first_ends`. B's result,
    and whether B was still waiting while A was open."""
    other = Database(db.url)
    result: list[Any] = []
    failure: list[BaseException] = []

    def second() -> None:
        try:
            with other.engine.begin() as conn:
                result.extend(
                    insert_new(
                        conn,
                        InboundUpdate,
                        [update_row("race")],
                        index_elements=["channel", "update_key"],
                        returning="update_key",
                    )
                )
        except BaseException as exc:  # pragma: no cover - reported below
            failure.append(exc)

    try:
        conn = db.engine.connect()
        transaction = conn.begin()
        mine = insert_new(
            conn,
            InboundUpdate,
            [update_row("race")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
        assert mine == ["race"]
        thread = threading.Thread(target=second, daemon=True)
        thread.start()
        time.sleep(0.3)
        waited = thread.is_alive()
        first_ends(conn)
        transaction.close()
        conn.close()
        thread.join(timeout=20)
        assert not thread.is_alive(), "the second insert never finished"
    finally:
        other.dispose()
    if failure:
        raise failure[0]
    return result, waited


def test_two_transactions_inserting_one_key_never_both_win(db: Database) -> None:
    result, waited = _racing(db, lambda conn: conn.commit())
    assert waited  # B could not decide while A's row was undecided
    assert result == []  # A committed: B's row is the duplicate, skipped without an error
    assert update_keys(db) == ["race"]


def test_the_waiting_insert_wins_when_the_first_rolls_back(db: Database) -> None:
    result, waited = _racing(db, lambda conn: conn.rollback())
    assert waited
    assert result == ["race"]
    assert update_keys(db) == ["race"]


def test_session_inserts_flush_pending_objects_first(db: Database) -> None:
    """Through a Session the helper runs as the session's own statements do: pending objects
    are flushed before it, so rows may refer to what the caller has just added."""
    with db.session() as session:
        session.add(InboundUpdate(channel="zalo", update_key="pending", received_at=NOW))
        got = insert_new(
            session,
            InboundUpdate,
            [update_row("pending")],
            index_elements=["channel", "update_key"],
            returning="update_key",
        )
        assert got == []  # the added object was flushed first, so this one is the duplicate
        count = session.exec(
            select(sa.func.count())
            .select_from(InboundUpdate)
            .where(col(InboundUpdate.update_key) == "pending")
        ).one()
    assert count == 1
