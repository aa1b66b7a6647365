"""/tailieu and /tailieu_quanly end to end in the terminal chat (the app's core, every feature
wired), on SQLite and PostgreSQL: browsing, opening, saving, the file, superseded marks,
paging, typed words; publishing with every check, /huy mid-flow, forged and stale buttons."""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import select

from handlers.messages import Incoming, IncomingFile, Response
from models import ConversationState, Database, Delivery, LibraryDocument, LibrarySaved, Member
from services import texts
from services.demo import CELL_OFFICE
from services.library import texts as library_texts
from services.library.rules import DELIVERY_KIND, OPEN
from services.orgwrite import set_committee_units
from tests.library.conftest import OTHER_COMMITTEE, OTHER_MEMBER, Doc, documents, publish_as
from tests.support import ChatDriver, FakeClock, state_of

Chat = Callable[..., ChatDriver]
TG_FILE = "BQACAgIAAxkBAAIBZ2VxQuyDinh366"


def upload(chat: ChatDriver, file: IncomingFile, caption: str | None = None) -> Response:
    """What a channel hands the core for a file sent in the chat."""
    chat.last = chat.core.handle(
        Incoming(
            channel=chat.channel,
            chat_id=chat.user_id,
            user_id=chat.user_id,
            text=caption,
            file=file,
        )
    )
    return chat.last


def test_browse_open_save_and_find_it_in_saved(
    chat_as: Chat, branch: Database, clock: FakeClock
) -> None:
    doc = publish_as(branch, clock, "DV016")
    member = chat_as("DV003")
    member.send("/tailieu")
    assert member.text == library_texts.MENU
    member.press("Mới nhất")
    assert "(1)" in member.text
    member.press("366-QĐ/TW")
    card = member.text
    assert "Quy định số 366-QĐ/TW" in card and "15/03/2025" in card
    assert "Ban Chấp hành Trung ương" in card and library_texts.NO_FILE in card
    assert "Nhận tệp" not in [o.label for o in member.options()]
    member.press("Lưu")
    assert library_texts.SAVED in member.text
    assert member.option("Bỏ lưu")
    member.press("Bỏ lưu")
    assert library_texts.UNSAVED in member.text
    member.press("⭐ Lưu")
    member.press("Về danh sách")
    member.press("Quay lại")
    member.press("Đã lưu")
    assert "(1)" in member.text and member.option("366-QĐ/TW")
    # Per member: another member has nothing saved.
    other = chat_as("DV004")
    other.send("/tailieu")
    other.press("Đã lưu")
    assert library_texts.EMPTY_SAVED in other.text
    with branch.session() as session:
        rows = session.exec(select(LibrarySaved)).all()
        assert [(r.document_id) for r in rows] == [doc]


def test_by_kind_typed_words_and_paging(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    for n in range(10):
        publish_as(branch, clock, "DV016", Doc(number=f"{n + 1}-HD/ĐU", kind="huong_dan"))
    publish_as(branch, clock, "DV016")
    member = chat_as("DV010")
    member.send("/tailieu")
    member.press("Theo loại")
    member.press("Hướng dẫn")
    assert "Hướng dẫn (10)" in member.text
    labels = [o.label for o in member.options()]
    assert len([label for label in labels if "HD/ĐU" in label]) == 8
    member.press(texts.MORE)
    labels = [o.label for o in member.options()]
    assert len([label for label in labels if "HD/ĐU" in label]) == 2
    assert texts.FLOW_FIRST_PAGE in labels
    # Words typed at a list search the library, without diacritics.
    member.send("quy dinh danh gia")
    assert "1 văn bản" in member.text and member.option("366-QĐ/TW")
    member.send("khong co dau")
    assert library_texts.NOT_FOUND.format(query="khong co dau") in member.text
    member.send("/tailieu 366 qd")
    assert member.option("366-QĐ/TW")


def test_superseded_marks_both_ways(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    publish_as(
        branch, clock, "DV016", Doc(number="124-QĐ/TW", issued_on=Doc.issued_on.replace(year=2018))
    )
    publish_as(branch, clock, "DV016")
    committee = chat_as("DV016")
    committee.send("/tailieu_quanly")
    committee.press("Đánh dấu")
    committee.press("124-QĐ/TW")
    committee.press("366-QĐ/TW")
    assert library_texts.SUPERSEDED.format(old="124-QĐ/TW", new="366-QĐ/TW") in committee.text
    member = chat_as("DV003")
    member.send("/tailieu 124")
    member.press("124-QĐ/TW")
    assert library_texts.SUPERSEDED_BY.format(number="366-QĐ/TW") in member.text
    member.press("Xem văn bản thay thế")
    assert "số 366-QĐ/TW" in member.text
    assert library_texts.REPLACES.format(number="124-QĐ/TW") in member.text
    member.press("Xem văn bản bị thay thế")
    assert "số 124-QĐ/TW" in member.text


def test_publishing_with_every_check(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    committee = chat_as("DV016", "telegram")
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    assert committee.text == library_texts.ASK_KIND  # one unit: not asked
    committee.press("Chỉ thị")
    committee.send("CT/TW")
    assert library_texts.NUMBER_BAD.split("(")[0] in committee.text
    committee.send("50-CT/TW")
    committee.send("31/12/2026")
    assert library_texts.DATE_FUTURE in committee.text
    committee.send("ngày mai")
    assert library_texts.DATE_BAD in committee.text
    committee.send("01/07/2025")
    committee.send("Bộ Chính trị")
    committee.send("Về nâng cao chất lượng sinh hoạt chi bộ")
    committee.send("ngắn")
    assert library_texts.SUMMARY_TOO_SHORT in committee.text
    committee.send("Chi bộ sinh hoạt mỗi tháng một lần, ít nhất 90 phút.")
    upload(committee, IncomingFile("document", "x1", name="trang.html", mime="text/html", size=9))
    assert "trang.html" in committee.text and "không nhận được" in committee.text
    big = IncomingFile("document", "x2", name="to.pdf", mime="application/pdf", size=30 << 20)
    upload(committee, big)
    assert "lớn quá" in committee.text
    upload(committee, IncomingFile("sticker", "x3"))
    assert library_texts.FILE_BAD_TYPE.split("“")[0] in committee.text
    committee.send("ftp://x")
    assert library_texts.LINK_BAD.split("(")[0] in committee.text
    assert documents(branch) == []  # nothing written yet
    pdf = IncomingFile("document", TG_FILE, name="Chỉ thị 50.pdf", mime="application/pdf", size=9)
    upload(committee, pdf)
    assert "Xem lại trước khi đăng" in committee.text and "Chỉ thị 50.pdf" in committee.text
    committee.press("Đăng")
    assert "✅ Đã đăng Chỉ thị số 50-CT/TW" in committee.text
    (doc,) = documents(branch)
    assert (doc.file_ref, doc.file_channel, doc.file_kind) == (TG_FILE, "telegram", "document")
    assert state_of(branch, committee).flow is None
    # The same number from the same issuer again: refused at the issuer, asked again.
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    committee.press("Chỉ thị")
    committee.send("50-CT/TW")
    committee.send("01/07/2025")
    committee.send("bo chinh tri")
    assert "đã có văn bản số 50-CT/TW" in committee.text
    assert committee.text.endswith(library_texts.ASK_NUMBER)
    committee.send("/huy")
    assert len(documents(branch)) == 1


def test_huy_mid_flow_leaves_nothing(chat_as: Chat, branch: Database) -> None:
    committee = chat_as("DV016")
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    committee.press("Nghị quyết")
    committee.send("12-NQ/TW")
    committee.send("01/02/2025")
    committee.send("/huy")
    assert committee.text == texts.CANCELLED
    assert documents(branch) == []
    assert state_of(branch, committee).flow is None
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    committee.press("Nghị quyết")
    for answer in ("12-NQ/TW", "01/02/2025", "Bộ Chính trị", "Tên", "Tóm tắt đủ dài ở đây."):
        committee.send(answer)
    committee.press("Không có tệp")
    committee.press("Hủy")
    assert committee.text == library_texts.CANCELLED
    assert documents(branch) == []


def test_who_gets_the_publishing_menu(chat_as: Chat, branch: Database) -> None:
    member = chat_as("DV003")
    member.send("/tailieu_quanly")
    assert member.text == texts.FORBIDDEN_LEADER
    secretary = chat_as("DV001")
    secretary.send("/tailieu_quanly")
    secretary.press("Đăng văn bản mới")
    assert library_texts.ASK_KIND_CELL in secretary.text  # the one kind it may publish
    assert secretary.text.endswith(library_texts.ASK_NUMBER)
    for answer in ("03-BC/CB", "20/11/2026", "Chi bộ Văn phòng Sở", "Báo cáo quý"):
        secretary.send(answer)
    secretary.send("Báo cáo kết quả quý IV của chi bộ.")
    secretary.press("Không có tệp")
    secretary.press("Đăng")
    assert CELL_OFFICE in secretary.text
    (doc,) = documents(branch)
    assert doc.kind == "noi_bo"
    # The other cell's members do not see it; the cell's do.
    other = chat_as("DV010")
    other.send("/tailieu 03-BC")
    assert library_texts.NOT_FOUND.split("“")[0] in other.text


def test_forged_and_stale_buttons_change_nothing(
    chat_as: Chat, branch: Database, clock: FakeClock
) -> None:
    doc = publish_as(branch, clock, "DV016")
    stranger = chat_as(OTHER_MEMBER)
    stranger.press_payload(OPEN(doc))
    assert stranger.text == library_texts.GONE
    stranger.press_payload("lib_doc:abc")
    assert stranger.text == texts.STALE_BUTTON
    member = chat_as("DV003")
    member.press_payload(OPEN(doc))
    assert "số 366-QĐ/TW" in member.text
    save = member.option("Lưu").payload
    member.press("Xong")
    member.press_payload(save)  # the flow is over: the old button is stale
    assert member.last.notice == texts.STALE_BUTTON or member.text == texts.STALE_BUTTON
    nonce = save.split(":")[0]
    member.press_payload(OPEN(doc))
    fresh = member.option("Lưu").payload.split(":")[0]
    member.press_payload(f"{fresh}:o{doc + 1}")  # a key never offered
    with branch.session() as session:
        assert session.exec(select(LibrarySaved)).all() == []
    assert nonce != fresh
    # A committee outside the subtree cannot withdraw it through its menu: not listed.
    outsider = chat_as(OTHER_COMMITTEE)
    outsider.send("/tailieu_quanly")
    outsider.press("Thu hồi")
    assert outsider.text == library_texts.NOTHING_TO_MANAGE


def test_withdrawing_hides_it_everywhere(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    doc = publish_as(branch, clock, "DV016")
    member = chat_as("DV003")
    member.press_payload(OPEN(doc))
    member.press("Lưu")
    committee = chat_as("DV016")
    committee.send("/tailieu_quanly")
    committee.press("Thu hồi")
    committee.press("366-QĐ/TW")
    committee.press("Thu hồi")
    assert library_texts.WITHDRAWN.format(number="366-QĐ/TW") in committee.text
    member.send("/tailieu")
    member.press("Đã lưu")
    assert library_texts.EMPTY_SAVED in member.text
    member.press_payload(OPEN(doc))
    assert member.text == library_texts.GONE
    member.send("/timkiem quy dinh danh gia")
    assert "[Tài liệu]" not in member.text


def test_the_file_on_request(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    tg = publish_as(
        branch,
        clock,
        "DV016",
        Doc(file_ref=TG_FILE, file_name="366.pdf", file_channel="telegram"),
    )
    link = publish_as(
        branch, clock, "DV016", Doc(number="01-QĐ/TW", file_ref="https://tulieu.vn/01.pdf")
    )
    terminal = chat_as("DV003")
    terminal.press_payload(OPEN(link))
    terminal.press("Nhận tệp")
    assert library_texts.FILE_LINK.format(name="01-QĐ/TW", url="https://tulieu.vn/01.pdf") in (
        terminal.text
    )
    terminal.press_payload(OPEN(tg))
    terminal.press("Nhận tệp")
    assert library_texts.FILE_OTHER_CHANNEL.format(name="366.pdf", channel="Telegram") in (
        terminal.text
    )
    on_telegram = chat_as("DV003", "telegram")
    on_telegram.press_payload(OPEN(tg))
    on_telegram.press("Nhận tệp")
    on_telegram.press("Nhận tệp")  # twice in the same minute: one copy per account
    assert library_texts.FILE_ON_ITS_WAY.format(name="366.pdf") in on_telegram.text
    with branch.session() as session:
        rows = session.exec(select(Delivery).where(Delivery.kind == DELIVERY_KIND)).all()
        assert sorted(r.channel for r in rows) == ["telegram", "terminal"]
        sent = next(r for r in rows if r.channel == "telegram")
        assert sent.payload["file"] == {"ref": TG_FILE, "kind": "document"}
        assert sent.payload["options"][0]["id"] == OPEN(tg)


def test_timkiem_finds_a_document_without_diacritics(
    chat_as: Chat, branch: Database, clock: FakeClock
) -> None:
    publish_as(branch, clock, "DV016")
    member = chat_as("DV003")
    member.send("/timkiem quy dinh danh gia")
    assert "[Tài liệu]" in member.text and "366-QĐ/TW – Về kiểm điểm" in member.text
    member.press("Tài liệu")
    assert member.text == library_texts.MENU
    stranger = chat_as(OTHER_MEMBER)
    stranger.send("/timkiem quy dinh danh gia")
    assert "[Tài liệu]" not in stranger.text


def test_state_holds_ids_only(chat_as: Chat, branch: Database, clock: FakeClock) -> None:
    publish_as(branch, clock, "DV016")
    member = chat_as("DV003")
    member.send("/tailieu")
    member.press("Mới nhất")
    member.press("366")
    state = state_of(branch, member)
    assert state.flow == "library" and isinstance(state.data["doc"], int)
    with branch.session() as session:
        assert session.exec(select(ConversationState)).all()
        assert session.exec(select(LibraryDocument)).one().number == "366-QĐ/TW"


def test_a_zalo_photo_is_kept_as_its_link(chat_as: Chat, branch: Database) -> None:
    committee = chat_as("DV016", "zalo")
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    committee.press("Kết luận")
    for answer in ("01-KL/TW", "18/05/2021", "Bộ Chính trị", "Về tiếp tục thực hiện Chỉ thị 05"):
        committee.send(answer)
    committee.send("Tiếp tục học tập và làm theo Bác.")
    upload(committee, IncomingFile("photo", "https://photo.zalo.me/kl01.jpg"))
    committee.press("Đăng")
    (doc,) = documents(branch)
    assert (doc.file_ref, doc.file_channel) == ("https://photo.zalo.me/kl01.jpg", None)
    member = chat_as("DV003")
    member.press_payload(OPEN(doc.id or 0))
    member.press("Nhận tệp")
    assert "https://photo.zalo.me/kl01.jpg" in member.text


def test_a_publisher_who_lost_the_role_mid_flow_is_stopped(chat_as: Chat, branch: Database) -> None:
    committee = chat_as("DV016")
    committee.send("/tailieu_quanly")
    committee.press("Đăng văn bản mới")
    committee.press("Quy định")
    with branch.session() as session:
        member = session.exec(select(Member).where(Member.code == "DV016")).one()
        set_committee_units(session, member, set())
        session.commit()
    committee.send("99-QĐ/TW")
    assert committee.text == library_texts.NOT_YOURS
    assert state_of(branch, committee).flow is None
    assert documents(branch) == []
