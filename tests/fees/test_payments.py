"""Money in, at the core: oldest month first, ahead, voluntary, never twice; claims decided only
by the cell's collector; every refusal writes nothing. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from models import AuditLog, Database, Delivery, FeeCollector, FeePayment, FeeProfile, Member
from services.auth import Actor, load_actor
from services.errors import Forbidden, UserError
from services.fees import payments
from services.fees import texts as fee_texts
from services.fees.dues import add_months
from services.fees.ledger import current_month, ledger
from services.fees.payments import NeedsConfirmation
from services.identities import find_member
from tests.support import FakeClock


def member(session: Session, code: str) -> Member:
    found = find_member(session, code)
    assert found is not None
    return found


def actor(session: Session, code: str) -> Actor:
    return load_actor(session, member(session, code))


def give_basis(session: Session, code: str, since: date, income: int = 8_000_000) -> int:
    """An insured salary: 1 % a month (80,000 đ for 8,000,000 đ)."""
    who = member(session, code)
    assert who.id is not None
    session.add(FeeProfile(member_id=who.id, valid_from=since, basis="bhxh", income=income))
    session.flush()
    return who.id


@pytest.fixture
def owing(demo: Database, clock: FakeClock) -> int:
    """DV003 owes three months: two months ago, last month and this month, 80,000 đ each."""
    from services.identities import local_identity

    with demo.session() as session:
        for code in ("DV001", "DV003"):  # linked, so the outbox has someone to write to
            local_identity(session, member(session, code), now=clock())
        return give_basis(session, "DV003", add_months(current_month(clock()), -2))


def counts(db: Database) -> tuple[int, int, int]:
    with db.session() as session:
        return (
            len(session.exec(select(FeePayment)).all()),
            len(session.exec(select(AuditLog).where(AuditLog.action.startswith("fees."))).all()),  # type: ignore[attr-defined]
            len(session.exec(select(Delivery).where(Delivery.kind.startswith("fee_"))).all()),  # type: ignore[attr-defined]
        )


def test_cash_clears_the_oldest_month_first_then_ahead_and_never_twice(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    this = current_month(now)
    with demo.session() as session:
        before = ledger(session, owing, now=now)
        assert [line.owed for line in before.owed_lines] == [80_000] * 3
        assert before.owed_total == 240_000 and len(before.arrears) == 2

        paid = payments.record_cash(session, actor(session, "DV001"), owing, 100_000, now=now)
        assert paid.status == "confirmed" and paid.book_month == this
        after = ledger(session, owing, now=now)
        assert [(line.paid, line.owed) for line in after.lines] == [
            (80_000, 0),
            (20_000, 60_000),
            (0, 80_000),
        ]
        # What is owed exactly, then nothing more unless paying ahead is asked for.
        payments.record_cash(session, actor(session, "DV001"), owing, 140_000, now=now)
        assert ledger(session, owing, now=now).owed_total == 0
        with pytest.raises(UserError) as refused:
            payments.record_cash(session, actor(session, "DV001"), owing, 80_000, now=now)
        assert refused.value.message == fee_texts.ALREADY_PAID.format(name="Lê Văn Cường")

        ahead = payments.record_cash(
            session, actor(session, "DV001"), owing, 160_000, now=now, ahead=True
        )
        settled = ledger(session, owing, now=now)
        assert [line.month for line in settled.ahead] == [add_months(this, 1), add_months(this, 2)]
        assert ahead.extra == 0 and settled.extra == 0


def test_paying_many_months_of_arrears_exactly_is_not_asked_again(
    demo: Database, clock: FakeClock
) -> None:
    now = clock()
    with demo.session() as session:
        owing = give_basis(session, "DV003", add_months(current_month(now), -4))
        paid = payments.record_cash(session, actor(session, "DV001"), owing, 400_000, now=now)
        assert paid.amount == 400_000 and ledger(session, owing, now=now).owed_total == 0


def test_voluntary_extra_and_a_large_amount_asks_first(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    with demo.session() as session:
        secretary = actor(session, "DV001")
        with pytest.raises(NeedsConfirmation) as asked:  # 10 × the monthly dues
            payments.record_cash(session, secretary, owing, 800_000, now=now, voluntary=True)
        assert asked.value.plan.extra == 560_000
        assert session.exec(select(FeePayment)).first() is None
        paid = payments.record_cash(
            session, secretary, owing, 800_000, now=now, voluntary=True, confirm_large=True
        )
        assert paid.extra == 560_000
        state = ledger(session, owing, now=now)
        assert state.owed_total == 0 and state.extra == 560_000 and not state.ahead
    receipts = delivered_texts(demo, "fee_receipt")
    assert any("560.000 đ là phần đồng chí đóng thêm tự nguyện" in t for t in receipts)


def delivered_texts(db: Database, kind: str) -> list[str]:
    with db.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == kind)).all()
        return [str(row.payload["text"]) for row in rows]


@pytest.mark.parametrize("amount", [0, -5_000, 100_000_001])
def test_impossible_amounts_are_refused_and_nothing_written(
    demo: Database, clock: FakeClock, owing: int, amount: int
) -> None:
    before = counts(demo)
    with pytest.raises(UserError), demo.session() as session:
        payments.record_cash(session, actor(session, "DV001"), owing, amount, now=clock())
    assert counts(demo) == before


def test_only_the_cells_secretary_or_named_collector_records_or_decides(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    for code in ("DV002", "DV004", "DV009", "DV016"):  # deputy, member, other cell, committee
        with pytest.raises(Forbidden), demo.session() as session:
            payments.record_cash(session, actor(session, code), owing, 80_000, now=now)
    assert counts(demo) == (0, 0, 0)
    with demo.session() as session:
        office = member(session, "DV004").cell_id
        session.add(FeeCollector(cell_id=office, member_id=member(session, "DV004").id or 0))
    with demo.session() as session:
        payments.record_cash(session, actor(session, "DV004"), owing, 80_000, now=now)
    assert counts(demo)[0] == 1


def test_a_claim_waits_for_the_collector_and_counts_once_confirmed(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    with demo.session() as session:
        claimed = payments.claim(
            session, actor(session, "DV003"), 240_000, method="transfer", now=now, key="k1"
        )
        again = payments.claim(
            session, actor(session, "DV003"), 240_000, method="transfer", now=now, key="k1"
        )
        assert again.id == claimed.id  # a double press records nothing new
        state = ledger(session, owing, now=now)
        assert state.owed_total == 240_000 and state.claimed_total == 240_000
    to_collector = delivered_texts(demo, "fee_claim")
    assert (
        len(to_collector) == 1
        and "Lê Văn Cường (DV003) báo đã chuyển khoản 240.000 đ" in (to_collector[0])
    )
    assert claimed.id is not None
    for code in ("DV003", "DV002", "DV009"):  # the member, the deputy, another cell's secretary
        with pytest.raises(Forbidden), demo.session() as session:
            payments.confirm_claim(session, actor(session, code), claimed.id, now=now)
    clock.advance(hours=2)
    with demo.session() as session:
        done = payments.confirm_claim(session, actor(session, "DV001"), claimed.id, now=clock())
        assert done.status == "confirmed" and ledger(session, owing, now=clock()).owed_total == 0
    with pytest.raises(UserError) as twice, demo.session() as session:
        payments.confirm_claim(session, actor(session, "DV001"), claimed.id, now=clock())
    assert twice.value.message == fee_texts.CLAIM_DECIDED
    assert any("đã được xác nhận" in t for t in delivered_texts(demo, "fee_receipt"))


def test_a_rejected_claim_needs_a_reason_and_tells_the_member(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    with demo.session() as session:
        claimed = payments.claim(session, actor(session, "DV003"), 80_000, method="portal", now=now)
    assert claimed.id is not None
    with pytest.raises(UserError), demo.session() as session:
        payments.reject_claim(session, actor(session, "DV001"), claimed.id, "   ", now=now)
    with demo.session() as session:
        payments.reject_claim(
            session, actor(session, "DV001"), claimed.id, "Chưa thấy tiền về", now=now
        )
        assert ledger(session, owing, now=now).claimed_total == 0
    assert any("Lý do: Chưa thấy tiền về" in t for t in delivered_texts(demo, "fee_receipt"))


def test_a_payment_after_the_month_closed_goes_in_the_next_months_book(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    from models import FeeMonthClose

    now = clock()
    this = current_month(now)
    with demo.session() as session:
        cell = member(session, "DV003").cell_id
        session.add(FeeMonthClose(cell_id=cell, month=this, expected=0, collected=0, remit=0))
    with demo.session() as session:
        paid = payments.record_cash(session, actor(session, "DV001"), owing, 80_000, now=now)
        assert paid.book_month == add_months(this, 1)
        # … and it still clears the oldest month.
        assert ledger(session, owing, now=now).owed_lines[0].month == add_months(this, -1)


def test_correcting_an_amount_moves_what_it_covers(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    now = clock()
    with demo.session() as session:
        paid = payments.record_cash(session, actor(session, "DV001"), owing, 240_000, now=now)
        assert paid.id is not None
        payments.correct_amount(session, actor(session, "DV001"), paid.id, 160_000, now=now)
        state = ledger(session, owing, now=now)
        assert [line.owed for line in state.owed_lines] == [80_000]
        with pytest.raises(Forbidden):
            payments.correct_amount(session, actor(session, "DV009"), paid.id, 1_000, now=now)


def test_several_members_paid_in_cash_at_once(demo: Database, clock: FakeClock, owing: int) -> None:
    now = clock()
    with demo.session() as session:
        dv004 = give_basis(session, "DV004", current_month(now), income=6_000_000)
        dv006 = member(session, "DV006").id or 0  # no basis: left out, with why
        result = payments.record_cash_many(
            session,
            actor(session, "DV001"),
            member(session, "DV001").cell_id,
            [owing, dv004, dv006],
            now=now,
            key="meeting",
        )
        assert sorted(p.amount for _, p in result.paid) == [60_000, 240_000]
        assert [(m.code, why) for m, why in result.skipped] == [
            ("DV006", fee_texts.SKIPPED_NO_BASIS)
        ]
        other_cell = member(session, "DV010").id or 0
        # A member of another cell in the list (moved, or a forged id): not charged, not named.
        moved = payments.record_cash_many(
            session,
            actor(session, "DV001"),
            member(session, "DV001").cell_id,
            [other_cell],
            now=now,
        )
        assert moved.paid == () and moved.skipped == () and moved.moved == 1
        with pytest.raises(UserError):  # an id that is no member at all
            payments.record_cash_many(
                session, actor(session, "DV001"), member(session, "DV001").cell_id, [10**9], now=now
            )


def test_the_reminder_round_at_most_every_three_days(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    with demo.session() as session:
        cell = member(session, "DV003").cell_id
        round_ = payments.remind_owing(session, actor(session, "DV001"), cell, now=clock())
        assert round_.reminded + round_.unreachable == 1
    clock.advance(days=2)
    with pytest.raises(UserError), demo.session() as session:
        payments.remind_owing(session, actor(session, "DV001"), cell, now=clock())
    clock.advance(days=1, minutes=1)
    with demo.session() as session:
        payments.remind_owing(session, actor(session, "DV001"), cell, now=clock())
    with pytest.raises(Forbidden), demo.session() as session:
        payments.remind_owing(session, actor(session, "DV003"), cell, now=clock())


def test_months_follow_the_local_month_not_utc(demo: Database, clock: FakeClock) -> None:
    """23:30 on 30 November in Hà Nội is 16:30 UTC; 00:30 on 1 December local is still 30
    November in UTC: the local month decides."""
    first = current_month(clock()).replace(day=1)
    local_midnight = add_months(first, 1)
    from datetime import UTC, datetime, time

    from services.vndate import DEFAULT_TZ

    just_after = datetime.combine(local_midnight, time(0, 30), DEFAULT_TZ).astimezone(UTC)
    assert just_after.date() < local_midnight
    assert current_month(just_after) == local_midnight
    assert current_month(just_after - timedelta(hours=1)) == first


def test_parse_amount() -> None:
    for text, value in [
        ("120.000", 120_000),
        ("120,000", 120_000),
        ("120000đ", 120_000),
        ("120 000 đồng", 120_000),
        ("120k", 120_000),
    ]:
        assert payments.parse_amount(text) == value
    for bad in ("-5000", "mười nghìn", "", "12a"):
        assert payments.parse_amount(bad) is None


def test_a_correction_changes_the_voluntary_part_first_and_never_a_closed_book(
    demo: Database, clock: FakeClock, owing: int
) -> None:
    from models import FeeMonthClose

    now = clock()
    with demo.session() as session:
        secretary = actor(session, "DV001")
        paid = payments.record_cash(
            session, secretary, owing, 1_000_000, now=now, voluntary=True, confirm_large=True
        )
        assert paid.id is not None and paid.extra == 760_000
        payments.correct_amount(session, secretary, paid.id, 300_000, now=now)
        state = ledger(session, owing, now=now)
        assert state.owed_total == 0 and state.extra == 60_000  # the months stay paid
        session.add(
            FeeMonthClose(
                cell_id=paid.cell_id, month=current_month(now), expected=0, collected=0, remit=0
            )
        )
    with pytest.raises(UserError) as refused, demo.session() as session:
        payments.correct_amount(session, actor(session, "DV001"), paid.id, 240_000, now=now)
    assert "đã chốt" in refused.value.message
