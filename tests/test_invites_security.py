"""Invites as a way into someone's account: who may invite whom, re-linking a member's new
account, single use under concurrency, and keyed hashes that a leaked database cannot crack."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from bot.app import build_app
from bot.features import build_core
from bot.settings import (
    INVITE_SECRET_FILE_SUFFIX,
    SettingsError,
    invite_secret,
    load_settings,
)
from handlers.context import CoreConfig
from handlers.core import Core
from handlers.messages import Incoming
from models import (
    ChatIdentity,
    ConversationState,
    Database,
    Delivery,
    Invite,
    InviteAttempt,
    Member,
)
from services import texts
from services.auth import load_actor
from services.demo import BASE, TOP
from services.identities import find_member
from services.invites import (
    ACCOUNT_UNLINKED_KIND,
    HASH_PREFIX,
    InviteRefusal,
    hash_code,
    invite_refusal,
    issue_invite,
    legacy_hash,
    new_code,
)
from services.org import find_unit_by_path
from services.orgwrite import grant_admin, set_cell_role, set_committee_units
from tests.support import ChatDriver, FakeClock, menu_commands

SECRET = "test-invite-secret_0123456789abcdefghijk"
OTHER_SECRET = "another-invite-secret_0123456789abcdefgh"
TOKEN = "123456:" + "A" * 35

# Demo people (services/demo.py): DV001 secretary and DV002 deputy of the office cell, DV003
# to DV008 its members; DV009 secretary of the schools cell, DV010 to DV016 its members; DV016
# sits on the committee of the base organisation above both cells.
OFFICE_SECRETARY, OFFICE_DEPUTY, CUONG = "DV001", "DV002", "DV003"
COMMITTEE = "DV016"


# -- helpers -------------------------------------------------------------------------------------
def _invite(db: Database, clock: FakeClock, code: str, secret: str, days: int = 14) -> str:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        invite_code, _ = issue_invite(
            session, member, now=clock(), ttl=timedelta(days=days), secret=secret
        )
    return invite_code


def _change(db: Database, code: str, change: Callable[[Session, Member], object]) -> None:
    with db.session() as session:
        member = find_member(session, code)
        assert member is not None
        change(session, member)


def _unit_id(db: Database, path: str) -> int:
    with db.session() as session:
        unit = find_unit_by_path(session, path)
        assert unit is not None and unit.id is not None
        return unit.id


def _committee_of(db: Database, code: str, path: str) -> None:
    unit_id = _unit_id(db, path)
    _change(db, code, lambda s, m: set_committee_units(s, m, {unit_id}))


def _identity(db: Database, user_id: str, channel: str = "telegram") -> ChatIdentity | None:
    with db.session() as session:
        return session.exec(
            select(ChatIdentity)
            .where(ChatIdentity.channel == channel)
            .where(ChatIdentity.external_id == user_id)
        ).first()


def _invites(db: Database) -> list[Invite]:
    with db.session() as session:
        return list(session.exec(select(Invite)))


def _labels(chat: ChatDriver) -> list[str]:
    return [o.label for o in chat.options()]


def _refusal(db: Database, inviter: str, invitee: str) -> InviteRefusal | None:
    with db.session() as session:
        actor_member = find_member(session, inviter)
        member = find_member(session, invitee)
        assert actor_member is not None and member is not None
        return invite_refusal(session, load_actor(session, actor_member), member)


# -- item 2: who may invite whom -----------------------------------------------------------------
def test_the_rule_of_who_may_invite_whom(demo: Database) -> None:
    """One table: each inviter may invite only members whose every role is strictly below."""
    _committee_of(demo, "DV004", f"{TOP} / {BASE}")  # a fellow member of DV016's committee
    _committee_of(demo, "DV012", TOP)  # sits above DV016's committee
    _change(demo, "DV006", grant_admin)
    _change(demo, "DV013", grant_admin)
    cases = [
        # a secretary: own cell, the deputy included; nobody above the cell, nobody elsewhere
        (OFFICE_SECRETARY, OFFICE_DEPUTY, None),
        (OFFICE_SECRETARY, CUONG, None),
        (OFFICE_SECRETARY, OFFICE_SECRETARY, InviteRefusal.SELF),
        (OFFICE_SECRETARY, "DV004", InviteRefusal.RANK),  # sits on a committee
        (OFFICE_SECRETARY, "DV006", InviteRefusal.ADMIN),
        (OFFICE_SECRETARY, "DV010", InviteRefusal.OUTSIDE),  # another cell
        # a deputy: not the secretary above them
        (OFFICE_DEPUTY, CUONG, None),
        (OFFICE_DEPUTY, OFFICE_SECRETARY, InviteRefusal.RANK),
        # a committee member: the whole subtree, secretaries included, not their own committee
        (COMMITTEE, OFFICE_SECRETARY, None),
        (COMMITTEE, "DV009", None),
        (COMMITTEE, "DV010", None),
        (COMMITTEE, "DV004", InviteRefusal.RANK),
        (COMMITTEE, "DV012", InviteRefusal.RANK),  # sits higher up
        (COMMITTEE, "DV006", InviteRefusal.ADMIN),
        (COMMITTEE, COMMITTEE, InviteRefusal.SELF),
        # a committee higher up: the lower committee's members too
        ("DV012", COMMITTEE, None),
        ("DV012", "DV004", None),
        # an admin: anyone but another admin
        ("DV006", "DV012", None),
        ("DV006", "DV013", InviteRefusal.ADMIN),
    ]
    got = [(inviter, invitee, _refusal(demo, inviter, invitee)) for inviter, invitee, _ in cases]
    assert got == cases


def test_secretary_is_offered_only_members_without_a_role_above_the_cell(
    chat_as, demo: Database
) -> None:
    _committee_of(demo, "DV004", f"{TOP} / {BASE}")
    _change(demo, "DV006", grant_admin)
    secretary = chat_as(OFFICE_SECRETARY)
    secretary.send("/moi")
    labels = _labels(secretary)
    assert "Trần Thị Bình" in labels and "Lê Văn Cường" in labels  # the deputy, a member
    for name in ("Phạm Thị Dung", "Vũ Thị Giang", "Nguyễn Văn An", "Hồ Thị Lan"):
        assert not any(name in label for label in labels), name
    assert texts.INVITE_SEARCH_OPTION not in labels  # searching is for committees


def test_a_forged_option_for_a_committee_member_or_admin_issues_nothing(
    chat_as, demo: Database
) -> None:
    """Before: any unlinked member of the cell could be invited, committee members included."""
    _committee_of(demo, "DV004", f"{TOP} / {BASE}")
    _change(demo, "DV006", grant_admin)
    secretary = chat_as(OFFICE_SECRETARY)
    for code, reason in (("DV004", "vai trò ngang hoặc cao hơn"), ("DV006", "quản trị viên")):
        secretary.send("/moi")
        with demo.session() as session:
            target = find_member(session, code)
            assert target is not None
            state = session.exec(
                select(ConversationState).where(ConversationState.flow == "invite")
            ).one()
            state.options = [[f"m{target.id}", target.full_name]]
            session.add(state)
        secretary.send("1")
        assert reason in secretary.text
        secretary.send(f"/moi {code}")  # typed directly: the same rule
        assert reason in secretary.text
    assert _invites(demo) == []


def test_secretary_cannot_find_members_of_another_cell_by_code(chat_as, demo: Database) -> None:
    secretary = chat_as(OFFICE_SECRETARY)
    secretary.send("/moi DV010")
    assert texts.INVITE_SEARCH_NONE.format(text="DV010") in secretary.text
    assert "Hồ Thị Lan" not in secretary.text  # nothing said about who exists elsewhere
    assert _invites(demo) == []


def test_deputy_cannot_invite_the_secretary(chat_as, demo: Database) -> None:
    deputy = chat_as(OFFICE_DEPUTY)
    deputy.send("/moi")
    assert "Lê Văn Cường" in _labels(deputy)
    assert not any("Nguyễn Văn An" in label for label in _labels(deputy))
    deputy.send(f"/moi {OFFICE_SECRETARY}")
    assert texts.INVITE_REFUSED_RANK.format(name="Nguyễn Văn An") in deputy.text
    assert _invites(demo) == []


def test_a_member_is_refused_moi(chat_as, demo: Database) -> None:
    member = chat_as(CUONG)
    member.send(f"/moi {CUONG}")
    assert "dành cho bí thư" in member.text
    assert _invites(demo) == []


def test_committee_member_invites_a_secretary_below_by_code(chat_as, demo: Database) -> None:
    committee = chat_as(COMMITTEE)
    assert "/moi" in menu_commands(committee)
    committee.send("/moi")
    assert committee.text == texts.INVITE_ASK_MEMBER  # a subtree may be thousands: type it
    committee.send("dv001")
    assert "Mã mời cho đồng chí Nguyễn Văn An" in committee.text
    [invite] = _invites(demo)
    with demo.session() as session:
        member = find_member(session, COMMITTEE)
        assert member is not None and invite.created_by_member_id == member.id


def test_committee_member_finds_a_member_by_part_of_the_name(chat_as, demo: Database) -> None:
    committee = chat_as(COMMITTEE)
    committee.send("/moi")
    committee.send("cuong")  # without diacritics
    assert committee.text == texts.INVITE_SEARCH_CHOOSE
    assert _labels(committee) == ["Lê Văn Cường – DV003"]
    committee.press("Lê Văn Cường")
    assert "Mã mời cho đồng chí Lê Văn Cường" in committee.text


def test_committee_member_is_refused_own_committee_admins_and_self(chat_as, demo: Database) -> None:
    _committee_of(demo, "DV010", f"{TOP} / {BASE}")
    _change(demo, "DV011", grant_admin)
    committee = chat_as(COMMITTEE)
    committee.send("/moi DV010")
    assert texts.INVITE_REFUSED_RANK.format(name="Hồ Thị Lan") in committee.text
    committee.send("/moi DV011")
    assert texts.INVITE_REFUSED_ADMIN.format(name="Ngô Văn Minh") in committee.text
    committee.send(f"/moi {COMMITTEE}")
    assert texts.INVITE_REFUSED_SELF in committee.text
    committee.send("Hồ Thị")  # by name: refused ones are never offered
    assert "Hồ Thị Lan" not in _labels(committee)
    assert _invites(demo) == []


def test_committee_member_who_is_also_secretary_gets_the_cell_and_a_search(
    chat_as, demo: Database
) -> None:
    _committee_of(demo, OFFICE_SECRETARY, TOP)
    secretary = chat_as(OFFICE_SECRETARY)
    secretary.send("/moi")
    assert texts.INVITE_SEARCH_OPTION in _labels(secretary)
    secretary.press(texts.INVITE_SEARCH_OPTION)
    secretary.send(COMMITTEE)  # a committee member of the unit below theirs
    assert "Mã mời cho đồng chí Phan Thị Thảo" in secretary.text


def test_an_invite_is_void_once_its_issuer_may_no_longer_issue_it(
    core: Core, chat_as, demo: Database
) -> None:
    """A member promoted meanwhile, or a secretary who stepped down, voids the code."""
    secretary = chat_as(OFFICE_SECRETARY)
    codes = {}
    for code, name in ((CUONG, "Lê Văn Cường"), ("DV004", "Phạm Thị Dung")):
        secretary.send("/moi")
        secretary.press(name)
        codes[code] = secretary.text.split(": ", 1)[1].split("\n", 1)[0]
    _committee_of(demo, CUONG, f"{TOP} / {BASE}")
    promoted = ChatDriver(core, user_id="910")
    promoted.send(f"/start {codes[CUONG]}")
    assert promoted.text == texts.INVITE_REVOKED
    _change(demo, OFFICE_SECRETARY, lambda s, m: set_cell_role(s, m, None))
    member = ChatDriver(core, user_id="911")
    member.send(codes["DV004"])
    assert member.text == texts.INVITE_REVOKED
    assert _identity(demo, "910").member_id is None  # type: ignore[union-attr]
    assert _identity(demo, "911").member_id is None  # type: ignore[union-attr]


# -- item 2: a member's new phone ---------------------------------------------------------------
def test_a_linked_member_is_re_linked_and_the_old_account_is_told(
    core: Core, chat_as, demo: Database, clock: FakeClock
) -> None:
    secret = core.config.invite_secret
    old = ChatDriver(core, user_id="900")
    old.send(_invite(demo, clock, CUONG, secret))
    zalo = ChatDriver(core, user_id="z-900", channel="zalo")
    zalo.send(_invite(demo, clock, CUONG, secret))
    assert _identity(demo, "900").member_id is not None  # type: ignore[union-attr]

    secretary = chat_as(OFFICE_SECRETARY)
    secretary.send("/moi")
    labels = _labels(secretary)
    linked = texts.INVITE_LINKED_LABEL.format(name="Lê Văn Cường")
    assert linked in labels
    assert labels.index(linked) > labels.index("Phạm Thị Dung")  # the unconnected come first
    secretary.press(linked)
    assert texts.INVITE_RELINK_NOTE.format(name="Lê Văn Cường") in secretary.text
    code = secretary.text.split(": ", 1)[1].split("\n", 1)[0]

    new = ChatDriver(core, user_id="901")
    new.send(f"/start {code}")
    assert "Chào đồng chí Lê Văn Cường" in new.text
    old.send("/toi")
    assert "chưa được liên kết" in old.text
    zalo.send("/toi")  # another channel's account is another way in: it stays
    assert "DV003" in zalo.text
    with demo.session() as session:
        notices = session.exec(select(Delivery).where(Delivery.kind == ACCOUNT_UNLINKED_KIND))
        told = [(d.channel, d.chat_id, d.payload["text"], d.status) for d in notices]
    assert told == [("telegram", "900", texts.ACCOUNT_UNLINKED_NOTICE, "pending")]


# -- item 3: single use under concurrency --------------------------------------------------------
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_two_concurrent_redemptions_link_exactly_once(demo: Database, clock: FakeClock) -> None:
    """Both read the unused invite before either marks it: only one UPDATE may win."""
    core = build_core(demo, CoreConfig(invite_secret=SECRET), clock=clock)
    code = _invite(demo, clock, CUONG, SECRET)
    barrier = threading.Barrier(2, timeout=20)

    def both_have_read(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE INVITES"):
            barrier.wait()

    sa.event.listen(demo.engine, "before_cursor_execute", both_have_read)
    answers: dict[str, str] = {}

    def redeem_as(user_id: str) -> None:
        response = core.handle(
            Incoming(channel="telegram", chat_id=user_id, user_id=user_id, text=code)
        )
        answers[user_id] = "\n".join(r.text for r in response.replies)

    threads = [threading.Thread(target=redeem_as, args=(u,)) for u in ("1201", "1202")]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        sa.event.remove(demo.engine, "before_cursor_execute", both_have_read)
    assert not barrier.broken, "both redemptions must have read the invite before updating it"
    outcomes = sorted(answers.values())
    assert len(outcomes) == 2
    assert [("Chào đồng chí Lê Văn Cường" in a, a == texts.INVITE_USED) for a in outcomes] == [
        (True, False),
        (False, True),
    ]
    winner = next(u for u, a in answers.items() if "Chào đồng chí" in a)
    with demo.session() as session:
        member = find_member(session, CUONG)
        assert member is not None
        linked = session.exec(select(ChatIdentity).where(ChatIdentity.member_id == member.id))
        assert [i.external_id for i in linked] == [winner]
        [invite] = session.exec(select(Invite)).all()
        assert invite.used_at is not None
        used_by = session.get(ChatIdentity, invite.used_by_identity_id)
        assert used_by is not None and used_by.external_id == winner
        attempts = session.exec(select(InviteAttempt.success)).all()
        assert sorted(attempts) == [False, True]


# -- item 12: keyed hashes -----------------------------------------------------------------------
def test_codes_are_stored_as_hmac_under_the_server_secret(demo: Database, clock) -> None:
    """Before: plain SHA-256 of a ~50-bit code, which a leaked database lets anyone brute-force."""
    code = _invite(demo, clock, CUONG, SECRET)
    [invite] = _invites(demo)
    assert invite.code_hash == hash_code(code, SECRET)
    assert invite.code_hash.startswith(HASH_PREFIX) and len(invite.code_hash) <= 64
    assert invite.code_hash != legacy_hash(code)
    assert hash_code(code, OTHER_SECRET) != invite.code_hash
    assert hash_code(code.lower(), SECRET) == invite.code_hash  # typed in lower case


def test_a_code_is_wrong_under_another_secret(demo: Database, clock: FakeClock) -> None:
    code = _invite(demo, clock, CUONG, SECRET)
    other = build_core(demo, CoreConfig(invite_secret=OTHER_SECRET), clock=clock)
    stranger = ChatDriver(other, user_id="920")
    stranger.send(code)
    assert stranger.text == texts.INVITE_WRONG
    right = ChatDriver(build_core(demo, CoreConfig(invite_secret=SECRET), clock=clock), "921")
    right.send(code)
    assert "Chào đồng chí Lê Văn Cường" in right.text


def test_hashing_refuses_a_short_or_empty_secret() -> None:
    for weak in ("", "x" * 31):
        with pytest.raises(ValueError, match="at least 32"):
            hash_code("ABCDEFGHJK", weak)


def _legacy_invite(db: Database, clock: FakeClock, ttl: timedelta) -> str:
    """An invite as the code before the keyed hash wrote it: plain SHA-256 hex."""
    code = new_code()
    with db.session() as session:
        member = find_member(session, CUONG)
        assert member is not None and member.id is not None
        session.add(
            Invite(
                member_id=member.id,
                code_hash=legacy_hash(code),
                created_at=clock(),
                expires_at=clock() + ttl,
            )
        )
    return code


def test_legacy_sha256_invites_work_until_they_expire(demo: Database, clock: FakeClock) -> None:
    core = build_core(demo, CoreConfig(invite_secret=SECRET), clock=clock)
    fresh = _legacy_invite(demo, clock, timedelta(days=14))
    long_lived = _legacy_invite(demo, clock, timedelta(days=60))
    expired = _legacy_invite(demo, clock, timedelta(days=1))
    clock.advance(days=13)
    chat = ChatDriver(core, user_id="930")
    chat.send(expired)
    assert chat.text == texts.INVITE_EXPIRED
    chat.send(fresh)
    assert "Chào đồng chí Lê Văn Cường" in chat.text
    # A legacy row with a long TTL still stops 14 days after it was issued: it is crackable.
    clock.advance(days=1, seconds=1)
    late = ChatDriver(core, user_id="931")
    late.send(long_lived)
    assert late.text == texts.INVITE_EXPIRED
    assert _identity(demo, "931").member_id is None  # type: ignore[union-attr]


# -- item 12: where the secret comes from --------------------------------------------------------
def test_a_bot_token_without_invite_secret_is_a_settings_error(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    for token in ({"telegram_bot_token": TOKEN}, {"zalo_bot_token": "zalo-token"}):
        settings = load_settings(_env_file=None, database_url=url, **token)
        with pytest.raises(SettingsError, match=r"^Invalid setting INVITE_SECRET: required"):
            invite_secret(settings)
    postgres = load_settings(_env_file=None, database_url="postgresql://u@h/db")
    with pytest.raises(SettingsError, match=r"^Invalid setting INVITE_SECRET: required with"):
        invite_secret(postgres)
    assert not list(tmp_path.iterdir())  # nothing generated for a real deployment


def test_a_short_invite_secret_is_refused_and_a_set_one_is_masked(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^Invalid setting INVITE_SECRET: use 32"):
        load_settings(_env_file=None, invite_secret="x" * 31)
    settings = load_settings(_env_file=None, invite_secret=SECRET, telegram_bot_token=TOKEN)
    assert invite_secret(settings) == SECRET
    assert SECRET in settings.secrets() and SECRET not in repr(settings)
    assert SECRET not in repr(CoreConfig(invite_secret=SECRET))


def test_a_local_trial_generates_one_secret_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'trial.db'}"
    settings = load_settings(_env_file=None, database_url=url)
    first = invite_secret(settings)
    kept = tmp_path / f"trial.db{INVITE_SECRET_FILE_SUFFIX}"
    assert kept.read_text().strip() == first and len(first) >= 32
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert invite_secret(load_settings(_env_file=None, database_url=url)) == first
    kept.write_text("short\n")
    with pytest.raises(SettingsError, match="INVITE_SECRET"):
        invite_secret(settings)


def _cli(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ZALO_", "INVITE_", "DATABASE_"))
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, "LOG_LEVEL": "WARNING", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_without_invite_secret_stops_with_one_line_when_a_token_is_set(
    tmp_path: Path,
) -> None:
    result = _cli(
        ["demo"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", TELEGRAM_BOT_TOKEN=TOKEN
    )
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Invalid setting INVITE_SECRET: required when a bot token is set")


def test_cli_on_postgresql_without_invite_secret_stops_with_one_line(
    tmp_path: Path, pg_url: str
) -> None:
    """Codes hashed with a key the bot does not have would simply never work: refuse instead."""
    for args in (["invite", "--member", CUONG], ["chat", "--as", OFFICE_SECRETARY]):
        result = _cli(args, tmp_path, DATABASE_URL=pg_url)
        assert result.returncode == 2, result.stderr
        [line] = result.stderr.strip().splitlines()
        assert line.startswith("Invalid setting INVITE_SECRET: required with PostgreSQL"), args
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("configured", [True, False], ids=["INVITE_SECRET", "local-trial"])
def test_cli_invite_codes_work_in_the_bot(tmp_path: Path, configured: bool) -> None:
    """`sotay invite` and the running bot hash with the same key, set or generated."""
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    env = {"DATABASE_URL": url, **({"INVITE_SECRET": SECRET} if configured else {})}
    assert _cli(["demo"], tmp_path, **env).returncode == 0
    result = _cli(["invite", "--member", CUONG], tmp_path, **env)
    assert result.returncode == 0, result.stderr
    member_code, code, _link = result.stdout.strip().split("\t")
    assert member_code == CUONG
    extra = {"invite_secret": SECRET} if configured else {}
    app = build_app(load_settings(_env_file=None, database_url=url, **extra), migrate=False)
    try:
        chat = ChatDriver(app.core, user_id="940")
        chat.send(code)
        assert "Chào đồng chí Lê Văn Cường" in chat.text
        with app.db.session() as session:
            [invite] = session.exec(select(Invite)).all()
            assert invite.code_hash == hash_code(code, app.core.config.invite_secret)
    finally:
        app.db.dispose()
    generated = tmp_path / f"bot.db{INVITE_SECRET_FILE_SUFFIX}"
    assert generated.exists() is not configured
