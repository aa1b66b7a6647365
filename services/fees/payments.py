"""Money in: cash the collector records (one member or several at the meeting), transfers and
portal payments a member claims, the collector's confirmation or rejection, corrections, and the
reminder round. Every check comes before any write; every change is audited; the member hears
of each decision through the outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from models import FeeMonthClose, FeePayment, FeeReminder, Member
from services import audit, outbox
from services.auth import Actor
from services.errors import UserError
from services.fees import texts as fee_texts
from services.fees.access import fee_leaders, require_collector
from services.fees.dues import add_months, format_vnd
from services.fees.ledger import (
    CLAIMED,
    CONFIRMED,
    REJECTED,
    Ledger,
    covered,
    current_month,
    ledgers,
    monthly_due,
    with_payment,
)
from services.fees.rules import (
    CONFIRM_CLAIM,
    DEFAULT_FEE_RULES,
    OPEN_DUES,
    REJECT_CLAIM,
    FeeRules,
)
from services.vndate import format_vn_date, format_vn_datetime, format_vn_month

CASH = "cash"
TRANSFER = "transfer"
PORTAL = "portal"
CLAIM_METHODS = (TRANSFER, PORTAL)
REASON_MAX_CHARS = 300
NOTE_MAX_CHARS = 300


class NeedsConfirmation(UserError):
    """A payment of more than `FeeRules.overpay_factor` months' dues: asked again, then
    recorded with `confirm_large=True` (the regulation welcomes paying more; a slip of the
    finger adding a zero is likelier)."""

    def __init__(self, message: str, plan: PaymentPlan) -> None:
        super().__init__(message)
        self.plan = plan


@dataclass(frozen=True)
class PaymentPlan:
    """What a payment would do: the months it covers (oldest first, then ahead) and the part
    that is voluntary."""

    member_id: int
    amount: int
    covers: tuple[tuple[date, int], ...]
    extra: int

    def summary(self) -> str:
        """ "11/2026, 12/2026 (một phần)" for previews and receipts."""
        return months_summary(self.covers)


def months_summary(covers: Sequence[tuple[date, int]]) -> str:
    """ "11/2026, 12/2026" — the months a payment covers, oldest first."""
    return ", ".join(format_vn_month(month) for month, _ in covers) or fee_texts.NO_MONTHS


def check_amount(amount: int, rules: FeeRules = DEFAULT_FEE_RULES) -> int:
    """An amount typed by a person: whole đồng, above zero, below the typing-mistake bound."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise UserError(fee_texts.AMOUNT_NOT_POSITIVE)
    if amount > rules.max_payment:
        raise UserError(fee_texts.AMOUNT_TOO_LARGE.format(limit=format_vnd(rules.max_payment)))
    return amount


def parse_amount(text: str) -> int | None:
    """ "120.000", "120,000", "120000đ", "120 000 đồng" → 120000; "120k" → 120000; None otherwise
    (a negative sign or letters are not an amount)."""
    cleaned = text.strip().lower().replace("đồng", "").replace("đ", "").replace("vnd", "")
    thousand = cleaned.endswith("k")
    cleaned = cleaned.removesuffix("k").replace(".", "").replace(",", "").replace(" ", "")
    if not cleaned.isdigit():
        return None
    value = int(cleaned)
    return value * 1000 if thousand else value


def _lock_member(session: Session, member_id: int) -> None:
    """Payments of one member are decided one at a time (the allocation reads them all)."""
    session.exec(select(Member).where(Member.id == member_id).with_for_update()).first()


def _existing(session: Session, key: str | None) -> FeePayment | None:
    if not key:
        return None
    return session.exec(select(FeePayment).where(FeePayment.key == key[:64])).first()


def book_month(session: Session, cell_id: int, now: datetime, rules: FeeRules) -> date:
    """The month whose book records money received now: this month, or the first month after
    it not yet closed (a month closed early still receives nothing more)."""
    month = current_month(now, rules)
    closed = set(
        session.exec(
            select(col(FeeMonthClose.month))
            .where(FeeMonthClose.cell_id == cell_id)
            .where(col(FeeMonthClose.month) >= month)
        )
    )
    while month in closed:
        month = add_months(month, 1)
    return month


def _usable(ledger: Ledger, name: str) -> None:
    """A member without a (complete) basis cannot be charged: the secretary sets it first."""
    if not ledger.has_basis:
        raise UserError(fee_texts.NO_BASIS.format(name=name))
    if ledger.missing is not None:
        raise UserError(fee_texts.BASIS_INCOMPLETE.format(name=name))


def plan_payment(
    session: Session,
    member: Member,
    amount: int,
    *,
    voluntary: bool = False,
    ahead: bool = False,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> PaymentPlan:
    """What `amount` would cover for `member`, checked: refused when nothing is owed and paying
    ahead was not asked for (a month is never paid twice), or when the member has no basis.
    `voluntary`: whatever exceeds what is owed is a voluntary contribution, not months ahead."""
    check_amount(amount, rules)
    assert member.id is not None
    before, _ = with_payment(session, member.id, 0, now=now, rules=rules)
    _usable(before, member.full_name)
    owed = before.owed_total
    if owed <= 0 and not ahead and not voluntary:
        raise UserError(fee_texts.ALREADY_PAID.format(name=member.full_name))
    extra = max(0, amount - owed) if voluntary else 0
    _, after = with_payment(session, member.id, amount, extra=extra, now=now, rules=rules)
    return PaymentPlan(
        member_id=member.id,
        amount=amount,
        covers=tuple(covered(before, after)),
        extra=after.extra - before.extra,
    )


def _check_large(plan: PaymentPlan, before: Ledger, confirm_large: bool, rules: FeeRules) -> None:
    """Asks first when the amount is more than `overpay_factor` months' dues and more than
    what is owed: paying off four months of arrears exactly is not a slip of the finger."""
    ledger_due = monthly_due(before)
    if confirm_large or ledger_due <= 0 or plan.amount <= rules.overpay_factor * ledger_due:
        return
    if plan.amount <= before.owed_total:
        return
    raise NeedsConfirmation(
        fee_texts.CONFIRM_LARGE.format(
            amount=format_vnd(plan.amount), due=format_vnd(ledger_due), months=plan.summary()
        ),
        plan,
    )


def record_cash(
    session: Session,
    actor: Actor,
    member_id: int,
    amount: int,
    *,
    now: datetime,
    voluntary: bool = False,
    ahead: bool = False,
    confirm_large: bool = False,
    note: str | None = None,
    key: str | None = None,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeePayment:
    """The collector records cash from a member of their cell, confirmed at once."""
    done = _existing(session, key)
    if done is not None:
        return done
    member = _collected_member(session, actor, member_id)
    _lock_member(session, member_id)
    plan = plan_payment(
        session, member, amount, voluntary=voluntary, ahead=ahead, now=now, rules=rules
    )
    before = ledgers(session, [member_id], now=now, rules=rules)[member_id]
    _check_large(plan, before, confirm_large, rules)
    payment = FeePayment(
        key=key[:64] if key else None,
        member_id=member_id,
        cell_id=member.cell_id,
        amount=amount,
        extra=plan.extra,
        method=CASH,
        status=CONFIRMED,
        book_month=book_month(session, member.cell_id, now, rules),
        paid_on=now.astimezone(rules.tz).date(),
        note=_clean_note(note),
        created_at=now,
        created_by_member_id=actor.member_id,
        decided_at=now,
        decided_by_member_id=actor.member_id,
    )
    session.add(payment)
    session.flush()
    _audit(session, actor, "fees.cash_recorded", payment, now, covers=plan.covers)
    _tell_member(session, payment, fee_texts.RECEIPT_CASH, plan, now, rules)
    return payment


@dataclass(frozen=True)
class ManyResult:
    """Cash recorded for several members at once: who paid what, who was left out and why."""

    paid: tuple[tuple[Member, FeePayment], ...]
    skipped: tuple[tuple[Member, str], ...]
    # Members no longer in the cell (moved since the list was shown): not charged, not named
    # (a forged id must not reveal another cell's member).
    moved: int = 0


def record_cash_many(
    session: Session,
    actor: Actor,
    cell_id: int,
    member_ids: Sequence[int],
    *,
    now: datetime,
    key: str | None = None,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> ManyResult:
    """Several members pay what they owe (this month and arrears) in cash at once, as happens
    at the meeting. A member who owes nothing or has no basis is left out, with the reason."""
    require_collector(session, actor, cell_id)
    chosen = list(dict.fromkeys(member_ids))
    if not chosen:
        raise UserError(fee_texts.NOBODY_CHOSEN)
    found = {m.id: m for m in session.exec(select(Member).where(col(Member.id).in_(chosen)))}
    if len(found) < len(chosen):
        raise UserError(fee_texts.STALE)  # an id that is no member at all: forged
    # A member who moved to another cell since the list was shown is left out, not charged.
    moved = [found[m] for m in chosen if found[m].cell_id != cell_id]
    members = [found[m] for m in chosen if found[m].cell_id == cell_id]
    owing = ledgers(session, [m.id for m in members], now=now, rules=rules)
    paid: list[tuple[Member, FeePayment]] = []
    skipped: list[tuple[Member, str]] = []
    for member in members:
        assert member.id is not None
        ledger = owing[member.id]
        if not ledger.has_basis or ledger.missing is not None:
            skipped.append((member, fee_texts.SKIPPED_NO_BASIS))
            continue
        if ledger.owed_total <= 0:
            skipped.append((member, fee_texts.SKIPPED_PAID))
            continue
        payment = record_cash(
            session,
            actor,
            member.id,
            ledger.owed_total,
            now=now,
            confirm_large=True,  # exactly what is owed: arrears, not a typing slip
            key=f"{key}:{member.id}" if key else None,
            rules=rules,
        )
        paid.append((member, payment))
    return ManyResult(tuple(paid), tuple(skipped), len(moved))


def claim(
    session: Session,
    actor: Actor,
    amount: int,
    *,
    method: str,
    now: datetime,
    receipt_ref: str | None = None,
    key: str | None = None,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeePayment:
    """The member says they paid (a transfer to the cell's account, or the public-service
    portal); it counts once the collector confirms. The collectors are told at once."""
    if method not in CLAIM_METHODS:
        raise UserError(fee_texts.STALE)
    done = _existing(session, key)
    if done is not None:
        return done
    member = session.get(Member, actor.member_id)
    assert member is not None
    _lock_member(session, actor.member_id)
    plan = plan_payment(session, member, amount, ahead=True, now=now, rules=rules)
    payment = FeePayment(
        key=key[:64] if key else None,
        member_id=actor.member_id,
        cell_id=member.cell_id,
        amount=amount,
        method=method,
        status=CLAIMED,
        paid_on=now.astimezone(rules.tz).date(),
        receipt_ref=receipt_ref,
        created_at=now,
        created_by_member_id=actor.member_id,
    )
    session.add(payment)
    session.flush()
    assert payment.id is not None
    _audit(session, actor, "fees.claimed", payment, now, covers=plan.covers)
    template = (
        fee_texts.CLAIM_TO_COLLECTOR_PORTAL if method == PORTAL else fee_texts.CLAIM_TO_COLLECTOR
    )
    text = template.format(
        name=member.full_name,
        code=member.code,
        amount=format_vnd(amount),
        months=plan.summary(),
        when=format_vn_datetime(now, rules.tz),
    )
    outbox.enqueue(
        session,
        kind="fee_claim",
        ref_id=payment.id,
        member_ids=fee_leaders(session, member.cell_id),
        payload=outbox.message(
            text,
            options=[
                (CONFIRM_CLAIM(payment.id), fee_texts.BTN_CONFIRM),
                (REJECT_CLAIM(payment.id), fee_texts.BTN_REJECT),
            ],
            file_ref=receipt_ref,
            file_kind="photo" if receipt_ref else None,
        ),
        dedupe_key=f"fee_claim:{payment.id}",
        now=now,
    )
    return payment


def pending_claim(session: Session, actor: Actor, payment_id: int) -> FeePayment:
    """A claim the actor may decide, still waiting; refused otherwise (a forged or old button)."""
    payment = session.exec(
        select(FeePayment).where(FeePayment.id == payment_id).with_for_update()
    ).first()
    if payment is None:
        raise UserError(fee_texts.STALE)
    require_collector(session, actor, payment.cell_id)
    if payment.status != CLAIMED:
        raise UserError(fee_texts.CLAIM_DECIDED)
    return payment


def confirm_claim(
    session: Session,
    actor: Actor,
    payment_id: int,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeePayment:
    """The collector saw the money: the claim counts from now, in this month's book."""
    payment = pending_claim(session, actor, payment_id)
    _lock_member(session, payment.member_id)
    before, after = with_payment(session, payment.member_id, payment.amount, now=now, rules=rules)
    payment.status = CONFIRMED
    payment.book_month = book_month(session, payment.cell_id, now, rules)
    payment.extra = after.extra - before.extra
    payment.decided_at = now
    payment.decided_by_member_id = actor.member_id
    session.add(payment)
    plan = PaymentPlan(
        payment.member_id, payment.amount, tuple(covered(before, after)), payment.extra
    )
    _audit(session, actor, "fees.claim_confirmed", payment, now, covers=plan.covers)
    _tell_member(session, payment, fee_texts.RECEIPT_CONFIRMED, plan, now, rules)
    return payment


def clean_reason(text: str) -> str:
    reason = " ".join(text.split())
    if not reason:
        raise UserError(fee_texts.REASON_EMPTY)
    if len(reason) > REASON_MAX_CHARS:
        raise UserError(fee_texts.REASON_TOO_LONG.format(limit=REASON_MAX_CHARS))
    return reason


def reject_claim(
    session: Session,
    actor: Actor,
    payment_id: int,
    reason: str,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeePayment:
    """The money did not arrive (or not this amount): the member is told why."""
    text = clean_reason(reason)
    payment = pending_claim(session, actor, payment_id)
    payment.status = REJECTED
    payment.reject_reason = text
    payment.decided_at = now
    payment.decided_by_member_id = actor.member_id
    session.add(payment)
    _audit(session, actor, "fees.claim_rejected", payment, now, reason=text)
    assert payment.id is not None
    outbox.enqueue(
        session,
        kind="fee_receipt",
        ref_id=payment.id,
        member_ids=[payment.member_id],
        payload=outbox.message(
            fee_texts.CLAIM_REJECTED.format(
                amount=format_vnd(payment.amount),
                day=format_vn_date(payment.paid_on),
                reason=text,
            )
        ),
        dedupe_key=f"fee_rejected:{payment.id}",
        now=now,
    )
    return payment


def correct_amount(
    session: Session,
    actor: Actor,
    payment_id: int,
    amount: int,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeePayment:
    """Fix the amount of a claim or a recorded payment (a typing slip, a partial transfer).
    What it covers follows by itself, since allocation is computed; the book month stays."""
    check_amount(amount, rules)
    payment = session.exec(
        select(FeePayment).where(FeePayment.id == payment_id).with_for_update()
    ).first()
    if payment is None or payment.status == REJECTED:
        raise UserError(fee_texts.STALE)
    require_collector(session, actor, payment.cell_id)
    if amount == payment.amount:
        raise UserError(fee_texts.AMOUNT_UNCHANGED)
    if payment.book_month is not None and _closed(session, payment.cell_id, payment.book_month):
        raise UserError(
            fee_texts.BOOK_CLOSED_CORRECT.format(month=format_vn_month(payment.book_month))
        )
    old = payment.amount
    payment.amount = amount
    # A correction changes the top of the payment: a voluntary part shrinks first, and grows
    # when the payment was voluntary; what covers months is left as it was where it can be.
    delta = amount - old
    payment.extra = max(0, payment.extra + delta) if delta < 0 or payment.extra else 0
    payment.extra = min(payment.extra, amount)
    session.add(payment)
    _audit(session, actor, "fees.amount_corrected", payment, now, old=old)
    assert payment.id is not None
    outbox.enqueue(
        session,
        kind="fee_receipt",
        ref_id=payment.id,
        member_ids=[payment.member_id],
        payload=outbox.message(
            fee_texts.AMOUNT_CORRECTED.format(
                day=format_vn_date(payment.paid_on), old=format_vnd(old), new=format_vnd(amount)
            )
        ),
        dedupe_key=f"fee_corrected:{payment.id}:{old}:{amount}",
        now=now,
    )
    return payment


@dataclass(frozen=True)
class ReminderRound:
    reminded: int  # members who owe and were messaged
    unreachable: int  # members who owe but have no chat account


def remind_owing(
    session: Session,
    actor: Actor,
    cell_id: int,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> ReminderRound:
    """One reminder to each member of the cell who owes, through the outbox; at most one round
    every `rules.reminder_every` (a member reminded daily stops reading)."""
    require_collector(session, actor, cell_id)
    last = session.exec(
        select(FeeReminder).where(FeeReminder.cell_id == cell_id).with_for_update()
    ).first()
    if last is not None and now < last.sent_at + rules.reminder_every:
        raise UserError(
            fee_texts.REMINDED_RECENTLY.format(
                when=format_vn_datetime(last.sent_at, rules.tz),
                next=format_vn_datetime(last.sent_at + rules.reminder_every, rules.tz),
            )
        )
    member_ids = [
        m for m in session.exec(select(Member.id).where(Member.cell_id == cell_id)) if m is not None
    ]
    owing = ledgers(session, member_ids, now=now, rules=rules)
    due = [(mid, lg) for mid, lg in owing.items() if lg.owed_total - lg.claimed_total > 0]
    if not due:
        raise UserError(fee_texts.NOBODY_OWES)
    payloads = {
        mid: outbox.message(
            fee_texts.REMINDER.format(
                amount=format_vnd(lg.owed_total - lg.claimed_total),
                months=", ".join(format_vn_month(line.month) for line in lg.owed_lines),
            ),
            options=[(OPEN_DUES(mid), fee_texts.BTN_OPEN_DUES)],
        )
        for mid, lg in due
    }
    stamp = now.strftime("%Y%m%d%H%M")
    result = outbox.enqueue(
        session,
        kind="fee_reminder",
        ref_id=cell_id,
        member_ids=[mid for mid, _ in due],
        payload=next(iter(payloads.values())),
        payload_for=payloads,
        dedupe_key=f"fee_reminder:{cell_id}:{stamp}",
        now=now,
    )
    if last is None:
        session.add(FeeReminder(cell_id=cell_id, sent_at=now, sent_by_member_id=actor.member_id))
    else:
        last.sent_at = now
        last.sent_by_member_id = actor.member_id
        session.add(last)
    audit.record(
        session,
        "fees.reminded",
        "unit",
        cell_id,
        actor_member_id=actor.member_id,
        detail={"members": len(due)},
        at=now,
    )
    return ReminderRound(
        reminded=len(result.reached_member_ids), unreachable=len(result.unreachable_member_ids)
    )


# --- helpers -------------------------------------------------------------------------------------


def _closed(session: Session, cell_id: int, month: date) -> bool:
    return (
        session.exec(
            select(FeeMonthClose.id)
            .where(FeeMonthClose.cell_id == cell_id)
            .where(FeeMonthClose.month == month)
        ).first()
        is not None
    )


def _collected_member(session: Session, actor: Actor, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        raise UserError(fee_texts.STALE)
    require_collector(session, actor, member.cell_id)
    return member


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    text = " ".join(note.split())
    return text[:NOTE_MAX_CHARS] or None


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    payment: FeePayment,
    now: datetime,
    *,
    covers: Sequence[tuple[date, int]] = (),
    **more: object,
) -> None:
    audit.record(
        session,
        action,
        "fee_payment",
        payment.id,
        actor_member_id=actor.member_id,
        detail={
            "member_id": payment.member_id,
            "amount": payment.amount,
            "extra": payment.extra,
            "method": payment.method,
            "covers": [[m.isoformat(), a] for m, a in covers],
            **more,
        },
        at=now,
    )


def _tell_member(
    session: Session,
    payment: FeePayment,
    template: str,
    plan: PaymentPlan,
    now: datetime,
    rules: FeeRules,
) -> None:
    assert payment.id is not None
    text = template.format(
        amount=format_vnd(payment.amount),
        day=format_vn_date(payment.paid_on),
        months=plan.summary(),
    )
    if plan.extra:
        text += "\n" + fee_texts.RECEIPT_EXTRA.format(extra=format_vnd(plan.extra))
    outbox.enqueue(
        session,
        kind="fee_receipt",
        ref_id=payment.id,
        member_ids=[payment.member_id],
        payload=outbox.message(text),
        dedupe_key=f"fee_paid:{payment.id}",
        now=now,
    )
