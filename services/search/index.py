"""The search index: a folded copy of what each feature offers, refreshed from the features.

Why a copy rather than a query per feature: one full-text query (FTS5 on SQLite, a GIN
tsvector index on PostgreSQL) ranks every kind together, and the search imports no feature.
The features write nothing here (no write hooks): `refresh` asks each `Searchable` for what
changed since the kind's last refresh (less `OVERLAP`, so a row committed late by a
transaction that began before that refresh is still seen) and replaces those items;
`rebuild` starts again from nothing (items a feature no longer returns are dropped only there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from itertools import islice

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.search import SearchEntry, SearchReader, SearchState
from models.upsert import dialect_of, insert_new
from services.offers import Searchable, SearchItem
from services.textnorm import fold_words

# How far before its last refresh a kind is asked again: longer than any transaction that
# writes an item (a directive is committed within seconds of its `created_at`).
OVERLAP = timedelta(minutes=10)
# Items written per statement.
BATCH = 500
TITLE_LIMIT = 500
OPENS_LIMIT = 64


def refresh(session: Session, sources: Sequence[Searchable], now: datetime) -> int:
    """Index what each source created or changed since its last refresh; how many items were
    written. On PostgreSQL a kind another transaction is refreshing is skipped (its rows
    arrive when that one commits), so concurrent searches never wait on one another."""
    written = 0
    for source in distinct(sources):
        busy, state = _lock_state(session, source.kind)
        if busy:
            continue
        since = None if state is None else state.refreshed_at - OVERLAP
        written += write_items(session, source.items(session, since), now)
        _save_state(session, state, source.kind, now)
    return written


def distinct(sources: Sequence[Searchable]) -> list[Searchable]:
    """One source per kind, the first listed (a kind offered twice is indexed once)."""
    first: dict[str, Searchable] = {}
    for source in sources:
        first.setdefault(source.kind, source)
    return list(first.values())


def rebuild(session: Session, sources: Sequence[Searchable], now: datetime) -> int:
    """Drop the whole index and index every source from scratch (`sotay search reindex`)."""
    session.execute(sa.delete(SearchReader))
    session.execute(sa.delete(SearchEntry))
    session.execute(sa.delete(SearchState))
    if dialect_of(session) == "sqlite":
        # The triggers have kept the FTS table in step; 'rebuild' re-reads it from the content
        # table anyway, so an FTS table damaged by hand is repaired by the same command.
        session.execute(sa.text("INSERT INTO search_fts(search_fts) VALUES ('rebuild')"))
    written = refresh(session, sources, now)
    if dialect_of(session) == "sqlite":
        session.execute(sa.text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
    else:
        # Fresh statistics for the planner: with none after a bulk load it joins the readers
        # by nested loops, and a common word took a second at 10,000 items.
        session.execute(sa.text("ANALYZE search_items, search_readers"))
    return written


def write_items(session: Session, items: Iterable[SearchItem], now: datetime) -> int:
    """Insert or replace `items` (by kind and ref_id), with their readers; how many."""
    count = 0
    iterator = iter(items)
    while batch := list(islice(iterator, BATCH)):
        by_key = {(item.kind, item.ref_id): item for item in batch}  # last one wins
        _write_batch(session, list(by_key.values()), now)
        count += len(by_key)
    return count


def _row(item: SearchItem, now: datetime) -> dict[str, object]:
    title = item.title.strip()[:TITLE_LIMIT]
    return {
        "kind": item.kind,
        "ref_id": item.ref_id,
        "title": title,
        "body": item.body,
        "title_folded": fold_words(title),
        "body_folded": fold_words(item.body),
        "at": item.at,
        "opens": item.opens if item.opens and len(item.opens) <= OPENS_LIMIT else None,
        "indexed_at": now,
    }


def _ids(session: Session, kind: str, ref_ids: Sequence[int]) -> dict[int, int]:
    """ref_id → index id, for the items of one kind already indexed."""
    rows = session.exec(
        select(SearchEntry.ref_id, SearchEntry.id)
        .where(SearchEntry.kind == kind)
        .where(col(SearchEntry.ref_id).in_(list(ref_ids)))
    )
    return {ref_id: item_id for ref_id, item_id in rows if item_id is not None}


def _write_batch(session: Session, items: list[SearchItem], now: datetime) -> None:
    ids: dict[tuple[str, int], int] = {}
    for kind in {item.kind for item in items}:
        of_kind = [item for item in items if item.kind == kind]
        known = _ids(session, kind, [item.ref_id for item in of_kind])
        changed = [
            {"id": known[item.ref_id], **_row(item, now)}
            for item in of_kind
            if item.ref_id in known
        ]
        if changed:
            session.execute(sa.update(SearchEntry), changed)  # by primary key, in bulk
        fresh = [_row(item, now) for item in of_kind if item.ref_id not in known]
        insert_new(session, SearchEntry, fresh, index_elements=["kind", "ref_id"], returning="id")
        if fresh:
            known = _ids(session, kind, [item.ref_id for item in of_kind])
        ids.update(((kind, ref_id), item_id) for ref_id, item_id in known.items())
    item_ids = sorted(set(ids.values()))
    session.execute(sa.delete(SearchReader).where(col(SearchReader.item_id).in_(item_ids)))
    readers: list[dict[str, int | None]] = []
    for item in items:
        item_id = ids.get((item.kind, item.ref_id))
        if item_id is None:
            continue
        units = sorted({*item.cell_ids, *item.unit_ids})
        readers.extend({"item_id": item_id, "unit_id": u, "member_id": None} for u in units)
        readers.extend(
            {"item_id": item_id, "unit_id": None, "member_id": m}
            for m in sorted(set(item.member_ids))
        )
    if readers:
        session.execute(sa.insert(SearchReader), readers)


def _lock_state(session: Session, kind: str) -> tuple[bool, SearchState | None]:
    """Whether another transaction is refreshing the kind (PostgreSQL: SKIP LOCKED), and its
    state row, locked for this transaction (None: the kind was never indexed)."""
    query = select(SearchState).where(SearchState.kind == kind)
    if dialect_of(session) == "postgresql":
        state = session.exec(query.with_for_update(skip_locked=True)).first()
        if (
            state is None
            and session.exec(select(sa.literal(1)).where(SearchState.kind == kind)).first()
        ):
            return True, None
        return False, state
    return False, session.exec(query).first()


def _save_state(session: Session, state: SearchState | None, kind: str, now: datetime) -> None:
    if state is not None:
        state.refreshed_at = max(state.refreshed_at, now)
        session.add(state)
        session.flush()
        return
    insert_new(
        session,
        SearchState,
        [{"kind": kind, "refreshed_at": now}],
        index_elements=["kind"],
        returning="kind",
    )


def refreshed(session: Session) -> dict[str, datetime]:
    """kind → its last refresh (for `sotay search` and the tests)."""
    return {s.kind: s.refreshed_at for s in session.exec(select(SearchState))}
