"""A document's file, sent to the member who asks for it ("Nhận tệp").

The library keeps a reference, not the bytes (docs/library.md): a link, or the file id of the
channel it was uploaded on. A link is given in the reply itself, so every channel (the terminal
too) shows it. A channel's file id goes through the outbox to the member, as meeting documents
do, so the channel's sender re-sends it by id; it means nothing to another platform, so a
member with no account on that channel is told where to get it instead of being sent nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import ChatIdentity, LibraryDocument
from services import outbox
from services.auth import Actor
from services.errors import UserError
from services.library import texts as library_texts
from services.library.documents import for_reader, is_link
from services.library.rules import DELIVERY_KIND, KINDS, OPEN


def file_label(document: LibraryDocument) -> str:
    return document.file_name or document.number


def send_file(session: Session, actor: Actor, document_id: int, *, now: datetime) -> str:
    """What to tell the member after "Nhận tệp" (the link, or that the file is on its way,
    or where to get it); refused when they may not read the document or it has no file."""
    document = for_reader(session, actor, document_id)
    name = file_label(document)
    ref = document.file_ref
    if not ref:
        raise UserError(library_texts.NO_FILE)
    if is_link(ref):
        return library_texts.FILE_LINK.format(name=name, url=ref)
    channel = document.file_channel or ""
    reachable = session.exec(
        select(ChatIdentity.id)
        .where(ChatIdentity.member_id == actor.member_id)
        .where(ChatIdentity.channel == channel)
        .where(col(ChatIdentity.active).is_(True))
    ).first()
    if reachable is None:
        label = library_texts.CHANNEL_LABELS.get(channel, channel)
        return library_texts.FILE_OTHER_CHANNEL.format(name=name, channel=label)
    text = library_texts.FILE_NOTICE.format(
        kind=KINDS.get(document.kind, ""), number=document.number, title=document.title
    )
    outbox.enqueue(
        session,
        kind=DELIVERY_KIND,
        ref_id=document.id,
        member_ids=[actor.member_id],
        payload=outbox.message(
            text,
            options=[(OPEN(document.id or 0), library_texts.BTN_OPEN)],
            file_ref=ref,
            file_kind=document.file_kind,
        ),
        # One copy a minute however often it is pressed.
        dedupe_key=f"library:{document.id}:{now.strftime('%Y%m%d%H%M')}",
        now=now,
    )
    return library_texts.FILE_ON_ITS_WAY.format(name=name)
