"""This month's party fee paid by VietQR, end to end, on each channel: Telegram and Zalo
through their real clients against the fake Bot API servers on 127.0.0.1, the terminal
through the core as `sotay chat` drives it.

DV003 (Lê Văn Cường) has a basis from this month (insured salary 8,000,000 đ: 80,000 đ a
month) and his cell has an account (BIN 970415, VietinBank). He opens `/dangphi`, chooses
"Chuyển khoản", gets the account details and the QR code (decoded back here to the exact
VietQR payload), says "Tôi đã nộp"; the real delivery worker brings the claim to the secretary
(DV001) with "Đã nhận được / Chưa nhận được"; the secretary confirms; the worker brings DV003
the confirmation, and `/dangphi` shows the month paid. A forged `fee_ok` button changes
nothing. On Zalo the choices are typed digits and the QR goes by URL (PUBLIC_BASE_URL), served
by the app's `/files` route; without PUBLIC_BASE_URL only the text goes. In the terminal the
member says he paid through the public-service portal, with no receipt photo.

Every test runs on SQLite and PostgreSQL (the `demo` fixture). Time is the test's clock: the
core reads it, and the workers sleep in virtual time on it; nothing here sleeps for real
beyond the few milliseconds the fake servers take to answer.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
import zxingcpp
from PIL import Image
from sqlmodel import col, select

from bot.app import App
from bot.terminal import run_chat
from bot.web import PublicFiles, create_web_app
from handlers.core import Core
from models import Database, Delivery, FeePayment, FeeProfile, PublicFile
from services import public_files, texts
from services.auth import load_actor
from services.fees import texts as fee_texts
from services.fees import vietqr
from services.fees.dues import format_vnd
from services.fees.ledger import current_month
from services.fees.setup import payee_for, set_payee
from services.identities import find_member
from services.vndate import format_vn_date, format_vn_datetime, format_vn_month
from tests.channels import zalo_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo, text_update
from tests.support import ChatDriver, FakeClock, serving
from tests.test_delivery_support import drain_as_run
from tests.test_month_telegram import _drain, _press, _send, _settle, _with_button
from tests.test_telegram_e2e import FAST, Harness, _answers, _buttons, _polling
from tests.test_zalo_polling import digit_of, invite, zalo_settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

BANK_BIN = "970415"  # VietinBank
ACCOUNT = "0011001932418"
HOLDER = "Nguyen Van An"
DUES = 80_000  # 1 % of 8,000,000 đ
BASE = "https://files.sotay.test"
ChatAs = Callable[..., ChatDriver]


# -- the scenario's data ------------------------------------------------------------------------
def set_up_fees(db: Database, clock: FakeClock) -> None:
    """DV003 pays from this month (by the test's clock); DV001 sets the cell's account."""
    with db.session() as session:
        member = find_member(session, "DV003")
        secretary = find_member(session, "DV001")
        assert member is not None and member.id is not None and secretary is not None
        session.add(
            FeeProfile(
                member_id=member.id,
                valid_from=current_month(clock()),
                basis="bhxh",
                income=8_000_000,
            )
        )
        set_payee(
            session,
            load_actor(session, secretary),
            member.cell_id,
            bin=BANK_BIN,
            account=ACCOUNT,
            holder=HOLDER,
            personal=False,
            now=clock(),
        )


def month_of(clock: FakeClock) -> tuple[str, str]:
    """This month as the pages write it ("11/2026") and as the memo does ("T11 2026")."""
    month = current_month(clock())
    return format_vn_month(month), f"T{month.month} {month.year}"


def expected_details(db: Database, clock: FakeClock) -> str:
    """The account details as the member must read them (the holder as the bank prints it)."""
    with db.session() as session:
        member = find_member(session, "DV003")
        assert member is not None
        payee = payee_for(session, member.cell_id)
        assert payee is not None and payee.bank.short_name == "VietinBank"
    return fee_texts.TRANSFER_DETAILS.format(
        bank=f"{payee.bank.short_name} – {payee.bank.name}",
        account=ACCOUNT,
        holder=payee.holder,
        whose="",
        amount=format_vnd(DUES),
        memo=f"DANG PHI DV003 {month_of(clock)[1]}",
    )


def assert_vietqr(png: bytes, clock: FakeClock) -> None:
    """The PNG holds one QR code whose text is a valid VietQR payload (CRC checked by
    `vietqr.fields`) to the cell's account, for 80,000 đ, with DV003's memo for this month."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    found = list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    data = vietqr.fields(found[0].text)
    merchant = vietqr.parse_tlv(data["38"])
    beneficiary = vietqr.parse_tlv(merchant["01"])
    assert (merchant["00"], merchant["02"]) == (vietqr.NAPAS_GUID, vietqr.SERVICE_TO_ACCOUNT)
    assert (beneficiary["00"], beneficiary["01"]) == (BANK_BIN, ACCOUNT)
    assert (data["01"], data["53"], data["54"], data["58"]) == ("12", "704", str(DUES), "VN")
    assert vietqr.parse_tlv(data["62"]) == {"08": f"DANG PHI DV003 {month_of(clock)[1]}"}


def payments_of(db: Database) -> list[tuple[int, str, str, int]]:
    """Every fee payment: (id, method, status, amount)."""
    with db.session() as session:
        rows = session.exec(select(FeePayment).order_by(col(FeePayment.id))).all()
        return [(p.id or 0, p.method, p.status, p.amount) for p in rows]


def fee_rows(db: Database) -> list[tuple[str, str, str]]:
    """The fee messages in the outbox: (kind, chat, status)."""
    with db.session() as session:
        rows = session.exec(
            select(Delivery).where(col(Delivery.kind).startswith("fee_")).order_by(col(Delivery.id))
        ).all()
        return [(r.kind, r.chat_id, r.status) for r in rows]


def stored_files(db: Database) -> int:
    with db.session() as session:
        return len(session.exec(select(PublicFile.token)).all())


def claim_text(method_template: str, clock: FakeClock, when: str) -> str:
    return method_template.format(
        name="Lê Văn Cường",
        code="DV003",
        amount=format_vnd(DUES),
        when=when,
        months=month_of(clock)[0],
    )


def confirmed_text(clock: FakeClock, core: Core) -> str:
    return fee_texts.RECEIPT_CONFIRMED.format(
        amount=format_vnd(DUES),
        day=format_vn_date(clock().astimezone(core.config.tz).date()),
        months=month_of(clock)[0],
    )


def owed_line(clock: FakeClock) -> str:
    return fee_texts.MONTH_OWED.format(month=month_of(clock)[0], owed=format_vnd(DUES))


def paid_line(clock: FakeClock) -> str:
    return fee_texts.PAGE_THIS_PAID.format(month=month_of(clock)[0], due=format_vnd(DUES))


# -- Telegram -----------------------------------------------------------------------------------
SECRETARY_TG, MEMBER_TG = 6101, 6103


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    set_up_fees(demo, clock)
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_a_member_pays_by_qr_on_telegram_and_the_secretary_confirms(
    telegram: Harness, core: Core, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    secretary = fake.user(SECRETARY_TG, "An", "Nguyễn")
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    await telegram.link(secretary, "DV001")
    await telegram.link(member, "DV003")

    page = await _send(fake, member, "/dangphi", expect=fee_texts.PAGE_TITLE.split("{")[0])
    assert owed_line(clock) in page["text"], page["text"]
    labels = [b["text"] for b in _buttons(page)]
    assert labels == [fee_texts.BTN_TRANSFER, fee_texts.BTN_PORTAL]

    asked = await _press(fake, member, fee_texts.BTN_TRANSFER, expect="Chuyển xong")
    assert [b["text"] for b in _buttons(asked)] == [
        fee_texts.BTN_TRANSFERRED,
        fee_texts.BTN_LATER,
    ]
    (photo,) = fake.calls_to("sendPhoto")
    assert photo.chat_id() == MEMBER_TG
    name, png = photo.files["photo"]
    assert name == "vietqr.png"
    assert_vietqr(png, clock)
    # The account details travel as the QR's caption (one message to read and to scan),
    # and the question with its buttons comes last.
    assert photo.result["caption"] == expected_details(db, clock)
    assert fake.bot_messages(MEMBER_TG)[-2]["message_id"] == photo.result["message_id"]

    claimed = await _press(fake, member, fee_texts.BTN_TRANSFERRED, expect="Đã báo")
    claimed_at = format_vn_datetime(clock(), core.config.tz)
    assert claimed["text"] == fee_texts.CLAIM_SENT.format(amount=format_vnd(DUES))
    ((payment_id, method, status, amount),) = payments_of(db)
    assert (method, status, amount) == ("transfer", "claimed", DUES)

    # The member forges the collector's button on his own claim, and on a claim that does not
    # exist: refused politely, nothing changes, nobody is told anything.
    sends_before = len(fake.calls_to("sendMessage"))
    forgeries = (
        (f"fee_ok:{payment_id}", fee_texts.FORBIDDEN_COLLECTOR),
        ("fee_ok:999999", fee_texts.STALE),
    )
    for data, refusal in forgeries:
        before = len(fake.bot_messages(MEMBER_TG))
        forged = fake.press(member, claimed, data)
        said = await _settle(fake, MEMBER_TG, before)
        assert said["text"] == refusal and len(fake.bot_messages(MEMBER_TG)) == before + 1
        answers = await fake.wait_for(lambda u=forged: _answers(fake, u), what="an answer")
        assert [a.params.get("text") for a in answers] == [None]  # the spinner stops
    assert payments_of(db) == [(payment_id, "transfer", "claimed", DUES)]
    assert len(fake.calls_to("sendMessage")) == sends_before + 2  # the two refusals, no more

    # The worker brings the claim to the secretary, with the two buttons.
    await _drain(telegram, clock)
    notice, confirm = _with_button(fake, SECRETARY_TG, fee_texts.BTN_CONFIRM)
    assert notice["text"] == claim_text(fee_texts.CLAIM_TO_COLLECTOR, clock, claimed_at)
    assert [b["text"] for b in _buttons(notice)] == [fee_texts.BTN_CONFIRM, fee_texts.BTN_REJECT]
    assert confirm["callback_data"].endswith(f"fee_ok:{payment_id}")
    done = await _press(fake, secretary, fee_texts.BTN_CONFIRM, expect="Đã xác nhận")
    assert done["text"] == fee_texts.CONFIRM_DONE.format(amount=format_vnd(DUES))
    assert payments_of(db) == [(payment_id, "transfer", "confirmed", DUES)]
    pressed = next(
        m for m in fake.bot_messages(SECRETARY_TG) if m["message_id"] == notice["message_id"]
    )
    assert "reply_markup" not in pressed  # the buttons went with the answer
    # A second press of the same button (a double tap, another device) decides nothing again.
    before = len(fake.bot_messages(SECRETARY_TG))
    fake.press(secretary, notice, confirm["callback_data"])
    again = await _settle(fake, SECRETARY_TG, before)
    assert again["text"] == fee_texts.CLAIM_DECIDED

    await _drain(telegram, clock)
    receipt = await fake.wait_for_message(MEMBER_TG, confirmed_text(clock, core))
    assert receipt["text"] == confirmed_text(clock, core)
    page = await _send(fake, member, "/dangphi", expect=fee_texts.PAGE_TITLE.split("{")[0])
    assert paid_line(clock) in page["text"] and owed_line(clock) not in page["text"]
    assert _buttons(page) == []
    assert fee_rows(db) == [
        ("fee_claim", str(SECRETARY_TG), "sent"),
        ("fee_receipt", str(MEMBER_TG), "sent"),
    ]


# -- Zalo ---------------------------------------------------------------------------------------
SECRETARY_ZL, MEMBER_ZL = "zl-fee-an", "zl-fee-cuong"


class ZaloBot:
    """The bot polling the fake Zalo server (the real `poll_forever` and `ZaloClient`)."""

    def __init__(self, fake: FakeZalo, app: App) -> None:
        self.fake, self.app = fake, app

    async def say(self, user_id: str, text: str) -> str:
        """One text from `user_id`; the bot's texts in answer, joined, once it was handled."""
        before = len(self.fake.sent(user_id))
        update = text_update(user_id, text)
        self.fake.push(update)
        await self.fake.settled(update["message"]["message_id"])
        return "\n---\n".join(self.fake.sent(user_id)[before:])

    async def deliver(self, clock: FakeClock) -> None:
        """The real Zalo worker, built as `sotay run` builds it, sends every pending row."""
        stats = await drain_as_run(self.app, "zalo", clock)
        assert stats.sent > 0 and stats.failed_final == stats.rejected == stats.blocked == 0

    def sends(self, user_id: str) -> list[str]:
        """What reached the chat, in order: sendMessage and sendPhoto calls that succeeded."""
        return [
            c.method
            for c in self.fake.calls
            if c.method in ("sendMessage", "sendPhoto")
            and c.status == 200
            and c.payload.get("chat_id") == user_id
        ]


@pytest.fixture(params=["public_url", "no_public_url"])
async def zalo(
    request: pytest.FixtureRequest,
    fake_zalo: FakeZalo,
    demo: Database,
    core: Core,
    clock: FakeClock,
) -> AsyncIterator[ZaloBot]:
    set_up_fees(demo, clock)
    extra = {"public_base_url": BASE} if request.param == "public_url" else {}
    app = App(settings=zalo_settings(fake_zalo, **extra), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield ZaloBot(fake_zalo, app)


async def test_a_member_pays_by_qr_on_zalo_and_the_secretary_confirms_by_digit(
    zalo: ZaloBot, core: Core, clock: FakeClock
) -> None:
    fake, db = zalo.fake, zalo.app.db
    public = zalo.app.settings.public_base_url is not None
    for user, code in ((SECRETARY_ZL, "DV001"), (MEMBER_ZL, "DV003")):
        welcome = await zalo.say(user, invite(db, clock, code))
        assert welcome.startswith(texts.WELCOME_LINKED.split("{")[0]), welcome

    page = await zalo.say(MEMBER_ZL, "/dangphi")
    assert owed_line(clock) in page and page.endswith(texts.OPTION_HINT), page
    sends_before = len(zalo.sends(MEMBER_ZL))
    asked = await zalo.say(MEMBER_ZL, digit_of(page, fee_texts.BTN_TRANSFER))
    details, question = asked.split("\n---\n")
    assert details == expected_details(db, clock)
    assert question.startswith(fee_texts.ASK_TRANSFERRED.format(amount=format_vnd(DUES)))
    assert texts.ZALO_FILE_UNAVAILABLE.split("“")[0] not in asked
    photos = fake.calls_to("sendPhoto")
    if public:
        # The text, the QR by URL, then the question with its numbers last.
        assert zalo.sends(MEMBER_ZL)[sends_before:] == ["sendMessage", "sendPhoto", "sendMessage"]
        (photo,) = photos
        url = photo.payload["photo"]
        assert photo.payload["chat_id"] == MEMBER_ZL and url.startswith(f"{BASE}/files/")
        # What `sotay serve` mounts with PUBLIC_BASE_URL, under a real uvicorn.
        async with (
            serving(create_web_app([PublicFiles(db)])) as served,
            httpx.AsyncClient() as http,
        ):
            got = await http.get(served + url.removeprefix(BASE))
        assert got.status_code == 200 and got.headers["content-type"] == public_files.PNG
        assert_vietqr(got.content, clock)
        assert stored_files(db) == 1
    else:
        assert photos == [] and zalo.sends(MEMBER_ZL)[sends_before:] == ["sendMessage"] * 2
        assert stored_files(db) == 0  # nothing published that nobody could fetch

    claimed = await zalo.say(MEMBER_ZL, digit_of(question, fee_texts.BTN_TRANSFERRED))
    assert claimed == fee_texts.CLAIM_SENT.format(amount=format_vnd(DUES))
    claimed_at = format_vn_datetime(clock(), core.config.tz)
    ((payment_id, method, status, amount),) = payments_of(db)
    assert (method, status, amount) == ("transfer", "claimed", DUES)
    # A digit from the member answers nothing now: the claim's options are the collector's.
    assert await zalo.say(MEMBER_ZL, "1") == texts.NOTHING_TO_ANSWER
    assert payments_of(db) == [(payment_id, "transfer", "claimed", DUES)]

    await zalo.deliver(clock)
    notice = fake.sent(SECRETARY_ZL)[-1]
    options = f"1. {fee_texts.BTN_CONFIRM}\n2. {fee_texts.BTN_REJECT}\n{texts.OPTION_HINT}"
    text = claim_text(fee_texts.CLAIM_TO_COLLECTOR, clock, claimed_at)
    assert notice == f"{text}\n\n{options}"
    done = await zalo.say(SECRETARY_ZL, digit_of(notice, fee_texts.BTN_CONFIRM))
    assert done == fee_texts.CONFIRM_DONE.format(amount=format_vnd(DUES))
    assert payments_of(db) == [(payment_id, "transfer", "confirmed", DUES)]
    assert await zalo.say(SECRETARY_ZL, "1") == texts.NOTHING_TO_ANSWER  # offered once only

    await zalo.deliver(clock)
    assert fake.sent(MEMBER_ZL)[-1] == confirmed_text(clock, core)
    page = await zalo.say(MEMBER_ZL, "/dangphi")
    assert paid_line(clock) in page and owed_line(clock) not in page
    assert texts.OPTION_HINT not in page  # nothing left to pay: no choices
    assert fee_rows(db) == [
        ("fee_claim", SECRETARY_ZL, "sent"),
        ("fee_receipt", MEMBER_ZL, "sent"),
    ]


# -- the terminal -------------------------------------------------------------------------------
def choose(chat: ChatDriver, label: str) -> str:
    """The digit the terminal prints before `label` among the chat's current options."""
    labels = [option.label for option in chat.options()]
    assert label in labels, labels
    return str(labels.index(label) + 1)


def dues_todo(clock: FakeClock) -> str:
    return fee_texts.TODO_DUES.format(month=month_of(clock)[0], amount=format_vnd(DUES))


def test_a_member_pays_through_the_portal_in_the_terminal_and_the_secretary_confirms(
    demo: Database, core: Core, chat_as: ChatAs, clock: FakeClock, tmp_path: Path
) -> None:
    set_up_fees(demo, clock)
    member, secretary = chat_as("DV003"), chat_as("DV001")

    member.send("/nhiemvu")
    assert dues_todo(clock) in member.text, member.text
    member.send("/dangphi")
    assert owed_line(clock) in member.text
    member.send(choose(member, fee_texts.BTN_PORTAL))
    assert member.text == fee_texts.ASK_RECEIPT.format(amount=format_vnd(DUES))
    member.send(choose(member, fee_texts.BTN_NO_RECEIPT))
    assert member.text == fee_texts.CLAIM_SENT.format(amount=format_vnd(DUES))
    claimed_at = format_vn_datetime(clock(), core.config.tz)
    ((payment_id, method, status, amount),) = payments_of(demo)
    assert (method, status, amount) == ("portal", "claimed", DUES)
    member.send("/nhiemvu")  # claimed: nothing more to pay while the collector checks
    assert dues_todo(clock) not in member.text

    # `sotay chat --as DV001`: the claim is shown at the prompt with its options; "1" confirms.
    out = io.StringIO()
    run_chat(core, demo, "DV001", stdin=io.StringIO("1\n"), stdout=out, files_dir=tmp_path)
    shown = out.getvalue()
    text = claim_text(fee_texts.CLAIM_TO_COLLECTOR_PORTAL, clock, claimed_at)
    assert shown.count(text) == 1 and shown.index(text) < shown.index("> 1")
    assert f"1. {fee_texts.BTN_CONFIRM}" in shown and f"2. {fee_texts.BTN_REJECT}" in shown
    assert fee_texts.CONFIRM_DONE.format(amount=format_vnd(DUES)) in shown
    assert payments_of(demo) == [(payment_id, "portal", "confirmed", DUES)]
    assert secretary.send("1").replies[0].text == texts.NOTHING_TO_ANSWER

    # `sotay chat --as DV003`: the confirmation, then the list and the page agree.
    out = io.StringIO()
    stdin = io.StringIO("/nhiemvu\n/dangphi\n")
    run_chat(core, demo, "DV003", stdin=stdin, stdout=out, files_dir=tmp_path)
    shown = out.getvalue()
    assert shown.index(confirmed_text(clock, core)) < shown.index("> /nhiemvu")
    assert dues_todo(clock) not in shown
    assert paid_line(clock) in shown
    assert fee_rows(demo) == [
        ("fee_claim", secretary.user_id, "sent"),
        ("fee_receipt", member.user_id, "sent"),
    ]
