"""Who reads which bulletins, and reading one.

A member reads the bulletins addressed to their cell or to any unit above it (the lineage of
their cell). A committee member also reads everything addressed within and above the units
they sit on the committee of; an admin reads everything. Withdrawn bulletins are read by
nobody. Every lookup by id checks this again: an id comes from a button, untrusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from models import Bulletin, BulletinFeed, Unit
from services import outbox
from services.auth import Actor, Permission, allows, readable_unit_ids
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import DEFAULT_BULLETIN_RULES, FILE_KIND, BulletinRules
from services.errors import UserError
from services.org import subtree_units


def may_read(session: Session, actor: Actor, bulletin: Bulletin) -> bool:
    if bulletin.withdrawn_at is not None:
        return False
    units = readable_unit_ids(session, actor)
    return units is None or bulletin.unit_id in units


def latest(
    session: Session, actor: Actor, rules: BulletinRules = DEFAULT_BULLETIN_RULES
) -> list[Bulletin]:
    """The newest bulletins the actor reads, newest first, at most `rules.listed`."""
    query = select(Bulletin).where(col(Bulletin.withdrawn_at).is_(None))
    units = readable_unit_ids(session, actor)
    if units is not None:
        if not units:
            return []
        query = query.where(col(Bulletin.unit_id).in_(units))
    query = query.order_by(col(Bulletin.posted_at).desc(), col(Bulletin.id).desc())
    return list(session.exec(query.limit(rules.listed)))


def readable(session: Session, actor: Actor, bulletin_id: int) -> Bulletin:
    """The bulletin if the actor may read it now; otherwise a refusal that says it is gone
    (never whether it exists for someone else)."""
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None or not may_read(session, actor, bulletin):
        raise UserError(bulletin_texts.GONE)
    return bulletin


def source_of(session: Session, bulletin: Bulletin) -> str:
    """Who it is from: the feed's name, or the unit it was posted for."""
    if bulletin.source:
        return bulletin.source
    unit = session.get(Unit, bulletin.unit_id)
    return unit.name if unit is not None else ""


def feed_name(session: Session, feed_id: int | None) -> str:
    feed = session.get(BulletinFeed, feed_id) if feed_id is not None else None
    if feed is None:
        return bulletin_texts.FEED_DEFAULT_SOURCE
    return feed.title or bulletin_texts.FEED_DEFAULT_SOURCE


def send_file(session: Session, actor: Actor, bulletin: Bulletin, *, now: datetime) -> bool:
    """The bulletin's photo or file, through the outbox to this member alone (each channel
    sends it its own way, as the meeting documents go). At most one copy a minute, however
    often it is opened. False when there is no file."""
    if not bulletin.file_ref or bulletin.id is None:
        return False
    if not may_read(session, actor, bulletin):
        raise UserError(bulletin_texts.GONE)
    outbox.enqueue(
        session,
        kind=FILE_KIND,
        ref_id=bulletin.id,
        member_ids=[actor.member_id],
        payload=outbox.message(
            bulletin_texts.FILE_NOTICE.format(title=bulletin.title),
            file_ref=bulletin.file_ref,
            file_kind=bulletin.file_kind,
        ),
        dedupe_key=f"bulletin_file:{bulletin.id}:{now.strftime('%Y%m%d%H%M')}",
        now=now,
    )
    return True


def oversees(session: Session, actor: Actor, unit_id: int) -> bool:
    """Whether the actor is a committee over `unit_id` (or an admin)."""
    unit = session.get(Unit, unit_id)
    return unit is not None and allows(actor, Permission.OVERSEE, unit)


def managed(
    session: Session, actor: Actor, rules: BulletinRules = DEFAULT_BULLETIN_RULES
) -> list[Bulletin]:
    """Bulletins within the units the actor oversees (theirs, their colleagues', feed items),
    newest first, withdrawn ones included (marked by the caller)."""
    query = select(Bulletin)
    if not actor.is_admin:
        units = [u.id for u in subtree_units(session, sorted(actor.committee_unit_ids))]
        if not units:
            return []
        query = query.where(col(Bulletin.unit_id).in_(units))
    query = query.order_by(col(Bulletin.posted_at).desc(), col(Bulletin.id).desc())
    return list(session.exec(query.limit(rules.listed)))


def units_named(session: Session, unit_ids: Sequence[int]) -> dict[int, str]:
    rows = session.exec(select(Unit).where(col(Unit.id).in_(list(unit_ids))))
    return {u.id: u.name for u in rows if u.id is not None}
