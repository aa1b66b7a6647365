"""What the FAQ offers the other features, through the wiring list (`bot.features`): its
entries for the search (`/timkiem`), so a member who searches "chuyen sinh hoat" finds the
answer among the directives and resolutions, whichever command they thought of.

Who reads what is `catalog.for_cell`'s rule: the curated and imported entries are for
everyone (readable under every root unit of the tree), a published pair for the subtree of the
unit it was published to. An entry not yet approved carries a mark in its title.

The index asks for what changed since an instant (`Searchable.items`), and nothing may be
missed:

- imported entries and published pairs by their `updated_at` (an import sets it on every
  change, publishing on creation);
- approvals by `FaqReview.reviewed_at` (the mark goes);
- the curated file by this process's start: the file ships with the code, so a new wording
  arrives only with a new process, and until the index has been refreshed past that instant
  (less its overlap) every curated entry is offered again. A new root unit of the tree offers
  every curated and imported entry again too, with it among their readers.

Ids: a published pair is its row's id (positive); a curated or imported entry a negative number
derived from its stable key, so an import that replaces a curated entry replaces it in the
index too (`ref_id`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import FaqEntry, FaqReview, Unit, utcnow
from services.faq import texts as faq_texts
from services.faq.catalog import IMPORTED, PUBLISHED, Entry, general, released
from services.offers import SEARCHABLE, Offer, Searchable, SearchItem
from services.vndate import DEFAULT_TZ

KIND = "faq"
OPENS = "/hoidap"
# When this process loaded the code and its curated file (see the module's docstring).
STARTED = utcnow()


def ref_id(key: str) -> int:
    """A curated or imported entry's id in the index: negative (a published pair's row id is
    positive), stable across processes and releases, and within 31 bits (the column is an
    INTEGER). Two keys sharing one is checked for the shipped file in the tests."""
    value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big") & 0x7FFFFFFF
    return -(value or 1)


def root_units(session: Session) -> tuple[int, ...]:
    """The units without a parent: every member's cell lies under one of them."""
    rows = session.exec(select(Unit.id).where(col(Unit.parent_id).is_(None)))
    return tuple(sorted(u for u in rows if u is not None))


def _title(entry: Entry) -> str:
    mark = "" if entry.reviewed else faq_texts.SEARCH_UNREVIEWED_MARK
    return f"{mark}{entry.question}"


def _body(entry: Entry) -> str:
    """The answer with its source, as `/hoidap` shows it."""
    return faq_texts.SEARCH_BODY.format(answer=entry.answer, source=entry.source)


def _changed_keys(session: Session, since: datetime) -> set[str]:
    """The curated or imported entries changed after `since`: imported or re-imported, or
    approved."""
    imported = session.exec(
        select(FaqEntry.key)
        .where(FaqEntry.origin == IMPORTED)
        .where(col(FaqEntry.updated_at) > since)
    )
    reviewed = session.exec(select(FaqReview.key).where(col(FaqReview.reviewed_at) > since))
    return {*imported, *reviewed}


def _everything_again(session: Session, since: datetime) -> bool:
    """Whether every curated and imported entry must be offered again: this process's
    curated file is newer than `since`, or a root unit (a new reader of them all) is."""
    if since < STARTED:
        return True
    new_root = session.exec(
        select(Unit.id).where(col(Unit.parent_id).is_(None)).where(col(Unit.created_at) > since)
    ).first()
    return new_root is not None


def general_items(
    session: Session, since: datetime | None, tz: tzinfo = DEFAULT_TZ
) -> Iterator[SearchItem]:
    """The entries everyone reads (curated, each replaced by an import of the same key, and
    the other imported ones) that changed after `since`."""
    if since is None or _everything_again(session, since):
        entries = general(session)
    else:
        keys = _changed_keys(session, since)
        if not keys:
            return  # the usual refresh: a few queries on small tables, nothing more
        entries = [e for e in general(session) if e.key in keys]
    roots = root_units(session)
    if not roots:
        return
    imported_at = {
        key: at
        for key, at in session.exec(
            select(FaqEntry.key, FaqEntry.updated_at).where(FaqEntry.origin == IMPORTED)
        )
    }
    day = datetime.combine(released(), time(), tzinfo=tz).astimezone(UTC)
    for entry in entries:
        yield SearchItem(
            kind=KIND,
            ref_id=ref_id(entry.key),
            title=_title(entry),
            body=_body(entry),
            at=imported_at.get(entry.key, day),
            unit_ids=roots,
            opens=OPENS,
        )


def published_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """The pairs published after `since`, each for the unit it was published to."""
    query = select(FaqEntry).where(FaqEntry.origin == PUBLISHED)
    if since is not None:
        query = query.where(col(FaqEntry.updated_at) > since)
    for row in session.exec(query.order_by(col(FaqEntry.id))):
        if row.id is None or row.unit_id is None:
            continue
        entry = Entry(row.key, row.topic, row.question, row.answer, row.source, reviewed=True)
        yield SearchItem(
            kind=KIND,
            ref_id=row.id,
            title=_title(entry),
            body=_body(entry),
            at=row.created_at,
            unit_ids=(row.unit_id,),
            opens=OPENS,
        )


def faq_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Every FAQ item created or changed after `since` (all of them when None)."""
    yield from general_items(session, since)
    yield from published_items(session, since)


def offers() -> list[Offer[Any]]:
    return [Offer(SEARCHABLE, Searchable(KIND, faq_texts.SEARCH_LABEL, faq_items))]
