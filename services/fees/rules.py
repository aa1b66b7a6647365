"""The fees slice's numbers and button ids, in one place, so a province can adjust them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from decimal import Decimal

from services.buttons import ButtonId
from services.fees.dues import RateTable, Rounding
from services.vndate import DEFAULT_TZ

# Buttons outside any flow (docs/core.md, "Buttons outside a flow"), answered in handlers/fees.py.
CONFIRM_CLAIM = ButtonId("fee_ok")  # fee_ok:{payment}: the collector confirms a member's claim
REJECT_CLAIM = ButtonId("fee_no")  # fee_no:{payment}: … or rejects it (asks the reason)
OPEN_DUES = ButtonId("fee_due")  # fee_due:{member}: a member's dues from /nhiemvu or a reminder


@dataclass(frozen=True)
class FeeRules:
    """Sources: Quy định 01-QĐ/TW (rates, exemptions, reductions: `services.fees.dues`); Điều lệ
    Đảng, Article 8 (3 months unpaid in a year); the rest is ours (docs/fees.md).

    `kept_by_level` is what each level keeps of what a cell collects, from the cell upward (the
    cell 30 %, its base organisation 30 % of the rest, …); the rest goes further up. 01-QĐ/TW's
    shares were not found, so they are a setting, shown in the cell's book.
    """

    tz: tzinfo = DEFAULT_TZ
    rounding: Rounding = Rounding.DONG
    table: RateTable | None = None  # None: the shipped table (services/fees/data/rates.toml)
    reminder_every: timedelta = timedelta(days=3)
    overpay_factor: int = 3  # more than this many months' dues at once asks to confirm
    advance_months: int = 12  # paying ahead covers at most this many months
    window_months: int = 12  # arrears are counted over the last 12 months (as absences)
    flag_months: int = 2  # unpaid months that flag a member to the secretary
    removal_months: int = 3  # … and that Article 8 names
    max_payment: int = 100_000_000  # one payment above this is a typing mistake
    kept_by_level: tuple[Decimal, ...] = field(default=(Decimal("0.3"),))
    book_link_ttl: timedelta = timedelta(hours=12)  # the fee book's link: within a day


DEFAULT_FEE_RULES = FeeRules()
