"""The claim's candidate page is a keyset on `(status, id)` (docs/scale.md): it must still mean
"this status, after this id, due", whatever statuses lie around the rows in id order.

Rows of every status are interleaved, so a keyset that leaked into a neighbouring status
('sending' < 'sent', 'failed' < 'pending') or ignored the due time would be caught. Runs on
SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.delivery.claims import OutboxStore, Pace
from models import Database, Delivery

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
D = Delivery.__table__  # type: ignore[attr-defined]

# (status, next_attempt_at offset in seconds, lease_until offset or None), ids from 1 in order.
ROWS = [
    ("sent", -60, None),  # 1
    ("pending", -30, None),  # 2: due
    ("failed", -60, None),  # 3
    ("sending", -60, -5),  # 4: lease expired, due
    ("pending", 600, None),  # 5: not yet due
    ("expired", -60, None),  # 6
    ("sending", -60, 30),  # 7: lease running, not due
    ("pending", -10, None),  # 8: due
    ("sent", -60, None),  # 9
    ("pending", -5, None),  # 10: due, on the other channel
]


def _store(db: Database) -> OutboxStore:
    return OutboxStore(
        db,
        channel="telegram",
        rate_key="test:keyset",
        pace=Pace(30.0),
        worker_id="keyset-worker",
        lease=timedelta(seconds=60),
        max_attempts=5,
    )


def _fill(db: Database) -> None:
    with db.engine.begin() as conn:
        for number, (status, due, lease) in enumerate(ROWS, start=1):
            conn.execute(
                sa.insert(D).values(
                    id=number,
                    dedupe_key=f"keyset:{number}",
                    kind="test",
                    channel="zalo" if number == 10 else "telegram",
                    chat_id=f"chat{number}",
                    payload={"text": "x"},
                    status=status,
                    attempts=1 if status != "pending" else 0,
                    next_attempt_at=NOW + timedelta(seconds=due),
                    lease_until=None if lease is None else NOW + timedelta(seconds=lease),
                    lease_owner=None if lease is None else "someone",
                    created_at=NOW - timedelta(minutes=5),
                )
            )


def test_candidates_are_the_due_rows_of_each_status_in_id_order(db: Database) -> None:
    _fill(db)
    store = _store(db)
    with db.engine.begin() as conn:
        every = store._candidates(conn, NOW, 0, 100)
        after_two = store._candidates(conn, NOW, 2, 100)
        first_only = store._candidates(conn, NOW, 0, 1)
    assert [row_id for row_id, _chat in every] == [2, 4, 8]
    assert [row_id for row_id, _chat in after_two] == [4, 8]
    assert first_only == [(2, "chat2")]


def test_nothing_is_a_candidate_when_only_finished_or_future_rows_remain(db: Database) -> None:
    _fill(db)
    store = _store(db)
    with db.engine.begin() as conn:
        assert store._candidates(conn, NOW, 8, 100) == []
        # Before any of them is due (the expired lease ended 5 s before NOW): nothing at all.
        assert store._candidates(conn, NOW - timedelta(seconds=61), 0, 100) == []


def test_has_due_sees_a_due_row_and_refuses_finished_and_future_ones(db: Database) -> None:
    _fill(db)
    store = _store(db)
    assert store.has_due(NOW)
    assert not store.has_due(NOW - timedelta(seconds=61))
    with db.engine.begin() as conn:
        conn.execute(sa.update(D).where(D.c.id.in_([2, 4, 8])).values(status="sent"))
    assert not store.has_due(NOW)  # 5 is pending but not due, 7's lease runs, 10 is Zalo's
    assert store.has_due(NOW + timedelta(seconds=600))  # 5 is due then (and 7's lease over)
