"""The core: menus by role, refusals, buttons (stale, forged, typed digits), /huy, failures."""

from __future__ import annotations

from sqlmodel import select

from handlers.messages import Incoming
from models import AuditLog, ConversationState, Invite
from services import texts
from tests.support import ChatDriver, menu_commands


def test_help_menu_depends_on_roles(chat_as) -> None:
    secretary = menu_commands(chat_as("DV001"))
    assert "/moi" in secretary and "/donvi" not in secretary
    member = menu_commands(chat_as("DV003"))
    assert "/toi" in member and "/moi" not in member
    committee = menu_commands(chat_as("DV016"))
    assert "/donvi" in committee and "/moi" in committee  # a committee invites too


def test_member_is_refused_secretary_and_committee_commands(chat_as) -> None:
    member = chat_as("DV003")
    member.send("/moi")
    assert "dành cho bí thư" in member.text
    member.send("/donvi")
    assert "dành cho cấp ủy" in member.text


def test_member_list_hides_phone_and_link_status_from_members(chat_as) -> None:
    member = chat_as("DV003")
    member.send("/chibo")
    assert "Nguyễn Văn An" in member.text
    assert "kết nối" not in member.text and "09" not in member.text
    secretary = chat_as("DV001")
    secretary.send("/chibo")
    assert "bí thư" in secretary.text and "chưa kết nối" in secretary.text


def test_committee_sees_its_subtree(chat_as) -> None:
    committee = chat_as("DV016")
    committee.send("/donvi")
    assert "Chi bộ Văn phòng Sở: 8 đảng viên" in committee.text
    assert "Chi bộ Phòng Giáo dục Trung học: 8 đảng viên" in committee.text


def test_invite_flow_with_buttons_end_to_end(chat_as, demo) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    names = [o.label for o in secretary.options()]
    assert "Lê Văn Cường" in names and "Nguyễn Văn An" not in names  # linked ones are left out
    assert "Đỗ Văn Khánh" not in names  # another cell's member
    response = secretary.press("Lê Văn Cường")
    assert response.chosen == "Lê Văn Cường"
    assert "Mã mời cho đồng chí Lê Văn Cường" in secretary.text
    assert "https://t.me/SoTayTestBot?start=" in secretary.text
    with demo.session() as session:
        assert len(session.exec(select(Invite)).all()) == 1


def test_digit_or_label_answers_a_prompt_and_wrong_digit_reprompts(chat_as) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    secretary.send("99")
    assert "từ 1 đến" in secretary.text
    secretary.send("le van cuong")  # the label, without diacritics or case
    assert "Mã mời cho đồng chí Lê Văn Cường" in secretary.text


def test_stale_button_changes_nothing(chat_as, demo) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    old = secretary.option("Lê Văn Cường").payload
    secretary.press("Lê Văn Cường")
    response = secretary.press_payload(old)  # the same button pressed twice
    assert response.notice and "cũ" in response.notice
    assert response.replies == []
    with demo.session() as session:
        assert len(session.exec(select(Invite)).all()) == 1


def test_forged_button_for_another_cell_is_refused(chat_as, demo) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    nonce = secretary.option("Lê Văn Cường").payload.split(":")[0]
    with demo.session() as session:
        from services.identities import find_member

        other = find_member(session, "DV010")
        assert other is not None
        other_id = other.id
    # A hand-made payload with the live nonce but a member id that was never offered.
    response = secretary.press_payload(f"{nonce}:m{other_id}")
    assert response.notice and "cũ" in response.notice
    # Even garbage of the maximum size is just a stale button.
    response = secretary.press_payload("x" * 64)
    assert response.notice
    with demo.session() as session:
        assert session.exec(select(Invite)).all() == []


def test_secretary_of_one_cell_cannot_invite_in_another(chat_as, demo) -> None:
    """Even if the option were offered (a manipulated state), the step re-checks the cell."""
    secretary = chat_as("DV001")
    secretary.send("/moi")
    with demo.session() as session:
        from services.identities import find_member

        other = find_member(session, "DV010")
        state = session.exec(
            select(ConversationState).where(ConversationState.flow == "invite")
        ).one()
        state.options = [[f"m{other.id}", other.full_name]]
        session.add(state)
    secretary.send("1")
    assert "chi bộ của mình" in secretary.text
    with demo.session() as session:
        assert session.exec(select(Invite)).all() == []


def test_cancel_leaves_any_flow(chat_as) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    secretary.send("/huy")
    assert "Đã hủy" in secretary.text
    secretary.send("1")  # no longer a choice in a flow
    assert "Đã chọn" not in secretary.text and "Mã mời" not in secretary.text
    secretary.send("/cancel")
    assert "không có thao tác" in secretary.text


def test_conversation_expires(chat_as, clock) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    clock.advance(hours=2)
    secretary.send("1")
    assert "hết hạn" in secretary.text


def test_help_menu_options_run_commands_by_digit(chat_as) -> None:
    member = chat_as("DV003")
    member.send("/help")
    labels = [o.label for o in member.options()]
    member.send(str(labels.index(texts.MENU_TOPIC_OPTION.format(title=texts.TOPIC_PERSONAL)) + 1))
    labels = [o.label for o in member.options()]
    member.send(str(labels.index("Thông tin của tôi") + 1))
    assert "Mã đảng viên: DV003" in member.text


def test_unknown_text_and_command_get_a_hint(chat_as) -> None:
    member = chat_as("DV003")
    member.send("abc xyz")
    assert "/help" in member.text
    member.send("/khongco")
    assert "Không có lệnh /khongco" in member.text


def test_group_answers_commands_only_and_never_private_data(core, chat_as) -> None:
    linked = chat_as("DV003", channel="terminal")
    group = ChatDriver(
        core, user_id=linked.user_id, channel="terminal", chat_id="-1001", is_group=True
    )
    group.send("chào mọi người")
    assert group.last.replies == []
    group.send("/chibo")
    assert "nhắn riêng" in group.text and "Nguyễn Văn An" not in group.text


def test_handler_failure_apologises_and_writes_nothing(core, chat_as, demo, monkeypatch) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    import handlers.secretary as secretary_module

    def boom(*args, **kwargs):
        raise RuntimeError("database exploded")

    monkeypatch.setattr(secretary_module, "issue_invite", boom)
    with demo.session() as session:
        before = len(session.exec(select(AuditLog)).all())
    secretary.send("1")
    assert "trục trặc" in secretary.text
    with demo.session() as session:
        assert len(session.exec(select(AuditLog)).all()) == before
        state = session.exec(
            select(ConversationState).where(ConversationState.user_id == secretary.user_id)
        ).one()
        assert state.flow == "invite"  # the step can be tried again


def test_oversized_and_empty_input_is_harmless(core, chat_as) -> None:
    member = chat_as("DV003")
    member.send("x" * 100_000)
    assert "/help" in member.text
    response = core.handle(
        Incoming(channel="terminal", chat_id=member.user_id, user_id=member.user_id, text="")
    )
    assert response.replies


def test_zero_or_menu_shows_the_main_menu_and_leaves_a_choice_step(chat_as) -> None:
    secretary = chat_as("DV001")
    secretary.send("/moi")
    secretary.send("0")
    assert "Các việc có thể làm" in secretary.text
    secretary.send("MENU")
    assert "Các việc có thể làm" in secretary.text


def test_sticker_or_photo_where_text_is_expected_gets_a_polite_hint(core, chat_as) -> None:
    from handlers.messages import IncomingFile

    member = chat_as("DV003")
    response = core.handle(
        Incoming(
            channel="terminal",
            chat_id=member.user_id,
            user_id=member.user_id,
            file=IncomingFile(kind="sticker", file_id="abc"),
        )
    )
    assert "chỉ đọc được tin nhắn chữ" in response.replies[0].text


def test_unlinked_user_in_a_group_is_sent_to_a_private_chat(core, demo) -> None:
    group = ChatDriver(core, user_id="4242", chat_id="-100777", is_group=True)
    group.send("/start ABCDEFGHJK")
    assert "nhắn riêng" in group.text and "mã mời" not in group.text
    group.send("chào cả nhà")
    assert group.last.replies == []


def test_last_seen_is_written_at_most_once_a_minute(chat_as, demo, clock) -> None:
    from models import ChatIdentity

    member = chat_as("DV003")
    member.send("/toi")
    with demo.session() as session:
        first = session.exec(
            select(ChatIdentity).where(ChatIdentity.external_id == member.user_id)
        ).one()
    clock.advance(seconds=20)
    member.send("/toi")
    with demo.session() as session:
        same = session.exec(
            select(ChatIdentity).where(ChatIdentity.external_id == member.user_id)
        ).one()
    assert same.last_seen_at == first.last_seen_at
    clock.advance(seconds=50)
    member.send("/toi")
    with demo.session() as session:
        later = session.exec(
            select(ChatIdentity).where(ChatIdentity.external_id == member.user_id)
        ).one()
    assert later.last_seen_at == clock.now
