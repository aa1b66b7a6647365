"""The library's rules at the core, on SQLite and PostgreSQL: what a publisher may publish and
where, what each member reads, checking what was typed, duplicates, superseding both ways,
withdrawing, "Đã lưu", the search's items and the demo's documents."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from models import AuditLog, Database, LibraryDocument, LibrarySaved
from services.demo import CELL_OFFICE, TOP, seed_demo
from services.errors import Forbidden, UserError
from services.library import documents, saved
from services.library import texts as library_texts
from services.library.documents import check_upload, clean_issued_on, clean_link, clean_number
from services.library.offers import document_items
from services.library.offers import offers as library_offers
from services.offers import DEMO_DATA, SEARCHABLE, Offers
from services.search.query import search
from tests.library.conftest import (
    OTHER_BASE,
    OTHER_COMMITTEE,
    OTHER_MEMBER,
    Doc,
    actor,
    publish_as,
)
from tests.library.conftest import (
    documents as all_documents,
)
from tests.support import FakeClock

TODAY = date(2026, 11, 26)


def test_typed_values_are_checked() -> None:
    assert clean_number("  366-QĐ/TW ") == "366-QĐ/TW"
    for bad in ("QĐ/TW", "", "1" * 65):
        with pytest.raises(UserError):
            clean_number(bad)
    assert clean_issued_on("15/3/2025", TODAY) == date(2025, 3, 15)
    assert clean_issued_on("26.11.2026", TODAY) == TODAY
    with pytest.raises(UserError, match="sau hôm nay"):
        clean_issued_on("27/11/2026", TODAY)
    for bad in ("31/02/2025", "2025-03-15", "hôm qua", "15/03/1900"):
        with pytest.raises(UserError) as refused:
            clean_issued_on(bad, TODAY)
        assert refused.value.message == library_texts.DATE_BAD
    assert clean_link("https://example.vn/366.pdf") == "https://example.vn/366.pdf"
    for bad in ("http://example.vn/a.pdf", "https://a b", "javascript:alert(1)"):
        with pytest.raises(UserError):
            clean_link(bad)


def test_uploads_are_checked_by_name_type_and_size() -> None:
    assert check_upload("document", "Quy định 366.PDF", "application/pdf", 1000) == "document"
    assert check_upload("document", "bang.xlsx", None, None) == "document"
    assert check_upload("photo", None, None, 50_000) == "photo"
    refusals = [
        ("document", "virus.exe", "application/octet-stream", 10),
        ("document", "trang.html", "text/html", 10),
        ("document", "gia.pdf", "text/html", 10),  # a name that lies about its type
        ("sticker", None, None, 10),
        ("document", "lon.pdf", "application/pdf", 21 * 1024 * 1024),
    ]
    for kind, name, mime, size in refusals:
        with pytest.raises(UserError):
            check_upload(kind, name, mime, size)


def test_who_may_publish_where(branch: Database, clock: FakeClock) -> None:
    publish_as(branch, clock, "DV016")  # committee of the base
    with pytest.raises(Forbidden):  # a plain member
        publish_as(branch, clock, "DV003", Doc(number="1-HD/DU"))
    with pytest.raises(Forbidden):  # a committee outside its subtree
        publish_as(branch, clock, OTHER_COMMITTEE, Doc(number="2-HD/DU"))
    with pytest.raises(Forbidden):  # nor above it
        publish_as(branch, clock, OTHER_COMMITTEE, Doc(number="3-HD/DU", unit=TOP))
    # A secretary publishes internal papers for their own cell, nothing else, nowhere else.
    publish_as(branch, clock, "DV001", Doc(number="05-BC/CB", kind="noi_bo", unit=CELL_OFFICE))
    with pytest.raises(Forbidden) as refused:
        publish_as(branch, clock, "DV001", Doc(number="6-QĐ/CB", unit=CELL_OFFICE))
    assert refused.value.message == library_texts.KIND_FORBIDDEN
    with pytest.raises(Forbidden):  # the other cell's secretary
        publish_as(branch, clock, "DV009", Doc(number="7-BC/CB", kind="noi_bo", unit=CELL_OFFICE))
    assert [d.number for d in all_documents(branch)] == ["366-QĐ/TW", "05-BC/CB"]
    with branch.session() as session:
        assert (
            len(session.exec(select(AuditLog).where(AuditLog.action == "library.published")).all())
            == 2
        )


def test_a_duplicate_number_from_the_same_issuer_is_refused(
    branch: Database, clock: FakeClock
) -> None:
    publish_as(branch, clock, "DV016")
    with pytest.raises(UserError) as refused:  # spelt without marks and in lower case
        publish_as(
            branch, clock, "DV016", Doc(number="366-qd/tw", issuer="ban chap hanh trung uong")
        )
    assert "đã có văn bản số 366-QĐ/TW" in refused.value.message
    publish_as(branch, clock, "DV016", Doc(issuer="Tỉnh ủy"))  # another issuer's 366
    assert len(all_documents(branch)) == 2


def test_members_read_their_cell_and_above_committees_their_subtree(
    branch: Database, clock: FakeClock
) -> None:
    base_doc = publish_as(branch, clock, "DV016")
    internal = publish_as(branch, clock, "DV001", Doc("1-BC/CB", "noi_bo", CELL_OFFICE))
    other = publish_as(branch, clock, OTHER_COMMITTEE, Doc("9-HD/DU", unit=OTHER_BASE))
    with branch.session() as session:

        def ids(code: str) -> set[int]:
            return {d.id or 0 for d in documents.newest(session, actor(session, code))}

        assert ids("DV003") == {base_doc, internal}
        assert ids("DV010") == {base_doc}  # the other cell of the base: not the internal paper
        assert ids("DV016") == {base_doc, internal}  # the committee reads its subtree
        assert ids(OTHER_MEMBER) == {other}
        assert ids(OTHER_COMMITTEE) == {other}
        with pytest.raises(UserError) as refused:
            documents.for_reader(session, actor(session, OTHER_MEMBER), base_doc)
        assert refused.value.message == library_texts.GONE  # like a missing one
        with pytest.raises(UserError):
            documents.for_reader(session, actor(session, "DV003"), 999_999)


def test_superseded_both_ways_and_refusals(branch: Database, clock: FakeClock) -> None:
    old = publish_as(branch, clock, "DV016", Doc(number="124-QĐ/TW"))
    new = publish_as(branch, clock, "DV016")
    cell_paper = publish_as(branch, clock, "DV001", Doc("1-BC/CB", "noi_bo", CELL_OFFICE))
    with branch.session() as session:
        committee = actor(session, "DV016")
        with pytest.raises(UserError, match="tự thay thế"):
            documents.supersede(session, committee, old, old, now=clock())
        with pytest.raises(UserError) as refused:  # a cell's paper never reaches the base
            documents.supersede(session, committee, old, cell_paper, now=clock())
        assert refused.value.message == library_texts.SUPERSEDE_UNIT
        with pytest.raises(Forbidden):  # a plain member
            documents.supersede(session, actor(session, "DV003"), old, new, now=clock())
        with pytest.raises(Forbidden):  # a committee outside the subtree
            documents.supersede(session, actor(session, OTHER_COMMITTEE), old, new, now=clock())
        documents.supersede(session, committee, old, new, now=clock())
        session.commit()
    with branch.session() as session:
        committee = actor(session, "DV016")
        with pytest.raises(UserError, match="đang được thay thế"):  # no loop
            documents.supersede(session, committee, new, old, now=clock())
        member = actor(session, "DV003")
        older = documents.for_reader(session, member, old)
        assert older.superseded_by_id == new
        newer = documents.for_reader(session, member, new)
        assert [d.id for d in documents.replaced_by_this(session, member, newer)] == [old]


def test_withdrawn_documents_leave_every_list(branch: Database, clock: FakeClock) -> None:
    doc = publish_as(branch, clock, "DV016")
    with branch.session() as session:
        member = actor(session, "DV003")
        assert saved.save(session, member, doc, now=clock())
        with pytest.raises(Forbidden):
            documents.withdraw(session, member, doc, now=clock())
        with pytest.raises(Forbidden):
            documents.withdraw(session, actor(session, OTHER_COMMITTEE), doc, now=clock())
        documents.withdraw(session, actor(session, "DV016"), doc, now=clock())
        session.commit()
    with branch.session() as session:
        member = actor(session, "DV003")
        assert documents.newest(session, member) == []
        assert saved.saved(session, member) == []
        assert documents.find(session, member, "366") == []
        with pytest.raises(UserError):
            documents.for_reader(session, member, doc)
        with pytest.raises(UserError):  # nor withdrawn twice
            documents.withdraw(session, actor(session, "DV016"), doc, now=clock())
        assert session.exec(select(LibrarySaved)).all() == []
        # Offered to the search with no readers, and marked for the admins who read all.
        (item,) = document_items(session, None)
        assert item.unit_ids == () and library_texts.WITHDRAWN_MARK in item.title


def test_saving_is_idempotent_and_per_member(branch: Database, clock: FakeClock) -> None:
    doc = publish_as(branch, clock, "DV016")
    with branch.session() as session:
        member, other = actor(session, "DV003"), actor(session, "DV004")
        assert saved.save(session, member, doc, now=clock()) is True
        assert saved.save(session, member, doc, now=clock()) is False
        assert [d.id for d in saved.saved(session, member)] == [doc]
        assert saved.saved(session, other) == []
        assert saved.is_saved(session, member, doc) and not saved.is_saved(session, other, doc)
        with pytest.raises(UserError):  # someone who may not read it cannot keep it
            saved.save(session, actor(session, OTHER_MEMBER), doc, now=clock())
        assert saved.unsave(session, member, doc) is True
        assert saved.unsave(session, member, doc) is False
        assert saved.saved(session, member) == []
        assert len(session.exec(select(LibrarySaved)).all()) == 0


def test_typed_words_find_numbers_and_titles_without_marks(
    branch: Database, clock: FakeClock
) -> None:
    doc = publish_as(branch, clock, "DV016")
    publish_as(
        branch, clock, "DV016", Doc("05-CT/TW", "chi_thi", title="Về học tập và làm theo Bác")
    )
    with branch.session() as session:
        member = actor(session, "DV003")
        for query in ("366 qd tw", "quy dinh danh gia", "XẾP LOẠI", "366-QĐ"):
            assert [d.id for d in documents.find(session, member, query)] == [doc], query
        assert documents.find(session, member, "nghi quyet 366") == []
        assert documents.find(session, actor(session, OTHER_MEMBER), "366") == []
        with pytest.raises(UserError):
            documents.find(session, member, " -- ")


def test_the_search_finds_a_document_without_diacritics(branch: Database, clock: FakeClock) -> None:
    publish_as(branch, clock, "DV016")
    sources = Offers(library_offers()).of(SEARCHABLE)
    with branch.session() as session:
        found = search(
            session, actor(session, "DV003"), "quy dinh danh gia", sources=sources, now=clock()
        )
        assert [(h.label, h.title, h.opens) for h in found.hits] == [
            ("Tài liệu", "366-QĐ/TW – Về kiểm điểm, đánh giá, xếp loại chất lượng", "/tailieu")
        ]
        other = search(
            session, actor(session, OTHER_MEMBER), "quy dinh danh gia", sources=sources, now=clock()
        )
        assert other.hits == []


def test_the_demo_has_the_national_documents_for_everyone(db: Database, clock: FakeClock) -> None:
    extras = Offers(library_offers()).of(DEMO_DATA)
    with db.session() as session:
        seed_demo(session, now=clock(), extras=extras)
        session.commit()
    with db.session() as session:
        rows = session.exec(select(LibraryDocument)).all()
        numbers = {d.number for d in rows}
        assert {"366-QĐ/TW", "01-QĐ/TW", "05-CT/TW", "01-KL/TW", "42-HD/BTCTW"} <= numbers
        assert all(d.file_ref is None for d in rows)
        for code in ("DV003", "DV010"):
            found = documents.find(session, actor(session, code), "quy dinh danh gia")
            assert [d.number for d in found] == ["366-QĐ/TW"]
        newest = documents.newest(session, actor(session, "DV010"))
        assert newest[0].number == "01-KL/TW"  # dated ones first, the newest first
        assert newest[0].issued_on == date(2021, 5, 18)


def test_a_document_changed_later_is_offered_to_the_search_again(
    branch: Database, clock: FakeClock
) -> None:
    old = publish_as(branch, clock, "DV016", Doc(number="124-QĐ/TW"))
    new = publish_as(branch, clock, "DV016")
    since = clock()
    clock.advance(minutes=5)
    with branch.session() as session:
        assert list(document_items(session, since)) == []
        documents.supersede(session, actor(session, "DV016"), old, new, now=clock())
        session.commit()
    with branch.session() as session:
        assert sorted(i.ref_id for i in document_items(session, since)) == [old, new]
