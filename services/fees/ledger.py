"""What each member owes, month by month, computed from the facts (bases, reductions, payments).

Nothing here writes. Dues of a month follow from the basis in force that month; confirmed
payments clear the oldest month first, then pay ahead (at most `FeeRules.advance_months`); what
a member pays on top, on purpose or beyond that, is voluntary (`extra`). A month is paid once:
the allocation is a function of the payments, so it cannot be paid twice. Loaded in bulk (a
few queries for a whole subtree), so the committees' figures and a cell's book cost the same
few queries whatever the number of members.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models import FeePayment, FeeProfile, FeeReduction, FeeUnitSettings, Member, Unit
from services.fees.dues import (
    Basis,
    Dues,
    ExemptionReason,
    MissingBasis,
    NotInForce,
    RateTable,
    Reduction,
    Region,
    add_months,
    dues_for,
    month_start,
)
from services.fees.dues import FeeProfile as DuesProfile
from services.fees.rules import DEFAULT_FEE_RULES, FeeRules

CONFIRMED = "confirmed"
CLAIMED = "claimed"
REJECTED = "rejected"


def current_month(now: datetime, rules: FeeRules = DEFAULT_FEE_RULES) -> date:
    """The month `now` falls in, in the configured zone (a payment at 23:30 on the last day
    belongs to that month, not the next one in UTC)."""
    return month_start(now.astimezone(rules.tz).date())


@dataclass(frozen=True)
class MonthLine:
    """One month of a member's dues: what was due, what the payments cover. `dues` is None
    when the basis lacks what it needs (`missing`: "income" or "region")."""

    month: date
    due: int
    paid: int
    dues: Dues | None
    missing: str | None = None

    @property
    def owed(self) -> int:
        return max(0, self.due - self.paid)

    @property
    def settled(self) -> bool:
        return self.dues is not None and self.paid >= self.due


@dataclass(frozen=True)
class Ledger:
    """A member's account as of `current` (a month): the months billed since their first basis
    (and the months paid ahead), the voluntary part, and claims waiting for the collector."""

    member_id: int
    cell_id: int
    current: date
    lines: tuple[MonthLine, ...]
    extra: int
    claims: tuple[FeePayment, ...]
    profile: FeeProfile | None  # the basis in force this month (None: none set yet)

    @property
    def has_basis(self) -> bool:
        return self.profile is not None

    def line(self, month: date) -> MonthLine | None:
        return next((line for line in self.lines if line.month == month), None)

    @property
    def owed_lines(self) -> list[MonthLine]:
        """Months up to this one with something left to pay, oldest first."""
        return [line for line in self.lines if line.month <= self.current and line.owed > 0]

    @property
    def owed_total(self) -> int:
        return sum(line.owed for line in self.owed_lines)

    @property
    def arrears(self) -> list[MonthLine]:
        """Months before this one left unpaid (in part or whole)."""
        return [line for line in self.owed_lines if line.month < self.current]

    @property
    def ahead(self) -> list[MonthLine]:
        """Months after this one already paid for (in part or whole)."""
        return [line for line in self.lines if line.month > self.current and line.paid > 0]

    @property
    def claimed_total(self) -> int:
        return sum(claim.amount for claim in self.claims)

    @property
    def this_month(self) -> MonthLine | None:
        return self.line(self.current)

    @property
    def missing(self) -> str | None:
        """What the basis lacks this month ("income", "region"), for "ask the secretary"."""
        line = self.this_month
        return line.missing if line is not None else None

    def unpaid_in_window(self, months: int) -> list[MonthLine]:
        """Months of the last `months` (this one excluded) with nothing or too little paid."""
        first = add_months(self.current, -months)
        return [line for line in self.arrears if line.month >= first]


def monthly_due(ledger: Ledger) -> int:
    """This month's dues (0 when exempt or unknown): the yardstick for "paying a lot"."""
    line = ledger.this_month
    return line.due if line is not None else 0


# --- loading ---------------------------------------------------------------------------------


@dataclass
class _Facts:
    profiles: dict[int, list[FeeProfile]]
    reductions: dict[int, list[FeeReduction]]
    paid: dict[int, tuple[int, int]]  # member → confirmed (amount, voluntary part), summed
    claims: dict[int, list[FeePayment]]  # member → claims waiting for the collector
    members: dict[int, tuple[int, date | None]]  # member → (cell, joined_on)
    cell_regions: dict[int, Region | None]


def _member_query(member_ids: Any) -> Any:
    """`member_ids` as the right side of IN: a list, or a select of ids (a cell's members)."""
    return list(member_ids) if isinstance(member_ids, (list, tuple, set, frozenset)) else member_ids


def _load(session: Session, member_ids: Any) -> _Facts:
    wanted = _member_query(member_ids)
    members = {
        mid: (cell, joined)
        for mid, cell, joined in session.exec(
            select(col(Member.id), Member.cell_id, col(Member.joined_on)).where(
                col(Member.id).in_(wanted)
            )
        )
        if mid is not None
    }
    profiles: dict[int, list[FeeProfile]] = defaultdict(list)
    for profile in session.exec(
        select(FeeProfile)
        .where(col(FeeProfile.member_id).in_(wanted))
        .order_by(col(FeeProfile.member_id), col(FeeProfile.valid_from))
    ):
        profiles[profile.member_id].append(profile)
    reductions: dict[int, list[FeeReduction]] = defaultdict(list)
    for reduction in session.exec(
        select(FeeReduction)
        .where(col(FeeReduction.member_id).in_(wanted))
        .where(col(FeeReduction.cancelled_at).is_(None))
        .order_by(col(FeeReduction.id))
    ):
        reductions[reduction.member_id].append(reduction)
    # Confirmed money is summed in the database: only its total matters to the allocation,
    # and a year of payments for a province is far too many rows to load as objects.
    amount = col(FeePayment.amount)
    voluntary = sa.case((col(FeePayment.extra) > amount, amount), else_=col(FeePayment.extra))
    paid = {
        member_id: (int(total or 0), int(extra or 0))
        for member_id, total, extra in session.exec(
            select(FeePayment.member_id, sa.func.sum(amount), sa.func.sum(voluntary))
            .where(col(FeePayment.member_id).in_(wanted))
            .where(FeePayment.status == CONFIRMED)
            .group_by(col(FeePayment.member_id))
        )
    }
    claims: dict[int, list[FeePayment]] = defaultdict(list)
    for payment in session.exec(
        select(FeePayment)
        .where(col(FeePayment.member_id).in_(wanted))
        .where(FeePayment.status == CLAIMED)
        .order_by(col(FeePayment.id))
    ):
        claims[payment.member_id].append(payment)
    cells = {cell for cell, _ in members.values()}
    return _Facts(profiles, reductions, paid, claims, members, cell_regions(session, cells))


def cell_regions(session: Session, cell_ids: Iterable[int]) -> dict[int, Region | None]:
    """Each cell's region: its own setting, or the nearest ancestor's (a base organisation
    usually sets it once for all its cells)."""
    wanted = list(set(cell_ids))
    if not wanted:
        return {}
    lineages = dict(
        session.exec(select(Unit.id, Unit.lineage).where(col(Unit.id).in_(wanted))).all()
    )
    ancestors = {
        int(x) for lineage in lineages.values() for x in lineage.strip("/").split("/") if x
    }
    regions = dict(
        session.exec(
            select(FeeUnitSettings.unit_id, FeeUnitSettings.region)
            .where(col(FeeUnitSettings.unit_id).in_(list(ancestors)))
            .where(col(FeeUnitSettings.region).is_not(None))
        ).all()
    )
    found: dict[int, Region | None] = {}
    for cell_id, lineage in lineages.items():
        chain = [int(x) for x in lineage.strip("/").split("/") if x]
        region = next((regions[u] for u in reversed(chain) if regions.get(u)), None)
        assert cell_id is not None
        found[cell_id] = Region(region) if region else None
    return found


def _profile_at(profiles: Sequence[FeeProfile], month: date) -> FeeProfile | None:
    chosen = None
    for profile in profiles:
        if profile.valid_from <= month:
            chosen = profile
    return chosen


_Computed = tuple[int, Dues | None, str | None]  # due, how (None: basis incomplete), missing


class _MonthDues:
    """One member's dues month by month. Months computed alike (the same basis row, the same
    reduction, the same period of the rate table) share one computation and one `Dues` (whose
    `month` is the first of them): a year of months costs a handful of computations."""

    def __init__(
        self,
        region: Region | None,
        reductions: Sequence[FeeReduction],
        rules: FeeRules,
        table: RateTable,
    ) -> None:
        self.region = region
        self.reductions = [Reduction(r.percent, r.reason, r.start, r.months) for r in reductions]
        self.rules = rules
        self.table = table
        self.changes = table.change_dates
        self.done: dict[tuple[int, int, int], _Computed] = {}

    def of(self, profile: FeeProfile, month: date) -> _Computed:
        covering = -1
        for index in range(len(self.reductions) - 1, -1, -1):  # the latest reduction wins
            if self.reductions[index].covers(month):
                covering = index
                break
        key = (id(profile), covering, bisect_right(self.changes, month))
        found = self.done.get(key)
        if found is None:
            found = self.done[key] = self._compute(profile, covering, month)
        return found

    def _compute(self, profile: FeeProfile, covering: int, month: date) -> _Computed:
        basis = DuesProfile(
            basis=Basis(profile.basis),
            income=profile.income,
            region=Region(profile.region) if profile.region else self.region,
            exemption=ExemptionReason(profile.exemption) if profile.exemption else None,
            reduction=self.reductions[covering] if covering >= 0 else None,
        )
        try:
            dues = dues_for(basis, month, rounding=self.rules.rounding, table=self.table)
        except MissingBasis as missing:
            return 0, None, missing.missing
        return dues.amount, dues, None


def _ledger(member_id: int, facts: _Facts, current: date, rules: FeeRules) -> Ledger:
    table = rules.table or RateTable.load()
    cell_id, _joined = facts.members[member_id]
    profiles = facts.profiles.get(member_id, [])
    months = _MonthDues(
        facts.cell_regions.get(cell_id), facts.reductions.get(member_id, []), rules, table
    )
    total, extra = facts.paid.get(member_id, (0, 0))
    pool = total - extra
    lines: list[MonthLine] = []
    if profiles:
        month = max(profiles[0].valid_from, table.in_force_from)
        index = 0
        while month <= current:
            while index + 1 < len(profiles) and profiles[index + 1].valid_from <= month:
                index += 1
            due, dues, missing = months.of(profiles[index], month)
            take = min(pool, due)
            pool -= take
            lines.append(MonthLine(month, due, take, dues, missing))
            month = add_months(month, 1)
    latest = _profile_at(profiles, current)
    if pool > 0 and latest is not None:
        for ahead in range(1, rules.advance_months + 1):
            month = add_months(current, ahead)
            try:
                table.check_in_force(month)
            except NotInForce:
                break
            due, dues, _missing = months.of(latest, month)
            if dues is None or due <= 0:
                continue
            take = min(pool, due)
            pool -= take
            lines.append(MonthLine(month, due, take, dues))
            if pool <= 0:
                break
    return Ledger(
        member_id=member_id,
        cell_id=cell_id,
        current=current,
        lines=tuple(lines),
        extra=extra + max(0, pool),
        claims=tuple(facts.claims.get(member_id, ())),
        profile=latest,
    )


def ledgers(
    session: Session, member_ids: Any, *, now: datetime, rules: FeeRules = DEFAULT_FEE_RULES
) -> dict[int, Ledger]:
    """The ledgers of `member_ids` (a list, or a select of ids), by member id."""
    facts = _load(session, member_ids)
    current = current_month(now, rules)
    return {mid: _ledger(mid, facts, current, rules) for mid in facts.members}


def ledger(
    session: Session, member_id: int, *, now: datetime, rules: FeeRules = DEFAULT_FEE_RULES
) -> Ledger:
    """One member's ledger (the member must exist)."""
    return ledgers(session, [member_id], now=now, rules=rules)[member_id]


def cell_member_ids(cell_ids: Any) -> Any:
    """A select of the ids of the members of `cell_ids` (a list or a select)."""
    return select(Member.id).where(col(Member.cell_id).in_(_member_query(cell_ids)))


def with_payment(
    session: Session,
    member_id: int,
    amount: int,
    *,
    extra: int = 0,
    now: datetime,
    rules: FeeRules = DEFAULT_FEE_RULES,
) -> tuple[Ledger, Ledger]:
    """The member's ledger now, and as it would be with one more confirmed payment: what the
    payment would cover is the difference (nothing is written)."""
    facts = _load(session, [member_id])
    current = current_month(now, rules)
    before = _ledger(member_id, facts, current, rules)
    total, voluntary = facts.paid.get(member_id, (0, 0))
    facts.paid[member_id] = (total + amount, voluntary + max(0, min(extra, amount)))
    return before, _ledger(member_id, facts, current, rules)


def covered(before: Ledger, after: Ledger) -> list[tuple[date, int]]:
    """Month → amount a payment covers, from the ledgers before and after it."""
    paid_before = {line.month: line.paid for line in before.lines}
    return [
        (line.month, line.paid - paid_before.get(line.month, 0))
        for line in after.lines
        if line.paid > paid_before.get(line.month, 0)
    ]


def recent_payments(session: Session, member_id: int, limit: int = 5) -> list[FeePayment]:
    """The member's latest payments and claims (rejected ones too: they should know)."""
    return list(
        session.exec(
            select(FeePayment)
            .where(FeePayment.member_id == member_id)
            .order_by(col(FeePayment.paid_on).desc(), col(FeePayment.id).desc())
            .limit(limit)
        )
    )
