"""Bulletins end to end on each channel: Telegram and Zalo through their real clients against
the fake Bot API servers on 127.0.0.1, over the app's core and a real database (SQLite and
PostgreSQL, the `demo` fixture).

On Telegram the committee (DV016) posts with buttons and pushes the bulletin; the real delivery
worker brings the notice to DV003 with "Đọc bản tin", which opens it; a forged `bt_open` for a
bulletin of another unit says it is gone. On Zalo the member opens `/bantin` and picks the
bulletin by typing its digit, then opens the pushed notice by its digit too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from handlers.core import Core
from models import Database
from services import texts
from services.bulletins import posting
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import OPEN
from services.vndate import DEFAULT_TZ, format_vn_date
from tests.bulletins.conftest import OUTSIDER, actor, base_id, other_base_id
from tests.channels import zalo_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.fees.test_fees_channels import ZaloBot
from tests.support import FakeClock
from tests.test_month_telegram import _drain, _press, _send, _with_button
from tests.test_telegram_e2e import FAST, Harness, _polling
from tests.test_zalo_polling import digit_of, invite, zalo_settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TITLE = "Hướng dẫn học tập chuyên đề năm 2026"
TEXT = "Các chi bộ tổ chức học tập chuyên đề trong kỳ sinh hoạt tháng Mười hai."
COMMITTEE_TG, MEMBER_TG = 6316, 6303


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_on_telegram_a_committee_posts_and_pushes_and_the_member_opens_it(
    telegram: Harness, org: Database, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    committee = fake.user(COMMITTEE_TG, "Thảo", "Phan")
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    await telegram.link(committee, "DV016")
    await telegram.link(member, "DV003")

    await _send(fake, committee, "/bantin_quanly", expect=bulletin_texts.MANAGE_MENU)
    await _press(fake, committee, bulletin_texts.BTN_NEW, expect="tiêu đề")
    await _send(fake, committee, TITLE, expect="nội dung")
    await _send(fake, committee, TEXT, expect=bulletin_texts.ASK_FILE)
    await _press(fake, committee, bulletin_texts.BTN_NO_FILE, expect=bulletin_texts.ASK_LINK)
    preview = await _press(fake, committee, bulletin_texts.BTN_NO_LINK, expect=TITLE)
    assert TEXT in preview["text"]
    await _press(fake, committee, bulletin_texts.BTN_POST, expect=bulletin_texts.ASK_PUSH)
    await _press(fake, committee, bulletin_texts.BTN_PUSH, expect="bản tin")

    await _drain(telegram, clock)
    notice, _button = _with_button(fake, MEMBER_TG, bulletin_texts.BTN_OPEN)
    assert notice["text"].startswith(f"📰 Bản tin mới: {TITLE}")
    opened = await _press(fake, member, bulletin_texts.BTN_OPEN, expect=TEXT)
    assert opened["text"].startswith(f"📰 {TITLE}")

    with db.session() as session:  # another base organisation's bulletin, forged for DV003
        elsewhere = posting.post(
            session,
            actor(session, OUTSIDER),
            posting.Draft(other_base_id(session), "Tin của Sở Y tế", "Nội dung riêng của Sở."),
            now=clock(),
        )
        forged = OPEN(elsewhere.id or 0)
    count = len(fake.bot_messages(MEMBER_TG))
    fake.press(member, notice, forged)
    await fake.wait_for(lambda: len(fake.bot_messages(MEMBER_TG)) > count, what="a refusal")
    assert fake.texts(MEMBER_TG)[-1] == bulletin_texts.GONE


@pytest.fixture
async def zalo(fake_zalo: FakeZalo, demo: Database, core: Core) -> AsyncIterator[ZaloBot]:

    app = App(settings=zalo_settings(fake_zalo), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield ZaloBot(fake_zalo, app)


async def test_on_zalo_a_member_reads_by_digits_and_opens_the_pushed_notice(
    zalo: ZaloBot, clock: FakeClock
) -> None:
    db = zalo.app.db
    member = "zl-bantin-cuong"
    welcome = await zalo.say(member, invite(db, clock, "DV003"))
    assert welcome.startswith(texts.WELCOME_LINKED.split("{")[0]), welcome
    with db.session() as session:
        bulletin = posting.post(
            session,
            actor(session, "DV016"),
            posting.Draft(base_id(session), TITLE, TEXT),
            now=clock(),
        )
        posting.push(session, actor(session, "DV016"), bulletin.id or 0, now=clock())

    listed = await zalo.say(member, "/bantin")
    assert listed.startswith(bulletin_texts.LIST_HEAD.format(count=1)), listed
    day = format_vn_date(clock().astimezone(DEFAULT_TZ).date())
    read = await zalo.say(member, digit_of(listed, f"{day} · {TITLE}"))
    assert read.startswith(f"📰 {TITLE}") and TEXT in read
    closed = await zalo.say(member, digit_of(read, bulletin_texts.BTN_CLOSE))
    assert closed == bulletin_texts.BYE

    await zalo.deliver(clock)
    notice = zalo.fake.sent(member)[-1]
    assert notice.startswith(f"📰 Bản tin mới: {TITLE}")
    opened = await zalo.say(member, digit_of(notice, bulletin_texts.BTN_OPEN))
    assert opened.startswith(f"📰 {TITLE}") and TEXT in opened
