"""The update path (issue 16): the account, member, roles and conversation state in one locked
query, and the update's key recorded in the update's own transaction (`Core.handle_once`).

What must hold, on SQLite and PostgreSQL: a repeat of an update is answered once (also when
the two race in different threads, as two web processes would), a failed handling writes
nothing but its key (so a repeat of it is not handled as new), a read-only update writes
nothing but its key, and on PostgreSQL a quick second tap waits for the first and sees the
state the first wrote (the state row is locked with the account's, not only joined).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session, select

import handlers.common as common_module
from handlers.core import Core
from handlers.messages import Incoming, Response
from models import AuditLog, ChatIdentity, ConversationState, Database, InboundUpdate
from services import inbound, texts
from services.errors import UserError
from services.identities import identify_in_chat
from tests.support import ChatDriver, FakeClock

PROFILE = "Mã đảng viên: DV003"


def _incoming(driver: ChatDriver, text: str) -> Incoming:
    return Incoming(
        channel=driver.channel, chat_id=driver.user_id, user_id=driver.user_id, text=text
    )


def _keys(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.exec(select(InboundUpdate.update_key)).all())


def _state(db: Database, user_id: str) -> ConversationState:
    with db.session() as session:
        return session.exec(
            select(ConversationState).where(ConversationState.user_id == user_id)
        ).one()


def test_a_repeat_is_answered_once_and_changes_nothing(core: Core, chat_as, demo) -> None:
    member = chat_as("DV003", channel="telegram")
    member.send("/toi")  # the state row exists from here on
    first = core.handle_once(_incoming(member, "/moi"), "bot/1")
    assert first is not None and "dành cho bí thư" in first.replies[0].text
    before = _state(demo, member.user_id)
    assert core.handle_once(_incoming(member, "/help"), "bot/1") is None  # same key
    after = _state(demo, member.user_id)
    assert (after.flow, after.options, after.updated_at) == (
        before.flow,
        before.options,
        before.updated_at,
    )
    assert _keys(demo) == ["bot/1"]


def test_a_read_only_update_writes_only_its_key(core: Core, chat_as, demo, clock) -> None:
    member = chat_as("DV003", channel="telegram")
    member.send("/toi")
    before = _state(demo, member.user_id)
    with demo.session() as session:
        seen = session.exec(
            select(ChatIdentity.last_seen_at).where(ChatIdentity.external_id == member.user_id)
        ).one()
    clock.advance(seconds=10)
    response = core.handle_once(_incoming(member, "/toi"), "bot/2")
    assert response is not None and PROFILE in response.replies[0].text
    assert _state(demo, member.user_id).updated_at == before.updated_at
    with demo.session() as session:
        assert (
            session.exec(
                select(ChatIdentity.last_seen_at).where(ChatIdentity.external_id == member.user_id)
            ).one()
            == seen
        )
    assert _keys(demo) == ["bot/2"]


def test_a_failed_update_writes_nothing_but_its_key(
    core: Core, chat_as, demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    secretary = chat_as("DV001", channel="telegram")
    secretary.send("/moi")
    import handlers.secretary as secretary_module

    def boom(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(secretary_module, "issue_invite", boom)
    with demo.session() as session:
        audits = len(session.exec(select(AuditLog)).all())
    failed = core.handle_once(_incoming(secretary, "1"), "bot/3")
    assert failed is not None and failed.replies[0].text == texts.INTERNAL_ERROR
    assert _state(demo, secretary.user_id).flow == "invite"  # rolled back: try the step again
    with demo.session() as session:
        assert len(session.exec(select(AuditLog)).all()) == audits
    assert _keys(demo) == ["bot/3"]
    # Telegram delivers it again: not handled as new, not answered twice.
    assert core.handle_once(_incoming(secretary, "1"), "bot/3") is None


def test_a_refusal_is_answered_once_and_keeps_the_key(
    core: Core, chat_as, demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = chat_as("DV003", channel="telegram")

    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise UserError("Không được.")

    monkeypatch.setattr(common_module, "describe_cell", refuse)
    refused = core.handle_once(_incoming(member, "/chibo"), "bot/4")
    assert refused is not None and refused.replies[0].text == "Không được."
    assert core.handle_once(_incoming(member, "/chibo"), "bot/4") is None
    assert _keys(demo) == ["bot/4"]


def test_the_same_update_racing_in_two_threads_is_answered_once(core: Core, chat_as, demo) -> None:
    """Two web processes given the same update at once (Telegram's retry overtaking a slow
    answer): exactly one answers, whichever wins."""
    member = chat_as("DV003", channel="telegram")
    member.send("/toi")

    def serve(start: threading.Barrier, key: str) -> Response | None:
        start.wait()
        return core.handle_once(_incoming(member, "/toi"), key)

    for round_ in range(5):
        start = threading.Barrier(2)
        with ThreadPoolExecutor(2) as pool:
            racing = [pool.submit(serve, start, f"bot/race{round_}") for _ in range(2)]
            results = [future.result(timeout=30) for future in racing]
        answered = [r for r in results if r is not None]
        assert len(answered) == 1, results
        assert PROFILE in answered[0].replies[0].text
    assert len(_keys(demo)) == 5


def test_an_unusable_key_is_refused(core: Core, chat_as) -> None:
    member = chat_as("DV003", channel="telegram")
    with pytest.raises(ValueError):
        core.handle_once(_incoming(member, "/toi"), "")
    with pytest.raises(ValueError):
        core.handle_once(_incoming(member, "/toi"), "k" * (inbound.MAX_KEY + 1))


def test_identify_in_chat_reads_the_state_with_the_account(core: Core, chat_as, demo, clock):
    member = chat_as("DV003", channel="telegram")
    with demo.session() as session:
        # A new chat: no state row yet, so the caller reads (creates) it after the lock.
        identity, actor, state = identify_in_chat(
            session, "telegram", member.user_id, member.user_id, now=clock()
        )
        assert identity.external_id == member.user_id and actor is not None
        assert actor.code == "DV003" and state is None
    member.send("/toi")  # the state row exists from here on
    with demo.session() as session:
        identity, actor, state = identify_in_chat(
            session, "telegram", member.user_id, member.user_id, now=clock()
        )
        assert state is not None and state.user_id == member.user_id
        assert actor is not None and actor.code == "DV003"
        # Another chat of the same user has no state of its own yet.
        assert (
            identify_in_chat(session, "telegram", member.user_id, "-1009", now=clock())[2] is None
        )
    with demo.session() as session:
        stranger = identify_in_chat(session, "telegram", "424242", "424242", now=clock())
        assert stranger[1] is None and stranger[2] is None


def test_a_second_tap_waits_and_sees_the_state_the_first_wrote(
    core: Core, chat_as, demo: Database, clock: FakeClock
) -> None:
    """PostgreSQL, READ COMMITTED: the second tap's query waits for the first's lock; it must
    then see the state as the first committed it. Locking only the account's row (the state
    merely joined) would hand it the state as its statement first saw it: the old one."""
    if demo.dialect != "postgresql":
        pytest.skip("row locks: SQLite serialises writers instead (and the adapter's turns)")
    member = chat_as("DV003", channel="telegram")
    member.send("/toi")
    now = clock()
    first = Session(demo.engine, expire_on_commit=False)
    try:
        _identity, _actor, state = identify_in_chat(
            first, "telegram", member.user_id, member.user_id, now=now
        )
        assert state is not None and state.flow is None
        state.flow, state.step = "invite", "pick"  # the first tap opens a flow
        first.flush()

        waiting = threading.Event()

        def second_tap() -> tuple[str | None, str | None]:
            with demo.session() as session:
                waiting.set()
                seen = identify_in_chat(
                    session, "telegram", member.user_id, member.user_id, now=now
                )[2]
                assert seen is not None
                return seen.flow, seen.step

        with ThreadPoolExecutor(1) as pool:
            later = pool.submit(second_tap)
            waiting.wait(5)
            with demo.engine.connect() as probe:  # the second tap is blocked on the lock
                for _ in range(200):
                    blocked = probe.exec_driver_sql(
                        "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a"
                        " ON a.pid = l.pid WHERE NOT l.granted"
                        " AND a.datname = current_database()"
                    ).scalar()
                    if blocked:
                        break
                    threading.Event().wait(0.02)
            assert blocked, "the second tap never waited for the first"
            assert not later.done()
            first.commit()
            assert later.result(timeout=10) == ("invite", "pick")
    finally:
        first.close()
