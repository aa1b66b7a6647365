"""Resolutions have versions and a vote history; only an adopted one reaches members.

Issue 11, items 3 and 4: a failed resolution is never published (it is revised and voted
again); a change after voting or publishing is a new version (the old one kept), a correction
of wording keeps the adoption and is announced with what changed, a change of content waits
for its own vote; every vote is kept, and a second one is recorded only after "are you sure".
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

import migrations
from models import (
    AuditLog,
    Database,
    Delivery,
    DeliveryKind,
    Meeting,
    Resolution,
    ResolutionChange,
    ResolutionVersion,
    ResolutionVote,
)
from services import texts
from services.errors import Forbidden, UserError
from services.identities import find_member, local_identity
from services.meetings import texts as meeting_texts
from services.meetings.resolutions import (
    change_excerpt,
    plan_revision,
    publish_resolution,
    published_resolutions,
    record_resolution,
    record_vote,
    resolution_record,
)
from tests.conftest import PG_ADMIN_URL
from tests.meetings.test_resolutions import TYPICAL, actor, held_meeting
from tests.support import ChatDriver, FakeClock, fresh_pg_database

FIRST_TEXT = "Nghị quyết tháng 12: hoàn thành kế hoạch năm; thu đảng phí quý IV trước ngày 25/12."
WORDING_TEXT = (
    "Nghị quyết tháng 12: hoàn thành kế hoạch năm; thu đảng phí quý IV trước ngày 25 tháng 12."
)
CONTENT_TEXT = "Nghị quyết tháng 12: hoàn thành kế hoạch năm; thu đảng phí quý IV trước ngày 31/12."


def link(session: Session, clock: FakeClock, *codes: str) -> None:
    for code in codes:
        member = find_member(session, code)
        assert member is not None
        local_identity(session, member, now=clock())


def sent(session: Session) -> list[Delivery]:
    query = select(Delivery).where(Delivery.kind == DeliveryKind.RESOLUTION)
    return list(session.exec(query.order_by(col(Delivery.id))))


def versions(session: Session) -> list[ResolutionVersion]:
    return list(session.exec(select(ResolutionVersion).order_by(col(ResolutionVersion.number))))


def votes(session: Session) -> list[ResolutionVote]:
    return list(session.exec(select(ResolutionVote).order_by(col(ResolutionVote.number))))


def adopted_and_published(session: Session, clock: FakeClock) -> Meeting:
    """The office cell's meeting, its resolution adopted (4 of 6) and sent to members."""
    link(session, clock, "DV003", "DV005")
    meeting = held_meeting(session, clock, TYPICAL)
    assert meeting.id is not None
    secretary = actor(session, "DV001")
    record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
    record_vote(session, secretary, meeting.id, votes_for=4, votes_against=0, now=clock())
    publish_resolution(session, secretary, meeting.id, now=clock())
    return meeting


# --- Pure: what changed -----------------------------------------------------------------------


def test_change_excerpt_shows_the_changed_words_with_a_little_context() -> None:
    before, after = change_excerpt(FIRST_TEXT, CONTENT_TEXT)
    assert before == "…thu đảng phí quý IV trước ngày 25/12."
    assert after == "…thu đảng phí quý IV trước ngày 31/12."
    # A change at the start, an insertion, and a long text cut in the middle.
    assert change_excerpt("Một hai ba", "Bốn hai ba") == ("Một hai ba", "Bốn hai ba")
    assert change_excerpt("a b c", "a b x c") == ("a b c", "a b x c")
    before, after = change_excerpt("Mở " + "chữ " * 200 + "cuối", "Mở " + "từ " * 200 + "hết")
    assert before.startswith("Mở chữ chữ") and " … " in before and before.endswith("chữ cuối")
    assert after.startswith("Mở từ từ") and " … " in after and len(after) <= 243
    # Only the neighbourhood of a change far into a long text.
    before, after = change_excerpt("x " * 100 + "cuối", "x " * 100 + "kết")
    assert before.startswith("…x x") and before.endswith("cuối") and len(before) < 40


# --- Item 3: only an adopted resolution is published ------------------------------------------


def test_a_failed_or_unvoted_resolution_is_not_published(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock, "DV003")
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
        with pytest.raises(UserError) as unvoted:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert unvoted.value.message == meeting_texts.RES_PUBLISH_NOT_VOTED
        failed = record_vote(
            session,
            secretary,
            meeting.id,
            votes_for=3,
            votes_against=1,
            votes_abstain=1,
            now=clock(),
        )
        assert not failed.passed
        with pytest.raises(UserError) as refused:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert refused.value.message == meeting_texts.RES_PUBLISH_NOT_ADOPTED.format(
            for_=3, convened=6, needed=4
        )
        assert "chưa được thông qua" in refused.value.message
        assert "biểu quyết lại" in refused.value.message
        assert sent(session) == []
        resolution = session.exec(select(Resolution)).one()
        assert resolution.published_at is None


def test_a_failed_resolution_is_revised_voted_again_then_published(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        link(session, clock, "DV003")
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
        record_vote(session, secretary, meeting.id, votes_for=3, votes_against=2, now=clock())
        # Failed: a revision is a change of content (nothing to keep), no question asked.
        plan = plan_revision(session, secretary, meeting.id, text=CONTENT_TEXT, now=clock())
        assert (plan.number, plan.in_place, plan.needs_kind) == (2, False, False)
        revised = record_resolution(session, secretary, meeting.id, text=CONTENT_TEXT, now=clock())
        assert revised.new_version and revised.version.change == ResolutionChange.CONTENT
        with pytest.raises(UserError) as unvoted:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert unvoted.value.message == meeting_texts.RES_PUBLISH_NOT_VOTED
        record_vote(session, secretary, meeting.id, votes_for=5, votes_against=0, now=clock())
        published = publish_resolution(session, secretary, meeting.id, now=clock())
        assert published.version.number == 2 and not published.amendment
        (notice,) = sent(session)
        assert "ngày 31/12" in notice.payload["text"] and "sửa đổi" not in notice.payload["text"]
        first, second = versions(session)
        assert (first.text, first.published_at) == (FIRST_TEXT, None)  # kept, never sent
        assert second.published_at == clock()
        assert [(v.version_id, v.passed) for v in votes(session)] == [
            (first.id, False),
            (second.id, True),
        ]


# --- Item 4: versions -------------------------------------------------------------------------


def test_a_draft_is_rewritten_in_place_until_voted(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        record_resolution(session, secretary, meeting.id, text="Bản nháp", now=clock())
        again = record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
        assert not again.new_version and [v.text for v in versions(session)] == [FIRST_TEXT]
        with pytest.raises(UserError) as same:
            record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
        assert same.value.message == meeting_texts.RES_UNCHANGED
        record_vote(session, secretary, meeting.id, votes_for=4, votes_against=0, now=clock())
        # Adopted: the secretary must say which kind of change it is.
        with pytest.raises(UserError) as kind:
            record_resolution(session, secretary, meeting.id, text=WORDING_TEXT, now=clock())
        assert kind.value.message == meeting_texts.RES_CHANGE_KIND_NEEDED
        assert len(versions(session)) == 1


def test_a_vote_recorded_before_the_text_waits_for_it(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        record_vote(session, secretary, meeting.id, votes_for=4, votes_against=0, now=clock())
        with pytest.raises(UserError) as empty:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert empty.value.message == meeting_texts.RES_NOTHING_TO_PUBLISH
        filled = record_resolution(session, secretary, meeting.id, text=FIRST_TEXT, now=clock())
        assert not filled.new_version and filled.version.number == 1
        assert filled.record.adopted(filled.version)
        assert publish_resolution(session, secretary, meeting.id, now=clock()).version.number == 1


def test_a_correction_of_wording_keeps_the_adoption_and_is_announced(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = adopted_and_published(session, clock)
        assert meeting.id is not None
        secretary, member = actor(session, "DV001"), actor(session, "DV003")
        clock.advance(days=2)
        corrected = record_resolution(
            session,
            secretary,
            meeting.id,
            text=WORDING_TEXT,
            change=ResolutionChange.WORDING,
            expected_version=1,
            now=clock(),
        )
        assert corrected.version.number == 2 and corrected.record.adopted(corrected.version)
        # Recorded, not yet sent: members still have version 1 (never a silent rewrite).
        (have,) = published_resolutions(session, member)
        assert (have.version.number, have.amended) == (1, None)
        resolution = session.exec(select(Resolution)).one()
        assert resolution.text == WORDING_TEXT and resolution.passed is True  # the mirror
        published = publish_resolution(session, secretary, meeting.id, now=clock())
        assert published.amendment and published.warnings == []  # no 2-day rule for amendments
        first, amendment = sent(session)[0], sent(session)[-1]
        assert len(sent(session)) == 4  # DV003 and DV005, each told twice
        text = amendment.payload["text"]
        assert (
            "đã được sửa đổi ngày 21/12/2026 (sửa câu chữ, kết quả biểu quyết giữ nguyên)" in text
        )
        assert (
            "Trước: …thu đảng phí quý IV trước ngày 25/12.\n"
            "Nay: …thu đảng phí quý IV trước ngày 25 tháng 12."
        ) in text
        assert text.endswith(WORDING_TEXT) and first.payload["text"].endswith(FIRST_TEXT)
        old, new = versions(session)
        assert old.text == FIRST_TEXT and old.published_at is not None  # the old version kept
        assert new.published_at == clock() and resolution.published_at < clock()
        (have,) = published_resolutions(session, member)
        assert (have.version.number, have.amended, have.amended_at) == (
            2,
            ResolutionChange.WORDING,
            clock(),
        )
        assert have.vote is not None and have.vote.number == 1  # adopted by the first vote
        # Sending it again adds nothing.
        publish_resolution(session, secretary, meeting.id, now=clock())
        assert len(sent(session)) == 4


def test_a_change_of_content_waits_for_its_vote(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = adopted_and_published(session, clock)
        assert meeting.id is not None
        secretary, member = actor(session, "DV001"), actor(session, "DV003")
        changed = record_resolution(
            session,
            secretary,
            meeting.id,
            text=CONTENT_TEXT,
            change=ResolutionChange.CONTENT,
            now=clock(),
        )
        assert not changed.record.adopted(changed.version)
        resolution = session.exec(select(Resolution)).one()
        assert (resolution.passed, resolution.votes_for) == (None, None)
        with pytest.raises(UserError) as unvoted:
            publish_resolution(session, secretary, meeting.id, now=clock())
        assert unvoted.value.message == meeting_texts.RES_PUBLISH_NOT_VOTED
        assert published_resolutions(session, member)[0].version.text == FIRST_TEXT
        # The new content is a new version: its first vote needs no confirmation.
        record_vote(session, secretary, meeting.id, votes_for=5, votes_against=0, now=clock())
        publish_resolution(session, secretary, meeting.id, now=clock())
        text = sent(session)[-1].payload["text"]
        assert "sửa nội dung, chi bộ đã biểu quyết thông qua lại" in text
        assert (
            "Trước: …thu đảng phí quý IV trước ngày 25/12.\n"
            "Nay: …thu đảng phí quý IV trước ngày 31/12."
        ) in text
        (have,) = published_resolutions(session, member)
        assert have.amended == ResolutionChange.CONTENT and have.vote is not None
        assert (have.vote.number, have.vote.votes_for) == (2, 5)
        assert [v.number for v in votes(session)] == [1, 2]


def test_every_vote_is_kept_and_a_new_one_needs_confirmation(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        meeting = adopted_and_published(session, clock)
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        with pytest.raises(UserError) as unasked:
            record_vote(session, secretary, meeting.id, votes_for=5, votes_against=0, now=clock())
        assert unasked.value.message == meeting_texts.RES_VOTE_ALREADY
        # The published version cannot be voted down: a different content is a new version.
        with pytest.raises(UserError) as down:
            record_vote(
                session,
                secretary,
                meeting.id,
                votes_for=2,
                votes_against=3,
                again=True,
                now=clock(),
            )
        assert down.value.message == meeting_texts.RES_REVOTE_PUBLISHED_FAILS.format(
            for_=2, needed=4
        )
        recount = record_vote(
            session, secretary, meeting.id, votes_for=5, votes_against=0, again=True, now=clock()
        )
        assert recount.passed
        assert [(v.number, v.votes_for) for v in votes(session)] == [(1, 4), (2, 5)]
        record = resolution_record(session, actor(session, "DV003"), meeting.id)
        assert record is not None and record.current is not None
        deciding = record.deciding_vote(record.current)
        assert deciding is not None and deciding.number == 2
        assert (
            len(
                session.exec(
                    select(AuditLog).where(AuditLog.action.startswith("resolution.vote"))
                ).all()
            )
            == 2
        )  # type: ignore[attr-defined]


def test_a_change_made_meanwhile_is_not_overwritten(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = adopted_and_published(session, clock)
        assert meeting.id is not None
        deputy, secretary = actor(session, "DV002"), actor(session, "DV001")
        record_resolution(
            session,
            deputy,
            meeting.id,
            text=WORDING_TEXT,
            change=ResolutionChange.WORDING,
            expected_version=1,
            now=clock(),
        )
        for call in (
            lambda: record_resolution(
                session,
                secretary,
                meeting.id,
                text=CONTENT_TEXT,
                change=ResolutionChange.CONTENT,
                expected_version=1,
                now=clock(),
            ),
            lambda: record_vote(
                session,
                secretary,
                meeting.id,
                votes_for=5,
                votes_against=0,
                again=True,
                expected_version=1,
                now=clock(),
            ),
            lambda: publish_resolution(
                session, secretary, meeting.id, expected_version=1, now=clock()
            ),
        ):
            with pytest.raises(UserError) as stale:
                call()
            assert stale.value.message == meeting_texts.RES_VERSION_CHANGED.format(number=2)
        assert len(versions(session)) == 2 and len(votes(session)) == 1


def test_only_the_cells_leaders_change_or_send_it(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = adopted_and_published(session, clock)
        assert meeting.id is not None
        for code in ("DV003", "DV009", "DV016"):  # a member, another cell's secretary, committee
            who = actor(session, code)
            with pytest.raises(Forbidden):
                record_resolution(
                    session,
                    who,
                    meeting.id,
                    text=WORDING_TEXT,
                    change=ResolutionChange.WORDING,
                    now=clock(),
                )
            with pytest.raises(Forbidden):
                publish_resolution(session, who, meeting.id, now=clock())
        assert len(versions(session)) == 1
        # Another cell's members never see it.
        assert published_resolutions(session, actor(session, "DV010")) == []


# --- Through the chat: one tap to confirm, the kind of change asked ---------------------------


def ketqua(chat_as, demo: Database, clock: FakeClock) -> tuple[ChatDriver, ChatDriver, Meeting]:
    """The secretary at /ketqua's menu after the meeting, and a linked member."""
    member = chat_as("DV003")
    secretary = chat_as("DV001")
    with demo.session() as session:
        meeting = held_meeting(session, clock, TYPICAL)
    secretary.send("/ketqua")
    assert "Kết quả buổi sinh hoạt 14:00 Thứ Bảy, 19/12/2026" in secretary.text
    return secretary, member, meeting


def deliveries(demo: Database) -> list[Delivery]:
    with demo.session() as session:
        return sent(session)


def test_chat_a_failed_resolution_is_refused_with_what_to_do(
    chat_as, demo: Database, clock: FakeClock
) -> None:
    secretary, member, _meeting = ketqua(chat_as, demo, clock)
    secretary.press("Nghị quyết")
    secretary.send(FIRST_TEXT)
    assert meeting_texts.FLOW_RES_STATUS_UNVOTED.format(version="") in secretary.text
    secretary.press("Gửi nghị quyết")
    assert meeting_texts.RES_PUBLISH_NOT_VOTED in secretary.text
    secretary.press("Biểu quyết")
    secretary.send("3 1 1")
    assert "chưa được thông qua" in secretary.text
    assert "chưa được thông qua. Đồng chí sửa nghị quyết" in secretary.text  # the menu's status
    secretary.press("Gửi nghị quyết")
    assert (
        meeting_texts.RES_PUBLISH_NOT_ADOPTED.format(for_=3, convened=6, needed=4) in secretary.text
    )
    assert secretary.options()[0].label == "✓ Nghị quyết"  # back at the menu
    assert deliveries(demo) == []
    member.send("/nghiquyet")
    assert member.text == texts.MY_NO_RESOLUTIONS

    # Revised (no question: nothing adopted to keep), voted again, sent after one tap.
    secretary.press("Nghị quyết")
    assert meeting_texts.FLOW_RES_CURRENT_TEXT.format(number=1, text=FIRST_TEXT) in secretary.text
    secretary.send(CONTENT_TEXT)
    assert meeting_texts.FLOW_RES_SAVED_CONTENT.format(number=2) in secretary.text
    secretary.press("Biểu quyết")
    assert "Cần ít nhất 4 phiếu tán thành" in secretary.text  # no "are you sure": a new text
    secretary.send("5 0 0")
    assert "Nghị quyết được thông qua" in secretary.text
    secretary.press("Gửi nghị quyết")
    assert "Đảng viên sẽ nhận tin sau:" in secretary.text and CONTENT_TEXT in secretary.text
    assert "Gửi đến 7 đảng viên của chi bộ chứ?" in secretary.text
    secretary.press("Gửi")
    assert "Đã gửi nghị quyết đến 1 trong số 7 đảng viên của chi bộ." in secretary.text
    (notice,) = deliveries(demo)
    assert notice.payload["text"].endswith(CONTENT_TEXT)
    member.send("/nghiquyet")
    assert CONTENT_TEXT in member.text and FIRST_TEXT not in member.text
    assert "5 tán thành, 0 không tán thành, 0 không biểu quyết – được thông qua" in member.text


def test_chat_publishing_and_revoting_ask_first(chat_as, demo: Database, clock: FakeClock) -> None:
    secretary, _member, _meeting = ketqua(chat_as, demo, clock)
    secretary.press("Nghị quyết")
    secretary.send(FIRST_TEXT)
    secretary.press("Biểu quyết")
    secretary.send("4 0 1")
    secretary.press("Gửi nghị quyết")
    secretary.press("Để sau")
    assert deliveries(demo) == []
    assert "được thông qua, chưa gửi cho đảng viên" in secretary.text

    secretary.press("Biểu quyết")
    assert "đã có kết quả biểu quyết (ghi lúc 15:40 Thứ Bảy, 19/12/2026): 4 tán thành" in (
        secretary.text
    )
    secretary.press("Quay lại")
    with demo.session() as session:
        assert len(votes(session)) == 1
    secretary.press("Biểu quyết")
    secretary.press("Ghi kết quả mới")
    secretary.send("5 0 0")
    assert "5 tán thành" in secretary.text
    with demo.session() as session:
        assert [v.votes_for for v in votes(session)] == [4, 5]

    secretary.press("Gửi nghị quyết")
    secretary.press("Gửi")
    assert len(deliveries(demo)) == 1
    secretary.press("Gửi nghị quyết")  # already sent: said so, nothing asked, nothing sent
    assert "đã được gửi cho đảng viên lúc 15:40" in secretary.text
    assert len(deliveries(demo)) == 1


def test_chat_amending_a_published_resolution(chat_as, demo: Database, clock: FakeClock) -> None:
    secretary, member, _meeting = ketqua(chat_as, demo, clock)
    secretary.press("Nghị quyết")
    secretary.send(FIRST_TEXT)
    secretary.press("Biểu quyết")
    secretary.send("4 0 1")
    secretary.press("Gửi nghị quyết")
    secretary.press("Gửi")
    clock.advance(days=1)

    # A correction of wording: asked which kind, saved as version 2, sent after one tap.
    secretary.send("/ketqua")
    secretary.press("Nghị quyết")
    secretary.send(WORDING_TEXT)
    assert (
        "đã gửi cho đảng viên. Thay đổi:\nTrước: …thu đảng phí quý IV trước ngày 25/12.\n"
        "Nay: …thu đảng phí quý IV trước ngày 25 tháng 12." in (secretary.text)
    )
    secretary.press("Sửa câu chữ")
    assert meeting_texts.FLOW_RES_SAVED_WORDING.format(number=2) in secretary.text
    assert "Đảng viên sẽ nhận tin sau:" in secretary.text and "(sửa câu chữ" in secretary.text
    member.send("/nghiquyet")
    assert FIRST_TEXT in member.text and "Đã sửa đổi" not in member.text  # not sent yet
    secretary.press("Gửi")
    assert "Đã gửi bản sửa đổi nghị quyết đến 1 trong số 7 đảng viên" in secretary.text
    member.send("/nghiquyet")
    assert WORDING_TEXT in member.text
    assert "✏️ Đã sửa đổi ngày 20/12/2026 (sửa câu chữ)." in member.text
    assert "4 tán thành, 0 không tán thành, 1 không biểu quyết – được thông qua" in member.text

    # A change of content: not adopted until voted, and members keep version 2 meanwhile.
    secretary.press("Nghị quyết")
    assert meeting_texts.FLOW_RES_CURRENT_TEXT.format(number=2, text=WORDING_TEXT) in secretary.text
    secretary.send(CONTENT_TEXT)
    secretary.press("Sửa nội dung")
    assert meeting_texts.FLOW_RES_SAVED_CONTENT.format(number=3) in secretary.text
    assert "Nghị quyết (bản sửa đổi 3): chưa biểu quyết. Đảng viên đang có bản 2" in secretary.text
    secretary.press("Gửi bản sửa đổi")
    assert meeting_texts.RES_PUBLISH_NOT_VOTED in secretary.text
    secretary.press("Biểu quyết")
    secretary.send("5 0 0")
    # Adopted: what members will receive is shown at once, to send with one tap.
    assert "sửa nội dung, chi bộ đã biểu quyết thông qua lại" in secretary.text
    secretary.press("Gửi")
    member.send("/nghiquyet")
    assert CONTENT_TEXT in member.text and "(sửa nội dung, đã biểu quyết lại)" in member.text
    assert "5 tán thành" in member.text
    with demo.session() as session:
        assert [(v.number, v.change) for v in versions(session)] == [
            (1, "ban_dau"),
            (2, "sua_cau_chu"),
            (3, "sua_noi_dung"),
        ]
        assert all(v.published_at is not None for v in versions(session))
    assert len(deliveries(demo)) == 3  # one member linked: first, wording, content


def test_chat_kind_question_back_changes_nothing(chat_as, demo: Database, clock: FakeClock) -> None:
    secretary, _member, _meeting = ketqua(chat_as, demo, clock)
    secretary.press("Nghị quyết")
    secretary.send(FIRST_TEXT)
    secretary.press("Biểu quyết")
    secretary.send("4 0 1")
    secretary.press("Nghị quyết")
    secretary.send(WORDING_TEXT)
    assert "Nghị quyết đã được chi bộ biểu quyết thông qua. Thay đổi:" in secretary.text
    secretary.press("Quay lại")
    with demo.session() as session:
        assert [v.text for v in versions(session)] == [FIRST_TEXT]
    secretary.press("Nghị quyết")
    secretary.send(FIRST_TEXT)
    assert meeting_texts.RES_UNCHANGED in secretary.text


# --- The migration keeps what was there -------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
        return
    with fresh_pg_database(PG_ADMIN_URL, "sotay_res") as url:
        yield url


def test_migration_turns_each_resolution_into_version_1_and_vote_1(empty_url: str) -> None:
    from models.types import UTCDateTime

    migrations.upgrade(empty_url, "0005")
    at = datetime(2026, 12, 19, 9, 0, tzinfo=UTC)
    units = sa.table(
        "units",
        *(sa.column(c) for c in ("id", "name", "kind", "path", "lineage")),
        sa.column("created_at", UTCDateTime()),
    )
    meetings = sa.table(
        "meetings",
        *(sa.column(c) for c in ("id", "cell_id", "kind", "place", "status")),
        sa.column("agenda", sa.JSON()),
        *(
            sa.column(c, UTCDateTime())
            for c in ("starts_at", "ends_at", "created_at", "updated_at")
        ),
    )
    resolutions = sa.table(
        "resolutions",
        *(sa.column(c) for c in ("id", "meeting_id", "text", "file_ref", "file_kind")),
        *(sa.column(c) for c in ("votes_for", "votes_against", "votes_abstain", "convened")),
        sa.column("eligible_present"),
        sa.column("passed", sa.Boolean()),
        sa.column("quality_scores", sa.JSON()),
        *(
            sa.column(c, UTCDateTime())
            for c in ("voted_at", "published_at", "created_at", "updated_at")
        ),
    )
    engine = sa.create_engine(empty_url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(units).values(
                id=1, name="Chi bộ", kind="chi_bo", path="Chi bộ", lineage="/1/", created_at=at
            )
        )
        conn.execute(
            sa.insert(meetings),
            [
                {
                    "id": m,
                    "cell_id": 1,
                    "kind": "thuong_ky",
                    "place": "P",
                    "status": "scheduled",
                    "agenda": [],
                    "starts_at": at + timedelta(days=31 * m),
                    "ends_at": at + timedelta(days=31 * m, hours=2),
                    "created_at": at,
                    "updated_at": at,
                }
                for m in (1, 2, 3)
            ],
        )
        base = {
            "text": None,
            "file_ref": None,
            "file_kind": None,
            "votes_for": None,
            "votes_against": None,
            "votes_abstain": None,
            "convened": None,
            "eligible_present": None,
            "passed": None,
            "voted_at": None,
            "published_at": None,
            "quality_scores": {},
            "created_at": at,
            "updated_at": at,
        }
        conn.execute(
            sa.insert(resolutions),
            [
                # Voted, adopted, published.
                {
                    **base,
                    "id": 1,
                    "meeting_id": 1,
                    "text": FIRST_TEXT,
                    "votes_for": 4,
                    "votes_against": 0,
                    "votes_abstain": 1,
                    "convened": 6,
                    "eligible_present": 5,
                    "passed": True,
                    "voted_at": at,
                    "published_at": at + timedelta(hours=3),
                },
                # A file, not voted.
                {**base, "id": 2, "meeting_id": 2, "file_ref": "tg:nq", "file_kind": "document"},
                # Only the quality score: no version.
                {**base, "id": 3, "meeting_id": 3, "quality_scores": {"time": 5}},
            ],
        )
    engine.dispose()

    migrations.upgrade(empty_url)
    database = Database(empty_url)
    try:
        with database.session() as session:
            got = [
                (v.resolution_id, v.number, v.change, v.text, v.file_ref, v.published_at)
                for v in versions(session)
            ]
            assert sorted(got, key=lambda row: row[0]) == [
                (1, 1, "ban_dau", FIRST_TEXT, None, at + timedelta(hours=3)),
                (2, 1, "ban_dau", None, "tg:nq", None),
            ]
            (vote,) = votes(session)
            one = session.exec(
                select(ResolutionVersion).where(ResolutionVersion.resolution_id == 1)
            ).one()
            assert (vote.resolution_id, vote.version_id, vote.number) == (1, one.id, 1)
            assert (vote.votes_for, vote.votes_abstain, vote.convened, vote.eligible_present) == (
                4,
                1,
                6,
                5,
            )
            assert (
                vote.passed is True
                and vote.recorded_at == at
                and vote.recorded_by_member_id is None
            )
    finally:
        database.dispose()

    migrations.downgrade(empty_url, "0005")
    engine = sa.create_engine(empty_url)
    try:
        assert "resolution_versions" not in sa.inspect(engine).get_table_names()
        with engine.connect() as conn:
            assert (
                conn.execute(sa.select(resolutions.c.text).where(resolutions.c.id == 1)).scalar()
                == FIRST_TEXT
            )
    finally:
        engine.dispose()
