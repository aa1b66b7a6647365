"""Setting up a cell's fees: each member's basis (with history), hardship reductions, the
collector the secretary names, the account members pay into and the minimum-wage region.

Why it is shaped this way:

- A basis applies from the month it is set in: earlier months keep the basis they were
  computed with, so a collector's book for a closed month never changes under them. One row per
  member per month (`FeeProfile.valid_from`): a second change in the same month corrects that
  month's row, a change in a later month adds a row.
- Every refusal is a `UserError` raised before anything is written, so a flow can say it
  (`flowkit.attempt`) and ask again; every change is audited, with the old values.
- A member's basis and income are private (01-QĐ/TW; docs/fees.md): only the member, the
  cell's secretary and the cell's collector read or change them (`services.fees.access`).
- Cells rarely hold a bank account of their own, so the payee is set on a cell or on a base
  organisation above it and inherited (`payee_for`); the region is inherited the same way
  (`ledger.cell_regions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlmodel import Session, col, select

from models import FeeCollector, FeeProfile, FeeReduction, FeeUnitSettings, Member, Unit
from services import audit, outbox
from services.auth import Actor
from services.errors import Forbidden, UserError
from services.fees import texts as fee_texts
from services.fees.access import collected_cells, may_collect, member_in_cell
from services.fees.banks import Bank, by_bin
from services.fees.dues import (
    MAX_REDUCTION_MONTHS,
    REDUCTION_PERCENTS,
    Basis,
    ExemptionReason,
    Reduction,
    Region,
    add_months,
    eligible_for_50_years,
    format_vnd,
    month_start,
)
from services.fees.ledger import current_month
from services.fees.rules import DEFAULT_FEE_RULES, FeeRules
from services.fees.vietqr import clean_account_number
from services.org import is_cell, lineage_ids
from services.textnorm import nfc, strip_diacritics
from services.vndate import format_vn_date, format_vn_month

COLLECTOR_SOURCE: Final = "collector"
IMPORT_SOURCE: Final = "import"

MAX_INCOME: Final = 1_000_000_000
"""A monthly salary, benefit or pension above this is a typing mistake (an extra zero), not a
member's income: 1 % of it would already be 10,000,000 đ a month."""

REASON_MAX_CHARS: Final = 300  # FeeReduction.reason's width
HOLDER_MIN_CHARS: Final = 2
HOLDER_MAX_CHARS: Final = 100  # FeeUnitSettings.account_holder's width
_HOLDER_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-&()/'")
EARLIEST_BIRTH: Final = date(1900, 1, 1)


# --------------------------------------------------------------------------------------------
# Who may


def _collected_member(session: Session, actor: Actor, member_id: int) -> Member:
    """The member, when the actor collects fees in the member's cell (its secretary or its
    named collector). A collector of another cell hears that the member is not in their cell
    (a forged or stale id); anyone else, that this is the collectors' function."""
    member = session.get(Member, member_id)
    if member is not None and may_collect(session, actor, member.cell_id):
        return member
    if collected_cells(session, actor):
        raise Forbidden(fee_texts.MEMBER_NOT_IN_CELL)
    raise Forbidden(fee_texts.FORBIDDEN_COLLECTOR)


def _unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise UserError(fee_texts.SETUP_UNIT_NOT_FOUND)
    return unit


def may_set_unit(session: Session, actor: Actor, unit: Unit) -> bool:
    """Who sets a unit's payee account and region: for a cell, whoever collects its fees (its
    secretary or named collector); for a unit above cells, a member of that unit's own committee
    (not of a committee further up: the base organisation keeps its own books) or an admin."""
    assert unit.id is not None
    if is_cell(unit):
        return may_collect(session, actor, unit.id)
    return actor.is_admin or unit.id in actor.committee_unit_ids


def _require_unit_setter(session: Session, actor: Actor, unit_id: int) -> Unit:
    unit = _unit(session, unit_id)
    if not may_set_unit(session, actor, unit):
        raise Forbidden(fee_texts.SETUP_FORBIDDEN_PAYEE)
    return unit


# --------------------------------------------------------------------------------------------
# Bases (fee profiles)


@dataclass(frozen=True)
class ProfileValues:
    """What a fee profile says, compared as a whole: a change of any of it is a new basis."""

    basis: Basis
    income: int | None
    region: Region | None
    exemption: ExemptionReason | None
    birth_date: date | None

    @staticmethod
    def of(row: FeeProfile) -> ProfileValues:
        return ProfileValues(
            basis=Basis(row.basis),
            income=row.income,
            region=Region(row.region) if row.region else None,
            exemption=ExemptionReason(row.exemption) if row.exemption else None,
            birth_date=row.birth_date,
        )

    def detail(self) -> dict[str, Any]:
        """For the audit trail (JSON)."""
        return {
            "basis": self.basis.value,
            "income": self.income,
            "region": int(self.region) if self.region is not None else None,
            "exemption": self.exemption.value if self.exemption is not None else None,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
        }


def profiles_in_force(
    session: Session, member_ids: list[int], month: date
) -> dict[int, FeeProfile]:
    """Each member's profile in force in `month` (the latest row from that month or before),
    for those who have one; a few queries whatever the number of members."""
    found: dict[int, FeeProfile] = {}
    for start in range(0, len(member_ids), 900):  # below SQLite's old bound-parameter limit
        chunk = member_ids[start : start + 900]
        for row in session.exec(
            select(FeeProfile)
            .where(col(FeeProfile.member_id).in_(chunk))
            .where(col(FeeProfile.valid_from) <= month)
            .order_by(col(FeeProfile.member_id), col(FeeProfile.valid_from))
        ):
            found[row.member_id] = row  # ordered: the last one wins
    return found


def write_profile(
    session: Session,
    member_id: int,
    month: date,
    current: FeeProfile | None,
    values: ProfileValues,
    *,
    source: str,
    by_member_id: int | None,
    now: datetime,
) -> FeeProfile:
    """Make `values` the basis from `month` on: this month's row is corrected when there is
    one, otherwise a row is added, so earlier months keep theirs. `current` is the profile in
    force in `month` (`profiles_in_force`). `created_at`/`created_by` name the last writer of
    the row, the audit trail the earlier ones."""
    row = current if current is not None and current.valid_from == month else None
    if row is None:
        row = FeeProfile(member_id=member_id, valid_from=month, basis=values.basis.value)
        session.add(row)
    row.basis = values.basis.value
    row.income = values.income
    row.region = int(values.region) if values.region is not None else None
    row.exemption = values.exemption.value if values.exemption is not None else None
    row.birth_date = values.birth_date
    row.source = source
    row.created_at = now
    row.created_by_member_id = by_member_id
    session.flush()
    return row


def _checked_income(basis: Basis, income: int | None, *, exempt: bool) -> int | None:
    """The income to store: required for the bases computed from it (unless the member is
    exempt, when nothing is computed), dropped for the others so a stale figure is never shown
    as what the fee is based on."""
    if not basis.needs_income:
        return None
    if income is None:
        if exempt:
            return None
        raise UserError(fee_texts.PROFILE_INCOME_REQUIRED)
    if isinstance(income, bool) or not isinstance(income, int) or not 0 < income <= MAX_INCOME:
        raise UserError(fee_texts.PROFILE_INCOME_INVALID.format(limit=format_vnd(MAX_INCOME)))
    return income


def first_exempt_month(joined: date) -> date:
    """The first month exempt for 50 years of membership: the month of the 50th anniversary
    when it falls on the 1st, else the next (`dues.eligible_for_50_years`). A member who joined
    on 29 February completes the year on 1 March."""
    try:
        anniversary = joined.replace(year=joined.year + 50)
    except ValueError:
        anniversary = date(joined.year + 50, 3, 1)
    first = month_start(anniversary)
    return first if anniversary == first else add_months(first, 1)


def _check_50_years(member: Member, month: date) -> None:
    """The rules never exempt anyone by themselves; the collector sets the exemption, and only
    once the joined date shows 50 years by the first day of this month."""
    if member.joined_on is None:
        raise UserError(fee_texts.PROFILE_50_YEARS_NO_JOINED.format(name=member.full_name))
    if not eligible_for_50_years(member.joined_on, month):
        raise UserError(
            fee_texts.PROFILE_50_YEARS_NOT_YET.format(
                name=member.full_name,
                joined=format_vn_date(member.joined_on),
                month=format_vn_month(first_exempt_month(member.joined_on)),
            )
        )


def set_profile(
    session: Session,
    actor: Actor,
    member_id: int,
    *,
    basis: Basis,
    income: int | None,
    region: Region | None,
    exemption: ExemptionReason | None,
    birth_date: date | None = None,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
    source: str = COLLECTOR_SOURCE,
) -> FeeProfile:
    """Set a member's fee basis from the current month on; returns the profile in force.

    Only a collector of the member's cell. `region` is the member's own override of the unit's
    (None: the unit's). `birth_date` None keeps the one already known (an import's). Setting
    what is already in force writes nothing."""
    member = _collected_member(session, actor, member_id)
    month = current_month(now, rules)
    stored_income = _checked_income(basis, income, exempt=exemption is not None)
    if (
        birth_date is not None
        and not EARLIEST_BIRTH <= birth_date < now.astimezone(rules.tz).date()
    ):
        raise UserError(fee_texts.PROFILE_BIRTH_DATE_INVALID)
    if exemption is ExemptionReason.MEMBERSHIP_50_YEARS:
        _check_50_years(member, month)
    current = profiles_in_force(session, [member_id], month).get(member_id)
    if birth_date is None and current is not None:
        birth_date = current.birth_date
    values = ProfileValues(basis, stored_income, region, exemption, birth_date)
    old = ProfileValues.of(current) if current is not None else None
    if current is not None and old == values:
        return current
    row = write_profile(
        session,
        member_id,
        month,
        current,
        values,
        source=source,
        by_member_id=actor.member_id,
        now=now,
    )
    audit.record(
        session,
        "fees.profile_set",
        "member",
        member_id,
        actor_member_id=actor.member_id,
        detail={
            "profile_id": row.id,
            "month": month.isoformat(),
            "source": source,
            "old": old.detail() if old is not None else None,
            "new": values.detail(),
        },
        at=now,
    )
    return row


def profile_history(session: Session, actor: Actor, member_id: int) -> list[FeeProfile]:
    """Every basis the member has had, oldest first (each from its `valid_from`); for the
    member themself and the collectors of their cell only."""
    member = session.get(Member, member_id)
    if member is None or (
        member_id != actor.member_id and not may_collect(session, actor, member.cell_id)
    ):
        raise Forbidden(fee_texts.SETUP_FORBIDDEN_PROFILE)
    return list(
        session.exec(
            select(FeeProfile)
            .where(FeeProfile.member_id == member_id)
            .order_by(col(FeeProfile.valid_from))
        )
    )


# --------------------------------------------------------------------------------------------
# Reductions


def _live_reductions(session: Session, member_id: int) -> list[FeeReduction]:
    return list(
        session.exec(
            select(FeeReduction)
            .where(FeeReduction.member_id == member_id)
            .where(col(FeeReduction.cancelled_at).is_(None))
            .order_by(col(FeeReduction.start), col(FeeReduction.id))
        )
    )


def _as_rule(row: FeeReduction) -> Reduction:
    return Reduction(row.percent, row.reason, row.start, row.months)


def active_reductions(
    session: Session,
    actor: Actor,
    member_id: int,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> list[FeeReduction]:
    """The member's reductions that still cover this month or a later one (what a collector
    may cancel); collectors of the member's cell only."""
    _collected_member(session, actor, member_id)
    month = current_month(now, rules)
    return [r for r in _live_reductions(session, member_id) if _as_rule(r).until > month]


def add_reduction(
    session: Session,
    actor: Actor,
    member_id: int,
    *,
    percent: int,
    reason: str,
    months: int,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeeReduction:
    """A hardship reduction from the current month for `months` months (01-QĐ/TW: 30, 50, 70
    or 100 %, with a reason, at most 12 months), after which the full amount returns by itself.
    One at a time: a member already reduced this month is refused, naming the last month
    covered, so two reductions never stack."""
    member = _collected_member(session, actor, member_id)
    if isinstance(percent, bool) or percent not in REDUCTION_PERCENTS:
        raise UserError(fee_texts.REDUCTION_BAD_PERCENT)
    text = " ".join(nfc(reason or "").split())
    if not text:
        raise UserError(fee_texts.REASON_EMPTY)
    if len(text) > REASON_MAX_CHARS:
        raise UserError(fee_texts.REASON_TOO_LONG.format(limit=REASON_MAX_CHARS))
    if isinstance(months, bool) or not isinstance(months, int):
        raise UserError(fee_texts.REDUCTION_BAD_MONTHS.format(limit=MAX_REDUCTION_MONTHS))
    if not 1 <= months <= MAX_REDUCTION_MONTHS:
        raise UserError(fee_texts.REDUCTION_BAD_MONTHS.format(limit=MAX_REDUCTION_MONTHS))
    start = current_month(now, rules)
    wanted = Reduction(percent, text, start, months)
    for other in _live_reductions(session, member_id):
        existing = _as_rule(other)
        if existing.start < wanted.until and wanted.start < existing.until:
            raise UserError(
                fee_texts.REDUCTION_OVERLAP.format(
                    name=member.full_name, month=format_vn_month(existing.last_month)
                )
            )
    row = FeeReduction(
        member_id=member_id,
        percent=percent,
        reason=text,
        start=start,
        months=months,
        created_at=now,
        created_by_member_id=actor.member_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "fees.reduction_added",
        "fee_reduction",
        row.id,
        actor_member_id=actor.member_id,
        # The reason stays on the row (never deleted); hardship is not repeated into the log.
        detail={
            "member_id": member_id,
            "percent": percent,
            "start": start.isoformat(),
            "months": months,
        },
        at=now,
    )
    return row


def cancel_reduction(
    session: Session,
    actor: Actor,
    reduction_id: int,
    *,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> FeeReduction:
    """End a reduction from the current month on: the full amount is owed again this month.

    Months already past keep their reduction: the ledger ignores a cancelled row for every
    month, so a reduction that has already covered months is shortened to end last month
    (`months`, the old value in the audit trail) rather than marked cancelled; one that starts
    this month, having covered nothing yet, is marked cancelled."""
    row = session.get(FeeReduction, reduction_id)
    if row is None:
        raise UserError(fee_texts.REDUCTION_NOT_FOUND)
    _collected_member(session, actor, row.member_id)
    if row.cancelled_at is not None:
        raise UserError(fee_texts.REDUCTION_ALREADY_CANCELLED)
    month = current_month(now, rules)
    rule = _as_rule(row)
    if rule.until <= month:
        raise UserError(fee_texts.REDUCTION_ENDED.format(month=format_vn_month(rule.until)))
    old_months = row.months
    if rule.start >= month:
        row.cancelled_at = now
    else:
        row.months = (month.year - rule.start.year) * 12 + month.month - rule.start.month
    session.flush()
    audit.record(
        session,
        "fees.reduction_cancelled",
        "fee_reduction",
        row.id,
        actor_member_id=actor.member_id,
        detail={
            "member_id": row.member_id,
            "from": month.isoformat(),
            "months": {"old": old_months, "new": row.months},
            "cancelled": row.cancelled_at is not None,
        },
        at=now,
    )
    return row


# --------------------------------------------------------------------------------------------
# The collector


def appoint_collector(
    session: Session, actor: Actor, cell_id: int, member_id: int | None, *, now: datetime
) -> FeeCollector | None:
    """The secretary names a member of the cell collector (thủ quỹ); None removes the
    appointment (the secretary collects anyway). Only the cell's secretary: a deputy or the
    collector cannot name another collector."""
    if cell_id not in actor.secretary_cell_ids:
        raise Forbidden(fee_texts.SETUP_FORBIDDEN_APPOINT)
    row = session.get(FeeCollector, cell_id)
    old = row.member_id if row is not None else None
    if member_id is not None:
        member_in_cell(session, member_id, cell_id)
    if old == member_id:
        return row
    if member_id is None:
        assert row is not None
        session.delete(row)
        session.flush()
        result: FeeCollector | None = None
    else:
        if row is None:
            row = FeeCollector(cell_id=cell_id, member_id=member_id)
            session.add(row)
        row.member_id = member_id
        row.appointed_at = now
        row.appointed_by_member_id = actor.member_id
        session.flush()
        result = row
    _tell_collectors(session, cell_id, old, member_id, now)
    audit.record(
        session,
        "fees.collector_appointed" if member_id is not None else "fees.collector_removed",
        "unit",
        cell_id,
        actor_member_id=actor.member_id,
        detail={"old": old, "new": member_id},
        at=now,
    )
    return result


def _tell_collectors(
    session: Session, cell_id: int, old: int | None, new: int | None, now: datetime
) -> None:
    """The member named collector learns it (and how to start); the one replaced, that it ended."""
    cell = session.get(Unit, cell_id)
    name = cell.name if cell is not None else ""
    stamp = now.isoformat()
    if new is not None:
        outbox.enqueue(
            session,
            kind="fee_collector",
            ref_id=cell_id,
            member_ids=[new],
            payload=outbox.message(fee_texts.COLLECTOR_NAMED.format(cell=name)),
            dedupe_key=f"fee_collector:{cell_id}:{new}:on:{stamp}",
            now=now,
        )
    if old is not None:
        outbox.enqueue(
            session,
            kind="fee_collector",
            ref_id=cell_id,
            member_ids=[old],
            payload=outbox.message(fee_texts.COLLECTOR_ENDED.format(cell=name)),
            dedupe_key=f"fee_collector:{cell_id}:{old}:off:{stamp}",
            now=now,
        )


# --------------------------------------------------------------------------------------------
# The payee account and the region


@dataclass(frozen=True)
class Payee:
    """The account members of a cell pay into, and the unit that set it (the cell itself or
    the nearest unit above it that has one). `personal`: the account is a person's own (the
    collector's), which members are shown before they pay."""

    bank: Bank
    account: str
    holder: str
    personal: bool
    unit_id: int
    unit_name: str


def _lineage_ids(unit: Unit) -> list[int]:
    """The ids from the root down to the unit itself (`Unit.lineage`, "/1/5/9/")."""
    assert unit.id is not None
    chain = lineage_ids(unit)
    return chain if chain and chain[-1] == unit.id else [*chain, unit.id]


def payee_for(session: Session, cell_id: int) -> Payee | None:
    """The cell's own account, else the nearest ancestor's; None when none is set.

    The nearest account set decides, even when its bank is no longer in the shipped list:
    then None (the collector sets it again) rather than an account further up, which the
    collector did not choose for this cell."""
    unit = session.get(Unit, cell_id)
    if unit is None:
        return None
    chain = _lineage_ids(unit)
    settings = {
        row.unit_id: row
        for row in session.exec(
            select(FeeUnitSettings)
            .where(col(FeeUnitSettings.unit_id).in_(chain))
            .where(col(FeeUnitSettings.account_number).is_not(None))
        )
    }
    for unit_id in reversed(chain):
        row = settings.get(unit_id)
        if row is None:
            continue
        bank = by_bin(row.bank_bin or "")
        if bank is None or not row.account_number or not row.account_holder:
            return None
        owner = unit if unit_id == cell_id else session.get(Unit, unit_id)
        return Payee(
            bank=bank,
            account=row.account_number,
            holder=row.account_holder,
            personal=row.payee_member_id is not None,
            unit_id=unit_id,
            unit_name=owner.name if owner is not None else "",
        )
    return None


def clean_holder(holder: str) -> str:
    """The holder's name as banks print it: upper-case ASCII without diacritics, single
    spaces ("Nguyễn Văn  An" → "NGUYEN VAN AN"), so members compare it with what their banking
    app shows when it looks the account up."""
    return " ".join(strip_diacritics(nfc(holder or "")).upper().split())


def check_account(bin_text: str, account_text: str, holder: str) -> tuple[Bank, str, str]:
    """The bank (by its NAPAS BIN), the account number (digits only) and the holder (as banks
    print it), or a refusal saying which is wrong: checked before anything is stored, since
    every member's transfer goes there."""
    bank = by_bin(bin_text or "")
    if bank is None:
        raise UserError(fee_texts.PAYEE_BANK_UNKNOWN)
    account = clean_account_number(account_text or "")
    if account is None:
        raise UserError(fee_texts.PAYEE_ACCOUNT_INVALID)
    name = clean_holder(holder)
    if not HOLDER_MIN_CHARS <= len(name) <= HOLDER_MAX_CHARS:
        raise UserError(fee_texts.PAYEE_HOLDER_LENGTH)
    if not set(name) <= _HOLDER_CHARS or not any(c.isalpha() for c in name):
        raise UserError(fee_texts.PAYEE_HOLDER_INVALID)
    return bank, account, name


def mask_account(account: str | None) -> str | None:
    """All but the last 4 digits hidden: enough to tell accounts apart in the audit trail
    without copying the number there."""
    if account is None:
        return None
    return "*" * max(0, len(account) - 4) + account[-4:]


def _payee_detail(row: FeeUnitSettings | None) -> dict[str, Any] | None:
    if row is None or row.account_number is None:
        return None
    return {
        "bin": row.bank_bin,
        "account": mask_account(row.account_number),
        "holder": row.account_holder,
        "payee_member_id": row.payee_member_id,
    }


def _settings(session: Session, unit_id: int) -> FeeUnitSettings:
    row = session.get(FeeUnitSettings, unit_id)
    if row is None:
        row = FeeUnitSettings(unit_id=unit_id)
        session.add(row)
    return row


def set_payee(
    session: Session,
    actor: Actor,
    unit_id: int,
    *,
    bin: str,
    account: str,
    holder: str,
    personal: bool,
    now: datetime,
) -> FeeUnitSettings:
    """Set the account members of the unit (and of the cells below it that set none) pay
    into. `personal`: the actor's own account (payee_member_id = the actor). Audited with the
    old and new values, account numbers masked."""
    _require_unit_setter(session, actor, unit_id)
    bank, number, name = check_account(bin, account, holder)
    payee_member_id = actor.member_id if personal else None
    row = session.get(FeeUnitSettings, unit_id)
    old = _payee_detail(row)
    if row is not None and (
        row.bank_bin,
        row.account_number,
        row.account_holder,
        row.payee_member_id,
    ) == (bank.bin, number, name, payee_member_id):
        return row
    row = _settings(session, unit_id)
    row.bank_bin = bank.bin
    row.account_number = number
    row.account_holder = name
    row.payee_member_id = payee_member_id
    row.updated_at = now
    row.updated_by_member_id = actor.member_id
    session.flush()
    audit.record(
        session,
        "fees.payee_set",
        "unit",
        unit_id,
        actor_member_id=actor.member_id,
        detail={"old": old, "new": _payee_detail(row)},
        at=now,
    )
    return row


def clear_payee(session: Session, actor: Actor, unit_id: int, *, now: datetime) -> bool:
    """Remove the unit's own account (its cells then use the nearest one above, if any);
    whether there was one to remove. The region, if set, stays."""
    _require_unit_setter(session, actor, unit_id)
    row = session.get(FeeUnitSettings, unit_id)
    old = _payee_detail(row)
    if row is None or old is None:
        return False
    row.bank_bin = None
    row.account_number = None
    row.account_holder = None
    row.payee_member_id = None
    row.updated_at = now
    row.updated_by_member_id = actor.member_id
    session.flush()
    audit.record(
        session,
        "fees.payee_cleared",
        "unit",
        unit_id,
        actor_member_id=actor.member_id,
        detail={"old": old},
        at=now,
    )
    return True


def set_region(
    session: Session, actor: Actor, unit_id: int, region: Region | None, *, now: datetime
) -> FeeUnitSettings | None:
    """Set (or, with None, remove) the unit's minimum-wage region; the cells below it that
    set none inherit it (`ledger.cell_regions`). Same permission as the payee. Returns the
    unit's settings (None: the unit has none, and None was asked)."""
    _require_unit_setter(session, actor, unit_id)
    new = int(region) if region is not None else None
    row = session.get(FeeUnitSettings, unit_id)
    old = row.region if row is not None else None
    if old == new:
        return row
    row = _settings(session, unit_id)
    row.region = new
    row.updated_at = now
    row.updated_by_member_id = actor.member_id
    session.flush()
    audit.record(
        session,
        "fees.region_set",
        "unit",
        unit_id,
        actor_member_id=actor.member_id,
        detail={"old": old, "new": new},
        at=now,
    )
    return row
