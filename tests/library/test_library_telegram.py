"""The library over the real python-telegram-bot against the fake Bot API on 127.0.0.1, on
SQLite and PostgreSQL: a committee member uploads a PDF and publishes it; a member opens it,
asks for the file (the real delivery worker re-sends it by the file id Telegram gave the
upload, no bytes through us) and saves it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from handlers.core import Core
from models import Database, Delivery
from services.library import texts as library_texts
from services.library.rules import DELIVERY_KIND
from tests.fake_telegram import FakeTelegram
from tests.library.conftest import documents
from tests.support import FakeClock
from tests.test_month_telegram import _drain, _press, _send, _settle
from tests.test_telegram_e2e import FAST, Harness, _polling

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

COMMITTEE_TG, MEMBER_TG = 7116, 7103
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_publish_open_get_the_file_and_save_on_telegram(
    telegram: Harness, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    committee = fake.user(COMMITTEE_TG, "Thảo", "Phan")
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    await telegram.link(committee, "DV016")
    await telegram.link(member, "DV003")

    await _send(fake, committee, "/tailieu_quanly", expect="Quản lý tủ sách")
    await _press(fake, committee, library_texts.BTN_PUBLISH, expect=library_texts.ASK_KIND)
    await _press(fake, committee, "Quy định", expect="Số hiệu")
    for answer, expect in (
        ("366-QĐ/TW", "Ngày ban hành"),
        ("15/03/2025", "Cơ quan ban hành"),
        ("Ban Chấp hành Trung ương", "Trích yếu"),
        ("Về kiểm điểm, đánh giá, xếp loại chất lượng", "Tóm tắt"),
        ("Đánh giá theo quý, năm và nhiệm kỳ, thang 100 điểm.", "Gửi tệp"),
    ):
        await _send(fake, committee, answer, expect=expect)
    # The upload, as Telegram delivers a document: a file id, a name, a type, a size.
    issued = fake._file_ids("Quy định 366.pdf", PDF)
    update = fake.message_update(committee, "")
    message = update["message"]
    del message["text"]
    message["document"] = {
        **issued,
        "file_name": "Quy định 366.pdf",
        "mime_type": "application/pdf",
        "file_size": len(PDF),
    }
    before = len(fake.bot_messages(COMMITTEE_TG))
    fake.queue(update)
    await _settle(fake, COMMITTEE_TG, before, expect="Xem lại trước khi đăng")
    await _press(fake, committee, library_texts.BTN_CONFIRM, expect="Đã đăng")
    (doc,) = documents(db)
    assert (doc.file_ref, doc.file_channel) == (issued["file_id"], "telegram")

    await _send(fake, member, "/tailieu", expect="Tủ sách")
    await _press(fake, member, library_texts.BTN_NEWEST, expect="Văn bản mới nhất")
    card = await _press(fake, member, "366-QĐ/TW", expect="Quy định số 366-QĐ/TW")
    assert "Ban Chấp hành Trung ương" in card["text"]
    await _press(fake, member, library_texts.BTN_FILE, expect="Đang gửi tệp")
    await _drain(telegram, clock)
    (sent,) = [c for c in fake.calls_to("sendDocument") if c.chat_id() == MEMBER_TG]
    assert sent.params["document"] == issued["file_id"]  # re-sent by id, not uploaded
    assert sent.result["document"]["file_name"] == "Quy định 366.pdf"
    await _press(fake, member, library_texts.BTN_SAVE, expect=library_texts.SAVED)
    await _send(fake, member, "/tailieu", expect="Tủ sách")
    saved = await _press(fake, member, library_texts.BTN_SAVED, expect="đã lưu (1)")
    assert "366-QĐ/TW" in str(saved.get("reply_markup"))
    with db.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == DELIVERY_KIND)).all()
        assert [r.status for r in rows] == ["sent"]
