"""Posting, pushing and withdrawing bulletins: the committee's side.

Who posts: a committee member, for a unit they sit on the committee of (its whole subtree
reads it), and an admin, for any top unit. Secretaries do not: a cell's own news goes out as a
directive (/chidao) or a meeting document, and bulletins are the news from above.

Pushing sends one item (posted or read from a feed) to every member under its unit through the
outbox, once: `pushed_at` is set under a row lock and the outbox's dedupe key is the
bulletin's, so a double press, a retry or a second process sends nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from models import Bulletin, Member, Unit
from services import audit, outbox
from services.auth import Actor, Permission, authorize
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import (
    DEFAULT_BULLETIN_RULES,
    OPEN,
    PUSH_KIND,
    BulletinRules,
    check_upload,
    clean_link,
    clean_text,
    clean_title,
)
from services.errors import Forbidden, UserError
from services.org import root_units, subtree_units
from services.textnorm import nfc, shorten_text

_NOTICE_TEXT_CHARS = 500


@dataclass(frozen=True)
class Draft:
    """What the committee typed, checked (`check_draft`) before the preview."""

    unit_id: int
    title: str
    text: str
    link: str | None = None
    file_ref: str | None = None
    file_kind: str | None = None
    file_name: str | None = None


def targets(session: Session, actor: Actor) -> list[Unit]:
    """The units the actor may post for, by name: their committee units (an admin: also the
    top units)."""
    ids = set(actor.committee_unit_ids)
    if actor.is_admin:
        ids.update(u.id for u in root_units(session) if u.id is not None)
    units = [session.get(Unit, uid) for uid in ids]
    return sorted((u for u in units if u is not None), key=lambda u: u.path)


def target(session: Session, actor: Actor, unit_id: int) -> Unit:
    """The unit, if the actor may post for it now (else `Forbidden`)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(bulletin_texts.NO_UNIT)
    authorize(actor, Permission.OVERSEE, unit)
    return unit


def check_draft(
    session: Session,
    actor: Actor,
    *,
    unit_id: int,
    title: str,
    text: str,
    link: str | None = None,
    file_ref: str | None = None,
    file_kind: str | None = None,
    file_name: str | None = None,
    rules: BulletinRules = DEFAULT_BULLETIN_RULES,
) -> Draft:
    target(session, actor, unit_id)
    ref = nfc(file_ref or "")[:500] or None
    kind = file_kind if ref else None
    if ref is not None and kind not in ("photo", "document"):
        raise UserError(bulletin_texts.BAD_FILE_KIND)
    return Draft(
        unit_id=unit_id,
        title=clean_title(title, rules),
        text=clean_text(text, rules),
        link=clean_link(link, rules) if link else None,
        file_ref=ref,
        file_kind=kind,
        file_name=(nfc(file_name or "")[:200] or None) if ref else None,
    )


def check_file(
    kind: str,
    name: str | None,
    mime: str | None,
    size: int | None,
    rules: BulletinRules = DEFAULT_BULLETIN_RULES,
) -> bool:
    """`rules.check_upload` for a flow's step: True, or the refusal (`UserError`)."""
    check_upload(kind, name, mime, size, rules)
    return True


def post(
    session: Session,
    actor: Actor,
    draft: Draft,
    *,
    now: datetime,
    rules: BulletinRules = DEFAULT_BULLETIN_RULES,
) -> Bulletin:
    """Write the bulletin (checked again: the flow's data may be old, the role lost)."""
    draft = check_draft(
        session,
        actor,
        unit_id=draft.unit_id,
        title=draft.title,
        text=draft.text,
        link=draft.link,
        file_ref=draft.file_ref,
        file_kind=draft.file_kind,
        file_name=draft.file_name,
        rules=rules,
    )
    bulletin = Bulletin(
        unit_id=draft.unit_id,
        title=draft.title,
        text=draft.text,
        link=draft.link,
        file_ref=draft.file_ref,
        file_kind=draft.file_kind,
        file_name=draft.file_name,
        author_member_id=actor.member_id,
        posted_at=now,
        updated_at=now,
    )
    session.add(bulletin)
    session.flush()
    audit.record(
        session,
        "bulletin.posted",
        "bulletin",
        bulletin.id,
        actor_member_id=actor.member_id,
        detail={"unit_id": draft.unit_id, "title": draft.title},
        at=now,
    )
    return bulletin


def _locked(session: Session, bulletin_id: int) -> Bulletin:
    bulletin = session.exec(
        select(Bulletin).where(Bulletin.id == bulletin_id).with_for_update()
    ).first()
    if bulletin is None:
        raise UserError(bulletin_texts.GONE)
    return bulletin


def managed_one(session: Session, actor: Actor, bulletin_id: int) -> Bulletin:
    """A bulletin within a unit the actor oversees (else: gone, or `Forbidden`)."""
    bulletin = session.get(Bulletin, bulletin_id)
    unit = session.get(Unit, bulletin.unit_id) if bulletin is not None else None
    if bulletin is None or unit is None:
        raise UserError(bulletin_texts.GONE)
    authorize(actor, Permission.OVERSEE, unit)
    return bulletin


def may_withdraw(actor: Actor, bulletin: Bulletin) -> bool:
    """Its author, or an admin; a feed item, any committee over its unit (checked by
    `managed_one` before)."""
    if actor.is_admin:
        return True
    if bulletin.feed_id is not None:
        return True
    return bulletin.author_member_id == actor.member_id


def withdraw(session: Session, actor: Actor, bulletin_id: int, *, now: datetime) -> Bulletin:
    """Hide the bulletin from members (kept for the record); a second withdrawal refuses."""
    managed_one(session, actor, bulletin_id)
    bulletin = _locked(session, bulletin_id)
    if not may_withdraw(actor, bulletin):
        raise Forbidden(bulletin_texts.NOT_YOURS)
    if bulletin.withdrawn_at is not None:
        raise UserError(bulletin_texts.ALREADY_WITHDRAWN)
    bulletin.withdrawn_at = now
    bulletin.updated_at = now
    session.add(bulletin)
    audit.record(
        session,
        "bulletin.withdrawn",
        "bulletin",
        bulletin.id,
        actor_member_id=actor.member_id,
        at=now,
    )
    return bulletin


def subtree_member_ids(session: Session, unit_id: int) -> list[int]:
    cells = [u.id for u in subtree_units(session, [unit_id]) if u.id is not None]
    if not cells:
        return []
    rows = session.exec(select(Member.id).where(col(Member.cell_id).in_(cells)))
    return sorted(m for m in rows if m is not None)


def notice_for(bulletin: Bulletin) -> outbox.Notice:
    assert bulletin.id is not None
    text = bulletin_texts.PUSH_NOTICE.format(
        title=bulletin.title, text=shorten_text(bulletin.text, _NOTICE_TEXT_CHARS)
    ).strip()
    return outbox.message(
        text,
        options=[(OPEN(bulletin.id), bulletin_texts.BTN_OPEN)],
        file_ref=bulletin.file_ref,
        file_kind=bulletin.file_kind,
    )


def push(session: Session, actor: Actor, bulletin_id: int, *, now: datetime) -> outbox.Reach:
    """Send a notice of this one bulletin to every member under its unit, once."""
    unit_bulletin = session.get(Bulletin, bulletin_id)
    unit = session.get(Unit, unit_bulletin.unit_id) if unit_bulletin is not None else None
    if unit_bulletin is None or unit is None:
        raise UserError(bulletin_texts.GONE)
    try:
        authorize(actor, Permission.OVERSEE, unit)
    except Forbidden:
        raise Forbidden(bulletin_texts.PUSH_FORBIDDEN) from None
    bulletin = _locked(session, bulletin_id)
    if bulletin.withdrawn_at is not None:
        raise UserError(bulletin_texts.WITHDRAWN_CANNOT_PUSH)
    if bulletin.pushed_at is not None:
        raise UserError(bulletin_texts.ALREADY_PUSHED)
    members = [m for m in subtree_member_ids(session, bulletin.unit_id) if m != actor.member_id]
    result = outbox.enqueue(
        session,
        kind=PUSH_KIND,
        ref_id=bulletin.id,
        member_ids=members,
        payload=notice_for(bulletin),
        dedupe_key=f"bulletin:{bulletin.id}",
        now=now,
    )
    bulletin.pushed_at = now
    bulletin.pushed_by_member_id = actor.member_id
    bulletin.updated_at = now
    session.add(bulletin)
    audit.record(
        session,
        "bulletin.pushed",
        "bulletin",
        bulletin.id,
        actor_member_id=actor.member_id,
        detail={"deliveries": result.created},
        at=now,
    )
    return result.reach
