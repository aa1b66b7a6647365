"""/bantin and /bantin_quanly end to end in the terminal chat, on SQLite and PostgreSQL:
posting with every step, bad input at each step, /huy mid-flow, reading and opening, pushing
once, withdrawing, forged and stale buttons, refusals for members and secretaries, and the
search finding a bulletin typed without diacritics."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from bot.channels import numbered
from handlers.messages import Incoming, IncomingFile, Response
from models import Bulletin, Database, Delivery
from services import texts
from services.bulletins import posting
from services.bulletins import texts as bulletin_texts
from services.bulletins.rules import OPEN, PUSH_KIND
from services.errors import Forbidden, UserError
from services.identities import find_member
from services.orgwrite import set_committee_units
from tests.bulletins.conftest import (
    OUTSIDER_MEMBER,
    Chat,
    actor,
    base_id,
    member_id,
    other_base_id,
    top_id,
)
from tests.support import ChatDriver, FakeClock, state_of

TITLE = "Hướng dẫn học tập chuyên đề năm 2026"
TEXT = "Các chi bộ tổ chức học tập chuyên đề trong kỳ sinh hoạt tháng Mười hai."
LINK = "https://baoquangninh.example.vn/chuyen-de-2026"


def send_file(chat: ChatDriver, upload: IncomingFile, caption: str | None = None) -> Response:
    chat.last = chat.core.handle(
        Incoming(
            channel=chat.channel,
            chat_id=chat.user_id,
            user_id=chat.user_id,
            text=caption,
            file=upload,
            numbered=numbered(chat.channel),
        )
    )
    return chat.last


def bulletins(db: Database) -> list[Bulletin]:
    with db.session() as session:
        return list(session.exec(select(Bulletin).order_by(col(Bulletin.id))))


def deliveries(db: Database, kind: str) -> list[Delivery]:
    with db.session() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind)))


def post_through_chat(committee: ChatDriver, *, photo: bool = False, push: bool = False) -> None:
    committee.send("/bantin_quanly")
    committee.press(bulletin_texts.BTN_NEW)
    assert "tiêu đề" in committee.text
    committee.send(TITLE)
    committee.send(TEXT)
    assert bulletin_texts.ASK_FILE in committee.text
    if photo:
        send_file(committee, IncomingFile(kind="photo", file_id="photo-123", size=200_000))
        assert bulletin_texts.FILE_ATTACHED.format(name="photo") in committee.text
    else:
        committee.press(bulletin_texts.BTN_NO_FILE)
    committee.send(LINK)
    assert TITLE in committee.text and LINK in committee.text
    committee.press(bulletin_texts.BTN_POST)
    assert "Đã đăng bản tin" in committee.text
    committee.press(bulletin_texts.BTN_PUSH if push else bulletin_texts.BTN_NO_PUSH)


def test_a_committee_posts_and_every_member_under_it_reads_it(org: Database, chat_as: Chat) -> None:
    committee = chat_as("DV016")
    post_through_chat(committee, photo=True)
    assert bulletin_texts.NOT_PUSHED in committee.text
    [bulletin] = bulletins(org)
    assert (bulletin.title, bulletin.link, bulletin.file_kind) == (TITLE, LINK, "photo")
    assert deliveries(org, PUSH_KIND) == []  # listed, not pushed

    for code in ("DV003", "DV010"):  # both cells under the base organisation
        member = chat_as(code)
        member.send("/bantin")
        assert bulletin_texts.LIST_HEAD.format(count=1) in member.text
        member.press(TITLE[:20])
        assert TEXT in member.text and LINK in member.text
        assert "Chi bộ" not in member.text.split("\n")[1]  # the source is the base organisation
        assert "Đảng bộ Sở Giáo dục" in member.text
    # The photo came through the outbox, to each reader alone.
    files = deliveries(org, "bulletin_file")
    assert len(files) == 2 and all(d.payload["file"]["ref"] == "photo-123" for d in files)

    outsider = chat_as(OUTSIDER_MEMBER)
    outsider.send("/bantin")
    assert outsider.text == bulletin_texts.LIST_EMPTY


def test_bad_input_at_each_step_is_said_and_asked_again(org: Database, chat_as: Chat) -> None:
    committee = chat_as("DV016")
    committee.send("/bantin_quanly")
    committee.press(bulletin_texts.BTN_NEW)
    committee.send("ab")
    assert bulletin_texts.TITLE_TOO_SHORT in committee.text
    committee.send("x" * 151)
    assert "Tiêu đề dài quá (151 ký tự)" in committee.text
    committee.send(TITLE)
    committee.send("y" * 2001)
    assert "Nội dung dài quá (2001 ký tự)" in committee.text
    committee.send(TEXT)
    send_file(committee, IncomingFile(kind="sticker", file_id="st"))
    assert bulletin_texts.BAD_FILE_KIND in committee.text
    send_file(
        committee,
        IncomingFile(
            kind="document", file_id="d", name="virus.exe", mime="application/x-msdownload"
        ),
    )
    assert bulletin_texts.BAD_FILE_KIND in committee.text
    send_file(committee, IncomingFile(kind="document", file_id="d", name="a.pdf", size=30 << 20))
    assert bulletin_texts.FILE_TOO_BIG.format(limit=20) in committee.text
    send_file(committee, IncomingFile(kind="document", file_id="doc-1", name="Kế hoạch.pdf"))
    assert bulletin_texts.FILE_ATTACHED.format(name="Kế hoạch.pdf") in committee.text
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "baoquangninh", "https://a b.vn"):
        committee.send(bad)
        assert bulletin_texts.BAD_LINK in committee.text, bad
    committee.send("https://user:secret@example.vn/x")
    assert bulletin_texts.BAD_LINK in committee.text
    committee.press(bulletin_texts.BTN_NO_LINK)
    assert "Kèm tệp: Kế hoạch.pdf" in committee.text
    committee.press(bulletin_texts.BTN_CANCEL)
    assert committee.text == bulletin_texts.NOT_POSTED
    assert bulletins(org) == []


def test_huy_mid_flow_writes_nothing(org: Database, chat_as: Chat) -> None:
    committee = chat_as("DV016")
    committee.send("/bantin_quanly")
    committee.press(bulletin_texts.BTN_NEW)
    committee.send(TITLE)
    committee.send("/huy")
    assert committee.text == texts.CANCELLED
    assert bulletins(org) == []
    assert state_of(org, committee).flow is None


def test_members_and_secretaries_may_not_manage_bulletins(org: Database, chat_as: Chat) -> None:
    for code in ("DV003", "DV001"):
        person = chat_as(code)
        person.send("/bantin_quanly")
        assert person.text == texts.FORBIDDEN_COMMITTEE


def test_a_push_goes_out_once_and_its_button_opens_the_bulletin(
    org: Database, chat_as: Chat
) -> None:
    readers = [chat_as(code) for code in ("DV003", "DV010", "DV011")]
    committee = chat_as("DV016")
    post_through_chat(committee, push=True)
    assert "bản tin" in committee.text
    pushed = deliveries(org, PUSH_KIND)
    with org.session() as session:
        linked = {member_id(session, code) for code in ("DV003", "DV010", "DV011")}
    assert {d.member_id for d in pushed} == linked  # the linked members under the unit
    [bulletin] = bulletins(org)
    assert bulletin.pushed_at is not None
    # From the list: no second push on offer, and the service refuses one.
    committee.send("/bantin_quanly")
    committee.press(bulletin_texts.BTN_MINE)
    committee.press(TITLE[:20])
    assert bulletin_texts.BULLETIN_PUSHED.split("lúc")[0] in committee.text
    assert all(o.label != bulletin_texts.BTN_PUSH for o in committee.options())
    with org.session() as session, pytest.raises(UserError) as refused:
        posting.push(session, actor(session, "DV016"), bulletin.id or 0, now=bulletin.posted_at)
    assert refused.value.message == bulletin_texts.ALREADY_PUSHED
    assert len(deliveries(org, PUSH_KIND)) == 3
    # The pushed notice's button opens it for a reader.
    reader = readers[0]
    reader.press_payload(pushed[0].payload["options"][0]["id"])
    assert TEXT in reader.text


def test_forged_and_stale_buttons_change_nothing(org: Database, chat_as: Chat) -> None:
    committee = chat_as("DV016")
    post_through_chat(committee)
    [bulletin] = bulletins(org)
    with org.session() as session:
        elsewhere = posting.post(
            session,
            actor(session, "DV017"),
            posting.Draft(other_base_id(session), "Tin của Sở Y tế", "Nội dung riêng của Sở."),
            now=bulletin.posted_at,
        )
        elsewhere_id = elsewhere.id
    member = chat_as("DV003")
    member.press_payload(OPEN(elsewhere_id or 0))  # another unit's bulletin
    assert member.text == bulletin_texts.GONE
    member.press_payload("bt_open:abc")
    assert texts.STALE_BUTTON in (member.last.notice or member.text)
    member.press_payload(OPEN(99999))
    assert member.text == bulletin_texts.GONE
    # A flow button from an older prompt is stale.
    member.send("/bantin")
    old = member.option(TITLE[:20]).payload
    member.press(bulletin_texts.BTN_CLOSE)
    member.send("/bantin")
    member.press_payload(old.replace(old.split(":")[1], f"b{elsewhere_id}"))
    assert texts.STALE_BUTTON in (member.last.notice or member.text)
    # The committee of the other base organisation cannot reach this one's bulletin.
    outsider = chat_as("DV017")
    outsider.send("/bantin_quanly")
    outsider.press(bulletin_texts.BTN_MINE)
    assert TITLE not in outsider.text


def test_withdrawal_hides_it_and_only_the_author_withdraws(
    org: Database, chat_as: Chat, clock: FakeClock
) -> None:
    committee = chat_as("DV016")
    post_through_chat(committee)
    [bulletin] = bulletins(org)
    member = chat_as("DV003")
    member.send("/bantin")
    opened = member.option(TITLE[:20]).payload

    with org.session() as session:  # a second committee member of the same base
        found = find_member(session, "DV015")
        assert found is not None
        set_committee_units(session, found, {base_id(session)})
    colleague = chat_as("DV015")
    colleague.send("/bantin_quanly")
    colleague.press(bulletin_texts.BTN_MINE)
    colleague.press(TITLE[:20])
    assert all(o.label != bulletin_texts.BTN_WITHDRAW for o in colleague.options())
    with org.session() as session:
        try:
            posting.withdraw(session, actor(session, "DV015"), bulletin.id or 0, now=clock())
        except Forbidden as refused:
            assert refused.message == bulletin_texts.NOT_YOURS
        else:
            raise AssertionError("a colleague withdrew someone else's bulletin")

    committee.send("/bantin_quanly")
    committee.press(bulletin_texts.BTN_MINE)
    committee.press(TITLE[:20])
    committee.press(bulletin_texts.BTN_WITHDRAW)
    committee.press(bulletin_texts.BTN_CONFIRM_WITHDRAW)
    assert bulletin_texts.WITHDRAWN.format(title=TITLE) in committee.text
    assert bulletins(org)[0].withdrawn_at is not None

    member.press_payload(opened)  # the list shown before the withdrawal
    assert bulletin_texts.GONE in member.text
    member.press_payload(OPEN(bulletin.id or 0))
    assert member.text == bulletin_texts.GONE
    member.send("/bantin")
    assert member.text == bulletin_texts.LIST_EMPTY


def test_search_finds_a_bulletin_typed_without_diacritics(
    org: Database, chat_as: Chat, clock: FakeClock
) -> None:
    committee = chat_as("DV016")
    post_through_chat(committee)
    member = chat_as("DV010")
    member.send("/timkiem huong dan hoc tap chuyen de")
    assert "Bản tin" in member.text and TITLE in member.text
    outsider = chat_as(OUTSIDER_MEMBER)
    outsider.send("/timkiem huong dan hoc tap chuyen de")
    assert TITLE not in outsider.text
    # Withdrawn, it is found no more (the index is refreshed from `updated_at`).
    [bulletin] = bulletins(org)
    with org.session() as session:
        posting.withdraw(session, actor(session, "DV016"), bulletin.id or 0, now=clock())
    clock.advance(minutes=1)
    member.send("/timkiem huong dan hoc tap chuyen de")
    assert TITLE not in member.text


def test_an_admin_posts_for_the_top_unit(org: Database, chat_as: Chat) -> None:
    from services.orgwrite import grant_admin

    with org.session() as session:
        found = find_member(session, "DV001")
        assert found is not None
        grant_admin(session, found)
        top = top_id(session)
    admin = chat_as("DV001")
    admin.send("/bantin_quanly")
    admin.press(bulletin_texts.BTN_NEW)
    assert bulletin_texts.ASK_TITLE.split("(")[0] in admin.text  # one unit: asked no unit
    admin.send(TITLE)
    admin.send(TEXT)
    admin.press(bulletin_texts.BTN_NO_FILE)
    admin.press(bulletin_texts.BTN_NO_LINK)
    admin.press(bulletin_texts.BTN_POST)
    admin.press(bulletin_texts.BTN_NO_PUSH)
    [bulletin] = bulletins(org)
    assert bulletin.unit_id == top
    outsider = chat_as(OUTSIDER_MEMBER)  # under the top unit too
    outsider.send("/bantin")
    assert bulletin_texts.LIST_HEAD.format(count=1) in outsider.text
