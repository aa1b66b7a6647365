"""Invites: linking, wrong/expired/used codes, brute force, moving to a new account."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from handlers.context import CoreConfig
from models import AuditLog, ChatIdentity, Invite
from services.identities import find_member
from services.invites import MAX_WRONG_PER_HOUR, hash_code, issue_invite
from tests.support import ChatDriver


def _invite(db, clock, code: str, days: int = 14) -> str:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        invite_code, _ = issue_invite(
            session,
            member,
            now=clock(),
            ttl=timedelta(days=days),
            secret=CoreConfig().invite_secret,
        )
    return invite_code


def _identity(db, user_id: str, channel: str = "telegram") -> ChatIdentity | None:
    with db.session() as session:
        return session.exec(
            select(ChatIdentity)
            .where(ChatIdentity.channel == channel)
            .where(ChatIdentity.external_id == user_id)
        ).first()


def test_deep_link_links_account_and_greets_with_cell(core, demo, clock) -> None:
    code = _invite(demo, clock, "DV003")
    chat = ChatDriver(core, user_id="700000000001")
    chat.send(f"/start {code}")
    assert "Lê Văn Cường" in chat.text
    assert "Chi bộ Văn phòng Sở" in chat.text
    identity = _identity(demo, "700000000001")
    assert identity is not None and identity.member_id is not None
    chat.send("/toi")
    assert "DV003" in chat.text and "chính thức" in chat.text


def test_code_alone_works_like_zalo_and_is_case_and_space_insensitive(core, demo, clock) -> None:
    code = _invite(demo, clock, "DV004")
    chat = ChatDriver(core, user_id="zalo-user-1", channel="zalo")
    spaced = f"{code[:5].lower()} {code[5:].lower()}"
    chat.send(spaced)
    assert "Phạm Thị Dung" in chat.text


def test_invite_stored_hashed_only(demo, clock) -> None:
    code = _invite(demo, clock, "DV003")
    with demo.session() as session:
        invites = session.exec(select(Invite)).all()
    assert [i.code_hash for i in invites] == [hash_code(code, CoreConfig().invite_secret)]
    assert all(code not in i.code_hash for i in invites)


def test_wrong_expired_and_used_codes_get_clear_messages(core, demo, clock) -> None:
    chat = ChatDriver(core, user_id="801")
    chat.send("/start ABCDEFGHJK")
    assert "không đúng" in chat.text

    expired = _invite(demo, clock, "DV004", days=1)
    clock.advance(days=1, seconds=1)
    chat.send(f"/start {expired}")
    assert "hết hạn" in chat.text

    used = _invite(demo, clock, "DV006")
    ChatDriver(core, user_id="802").send(f"/start {used}")
    chat.send(f"/start {used}")
    assert "đã được dùng" in chat.text
    assert _identity(demo, "801").member_id is None


def test_new_invite_revokes_the_previous_unused_one(core, demo, clock) -> None:
    first = _invite(demo, clock, "DV003")
    second = _invite(demo, clock, "DV003")
    chat = ChatDriver(core, user_id="803")
    chat.send(first)
    assert "hết hạn" in chat.text
    chat.send(second)
    assert "Lê Văn Cường" in chat.text


def test_more_than_five_wrong_codes_in_an_hour_are_refused(core, demo, clock) -> None:
    good = _invite(demo, clock, "DV003")
    chat = ChatDriver(core, user_id="804")
    for _ in range(MAX_WRONG_PER_HOUR):
        chat.send("/start ZZZZZZZZZZ")
        assert "không đúng" in chat.text
    chat.send(f"/start {good}")  # even the right code is refused while locked
    assert "quá nhiều lần" in chat.text
    assert _identity(demo, "804").member_id is None
    # Another chat is not affected by this chat's guesses.
    other = ChatDriver(core, user_id="805")
    other.send("/start ZZZZZZZZZZ")
    assert "không đúng" in other.text
    clock.advance(hours=1, seconds=1)
    chat.send(f"/start {good}")
    assert "Lê Văn Cường" in chat.text


def test_linking_from_a_new_account_unlinks_the_old_one(core, demo, clock) -> None:
    old = ChatDriver(core, user_id="900")
    old.send(_invite(demo, clock, "DV003"))
    zalo = ChatDriver(core, user_id="z-900", channel="zalo")
    zalo.send(_invite(demo, clock, "DV003"))
    new = ChatDriver(core, user_id="901")
    new.send(f"/start {_invite(demo, clock, 'DV003')}")
    assert "Lê Văn Cường" in new.text

    old.send("/toi")
    assert "chưa được liên kết" in old.text
    zalo.send("/toi")  # the other channel's account stays linked
    assert "DV003" in zalo.text
    with demo.session() as session:
        actions = [a.action for a in session.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions.count("identity.unlinked") == 1
    assert actions.count("identity.linked") == 3


def test_unlinked_user_sees_only_how_to_get_an_invite(core, demo) -> None:
    chat = ChatDriver(core, user_id="555")
    for text in ("xin chào", "/help", "/chibo", "/moi", "/start"):
        chat.send(text)
        assert "mã mời" in chat.text, text
        assert "Chi bộ" not in chat.text, text
