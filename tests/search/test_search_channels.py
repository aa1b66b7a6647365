"""The search end to end on each channel: Telegram and Zalo through their real clients against
the fake Bot API servers on 127.0.0.1, over the app's core and a real database (SQLite and
PostgreSQL, the `demo` fixture).

Why: issue 15 is done when a member on each channel finds a directive without typing
diacritics. The office cell's secretary (DV001) sends a directive about December's meeting
through the directives service; DV003 types "chi thi hop thang 12" as a plain message and
with `/timkiem`, gets the directive with its date and "Xem Chỉ đạo" (a button on Telegram, a
digit on Zalo), and opens it; DV010, of the schools' cell, types the same words and does not
get it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from handlers.core import Core
from models import Database
from services import texts
from services.demo import CELL_OFFICE
from services.search import texts as search_texts
from services.vndate import format_vn_date
from tests.channels import zalo_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.fees.test_fees_channels import ZaloBot
from tests.search.support import direct
from tests.support import FakeClock
from tests.test_month_telegram import _press, _send
from tests.test_telegram_e2e import FAST, Harness, _buttons, _polling
from tests.test_zalo_polling import digit_of, invite, zalo_settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

DIRECTIVE = "Chỉ thị về buổi họp chi bộ tháng 12: chuẩn bị báo cáo tổng kết năm 2026."
WORDS = "chi thi hop thang 12"  # no diacritics, as typed on an old phone
OPEN = search_texts.SEARCH_OPEN.format(label="Chỉ đạo")


def hit_line(core: Core, clock: FakeClock) -> str:
    """The directive's line in the results: number, label, the day it was sent, its title."""
    day = format_vn_date(clock().astimezone(core.config.tz).date())
    return search_texts.SEARCH_HIT.format(n=1, label="Chỉ đạo", date=day, title=DIRECTIVE)


def send_the_directive(db: Database, clock: FakeClock) -> None:
    direct(db, "DV001", CELL_OFFICE, DIRECTIVE, clock())


# -- Telegram -----------------------------------------------------------------------------------
MEMBER_TG, OTHER_CELL_TG = 6303, 6310


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_on_telegram_a_member_finds_the_directive_without_diacritics_and_opens_it(
    telegram: Harness, core: Core, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    other = fake.user(OTHER_CELL_TG, "Lan", "Hồ")
    await telegram.link(member, "DV003")
    await telegram.link(other, "DV010")
    send_the_directive(db, clock)
    header = search_texts.SEARCH_HEADER.format(query=WORDS)

    for typed in (WORDS, f"/timkiem {WORDS}"):
        found = await _send(fake, member, typed, expect=header)
        lines = found["text"].splitlines()
        assert lines[:2] == [header, hit_line(core, clock)], found["text"]
        assert OPEN in [b["text"] for b in _buttons(found)]

    opened = await _press(fake, member, OPEN, expect=DIRECTIVE)
    assert DIRECTIVE in opened["text"]

    for typed in (WORDS, f"/timkiem {WORDS}"):
        elsewhere = await _send(fake, other, typed)
        assert DIRECTIVE not in elsewhere["text"], elsewhere["text"]
        assert OPEN not in [b["text"] for b in _buttons(elsewhere)]


# -- Zalo ---------------------------------------------------------------------------------------
MEMBER_ZL, OTHER_CELL_ZL = "zl-search-cuong", "zl-search-lan"


@pytest.fixture
async def zalo(fake_zalo: FakeZalo, demo: Database, core: Core) -> AsyncIterator[ZaloBot]:
    app = App(settings=zalo_settings(fake_zalo), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield ZaloBot(fake_zalo, app)


async def test_on_zalo_a_member_finds_the_directive_without_diacritics_and_opens_it_by_digit(
    zalo: ZaloBot, core: Core, clock: FakeClock
) -> None:
    db = zalo.app.db
    for user, code in ((MEMBER_ZL, "DV003"), (OTHER_CELL_ZL, "DV010")):
        welcome = await zalo.say(user, invite(db, clock, code))
        assert welcome.startswith(texts.WELCOME_LINKED.split("{")[0]), welcome
    send_the_directive(db, clock)
    header = search_texts.SEARCH_HEADER.format(query=WORDS)

    for typed in (WORDS, f"/timkiem {WORDS}"):
        found = await zalo.say(MEMBER_ZL, typed)
        assert found.splitlines()[:2] == [header, hit_line(core, clock)], found
        assert found.endswith(texts.OPTION_HINT)
    opened = await zalo.say(MEMBER_ZL, digit_of(found, OPEN))
    assert DIRECTIVE in opened

    for typed in (WORDS, f"/timkiem {WORDS}"):
        elsewhere = await zalo.say(OTHER_CELL_ZL, typed)
        assert DIRECTIVE not in elsewhere and OPEN not in elsewhere, elsewhere
