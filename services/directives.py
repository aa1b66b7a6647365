"""Directives: a secretary, deputy or committee member writes to members; members acknowledge.

- A cell's secretary or deputy (Permission.MANAGE_CELL) writes to their cell; a committee
  member (Permission.OVERSEE) writes to a unit of their subtree, i.e. to every cell below it.
- The audience is the whole unit, its official members only, or members chosen by name.
- Each recipient's copy is a `directive_recipients` row with its "Đã nhận" acknowledgement;
  each message is an outbox row per chat account (services.outbox), so nothing is lost on a
  crash and the sender's counts come from the rows themselves.
- Whoever may write to the directive's unit *now* follows it up (delivered / failed / pending /
  acknowledged counts, who has not acknowledged, a reminder at most once per
  `directive_remind_interval`): having sent it gives no right of its own, so a former secretary
  loses their cell's directives and the new one inherits them. A cell's manager also follows
  their cell's share of a directive from above.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlmodel import Session, col, select

from models import (
    ChatIdentity,
    Delivery,
    DeliveryKind,
    DeliveryStatus,
    Directive,
    DirectiveAudience,
    DirectiveRecipient,
    FileKind,
    Member,
    MemberStatus,
    Unit,
)
from services import audit, outbox, texts
from services.auth import Actor, Permission, allows, authorize
from services.errors import Forbidden, UserError
from services.meetings import DEFAULT_RULES, CellMonthRules, member_names, name_key
from services.org import is_cell, subtree_units
from services.textnorm import nfc
from services.vndate import format_vn_date

# "Official members only": chính thức, and exempt members, who are official members excused
# from meetings (the roll call lists them apart, but they remain official members).
_OFFICIAL = (MemberStatus.OFFICIAL.value, MemberStatus.EXEMPT.value)


@dataclass(frozen=True)
class DirectivePreview:
    """What the sender confirms: the unit, the audience, how many members in how many cells,
    and how many of them have no chat account linked (they will not get a message)."""

    unit_id: int
    unit_name: str
    audience: DirectiveAudience
    text: str
    file_ref: str | None
    file_kind: str | None
    member_ids: tuple[int, ...]
    cells: int
    unreachable: int


@dataclass(frozen=True)
class DirectiveReceipt:
    directive: Directive
    recipients: int
    enqueued: int
    unreachable: int
    message: str


@dataclass(frozen=True)
class DirectiveStats:
    """Counts per member (not per chat account): delivered when at least one account got it,
    pending while a row is still queued, failed otherwise (including no linked account)."""

    directive: Directive
    recipients: int
    delivered: int
    pending: int
    failed: int
    acknowledged: int
    not_acknowledged: list[tuple[int, str]]

    def text(self, tz: tzinfo = DEFAULT_RULES.tz) -> str:
        """The sender's summary (counts, then the names still to acknowledge)."""
        lines = [
            texts.DIR_STATS.format(
                date=format_vn_date(self.directive.created_at.astimezone(tz).date()),
                recipients=self.recipients,
                delivered=self.delivered,
                failed=self.failed,
                pending=self.pending,
                acknowledged=self.acknowledged,
            )
        ]
        if self.not_acknowledged:
            names = ", ".join(name for _id, name in self.not_acknowledged)
            lines.append(texts.DIR_NOT_ACKED.format(names=names))
        return "\n".join(lines)


@dataclass(frozen=True)
class FollowedDirective:
    """One entry of the follow-up list: the whole directive (`cell_id` None) or, for a directive
    from above, the share that reached one cell the actor manages."""

    directive: Directive
    unit_name: str
    cell_id: int | None = None


@dataclass(frozen=True)
class MyDirective:
    """A directive as its recipient lists it."""

    directive_id: int
    sent_at: datetime
    sender_name: str
    unit_name: str
    text: str
    file_ref: str | None
    acknowledged_at: datetime | None


# --- Audience ---------------------------------------------------------------------------------


def may_direct(actor: Actor, unit: Unit) -> bool:
    """Who may write to `unit` and follow up what was written to it, by current authority only:
    the cell's secretary or deputy now, a committee member of a unit whose subtree contains it,
    an admin. The one rule for composing, listing, stats and reminders (buttons included)."""
    return allows(actor, Permission.LEAD, unit)


def _authorize_direction(actor: Actor, unit: Unit) -> None:
    """`may_direct`, or `Forbidden` with the reason."""
    authorize(actor, Permission.LEAD, unit)


def _cells_of(session: Session, unit: Unit) -> list[int]:
    assert unit.id is not None
    if is_cell(unit):
        return [unit.id]
    return [u.id for u in subtree_units(session, [unit.id]) if u.id is not None and is_cell(u)]


def _audience(
    session: Session,
    actor: Actor,
    unit: Unit,
    audience: DirectiveAudience,
    member_ids: Sequence[int],
) -> list[Member]:
    cell_ids = _cells_of(session, unit)
    if not cell_ids:
        return []
    query = select(Member).where(col(Member.cell_id).in_(cell_ids))
    if audience is DirectiveAudience.OFFICIAL:
        query = query.where(col(Member.status).in_(_OFFICIAL))
    elif audience is DirectiveAudience.CHOSEN:
        wanted = {int(m) for m in member_ids}
        if not wanted:
            raise UserError(texts.DIR_CHOSEN_EMPTY)
        query = query.where(col(Member.id).in_(wanted))
        found = list(session.exec(query.order_by(col(Member.full_name))))
        if {m.id for m in found} != wanted:
            # Ids come from buttons: any id outside the sender's scope is refused whole.
            raise Forbidden(texts.DIR_CHOSEN_OUTSIDE)
        return [m for m in found if m.id != actor.member_id]
    members = session.exec(query.order_by(col(Member.cell_id), col(Member.full_name)))
    return [m for m in members if m.id != actor.member_id]


def _clean_text(text: str, rules: CellMonthRules) -> str:
    clean = nfc(text or "")
    if not clean:
        raise UserError(texts.DIR_TEXT_EMPTY)
    if len(clean) > rules.directive_max_chars:
        raise UserError(
            texts.DIR_TEXT_TOO_LONG.format(length=len(clean), maximum=rules.directive_max_chars)
        )
    return clean


def preview_directive(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    audience: DirectiveAudience | str,
    text: str,
    member_ids: Sequence[int] = (),
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    rules: CellMonthRules = DEFAULT_RULES,
) -> DirectivePreview:
    """Validate a directive and say who would receive it; nothing is written."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(texts.DIR_UNIT_NOT_FOUND)
    _authorize_direction(actor, unit)
    kind = DirectiveAudience(audience)
    clean = _clean_text(text, rules)
    members = _audience(session, actor, unit, kind, member_ids)
    if not members:
        raise UserError(texts.DIR_NO_RECIPIENTS)
    ids = tuple(m.id for m in members if m.id is not None)
    reachable = _reachable(session, ids)
    ref = nfc(file_ref or "")[:500] or None
    return DirectivePreview(
        unit_id=unit_id,
        unit_name=unit.name,
        audience=kind,
        text=clean,
        file_ref=ref,
        file_kind=(FileKind(file_kind) if file_kind else FileKind.DOCUMENT).value if ref else None,
        member_ids=ids,
        cells=len({m.cell_id for m in members}),
        unreachable=len([i for i in ids if i not in reachable]),
    )


def _reachable(session: Session, member_ids: Sequence[int]) -> set[int]:
    """Members with at least one active linked chat account."""
    if not member_ids:
        return set()
    rows = session.exec(
        select(ChatIdentity.member_id)
        .where(col(ChatIdentity.member_id).in_(list(member_ids)))
        .where(col(ChatIdentity.active).is_(True))
    )
    return {r for r in rows if r is not None}


# --- Sending ----------------------------------------------------------------------------------


def send_directive(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    audience: DirectiveAudience | str,
    text: str,
    member_ids: Sequence[int] = (),
    file_ref: str | None = None,
    file_kind: FileKind | str | None = None,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> DirectiveReceipt:
    """Save the directive, one copy per recipient, one outbox row per chat account.

    Validated again from scratch: the confirmation may come from an old preview.
    """
    preview = preview_directive(
        session,
        actor,
        unit_id,
        audience=audience,
        text=text,
        member_ids=member_ids,
        file_ref=file_ref,
        file_kind=file_kind,
        rules=rules,
    )
    directive = Directive(
        sender_member_id=actor.member_id,
        unit_id=unit_id,
        audience=preview.audience,
        text=preview.text,
        file_ref=preview.file_ref,
        file_kind=preview.file_kind,
        recipient_count=len(preview.member_ids),
        created_at=now,
    )
    session.add(directive)
    session.flush()
    assert directive.id is not None
    cells = {
        m.id: m.cell_id
        for m in session.exec(select(Member).where(col(Member.id).in_(preview.member_ids)))
    }
    session.add_all(
        DirectiveRecipient(directive_id=directive.id, member_id=mid, cell_id=cells[mid])
        for mid in preview.member_ids
    )
    result = outbox.enqueue(
        session,
        kind=DeliveryKind.DIRECTIVE,
        ref_id=directive.id,
        member_ids=preview.member_ids,
        payload=_payload(
            directive, actor.full_name, preview.unit_name, texts.DIR_MESSAGE, rules.tz
        ),
        dedupe_key=f"directive:{directive.id}",
        now=now,
    )
    audit.record(
        session,
        "directive.sent",
        "directive",
        directive.id,
        actor_member_id=actor.member_id,
        detail={
            "unit_id": unit_id,
            "audience": preview.audience.value,
            "recipients": len(preview.member_ids),
            "unreachable": len(result.unreachable_member_ids),
        },
        at=now,
    )
    message = texts.DIR_RECEIPT.format(
        recipients=len(preview.member_ids),
        cells=preview.cells,
        unreachable=len(result.unreachable_member_ids),
    )
    return DirectiveReceipt(
        directive=directive,
        recipients=len(preview.member_ids),
        enqueued=result.created,
        unreachable=len(result.unreachable_member_ids),
        message=message,
    )


def _payload(
    directive: Directive, sender: str, unit_name: str, template: str, tz: tzinfo
) -> dict[str, Any]:
    """The member's message: header, text, the "Đã nhận" option, the file if any."""
    text = template.format(
        sender=sender,
        unit=unit_name,
        date=format_vn_date(directive.created_at.astimezone(tz).date()),
        text=directive.text,
    )
    return outbox.message(
        text,
        options=[(f"dir_ack:{directive.id}", texts.DIR_ACK_LABEL)],
        file_ref=directive.file_ref,
        file_kind=directive.file_kind,
    )


# --- Acknowledging and following up -----------------------------------------------------------


def acknowledge_directive(
    session: Session, actor: Actor, directive_id: int, *, now: datetime
) -> DirectiveRecipient:
    """The member's "Đã nhận". Pressing it again keeps the first time."""
    copy = session.exec(
        select(DirectiveRecipient)
        .where(DirectiveRecipient.directive_id == directive_id)
        .where(DirectiveRecipient.member_id == actor.member_id)
        .with_for_update()
    ).first()
    if copy is None:
        raise UserError(texts.DIR_NOT_RECIPIENT)
    if copy.acknowledged_at is None:
        copy.acknowledged_at = now
        session.add(copy)
        audit.record(
            session,
            "directive.acknowledged",
            "directive",
            directive_id,
            actor_member_id=actor.member_id,
            at=now,
        )
    return copy


def _followed_directive(session: Session, actor: Actor, directive_id: int) -> Directive:
    """The directive, if the actor may direct its unit now (`may_direct`); whoever sent it."""
    directive = session.get(Directive, directive_id)
    if directive is None:
        raise UserError(texts.DIR_NOT_FOUND)
    unit = session.get(Unit, directive.unit_id)
    if unit is None:
        raise UserError(texts.DIR_NOT_FOUND)
    _authorize_direction(actor, unit)
    return directive


def directive_stats(session: Session, actor: Actor, directive_id: int) -> DirectiveStats:
    """Delivered / pending / failed / acknowledged, and who has not acknowledged yet."""
    directive = _followed_directive(session, actor, directive_id)
    copies = list(
        session.exec(
            select(DirectiveRecipient).where(DirectiveRecipient.directive_id == directive_id)
        )
    )
    return _stats(session, directive, copies)


def cell_directive_stats(
    session: Session, actor: Actor, directive_id: int, cell_id: int
) -> DirectiveStats:
    """One cell's share of a directive, for whoever may direct that cell now (its secretary
    following a directive from above): the copies addressed to that cell only, so the other
    cells' figures stay with those who may see them."""
    cell = session.get(Unit, cell_id)
    directive = session.get(Directive, directive_id)
    if cell is None or directive is None:
        raise UserError(texts.DIR_NOT_FOUND)
    _authorize_direction(actor, cell)
    copies = list(
        session.exec(
            select(DirectiveRecipient)
            .where(DirectiveRecipient.directive_id == directive_id)
            .where(DirectiveRecipient.cell_id == cell_id)
        )
    )
    if not copies:
        raise UserError(texts.DIR_NOT_FOUND)
    return _stats(session, directive, copies, cell_id=cell_id)


def _stats(
    session: Session,
    directive: Directive,
    copies: Sequence[DirectiveRecipient],
    *,
    cell_id: int | None = None,
) -> DirectiveStats:
    """Counts per member over `copies` (all, or one cell's): delivered if any of their
    accounts got it."""
    rows = (
        select(Delivery.member_id, Delivery.status)
        .where(Delivery.kind == DeliveryKind.DIRECTIVE)
        .where(Delivery.ref_id == directive.id)
    )
    if cell_id is not None:
        share = (
            select(DirectiveRecipient.member_id)
            .where(DirectiveRecipient.directive_id == directive.id)
            .where(DirectiveRecipient.cell_id == cell_id)
        )
        rows = rows.where(col(Delivery.member_id).in_(share))
    statuses: dict[int, set[str]] = defaultdict(set)
    for member_id, status in session.exec(rows):
        if member_id is not None:
            statuses[member_id].add(status)
    delivered = pending = failed = 0
    for copy in copies:
        seen = statuses.get(copy.member_id, set())
        if DeliveryStatus.SENT in seen:
            delivered += 1
        elif seen & {DeliveryStatus.PENDING, DeliveryStatus.SENDING}:
            pending += 1
        else:
            failed += 1
    waiting = [c.member_id for c in copies if c.acknowledged_at is None]
    names = member_names(session, waiting)
    not_acked = sorted(
        ((mid, names[mid].full_name) for mid in waiting if mid in names),
        key=lambda x: name_key(x[1]),
    )
    return DirectiveStats(
        directive=directive,
        recipients=len(copies),
        delivered=delivered,
        pending=pending,
        failed=failed,
        acknowledged=len(copies) - len(waiting),
        not_acknowledged=not_acked,
    )


def remind_unacknowledged(
    session: Session,
    actor: Actor,
    directive_id: int,
    *,
    now: datetime,
    rules: CellMonthRules = DEFAULT_RULES,
) -> int:
    """Send a reminder to everyone who has not acknowledged; returns how many were reminded.

    Each reminder round has its own dedupe key, so a double press sends one round; rounds are
    at least `directive_remind_interval` apart so members are not pestered.
    """
    directive = _followed_directive(session, actor, directive_id)
    directive = session.exec(
        select(Directive).where(Directive.id == directive.id).with_for_update()
    ).one()
    if directive.last_reminded_at is not None:
        allowed = directive.last_reminded_at + rules.directive_remind_interval
        if now < allowed:
            raise UserError(
                texts.DIR_REMIND_TOO_SOON.format(
                    last=directive.last_reminded_at.astimezone(rules.tz).strftime("%H:%M"),
                    next=allowed.astimezone(rules.tz).strftime("%H:%M"),
                )
            )
    waiting = unacknowledged(session, directive_id)
    if not waiting:
        raise UserError(texts.DIR_ALL_ACKED)
    send_reminder_round(
        session, directive, waiting, now=now, tz=rules.tz, actor_member_id=actor.member_id
    )
    return len(waiting)


def unacknowledged(session: Session, directive_id: int) -> list[int]:
    """The members who received the directive and have not acknowledged it."""
    return sorted(
        session.exec(
            select(DirectiveRecipient.member_id)
            .where(DirectiveRecipient.directive_id == directive_id)
            .where(col(DirectiveRecipient.acknowledged_at).is_(None))
        )
    )


def send_reminder_round(
    session: Session,
    directive: Directive,
    waiting: Sequence[int],
    *,
    now: datetime,
    tz: tzinfo,
    actor_member_id: int | None = None,
    dedupe_key: str | None = None,
) -> outbox.EnqueueResult:
    """One reminder round to `waiting`, by the sender (`actor_member_id`) or the scheduler
    (`dedupe_key` names its round); counted on the directive and audited. The caller holds
    the directive's row lock, so a manual and an automatic round cannot interleave."""
    sender = session.get(Member, directive.sender_member_id)
    unit = session.get(Unit, directive.unit_id)
    directive.reminders += 1
    directive.last_reminded_at = now
    session.add(directive)
    result = outbox.enqueue(
        session,
        kind=DeliveryKind.DIRECTIVE_REMINDER,
        ref_id=directive.id,
        member_ids=waiting,
        payload=_payload(
            directive,
            sender.full_name if sender else "",
            unit.name if unit else "",
            texts.DIR_REMINDER,
            tz,
        ),
        dedupe_key=dedupe_key or f"directive:{directive.id}:remind:{directive.reminders}",
        now=now,
    )
    automatic = actor_member_id is None
    audit.record(
        session,
        "directive.reminded",
        "directive",
        directive.id,
        actor_member_id=actor_member_id,
        actor_label="scheduler" if automatic else None,
        detail={"round": directive.reminders, "members": len(waiting)}
        | ({"automatic": True} if automatic else {}),
        at=now,
    )
    return result


# --- Listing ----------------------------------------------------------------------------------


def my_directives(session: Session, actor: Actor, *, limit: int = 10) -> list[MyDirective]:
    """The actor's recent directives, newest first, with their own acknowledgement."""
    rows = session.exec(
        select(DirectiveRecipient, Directive)
        .join(Directive, col(Directive.id) == col(DirectiveRecipient.directive_id))
        .where(DirectiveRecipient.member_id == actor.member_id)
        .order_by(col(Directive.created_at).desc(), col(Directive.id).desc())
        .limit(limit)
    ).all()
    senders = member_names(session, [d.sender_member_id for _c, d in rows])
    unit_ids = {d.unit_id for _c, d in rows}
    units = {u.id: u.name for u in session.exec(select(Unit).where(col(Unit.id).in_(unit_ids)))}
    return [
        MyDirective(
            directive_id=d.id or 0,
            sent_at=d.created_at,
            sender_name=senders[d.sender_member_id].full_name
            if d.sender_member_id in senders
            else "",
            unit_name=units.get(d.unit_id, ""),
            text=d.text,
            file_ref=d.file_ref,
            acknowledged_at=c.acknowledged_at,
        )
        for c, d in rows
    ]


def followed_directives(
    session: Session, actor: Actor, *, limit: int = 16
) -> list[FollowedDirective]:
    """What the actor may follow up now, newest first: every directive to a unit they may
    direct (`may_direct`: whoever sent it, a predecessor included), and the share of a
    directive from above that reached a cell they manage."""
    newest = (col(Directive.created_at).desc(), col(Directive.id).desc())
    whole = select(Directive)
    directed: list[int] = []
    if not actor.is_admin:
        directed = sorted(
            set(actor.managed_cell_ids)
            | {u.id for u in subtree_units(session, sorted(actor.committee_unit_ids)) if u.id}
        )
        whole = whole.where(col(Directive.unit_id).in_(directed))
    found = [(d, None) for d in session.exec(whole.order_by(*newest).limit(limit))]
    cells = sorted(actor.managed_cell_ids)
    if cells and not actor.is_admin:
        shares = session.exec(
            select(Directive, DirectiveRecipient.cell_id)
            .join(DirectiveRecipient, col(DirectiveRecipient.directive_id) == col(Directive.id))
            .where(col(DirectiveRecipient.cell_id).in_(cells))
            .where(col(Directive.unit_id).not_in(directed))
            .group_by(col(Directive.id), col(DirectiveRecipient.cell_id))
            .order_by(*newest)
            .limit(limit)
        ).all()
        found.extend(shares)
    found.sort(key=lambda row: (row[0].created_at, row[0].id or 0), reverse=True)
    found = found[:limit]
    units = {
        u.id: u.name
        for u in session.exec(
            select(Unit).where(col(Unit.id).in_({d.unit_id for d, _cell in found}))
        )
    }
    return [
        FollowedDirective(directive=d, unit_name=units.get(d.unit_id, ""), cell_id=cell)
        for d, cell in found
    ]
