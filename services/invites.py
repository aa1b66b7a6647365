"""Invites: single-use, expiring, stored keyed-hashed; guessing is limited per chat.

Who may invite whom is decided here, once (`invite_refusal`), for every in-chat invite: an
invite hands over a member's account, and with it the member's roles, so an inviter may only
invite members whose every role lies strictly below their own authority. The command line
(`sotay invite`, run by whoever holds the server) issues invites for anyone.

Codes are stored as HMAC-SHA-256 under a server secret (INVITE_SECRET) that never enters the
database, so a leaked database cannot be used to find codes offline (a ~50-bit code behind a
plain SHA-256 can be brute-forced on one GPU in about a day). Rows written before the keyed
hash (plain SHA-256 hex, no prefix) are still accepted for `LEGACY_MAX_AGE` after they were
issued, and never after their own expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import ChatIdentity, Delivery, Invite, InviteAttempt, Member, Role, RoleAssignment, Unit
from services import audit, outbox, texts
from services.auth import Actor, load_actor
from services.errors import Forbidden
from services.org import subtree_units, vn_name_key
from services.textnorm import fold

# No I, L, O, 0 or 1: codes are read aloud and copied from paper by elderly members.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_WRONG_PER_HOUR = 5
_CODE_LIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\- ]{6,18}[A-Za-z0-9]$")

# The keyed hash: "h1:" + unpadded base64url of HMAC-SHA-256 (46 characters, so it fits the
# existing 64-character column; rows without the prefix are the legacy plain SHA-256 hex).
HASH_PREFIX = "h1:"
MIN_SECRET_LENGTH = 32
# Legacy (unkeyed) rows stop working this long after they were issued, whatever their TTL.
LEGACY_MAX_AGE = timedelta(days=14)
# The notice an unlinked account gets (a `deliveries.kind`; not a broadcast, so not counted).
ACCOUNT_UNLINKED_KIND = "account_unlinked"
SEARCH_LIMIT = 8


class RedeemOutcome(StrEnum):
    LINKED = "linked"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    REVOKED = "revoked"  # whoever issued it may no longer invite this member
    TOO_MANY = "too_many"


@dataclass(frozen=True)
class RedeemResult:
    outcome: RedeemOutcome
    member: Member | None = None


class InviteRefusal(StrEnum):
    """Why an inviter may not invite a member (see `invite_refusal`)."""

    SELF = "self"
    ADMIN = "admin"
    OUTSIDE = "outside"
    RANK = "rank"


def deep_link(bot_username: str | None, code: str) -> str | None:
    """The t.me link that opens the bot with `/start CODE`; None while the username is unknown."""
    if not bot_username:
        return None
    return f"https://t.me/{bot_username.lstrip('@')}?start={code}"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """Members type codes with spaces, dashes or lower case; none of that matters."""
    return re.sub(r"[\s\-]", "", text).upper()


def looks_like_code(text: str) -> bool:
    return bool(_CODE_LIKE.match(text.strip())) and len(normalize_code(text)) == CODE_LENGTH


def hash_code(code: str, secret: str) -> str:
    """What is stored for a code: HMAC-SHA-256 under the server secret, never the code."""
    if len(secret) < MIN_SECRET_LENGTH:
        # A short or empty key would make the stored hashes guessable again: refuse loudly.
        raise ValueError(f"the invite secret must have at least {MIN_SECRET_LENGTH} characters")
    digest = hmac.new(secret.encode(), normalize_code(code).encode(), hashlib.sha256).digest()
    return HASH_PREFIX + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def legacy_hash(code: str) -> str:
    """How codes were stored before the keyed hash (plain SHA-256 hex); read-only now."""
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


# -- who may invite whom -------------------------------------------------------------------------
def _strictly_below(unit: Unit, ancestor_ids: Sequence[int] | frozenset[int]) -> bool:
    return any(f"/{a}/" in unit.lineage and unit.id != a for a in ancestor_ids)


def _covers(inviter: Actor, role: str, unit: Unit | None) -> bool:
    """Whether the inviter's authority is strictly above a role of the invitee.

    An admin is above every role but admin; a committee is above everything inside its unit
    (not its own level: fellow committee members); a secretary is above the cell's deputy.
    `role` "" is plain membership of the cell `unit`, which the cell's secretary and deputy
    cover too.
    """
    if role == Role.ADMIN:
        return False
    if inviter.is_admin:
        return True
    if unit is None or unit.id is None:
        return False
    if _strictly_below(unit, inviter.committee_unit_ids):
        return True
    if role == "":
        return unit.id in inviter.managed_cell_ids
    return role == Role.DEPUTY and unit.id in inviter.secretary_cell_ids


def _roles_of(session: Session, member_ids: Sequence[int]) -> dict[int, list[RoleAssignment]]:
    found: dict[int, list[RoleAssignment]] = {m: [] for m in member_ids}
    if not member_ids:
        return found
    for row in session.exec(
        select(RoleAssignment).where(col(RoleAssignment.member_id).in_(list(member_ids)))
    ):
        found.setdefault(row.member_id, []).append(row)
    return found


def _units(session: Session, unit_ids: set[int]) -> dict[int, Unit]:
    if not unit_ids:
        return {}
    rows = session.exec(select(Unit).where(col(Unit.id).in_(sorted(unit_ids))))
    return {u.id: u for u in rows if u.id is not None}


def _refusals(
    session: Session, inviter: Actor, members: Sequence[Member]
) -> dict[int, InviteRefusal | None]:
    """`invite_refusal` for many members with two queries."""
    ids = [m.id for m in members if m.id is not None]
    roles = _roles_of(session, ids)
    wanted = {m.cell_id for m in members} | {
        r.unit_id for rows in roles.values() for r in rows if r.unit_id is not None
    }
    units = _units(session, wanted)
    result: dict[int, InviteRefusal | None] = {}
    for member in members:
        assert member.id is not None
        held = roles.get(member.id, [])
        if member.id == inviter.member_id:
            result[member.id] = InviteRefusal.SELF
        elif any(r.role == Role.ADMIN for r in held):
            result[member.id] = InviteRefusal.ADMIN
        elif not _covers(inviter, "", units.get(member.cell_id)):
            result[member.id] = InviteRefusal.OUTSIDE
        elif not all(
            _covers(inviter, r.role, units.get(r.unit_id) if r.unit_id is not None else None)
            for r in held
        ):
            result[member.id] = InviteRefusal.RANK
        else:
            result[member.id] = None
    return result


def invite_refusal(session: Session, inviter: Actor, member: Member) -> InviteRefusal | None:
    """Why `inviter` may not invite `member` from the chat, or None when they may.

    Redeeming an invite takes over the member's account and every role it carries, so the
    inviter must stand strictly above all of them: a secretary or deputy invites the members
    of their own cell who hold no role above it (a secretary also the deputy); a committee
    member invites anyone in the units strictly inside theirs, secretaries and lower
    committees included, never a fellow member of their own committee; an admin invites
    anyone but another admin. Nobody invites themselves (a lost phone is re-linked by someone
    above), and an admin's own invite comes only from the command line.
    """
    return _refusals(session, inviter, [member])[member.id or 0]


def refusal_text(inviter: Actor, member: Member, refusal: InviteRefusal) -> str:
    """The Vietnamese reason for a refusal."""
    if refusal is InviteRefusal.SELF:
        return texts.INVITE_REFUSED_SELF
    if refusal is InviteRefusal.ADMIN:
        return texts.INVITE_REFUSED_ADMIN.format(name=member.full_name)
    if refusal is InviteRefusal.RANK:
        return texts.INVITE_REFUSED_RANK.format(name=member.full_name)
    if inviter.committee_unit_ids or inviter.is_admin or not inviter.managed_cell_ids:
        return texts.FORBIDDEN_OUTSIDE_SCOPE
    return texts.FORBIDDEN_OTHER_CELL


def require_may_invite(session: Session, inviter: Actor, member: Member) -> None:
    """Raise `Forbidden` with the reason unless `inviter` may invite `member`."""
    refusal = invite_refusal(session, inviter, member)
    if refusal is not None:
        raise Forbidden(refusal_text(inviter, member, refusal))


def invitable(session: Session, inviter: Actor, members: Sequence[Member]) -> list[Member]:
    """The members, in the given order, that the inviter may invite."""
    refusals = _refusals(session, inviter, members)
    return [m for m in members if refusals.get(m.id or 0) is None]


@dataclass(frozen=True)
class InviteSearch:
    """A committee's search for a member to invite: the invitable matches (at most
    `SEARCH_LIMIT`, by name), how many there are, whether the text was a member code, and
    the matches in scope that may not be invited, with the reason."""

    members: list[Member]
    total: int
    by_code: bool
    refused: list[tuple[Member, InviteRefusal]]


def search_invitable(session: Session, inviter: Actor, text: str) -> InviteSearch:
    """Members in the inviter's scope whose code is `text`, or whose name contains it.

    Names are compared without case or diacritics. Members outside the scope are never
    reported, not even as refused: the search must not reveal who exists elsewhere.
    """
    wanted = fold(text)
    if not wanted:
        return InviteSearch([], 0, False, [])
    query = select(Member)
    if not inviter.is_admin:
        cell_ids = set(inviter.managed_cell_ids)
        if inviter.committee_unit_ids:
            below = subtree_units(session, sorted(inviter.committee_unit_ids))
            cell_ids |= {u.id for u in below if u.id is not None}
        query = query.where(col(Member.cell_id).in_(sorted(cell_ids)))
    members = list(session.exec(query))
    by_code = [m for m in members if fold(m.code) == wanted]
    matches = by_code or [m for m in members if wanted in fold(m.full_name)]
    refusals = _refusals(session, inviter, matches)
    refused: list[tuple[Member, InviteRefusal]] = [
        (m, r)
        for m in matches
        if (r := refusals.get(m.id or 0)) is not None and r is not InviteRefusal.OUTSIDE
    ]
    ok = [m for m in matches if refusals.get(m.id or 0) is None]
    ok.sort(key=lambda m: vn_name_key(m.full_name))
    return InviteSearch(ok[:SEARCH_LIMIT], len(ok), bool(by_code), refused)


# -- issuing and redeeming -----------------------------------------------------------------------
def issue_invite(
    session: Session,
    member: Member,
    *,
    now: datetime,
    ttl: timedelta,
    secret: str,
    inviter: Actor | None = None,
    actor_label: str | None = None,
) -> tuple[str, Invite]:
    """A new code for the member. Earlier unused codes stop working, so only the last one counts.

    With `inviter` (an invite from the chat) the rule of `invite_refusal` is enforced; without
    it (the command line) anyone may be invited. The member may already be linked: that is how
    a member who changed phone is moved to the new account (`link_identity`).
    """
    if inviter is not None:
        require_may_invite(session, inviter, member)
    session.exec(
        sa.update(Invite)
        .where(col(Invite.member_id) == member.id)
        .where(col(Invite.used_at).is_(None))
        .where(col(Invite.expires_at) > now)
        .values(expires_at=now)
    )
    code = new_code()
    invite = Invite(
        member_id=member.id or 0,
        code_hash=hash_code(code, secret),
        created_at=now,
        expires_at=now + ttl,
        created_by_member_id=inviter.member_id if inviter else None,
    )
    session.add(invite)
    session.flush()
    audit.record(
        session,
        "invite.issued",
        "member",
        member.id,
        actor_member_id=inviter.member_id if inviter else None,
        actor_label=actor_label,
        detail={"invite_id": invite.id, "expires_at": invite.expires_at.isoformat()},
        at=now,
    )
    return code, invite


def wrong_attempts_last_hour(session: Session, channel: str, chat_key: str, now: datetime) -> int:
    count = session.exec(
        select(sa.func.count())
        .select_from(InviteAttempt)
        .where(InviteAttempt.channel == channel)
        .where(InviteAttempt.chat_key == chat_key)
        .where(col(InviteAttempt.success).is_(False))
        .where(col(InviteAttempt.at) > now - timedelta(hours=1))
    ).one()
    return int(count)


def _find_invite(session: Session, code: str, secret: str) -> Invite | None:
    keyed, legacy = hash_code(code, secret), legacy_hash(code)
    rows = session.exec(select(Invite).where(col(Invite.code_hash).in_([keyed, legacy]))).all()
    return next((r for r in rows if r.code_hash == keyed), rows[0] if rows else None)


def _outcome(session: Session, invite: Invite | None, now: datetime) -> RedeemOutcome:
    """What the code found says, before anything is claimed."""
    if invite is None:
        return RedeemOutcome.WRONG
    if invite.used_at is not None:
        return RedeemOutcome.USED
    legacy = not invite.code_hash.startswith(HASH_PREFIX)
    if invite.expires_at <= now or (legacy and invite.created_at + LEGACY_MAX_AGE <= now):
        return RedeemOutcome.EXPIRED
    if invite.created_by_member_id is not None:
        # An invite carries the authority of whoever issued it, judged when it is used: a
        # member promoted meanwhile, or an inviter who lost the role, voids it.
        issuer = session.get(Member, invite.created_by_member_id)
        member = session.get(Member, invite.member_id)
        if (
            issuer is None
            or member is None
            or invite_refusal(session, load_actor(session, issuer), member) is not None
        ):
            return RedeemOutcome.REVOKED
    return RedeemOutcome.LINKED


def redeem(
    session: Session,
    code: str,
    identity: ChatIdentity,
    *,
    now: datetime,
    secret: str,
) -> RedeemResult:
    """Link `identity` to the invite's member (see `link_identity` for older accounts).

    The invite is claimed with a conditional UPDATE (still unused, still valid) before
    anything is linked: two redemptions racing on the same code both read it unused, but only
    one UPDATE matches a row; the other is told the code was used and links nothing.
    """
    key = identity.external_id
    if wrong_attempts_last_hour(session, identity.channel, key, now) >= MAX_WRONG_PER_HOUR:
        return RedeemResult(RedeemOutcome.TOO_MANY)
    invite = _find_invite(session, code, secret)
    outcome = _outcome(session, invite, now)
    if outcome is RedeemOutcome.LINKED and invite is not None:
        claimed = session.exec(
            sa.update(Invite)
            .where(col(Invite.id) == invite.id)
            .where(col(Invite.used_at).is_(None))
            .where(col(Invite.expires_at) > now)
            .values(used_at=now, used_by_identity_id=identity.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            outcome = RedeemOutcome.USED
    session.add(
        InviteAttempt(
            channel=identity.channel,
            chat_key=key,
            at=now,
            success=outcome is RedeemOutcome.LINKED,
        )
    )
    if outcome is not RedeemOutcome.LINKED or invite is None:
        return RedeemResult(outcome)
    member = session.get(Member, invite.member_id)
    assert member is not None
    link_identity(session, identity, member, now=now)
    return RedeemResult(RedeemOutcome.LINKED, member)


def link_identity(
    session: Session, identity: ChatIdentity, member: Member, *, now: datetime
) -> None:
    """Bind the account to the member; the member's older account on this channel is unlinked.

    One account per channel: a member who changed phone (a new Telegram account) loses the old
    Telegram account, and the old chat is told through the outbox, so a lost or handed-on
    phone stops receiving party documents and learns why. Accounts on other channels stay
    linked: a member may read on Telegram and on Zalo at once, and linking one says nothing
    about the other. (To cut a lost phone's other channel, invite the member again there.)
    """
    previous = session.exec(
        select(ChatIdentity)
        .where(ChatIdentity.channel == identity.channel)
        .where(ChatIdentity.member_id == member.id)
        .where(ChatIdentity.id != identity.id)
    ).all()
    for old in previous:
        old.member_id = None
        old.linked_at = None
        session.add(old)
        audit.record(
            session,
            "identity.unlinked",
            "chat_identity",
            old.id,
            actor_member_id=member.id,
            detail={"member_id": member.id, "reason": "new account"},
            at=now,
        )
        if old.active:
            _tell_unlinked(session, old, member, replaced_by=identity, now=now)
    was = identity.member_id
    identity.member_id = member.id
    identity.linked_at = now
    identity.active = True
    session.add(identity)
    session.flush()
    audit.record(
        session,
        "identity.linked",
        "chat_identity",
        identity.id,
        actor_member_id=member.id,
        detail={"member_id": member.id, "channel": identity.channel, "previous_member_id": was},
        at=now,
    )


def _tell_unlinked(
    session: Session, old: ChatIdentity, member: Member, *, replaced_by: ChatIdentity, now: datetime
) -> None:
    """An outbox row to the unlinked account itself (`outbox.enqueue` only reaches linked
    accounts, and this one no longer is)."""
    key = f"{ACCOUNT_UNLINKED_KIND}:i{old.id}:by{replaced_by.id}:{now.isoformat()}"
    session.add(
        Delivery(
            dedupe_key=key[:200],
            kind=ACCOUNT_UNLINKED_KIND,
            ref_id=old.id,
            member_id=member.id,
            identity_id=old.id,
            channel=old.channel,
            chat_id=old.chat_id,
            payload=outbox.message(texts.ACCOUNT_UNLINKED_NOTICE).to_json(),
            next_attempt_at=now,
            created_at=now,
        )
    )
