"""What the library offers the other features, through the wiring list (`bot.features`): its
documents to the search (`/timkiem`), and a few national documents to the demo."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, col, select

from models import LibraryDocument
from services.library import demo
from services.library import texts as library_texts
from services.library.rules import KINDS
from services.offers import DEMO_DATA, SEARCHABLE, Offer, Searchable, SearchItem

KIND = "document"
# The search's name for a document (kept here, with the offer, rather than in texts.py).
LABEL = "Tài liệu"
_CHUNK = 1000


def document_items(session: Session, since: datetime | None) -> Iterator[SearchItem]:
    """Documents published or changed after `since` (all when None). A withdrawn document is
    offered with no readers, so the index forgets who could find it (the search drops items
    only when rebuilt)."""
    after = 0
    while True:
        query = select(LibraryDocument).where(col(LibraryDocument.id) > after)
        if since is not None:
            query = query.where(col(LibraryDocument.updated_at) > since)
        chunk = list(session.exec(query.order_by(col(LibraryDocument.id)).limit(_CHUNK)))
        if not chunk:
            return
        after = chunk[-1].id or after
        for document in chunk:
            assert document.id is not None
            live = document.withdrawn_at is None
            day = document.issued_on
            at = document.published_at
            if day is not None:
                at = datetime.combine(day, time(), tzinfo=at.tzinfo)
            title = f"{document.number} – {document.title}"
            yield SearchItem(
                kind=KIND,
                ref_id=document.id,
                # An admin reads every item of the index: the mark says this one is gone.
                title=title if live else f"{title} {library_texts.WITHDRAWN_MARK}",
                body=f"{KINDS.get(document.kind, '')}. {document.summary} {document.issuer}",
                at=at,
                unit_ids=(document.unit_id,) if live else (),
                opens="/tailieu",
            )


def offers() -> list[Offer[Any]]:
    return [
        Offer(SEARCHABLE, Searchable(KIND, LABEL, document_items)),
        Offer(DEMO_DATA, demo.seed),
    ]
