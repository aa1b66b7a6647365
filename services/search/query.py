"""Searching the index: the words of a query, who may read what, ranking, snippets.

The query is folded by the same normaliser as the index (`textnorm.fold_words`), so it is
diacritic- and case-insensitive on both databases and "dai hoi" finds "Đại hội" (FTS5's own
`remove_diacritics` keeps đ, PostgreSQL's `unaccent` is not immutable). Folding also leaves
only letters and digits, and each word is then quoted for the engine, so the engines' syntax
(quotes, `*`, `NEAR`, `:`, `'`, parentheses, AND/OR/NOT) typed by a member is only words.
All the words must match; when nothing does and there are three or more words (a question
typed as a sentence), any word may, ranked by how well (bm25 / ts_rank favour more words).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.search import SearchEntry, SearchReader
from models.upsert import dialect_of
from services.auth import Actor, readable_unit_ids
from services.errors import UserError
from services.offers import Searchable
from services.search import texts as search_texts
from services.search.index import distinct, refresh, refreshed
from services.textnorm import fold_words, strip_diacritics

MIN_CHARS = 2
MAX_CHARS = 200
MAX_WORDS = 12
SNIPPET_WIDTH = 120
# Searches refresh the index first, but a kind refreshed this recently is not asked again:
# a burst of searches costs one refresh, and what was written waits at most this long.
REFRESH_EVERY = timedelta(seconds=5)
# PostgreSQL ranks at most this many matches, the newest (see `_match`).
RANK_CANDIDATES = 1000

# PostgreSQL's stored tsvector of the folded title and body, GIN-indexed (migration 0010).
_TSVECTOR = "search_items.search_vector"


@dataclass(frozen=True)
class Query:
    """A member's words, ready for the engines: `words` folded, at most `MAX_WORDS`; `cut`
    when the text was longer than `MAX_CHARS` and only its start is searched."""

    text: str
    words: tuple[str, ...]
    cut: bool


@dataclass(frozen=True)
class Hit:
    kind: str
    label: str
    ref_id: int
    title: str
    snippet: str
    at: datetime
    opens: str | None


@dataclass(frozen=True)
class Results:
    query: Query
    hits: list[Hit]
    partial: bool  # no item had every word; these have some


def parse_query(text: str) -> Query:
    """The words to search for, or a `UserError` saying what to type instead."""
    text = unicodedata.normalize("NFC", text or "").strip()
    cut = len(text) > MAX_CHARS
    if cut:
        text = text[:MAX_CHARS].rsplit(" ", 1)[0] if " " in text[:MAX_CHARS] else text[:MAX_CHARS]
    words = fold_words(text).split()
    if not words:
        raise UserError(search_texts.SEARCH_NO_WORDS if text else search_texts.SEARCH_ASK)
    if sum(len(w) for w in words) < MIN_CHARS:
        raise UserError(search_texts.SEARCH_TOO_SHORT)
    unique = tuple(dict.fromkeys(words))
    # One-letter words ("a", "1") match nearly everything: kept only beside nothing longer.
    longer = tuple(w for w in unique if len(w) > 1)
    return Query(text=text, words=(longer or unique)[:MAX_WORDS], cut=cut)


def search(
    session: Session,
    actor: Actor,
    text: str,
    *,
    sources: Sequence[Searchable],
    now: datetime,
    limit: int = 5,
    partial: bool = True,
) -> Results:
    """The best `limit` items `actor` may read for `text`: by relevance (title words count
    more than body words), then the newest. Refreshes the index first (`REFRESH_EVERY`).
    With `partial` (an explicit `/timkiem`), a query of three words or more that no item
    matches whole falls back to items with some of its words."""
    query = parse_query(text)
    sources = distinct(sources)
    _refresh_due(session, sources, now)
    labels = {s.kind: s.label for s in sources}
    if not labels:
        return Results(query, [], False)
    units = readable_unit_ids(session, actor)
    rows = _match(session, query.words, labels, actor, units, limit, every=True)
    some_words = False
    if not rows and partial and len(query.words) >= 3:
        rows = _match(session, query.words, labels, actor, units, limit, every=False)
        some_words = bool(rows)
    hits = [
        Hit(
            kind=entry.kind,
            label=labels[entry.kind],
            ref_id=entry.ref_id,
            title=entry.title,
            snippet=snippet(entry.body, query.words),
            at=entry.at,
            opens=entry.opens,
        )
        for entry in rows
    ]
    return Results(query, hits, some_words)


def _refresh_due(session: Session, sources: Sequence[Searchable], now: datetime) -> None:
    last = refreshed(session)
    due = [s for s in sources if s.kind not in last or now - last[s.kind] >= REFRESH_EVERY]
    if due:
        refresh(session, due, now)


def _readable(actor: Actor, units: list[int] | None) -> sa.ColumnElement[bool]:
    if units is None:
        return sa.true()
    reader = sa.exists().where(col(SearchReader.item_id) == col(SearchEntry.id))
    return reader.where(
        sa.or_(col(SearchReader.unit_id).in_(units), col(SearchReader.member_id) == actor.member_id)
    )


def _match(
    session: Session,
    words: Sequence[str],
    labels: dict[str, str],
    actor: Actor,
    units: list[int] | None,
    limit: int,
    *,
    every: bool,
) -> list[SearchEntry]:
    where = sa.and_(col(SearchEntry.kind).in_(sorted(labels)), _readable(actor, units))
    if dialect_of(session) == "postgresql":
        tsquery = sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"),
            (" & " if every else " | ").join(f"'{w}'" for w in words),
        )
        vector: sa.ColumnElement[Any] = sa.literal_column(_TSVECTOR)
        # Ranked are the newest `RANK_CANDIDATES` matches only (found through the GIN index),
        # which bounds what a word found in nearly every item costs (bench/bench_search.py).
        newest = col(SearchEntry.at).desc(), col(SearchEntry.id).desc()
        candidates = (
            select(col(SearchEntry.id))
            .where(vector.op("@@")(tsquery))
            .where(where)
            .order_by(*newest)
            .limit(RANK_CANDIDATES)
        )
        rank = sa.func.ts_rank(vector, tsquery)
        statement = (
            select(SearchEntry)
            .where(col(SearchEntry.id).in_(candidates.scalar_subquery()))
            .order_by(rank.desc(), *newest)
            .limit(limit)
        )
        return list(session.exec(statement))
    match = (" " if every else " OR ").join(f'"{w}"' for w in words)
    fts = sa.table("search_fts", sa.column("rowid"))
    bm25: sa.ColumnElement[Any] = sa.literal_column("bm25(search_fts, 4.0, 1.0)")
    statement = (
        select(SearchEntry)
        .join(fts, fts.c.rowid == col(SearchEntry.id))
        .where(sa.text("search_fts MATCH :match").bindparams(match=match))
        .where(where)
        .order_by(bm25, col(SearchEntry.at).desc(), col(SearchEntry.id).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


_WORD = re.compile(r"\w+")


def _folded_chars(text: str) -> str:
    """`text` folded one character at a time, so positions in it are positions in `text`."""
    return "".join((strip_diacritics(ch).casefold() or " ")[:1] for ch in text)


def snippet(text: str, words: Sequence[str], width: int = SNIPPET_WIDTH) -> str:
    """About `width` characters of the original `text` around the first of `words` it
    contains (whole words at the edges, cuts marked "…"); its start when none is found."""
    text = " ".join(text.split())
    if not text:
        return ""
    folded = _folded_chars(text)
    starts = [
        m.start() for w in words if (m := re.search(rf"(?<!\w){re.escape(w)}", folded)) is not None
    ]
    at = min(starts) if starts else 0
    begin = max(0, at - width // 3)
    end = min(len(text), begin + width)
    if begin > 0 and (space := text.find(" ", begin)) != -1 and space < at:
        begin = space + 1
    if end < len(text) and (space := text.rfind(" ", begin, end)) > at:
        end = space
    piece = text[begin:end].strip()
    return ("…" if begin > 0 else "") + piece + ("…" if end < len(text) else "")
