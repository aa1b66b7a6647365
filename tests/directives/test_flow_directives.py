"""`/chidao` through the core: compose, preview, send, acknowledge, follow up, remind, refuse."""

from __future__ import annotations

from sqlmodel import col, select

from handlers.messages import Incoming, IncomingFile, Response
from models import Database, Delivery, DeliveryKind, DirectiveRecipient, Member
from services import texts
from services.demo import BASE
from services.directives import texts as directive_texts
from services.identities import find_member
from tests.support import ChatDriver

TEXT = "Đề nghị các đồng chí nghiên cứu Nghị quyết 57-NQ/TW trước ngày 15/12."


def received(db: Database, code: str, kind: str = DeliveryKind.DIRECTIVE) -> list[Delivery]:
    """What the outbox holds for one member: what a channel would deliver."""
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        return list(
            session.exec(
                select(Delivery)
                .where(Delivery.member_id == member.id)
                .where(Delivery.kind == kind)
                .order_by(col(Delivery.id))
            )
        )


def option_ids(delivery: Delivery) -> list[str]:
    return [o["id"] for o in delivery.payload.get("options", [])]


def send_file(chat: ChatDriver, kind: str, file_id: str, name: str, text: str = "") -> Response:
    """A document or photo, as a channel adapter hands it to the core."""
    chat.last = chat.core.handle(
        Incoming(
            channel=chat.channel,
            chat_id=chat.chat_id or chat.user_id,
            user_id=chat.user_id,
            text=text or None,
            file=IncomingFile(kind=kind, file_id=file_id, name=name),  # type: ignore[arg-type]
        )
    )
    return chat.last


def acknowledged_codes(db: Database, directive_id: int) -> set[str]:
    with db.session() as session:
        rows = session.exec(
            select(Member.code)
            .join(DirectiveRecipient, col(DirectiveRecipient.member_id) == col(Member.id))
            .where(DirectiveRecipient.directive_id == directive_id)
            .where(col(DirectiveRecipient.acknowledged_at).is_not(None))
        )
        return set(rows)


def compose(chat: ChatDriver, text: str = TEXT, audience: str = "Toàn thể") -> None:
    chat.send("/chidao")
    chat.send(text)
    chat.press(audience)


def test_secretary_sends_to_the_cell_and_follows_up(chat_as, demo: Database, clock) -> None:
    member, probationary = chat_as("DV003"), chat_as("DV005")
    secretary = chat_as("DV001")
    secretary.send("/chidao")
    assert "Gửi đến: Chi bộ Văn phòng Sở" in secretary.text  # one cell: no unit question
    secretary.send(TEXT)
    assert [o.label for o in secretary.options()] == [
        "Toàn thể đảng viên",
        "Đảng viên chính thức",
        "Đảng viên được chọn",
    ]
    secretary.press("Toàn thể")
    preview = secretary.last.replies[1].text
    assert preview.startswith("📢 Chỉ đạo của đồng chí Nguyễn Văn An (Chi bộ Văn phòng Sở)")
    assert TEXT in preview
    assert "Gửi đến 7 đảng viên (1 chi bộ).\n5 người chưa kết nối bot" in secretary.text
    secretary.press("Gửi")
    # Two of the seven have a chat account (DV003, DV005): the receipt says so.
    assert secretary.text.startswith("Đã gửi chỉ đạo đến 2 trong số 7 đảng viên (1 chi bộ).")

    copy = received(demo, "DV003")
    assert len(copy) == 1 and copy[0].payload["text"] == preview  # exactly what was previewed
    (ack,) = option_ids(copy[0])
    assert ack.startswith("dir_ack:")
    response = member.press_payload(ack)
    assert member.text == directive_texts.DIR_ACKED and response.chosen == "✓ Đã nhận"
    member.press_payload(ack)  # a second press keeps the first acknowledgement
    directive_id = int(ack.split(":")[1])
    assert acknowledged_codes(demo, directive_id) == {"DV003"}

    secretary.press("Xem tình hình")
    assert "7 người nhận" in secretary.text
    assert "Đã xác nhận “Đã nhận”: 1" in secretary.text
    assert "Hoàng Văn Em" in secretary.text and "Lê Văn Cường" not in secretary.text
    secretary.press("Nhắc 6 người")
    assert secretary.text.startswith("Đã gửi lời nhắc đến 1 trong số 6 đảng viên chưa xác nhận.")
    assert "5 đảng viên chưa kết nối bot" in secretary.text
    assert len(received(demo, "DV005", DeliveryKind.DIRECTIVE_REMINDER)) == 1
    assert received(demo, "DV003", DeliveryKind.DIRECTIVE_REMINDER) == []
    secretary.send("/chidao_tinhhinh")
    secretary.send("1")
    secretary.press("Nhắc 6 người")  # too soon: the service refuses, nothing is sent
    assert "Đã nhắc lúc" in secretary.text
    assert len(received(demo, "DV005", DeliveryKind.DIRECTIVE_REMINDER)) == 1
    assert probationary.send("/thongbao") and "chưa xác nhận" in probationary.text


def test_file_attachment_and_official_members_only(chat_as, demo: Database) -> None:
    chat_as("DV003"), chat_as("DV005")
    secretary = chat_as("DV001")
    secretary.send("/chidao")
    send_file(secretary, "document", "tg-file-42", "KH-so-12.pdf")
    assert "Đã nhận tệp “KH-so-12.pdf”" in secretary.text
    send_file(secretary, "sticker", "stk", "")  # not something members can be sent
    assert texts.FLOW_FILE_KIND in secretary.text
    secretary.send("Kế hoạch tổ chức Đại hội chi bộ, các đồng chí đọc kỹ.")
    secretary.press("chính thức")
    assert "📎 Kèm tệp: KH-so-12.pdf" in secretary.text
    assert "Gửi đến 6 đảng viên" in secretary.text  # the cell's 7 others minus the probationary
    secretary.press("Gửi")
    copy = received(demo, "DV003")
    assert copy[0].payload["file"] == {"ref": "tg-file-42", "kind": "document"}
    assert received(demo, "DV005") == []  # probationary: not an official member


def test_photo_with_caption_and_editing_before_sending(chat_as, demo: Database) -> None:
    chat_as("DV004")
    secretary = chat_as("DV001")
    secretary.send("/chidao")
    send_file(secretary, "photo", "tg-photo-7", "", text="Lịch trực Tết")
    secretary.press("Toàn thể")
    assert "📎 Kèm tệp: tệp đính kèm" in secretary.text
    secretary.press("Sửa nội dung")
    secretary.send("Lịch trực Tết Nguyên đán 2027")
    assert "Lịch trực Tết Nguyên đán 2027" in secretary.last.replies[1].text
    secretary.press("Gửi")
    copy = received(demo, "DV004")
    assert copy[0].payload["file"] == {"ref": "tg-photo-7", "kind": "photo"}
    assert "Lịch trực Tết Nguyên đán 2027" in copy[0].payload["text"]


def test_chosen_members_are_toggled_and_paged(chat_as, demo: Database) -> None:
    chat_as("DV003"), chat_as("DV004")
    secretary = chat_as("DV001")
    compose(secretary, audience="được chọn")
    labels = [o.label for o in secretary.options()]
    assert "☐ Lê Văn Cường" in labels and "☐ Nguyễn Văn An" not in labels  # not the sender
    secretary.press("Xong")
    assert directive_texts.DIR_CHOSEN_EMPTY in secretary.text
    secretary.press("☐ Lê Văn Cường")
    secretary.press("☐ Phạm Thị Dung")
    assert "Đã chọn: 2 người" in secretary.text
    secretary.press("☑ Lê Văn Cường")  # pressed again: unchosen
    assert "Đã chọn: 1 người" in secretary.text
    secretary.press("Xong")
    assert "Gửi đến 1 đảng viên" in secretary.text
    secretary.press("Gửi")
    assert len(received(demo, "DV004")) == 1 and received(demo, "DV003") == []


def test_committee_member_writes_to_the_subtree(chat_as, demo: Database) -> None:
    chat_as("DV003"), chat_as("DV010")
    committee = chat_as("DV016")
    committee.send("/chidao")  # the same command as a secretary's
    labels = [o.label for o in committee.options()]
    assert labels[0] == "Đảng bộ Sở Giáo dục và Đào tạo (tất cả chi bộ)"
    assert "Chi bộ Văn phòng Sở" in labels and "Chi bộ Phòng Giáo dục Trung học" in labels
    committee.press("tất cả chi bộ")
    committee.send("Triển khai Chỉ thị 50-CT/TW về sinh hoạt chi bộ.")
    committee.press("Toàn thể")
    committee.press("Gửi")
    assert "Đã gửi chỉ đạo đến 2 trong số 15 đảng viên (2 chi bộ)" in committee.text
    assert len(received(demo, "DV003")) == 1 and len(received(demo, "DV010")) == 1

    # Each cell's secretary follows their own cell's share, not the other cell's.
    secretary = chat_as("DV001")
    secretary.send("/chidao_tinhhinh")
    secretary.press(f"(cấp trên – {BASE})")
    assert "Riêng Chi bộ Văn phòng Sở:" in secretary.text and "8 người nhận" in secretary.text
    assert "Hồ Thị Lan" not in secretary.text and "Lê Văn Cường" in secretary.text
    assert not any("Nhắc" in o.label for o in secretary.options())
    other = chat_as("DV009")
    other.send("/chidao_tinhhinh")
    other.press(f"(cấp trên – {BASE})")
    assert "Riêng Chi bộ Phòng Giáo dục Trung học:" in other.text
    assert "7 người nhận" in other.text and "Hồ Thị Lan" in other.text

    committee.send("/chidao_tinhhinh")
    committee.press(BASE)
    assert "15 người nhận" in committee.text
    committee.send("/chidao_capuy")  # the former command still works, hidden
    committee.press("Tình hình chỉ đạo đã gửi")
    committee.press(BASE)
    assert "15 người nhận" in committee.text


def test_refusals_change_nothing(chat_as, demo: Database) -> None:
    chat_as("DV003")
    member = chat_as("DV003")
    for command in ("/chidao", "/chidao_tinhhinh", "/chidao_capuy"):
        member.send(command)
        assert member.text == texts.FORBIDDEN_LEADER
    secretary = chat_as("DV001")
    compose(secretary)
    secretary.press("Gửi")
    (ack,) = option_ids(received(demo, "DV003")[0])
    directive_id = int(ack.split(":")[1])

    other_cell = chat_as("DV009")
    other_cell.press_payload(ack)  # another cell's directive
    assert other_cell.text == directive_texts.DIR_NOT_RECIPIENT
    other_cell.press_payload("dir_ack:999999")
    assert other_cell.text == directive_texts.DIR_NOT_RECIPIENT
    other_cell.press_payload("dir_ack:1;DROP")
    assert other_cell.text == texts.STALE_BUTTON
    other_cell.press_payload(f"dir_stats:{directive_id}")
    assert "chi bộ của mình" in other_cell.text
    other_cell.press_payload(f"dir_remind:{directive_id}")
    assert "chi bộ của mình" in other_cell.text
    assert received(demo, "DV003", DeliveryKind.DIRECTIVE_REMINDER) == []
    assert acknowledged_codes(demo, directive_id) == set()

    # A member cannot see the sender's figures either.
    member.press_payload(f"dir_stats:{directive_id}")
    assert "dành cho bí thư" in member.text


def test_old_buttons_are_stale_and_cancel_leaves(chat_as) -> None:
    secretary = chat_as("DV001")
    secretary.send("/chidao")
    secretary.send("Ngắn gọn.")
    old = secretary.option("Toàn thể").payload
    secretary.press("Toàn thể")
    response = secretary.press_payload(old)
    assert response.notice == texts.STALE_BUTTON
    secretary.send("/huy")
    assert secretary.text == texts.CANCELLED
