"""The fees' part of the demo organisation (`services.offers.DEMO_DATA`): every demo member has
a basis, the base organisation an account and a region, the Văn phòng cell a named collector,
and a few months are paid, so `/dangphi`, `/dangphi_quanly` and the committees' figures show
something real in a first local chat."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from models import FeeCollector, FeePayment, FeeProfile, FeeUnitSettings, Member, Unit
from services.fees.dues import RateTable, add_months
from services.fees.ledger import current_month, ledger

# code → (basis, income, exemption); incomes are monthly, in đồng.
_BASES: dict[str, tuple[str, int | None, str | None]] = {
    "DV001": ("bhxh", 12_000_000, None),
    "DV002": ("bhxh", 9_500_000, None),
    "DV003": ("bhxh", 8_000_000, None),
    "DV004": ("khong_bhxh", None, None),
    "DV005": ("hoc_sinh", None, None),
    "DV006": ("huu_tri", 6_200_000, None),
    "DV007": ("mien", None, "tuoi_dang_50"),
    "DV008": ("tro_cap", 5_000_000, None),
    "DV009": ("bhxh", 11_000_000, None),
    "DV010": ("bhxh", 7_800_000, None),
    "DV011": ("khong_bhxh_cao_tuoi", None, None),
    "DV012": ("hoc_sinh", None, None),
    "DV013": ("bhxh", 8_600_000, None),
    "DV014": ("huu_tri", 5_400_000, None),
    "DV015": ("bhxh", 6_900_000, None),
    "DV016": ("bhxh", 14_000_000, None),
}
# Who paid the months before this one (the rest owe them): DV003 owes two, flagged.
_PAID_BEFORE = ("DV001", "DV002", "DV004", "DV006", "DV009", "DV010", "DV013", "DV016")
COLLECTOR = "DV004"


def seed(session: Session, now: datetime) -> None:
    members = {
        m.code: m for m in session.exec(select(Member).where(col(Member.code).in_(list(_BASES))))
    }
    if not members:
        return
    this = current_month(now)
    since = max(add_months(this, -2), RateTable.load().in_force_from)
    for code, (basis, income, exemption) in _BASES.items():
        member = members.get(code)
        if member is None or member.id is None:
            continue
        session.add(
            FeeProfile(
                member_id=member.id,
                valid_from=since,
                basis=basis,
                income=income,
                exemption=exemption,
                source="demo",
                created_at=now,
            )
        )
    office = members["DV001"].cell_id
    cell = session.get(Unit, office)
    assert cell is not None
    base_id = int(cell.lineage.strip("/").split("/")[-2])
    session.add(
        FeeUnitSettings(
            unit_id=base_id,
            region=2,
            bank_bin="970415",
            account_number="0011001932418",
            account_holder="DANG UY SO Y TE",
            updated_at=now,
        )
    )
    collector = members[COLLECTOR]
    assert collector.id is not None
    session.add(FeeCollector(cell_id=office, member_id=collector.id, appointed_at=now))
    session.flush()
    _pay_earlier_months(session, members, now)


def _pay_earlier_months(session: Session, members: dict[str, Member], now: datetime) -> None:
    """Cash for every month before this one, for the members of `_PAID_BEFORE`, booked in the
    month it covers (as if collected at each meeting)."""
    for code in _PAID_BEFORE:
        member = members.get(code)
        if member is None or member.id is None:
            continue
        account = ledger(session, member.id, now=now)
        for line in account.arrears:
            if line.owed <= 0:
                continue
            session.add(
                FeePayment(
                    member_id=member.id,
                    cell_id=member.cell_id,
                    amount=line.owed,
                    method="cash",
                    status="confirmed",
                    book_month=line.month,
                    paid_on=line.month.replace(day=15),
                    created_at=now,
                    decided_at=now,
                )
            )
    session.flush()
