"""A cell's fee book for a month, its close, and what goes up the tree from it.

The book is read from the same ledgers as the member's own view and the committees' roll-up
(`services.fees.ledger`), never from a table of its own, so the collector's book and the
committee's figure agree to the đồng by construction (`cell_dues_figure` sums exactly what
`month_book` shows for the current month). Two kinds of number sit side by side, as on the
paper books collectors keep:

- what was owed for the month and how much of it is paid (`expected`, `covered`): the ledger's
  allocation, oldest month first, whenever the money came;
- the money the cell took in during the month (`received`): confirmed payments whose
  `book_month` is this month, whatever months they cleared (arrears, ahead, voluntary). The
  shares each level keeps and the amount remitted upward are parts of *this*, since only money
  in hand can be split.

A member's basis and income are private (01-QĐ/TW; docs/fees.md): only the cell's collector
and secretary get a book (`require_collector`) or the arrears notes; the committees get counts
and sums per cell, never a name (`cell_dues_figure`, `arrears_count`, `unclosed_last_month`).

Closing a month freezes its totals in `FeeMonthClose`; money received afterwards is booked in
the next open month (`services.fees.payments.book_month`), so a closed book's `received` never
changes. `covered` may still grow when a late payment clears the month: that is the truth about
the month, and the row keeps what was reported at close.
"""

from __future__ import annotations

import dataclasses
import io
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Literal, NamedTuple

from sqlmodel import Session, col, select

from models import FeeMonthClose, FeePayment, FeeProfile, Member, Unit
from models.upsert import insert_new
from services import audit
from services.auth import Actor
from services.errors import UserError
from services.fees import texts as fee_texts
from services.fees.access import may_collect, require_collector
from services.fees.dues import (
    Dues,
    RateTable,
    Step,
    add_months,
    format_percent,
    format_vnd,
    month_start,
)
from services.fees.ledger import (
    CONFIRMED,
    Ledger,
    MonthLine,
    cell_member_ids,
    current_month,
    ledgers,
)
from services.fees.rules import DEFAULT_FEE_RULES, OPEN_DUES, FeeRules
from services.offers import Todo
from services.org import is_cell, lineage_ids, vn_name_key
from services.vndate import format_vn_date, format_vn_datetime, format_vn_month

BookState = Literal["paid", "claimed", "owed", "partial", "exempt", "no_basis", "moved"]
"""A member's month in the book:

- `paid`: the month's dues are covered; `partial`: some of it; `owed`: none of it;
- `claimed`: not (fully) covered, and a claim (a transfer, the portal) waits for the collector;
- `exempt`: a basis owing 0 this month (an exemption, `mien`, a 100 % reduction);
- `no_basis`: no basis in force that month, or one lacking its income or region: nothing can
  be charged until the secretary completes it;
- `moved`: no longer in the cell, listed only because their money is in this month's book.
"""


@dataclass(frozen=True)
class BookPayment:
    """Money received in the book's month: when, how (`cash`, `transfer`, `portal`), how much,
    and the voluntary part of it."""

    paid_on: date
    method: str
    amount: int
    extra: int = 0


@dataclass(frozen=True)
class BookLine:
    """One member's line of the month. `basis` is the basis code in force that month (None:
    none), `base` the amount the rate applies to (the income, or the regional minimum wage;
    None for flat, exempt or incomplete bases). `due` and `covered` are the month's dues and the
    part of them paid, whenever; `payments` the money received in the month, whatever it
    cleared; `arrears` the earlier months still (partly) unpaid, oldest first."""

    member_id: int
    code: str
    name: str
    basis: str | None
    base: int | None
    due: int
    covered: int
    state: BookState
    payments: tuple[BookPayment, ...]
    arrears: tuple[date, ...]
    note: str

    @property
    def received(self) -> int:
        return sum(p.amount for p in self.payments)


class Share(NamedTuple):
    """What one level keeps of the month's receipts: the unit, its rate, the amount (đồng)."""

    name: str
    amount: int
    rate: Decimal


@dataclass(frozen=True)
class CellBook:
    """A cell's book for `month` (the first of the month), as of `made_at`.

    `expected` and `covered` sum the lines' `due` and `covered`; `received` is the money booked
    in the month (with `voluntary`, its voluntary part); `shares` what each level keeps of it,
    the cell first, up the tree; `remit` what the cell sends upward (`received` less the cell's
    own share). `closed` is the month's close, if any, and `closed_by` its author's name."""

    cell_id: int
    cell_name: str
    month: date
    lines: tuple[BookLine, ...]
    expected: int
    covered: int
    received: int
    voluntary: int
    shares: tuple[Share, ...]
    remit: int
    closed: FeeMonthClose | None
    closed_by: str | None
    made_at: datetime
    tz: tzinfo

    @property
    def kept(self) -> int:
        """What the cell itself keeps (its share; 0 when no share is set)."""
        return self.shares[0].amount if self.shares else 0


# --- the month's book ------------------------------------------------------------------------


def _table(rules: FeeRules) -> RateTable:
    return rules.table or RateTable.load()


def _check_month(month: date, now: datetime, rules: FeeRules) -> None:
    """A book exists for the months from 01-QĐ/TW's start to the current one: a later month has
    not begun, an earlier one was kept under the old rules (342-QĐ/TW), outside this book."""
    if month > current_month(now, rules):
        raise UserError(fee_texts.BOOK_MONTH_FUTURE.format(month=format_vn_month(month)))
    first = _table(rules).in_force_from
    if month < first:
        raise UserError(
            fee_texts.BOOK_MONTH_BEFORE_FEES.format(
                month=format_vn_month(month), first=format_vn_month(first)
            )
        )


def split_shares(
    received: int, levels: Sequence[tuple[str, Decimal]]
) -> tuple[tuple[Share, ...], int]:
    """Each level keeps its rate of what reaches it, rounded down to the đồng (the cell first,
    then its parent of the rest, …); returns the shares and what the cell remits upward.

    Rounding down each share keeps every amount whole and sends the fractions up: nothing is
    lost or invented, so the shares and the last remainder add up to `received` exactly."""
    shares: list[Share] = []
    rest = received
    for name, rate in levels:
        kept = int((Decimal(rest) * rate).to_integral_value(rounding=ROUND_FLOOR))
        shares.append(Share(name, kept, rate))
        rest -= kept
    remit = received - (shares[0].amount if shares else 0)
    return tuple(shares), remit


def _share_levels(session: Session, cell: Unit, rules: FeeRules) -> list[tuple[str, Decimal]]:
    """(unit name, rate) from the cell upward, as far as `rules.kept_by_level` and the tree
    go (a cell directly under the top committee has only two levels)."""
    chain = list(reversed(lineage_ids(cell)))[: len(rules.kept_by_level)]
    if not chain:
        return []
    names = dict(session.exec(select(Unit.id, Unit.name).where(col(Unit.id).in_(chain))).all())
    return [
        (names.get(unit_id, ""), rate)
        for unit_id, rate in zip(chain, rules.kept_by_level, strict=False)
    ]


def _state(line: MonthLine | None, ledger: Ledger) -> BookState:
    if line is None or line.dues is None:
        return "no_basis"
    if line.due <= 0:
        return "exempt"
    if line.paid >= line.due:
        return "paid"
    if ledger.claims:
        return "claimed"
    return "partial" if line.paid > 0 else "owed"


def _exemption_note(dues: Dues) -> str | None:
    if dues.exemption is not None:
        reason = fee_texts.BOOK_EXEMPTIONS.get(dues.exemption.value, dues.exemption.value)
        return fee_texts.BOOK_NOTE_EXEMPT_REASON.format(reason=reason)
    return None


def _note(
    state: BookState,
    line: MonthLine | None,
    ledger: Ledger | None,
    month: date,
    arrears: Sequence[date],
    payments: Sequence[BookPayment],
) -> str:
    """What the collector would write in the margin: why nothing or less is owed, what is still
    missing, a claim waiting, arrears, months paid ahead, voluntary money."""
    parts: list[str] = []
    if state == "moved":
        parts.append(fee_texts.BOOK_NOTE_MOVED)
    if line is not None and line.missing is not None:
        parts.append(
            fee_texts.BOOK_NOTE_MISSING_INCOME
            if line.missing == "income"
            else fee_texts.BOOK_NOTE_MISSING_REGION
        )
    if line is not None and line.dues is not None:
        exemption = _exemption_note(line.dues)
        if exemption:
            parts.append(exemption)
        for part in line.dues.parts:
            if part.step is Step.REDUCTION and part.percent is not None:
                parts.append(
                    fee_texts.BOOK_NOTE_REDUCTION.format(
                        percent=part.percent, reason=part.reason or ""
                    )
                )
    if ledger is not None and ledger.claims:
        parts.append(fee_texts.BOOK_NOTE_CLAIM.format(amount=format_vnd(ledger.claimed_total)))
    if arrears:
        months = ", ".join(format_vn_month(m) for m in arrears)
        parts.append(fee_texts.BOOK_NOTE_ARREARS.format(months=months))
    if ledger is not None and month == ledger.current and ledger.ahead:
        last = ledger.ahead[-1].month
        parts.append(fee_texts.BOOK_NOTE_AHEAD.format(month=format_vn_month(last)))
    extra = sum(p.extra for p in payments)
    if extra:
        parts.append(fee_texts.BOOK_NOTE_EXTRA.format(amount=format_vnd(extra)))
    return "; ".join(parts)


def _profiles_at(session: Session, member_ids: Sequence[int], month: date) -> dict[int, FeeProfile]:
    """The basis in force in `month` for each member that has one (the latest row from it)."""
    found: dict[int, FeeProfile] = {}
    if not member_ids:
        return found
    for profile in session.exec(
        select(FeeProfile)
        .where(col(FeeProfile.member_id).in_(list(member_ids)))
        .where(col(FeeProfile.valid_from) <= month)
        .order_by(col(FeeProfile.member_id), col(FeeProfile.valid_from))
    ):
        found[profile.member_id] = profile
    return found


def _book_payments(session: Session, cell_id: int, month: date) -> dict[int, list[BookPayment]]:
    """The money booked in the cell's month, by member, in the order it was recorded."""
    by_member: dict[int, list[BookPayment]] = defaultdict(list)
    for payment in session.exec(
        select(FeePayment)
        .where(FeePayment.cell_id == cell_id)
        .where(FeePayment.book_month == month)
        .where(FeePayment.status == CONFIRMED)
        .order_by(col(FeePayment.paid_on), col(FeePayment.id))
    ):
        extra = max(0, min(payment.extra, payment.amount))
        by_member[payment.member_id].append(
            BookPayment(payment.paid_on, payment.method, payment.amount, extra)
        )
    return by_member


def _closer_name(session: Session, row: FeeMonthClose) -> str:
    if row.closed_by_member_id is None:
        return fee_texts.BOOK_SOMEONE
    member = session.get(Member, row.closed_by_member_id)
    return member.full_name if member is not None else fee_texts.BOOK_SOMEONE


def _close_row(session: Session, cell_id: int, month: date) -> FeeMonthClose | None:
    return session.exec(
        select(FeeMonthClose)
        .where(FeeMonthClose.cell_id == cell_id)
        .where(FeeMonthClose.month == month)
    ).first()


def month_book(
    session: Session,
    actor: Actor,
    cell_id: int,
    month: date,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> CellBook:
    """The cell's book for `month`'s month, for its collector or secretary only (the lines
    carry members' bases and incomes). A month after the current one, or before 01-QĐ/TW, is
    refused. A handful of queries whatever the size of the cell."""
    require_collector(session, actor, cell_id)
    cell = session.get(Unit, cell_id)
    if cell is None or not is_cell(cell):
        raise UserError(fee_texts.BOOK_NOT_A_CELL)
    first = month_start(month)
    _check_month(first, now, rules)

    members = {
        mid: (code, name)
        for mid, code, name in session.exec(
            select(Member.id, Member.code, Member.full_name).where(Member.cell_id == cell_id)
        )
        if mid is not None
    }
    booked = _book_payments(session, cell_id, first)
    moved = [mid for mid in booked if mid not in members]
    if moved:
        for mid, code, name in session.exec(
            select(Member.id, Member.code, Member.full_name).where(col(Member.id).in_(moved))
        ):
            if mid is not None:
                members[mid] = (code, name)
    accounts = ledgers(session, [m for m in members if m not in moved], now=now, rules=rules)

    # The basis of the month is the ledger's current one when it was already in force then;
    # only members whose basis changed since the month need their older row.
    older = [
        mid
        for mid, lg in accounts.items()
        if lg.line(first) is not None and (lg.profile is None or lg.profile.valid_from > first)
    ]
    earlier = _profiles_at(session, older, first)

    lines: list[BookLine] = []
    for mid, (code, name) in members.items():
        received = tuple(booked.get(mid, ()))
        account = accounts.get(mid)
        if account is None:  # moved away: only the money is this cell's
            note = _note("moved", None, None, first, (), received)
            lines.append(BookLine(mid, code, name, None, None, 0, 0, "moved", received, (), note))
            continue
        line = account.line(first)
        profile = account.profile
        if profile is None or profile.valid_from > first:
            profile = earlier.get(mid)
        if line is None:
            profile = None
        state = _state(line, account)
        arrears = tuple(lg.month for lg in account.lines if lg.month < first and lg.owed > 0)
        base = line.dues.base if line is not None and line.dues is not None else None
        lines.append(
            BookLine(
                member_id=mid,
                code=code,
                name=name,
                basis=profile.basis if profile is not None else None,
                base=base,
                due=line.due if line is not None else 0,
                covered=line.paid if line is not None else 0,
                state=state,
                payments=received,
                arrears=arrears,
                note=_note(state, line, account, first, arrears, received),
            )
        )
    lines.sort(key=lambda x: (*vn_name_key(x.name), x.code))

    received_total = sum(p.amount for paid in booked.values() for p in paid)
    shares, remit = split_shares(received_total, _share_levels(session, cell, rules))
    closed = _close_row(session, cell_id, first)
    return CellBook(
        cell_id=cell_id,
        cell_name=cell.name,
        month=first,
        lines=tuple(lines),
        expected=sum(x.due for x in lines),
        covered=sum(x.covered for x in lines),
        received=received_total,
        voluntary=sum(p.extra for paid in booked.values() for p in paid),
        shares=shares,
        remit=remit,
        closed=closed,
        closed_by=_closer_name(session, closed) if closed is not None else None,
        made_at=now,
        tz=rules.tz,
    )


# --- closing a month ---------------------------------------------------------------------------


def _already_closed(session: Session, row: FeeMonthClose, rules: FeeRules) -> UserError:
    return UserError(
        fee_texts.BOOK_ALREADY_CLOSED.format(
            month=format_vn_month(row.month),
            name=_closer_name(session, row),
            when=format_vn_datetime(row.closed_at, rules.tz),
        )
    )


def close_month(
    session: Session,
    actor: Actor,
    cell_id: int,
    month: date,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> CellBook:
    """The collector closes the cell's book of `month`: its totals are kept as they stand, and
    money received from now on goes to the next open month's book.

    Refused for a month not begun, a month before 01-QĐ/TW, and a month already closed (saying
    when and by whom). The cell's row is locked first (PostgreSQL), so two collectors closing
    at once queue up and the second is told the first did; the insert skips a row already
    there (`insert_new`), which is the guard on SQLite, where writers are serialised anyway."""
    require_collector(session, actor, cell_id)
    first = month_start(month)
    _check_month(first, now, rules)
    session.exec(select(Unit).where(Unit.id == cell_id).with_for_update()).first()
    existing = _close_row(session, cell_id, first)
    if existing is not None:
        raise _already_closed(session, existing, rules)
    book = month_book(session, actor, cell_id, first, now=now, rules=rules)
    inserted = insert_new(
        session,
        FeeMonthClose,
        [
            {
                "cell_id": cell_id,
                "month": first,
                "expected": book.expected,
                "collected": book.received,
                "remit": book.remit,
                "closed_at": now,
                "closed_by_member_id": actor.member_id,
            }
        ],
        index_elements=["cell_id", "month"],
        returning="id",
    )
    if not inserted:
        other = _close_row(session, cell_id, first)
        assert other is not None  # the conflict was this very row
        raise _already_closed(session, other, rules)
    row = session.get(FeeMonthClose, inserted[0])
    assert row is not None
    audit.record(
        session,
        "fees.month_closed",
        "unit",
        cell_id,
        actor_member_id=actor.member_id,
        detail={
            "month": first.isoformat(),
            "expected": book.expected,
            "covered": book.covered,
            "received": book.received,
            "voluntary": book.voluntary,
            "shares": [[s.name, s.amount, str(s.rate)] for s in book.shares],
            "remit": book.remit,
        },
        at=now,
    )
    return dataclasses.replace(book, closed=row, closed_by=actor.full_name)


# --- the spreadsheet -------------------------------------------------------------------------

# Text a spreadsheet would run as a formula (OWASP "CSV injection"). No shared helper exists
# outside the features (the statistics keep theirs private), so the fees keep their own.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MONEY = "#,##0"


def _text(value: str) -> str:
    """A name or note as a spreadsheet cell: a leading apostrophe when it would be a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _basis_label(basis: str | None) -> str:
    if basis is None:
        return ""
    return fee_texts.BOOK_BASES.get(basis, basis)


def _row_note(line: BookLine) -> str:
    state = "" if line.state == "paid" else fee_texts.BOOK_STATES[line.state]
    return "; ".join(part for part in (state, line.note) if part)


def render_book_xlsx(book: CellBook) -> bytes:
    """The book as the collector files it: a sheet of members (a line each, then the totals),
    and a summary (the totals, the shares kept at each level, the amount to remit, the close).
    Amounts are numbers with a thousands format, so they add up in the spreadsheet too; names
    and notes are escaped against formula injection."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.properties.created = book.made_at.astimezone(book.tz).replace(tzinfo=None)
    sheet = workbook.active
    assert sheet is not None
    sheet.title = fee_texts.BOOK_XLSX_SHEET_MEMBERS
    month = format_vn_month(book.month)
    sheet.append([_text(fee_texts.BOOK_XLSX_TITLE.format(month=month, cell=book.cell_name))])
    sheet["A1"].font = Font(bold=True)
    sheet.append(list(fee_texts.BOOK_XLSX_HEADERS))
    header_row = sheet.max_row
    for item in sheet[header_row]:
        item.font = Font(bold=True)
    for index, line in enumerate(book.lines, start=1):
        sheet.append(
            [
                index,
                _text(line.code),
                _text(line.name),
                _basis_label(line.basis),
                line.base,
                line.due,
                line.covered,
                line.received,
                ", ".join(format_vn_date(p.paid_on) for p in line.payments),
                ", ".join(
                    dict.fromkeys(
                        fee_texts.BOOK_METHODS.get(p.method, p.method) for p in line.payments
                    )
                ),
                _text(_row_note(line)),
            ]
        )
    last_line = sheet.max_row
    sheet.append(
        [
            None,
            None,
            fee_texts.BOOK_XLSX_TOTAL,
            None,
            None,
            book.expected,
            book.covered,
            book.received,
        ]
    )
    for item in sheet[sheet.max_row]:
        item.font = Font(bold=True)
    for column in (5, 6, 7, 8):
        for (item,) in sheet.iter_rows(min_row=header_row + 1, min_col=column, max_col=column):
            item.number_format = _MONEY
    widths = (6, 14, 28, 22, 14, 14, 16, 16, 14, 16, 48)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{header_row + 1}"
    if book.lines:
        sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(widths))}{last_line}"

    summary = workbook.create_sheet(fee_texts.BOOK_XLSX_SHEET_SUMMARY)
    rows: list[tuple[str, Any, str | None]] = [
        (fee_texts.BOOK_XLSX_CELL, _text(book.cell_name), None),
        (fee_texts.BOOK_XLSX_MONTH, month, None),
        (fee_texts.BOOK_XLSX_MEMBERS, sum(1 for x in book.lines if x.state != "moved"), None),
        (fee_texts.BOOK_XLSX_EXPECTED, book.expected, _MONEY),
        (fee_texts.BOOK_XLSX_COVERED, book.covered, _MONEY),
        (
            fee_texts.BOOK_XLSX_RATE,
            book.covered / book.expected if book.expected else None,
            "0%",
        ),
        (fee_texts.BOOK_XLSX_RECEIVED, book.received, _MONEY),
        (fee_texts.BOOK_XLSX_VOLUNTARY, book.voluntary, _MONEY),
    ]
    for share in book.shares:
        label = fee_texts.BOOK_XLSX_KEPT.format(unit=share.name, rate=format_percent(share.rate))
        rows.append((_text(label), share.amount, _MONEY))
    rows.append((fee_texts.BOOK_XLSX_REMIT, book.remit, _MONEY))
    if book.closed is not None:
        when = format_vn_datetime(book.closed.closed_at, book.tz)
        rows.append(
            (
                fee_texts.BOOK_XLSX_CLOSED,
                _text(fee_texts.BOOK_XLSX_CLOSED_BY.format(when=when, name=book.closed_by or "")),
                None,
            )
        )
        rows.append((fee_texts.BOOK_XLSX_CLOSED_EXPECTED, book.closed.expected, _MONEY))
        rows.append((fee_texts.BOOK_XLSX_CLOSED_RECEIVED, book.closed.collected, _MONEY))
        rows.append((fee_texts.BOOK_XLSX_CLOSED_REMIT, book.closed.remit, _MONEY))
    else:
        rows.append((fee_texts.BOOK_XLSX_CLOSED, fee_texts.BOOK_XLSX_NOT_CLOSED, None))
    rows.append((fee_texts.BOOK_XLSX_MADE_AT, format_vn_datetime(book.made_at, book.tz), None))
    for label, value, number_format in rows:
        summary.append([label, value])
        if number_format is not None:
            summary.cell(row=summary.max_row, column=2).number_format = number_format
    summary.column_dimensions["A"].width = 52
    summary.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def book_file_name(book: CellBook) -> str:
    """ "so_dang_phi_2026-11.xlsx": the name the document is sent under."""
    return f"so_dang_phi_{book.month:%Y-%m}.xlsx"


# --- the committees' roll-up -------------------------------------------------------------------


def _in_zone(rules: FeeRules, tz: tzinfo) -> FeeRules:
    """The rules read in the zone the statistics use, so "this month" is the same month."""
    return rules if rules.tz == tz else dataclasses.replace(rules, tz=tz)


LEDGER_BATCH = 8_000
"""Members whose ledgers are held at once by the roll-up: a seed-sized province (7,500) is one
batch; ten times that is ten, so memory stays near 250 MB instead of growing to 1.6 GB
(bench/bench_fees.py), for a handful more queries."""


def subtree_ledgers(
    session: Session, cells_q: Any, now: datetime, rules: FeeRules
) -> Iterator[Ledger]:
    """Every ledger of the members of `cells_q` (a select of cell ids or a list), loaded in
    batches of `LEDGER_BATCH` members: one query for the ids, then `ledgers`' few per batch.
    A batch's ledgers are dropped before the next is loaded, so a whole province's roll-up
    holds one batch of payments and month lines, never all of them."""
    member_ids = [mid for mid in session.exec(cell_member_ids(cells_q)) if mid is not None]
    for start in range(0, len(member_ids), LEDGER_BATCH):
        batch = member_ids[start : start + LEDGER_BATCH]
        yield from ledgers(session, batch, now=now, rules=rules).values()


def cell_dues_figure(
    session: Session,
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> dict[int, tuple[int, int]]:
    """Per cell of `cells_q` (a select of cell ids or a list): (covered, expected) of this
    month's dues, to the đồng what the cell's book shows as `covered` and `expected` (the
    same ledgers, summed the same way). A few queries per `LEDGER_BATCH` members of the whole
    subtree, never a query per cell; cells without members are left out (nothing to
    measure). The shape of `services.offers.CellFigure.collect`."""
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for account in subtree_ledgers(session, cells_q, now, _in_zone(rules, tz)):
        figure = figures[account.cell_id]
        line = account.this_month
        if line is not None:
            figure[0] += line.paid
            figure[1] += line.due
    return {cell_id: (covered, expected) for cell_id, (covered, expected) in figures.items()}


def unclosed_last_month(
    session: Session,
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> list[int]:
    """Cells of `cells_q` with a member whose basis was in force last month and no close of
    last month, by id: what a committee chases at the start of a month. Empty while last month
    is before 01-QĐ/TW. Two queries for the whole subtree."""
    rules = _in_zone(rules, tz)
    last = add_months(current_month(now, rules), -1)
    if last < _table(rules).in_force_from:
        return []
    cells = cells_q if not isinstance(cells_q, (list, tuple, set, frozenset)) else list(cells_q)
    with_basis = set(
        session.exec(
            select(Member.cell_id)
            .join(FeeProfile, col(FeeProfile.member_id) == col(Member.id))
            .where(col(Member.cell_id).in_(cells))
            .where(col(FeeProfile.valid_from) <= last)
            .distinct()
        )
    )
    closed = set(
        session.exec(
            select(FeeMonthClose.cell_id)
            .where(FeeMonthClose.month == last)
            .where(col(FeeMonthClose.cell_id).in_(cells))
        )
    )
    return sorted(with_basis - closed)


# --- arrears ---------------------------------------------------------------------------------


def _flagged(account: Ledger, rules: FeeRules) -> list[MonthLine]:
    """The unpaid months that count for Article 8, when there are enough to flag; else []."""
    unpaid = account.unpaid_in_window(rules.window_months)
    return unpaid if len(unpaid) >= rules.flag_months else []


def arrears_count(
    session: Session,
    cells_q: Any,
    now: datetime,
    tz: tzinfo,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> dict[int, int]:
    """Members per cell with at least `rules.flag_months` months (partly) unpaid among the last
    `rules.window_months` (this month not counted: it is not late yet). A count, never who:
    the names stay with the cell's collector and secretary (`arrears_notes`). Cells with none
    are left out. The shape of `services.offers.CellFlags.count`."""
    counts: dict[int, int] = defaultdict(int)
    for account in subtree_ledgers(session, cells_q, now, _in_zone(rules, tz)):
        if _flagged(account, rules):
            counts[account.cell_id] += 1
    return dict(counts)


def arrears_note(name: str, months: Sequence[date], rules: FeeRules) -> str:
    """The private note on one member: the months as evidence and, at Article 8's threshold,
    what the Party's Statute asks of the cell."""
    text = fee_texts.ARREARS_NOTE.format(
        name=name, count=len(months), months=", ".join(format_vn_month(m) for m in months)
    )
    if len(months) >= rules.removal_months:
        return f"{text} {fee_texts.ARREARS_REMOVAL.format(months=rules.removal_months)}"
    return f"{text} {fee_texts.ARREARS_TALK}"


def arrears_notes(
    session: Session,
    actor: Actor,
    cell_id: int,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> list[str]:
    """For the cell's collector or secretary: one note per flagged member, by name, naming the
    unpaid months. Anyone else (a deputy, a member, a committee) gets nothing: who owes what
    is private to the members and those who collect."""
    if not may_collect(session, actor, cell_id):
        return []
    return cell_arrears_notes(session, cell_id, now, rules)


def cell_arrears_notes(
    session: Session, cell_id: int, now: datetime, rules: FeeRules = DEFAULT_FEE_RULES
) -> list[str]:
    """The cell's notes, by name (Vietnamese order), with no check of who reads them: for the
    scheduler's monthly note, which sends them to the collector and secretary only. Anything
    facing a person goes through `arrears_notes`."""
    names = dict(
        session.exec(select(Member.id, Member.full_name).where(Member.cell_id == cell_id)).all()
    )
    accounts = ledgers(session, list(names), now=now, rules=rules)
    flagged = [
        (names[mid], [line.month for line in months])
        for mid, account in accounts.items()
        if (months := _flagged(account, rules))
    ]
    flagged.sort(key=lambda item: vn_name_key(item[0]))
    return [arrears_note(name, months, rules) for name, months in flagged]


# --- the member's list -----------------------------------------------------------------------


def _last_day(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)


def member_todos(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> list[Todo]:
    """The dues the member still has to pay, as one item of their list (`/nhiemvu`): the
    newest month owed, how many earlier ones, the amount left once claims waiting for the
    collector are counted, due on the last day of this month; its button opens the dues view.
    Nothing when all is paid or claimed, or when no basis is set (nothing can be charged)."""
    account = ledgers(session, [actor.member_id], now=now, rules=rules).get(actor.member_id)
    if account is None:
        return []
    owed = account.owed_lines
    left = account.owed_total - account.claimed_total
    if not owed or left <= 0:
        return []
    shown = owed[-1].month
    amount = format_vnd(left)
    if len(owed) > 1:
        title = fee_texts.TODO_DUES_MORE.format(
            month=format_vn_month(shown), count=len(owed) - 1, amount=amount
        )
    else:
        title = fee_texts.TODO_DUES.format(month=format_vn_month(shown), amount=amount)
    return [Todo(title, _last_day(account.current), OPEN_DUES(actor.member_id))]
