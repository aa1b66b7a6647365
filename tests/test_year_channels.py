"""Issue 14's modules end to end on Telegram and Zalo: the real clients against the fake Bot API
servers on 127.0.0.1, over the app's core and a real database (SQLite and PostgreSQL).

On Telegram, DV003 writes the year's pledge (`/lamtheo`, two commitments, "Gửi"), the secretary
approves it with buttons (`/hoctap_duyet`), the delivery worker brings DV003 the decision; DV003
reports progress on a task (`/baocao`: "50%", one line) and reads the year's assessment
(`/danhgia`, the year's button). On Zalo, where options are typed digits, DV003 reads this
month's study topic and the pledge's state, and the secretary reads the task table
(`/giamsat`) with DV003's report in it. The flows' every branch is tested in the terminal
(tests/study, tests/supervision, tests/assessment); here, that each channel carries them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.app import App
from handlers.core import Core
from models import Database, Member, StudyPledge, Task, TaskReport, Unit
from services.assessment import texts as assessment_texts
from services.auth import load_actor
from services.identities import find_member
from services.study import topics
from services.study.rules import APPROVED, DEFAULT_STUDY_RULES
from tests.channels import zalo_polling
from tests.fake_telegram import FakeTelegram
from tests.fake_zalo import FakeZalo
from tests.fees.test_fees_channels import ZaloBot
from tests.support import FakeClock
from tests.test_month_telegram import _drain, _press, _send
from tests.test_telegram_e2e import FAST, Harness, _polling
from tests.test_zalo_polling import digit_of, invite, zalo_settings

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

ONE = "Mỗi tuần dành một buổi giúp đỡ học sinh khó khăn."
TWO = "Tiết kiệm điện, nước và văn phòng phẩm ở cơ quan."
TASK = "Vận động đóng góp quỹ khuyến học"
TOPIC = "Học tập phong cách quần chúng của Bác"


def post_topic(db: Database, clock: FakeClock) -> None:
    """This month's topic, posted by the committee above DV003's cell (DV016)."""
    with db.session() as session:
        committee = find_member(session, "DV016")
        member = find_member(session, "DV003")
        assert committee is not None and member is not None
        cell = session.get(Unit, member.cell_id)
        assert cell is not None and cell.parent_id is not None
        topics.post_topic(
            session,
            load_actor(session, committee),
            cell.parent_id,
            DEFAULT_STUDY_RULES.month(clock()),
            topics.TopicDraft(
                TOPIC,
                "Gần dân, hiểu dân, học dân, có trách nhiệm với dân.",
                ("Đồng chí đã gần dân thế nào?",),
            ),
            now=clock(),
        )


def give_task(db: Database, clock: FakeClock) -> int:
    """A task of DV003's cell, due in ten days."""
    with db.session() as session:
        member = find_member(session, "DV003")
        assert member is not None and member.id is not None
        task = Task(
            cell_id=member.cell_id,
            title=TASK,
            owner_member_id=member.id,
            due_on=(clock() + timedelta(days=10)).date(),
            created_at=clock(),
            updated_at=clock(),
        )
        session.add(task)
        session.flush()
        assert task.id is not None
        return task.id


def pledge_status(db: Database) -> str | None:
    with db.session() as session:
        member = session.exec(select(Member).where(Member.code == "DV003")).one()
        pledge = session.exec(select(StudyPledge).where(StudyPledge.member_id == member.id)).first()
        return None if pledge is None else pledge.status


# -- Telegram -----------------------------------------------------------------------------------
SECRETARY_TG, MEMBER_TG = 6401, 6403


@pytest.fixture
async def telegram(
    fake_telegram: FakeTelegram, demo: Database, core: Core, clock: FakeClock
) -> AsyncIterator[Harness]:
    async for harness in _polling(fake_telegram, demo, core, clock, FAST):
        yield harness


async def test_on_telegram_a_pledge_is_approved_a_task_reported_and_the_year_read(
    telegram: Harness, clock: FakeClock
) -> None:
    fake, db = telegram.fake, telegram.db
    secretary = fake.user(SECRETARY_TG, "An", "Nguyễn")
    member = fake.user(MEMBER_TG, "Cường", "Lê")
    await telegram.link(secretary, "DV001")
    await telegram.link(member, "DV003")
    task_id = give_task(db, clock)

    await _send(fake, member, "/lamtheo", expect="Việc thứ 1")
    await _send(fake, member, ONE, expect=ONE)
    await _send(fake, member, TWO, expect=TWO)
    await _press(fake, member, "Gửi", expect="Đã gửi bản đăng ký làm theo")

    await _send(fake, secretary, "/hoctap_duyet", expect="Có 1 bản đăng ký")
    await _press(fake, secretary, "Lê Văn Cường", expect=ONE)
    await _press(fake, secretary, "Duyệt", expect="Đã duyệt bản đăng ký")
    assert pledge_status(db) == APPROVED
    before = len(fake.bot_messages(MEMBER_TG))
    await _drain(telegram, clock)
    assert any("đã duyệt" in text for text in fake.texts(MEMBER_TG)[before:])

    await _send(fake, member, "/baocao", expect="bao nhiêu phần trăm")
    await _send(fake, member, "50%", expect="một dòng ngắn")
    await _send(fake, member, "Đã vận động 6 hộ gia đình.", expect="Đã ghi báo cáo")
    with db.session() as session:
        [report] = session.exec(select(TaskReport)).all()
        assert (report.task_id, report.percent) == (task_id, 50)

    year = clock().year
    await _send(fake, member, "/danhgia", expect=assessment_texts.ASK_PERIOD)
    shown = await _press(fake, member, f"Năm {year}", expect="Đánh giá, xếp loại năm")
    assert "Lê Văn Cường" in shown["text"]


# -- Zalo ---------------------------------------------------------------------------------------
SECRETARY_ZL, MEMBER_ZL = "zl-year-an", "zl-year-cuong"


@pytest.fixture
async def zalo(fake_zalo: FakeZalo, demo: Database, core: Core) -> AsyncIterator[ZaloBot]:
    app = App(settings=zalo_settings(fake_zalo), db=demo, core=core)
    async with zalo_polling(fake_zalo, app):
        yield ZaloBot(fake_zalo, app)


async def test_on_zalo_the_topic_the_pledge_and_the_task_table_by_digits(
    zalo: ZaloBot, clock: FakeClock
) -> None:
    db = zalo.app.db
    for user, code in ((SECRETARY_ZL, "DV001"), (MEMBER_ZL, "DV003")):
        welcome = await zalo.say(user, invite(db, clock, code))
        assert "Tài khoản đã được liên kết" in welcome
    give_task(db, clock)
    post_topic(db, clock)

    topic = await zalo.say(MEMBER_ZL, "/hoctap")
    assert TOPIC in topic

    menu = await zalo.say(MEMBER_ZL, "/lamtheo")
    assert "Việc thứ 1" in menu
    await zalo.say(MEMBER_ZL, ONE)
    shown = await zalo.say(MEMBER_ZL, TWO)
    sent = await zalo.say(MEMBER_ZL, digit_of(shown.split("\n---\n")[-1], "Gửi"))
    assert "Đã gửi bản đăng ký làm theo" in sent

    asked = await zalo.say(MEMBER_ZL, "/baocao")
    assert "bao nhiêu phần trăm" in asked
    await zalo.say(MEMBER_ZL, "xong")
    done = await zalo.say(MEMBER_ZL, "Đã nộp danh sách.")
    assert "đã xong" in done

    table = await zalo.say(SECRETARY_ZL, "/giamsat")
    assert TASK in table and "Đã nộp danh sách." in table
