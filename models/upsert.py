"""INSERT … ON CONFLICT for both databases, written once.

SQLAlchemy has no dialect-neutral ON CONFLICT: PostgreSQL's and SQLite's `insert` are separate
constructs with the same clause. Every "the first caller wins" in the project (an update seen
once, a scheduler key claimed once, an outbox row queued once, a rate row created once) needs
it, so the choice of construct lives here rather than in each caller, where five copies had
begun to drift in how they detected the dialect and read back what went in.

`insert_new` is the usual case: rows in, the RETURNING value of each row really inserted out.
It is one statement, so it is as safe against a concurrent insert of the same key as the
database makes it: on PostgreSQL a transaction inserting a key another open transaction has
inserted waits for it, and skips the row if that one commits (or inserts it if that one rolls
back); SQLite serialises writers, so the second sees the first's row. Rows already present
come back as nothing, never as an error, so no caller needs a savepoint to survive a duplicate.
RETURNING is used rather than `rowcount`, which is unreliable for multi-row inserts on some
drivers; PostgreSQL and SQLite ≥ 3.35 both support it here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel

# Whatever a caller has at hand that knows its database: its connection, its session, the
# engine, or just the dialect's name (`Database.dialect`).
Bind = sa.Connection | sa.Engine | Session | str
# A table, or the SQLModel class mapped to it (so callers need no `__table__` type: ignore).
Target = sa.Table | type[SQLModel]


def dialect_of(bind: Bind) -> str:
    """The dialect's name ("postgresql", "sqlite") for any of the ways callers hold a database."""
    if isinstance(bind, str):
        return bind
    if isinstance(bind, Session):
        return bind.get_bind().dialect.name
    return bind.dialect.name


def table_of(target: Target) -> sa.Table:
    """The Core table of `target`."""
    if isinstance(target, sa.Table):
        return target
    table = target.__table__  # type: ignore[attr-defined]  # set by SQLModel for table=True
    if not isinstance(table, sa.Table):
        raise TypeError(f"{target.__name__} is not a table model")
    return table


def dialect_insert(target: Target, bind: Bind) -> postgresql.Insert | sqlite.Insert:
    """The dialect's INSERT, the one that has `on_conflict_do_nothing`/`_do_update`.

    For an upsert (`on_conflict_do_update`), whose SET clause is the caller's own; for
    skipping duplicates use `insert_ignoring` or `insert_new`.
    """
    table = table_of(target)
    if dialect_of(bind) == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring(target: Target, index_elements: Sequence[str], bind: Bind) -> sa.Insert:
    """INSERT INTO `target` … ON CONFLICT (`index_elements`) DO NOTHING, values still to add.

    `index_elements` names the unique index whose conflict means "already there"; a conflict
    on any other constraint still raises, as it should.
    """
    return dialect_insert(target, bind).on_conflict_do_nothing(index_elements=list(index_elements))


def insert_new(
    executor: sa.Connection | Session,
    target: Target,
    rows: Sequence[Mapping[str, Any]],
    *,
    index_elements: Sequence[str],
    returning: str,
) -> list[Any]:
    """Insert `rows`, skipping those whose `index_elements` are taken; the `returning` column
    of each row really inserted (an empty list: all were there already).

    Runs in the executor's transaction and commits nothing: the rows go in exactly when the
    caller's other changes do. Every row must name the same
    columns (one multi-row VALUES).
    """
    if not rows:
        return []
    table = table_of(target)
    statement = (
        insert_ignoring(table, index_elements, executor)
        .values([dict(row) for row in rows])
        .returning(table.c[returning])
    )
    if isinstance(executor, Session):
        # Through the session, not its connection: the session flushes pending objects first
        # (a new member the rows refer to), as it does before any statement it runs.
        return list(executor.exec(statement).scalars())
    return list(executor.execute(statement).scalars())
