"""Documents in the library: checking what a publisher typed, publishing, listing what a member
may read, superseding and withdrawing.

Every function that reads or writes takes the actor and checks them itself: a document id comes
from a button, which is untrusted (old, forged, or meant for someone else). An unreadable
document is refused exactly like a missing one, so a forged id reveals nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import LibraryDocument, LibrarySaved, Unit
from services import audit
from services.auth import Actor, readable_unit_ids
from services.errors import UserError
from services.library import texts as library_texts
from services.library.access import authorize_publish, may_publish, may_read
from services.library.rules import (
    FILE_EXTENSIONS,
    FILE_MAX_BYTES,
    FILE_MIME_TYPES,
    ISSUER_MAX_CHARS,
    KINDS,
    LINK_MAX_CHARS,
    LIST_LIMIT,
    NUMBER_MAX_CHARS,
    SEARCH_MAX_WORDS,
    SUMMARY_MAX_CHARS,
    SUMMARY_MIN_CHARS,
    TITLE_MAX_CHARS,
)
from services.org import lineage_ids
from services.textnorm import fold_words, nfc

_DATE = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})$")
_LINK = re.compile(r"^https://\S+$", re.IGNORECASE)
_FIRST_YEAR = 1930  # the Party's founding: no document of ours is older


@dataclass(frozen=True)
class Draft:
    """What the publishing flow collected; checked again, in full, by `publish`."""

    unit_id: int
    kind: str
    number: str
    issued_on: date
    issuer: str
    title: str
    summary: str
    file_ref: str | None = None
    file_name: str | None = None
    file_kind: str | None = None
    file_channel: str | None = None

    def to_data(self) -> dict[str, Any]:
        """The draft as JSON for the flow's state."""
        return {
            "unit": self.unit_id,
            "kind": self.kind,
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "issuer": self.issuer,
            "title": self.title,
            "summary": self.summary,
            "file_ref": self.file_ref,
            "file_name": self.file_name,
            "file_kind": self.file_kind,
            "file_channel": self.file_channel,
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Draft:
        """Back from the state; a state that does not hold a whole draft raises ValueError."""
        try:
            return cls(
                unit_id=int(data["unit"]),
                kind=str(data["kind"]),
                number=str(data["number"]),
                issued_on=date.fromisoformat(str(data["issued_on"])),
                issuer=str(data["issuer"]),
                title=str(data["title"]),
                summary=str(data["summary"]),
                file_ref=_opt(data.get("file_ref")),
                file_name=_opt(data.get("file_name")),
                file_kind=_opt(data.get("file_kind")),
                file_channel=_opt(data.get("file_channel")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError("incomplete draft") from error


def _opt(value: object) -> str | None:
    return str(value) if value is not None else None


# -- checking what was typed ---------------------------------------------------------------


def clean_number(text: str) -> str:
    """A document number such as "366-QĐ/TW": one line, with at least one digit."""
    number = " ".join(nfc(text).split())
    if not any(ch.isdigit() for ch in number) or len(number) > NUMBER_MAX_CHARS:
        raise UserError(library_texts.NUMBER_BAD.format(limit=NUMBER_MAX_CHARS))
    return number


def clean_issued_on(text: str, today: date) -> date:
    """dd/mm/yyyy (or with dots or dashes), a real day, not after `today`."""
    found = _DATE.match(nfc(text))
    if found is None:
        raise UserError(library_texts.DATE_BAD)
    day, month, year = (int(part) for part in found.groups())
    try:
        issued = date(year, month, day)
    except ValueError:
        raise UserError(library_texts.DATE_BAD) from None
    if issued.year < _FIRST_YEAR:
        raise UserError(library_texts.DATE_BAD)
    if issued > today:
        raise UserError(library_texts.DATE_FUTURE)
    return issued


def clean_line(text: str, limit: int) -> str:
    """One line of text (issuer, title), not empty, at most `limit` characters."""
    line = " ".join(nfc(text).split())
    if not line:
        raise UserError(library_texts.TEXT_EMPTY)
    if len(line) > limit:
        raise UserError(library_texts.TEXT_TOO_LONG.format(length=len(line), limit=limit))
    return line


def clean_summary(text: str) -> str:
    summary = nfc(text)
    if len(summary) > SUMMARY_MAX_CHARS:
        raise UserError(
            library_texts.TEXT_TOO_LONG.format(length=len(summary), limit=SUMMARY_MAX_CHARS)
        )
    if len(summary) < SUMMARY_MIN_CHARS:
        raise UserError(library_texts.SUMMARY_TOO_SHORT)
    return summary


def clean_link(text: str) -> str:
    link = text.strip()
    if not _LINK.match(link) or len(link) > LINK_MAX_CHARS:
        raise UserError(library_texts.LINK_BAD.format(limit=LINK_MAX_CHARS))
    return link


def check_upload(kind: str, name: str | None, mime: str | None, size: int | None) -> str:
    """The stored file kind ("document" or "photo") of an uploaded file, or a refusal.

    What a channel says of a file is untrusted, but it is all we have before anyone fetches
    it: the name must end in an allowed extension (a photo has none and is a JPEG), the
    declared type, when given, must be one of ours, and the size at most `FILE_MAX_BYTES`."""
    shown = (name or "").strip() or kind
    if kind == "photo":
        stored = "photo"
    elif kind == "document":
        lowered = shown.lower()
        if not lowered.endswith(FILE_EXTENSIONS) or (mime and mime not in FILE_MIME_TYPES):
            raise UserError(library_texts.FILE_BAD_TYPE.format(name=shown))
        stored = "document"
    else:
        raise UserError(library_texts.FILE_BAD_TYPE.format(name=shown))
    if size is not None and size > FILE_MAX_BYTES:
        raise UserError(
            library_texts.FILE_TOO_BIG.format(
                mb=round(size / 1024 / 1024, 1), limit=FILE_MAX_BYTES // 1024 // 1024
            )
        )
    return stored


def is_link(ref: str | None) -> bool:
    return bool(ref) and bool(re.match(r"^https?://", ref or "", re.IGNORECASE))


# -- publishing -----------------------------------------------------------------------------


def folded_words(kind: str, number: str, title: str, issuer: str) -> str:
    """What `find` matches: the kind's name, number, title and issuer, folded."""
    return fold_words(f"{KINDS.get(kind, '')} {number} {title} {issuer}")[:2000]


def load_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(library_texts.GONE)
    return unit


def publish(
    session: Session, actor: Actor, draft: Draft, *, now: datetime, today: date
) -> LibraryDocument:
    """Check the whole draft again (the state may be old or forged), refuse a number the unit
    already has from the same issuer, and write the document in one go."""
    unit = load_unit(session, draft.unit_id)
    if draft.kind not in KINDS:
        raise UserError(library_texts.GONE)
    authorize_publish(actor, unit, draft.kind)
    number = clean_number(draft.number)
    issued_on = clean_issued_on(draft.issued_on.strftime("%d/%m/%Y"), today)
    issuer = clean_line(draft.issuer, ISSUER_MAX_CHARS)
    title = clean_line(draft.title, TITLE_MAX_CHARS)
    summary = clean_summary(draft.summary)
    duplicate = find_duplicate(session, unit.id or 0, number, issuer)
    if duplicate is not None:
        raise UserError(
            library_texts.DUPLICATE.format(unit=unit.name, number=duplicate.number, issuer=issuer)
        )
    file_ref = draft.file_ref
    if file_ref is not None and (len(file_ref) > LINK_MAX_CHARS or not file_ref.strip()):
        raise UserError(library_texts.LINK_BAD.format(limit=LINK_MAX_CHARS))
    document = LibraryDocument(
        unit_id=unit.id or 0,
        kind=draft.kind,
        number=number,
        number_key=fold_words(number)[:NUMBER_MAX_CHARS],
        issued_on=issued_on,
        issuer=issuer,
        title=title,
        summary=summary,
        folded=folded_words(draft.kind, number, title, issuer),
        file_ref=file_ref,
        file_name=(draft.file_name or "")[:200] or None,
        file_kind=draft.file_kind,
        file_channel=draft.file_channel,
        published_at=now,
        published_by_member_id=actor.member_id,
        updated_at=now,
    )
    session.add(document)
    session.flush()
    audit.record(
        session,
        "library.published",
        "library_document",
        document.id,
        actor_member_id=actor.member_id,
        detail={"unit": unit.id, "number": number},
        at=now,
    )
    return document


def find_duplicate(
    session: Session, unit_id: int, number: str, issuer: str
) -> LibraryDocument | None:
    """A live document of `unit_id` with the same number from the same issuer (folded)."""
    key = fold_words(number)[:NUMBER_MAX_CHARS]
    wanted = fold_words(issuer)
    for found in session.exec(
        select(LibraryDocument)
        .where(LibraryDocument.unit_id == unit_id)
        .where(LibraryDocument.number_key == key)
        .where(col(LibraryDocument.withdrawn_at).is_(None))
    ):
        if fold_words(found.issuer) == wanted:
            return found
    return None


# -- reading --------------------------------------------------------------------------------


def _visible(session: Session, actor: Actor) -> Any:
    query = select(LibraryDocument).where(col(LibraryDocument.withdrawn_at).is_(None))
    units = readable_unit_ids(session, actor)
    if units is not None:
        query = query.where(col(LibraryDocument.unit_id).in_(units))
    return query


def _newest_first(query: Any) -> Any:
    order = col(LibraryDocument.issued_on).desc().nulls_last(), col(LibraryDocument.id).desc()
    return query.order_by(*order).limit(LIST_LIMIT)


def newest(session: Session, actor: Actor, kind: str | None = None) -> list[LibraryDocument]:
    """What `actor` may read, the newest issued first (of one kind when given)."""
    query = _visible(session, actor)
    if kind is not None:
        query = query.where(LibraryDocument.kind == kind)
    return list(session.exec(_newest_first(query)))


def find(session: Session, actor: Actor, text: str) -> list[LibraryDocument]:
    """Documents whose number, title or issuer hold every typed word, without case or marks
    ("366 qd" finds "366-QĐ/TW"); an empty query is refused."""
    words = fold_words(text).split()[:SEARCH_MAX_WORDS]
    if not words:
        raise UserError(library_texts.QUERY_TOO_SHORT)
    query = _visible(session, actor)
    for word in words:
        pattern = "%" + word.replace("\\", "").replace("%", "").replace("_", "") + "%"
        query = query.where(col(LibraryDocument.folded).like(pattern))
    return list(session.exec(_newest_first(query)))


def for_reader(session: Session, actor: Actor, document_id: int) -> LibraryDocument:
    """The document, if `actor` may read it; missing, withdrawn and unreadable alike refused."""
    document = session.get(LibraryDocument, document_id)
    if (
        document is None
        or document.withdrawn_at is not None
        or not may_read(session, actor, document)
    ):
        raise UserError(library_texts.GONE)
    return document


def readable_or_none(
    session: Session, actor: Actor, document_id: int | None
) -> LibraryDocument | None:
    if document_id is None:
        return None
    try:
        return for_reader(session, actor, document_id)
    except UserError:
        return None


def replaced_by_this(
    session: Session, actor: Actor, document: LibraryDocument
) -> list[LibraryDocument]:
    """The live documents `document` replaced that `actor` may read."""
    query = _visible(session, actor).where(LibraryDocument.superseded_by_id == document.id)
    return list(session.exec(query.order_by(col(LibraryDocument.id))))


# -- managing -------------------------------------------------------------------------------


def manageable(session: Session, actor: Actor) -> list[LibraryDocument]:
    """Live documents `actor` may supersede or withdraw, the newest first."""
    found = []
    for document in session.exec(
        select(LibraryDocument)
        .where(col(LibraryDocument.withdrawn_at).is_(None))
        .where(col(LibraryDocument.unit_id).in_(_managed_unit_ids(session, actor)))
        .order_by(
            col(LibraryDocument.issued_on).desc().nulls_last(), col(LibraryDocument.id).desc()
        )
        .limit(LIST_LIMIT)
    ):
        found.append(document)
    return [d for d in found if _may_manage(session, actor, d)]


def _managed_unit_ids(session: Session, actor: Actor) -> Any:
    if actor.is_admin:
        return select(Unit.id)
    clauses = [col(Unit.lineage).contains(f"/{uid}/") for uid in sorted(actor.committee_unit_ids)]
    clauses.append(col(Unit.id).in_(sorted(actor.managed_cell_ids)))
    return select(Unit.id).where(sa.or_(*clauses))


def _may_manage(session: Session, actor: Actor, document: LibraryDocument) -> bool:
    unit = session.get(Unit, document.unit_id)
    return unit is not None and may_publish(actor, unit, document.kind)


def for_manager(session: Session, actor: Actor, document_id: int) -> LibraryDocument:
    """A live document `actor` may manage; anything else refused (Forbidden when it is
    someone else's)."""
    document = session.get(LibraryDocument, document_id)
    if document is None or document.withdrawn_at is not None:
        raise UserError(library_texts.GONE)
    authorize_publish(actor, load_unit(session, document.unit_id), document.kind)
    return document


def supersede(
    session: Session, actor: Actor, old_id: int, new_id: int, *, now: datetime
) -> tuple[LibraryDocument, LibraryDocument]:
    """Mark `old_id` as replaced by `new_id`. The actor manages the old one; the new one must
    be live and reach the old one's readers (the same unit or one above it), and must not
    itself be replaced, directly or not, by the old one."""
    if old_id == new_id:
        raise UserError(library_texts.SUPERSEDE_SELF)
    old = for_manager(session, actor, old_id)
    new = session.get(LibraryDocument, new_id)
    if new is None or new.withdrawn_at is not None or not may_read(session, actor, new):
        raise UserError(library_texts.GONE)
    old_unit = load_unit(session, old.unit_id)
    if f"/{new.unit_id}/" not in old_unit.lineage:
        raise UserError(library_texts.SUPERSEDE_UNIT)
    seen: set[int] = set()
    step: LibraryDocument | None = new
    while step is not None and step.superseded_by_id is not None and step.id not in seen:
        seen.add(step.id or 0)
        if step.superseded_by_id == old.id:
            raise UserError(library_texts.SUPERSEDE_LOOP.format(new=new.number, old=old.number))
        step = session.get(LibraryDocument, step.superseded_by_id)
    old.superseded_by_id = new.id
    old.updated_at = now
    new.updated_at = now  # its card now says what it replaces
    session.add(old)
    session.add(new)
    session.flush()
    audit.record(
        session,
        "library.superseded",
        "library_document",
        old.id,
        actor_member_id=actor.member_id,
        detail={"by": new.id},
        at=now,
    )
    return old, new


def withdraw(session: Session, actor: Actor, document_id: int, *, now: datetime) -> LibraryDocument:
    """Hide a document from everyone, saved copies included (the row stays, for the record)."""
    document = for_manager(session, actor, document_id)
    document.withdrawn_at = now
    document.updated_at = now
    session.add(document)
    session.execute(sa.delete(LibrarySaved).where(col(LibrarySaved.document_id) == document.id))
    session.flush()
    audit.record(
        session,
        "library.withdrawn",
        "library_document",
        document.id,
        actor_member_id=actor.member_id,
        at=now,
    )
    return document


def replacement_candidates(
    session: Session, actor: Actor, old: LibraryDocument
) -> list[LibraryDocument]:
    """Documents that may replace `old`: live, readable by `actor`, addressed to `old`'s unit
    or a unit above it (so they reach everyone who read `old`), and not `old` itself."""
    unit = load_unit(session, old.unit_id)
    above = lineage_ids(unit)
    query = _visible(session, actor).where(col(LibraryDocument.unit_id).in_(above))
    return [d for d in session.exec(_newest_first(query)) if d.id != old.id]
