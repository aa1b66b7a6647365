"""The monthly private note on unpaid fees: once per cell and month, only to the collector and
the secretary, nothing when nobody is flagged, stale after a week; and the same notes beside
the absence flags in /hop_quanly (LEADER_NOTES, through the wiring list)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlmodel import select

from models import Database, Delivery, FeeCollector, FeeProfile
from scheduler.fees import FeeArrearsJob
from scheduler.jobs import tick
from scheduler.rules import SchedulerRules
from services.fees.dues import add_months
from services.fees.ledger import current_month
from services.identities import find_member, local_identity
from services.vndate import DEFAULT_TZ
from tests.support import FakeClock


def first_of_next_month_at(clock: FakeClock, hour: int) -> datetime:
    month = add_months(current_month(clock()), 1)
    return datetime.combine(month, time(hour, 0), DEFAULT_TZ).astimezone(UTC)


def arrears_rows(db: Database) -> list[Delivery]:
    with db.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == "fee_arrears")))


def test_unpaid_months_are_told_once_a_month_to_the_collector_and_secretary_only(
    demo: Database, clock: FakeClock
) -> None:
    this = current_month(clock())
    with demo.session() as session:
        codes = ("DV001", "DV002", "DV003", "DV004")
        members = {code: find_member(session, code) for code in codes}
        for member in members.values():
            assert member is not None
            local_identity(session, member, now=clock())
        cuong, dung = members["DV003"], members["DV004"]
        assert cuong is not None and dung is not None and cuong.id and dung.id
        # Lê Văn Cường owes since three months ago; Phạm Thị Dung is the named collector.
        since = add_months(this, -2)
        session.add(
            FeeProfile(member_id=cuong.id, valid_from=since, basis="bhxh", income=8_000_000)
        )
        session.add(FeeCollector(cell_id=cuong.cell_id, member_id=dung.id))

    rules = SchedulerRules()
    jobs = [FeeArrearsJob()]
    early = first_of_next_month_at(clock, 7)
    assert tick(demo, early, rules, jobs=jobs)["fee_arrears"].sent == 0  # before 08:00
    at = first_of_next_month_at(clock, 9)
    report = tick(demo, at, rules, jobs=jobs)
    assert report["fee_arrears"].sent == 1
    assert tick(demo, at + timedelta(hours=1), rules, jobs=jobs)["fee_arrears"].sent == 0
    rows = arrears_rows(demo)
    with demo.session() as session:
        to = {session.get(type(cuong), r.member_id).code for r in rows if r.member_id}  # type: ignore[union-attr]
    assert to == {"DV001", "DV004"}  # the secretary and the collector; not the deputy
    text = rows[0].payload["text"]
    assert "Lê Văn Cường" in text and "3 tháng" in text and "Điều 8" in text


def test_nothing_is_sent_when_everybody_paid_and_a_missed_month_goes_stale(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        cuong = find_member(session, "DV003")
        assert cuong is not None and cuong.id
        local_identity(session, cuong, now=clock())
        session.add(
            FeeProfile(
                member_id=cuong.id, valid_from=current_month(clock()), basis="mien", income=None
            )
        )
    rules = SchedulerRules()
    report = tick(demo, first_of_next_month_at(clock, 9), rules, jobs=[FeeArrearsJob()])
    assert report["fee_arrears"].sent == 0 and not arrears_rows(demo)
    late = first_of_next_month_at(clock, 9) + timedelta(days=8)
    assert tick(demo, late, rules, jobs=[FeeArrearsJob()])["fee_arrears"].sent == 0
