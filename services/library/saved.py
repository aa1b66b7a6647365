"""A member's "Đã lưu": documents kept to read later, per member.

Saving twice keeps one row and unsaving what is not saved changes nothing, so a button pressed
twice (or on two channels) does no harm. A withdrawn document leaves every list at once, and
one the member may no longer read (they moved cell) is not shown.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import LibraryDocument, LibrarySaved
from models.upsert import insert_new
from services.auth import Actor, readable_unit_ids
from services.library.documents import for_reader
from services.library.rules import LIST_LIMIT


def save(session: Session, actor: Actor, document_id: int, *, now: datetime) -> bool:
    """Keep the document for `actor` (who must be able to read it); True when newly saved."""
    document = for_reader(session, actor, document_id)
    inserted = insert_new(
        session,
        LibrarySaved,
        [{"member_id": actor.member_id, "document_id": document.id, "saved_at": now}],
        index_elements=["member_id", "document_id"],
        returning="document_id",
    )
    return bool(inserted)


def unsave(session: Session, actor: Actor, document_id: int) -> bool:
    """Drop the document from `actor`'s list; True when it was there. Needs no right to read
    it any more: a member may always clear their own list."""
    result = session.execute(
        sa.delete(LibrarySaved)
        .where(col(LibrarySaved.member_id) == actor.member_id)
        .where(col(LibrarySaved.document_id) == document_id)
    )
    return bool(getattr(result, "rowcount", 0))


def is_saved(session: Session, actor: Actor, document_id: int) -> bool:
    return (
        session.get(LibrarySaved, {"member_id": actor.member_id, "document_id": document_id})
        is not None
    )


def saved(session: Session, actor: Actor) -> list[LibraryDocument]:
    """`actor`'s saved documents they may still read, the last saved first."""
    query = (
        select(LibraryDocument)
        .join(LibrarySaved, col(LibrarySaved.document_id) == col(LibraryDocument.id))
        .where(LibrarySaved.member_id == actor.member_id)
        .where(col(LibraryDocument.withdrawn_at).is_(None))
    )
    units = readable_unit_ids(session, actor)
    if units is not None:
        query = query.where(col(LibraryDocument.unit_id).in_(units))
    order = col(LibrarySaved.saved_at).desc(), col(LibraryDocument.id).desc()
    return list(session.exec(query.order_by(*order).limit(LIST_LIMIT)))
