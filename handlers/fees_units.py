"""`/dangphi_donvi`: a committee sets the account members pay into and the minimum-wage
region for a unit above the cells (a base organisation), which its cells inherit unless they
set their own (`setup.payee_for`, `ledger.cell_regions`).

The units offered are those `setup.may_set_unit` allows above the cells: the committee's own
units (not a committee further up: the base organisation keeps its own books) and, for an
admin, the roots. The unit's page says its account and region (its own, or inherited from
which unit above) and how many of its cells use each; from it: set the account (bank search →
pick → account → holder → preview → save), remove it, set the region, done. Every step
reloads the unit and re-checks the right over it (`reload`); the services check again and
refuse before they write, so their refusals are said with `attempt` and the question asked
again.
"""

from __future__ import annotations

from handlers.context import Answer, Ctx, Flow
from handlers.flowkit import as_id, attempt, page, page_key
from handlers.registry import Audience, Command, Registry, Topic
from models import Unit
from services import texts
from services.errors import Forbidden
from services.fees import banks, setup
from services.fees import texts as fee_texts
from services.fees.dues import Region
from services.fees.units import Overview, overview, settable_units
from services.fees.vietqr import clean_account_number
from services.org import is_cell

FLOW = "fees_units"
BACK = "back"


def _units(ctx: Ctx) -> list[Unit]:
    return settable_units(ctx.session, ctx.me)


def _bank_label(bank: banks.Bank) -> str:
    return f"{bank.short_name} – {bank.name}"


def page_text(unit: Unit, view: Overview) -> str:
    lines = [fee_texts.UN_PAGE_TITLE.format(unit=unit.name)]
    payee = view.payee
    if payee is None:
        lines.append(fee_texts.UN_PAYEE_NONE)
    else:
        lines += [
            fee_texts.UN_PAYEE_HEAD,
            fee_texts.MG_PAYEE_DETAILS.format(
                bank=_bank_label(payee.bank), account=payee.account, holder=payee.holder
            ),
        ]
        if payee.personal:
            lines.append(fee_texts.MG_PAYEE_PERSONAL)
        if payee.unit_id != unit.id:
            lines.append(fee_texts.UN_PAYEE_INHERITED.format(unit=payee.unit_name))
    if view.region is None:
        lines.append(fee_texts.UN_REGION_NONE)
    elif view.region_from is not None:
        lines.append(
            fee_texts.UN_REGION_INHERITED.format(
                region=view.region.name, unit=view.region_from.name
            )
        )
    else:
        lines.append(fee_texts.UN_REGION.format(region=view.region.name))
    if not view.cells:
        lines.append(fee_texts.UN_CELLS_NONE)
        return "\n".join(lines)
    lines.append(fee_texts.UN_CELLS.format(total=view.cells))
    payee_line = fee_texts.UN_CELLS_PAYEE if payee is not None else fee_texts.UN_CELLS_NO_PAYEE
    lines.append(payee_line.format(count=view.payee_cells))
    region_line = (
        fee_texts.UN_CELLS_REGION if view.region is not None else fee_texts.UN_CELLS_NO_REGION
    )
    lines.append(region_line.format(count=view.region_cells))
    return "\n".join(lines)


class UnitsFlow(Flow):
    """`/dangphi_donvi`: one page per unit; every entry comes back to it."""

    name = FLOW

    # --- the unit and its page -------------------------------------------------------------

    def begin(self, ctx: Ctx, args: str) -> None:
        units = _units(ctx)
        if not units:
            raise Forbidden(fee_texts.UN_NONE)
        if len(units) == 1:
            self.show(ctx, units[0])
            return
        self._ask_unit(ctx, units)

    def _ask_unit(self, ctx: Ctx, units: list[Unit]) -> None:
        options = [(f"u{u.id}", u.name) for u in units]
        ctx.ask(self.name, "unit", fee_texts.UN_CHOOSE_UNIT, options, data={})

    def step_unit(self, ctx: Ctx, answer: Answer) -> None:
        unit_id = as_id((answer.option or "")[1:])
        unit = next((u for u in _units(ctx) if u.id == unit_id), None)
        if unit is None:
            raise Forbidden(fee_texts.SETUP_FORBIDDEN_PAYEE)
        self.show(ctx, unit)

    def reload(self, ctx: Ctx) -> bool:
        """Before every step: the unit the flow works on, re-authorised (the actor may have
        left its committee since the last step); False (said) when the state is gone. Not yet
        chosen at "unit"."""
        if ctx.state.step == "unit":
            return True
        unit_id = ctx.data.get("unit")
        unit = ctx.session.get(Unit, unit_id) if isinstance(unit_id, int) else None
        if unit is None or unit.id is None or is_cell(unit):
            ctx.finish()
            ctx.say(texts.SESSION_EXPIRED)
            return False
        if not setup.may_set_unit(ctx.session, ctx.me, unit):
            raise Forbidden(fee_texts.SETUP_FORBIDDEN_PAYEE)
        ctx.subject = unit
        return True

    def _unit(self, ctx: Ctx) -> Unit:
        assert isinstance(ctx.subject, Unit), "reload sets the unit before every step"
        return ctx.subject

    def show(self, ctx: Ctx, unit: Unit) -> None:
        view = overview(ctx.session, unit)
        options = [("payee", fee_texts.MG_PAYEE_SET)]
        if view.own_account:
            options.append(("clear", fee_texts.MG_PAYEE_CLEAR))
        options.append(("region", fee_texts.UN_REGION_BTN))
        if len(_units(ctx)) > 1:
            options.append(("units", fee_texts.UN_OTHER_UNIT))
        options.append(("done", texts.FLOW_DONE))
        ctx.ask(self.name, "page", page_text(unit, view), options, data={"unit": unit.id})

    def step_page(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        key = answer.option
        if key == "payee":
            self._ask_bank(ctx)
        elif key == "clear":
            options = [("yes", fee_texts.MG_PAYEE_CLEAR_YES), (BACK, fee_texts.MG_BACK)]
            prompt = fee_texts.UN_ASK_CLEAR.format(unit=unit.name)
            ctx.ask(self.name, "clear", prompt, options)
        elif key == "region":
            self._ask_region(ctx, unit)
        elif key == "units":
            self._ask_unit(ctx, _units(ctx))
        else:
            ctx.finish()
            ctx.say(fee_texts.UN_FINISHED)

    # --- removing the account ----------------------------------------------------------------

    def step_clear(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        unit_id = unit.id
        assert unit_id is not None
        if answer.option == "yes":
            cleared = attempt(
                ctx, lambda: setup.clear_payee(ctx.session, ctx.me, unit_id, now=ctx.now)
            )
            if cleared:
                ctx.say(fee_texts.UN_PAYEE_CLEARED.format(unit=unit.name))
        self.show(ctx, unit)

    # --- the region ----------------------------------------------------------------------------

    def _ask_region(self, ctx: Ctx, unit: Unit) -> None:
        own = overview(ctx.session, unit).own_region
        options = []
        for region in Region:
            label = fee_texts.UN_REGION_CURRENT if region is own else fee_texts.UN_REGION_OPTION
            options.append((f"r{int(region)}", label.format(region=region.name)))
        if own is not None:
            options.append(("none", fee_texts.UN_REGION_CLEAR))
        options.append((BACK, fee_texts.UN_BACK_PAGE))
        ctx.ask(self.name, "region", fee_texts.UN_ASK_REGION.format(unit=unit.name), options)

    def step_region(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        unit_id = unit.id
        assert unit_id is not None
        key = answer.option or ""
        if key == "none":
            region: Region | None = None
        elif key.startswith("r") and key[1:] in {str(int(r)) for r in Region}:
            region = Region(int(key[1:]))
        else:
            self.show(ctx, unit)
            return

        def save() -> bool:
            setup.set_region(ctx.session, ctx.me, unit_id, region, now=ctx.now)
            return True

        if attempt(ctx, save):
            ctx.say(
                fee_texts.UN_REGION_SAVED.format(region=region.name, unit=unit.name)
                if region is not None
                else fee_texts.UN_REGION_CLEARED.format(unit=unit.name)
            )
        self.show(ctx, unit)

    # --- setting the account -----------------------------------------------------------------

    def _ask_bank(self, ctx: Ctx) -> None:
        ctx.ask(
            self.name,
            "bank",
            fee_texts.MG_ASK_BANK,
            [(BACK, fee_texts.UN_BACK_PAGE)],
            typed_step="bank",
        )

    def step_bank(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        if answer.option == BACK:
            self.show(ctx, unit)
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
        prompt = fee_texts.MG_ASK_BANK_PICK.format(count=len(found))
        ctx.ask(self.name, "bank_pick", prompt, options)

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

    def _flow_bank(self, ctx: Ctx) -> banks.Bank | None:
        return banks.by_bin(str(ctx.data.get("bin") or ""))

    def _ask_account(self, ctx: Ctx, bank: banks.Bank) -> None:
        prompt = fee_texts.MG_ASK_ACCOUNT.format(bank=_bank_label(bank))
        ctx.ask(self.name, "account", prompt, [(BACK, fee_texts.MG_BACK)], typed_step="account")

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
        options = [(BACK, fee_texts.MG_BACK)]
        ctx.ask(self.name, "holder", fee_texts.MG_ASK_HOLDER, options, typed_step="holder")

    def step_holder(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
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
        _bank, number, holder = checked
        ctx.update_data(account=number, holder=holder)
        lines = [
            fee_texts.MG_PAYEE_PREVIEW,
            fee_texts.MG_PAYEE_DETAILS.format(
                bank=_bank_label(bank), account=number, holder=holder
            ),
            fee_texts.UN_PAYEE_OF_UNIT.format(unit=unit.name),
            fee_texts.MG_PAYEE_CHECK,
        ]
        options = [
            ("save", fee_texts.MG_SAVE),
            ("again", fee_texts.MG_PAYEE_AGAIN),
            (BACK, fee_texts.UN_BACK_PAGE),
        ]
        ctx.ask(self.name, "confirm", "\n".join(lines), options)

    def step_confirm(self, ctx: Ctx, answer: Answer) -> None:
        unit = self._unit(ctx)
        unit_id = unit.id
        assert unit_id is not None
        if answer.option == "again":
            self._ask_bank(ctx)
            return
        if answer.option != "save":
            self.show(ctx, unit)
            return
        saved = attempt(
            ctx,
            lambda: setup.set_payee(
                ctx.session,
                ctx.me,
                unit_id,
                bin=str(ctx.data.get("bin") or ""),
                account=str(ctx.data.get("account") or ""),
                holder=str(ctx.data.get("holder") or ""),
                personal=False,
                now=ctx.now,
            ),
        )
        if saved is None:
            self._ask_bank(ctx)
            return
        ctx.say(fee_texts.MG_PAYEE_SAVED)
        self.show(ctx, unit)


UNITS = UnitsFlow()


def register(registry: Registry) -> None:
    registry.command(
        Command(
            "dangphi_donvi",
            fee_texts.CMD_UNITS,
            Audience.COMMITTEE,
            UNITS.begin,
            topic=Topic.FEES,
        )
    )
    registry.flow(UNITS)
