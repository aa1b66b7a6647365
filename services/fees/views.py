"""The fees in words: a member's dues page, how an amount was computed, the payment details
shown with the QR code. Pure functions of the ledger and the payee, so every channel shows the
same text and tests read it without a chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from models import FeePayment
from services.fees import texts as fee_texts
from services.fees.dues import Dues, Step, format_percent, format_vnd
from services.fees.ledger import Ledger, MonthLine
from services.fees.vietqr import Transfer, memo, payload, payment_reference
from services.vndate import format_vn_date, format_vn_month

ARREARS_SHOWN = 6
HISTORY_SHOWN = 5


def basis_label(code: str) -> str:
    return fee_texts.BASIS_LABELS.get(code, code)


def method_label(code: str) -> str:
    return fee_texts.METHOD_LABELS.get(code, code)


def computation(dues: Dues) -> str:
    """ "1 % × 8.000.000 đ = 80.000 đ", then any reduction or rounding, in order."""
    pieces: list[str] = []
    for part in dues.parts:
        if part.step is Step.RATE and part.rate is not None and part.base is not None:
            base = format_vnd(part.base)
            if part.region is not None:
                base = fee_texts.CALC_REGION_BASE.format(base=base, region=part.region.name)
            pieces.append(
                fee_texts.CALC_RATE.format(
                    rate=format_percent(part.rate), base=base, amount=format_vnd(part.amount)
                )
            )
        elif part.step is Step.FLAT:
            pieces.append(fee_texts.CALC_FLAT.format(amount=format_vnd(part.amount)))
        elif part.step is Step.EXEMPT:
            reason = (
                fee_texts.EXEMPTION_LABELS.get(str(part.exemption), "") if part.exemption else ""
            )
            pieces.append(fee_texts.CALC_EXEMPT.format(reason=f" ({reason})" if reason else ""))
        elif part.step is Step.REDUCTION:
            pieces.append(
                fee_texts.CALC_REDUCTION.format(
                    percent=part.percent, reason=part.reason or "", amount=format_vnd(part.amount)
                )
            )
        elif part.step is Step.ROUNDING:
            pieces.append(fee_texts.CALC_ROUNDING.format(amount=format_vnd(part.amount)))
    return "; ".join(pieces)


def _month_owed(line: MonthLine) -> str:
    if line.paid:
        return fee_texts.MONTH_PARTLY.format(
            month=format_vn_month(line.month), owed=format_vnd(line.owed)
        )
    return fee_texts.MONTH_OWED.format(
        month=format_vn_month(line.month), owed=format_vnd(line.owed)
    )


def dues_page(ledger: Ledger, history: Sequence[FeePayment] = ()) -> str:
    """What the member sees on `/dangphi`: this month, arrears month by month, the basis and
    how the amount was computed, claims waiting, the last payments."""
    month = format_vn_month(ledger.current)
    lines = [fee_texts.PAGE_TITLE.format(month=month)]
    if ledger.profile is None:
        lines.append(fee_texts.PAGE_NO_BASIS)
        return "\n".join(lines)
    lines.append(fee_texts.PAGE_BASIS.format(basis=basis_label(ledger.profile.basis)))
    this = ledger.this_month
    if this is None or this.dues is None:
        lines.append(fee_texts.PAGE_BASIS_INCOMPLETE)
        return "\n".join(lines)
    lines.append(fee_texts.PAGE_COMPUTATION.format(text=computation(this.dues)))
    if this.due == 0:
        lines.append(fee_texts.PAGE_NOTHING_DUE.format(month=month))
    elif this.settled:
        lines.append(fee_texts.PAGE_THIS_PAID.format(month=month, due=format_vnd(this.due)))
    else:
        lines.append(_month_owed(this))
    arrears = ledger.arrears
    if arrears:
        lines.append(fee_texts.PAGE_ARREARS)
        lines += ["• " + _month_owed(line) for line in arrears[:ARREARS_SHOWN]]
        if len(arrears) > ARREARS_SHOWN:
            lines.append(fee_texts.PAGE_MORE.format(n=len(arrears) - ARREARS_SHOWN))
    if ledger.ahead:
        months = ", ".join(format_vn_month(line.month) for line in ledger.ahead)
        lines.append(fee_texts.PAGE_AHEAD.format(months=months))
    if ledger.owed_total:
        lines.append(fee_texts.PAGE_TOTAL.format(total=format_vnd(ledger.owed_total)))
    for claim in ledger.claims:
        lines.append(
            fee_texts.PAGE_CLAIM.format(
                amount=format_vnd(claim.amount), day=format_vn_date(claim.paid_on)
            )
        )
    if history:
        lines.append(fee_texts.PAGE_HISTORY)
        lines += [payment_line(p) for p in history[:HISTORY_SHOWN]]
    return "\n".join(lines)


def payment_line(payment: FeePayment) -> str:
    """ "• 05/11/2026: 80.000 đ, tiền mặt" (a rejected claim says so)."""
    line = fee_texts.HISTORY_LINE.format(
        day=format_vn_date(payment.paid_on),
        amount=format_vnd(payment.amount),
        method=method_label(payment.method),
    )
    if payment.status == "claimed":
        line += fee_texts.HISTORY_WAITING
    elif payment.status == "rejected":
        line += fee_texts.HISTORY_REJECTED
    return line


def _memo(member_code: str, member_id: int, year: int, month: int) -> str:
    """The member's code when it fits the 25 characters, else the short reference; beyond the
    references' range (over a million members) the month alone: the claim the member sends
    with "Tôi đã nộp" names them anyway. Never an error in front of a member."""
    try:
        return memo(member_code, year, month)
    except ValueError:
        pass
    try:
        return memo(member_code, year, month, reference=payment_reference(member_id))
    except ValueError:
        return f"DANG PHI T{month} {year}"


@dataclass(frozen=True)
class TransferDetails:
    """What a member needs to pay by bank: the QR payload, and the same as text to copy (a
    member often pays from the phone that shows the code)."""

    payload: str
    text: str


def transfer_details(
    *,
    bank_bin: str,
    bank_name: str,
    account: str,
    holder: str,
    personal: bool,
    amount: int,
    member_id: int,
    member_code: str,
    year: int,
    month: int,
) -> TransferDetails:
    note = _memo(member_code, member_id, year, month)
    data = payload(Transfer(bin=bank_bin, account=account, amount=amount, memo=note))
    text = fee_texts.TRANSFER_DETAILS.format(
        bank=bank_name,
        account=account,
        holder=holder,
        whose=fee_texts.TRANSFER_PERSONAL if personal else "",
        amount=format_vnd(amount),
        memo=note,
    )
    return TransferDetails(data, text)
