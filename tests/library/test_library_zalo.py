"""The library on Zalo through the real `ZaloClient` and `poll_forever` against the fake Zalo
Bot API on 127.0.0.1, on SQLite and PostgreSQL: numbered menus answered by digits and by words
without diacritics, a document opened, its link given, a Telegram-only file explained, saved."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.app import App
from handlers.core import Core
from models import Database, LibrarySaved
from services.library import texts as library_texts
from tests.channels import zalo_polling
from tests.fake_zalo import FakeZalo, text_update
from tests.library.conftest import Doc, publish_as
from tests.support import FakeClock
from tests.test_zalo_polling import digit_of, invite, zalo_settings

MEMBER_ZL = "zl-lib-cuong"
LINK = "https://tulieu.vn/366.pdf"


@pytest.fixture
async def zalo(fake_zalo: FakeZalo, demo: Database, core: Core) -> AsyncIterator[FakeZalo]:
    app = App(settings=zalo_settings(fake_zalo), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield fake_zalo


async def say(fake: FakeZalo, text: str) -> str:
    before = len(fake.sent(MEMBER_ZL))
    update = text_update(MEMBER_ZL, text)
    fake.push(update)
    await fake.settled(update["message"]["message_id"])
    return "\n---\n".join(fake.sent(MEMBER_ZL)[before:])


async def test_open_get_the_link_and_save_on_zalo(
    zalo: FakeZalo, demo: Database, clock: FakeClock
) -> None:
    publish_as(demo, clock, "DV016", Doc(file_ref=LINK, file_name="Quy định 366.pdf"))
    publish_as(
        demo,
        clock,
        "DV016",
        Doc(number="01-QĐ/TW", file_ref="BQACAgIAAxkBAAIBZ2VxPhi", file_channel="telegram"),
    )
    await say(zalo, invite(demo, clock, "DV003"))
    menu = await say(zalo, "/tailieu")
    assert library_texts.MENU in menu
    listed = await say(zalo, "moi nhat")  # an option's words, without diacritics
    card = await say(zalo, digit_of(listed, f"366-QĐ/TW – {Doc.title}"))
    assert "Quy định số 366-QĐ/TW" in card
    got = await say(zalo, digit_of(card, library_texts.BTN_FILE))
    assert library_texts.FILE_LINK.format(name="Quy định 366.pdf", url=LINK) in got
    saved = await say(zalo, digit_of(got, library_texts.BTN_SAVE))
    assert library_texts.SAVED in saved
    other = await say(zalo, "/tailieu 01-QĐ")
    card = await say(zalo, digit_of(other, f"01-QĐ/TW – {Doc.title}"))
    got = await say(zalo, digit_of(card, library_texts.BTN_FILE))
    assert library_texts.FILE_OTHER_CHANNEL.format(name="01-QĐ/TW", channel="Telegram") in got
    with demo.session() as session:
        assert len(session.exec(select(LibrarySaved)).all()) == 1
