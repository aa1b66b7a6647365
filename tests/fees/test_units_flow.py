"""`/dangphi_donvi` end to end through the core, in the terminal driver, on SQLite and
PostgreSQL: a committee member of the demo base organisation sets the account its cells pay
into and its minimum-wage region, which the cells inherit (and members see on "Chuyển khoản");
a bad account is refused and asked again; secretaries and members are refused; /huy in the
middle writes nothing; forged or stale keys change nothing; losing the committee seat stops
the flow at its next step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import col, select

from models import AuditLog, ConversationState, Database, FeeProfile, FeeUnitSettings, Unit
from services import texts
from services.auth import load_actor
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS, TOP
from services.fees import texts as fee_texts
from services.fees.dues import Region
from services.fees.ledger import cell_regions, current_month
from services.fees.setup import payee_for, set_payee
from services.identities import find_member
from services.orgwrite import grant_admin, set_committee_units
from tests.support import ChatDriver, FakeClock, state_of

Chat = Callable[[str], ChatDriver]


@pytest.fixture
def chat(chat_as: Chat) -> Chat:
    """`chat("DV001")`: a linked terminal chat of that member (the app's core: fees are wired)."""
    return chat_as


def unit_id(db: Database, name: str) -> int:
    with db.session() as session:
        unit = session.exec(select(Unit).where(Unit.name == name)).one()
        assert unit.id is not None
        return unit.id


def settings_rows(db: Database) -> tuple[list[tuple[int, int | None, str | None]], int]:
    """Every unit's settings (unit, region, account) and the fees' audit lines."""
    with db.session() as session:
        rows = session.exec(select(FeeUnitSettings).order_by(col(FeeUnitSettings.unit_id)))
        audit = session.exec(select(AuditLog).where(col(AuditLog.action).startswith("fees.")))
        return [(r.unit_id, r.region, r.account_number) for r in rows], len(audit.all())


def sit_on(db: Database, code: str, *names: str) -> None:
    """Make the member a committee member of exactly these units."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        set_committee_units(session, member, {unit_id(db, name) for name in names})


def give_basis(db: Database, clock: FakeClock, code: str) -> None:
    """An insured salary of 8,000,000 đ from this month: 80,000 đ a month."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None and member.id is not None
        session.add(
            FeeProfile(
                member_id=member.id,
                valid_from=current_month(clock()),
                basis="bhxh",
                income=8_000_000,
            )
        )


def set_base_account(committee: ChatDriver) -> None:
    committee.press("Đặt tài khoản")
    committee.send("vietin")
    committee.press("VietinBank")
    committee.send("1234 5678 9012")
    committee.send("Đảng ủy Sở Giáo dục")
    committee.press("Lưu")


# --- the committee's work ----------------------------------------------------------------------


def test_the_committee_sets_the_base_account_and_region_for_its_cells(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    committee = chat("DV016")
    committee.send("/dangphi_donvi")  # one unit: straight to its page
    page = committee.text
    assert fee_texts.UN_PAGE_TITLE.format(unit=BASE) in page
    assert fee_texts.UN_PAYEE_NONE in page and fee_texts.UN_REGION_NONE in page
    assert fee_texts.UN_CELLS.format(total=2) in page
    assert fee_texts.UN_CELLS_NO_PAYEE.format(count=2) in page
    assert "Bỏ tài khoản" not in [o.label for o in committee.options()]

    # The account: a bank looked up, an account with letters refused and asked again.
    committee.press("Đặt tài khoản")
    committee.send("ngân hàng không có")
    assert "Không tìm thấy ngân hàng nào" in committee.text
    committee.send("vietin")
    committee.press("VietinBank")
    committee.send("12ab34567")
    assert fee_texts.PAYEE_ACCOUNT_INVALID in committee.text
    assert "Đồng chí gõ số tài khoản" in committee.text
    assert state_of(demo, committee).step == "account"
    committee.send("1234 5678 9012")
    committee.send("Đảng ủy Sở Giáo dục")
    preview = committee.text
    assert "VietinBank" in preview and "Công thương" in preview
    assert "Số tài khoản: 123456789012" in preview
    assert "Chủ tài khoản: DANG UY SO GIAO DUC" in preview
    assert fee_texts.UN_PAYEE_OF_UNIT.format(unit=BASE) in preview
    assert settings_rows(demo) == ([], 0)  # a preview writes nothing
    committee.press("Lưu")
    assert fee_texts.MG_PAYEE_SAVED in committee.text
    assert "Số tài khoản: 123456789012" in committee.text
    assert fee_texts.UN_CELLS_PAYEE.format(count=2) in committee.text

    # The region: II, for every cell that sets none.
    committee.press("Vùng lương")
    committee.press("Vùng II")
    assert fee_texts.UN_REGION_SAVED.format(region="II", unit=BASE) in committee.text
    assert fee_texts.UN_REGION.format(region="II") in committee.text
    assert fee_texts.UN_CELLS_REGION.format(count=2) in committee.text
    committee.press("Xong")
    assert committee.text == fee_texts.UN_FINISHED
    assert state_of(demo, committee).flow is None

    base = unit_id(demo, BASE)
    cells = [unit_id(demo, CELL_OFFICE), unit_id(demo, CELL_SCHOOLS)]
    with demo.session() as session:
        row = session.get(FeeUnitSettings, base)
        assert row is not None
        assert (row.bank_bin, row.account_number, row.account_holder, row.region) == (
            "970415",
            "123456789012",
            "DANG UY SO GIAO DUC",
            2,
        )
        assert row.payee_member_id is None  # the unit's account, never a person's
        for cell in cells:
            payee = payee_for(session, cell)
            assert payee is not None
            assert (payee.unit_id, payee.account, payee.personal) == (base, "123456789012", False)
        assert cell_regions(session, cells) == dict.fromkeys(cells, Region.II)

    # A member of a cell pays into the base's account.
    give_basis(demo, clock, "DV003")
    member = chat("DV003")
    member.send("/dangphi")
    member.press("Chuyển khoản")
    assert "Số tài khoản: 123456789012" in member.text
    assert "Chủ tài khoản: DANG UY SO GIAO DUC" in member.text
    assert "Số tiền: 80.000 đ" in member.text

    # A cell with its own account no longer counts as using the base's.
    with demo.session() as session:
        secretary = find_member(session, "DV001")
        assert secretary is not None
        set_payee(
            session,
            load_actor(session, secretary),
            secretary.cell_id,
            bin="970418",
            account="9988776655",
            holder="Chi bo Van phong So",
            personal=False,
            now=clock(),
        )
    committee.send("/dangphi_donvi")
    assert fee_texts.UN_CELLS_PAYEE.format(count=1) in committee.text

    # Removing the account and the region: the other cell has none left.
    committee.press("Bỏ tài khoản")
    assert fee_texts.UN_ASK_CLEAR.format(unit=BASE) in committee.text
    committee.press("Bỏ tài khoản")
    assert fee_texts.UN_PAYEE_CLEARED.format(unit=BASE) in committee.text
    assert fee_texts.UN_PAYEE_NONE in committee.text
    assert fee_texts.UN_CELLS_NO_PAYEE.format(count=1) in committee.text
    committee.press("Vùng lương")
    assert "Vùng II (đang đặt)" in [o.label for o in committee.options()]
    committee.press("Bỏ vùng")
    assert fee_texts.UN_REGION_CLEARED.format(unit=BASE) in committee.text
    assert fee_texts.UN_REGION_NONE in committee.text
    with demo.session() as session:
        assert payee_for(session, cells[1]) is None
        assert payee_for(session, cells[0]) is not None  # the cell's own
        assert cell_regions(session, cells) == dict.fromkeys(cells)


def test_a_unit_shows_what_it_inherits_from_above(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    sit_on(demo, "DV016", TOP, BASE)
    committee = chat("DV016")
    committee.send("/dangphi_donvi")
    assert committee.text == fee_texts.UN_CHOOSE_UNIT
    assert [o.label for o in committee.options()] == [TOP, BASE]
    committee.press(TOP)
    set_base_account(committee)
    committee.press("Vùng lương")
    committee.press("Vùng III")

    committee.press("Chọn đơn vị khác")
    committee.press(BASE)
    page = committee.text
    assert "Số tài khoản: 123456789012" in page
    assert fee_texts.UN_PAYEE_INHERITED.format(unit=TOP) in page
    assert fee_texts.UN_REGION_INHERITED.format(region="III", unit=TOP) in page
    assert fee_texts.UN_CELLS_PAYEE.format(count=2) in page
    assert "Bỏ tài khoản" not in [o.label for o in committee.options()]


def test_an_admin_sets_a_root(demo: Database, clock: FakeClock, chat: Chat) -> None:
    with demo.session() as session:
        member = find_member(session, "DV003")
        assert member is not None
        grant_admin(session, member)
    admin = chat("DV003")
    admin.send("/dangphi_donvi")
    assert fee_texts.UN_PAGE_TITLE.format(unit=TOP) in admin.text
    admin.press("Vùng lương")
    admin.press("Vùng I")
    assert settings_rows(demo)[0] == [(unit_id(demo, TOP), 1, None)]


# --- who may, and untrusted input ----------------------------------------------------------------


def test_secretaries_and_members_are_refused(demo: Database, clock: FakeClock, chat: Chat) -> None:
    for code in ("DV001", "DV003"):
        refused = chat(code)
        refused.send("/dangphi_donvi")
        assert refused.text == texts.FORBIDDEN_COMMITTEE
    assert settings_rows(demo) == ([], 0)


def test_cancelling_in_the_middle_writes_nothing(
    demo: Database, clock: FakeClock, chat: Chat
) -> None:
    committee = chat("DV016")
    committee.send("/dangphi_donvi")
    committee.press("Đặt tài khoản")
    committee.send("BIDV")
    committee.press("BIDV")
    committee.send("1234567890")
    committee.send("Dang uy co so")
    assert "Chủ tài khoản: DANG UY CO SO" in committee.text
    committee.send("/huy")
    committee.send("/dangphi_donvi")
    committee.press("Vùng lương")
    committee.send("/huy")
    assert settings_rows(demo) == ([], 0)
    assert state_of(demo, committee).flow is None


def test_forged_or_stale_keys_change_nothing(demo: Database, clock: FakeClock, chat: Chat) -> None:
    sit_on(demo, "DV016", TOP, BASE)
    committee = chat("DV016")
    committee.send("/dangphi_donvi")
    nonce = state_of(demo, committee).nonce
    stale = committee.option(BASE).payload
    # A unit never offered (a cell, whose account is its collector's), and an old prompt's key.
    forged = committee.press_payload(f"{nonce}:u{unit_id(demo, CELL_OFFICE)}")
    assert forged.notice == texts.STALE_BUTTON and not forged.replies
    committee.press_payload(stale)
    assert fee_texts.UN_PAGE_TITLE.format(unit=BASE) in committee.text
    assert committee.press_payload(stale).notice == texts.STALE_BUTTON
    # A key the page does not offer (no account to remove).
    nonce = state_of(demo, committee).nonce
    assert committee.press_payload(f"{nonce}:clear").notice == texts.STALE_BUTTON
    assert settings_rows(demo) == ([], 0)

    # Off the committee between two steps: the next step is refused and writes nothing.
    committee.send("/dangphi_donvi")
    committee.press(BASE)
    committee.press("Vùng lương")
    sit_on(demo, "DV016", TOP)
    committee.press("Vùng II")
    assert committee.text == fee_texts.SETUP_FORBIDDEN_PAYEE
    assert settings_rows(demo) == ([], 0)

    # The unit gone from the state (an old or tampered state): the flow ends, nothing written.
    sit_on(demo, "DV016", BASE)
    committee.send("/dangphi_donvi")
    committee.press("Vùng lương")
    with demo.session() as session:
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == committee.user_id)
        ).one()
        state.data = {**state.data, "unit": unit_id(demo, CELL_OFFICE)}
        session.add(state)
    committee.press("Vùng II")
    assert committee.text == texts.SESSION_EXPIRED
    assert state_of(demo, committee).flow is None
    assert settings_rows(demo) == ([], 0)
