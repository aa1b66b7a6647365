"""The service functions the handlers call instead of querying: `/donvi`'s counts
(`services.org.cell_counts`, `services.stats.figures.units_overview`), the last place offered by
`/hop` (`last_place`), `/lichhop`'s documents and own roll row (`meeting_documents`,
`my_attendance`), and `/ketqua`'s task count (`meeting_task_count`), each with its refusal."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from models import ChatIdentity, Database, MeetingKind, Member, Unit
from services import texts
from services.demo import BASE, CELL_OFFICE, CELL_SCHOOLS, TOP
from services.errors import Forbidden
from services.identities import find_member
from services.meetings.attendance import answer_invitation, my_attendance
from services.meetings.planning import (
    add_document,
    last_place,
    meeting_documents,
    readable_meeting,
)
from services.meetings.resolutions import assign_task, meeting_task_count
from services.org import CellCounts, cell_counts, linked_member_ids, root_units
from services.orgwrite import ensure_unit_path, grant_admin, set_committee_units
from services.stats.figures import units_overview
from tests.meetings.test_meetings import actor, cell_id, link, schedule
from tests.support import FakeClock


def member(session: Session, code: str) -> Member:
    found = find_member(session, code)
    assert found is not None and found.id is not None
    return found


def unit(session: Session, name: str) -> Unit:
    return session.exec(select(Unit).where(Unit.name == name)).one()


# --- /donvi ----------------------------------------------------------------------------------


def test_cell_counts_follow_the_linked_rule(demo: Database, clock: FakeClock) -> None:
    """Linked as `linked_member_ids` has it: two accounts count once, a blocked bot still
    counts, an account moved away from (no member) does not."""
    with demo.session() as session:
        link(session, clock(), "DV001", "DV003", "DV010")
        second = member(session, "DV001")
        session.add(
            ChatIdentity(channel="zalo", external_id="z1", chat_id="z1", member_id=second.id)
        )
        blocked = member(session, "DV004")
        session.add(
            ChatIdentity(
                channel="zalo", external_id="z2", chat_id="z2", member_id=blocked.id, active=False
            )
        )
        session.add(ChatIdentity(channel="zalo", external_id="z3", chat_id="z3", member_id=None))
        session.flush()
        office, schools = cell_id(session, CELL_OFFICE), cell_id(session, CELL_SCHOOLS)
        base = unit(session, BASE).id
        assert base is not None
        counts = cell_counts(session, [office, schools, base])
        assert counts == {office: CellCounts(8, 3), schools: CellCounts(8, 1)}  # base: no members
        office_ids = [m.id for m in session.exec(select(Member).where(Member.cell_id == office))]
        assert counts[office].linked == len(
            linked_member_ids(session, [i for i in office_ids if i])
        )
        assert cell_counts(session, []) == {}


def test_committee_overview_of_its_subtree(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        link(session, clock(), "DV001", "DV002", "DV016")
        overviews = units_overview(session, actor(session, "DV016"))
        assert [o.unit.name for o in overviews] == [BASE]
        (overview,) = overviews
        rows = {cell.name: counts for cell, counts in overview.cells}
        assert rows == {CELL_OFFICE: CellCounts(8, 2), CELL_SCHOOLS: CellCounts(8, 1)}
        assert (overview.members, overview.linked) == (16, 3)


def test_overview_refuses_a_secretary_and_an_admin_sees_the_roots(
    demo: Database, clock: FakeClock
) -> None:
    with demo.session() as session:
        with pytest.raises(Forbidden) as refused:
            units_overview(session, actor(session, "DV001"))
        assert refused.value.message == texts.FORBIDDEN_COMMITTEE
        with pytest.raises(Forbidden):
            units_overview(session, actor(session, "DV003"))

        other, _ = ensure_unit_path(
            session, ["Đảng bộ Khối Doanh nghiệp"], leaf_is_cell=False, now=clock()
        )
        grant_admin(session, member(session, "DV003"))
        session.flush()
        assert [u.name for u in root_units(session)] == sorted([TOP, other.name])
        admin = actor(session, "DV003")
        assert [o.unit.name for o in units_overview(session, admin)] == sorted([TOP, other.name])
        # An admin who also sits on a committee sees that committee's units, as before.
        office = unit(session, CELL_OFFICE)
        assert office.id is not None
        set_committee_units(session, member(session, "DV003"), {office.id})
        session.flush()
        (only,) = units_overview(session, actor(session, "DV003"))
        assert only.unit.name == CELL_OFFICE
        assert [cell.name for cell, _ in only.cells] == [CELL_OFFICE]


def test_donvi_shows_linked_counts(chat_as) -> None:
    chat_as("DV001")
    committee = chat_as("DV016")
    committee.send("/donvi")
    assert f"{BASE}: 2 chi bộ, 16 đảng viên, 2 đã kết nối." in committee.text
    assert f"• {CELL_OFFICE}: 8 đảng viên, 1 đã kết nối" in committee.text
    assert f"• {CELL_SCHOOLS}: 8 đảng viên, 1 đã kết nối" in committee.text


# --- Meetings ----------------------------------------------------------------------------------


def test_last_place_is_the_latest_meeting_of_the_cell(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        office = cell_id(session, CELL_OFFICE)
        secretary = actor(session, "DV001")
        assert last_place(session, secretary, office) is None
        schedule(session, clock())
        assert last_place(session, secretary, office) == "Hội trường tầng 2"
        assert last_place(session, actor(session, "DV002"), office) == "Hội trường tầng 2"
        assert last_place(session, actor(session, "DV009"), cell_id(session, CELL_SCHOOLS)) is None


def test_last_place_refuses_another_cell_and_a_member(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        schedule(session, clock())
        office = cell_id(session, CELL_OFFICE)
        with pytest.raises(Forbidden) as refused:
            last_place(session, actor(session, "DV009"), office)
        assert refused.value.message == texts.FORBIDDEN_OTHER_CELL
        with pytest.raises(Forbidden):
            last_place(session, actor(session, "DV003"), office)


def test_meeting_documents_for_its_readers_only(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        assert meeting_documents(session, actor(session, "DV003"), meeting.id) == []
        add_document(
            session, secretary, meeting.id, title="Dự thảo nghị quyết", file_ref="f1", now=clock()
        )
        later = clock() + timedelta(hours=1)
        add_document(
            session, secretary, meeting.id, title="Báo cáo tháng", file_ref="f2", now=later
        )
        for reader in ("DV003", "DV001", "DV016"):  # a member, the secretary, the committee
            titles = [
                d.title for d in meeting_documents(session, actor(session, reader), meeting.id)
            ]
            assert titles == ["Dự thảo nghị quyết", "Báo cáo tháng"]
        with pytest.raises(Forbidden):
            meeting_documents(session, actor(session, "DV010"), meeting.id)  # another cell
        with pytest.raises(Forbidden):
            readable_meeting(session, actor(session, "DV009"), meeting.id)


def test_my_attendance_is_the_members_own_row(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        member_actor = actor(session, "DV003")
        row = my_attendance(session, member_actor, meeting.id)  # on the roll, not answered
        assert row is not None and row.answer is None
        answer_invitation(
            session, member_actor, meeting.id, attend=False, reason="Đi công tác", now=clock()
        )
        row = my_attendance(session, member_actor, meeting.id)
        assert row is not None and row.member_id == member(session, "DV003").id
        assert row.answer_reason == "Đi công tác"
        other = my_attendance(session, actor(session, "DV004"), meeting.id)
        assert other is not None and other.member_id == member(session, "DV004").id
        assert other.answer is None
        assert my_attendance(session, actor(session, "DV010"), meeting.id) is None  # not on it


def test_meeting_task_count_for_leaders_only(demo: Database, clock: FakeClock) -> None:
    with demo.session() as session:
        meeting = schedule(session, clock())
        assert meeting.id is not None
        secretary = actor(session, "DV001")
        assert meeting_task_count(session, secretary, meeting.id) == 0
        for title in ("Nộp báo cáo", "Thu đảng phí"):
            assign_task(
                session,
                secretary,
                meeting.id,
                owner_member_id=member(session, "DV003").id or 0,
                title=title,
                due_on=date(2026, 12, 31),
                now=clock(),
            )
        other = schedule(
            session,
            clock(),
            kind=MeetingKind.THEMATIC,
            topic="Chuyển đổi số",
            starts_at=meeting.starts_at + timedelta(days=3),
        )
        assert other.id is not None
        assert meeting_task_count(session, secretary, meeting.id) == 2
        assert meeting_task_count(session, actor(session, "DV016"), meeting.id) == 2  # committee
        assert meeting_task_count(session, secretary, other.id) == 0
        with pytest.raises(Forbidden):
            meeting_task_count(session, actor(session, "DV003"), meeting.id)  # a member
        with pytest.raises(Forbidden):
            meeting_task_count(session, actor(session, "DV009"), meeting.id)  # another cell
