"""`/dangphi_quanly`: the cell's fee collector (its secretary, or the member the secretary
named thủ quỹ) runs the month from one menu — the list of members with one tap per member
(cash, a claim to confirm or reject, a corrected amount, the basis, a reduction), cash from
several members at once, the claims waiting, a reminder round, the account members pay into,
closing the month (the book as XLSX) and, for the secretary, who collects.

Every entry comes back to the menu. Every step reloads the cell and re-checks that the actor
still collects for it (`_cell`); the services check again (`require_collector`) and refuse
before they write, so their refusals are said with `attempt` and the question asked again. Ids
in button keys are parsed with `as_id` and re-checked (`member_in_cell`, `pending_claim`): a
member may have moved cell, a claim may have been decided by the other collector meanwhile.
A member's basis, income and payments are private: only the cell's collectors reach this flow.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from handlers.context import Answer, Ctx, Flow
from handlers.fees import MANAGE_FLOW, fee_rules
from handlers.flowkit import as_id, attempt, numbers, page, page_key
from handlers.messages import OutFile
from handlers.registry import Audience, Command, Registry, Topic
from models import FeePayment, FeeReduction, Member, Unit
from services import texts
from services.errors import Forbidden, UserError
from services.fees import banks, book, payments, setup, views
from services.fees import texts as fee_texts
from services.fees.access import collected_cells, collector_of, may_collect, member_in_cell
from services.fees.dues import (
    MAX_REDUCTION_MONTHS,
    REDUCTION_PERCENTS,
    Basis,
    ExemptionReason,
    MissingBasis,
    NotInForce,
    RateTable,
    Region,
    add_months,
    dues_for,
    format_vnd,
)
from services.fees.dues import FeeProfile as DuesProfile
from services.fees.ledger import (
    Ledger,
    cell_regions,
    covered,
    current_month,
    ledger,
    ledgers,
    recent_payments,
)
from services.fees.vietqr import clean_account_number
from services.org import cell_members
from services.vndate import format_vn_date, format_vn_month

BACK = "back"
MANY_MAX = 60  # members offered at once for cash in one step (Telegram allows 100 buttons)


def collects_own_cell(ctx: Ctx) -> bool:
    """`Command.also` for `/dangphi_quanly`: the member the secretary named collector of their
    own cell may run it too. Anyone else is refused here with the fees' own sentence, rather
    than the core's "for secretaries and deputies", which would name the wrong people."""
    if may_collect(ctx.session, ctx.me, ctx.me.cell_id):
        return True
    raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)


# --- the cell's state, as the collector reads it -------------------------------------------------


def _roster(ctx: Ctx, cell_id: int) -> list[tuple[Member, Ledger]]:
    """The cell's members by name, each with their ledger as of now."""
    members = cell_members(ctx.session, cell_id)
    ids = [m.id for m in members if m.id is not None]
    states = ledgers(ctx.session, ids, now=ctx.now, rules=fee_rules(ctx))
    return [(m, states[m.id]) for m in members if m.id is not None and m.id in states]


def _usable(state: Ledger) -> bool:
    return state.has_basis and state.missing is None


def short_state(state: Ledger) -> str:
    """One member's month in a few characters: ✅, ⏳, ❌ còn 160.000 đ, chưa có diện."""
    if not state.has_basis:
        return fee_texts.MG_STATE_NO_BASIS
    if state.missing is not None:
        return fee_texts.MG_STATE_INCOMPLETE
    if state.claims:
        return fee_texts.MG_STATE_WAITING
    if state.owed_total > 0:
        return fee_texts.MG_STATE_OWED.format(owed=format_vnd(state.owed_total))
    return fee_texts.MG_STATE_PAID


def cell_claims(state: Ledger, cell_id: int) -> list[FeePayment]:
    """The member's claims waiting for this cell's collector (a claim made before the member
    moved cell stays with the old cell's collector, who alone may decide it)."""
    return [claim for claim in state.claims if claim.cell_id == cell_id]


def _owes(state: Ledger) -> bool:
    """Owes something not already claimed (what a reminder is for)."""
    return _usable(state) and state.owed_total - state.claimed_total > 0


def member_text(member: Member, state: Ledger, history: list[FeePayment]) -> str:
    """A member's line for the collector: basis and how it is computed, this month, arrears,
    months paid ahead, claims waiting, the last payments."""
    month = format_vn_month(state.current)
    lines = [fee_texts.MG_MEMBER_TITLE.format(name=member.full_name, code=member.code)]
    if state.profile is None:
        lines.append(fee_texts.MG_MEMBER_NO_BASIS)
    else:
        lines.append(fee_texts.PAGE_BASIS.format(basis=views.basis_label(state.profile.basis)))
        this = state.this_month
        if this is None or this.dues is None:
            lines.append(fee_texts.MG_MEMBER_INCOMPLETE)
        else:
            lines.append(fee_texts.PAGE_COMPUTATION.format(text=views.computation(this.dues)))
            if this.due == 0:
                lines.append(fee_texts.PAGE_NOTHING_DUE.format(month=month))
            elif this.settled:
                lines.append(fee_texts.PAGE_THIS_PAID.format(month=month, due=format_vnd(this.due)))
            else:
                lines.append(
                    fee_texts.MONTH_OWED.format(month=month, owed=format_vnd(this.owed))
                    if not this.paid
                    else fee_texts.MONTH_PARTLY.format(month=month, owed=format_vnd(this.owed))
                )
    if state.arrears:
        months = ", ".join(
            fee_texts.MG_ARREAR.format(
                month=format_vn_month(line.month), owed=format_vnd(line.owed)
            )
            for line in state.arrears
        )
        lines.append(fee_texts.MG_MEMBER_ARREARS.format(months=months))
    if state.ahead:
        months = ", ".join(format_vn_month(line.month) for line in state.ahead)
        lines.append(fee_texts.PAGE_AHEAD.format(months=months))
    if state.owed_total:
        lines.append(fee_texts.PAGE_TOTAL.format(total=format_vnd(state.owed_total)))
    for claim in state.claims:
        lines.append(_claim_line(claim))
    if history:
        lines.append(fee_texts.PAGE_HISTORY)
        lines += [views.payment_line(p) for p in history]
    return "\n".join(lines)


def _claim_line(claim: FeePayment) -> str:
    return fee_texts.MG_CLAIM_LINE.format(
        amount=format_vnd(claim.amount),
        day=format_vn_date(claim.paid_on),
        method=views.method_label(claim.method),
    )


def _months_text(before: Ledger, after: Ledger) -> str:
    return payments.months_summary(covered(before, after))


class ManageFlow(Flow):
    """`/dangphi_quanly`: one menu per cell; every entry comes back to it."""

    name = MANAGE_FLOW

    # --- the cell and the menu -------------------------------------------------------------

    def begin(self, ctx: Ctx, args: str) -> None:
        cells = collected_cells(ctx.session, ctx.me)
        if not cells:
            raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)
        if len(cells) == 1:
            self.menu(ctx, cells[0])
            return
        options = [(f"c{c.id}", c.name) for c in cells]
        ctx.ask(self.name, "cell", fee_texts.MG_CHOOSE_CELL, options, data={})

    def step_cell(self, ctx: Ctx, answer: Answer) -> None:
        cell_id = as_id((answer.option or "")[1:])
        cell = next((c for c in collected_cells(ctx.session, ctx.me) if c.id == cell_id), None)
        if cell is None:
            raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)
        self.menu(ctx, cell)

    def reload(self, ctx: Ctx) -> bool:
        """Before every step: the cell the flow works on, re-authorised (the actor may have lost
        the right, the secretary having named someone else, since the last step); False (said)
        when the state is gone. Not yet chosen at "cell"."""
        if ctx.state.step == "cell":
            return True
        cell_id = ctx.data.get("cell")
        cell = ctx.session.get(Unit, cell_id) if isinstance(cell_id, int) else None
        if cell is None or cell.id is None:
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        if not may_collect(ctx.session, ctx.me, cell.id):
            raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)
        ctx.subject = cell
        return True

    def _cell(self, ctx: Ctx) -> Unit:
        assert isinstance(ctx.subject, Unit), "reload sets the cell before every step"
        return ctx.subject

    def _is_secretary(self, ctx: Ctx, cell: Unit) -> bool:
        return cell.id in ctx.me.secretary_cell_ids

    def menu(self, ctx: Ctx, cell: Unit) -> None:
        assert cell.id is not None
        roster = _roster(ctx, cell.id)
        waiting = sum(len(cell_claims(state, cell.id)) for _m, state in roster)
        prompt = self._summary(ctx, cell)
        options = [
            ("list", fee_texts.MG_M_LIST),
            ("many", fee_texts.MG_M_MANY),
            ("claims", fee_texts.MG_M_CLAIMS.format(count=waiting)),
            ("remind", fee_texts.MG_M_REMIND),
            ("payee", fee_texts.MG_M_PAYEE),
            ("close", fee_texts.MG_M_CLOSE),
        ]
        if self._is_secretary(ctx, cell):
            options.append(("collector", fee_texts.MG_M_COLLECTOR))
        options.append(("done", texts.FLOW_DONE))
        ctx.ask(self.name, "menu", prompt, options, data={"cell": cell.id})

    def _summary(self, ctx: Ctx, cell: Unit) -> str:
        """This month for the cell, from its book: who paid, who waits for confirmation, who
        owes; this month's dues collected of those expected, and the money taken in."""
        assert cell.id is not None
        cell_id = cell.id
        month = current_month(ctx.now, fee_rules(ctx))
        title = fee_texts.MG_MENU_TITLE.format(cell=cell.name, month=format_vn_month(month))
        try:
            cell_book = book.month_book(
                ctx.session, ctx.me, cell_id, month, now=ctx.now, rules=fee_rules(ctx)
            )
        except Forbidden:
            raise
        except UserError:  # a month the fees' rules do not cover: the menu still works
            return title
        states = Counter(line.state for line in cell_book.lines)
        lines = [
            title,
            fee_texts.MG_MENU_COUNTS.format(
                paid=states["paid"],
                waiting=states["claimed"],
                owed=states["owed"] + states["partial"],
            ),
            fee_texts.MG_MENU_MONEY.format(
                covered=format_vnd(cell_book.covered), expected=format_vnd(cell_book.expected)
            ),
        ]
        if cell_book.received:
            lines.append(fee_texts.MG_MENU_RECEIVED.format(received=format_vnd(cell_book.received)))
        if states["exempt"]:
            lines.append(fee_texts.MG_MENU_EXEMPT.format(count=states["exempt"]))
        if states["no_basis"]:
            lines.append(fee_texts.MG_MENU_NO_BASIS.format(count=states["no_basis"]))
        if cell_book.closed is not None:
            lines.append(fee_texts.MG_MENU_CLOSED.format(month=format_vn_month(month)))
        return "\n".join(lines)

    def step_menu(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option
        if key == "list":
            self._ask_list(ctx, cell, 0)
        elif key == "many":
            self._ask_many(ctx, cell)
        elif key == "claims":
            self._ask_claims(ctx, cell, 0)
        elif key == "remind":
            self._ask_remind(ctx, cell)
        elif key == "payee":
            self._show_payee(ctx, cell)
        elif key == "close":
            self._ask_close(ctx, cell)
        elif key == "collector" and self._is_secretary(ctx, cell):
            self._ask_collector(ctx, cell, 0)
        elif key == "collector":
            raise Forbidden(fee_texts.SETUP_FORBIDDEN_APPOINT)
        else:
            ctx.finish()
            ctx.say(fee_texts.MG_FINISHED)

    # --- the list and one member -----------------------------------------------------------

    def _ask_list(self, ctx: Ctx, cell: Unit, number: int) -> None:
        assert cell.id is not None
        roster = _roster(ctx, cell.id)
        if not roster:
            ctx.say(fee_texts.MG_LIST_EMPTY)
            self.menu(ctx, cell)
            return
        items = [
            (
                f"m{m.id}",
                fee_texts.MG_LIST_LINE.format(name=m.full_name, state=short_state(state)),
            )
            for m, state in roster
        ]
        month = format_vn_month(current_month(ctx.now, fee_rules(ctx)))
        ctx.update_data(page=number)
        ctx.ask(
            self.name,
            "list",
            fee_texts.MG_LIST.format(month=month),
            [*page(items, number), (BACK, fee_texts.MG_BACK_MENU)],
        )

    def step_list(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_list(ctx, cell, number)
            return
        if key == BACK:
            self.menu(ctx, cell)
            return
        self._open_member(ctx, cell, as_id(key[1:]) if key.startswith("m") else None)

    def _open_member(self, ctx: Ctx, cell: Unit, member_id: int | None) -> None:
        """A member's page, the id re-checked: a member who left the cell meanwhile (or a
        forged id) is said so, and the list comes back."""
        member = self._member_of(ctx, cell, member_id)
        if member is None:
            return
        self._member_page(ctx, cell, member)

    def _member_of(self, ctx: Ctx, cell: Unit, member_id: int | None) -> Member | None:
        assert cell.id is not None
        cell_id = cell.id
        if member_id is None:
            ctx.say(texts.STALE_BUTTON)
            self._ask_list(ctx, cell, 0)
            return None
        member = attempt(ctx, lambda: member_in_cell(ctx.session, member_id, cell_id))
        if member is None:
            self._ask_list(ctx, cell, int(ctx.data.get("page") or 0))
        return member

    def _flow_member(self, ctx: Ctx, cell: Unit) -> Member | None:
        member_id = ctx.data.get("member")
        return self._member_of(ctx, cell, member_id if isinstance(member_id, int) else None)

    def _member_page(self, ctx: Ctx, cell: Unit, member: Member) -> None:
        assert member.id is not None
        state = ledger(ctx.session, member.id, now=ctx.now, rules=fee_rules(ctx))
        history = recent_payments(ctx.session, member.id, limit=views.HISTORY_SHOWN)
        options: list[tuple[str, str]] = []
        if _usable(state):
            options.append(("cash", fee_texts.MG_CASH))
        for claim in cell_claims(state, cell.id or 0):
            amount = format_vnd(claim.amount)
            options += [
                (f"ok{claim.id}", fee_texts.MG_CLAIM_OK_AMOUNT.format(amount=amount)),
                (f"no{claim.id}", fee_texts.MG_CLAIM_NO_AMOUNT.format(amount=amount)),
            ]
        if any(p.status != "rejected" for p in history):
            options.append(("fix", fee_texts.MG_FIX))
        options += [
            ("basis", fee_texts.MG_BASIS),
            ("reduce", fee_texts.MG_REDUCE),
            (BACK, fee_texts.MG_BACK_LIST),
        ]
        ctx.update_data(member=member.id, origin="member")
        ctx.ask(self.name, "member", member_text(member, state, history), options)

    def step_member(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        if key == BACK:
            self._ask_list(ctx, cell, int(ctx.data.get("page") or 0))
            return
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        if key == "cash":
            self._ask_cash(ctx, cell, member)
        elif key.startswith("ok"):
            self._confirm(ctx, cell, as_id(key[2:]))
        elif key.startswith("no"):
            self._ask_reject(ctx, cell, as_id(key[2:]))
        elif key == "fix":
            self._ask_fix(ctx, cell, member)
        elif key == "basis":
            self._ask_basis(ctx, member)
        elif key == "reduce":
            self._ask_reduce(ctx, cell, member)
        else:
            self._member_page(ctx, cell, member)

    def _back_to_origin(self, ctx: Ctx, cell: Unit, claim_id: int | None = None) -> None:
        """Where a claim or a payment was handled from: the member's page, or the claims
        (the claim itself, when going back from one of its questions)."""
        if ctx.data.get("origin") == "claims":
            if claim_id is not None:
                self._show_claim(ctx, cell, claim_id)
            else:
                self._ask_claims(ctx, cell, 0)
            return
        member = self._flow_member(ctx, cell)
        if member is not None:
            self._member_page(ctx, cell, member)

    # --- cash from one member ----------------------------------------------------------------

    def _ask_cash(self, ctx: Ctx, cell: Unit, member: Member) -> None:
        assert member.id is not None
        state = ledger(ctx.session, member.id, now=ctx.now, rules=fee_rules(ctx))
        owed = state.owed_total
        options: list[tuple[str, str]] = []
        if owed > 0:
            months = ", ".join(format_vn_month(line.month) for line in state.owed_lines)
            prompt = fee_texts.MG_ASK_CASH.format(
                name=member.full_name, owed=format_vnd(owed), months=months
            )
            options.append(("owed", fee_texts.MG_CASH_OWED.format(amount=format_vnd(owed))))
        else:
            prompt = fee_texts.MG_ASK_CASH_NOTHING_OWED.format(name=member.full_name)
        options.append((BACK, fee_texts.MG_BACK))
        ctx.update_data(owed=owed)
        ctx.ask(self.name, "cash", prompt, options, typed_step="cash")

    def step_cash(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        assert member.id is not None
        if answer.option == BACK:
            self._member_page(ctx, cell, member)
            return
        state = ledger(ctx.session, member.id, now=ctx.now, rules=fee_rules(ctx))
        if answer.option == "owed":
            # What is owed now, not what the button said: a claim may have been confirmed.
            if state.owed_total != ctx.data.get("owed"):
                ctx.say(fee_texts.MG_OWED_CHANGED)
                self._ask_cash(ctx, cell, member)
                return
            self._record(ctx, cell, member, state.owed_total)
            return
        amount = payments.parse_amount(answer.text or "")
        if amount is None:
            ctx.say(fee_texts.MG_AMOUNT_FORMAT)
            self._ask_cash(ctx, cell, member)
            return
        if amount > state.owed_total:
            ctx.update_data(amount=amount)
            prompt = fee_texts.MG_ASK_OVER.format(
                amount=format_vnd(amount), owed=format_vnd(state.owed_total)
            )
            options = [
                ("ahead", fee_texts.MG_OVER_AHEAD),
                ("voluntary", fee_texts.MG_OVER_VOLUNTARY),
                (BACK, fee_texts.MG_AMOUNT_AGAIN),
            ]
            ctx.ask(self.name, "over", prompt, options)
            return
        self._record(ctx, cell, member, amount)

    def step_over(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        amount = ctx.data.get("amount")
        if answer.option == BACK or not isinstance(amount, int):
            self._ask_cash(ctx, cell, member)
            return
        self._record(
            ctx,
            cell,
            member,
            amount,
            ahead=answer.option == "ahead",
            voluntary=answer.option == "voluntary",
        )

    def _record(
        self,
        ctx: Ctx,
        cell: Unit,
        member: Member,
        amount: int,
        *,
        ahead: bool = False,
        voluntary: bool = False,
        confirm_large: bool = False,
    ) -> None:
        """Record the cash and say what it covered; a large amount is asked once more; a
        refusal is said and the amount asked again."""
        member_id = member.id
        assert member_id is not None
        before = ledger(ctx.session, member_id, now=ctx.now, rules=fee_rules(ctx))
        try:
            paid = payments.record_cash(
                ctx.session,
                ctx.me,
                member_id,
                amount,
                now=ctx.now,
                ahead=ahead,
                voluntary=voluntary,
                confirm_large=confirm_large,
                # The prompt's nonce names this payment: the same answer twice is one payment.
                key=f"cash:{member_id}:{ctx.state.nonce}",
                rules=fee_rules(ctx),
            )
        except payments.NeedsConfirmation as large:
            ctx.update_data(amount=amount, ahead=ahead, voluntary=voluntary)
            options = [("yes", fee_texts.MG_LARGE_YES), (BACK, fee_texts.MG_AMOUNT_AGAIN)]
            ctx.ask(self.name, "large", large.message, options)
            return
        except Forbidden:
            raise
        except UserError as refused:
            ctx.say(refused.message)
            self._ask_cash(ctx, cell, member)
            return
        after = ledger(ctx.session, member_id, now=ctx.now, rules=fee_rules(ctx))
        lines = [
            fee_texts.MG_CASH_DONE.format(
                amount=format_vnd(paid.amount),
                name=member.full_name,
                months=_months_text(before, after),
            )
        ]
        if paid.extra:
            lines.append(fee_texts.MG_CASH_EXTRA.format(extra=format_vnd(paid.extra)))
        ctx.say("\n".join(lines))
        self._member_page(ctx, cell, member)

    def step_large(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        amount = ctx.data.get("amount")
        if answer.option != "yes" or not isinstance(amount, int):
            self._ask_cash(ctx, cell, member)
            return
        self._record(
            ctx,
            cell,
            member,
            amount,
            ahead=ctx.data.get("ahead") is True,
            voluntary=ctx.data.get("voluntary") is True,
            confirm_large=True,
        )

    # --- claims: confirm, reject with a reason, correct the amount ------------------------------

    def _ask_claims(self, ctx: Ctx, cell: Unit, number: int) -> None:
        assert cell.id is not None
        waiting = [
            (member, claim)
            for member, state in _roster(ctx, cell.id)
            for claim in cell_claims(state, cell.id)
        ]
        if not waiting:
            ctx.say(fee_texts.MG_NO_CLAIMS)
            self.menu(ctx, cell)
            return
        waiting.sort(key=lambda pair: (pair[1].created_at, pair[1].id or 0))
        items = [
            (
                f"c{claim.id}",
                fee_texts.MG_CLAIMS_LINE.format(
                    name=member.full_name,
                    amount=format_vnd(claim.amount),
                    day=format_vn_date(claim.paid_on),
                    method=views.method_label(claim.method),
                ),
            )
            for member, claim in waiting
        ]
        ctx.update_data(origin="claims")
        ctx.ask(
            self.name,
            "claims",
            fee_texts.MG_CLAIMS.format(count=len(items)),
            [*page(items, number), (BACK, fee_texts.MG_BACK_MENU)],
        )

    def step_claims(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_claims(ctx, cell, number)
            return
        if key == BACK:
            self.menu(ctx, cell)
            return
        self._show_claim(ctx, cell, as_id(key[1:]) if key.startswith("c") else None)

    def _pending(self, ctx: Ctx, cell: Unit, payment_id: int | None) -> FeePayment | None:
        """The claim, still waiting and in this cell; else said why (decided meanwhile by the
        other collector, a forged id) and None."""
        if payment_id is None:
            ctx.say(texts.STALE_BUTTON)
            return None
        claim = attempt(ctx, lambda: payments.pending_claim(ctx.session, ctx.me, payment_id))
        if claim is not None and claim.cell_id != cell.id:
            ctx.say(fee_texts.MEMBER_NOT_IN_CELL)
            return None
        return claim

    def _show_claim(self, ctx: Ctx, cell: Unit, payment_id: int | None) -> None:
        claim = self._pending(ctx, cell, payment_id)
        if claim is None:
            self._ask_claims(ctx, cell, 0)
            return
        member = ctx.session.get(Member, claim.member_id)
        assert member is not None
        text = fee_texts.MG_CLAIM.format(
            name=member.full_name,
            code=member.code,
            amount=format_vnd(claim.amount),
            day=format_vn_date(claim.paid_on),
            method=views.method_label(claim.method),
        )
        options = [
            ("ok", fee_texts.MG_CLAIM_OK),
            ("no", fee_texts.MG_CLAIM_NO),
            ("fix", fee_texts.MG_FIX),
            (BACK, fee_texts.MG_BACK),
        ]
        ctx.update_data(claim=claim.id, member=claim.member_id, origin="claims")
        ctx.ask(self.name, "claim", text, options)

    def step_claim(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        claim_id = ctx.data.get("claim")
        payment_id = claim_id if isinstance(claim_id, int) else None
        if answer.option == "ok":
            self._confirm(ctx, cell, payment_id)
        elif answer.option == "no":
            self._ask_reject(ctx, cell, payment_id)
        elif answer.option == "fix":
            self._ask_fix_amount(ctx, cell, payment_id)
        else:
            self._ask_claims(ctx, cell, 0)

    def _confirm(self, ctx: Ctx, cell: Unit, payment_id: int | None) -> None:
        claim = self._pending(ctx, cell, payment_id)
        if claim is not None:
            claim_id = claim.id
            assert claim_id is not None
            done = attempt(
                ctx,
                lambda: payments.confirm_claim(
                    ctx.session, ctx.me, claim_id, now=ctx.now, rules=fee_rules(ctx)
                ),
            )
            if done is not None:
                ctx.say(fee_texts.CONFIRM_DONE.format(amount=format_vnd(done.amount)))
        self._back_to_origin(ctx, cell)

    def _ask_reject(self, ctx: Ctx, cell: Unit, payment_id: int | None) -> None:
        claim = self._pending(ctx, cell, payment_id)
        if claim is None:
            self._back_to_origin(ctx, cell)
            return
        ctx.update_data(claim=claim.id)
        options = [
            ("missing", fee_texts.REASON_NOT_ARRIVED),
            ("amount", fee_texts.REASON_WRONG_AMOUNT),
            (BACK, fee_texts.MG_BACK),
        ]
        ctx.ask(self.name, "reject", fee_texts.ASK_REJECT_REASON, options, typed_step="reject")

    def step_reject(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        claim_id = ctx.data.get("claim")
        if not isinstance(claim_id, int):
            self._back_to_origin(ctx, cell)
            return
        if answer.option == BACK:
            self._back_to_origin(ctx, cell, claim_id)
            return
        reason = {
            "missing": fee_texts.REASON_NOT_ARRIVED,
            "amount": fee_texts.REASON_WRONG_AMOUNT,
        }.get(answer.option or "", answer.text or "")
        if self._pending(ctx, cell, claim_id) is None:
            self._back_to_origin(ctx, cell)
            return
        rejected = attempt(
            ctx,
            lambda: payments.reject_claim(
                ctx.session, ctx.me, claim_id, reason, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if rejected is None:  # the reason was refused (empty, too long): asked again
            self._ask_reject(ctx, cell, claim_id)
            return
        ctx.say(fee_texts.REJECT_DONE)
        self._back_to_origin(ctx, cell)

    def _ask_fix(self, ctx: Ctx, cell: Unit, member: Member) -> None:
        assert member.id is not None
        history = recent_payments(ctx.session, member.id, limit=views.HISTORY_SHOWN)
        items = [
            (f"p{p.id}", views.payment_line(p).removeprefix("• "))
            for p in history
            if p.status != "rejected"
        ]
        if not items:
            ctx.say(fee_texts.MG_FIX_NONE)
            self._member_page(ctx, cell, member)
            return
        ctx.ask(self.name, "fix", fee_texts.MG_ASK_FIX, [*items, (BACK, fee_texts.MG_BACK)])

    def step_fix(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        if key == BACK:
            self._back_to_origin(ctx, cell)
            return
        self._ask_fix_amount(ctx, cell, as_id(key[1:]) if key.startswith("p") else None)

    def _ask_fix_amount(self, ctx: Ctx, cell: Unit, payment_id: int | None) -> None:
        payment = ctx.session.get(FeePayment, payment_id) if payment_id is not None else None
        member_id = ctx.data.get("member")
        if (
            payment is None
            or payment.cell_id != cell.id
            or payment.member_id != member_id
            or payment.status == "rejected"
        ):
            ctx.say(texts.STALE_BUTTON)
            self._back_to_origin(ctx, cell)
            return
        ctx.update_data(payment=payment.id)
        prompt = fee_texts.MG_ASK_FIX_AMOUNT.format(
            amount=format_vnd(payment.amount), day=format_vn_date(payment.paid_on)
        )
        ctx.ask(
            self.name, "fix_amount", prompt, [(BACK, fee_texts.MG_BACK)], typed_step="fix_amount"
        )

    def step_fix_amount(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        payment_id = ctx.data.get("payment")
        if not isinstance(payment_id, int):
            self._back_to_origin(ctx, cell)
            return
        if answer.option == BACK:
            self._back_to_origin(ctx, cell, payment_id)
            return
        amount = payments.parse_amount(answer.text or "")
        if amount is None:
            ctx.say(fee_texts.MG_AMOUNT_FORMAT)
            self._ask_fix_amount(ctx, cell, payment_id)
            return
        fixed = attempt(
            ctx,
            lambda: payments.correct_amount(
                ctx.session, ctx.me, payment_id, amount, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if fixed is None:
            self._ask_fix_amount(ctx, cell, payment_id)
            return
        ctx.say(fee_texts.MG_FIX_DONE.format(amount=format_vnd(fixed.amount)))
        self._back_to_origin(ctx, cell, fixed.id if fixed.status == "claimed" else None)

    # --- the basis ---------------------------------------------------------------------------

    def _ask_basis(self, ctx: Ctx, member: Member) -> None:
        options = [(f"b:{basis.value}", views.basis_label(basis.value)) for basis in Basis]
        prompt = fee_texts.MG_ASK_BASIS.format(name=member.full_name)
        ctx.update_data(basis=None, income=None, region=None, exemption=None)
        ctx.ask(self.name, "basis", prompt, [*options, (BACK, fee_texts.MG_BACK)])

    def step_basis(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        key = answer.option or ""
        basis = next((b for b in Basis if key == f"b:{b.value}"), None)
        if basis is None:
            self._member_page(ctx, cell, member)
            return
        ctx.update_data(basis=basis.value)
        self._next_basis_question(ctx, cell, member, basis)

    def _next_basis_question(self, ctx: Ctx, cell: Unit, member: Member, basis: Basis) -> None:
        if basis.needs_income and ctx.data.get("income") is None:
            self._ask_income(ctx, member, basis)
        elif basis.needs_region and ctx.data.get("region") is None:
            self._ask_region(ctx, cell)
        elif basis is Basis.MIEN and ctx.data.get("exemption") is None:
            options = [
                (f"e:{reason.value}", fee_texts.EXEMPTION_LABELS[reason.value].capitalize())
                for reason in ExemptionReason
            ]
            prompt = fee_texts.MG_ASK_EXEMPTION.format(name=member.full_name)
            ctx.ask(self.name, "exemption", prompt, [*options, (BACK, fee_texts.MG_BACK)])
        else:
            self._preview_basis(ctx, cell, member, basis)

    def _ask_income(self, ctx: Ctx, member: Member, basis: Basis) -> None:
        prompt = fee_texts.MG_ASK_INCOME.format(
            name=member.full_name, what=fee_texts.MG_INCOME_WHAT[basis.value]
        )
        ctx.ask(self.name, "income", prompt, [(BACK, fee_texts.MG_BACK)], typed_step="income")

    def _flow_basis(self, ctx: Ctx) -> Basis | None:
        value = ctx.data.get("basis")
        return next((b for b in Basis if b.value == value), None)

    def step_income(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        basis = self._flow_basis(ctx)
        if answer.option == BACK or basis is None:
            self._ask_basis(ctx, member)
            return
        income = payments.parse_amount(answer.text or "")
        if income is None or income <= 0:
            ctx.say(fee_texts.MG_INCOME_FORMAT)
            self._ask_income(ctx, member, basis)
            return
        ctx.update_data(income=income)
        self._next_basis_question(ctx, cell, member, basis)

    def _ask_region(self, ctx: Ctx, cell: Unit) -> None:
        assert cell.id is not None
        inherited = cell_regions(ctx.session, [cell.id]).get(cell.id)
        unit_label = (
            fee_texts.MG_REGION_UNIT.format(region=inherited.name)
            if inherited is not None
            else fee_texts.MG_REGION_UNIT_NONE
        )
        options = [("r0", unit_label)]
        options += [(f"r{r.value}", fee_texts.MG_REGION.format(region=r.name)) for r in Region]
        ctx.ask(self.name, "region", fee_texts.MG_ASK_REGION, [*options, (BACK, fee_texts.MG_BACK)])

    def step_region(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        basis = self._flow_basis(ctx)
        key = answer.option or ""
        if key == BACK or basis is None or not key.startswith("r") or not key[1:].isdigit():
            self._ask_basis(ctx, member)
            return
        number = int(key[1:])
        # 0: the cell's (inherited) region, stored as no override.
        ctx.update_data(region=number if number in {r.value for r in Region} else 0)
        self._next_basis_question(ctx, cell, member, basis)

    def step_exemption(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        basis = self._flow_basis(ctx)
        key = answer.option or ""
        reason = next((r for r in ExemptionReason if key == f"e:{r.value}"), None)
        if reason is None or basis is None:
            self._ask_basis(ctx, member)
            return
        ctx.update_data(exemption=reason.value)
        self._next_basis_question(ctx, cell, member, basis)

    def _chosen_profile(self, ctx: Ctx) -> tuple[Region | None, ExemptionReason | None, int | None]:
        region_value = ctx.data.get("region")
        region = next((r for r in Region if r.value == region_value), None)
        exemption_value = ctx.data.get("exemption")
        exemption = next((e for e in ExemptionReason if e.value == exemption_value), None)
        income = ctx.data.get("income")
        return region, exemption, income if isinstance(income, int) else None

    def _preview_basis(self, ctx: Ctx, cell: Unit, member: Member, basis: Basis) -> None:
        """Everything chosen, and what it makes this month, before anything is saved."""
        assert cell.id is not None
        region, exemption, income = self._chosen_profile(ctx)
        rules = fee_rules(ctx)
        month = current_month(ctx.now, rules)
        lines = [
            fee_texts.MG_BASIS_PREVIEW.format(name=member.full_name, month=format_vn_month(month)),
            fee_texts.PAGE_BASIS.format(basis=views.basis_label(basis.value)),
        ]
        if income is not None:
            lines.append(fee_texts.MG_PREVIEW_INCOME.format(income=format_vnd(income)))
        if basis.needs_region:
            inherited = cell_regions(ctx.session, [cell.id]).get(cell.id)
            shown = region or inherited
            lines.append(
                fee_texts.MG_PREVIEW_REGION.format(region=shown.name)
                if shown is not None
                else fee_texts.MG_PREVIEW_NO_REGION
            )
        if exemption is not None:
            lines.append(
                fee_texts.MG_PREVIEW_EXEMPTION.format(
                    reason=fee_texts.EXEMPTION_LABELS[exemption.value]
                )
            )
        try:
            dues = dues_for(
                DuesProfile(
                    basis=basis,
                    income=income,
                    region=region or cell_regions(ctx.session, [cell.id]).get(cell.id),
                    exemption=exemption,
                ),
                month,
                rounding=rules.rounding,
                table=rules.table or RateTable.load(),
            )
            lines.append(
                fee_texts.MG_PREVIEW_DUES.format(
                    amount=format_vnd(dues.amount), text=views.computation(dues)
                )
            )
        except (MissingBasis, NotInForce):
            lines.append(fee_texts.MG_PREVIEW_NOT_COMPUTED)
        options = [("save", fee_texts.MG_SAVE), (BACK, fee_texts.MG_CHOOSE_AGAIN)]
        ctx.ask(self.name, "basis_confirm", "\n".join(lines), options)

    def step_basis_confirm(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        member_id = member.id
        assert member_id is not None
        basis = self._flow_basis(ctx)
        if answer.option != "save" or basis is None:
            self._ask_basis(ctx, member)
            return
        region, exemption, income = self._chosen_profile(ctx)
        saved = attempt(
            ctx,
            lambda: setup.set_profile(
                ctx.session,
                ctx.me,
                member_id,
                basis=basis,
                income=income,
                region=region,
                exemption=exemption,
                now=ctx.now,
                rules=fee_rules(ctx),
            ),
        )
        if saved is None:
            self._ask_basis(ctx, member)
            return
        ctx.say(
            fee_texts.MG_BASIS_SAVED.format(
                name=member.full_name, month=format_vn_month(saved.valid_from)
            )
        )
        self._member_page(ctx, cell, member)

    # --- reductions ----------------------------------------------------------------------------

    def _ask_reduce(self, ctx: Ctx, cell: Unit, member: Member) -> None:
        member_id = member.id
        assert member_id is not None
        active = setup.active_reductions(
            ctx.session, ctx.me, member_id, now=ctx.now, rules=fee_rules(ctx)
        )
        lines = [fee_texts.MG_ASK_REDUCE.format(name=member.full_name, limit=MAX_REDUCTION_MONTHS)]
        options: list[tuple[str, str]] = []
        for row in active:
            until = format_vn_month(add_months(row.start, row.months - 1))
            lines.append(
                fee_texts.MG_REDUCTION_LINE.format(
                    percent=row.percent, until=until, reason=row.reason
                )
            )
            options.append(
                (
                    f"x{row.id}",
                    fee_texts.MG_REDUCTION_CANCEL.format(percent=row.percent, until=until),
                )
            )
        options = [
            *(
                (f"g{p}", fee_texts.MG_REDUCTION_PERCENT.format(percent=p))
                for p in REDUCTION_PERCENTS
            ),
            *options,
            (BACK, fee_texts.MG_BACK),
        ]
        ctx.ask(self.name, "reduce", "\n".join(lines), options)

    def step_reduce(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        key = answer.option or ""
        if key.startswith("x"):
            reduction_id = as_id(key[1:])
            if reduction_id is None:
                ctx.say(texts.STALE_BUTTON)
            else:
                self._cancel_reduction(ctx, member, reduction_id)
            self._member_page(ctx, cell, member)
            return
        percent = int(key[1:]) if key.startswith("g") and key[1:].isdigit() else None
        if percent not in REDUCTION_PERCENTS:
            self._member_page(ctx, cell, member)
            return
        ctx.update_data(percent=percent)
        options = [
            (f"n{n}", fee_texts.MG_MONTHS.format(months=n))
            for n in range(1, MAX_REDUCTION_MONTHS + 1)
        ]
        prompt = fee_texts.MG_ASK_REDUCE_MONTHS.format(percent=percent)
        ctx.ask(self.name, "reduce_months", prompt, [*options, (BACK, fee_texts.MG_BACK)])

    def _cancel_reduction(self, ctx: Ctx, member: Member, reduction_id: int) -> None:
        row = ctx.session.get(FeeReduction, reduction_id)
        if row is None or row.member_id != member.id:
            ctx.say(texts.STALE_BUTTON)
            return
        done = attempt(
            ctx,
            lambda: setup.cancel_reduction(
                ctx.session, ctx.me, reduction_id, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if done is not None:
            ctx.say(fee_texts.MG_REDUCTION_CANCELLED.format(name=member.full_name))

    def step_reduce_months(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        key = answer.option or ""
        months = int(key[1:]) if key.startswith("n") and key[1:].isdigit() else None
        if months is None or not 1 <= months <= MAX_REDUCTION_MONTHS:
            self._ask_reduce(ctx, cell, member)
            return
        ctx.update_data(months=months)
        self._ask_reduce_reason(ctx)

    def _ask_reduce_reason(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "reduce_reason",
            fee_texts.MG_ASK_REDUCE_REASON,
            [(BACK, fee_texts.MG_BACK)],
            typed_step="reduce_reason",
        )

    def step_reduce_reason(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        member = self._flow_member(ctx, cell)
        if member is None:
            return
        member_id = member.id
        assert member_id is not None
        percent, months = ctx.data.get("percent"), ctx.data.get("months")
        if answer.option == BACK or not isinstance(percent, int) or not isinstance(months, int):
            self._ask_reduce(ctx, cell, member)
            return
        row = attempt(
            ctx,
            lambda: setup.add_reduction(
                ctx.session,
                ctx.me,
                member_id,
                percent=percent,
                reason=answer.text or "",
                months=months,
                now=ctx.now,
                rules=fee_rules(ctx),
            ),
        )
        if row is None:
            if not (answer.text or "").strip():
                self._ask_reduce_reason(ctx)
            else:
                self._ask_reduce(ctx, cell, member)
            return
        ctx.say(
            fee_texts.MG_REDUCTION_SAVED.format(
                name=member.full_name,
                percent=row.percent,
                start=format_vn_month(row.start),
                until=format_vn_month(add_months(row.start, row.months - 1)),
            )
        )
        self._member_page(ctx, cell, member)

    # --- cash from several members at once ----------------------------------------------------

    def _ask_many(self, ctx: Ctx, cell: Unit) -> None:
        assert cell.id is not None
        # A member whose waiting claims cover what they owe has a claim to decide, not cash.
        owing = [(m, state) for m, state in _roster(ctx, cell.id) if _owes(state)][:MANY_MAX]
        if not owing:
            ctx.say(fee_texts.NOBODY_OWES)
            self.menu(ctx, cell)
            return
        options: list[tuple[str, str]] = []
        for index, (m, state) in enumerate(owing, start=1):
            label = fee_texts.MG_MANY_LINE.format(
                name=m.full_name, amount=format_vnd(state.owed_total)
            )
            if state.claims:
                label += fee_texts.MG_MANY_CLAIMED
            # Buttons carry no number: where they are buttons, the number goes in the label,
            # so "1 3 5" can be typed there too.
            options.append((f"m{m.id}", label if ctx.incoming.numbered else f"{index}. {label}"))
        options += [
            ("all", fee_texts.MG_MANY_ALL.format(count=len(owing))),
            (BACK, fee_texts.MG_BACK_MENU),
        ]
        ctx.update_data(many=[m.id for m, _s in owing])
        ctx.ask(self.name, "many", fee_texts.MG_ASK_MANY, options, typed_step="many_typed")

    def step_many(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        key = answer.option or ""
        shown = [m for m in ctx.data.get("many") or [] if isinstance(m, int)]
        if key == BACK:
            self.menu(ctx, cell)
        elif key == "all":
            self._preview_many(ctx, cell, shown)
        else:
            member_id = as_id(key[1:]) if key.startswith("m") else None
            if member_id is None or member_id not in shown:
                ctx.say(texts.STALE_BUTTON)
                self._ask_many(ctx, cell)
                return
            self._preview_many(ctx, cell, [member_id])

    def step_many_typed(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        shown = [m for m in ctx.data.get("many") or [] if isinstance(m, int)]
        typed = numbers(answer.text or "")
        if not typed or not all(1 <= n <= len(shown) for n in typed):
            ctx.say(fee_texts.MG_MANY_FORMAT.format(count=len(shown)))
            self._ask_many(ctx, cell)
            return
        self._preview_many(ctx, cell, [shown[n - 1] for n in dict.fromkeys(typed)])

    def _preview_many(self, ctx: Ctx, cell: Unit, member_ids: list[int]) -> None:
        assert cell.id is not None
        chosen = [(m, s) for m, s in _roster(ctx, cell.id) if m.id in set(member_ids)]
        paying = [(m, s) for m, s in chosen if _usable(s) and s.owed_total > 0]
        if not paying:
            ctx.say(fee_texts.NOBODY_OWES)
            self._ask_many(ctx, cell)
            return
        lines = [fee_texts.MG_MANY_PREVIEW.format(count=len(paying))]
        lines += [
            fee_texts.MG_MANY_PREVIEW_LINE.format(
                name=m.full_name,
                amount=format_vnd(s.owed_total),
                months=", ".join(format_vn_month(line.month) for line in s.owed_lines),
            )
            for m, s in paying
        ]
        total = sum(s.owed_total for _m, s in paying)
        lines.append(fee_texts.MG_MANY_TOTAL.format(total=format_vnd(total)))
        ctx.update_data(chosen=[m.id for m, _s in paying])
        options = [("yes", fee_texts.MG_MANY_YES), (BACK, fee_texts.MG_CHOOSE_AGAIN)]
        ctx.ask(self.name, "many_confirm", "\n".join(lines), options)

    def step_many_confirm(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        chosen = [m for m in ctx.data.get("chosen") or [] if isinstance(m, int)]
        if answer.option != "yes" or not chosen:
            self._ask_many(ctx, cell)
            return
        result = attempt(
            ctx,
            lambda: payments.record_cash_many(
                ctx.session,
                ctx.me,
                cell_id,
                chosen,
                now=ctx.now,
                key=f"many:{cell_id}:{ctx.state.nonce}",
                rules=fee_rules(ctx),
            ),
        )
        if result is None:
            self._ask_many(ctx, cell)
            return
        lines: list[str] = []
        if result.paid:
            total = sum(p.amount for _m, p in result.paid)
            lines.append(
                fee_texts.MG_MANY_DONE.format(count=len(result.paid), total=format_vnd(total))
            )
            lines += [
                fee_texts.MG_MANY_PAID_LINE.format(name=m.full_name, amount=format_vnd(p.amount))
                for m, p in result.paid
            ]
        if result.skipped:
            lines.append(fee_texts.MG_MANY_SKIPPED)
            lines += [
                fee_texts.MG_MANY_SKIPPED_LINE.format(name=m.full_name, reason=why)
                for m, why in result.skipped
            ]
        if result.moved:
            lines.append(fee_texts.SKIPPED_MOVED.format(n=result.moved))
        ctx.say("\n".join(lines))
        self.menu(ctx, cell)

    # --- the reminder round ------------------------------------------------------------------

    def _ask_remind(self, ctx: Ctx, cell: Unit) -> None:
        assert cell.id is not None
        owing = [s for _m, s in _roster(ctx, cell.id) if _owes(s)]
        if not owing:
            ctx.say(fee_texts.NOBODY_OWES)
            self.menu(ctx, cell)
            return
        total = sum(s.owed_total - s.claimed_total for s in owing)
        prompt = fee_texts.MG_ASK_REMIND.format(count=len(owing), total=format_vnd(total))
        options = [("yes", fee_texts.MG_REMIND_YES), (BACK, fee_texts.MG_BACK)]
        ctx.ask(self.name, "remind", prompt, options)

    def step_remind(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        if answer.option == "yes":
            done = attempt(
                ctx,
                lambda: payments.remind_owing(
                    ctx.session, ctx.me, cell_id, now=ctx.now, rules=fee_rules(ctx)
                ),
            )
            if done is not None:
                lines = [fee_texts.MG_REMIND_DONE.format(count=done.reminded)]
                if done.unreachable:
                    lines.append(fee_texts.MG_REMIND_UNREACHABLE.format(count=done.unreachable))
                ctx.say("\n".join(lines))
        self.menu(ctx, cell)

    # --- the account members pay into ----------------------------------------------------------

    def _show_payee(self, ctx: Ctx, cell: Unit) -> None:
        assert cell.id is not None
        payee = setup.payee_for(ctx.session, cell.id)
        options = [("set", fee_texts.MG_PAYEE_SET)]
        if payee is None:
            text = fee_texts.MG_PAYEE_NONE
        else:
            lines = [
                fee_texts.MG_PAYEE_CURRENT,
                fee_texts.MG_PAYEE_DETAILS.format(
                    bank=f"{payee.bank.short_name} – {payee.bank.name}",
                    account=payee.account,
                    holder=payee.holder,
                ),
            ]
            if payee.personal:
                lines.append(fee_texts.MG_PAYEE_PERSONAL)
            elif payee.unit_id == cell.id:
                lines.append(fee_texts.MG_PAYEE_OF_CELL)
            if payee.unit_id != cell.id:
                lines.append(fee_texts.MG_PAYEE_INHERITED.format(unit=payee.unit_name))
            else:
                options.append(("clear", fee_texts.MG_PAYEE_CLEAR))
            text = "\n".join(lines)
        options.append((BACK, fee_texts.MG_BACK_MENU))
        ctx.ask(self.name, "payee", text, options)

    def step_payee(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        if answer.option == "set":
            self._ask_bank(ctx)
        elif answer.option == "clear":
            options = [("yes", fee_texts.MG_PAYEE_CLEAR_YES), (BACK, fee_texts.MG_BACK)]
            ctx.ask(self.name, "payee_clear", fee_texts.MG_ASK_PAYEE_CLEAR, options)
        else:
            self.menu(ctx, cell)

    def step_payee_clear(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        if answer.option == "yes":
            cleared = attempt(
                ctx, lambda: setup.clear_payee(ctx.session, ctx.me, cell_id, now=ctx.now)
            )
            if cleared is not None:
                ctx.say(fee_texts.MG_PAYEE_CLEARED if cleared else fee_texts.MG_PAYEE_NONE)
        self._show_payee(ctx, cell)

    def _ask_bank(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name, "bank", fee_texts.MG_ASK_BANK, [(BACK, fee_texts.MG_BACK)], typed_step="bank"
        )

    def step_bank(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        if answer.option == BACK:
            self._show_payee(ctx, cell)
            return
        typed = " ".join((answer.text or "").split())[:60]
        if not banks.find(typed):
            ctx.say(fee_texts.MG_BANK_NONE.format(typed=typed))
            self._ask_bank(ctx)
            return
        ctx.update_data(bank_query=typed)
        self._ask_bank_pick(ctx, typed, 0)

    def _ask_bank_pick(self, ctx: Ctx, typed: str, number: int) -> None:
        found = banks.find(typed)
        items = [(f"k{bank.bin}", bank.short_name) for bank in found]
        options = [*page(items, number), ("again", fee_texts.MG_BANK_AGAIN)]
        ctx.ask(
            self.name, "bank_pick", fee_texts.MG_ASK_BANK_PICK.format(count=len(found)), options
        )

    def step_bank_pick(self, ctx: Ctx, answer: Answer) -> None:
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_bank_pick(ctx, str(ctx.data.get("bank_query") or ""), number)
            return
        bank = banks.by_bin(key[1:]) if key.startswith("k") else None
        if bank is None:
            self._ask_bank(ctx)
            return
        ctx.update_data(bin=bank.bin)
        self._ask_account(ctx, bank)

    def _ask_account(self, ctx: Ctx, bank: banks.Bank) -> None:
        prompt = fee_texts.MG_ASK_ACCOUNT.format(bank=f"{bank.short_name} – {bank.name}")
        ctx.ask(self.name, "account", prompt, [(BACK, fee_texts.MG_BACK)], typed_step="account")

    def _flow_bank(self, ctx: Ctx) -> banks.Bank | None:
        return banks.by_bin(str(ctx.data.get("bin") or ""))

    def step_account(self, ctx: Ctx, answer: Answer) -> None:
        bank = self._flow_bank(ctx)
        if answer.option == BACK or bank is None:
            self._ask_bank(ctx)
            return
        account = clean_account_number(answer.text or "")
        if account is None:
            ctx.say(fee_texts.PAYEE_ACCOUNT_INVALID)
            self._ask_account(ctx, bank)
            return
        ctx.update_data(account=account)
        self._ask_holder(ctx)

    def _ask_holder(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "holder",
            fee_texts.MG_ASK_HOLDER,
            [(BACK, fee_texts.MG_BACK)],
            typed_step="holder",
        )

    def step_holder(self, ctx: Ctx, answer: Answer) -> None:
        bank = self._flow_bank(ctx)
        account = str(ctx.data.get("account") or "")
        if bank is None:
            self._ask_bank(ctx)
            return
        if answer.option == BACK:
            self._ask_account(ctx, bank)
            return
        checked = attempt(ctx, lambda: setup.check_account(bank.bin, account, answer.text or ""))
        if checked is None:
            self._ask_holder(ctx)
            return
        ctx.update_data(holder=checked[2])
        options = [("cell", fee_texts.MG_WHOSE_CELL), ("mine", fee_texts.MG_WHOSE_MINE)]
        ctx.ask(self.name, "whose", fee_texts.MG_ASK_WHOSE, [*options, (BACK, fee_texts.MG_BACK)])

    def step_whose(self, ctx: Ctx, answer: Answer) -> None:
        bank = self._flow_bank(ctx)
        if answer.option == BACK or bank is None:
            self._ask_holder(ctx)
            return
        personal = answer.option == "mine"
        ctx.update_data(personal=personal)
        lines = [
            fee_texts.MG_PAYEE_PREVIEW,
            fee_texts.MG_PAYEE_DETAILS.format(
                bank=f"{bank.short_name} – {bank.name}",
                account=ctx.data.get("account"),
                holder=ctx.data.get("holder"),
            ),
            fee_texts.MG_PAYEE_PERSONAL if personal else fee_texts.MG_PAYEE_OF_CELL,
            fee_texts.MG_PAYEE_CHECK,
        ]
        options = [("save", fee_texts.MG_SAVE), ("again", fee_texts.MG_PAYEE_AGAIN)]
        ctx.ask(
            self.name, "payee_confirm", "\n".join(lines), [*options, (BACK, fee_texts.MG_BACK_MENU)]
        )

    def step_payee_confirm(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        if answer.option == "again":
            self._ask_bank(ctx)
            return
        if answer.option != "save":
            self.menu(ctx, cell)
            return
        saved = attempt(
            ctx,
            lambda: setup.set_payee(
                ctx.session,
                ctx.me,
                cell_id,
                bin=str(ctx.data.get("bin") or ""),
                account=str(ctx.data.get("account") or ""),
                holder=str(ctx.data.get("holder") or ""),
                personal=ctx.data.get("personal") is True,
                now=ctx.now,
            ),
        )
        if saved is None:
            self._ask_bank(ctx)
            return
        ctx.say(fee_texts.MG_PAYEE_SAVED)
        self._show_payee(ctx, cell)

    # --- closing a month -----------------------------------------------------------------------

    def _ask_close(self, ctx: Ctx, cell: Unit) -> None:
        this = current_month(ctx.now, fee_rules(ctx))
        last = add_months(this, -1)
        options = [
            (f"t{last.isoformat()}", fee_texts.MG_CLOSE_MONTH.format(month=format_vn_month(last))),
            (f"t{this.isoformat()}", fee_texts.MG_CLOSE_MONTH.format(month=format_vn_month(this))),
            (BACK, fee_texts.MG_BACK_MENU),
        ]
        ctx.ask(self.name, "close", fee_texts.MG_ASK_CLOSE, options)

    def _month_choice(self, ctx: Ctx, key: str) -> date | None:
        """Last month or this month, as offered; anything else (an old state) is None."""
        this = current_month(ctx.now, fee_rules(ctx))
        allowed = {this, add_months(this, -1)}
        try:
            month = date.fromisoformat(key)
        except ValueError:
            return None
        return month if month in allowed else None

    def step_close(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        key = answer.option or ""
        month = self._month_choice(ctx, key[1:]) if key.startswith("t") else None
        if month is None:
            self.menu(ctx, cell)
            return
        cell_book = attempt(
            ctx,
            lambda: book.month_book(
                ctx.session, ctx.me, cell_id, month, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if cell_book is None:
            self.menu(ctx, cell)
            return
        lines = [
            fee_texts.MG_CLOSE_PREVIEW.format(cell=cell.name, month=format_vn_month(month)),
            fee_texts.MG_CLOSE_TOTALS.format(
                expected=format_vnd(cell_book.expected),
                covered=format_vnd(cell_book.covered),
                received=format_vnd(cell_book.received),
            ),
        ]
        lines += [
            fee_texts.MG_CLOSE_SHARE.format(unit=share.name, amount=format_vnd(share.amount))
            for share in cell_book.shares
        ]
        lines += [
            fee_texts.MG_CLOSE_REMIT.format(remit=format_vnd(cell_book.remit)),
            fee_texts.MG_CLOSE_WARNING,
        ]
        ctx.update_data(month=month.isoformat())
        options = [("yes", fee_texts.MG_CLOSE_YES), (BACK, fee_texts.MG_BACK_MENU)]
        ctx.ask(self.name, "close_confirm", "\n".join(lines), options)

    def step_close_confirm(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        month = self._month_choice(ctx, str(ctx.data.get("month") or ""))
        if answer.option != "yes" or month is None:
            self.menu(ctx, cell)
            return
        closed = attempt(
            ctx,
            lambda: book.close_month(
                ctx.session, ctx.me, cell_id, month, now=ctx.now, rules=fee_rules(ctx)
            ),
        )
        if closed is None:
            self.menu(ctx, cell)
            return
        data = book.render_book_xlsx(closed)
        ctx.say(
            fee_texts.MG_CLOSED.format(
                month=format_vn_month(month), remit=format_vnd(closed.remit)
            ),
            file=OutFile(
                book.book_file_name(closed),
                data,
                "document",
                link_ttl=fee_rules(ctx).book_link_ttl,
            ),
        )
        self.menu(ctx, cell)

    # --- who collects (the secretary only) ------------------------------------------------------

    def _ask_collector(self, ctx: Ctx, cell: Unit, number: int) -> None:
        assert cell.id is not None
        current = collector_of(ctx.session, cell.id)
        members = cell_members(ctx.session, cell.id)
        named = next((m for m in members if m.id == current), None)
        prompt = (
            fee_texts.MG_COLLECTOR_CURRENT.format(name=named.full_name)
            if named is not None
            else fee_texts.MG_COLLECTOR_NONE
        )
        items = [
            (
                f"m{m.id}",
                m.full_name + (fee_texts.MG_COLLECTOR_MARK if m.id == current else ""),
            )
            for m in members
        ]
        options = page(items, number)
        if named is not None:
            options.append(("none", fee_texts.MG_COLLECTOR_REMOVE))
        options.append((BACK, fee_texts.MG_BACK_MENU))
        ctx.ask(self.name, "collector", prompt, options)

    def step_collector(self, ctx: Ctx, answer: Answer) -> None:
        cell = self._cell(ctx)
        cell_id = cell.id
        assert cell_id is not None
        if not self._is_secretary(ctx, cell):
            raise Forbidden(fee_texts.SETUP_FORBIDDEN_APPOINT)
        key = answer.option or ""
        number = page_key(key)
        if number is not None:
            self._ask_collector(ctx, cell, number)
            return
        if key == BACK:
            self.menu(ctx, cell)
            return
        member_id = None if key == "none" else as_id(key[1:]) if key.startswith("m") else None
        if key != "none" and member_id is None:
            ctx.say(texts.STALE_BUTTON)
            self._ask_collector(ctx, cell, 0)
            return
        try:
            setup.appoint_collector(ctx.session, ctx.me, cell_id, member_id, now=ctx.now)
        except Forbidden:
            raise
        except UserError as refused:  # no longer in the cell: said, and the list again
            ctx.say(refused.message)
            self._ask_collector(ctx, cell, 0)
            return
        if member_id is None:
            ctx.say(fee_texts.MG_COLLECTOR_REMOVED)
        else:
            member = ctx.session.get(Member, member_id)
            assert member is not None
            ctx.say(fee_texts.MG_COLLECTOR_SET.format(name=member.full_name))
        self.menu(ctx, cell)


MANAGE = ManageFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "dangphi_quanly",
            fee_texts.CMD_MANAGE,
            Audience.SECRETARY,
            MANAGE.begin,
            also=collects_own_cell,
            topic=Topic.FEES,
        )
    )
    registry.flow(MANAGE)
