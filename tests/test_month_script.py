"""The secretary's scripted month (`bench/bench_month.py`) within the issue's target.

Why: the target is part of the product, not a benchmark figure: a directive, a meeting with its
invitation, check-in, a roll of 15 with two absences closed by exception, the resolution with
its vote, the quality score, two tasks and publishing, in at most 25 messages from the
secretary (every typed line and every numbered answer counted), and every record right. The
bench prints the breakdown; here the same script runs on SQLite and PostgreSQL, on one injected
clock.
"""

from __future__ import annotations

from bench.bench_month import run_month
from models import Database
from tests.support import FakeClock

TARGET = 25


def test_the_secretary_month_takes_at_most_25_messages_with_every_record_right(
    db: Database, db_url: str
) -> None:
    secretary, wrong, sources = run_month(db_url, FakeClock())
    assert wrong == []
    assert sources["co_mat ← checkin"] == 12 and sources["vang_khong_phep ← closing"] == 1
    total = sum(secretary.counts.values())
    assert total <= TARGET, "\n".join(secretary.log)
