"""Setting up a cell's fees, at the core: bases with history, reductions, the collector, the
payee account and the region. Only the cell's collectors (and, above cells, the unit's own
committee) may; every refusal is one Vietnamese sentence and writes nothing. On SQLite and
PostgreSQL (the `demo` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session, col, select

from models import (
    AuditLog,
    Database,
    FeeCollector,
    FeeProfile,
    FeeReduction,
    FeeUnitSettings,
    Member,
    Unit,
)
from services.auth import Actor, load_actor
from services.errors import Forbidden, UserError
from services.fees import setup
from services.fees import texts as fee_texts
from services.fees.dues import Basis, ExemptionReason, Region, add_months, format_vnd
from services.fees.ledger import cell_regions, current_month, ledger
from services.identities import find_member
from services.orgwrite import grant_admin, set_committee_units
from services.vndate import format_vn_date, format_vn_month
from tests.support import FakeClock

VIETINBANK = "970415"
VIETCOMBANK = "970436"


def member(session: Session, code: str) -> Member:
    found = find_member(session, code)
    assert found is not None
    return found


def mid(session: Session, code: str) -> int:
    found = member(session, code).id
    assert found is not None
    return found


def actor(session: Session, code: str) -> Actor:
    return load_actor(session, member(session, code))


def cell_of(session: Session, code: str) -> Unit:
    unit = session.get(Unit, member(session, code).cell_id)
    assert unit is not None
    return unit


def base_of(session: Session, code: str) -> Unit:
    cell = cell_of(session, code)
    assert cell.parent_id is not None
    base = session.get(Unit, cell.parent_id)
    assert base is not None
    return base


def written(db: Database) -> tuple[int, ...]:
    """Everything the setup writes, counted: a refusal must leave all of it as it was."""
    with db.session() as session:
        fee_audit = select(AuditLog).where(col(AuditLog.action).startswith("fees."))
        return (
            len(session.exec(select(FeeProfile)).all()),
            len(session.exec(select(FeeReduction)).all()),
            len(session.exec(select(FeeCollector)).all()),
            len(session.exec(select(FeeUnitSettings)).all()),
            len(session.exec(fee_audit).all()),
        )


def refused(db: Database, call: Callable[[Session], Any]) -> UserError:
    """The call's refusal, in a transaction that then commits: had the service written
    anything before refusing, it would stay and `written` would see it."""
    before = written(db)
    with db.session() as session, pytest.raises(UserError) as caught:
        call(session)
    assert written(db) == before
    return caught.value


def salary(
    session: Session, by: str, who: str, income: int | None, clock: FakeClock, **extra: Any
) -> FeeProfile:
    values: dict[str, Any] = {"basis": Basis.BHXH, "region": None, "exemption": None}
    values.update(extra)
    return setup.set_profile(
        session, actor(session, by), mid(session, who), income=income, now=clock(), **values
    )


def next_month(clock: FakeClock) -> None:
    """Move the clock into the next month (by the configured zone's month)."""
    month = current_month(clock())
    while current_month(clock()) == month:
        clock.advance(days=7)


# --- bases -----------------------------------------------------------------------------------


def test_a_basis_applies_from_this_month_and_earlier_months_keep_theirs(
    demo: Database, clock: FakeClock
) -> None:
    first = current_month(clock())
    with demo.session() as session:
        row = salary(session, "DV001", "DV003", 8_000_000, clock)
        assert (row.valid_from, row.basis, row.income, row.source) == (
            first,
            "bhxh",
            8_000_000,
            "collector",
        )
        assert row.created_by_member_id == mid(session, "DV001")
        # A second change in the same month corrects that month's row.
        again = salary(session, "DV001", "DV003", 8_500_000, clock)
        assert again.id == row.id and again.income == 8_500_000

    next_month(clock)
    second = current_month(clock())
    assert second == add_months(first, 1)
    with demo.session() as session:
        salary(session, "DV001", "DV003", 9_000_000, clock)
        history = setup.profile_history(session, actor(session, "DV003"), mid(session, "DV003"))
        assert [(p.valid_from, p.income) for p in history] == [
            (first, 8_500_000),
            (second, 9_000_000),
        ]
        book = ledger(session, mid(session, "DV003"), now=clock())
        assert [(line.month, line.due) for line in book.lines] == [
            (first, 85_000),
            (second, 90_000),
        ]
        entries = session.exec(
            select(AuditLog).where(AuditLog.action == "fees.profile_set").order_by(AuditLog.id)
        ).all()
        assert len(entries) == 3
        assert entries[-1].detail["old"]["income"] == 8_500_000
        assert entries[-1].detail["new"]["income"] == 9_000_000
        assert entries[-1].actor_member_id == mid(session, "DV001")


def test_setting_what_is_in_force_writes_nothing(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        salary(session, "DV001", "DV003", 8_000_000, clock)
    before = written(demo)
    next_month(clock)
    with demo.session() as session:
        row = salary(session, "DV001", "DV003", 8_000_000, clock)
        assert row.valid_from == add_months(current_month(clock()), -1)
    assert written(demo) == before


def test_income_is_dropped_for_bases_not_computed_from_it_and_birth_date_kept(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        who = mid(session, "DV004")
        row = setup.set_profile(
            session,
            actor(session, "DV001"),
            who,
            basis=Basis.KHONG_BHXH,
            income=5_000_000,
            region=Region.III,
            exemption=None,
            birth_date=date(1960, 5, 1),
            now=clock(),
        )
        assert (row.income, row.region, row.birth_date) == (None, 3, date(1960, 5, 1))
        changed = setup.set_profile(
            session,
            actor(session, "DV001"),
            who,
            basis=Basis.KHONG_BHXH_CAO_TUOI,
            income=None,
            region=None,
            exemption=None,
            now=clock(),
        )
        assert changed.birth_date == date(1960, 5, 1)  # None keeps the one known
        assert changed.region is None


def test_who_may_not_set_a_basis_and_bad_values_are_refused_writing_nothing(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        dv003, dv010 = mid(session, "DV003"), mid(session, "DV010")

    def as_(by: str, who: int, income: int | None = 8_000_000, **extra: Any) -> Any:
        values: dict[str, Any] = {"basis": Basis.BHXH, "region": None, "exemption": None}
        values.update(extra)
        return lambda s: setup.set_profile(
            s, actor(s, by), who, income=income, now=clock(), **values
        )

    other_secretary = refused(demo, as_("DV009", dv003))
    assert isinstance(other_secretary, Forbidden)
    assert other_secretary.message == fee_texts.MEMBER_NOT_IN_CELL
    forged = refused(demo, as_("DV001", dv010))  # an id of another cell's member
    assert isinstance(forged, Forbidden) and forged.message == fee_texts.MEMBER_NOT_IN_CELL
    assert refused(demo, as_("DV001", 987_654)).message == fee_texts.MEMBER_NOT_IN_CELL
    ordinary = refused(demo, as_("DV004", dv003))
    assert isinstance(ordinary, Forbidden) and ordinary.message == fee_texts.FORBIDDEN_COLLECTOR
    deputy = refused(demo, as_("DV002", dv003))  # a deputy collects only when named
    assert isinstance(deputy, Forbidden) and deputy.message == fee_texts.FORBIDDEN_COLLECTOR
    committee = refused(demo, as_("DV016", dv003))
    assert committee.message == fee_texts.FORBIDDEN_COLLECTOR

    too_much = fee_texts.PROFILE_INCOME_INVALID.format(limit=format_vnd(1_000_000_000))
    assert refused(demo, as_("DV001", dv003, None)).message == fee_texts.PROFILE_INCOME_REQUIRED
    for income in (0, -8_000_000, 1_000_000_001):
        assert refused(demo, as_("DV001", dv003, income)).message == too_much
    next_year = current_month(clock()).replace(year=current_month(clock()).year + 1)
    future = refused(demo, as_("DV001", dv003, birth_date=next_year))
    assert future.message == fee_texts.PROFILE_BIRTH_DATE_INVALID


def test_the_50_year_exemption_needs_the_joined_date_and_the_50_years(
    demo: Database, clock: FakeClock
) -> None:
    month = current_month(clock())
    with demo.session() as session:
        dv004 = member(session, "DV004")
        dv004.joined_on = None
        dv003 = member(session, "DV003")
        dv003.joined_on = date(month.year - 50, month.month, 15)  # the 50th year ends mid-month

    exempt = {"exemption": ExemptionReason.MEMBERSHIP_50_YEARS}

    def exempting(code: str) -> Callable[[Session], Any]:
        return lambda s: salary(s, "DV001", code, None, clock, **exempt)

    no_date = refused(demo, exempting("DV004"))
    assert no_date.message == fee_texts.PROFILE_50_YEARS_NO_JOINED.format(name="Phạm Thị Dung")
    not_yet = refused(demo, exempting("DV003"))
    assert not_yet.message == fee_texts.PROFILE_50_YEARS_NOT_YET.format(
        name="Lê Văn Cường",
        joined=format_vn_date(date(month.year - 50, month.month, 15)),
        month=format_vn_month(add_months(month, 1)),
    )
    with demo.session() as session:
        member(session, "DV003").joined_on = date(month.year - 50, month.month, 1)
        row = salary(session, "DV001", "DV003", None, clock, **exempt)  # no income needed
        assert row.exemption == "tuoi_dang_50"
        veteran = salary(session, "DV001", "DV007", None, clock, **exempt)  # joined 30/04/1975
        assert ledger(session, veteran.member_id, now=clock()).this_month.due == 0


def test_the_first_exempt_month_follows_the_rules() -> None:
    assert setup.first_exempt_month(date(1976, 3, 15)) == date(2026, 4, 1)
    assert setup.first_exempt_month(date(1976, 3, 1)) == date(2026, 3, 1)
    assert setup.first_exempt_month(date(1976, 12, 31)) == date(2027, 1, 1)
    assert setup.first_exempt_month(date(1976, 2, 29)) == date(2026, 3, 1)


def test_history_is_for_the_member_and_the_cells_collectors_only(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        salary(session, "DV001", "DV003", 8_000_000, clock)
        dv003 = mid(session, "DV003")
        assert len(setup.profile_history(session, actor(session, "DV003"), dv003)) == 1
        assert len(setup.profile_history(session, actor(session, "DV001"), dv003)) == 1
    for code in ("DV004", "DV002", "DV009", "DV016"):
        refusal = refused(demo, lambda s, c=code: setup.profile_history(s, actor(s, c), dv003))
        assert refusal.message == fee_texts.SETUP_FORBIDDEN_PROFILE


# --- reductions ------------------------------------------------------------------------------


def test_a_reduction_starts_this_month_and_refusals_write_nothing(
    demo: Database, clock: FakeClock
) -> None:
    month = current_month(clock())
    with demo.session() as session:
        salary(session, "DV001", "DV003", 8_000_000, clock)
        dv003 = mid(session, "DV003")

    def reduce(percent: int = 50, reason: str = "Ốm dài ngày", months: int = 3) -> Any:
        return lambda s: setup.add_reduction(
            s,
            actor(s, "DV001"),
            dv003,
            percent=percent,
            reason=reason,
            months=months,
            now=clock(),
        )

    assert refused(demo, reduce(percent=40)).message == fee_texts.REDUCTION_BAD_PERCENT
    bad_months = fee_texts.REDUCTION_BAD_MONTHS.format(limit=12)
    assert refused(demo, reduce(months=13)).message == bad_months
    assert refused(demo, reduce(months=0)).message == bad_months
    assert refused(demo, reduce(reason="   ")).message == fee_texts.REASON_EMPTY
    too_long = fee_texts.REASON_TOO_LONG.format(limit=300)
    assert refused(demo, reduce(reason="x" * 301)).message == too_long

    def by_deputy(s: Session) -> Any:
        return setup.add_reduction(
            s, actor(s, "DV002"), dv003, percent=50, reason="x", months=1, now=clock()
        )

    assert isinstance(refused(demo, by_deputy), Forbidden)

    with demo.session() as session:
        row = reduce()(session)
        assert (row.start, row.months, row.percent, row.reason) == (month, 3, 50, "Ốm dài ngày")
        assert ledger(session, dv003, now=clock()).this_month.due == 40_000
    overlap = refused(demo, reduce(percent=100, months=1))
    assert overlap.message == fee_texts.REDUCTION_OVERLAP.format(
        name="Lê Văn Cường", month=format_vn_month(add_months(month, 2))
    )


def test_cancelling_keeps_the_months_already_reduced(demo: Database, clock: FakeClock) -> None:
    first = current_month(clock())
    with demo.session() as session:
        salary(session, "DV001", "DV003", 8_000_000, clock)
        dv003 = mid(session, "DV003")
        started = setup.add_reduction(
            session,
            actor(session, "DV001"),
            dv003,
            percent=50,
            reason="Khó khăn",
            months=6,
            now=clock(),
        )
        assert started.id is not None
        reduction_id = started.id
    refusal = refused(
        demo, lambda s: setup.cancel_reduction(s, actor(s, "DV003"), reduction_id, now=clock())
    )
    assert refusal.message == fee_texts.FORBIDDEN_COLLECTOR

    next_month(clock)
    with demo.session() as session:
        listed = setup.active_reductions(session, actor(session, "DV001"), dv003, now=clock())
        assert [r.id for r in listed] == [reduction_id]
        row = setup.cancel_reduction(session, actor(session, "DV001"), reduction_id, now=clock())
        assert (row.months, row.cancelled_at) == (1, None)  # it covered the first month only
        book = ledger(session, dv003, now=clock())
        assert [(line.month, line.due) for line in book.lines] == [
            (first, 40_000),
            (add_months(first, 1), 80_000),
        ]
        assert setup.active_reductions(session, actor(session, "DV001"), dv003, now=clock()) == []
    ended = refused(
        demo, lambda s: setup.cancel_reduction(s, actor(s, "DV001"), reduction_id, now=clock())
    )
    assert ended.message == fee_texts.REDUCTION_ENDED.format(
        month=format_vn_month(add_months(first, 1))
    )

    with demo.session() as session:  # a new one may start now; cancelled the same month
        fresh = setup.add_reduction(
            session,
            actor(session, "DV001"),
            dv003,
            percent=100,
            reason="Bệnh",
            months=2,
            now=clock(),
        )
        assert fresh.id is not None
        fresh_id = fresh.id
        gone = setup.cancel_reduction(session, actor(session, "DV001"), fresh_id, now=clock())
        assert gone.cancelled_at == clock()
        entry = session.exec(
            select(AuditLog)
            .where(AuditLog.action == "fees.reduction_cancelled")
            .order_by(col(AuditLog.id).desc())
        ).first()
        assert entry is not None and entry.detail["cancelled"] is True
    again = refused(
        demo, lambda s: setup.cancel_reduction(s, actor(s, "DV001"), fresh_id, now=clock())
    )
    assert again.message == fee_texts.REDUCTION_ALREADY_CANCELLED
    missing = refused(
        demo, lambda s: setup.cancel_reduction(s, actor(s, "DV001"), 987_654, now=clock())
    )
    assert missing.message == fee_texts.REDUCTION_NOT_FOUND


# --- the collector ---------------------------------------------------------------------------


def test_the_secretary_names_a_collector_who_may_then_set_bases(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        office = cell_of(session, "DV001").id
        assert office is not None
        dv004, dv010 = mid(session, "DV004"), mid(session, "DV010")

    def appoint(by: str, who: int | None) -> Callable[[Session], Any]:
        return lambda s: setup.appoint_collector(s, actor(s, by), office, who, now=clock())

    for code in ("DV002", "DV009", "DV003", "DV016"):
        refusal = refused(demo, appoint(code, dv004))
        assert isinstance(refusal, Forbidden)
        assert refusal.message == fee_texts.SETUP_FORBIDDEN_APPOINT
    assert refused(demo, appoint("DV001", dv010)).message == fee_texts.MEMBER_NOT_IN_CELL
    assert refused(demo, appoint("DV001", 987_654)).message == fee_texts.MEMBER_NOT_IN_CELL
    before = written(demo)
    with demo.session() as session:
        assert appoint("DV001", None)(session) is None  # nobody to remove: nothing written
    assert written(demo) == before

    with demo.session() as session:
        row = appoint("DV001", dv004)(session)
        assert (row.cell_id, row.member_id) == (office, dv004)
        assert row.appointed_by_member_id == mid(session, "DV001")
        profile = salary(session, "DV004", "DV003", 7_000_000, clock)
        assert profile.created_by_member_id == dv004
        # The collector may not name another one.
    assert isinstance(refused(demo, appoint("DV004", dv004)), Forbidden)

    with demo.session() as session:
        assert appoint("DV001", None)(session) is None
        assert session.get(FeeCollector, office) is None
        actions = session.exec(
            select(AuditLog.action).where(col(AuditLog.action).startswith("fees.collector"))
        ).all()
        assert sorted(actions) == ["fees.collector_appointed", "fees.collector_removed"]
    no_longer = refused(demo, lambda s: salary(s, "DV004", "DV003", 7_500_000, clock))
    assert no_longer.message == fee_texts.FORBIDDEN_COLLECTOR


# --- the payee account and the region -------------------------------------------------------


def test_account_numbers_and_holders_are_cleaned_as_banks_print_them() -> None:
    bank, account, holder = setup.check_account(" 970415 ", "0011 0019.324-18", "  Nguyễn Văn  Ân ")
    assert (bank.short_name, account, holder) == ("VietinBank", "0011001932418", "NGUYEN VAN AN")
    assert setup.check_account(VIETCOMBANK, "123456", "Đảng ủy Sở Giáo dục")[2] == (
        "DANG UY SO GIAO DUC"
    )
    refusals = [
        (("123456", "0011001932418", "Nguyễn Văn An"), fee_texts.PAYEE_BANK_UNKNOWN),
        ((VIETINBANK, "0011AB1932418", "Nguyễn Văn An"), fee_texts.PAYEE_ACCOUNT_INVALID),
        ((VIETINBANK, "12345", "Nguyễn Văn An"), fee_texts.PAYEE_ACCOUNT_INVALID),
        ((VIETINBANK, "1" * 20, "Nguyễn Văn An"), fee_texts.PAYEE_ACCOUNT_INVALID),
        ((VIETINBANK, "0011001932418", " A "), fee_texts.PAYEE_HOLDER_LENGTH),
        ((VIETINBANK, "0011001932418", "A" * 101), fee_texts.PAYEE_HOLDER_LENGTH),
        ((VIETINBANK, "0011001932418", "Nguyễn 😀"), fee_texts.PAYEE_HOLDER_INVALID),
        ((VIETINBANK, "0011001932418", "123 456"), fee_texts.PAYEE_HOLDER_INVALID),
    ]
    for arguments, message in refusals:
        with pytest.raises(UserError) as caught:
            setup.check_account(*arguments)
        assert caught.value.message == message, arguments


def test_a_base_organisations_account_is_inherited_and_a_cells_own_wins(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        office, schools = cell_of(session, "DV001"), cell_of(session, "DV009")
        base = base_of(session, "DV001")
        assert office.id and schools.id and base.id
        office_id, schools_id, base_id = office.id, schools.id, base.id
        assert setup.payee_for(session, office_id) is None
        setup.set_payee(
            session,
            actor(session, "DV016"),  # on the base organisation's own committee
            base_id,
            bin=VIETINBANK,
            account="0011 0019 32418",
            holder="Đảng bộ Sở Giáo dục và Đào tạo",
            personal=False,
            now=clock(),
        )
        for cell_id in (office_id, schools_id):
            payee = setup.payee_for(session, cell_id)
            assert payee is not None
            assert (payee.bank.bin, payee.account, payee.holder, payee.personal) == (
                VIETINBANK,
                "0011001932418",
                "DANG BO SO GIAO DUC VA DAO TAO",
                False,
            )
            assert (payee.unit_id, payee.unit_name) == (base_id, base.name)

        own = setup.set_payee(
            session,
            actor(session, "DV001"),
            office_id,
            bin=VIETCOMBANK,
            account="1234567890",
            holder="Nguyễn Văn An",
            personal=True,
            now=clock(),
        )
        assert own.payee_member_id == mid(session, "DV001")
        mine = setup.payee_for(session, office_id)
        assert mine is not None
        assert (mine.account, mine.holder, mine.personal, mine.unit_id) == (
            "1234567890",
            "NGUYEN VAN AN",
            True,
            office_id,
        )
        theirs = setup.payee_for(session, schools_id)
        assert theirs is not None and theirs.unit_id == base_id

        entry = session.exec(
            select(AuditLog)
            .where(AuditLog.action == "fees.payee_set")
            .where(AuditLog.entity_id == str(office_id))
        ).one()
        assert entry.detail == {
            "old": None,
            "new": {
                "bin": VIETCOMBANK,
                "account": "******7890",
                "holder": "NGUYEN VAN AN",
                "payee_member_id": mid(session, "DV001"),
            },
        }
        assert "1234567890" not in str(entry.detail)

        assert setup.clear_payee(session, actor(session, "DV001"), office_id, now=clock())
        assert not setup.clear_payee(session, actor(session, "DV001"), office_id, now=clock())
        back = setup.payee_for(session, office_id)
        assert back is not None and back.unit_id == base_id


def test_who_may_set_a_units_account_and_region(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        office, base = cell_of(session, "DV001"), base_of(session, "DV001")
        assert office.id and base.id and base.parent_id
        office_id, base_id, top_id = office.id, base.id, base.parent_id
        # DV003 sits on the committee above the base organisation, not on the base's own.
        set_committee_units(session, member(session, "DV003"), {top_id})
        grant_admin(session, member(session, "DV010"))

    def payee(by: str, unit_id: int) -> Callable[[Session], Any]:
        return lambda s: setup.set_payee(
            s,
            actor(s, by),
            unit_id,
            bin=VIETINBANK,
            account="0011001932418",
            holder="Chi bo",
            personal=False,
            now=clock(),
        )

    def region(by: str, unit_id: int) -> Callable[[Session], Any]:
        return lambda s: setup.set_region(s, actor(s, by), unit_id, Region.II, now=clock())

    for by, unit_id in [
        ("DV001", base_id),  # a cell's secretary, on the unit above
        ("DV003", base_id),  # a committee further up
        ("DV016", office_id),  # the base's committee, on a cell: the cell's own business
        ("DV010", office_id),  # an admin, on a cell
        ("DV002", office_id),  # a deputy not named collector
        ("DV009", office_id),  # another cell's secretary
    ]:
        for call in (payee(by, unit_id), region(by, unit_id)):
            refusal = refused(demo, call)
            assert isinstance(refusal, Forbidden), (by, unit_id)
            assert refusal.message == fee_texts.SETUP_FORBIDDEN_PAYEE
    unknown = refused(demo, payee("DV010", 987_654))
    assert unknown.message == fee_texts.SETUP_UNIT_NOT_FOUND
    bad = refused(
        demo,
        lambda s: setup.set_payee(
            s,
            actor(s, "DV001"),
            office_id,
            bin=VIETINBANK,
            account="12AB",
            holder="X Y",
            personal=False,
            now=clock(),
        ),
    )
    assert bad.message == fee_texts.PAYEE_ACCOUNT_INVALID

    with demo.session() as session:
        payee("DV010", base_id)(session)  # an admin, on the base organisation
        payee("DV001", office_id)(session)


def test_a_region_set_above_is_inherited_and_a_cells_own_wins(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        office, schools = cell_of(session, "DV001"), cell_of(session, "DV009")
        base = base_of(session, "DV001")
        assert office.id and schools.id and base.id
        office_id, schools_id, base_id = office.id, schools.id, base.id
        setup.set_region(session, actor(session, "DV016"), base_id, Region.II, now=clock())
        assert cell_regions(session, [office_id, schools_id]) == {
            office_id: Region.II,
            schools_id: Region.II,
        }
        setup.set_region(session, actor(session, "DV001"), office_id, Region.III, now=clock())
        assert cell_regions(session, [office_id, schools_id]) == {
            office_id: Region.III,
            schools_id: Region.II,
        }
        cleared = setup.set_region(session, actor(session, "DV001"), office_id, None, now=clock())
        assert cleared is not None and cleared.region is None
        assert cell_regions(session, [office_id])[office_id] is Region.II
        # A member without a salary in the office pays 0.3 % of region II's minimum wage.
        setup.set_profile(
            session,
            actor(session, "DV001"),
            mid(session, "DV003"),
            basis=Basis.KHONG_BHXH,
            income=None,
            region=None,
            exemption=None,
            now=clock(),
        )
        line = ledger(session, mid(session, "DV003"), now=clock()).this_month
        assert line is not None and line.dues is not None and line.dues.region is Region.II
        details = [
            e.detail
            for e in session.exec(
                select(AuditLog).where(AuditLog.action == "fees.region_set").order_by(AuditLog.id)
            )
        ]
        assert details == [
            {"old": None, "new": 2},
            {"old": None, "new": 3},
            {"old": 3, "new": None},
        ]
