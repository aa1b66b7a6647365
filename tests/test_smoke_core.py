from tests.support import ChatDriver


def test_help_lists_secretary_menu(chat_as) -> None:
    chat = chat_as("DV001")
    chat.send("/help")
    assert "/moi" in chat.text
    assert "Nguyễn Văn An" in chat.text


def test_member_cannot_use_secretary_command(chat_as) -> None:
    chat = chat_as("DV003")
    chat.send("/moi")
    assert "dành cho bí thư" in chat.text


def test_unlinked_user_sees_how_to_get_invite(core, demo) -> None:
    chat = ChatDriver(core, user_id="555")
    chat.send("xin chào")
    assert "mã mời" in chat.text
