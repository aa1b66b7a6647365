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
- Everywhere a directive is shown (the member's copy and reminders, /thongbao, the follow-up
  list and counts) the sender's name comes with the unit they acted for (`sender_unit`): a
  committee's directive to one cell is the committee's, never labelled as the cell's own.
- The sender is told what really happened (`outbox.describe_reach`): how many members the
  message was queued for, and who has no chat account (with /moi to invite them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlmodel import Session, col, select

from models import (
    AuditLog,
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
from services.auth import Actor, Permission, allows, authorize, load_actor
from services.buttons import ButtonId
from services.directives import texts as directive_texts
from services.errors import Forbidden, UserError
from services.org import is_cell, lineage_ids, member_names, subtree_units, vn_name_key
from services.textnorm import nfc
from services.vndate import DEFAULT_TZ, format_vn_date

# "Official members only": chính thức, and exempt members, who are official members excused
# from meetings (the roll call lists them apart, but they remain official members).
# Buttons on a directive (services.buttons): acknowledge it; the sender's follow-up and reminder.


@dataclass(frozen=True)
class DirectiveRules:
    """The directives' numbers, apart from the meetings' (`CellMonthRules`): the zone their
    times are told in, the longest text, and how often a sender may remind by hand."""

    tz: tzinfo = DEFAULT_TZ
    max_chars: int = 4000
    remind_interval: timedelta = timedelta(hours=1)


DEFAULT_DIRECTIVE_RULES = DirectiveRules()

ACK = ButtonId("dir_ack")
STATS = ButtonId("dir_stats")
REMIND = ButtonId("dir_remind")
_OFFICIAL = (MemberStatus.OFFICIAL.value, MemberStatus.EXEMPT.value)


@dataclass(frozen=True)
class DirectivePreview:
    """What the sender confirms: the unit, the unit the sender acts for, the audience, how
    many members in how many cells, and how many of them have no chat account linked (they
    will not get a message)."""

    unit_id: int
    unit_name: str
    sender_unit_id: int
    sender_unit_name: str
    audience: DirectiveAudience
    text: str
    file_ref: str | None
    file_kind: str | None
    member_ids: tuple[int, ...]
    cells: int
    unreachable: int


@dataclass(frozen=True)
class DirectiveReceipt:
    """What sending did: `recipients` copies saved, `enqueued` outbox rows created, `reach`
    per member (queued / not connected), and the sender's message saying so."""

    directive: Directive
    recipients: int
    enqueued: int
    unreachable: int
    reach: outbox.Reach
    message: str


@dataclass(frozen=True)
class DirectiveStats:
    """Counts per member (not per chat account): delivered when at least one account got it,
    pending while a row is still queued, failed when every row failed, not connected when the
    member had no linked account, so no row was ever written (nothing failed: nothing could be
    tried). Also who sent it, and for which unit."""

    directive: Directive
    recipients: int
    delivered: int
    pending: int
    failed: int
    acknowledged: int
    not_acknowledged: list[tuple[int, str]]
    not_connected: int = 0
    sender_name: str = ""
    sender_unit_name: str = ""

    def text(self, tz: tzinfo = DEFAULT_TZ) -> str:
        """The sender's summary (who sent it, counts, then the names still to acknowledge)."""
        lines = [
            directive_texts.DIR_STATS.format(
                date=format_vn_date(self.directive.created_at.astimezone(tz).date()),
                sender=self.sender_name,
                unit=self.sender_unit_name,
                recipients=self.recipients,
                delivered=self.delivered,
                failed=self.failed,
                pending=self.pending,
                acknowledged=self.acknowledged,
            )
        ]
        if self.not_connected:
            lines.append(directive_texts.DIR_STATS_NOT_CONNECTED.format(count=self.not_connected))
        if self.not_acknowledged:
            names = ", ".join(name for _id, name in self.not_acknowledged)
            lines.append(directive_texts.DIR_NOT_ACKED.format(names=names))
        return "\n".join(lines)


@dataclass(frozen=True)
class FollowedDirective:
    """One entry of the follow-up list: the whole directive (`cell_id` None) or, for a directive
    from above, the share that reached one cell the actor manages. `unit_name` is the unit it
    was addressed to, `sender_unit_name` the unit its sender acted for: they differ when it
    came from above (a committee writing to one cell, or to a unit below its own)."""

    directive: Directive
    unit_name: str
    cell_id: int | None = None
    sender_unit_name: str = ""
    from_above: bool = False


@dataclass(frozen=True)
class MyDirective:
    """A directive as its recipient lists it; `unit_name` is the unit the sender acted for,
    shown beside their name as on the message itself."""

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


def sender_unit(session: Session, sender: Actor | None, unit: Unit) -> Unit:
    """The unit `sender` acts for when writing to `unit`, shown beside their name.

    The authority `may_direct` found, in the order `/chidao` offers it: the cell they manage
    when `unit` is that cell, otherwise the nearest unit at or above `unit` on whose committee
    they sit. So a committee's directive to a single cell is the committee's, never the cell's.
    Sending records the answer (`_SenderUnits` reads it back). For a directive sent before it
    was recorded this is worked out from the sender's roles of the day; when those no longer
    explain it (the sender has since left the role), a cell the sender does not belong to was
    written to from the unit above it, and anything else from itself.
    """
    if sender is not None:
        if is_cell(unit) and unit.id in sender.managed_cell_ids:
            return unit
        for ancestor_id in reversed(lineage_ids(unit)):
            if ancestor_id in sender.committee_unit_ids:
                return session.get(Unit, ancestor_id) or unit
    outsider = sender is None or sender.cell_id != unit.id
    if is_cell(unit) and unit.parent_id is not None and outsider:
        return session.get(Unit, unit.parent_id) or unit
    return unit


class _SenderUnits:
    """The unit each directive of a list was sent for, with one query for all of them.

    The directive row has no column for it, so sending records it in the "directive.sent"
    audit entry (written in the same transaction, so it exists exactly when the directive
    does), and it is read back from there: exact even after the sender's roles changed. Only
    directives sent before it was recorded fall back to `sender_unit` on today's roles.
    """

    def __init__(self, session: Session, directives: Sequence[Directive] = ()) -> None:
        self.session = session
        self.actors: dict[int, Actor | None] = {}
        self.units: dict[int, Unit | None] = {}
        self.recorded: dict[int, int] = {}
        self.looked: set[int] = set()
        self._read_recorded(directives)

    def _read_recorded(self, directives: Sequence[Directive]) -> None:
        fresh = [d for d in directives if d.id is not None and d.id not in self.looked]
        if not fresh:
            return
        self.looked.update(d.id for d in fresh if d.id is not None)
        ids = {str(d.id) for d in fresh}
        senders = {d.sender_member_id for d in fresh}
        rows = self.session.exec(
            select(AuditLog.entity_id, AuditLog.detail)
            .where(col(AuditLog.actor_member_id).in_(senders))  # indexed: the senders' entries
            .where(AuditLog.action == "directive.sent")
            .where(AuditLog.entity == "directive")
            .where(col(AuditLog.entity_id).in_(ids))
        )
        for entity_id, detail in rows:
            unit_id = (detail or {}).get("sender_unit_id")
            if entity_id is not None and isinstance(unit_id, int):
                self.recorded[int(entity_id)] = unit_id

    def unit(self, directive: Directive) -> Unit | None:
        self._read_recorded([directive])
        recorded = self.recorded.get(directive.id or 0)
        if recorded is not None and (unit := self._unit(recorded)) is not None:
            return unit
        addressed = self._unit(directive.unit_id)
        if addressed is None:
            return None
        return sender_unit(self.session, self._actor(directive.sender_member_id), addressed)

    def name(self, directive: Directive) -> str:
        unit = self.unit(directive)
        return unit.name if unit is not None else ""

    def _unit(self, unit_id: int) -> Unit | None:
        if unit_id not in self.units:
            self.units[unit_id] = self.session.get(Unit, unit_id)
        return self.units[unit_id]

    def _actor(self, member_id: int) -> Actor | None:
        if member_id not in self.actors:
            member = self.session.get(Member, member_id)
            self.actors[member_id] = load_actor(self.session, member) if member else None
        return self.actors[member_id]


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
            raise UserError(directive_texts.DIR_CHOSEN_EMPTY)
        query = query.where(col(Member.id).in_(wanted))
        found = list(session.exec(query.order_by(col(Member.full_name))))
        if {m.id for m in found} != wanted:
            # Ids come from buttons: any id outside the sender's scope is refused whole.
            raise Forbidden(directive_texts.DIR_CHOSEN_OUTSIDE)
        return [m for m in found if m.id != actor.member_id]
    members = session.exec(query.order_by(col(Member.cell_id), col(Member.full_name)))
    return [m for m in members if m.id != actor.member_id]


def _clean_text(text: str, rules: DirectiveRules) -> str:
    clean = nfc(text or "")
    if not clean:
        raise UserError(directive_texts.DIR_TEXT_EMPTY)
    if len(clean) > rules.max_chars:
        raise UserError(
            directive_texts.DIR_TEXT_TOO_LONG.format(length=len(clean), maximum=rules.max_chars)
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
    rules: DirectiveRules = DEFAULT_DIRECTIVE_RULES,
) -> DirectivePreview:
    """Validate a directive and say who would receive it; nothing is written."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(directive_texts.DIR_UNIT_NOT_FOUND)
    _authorize_direction(actor, unit)
    kind = DirectiveAudience(audience)
    clean = _clean_text(text, rules)
    members = _audience(session, actor, unit, kind, member_ids)
    if not members:
        raise UserError(directive_texts.DIR_NO_RECIPIENTS)
    ids = tuple(m.id for m in members if m.id is not None)
    reachable = _reachable(session, ids)
    ref = nfc(file_ref or "")[:500] or None
    acting = sender_unit(session, actor, unit)
    assert acting.id is not None
    return DirectivePreview(
        unit_id=unit_id,
        unit_name=unit.name,
        sender_unit_id=acting.id,
        sender_unit_name=acting.name,
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
    rules: DirectiveRules = DEFAULT_DIRECTIVE_RULES,
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
            directive,
            actor.full_name,
            preview.sender_unit_name,
            directive_texts.DIR_MESSAGE,
            rules.tz,
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
            # The unit the sender acted for: the directive row does not keep it.
            "sender_unit_id": preview.sender_unit_id,
        },
        at=now,
    )
    reach = result.reach
    message = outbox.describe_reach(
        session,
        reach,
        what=directive_texts.REACH_WHAT_DIRECTIVE,
        where=directive_texts.DIR_RECEIPT_WHERE.format(cells=preview.cells),
    )
    if reach.not_connected:
        message += "\n" + directive_texts.DIR_RECEIPT_LATER
    return DirectiveReceipt(
        directive=directive,
        recipients=len(preview.member_ids),
        enqueued=result.created,
        unreachable=len(result.unreachable_member_ids),
        reach=reach,
        message=message,
    )


def _payload(
    directive: Directive, sender: str, unit_name: str, template: str, tz: tzinfo
) -> outbox.Notice:
    """The member's message: header (the sender and the unit they acted for), text, the
    "Đã nhận" option, the file if any."""
    text = template.format(
        sender=sender,
        unit=unit_name,
        date=format_vn_date(directive.created_at.astimezone(tz).date()),
        text=directive.text,
    )
    return outbox.message(
        text,
        options=[(ACK(directive.id or 0), texts.DIR_ACK_LABEL)],
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
        raise UserError(directive_texts.DIR_NOT_RECIPIENT)
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
        raise UserError(directive_texts.DIR_NOT_FOUND)
    unit = session.get(Unit, directive.unit_id)
    if unit is None:
        raise UserError(directive_texts.DIR_NOT_FOUND)
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
        raise UserError(directive_texts.DIR_NOT_FOUND)
    _authorize_direction(actor, cell)
    copies = list(
        session.exec(
            select(DirectiveRecipient)
            .where(DirectiveRecipient.directive_id == directive_id)
            .where(DirectiveRecipient.cell_id == cell_id)
        )
    )
    if not copies:
        raise UserError(directive_texts.DIR_NOT_FOUND)
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
    delivered = pending = failed = not_connected = 0
    for copy in copies:
        seen = statuses.get(copy.member_id, set())
        if DeliveryStatus.SENT in seen:
            delivered += 1
        elif seen & {DeliveryStatus.PENDING, DeliveryStatus.SENDING}:
            pending += 1
        elif seen:
            failed += 1
        else:  # no row at all: no linked account when it was sent
            not_connected += 1
    waiting = [c.member_id for c in copies if c.acknowledged_at is None]
    names = member_names(session, waiting)
    not_acked = sorted(
        ((mid, names[mid].full_name) for mid in waiting if mid in names),
        key=lambda x: vn_name_key(x[1]),
    )
    sender = session.get(Member, directive.sender_member_id)
    return DirectiveStats(
        directive=directive,
        recipients=len(copies),
        delivered=delivered,
        pending=pending,
        failed=failed,
        acknowledged=len(copies) - len(waiting),
        not_acknowledged=not_acked,
        not_connected=not_connected,
        sender_name=sender.full_name if sender else "",
        sender_unit_name=_SenderUnits(session, [directive]).name(directive),
    )


def remind_unacknowledged(
    session: Session,
    actor: Actor,
    directive_id: int,
    *,
    now: datetime,
    rules: DirectiveRules = DEFAULT_DIRECTIVE_RULES,
) -> outbox.EnqueueResult:
    """Send a reminder to everyone who has not acknowledged; returns what was queued (its
    `reach`: who was reminded, who has no chat account).

    Each reminder round has its own dedupe key, so a double press sends one round; rounds are
    at least `directive_remind_interval` apart so members are not pestered. When none of them
    has a chat account nothing could be sent: that is refused (naming them, with /moi) and no
    round is recorded, so the next try is not held back by one that reached nobody.
    """
    directive = _followed_directive(session, actor, directive_id)
    directive = session.exec(
        select(Directive).where(Directive.id == directive.id).with_for_update()
    ).one()
    if directive.last_reminded_at is not None:
        allowed = directive.last_reminded_at + rules.remind_interval
        if now < allowed:
            raise UserError(
                directive_texts.DIR_REMIND_TOO_SOON.format(
                    last=directive.last_reminded_at.astimezone(rules.tz).strftime("%H:%M"),
                    next=allowed.astimezone(rules.tz).strftime("%H:%M"),
                )
            )
    waiting = unacknowledged(session, directive_id)
    if not waiting:
        raise UserError(directive_texts.DIR_ALL_ACKED)
    if not _reachable(session, waiting):
        nobody = outbox.Reach(queued=0, already=0, not_connected=tuple(waiting))
        raise UserError(reminder_text(session, nobody))
    return send_reminder_round(
        session, directive, waiting, now=now, tz=rules.tz, actor_member_id=actor.member_id
    )


def reminder_text(session: Session, reach: outbox.Reach) -> str:
    """What the sender is told about a reminder round: reminded, and who cannot be."""
    return outbox.describe_reach(
        session,
        reach,
        what=directive_texts.REACH_WHAT_REMINDER,
        where=directive_texts.DIR_REMIND_WHERE,
    )


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
            _SenderUnits(session, [directive]).name(directive),
            directive_texts.DIR_REMINDER,
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
    sender_units = _SenderUnits(session, [d for _c, d in rows])
    return [
        MyDirective(
            directive_id=d.id or 0,
            sent_at=d.created_at,
            sender_name=senders[d.sender_member_id].full_name
            if d.sender_member_id in senders
            else "",
            unit_name=sender_units.name(d),
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
    found: list[tuple[Directive, int | None]] = [
        (d, None) for d in session.exec(whole.order_by(*newest).limit(limit))
    ]
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
    sender_units = _SenderUnits(session, [d for d, _cell in found])
    followed: list[FollowedDirective] = []
    for d, cell in found:
        by = sender_units.unit(d)
        followed.append(
            FollowedDirective(
                directive=d,
                unit_name=units.get(d.unit_id, ""),
                cell_id=cell,
                sender_unit_name=by.name if by else "",
                from_above=cell is not None or (by is not None and by.id != d.unit_id),
            )
        )
    return followed
