"""The reminder to pledge, under a controlled clock, on SQLite and PostgreSQL: sent in each
round to members without a pledge (once, however often the job ticks), never to those who
pledged nor to exempt members, and never after the deadline."""

from __future__ import annotations

from datetime import UTC, datetime

from models import Database
from scheduler.claims import run_job
from scheduler.rules import DEFAULT_SCHEDULER_RULES
from scheduler.study import PledgeReminderJob
from services.study import pledges
from tests.study.conftest import Chat, actor, deliveries, member_id
from tests.support import FakeClock

KIND = "study_pledge_reminder"
# 30 days before 31/03/2027 at 08:00 local (UTC+7) is 01/03/2027 01:00 UTC.
FIRST_ROUND = datetime(2027, 3, 1, 1, 0, tzinfo=UTC)
SECOND_ROUND = datetime(2027, 3, 24, 1, 0, tzinfo=UTC)


def tick(db: Database, now: datetime) -> int:
    report = run_job(db, PledgeReminderJob(), now=now, rules=DEFAULT_SCHEDULER_RULES, worker="test")
    return report.deliveries


def reminded(db: Database) -> list[int]:
    return sorted(d.member_id for d in deliveries(db, KIND) if d.member_id is not None)


def test_members_without_a_pledge_are_reminded_once_per_round(
    chat: Chat, demo: Database, clock: FakeClock
) -> None:
    for code in ("DV003", "DV004", "DV007", "DV010"):  # linked: DV007 is exempt
        chat(code)
    with demo.session() as session:
        pledges.submit_pledge(
            session, actor(demo, "DV004"), ["Việc làm theo cụ thể số một."], now=FIRST_ROUND
        )
    before = datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    assert tick(demo, before) == 0
    assert tick(demo, FIRST_ROUND) == 2
    expected = sorted([member_id(demo, "DV003"), member_id(demo, "DV010")])
    assert reminded(demo) == expected
    assert tick(demo, FIRST_ROUND) == 0  # ticking again sends nothing
    assert tick(demo, datetime(2027, 3, 2, 1, 0, tzinfo=UTC)) == 0
    [first, *_] = deliveries(demo, KIND)
    assert "31/03/2027" in first.payload["text"]

    with demo.session() as session:  # DV010 pledges between the rounds
        pledges.submit_pledge(
            session, actor(demo, "DV010"), ["Việc làm theo cụ thể số hai."], now=SECOND_ROUND
        )
    assert tick(demo, SECOND_ROUND) == 1
    assert reminded(demo) == sorted([*expected, member_id(demo, "DV003")])


def test_nothing_is_sent_after_the_deadline(chat: Chat, demo: Database) -> None:
    chat("DV003")
    # 01/04/2027 00:00 local: the deadline has passed, the round is not sent late.
    assert tick(demo, datetime(2027, 3, 31, 17, 0, tzinfo=UTC)) == 0
    assert tick(demo, datetime(2027, 4, 2, 1, 0, tzinfo=UTC)) == 0
    assert reminded(demo) == []


def test_the_last_day_still_reminds(chat: Chat, demo: Database) -> None:
    chat("DV003")
    # 31/03/2027 06:00 local: the second round, a week late (the process was down), still goes.
    assert tick(demo, datetime(2027, 3, 30, 23, 0, tzinfo=UTC)) == 1
    assert reminded(demo) == [member_id(demo, "DV003")]
