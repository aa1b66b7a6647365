"""Party fees in the chat, for the member: `/dangphi` (what I owe, how it was computed, pay by
VietQR or say I paid through the public-service portal), and the buttons that travel on fee
messages (the collector's "Đã nhận được / Chưa nhận được" on a claim, "Xem và nộp" on a
reminder or the `/nhiemvu` list). The collector's side is `handlers/fees_manage.py`.

Rules and sums live in `services/fees`; this module asks and shows. Every step reloads the
ledger: a state or a button may be old, and another payment may have landed meanwhile.
"""

from __future__ import annotations

import dataclasses

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, file_kind
from handlers.messages import OutFile
from handlers.registry import Action, Audience, Command, Registry, Topic
from services.errors import UserError
from services.fees import payments, vietqr, views
from services.fees import texts as fee_texts
from services.fees.access import may_collect
from services.fees.dues import format_vnd
from services.fees.ledger import Ledger, ledger, recent_payments
from services.fees.rules import (
    CONFIRM_CLAIM,
    DEFAULT_FEE_RULES,
    OPEN_DUES,
    REJECT_CLAIM,
    FeeRules,
)
from services.fees.setup import payee_for

MANAGE_FLOW = "fees_manage"  # handlers/fees_manage.py, handed over by name


def fee_rules(ctx: Ctx) -> FeeRules:
    """The fees' rules in the configured time zone (the month turns at local midnight)."""
    if DEFAULT_FEE_RULES.tz == ctx.config.tz:
        return DEFAULT_FEE_RULES
    return dataclasses.replace(DEFAULT_FEE_RULES, tz=ctx.config.tz)


def _ledger(ctx: Ctx) -> Ledger:
    return ledger(ctx.session, ctx.me.member_id, now=ctx.now, rules=fee_rules(ctx))


def _to_pay(state: Ledger) -> int:
    """What is left to pay now: owed, less claims already waiting for the collector."""
    return max(0, state.owed_total - state.claimed_total)


class DuesFlow(Flow):
    """`/dangphi`: the page, then "Chuyển khoản" (QR, then "Tôi đã nộp") or "Đã nộp qua Cổng
    dịch vụ công" (an optional receipt photo). The claim waits for the collector."""

    name = "fees_member"

    def begin(self, ctx: Ctx, args: str) -> None:
        state = _ledger(ctx)
        history = recent_payments(ctx.session, ctx.me.member_id)
        text = views.dues_page(state, history)
        options: list[tuple[str, str]] = []
        if state.profile is not None and state.missing is None and _to_pay(state) > 0:
            options += [
                ("transfer", fee_texts.BTN_TRANSFER),
                ("portal", fee_texts.BTN_PORTAL),
            ]
        if may_collect(ctx.session, ctx.me, ctx.me.cell_id) or ctx.me.secretary_cell_ids:
            options.append(("manage", fee_texts.BTN_MANAGE))
        if not options:
            ctx.say(text)
            return
        ctx.ask(self.name, "menu", text, options, data={})

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option == "manage":
            ctx.hand_off(MANAGE_FLOW)
        elif answer.option == "portal":
            self._ask_receipt(ctx)
        else:
            self._transfer(ctx)

    def _payable(self, ctx: Ctx) -> int | None:
        """The amount to pay now, or None (said why) when there is nothing to pay."""
        state = _ledger(ctx)
        if state.profile is None or state.missing is not None:
            ctx.finish()
            ctx.say(fee_texts.PAGE_NO_BASIS)
            return None
        amount = _to_pay(state)
        if amount <= 0:
            ctx.finish()
            ctx.say(fee_texts.NOTHING_TO_PAY)
            return None
        return amount

    def _transfer(self, ctx: Ctx) -> None:
        amount = self._payable(ctx)
        if amount is None:
            return
        payee = payee_for(ctx.session, ctx.me.cell_id)
        if payee is None:
            ctx.finish()
            ctx.say(fee_texts.NO_PAYEE)
            return
        local = ctx.now.astimezone(ctx.config.tz)
        details = views.transfer_details(
            bank_bin=payee.bank.bin,
            bank_name=f"{payee.bank.short_name} – {payee.bank.name}",
            account=payee.account,
            holder=payee.holder,
            personal=payee.personal,
            amount=amount,
            member_id=ctx.me.member_id,
            member_code=ctx.me.code,
            year=local.year,
            month=local.month,
        )
        image = vietqr.render_png(details.payload)
        ctx.say(details.text, file=OutFile("vietqr.png", image, "photo", optional=True))
        ctx.update_data(amount=amount)
        ctx.ask(
            self.name,
            "transferred",
            fee_texts.ASK_TRANSFERRED.format(amount=format_vnd(amount)),
            [("done", fee_texts.BTN_TRANSFERRED), ("later", fee_texts.BTN_LATER)],
        )

    def step_transferred(self, ctx: Ctx, answer: Answer) -> None:
        if answer.option != "done":
            ctx.finish()
            ctx.say(fee_texts.TRANSFER_LATER)
            return
        self._claim(ctx, payments.TRANSFER, None)

    def _ask_receipt(self, ctx: Ctx) -> None:
        amount = self._payable(ctx)
        if amount is None:
            return
        ctx.update_data(amount=amount)
        ctx.ask(
            self.name,
            "receipt",
            fee_texts.ASK_RECEIPT.format(amount=format_vnd(amount)),
            [("none", fee_texts.BTN_NO_RECEIPT)],
            accepts_file=True,
        )

    def step_receipt(self, ctx: Ctx, answer: Answer) -> None:
        upload = answer.file or ctx.incoming.file
        if upload is None and answer.option != "none":
            ctx.say(fee_texts.RECEIPT_EXPECTED)
            self._ask_receipt(ctx)
            return
        if upload is not None and (file_kind(upload) is None or not upload.file_id):
            ctx.say(fee_texts.RECEIPT_KIND)
            self._ask_receipt(ctx)
            return
        self._claim(ctx, payments.PORTAL, upload.file_id if upload is not None else None)

    def _claim(self, ctx: Ctx, method: str, receipt: str | None) -> None:
        amount = ctx.data.get("amount")
        if not isinstance(amount, int):
            ctx.finish()
            ctx.say(fee_texts.STALE)
            return
        # The prompt's nonce names this claim: a second press of the same button is the same
        # claim, not a second one.
        key = f"claim:{ctx.me.member_id}:{ctx.state.nonce}"
        claimed = attempt(
            ctx,
            lambda: payments.claim(
                ctx.session,
                ctx.me,
                amount,
                method=method,
                now=ctx.now,
                receipt_ref=receipt,
                key=key,
                rules=fee_rules(ctx),
            ),
        )
        ctx.finish()
        if claimed is not None:
            ctx.say(fee_texts.CLAIM_SENT.format(amount=format_vnd(claimed.amount)))


DUES = DuesFlow()


class RejectFlow(Flow):
    """ "Chưa nhận được" on a claim: the reason, typed, then the member is told."""

    name = "fees_reject"

    def begin(self, ctx: Ctx, args: str) -> None:
        payment_id = as_id(args)
        if payment_id is None:
            ctx.say(fee_texts.STALE)
            return
        claim = attempt(ctx, lambda: payments.pending_claim(ctx.session, ctx.me, payment_id))
        if claim is None:
            return
        ctx.ask(
            self.name,
            "reason",
            fee_texts.ASK_REJECT_REASON,
            [("missing", fee_texts.REASON_NOT_ARRIVED), ("amount", fee_texts.REASON_WRONG_AMOUNT)],
            data={"payment": payment_id},
            typed_step="reason",
        )

    def step_reason(self, ctx: Ctx, answer: Answer) -> None:
        payment_id = ctx.data.get("payment")
        if not isinstance(payment_id, int):
            ctx.finish()
            ctx.say(fee_texts.STALE)
            return
        reason = {
            "missing": fee_texts.REASON_NOT_ARRIVED,
            "amount": fee_texts.REASON_WRONG_AMOUNT,
        }.get(answer.option or "", answer.text or "")
        rejected = attempt(
            ctx,
            lambda: payments.reject_claim(
                ctx.session, ctx.me, payment_id, reason, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if rejected is None:
            return  # the refusal was said; the step stays open for another reason
        ctx.finish()
        ctx.say(fee_texts.REJECT_DONE)


REJECT = RejectFlow()


def confirm_claim(ctx: Ctx, args: list[str]) -> None:
    payment_id = as_id(args[0]) if args else None
    if payment_id is None:
        ctx.say(fee_texts.STALE)
        return
    try:
        done = payments.confirm_claim(
            ctx.session, ctx.me, payment_id, now=ctx.now, rules=fee_rules(ctx)
        )
    except UserError as refused:
        if (
            refused.message == fee_texts.CLAIM_DECIDED
        ):  # the other collector's copy: no more buttons
            ctx.chosen = fee_texts.CLAIM_DECIDED_LABEL
        ctx.say(refused.message)
        return
    ctx.chosen = fee_texts.BTN_CONFIRM
    ctx.say(fee_texts.CONFIRM_DONE.format(amount=format_vnd(done.amount)))


def reject_claim(ctx: Ctx, args: list[str]) -> None:
    REJECT.begin(ctx, args[0] if args else "")


def open_dues(ctx: Ctx, args: list[str]) -> None:
    """ "Xem và nộp": a member's own dues only (the id in the button is checked, not trusted)."""
    if not args or as_id(args[0]) != ctx.me.member_id:
        ctx.say(fee_texts.STALE)
        return
    DUES.begin(ctx, "")


def register(registry: Registry) -> None:
    registry.command(
        Command("dangphi", fee_texts.CMD_DUES, Audience.MEMBER, DUES.begin, topic=Topic.FEES)
    )
    registry.flow(DUES)
    registry.flow(REJECT)
    registry.action(Action(CONFIRM_CLAIM, confirm_claim))
    registry.action(Action(REJECT_CLAIM, reject_claim))
    registry.action(Action(OPEN_DUES, open_dues))
