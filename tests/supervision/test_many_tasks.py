"""At the top of a tree 100 times the pilot's, the open overdue tasks number some 120,000:
`closures_of` must answer for more ids than one statement may bind (65,535 on psycopg, 32,766
on SQLite), which is what the top committee's statistics ask of it (docs/scale.md). Runs on
SQLite and PostgreSQL."""

from __future__ import annotations

from models import Database, TaskClosure
from services.supervision.rules import Outcome
from services.supervision.table import IDS_PER_STATEMENT, closures_of
from tests.supervision.support import add_task
from tests.support import FakeClock


def test_closures_of_answers_for_more_ids_than_a_statement_may_bind(
    demo: Database, clock: FakeClock
) -> None:
    now = clock()
    open_task = add_task(demo, "DV003", now.date(), created_at=now)
    closed_task = add_task(demo, "DV003", now.date(), created_at=now)
    with demo.session() as session:
        session.add(TaskClosure(task_id=closed_task, outcome=Outcome.DONE.value, closed_at=now))
    # 70,002 ids, over both drivers' limits; the two real tasks in different statements.
    wanted = [open_task, *range(100_000, 170_000), closed_task]
    assert len(wanted) > 7 * IDS_PER_STATEMENT
    with demo.session() as session:
        found = closures_of(session, wanted)
        assert set(found) == {closed_task}
        assert found[closed_task].outcome == Outcome.DONE.value
        assert closures_of(session, []) == {}
