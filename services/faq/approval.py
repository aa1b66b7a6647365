"""Approving (thẩm định) FAQ entries: a committee member or an admin reads an entry and
approves its current wording; the "Chưa thẩm định" warning then goes. Recorded by the entry's
key and the digest of what was read (`catalog.digest`), and audited."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from models import FaqReview
from services import audit
from services.auth import Actor
from services.errors import Forbidden, UserError
from services.faq import texts as faq_texts
from services.faq.catalog import Entry, general


def may_review(actor: Actor) -> bool:
    return actor.is_admin or bool(actor.committee_unit_ids)


def current(session: Session, key: str) -> Entry | None:
    return next((e for e in general(session) if e.key == key), None)


def approve(session: Session, actor: Actor, key: str, seen: str, *, now: datetime) -> Entry:
    """Approve entry `key` as the reviewer saw it (`seen`, its digest then). Refused when the
    wording changed since (a re-import meanwhile) or it is approved already."""
    if not may_review(actor):
        raise Forbidden(faq_texts.REVIEW_FORBIDDEN)
    entry = current(session, key)
    if entry is None:
        raise UserError(faq_texts.ENTRY_GONE)
    if entry.digest != seen:
        raise UserError(faq_texts.REVIEW_CHANGED.format(key=key))
    if entry.reviewed:
        raise UserError(faq_texts.REVIEW_ALREADY.format(key=key))
    row = session.get(FaqReview, key) or FaqReview(key=key, digest=seen)
    row.digest = seen
    row.reviewed_at = now
    row.reviewed_by_member_id = actor.member_id
    session.add(row)
    audit.record(
        session,
        "faq.approved",
        "faq_entry",
        key,
        actor_member_id=actor.member_id,
        detail={"digest": seen},
        at=now,
    )
    return entry
