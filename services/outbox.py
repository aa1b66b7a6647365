"""The outbox: every message that matters becomes a `deliveries` row before anything is sent.

Enqueueing lives here, what a sent message leaves behind in the conversation
(`offer_options`), and the hand-over of a chat's messages to a user who is present
(`take_for_chat`, the local terminal). The delivery engine (`bot.delivery`) claims due rows
with a lease, sends them outside any transaction and records the outcome (DESIGN.md, "The
database is the truth"; docs/delivery.md). Because the row is written in the caller's
transaction, a message exists exactly when the change it announces exists: a rolled-back
directive leaves no orphan message behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from models import ChatIdentity, ConversationState, Delivery, DeliveryStatus, Member
from models.upsert import insert_new
from services import questions, texts
from services.buttons import ButtonPayload
from services.org import vn_name_key

_CHUNK = 500
# Why a row was dropped unsent: its `until` had passed (the meeting it asks about has begun).
STALE_NOT_SENT = "expired: not sent, its time had passed"
# How many names a count of members not connected lists before "and N others": enough for a
# cell, short enough for a committee's directive to hundreds.
_NAMES_SHOWN = 10


@dataclass(frozen=True)
class Reach:
    """What one message to several members came to, per member (not per chat account), for
    the sender: `queued` members got a row from this call, `already` members had this very
    message queued before (same dedupe key, so nothing new was sent to them), and
    `not_connected` members have no active linked chat account, so nothing can reach them
    until they are invited again (/moi). Nothing has failed yet when a message is queued:
    failures are counted later from the rows (e.g. a directive's stats)."""

    queued: int
    already: int
    not_connected: tuple[int, ...]

    @property
    def total(self) -> int:
        return self.queued + self.already + len(self.not_connected)


@dataclass(frozen=True)
class EnqueueResult:
    """What `enqueue` did: rows created now, rows that already existed (same dedupe key),
    members who have at least one row, members without any active linked chat account, and
    members who got at least one row from this call."""

    created: int
    existing: int
    reached_member_ids: frozenset[int]
    unreachable_member_ids: tuple[int, ...]
    queued_member_ids: frozenset[int] = frozenset()

    @property
    def reach(self) -> Reach:
        """The per-member counts a sender is told (`describe_reach`)."""
        return Reach(
            queued=len(self.queued_member_ids),
            already=len(self.reached_member_ids - self.queued_member_ids),
            not_connected=self.unreachable_member_ids,
        )


def describe_reach(session: Session, reach: Reach, *, what: str, where: str = "") -> str:
    """The sender's sentence(s) about `reach`, saying only what really happened.

    `what` names the message ("chỉ đạo", "giấy mời họp", `texts.REACH_WHAT_*`); `where`
    follows "đảng viên" (" (2 chi bộ)", " chưa xác nhận"). Members with no chat account are
    named, with the way to reach them (/moi); a line with nothing to say is left out.
    """
    lines: list[str] = []
    values = {"what": what, "where": where, "count": reach.queued, "total": reach.total}
    if reach.total == 0:
        lines.append(texts.REACH_NOBODY.format(**values))
    elif reach.queued and reach.queued == reach.total:
        lines.append(texts.REACH_ALL.format(**values))
    elif reach.queued:
        lines.append(texts.REACH_SOME.format(**values))
    elif not reach.already:
        lines.append(texts.REACH_NONE.format(**values))
    if reach.already:
        lines.append(texts.REACH_ALREADY.format(what=what, count=reach.already))
    if reach.not_connected:
        lines.append(
            texts.REACH_NOT_CONNECTED.format(
                count=len(reach.not_connected), names=_names(session, reach.not_connected)
            )
        )
    return "\n".join(lines)


def _names(session: Session, member_ids: Sequence[int]) -> str:
    """The members' names in Vietnamese order, the first few and how many more."""
    found = session.exec(select(Member.full_name).where(col(Member.id).in_(list(member_ids))))
    names = sorted(found, key=vn_name_key)
    shown = ", ".join(names[:_NAMES_SHOWN])
    more = len(names) - _NAMES_SHOWN
    return texts.REACH_NAMES_MORE.format(names=shown, more=more) if more > 0 else shown


@dataclass(frozen=True)
class Notice:
    """A message as the outbox keeps it, typed: text, options as (id, label), an optional file
    (reference, kind), and `until`, when it stops making sense. Stored as JSON in
    `deliveries.payload` (`to_json`) and read back with `from_json`, which tolerates rows
    written by older versions."""

    text: str
    options: tuple[tuple[str, str], ...] = ()
    file: tuple[str, str] | None = None
    until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.options:
            data["options"] = [{"id": oid, "label": label} for oid, label in self.options]
        if self.file is not None:
            data["file"] = {"ref": self.file[0], "kind": self.file[1]}
        if self.until is not None:
            data["until"] = self.until.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notice:
        options = tuple(
            (str(o.get("id")), str(o.get("label")))
            for o in data.get("options") or ()
            if isinstance(o, Mapping)
        )
        spec = data.get("file")
        file = None
        if isinstance(spec, Mapping) and spec.get("ref"):
            file = (str(spec["ref"]), str(spec.get("kind") or "document"))
        until = None
        if isinstance(data.get("until"), str):
            try:
                until = datetime.fromisoformat(data["until"])
            except ValueError:
                until = None
        return cls(str(data.get("text") or ""), options, file, until)


def message(
    text: str,
    *,
    options: Sequence[tuple[str, str]] = (),
    file_ref: str | None = None,
    file_kind: str | None = None,
    until: datetime | None = None,
) -> Notice:
    """A channel-neutral payload: text, options as (id, label), an optional file reference.

    Option ids travel as Telegram callback data: keep them short (≤ 64 bytes) and check them
    again on arrival, since a pressed button is untrusted input. `until` is when the message
    stops making sense (an invitation's answers once the meeting has begun): a row still
    unsent by then is dropped, not sent late (`expire_stale`), and its question is not asked
    again.
    """
    for oid, _label in options:
        if not isinstance(oid, ButtonPayload):  # a button no handler may answer
            raise ValueError(f"option {oid!r} is not made by a declared ButtonId")
    file = (file_ref, file_kind or "document") if file_ref else None
    return Notice(text, tuple((oid, label) for oid, label in options), file, until)


def is_stale(payload: Notice | Mapping[str, Any], now: datetime) -> bool:
    """True when the payload's `until` has passed: sending it now would only mislead."""
    notice = payload if isinstance(payload, Notice) else Notice.from_json(payload)
    return notice.until is not None and notice.until <= now


def expire_superseded(
    session: Session, *, kinds: Sequence[str], ref_id: int, reason: str, now: datetime
) -> int:
    """Drop the still-unsent messages of `kinds` about record `ref_id`: a newer message says
    it all (a meeting moved again, or cancelled), and a member who was away must not get a
    backlog of notices with answers for times that no longer hold. How many were dropped."""
    rows = session.exec(
        select(Delivery)
        .where(col(Delivery.kind).in_(list(kinds)), Delivery.ref_id == ref_id)
        .where(Delivery.status == DeliveryStatus.PENDING.value)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status = DeliveryStatus.EXPIRED.value
        row.error = reason[:500]
        row.lease_until = None
        session.add(row)
    return len(rows)


def enqueue(
    session: Session,
    *,
    kind: str,
    ref_id: int | None,
    member_ids: Iterable[int],
    payload: Notice,
    dedupe_key: str,
    now: datetime,
    payload_for: Mapping[int, Notice] | None = None,
) -> EnqueueResult:
    """Write one pending delivery per active linked chat account of each member.

    `dedupe_key` names the message (e.g. ``directive:12``); each row's key adds the member and
    the account, and the column is unique, so calling again (a retried request, a second
    process, a double-pressed button) creates nothing new. Concurrent callers are safe too: the
    insert skips keys that appear meanwhile (ON CONFLICT DO NOTHING on both dialects).
    `payload_for` overrides the payload for particular members.
    """
    wanted = list(dict.fromkeys(int(m) for m in member_ids))
    if not wanted:
        return EnqueueResult(0, 0, frozenset(), ())
    identities = session.exec(
        select(ChatIdentity)
        .where(col(ChatIdentity.member_id).in_(wanted))
        .where(col(ChatIdentity.active).is_(True))
        .order_by(col(ChatIdentity.id))
    ).all()
    rows: list[dict[str, Any]] = []
    for identity in identities:
        assert identity.member_id is not None and identity.id is not None
        member_payload = (payload_for or {}).get(identity.member_id, payload)
        rows.append(
            {
                "dedupe_key": f"{dedupe_key}:m{identity.member_id}:i{identity.id}"[:200],
                "kind": kind,
                "ref_id": ref_id,
                "member_id": identity.member_id,
                "identity_id": identity.id,
                "channel": identity.channel,
                "chat_id": identity.chat_id,
                "payload": member_payload.to_json(),
                "status": DeliveryStatus.PENDING.value,
                "attempts": 0,
                "next_attempt_at": now,
                "lease_until": None,
                "lease_owner": None,
                "platform_message_id": None,
                "error": None,
                "created_at": now,
                "sent_at": None,
            }
        )
    reached = frozenset(r["member_id"] for r in rows)
    unreachable = tuple(m for m in wanted if m not in reached)
    keys = [r["dedupe_key"] for r in rows]
    present: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        present.update(
            session.exec(select(Delivery.dedupe_key).where(col(Delivery.dedupe_key).in_(chunk)))
        )
    fresh = [r for r in rows if r["dedupe_key"] not in present]
    inserted: list[int] = []
    for start in range(0, len(fresh), _CHUNK):
        inserted += _insert_new(session, fresh[start : start + _CHUNK])
    return EnqueueResult(
        created=len(inserted),
        existing=len(rows) - len(inserted),
        reached_member_ids=reached,
        unreachable_member_ids=unreachable,
        queued_member_ids=frozenset(inserted),
    )


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT (dedupe_key) DO NOTHING; returns how many rows were inserted."""
    return len(_insert_new(session, rows))


def _insert_new(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """`_insert_ignoring_duplicates`, returning the member id of each row really inserted, so
    the sender is told who got the message from this call, not who was meant to."""
    # RETURNING names the rows really inserted (rowcount is not reliable for multi-row
    # inserts on every driver); `insert_new` reads it back on both databases.
    member_ids = insert_new(
        session, Delivery, rows, index_elements=["dedupe_key"], returning="member_id"
    )
    return [int(member_id) for member_id in member_ids]


@dataclass(frozen=True)
class Offer:
    """A delivered message's options for one chat: (id, label) dicts as in the payload."""

    chat_id: str
    user_id: str
    options: Sequence[Mapping[str, Any]]
    at: datetime
    text: str = ""
    until: str | None = None  # the payload's `until`: when its question stops making sense

    @classmethod
    def of(cls, chat_id: str, user_id: str, payload: Mapping[str, Any], at: datetime) -> Offer:
        """The offer a delivered payload makes."""
        until = payload.get("until")
        return cls(
            chat_id=chat_id,
            user_id=user_id,
            options=payload.get("options") or [],
            at=at,
            text=str(payload.get("text") or ""),
            until=until if isinstance(until, str) else None,
        )


def offer_options(
    session: Session,
    channel: str,
    chat_id: str,
    user_id: str,
    options: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    numbered: bool,
) -> bool:
    """Make a delivered message's options the chat's current choices.

    On Zalo the member answers an invitation by typing "1" or "2": the core maps a digit to
    `state.options` and runs the registered action of that payload, so the options of the
    message just delivered must be the ones on offer; a task or question it displaces waits
    (`services.questions`). On Telegram a member in the middle of a task keeps it (False), as
    the message's buttons carry their own payloads; a task that has expired is closed, since
    it would otherwise swallow the answer. Called by the delivery engine after a send.
    """
    offer = Offer(chat_id, user_id, options, now)
    return offer_options_many(session, channel, [offer], numbered=numbered) == 1


def offer_options_many(
    session: Session, channel: str, offers: Sequence[Offer], *, numbered: bool
) -> int:
    """`offer_options` for many chats at once (one query, one flush); how many were offered.

    On a channel with buttons, when a chat appears twice the later offer wins, as the later
    message is the one the member sees last, and a member in the middle of a task keeps it
    (their buttons carry their own payloads). On a channel answered by typed numbers, every
    offer is shown in turn (`services.questions.show_delivered`): the newest is the one
    numbers answer, and what it displaced waits to be offered again. A state row created
    meanwhile by the member's own update makes the flush fail with an IntegrityError: callers
    run this in a savepoint.
    """
    latest: dict[tuple[str, str], list[Offer]] = {}
    for offer in offers:
        if any(o.get("id") and o.get("label") for o in offer.options):
            latest.setdefault((offer.chat_id, offer.user_id), []).append(offer)
    if not latest:
        return 0
    chats = sorted({chat for chat, _user in latest})
    states = {
        (s.chat_id, s.user_id): s
        for s in session.exec(
            select(ConversationState)
            .where(ConversationState.channel == channel)
            .where(col(ConversationState.chat_id).in_(chats))
            .with_for_update()
        )
    }
    offered = 0
    for key, chat_offers in latest.items():
        state = states.get(key)
        if state is None:
            state = ConversationState(channel=channel, chat_id=key[0], user_id=key[1])
        for offer in chat_offers if numbered else chat_offers[-1:]:
            options = [
                [str(o["id"]), str(o["label"])]
                for o in offer.options
                if o.get("id") and o.get("label")
            ]
            if numbered:
                questions.show_delivered(
                    state, text=offer.text, options=options, until=offer.until, now=offer.at
                )
            elif state.flow is not None and (
                state.expires_at is None or state.expires_at > offer.at
            ):
                continue
            else:
                state.flow, state.step, state.data, state.expires_at = None, None, {}, None
                state.options, state.nonce = options, None
            state.updated_at = offer.at
            session.add(state)
            offered += 1
    session.flush()
    return offered


def take_for_chat(
    session: Session,
    channel: str,
    chat_id: str,
    *,
    now: datetime,
    numbered: bool,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """The chat's due messages, oldest first, marked sent, their options offered.

    For a channel with nothing between the bot and the user (the local terminal, where the
    member is at the keyboard), showing a message is sending it: the terminal calls this before
    each prompt. The rows are locked, so two terminals of the same member never both show one.
    """
    rows = session.exec(
        select(Delivery)
        .where(Delivery.channel == channel, Delivery.chat_id == chat_id)
        .where(Delivery.status == DeliveryStatus.PENDING.value)
        .where(col(Delivery.next_attempt_at) <= now)
        .order_by(col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    shown: list[Delivery] = []
    for row in rows:
        if is_stale(row.payload, now):
            row.status = DeliveryStatus.EXPIRED.value
            row.error = STALE_NOT_SENT
        else:
            row.status = DeliveryStatus.SENT.value
            row.attempts += 1
            row.sent_at = now
            row.platform_message_id = f"{channel}:{row.id}"
            shown.append(row)
        session.add(row)
    rows = shown
    offers = [Offer.of(chat_id, chat_id, row.payload, now) for row in rows]
    offer_options_many(session, channel, offers, numbered=numbered)
    return [dict(row.payload) for row in rows]
