"""How a document reads in the chat: its card and its line in a list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from models import LibraryDocument
from services.auth import Actor
from services.library import texts as library_texts
from services.library.documents import readable_or_none, replaced_by_this
from services.library.rules import KINDS
from services.textnorm import shorten_text
from services.vndate import format_vn_date

LABEL_CHARS = 90


def list_label(document: LibraryDocument) -> str:
    return shorten_text(
        library_texts.ITEM.format(number=document.number, title=document.title), LABEL_CHARS
    )


def card_text(document: LibraryDocument) -> str:
    """Kind, number, date, issuer, title and summary (no marks)."""
    day = document.issued_on
    return library_texts.DOCUMENT.format(
        kind=KINDS.get(document.kind, document.kind),
        number=document.number,
        date=format_vn_date(day) if day is not None else library_texts.DATE_UNKNOWN,
        issuer=document.issuer,
        title=document.title,
        summary=document.summary,
    )


@dataclass(frozen=True)
class Card:
    """A document as `actor` sees it: the text with its marks, and the documents they may
    open from it (the one that replaced it, those it replaced)."""

    text: str
    newer: LibraryDocument | None
    older: list[LibraryDocument]


def card(session: Session, actor: Actor, document: LibraryDocument) -> Card:
    lines = [card_text(document)]
    newer = None
    if document.superseded_by_id is not None:
        replacement = session.get(LibraryDocument, document.superseded_by_id)
        if replacement is not None and replacement.withdrawn_at is None:
            newer = readable_or_none(session, actor, replacement.id)
            lines.append(
                library_texts.SUPERSEDED_BY.format(number=replacement.number)
                if newer is not None
                else library_texts.SUPERSEDED_BY_GONE
            )
    older = replaced_by_this(session, actor, document)
    if older:
        numbers = ", ".join(d.number for d in older)
        lines.append(library_texts.REPLACES.format(number=numbers))
    if not document.file_ref:
        lines.append(library_texts.NO_FILE)
    return Card("\n".join(lines), newer, older)
